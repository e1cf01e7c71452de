//! BuildKit's `Node.Dump()` s-expression format, byte for byte, so output can be diffed
//! against BuildKit's own `result` files.

use crate::node::Node;
use crate::quote::go_quote_into;

/// Renders nodes the way BuildKit's `ast.Dump() + "\n"` does: one `(...)` line per instruction.
pub fn dump(nodes: &[Node]) -> String {
    let mut out = String::new();
    for node in nodes {
        out.push('(');
        dump_node(&mut out, node);
        out.push_str(")\n");
    }
    out
}

/// One instruction without the surrounding parentheses (`run "echo hi"`).
pub fn dump_node(out: &mut String, node: &Node) {
    let start = out.len();
    for c in node.keyword.chars() {
        // Go's strings.ToLower: full Unicode lower-casing.
        out.extend(c.to_lowercase());
    }
    if !node.flags.is_empty() {
        out.push_str(" [");
        for (i, flag) in node.flags.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            go_quote_into(out, &flag.text);
        }
        out.push(']');
    }
    if let Some(sub) = &node.sub {
        out.push_str(" (");
        dump_node(out, sub);
        out.push(')');
    }
    for arg in &node.args {
        out.push(' ');
        go_quote_into(out, &arg.value);
    }
    // Go trims the whole string; only the edges can hold spaces (empty keyword, no args).
    let trimmed_end = out.trim_end().len();
    out.truncate(trimmed_end.max(start));
    let lead = out[start..].len() - out[start..].trim_start().len();
    if lead > 0 {
        out.replace_range(start..start + lead, "");
    }
}
