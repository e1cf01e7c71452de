use super::*;
use crate::build::{BuildOutcome, ContextFile};
use crate::worker::{AnalysisRequest, respond};

/// What the worker would answer for the state's current text.
fn answer(state: &State) -> Action {
    Action::AnalysisReady(respond(AnalysisRequest {
        revision: state.revision,
        source: state.source.clone(),
    }))
}

fn analysed(state: Rc<State>) -> Rc<State> {
    let action = answer(&state);
    state.reduce(action)
}

#[test]
fn example_parses_cleanly() {
    let state = State::default();
    assert_eq!(state.source, EXAMPLE);
    assert!(!state.is_current(), "nothing analysed yet");
    let state = analysed(Rc::new(state));
    assert!(state.is_current());
    assert_eq!(
        state.analysis.diagnostics,
        [],
        "the first thing users see should not be an error"
    );
    let keywords: Vec<_> = state
        .analysis
        .instructions
        .iter()
        .map(|row| row.keyword.as_str())
        .collect();
    assert_eq!(
        keywords,
        [
            "FROM", "RUN", "WORKDIR", "COPY", "FROM", "COPY", "ENV", "EXPOSE", "CMD"
        ]
    );
}

#[test]
fn edit_bumps_the_revision_and_keeps_the_old_rows_until_the_answer() {
    let before = analysed(Rc::new(State::default()));
    let edited = Rc::clone(&before).reduce(Action::Edit("FROM a\nENV PATH\n".to_owned()));
    assert_eq!(edited.source, "FROM a\nENV PATH\n");
    assert_eq!(edited.revision, before.revision + 1);
    assert!(!edited.is_current());
    assert!(
        Rc::ptr_eq(&edited.analysis, &before.analysis),
        "the lists keep showing the last analysis while the next one runs"
    );
    let fresh = analysed(edited);
    assert!(fresh.is_current());
    assert_eq!(fresh.analysis.instructions.len(), 2);
    let codes: Vec<_> = fresh
        .analysis
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.line))
        .collect();
    assert_eq!(codes, [("key-value-syntax", 2)]);
}

#[test]
fn stale_answers_are_dropped() {
    let state = Rc::new(State::default());
    let stale = answer(&state);
    let edited = state.reduce(Action::Edit("FROM a\n".to_owned()));
    let after = Rc::clone(&edited).reduce(stale);
    assert!(
        Rc::ptr_eq(&edited, &after),
        "an answer for older text changes nothing"
    );
    assert!(!after.is_current());
    // The answer for the current text is taken, once.
    let fresh = answer(&after);
    let taken = Rc::clone(&after).reduce(fresh.clone());
    assert_eq!(taken.analysed, Some(after.revision));
    assert_eq!(taken.analysis.instructions.len(), 1);
    assert!(Rc::ptr_eq(&taken, &Rc::clone(&taken).reduce(fresh)));
}

#[test]
fn answers_carry_the_worker_timing() {
    let state = Rc::new(State::default());
    let mut response = respond(AnalysisRequest {
        revision: 0,
        source: EXAMPLE.to_owned(),
    });
    response.took_us = Some(1234);
    let state = state.reduce(Action::AnalysisReady(response));
    assert_eq!(state.took_us, Some(1234));
}

#[test]
fn same_text_keeps_the_same_state() {
    let state = Rc::new(State::default());
    let next = Rc::clone(&state).reduce(Action::Edit(EXAMPLE.to_owned()));
    assert!(Rc::ptr_eq(&state, &next));
}

#[test]
fn reset_restores_the_example() {
    let edited = Rc::new(State::default()).reduce(Action::Edit(String::new()));
    assert_eq!(edited.revision, 1);
    let reset = edited.reduce(Action::Reset);
    assert_eq!(reset.source, EXAMPLE);
    assert_eq!(reset.revision, 2, "the example is analysed again");
    assert_eq!(reset.loaded, 1, "the editor is told to take the text");
    assert_eq!(
        reset.reduce(Action::Edit("x".to_owned())).loaded,
        1,
        "typing is the editor's own text"
    );
}

#[test]
fn rule_pages_open_by_code_or_name_and_close() {
    // `FROM debian` is untagged: DL3006's page comes with the analysis.
    let state = analysed(Rc::new(State::new("FROM debian\nRUN echo hi\n")));
    let unfired = Rc::clone(&state).reduce(Action::ShowRule("DL3008".to_owned()));
    assert!(
        Rc::ptr_eq(&unfired, &state),
        "rules without a finding have no page here"
    );
    let open = Rc::clone(&state).reduce(Action::ShowRule("from-untagged".to_owned()));
    assert_eq!(
        open.rule.as_ref().map(|r| r.code.as_str()),
        Some("DL3006"),
        "names resolve to codes"
    );
    let fixed = analysed(open.reduce(Action::Edit("FROM debian:12\nRUN echo hi\n".to_owned())));
    assert!(fixed.analysis.rule("DL3006").is_none());
    assert_eq!(
        fixed.rule.as_ref().map(|r| r.code.as_str()),
        Some("DL3006"),
        "the page stays open after its finding is fixed"
    );
    let open = fixed;
    let again = Rc::clone(&open).reduce(Action::ShowRule("DL3006".to_owned()));
    assert!(Rc::ptr_eq(&open, &again));
    let unknown = Rc::clone(&open).reduce(Action::ShowRule("json-not-strings".to_owned()));
    assert!(
        Rc::ptr_eq(&open, &unknown),
        "parser codes have no rule page"
    );
    let closed = open.reduce(Action::CloseRule);
    assert_eq!(closed.rule, None);
    assert!(Rc::ptr_eq(
        &closed,
        &Rc::clone(&closed).reduce(Action::CloseRule)
    ));
}

fn context_paths(state: &State) -> Vec<&str> {
    state.context.iter().map(|f| f.path.as_str()).collect()
}

fn text_of<'a>(state: &'a State, path: &str) -> Option<&'a ContextFile> {
    state.context.iter().find(|f| f.path == path)
}

#[test]
fn context_starts_with_the_python_app() {
    let state = State::default();
    assert_eq!(
        context_paths(&state),
        [".dockerignore", "app.py", "requirements.txt"]
    );
    assert_eq!(state.selected.as_deref(), Some("app.py"));
    assert!(!state.is_building());
}

#[test]
fn editing_a_context_file_bumps_its_mtime() {
    let state = Rc::new(State::default());
    let before = text_of(&state, "app.py").expect("app.py").clone();
    let state = state.reduce(Action::EditFile {
        path: "app.py".into(),
        text: "print('hi')\n".into(),
    });
    let after = text_of(&state, "app.py").expect("app.py").clone();
    assert_eq!(after.text, "print('hi')\n");
    assert!(after.mtime > before.mtime);
    // A second edit moves the time on again; the same text changes nothing.
    let again = Rc::clone(&state).reduce(Action::EditFile {
        path: "app.py".into(),
        text: "print('hi')\n".into(),
    });
    assert!(Rc::ptr_eq(&again, &state));
    let edited = state.reduce(Action::EditFile {
        path: "app.py".into(),
        text: "print('bye')\n".into(),
    });
    assert!(text_of(&edited, "app.py").expect("app.py").mtime > after.mtime);
    // Unknown files are not created by an edit.
    let unknown = Rc::clone(&edited).reduce(Action::EditFile {
        path: "nope.py".into(),
        text: "x".into(),
    });
    assert!(Rc::ptr_eq(&unknown, &edited));
}

#[test]
fn files_are_added_sorted_selected_and_deleted() {
    let state = Rc::new(State::default());
    let state = state.reduce(Action::AddFile(" /src/util.py ".into()));
    assert_eq!(
        context_paths(&state),
        [".dockerignore", "app.py", "requirements.txt", "src/util.py"]
    );
    assert_eq!(state.selected.as_deref(), Some("src/util.py"));
    // Empty, taken, a folder's name, outside the context.
    for bad in ["", "app.py", "src", "../x"] {
        let same = Rc::clone(&state).reduce(Action::AddFile(bad.into()));
        assert!(Rc::ptr_eq(&same, &state), "{bad:?} is refused");
    }
    let state = state.reduce(Action::SelectFile("requirements.txt".into()));
    assert_eq!(state.selected.as_deref(), Some("requirements.txt"));
    let state = state.reduce(Action::DeleteFile("requirements.txt".into()));
    assert_eq!(
        context_paths(&state),
        [".dockerignore", "app.py", "src/util.py"]
    );
    assert_eq!(state.selected.as_deref(), Some(".dockerignore"));
    let same = Rc::clone(&state).reduce(Action::SelectFile("requirements.txt".into()));
    assert!(
        Rc::ptr_eq(&same, &state),
        "deleted files cannot be selected"
    );
}

#[test]
fn only_the_latest_build_is_taken() {
    let state = Rc::new(State::default());
    let state = state.reduce(Action::BuildStarted);
    assert!(state.is_building());
    let state = state.reduce(Action::BuildStarted);
    let outcome = |build| BuildOutcome {
        build,
        ..BuildOutcome::default()
    };
    let stale = Rc::clone(&state).reduce(Action::BuildReady(outcome(1)));
    assert!(
        Rc::ptr_eq(&stale, &state),
        "build 1 was overtaken by build 2"
    );
    let state = state.reduce(Action::BuildReady(outcome(2)));
    assert!(!state.is_building());
    assert_eq!(state.build.as_ref().map(|b| b.build), Some(2));
}

#[test]
fn python_example_restores_dockerfile_and_context_with_newer_times() {
    let state = Rc::new(State::default()).reduce(Action::EditFile {
        path: "app.py".into(),
        text: "changed".into(),
    });
    let edited_mtime = text_of(&state, "app.py").expect("app.py").mtime;
    let state = state.reduce(Action::LoadExample("python-app".into()));
    assert_eq!(state.source, python_dockerfile());
    assert_eq!(state.example, Some("python-app"));
    assert_eq!(state.loaded, 1, "the editor takes the text");
    assert_eq!(
        text_of(&state, "app.py").expect("app.py").text,
        text_of(&State::default(), "app.py").expect("app.py").text
    );
    assert!(state.context.iter().all(|f| f.mtime > edited_mtime));
}

#[test]
fn no_cache_toggles() {
    let state = Rc::new(State::default());
    assert!(!state.no_cache);
    let same = Rc::clone(&state).reduce(Action::SetNoCache(false));
    assert!(Rc::ptr_eq(&same, &state));
    let state = state.reduce(Action::SetNoCache(true));
    assert!(state.no_cache);
    let state = state.reduce(Action::SetNoCache(false));
    assert!(!state.no_cache);
}

#[test]
fn show_lines_counts_each_request() {
    let state = Rc::new(State::default()).reduce(Action::ShowLines(5, 5));
    assert_eq!(state.select, Some((1, 5, 5)));
    let state = state.reduce(Action::ShowLines(5, 5));
    assert_eq!(
        state.select,
        Some((2, 5, 5)),
        "the same lines again select again"
    );
}

#[test]
fn loading_an_example_takes_its_dockerfile_context_and_explanation() {
    let state = Rc::new(State::default());
    let same = Rc::clone(&state).reduce(Action::LoadExample("no-such-example".into()));
    assert!(Rc::ptr_eq(&same, &state), "an unknown name changes nothing");
    let state = state.reduce(Action::LoadExample("node-app".into()));
    let node = crate::examples::find("node-app").expect("node-app is embedded");
    assert_eq!(state.source, node.dockerfile);
    assert_eq!(state.example, Some("node-app"));
    assert_eq!(state.loaded, 1);
    let paths: Vec<&str> = state.context.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            ".dockerignore",
            "package-lock.json",
            "package.json",
            "server.js"
        ]
    );
    assert_eq!(state.selected.as_deref(), Some("package-lock.json"));
    let go = state.reduce(Action::LoadExample("go-multistage".into()));
    assert!(go.source.contains("FROM golang"));
    assert!(
        go.context.iter().all(|f| f.path != "server.js"),
        "the context is replaced"
    );
    assert_eq!(go.revision, 2, "each load is an edit");
}

fn outcome(build: u64) -> BuildOutcome {
    BuildOutcome {
        build,
        ..BuildOutcome::default()
    }
}

#[test]
fn tabs_follow_builds_rule_pages_and_the_arrow_keys() {
    let state = analysed(Rc::new(State::new("FROM debian\n")));
    assert_eq!(state.tab, Tab::Lint);
    let same = Rc::clone(&state).reduce(Action::SelectTab(Tab::Lint));
    assert!(
        Rc::ptr_eq(&same, &state),
        "the shown tab again changes nothing"
    );
    let state = state.reduce(Action::SelectTab(Tab::Stages));
    assert_eq!(state.tab, Tab::Stages);
    let state = state.reduce(Action::BuildStarted);
    assert_eq!(state.tab, Tab::Build, "a build shows its log");
    let state = state.reduce(Action::ShowRule("DL3006".into()));
    assert_eq!(state.tab, Tab::Lint, "a rule page shows in the lint tab");
    let state = state.reduce(Action::ImportStarted);
    assert_eq!(state.tab, Tab::Layers, "an import shows the layers");
    assert_eq!(
        Tab::Lint.moved(-1),
        Tab::Terminal,
        "left from the first wraps"
    );
    assert_eq!(
        Tab::Terminal.moved(1),
        Tab::Lint,
        "right from the last wraps"
    );
    assert_eq!(Tab::Build.moved(1), Tab::Layers);
}

#[test]
fn the_live_log_grows_for_the_running_build_only() {
    let state = Rc::new(State::default()).reduce(Action::BuildStarted);
    let state = state.reduce(Action::BuildLog {
        build: 1,
        lines: vec!["#1 [1/2] FROM alpine".into()],
    });
    let state = state.reduce(Action::BuildLog {
        build: 1,
        lines: vec!["#1 DONE 0.0s".into()],
    });
    assert_eq!(state.log, ["#1 [1/2] FROM alpine", "#1 DONE 0.0s"]);
    assert_eq!(state.log_chunks, 2, "two pieces arrived");
    let stale = Rc::clone(&state).reduce(Action::BuildLog {
        build: 0,
        lines: vec!["old".into()],
    });
    assert!(
        Rc::ptr_eq(&stale, &state),
        "an older build's lines are dropped"
    );
    let done = state.reduce(Action::BuildReady(outcome(1)));
    assert!(done.log.is_empty(), "the outcome carries the whole log");
    assert_eq!(done.log_chunks, 2, "the count outlives the build");
    let late = Rc::clone(&done).reduce(Action::BuildLog {
        build: 1,
        lines: vec!["late".into()],
    });
    assert!(
        Rc::ptr_eq(&late, &done),
        "lines after the outcome are dropped"
    );
    let next = done.reduce(Action::BuildStarted);
    assert!(next.log.is_empty(), "a new build starts a new log");
}

#[test]
fn the_previous_build_is_kept_for_the_cache_comparison() {
    let state = Rc::new(State::default())
        .reduce(Action::BuildStarted)
        .reduce(Action::BuildReady(outcome(1)));
    assert!(
        state.previous.is_none(),
        "nothing to compare the first build with"
    );
    let state = state
        .reduce(Action::BuildStarted)
        .reduce(Action::BuildReady(outcome(2)));
    assert_eq!(state.previous.as_ref().map(|p| p.build), Some(1));
    assert_eq!(state.build.as_ref().map(|b| b.build), Some(2));
    // An import shows in the explorer but is not a build to compare with.
    let imported = BuildOutcome {
        imported: Some("image.tar".into()),
        ..outcome(3)
    };
    let state = state
        .reduce(Action::ImportStarted)
        .reduce(Action::BuildReady(imported));
    assert_eq!(state.previous.as_ref().map(|p| p.build), Some(1));
    let state = state
        .reduce(Action::BuildStarted)
        .reduce(Action::BuildReady(outcome(4)));
    assert_eq!(
        state.previous.as_ref().map(|p| p.build),
        Some(1),
        "the build before an import is still the one to compare with"
    );
}

#[test]
fn build_args_and_target_go_into_the_state() {
    let state = Rc::new(State::default())
        .reduce(Action::SetBuildArgs(
            "GREETING=bonjour\n# note\nEMPTY\n =x\nA=1=2\n".into(),
        ))
        .reduce(Action::SetTarget(Some("test".into())));
    assert_eq!(state.target.as_deref(), Some("test"));
    let args = parse_build_args(&state.build_args);
    assert_eq!(
        args.into_iter().collect::<Vec<_>>(),
        [
            ("A".to_owned(), "1=2".to_owned()),
            ("EMPTY".to_owned(), String::new()),
            ("GREETING".to_owned(), "bonjour".to_owned()),
        ]
    );
    let same = Rc::clone(&state).reduce(Action::SetTarget(Some("test".into())));
    assert!(Rc::ptr_eq(&same, &state));
    assert_eq!(state.reduce(Action::SetTarget(None)).target, None);
}

#[test]
fn union_listings_are_taken_for_the_open_directory_only() {
    use crate::explore::{Change, FileRow};
    let entry = |path: &str| FileRow {
        path: path.into(),
        change: Change::Present,
        size: 1,
        dir: false,
    };
    let state = Rc::new(State::default()).reduce(Action::OpenUnion(Some((2, "/".into()))));
    assert_eq!(
        state.union.as_ref().map(|u| u.entries.is_none()),
        Some(true)
    );
    let other = Rc::clone(&state).reduce(Action::UnionReady {
        layer: 1,
        dir: "/".into(),
        entries: vec![entry("/x")],
        more: 0,
    });
    assert!(
        Rc::ptr_eq(&other, &state),
        "another layer's listing is dropped"
    );
    let state = state.reduce(Action::UnionReady {
        layer: 2,
        dir: "/".into(),
        entries: vec![entry("/etc")],
        more: 3,
    });
    let view = state.union.clone().expect("open");
    assert_eq!((view.more, view.entries.map(|e| e.len())), (3, Some(1)));
    let state = state
        .reduce(Action::BuildStarted)
        .reduce(Action::BuildReady(outcome(1)));
    assert!(state.union.is_none(), "a new image closes the view");
    assert!(
        Rc::new(State::default())
            .reduce(Action::OpenUnion(None))
            .union
            .is_none()
    );
}

#[test]
fn the_theme_toggle_cycles_system_dark_light() {
    let state = Rc::new(State::default());
    assert_eq!(state.theme.attribute(), None);
    let dark = state.reduce(Action::NextTheme);
    assert_eq!(dark.theme.attribute(), Some("dark"));
    let light = dark.reduce(Action::NextTheme);
    assert_eq!(light.theme.attribute(), Some("light"));
    assert_eq!(light.reduce(Action::NextTheme).theme, Theme::System);
}

#[test]
fn terminal_lines_wait_for_their_answer_and_clear_empties_the_screen() {
    let state = Rc::new(State::default());
    let same = Rc::clone(&state).reduce(Action::TerminalSubmit("   ".into()));
    assert!(Rc::ptr_eq(&same, &state), "a blank line does nothing");
    let state = state
        .reduce(Action::TerminalSubmit(" docker images ".into()))
        .reduce(Action::TerminalSubmit("docker ps".into()));
    assert_eq!(state.terminal_sent, 2);
    let ids: Vec<u64> = state.terminal.iter().map(|e| e.id).collect();
    assert_eq!(ids, [0, 1]);
    assert_eq!(state.terminal[0].command, "docker images");
    assert!(state.terminal.iter().all(|e| e.status.is_none()));
    // Answers may come in any order; each goes to its own line, once.
    let reply = |text: &str, status| crate::build::TerminalReply {
        output: vec![text.to_owned()],
        status,
        download: None,
    };
    let state = state.reduce(Action::TerminalReady {
        id: 1,
        reply: reply("CONTAINER ID", 0),
    });
    let state = state.reduce(Action::TerminalReady {
        id: 0,
        reply: reply("REPOSITORY", 0),
    });
    assert_eq!(state.terminal[0].output, ["REPOSITORY"]);
    assert_eq!(state.terminal[1].status, Some(0));
    let again = Rc::clone(&state).reduce(Action::TerminalReady {
        id: 0,
        reply: reply("late", 1),
    });
    assert!(
        Rc::ptr_eq(&again, &state),
        "an answered line keeps its answer"
    );
    let state = state.reduce(Action::TerminalSubmit("docker ps".into()));
    assert_eq!(
        *state.terminal_history,
        ["docker images", "docker ps"],
        "a repeat is not stored twice"
    );
    let cleared = state.reduce(Action::TerminalSubmit("clear".into()));
    assert!(cleared.terminal.is_empty());
    assert_eq!(
        cleared.terminal_sent, 3,
        "clear is not sent, IDs keep growing"
    );
    assert_eq!(
        cleared.terminal_history.last().map(String::as_str),
        Some("clear")
    );
}

#[test]
fn export_marks_itself_busy_until_done() {
    let state = Rc::new(State::default()).reduce(Action::ExportStarted);
    assert!(state.exporting);
    let state = state.reduce(Action::ExportDone(Some("no such image".into())));
    assert!(!state.exporting);
    assert_eq!(state.export_error.as_deref(), Some("no such image"));
    let state = state.reduce(Action::ExportStarted);
    assert_eq!(state.export_error, None);
}

#[test]
fn a_share_link_restores_dockerfile_and_context() {
    let state = Rc::new(State::default());
    assert!(!state.restored);
    let shared = Shared {
        dockerfile: "FROM alpine:3.20\nCOPY . /src\n".into(),
        files: vec![
            (".dockerignore".into(), "*.log\n".into()),
            ("src/main.c".into(), "int main(void) { return 0; }\n".into()),
        ],
    };
    let restored = Rc::clone(&state).reduce(Action::Restore(Ok(shared.clone())));
    assert!(restored.restored);
    assert_eq!(restored.source, shared.dockerfile);
    assert_eq!(
        restored.loaded,
        state.loaded + 1,
        "the editor takes the text"
    );
    let files: Vec<(String, String)> = restored
        .context
        .iter()
        .map(|f| (f.path.clone(), f.text.clone()))
        .collect();
    assert_eq!(files, shared.files);
    assert_eq!(restored.selected.as_deref(), Some("src/main.c"));
    let none = Rc::clone(&state).reduce(Action::NothingToRestore);
    assert!(none.restored && none.source == state.source);
    let bad = state.reduce(Action::Restore(Err("the link is not base64url".into())));
    assert!(bad.restored);
    assert_eq!(
        bad.share_error.as_deref(),
        Some("the link is not base64url")
    );
}

#[test]
fn the_share_box_opens_for_the_button_and_stays_open() {
    let state = Rc::new(State::default()).reduce(Action::ShareLinkReady {
        link: "http://x/#s=a".into(),
        copied: false,
    });
    assert_eq!(state.share_link, Some(("http://x/#s=a".into(), false)));
    let state = state.reduce(Action::ShareLinkReady {
        link: "http://x/#s=b".into(),
        copied: true,
    });
    let state = state.reduce(Action::ShareLinkReady {
        link: "http://x/#s=c".into(),
        copied: false,
    });
    assert_eq!(state.share_link, Some(("http://x/#s=c".into(), true)));
}

fn paths(state: &State) -> Vec<&str> {
    state.context.iter().map(|f| f.path.as_str()).collect()
}

#[test]
fn folders_are_added_renamed_and_deleted_with_their_files() {
    let state = Rc::new(State::default())
        .reduce(Action::AddFolder("src/".into()))
        .reduce(Action::AddFile("lib/".into()));
    assert_eq!(state.folders, ["lib", "src"], "a trailing / adds a folder");
    let same = Rc::clone(&state).reduce(Action::AddFolder("src".into()));
    assert!(Rc::ptr_eq(&same, &state), "taken");
    let state = state.reduce(Action::AddFile("/src//main.py".into()));
    assert_eq!(
        state.folders,
        ["lib"],
        "the folder now follows from its file"
    );
    assert_eq!(state.selected.as_deref(), Some("src/main.py"));
    let refused = Rc::clone(&state).reduce(Action::AddFile("app.py/x".into()));
    assert!(Rc::ptr_eq(&refused, &state), "app.py is a file");
    let refused = Rc::clone(&state).reduce(Action::AddFile("../escape".into()));
    assert!(Rc::ptr_eq(&refused, &state));

    let before = state.context.iter().map(|f| f.mtime).max().expect("files");
    let state = state.reduce(Action::RenamePath {
        from: "src".into(),
        to: "app/code".into(),
    });
    assert!(
        paths(&state).contains(&"app/code/main.py"),
        "{:?}",
        paths(&state)
    );
    assert_eq!(state.selected.as_deref(), Some("app/code/main.py"));
    let moved = state
        .context
        .iter()
        .find(|f| f.path == "app/code/main.py")
        .expect("moved");
    assert!(
        moved.mtime > before,
        "a moved file is new to the engine's memo"
    );
    for (from, to) in [
        ("app", "app/code/x"),
        ("app.py", "requirements.txt"),
        ("nope", "x"),
        ("app.py", "app"),
    ] {
        let same = Rc::clone(&state).reduce(Action::RenamePath {
            from: from.into(),
            to: to.into(),
        });
        assert!(Rc::ptr_eq(&same, &state), "{from} → {to} is refused");
    }
    let state = state.reduce(Action::RenamePath {
        from: "app.py".into(),
        to: "main.py".into(),
    });
    assert!(paths(&state).contains(&"main.py") && !paths(&state).contains(&"app.py"));
    let state = state.reduce(Action::RenamePath {
        from: "lib".into(),
        to: "vendor".into(),
    });
    assert_eq!(state.folders, ["vendor"]);

    let state = state.reduce(Action::DeleteFile("app".into()));
    assert!(
        paths(&state).iter().all(|p| !p.starts_with("app/")),
        "{:?}",
        paths(&state)
    );
    assert_eq!(
        state.selected.as_deref(),
        Some(".dockerignore"),
        "the open file went with it"
    );
    let state = state.reduce(Action::DeleteFile("vendor".into()));
    assert!(state.folders.is_empty());
}

#[test]
fn files_from_disk_are_added_or_overwrite() {
    let state = Rc::new(State::default());
    let old = state.context.iter().map(|f| f.mtime).max().expect("files");
    let state = state.reduce(Action::AddFiles(vec![
        ("web/index.html".into(), "<h1>hi</h1>".into()),
        ("app.py".into(), "print(1)\n".into()),
        ("../outside".into(), "no".into()),
    ]));
    assert_eq!(
        paths(&state),
        [
            ".dockerignore",
            "app.py",
            "requirements.txt",
            "web/index.html"
        ]
    );
    let app = state
        .context
        .iter()
        .find(|f| f.path == "app.py")
        .expect("app.py");
    assert_eq!(app.text, "print(1)\n");
    assert!(app.mtime > old);
    assert_eq!(state.selected.as_deref(), Some("web/index.html"));
    let same = Rc::clone(&state).reduce(Action::AddFiles(vec![("..".into(), String::new())]));
    assert!(Rc::ptr_eq(&same, &state));
}

#[test]
fn a_dropped_project_dockerfile_opens_in_the_editor() {
    let state = Rc::new(State::default());
    let state = state.reduce(Action::AddFiles(vec![
        ("Dockerfile".into(), "FROM busybox\nCOPY . /x\n".into()),
        ("x.txt".into(), "x".into()),
    ]));
    assert_eq!(state.source, "FROM busybox\nCOPY . /x\n");
    assert_eq!(state.loaded, 1, "the editor takes the text");
    assert!(
        state.context.iter().any(|f| f.path == "Dockerfile"),
        "and the context keeps it"
    );
    let nested = state.reduce(Action::AddFiles(vec![(
        "docs/Dockerfile".into(),
        "FROM scratch\n".into(),
    )]));
    assert_eq!(
        nested.source, "FROM busybox\nCOPY . /x\n",
        "only the context root's Dockerfile"
    );
}
