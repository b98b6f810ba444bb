//! Manifests in an articles folder: `manifest.jsonl` (one JSON object a line) and `manifest.csv` (a header row),
//! each entry naming a `file` or giving an inline `text`, with optional `title`, `url`, `source`, `published`
//! and `lang` that override what the file says.
use serde::Deserialize;
use std::path::{Path, PathBuf};

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

/// Reads `manifest.jsonl` and `manifest.csv` of `dir` when present.
pub fn read(dir: &Path) -> Manifests {
    let mut out = Manifests::default();
    let jsonl = dir.join("manifest.jsonl");
    match std::fs::read_to_string(&jsonl) {
        Ok(text) => {
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let origin = dir.join(format!("manifest.jsonl#{}", i + 1));
                match serde_json::from_str::<ManifestEntry>(line) {
                    Ok(entry) => push(&mut out, origin, entry),
                    Err(e) => out
                        .problems
                        .push((jsonl.clone(), format!("line {}: {e}", i + 1))),
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => out.problems.push((jsonl, e.to_string())),
    }
    let csv_path = dir.join("manifest.csv");
    if csv_path.is_file() {
        match csv::ReaderBuilder::new()
            .flexible(true)
            .from_path(&csv_path)
        {
            Ok(mut reader) => {
                for (i, row) in reader.deserialize::<ManifestEntry>().enumerate() {
                    match row {
                        Ok(entry) => {
                            push(&mut out, dir.join(format!("manifest.csv#{}", i + 2)), entry)
                        }
                        Err(e) => out.problems.push((csv_path.clone(), e.to_string())),
                    }
                }
            }
            Err(e) => out.problems.push((csv_path, e.to_string())),
        }
    }
    out
}

fn push(out: &mut Manifests, origin: PathBuf, entry: ManifestEntry) {
    if entry.file.is_none() && entry.text.is_none() {
        out.problems
            .push((origin, "entry has neither `file` nor `text`".to_string()));
    } else {
        out.entries.push(Located { origin, entry });
    }
}
