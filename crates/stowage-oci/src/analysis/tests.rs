use stowage_vfs::{Content, File, Metadata};

use super::*;

fn file(size: u64, seed: u64) -> LayerEntry {
    LayerEntry::File(File {
        meta: Metadata::file(),
        content: Content::synthetic(size, seed),
    })
}

/// The classic lesson: a later `rm` does not shrink the image.
fn layers() -> Vec<Layer> {
    let mut base = Layer::new();
    base.insert("/bin", LayerEntry::Dir(Metadata::dir()));
    base.insert("/bin/sh", file(1_000, 1));
    base.insert("/etc", LayerEntry::Dir(Metadata::dir()));
    base.insert("/etc/os-release", file(100, 2));

    let mut install = Layer::new();
    install.insert("/var", LayerEntry::Dir(Metadata::dir()));
    install.insert("/var/lib", LayerEntry::Dir(Metadata::dir()));
    install.insert("/var/lib/apt", LayerEntry::Dir(Metadata::dir()));
    install.insert("/var/lib/apt/lists", LayerEntry::Dir(Metadata::dir()));
    install.insert("/var/lib/apt/lists/a", file(4_000, 3));
    install.insert("/var/lib/apt/lists/b", file(6_000, 4));
    install.insert("/etc", LayerEntry::Dir(Metadata::dir()));
    install.insert("/etc/os-release", file(120, 5));

    let mut cleanup = Layer::new();
    cleanup.insert("/var", LayerEntry::Dir(Metadata::dir()));
    cleanup.insert("/var/lib", LayerEntry::Dir(Metadata::dir()));
    cleanup.insert("/var/lib/apt", LayerEntry::Dir(Metadata::dir()));
    cleanup.insert("/var/lib/apt/lists", LayerEntry::Whiteout);
    cleanup.insert("/bin", LayerEntry::Dir(Metadata::dir()));
    cleanup.insert("/bin/sh", LayerEntry::Whiteout);
    vec![base, install, cleanup]
}

#[test]
fn follows_dives_formulas() {
    let layers = layers();
    let a = analyze(&layers).unwrap();
    assert_eq!(
        a.layers.iter().map(|l| l.size).collect::<Vec<_>>(),
        [1_100, 10_120, 0]
    );
    assert_eq!(a.size, 11_220);
    assert_eq!(a.user_size, 10_120);
    // Leaves: /bin/sh (1000, then a file whiteout: 0), /etc/os-release (100, 120),
    // /var/lib/apt/lists/{a,b} once each, /var/lib/apt/lists (whiteout of a dir: 10000).
    assert_eq!(
        a.inefficient_files,
        [
            InefficientFile {
                path: "/bin/sh".into(),
                count: 2,
                cumulative_size: 1_000
            },
            InefficientFile {
                path: "/etc/os-release".into(),
                count: 2,
                cumulative_size: 220
            },
        ]
    );
    assert_eq!(a.wasted_bytes, 1_220);
    let min = 100 + 4_000 + 6_000 + 10_000;
    let cumulative = 1_000 + 220 + 4_000 + 6_000 + 10_000;
    assert!((a.efficiency - f64::from(min) / f64::from(cumulative)).abs() < 1e-12);
    assert!((a.user_wasted_percent - 1_220.0 / 10_120.0).abs() < 1e-12);

    let changes: Vec<String> = a.layers[2]
        .changes
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                stowage_vfs::Change {
                    path: c.path.clone(),
                    kind: c.kind.clone()
                },
                c.size
            )
        })
        .collect();
    assert_eq!(changes, ["D /bin/sh 1000", "D /var/lib/apt/lists 10000"]);
    assert_eq!(a.layers[1].counts(), (6, 1, 0));
}

#[test]
fn ci_rules_evaluate_and_render_like_dive() {
    let layers = layers();
    let a = analyze(&layers).unwrap();
    let report = CiRules::default().evaluate(&a);
    assert!(!report.passed());
    assert_eq!(
        report.to_string(),
        "Analysis:\n  efficiency:        94.72 %\n  wastedBytes:       1220 bytes (1.2 kB)\n  \
         userWastedPercent: 12.06 %\n\nInefficient Files:\n  Count  Wasted Space  File Path\n  \
         2      1.0 kB        /bin/sh\n  2      220 B         /etc/os-release\n\nEvaluation:\n  \
         FAIL  highestUserWastedPercent (too many bytes wasted, relative to the user bytes added \
         (%-user-wasted-bytes=0.12 > threshold=0.1))\n  SKIP  highestWastedBytes (disabled)\n  \
         PASS  lowestEfficiency (0.9)\n\nFAIL [pass:1 fail:1 skip:1]"
    );
    let rules = CiRules::from_dive_ci(
        "rules:\n  lowestEfficiency: 0.95 # stricter\n  highestWastedBytes: 1KB\n  highestUserWastedPercent: disabled\n",
    )
    .unwrap();
    assert_eq!(
        rules,
        CiRules {
            lowest_efficiency: Some(0.95),
            highest_wasted_bytes: Some(1_000),
            highest_user_wasted_percent: None,
        }
    );
    let statuses: Vec<RuleStatus> = rules
        .evaluate(&a)
        .results
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(
        statuses,
        [RuleStatus::Skip, RuleStatus::Fail, RuleStatus::Fail]
    );
    assert!(matches!(
        CiRules::parse("1.5", "", ""),
        Err(CiRuleError::OutOfRange { .. })
    ));
    assert!(matches!(
        CiRules::parse("x", "", ""),
        Err(CiRuleError::Invalid { .. })
    ));
}

#[test]
fn empty_image_is_fully_efficient() {
    let a = analyze(&[Layer::new()]).unwrap();
    assert!((a.efficiency - 1.0).abs() < f64::EPSILON);
    assert!(a.user_wasted_percent.abs() < f64::EPSILON);
    assert!(CiRules::default().evaluate(&a).passed());
}

#[test]
fn humanized_bytes() {
    for (s, n) in [
        ("20MB", 20_000_000),
        ("20 MiB", 20 << 20),
        ("1.5kb", 1_500),
        ("512", 512),
    ] {
        assert_eq!(parse_bytes(s), Some(n), "{s}");
    }
    assert_eq!(parse_bytes("lots"), None);
    for (n, s) in [
        (5, "5 B"),
        (1_220, "1.2 kB"),
        (82_854_982, "83 MB"),
        (999, "999 B"),
    ] {
        assert_eq!(format_bytes(n), s, "{n}");
    }
}
