//! The brief: plain serde types (versioned JSON, see `SCHEMA_VERSION` and `schema.json`, also as
//! [`render::JSON_SCHEMA`]), same-story grouping ([`cluster`], on the language-independent [`evidence`] and
//! TF-IDF), links to the stories of earlier briefs ([`history`]), importance order ([`rank`]), and the renderers:
//! [`render`] (JSON, Markdown) and [`html`] (the self-contained page).
pub mod cluster;
pub mod evidence;
pub mod history;
pub mod html;
pub mod rank;
pub mod render;

use crate::ingest::IngestFailure;
use crate::lang::Lang;
use serde::{Deserialize, Serialize};

/// Version of the `brief.json` layout; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 4;

/// A bilingual brief.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Brief {
    pub schema_version: u32,
    /// The brief's title in both languages.
    pub title: Bilingual,
    /// The published dates the brief covers (`--date`, or `--since`/`--until`); absent when every article was
    /// taken whatever its date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    /// The stories, most important first: `items[0]` is the lead.
    pub items: Vec<BriefItem>,
    /// The models that made this brief.
    pub models: ModelsUsed,
    /// Files that were not turned into items, with the reason.
    pub skipped: Vec<IngestFailure>,
}

/// Inclusive range of published dates (`YYYY-MM-DD`); an open end is `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub since: Option<String>,
    pub until: Option<String>,
}

/// One story: a title and a summary, sentence-aligned in English and French, with its sources.
/// Articles about the same story (from several outlets, or in both languages) make one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BriefItem {
    /// Stable id of the item: the lead source's article id for a single article, else a hash of all of them.
    pub id: String,
    /// Language the lead source was written in.
    pub original_language: Lang,
    /// Latest published date among the sources, when known.
    pub published: Option<String>,
    /// The lead source's title.
    pub title: Bilingual,
    /// The summary, sentence by sentence: `sentences[i].en` and `sentences[i].fr` say the same thing.
    pub sentences: Vec<AlignedSentence>,
    /// How each side was made.
    pub en: SideInfo,
    pub fr: SideInfo,
    /// Where the story comes from, lead source first.
    pub sources: Vec<Source>,
    /// How widely the story is covered: distinct outlets and articles.
    pub coverage: Coverage,
    /// Why these sources were grouped into one item; absent for a single source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grouping: Option<Grouping>,
    /// The same story in earlier briefs of the output folder's history (a developing story); absent when it is
    /// new, or when the run keeps no history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub developing: Option<Developing>,
}

/// How many outlets and articles tell a story.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// Distinct outlets among the sources (a source without an outlet counts as its own).
    pub outlets: usize,
    pub articles: usize,
}

/// A story already told in earlier briefs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Developing {
    /// The first day a brief of the history told it (`YYYY-MM-DD`).
    pub first_seen: String,
    /// The earlier items it continues, most recent first.
    pub earlier: Vec<EarlierItem>,
}

/// An item of an earlier brief that the same story continues.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EarlierItem {
    /// The day of that brief.
    pub date: String,
    /// The item's id in that brief.
    pub item: String,
    /// Its title in both languages.
    pub title: Bilingual,
    /// That brief's page, relative to the output folder (`history/2025-11-09/brief.html`).
    pub brief: String,
    /// The link's score and evidence, as for two articles.
    pub score: f64,
    pub shared_names: Vec<String>,
}

/// Why several articles were taken for the same story.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grouping {
    /// How articles were compared (`tfidf+evidence`: the TF-IDF cosine of their English text, or own text,
    /// with the names, numbers and dates both give; see `cluster::score`).
    pub method: String,
    /// Two articles are the same story when their score is at least this.
    pub threshold: f64,
    /// The links that joined the group: each pair of source ids at or above the threshold.
    pub links: Vec<GroupLink>,
}

/// Two sources of an item found to tell the same story, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupLink {
    pub a: String,
    pub b: String,
    /// Their score (at least the grouping's threshold).
    pub score: f64,
    /// TF-IDF cosine of their texts.
    pub similarity: f64,
    /// The terms that weigh most in their similarity (stemmed), strongest first.
    pub shared_terms: Vec<String>,
    /// Names both mention (folded keys; a cognate pair as `a/b`), most mentioned first, at most eight.
    pub shared_names: Vec<String>,
    /// Numbers both give (`1200`, `3.5%`).
    pub shared_numbers: Vec<String>,
    /// Days of the year both give (`MM-DD`).
    pub shared_dates: Vec<String>,
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
    /// The article's content id.
    pub id: String,
    pub link: String,
    pub url: Option<String>,
    pub path: String,
    /// The article's title, in its own language.
    pub title: String,
    pub language: Lang,
    /// Published date (`YYYY-MM-DD`), when known.
    pub published: Option<String>,
    /// The publication's name, when known.
    pub outlet: Option<String>,
    /// How many pieces the article was cut into to fit the summarizer's input: 1 when it fit in one; more when
    /// each piece was summarized and those summaries summarized again into one (map-reduce). `None` when the
    /// summarizer reads any length (extractive) or the article has no summary.
    #[serde(default)]
    pub summary_chunks: Option<usize>,
}

/// The models used for a brief.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelsUsed {
    pub summarizer: String,
    pub translate_fr_en: Option<String>,
    pub translate_en_fr: Option<String>,
}
