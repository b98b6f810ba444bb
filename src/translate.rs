//! Full translation of articles (`tandem translate`): title and every paragraph, sentence by sentence, through
//! the same cached translation stage as the brief. The result keeps the paragraph structure and is aligned
//! paragraph by paragraph and sentence by sentence; it renders as bilingual Markdown and JSON.
use crate::brief::Bilingual;
use crate::ingest::{Article, IngestFailure};
use crate::lang::Lang;
use crate::models::manifest::Role;
use crate::pipeline::StageContext;
use crate::stage::StageReport;
use crate::text::split_sentences;
use crate::Result;
use serde::{Deserialize, Serialize};

/// Version of the translated-article JSON layout.
pub const SCHEMA_VERSION: u32 = 1;

/// One article in both languages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranslatedArticle {
    pub schema_version: u32,
    /// The article's content id.
    pub id: String,
    pub path: String,
    pub url: Option<String>,
    pub published: Option<String>,
    /// The article's language, and the language it was translated to.
    pub from: Lang,
    pub to: Lang,
    pub title: Bilingual,
    /// The body, paragraph by paragraph, each a list of aligned sentences.
    pub paragraphs: Vec<Vec<Bilingual>>,
    /// The model that translated it.
    pub translated_by: String,
}

/// The outcome of translating a batch of articles.
#[derive(Debug, Default)]
pub struct Translated {
    pub articles: Vec<TranslatedArticle>,
    /// Articles not translated, with the reason (already in the target language, model not installed).
    pub skipped: Vec<IngestFailure>,
    pub stages: Vec<StageReport>,
}

/// Translates each article to `to` (default: the other language of the pair).
pub fn translate_articles(
    ctx: &mut StageContext,
    articles: Vec<Article>,
    to: Option<Lang>,
) -> Result<Translated> {
    let mut out = Translated::default();
    let mut by_role: [(Role, Vec<Article>); 2] = [
        (Role::TranslateFrEn, Vec::new()),
        (Role::TranslateEnFr, Vec::new()),
    ];
    for a in articles {
        let target = to.unwrap_or(match a.lang {
            Lang::En => Lang::Fr,
            Lang::Fr => Lang::En,
        });
        if target == a.lang {
            out.skipped.push(IngestFailure {
                path: a.path.clone(),
                reason: format!(
                    "already in {} ({}), nothing to translate; pass --to to choose the target language",
                    a.lang,
                    a.provenance.lang
                ),
            });
            continue;
        }
        let k = usize::from(a.lang == Lang::En);
        by_role[k].1.push(a);
    }
    for (role, group) in by_role {
        if group.is_empty() {
            continue;
        }
        // title, then each sentence of each paragraph
        let texts: Vec<String> = group
            .iter()
            .flat_map(|a| a.translation_units().into_iter().map(|(_, s)| s))
            .collect();
        let Some((translations, report)) = ctx.translate(role, &texts)? else {
            let message = ctx.missing_message(role);
            for a in group {
                out.skipped.push(IngestFailure {
                    path: a.path.clone(),
                    reason: message.clone(),
                });
            }
            continue;
        };
        let model = report.model.clone().unwrap_or_default();
        out.stages.push(report);
        let mut next = translations.into_iter();
        for a in group {
            // This article's outcomes: its title, then each sentence. One failure fails the article alone.
            let count = a.translation_units().len();
            let outcomes: Vec<_> = next.by_ref().take(count).collect();
            if let Some(reason) = outcomes.iter().find_map(|o| o.as_ref().err()) {
                out.skipped.push(IngestFailure {
                    path: a.path.clone(),
                    reason: format!("translation failed: {reason}"),
                });
                continue;
            }
            let mut next = outcomes.into_iter().map(Result::ok);
            let (from, to) = match role {
                Role::TranslateFrEn => (Lang::Fr, Lang::En),
                _ => (Lang::En, Lang::Fr),
            };
            let pair = |source: String, translation: Option<String>| match from {
                Lang::En => Bilingual {
                    en: Some(source),
                    fr: translation,
                },
                Lang::Fr => Bilingual {
                    en: translation,
                    fr: Some(source),
                },
            };
            let title = pair(a.title.clone(), next.next().flatten());
            let paragraphs = a
                .paragraphs
                .iter()
                .map(|p| {
                    split_sentences(p)
                        .into_iter()
                        .map(|s| pair(s, next.next().flatten()))
                        .collect()
                })
                .collect();
            out.articles.push(TranslatedArticle {
                schema_version: SCHEMA_VERSION,
                id: a.id.clone(),
                path: a.path.display().to_string(),
                url: a.url.clone(),
                published: a.published.clone(),
                from,
                to,
                title,
                paragraphs,
                translated_by: model.clone(),
            });
        }
    }
    Ok(out)
}

/// The file name (without extension) for an article's outputs: its file stem, made safe, and its target language.
pub fn output_stem(t: &TranslatedArticle) -> String {
    let name = std::path::Path::new(&t.path)
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| t.id.clone());
    let stem = name
        .rsplit_once('.')
        .filter(|(s, ext)| !s.is_empty() && !ext.contains('#'))
        .map_or(name.as_str(), |(s, _)| s);
    let safe: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{safe}.{}", t.to.code())
}

/// The article as JSON, ending with a newline.
pub fn to_json(t: &TranslatedArticle) -> String {
    serde_json::to_string_pretty(t).unwrap_or_default() + "\n"
}

/// The article as bilingual Markdown: the title in both languages, then each paragraph followed by its
/// translation (as a quote), so the two read side by side paragraph by paragraph.
pub fn to_markdown(t: &TranslatedArticle) -> String {
    let side = |b: &Bilingual, lang: Lang| b.get(lang).unwrap_or("").to_string();
    let mut out = format!(
        "# {}\n\n_{}_\n\n",
        side(&t.title, t.from),
        side(&t.title, t.to)
    );
    let link = t.url.clone().unwrap_or_else(|| format!("`{}`", t.path));
    out.push_str(&format!(
        "Source: {link}  \n{} → {}, translated by {}\n\n",
        t.from.code(),
        t.to.code(),
        t.translated_by
    ));
    for p in &t.paragraphs {
        let original: Vec<String> = p.iter().map(|s| side(s, t.from)).collect();
        let translated: Vec<String> = p.iter().map(|s| side(s, t.to)).collect();
        out.push_str(&original.join(" "));
        out.push_str("\n\n> ");
        out.push_str(&translated.join(" "));
        out.push_str("\n\n");
    }
    out
}
