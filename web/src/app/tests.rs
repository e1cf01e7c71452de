//! The page rendered natively through Yew's SSR: checks the hooks the browser tests rely on.

use std::rc::Rc;

use yew::{BaseComponent, Callback};

use super::App;
use crate::components::{
    DiagnosticList, FindingList, InstructionList, diagnostic_list::DiagnosticListProps,
    finding_list::FindingListProps, instruction_list::InstructionListProps,
};
use crate::state::EXAMPLE;
use crate::worker::{AnalysisRequest, respond};

fn render<C: BaseComponent>(props: C::Properties) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime");
    runtime.block_on(
        yew::LocalServerRenderer::<C>::with_props(props)
            .hydratable(false)
            .render(),
    )
}

#[test]
fn page_has_the_test_hooks() {
    let html = render::<App>(());
    for hook in [
        r#"data-testid="editor-host""#,
        r#"data-testid="instructions""#,
        r#"data-testid="diagnostics""#,
        r#"data-testid="findings""#,
        r#"data-testid="context""#,
        r#"data-testid="build""#,
        r#"data-testid="steps""#,
        r#"data-testid="layers""#,
    ] {
        assert!(html.contains(hook), "missing {hook} in {html}");
    }
    // The editor is named by its heading (CodeMirror's content element points at it).
    assert!(html.contains(r#"<h2 id="editor-title""#), "{html}");
    // Nothing is analysed on the server: the worker answers in the browser.
    assert!(html.contains(r#"aria-busy="true""#), "{html}");
    assert_eq!(html.matches(r#"data-testid="instruction""#).count(), 0);
}

#[test]
fn lists_for_the_example() {
    let response = respond(AnalysisRequest {
        revision: 0,
        source: EXAMPLE.to_owned(),
    });
    let analysis = Rc::new(response.analysis);
    let instructions = render::<InstructionList>(InstructionListProps {
        analysis: Rc::clone(&analysis),
    });
    // The example has nine instructions and no diagnostics.
    assert_eq!(
        instructions.matches(r#"data-testid="instruction""#).count(),
        9
    );
    assert!(
        instructions.contains(r#"data-keyword="RUN" data-lines="3-5""#),
        "{instructions}"
    );
    let diagnostics = render::<DiagnosticList>(DiagnosticListProps {
        analysis: Rc::clone(&analysis),
    });
    assert_eq!(
        diagnostics.matches(r#"data-testid="diagnostic""#).count(),
        0
    );
    assert!(diagnostics.contains("No problems found."));
    // The example pins nothing: the apk packages get a finding each, with docs one click away.
    let findings = render::<FindingList>(FindingListProps {
        analysis: Rc::clone(&analysis),
        took_us: Some(1500),
        analysed: Some(3),
        current: true,
    });
    assert_eq!(
        findings.matches(r#"data-testid="finding""#).count(),
        2,
        "{findings}"
    );
    assert_eq!(findings.matches(r#"data-code="DL3018""#).count(), 2);
    assert!(findings.contains("<details class=\"rule\">"), "{findings}");
    assert!(
        findings.contains(r#"data-us="1500" data-revision="3""#),
        "{findings}"
    );
    assert!(findings.contains("checked in 1.5 ms"), "{findings}");
}

#[test]
fn findings_say_when_a_fix_is_offered() {
    let analysis = Rc::new(crate::analysis::analyze(
        "FROM alpine:3.20 as build\nRUN apt-get install -y curl=1\n",
    ));
    let html = render::<FindingList>(FindingListProps {
        analysis,
        took_us: None,
        analysed: None,
        current: true,
    });
    assert!(
        html.contains(r#"data-testid="fix" data-safe="true""#),
        "{html}"
    );
    assert!(
        html.contains(r#"data-testid="fix" data-safe="false""#),
        "{html}"
    );
    assert!(html.contains("Unsafe fix"), "{html}");
}

#[test]
fn build_views_for_a_build_and_a_rebuild() {
    use crate::build::{BuildAsk, Builder};
    use crate::components::{
        BuildSteps, LayerList, build_steps::BuildStepsProps, layer_list::LayerListProps,
    };
    use crate::state::{example_context, python_dockerfile};

    let ask = |build| BuildAsk {
        build,
        dockerfile: python_dockerfile().to_owned(),
        context: example_context(),
        no_cache: false,
        ..BuildAsk::default()
    };
    let mut builder = Builder::default();
    let first = Rc::new(builder.build(&ask(1)));
    let steps = render::<BuildSteps>(BuildStepsProps {
        outcome: Some(Rc::clone(&first)),
        building: false,
    });
    assert!(steps.contains(r#"data-testid="steps""#), "{steps}");
    assert_eq!(steps.matches(r#"data-status="MISS""#).count(), 5, "{steps}");
    assert_eq!(steps.matches(r#"data-status="CONFIG""#).count(), 1);
    assert_eq!(steps.matches(r#"data-testid="step""#).count(), 6);
    assert_eq!(steps.matches(r#"data-cache="miss""#).count(), 5);
    assert!(steps.contains("[4/6] RUN pip install"), "{steps}");
    let rebuilt = render::<BuildSteps>(BuildStepsProps {
        outcome: Some(Rc::new(builder.build(&ask(2)))),
        building: false,
    });
    assert_eq!(
        rebuilt.matches(r#"data-status="HIT""#).count(),
        5,
        "{rebuilt}"
    );

    let layers = render::<LayerList>(LayerListProps {
        outcome: Some(Rc::clone(&first)),
        on_lines: Callback::noop(),
        union: None,
        on_union: Callback::noop(),
    });
    assert_eq!(
        layers.matches(r#"data-testid="layer""#).count(),
        first.layers.len()
    );
    assert!(layers.contains("Image total: "), "{layers}");
    assert!(layers.contains("COPY . . # buildkit"), "{layers}");
    // The layers made here point at their lines; the base's do not.
    for lines in ["2-2", "3-3", "4-4", "5-5"] {
        assert!(
            layers.contains(&format!(r#"data-lines="{lines}""#)),
            "{layers}"
        );
    }
    assert_eq!(layers.matches("data-lines=").count(), 4, "{layers}");

    let waiting = render::<BuildSteps>(BuildStepsProps {
        outcome: None,
        building: true,
    });
    assert!(waiting.contains(r#"aria-busy="true""#), "{waiting}");
    assert!(waiting.contains("Building…"), "{waiting}");
}

#[test]
fn context_panel_shows_a_tree_with_ignored_rows() {
    use crate::build::ContextFile;
    use crate::components::{ContextPanel, context_panel::ContextPanelProps};
    use crate::state::example_context;

    let mut files = example_context();
    files.push(ContextFile {
        path: "__pycache__/app.cpython-312.pyc".into(),
        text: "x".into(),
        mtime: 1,
    });
    let html = render::<ContextPanel>(ContextPanelProps {
        files,
        folders: vec!["docs".into()],
        selected: Some("app.py".into()),
        on_select: Callback::noop(),
        on_edit: Callback::noop(),
        on_add: Callback::noop(),
        on_add_folder: Callback::noop(),
        on_rename: Callback::noop(),
        on_delete: Callback::noop(),
        on_files: Callback::noop(),
    });
    assert!(html.contains(r#"data-testid="context""#), "{html}");
    for path in [
        ".dockerignore",
        "app.py",
        "requirements.txt",
        "docs",
        "__pycache__",
    ] {
        assert!(html.contains(&format!(r#"data-path="{path}""#)), "{html}");
    }
    assert!(html.contains(r#"data-kind="dir""#), "{html}");
    assert!(
        html.contains("Not in the build context: excluded by .dockerignore line 1: __pycache__"),
        "{html}"
    );
    assert!(html.contains(r#"data-ignored="true""#), "{html}");
    assert!(html.contains(r#"aria-label="Rename app.py""#), "{html}");
    assert!(
        html.contains(r#"data-testid="context-pick-folder""#),
        "{html}"
    );
    assert!(html.contains(r#"data-testid="context-text""#), "{html}");
    assert!(html.contains("Contents of app.py"), "{html}");
}
