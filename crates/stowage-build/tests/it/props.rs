//! Cache keys are stable, and change exactly when an input the step depends on changes.

use proptest::prelude::*;
use stowage_build::{BuildRequest, StepStatus};
use stowage_vfs::{Fs, Metadata};

use crate::util::Sim;

const DOCKERFILE: &str = "FROM scratch\nARG V=0\nCOPY a.txt /a.txt\nCOPY b.txt /b.txt\n";

fn context(a: &str, b: &str, mtime: i64) -> Fs {
    let mut fs = Fs::new();
    fs.write_file("/a.txt", a, Metadata::file().with_mtime(mtime))
        .expect("a file at the root");
    fs.write_file("/b.txt", b, Metadata::file().with_mtime(mtime))
        .expect("a file at the root");
    fs
}

fn keys(sim: &mut Sim, ctx: &Fs, v: &str) -> Vec<(Option<String>, StepStatus)> {
    let mut req = BuildRequest::new(DOCKERFILE, ctx);
    req.build_args.insert("V".into(), v.into());
    req.source_date_epoch = Some(0);
    sim.build(&req)
        .steps
        .iter()
        .map(|s| (s.cache_key.clone(), s.status))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn keys_change_exactly_with_their_inputs(
        a in "[a-z]{0,8}", b in "[a-z]{0,8}", a2 in "[a-z]{0,8}", b2 in "[a-z]{0,8}",
        v in "[0-9]{1,2}", v2 in "[0-9]{1,2}", mtime in 0i64..1000,
    ) {
        let mut sim = Sim::new();
        let first = keys(&mut sim, &context(&a, &b, 0), &v);
        // Same inputs (mtimes differ): same keys, all hits.
        let again = keys(&mut sim, &context(&a, &b, mtime), &v);
        prop_assert_eq!(
            first.iter().map(|k| &k.0).collect::<Vec<_>>(),
            again.iter().map(|k| &k.0).collect::<Vec<_>>()
        );
        prop_assert!(again.iter().all(|k| k.1 != StepStatus::Miss));
        // Change inputs: COPY a changes iff a changed; COPY b iff a or b changed (chain);
        // the ARG is in no COPY's key.
        // (Hosts bump a file's mtime when they change it: checksums are memoised by path and
        // metadata, as BuildKit does.)
        let changed = keys(&mut sim, &context(&a2, &b2, 5000), &v2);
        prop_assert_eq!(first[2].0 != changed[2].0, a != a2);
        prop_assert_eq!(first[3].0 != changed[3].0, a != a2 || b != b2);
        prop_assert_eq!(&first[0].0, &changed[0].0);
    }
}
