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
    let state = Rc::new(State::default());
    let open = Rc::clone(&state).reduce(Action::ShowRule("from-untagged".to_owned()));
    assert_eq!(
        open.rule.as_deref(),
        Some("DL3006"),
        "names resolve to codes"
    );
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
    for bad in ["", "app.py", "dir/"] {
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
    let state = state.reduce(Action::LoadPython);
    assert_eq!(state.source, PYTHON_EXAMPLE);
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
