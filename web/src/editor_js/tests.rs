use super::problems;
use crate::analysis::analyze;

#[test]
fn problems_for_the_facade() {
    let source = "FROM alpine:3.20 as build\nCMD [\"a\", 1]\n";
    let analysis = analyze(source);
    let problems = problems(&analysis);
    assert_eq!(
        problems.len(),
        analysis.diagnostics.len() + analysis.findings.len()
    );
    // Parser diagnostics come first and have no rule page.
    let json = &problems[0];
    assert_eq!(
        (json.code, json.severity, json.rule),
        ("json-not-strings", "error", None)
    );
    assert_eq!(&source[json.from as usize..json.to as usize], "[\"a\", 1]");
    // Findings name their rule and carry their fix.
    let casing = problems
        .iter()
        .find(|p| p.code == "SW702")
        .expect("SW702 for the lower-case `as`");
    assert_eq!(casing.rule, Some("from-as-casing"));
    assert_eq!(&source[casing.from as usize..casing.to as usize], "as");
    assert_eq!(casing.fixes.len(), 1);
    assert!(casing.fixes[0].safe);
}

#[test]
fn facade_field_names() {
    // editor.js reads these names; a rename here must be a rename there.
    let analysis = analyze("FROM alpine:3.20 as build\n");
    let problems = problems(&analysis);
    let casing = problems.iter().find(|p| p.code == "SW702").expect("SW702");
    let json = serde_json::to_value(casing).expect("serialises");
    let mut keys: Vec<&str> = json
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "code", "fixes", "from", "help", "message", "notes", "rule", "severity", "to"
        ]
    );
    let fix = &json["fixes"][0];
    assert_eq!(fix["safe"], true);
    assert_eq!(fix["edits"][0]["insert"], "AS");
    assert!(fix["edits"][0]["from"].is_u64() && fix["edits"][0]["to"].is_u64());
}
