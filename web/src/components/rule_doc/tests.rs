use super::{Block, blocks};

#[test]
fn headings_code_and_paragraphs() {
    let doc = "Summary line.\n\n## What it does\nFlags `x`\nand more.\n\n## Example\n```dockerfile\nFROM a\nRUN b\n```\n";
    assert_eq!(
        blocks(doc),
        [
            Block::Paragraph("Summary line.".into()),
            Block::Heading("What it does".into()),
            Block::Paragraph("Flags `x` and more.".into()),
            Block::Heading("Example".into()),
            Block::Code("FROM a\nRUN b\n".into()),
        ]
    );
}

#[test]
fn every_rule_page_renders_to_blocks_with_its_sections() {
    for rule in stowage_lint::RULES {
        let page = blocks(&rule.meta().docs());
        assert!(
            page.contains(&Block::Heading("What it does".into())),
            "{}",
            rule.meta().code
        );
        assert!(
            page.iter().any(|b| matches!(b, Block::Code(_))),
            "{}",
            rule.meta().code
        );
    }
}
