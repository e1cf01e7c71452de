use stowage_vfs::{Fs, Layer, Metadata};

use super::*;

fn dir() -> Metadata {
    Metadata::new(0o755)
}

fn file() -> Metadata {
    Metadata::new(0o644)
}

/// Three layers as `apt-get update`, `apt-get install`, `rm -rf /var/lib/apt/lists/*` make
/// them: the lists come in the first and go in the third.
fn apt_layers() -> Vec<Layer> {
    let empty = Fs::new();
    let mut base = Fs::new();
    base.create_dir_all("/var/lib/apt/lists", &dir())
        .expect("dirs");
    base.write_file(
        "/var/lib/apt/lists/main_Packages",
        vec![b'x'; 30_000],
        file(),
    )
    .expect("file");
    base.write_file(
        "/var/lib/apt/lists/security_Packages",
        vec![b'y'; 8_000],
        file(),
    )
    .expect("file");
    let mut installed = base.clone();
    installed.create_dir_all("/usr/bin", &dir()).expect("dirs");
    installed
        .write_file("/usr/bin/curl", vec![b'c'; 500], file())
        .expect("file");
    let mut cleaned = installed.clone();
    cleaned
        .remove("/var/lib/apt/lists/main_Packages")
        .expect("rm");
    cleaned
        .remove("/var/lib/apt/lists/security_Packages")
        .expect("rm");
    vec![
        Layer::diff(&empty, &base),
        Layer::diff(&base, &installed),
        Layer::diff(&installed, &cleaned),
    ]
}

#[test]
fn each_layer_lists_its_changes_with_sizes() {
    let layers = apt_layers();
    let refs: Vec<&Layer> = layers.iter().collect();
    let explored = explore(&refs).expect("the stack applies");
    assert_eq!(explored.layers.len(), 3);
    let first = &explored.layers[0];
    let lists = first
        .files
        .iter()
        .find(|f| f.path == "/var/lib/apt/lists/main_Packages")
        .expect("the list file is in the first layer");
    assert_eq!(
        (lists.change, lists.size, lists.dir),
        (Change::Added, 30_000, false)
    );
    assert_eq!(lists.depth(), 4);
    assert_eq!(lists.name(), "main_Packages");
    let third = &explored.layers[2];
    assert_eq!(third.deleted, 2, "{third:?}");
    assert!(
        third.files.iter().any(
            |f| f.change == Change::Deleted && f.path == "/var/lib/apt/lists/security_Packages"
        ),
        "{third:?}"
    );
}

#[test]
fn deleting_in_a_later_layer_is_told_as_a_lesson() {
    let layers = apt_layers();
    let refs: Vec<&Layer> = layers.iter().collect();
    let explored = explore(&refs).expect("the stack applies");
    let e = &explored.efficiency;
    assert!(e.score < 10_000, "nothing wasted? {e:?}");
    assert_eq!(
        e.lessons.first().map(String::as_str),
        Some(
            "/var/lib/apt/lists was added in layer 1 and deleted in layer 3: 38kB still shipped (delete it in the same RUN that creates it)"
        ),
        "{e:?}"
    );
}

#[test]
fn a_clean_stack_is_fully_efficient_and_teaches_nothing() {
    let mut fs = Fs::new();
    fs.create_dir_all("/app", &dir()).expect("dirs");
    fs.write_file("/app/main.py", b"print(1)\n".to_vec(), file())
        .expect("file");
    let layer = Layer::diff(&Fs::new(), &fs);
    let explored = explore(&[&layer]).expect("applies");
    assert_eq!(explored.efficiency.score, 10_000);
    assert_eq!(explored.efficiency.percent_text(), "100.00 %");
    assert!(explored.efficiency.lessons.is_empty());
    assert_eq!(explored.efficiency.wasted, 0);
}

#[test]
fn long_layers_are_capped_with_a_count_of_the_rest() {
    let mut fs = Fs::new();
    fs.create_dir_all("/many", &dir()).expect("dirs");
    for i in 0..FILES_PER_LAYER + 20 {
        fs.write_file(&format!("/many/f{i:04}"), vec![b'a'; 3], file())
            .expect("file");
    }
    let layer = Layer::diff(&Fs::new(), &fs);
    let explored = explore(&[&layer]).expect("applies");
    let files = &explored.layers[0];
    assert_eq!(files.files.len(), FILES_PER_LAYER);
    // 20 files and the directory itself: FILES_PER_LAYER + 21 changes in all.
    assert_eq!(files.more, 21);
    assert_eq!(files.added, FILES_PER_LAYER + 21);
}

#[test]
fn the_union_view_lists_a_directory_at_a_layer() {
    let layers = apt_layers();
    let refs: Vec<&Layer> = layers.iter().collect();
    let (at_first, more) = union_dir(&refs[..1], "/var/lib/apt/lists");
    assert_eq!(more, 0);
    assert_eq!(
        at_first
            .iter()
            .map(|f| (f.name(), f.size))
            .collect::<Vec<_>>(),
        [("main_Packages", 30_000), ("security_Packages", 8_000)]
    );
    let (at_last, _) = union_dir(&refs, "/var/lib/apt/lists");
    assert!(at_last.is_empty(), "{at_last:?}");
    let (root, _) = union_dir(&refs[..2], "/");
    let usr = root
        .iter()
        .find(|f| f.path == "/usr")
        .expect("/usr at layer 2");
    assert!(usr.dir);
    assert_eq!(usr.size, 500, "a directory's size is its files'");
    assert!(union_dir(&refs, "/nowhere").0.is_empty());
}
