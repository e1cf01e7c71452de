//! Build progress on stderr, as BuildKit shows it.
//!
//! `plain` (not a terminal, or `--progress plain`): numbered vertices,
//! `#5 [build 2/4] RUN make`, each output line as `#5 0.215 text` as the command prints it,
//! then `#5 DONE 0.3s` or `#5 CACHED`. `tty`: a live view drawn with `indicatif` — the
//! header `[+] Building 3.2s (7/9)`, the running step with its time ticking and the last
//! lines of its output (` => => # text`), above it ` => [build 2/4] RUN make  0.3s` /
//! ` => CACHED …` for every finished step — and the header again with `FINISHED` at the end.
//! When stderr is not a terminal, `--progress tty` prints the finished lines only.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use stowage_build::{BuildEvent, EventSink, StepId, StepStatus, human_size};
use stowage_shell::interp::Stream;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    Plain,
    Tty,
}

#[derive(Debug)]
struct Current {
    number: usize,
    id: StepId,
    started: Instant,
}

/// How many output lines of the running step the live view shows.
const TAIL: usize = 6;
/// Width of a step's label before its time.
const LABEL: usize = 72;

/// The live part of the tty view, as plain state: what runs, since when, its last output
/// lines, and the step counts. Rendered at a given time by [`Board::render`].
#[derive(Debug, Default)]
pub(crate) struct Board {
    /// The terminal's width in columns (0: unknown, lines are not cut).
    width: usize,
    /// Steps started (BuildKit's total: vertices known so far).
    started: usize,
    /// Steps finished.
    done: usize,
    /// The running step's label and when it started (since the build started).
    running: Option<(String, Duration)>,
    /// Its last output lines.
    tail: VecDeque<String>,
}

impl Board {
    fn start(&mut self, label: String, at: Duration) {
        self.started += 1;
        self.running = Some((label, at));
        self.tail.clear();
    }

    fn line(&mut self, text: &str) {
        if self.tail.len() == TAIL {
            self.tail.pop_front();
        }
        // One screen line each: no control characters.
        let clean: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        self.tail.push_back(clean);
    }

    fn finish_step(&mut self) {
        self.done += 1;
        self.running = None;
        self.tail.clear();
    }

    /// A step that started before the running one ended (a COPY whose layer was written
    /// while the next step ran).
    fn finish_earlier(&mut self) {
        self.done += 1;
    }

    /// The view at `now` (since the build started), without colour.
    pub(crate) fn render(&self, now: Duration) -> String {
        let mut out = format!(
            "[+] Building {:.1}s ({}/{})",
            now.as_secs_f64(),
            self.done,
            self.started
        );
        if let Some((label, at)) = &self.running {
            let secs = now.saturating_sub(*at).as_secs_f64();
            // The label is cut to leave room for the time: one screen line per step.
            let room = if self.width == 0 {
                LABEL
            } else {
                self.width.saturating_sub(12).min(LABEL)
            };
            let label = cut(label, room);
            let _ = write!(out, "\n => {label:<room$} {secs:>5.1}s");
            for l in &self.tail {
                let line = format!(" => => # {l}");
                let _ = write!(
                    out,
                    "\n{}",
                    if self.width == 0 {
                        &line
                    } else {
                        cut(&line, self.width.saturating_sub(1))
                    }
                );
            }
        }
        out
    }
}

/// `text` cut to at most `chars` characters.
fn cut(text: &str, chars: usize) -> &str {
    text.char_indices()
        .nth(chars)
        .map_or(text, |(i, _)| &text[..i])
}

impl Board {}

/// The indicatif bar that draws the [`Board`] and prints finished lines above it.
#[derive(Debug)]
struct Live {
    bar: ProgressBar,
    board: Arc<Mutex<Board>>,
}

impl Live {
    fn new() -> Self {
        let board = Arc::new(Mutex::new(Board {
            width: usize::from(console::Term::stderr().size().1),
            ..Board::default()
        }));
        let shared = Arc::clone(&board);
        let style = ProgressStyle::with_template("{board}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner())
            .with_key(
                "board",
                move |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let board = shared.lock().unwrap_or_else(PoisonError::into_inner);
                    let _ = w.write_str(&board.render(state.elapsed()));
                },
            );
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(10));
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(100));
        Self { bar, board }
    }

    fn board(&self) -> std::sync::MutexGuard<'_, Board> {
        self.board.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The progress printer; RUN output comes in through [`Progress::line`].
#[derive(Debug)]
pub(crate) struct Progress {
    mode: Mode,
    next: usize,
    /// The step started last: RUN output is its.
    current: Option<Current>,
    /// Steps started before it that have not ended yet.
    earlier: Vec<Current>,
    started: Instant,
    steps: usize,
    cached: usize,
    /// The live view (tty mode on a terminal).
    live: Option<Live>,
    /// Nothing is printed (`build -q`); failures are still reported by the caller.
    silent: bool,
}

const DIM: &str = "\x1b[2m";
const BLUE: &str = "\x1b[34m";
const RED: &str = "\x1b[31m";
const RESET: &str = "\x1b[0m";

impl Progress {
    pub(crate) fn new(mode: Mode) -> Self {
        Self {
            mode,
            next: 1,
            current: None,
            earlier: Vec::new(),
            started: Instant::now(),
            steps: 0,
            cached: 0,
            live: (mode == Mode::Tty && std::io::stderr().is_terminal()).then(Live::new),
            silent: false,
        }
    }

    /// A printer that prints nothing (`build -q`, as docker's `--quiet`).
    pub(crate) fn silent() -> Self {
        Self {
            silent: true,
            ..Self::new(Mode::Plain)
        }
    }

    /// Prints `text` (whole lines): above the live view when there is one.
    fn out(&self, text: &str) {
        if self.silent {
            return;
        }
        if let Some(live) = &self.live {
            live.bar.println(
                text.strip_suffix('\n')
                    .unwrap_or(text)
                    .trim_end_matches('\n'),
            );
            return;
        }
        let mut e = std::io::stderr().lock();
        let _ = e.write_all(text.as_bytes());
        let _ = e.flush();
    }

    fn number(&mut self) -> usize {
        let n = self.next;
        self.next += 1;
        n
    }

    /// A line of RUN output, as it is printed.
    pub(crate) fn line(&mut self, stream: Stream, text: &str) {
        let Some(cur) = &mut self.current else {
            return;
        };
        let secs = cur.started.elapsed().as_secs_f64();
        let n = cur.number;
        if let Some(live) = &self.live {
            live.board().line(text);
            return;
        }
        let msg = match self.mode {
            Mode::Plain => format!("#{n} {secs:.3} {text}\n"),
            Mode::Tty if stream == Stream::Stderr => format!("{RED} => => # {text}{RESET}\n"),
            Mode::Tty => format!("{DIM} => => # {text}{RESET}\n"),
        };
        self.out(&msg);
    }

    /// The build failed at the current step.
    pub(crate) fn error(&mut self, message: &str) {
        let Some(n) = self.current.as_ref().map(|c| c.number) else {
            return;
        };
        let msg = match self.mode {
            Mode::Plain => format!("#{n} ERROR: {message}\n\n"),
            Mode::Tty => format!("{RED} => ERROR: {message}{RESET}\n"),
        };
        self.out(&msg);
    }

    /// The closing line in tty mode.
    pub(crate) fn finish(&mut self, ok: bool) {
        if let Some(live) = self.live.take() {
            live.bar.finish_and_clear();
        }
        if self.mode == Mode::Tty {
            let state = if ok { "FINISHED" } else { "FAILED" };
            let secs = self.started.elapsed().as_secs_f64();
            let msg = format!(
                "[+] Building {secs:.1}s ({}/{}) {state}\n",
                self.steps, self.steps
            );
            self.out(&msg);
        }
    }

    fn finished(&mut self, step: &StepId, status: StepStatus, ms: u64) {
        let latest = self.current.as_ref().is_none_or(|c| c.id == *step);
        let cur = if latest {
            self.current.take()
        } else {
            let at = self.earlier.iter().position(|c| c.id == *step);
            at.map(|i| self.earlier.remove(i))
        };
        let Some(cur) = cur else {
            return;
        };
        let put_back = |p: &mut Self, cur: Current| {
            if latest {
                p.current = Some(cur);
            } else {
                p.earlier.push(cur);
            }
        };
        #[expect(clippy::cast_precision_loss, reason = "shown with one decimal")]
        let secs = ms as f64 / 1000.0;
        let n = cur.number;
        self.steps += 1;
        if let Some(live) = &self.live {
            if latest {
                live.board().finish_step();
            } else {
                live.board().finish_earlier();
            }
        }
        let msg = match (self.mode, status) {
            (Mode::Tty, StepStatus::Failed) => {
                let line = format!(" => ERROR {}", cur.id);
                self.out(&format!("{RED}{line:<LABEL$} {secs:>5.1}s{RESET}\n"));
                return put_back(self, cur);
            }
            (_, StepStatus::Failed) => return put_back(self, cur),
            (Mode::Plain, StepStatus::Hit) => {
                self.cached += 1;
                if cur.id.index == 1 {
                    format!("#{n} DONE {secs:.1}s\n\n")
                } else {
                    format!("#{n} CACHED\n\n")
                }
            }
            (Mode::Plain, _) => format!("#{n} DONE {secs:.1}s\n\n"),
            (Mode::Tty, _) => {
                let cached = status == StepStatus::Hit && cur.id.index != 1;
                if cached {
                    self.cached += 1;
                }
                let line = format!(" => {}{}", if cached { "CACHED " } else { "" }, cur.id);
                format!("{BLUE}{line:<LABEL$}{RESET} {secs:>5.1}s\n")
            }
        };
        self.out(&msg);
    }
}

impl EventSink for Progress {
    fn event(&mut self, event: &BuildEvent) {
        match event {
            BuildEvent::Context { files, bytes } => {
                let n = self.number();
                let msg = match self.mode {
                    Mode::Plain => format!(
                        "#{n} [internal] load build context\n#{n} transferring context: {} in {files} files done\n#{n} DONE 0.0s\n\n",
                        human_size(*bytes)
                    ),
                    Mode::Tty => format!(
                        "{BLUE} => [internal] load build context: {} in {files} files{RESET}\n",
                        human_size(*bytes)
                    ),
                };
                self.out(&msg);
            }
            BuildEvent::StepStarted { step } => {
                let n = self.number();
                if let Some(live) = &self.live {
                    live.board().start(step.to_string(), self.started.elapsed());
                } else if self.mode == Mode::Plain {
                    self.out(&format!("#{n} {step}\n"));
                }
                let started = Current {
                    number: n,
                    id: step.clone(),
                    started: Instant::now(),
                };
                if let Some(before) = self.current.replace(started) {
                    self.earlier.push(before);
                }
            }
            // Printed with the step's end; output lines came live through `line`.
            BuildEvent::StepCached { .. } | BuildEvent::Log { .. } => {}
            BuildEvent::StepFinished {
                step,
                status,
                duration_ms,
                ..
            } => self.finished(step, *status, *duration_ms),
            BuildEvent::Exported { id, tags } => {
                let n = self.number();
                let mut msg = match self.mode {
                    Mode::Plain => {
                        format!("#{n} exporting to image\n#{n} writing image {id} done\n")
                    }
                    Mode::Tty => {
                        format!("{BLUE} => exporting to image{RESET}\n => => writing image {id}\n")
                    }
                };
                for t in tags {
                    let name = stowage_oci::archive::qualify(t);
                    let _ = match self.mode {
                        Mode::Plain => writeln!(msg, "#{n} naming to {name} done"),
                        Mode::Tty => writeln!(msg, " => => naming to {name}"),
                    };
                }
                if self.mode == Mode::Plain {
                    let _ = writeln!(msg, "#{n} DONE 0.0s");
                }
                self.out(&msg);
            }
        }
    }
}

/// Shares the printer between the engine's events and the executor's output.
#[derive(Debug)]
pub(crate) struct Shared(pub(crate) std::rc::Rc<std::cell::RefCell<Progress>>);

impl EventSink for Shared {
    fn event(&mut self, event: &BuildEvent) {
        self.0.borrow_mut().event(event);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::Board;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn the_board_shows_the_running_step_with_its_time_and_last_lines() {
        let mut b = Board {
            width: 40,
            ..Board::default()
        };
        assert_eq!(b.render(ms(300)), "[+] Building 0.3s (0/0)");
        b.start("[1/2] FROM busybox".into(), ms(100));
        b.finish_step();
        b.start(
            "[2/2] RUN a command longer than the terminal is wide".into(),
            ms(500),
        );
        for i in 1..=8 {
            b.line(&format!("line {i}\tend"));
        }
        b.line("a line much longer than forty columns, cut at the edge");
        assert_eq!(
            b.render(ms(2240)),
            "[+] Building 2.2s (1/2)\n \
             => [2/2] RUN a command longer t   1.7s\n \
             => => # line 4 end\n \
             => => # line 5 end\n \
             => => # line 6 end\n \
             => => # line 7 end\n \
             => => # line 8 end\n \
             => => # a line much longer than forty "
        );
        b.finish_step();
        assert_eq!(b.render(ms(2300)), "[+] Building 2.3s (2/2)");
    }
}
