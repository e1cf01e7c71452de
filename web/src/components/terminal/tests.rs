use super::*;

#[test]
fn arrows_walk_the_history() {
    let history: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
    assert_eq!(recall(&history, None, true), Some((Some(2), "c".into())));
    assert_eq!(recall(&history, Some(2), true), Some((Some(1), "b".into())));
    assert_eq!(recall(&history, Some(0), true), None, "the oldest stays");
    assert_eq!(
        recall(&history, Some(1), false),
        Some((Some(2), "c".into()))
    );
    assert_eq!(
        recall(&history, Some(2), false),
        Some((None, String::new())),
        "past the newest: a fresh line"
    );
    assert_eq!(recall(&history, None, false), None);
    assert_eq!(recall(&[], None, true), None);
}
