//! One component per file; each takes plain props and knows nothing of the core.

mod diagnostic_list;
mod editor;
mod instruction_list;

pub(crate) use diagnostic_list::DiagnosticList;
pub(crate) use editor::Editor;
pub(crate) use instruction_list::InstructionList;
