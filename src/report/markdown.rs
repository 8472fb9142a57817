//! A small, safe subset of Markdown for descriptions in a report: paragraphs, headings,
//! bullet and numbered lists, fenced code, `code`, **bold** and *emphasis*. Every character
//! of the source is escaped before any tag is added, and only those tags are ever added, so
//! a description can never bring markup, scripts or links of its own.

use super::svg::escape;

/// A list being written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum List {
    Bullets,
    Numbers,
}

impl List {
    fn tag(self) -> &'static str {
        match self {
            List::Bullets => "ul",
            List::Numbers => "ol",
        }
    }
}

/// HTML of the Markdown `source`.
pub fn to_html(source: &str) -> String {
    let mut out = String::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut list: Option<List> = None;
    let mut code: Option<Vec<&str>> = None;
    let flush_paragraph = |out: &mut String, paragraph: &mut Vec<&str>| {
        if !paragraph.is_empty() {
            out.push_str("<p>");
            out.push_str(&inline(&paragraph.join(" ")));
            out.push_str("</p>");
            paragraph.clear();
        }
    };
    let close_list = |out: &mut String, list: &mut Option<List>| {
        if let Some(open) = list.take() {
            out.push_str(&format!("</{}>", open.tag()));
        }
    };
    for line in source.lines() {
        if let Some(lines) = &mut code {
            if line.trim_start().starts_with("```") {
                out.push_str("<pre>");
                out.push_str(&escape(&lines.join("\n")));
                out.push_str("</pre>");
                code = None;
            } else {
                lines.push(line);
            }
            continue;
        }
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            flush_paragraph(&mut out, &mut paragraph);
            close_list(&mut out, &mut list);
            code = Some(Vec::new());
            continue;
        }
        if trimmed.is_empty() {
            flush_paragraph(&mut out, &mut paragraph);
            close_list(&mut out, &mut list);
            continue;
        }
        if let Some((level, text)) = heading(trimmed) {
            flush_paragraph(&mut out, &mut paragraph);
            close_list(&mut out, &mut list);
            // Descriptions sit under the report's own headings, so theirs start lower.
            let tag = format!("h{}", (level + 3).min(6));
            out.push_str(&format!("<{tag}>{}</{tag}>", inline(text)));
            continue;
        }
        if let Some((kind, text)) = list_item(trimmed) {
            flush_paragraph(&mut out, &mut paragraph);
            if list != Some(kind) {
                close_list(&mut out, &mut list);
                out.push_str(&format!("<{}>", kind.tag()));
                list = Some(kind);
            }
            out.push_str(&format!("<li>{}</li>", inline(text)));
            continue;
        }
        close_list(&mut out, &mut list);
        paragraph.push(trimmed);
    }
    if let Some(lines) = code {
        out.push_str("<pre>");
        out.push_str(&escape(&lines.join("\n")));
        out.push_str("</pre>");
    }
    flush_paragraph(&mut out, &mut paragraph);
    close_list(&mut out, &mut list);
    out
}

/// `# Title` → (1, "Title").
fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.chars().take_while(|&c| c == '#').count();
    let rest = &line[level..];
    ((1..=6).contains(&level) && rest.starts_with(' ')).then(|| (level, rest.trim()))
}

/// `- item`, `* item` or `3. item`.
fn list_item(line: &str) -> Option<(List, &str)> {
    if let Some(rest) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
        return Some((List::Bullets, rest.trim()));
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 {
        if let Some(rest) = line[digits..].strip_prefix(". ") {
            return Some((List::Numbers, rest.trim()));
        }
    }
    None
}

/// Inline `code`, **bold** and *emphasis* in one line of text.
fn inline(text: &str) -> String {
    let mut out = String::new();
    for part in split_pairs(text, "`") {
        match part {
            Piece::Inside(code) => {
                out.push_str("<code>");
                out.push_str(&escape(code));
                out.push_str("</code>");
            }
            Piece::Outside(plain) => out.push_str(&emphasis(plain)),
        }
    }
    out
}

fn emphasis(text: &str) -> String {
    let mut out = String::new();
    for part in split_pairs(text, "**") {
        match part {
            Piece::Inside(bold) => {
                out.push_str("<strong>");
                out.push_str(&italics(bold));
                out.push_str("</strong>");
            }
            Piece::Outside(plain) => out.push_str(&italics(plain)),
        }
    }
    out
}

fn italics(text: &str) -> String {
    let mut out = String::new();
    for part in split_pairs(text, "*") {
        match part {
            Piece::Inside(em) => {
                out.push_str("<em>");
                out.push_str(&escape(em));
                out.push_str("</em>");
            }
            Piece::Outside(plain) => out.push_str(&escape(plain)),
        }
    }
    out
}

/// A stretch of text inside or outside a pair of markers.
enum Piece<'a> {
    Inside(&'a str),
    Outside(&'a str),
}

/// `text` cut at pairs of `marker`; a marker without a partner stays as text.
fn split_pairs<'a>(text: &'a str, marker: &str) -> Vec<Piece<'a>> {
    let mut pieces = Vec::new();
    let mut rest = text;
    let mut plain_start = 0;
    let mut offset = 0;
    while let Some(open) = rest.find(marker) {
        let after = &rest[open + marker.len()..];
        match after.find(marker) {
            Some(close) if close > 0 => {
                let start = offset + open;
                pieces.push(Piece::Outside(&text[plain_start..start]));
                pieces.push(Piece::Inside(&after[..close]));
                let consumed = open + marker.len() + close + marker.len();
                offset += consumed;
                plain_start = offset;
                rest = &rest[consumed..];
            }
            _ => {
                let skip = open + marker.len();
                offset += skip;
                rest = &rest[skip..];
            }
        }
    }
    pieces.push(Piece::Outside(&text[plain_start..]));
    pieces
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn the_subset_becomes_html() {
        let html = to_html(
            "# Churn model\n\nPredicts **who leaves** within *90 days*.\nUse `churn@production`.\n\n- trained monthly\n- owner: data team\n\n1. import\n2. score\n\n```\nmodeldesk score churn@production x.csv\n```",
        );
        assert_eq!(
            html,
            "<h4>Churn model</h4>\
             <p>Predicts <strong>who leaves</strong> within <em>90 days</em>. Use <code>churn@production</code>.</p>\
             <ul><li>trained monthly</li><li>owner: data team</li></ul>\
             <ol><li>import</li><li>score</li></ol>\
             <pre>modeldesk score churn@production x.csv</pre>"
        );
    }

    #[test]
    fn markup_in_a_description_stays_text() {
        let html = to_html(
            "<script>alert(1)</script>\n\n**<img src=x onerror=alert(1)>** [link](javascript:alert(1)) `<b>` 2 * 3",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<a"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(html.contains("<code>&lt;b&gt;</code>"), "{html}");
        assert!(html.contains("2 * 3"), "{html}");
    }
}
