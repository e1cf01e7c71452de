//! The build stages as a graph (SVG): one box per stage, top to bottom in Dockerfile order,
//! and an edge for each `FROM <stage>`, `COPY --from` and `RUN --mount=from=`. Stages the
//! target does not need are dimmed and labelled "skipped".

use std::fmt::Write as _;
use std::rc::Rc;

use yew::prelude::*;

use crate::analysis::{Analysis, StageRow, needed_stages};

#[derive(Debug, Properties, PartialEq)]
pub(crate) struct StageGraphProps {
    pub(crate) analysis: Rc<Analysis>,
    /// The target (a stage name or index); `None` is the last stage.
    pub(crate) target: Option<AttrValue>,
}

const BOX_W: i32 = 300;
const BOX_H: i32 = 44;
const GAP: i32 = 26;
const LEFT: i32 = 20;

/// The index of `target` among `stages` (by name or number); the last stage when `None` or
/// unknown.
pub(crate) fn target_index(stages: &[StageRow], target: Option<&str>) -> usize {
    let last = stages.len().saturating_sub(1);
    target.map_or(last, |t| {
        let lower = t.to_lowercase();
        stages
            .iter()
            .position(|s| s.name.as_deref() == Some(lower.as_str()))
            .or_else(|| t.parse().ok().filter(|&i| i <= last))
            .unwrap_or(last)
    })
}

fn top(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX / 2) * (BOX_H + GAP) + 10
}

#[function_component]
pub(crate) fn StageGraph(props: &StageGraphProps) -> Html {
    let stages = &props.analysis.stages;
    if stages.is_empty() {
        return html! {
            <section class="pane"><h2 class="pane-title">{ "Stages" }</h2><p class="empty">{ "No stage: the Dockerfile has no FROM." }</p></section>
        };
    }
    let target = target_index(stages, props.target.as_deref());
    let needed = needed_stages(stages, target);
    let height = top(stages.len());
    // Edges curve out to the right, further for longer jumps, so they do not overlap.
    let edges = stages.iter().enumerate().flat_map(|(i, stage)| {
        stage
            .needs
            .iter()
            .map(move |edge| (edge.stage, i, edge.via.clone()))
    });
    html! {
        <section class="pane" aria-labelledby="stages-title">
            <h2 id="stages-title" class="pane-title">{ "Stages" }<span class="count">{ stages.len() }</span></h2>
            <svg
                class="stage-graph"
                data-testid="stage-graph"
                role="img"
                aria-label={format!("{} stages; building {}", stages.len(), stages[target].label(target))}
                viewBox={format!("0 0 {} {height}", BOX_W + LEFT + 170)}
                width={(BOX_W + LEFT + 170).to_string()}
                height={height.to_string()}
            >
                <defs>
                    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head" />
                    </marker>
                </defs>
                { for edges.map(|(from, to, via)| {
                    let (y1, y2) = (top(from) + BOX_H / 2, top(to) + BOX_H / 2);
                    let reach = 30 + 18 * i32::try_from(to - from).unwrap_or(8).min(8);
                    let x = LEFT + BOX_W;
                    let mut d = String::new();
                    let _ = write!(d, "M {x} {y1} C {} {y1}, {} {y2}, {x} {y2}", x + reach, x + reach);
                    let skipped = !needed[to];
                    html! {
                        <g class={classes!("edge", skipped.then_some("skipped"))} data-testid="stage-edge" data-from={from.to_string()} data-to={to.to_string()} data-via={via.clone()}>
                            <path d={d} marker-end="url(#arrow)" />
                            <text x={(x + reach / 2 + 6).to_string()} y={(i32::midpoint(y1, y2) + 4).to_string()}>{ via }</text>
                        </g>
                    }
                }) }
                { for stages.iter().enumerate().map(|(i, stage)| {
                    let skipped = !needed[i];
                    let y = top(i);
                    html! {
                        <g
                            class={classes!("stage", skipped.then_some("skipped"), (i == target).then_some("target"))}
                            data-testid="stage"
                            data-name={stage.label(i)}
                            data-skipped={skipped.to_string()}
                        >
                            <rect x={LEFT.to_string()} y={y.to_string()} width={BOX_W.to_string()} height={BOX_H.to_string()} rx="6" />
                            <text class="stage-name" x={(LEFT + 10).to_string()} y={(y + 18).to_string()}>
                                { format!("{}{}", stage.label(i), if i == target { " (target)" } else if skipped { " — skipped" } else { "" }) }
                            </text>
                            <text class="stage-base" x={(LEFT + 10).to_string()} y={(y + 35).to_string()}>
                                { format!("FROM {} · line {}", stage.base, stage.line) }
                            </text>
                        </g>
                    }
                }) }
            </svg>
            <p class="hint">{ "Stages the target does not need are skipped, as BuildKit does. Pick the target in the Build tab." }</p>
        </section>
    }
}
