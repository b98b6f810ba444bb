//! Manifests in an articles folder: `manifest.jsonl` (one JSON object a line) and `manifest.csv` (a header row),
//! each entry naming a `file` or giving an inline `text`, with optional `title`, `url`, `source`, `published`
//! and `lang` that override what the file says.
use serde::Deserialize;
use std::path::{Component, Path, PathBuf};

/// One manifest entry.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ManifestEntry {
    #[serde(default, deserialize_with = "empty_is_none")]
    pub file: Option<String>,
    #[serde(default, deserialize_with = "empty_is_none")]
    pub text: Option<String>,
    #[serde(default, deserialize_with = "empty_is_none")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "empty_is_none")]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "empty_is_none")]
    pub source: Option<String>,
    #[serde(default, deserialize_with = "empty_is_none")]
    pub published: Option<String>,
    #[serde(default, deserialize_with = "empty_is_none")]
    pub lang: Option<String>,
}

fn empty_is_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v: Option<String> = Option::deserialize(d)?;
    Ok(v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()))
}

/// An entry and where it was read (`manifest.csv#3`: the third data row's line).
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub origin: PathBuf,
    pub entry: ManifestEntry,
}

/// What the manifests of a folder hold, and the problems reading them (path, reason).
#[derive(Debug, Default)]
pub struct Manifests {
    pub entries: Vec<Located>,
    pub problems: Vec<(PathBuf, String)>,
}

impl Manifests {
    /// The entry for a file name, if any manifest lists it.
    pub fn for_file(&self, name: &str) -> Option<&ManifestEntry> {
        self.entries
            .iter()
            .find(|l| l.entry.file.as_deref() == Some(name))
            .map(|l| &l.entry)
    }
}

/// Largest manifest read (it may hold many inline texts).
pub const MAX_MANIFEST_BYTES: u64 = 64_000_000;

/// Reads `manifest.jsonl` and `manifest.csv` of `dir` when present. A manifest that cannot be read at all is one
/// problem; each malformed line or row is one problem, at `manifest.jsonl#N` / `manifest.csv#N`.
pub fn read(dir: &Path) -> Manifests {
    let mut out = Manifests::default();
    for (name, parse) in [
        (
            "manifest.jsonl",
            parse_jsonl as fn(&Path, &str) -> Manifests,
        ),
        ("manifest.csv", parse_csv),
    ] {
        let path = dir.join(name);
        if !super::files::exists(&path) {
            continue;
        }
        let text = super::files::read_limited(&path, MAX_MANIFEST_BYTES)
            .and_then(|bytes| super::decode::decode(&bytes).map(|d| d.text));
        match text {
            Ok(text) => {
                let found = parse(dir, &text);
                out.entries.extend(found.entries);
                out.problems.extend(found.problems);
            }
            Err(reason) => out
                .problems
                .push((path, format!("manifest not read: {reason}"))),
        }
    }
    out
}

/// Parses the text of `dir/manifest.jsonl`: one JSON object a line, blank lines ignored.
pub fn parse_jsonl(dir: &Path, text: &str) -> Manifests {
    let mut out = Manifests::default();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let origin = dir.join(format!("manifest.jsonl#{}", i + 1));
        match jsonl_entry(line) {
            Ok(entry) => push(&mut out, origin, entry),
            Err(e) => out
                .problems
                .push((origin, format!("malformed manifest line: {e}"))),
        }
    }
    out
}

/// One JSONL line as an entry, or what is wrong with it.
fn jsonl_entry(line: &str) -> Result<ManifestEntry, String> {
    use serde_json::Value;
    let value: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let Value::Object(map) = &value else {
        let kind = match value {
            Value::Array(_) => "an array",
            Value::String(_) => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
            _ => "null",
        };
        return Err(format!("{kind}, not a JSON object"));
    };
    for (key, v) in map {
        let known = [
            "file",
            "text",
            "title",
            "url",
            "source",
            "published",
            "lang",
        ];
        if known.contains(&key.as_str()) && !matches!(v, Value::String(_) | Value::Null) {
            return Err(format!(
                "`{key}` must be a string, not `{}`",
                shorten(&v.to_string())
            ));
        }
    }
    serde_json::from_value(value).map_err(|e| e.to_string())
}

fn shorten(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Parses the text of `dir/manifest.csv`: a header row naming the columns (`file` and/or `text` among them),
/// then one entry a row.
pub fn parse_csv(dir: &Path, text: &str) -> Manifests {
    let mut out = Manifests::default();
    let csv_path = dir.join("manifest.csv");
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            out.problems
                .push((csv_path, format!("malformed manifest header: {e}")));
            return out;
        }
    };
    if text.trim().is_empty() {
        out.problems
            .push((csv_path, "empty manifest: no header row".to_string()));
        return out;
    }
    if !headers.iter().any(|h| matches!(h.trim(), "file" | "text")) {
        let shown: Vec<&str> = headers.iter().take(8).collect();
        out.problems.push((
            csv_path,
            format!(
                "malformed manifest: the header row has no `file` or `text` column (it has: {})",
                shown.join(", ")
            ),
        ));
        return out;
    }
    let headers = csv::StringRecord::from(headers.iter().map(str::trim).collect::<Vec<_>>());
    let mut line = 1u64;
    for row in reader.records() {
        line += 1;
        let record = match row {
            Ok(r) => r,
            Err(e) => {
                let at = e.position().map_or(line, |p| p.line());
                out.problems.push((
                    dir.join(format!("manifest.csv#{at}")),
                    format!("malformed manifest row: {e}"),
                ));
                continue;
            }
        };
        line = record.position().map_or(line, |p| p.line());
        let origin = dir.join(format!("manifest.csv#{line}"));
        match record.deserialize::<ManifestEntry>(Some(&headers)) {
            Ok(entry) => push(&mut out, origin, entry),
            Err(e) => out
                .problems
                .push((origin, format!("malformed manifest row: {e}"))),
        }
    }
    out
}

fn push(out: &mut Manifests, origin: PathBuf, entry: ManifestEntry) {
    if entry.file.is_none() && entry.text.is_none() {
        out.problems
            .push((origin, "entry has neither `file` nor `text`".to_string()));
        return;
    }
    if let Some(file) = &entry.file {
        let inside = Path::new(file)
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if !inside {
            out.problems.push((
                origin,
                format!("entry's `file` must name a file inside the folder, not `{file}`"),
            ));
            return;
        }
    }
    out.entries.push(Located { origin, entry });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_problems_are_per_line() {
        let m = parse_jsonl(
            Path::new("d"),
            "{\"file\": \"a.txt\"}\n\n{\"file\": \"b.txt\", \"title\": \"open\n[1, 2]\n{\"title\": \"x\"}\n{\"file\": \"/etc/passwd\"}\n{\"file\": 3}\n",
        );
        assert_eq!(m.entries.len(), 1);
        let problems: Vec<(String, &str)> = m
            .problems
            .iter()
            .map(|(p, r)| (p.display().to_string(), r.as_str()))
            .collect();
        assert_eq!(problems.len(), 5, "{problems:?}");
        assert_eq!(problems[0].0, "d/manifest.jsonl#3");
        assert!(problems[0]
            .1
            .starts_with("malformed manifest line: EOF while parsing a string"));
        assert_eq!(
            problems[1].1,
            "malformed manifest line: an array, not a JSON object"
        );
        assert_eq!(problems[2].1, "entry has neither `file` nor `text`");
        assert_eq!(
            problems[3].1,
            "entry's `file` must name a file inside the folder, not `/etc/passwd`"
        );
        assert_eq!(
            problems[4].1,
            "malformed manifest line: `file` must be a string, not `3`"
        );
    }

    #[test]
    fn csv_rows_and_headers() {
        let m = parse_csv(
            Path::new("d"),
            "file,title\na.txt,\"A, quoted\"\n../b.txt,B\n",
        );
        assert_eq!(m.entries.len(), 1);
        assert_eq!(m.entries[0].origin, Path::new("d/manifest.csv#2"));
        assert_eq!(m.entries[0].entry.title.as_deref(), Some("A, quoted"));
        assert_eq!(m.problems.len(), 1);
        assert_eq!(m.problems[0].0, Path::new("d/manifest.csv#3"));

        let m = parse_csv(Path::new("d"), "name,headline\na.txt,A\n");
        assert_eq!(m.problems.len(), 1);
        assert_eq!(
            m.problems[0].1,
            "malformed manifest: the header row has no `file` or `text` column (it has: name, headline)"
        );
    }
}
