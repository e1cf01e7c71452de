//! One component per file; each takes plain props and knows nothing of the core.

pub(crate) mod build_steps;
pub(crate) mod context_panel;
pub(crate) mod diagnostic_list;
mod editor;
pub(crate) mod finding_list;
pub(crate) mod instruction_list;
pub(crate) mod layer_list;
mod rule_doc;
mod rule_panel;

pub(crate) use build_steps::BuildSteps;
pub(crate) use context_panel::ContextPanel;
pub(crate) use diagnostic_list::DiagnosticList;
pub(crate) use editor::Editor;
pub(crate) use finding_list::FindingList;
pub(crate) use instruction_list::InstructionList;
pub(crate) use layer_list::LayerList;
pub(crate) use rule_doc::RuleDoc;
pub(crate) use rule_panel::RulePanel;
