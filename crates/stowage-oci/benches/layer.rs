//! Layer tar throughput: a 10,000-file tree (about 50 MB of synthetic content) written as a
//! deterministic tar and gzip blob, and read back.
#![expect(clippy::unwrap_used, reason = "benchmark setup")]

use criterion::{Criterion, criterion_group, criterion_main};
use stowage_oci::layer::{
    Compression, ReadOptions, TarOptions, encode_layer, read_layer, write_tar,
};
use stowage_vfs::{Content, Fs, Layer, Metadata};

fn tree() -> Fs {
    let mut fs = Fs::new();
    for d in 0..100 {
        let dir = format!("/app/src/module{d:03}");
        fs.create_dir_all(&dir, &Metadata::dir()).unwrap();
        for f in 0..100 {
            let size = 1_000 + (d * 100 + f) % 9_000;
            fs.write_file(
                &format!("{dir}/file{f:03}.py"),
                Content::synthetic(size, d * 100 + f),
                Metadata::file().with_mtime(1_700_000_000),
            )
            .unwrap();
        }
    }
    fs
}

fn bench(c: &mut Criterion) {
    let layer = Layer::full(&tree());
    let opts = TarOptions::default();
    let mut group = c.benchmark_group("layer-10k-files");
    group.sample_size(10);
    group.bench_function("write tar", |b| {
        b.iter(|| {
            let mut sink = stowage_oci::Sha256Writer::new();
            write_tar(&layer, &opts, &mut sink).unwrap();
            sink.finish()
        });
    });
    group.bench_function("encode gzip", |b| {
        b.iter(|| {
            encode_layer(&layer, &opts, Compression::Gzip)
                .unwrap()
                .digest
        });
    });
    let blob = encode_layer(&layer, &opts, Compression::Gzip).unwrap().blob;
    group.bench_function("read gzip", |b| {
        b.iter(|| read_layer(&blob, &ReadOptions::default()).unwrap().diff_id);
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
