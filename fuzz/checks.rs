//! What each fuzz target runs on an input, with the properties it asserts. Shared, through `#[path]`, by the
//! cargo-fuzz targets (`fuzz/fuzz_targets/*.rs`) and the regression tests that replay every committed input
//! (`tests/fuzz_regressions.rs`), so a crash found once is checked the same way forever.
#![allow(dead_code)]

use std::path::{Component, Path};
use tandem::ingest::{self, IngestOptions};

/// Largest input worth a fuzz run: more only slows the fuzzer down.
pub const MAX_INPUT: usize = 64 * 1024;

/// The first byte picks the file's extension (so one corpus covers text, Markdown and HTML), the rest is the
/// file. Ingestion either gives an article with a title and non-empty paragraphs, or a one-line reason.
pub fn ingest_file(data: &[u8]) {
    let Some((&kind, bytes)) = data.split_first() else {
        return;
    };
    let name = match kind % 3 {
        0 => "article.txt",
        1 => "article.md",
        _ => "article.html",
    };
    let opts = IngestOptions {
        max_article_bytes: MAX_INPUT as u64,
        ..IngestOptions::default()
    };
    match ingest::ingest_bytes(Path::new(name), bytes, &opts) {
        Ok(article) => {
            assert!(!article.title.trim().is_empty(), "empty title");
            assert!(!article.paragraphs.is_empty(), "article without paragraphs");
            for p in &article.paragraphs {
                assert!(
                    !p.trim().is_empty(),
                    "empty paragraph in {:?}",
                    article.paragraphs
                );
            }
            assert_eq!(article.id.len(), 16);
            assert!((0.0..=1.0).contains(&article.lang_confidence));
        }
        Err(reason) => {
            assert!(!reason.trim().is_empty(), "empty reason");
            assert!(
                !reason.contains('\n'),
                "reason on several lines: {reason:?}"
            );
        }
    }
}

/// Cleaning never invents lines: it keeps, drops or joins them, so it never returns more paragraphs than the
/// text has non-blank lines, every dropped line is one of the text's lines (by number and content), and no
/// paragraph is blank. The first byte sets `want_title` and whether a known title is given.
pub fn clean(data: &[u8]) {
    let Some((&flags, bytes)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.lines().collect();
    let non_blank = lines.iter().filter(|l| !l.trim().is_empty()).count();
    let known = (flags & 2 != 0).then(|| lines.first().copied().unwrap_or(""));
    let cleaned = ingest::clean(&text, 1, flags & 1 != 0, known);
    let separate_title = usize::from(cleaned.title.is_some() && !cleaned.title_from_body);
    assert!(
        cleaned.paragraphs.len() + separate_title <= non_blank,
        "{} paragraphs (+ title) from {non_blank} non-blank lines",
        cleaned.paragraphs.len()
    );
    assert!(cleaned.dropped.len() <= non_blank);
    for d in &cleaned.dropped {
        assert!(
            d.line >= 1 && d.line <= lines.len(),
            "dropped line {} of {}",
            d.line,
            lines.len()
        );
        assert_eq!(
            d.text,
            lines[d.line - 1].trim(),
            "dropped line {} is not the text's",
            d.line
        );
        assert!(!d.reason.is_empty());
    }
    for p in &cleaned.paragraphs {
        assert!(!p.trim().is_empty(), "blank paragraph");
    }
}

/// Segmentation loses and invents nothing: the sentences, in order, hold exactly the text's non-whitespace
/// characters; each sentence is trimmed and non-empty.
pub fn segment(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let sentences = tandem::text::split_sentences(&text);
    let kept: String = sentences
        .iter()
        .flat_map(|s| s.chars())
        .filter(|c| !c.is_whitespace())
        .collect();
    let given: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert_eq!(kept, given, "segmentation changed the text");
    for s in &sentences {
        assert!(!s.is_empty(), "empty sentence");
        assert_eq!(s.trim(), s, "untrimmed sentence {s:?}");
    }
}

/// The manifest parsers (first byte: even for JSONL, odd for CSV) give at most one entry or problem per line
/// (per record for CSV, plus one for the header); entries name a `file` inside the folder or carry a `text`;
/// problems are one line.
pub fn manifest(data: &[u8]) {
    let Some((&kind, bytes)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(bytes);
    let dir = Path::new("articles");
    let found = if kind % 2 == 0 {
        ingest::parse_jsonl(dir, &text)
    } else {
        ingest::parse_csv(dir, &text)
    };
    // CSV ends records at `\r` as well as `\n`.
    let lines = text.split(['\n', '\r']).count();
    assert!(
        found.entries.len() + found.problems.len() <= lines + 1,
        "{} entries and {} problems from {lines} lines",
        found.entries.len(),
        found.problems.len()
    );
    for located in &found.entries {
        let e = &located.entry;
        assert!(
            e.file.is_some() || e.text.is_some(),
            "entry with neither file nor text"
        );
        if let Some(file) = &e.file {
            assert!(
                Path::new(file)
                    .components()
                    .all(|c| matches!(c, Component::Normal(_) | Component::CurDir)),
                "entry escapes the folder: {file:?}"
            );
        }
        assert!(located.origin.starts_with(dir));
    }
    for (path, reason) in &found.problems {
        assert!(path.starts_with(dir));
        assert!(!reason.trim().is_empty());
    }
}
