//! A 20-step Dockerfile over a 10,000-file / 50 MB context: the first simulated build (empty
//! cache, base image already resolved) and a fully cached rebuild.
#![expect(clippy::unwrap_used, reason = "benchmark setup")]

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use stowage_build::{Engine, SimulatedImages};

mod workload;

use workload::{build, context};

fn bench(c: &mut Criterion) {
    let ctx = context();
    let mut images = SimulatedImages::new();
    // Resolve (simulate the pull of) the base image once.
    assert!(build(&mut Engine::new(), &mut images, &ctx).success());
    let mut group = c.benchmark_group("build-20-steps-10k-files-50MB");
    group.sample_size(10);
    group.bench_function("first build", |b| {
        b.iter_batched(
            Engine::new,
            |mut engine| assert!(build(&mut engine, &mut images, &ctx).success()),
            BatchSize::LargeInput,
        );
    });
    let mut engine = Engine::new();
    assert!(build(&mut engine, &mut images, &ctx).success());
    group.bench_function("cached rebuild", |b| {
        b.iter(|| assert!(build(&mut engine, &mut images, &ctx).success()));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
