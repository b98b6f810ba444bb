//! The plain-text article format: the first non-empty line is the title, an optional `url:` line gives the
//! source link, and blank lines separate paragraphs.

/// A parsed `.txt` article, before language detection.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedTxt {
    pub title: String,
    pub url: Option<String>,
    pub paragraphs: Vec<String>,
}

/// Parses a plain-text article. Fails when there is no title or no body.
pub fn parse_txt(text: &str) -> Result<ParsedTxt, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut title: Option<String> = None;
    let mut url: Option<String> = None;
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for raw in text.lines() {
        let line = raw.trim();
        if let Some(rest) = strip_url_prefix(line) {
            if url.is_none() && looks_like_url(rest) {
                url = Some(rest.to_string());
                continue;
            }
        }
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(current.join(" "));
                current.clear();
            }
            continue;
        }
        if title.is_none() {
            title = Some(line.to_string());
            continue;
        }
        current.push(line);
    }
    if !current.is_empty() {
        paragraphs.push(current.join(" "));
    }
    let title = title.ok_or_else(|| "empty file: no title and no body".to_string())?;
    if paragraphs.is_empty() {
        return Err("no body: the file has a title line only".to_string());
    }
    Ok(ParsedTxt {
        title,
        url,
        paragraphs,
    })
}

fn strip_url_prefix(line: &str) -> Option<&str> {
    let lower = line.get(..4)?.to_ascii_lowercase();
    (lower == "url:").then(|| line[4..].trim())
}

fn looks_like_url(s: &str) -> bool {
    (s.starts_with("https://") || s.starts_with("http://")) && !s.contains(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_url_and_paragraphs() {
        let text =
            "\n\nA title\nurl: https://example.org/a\n\nFirst line\nsame paragraph.\n\nSecond.\n";
        let p = parse_txt(text).unwrap();
        assert_eq!(p.title, "A title");
        assert_eq!(p.url.as_deref(), Some("https://example.org/a"));
        assert_eq!(p.paragraphs, vec!["First line same paragraph.", "Second."]);
    }

    #[test]
    fn a_url_line_that_is_not_a_url_stays_text() {
        let p = parse_txt("T\n\nURL: not a link here\n").unwrap();
        assert_eq!(p.url, None);
        assert_eq!(p.paragraphs, vec!["URL: not a link here"]);
    }

    #[test]
    fn empty_and_title_only_files_fail_with_reasons() {
        assert_eq!(
            parse_txt("  \n\n").unwrap_err(),
            "empty file: no title and no body"
        );
        assert_eq!(
            parse_txt("Only a title\n").unwrap_err(),
            "no body: the file has a title line only"
        );
    }
}
