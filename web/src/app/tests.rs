//! The page rendered natively through Yew's SSR: checks the hooks the browser tests rely on.

use super::App;

fn render() -> String {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime");
    runtime.block_on(yew::ServerRenderer::<App>::new().hydratable(false).render())
}

#[test]
fn page_has_the_test_hooks() {
    let html = render();
    for hook in [
        r#"data-testid="editor""#,
        r#"data-testid="instructions""#,
        r#"data-testid="diagnostics""#,
        r#"data-testid="findings""#,
        r#"data-testid="editor-marks""#,
    ] {
        assert!(html.contains(hook), "missing {hook} in {html}");
    }
    // The example has nine instructions and no diagnostics.
    assert_eq!(html.matches(r#"data-testid="instruction""#).count(), 9);
    assert_eq!(html.matches(r#"data-testid="diagnostic""#).count(), 0);
    // The example pins nothing: the apk packages get a finding each, with docs one click away.
    assert_eq!(
        html.matches(r#"data-testid="finding""#).count(),
        2,
        "{html}"
    );
    assert_eq!(
        html.matches(r#"data-code="DL3018""#).count(),
        4,
        "two rows and two marks"
    );
    assert!(html.contains("<details class=\"rule\">"), "{html}");
    assert!(
        html.contains(r#"<label for="editor">"#),
        "the editor needs a label"
    );
    assert!(
        html.contains(r#"data-keyword="RUN" data-lines="3-5""#),
        "{html}"
    );
}
