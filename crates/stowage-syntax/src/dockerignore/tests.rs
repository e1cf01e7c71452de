use super::*;

/// `(.dockerignore lines, path, excluded)`.
const CASES: &[(&str, &str, bool)] = &[
    // Literal patterns match at the root only, and exclude everything below.
    ("foo", "foo", true),
    ("foo", "foo/bar", true),
    ("foo", "foo/bar/baz.txt", true),
    ("foo", "a/foo", false),
    ("foo", "foobar", false),
    ("foo/bar", "foo/bar/x", true),
    ("foo/bar", "foo", false),
    // Cleaning: `./`, `//`, `..`, trailing `/`, leading `/`.
    ("./foo", "foo", true),
    ("foo/", "foo/x", true),
    ("/foo", "foo/x", true),
    ("foo//bar", "foo/bar", true),
    ("a/../foo", "foo", true),
    ("foo/.", "foo", true),
    ("foo", "./foo", true),
    ("foo", "/foo", true),
    ("foo", "foo/../foo/x", true),
    // `*` stays inside one path element.
    ("*.md", "README.md", true),
    ("*.md", "docs/README.md", false),
    ("*/*.md", "docs/README.md", true),
    ("*/tmp/*", "x/tmp/y", true),
    ("*/tmp/*", "tmp/y", false),
    ("*/tmp/*", "x/tmp", false),
    ("*", "anything", true),
    ("*", "a/b/c", true),
    ("a*c", "abc", true),
    ("a*c", "a/c", false),
    ("a*", "a/b", true),
    // `?` is one non-slash character.
    ("?.txt", "a.txt", true),
    ("?.txt", "ab.txt", false),
    ("a?b", "a/b", false),
    // `**`: any number of directories, including none.
    ("**/foo", "foo", true),
    ("**/foo", "a/foo", true),
    ("**/foo", "a/b/foo", true),
    ("**/foo", "a/b/foo/c", true),
    ("**/foo", "a/xfoo", false),
    ("**/*.go", "main.go", true),
    ("**/*.go", "cmd/x/main.go", true),
    ("**/*.go", "main.gox", false),
    ("a/**/b", "a/b", true),
    ("a/**/b", "a/x/y/b", true),
    ("a/**/b", "a/x/y/bb", false),
    ("a/**", "a/b", true),
    ("a/**", "a", false),
    ("a/**", "ab", false),
    ("**", "anything/at/all", true),
    ("a*/**", "ab/c", true),
    ("a*/**", "ab", false),
    // Go's suffix test for a literal after a leading `**`.
    ("**foo", "barfoo", true),
    ("**foo", "x/barfoo", true),
    ("**/foo/bar", "x/foo/bar", true),
    ("**/foo/bar", "foo/bar", true),
    // Classes: `^` negates, `!` does not, ranges and escapes.
    ("[abc].txt", "b.txt", true),
    ("[abc].txt", "d.txt", false),
    ("[a-c].txt", "c.txt", true),
    ("[^a].txt", "b.txt", true),
    ("[^a].txt", "a.txt", false),
    ("[!a].txt", "!.txt", true),
    ("[!a].txt", "b.txt", false),
    ("[\\]].txt", "].txt", true),
    ("[^/]x", "/x", false),
    // Escapes.
    ("\\*.txt", "*.txt", true),
    ("\\*.txt", "a.txt", false),
    ("a\\?", "a?", true),
    ("a\\?", "ab", false),
    // Regexp metacharacters are literal.
    ("a.b", "axb", false),
    ("a.b", "a.b", true),
    ("a+b(c)|{d}$", "a+b(c)|{d}$", true),
    ("*.a+b", "x.a+b", true),
    ("*.a+b", "x.aab", false),
    // An unescaped `^` is a start anchor in a regexp pattern, a letter in a literal one.
    ("a^b", "a^b", true),
    ("*a^b", "xa^b", false),
    // Last match wins; `!` re-includes, even under an excluded directory.
    ("*.md\n!README.md", "README.md", false),
    ("*.md\n!README.md", "CHANGES.md", true),
    ("!README.md\n*.md", "README.md", true),
    ("docs\n!docs/keep.md", "docs/keep.md", false),
    ("docs\n!docs/keep.md", "docs/other.md", true),
    ("docs\n!docs/keep.md\ndocs/keep.md", "docs/keep.md", true),
    ("*\n!src", "src/main.rs", false),
    ("*\n!src\nsrc/**/*.tmp", "src/a/b.tmp", true),
    ("*\n!src\nsrc/**/*.tmp", "src/a/b.rs", false),
    // An exception of a file does not re-include its parent.
    ("docs\n!docs/keep.md", "docs", true),
    // Comments: `#` only as the first byte.
    ("# foo\nbar", "foo", false),
    ("  # foo", "# foo", true),
    ("\u{feff}# bom comment\nx", "# bom comment", false),
    ("\u{feff}foo", "foo", true),
    // Whitespace and CRLF.
    ("  foo  \r\n", "foo", true),
    ("! foo \nfoo", "foo", true),
    ("foo\n! foo ", "foo", false),
    // The context root itself is never excluded.
    ("*", ".", false),
    ("**", "", false),
];

#[test]
fn table() {
    let mut failures = Vec::new();
    for (text, path, want) in CASES {
        let ignore = DockerIgnore::parse(text);
        assert!(
            ignore.diagnostics.is_empty(),
            "{text:?}: {:?}",
            ignore.diagnostics
        );
        if ignore.is_excluded(path) != *want {
            failures.push(format!("{text:?} on {path:?}: want excluded={want}"));
        }
        // The tree-walking form agrees when started without parent information.
        if ignore.check(path, None).0 != *want {
            failures.push(format!("{text:?} on {path:?}: check() disagrees"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn walking_with_parent_results_agrees() {
    let text = "node_modules\n!node_modules/keep\n*.log\n**/tmp\nbuild/**\n!build/out/*.txt";
    let ignore = DockerIgnore::parse(text);
    let tree = [
        "node_modules/a/index.js",
        "node_modules/keep/x.js",
        "src/tmp/y",
        "src/app.log",
        "build/out/a.txt",
        "build/out/b.bin",
        "README.md",
    ];
    for path in tree {
        let mut parent: Option<ParentMatches> = None;
        let mut walked = false;
        let parts: Vec<&str> = path.split('/').collect();
        for i in 1..=parts.len() {
            let prefix = parts[..i].join("/");
            let (excluded, info) = ignore.check(&prefix, parent.as_ref());
            walked = excluded;
            parent = Some(info);
        }
        assert_eq!(walked, ignore.is_excluded(path), "{path}");
    }
}

#[test]
fn reading() {
    let ignore = DockerIgnore::parse("# c\n\n  *.md \n!/docs//x/../y/\n/\n");
    let got: Vec<(&str, bool, u32)> = ignore
        .patterns
        .iter()
        .map(|p| (p.text.as_str(), p.exception, p.line))
        .collect();
    assert_eq!(
        got,
        [("*.md", false, 3), ("docs/y", true, 4), ("/", false, 5)]
    );
    let src = "# c\n\n  *.md \n!/docs//x/../y/\n/\n";
    assert_eq!(ignore.patterns[0].span.text(src), "*.md");
    assert_eq!(ignore.patterns[1].span.text(src), "!/docs//x/../y/");
    assert!(ignore.has_exceptions());
    assert!(!DockerIgnore::parse("a\nb").has_exceptions());
    assert!(DockerIgnore::parse("# only\n\n").is_empty());
}

#[test]
fn deciding_pattern_names_the_line() {
    let ignore = DockerIgnore::parse("*.md\n!README.md\nsecret/");
    assert_eq!(ignore.deciding_pattern("a.md").map(|p| p.line), Some(1));
    assert_eq!(
        ignore.deciding_pattern("README.md").map(|p| p.line),
        Some(2)
    );
    assert_eq!(
        ignore.deciding_pattern("secret/key").map(|p| p.line),
        Some(3)
    );
    assert_eq!(ignore.deciding_pattern("main.rs"), None);
}

#[test]
fn exact_ignores_parents() {
    let ignore = DockerIgnore::parse("foo");
    assert!(ignore.is_excluded_exact("foo"));
    assert!(!ignore.is_excluded_exact("foo/bar"));
    assert!(ignore.is_excluded("foo/bar"));
}

#[test]
fn invalid_patterns() {
    for (text, fragment) in [
        ("[abc", "unterminated"),
        ("a\\", "trailing backslash"),
        ("[]", "invalid character class"),
        ("[-a]", "invalid character class"),
        ("[z-a]", "out of order"),
        ("!", "illegal exclusion"),
        ("!   ", "illegal exclusion"),
    ] {
        let ignore = DockerIgnore::parse(text);
        assert_eq!(ignore.diagnostics.len(), 1, "{text:?}");
        assert!(
            ignore.diagnostics[0].message.contains(fragment),
            "{text:?}: {}",
            ignore.diagnostics[0].message
        );
        assert!(ignore.patterns.is_empty());
    }
    // The valid lines still work.
    let ignore = DockerIgnore::parse("[x\nfoo");
    assert_eq!(ignore.diagnostics.len(), 1);
    assert!(ignore.is_excluded("foo"));
    assert_eq!(ignore.diagnostics[0].span, Span::new(0, 2));
}

#[test]
fn skipping_directories() {
    // (lines, dir, can skip, may re-include below)
    let cases: &[(&str, &str, bool, bool)] = &[
        ("node_modules", "node_modules", true, false),
        (
            "node_modules\n!node_modules/keep",
            "node_modules",
            false,
            true,
        ),
        (
            "node_modules\n!node_modules/keep",
            "node_modules/other",
            true,
            false,
        ),
        (
            "node_modules\n!node_modules/keep",
            "node_modules/keep",
            false,
            true,
        ),
        ("build\n!**/*.txt", "build", false, true),
        ("build\n!*/out", "build", false, true),
        ("build\n!*/out", "build/x", true, false),
        ("build\n!src", "build", true, false),
        ("src", "lib", false, false),
        ("*\n!src/*.rs", "src", false, true),
        ("*\n!src/*.rs", "docs", true, false),
    ];
    for (text, dir, skip, below) in cases {
        let ignore = DockerIgnore::parse(text);
        assert_eq!(ignore.can_skip_dir(dir), *skip, "{text:?} skip {dir}");
        assert_eq!(
            ignore.may_reinclude_below(dir),
            *below,
            "{text:?} below {dir}"
        );
    }
}

#[test]
fn clean_like_go() {
    for (input, want) in [
        ("", "."),
        (".", "."),
        ("/", "/"),
        ("a/b/", "a/b"),
        ("a//b", "a/b"),
        ("./a", "a"),
        ("a/./b", "a/b"),
        ("a/../b", "b"),
        ("../a", "../a"),
        ("/../a", "/a"),
        ("a/b/../../..", ".."),
        ("/a/b/..", "/a"),
    ] {
        assert_eq!(clean(input), want, "{input:?}");
    }
}
