//! A rule's documentation page (its doc comment, Markdown) as HTML. The docs use a small
//! subset: `## ` headings, fenced code blocks, paragraphs and inline `code`.

use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub(crate) struct RuleDocProps {
    /// The Markdown text.
    pub(crate) markdown: AttrValue,
}

/// Paragraph text with `code` spans.
fn inline(text: &str) -> Html {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                html! { <code>{ part.to_owned() }</code> }
            } else {
                html! { { part.to_owned() } }
            }
        })
        .collect::<Html>()
}

/// One block of the page.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Block {
    Heading(String),
    Code(String),
    Paragraph(String),
}

/// Splits the Markdown into blocks.
pub(crate) fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut paragraph = String::new();
    let mut code: Option<String> = None;
    let flush = |paragraph: &mut String, out: &mut Vec<Block>| {
        if !paragraph.trim().is_empty() {
            out.push(Block::Paragraph(paragraph.trim().to_owned()));
        }
        paragraph.clear();
    };
    for line in markdown.lines() {
        if let Some(body) = code.as_mut() {
            if line.trim_start().starts_with("```") {
                out.push(Block::Code(std::mem::take(body)));
                code = None;
            } else {
                body.push_str(line);
                body.push('\n');
            }
        } else if line.trim_start().starts_with("```") {
            flush(&mut paragraph, &mut out);
            code = Some(String::new());
        } else if let Some(title) = line.strip_prefix("## ").or_else(|| line.strip_prefix("# ")) {
            flush(&mut paragraph, &mut out);
            out.push(Block::Heading(title.trim().to_owned()));
        } else if line.trim().is_empty() {
            flush(&mut paragraph, &mut out);
        } else {
            paragraph.push_str(line.trim());
            paragraph.push(' ');
        }
    }
    if let Some(body) = code {
        out.push(Block::Code(body));
    }
    flush(&mut paragraph, &mut out);
    out
}

#[function_component]
pub(crate) fn RuleDoc(props: &RuleDocProps) -> Html {
    html! {
        <div class="rule-doc" data-testid="rule-doc">
            { for blocks(&props.markdown).into_iter().map(|block| match block {
                Block::Heading(title) => html! { <h4>{ title }</h4> },
                Block::Code(body) => html! { <pre><code>{ body }</code></pre> },
                Block::Paragraph(text) => html! { <p>{ inline(&text) }</p> },
            }) }
        </div>
    }
}

#[cfg(test)]
mod tests;
