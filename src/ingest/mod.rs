//! Ingestion: turns files on disk into [`Article`]s (title, body, language, source link).
//!
//! A folder is walked for `*.txt` files in a stable (sorted) order. A file that cannot be used is reported as an
//! [`IngestFailure`] with its reason; the others go on.
mod txt;

pub use txt::parse_txt;

use crate::lang::{self, Detected, Lang};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One article, ready for the models.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// Stable id: the first 16 hex digits of the SHA-256 of title and body.
    pub id: String,
    /// The file it came from.
    pub path: PathBuf,
    /// Title (first non-empty line of a .txt file).
    pub title: String,
    /// The article's URL when the file or a manifest gives one; never invented.
    pub url: Option<String>,
    /// Body paragraphs, in order.
    pub paragraphs: Vec<String>,
    /// Detected (or given) language.
    pub lang: Lang,
    /// Detection confidence in [0, 1]; 1.0 when the language was given.
    pub lang_confidence: f64,
}

impl Article {
    /// The body as one text, paragraphs separated by blank lines.
    pub fn body(&self) -> String {
        self.paragraphs.join("\n\n")
    }

    /// Where the article can be found: the URL when known, else the file path.
    pub fn link(&self) -> String {
        self.url
            .clone()
            .unwrap_or_else(|| self.path.display().to_string())
    }
}

/// A file that could not be turned into an article, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IngestFailure {
    pub path: PathBuf,
    pub reason: String,
}

/// What ingesting a folder produced.
#[derive(Debug, Default)]
pub struct Ingested {
    pub articles: Vec<Article>,
    pub failures: Vec<IngestFailure>,
}

/// Optional per-file metadata from `manifest.jsonl` in the articles folder: one JSON object per line,
/// `{"file": "name.txt", "url": "https://…", "lang": "fr"}`.
#[derive(Debug, Clone, Default, Deserialize)]
struct ManifestEntry {
    file: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

/// Reads every `*.txt` article of `dir` (sorted by file name). `forced_lang` overrides detection.
pub fn read_dir(dir: &Path, forced_lang: Option<Lang>) -> Result<Ingested> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();

    let mut out = Ingested::default();
    let manifest = match read_manifest(dir) {
        Ok(m) => m,
        Err(reason) => {
            out.failures.push(IngestFailure {
                path: dir.join("manifest.jsonl"),
                reason,
            });
            BTreeMap::new()
        }
    };
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let entry = manifest.get(&name).cloned().unwrap_or_default();
        match read_file(&path, &entry, forced_lang) {
            Ok(article) => out.articles.push(article),
            Err(reason) => out.failures.push(IngestFailure { path, reason }),
        }
    }
    Ok(out)
}

fn read_manifest(dir: &Path) -> std::result::Result<BTreeMap<String, ManifestEntry>, String> {
    let path = dir.join("manifest.jsonl");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(e.to_string()),
    };
    let mut map = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let entry: ManifestEntry =
            serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1))?;
        map.insert(entry.file.clone(), entry);
    }
    Ok(map)
}

fn read_file(
    path: &Path,
    manifest: &ManifestEntry,
    forced_lang: Option<Lang>,
) -> std::result::Result<Article, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let text = String::from_utf8(bytes).map_err(|_| "not valid UTF-8".to_string())?;
    let parsed = parse_txt(&text)?;
    let given_lang = match &manifest.lang {
        Some(code) => Some(
            Lang::parse(code)
                .ok_or_else(|| format!("manifest gives unsupported language `{code}`"))?,
        ),
        None => forced_lang,
    };
    let body = parsed.paragraphs.join("\n\n");
    let (lang, lang_confidence) = match given_lang {
        Some(lang) => (lang, 1.0),
        None => match lang::detect(&format!("{}\n{}", parsed.title, body)) {
            Detected::Supported { lang, confidence } => (lang, confidence),
            Detected::Unsupported { code } => {
                return Err(format!(
                    "language `{code}` is not supported (English and French are); pass --lang to override"
                ))
            }
        },
    };
    Ok(Article {
        id: article_id(&parsed.title, &body),
        path: path.to_path_buf(),
        title: parsed.title,
        url: manifest.url.clone().or(parsed.url),
        paragraphs: parsed.paragraphs,
        lang,
        lang_confidence,
    })
}

/// Stable id of an article's content.
pub fn article_id(title: &str, body: &str) -> String {
    let mut h = Sha256::new();
    h.update(title.as_bytes());
    h.update([0u8]);
    h.update(body.as_bytes());
    let digest = h.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}
