use super::*;

fn file(path: &str, text: &str) -> ContextFile {
    ContextFile {
        path: path.to_owned(),
        text: text.to_owned(),
        mtime: 1,
    }
}

fn sample() -> Vec<ContextFile> {
    vec![
        file(".dockerignore", "*.log\nbuild/\n!build/keep.txt\n"),
        file("app.py", "print()\n"),
        file("build/keep.txt", "k"),
        file("build/out.bin", "xx"),
        file("debug.log", "d"),
        file("src/lib/util.py", "u"),
        file("src/main.py", "m"),
    ]
}

/// `  name/ [ignored]` per row, indented by depth.
fn show(rows: &[Row]) -> Vec<String> {
    rows.iter()
        .map(|r| {
            format!(
                "{}{}{}{}",
                "  ".repeat(r.depth),
                r.name,
                if r.is_dir { "/" } else { "" },
                r.ignored
                    .as_ref()
                    .map_or(String::new(), |w| format!(" [{w}]"))
            )
        })
        .collect()
}

#[test]
fn folders_come_first_and_ignored_rows_say_which_line() {
    let rows = rows(&sample(), &["docs".to_owned()], &BTreeSet::new());
    assert_eq!(
        show(&rows),
        [
            "build/ [.dockerignore line 2: build]",
            "  keep.txt",
            "  out.bin [.dockerignore line 2: build]",
            "docs/",
            "src/",
            "  lib/",
            "    util.py",
            "  main.py",
            ".dockerignore",
            "app.py",
            "debug.log [.dockerignore line 1: *.log]",
        ]
    );
    let src = rows.iter().find(|r| r.path == "src").expect("src");
    assert_eq!(src.size, 2, "a folder's size is its files'");
}

#[test]
fn collapsed_folders_hide_their_contents() {
    let collapsed = BTreeSet::from(["src".to_owned(), "build".to_owned()]);
    let rows = rows(&sample(), &[], &collapsed);
    let paths: Vec<&str> = rows.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        ["build", "src", ".dockerignore", "app.py", "debug.log"]
    );
}

#[test]
fn without_a_dockerignore_nothing_is_ignored() {
    let files = vec![file("a.log", ""), file("x/y", "")];
    assert!(
        rows(&files, &[], &BTreeSet::new())
            .iter()
            .all(|r| r.ignored.is_none())
    );
}

#[test]
fn paths_are_cleaned_and_kept_inside_the_context() {
    assert_eq!(clean_path(" /src//app.py "), Some("src/app.py".into()));
    assert_eq!(clean_path("./a/./b/"), Some("a/b".into()));
    assert_eq!(clean_path("a\\b.txt"), Some("a/b.txt".into()));
    assert_eq!(clean_path("../etc/passwd"), None);
    assert_eq!(clean_path("a/../../b"), None);
    assert_eq!(clean_path(" / "), None);
}

#[test]
fn dirs_within_and_moves() {
    let dirs = all_dirs(&sample(), &["empty/inner".to_owned()]);
    let dirs: Vec<&str> = dirs.iter().map(String::as_str).collect();
    assert_eq!(dirs, ["build", "empty", "empty/inner", "src", "src/lib"]);
    assert!(is_within("src/lib/x", "src"));
    assert!(is_within("src", "src"));
    assert!(!is_within("srcs/x", "src"));
    assert_eq!(moved("src/lib/x", "src", "app"), "app/lib/x");
}

#[test]
fn one_dropped_folder_is_the_context() {
    let mut paths = vec!["myapp/Dockerfile".to_owned(), "myapp/src/a.py".to_owned()];
    strip_common_folder(&mut paths);
    assert_eq!(paths, ["Dockerfile", "src/a.py"]);
    let mut mixed = vec!["a/x".to_owned(), "b/y".to_owned()];
    strip_common_folder(&mut mixed);
    assert_eq!(mixed, ["a/x", "b/y"]);
    let mut loose = vec!["x.txt".to_owned()];
    strip_common_folder(&mut loose);
    assert_eq!(loose, ["x.txt"]);
}
