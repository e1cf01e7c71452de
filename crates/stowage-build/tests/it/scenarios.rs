//! Scenario folders under `tests/scenarios/<name>/`: `Dockerfile`, `context/`, `steps.txt`.
//!
//! `steps.txt` lines: `build [--build-arg K=V] [--target T] [--no-cache] [-t TAG]`,
//! `write PATH TEXT` (`\n` for newlines; bumps the mtime), `touch PATH` (mtime only),
//! `rm PATH`, `dockerfile OLD => NEW` (edit the Dockerfile), and
//! `expect N STATUS [REASON TEXT]` (step N, 1-based, of the last build). The report of every
//! build (statuses, reasons, layer contents, image IDs) is snapshotted; the scenario runs
//! twice and both reports must be identical (stable digests).

use std::fmt::Write as _;
use std::path::Path;

use stowage_build::{BuildRequest, BuildResult};
use stowage_vfs::{Content, Metadata};

use crate::util::{Sim, load_dir};

fn report(out: &mut String, r: &BuildResult) {
    for (i, s) in r.steps.iter().enumerate() {
        let _ = writeln!(out, "{:>2}. {:<6} {}", i + 1, s.status.as_str(), s.id);
        let _ = writeln!(out, "      why: {}", s.reason);
        for d in &s.details {
            let _ = writeln!(out, "      also: {d}");
        }
        for n in &s.notes {
            let _ = writeln!(out, "      note: {n}");
        }
        if let Some(l) = &s.layer {
            let _ = writeln!(
                out,
                "      layer {} ({} B, {} entries)",
                &l.diff_id[..19],
                l.size,
                l.changes.len()
            );
            for c in l.changes.iter().take(12) {
                let _ = writeln!(out, "        {c}");
            }
            if l.changes.len() > 12 {
                let _ = writeln!(out, "        … {} more", l.changes.len() - 12);
            }
        }
    }
    for d in &r.diagnostics {
        let _ = writeln!(out, "error: {}", d.message);
    }
    let _ = writeln!(out, "image: {}", r.image.as_deref().unwrap_or("(none)"));
}

fn run_scenario(dir: &Path) -> anyhow::Result<String> {
    let mut dockerfile = std::fs::read_to_string(dir.join("Dockerfile"))?;
    let mut context = load_dir(&dir.join("context"))?;
    let steps = std::fs::read_to_string(dir.join("steps.txt"))?;
    let mut sim = Sim::new();
    let mut out = String::new();
    let mut last: Option<BuildResult> = None;
    let mut mtime = 1_700_000_000;
    for (n, line) in steps.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (cmd, rest) = line.split_once(' ').unwrap_or((line, ""));
        match cmd {
            "build" => {
                let words: Vec<&str> = rest.split_whitespace().collect();
                let mut req = BuildRequest::new(&dockerfile, &context);
                req.source_date_epoch = Some(1_700_000_000);
                let mut i = 0;
                while i < words.len() {
                    match words[i] {
                        "--build-arg" => {
                            let (k, v) = words[i + 1].split_once('=').unwrap_or((words[i + 1], ""));
                            req.build_args.insert(k.into(), v.into());
                            i += 1;
                        }
                        "--target" => {
                            req.target = Some(words[i + 1].into());
                            i += 1;
                        }
                        "-t" => {
                            req.tags.push(words[i + 1].into());
                            i += 1;
                        }
                        "--no-cache" => req.no_cache = true,
                        other => anyhow::bail!("line {}: unknown build flag {other}", n + 1),
                    }
                    i += 1;
                }
                let r = sim.build(&req);
                let _ = writeln!(out, "\n$ docker build {rest}");
                report(&mut out, &r);
                last = Some(r);
            }
            "write" => {
                let (path, text) = rest.split_once(' ').unwrap_or((rest, ""));
                mtime += 1;
                let parent =
                    stowage_vfs::path::parent(&stowage_vfs::path::normalize(path)).to_owned();
                context.create_dir_all(&parent, &Metadata::dir())?;
                context.write_file(
                    path,
                    Content::from(text.replace("\\n", "\n").as_str()),
                    Metadata::file().with_mtime(mtime),
                )?;
                let _ = writeln!(out, "\n$ edit {path}");
            }
            "touch" => {
                mtime += 1;
                context.update_metadata(rest, |m| m.mtime = mtime)?;
                let _ = writeln!(out, "\n$ touch {rest}");
            }
            "rm" => {
                context.remove_all(rest)?;
                let _ = writeln!(out, "\n$ rm {rest}");
            }
            "dockerfile" => {
                let (old, new) = rest.split_once(" => ").unwrap_or((rest, ""));
                anyhow::ensure!(
                    dockerfile.contains(old),
                    "line {}: {old:?} not in the Dockerfile",
                    n + 1
                );
                dockerfile = dockerfile.replacen(old, new, 1);
                let _ = writeln!(out, "\n$ edit Dockerfile: {old} => {new}");
            }
            "expect" => {
                let mut parts = rest.splitn(3, ' ');
                let k: usize = parts.next().unwrap_or("0").parse()?;
                let status = parts.next().unwrap_or("");
                let reason = parts.next().unwrap_or("");
                let r = last
                    .as_ref()
                    .ok_or_else(|| anyhow::anyhow!("expect before build"))?;
                let step = r
                    .steps
                    .get(k - 1)
                    .ok_or_else(|| anyhow::anyhow!("line {}: no step {k}", n + 1))?;
                anyhow::ensure!(
                    step.status.as_str() == status,
                    "line {}: step {k} ({}) is {} ({}), expected {status}",
                    n + 1,
                    step.id,
                    step.status.as_str(),
                    step.reason
                );
                anyhow::ensure!(
                    step.reason.contains(reason),
                    "line {}: step {k} reason {:?} does not contain {reason:?}",
                    n + 1,
                    step.reason
                );
            }
            other => anyhow::bail!("line {}: unknown command {other}", n + 1),
        }
    }
    let _ = writeln!(out, "\n$ docker images");
    out.push_str(&sim.engine.images_table(crate::util::NOW + 120));
    if let Some(id) = last.as_ref().and_then(|r| r.image.clone()) {
        let _ = writeln!(out, "\n$ docker history {}", &id[7..19]);
        out.push_str(
            &sim.engine
                .history_table(&id, crate::util::NOW + 120, false)?,
        );
    }
    Ok(out)
}

#[test]
fn scenarios() {
    insta::glob!("../scenarios", "*/steps.txt", |path| {
        let dir = path.parent().expect("scenario folder");
        let first = run_scenario(dir).unwrap_or_else(|e| panic!("{}: {e:#}", dir.display()));
        let second = run_scenario(dir).unwrap_or_else(|e| panic!("{}: {e:#}", dir.display()));
        assert_eq!(
            first,
            second,
            "{}: the report changed between runs",
            dir.display()
        );
        insta::assert_snapshot!(first);
    });
}
