//! Simulated package managers: `apt-get`, `apk`, `pip`, `npm`/`yarn` and `go build`. They
//! write plausible files with plausible sizes (see [`super::catalogue`]), keep the package
//! databases the real tools keep, and leave the caches the real tools leave.

#![expect(
    clippy::cast_precision_loss,
    reason = "simulated durations and sizes shown to learners are approximations"
)]
#![expect(
    clippy::format_collect,
    reason = "small text files assembled once per command"
)]

use std::collections::BTreeSet;
use std::fmt::Write as _;

use stowage_vfs::{Content, Kind, Metadata};

use super::Shell;
use super::catalogue::{self, Package};

/// Download speed the simulation assumes, in KiB per simulated second.
const KIB_PER_SECOND: f64 = 20_000.0;

/// Whether `name` ends with `suffix` (package files are lower-case by convention).
fn has_suffix(name: &str, suffix: &str) -> bool {
    name.len() >= suffix.len()
        && name.is_char_boundary(name.len() - suffix.len())
        && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// A stable seed for synthetic bytes from a path.
fn seed(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl Shell<'_> {
    /// Writes a synthetic file of `size` bytes (parents created, root-owned).
    fn put_synthetic(&mut self, path: &str, size: u64, mode: u32) {
        let meta = Metadata::new(mode).with_mtime(self.mtime);
        let dmeta = Metadata::dir().with_mtime(self.mtime);
        let _ = self
            .fs
            .create_dir_all(stowage_vfs::path::parent(path), &dmeta);
        let _ = self
            .fs
            .write_file(path, Content::synthetic(size, seed(path)), meta);
    }

    fn put_text(&mut self, path: &str, text: &str) {
        let meta = Metadata::file().with_mtime(self.mtime);
        let dmeta = Metadata::dir().with_mtime(self.mtime);
        let _ = self
            .fs
            .create_dir_all(stowage_vfs::path::parent(path), &dmeta);
        let _ = self.write_keep_meta(path, text.as_bytes().to_vec(), meta);
    }

    fn append_text(&mut self, path: &str, text: &str) {
        let old = self.read_text(path).unwrap_or_default();
        self.put_text(path, &format!("{old}{text}"));
    }

    fn has_program(&self, names: &[&str]) -> bool {
        let path = self.get_var("PATH").unwrap_or_default();
        names.iter().any(|n| {
            path.split(':')
                .any(|d| self.fs.exists(&format!("{}/{n}", d.trim_end_matches('/'))))
        })
    }

    fn not_found(&mut self, name: &str) -> i32 {
        self.errln(&format!("/bin/sh: 1: {name}: not found"));
        127
    }

    fn offline(&mut self, host: &str) -> bool {
        if self.network_disabled {
            self.errln(&format!(
                "Temporary failure resolving '{host}' (the network is disabled for this RUN)"
            ));
        }
        self.network_disabled
    }

    fn os_release(&self) -> (String, String) {
        let text = self.read_text("/etc/os-release").unwrap_or_default();
        let get = |k: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{k}=")))
                .map(|v| v.trim_matches('"').to_owned())
                .unwrap_or_default()
        };
        (get("ID"), get("VERSION_CODENAME"))
    }
}

/// Resolves `names` and their dependencies (and recommends) in install order (dependencies
/// first), skipping `installed`. Unknown names get a stand-in of `stand_in_kb`. Returns the
/// packages, the unknown names and the name of each package.
fn resolve(
    table: &'static [Package],
    names: &[String],
    installed: &BTreeSet<String>,
    recommends: bool,
    stand_in_kb: u64,
) -> (Vec<Package>, Vec<String>, Vec<String>) {
    let mut pkgs: Vec<Package> = Vec::new();
    let mut all: Vec<String> = Vec::new();
    let mut unknown = Vec::new();
    let mut seen = BTreeSet::new();
    let mut stack: Vec<(String, bool)> = names.iter().rev().map(|n| (n.clone(), false)).collect();
    while let Some((name, expanded)) = stack.pop() {
        let pkg = catalogue::find(table, &name).copied().unwrap_or(Package {
            name: "",
            version: "1.0.0",
            size_kb: stand_in_kb,
            deps: &[],
            recommends: &[],
            bins: &[],
        });
        if expanded {
            if pkg.name.is_empty() && !unknown.contains(&name) {
                unknown.push(name.clone());
            }
            pkgs.push(pkg);
            all.push(name);
            continue;
        }
        if installed.contains(&name) || !seen.insert(name.clone()) {
            continue;
        }
        stack.push((name, true));
        let mut deps: Vec<&str> = pkg.deps.to_vec();
        if recommends {
            deps.extend(pkg.recommends);
        }
        for d in deps.into_iter().rev() {
            if !seen.contains(d) && !installed.contains(d) {
                stack.push((d.to_owned(), false));
            }
        }
    }
    (pkgs, unknown, all)
}

fn human_kb(kb: u64) -> String {
    if kb >= 1024 {
        format!("{:.1} MB", kb as f64 / 1024.0)
    } else {
        format!("{kb} kB")
    }
}

/// The files of an OS package: programs, a shared library, data and docs.
fn os_package_files(name: &str, pkg: &Package, alpine: bool) -> Vec<(String, u64, u32)> {
    let total = pkg.size_kb * 1024;
    let mut files = Vec::new();
    let docs = if alpine { 0 } else { total.min(24 * 1024) / 4 };
    if !alpine {
        files.push((
            format!("/usr/share/doc/{name}/copyright"),
            2_000 + total % 3_000,
            0o644,
        ));
        files.push((
            format!("/usr/share/doc/{name}/changelog.Debian.gz"),
            docs.max(1_000),
            0o644,
        ));
    }
    let rest = total.saturating_sub(docs + 2_000);
    let bin_share = if pkg.bins.is_empty() { 0 } else { rest / 3 };
    for (i, b) in pkg.bins.iter().enumerate() {
        let size = if i == 0 {
            bin_share.max(16_000)
        } else {
            16_000
        };
        files.push((format!("/usr/bin/{b}"), size, 0o755));
    }
    let lib_dir = if alpine {
        "/usr/lib"
    } else {
        "/usr/lib/x86_64-linux-gnu"
    };
    let lib = rest - bin_share;
    if lib > 0 {
        let stem = name.trim_start_matches("lib");
        let big = lib * 7 / 10;
        files.push((
            format!(
                "{lib_dir}/lib{stem}.so.{}",
                pkg.version.split('.').next().unwrap_or("1")
            ),
            big.max(1),
            0o644,
        ));
        let data = lib - big;
        let parts = (data / (256 * 1024)).clamp(1, 8);
        for k in 0..parts {
            files.push((
                format!("/usr/share/{name}/data{k}.bin"),
                (data / parts).max(1),
                0o644,
            ));
        }
    }
    files
}

fn dpkg_installed(sh: &Shell<'_>) -> BTreeSet<String> {
    sh.read_text("/var/lib/dpkg/status")
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.strip_prefix("Package: ").map(str::to_owned))
        .collect()
}

pub(crate) fn apt_get(sh: &mut Shell<'_>, args: &[String]) -> i32 {
    let (flags, ops): (Vec<&String>, Vec<&String>) = args.iter().partition(|a| a.starts_with('-'));
    let Some(sub) = ops.first().map(|s| s.as_str()) else {
        sh.errln("E: Invalid operation");
        return 100;
    };
    let has = |f: &str| flags.iter().any(|x| x.as_str() == f);
    let quiet_yes = has("-y")
        || has("--yes")
        || has("--assume-yes")
        || has("-qq")
        || flags.iter().any(|f| {
            f.starts_with("-q=2") || (f.starts_with('-') && !f.starts_with("--") && f.contains('y'))
        });
    match sub {
        "update" => {
            if sh.offline("deb.debian.org") {
                return 100;
            }
            let (id, codename) = sh.os_release();
            let codename = if codename.is_empty() {
                "bookworm".to_owned()
            } else {
                codename
            };
            let lists = catalogue::apt_lists(&id, &codename);
            let mut total = 0;
            for (i, (file, kb)) in lists.iter().enumerate() {
                let line = format!(
                    "Get:{} http://{} [{}]",
                    i + 1,
                    file.replace('_', "/"),
                    human_kb(*kb)
                );
                sh.outln(&line);
                sh.put_synthetic(&format!("/var/lib/apt/lists/{file}"), kb * 1024, 0o644);
                total += kb;
            }
            sh.put_text("/var/lib/apt/lists/lock", "");
            let _ = sh.fs.create_dir_all(
                "/var/lib/apt/lists/partial",
                &Metadata::new(0o700).with_mtime(sh.mtime),
            );
            sh.seconds += total as f64 / KIB_PER_SECOND + 1.0;
            sh.outln(&format!("Fetched {} in 1s", human_kb(total)));
            sh.outln("Reading package lists...");
            0
        }
        "install" => {
            let names: Vec<String> = ops[1..]
                .iter()
                .map(|n| n.split('=').next().unwrap_or(n).to_owned())
                .collect();
            let has_lists = sh
                .fs
                .read_dir("/var/lib/apt/lists")
                .is_ok_and(|v| v.iter().any(|(n, _)| n.contains("Packages")));
            sh.outln("Reading package lists...");
            if !has_lists {
                if let Some(n) = names.first() {
                    sh.errln(&format!("E: Unable to locate package {n}"));
                }
                sh.note(
                    "apt-get",
                    "the package lists are empty: run `apt-get update` in the same RUN first",
                );
                return 100;
            }
            if sh.offline("deb.debian.org") {
                return 100;
            }
            let installed = dpkg_installed(sh);
            let recommends = !has("--no-install-recommends");
            let (pkgs, unknown, all) =
                resolve(catalogue::APT, &names, &installed, recommends, 1_024);
            for u in &unknown {
                sh.note(
                    "apt-get",
                    format!("{u} is not in the simulator's catalogue; installed a 1 MB stand-in"),
                );
            }
            let extra = all.iter().filter(|n| !names.contains(n)).count();
            if pkgs.is_empty() {
                sh.outln("0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.");
                return 0;
            }
            let total_kb: u64 = pkgs.iter().map(|p| p.size_kb).sum();
            if extra > 0 {
                sh.outln("The following additional packages will be installed:");
                let extra_names: Vec<&str> = all
                    .iter()
                    .filter(|n| !names.contains(n))
                    .map(String::as_str)
                    .collect();
                sh.outln(&format!("  {}", extra_names.join(" ")));
            }
            sh.outln("The following NEW packages will be installed:");
            sh.outln(&format!("  {}", all.join(" ")));
            sh.outln(&format!(
                "0 upgraded, {} newly installed, 0 to remove and 0 not upgraded.",
                pkgs.len()
            ));
            sh.outln(&format!(
                "Need to get {} of archives.",
                human_kb(total_kb / 3)
            ));
            sh.outln(&format!(
                "After this operation, {} of additional disk space will be used.",
                human_kb(total_kb)
            ));
            if extra > 0 && !quiet_yes {
                sh.outln("Do you want to continue? [Y/n] Abort.");
                sh.note("apt-get", "without -y, apt-get asks for confirmation and a build cannot answer, so it aborts");
                return 1;
            }
            let mut status = sh.read_text("/var/lib/dpkg/status").unwrap_or_default();
            for (pkg, name) in pkgs.iter().zip(&all) {
                let files = os_package_files(name, pkg, false);
                let mut list = String::new();
                for (path, size, mode) in &files {
                    sh.put_synthetic(path, *size, *mode);
                    let _ = writeln!(list, "{path}");
                }
                sh.put_text(&format!("/var/lib/dpkg/info/{name}.list"), &list);
                sh.put_text(
                    &format!("/var/lib/dpkg/info/{name}.md5sums"),
                    &list.replace('/', " /"),
                );
                let _ = write!(
                    status,
                    "Package: {name}\nStatus: install ok installed\nInstalled-Size: {}\nVersion: {}\n\n",
                    pkg.size_kb, pkg.version
                );
                sh.outln(&format!("Setting up {name} ({}) ...", pkg.version));
            }
            sh.put_text("/var/lib/dpkg/status", &status);
            sh.append_text(
                "/var/log/dpkg.log",
                &all.iter()
                    .map(|n| format!("status installed {n}\n"))
                    .collect::<String>(),
            );
            sh.append_text(
                "/var/log/apt/history.log",
                &format!("Install: {}\n", all.join(", ")),
            );
            sh.put_synthetic("/var/log/apt/eipp.log.xz", 4_000 + total_kb % 9_000, 0o644);
            sh.put_synthetic(
                "/var/cache/debconf/templates.dat",
                600_000 + total_kb * 3,
                0o644,
            );
            sh.seconds += total_kb as f64 / 3.0 / KIB_PER_SECOND + 0.2 * pkgs.len() as f64;
            0
        }
        "remove" | "purge" | "autoremove" => {
            for n in &ops[1..] {
                let list = sh
                    .read_text(&format!("/var/lib/dpkg/info/{n}.list"))
                    .unwrap_or_default();
                for path in list.lines() {
                    let _ = sh.fs.remove(path);
                }
                let _ = sh.fs.remove(&format!("/var/lib/dpkg/info/{n}.list"));
                let _ = sh.fs.remove(&format!("/var/lib/dpkg/info/{n}.md5sums"));
                let status = sh.read_text("/var/lib/dpkg/status").unwrap_or_default();
                let kept: Vec<&str> = status
                    .split("\n\n")
                    .filter(|s| !s.starts_with(&format!("Package: {n}\n")))
                    .collect();
                sh.put_text("/var/lib/dpkg/status", &kept.join("\n\n"));
                sh.outln(&format!("Removing {n} ..."));
            }
            0
        }
        "clean" | "autoclean" => {
            for dir in ["/var/cache/apt/archives"] {
                if let Ok(entries) = sh.fs.read_dir(dir) {
                    let debs: Vec<String> = entries
                        .iter()
                        .filter(|(n, _)| has_suffix(n, ".deb"))
                        .map(|(n, _)| format!("{dir}/{n}"))
                        .collect();
                    for d in debs {
                        let _ = sh.fs.remove(&d);
                    }
                }
            }
            for f in [
                "/var/cache/apt/pkgcache.bin",
                "/var/cache/apt/srcpkgcache.bin",
            ] {
                let _ = sh.fs.remove(f);
            }
            0
        }
        "upgrade" | "dist-upgrade" | "full-upgrade" => {
            sh.outln("0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.");
            0
        }
        other => {
            sh.note(
                "apt-get",
                format!("`apt-get {other}` is not simulated; nothing changed"),
            );
            0
        }
    }
}

pub(crate) fn apk(sh: &mut Shell<'_>, args: &[String]) -> i32 {
    let (flags, ops): (Vec<&String>, Vec<&String>) = args.iter().partition(|a| a.starts_with('-'));
    let no_cache = flags.iter().any(|f| *f == "--no-cache");
    let mut virtual_name: Option<String> = None;
    let mut names: Vec<String> = Vec::new();
    let mut it = args.iter();
    let sub = ops.first().map_or("", |s| s.as_str());
    while let Some(a) = it.next() {
        if a == "--virtual" || a == "-t" {
            virtual_name = it.next().cloned();
        } else if !a.starts_with('-') && a != sub {
            names.push(a.split(['=', '>', '<', '~']).next().unwrap_or(a).to_owned());
        }
    }
    let write_index = |sh: &mut Shell<'_>| {
        sh.put_synthetic("/var/cache/apk/APKINDEX.d1a3b5c7.tar.gz", 650 * 1024, 0o644);
        sh.put_synthetic(
            "/var/cache/apk/APKINDEX.e2f4a6b8.tar.gz",
            1_300 * 1024,
            0o644,
        );
    };
    match sub {
        "update" => {
            if sh.offline("dl-cdn.alpinelinux.org") {
                return 1;
            }
            write_index(sh);
            sh.outln(
                "fetch https://dl-cdn.alpinelinux.org/alpine/v3.20/main/x86_64/APKINDEX.tar.gz",
            );
            sh.outln("fetch https://dl-cdn.alpinelinux.org/alpine/v3.20/community/x86_64/APKINDEX.tar.gz");
            sh.outln("OK: 24000 distinct packages available");
            0
        }
        "add" => {
            if sh.offline("dl-cdn.alpinelinux.org") {
                return 1;
            }
            if !no_cache {
                write_index(sh);
            }
            let db = sh.read_text("/lib/apk/db/installed").unwrap_or_default();
            let installed: BTreeSet<String> = db
                .lines()
                .filter_map(|l| l.strip_prefix("P:").map(str::to_owned))
                .collect();
            let (pkgs, unknown, all) = resolve(catalogue::APK, &names, &installed, false, 512);
            for u in &unknown {
                sh.note(
                    "apk",
                    format!("{u} is not in the simulator's catalogue; installed a 512 kB stand-in"),
                );
            }
            let mut db_text = db;
            for (i, (pkg, name)) in pkgs.iter().zip(&all).enumerate() {
                sh.outln(&format!(
                    "({}/{}) Installing {name} ({})",
                    i + 1,
                    pkgs.len(),
                    pkg.version
                ));
                let files = os_package_files(name, pkg, true);
                let _ = writeln!(
                    db_text,
                    "C:Q1{:x}=\nP:{name}\nV:{}\nI:{}",
                    seed(name),
                    pkg.version,
                    pkg.size_kb * 1024
                );
                for (path, size, mode) in &files {
                    sh.put_synthetic(path, *size, *mode);
                    let _ = writeln!(db_text, "R:{}", path.trim_start_matches('/'));
                }
                db_text.push('\n');
            }
            let total: u64 = pkgs.iter().map(|p| p.size_kb).sum();
            sh.put_text("/lib/apk/db/installed", &db_text);
            let mut world = sh.read_text("/etc/apk/world").unwrap_or_default();
            match &virtual_name {
                Some(v) => {
                    let _ = writeln!(world, "{v}");
                    sh.append_text(
                        "/lib/apk/db/installed",
                        &format!("P:{v}\nV:20240101.000000\nD:{}\n\n", names.join(" ")),
                    );
                }
                None => {
                    for n in &names {
                        let _ = writeln!(world, "{n}");
                    }
                }
            }
            sh.put_text("/etc/apk/world", &world);
            sh.put_synthetic(
                "/lib/apk/db/scripts.tar",
                10_240 + 512 * pkgs.len() as u64,
                0o644,
            );
            sh.outln(&format!(
                "OK: {} MiB in {} packages",
                total / 1024 + 7,
                pkgs.len() + 15
            ));
            sh.seconds += total as f64 / 3.0 / KIB_PER_SECOND + 0.1 * pkgs.len() as f64;
            0
        }
        "del" => {
            let db = sh.read_text("/lib/apk/db/installed").unwrap_or_default();
            let mut targets: BTreeSet<String> = names.iter().cloned().collect();
            // A virtual package removes what it pulled in.
            for block in db.split("\n\n") {
                if let Some(name) = block.lines().find_map(|l| l.strip_prefix("P:"))
                    && targets.contains(name)
                    && let Some(deps) = block.lines().find_map(|l| l.strip_prefix("D:"))
                {
                    targets.extend(deps.split_whitespace().map(str::to_owned));
                }
            }
            let mut kept = Vec::new();
            for block in db.split("\n\n") {
                let name = block
                    .lines()
                    .find_map(|l| l.strip_prefix("P:"))
                    .unwrap_or("");
                if targets.contains(name) {
                    for r in block.lines().filter_map(|l| l.strip_prefix("R:")) {
                        let _ = sh.fs.remove(&format!("/{r}"));
                    }
                    sh.outln(&format!("Purging {name}"));
                } else if !block.trim().is_empty() {
                    kept.push(block);
                }
            }
            let mut text = kept.join("\n\n");
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            sh.put_text("/lib/apk/db/installed", &text);
            let world = sh.read_text("/etc/apk/world").unwrap_or_default();
            let world: String = world
                .lines()
                .filter(|l| !targets.contains(*l))
                .map(|l| format!("{l}\n"))
                .collect();
            sh.put_text("/etc/apk/world", &world);
            0
        }
        "cache" if ops.get(1).is_some_and(|s| *s == "clean") => {
            let _ = sh.fs.remove_all("/var/cache/apk");
            let _ = sh
                .fs
                .create_dir_all("/var/cache/apk", &Metadata::dir().with_mtime(sh.mtime));
            0
        }
        other => {
            sh.note(
                "apk",
                format!("`apk {other}` is not simulated; nothing changed"),
            );
            0
        }
    }
}

/// `site-packages` of the image's Python, if it has one.
fn site_packages(sh: &Shell<'_>) -> Option<String> {
    for base in ["/usr/local/lib", "/usr/lib"] {
        if let Ok(entries) = sh.fs.read_dir(base) {
            let mut dirs: Vec<&str> = entries
                .iter()
                .filter(|(n, e)| n.starts_with("python3.") && e.kind() == Kind::Dir)
                .map(|(n, _)| *n)
                .collect();
            dirs.sort_unstable();
            if let Some(d) = dirs.last() {
                let sub = if base == "/usr/lib" {
                    "dist-packages"
                } else {
                    "site-packages"
                };
                let path = if base == "/usr/lib" {
                    "/usr/lib/python3/dist-packages".to_owned()
                } else {
                    format!("{base}/{d}/{sub}")
                };
                return Some(path);
            }
        }
    }
    None
}

fn requirements(sh: &mut Shell<'_>, file: &str, out: &mut Vec<String>, depth: usize) {
    let path = sh.abs(file);
    let Some(text) = sh.read_text(&path) else {
        sh.errln(&format!(
            "ERROR: Could not open requirements file: [Errno 2] No such file or directory: '{file}'"
        ));
        return;
    };
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(inner) = line.strip_prefix("-r ") {
            if depth < 8 {
                requirements(sh, inner.trim(), out, depth + 1);
            }
            continue;
        }
        if line.starts_with('-') {
            continue;
        }
        out.push(line.to_owned());
    }
}

pub(crate) fn pip(sh: &mut Shell<'_>, args: &[String]) -> i32 {
    if !sh.has_program(&["pip", "pip3"]) {
        return sh.not_found("pip");
    }
    let Some(sub) = args.iter().find(|a| !a.starts_with('-')) else {
        return 0;
    };
    if sub != "install" {
        if sub == "cache" && args.iter().any(|a| a == "purge") {
            let home = sh.get_var("HOME").unwrap_or_else(|| "/root".to_owned());
            let _ = sh.fs.remove_all(&format!("{home}/.cache/pip"));
            return 0;
        }
        sh.note(
            "pip",
            format!("`pip {sub}` is not simulated; nothing changed"),
        );
        return 0;
    }
    let mut specs = Vec::new();
    let mut no_cache = sh
        .get_var("PIP_NO_CACHE_DIR")
        .is_some_and(|v| !v.is_empty() && v != "0" && v != "false");
    let mut it = args.iter().skip_while(|a| *a != "install").skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "-r" | "--requirement" => {
                if let Some(f) = it.next() {
                    let f = f.clone();
                    requirements(sh, &f, &mut specs, 0);
                }
            }
            "--no-cache-dir" => no_cache = true,
            "-t" | "--target" | "-c" | "--constraint" | "-i" | "--index-url" => {
                it.next();
            }
            s if s.starts_with('-') => {}
            _ => specs.push(a.clone()),
        }
    }
    if specs.is_empty() {
        sh.errln("ERROR: You must give at least one requirement to install");
        return 1;
    }
    if sh.offline("pypi.org") {
        return 1;
    }
    let Some(site) = site_packages(sh) else {
        return sh.not_found("python3");
    };
    let names: Vec<String> = specs
        .iter()
        .map(|s| {
            s.split(['=', '>', '<', '~', '!', '[', ';', ' '])
                .next()
                .unwrap_or(s)
                .to_lowercase()
        })
        .filter(|s| !s.is_empty() && s != ".")
        .collect();
    let installed: BTreeSet<String> = sh
        .fs
        .read_dir(&site)
        .map(|v| {
            v.iter()
                .filter_map(|(n, _)| n.strip_suffix(".dist-info"))
                .filter_map(|n| {
                    n.rsplit_once('-')
                        .map(|(a, _)| a.to_lowercase().replace('_', "-"))
                })
                .collect()
        })
        .unwrap_or_default();
    let (pkgs, unknown, all) = resolve(catalogue::PIP, &names, &installed, false, 500);
    for u in &unknown {
        sh.note(
            "pip",
            format!("{u} is not in the simulator's catalogue; installed a 500 kB stand-in"),
        );
    }
    let home = sh.get_var("HOME").unwrap_or_else(|| "/root".to_owned());
    let bin = if site.starts_with("/usr/local") {
        "/usr/local/bin"
    } else {
        "/usr/bin"
    };
    for (pkg, name) in pkgs.iter().zip(&all) {
        sh.outln(&format!("Collecting {name}"));
        let module = name.replace('-', "_");
        let size = pkg.size_kb * 1024;
        let parts = (size / (200 * 1024)).clamp(1, 12);
        for k in 0..parts {
            let file = if k == 0 {
                "__init__.py".to_owned()
            } else {
                format!("module{k}.py")
            };
            sh.put_synthetic(&format!("{site}/{module}/{file}"), size / parts, 0o644);
        }
        let info = format!("{site}/{module}-{}.dist-info", pkg.version);
        sh.put_text(
            &format!("{info}/METADATA"),
            &format!(
                "Metadata-Version: 2.1\nName: {name}\nVersion: {}\n",
                pkg.version
            ),
        );
        sh.put_text(&format!("{info}/INSTALLER"), "pip\n");
        sh.put_text(
            &format!("{info}/RECORD"),
            &format!("{module}/__init__.py,,\n"),
        );
        for b in pkg.bins {
            sh.put_text(
                &format!("{bin}/{b}"),
                &format!(
                    "#!{bin}/python3\nimport sys\nfrom {module} import main\nsys.exit(main())\n"
                ),
            );
            let _ = sh
                .fs
                .update_metadata(&format!("{bin}/{b}"), |m| m.mode = 0o755);
        }
        if !no_cache {
            sh.put_synthetic(
                &format!(
                    "{home}/.cache/pip/http-v2/{:x}/{name}.body",
                    seed(name) % 4096
                ),
                size * 2 / 5,
                0o600,
            );
        }
    }
    sh.outln(&format!(
        "Successfully installed {}",
        all.iter()
            .zip(&pkgs)
            .map(|(n, p)| format!("{n}-{}", p.version))
            .collect::<Vec<_>>()
            .join(" ")
    ));
    let total: u64 = pkgs.iter().map(|p| p.size_kb).sum();
    sh.seconds += total as f64 / 2.0 / KIB_PER_SECOND + 0.3 * pkgs.len() as f64;
    0
}

fn package_json_deps(text: &str, dev: bool) -> Vec<String> {
    let mut out = Vec::new();
    for section in if dev {
        &["\"dependencies\"", "\"devDependencies\""][..]
    } else {
        &["\"dependencies\""][..]
    } {
        let Some(start) = text.find(section) else {
            continue;
        };
        let rest = &text[start + section.len()..];
        let Some(open) = rest.find('{') else { continue };
        let Some(close) = rest[open..].find('}') else {
            continue;
        };
        let body = &rest[open + 1..open + close];
        for entry in body.split(',') {
            if let Some(name) = entry.split(':').next() {
                let name = name.trim().trim_matches('"');
                if !name.is_empty() {
                    out.push(name.to_owned());
                }
            }
        }
    }
    out
}

pub(crate) fn npm(sh: &mut Shell<'_>, args: &[String]) -> i32 {
    if !sh.has_program(&["npm"]) {
        return sh.not_found("npm");
    }
    let ops: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let sub = ops.first().map_or("", |s| s.as_str());
    let home = sh.get_var("HOME").unwrap_or_else(|| "/root".to_owned());
    match sub {
        "install" | "i" | "ci" | "add" => {
            let cwd = sh.cwd.clone();
            let pj = format!("{}/package.json", cwd.trim_end_matches('/'));
            let lock = format!("{}/package-lock.json", cwd.trim_end_matches('/'));
            let production = args
                .iter()
                .any(|a| a == "--production" || a == "--omit=dev" || a == "--only=production")
                || sh.get_var("NODE_ENV").as_deref() == Some("production");
            let mut names: Vec<String> = ops[1..]
                .iter()
                .map(|s| {
                    s.rsplit_once('@')
                        .filter(|(n, _)| !n.is_empty())
                        .map_or(s.as_str(), |(n, _)| n)
                        .to_owned()
                })
                .collect();
            if sub == "ci" && !sh.fs.exists(&lock) {
                sh.errln("npm ERR! code EUSAGE");
                sh.errln("npm ERR! The `npm ci` command can only install with an existing package-lock.json");
                return 1;
            }
            if names.is_empty() {
                let Some(text) = sh.read_text(&pj) else {
                    sh.errln(&format!(
                        "npm ERR! enoent Could not read package.json: no such file: '{pj}'"
                    ));
                    return 254;
                };
                names = package_json_deps(&text, !production);
            }
            if sh.offline("registry.npmjs.org") {
                return 1;
            }
            if sub == "ci" {
                let _ = sh
                    .fs
                    .remove_all(&format!("{}/node_modules", cwd.trim_end_matches('/')));
            }
            let nm = format!("{}/node_modules", cwd.trim_end_matches('/'));
            let installed: BTreeSet<String> = sh
                .fs
                .read_dir(&nm)
                .map(|v| v.iter().map(|(n, _)| (*n).to_owned()).collect())
                .unwrap_or_default();
            let (pkgs, unknown, all) = resolve(catalogue::NPM, &names, &installed, false, 300);
            for u in &unknown {
                sh.note(
                    "npm",
                    format!("{u} is not in the simulator's catalogue; installed a 300 kB stand-in"),
                );
            }
            for (pkg, name) in pkgs.iter().zip(&all) {
                let dir = format!("{nm}/{name}");
                sh.put_text(
                    &format!("{dir}/package.json"),
                    &format!("{{\"name\":\"{name}\",\"version\":\"{}\"}}\n", pkg.version),
                );
                let size = pkg.size_kb * 1024;
                let parts = (size / (150 * 1024)).clamp(1, 16);
                for k in 0..parts {
                    sh.put_synthetic(&format!("{dir}/lib/part{k}.js"), size / parts, 0o644);
                }
                for b in pkg.bins {
                    let _ = sh.fs.create_dir_all(
                        &format!("{nm}/.bin"),
                        &Metadata::dir().with_mtime(sh.mtime),
                    );
                    let _ = sh.fs.symlink(
                        &format!("{nm}/.bin/{b}"),
                        &format!("../{name}/bin/{b}.js"),
                        Metadata::symlink().with_mtime(sh.mtime),
                    );
                }
                sh.put_synthetic(
                    &format!(
                        "{home}/.npm/_cacache/content-v2/sha512/{:02x}/{name}",
                        seed(name) % 256
                    ),
                    size * 3 / 10,
                    0o644,
                );
            }
            if !sh.fs.exists(&lock) && sh.fs.exists(&pj) {
                let deps: String = all
                    .iter()
                    .zip(&pkgs)
                    .map(|(n, p)| {
                        format!(
                            "    \"node_modules/{n}\": {{ \"version\": \"{}\" }},\n",
                            p.version
                        )
                    })
                    .collect();
                sh.put_text(
                    &lock,
                    &format!("{{\n  \"lockfileVersion\": 3,\n  \"packages\": {{\n{deps}  }}\n}}\n"),
                );
            }
            sh.put_synthetic(&format!("{home}/.npm/_logs/debug-0.log"), 4_096, 0o644);
            sh.outln(&format!("added {} packages in 3s", pkgs.len()));
            let total: u64 = pkgs.iter().map(|p| p.size_kb).sum();
            sh.seconds += total as f64 / 3.0 / KIB_PER_SECOND + 1.0;
            0
        }
        "cache" if ops.get(1).is_some_and(|s| *s == "clean") => {
            let _ = sh.fs.remove_all(&format!("{home}/.npm/_cacache"));
            0
        }
        _ => {
            sh.note(
                "npm",
                format!(
                    "`npm {}` is not simulated (scripts do not run); nothing changed",
                    args.join(" ")
                ),
            );
            0
        }
    }
}

pub(crate) fn yarn(sh: &mut Shell<'_>, args: &[String]) -> i32 {
    if args.is_empty() || args.first().is_some_and(|a| a == "install") {
        let mut npm_args = vec!["install".to_owned()];
        npm_args.extend(args.iter().skip(1).cloned());
        if !sh.has_program(&["yarn"]) {
            return sh.not_found("yarn");
        }
        let path_has_npm = sh.has_program(&["npm"]);
        if path_has_npm {
            return npm(sh, &npm_args);
        }
    }
    sh.note(
        "yarn",
        "this yarn command is not simulated; nothing changed",
    );
    0
}

pub(crate) fn go(sh: &mut Shell<'_>, args: &[String]) -> i32 {
    if !sh.has_program(&["go"]) {
        return sh.not_found("go");
    }
    let sub = args.first().map_or("", String::as_str);
    let home = sh.get_var("HOME").unwrap_or_else(|| "/root".to_owned());
    let gopath = sh.get_var("GOPATH").unwrap_or_else(|| "/go".to_owned());
    let cwd = sh.cwd.clone();
    let gomod = sh
        .read_text(&format!("{}/go.mod", cwd.trim_end_matches('/')))
        .unwrap_or_default();
    let requires: Vec<String> = gomod
        .lines()
        .map(str::trim)
        .filter(|l| l.contains(" v") && !l.starts_with("module") && !l.starts_with("go "))
        .map(|l| {
            l.trim_start_matches("require")
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .filter(|s| !s.is_empty() && s != "(")
        .collect();
    match sub {
        "mod" if args.get(1).is_some_and(|a| a == "download" || a == "tidy") => {
            if sh.offline("proxy.golang.org") {
                return 1;
            }
            for r in &requires {
                sh.put_synthetic(
                    &format!("{gopath}/pkg/mod/cache/download/{r}/@v/list.zip"),
                    250_000,
                    0o644,
                );
                sh.put_synthetic(
                    &format!("{gopath}/pkg/mod/{r}@v1/module.go"),
                    400_000,
                    0o444,
                );
            }
            0
        }
        "build" | "install" => {
            let mut out: Option<String> = None;
            let mut pkgs = Vec::new();
            let mut it = args.iter().skip(1);
            while let Some(a) = it.next() {
                if a == "-o" {
                    out = it.next().cloned();
                } else if a == "-ldflags" || a == "-tags" || a == "-gcflags" {
                    it.next();
                } else if !a.starts_with('-') {
                    pkgs.push(a.clone());
                }
            }
            let pkg_dir = match pkgs.first() {
                Some(p) => sh.abs(p.trim_end_matches("/...")),
                None => cwd.clone(),
            };
            let go_files: Vec<u64> = sh
                .fs
                .walk_from(&pkg_dir)
                .map(|w| {
                    w.filter(|(p, e)| {
                        has_suffix(p, ".go") && !p.ends_with("_test.go") && e.kind() == Kind::File
                    })
                    .map(|(_, e)| e.size())
                    .collect()
                })
                .unwrap_or_default();
            if go_files.is_empty() {
                sh.errln(&format!("no Go files in {pkg_dir}"));
                return 1;
            }
            let module = gomod
                .lines()
                .find_map(|l| l.strip_prefix("module "))
                .map_or_else(|| pkg_dir.clone(), |m| m.trim().to_owned());
            let name = module.rsplit('/').next().unwrap_or("main").to_owned();
            let target = match out {
                Some(o) => {
                    let p = sh.abs(&o);
                    if sh.fs.stat(&p).is_ok_and(|e| e.kind() == Kind::Dir) {
                        format!("{}/{name}", p.trim_end_matches('/'))
                    } else {
                        p
                    }
                }
                None if sub == "install" => format!("{gopath}/bin/{name}"),
                None => format!("{}/{name}", cwd.trim_end_matches('/')),
            };
            let source: u64 = go_files.iter().sum();
            let size = 1_800_000 + source * 12 + requires.len() as u64 * 600_000;
            sh.put_synthetic(&target, size, 0o755);
            let _ = sh.fs.update_metadata(&target, |m| {
                m.uid = 0;
            });
            sh.put_synthetic(
                &format!(
                    "{home}/.cache/go-build/{:02x}/{:016x}-d",
                    seed(&target) % 256,
                    seed(&module)
                ),
                size * 3 / 2,
                0o644,
            );
            sh.put_text(&format!("{home}/.cache/go-build/trim.txt"), "1700000000\n");
            sh.seconds += 2.0 + go_files.len() as f64 * 0.05;
            0
        }
        _ => {
            sh.note(
                "go",
                format!("`go {sub}` is not simulated; nothing changed"),
            );
            0
        }
    }
}
