//! One component per file; each takes plain props and knows nothing of the core.

pub(crate) mod build_controls;
pub(crate) mod build_log;
pub(crate) mod build_steps;
pub(crate) mod cache_view;
pub(crate) mod context_panel;
pub(crate) mod diagnostic_list;
mod editor;
pub(crate) mod example_picker;
pub(crate) mod finding_list;
mod import_archive;
pub(crate) mod instruction_list;
pub(crate) mod layer_list;
pub(crate) mod results_tabs;
mod rule_doc;
mod rule_panel;
pub(crate) mod stage_graph;
pub(crate) mod terminal;
pub(crate) mod union_browser;

pub(crate) use build_controls::BuildControls;
pub(crate) use build_log::BuildLog;
pub(crate) use build_steps::BuildSteps;
pub(crate) use cache_view::CacheView;
pub(crate) use context_panel::ContextPanel;
pub(crate) use diagnostic_list::DiagnosticList;
pub(crate) use editor::Editor;
pub(crate) use example_picker::ExamplePicker;
pub(crate) use finding_list::FindingList;
pub(crate) use import_archive::ImportArchive;
pub(crate) use instruction_list::InstructionList;
pub(crate) use layer_list::LayerList;
pub(crate) use results_tabs::ResultsTabs;
pub(crate) use rule_doc::RuleDoc;
pub(crate) use rule_panel::RulePanel;
pub(crate) use stage_graph::StageGraph;
pub(crate) use terminal::Terminal;
pub(crate) use union_browser::UnionBrowser;
