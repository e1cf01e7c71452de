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

#[test]
fn the_page_has_a_tablist_with_one_panel_shown() {
    let html = render::<App>(());
    assert_eq!(html.matches(r#"role="tab""#).count(), 6, "{html}");
    assert_eq!(html.matches(r#"role="tabpanel""#).count(), 6, "{html}");
    assert_eq!(html.matches(r#"aria-selected="true""#).count(), 1);
    // Only the Lint panel shows at first; the five others are hidden.
    assert_eq!(
        html.matches(r#"hidden="hidden" class="tab-panel""#).count(),
        5,
        "{html}"
    );
    let selected = html
        .split("<button")
        .find(|b| b.contains(r#"aria-selected="true""#))
        .expect("a selected tab");
    assert!(selected.contains(r#"data-testid="tab-lint""#), "{selected}");
    for hook in [
        r#"data-testid="build-log""#,
        r#"data-testid="build-args""#,
        r#"data-testid="target""#,
        r#"data-testid="import""#,
        r#"data-testid="theme""#,
    ] {
        assert!(html.contains(hook), "missing {hook}");
    }
}

#[test]
fn arrow_keys_wrap_along_the_tabs() {
    use crate::components::results_tabs::key_target;
    use crate::state::Tab;
    assert_eq!(key_target(Tab::Lint, "ArrowRight"), Some(Tab::Build));
    assert_eq!(key_target(Tab::Lint, "ArrowLeft"), Some(Tab::Terminal));
    assert_eq!(key_target(Tab::Cache, "Home"), Some(Tab::Lint));
    assert_eq!(key_target(Tab::Cache, "End"), Some(Tab::Terminal));
    assert_eq!(key_target(Tab::Cache, "Enter"), None);
}

#[test]
fn log_lines_are_classed_by_kind() {
    use crate::components::build_log::line_class;
    assert_eq!(line_class("#3 [2/6] RUN make"), "head");
    assert_eq!(line_class("#3 CACHED"), "cached");
    assert_eq!(line_class("#3 DONE 1.2s"), "done");
    assert_eq!(line_class("#3 ERROR: the step failed"), "error");
    assert_eq!(line_class("#3 note: make is not simulated"), "note");
    assert_eq!(line_class("#3 Collecting flask"), "out");
}

#[test]
fn stage_graph_dims_the_stages_the_target_skips() {
    use crate::components::StageGraph;
    use crate::components::stage_graph::{StageGraphProps, target_index};
    use yew::AttrValue;
    let source = "FROM alpine:3.20 AS base\nFROM base AS test\nFROM alpine:3.20 AS unused\nFROM scratch\nCOPY --from=base /a /a\n";
    let analysis = Rc::new(
        respond(AnalysisRequest {
            revision: 0,
            source: source.to_owned(),
        })
        .analysis,
    );
    assert_eq!(target_index(&analysis.stages, None), 3);
    assert_eq!(target_index(&analysis.stages, Some("TEST")), 1);
    assert_eq!(target_index(&analysis.stages, Some("2")), 2);
    assert_eq!(target_index(&analysis.stages, Some("nope")), 3);
    let html = render::<StageGraph>(StageGraphProps {
        analysis: Rc::clone(&analysis),
        target: None,
    });
    assert!(
        html.contains(r#"data-name="test" data-skipped="true""#),
        "{html}"
    );
    assert!(
        html.contains(r#"data-name="unused" data-skipped="true""#),
        "{html}"
    );
    assert!(
        html.contains(r#"data-name="base" data-skipped="false""#),
        "{html}"
    );
    assert!(html.contains("test — skipped"), "{html}");
    assert!(html.contains("stage-3 (target)"), "{html}");
    assert_eq!(
        html.matches(r#"data-testid="stage-edge""#).count(),
        2,
        "{html}"
    );
    let test = render::<StageGraph>(StageGraphProps {
        analysis,
        target: Some(AttrValue::Static("test")),
    });
    assert!(
        test.contains(r#"data-name="stage-3" data-skipped="true""#),
        "{test}"
    );
    assert!(
        test.contains(r#"data-name="base" data-skipped="false""#),
        "{test}"
    );
}

#[test]
fn the_cache_view_marks_the_first_miss_beside_the_previous_build() {
    use crate::build::{BuildAsk, Builder, ContextFile};
    use crate::components::CacheView;
    use crate::components::cache_view::CacheViewProps;
    let ask = |build, text: &str| BuildAsk {
        build,
        dockerfile: "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN echo hi\n".to_owned(),
        context: vec![ContextFile {
            path: "app.py".to_owned(),
            text: text.to_owned(),
            mtime: i64::from(u8::try_from(build).unwrap_or(0)),
        }],
        ..BuildAsk::default()
    };
    let mut builder = Builder::default();
    let first = Rc::new(builder.build(&ask(1, "print(1)\n")));
    let second = Rc::new(builder.build(&ask(2, "print(2)\n")));
    let html = render::<CacheView>(CacheViewProps {
        outcome: Some(Rc::clone(&second)),
        previous: Some(first),
    });
    assert_eq!(
        html.matches(r#"data-testid="cache-row""#).count(),
        4,
        "{html}"
    );
    assert_eq!(
        html.matches(r#"data-first-miss="true""#).count(),
        1,
        "{html}"
    );
    assert!(
        html.contains("Invalidation started at step 3: [3/4] COPY . ."),
        "{html}"
    );
    assert!(html.contains("Previous build"), "{html}");
    let none = render::<CacheView>(CacheViewProps {
        outcome: None,
        previous: None,
    });
    assert!(none.contains("build again"), "{none}");
}

#[test]
fn the_union_browser_goes_up_to_the_parent() {
    use crate::components::union_browser::parent;
    assert_eq!(parent("/var/lib"), "/var");
    assert_eq!(parent("/var"), "/");
    assert_eq!(parent("/"), "/");
}
