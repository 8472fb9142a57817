//! Descriptions in a report: CommonMark (with tables and strikethrough) through
//! pulldown-cmark, as the window draws them. Raw HTML in a description is shown as the text
//! it is, and links and images keep their words but not their addresses, so a description
//! can never bring markup, scripts or anything from elsewhere into the page.

use pulldown_cmark::{html, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// HTML of the Markdown `source`.
pub fn to_html(source: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(source, options).filter_map(|event| match event {
        Event::Html(text) | Event::InlineHtml(text) => Some(Event::Text(text)),
        Event::Start(Tag::Link { .. } | Tag::Image { .. })
        | Event::End(TagEnd::Link | TagEnd::Image) => None,
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Some(Event::Start(Tag::Heading {
            level: lowered(level),
            id,
            classes,
            attrs,
        })),
        Event::End(TagEnd::Heading(level)) => Some(Event::End(TagEnd::Heading(lowered(level)))),
        other => Some(other),
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

/// Descriptions sit under the report's own headings, so theirs start lower: `#` is `<h4>`.
fn lowered(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H4,
        HeadingLevel::H2 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn markdown_becomes_html() {
        let html = to_html(
            "# Churn model\n\nPredicts **who leaves** within *90 days*.\nUse `churn@production`.\n\n- trained monthly\n- owner: data team\n\n1. import\n2. score\n\n```\nmodeldesk score churn@production x.csv\n```",
        );
        assert_eq!(
            html,
            "<h4>Churn model</h4>\n\
             <p>Predicts <strong>who leaves</strong> within <em>90 days</em>.\nUse <code>churn@production</code>.</p>\n\
             <ul>\n<li>trained monthly</li>\n<li>owner: data team</li>\n</ul>\n\
             <ol>\n<li>import</li>\n<li>score</li>\n</ol>\n\
             <pre><code>modeldesk score churn@production x.csv\n</code></pre>\n"
        );
        assert_eq!(
            to_html("**Baseline** model"),
            "<p><strong>Baseline</strong> model</p>\n"
        );
    }

    #[test]
    fn markup_in_a_description_stays_text() {
        let html = to_html(
            "<script>alert(1)</script>\n\n**<img src=x onerror=alert(1)>** [link](javascript:alert(1)) ![logo](http://x/y.png) <http://example.com> `<b>` 2 * 3",
        );
        for banned in [
            "<script",
            "<img",
            "<a",
            "href",
            "src=x\"",
            "javascript:",
            "http://x/y.png",
        ] {
            assert!(!html.contains(banned), "{banned} in {html}");
        }
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(
            html.contains("<strong>&lt;img src=x onerror=alert(1)&gt;</strong>"),
            "{html}"
        );
        // A link and an image keep their words.
        assert!(html.contains(" link ") && html.contains("logo"), "{html}");
        assert!(html.contains("<code>&lt;b&gt;</code>"), "{html}");
        assert!(html.contains("2 * 3"), "{html}");
    }
}
