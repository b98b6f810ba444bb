//! Ingestion: turns files on disk into [`Article`]s (title, body, language, source link, published date).
//!
//! A folder is walked for `*.txt`, `*.md`, `*.html` and `*.htm` files in a stable (sorted) order, plus the
//! inline texts of `manifest.jsonl` / `manifest.csv`. Each file is decoded (UTF-8, UTF-16, Windows-1252…), its
//! front matter or HTML metadata read, its boilerplate dropped ([`clean`]) and its language detected on the
//! cleaned body. A file that cannot be used is reported as an [`IngestFailure`] with its reason; the others go on.
mod clean;
mod dates;
mod decode;
mod frontmatter;
mod html;
mod inspect;
mod manifest;
mod txt;

pub use clean::{boilerplate_reason, repair_paragraph, Dropped};
pub use inspect::{inspect, Inspection};
pub use manifest::ManifestEntry;
pub use txt::parse_txt;

use crate::lang::{self, Detected, Lang};
use crate::Result;
use frontmatter::DeclaredMeta;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// One article, ready for the models.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// Stable id: the first 16 hex digits of the SHA-256 of title and body.
    pub id: String,
    /// The file it came from (`…/manifest.csv#3` for an inline manifest text).
    pub path: PathBuf,
    /// Title (front matter, HTML, manifest, or the first non-empty line of a text file).
    pub title: String,
    /// The article's URL when the file or a manifest gives one; never invented.
    pub url: Option<String>,
    /// Body paragraphs, in order, boilerplate removed.
    pub paragraphs: Vec<String>,
    /// Detected (or given) language.
    pub lang: Lang,
    /// Detection confidence in [0, 1]; 1.0 when the language was given.
    pub lang_confidence: f64,
    /// Published date, `YYYY-MM-DD`, when one was found.
    pub published: Option<String>,
    /// The publication's name (`og:site_name`, front matter `source`, manifest `source`).
    pub source_name: Option<String>,
    /// Where each field came from, and how the file was read.
    pub provenance: Provenance,
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

/// Where a field's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldSource {
    /// YAML/TOML front matter of a text file.
    FrontMatter,
    /// HTML head or markup (`<title>`, `og:` tags, canonical link, `<time>`, `lang`).
    Html,
    /// The article text itself (title line, `url:` line, a date line or a date glued to the title).
    Text,
    /// The first sentence of the body (the file had no title line).
    FirstSentence,
    /// `manifest.jsonl` / `manifest.csv`.
    Manifest,
    /// Language detection on the cleaned body.
    Detected,
    /// Given on the command line (`--lang`).
    Given,
}

impl std::fmt::Display for FieldSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FieldSource::FrontMatter => "front matter",
            FieldSource::Html => "html",
            FieldSource::Text => "text",
            FieldSource::FirstSentence => "first sentence",
            FieldSource::Manifest => "manifest",
            FieldSource::Detected => "detected",
            FieldSource::Given => "given",
        })
    }
}

/// Where an article's fields came from, and how its file was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    pub title: FieldSource,
    pub url: Option<FieldSource>,
    pub published: Option<FieldSource>,
    pub source_name: Option<FieldSource>,
    pub lang: FieldSource,
    /// `txt`, `txt+yaml`, `txt+toml`, `html` or `manifest`.
    pub format: String,
    /// The encoding the file was decoded from.
    pub encoding: String,
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

const EXTENSIONS: &[&str] = &["txt", "md", "html", "htm"];

/// Reads every article of `dir`: `*.txt`, `*.md`, `*.html`, `*.htm` (sorted by file name), then the inline
/// texts of its manifests. `forced_lang` overrides detection; a manifest entry's `lang` overrides both.
pub fn read_dir(dir: &Path, forced_lang: Option<Lang>) -> Result<Ingested> {
    let entries = std::fs::read_dir(dir).map_err(|e| crate::Error::io(dir, e))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| EXTENSIONS.contains(&x.to_ascii_lowercase().as_str()))
        })
        .collect();
    files.sort();

    let mut out = Ingested::default();
    let manifests = manifest::read(dir);
    for (path, reason) in &manifests.problems {
        out.failures.push(IngestFailure {
            path: path.clone(),
            reason: reason.clone(),
        });
    }
    let default_entry = ManifestEntry::default();
    for path in &files {
        let name = file_name(path);
        let entry = manifests.for_file(&name).unwrap_or(&default_entry);
        match process_file(path, entry, forced_lang) {
            Ok(p) => out.articles.push(p.article),
            Err(reason) => out.failures.push(IngestFailure {
                path: path.clone(),
                reason,
            }),
        }
    }
    for located in &manifests.entries {
        let entry = &located.entry;
        match (&entry.file, &entry.text) {
            (Some(file), _) => {
                let listed = dir.join(file);
                if !files.contains(&listed) {
                    let outcome = if listed.is_file() {
                        process_file(&listed, entry, forced_lang).map(|p| p.article)
                    } else {
                        Err(format!("listed in the manifest but not found: {file}"))
                    };
                    match outcome {
                        Ok(a) => out.articles.push(a),
                        Err(reason) => out.failures.push(IngestFailure {
                            path: listed,
                            reason,
                        }),
                    }
                }
            }
            (None, Some(text)) => {
                let input = Input {
                    path: located.origin.clone(),
                    text: text.clone(),
                    encoding: "UTF-8",
                    html: false,
                    inline: true,
                };
                match process(input, entry, forced_lang) {
                    Ok(p) => out.articles.push(p.article),
                    Err(reason) => out.failures.push(IngestFailure {
                        path: located.origin.clone(),
                        reason,
                    }),
                }
            }
            (None, None) => {}
        }
    }
    Ok(out)
}

/// Reads one article file (no manifest applies), as [`read_dir`] would read it in its folder.
pub fn read_file(path: &Path, forced_lang: Option<Lang>) -> Ingested {
    let mut out = Ingested::default();
    match process_file(path, &ManifestEntry::default(), forced_lang) {
        Ok(p) => out.articles.push(p.article),
        Err(reason) => out.failures.push(IngestFailure {
            path: path.to_path_buf(),
            reason,
        }),
    }
    out
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
}

/// An article and what was done to get it.
#[derive(Debug, Clone)]
pub(crate) struct Processed {
    pub article: Article,
    pub dropped: Vec<Dropped>,
    pub repairs: Vec<String>,
}

/// Text to turn into an article.
struct Input {
    path: PathBuf,
    text: String,
    encoding: &'static str,
    html: bool,
    inline: bool,
}

pub(crate) fn process_file(
    path: &Path,
    entry: &ManifestEntry,
    forced_lang: Option<Lang>,
) -> std::result::Result<Processed, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let decoded = decode::decode(&bytes)?;
    let html = path
        .extension()
        .and_then(|x| x.to_str())
        .is_some_and(|x| matches!(x.to_ascii_lowercase().as_str(), "html" | "htm"));
    process(
        Input {
            path: path.to_path_buf(),
            text: decoded.text,
            encoding: decoded.encoding,
            html,
            inline: false,
        },
        entry,
        forced_lang,
    )
}

fn pick(
    candidates: impl IntoIterator<Item = (Option<String>, FieldSource)>,
) -> (Option<String>, Option<FieldSource>) {
    for (value, source) in candidates {
        if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
            return (Some(v.trim().to_string()), Some(source));
        }
    }
    (None, None)
}

fn process(
    input: Input,
    entry: &ManifestEntry,
    forced_lang: Option<Lang>,
) -> std::result::Result<Processed, String> {
    let text = input.text.strip_prefix('\u{feff}').unwrap_or(&input.text);
    let (declared, declared_from, format, cleaned) = if input.html {
        let page = html::extract(text)?;
        let cleaned = clean::clean(&page.text, 1, false, page.meta.title.as_deref());
        (page.meta, FieldSource::Html, "html".to_string(), cleaned)
    } else {
        match frontmatter::split(text)? {
            Some((meta, rest)) => {
                let first_line = text[..text.len() - rest.len()].lines().count() + 1;
                let want_title = meta.title.is_none() && entry.title.is_none();
                let kind = if text.starts_with("+++") {
                    "toml"
                } else {
                    "yaml"
                };
                let cleaned = clean::clean(rest, first_line, want_title, meta.title.as_deref());
                (
                    meta,
                    FieldSource::FrontMatter,
                    format!("txt+{kind}"),
                    cleaned,
                )
            }
            None => {
                let want_title = entry.title.is_none();
                let cleaned = clean::clean(text, 1, want_title, entry.title.as_deref());
                let format = if input.inline { "manifest" } else { "txt" };
                (
                    DeclaredMeta::default(),
                    FieldSource::FrontMatter,
                    format.to_string(),
                    cleaned,
                )
            }
        }
    };
    let title_from_text = if cleaned.title_from_body {
        FieldSource::FirstSentence
    } else {
        FieldSource::Text
    };
    let (title, title_src) = pick([
        (entry.title.clone(), FieldSource::Manifest),
        (declared.title.clone(), declared_from),
        (cleaned.title.clone(), title_from_text),
    ]);
    let title = title.ok_or_else(|| "empty file: no title and no body".to_string())?;
    let title_src = title_src.unwrap_or(FieldSource::Text);
    if cleaned.paragraphs.is_empty() {
        return Err(if cleaned.dropped.is_empty() {
            "no body: the file has a title line only".to_string()
        } else {
            format!(
                "no body: every line after the title was dropped as boilerplate ({} lines)",
                cleaned.dropped.len()
            )
        });
    }
    let (url, url_src) = pick([
        (entry.url.clone(), FieldSource::Manifest),
        (declared.url.clone(), declared_from),
        (cleaned.url.clone(), FieldSource::Text),
    ]);
    let (source_name, source_src) = pick([
        (entry.source.clone(), FieldSource::Manifest),
        (declared.source.clone(), declared_from),
    ]);
    let (published, published_src) = pick([
        (
            entry.published.as_deref().map(normalize_date),
            FieldSource::Manifest,
        ),
        (
            declared.published.as_deref().map(normalize_date),
            declared_from,
        ),
        (cleaned.published.clone(), FieldSource::Text),
    ]);

    let body = cleaned.paragraphs.join("\n\n");
    let declared_lang = |code: &str, src: FieldSource| {
        Lang::parse(code)
            .map(|l| (l, 1.0, src))
            .ok_or_else(|| format!("{src} gives unsupported language `{code}`; skipped"))
    };
    let (lang, lang_confidence, lang_src) = if let Some(code) = &entry.lang {
        declared_lang(code, FieldSource::Manifest)?
    } else if let Some(lang) = forced_lang {
        (lang, 1.0, FieldSource::Given)
    } else if let (Some(code), false) = (&declared.lang, input.html) {
        declared_lang(code, FieldSource::FrontMatter)?
    } else {
        match lang::detect(&body) {
            Detected::Supported { lang, confidence } => (lang, confidence, FieldSource::Detected),
            Detected::Unsupported { code } => {
                // An HTML page's `lang` attribute is a hint only, used when detection finds nothing.
                match declared.lang.as_deref().and_then(Lang::parse) {
                    Some(lang) if code == "unknown" => (lang, 0.5, FieldSource::Html),
                    _ => {
                        return Err(format!(
                            "language `{code}` is not supported (English and French are); skipped — pass --lang to override"
                        ))
                    }
                }
            }
        }
    };

    let article = Article {
        id: article_id(&title, &body),
        path: input.path,
        title,
        url,
        paragraphs: cleaned.paragraphs,
        lang,
        lang_confidence,
        published,
        source_name,
        provenance: Provenance {
            title: title_src,
            url: url_src,
            published: published_src,
            source_name: source_src,
            lang: lang_src,
            format,
            encoding: input.encoding.to_string(),
        },
    };
    Ok(Processed {
        article,
        dropped: cleaned.dropped,
        repairs: cleaned.repairs,
    })
}

/// A date as `YYYY-MM-DD` when it can be read, else as given.
fn normalize_date(s: &str) -> String {
    dates::normalize(s).unwrap_or_else(|| s.trim().to_string())
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
