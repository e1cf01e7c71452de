//! When a COPY's files are hashed: before the step when a stored result may match them,
//! else by the step's own layer tar (one read of each file, not two), with the same key
//! either way.

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use stowage_build::{BuildRequest, StepStatus};
use stowage_vfs::{Content, ExternalContent, Fs, Metadata};

use crate::util::Sim;

/// Host bytes that count their reads and remember their checksum once read, as the CLI's
/// context files do.
#[derive(Debug)]
struct Counted {
    bytes: Vec<u8>,
    reads: Arc<AtomicUsize>,
    checksum: OnceLock<[u8; 32]>,
}

impl ExternalContent for Counted {
    fn len(&self) -> u64 {
        self.bytes.len() as u64
    }

    fn write_to(&self, out: &mut dyn io::Write) -> io::Result<()> {
        self.reads.fetch_add(1, Ordering::Relaxed);
        if self.checksum.get().is_none() {
            let _ = self
                .checksum
                .set(Content::bytes(self.bytes.clone()).checksum());
        }
        out.write_all(&self.bytes)
    }

    fn known_checksum(&self) -> Option<[u8; 32]> {
        self.checksum.get().copied()
    }

    fn remember_checksum(&self, checksum: [u8; 32]) {
        let _ = self.checksum.set(checksum);
    }
}

/// A context of `n` counted files (`mtime` for all), and their read counter.
fn context(n: usize, mtime: i64, tweak: &str) -> (Fs, Arc<AtomicUsize>) {
    let reads = Arc::new(AtomicUsize::new(0));
    let mut fs = Fs::new();
    fs.create_dir("/src", Metadata::dir().with_mtime(mtime))
        .expect("mkdir");
    for i in 0..n {
        let content = Content::external(Arc::new(Counted {
            bytes: format!("file {i}{tweak}\n").into_bytes(),
            reads: Arc::clone(&reads),
            checksum: OnceLock::new(),
        }));
        fs.write_file(
            &format!("src/f{i}.txt"),
            content,
            Metadata::new(0o644).with_mtime(mtime),
        )
        .expect("write");
    }
    (fs, reads)
}

const DOCKERFILE: &str = "FROM scratch\nCOPY . /app\n";

fn copy_status(sim: &mut Sim, ctx: &Fs) -> (StepStatus, String) {
    let r = sim.build(&BuildRequest::new(DOCKERFILE, ctx));
    assert!(r.success(), "{:?}", r.diagnostics);
    let step = r.steps.last().expect("the COPY step");
    (step.status, step.cache_key.clone().expect("a key"))
}

#[test]
fn a_copy_no_stored_result_can_match_reads_each_file_once_and_keys_as_a_hashed_one() {
    let mut sim = Sim::new();
    let (ctx, reads) = context(20, 1_700_000_000, "");
    let (status, first_key) = copy_status(&mut sim, &ctx);
    assert_eq!(status, StepStatus::Miss);
    // The layer's tar read each file; nothing read them before to hash them.
    assert_eq!(reads.load(Ordering::Relaxed), 20);

    // The same bytes in new handles with another mtime (so the checksum memo does not know
    // them): a stored result may match now, so they are hashed first, and it does.
    let (again, reads) = context(20, 1_700_000_500, "");
    let (status, key) = copy_status(&mut sim, &again);
    assert_eq!(status, StepStatus::Hit);
    assert_eq!(key, first_key);
    assert_eq!(
        reads.load(Ordering::Relaxed),
        20,
        "hashed once, never tarred"
    );

    // Changed bytes miss; the result is stored under the key of what the layer holds.
    let (changed, _) = context(20, 1_700_000_900, " changed");
    let (status, changed_key) = copy_status(&mut sim, &changed);
    assert_eq!(status, StepStatus::Miss);
    assert_ne!(changed_key, first_key);
    let (changed_again, _) = context(20, 1_700_001_000, " changed");
    assert_eq!(
        copy_status(&mut sim, &changed_again),
        (StepStatus::Hit, changed_key)
    );
}

#[test]
fn no_cache_copies_take_their_checksums_from_the_layer_too() {
    let mut sim = Sim::new();
    let (ctx, _) = context(5, 1_700_000_000, "");
    let (_, key) = copy_status(&mut sim, &ctx);
    let (fresh, reads) = context(5, 1_700_000_100, "");
    let mut req = BuildRequest::new(DOCKERFILE, &fresh);
    req.no_cache = true;
    let r = sim.build(&req);
    let step = r.steps.last().expect("the COPY step");
    assert_eq!(step.status, StepStatus::Miss);
    assert_eq!(step.cache_key, Some(key));
    assert_eq!(reads.load(Ordering::Relaxed), 5);
}

#[test]
fn a_copy_whose_layer_waits_for_the_next_step_ends_before_it_with_the_same_keys() {
    for dockerfile in [
        "FROM busybox\nCOPY . /app\nRUN echo built > /app/out\n",
        // A metadata step between: the COPY ends first.
        "FROM busybox\nCOPY . /app\nENV A=1\nRUN echo built > /app/out\n",
    ] {
        let mut sim = Sim::new();
        let (ctx, _) = context(8, 1_700_000_000, "");
        let first = sim.build(&BuildRequest::new(dockerfile, &ctx));
        assert!(first.success(), "{:?}", first.diagnostics);
        let statuses: Vec<StepStatus> = first.steps.iter().map(|s| s.status).collect();
        assert!(
            statuses[1..].iter().all(|s| *s != StepStatus::Hit),
            "{statuses:?}"
        );
        // Reported in order, the COPY first.
        assert!(first.steps[1].id.text.starts_with("COPY"));
        let (fresh, _) = context(8, 1_700_000_300, "");
        let again = sim.build(&BuildRequest::new(dockerfile, &fresh));
        assert_eq!(again.image, first.image, "{dockerfile}");
        for (a, b) in again.steps.iter().zip(&first.steps).skip(1) {
            assert_eq!(a.cache_key, b.cache_key, "{dockerfile}: {}", a.id.text);
            if a.id.text.starts_with("COPY") || a.id.text.starts_with("RUN") {
                assert_eq!(a.status, StepStatus::Hit, "{dockerfile}: {}", a.id.text);
            }
        }
    }
}
