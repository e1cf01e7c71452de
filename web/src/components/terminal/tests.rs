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

#[test]
fn tab_completes_the_command() {
    assert_eq!(
        complete("docker ima").as_deref(),
        Some("docker image"),
        "image and images"
    );
    assert_eq!(complete("docker images").as_deref(), Some("docker images "));
    assert_eq!(complete("docker bu").as_deref(), Some("docker build "));
    assert_eq!(complete("pu"), None, "nothing to add: pull or push");
    assert_eq!(complete("docker p"), None, "ps, pull, push");
    assert_eq!(complete("docker pus").as_deref(), Some("docker push "));
    assert_eq!(
        complete("docker run app"),
        None,
        "arguments are not completed"
    );
    assert_eq!(complete("docker zz"), None);
    assert_eq!(complete("cl").as_deref(), Some("clear "));
}
