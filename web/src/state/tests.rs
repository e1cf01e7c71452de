use super::*;

#[test]
fn example_parses_cleanly() {
    let state = State::default();
    assert_eq!(state.source, EXAMPLE);
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
fn edit_reanalyzes() {
    let state = Rc::new(State::default()).reduce(Action::Edit("FROM a\nENV PATH\n".to_owned()));
    assert_eq!(state.source, "FROM a\nENV PATH\n");
    assert_eq!(state.analysis.instructions.len(), 2);
    let codes: Vec<_> = state
        .analysis
        .diagnostics
        .iter()
        .map(|d| (d.code, d.line))
        .collect();
    assert_eq!(codes, [("key-value-syntax", 2)]);
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
    assert_eq!(edited.analysis.instructions, []);
    let reset = edited.reduce(Action::Reset);
    assert_eq!(*reset, State::default());
}
