//! Ingestion: turns files on disk into [`Article`]s (title, body, language, source link, published date).
//!
//! A folder is walked for `*.txt`, `*.md`, `*.html` and `*.htm` files in a stable (sorted) order, plus the
//! inline texts of `manifest.jsonl` / `manifest.csv`. Each file is decoded (UTF-8, UTF-16, Windows-1252…), its
//! front matter or HTML metadata read, its boilerplate dropped ([`clean`]) and its language detected on the
//! cleaned body. A file that cannot be used is reported as an [`IngestFailure`] with a one-line reason; the
//! others go on. Broken inputs of a scraped folder each get their own reason: empty or whitespace-only files,
//! binary files, files over the size limit, directories, FIFOs, dangling links and symlink loops named like
//! articles, malformed front matter, manifests and HTML, boilerplate-only pages, unsupported languages, and exact
//! or near duplicates of an article read before ([`dedup`]).
mod clean;
mod dates;
pub mod decode;
pub mod dedup;
mod files;
mod frontmatter;
mod html;
mod inspect;
mod manifest;
mod txt;

pub use clean::{boilerplate_reason, clean, repair_paragraph, Cleaned, Dropped};
pub use files::human_size;
pub use inspect::{inspect, Inspection};
pub use manifest::{parse_csv, parse_jsonl, Located, ManifestEntry, Manifests};
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

    /// The article as a translator is given it: its title (paragraph `None`), then each sentence of each
    /// paragraph with the paragraph's index.
    pub fn translation_units(&self) -> Vec<(Option<usize>, String)> {
        let mut units = vec![(None, self.title.clone())];
        for (p, paragraph) in self.paragraphs.iter().enumerate() {
            units.extend(
                crate::text::split_sentences(paragraph)
                    .into_iter()
                    .map(|s| (Some(p), s)),
            );
        }
        units
    }
}

#[cfg(test)]
impl Article {
    /// An article as other modules' tests need one: `id` is also its path and title, the language is given, no
    /// metadata.
    pub(crate) fn for_test(id: &str, lang: Lang, paragraphs: &[&str]) -> Article {
        Article {
            id: id.into(),
            path: id.into(),
            title: id.into(),
            url: None,
            paragraphs: paragraphs.iter().map(|p| p.to_string()).collect(),
            lang,
            lang_confidence: 1.0,
            published: None,
            source_name: None,
            provenance: Provenance {
                title: FieldSource::Text,
                url: None,
                published: None,
                source_name: None,
                lang: FieldSource::Given,
                format: "txt".into(),
                encoding: "UTF-8".into(),
            },
        }
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

/// Default [`IngestOptions::max_article_bytes`]: 2 MB. The longest long-form articles are about 150 KB of text
/// and article pages with inline scripts and styles rarely pass 1.5 MB, so anything larger is a dump or several
/// articles glued together, not one article; it would also take hours to translate on a CPU.
pub const DEFAULT_MAX_ARTICLE_BYTES: u64 = 2_000_000;

/// Default [`IngestOptions::near_duplicate_threshold`]: 0.8 (see [`dedup`]).
pub const DEFAULT_NEAR_DUPLICATE: f64 = 0.8;

/// How a folder is ingested.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestOptions {
    /// Overrides language detection (`--lang`); a manifest entry's `lang` still wins.
    pub forced_lang: Option<Lang>,
    /// Largest file (or inline manifest text) read as one article, in bytes; larger ones are skipped with a
    /// reason, unread. Default [`DEFAULT_MAX_ARTICLE_BYTES`].
    pub max_article_bytes: u64,
    /// Similarity (Jaccard of word 5-grams, in [0, 1]) from which an article is skipped as a near duplicate of
    /// one read before it. Default [`DEFAULT_NEAR_DUPLICATE`]; above 1.0 turns near-duplicate detection off
    /// (exact duplicates are always skipped).
    pub near_duplicate_threshold: f64,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            forced_lang: None,
            max_article_bytes: DEFAULT_MAX_ARTICLE_BYTES,
            near_duplicate_threshold: DEFAULT_NEAR_DUPLICATE,
        }
    }
}

/// Reads every article of `dir` with the default options and `forced_lang`; see [`read_dir_with`].
pub fn read_dir(dir: &Path, forced_lang: Option<Lang>) -> Result<Ingested> {
    read_dir_with(
        dir,
        &IngestOptions {
            forced_lang,
            ..IngestOptions::default()
        },
    )
}

/// Reads every article of `dir`: the entries named `*.txt`, `*.md`, `*.html`, `*.htm` (sorted by name; the
/// folder is not walked recursively), then the files and inline texts its manifests list. Each entry that
/// cannot be used becomes one [`IngestFailure`]; duplicates of an earlier article too. Failures are sorted by
/// path. Fails only when `dir` itself cannot be listed.
pub fn read_dir_with(dir: &Path, opts: &IngestOptions) -> Result<Ingested> {
    read_dir_with_progress(dir, opts, &crate::progress::Progress::hidden())
}

/// [`read_dir_with`], counting the files and manifest entries read on a bar (drawn for a large folder only).
pub fn read_dir_with_progress(
    dir: &Path,
    opts: &IngestOptions,
    progress: &crate::progress::Progress,
) -> Result<Ingested> {
    let entries = std::fs::read_dir(dir).map_err(|e| crate::Error::io(dir, e))?;
    let mut out = Ingested::default();
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in entries {
        match entry {
            Ok(e) => {
                let path = e.path();
                let wanted = path
                    .extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| EXTENSIONS.contains(&x.to_ascii_lowercase().as_str()));
                if wanted {
                    files.push(path);
                }
            }
            Err(e) => fail(
                &mut out,
                dir,
                format!("an entry of the folder could not be listed: {e}"),
            ),
        }
    }
    files.sort();

    let manifests = manifest::read(dir);
    for (path, reason) in &manifests.problems {
        fail(&mut out, path, reason.clone());
    }
    let bar = progress.files("ingest", (files.len() + manifests.entries.len()) as u64);
    let default_entry = ManifestEntry::default();
    for path in &files {
        bar.advance(1);
        let name = file_name(path);
        let entry = manifests.for_file(&name).unwrap_or(&default_entry);
        match guarded(|| process_file(path, entry, opts)) {
            Ok(p) => out.articles.push(p.article),
            Err(reason) => fail(&mut out, path, reason),
        }
    }
    let mut listed_done: Vec<PathBuf> = Vec::new();
    for located in &manifests.entries {
        bar.advance(1);
        let entry = &located.entry;
        match (&entry.file, &entry.text) {
            (Some(file), _) => {
                let listed = dir.join(file);
                if files.contains(&listed) || listed_done.contains(&listed) {
                    continue;
                }
                listed_done.push(listed.clone());
                let outcome = if files::exists(&listed) {
                    guarded(|| process_file(&listed, entry, opts)).map(|p| p.article)
                } else {
                    Err(format!("listed in the manifest but not found: {file}"))
                };
                match outcome {
                    Ok(a) => out.articles.push(a),
                    Err(reason) => fail(&mut out, &listed, reason),
                }
            }
            (None, Some(text)) => {
                let outcome = if text.len() as u64 > opts.max_article_bytes {
                    Err(files::too_large(text.len() as u64, opts.max_article_bytes))
                } else {
                    let input = Input {
                        path: located.origin.clone(),
                        text: text.clone(),
                        encoding: "UTF-8",
                        html: false,
                        inline: true,
                    };
                    guarded(|| process(input, entry, opts.forced_lang)).map(|p| p.article)
                };
                match outcome {
                    Ok(a) => out.articles.push(a),
                    Err(reason) => fail(&mut out, &located.origin, reason),
                }
            }
            (None, None) => {}
        }
    }
    bar.finish();
    remove_duplicates(&mut out, dir, opts.near_duplicate_threshold);
    out.failures.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Reads one article file (no manifest applies), as [`read_dir_with`] would read it in its folder.
pub fn read_file(path: &Path, opts: &IngestOptions) -> Ingested {
    let mut out = Ingested::default();
    let outcome = match std::fs::read(path) {
        Ok(bytes) => guarded(|| ingest_bytes(path, &bytes, opts)),
        Err(e) => Err(format!("cannot read: {e}")),
    };
    match outcome {
        Ok(article) => out.articles.push(article),
        Err(reason) => fail(&mut out, path, reason),
    }
    out
}

/// Ingests one file's bytes as [`read_dir_with`] would a file at `path` that no manifest lists: the size limit,
/// decoding, the format by extension (`.html`/`.htm` or text with optional front matter), cleaning and the
/// language. Nothing is read from disk; `path` only names the article.
pub fn ingest_bytes(
    path: &Path,
    bytes: &[u8],
    opts: &IngestOptions,
) -> std::result::Result<Article, String> {
    if bytes.len() as u64 > opts.max_article_bytes {
        return Err(files::too_large(bytes.len() as u64, opts.max_article_bytes));
    }
    process_bytes(path, bytes, &ManifestEntry::default(), opts.forced_lang)
        .map(|p| p.article)
        .map_err(|reason| one_line(&reason))
}

/// Records a failure with its reason made one line (at most 300 characters).
fn fail(out: &mut Ingested, path: &Path, reason: String) {
    out.failures.push(IngestFailure {
        path: path.to_path_buf(),
        reason: one_line(&reason),
    });
}

/// A reason on one line: line breaks and runs of whitespace become one space; cut at 300 characters.
pub fn one_line(reason: &str) -> String {
    let flat = reason.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &flat[..i]),
        None => flat,
    }
}

/// Runs one file's ingestion so that a bug (a panic) in it costs that file only, reported as its failure.
fn guarded<T>(
    f: impl FnOnce() -> std::result::Result<T, String>,
) -> std::result::Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        Err(format!(
            "internal error while reading this file (a tandem bug; please report it): {msg}"
        ))
    })
}

/// Skips the articles that repeat an earlier one (see [`dedup`]); the first in ingestion order is kept.
fn remove_duplicates(out: &mut Ingested, dir: &Path, threshold: f64) {
    let prints: Vec<dedup::Fingerprint> = out
        .articles
        .iter()
        .map(|a| dedup::Fingerprint::new(&a.body()))
        .collect();
    let verdicts = dedup::classify(&prints, threshold);
    let shown = |a: &Article| {
        a.path
            .strip_prefix(dir)
            .unwrap_or(&a.path)
            .display()
            .to_string()
    };
    let mut reasons: Vec<Option<String>> = Vec::with_capacity(verdicts.len());
    for v in &verdicts {
        reasons.push(match *v {
            dedup::Verdict::Unique => None,
            dedup::Verdict::Same { index } => {
                Some(format!("same text as {}; skipped as a duplicate", shown(&out.articles[index])))
            }
            dedup::Verdict::Near { index, similarity } => Some(format!(
                "near duplicate of {} ({:.0}% of their 5-word sequences are shared; the threshold is {:.0}%); skipped",
                shown(&out.articles[index]),
                (similarity * 100.0).floor(),
                threshold * 100.0
            )),
        });
    }
    let articles = std::mem::take(&mut out.articles);
    for (article, reason) in articles.into_iter().zip(reasons) {
        match reason {
            None => out.articles.push(article),
            Some(r) => fail(out, &article.path, r),
        }
    }
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
    opts: &IngestOptions,
) -> std::result::Result<Processed, String> {
    let bytes = files::read_limited(path, opts.max_article_bytes)?;
    process_bytes(path, &bytes, entry, opts.forced_lang)
}

fn process_bytes(
    path: &Path,
    bytes: &[u8],
    entry: &ManifestEntry,
    forced_lang: Option<Lang>,
) -> std::result::Result<Processed, String> {
    if bytes.is_empty() {
        return Err("empty file (0 bytes)".to_string());
    }
    let decoded = decode::decode(bytes)?;
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
    if text.is_empty() {
        return Err("empty file (only a byte-order mark)".to_string());
    }
    if text.trim().is_empty() {
        return Err(format!(
            "empty file: whitespace only ({}, no text)",
            files::human_size(text.len() as u64)
        ));
    }
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
        // A page or front matter without a title: the body's first sentence, as for a text without a title line.
        (
            cleaned
                .paragraphs
                .first()
                .map(|p| clean::first_sentence_title(p)),
            FieldSource::FirstSentence,
        ),
    ]);
    let Some(title) = title else {
        return Err(if cleaned.dropped.is_empty() {
            "no text: nothing to use as a title or a body".to_string()
        } else {
            format!(
                "only boilerplate: all {} lines were dropped ({})",
                cleaned.dropped.len(),
                summarize_drops(&cleaned.dropped)
            )
        });
    };
    let title_src = title_src.unwrap_or(FieldSource::Text);
    if cleaned.paragraphs.is_empty() {
        return Err(if cleaned.dropped.is_empty() {
            format!("no body: only a title (`{}`)", shorten(&title, 60))
        } else {
            format!(
                "only boilerplate after the title `{}`: all {} other lines were dropped ({})",
                shorten(&title, 60),
                cleaned.dropped.len(),
                summarize_drops(&cleaned.dropped)
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
                    _ if code == "unknown" => {
                        return Err(
                            "language not recognised (too little text, or no words); skipped — pass --lang en or --lang fr to set it"
                                .to_string(),
                        )
                    }
                    _ => {
                        let name = whatlang::Lang::from_code(&code)
                            .map(|l| format!("{}; ", l.eng_name()))
                            .unwrap_or_default();
                        return Err(format!(
                            "language `{code}` is not supported ({name}tandem reads English and French); skipped — pass --lang to override"
                        ));
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

/// "share button ×4, navigation ×2, …": the most frequent reasons lines were dropped for, at most three.
fn summarize_drops(dropped: &[Dropped]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for d in dropped {
        match counts.iter_mut().find(|(r, _)| *r == d.reason) {
            Some((_, n)) => *n += 1,
            None => counts.push((&d.reason, 1)),
        }
    }
    counts.sort_by_key(|&(_, n)| std::cmp::Reverse(n)); // stable: ties keep their first appearance
    let mut parts: Vec<String> = counts
        .iter()
        .take(3)
        .map(|(r, n)| format!("{r} ×{n}"))
        .collect();
    if counts.len() > 3 {
        parts.push("…".to_string());
    }
    parts.join(", ")
}

/// At most `max` characters of `s`.
fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
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
