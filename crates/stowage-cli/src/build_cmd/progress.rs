//! Build progress on stderr, as BuildKit shows it.
//!
//! `plain` (not a terminal, or `--progress plain`): numbered vertices,
//! `#5 [build 2/4] RUN make`, each output line as `#5 0.215 text`, then `#5 DONE 0.3s` or
//! `#5 CACHED`. `tty`: ` => [build 2/4] RUN make  0.3s` lines in colour, the line of the
//! running step rewritten in place when it ends, output as ` => => # text`.

use std::fmt::Write as _;
use std::io::Write;
use std::time::Instant;

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
    /// Output was printed since the step's line (so it cannot be rewritten).
    printed: bool,
}

/// The progress printer; RUN output comes in through [`Progress::line`].
#[derive(Debug)]
pub(crate) struct Progress {
    mode: Mode,
    next: usize,
    current: Option<Current>,
    started: Instant,
    steps: usize,
    cached: usize,
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
            started: Instant::now(),
            steps: 0,
            cached: 0,
        }
    }

    #[expect(clippy::unused_self, reason = "one stream for all progress")]
    fn out(&self, text: &str) {
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
        cur.printed = true;
        let secs = cur.started.elapsed().as_secs_f64();
        let n = cur.number;
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
        if self.mode == Mode::Tty {
            let state = if ok { "FINISHED" } else { "FAILED" };
            let secs = self.started.elapsed().as_secs_f64();
            let msg = format!(
                "[+] Building {secs:.1}s ({}/{} cached) {state}\n",
                self.cached, self.steps
            );
            self.out(&msg);
        }
    }

    fn finished(&mut self, status: StepStatus, ms: u64) {
        let Some(cur) = self.current.take() else {
            return;
        };
        #[expect(clippy::cast_precision_loss, reason = "shown with one decimal")]
        let secs = ms as f64 / 1000.0;
        let n = cur.number;
        self.steps += 1;
        let msg = match (self.mode, status) {
            (_, StepStatus::Failed) => return self.current = Some(cur),
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
                let rewrite = if cur.printed { "" } else { "\x1b[1A\x1b[2K" };
                format!("{rewrite}{BLUE}{line:<72}{RESET} {secs:>5.1}s\n")
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
                let msg = match self.mode {
                    Mode::Plain => format!("#{n} {step}\n"),
                    Mode::Tty => format!("{BLUE} => {step}{RESET}\n"),
                };
                self.out(&msg);
                self.current = Some(Current {
                    number: n,
                    id: step.clone(),
                    started: Instant::now(),
                    printed: false,
                });
            }
            // Printed with the step's end; output lines came live through `line`.
            BuildEvent::StepCached { .. } | BuildEvent::Log { .. } => {}
            BuildEvent::StepFinished {
                status,
                duration_ms,
                ..
            } => self.finished(*status, *duration_ms),
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
