use stowage_syntax::Severity;

use super::*;

fn request(source: &str) -> AnalysisRequest {
    AnalysisRequest {
        revision: 7,
        source: source.to_owned(),
    }
}

#[test]
fn answers_carry_the_revision_and_the_analysis() {
    let source = "FROM ubuntu\nCMD [\"a\", 1]\n";
    let response = respond(request(source));
    assert_eq!(response.revision, 7);
    assert_eq!(response.analysis, analyze(source));
    assert_eq!(response.took_us, None, "no clock natively");
}

/// Through the codec the worker and the page use (yew-agent's bincode, standard config).
fn round_trip<T: Serialize + for<'de> Deserialize<'de>>(value: &T) -> T {
    let config = bincode::config::standard();
    let bytes = bincode::serde::encode_to_vec(value, config).expect("encodes");
    let (back, read) = bincode::serde::decode_from_slice(&bytes, config).expect("decodes");
    assert_eq!(read, bytes.len());
    back
}

#[test]
fn messages_survive_the_wire() {
    let req = request("FROM ubuntu\n");
    assert_eq!(round_trip(&req), req);
    // Every severity, fixes (safe and unsafe), help, notes, non-ASCII text.
    let source = "# é\nFROM debian:12 as base\nMAINTAINER me\nRUN apt-get install -y curl=1\nENV A 1\nLABEL Maintainer=someone\nCMD [\"a\", 1]\nCOPY --frm=x a b\n";
    let mut response = respond(request(source));
    response.took_us = Some(42);
    let analysis = &response.analysis;
    let all = || analysis.diagnostics.iter().chain(&analysis.findings);
    for severity in [
        Severity::Error,
        Severity::Warning,
        Severity::Info,
        Severity::Style,
    ] {
        assert!(
            all().any(|p| p.severity == severity),
            "no {severity:?} in {analysis:#?}"
        );
    }
    assert!(all().any(|p| p.fix.as_ref().is_some_and(|f| f.safe)));
    assert!(all().any(|p| p.fix.as_ref().is_some_and(|f| !f.safe)));
    assert!(all().any(|p| p.help.is_some()));
    assert_eq!(round_trip(&response), response);
}
