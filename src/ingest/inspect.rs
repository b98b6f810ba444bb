//! `tandem inspect <file>`: one file through ingestion, shown as the cleaned article, its metadata with where
//! each field came from, each dropped line with its reason, and the repairs made to the text.
use super::{manifest, process_file, Article, Dropped};
use crate::{Error, Result};
use std::fmt;
use std::path::Path;

/// What ingestion made of one file.
#[derive(Debug, Clone)]
pub struct Inspection {
    pub article: Article,
    pub dropped: Vec<Dropped>,
    pub repairs: Vec<String>,
}

/// Ingests one file as `read_dir` would (with its folder's manifest entry, if any) and keeps what was done.
pub fn inspect(path: &Path) -> Result<Inspection> {
    if !path.is_file() {
        return Err(Error::Usage(format!(
            "{}: not a file; give an article file (.txt, .md, .html)",
            path.display()
        )));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let manifests = path.parent().map(manifest::read).unwrap_or_default();
    let entry = manifests.for_file(&name).cloned().unwrap_or_default();
    let processed = process_file(path, &entry, &super::IngestOptions::default())
        .map_err(|reason| Error::Usage(format!("{}: {reason}", path.display())))?;
    Ok(Inspection {
        article: processed.article,
        dropped: processed.dropped,
        repairs: processed.repairs,
    })
}

impl fmt::Display for Inspection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = &self.article;
        let p = &a.provenance;
        writeln!(f, "file:      {}", a.path.display())?;
        writeln!(f, "format:    {} ({})", p.format, p.encoding)?;
        writeln!(f, "title:     {}  [{}]", a.title, p.title)?;
        let field = |value: &Option<String>, src: Option<super::FieldSource>| match (value, src) {
            (Some(v), Some(s)) => format!("{v}  [{s}]"),
            (Some(v), None) => v.clone(),
            _ => "-".to_string(),
        };
        writeln!(f, "url:       {}", field(&a.url, p.url))?;
        writeln!(f, "published: {}", field(&a.published, p.published))?;
        writeln!(f, "source:    {}", field(&a.source_name, p.source_name))?;
        writeln!(
            f,
            "language:  {} (confidence {:.2})  [{}]",
            a.lang, a.lang_confidence, p.lang
        )?;
        let sentences: usize = a
            .paragraphs
            .iter()
            .map(|p| crate::text::split_sentences(p).len())
            .sum();
        writeln!(
            f,
            "\n== article: {} paragraphs, {} sentences ==",
            a.paragraphs.len(),
            sentences
        )?;
        for paragraph in &a.paragraphs {
            writeln!(f, "{paragraph}\n")?;
        }
        writeln!(f, "== dropped: {} lines ==", self.dropped.len())?;
        for d in &self.dropped {
            writeln!(f, "{:>5}  {:<28} {}", d.line, d.reason, d.text)?;
        }
        if !self.repairs.is_empty() {
            writeln!(f, "\n== repairs ==")?;
            for r in &self.repairs {
                writeln!(f, "  {r}")?;
            }
        }
        Ok(())
    }
}
