//! Rules of this category: ShellCheck's checks, through the stowage-shell model.

pub(crate) mod cd_without_exit;
pub(crate) mod declare_and_assign;
pub(crate) mod echo_escape;
pub(crate) mod glob_as_option;
pub(crate) mod helpers;
pub(crate) mod loop_runs_once;
pub(crate) mod parse_error;
pub(crate) mod single_quoted_expansion;
pub(crate) mod unassigned_variable;
pub(crate) mod unquoted_command_substitution;
pub(crate) mod unquoted_expansion;
pub(crate) mod unterminated_quote;
