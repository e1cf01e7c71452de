//! One component per file; each takes plain props and knows nothing of the core.

mod diagnostic_list;
mod editor;
mod finding_list;
mod instruction_list;
mod rule_doc;

pub(crate) use diagnostic_list::DiagnosticList;
pub(crate) use editor::Editor;
pub(crate) use finding_list::FindingList;
pub(crate) use instruction_list::InstructionList;
pub(crate) use rule_doc::RuleDoc;
