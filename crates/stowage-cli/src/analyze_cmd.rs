//! `stowage analyze IMAGE`: dive's report over an image of the local store — efficiency,
//! wasted bytes, user-wasted percent and the files stored more than once — and, with `--ci`,
//! dive's CI rules with a non-zero exit when one fails (`dive --ci`).

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use serde_json::json;
use stowage_oci::analysis::{self, CiRules};

use crate::image_cmd::engine;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum AnalyzeFormat {
    /// dive's CI report.
    Text,
    /// One JSON object.
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct AnalyzeArgs {
    /// The image (name or ID).
    image: String,
    /// Evaluate the CI rules and exit with 1 when one fails.
    #[arg(long)]
    ci: bool,
    /// CI rule: the lowest allowed efficiency, 0–1 (`disabled` turns it off).
    #[arg(long, default_value = "0.9", value_name = "RATIO")]
    lowest_efficiency: String,
    /// CI rule: the most bytes that may be wasted (`20MB`, `1GiB`; `disabled` turns it off).
    #[arg(long, default_value = "disabled", value_name = "SIZE")]
    highest_wasted_bytes: String,
    /// CI rule: the highest allowed ratio of wasted bytes to the bytes the image's own layers
    /// add, 0–1 (`disabled` turns it off).
    #[arg(long, default_value = "0.1", value_name = "RATIO")]
    highest_user_wasted_percent: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AnalyzeFormat::Text)]
    format: AnalyzeFormat,
}

#[expect(clippy::print_stdout, reason = "command output")]
pub(crate) fn analyze_command(args: &AnalyzeArgs, root: Option<&Path>) -> Result<ExitCode> {
    let rules = CiRules::parse(
        &args.lowest_efficiency,
        &args.highest_wasted_bytes,
        &args.highest_user_wasted_percent,
    )?;
    let engine = engine(root)?;
    let layers = engine.layers(&args.image)?;
    if let Some(e) = engine.images.take_error() {
        return Err(e.into());
    }
    let analysis = analysis::analyze(layers.iter().map(|l| &**l))
        .with_context(|| format!("analysing {}", args.image))?;
    let report = rules.evaluate(&analysis);
    let failed = args.ci && !report.passed();
    match args.format {
        AnalyzeFormat::Text => {
            let text = report.to_string();
            println!("Image: {}", args.image);
            println!(
                "  {:<18} {} ({} layers)",
                "totalSize:",
                analysis::format_bytes(analysis.size),
                analysis.layers.len()
            );
            if args.ci {
                println!("{text}");
            } else {
                // Without --ci, the analysis and the files, not the rules.
                let analysis_part = text.split("\nEvaluation:").next().unwrap_or(&text);
                print!("{analysis_part}");
            }
        }
        AnalyzeFormat::Json => {
            let layers: Vec<_> = analysis
                .layers
                .iter()
                .map(|l| {
                    let (added, modified, removed) = l.counts();
                    json!({
                        "index": l.index,
                        "size": l.size,
                        "added": added,
                        "modified": modified,
                        "removed": removed,
                    })
                })
                .collect();
            let files: Vec<_> = analysis
                .inefficient_files
                .iter()
                .map(
                    |f| json!({"path": f.path, "count": f.count, "wastedBytes": f.cumulative_size}),
                )
                .collect();
            let mut out = json!({
                "image": args.image,
                "size": analysis.size,
                "userSize": analysis.user_size,
                "efficiency": analysis.efficiency,
                "wastedBytes": analysis.wasted_bytes,
                "userWastedPercent": analysis.user_wasted_percent,
                "inefficientFiles": files,
                "layers": layers,
            });
            if args.ci {
                let rules: Vec<_> = report
                    .results
                    .iter()
                    .map(|r| json!({"rule": r.key, "status": r.status.as_str(), "message": r.message}))
                    .collect();
                out["rules"] = json!(rules);
                out["passed"] = json!(!failed);
            }
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
