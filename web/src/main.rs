//! The Stowage playground: a Dockerfile editor that shows, as you type, what the parser makes
//! of the file. Everything runs in the browser; the core crates do the work, this crate draws.

mod analysis;
mod app;
mod components;
mod state;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
