//! The brief: plain serde types (versioned JSON, see `SCHEMA_VERSION`) and their renderers.
pub mod render;

use crate::ingest::IngestFailure;
use crate::lang::Lang;
use serde::{Deserialize, Serialize};

/// Version of the `brief.json` layout; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// A bilingual brief.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Brief {
    pub schema_version: u32,
    /// The brief's title in both languages.
    pub title: Bilingual,
    /// The day the brief covers, when one was given (`--date`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    pub items: Vec<BriefItem>,
    /// The models that made this brief.
    pub models: ModelsUsed,
    /// Files that were not turned into items, with the reason.
    pub skipped: Vec<IngestFailure>,
}

/// One story: a title and a summary, sentence-aligned in English and French, with its sources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BriefItem {
    /// Stable id of the item (the article's content id).
    pub id: String,
    /// Language the article was written in.
    pub original_language: Lang,
    pub title: Bilingual,
    /// The summary, sentence by sentence: `sentences[i].en` and `sentences[i].fr` say the same thing.
    pub sentences: Vec<AlignedSentence>,
    /// How each side was made.
    pub en: SideInfo,
    pub fr: SideInfo,
    /// Where the story comes from.
    pub sources: Vec<Source>,
}

/// A text in both languages; a side is `null` when it could not be made (see [`SideInfo`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bilingual {
    pub en: Option<String>,
    pub fr: Option<String>,
}

impl Bilingual {
    /// The side in `lang`.
    pub fn get(&self, lang: Lang) -> Option<&str> {
        match lang {
            Lang::En => self.en.as_deref(),
            Lang::Fr => self.fr.as_deref(),
        }
    }
}

/// One sentence of a summary and its translation.
pub type AlignedSentence = Bilingual;

/// How one language side of an item was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SideInfo {
    pub status: SideStatus,
    /// The summarizer that wrote the summary this side is, or is translated from.
    pub summarized_by: String,
    /// The translation models this side went through, in order (empty for an original-language side).
    pub translated_by: Vec<String>,
}

/// Whether a side is in the article's own language, machine translated, or missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SideStatus {
    /// Summarized from the article's own text, in its own language.
    Original,
    /// Made through machine translation (of the article, of its summary, or both).
    Translated,
    /// Left empty: the translation model it needs is not installed.
    NotTranslated,
}

/// A source of an item. `link` is the URL when known, else the file path; never invented.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub link: String,
    pub url: Option<String>,
    pub path: String,
    pub title: String,
}

/// The models used for a brief.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelsUsed {
    pub summarizer: String,
    pub translate_fr_en: Option<String>,
    pub translate_en_fr: Option<String>,
}
