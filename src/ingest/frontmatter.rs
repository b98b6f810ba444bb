//! Front matter at the top of a `.txt`/`.md` article: YAML between `---` lines or TOML between `+++` lines,
//! giving `title`, `url`, `source`, `published` (or `date`) and `lang`.

/// Metadata a file declares about itself (front matter or HTML head). Every field is optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeclaredMeta {
    pub title: Option<String>,
    pub url: Option<String>,
    pub source: Option<String>,
    pub published: Option<String>,
    pub lang: Option<String>,
}

/// Splits front matter off `text`. Returns `None` when the text has none; an error when it opens but is
/// malformed (never closed, or bad TOML).
pub fn split(text: &str) -> Result<Option<(DeclaredMeta, &str)>, String> {
    let first = text.lines().next().unwrap_or("").trim_end();
    let fence = match first {
        "---" => "---",
        "+++" => "+++",
        _ => return Ok(None),
    };
    let after_open = &text[text.find('\n').map_or(text.len(), |i| i + 1)..];
    let mut offset = 0;
    for line in after_open.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == fence || (fence == "---" && trimmed == "...") {
            let head = &after_open[..offset];
            let rest = &after_open[offset + line.len()..];
            let meta = if fence == "---" {
                parse_yaml(head)?
            } else {
                parse_toml(head)?
            };
            return Ok(Some((meta, rest)));
        }
        offset += line.len();
    }
    Err(format!(
        "malformed front matter: opened with `{fence}` on line 1 but never closed"
    ))
}

/// Flat YAML: `key: value` lines, values optionally quoted; nested or list values are ignored. A top-level line
/// that is not `key: value`, or a quote that is never closed, makes the front matter malformed.
fn parse_yaml(head: &str) -> Result<DeclaredMeta, String> {
    let mut meta = DeclaredMeta::default();
    for (i, line) in head.lines().enumerate() {
        let line_no = i + 2; // the opening fence is line 1
        if line.trim().is_empty() || line.starts_with([' ', '\t', '-', '#']) {
            continue;
        }
        let Some((key, value)) = line.split_once(':').filter(|(k, _)| !k.trim().is_empty()) else {
            return Err(format!(
                "malformed front matter: line {line_no} is not `key: value`: `{}`",
                shorten(line.trim())
            ));
        };
        let value = value.trim();
        for quote in ['"', '\''] {
            if value.starts_with(quote) && (value.len() < 2 || !value.ends_with(quote)) {
                return Err(format!(
                    "malformed front matter: line {line_no} opens a {quote} quote it never closes: `{}`",
                    shorten(line.trim())
                ));
            }
        }
        let value = unquote(value);
        if value.is_empty() {
            continue;
        }
        set(&mut meta, key.trim(), value);
    }
    Ok(meta)
}

/// At most 60 characters of a line, for a reason.
fn shorten(line: &str) -> String {
    match line.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_string(),
    }
}

fn parse_toml(head: &str) -> Result<DeclaredMeta, String> {
    let table: toml::Table = head.parse().map_err(|e: toml::de::Error| {
        let at = e
            .span()
            .and_then(|s| head.get(..s.start))
            .map(|before| format!(" (line {})", before.matches('\n').count() + 2))
            .unwrap_or_default();
        let message = e.message().split_whitespace().collect::<Vec<_>>().join(" ");
        format!("malformed front matter: TOML{at}: {message}")
    })?;
    let mut meta = DeclaredMeta::default();
    for (key, value) in &table {
        let value = match value {
            toml::Value::String(s) => s.trim().to_string(),
            toml::Value::Datetime(d) => d.to_string(),
            _ => continue,
        };
        if !value.is_empty() {
            set(&mut meta, key, value);
        }
    }
    Ok(meta)
}

fn set(meta: &mut DeclaredMeta, key: &str, value: String) {
    let slot = match key.to_ascii_lowercase().as_str() {
        "title" | "titre" => &mut meta.title,
        "url" | "link" | "canonical" | "canonical_url" | "source_url" => &mut meta.url,
        "source" | "site" | "site_name" | "publisher" => &mut meta.source,
        "published" | "date" | "published_at" | "pubdate" => &mut meta.published,
        "lang" | "language" | "langue" => &mut meta.lang,
        _ => return,
    };
    if slot.is_none() {
        *slot = Some(value);
    }
}

fn unquote(v: &str) -> String {
    let stripped = v
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')));
    stripped.unwrap_or(v).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_front_matter() {
        let text = "---\ntitle: \"Un titre : deux points\"\nurl: https://ex.test/a\nlang: fr\ntags:\n  - a\n---\nBody.\n";
        let (meta, rest) = split(text).unwrap().unwrap();
        assert_eq!(meta.title.as_deref(), Some("Un titre : deux points"));
        assert_eq!(meta.url.as_deref(), Some("https://ex.test/a"));
        assert_eq!(meta.lang.as_deref(), Some("fr"));
        assert_eq!(rest, "Body.\n");
    }

    #[test]
    fn toml_front_matter() {
        let text = "+++\ntitle = \"T\"\npublished = 2025-11-10\nsource = \"Wire\"\n+++\n\nBody.\n";
        let (meta, rest) = split(text).unwrap().unwrap();
        assert_eq!(meta.title.as_deref(), Some("T"));
        assert_eq!(meta.published.as_deref(), Some("2025-11-10"));
        assert_eq!(meta.source.as_deref(), Some("Wire"));
        assert_eq!(rest, "\nBody.\n");
    }

    #[test]
    fn none_or_unclosed() {
        assert_eq!(split("Title\n\nBody.").unwrap(), None);
        assert_eq!(
            split("---\ntitle: x\nBody.").unwrap_err(),
            "malformed front matter: opened with `---` on line 1 but never closed"
        );
    }

    #[test]
    fn malformed_yaml_and_toml_say_where() {
        assert_eq!(
            split("---\ntitle: ok\njust some words\n---\nBody.").unwrap_err(),
            "malformed front matter: line 3 is not `key: value`: `just some words`"
        );
        assert_eq!(
            split("---\ntitle: \"Never closed\n---\nBody.").unwrap_err(),
            "malformed front matter: line 2 opens a \" quote it never closes: `title: \"Never closed`"
        );
        let err = split("+++\ntitle = \"T\"\ndate = = 3\n+++\nBody.").unwrap_err();
        assert!(
            err.starts_with("malformed front matter: TOML (line 3): "),
            "{err}"
        );
        assert!(!err.contains('\n'), "{err}");
    }
}
