//! The page's entry point: mounts the playground (see the library's docs).

fn main() {
    yew::Renderer::<stowage_web::App>::new().render();
}
