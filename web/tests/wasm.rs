//! The playground's pieces as the browser runs them, in headless Chromium through
//! `wasm-bindgen-test-runner`: the analysis (with the host clock), the worker's wire codec, the
//! CodeMirror facade driven from Rust, and the terminal, export and share links of the build
//! worker. The native tests own the behaviour; these catch what
//! only wasm32 and a real DOM can break. `tests/e2e` then drives the whole built app.
//!
//! ```text
//! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner CHROMEDRIVER=/usr/bin/chromedriver \
//!     cargo test --target wasm32-unknown-unknown -p stowage-web --test wasm
//! ```
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use stowage_web::analysis::analyze;
use stowage_web::editor_js::{create_editor, problems};
use stowage_web::worker::{AnalysisRequest, AnalysisResponse, respond};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use yew_agent::{Bincode, Codec};

wasm_bindgen_test_configure!(run_in_browser);

const SOURCE: &str = "# é\nFROM alpine:3.20 as build\nCMD [\"a\", 1]\n";

#[wasm_bindgen_test]
fn the_worker_answer_is_timed_and_survives_the_codec() {
    let response = respond(AnalysisRequest {
        revision: 3,
        source: SOURCE.to_owned(),
    });
    assert_eq!(response.revision, 3);
    assert!(response.took_us.is_some(), "the browser has a clock");
    assert_eq!(response.analysis, analyze(SOURCE));
    let back: AnalysisResponse = Bincode::decode(Bincode::encode(&response));
    assert_eq!(back, response);
}

#[wasm_bindgen_test]
fn the_build_worker_keeps_its_cache_and_its_answer_survives_the_codec() {
    use stowage_web::build::{BuildAsk, BuildOutcome, ContextFile, respond as build};
    let ask = |n| BuildAsk {
        build: n,
        dockerfile: "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n".to_owned(),
        context: vec![ContextFile {
            path: "app.py".to_owned(),
            text: "print('hi')\n".to_owned(),
            mtime: 1,
        }],
        ..BuildAsk::default()
    };
    let statuses = |o: &BuildOutcome| o.steps.iter().map(|s| s.status.clone()).collect::<Vec<_>>();
    let first = build(&ask(1));
    assert_eq!(statuses(&first), ["MISS", "MISS", "MISS"]);
    let second = build(&ask(2));
    assert_eq!(
        statuses(&second),
        ["HIT", "HIT", "HIT"],
        "the thread-local engine kept its cache"
    );
    let back: BuildOutcome = Bincode::decode(Bincode::encode(&second));
    assert_eq!(back, second);
}

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
}

/// Lets queued microtasks (the facade's change notifications) run.
async fn settle() {
    let resolved = js_sys::Promise::resolve(&wasm_bindgen::JsValue::UNDEFINED);
    wasm_bindgen_futures::JsFuture::from(resolved)
        .await
        .expect("a resolved promise");
}

#[wasm_bindgen_test]
async fn the_editor_underlines_problems_and_applies_text() {
    let parent: web_sys::HtmlElement = document()
        .create_element("div")
        .expect("a div")
        .unchecked_into();
    document()
        .body()
        .expect("a body")
        .append_child(&parent)
        .expect("appended");
    let changes = Rc::new(RefCell::new(Vec::<String>::new()));
    let seen = Rc::clone(&changes);
    let on_change = Closure::<dyn Fn(String)>::new(move |text| seen.borrow_mut().push(text));
    let on_rule = Closure::<dyn Fn(String)>::new(|_code| {});
    let editor = create_editor(&parent, SOURCE, "nothing", &on_change, &on_rule);
    assert_eq!(editor.get_text(), SOURCE);
    let content = parent
        .query_selector("[data-testid=editor]")
        .expect("a query")
        .expect("the editable content carries the test id");
    assert_eq!(
        content.get_attribute("contenteditable").as_deref(),
        Some("true")
    );

    // The analysis' UTF-16 ranges land on the right text, after a non-ASCII comment.
    let analysis = analyze(SOURCE);
    let problems = serde_wasm_bindgen::to_value(&problems(&analysis)).expect("to JS");
    assert!(editor.set_diagnostics(SOURCE, problems.clone()));
    let marked = |code: &str| -> String {
        let marks = parent
            .query_selector_all(&format!(".cm-lintRange.code-{code}"))
            .expect("a query");
        (0..marks.length())
            .filter_map(|i| marks.item(i)?.text_content())
            .collect()
    };
    assert_eq!(marked("SW702"), "as");
    assert_eq!(marked("json-not-strings"), "[\"a\", 1]");
    // Results for other text are dropped.
    assert!(!editor.set_diagnostics("FROM x\n", problems));

    editor.set_text("FROM scratch\n");
    settle().await;
    assert_eq!(editor.get_text(), "FROM scratch\n");
    assert_eq!(changes.borrow().as_slice(), ["FROM scratch\n"]);
    editor.destroy();
    parent.remove();
}

#[wasm_bindgen_test]
fn the_terminal_export_and_share_links_run_in_wasm() {
    use stowage_web::build::{
        BuildOutput, Builder, ContextFile, Shared, Terminal, TerminalAsk, share,
    };
    let (mut builder, mut terminal) = (Builder::default(), Terminal::default());
    let context = vec![ContextFile {
        path: "hello.txt".to_owned(),
        text: "héllo\n".to_owned(),
        mtime: 1,
    }];
    let mut run = |line: &str| {
        terminal.run(
            &mut builder,
            &TerminalAsk {
                line: line.to_owned(),
                dockerfile: "FROM busybox\nCOPY . /x\n".to_owned(),
                context: context.clone(),
            },
        )
    };
    let built = run("docker build -t app .");
    assert_eq!(built.status, 0, "{:?}", built.output);
    let cat = run("docker run app cat /x/hello.txt");
    assert_eq!(cat.output, ["héllo"]);
    let pushed = run("docker tag app localhost:5000/app");
    assert_eq!(pushed.status, 0);
    let pushed = run("docker push localhost:5000/app");
    assert!(
        pushed
            .output
            .last()
            .is_some_and(|l| l.starts_with("latest: digest: sha256:"))
    );
    let answer = BuildOutput::Terminal {
        id: 7,
        reply: pushed,
    };
    let back: BuildOutput = Bincode::decode(Bincode::encode(&answer));
    assert_eq!(back, answer);

    let archive = builder.export("app").expect("the image exports");
    assert!(
        archive.len() > 1024 && archive.len() % 512 == 0,
        "a tar: {}",
        archive.len()
    );

    let state = Shared {
        dockerfile: "FROM busybox\n".to_owned(),
        files: vec![("a/b.txt".to_owned(), "ü\n".repeat(100))],
    };
    assert_eq!(share::decode(&share::encode(&state)), Ok(state));
}
