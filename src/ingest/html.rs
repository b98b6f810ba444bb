//! HTML articles: the main content via `dom_smoothie` (a Readability port), falling back to the page's
//! `<article>`/`<main>`/`<body>` blocks, and metadata from `<title>`, `og:` tags, the canonical link, `<time>`
//! and the `lang` attribute.
use super::frontmatter::DeclaredMeta;
use dom_query::Document;

/// What an HTML page gave: its metadata and the main text, blocks separated by blank lines.
#[derive(Debug, Clone, PartialEq)]
pub struct HtmlArticle {
    pub meta: DeclaredMeta,
    pub text: String,
}

/// Deepest element nesting read. Real article pages stay under about 60 levels; parsing cost grows with depth
/// times size and the Readability pass recurses, so a page nested thousands deep (unclosed tags, or a hostile
/// page) would take minutes or overflow the stack. Such pages are refused before parsing.
pub const MAX_NESTING: usize = 400;

/// Extracts the article from an HTML page.
pub fn extract(html: &str) -> Result<HtmlArticle, String> {
    let depth = nesting_depth(html);
    if depth > MAX_NESTING {
        return Err(format!(
            "malformed HTML: elements nested {depth} levels deep (tandem reads up to {MAX_NESTING}; unclosed tags?)"
        ));
    }
    let doc = Document::from(html);
    let meta = metadata(&doc);
    let cfg = dom_smoothie::Config {
        text_mode: dom_smoothie::TextMode::Formatted,
        char_threshold: 200,
        ..Default::default()
    };
    let readable = dom_smoothie::Readability::with_document(doc.clone(), None, Some(cfg))
        .ok()
        .and_then(|mut r| r.parse().ok())
        .map(|a| a.text_content.to_string())
        .filter(|t| t.split_whitespace().count() >= 20);
    let text = match readable {
        Some(t) => t,
        None => blocks_text(&doc),
    };
    if text.trim().is_empty() {
        return Err(format!(
            "HTML page without article text: no paragraph, heading or list item in its <article>, <main> or <body> ({} of markup{})",
            super::files::human_size(html.len() as u64),
            if html.contains('<') { "" } else { ", and no tag at all" }
        ));
    }
    Ok(HtmlArticle { meta, text })
}

fn attr(doc: &Document, selector: &str, name: &str) -> Option<String> {
    let sel = doc.select(selector);
    let value = sel.attr(name)?.trim().to_string();
    (!value.is_empty()).then_some(value)
}

fn metadata(doc: &Document) -> DeclaredMeta {
    let title_tag = {
        let t = doc.select("head title").text().trim().to_string();
        (!t.is_empty()).then_some(t)
    };
    let source = attr(doc, r#"meta[property="og:site_name"]"#, "content")
        .or_else(|| attr(doc, r#"meta[name="application-name"]"#, "content"));
    let title = attr(doc, r#"meta[property="og:title"]"#, "content")
        .or_else(|| attr(doc, r#"meta[name="twitter:title"]"#, "content"))
        .or_else(|| {
            doc.select("h1")
                .first()
                .text()
                .trim()
                .to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .into()
        })
        .filter(|t: &String| !t.is_empty())
        .or(title_tag)
        .map(|t| strip_site_suffix(&t, source.as_deref()));
    let url = attr(doc, r#"link[rel="canonical"]"#, "href")
        .or_else(|| attr(doc, r#"meta[property="og:url"]"#, "content"));
    let published = attr(doc, r#"meta[property="article:published_time"]"#, "content")
        .or_else(|| attr(doc, r#"meta[name="date"]"#, "content"))
        .or_else(|| attr(doc, r#"meta[name="pubdate"]"#, "content"))
        .or_else(|| attr(doc, r#"meta[itemprop="datePublished"]"#, "content"))
        .or_else(|| attr(doc, "time[datetime]", "datetime"));
    let lang = attr(doc, "html", "lang");
    DeclaredMeta {
        title,
        url,
        source,
        published,
        lang,
    }
}

/// "Title | Site" → "Title" when "Site" is the site's name.
fn strip_site_suffix(title: &str, site: Option<&str>) -> String {
    if let Some(site) = site {
        for sep in [" | ", " - ", " – ", " — "] {
            if let Some(rest) = title.strip_suffix(&format!("{sep}{site}")) {
                return rest.trim().to_string();
            }
        }
    }
    title.trim().to_string()
}

/// Elements that never hold others, or that the parser closes by itself when a sibling starts.
const NOT_NESTING: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "keygen", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th",
    "thead", "tbody", "tfoot", "colgroup", "caption", "rb", "rt", "rtc", "rp", "html", "head",
    "body",
];

/// How deep the page's elements nest, estimated from its tags without building the tree (linear time): each
/// start tag of an element that can hold others opens a level, each end tag closes one; comments, scripts and
/// styles are skipped.
pub fn nesting_depth(html: &str) -> usize {
    let b = html.as_bytes();
    let (mut depth, mut max, mut i) = (0usize, 0usize, 0usize);
    let find = |from: usize, needle: &[u8]| {
        b.get(from..)
            .and_then(|rest| {
                rest.windows(needle.len())
                    .position(|w| w.eq_ignore_ascii_case(needle))
            })
            .map(|p| from + p)
    };
    while let Some(p) = b
        .get(i..)
        .and_then(|rest| rest.iter().position(|&c| c == b'<'))
    {
        let start = i + p + 1;
        if b[start..].starts_with(b"!--") {
            i = find(start + 3, b"-->").map_or(b.len(), |e| e + 3);
            continue;
        }
        let closing = b.get(start) == Some(&b'/');
        let name_start = start + usize::from(closing);
        let name_len = b[name_start..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-' || **c == b':')
            .count();
        if name_len == 0 || !b[name_start].is_ascii_alphabetic() {
            i = start;
            continue;
        }
        let name = html[name_start..name_start + name_len].to_ascii_lowercase();
        let end = b[name_start..]
            .iter()
            .position(|&c| c == b'>')
            .map_or(b.len(), |e| name_start + e);
        i = (end + 1).min(b.len());
        if closing {
            if !NOT_NESTING.contains(&name.as_str()) {
                depth = depth.saturating_sub(1);
            }
            continue;
        }
        if matches!(name.as_str(), "script" | "style" | "textarea" | "title") {
            let close = format!("</{name}");
            i = find(i, close.as_bytes()).unwrap_or(b.len());
            continue;
        }
        let self_closing = end > 0 && end < b.len() && b[end - 1] == b'/';
        if !self_closing && !NOT_NESTING.contains(&name.as_str()) {
            depth += 1;
            max = max.max(depth);
        }
    }
    max
}

/// Fallback: headings, paragraphs and list items of the main element, one block each.
fn blocks_text(doc: &Document) -> String {
    let root = ["article", "main", "body"]
        .iter()
        .map(|s| doc.select(s))
        .find(|s| s.exists());
    let Some(root) = root else {
        return String::new();
    };
    let mut blocks = Vec::new();
    for node in root.select("h1, h2, h3, h4, p, li").nodes() {
        let text = node.text().split_whitespace().collect::<Vec<_>>().join(" ");
        if !text.is_empty() {
            blocks.push(text);
        }
    }
    blocks.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_measured_without_parsing_and_deep_pages_are_refused() {
        assert_eq!(
            nesting_depth("<html><body><div><p>a<p>b<br><img src=x/><div>c</div></div><!-- <div><div> --></body>"),
            2
        );
        assert_eq!(
            nesting_depth("<script>if (a<b) { x = '<div><div>'; }</script><span>x</span>"),
            1
        );
        let deep = format!("<body>{}<p>text</p>", "<div>".repeat(MAX_NESTING + 1));
        assert_eq!(
            extract(&deep).unwrap_err(),
            "malformed HTML: elements nested 401 levels deep (tandem reads up to 400; unclosed tags?)"
        );
    }

    #[test]
    fn metadata_from_head() {
        let html = r#"<!doctype html><html lang="fr"><head><title>Le pont | Le Journal</title>
<meta property="og:site_name" content="Le Journal">
<link rel="canonical" href="https://journal.test/pont">
<meta property="article:published_time" content="2025-03-02T08:00:00+01:00"></head>
<body><article><h1>Le pont</h1><p>Le nouveau pont ouvrira en mars, a annoncé la mairie jeudi.</p></article></body></html>"#;
        let a = extract(html).unwrap();
        assert_eq!(a.meta.title.as_deref(), Some("Le pont"));
        assert_eq!(a.meta.source.as_deref(), Some("Le Journal"));
        assert_eq!(a.meta.url.as_deref(), Some("https://journal.test/pont"));
        assert_eq!(a.meta.lang.as_deref(), Some("fr"));
        assert!(a.text.contains("Le nouveau pont ouvrira en mars"));
    }
}
