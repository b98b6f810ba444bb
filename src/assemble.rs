//! From per-article results to the brief, without any model: group same-story articles, make one item per story
//! from its articles' summaries, rank.
//!
//! [`ArticleResult`] is everything the model stages made of one article (its English text, its summary in both
//! languages, its titles). It is the unit a shard writes (`tandem brief --shard`), and [`assemble`] is the one
//! place a brief is made from such results, whether they come from this run or from merged shards — so a merged
//! brief is byte-identical to a single-machine one.
//!
//! A story's summary is its lead article's summary, followed by at most [`MAX_EXTRA_SENTENCES`] sentences from the
//! other articles' summaries that say something the sentences before them do not (outlets often share wire copy).
use crate::brief::cluster::{self, Group};
use crate::brief::rank::{self, LeadCandidate};
use crate::brief::{
    AlignedSentence, Bilingual, Brief, BriefItem, Coverage, ModelsUsed, Period, SideInfo,
    SideStatus, Source, SCHEMA_VERSION,
};
use crate::ingest::IngestFailure;
use crate::lang::Lang;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::path::PathBuf;

/// Sentences a story's summary takes from its other articles, after the lead's summary.
pub const MAX_EXTRA_SENTENCES: usize = 2;
/// A sentence from another article is left out when this share of its words (4 letters or more) is already in
/// one sentence of the summary.
const REPEAT_SHARE: f64 = 0.5;

/// What the model stages made of one article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleResult {
    /// Position of the article among all the period's articles (all shards), so every run orders them alike.
    pub position: usize,
    pub source: Source,
    /// English title: the original, or its fr→en translation (`None`: French, and no fr→en model).
    pub english_title: Option<String>,
    /// French title: the original, or its en→fr translation (`None`: English, and no en→fr model).
    pub french_title: Option<String>,
    /// The text the article is grouped on: its English title and body when it has them, else its own.
    pub grouping_text: String,
    pub summary: ArticleSummary,
    /// The fr→en model, when the English text is a translation.
    pub fr_en_model: Option<String>,
    /// The en→fr model, when something of the article was translated to French.
    pub en_fr_model: Option<String>,
    /// Why a model failed on this article: it is then listed in the brief's `skipped`, not as an item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
}

/// One article's summary, sentence by sentence in both languages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleSummary {
    /// The language it was made in: English whenever the article has English text.
    pub lang: Lang,
    pub summarized_by: String,
    /// Made from a fr→en translation.
    pub from_translation: bool,
    /// Each sentence with its translation (`None` where no model could make it).
    pub sentences: Vec<AlignedSentence>,
}

/// The brief made from `results` (any order): items grouped, summarized and ranked. `extractive_name` names the
/// summarizer used without BART, so the brief records BART when any article went through it.
pub fn assemble(
    results: &[ArticleResult],
    title: Bilingual,
    period: Option<Period>,
    skipped: Vec<IngestFailure>,
    extractive_name: &str,
) -> Brief {
    let mut ordered: Vec<&ArticleResult> = results.iter().filter(|r| r.failed.is_none()).collect();
    ordered.sort_by_key(|r| r.position);
    let mut failed: Vec<&ArticleResult> = results.iter().filter(|r| r.failed.is_some()).collect();
    failed.sort_by_key(|r| r.position);
    let mut skipped = skipped;
    skipped.extend(failed.into_iter().map(|r| IngestFailure {
        path: PathBuf::from(&r.source.path),
        reason: r.failed.clone().unwrap_or_default(),
    }));
    let articles: Vec<cluster::Article> = ordered
        .iter()
        .map(|r| cluster::Article {
            text: &r.grouping_text,
            published: r.source.published.as_deref(),
        })
        .collect();
    let groups = cluster::cluster(&articles, cluster::THRESHOLD);
    let ids: Vec<&str> = ordered.iter().map(|r| r.source.id.as_str()).collect();
    let mut items: Vec<BriefItem> = groups
        .iter()
        .map(|group| {
            let members = lead_first(&ordered, group);
            to_item(&members, group, &ids)
        })
        .collect();
    rank::order_items(&mut items);
    Brief {
        schema_version: SCHEMA_VERSION,
        title,
        period,
        items,
        models: models_used(&ordered, extractive_name),
        skipped,
    }
}

/// True when some item has a side no model could make.
pub fn has_untranslated_sides(brief: &Brief) -> bool {
    brief.items.iter().any(|i| {
        i.en.status == SideStatus::NotTranslated || i.fr.status == SideStatus::NotTranslated
    })
}

fn lead_first<'a>(ordered: &[&'a ArticleResult], group: &Group) -> Vec<&'a ArticleResult> {
    let candidates: Vec<LeadCandidate> = group
        .members
        .iter()
        .map(|&i| LeadCandidate {
            published: ordered[i].source.published.as_deref(),
            text_len: ordered[i].grouping_text.len(),
            id: &ordered[i].source.id,
        })
        .collect();
    rank::lead_first(&candidates)
        .into_iter()
        .map(|k| ordered[group.members[k]])
        .collect()
}

/// The models a brief made from `results` records: BART when any article went through it, and each translator
/// that translated something.
pub fn models_used(results: &[&ArticleResult], extractive_name: &str) -> ModelsUsed {
    ModelsUsed {
        summarizer: results
            .iter()
            .map(|r| r.summary.summarized_by.as_str())
            .find(|&by| by != extractive_name)
            .unwrap_or(extractive_name)
            .to_string(),
        translate_fr_en: results.iter().find_map(|r| r.fr_en_model.clone()),
        translate_en_fr: results.iter().find_map(|r| r.en_fr_model.clone()),
    }
}

/// The members (lead first) whose summaries make the story's: those with an English summary when there are any
/// (the English side is the one every article can have), else all.
fn summarizing_members<'a>(members: &[&'a ArticleResult]) -> Vec<&'a ArticleResult> {
    let english: Vec<&ArticleResult> = members
        .iter()
        .copied()
        .filter(|r| r.summary.lang == Lang::En)
        .collect();
    if english.is_empty() {
        members.to_vec()
    } else {
        english
    }
}

/// Picks the sentences of a story's summary from its members' summaries (lead first): all of the first, then
/// up to [`MAX_EXTRA_SENTENCES`] that repeat no sentence already taken. Returns the sentences and the members
/// that gave at least one.
fn combine<'a>(
    summarizing: &[&'a ArticleResult],
) -> (Vec<AlignedSentence>, Vec<&'a ArticleResult>) {
    let Some((first, rest)) = summarizing.split_first() else {
        return (Vec::new(), Vec::new());
    };
    let lang = first.summary.lang;
    let mut taken: Vec<AlignedSentence> = first.summary.sentences.clone();
    let mut words: Vec<HashSet<String>> = taken
        .iter()
        .filter_map(|s| s.get(lang))
        .map(long_words)
        .collect();
    let mut used = vec![*first];
    let mut extra = 0;
    for member in rest {
        let mut gave = false;
        for sentence in &member.summary.sentences {
            if extra == MAX_EXTRA_SENTENCES {
                break;
            }
            let Some(text) = sentence.get(lang) else {
                continue;
            };
            let w = long_words(text);
            // a sentence equal to one taken shares all its words, so this also drops exact repeats
            let repeats = w.is_empty()
                || words
                    .iter()
                    .any(|t| w.intersection(t).count() as f64 >= REPEAT_SHARE * w.len() as f64);
            if repeats {
                continue;
            }
            taken.push(sentence.clone());
            words.push(w);
            extra += 1;
            gave = true;
        }
        if gave {
            used.push(member);
        }
    }
    (taken, used)
}

/// Lower-cased words of four letters or more: what two sentences must share to say the same thing.
fn long_words(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .map(str::to_lowercase)
        .collect()
}

fn to_item(members: &[&ArticleResult], group: &Group, ids: &[&str]) -> BriefItem {
    let lead = members[0];
    let summarizing = summarizing_members(members);
    let (sentences, used) = combine(&summarizing);
    let summary_lang = summarizing
        .first()
        .map_or(lead.summary.lang, |r| r.summary.lang);
    let from_translation = used.iter().any(|r| r.summary.from_translation);
    let fr_en = used.iter().find_map(|r| r.fr_en_model.clone());
    let en_fr = used.iter().find_map(|r| r.en_fr_model.clone());
    let summarized_by = summarizing
        .first()
        .map(|r| r.summary.summarized_by.clone())
        .unwrap_or_default();
    let has = |lang: Lang| !sentences.is_empty() && sentences.iter().all(|s| s.get(lang).is_some());
    let side = |lang: Lang| -> SideInfo {
        let mut translated_by = Vec::new();
        if from_translation {
            translated_by.extend(fr_en.clone());
        }
        if lang == Lang::Fr && summary_lang == Lang::En {
            translated_by.extend(en_fr.clone());
        }
        let status = if !has(lang) {
            SideStatus::NotTranslated
        } else if translated_by.is_empty() {
            SideStatus::Original
        } else {
            SideStatus::Translated
        };
        if status == SideStatus::NotTranslated {
            translated_by.clear();
        }
        SideInfo {
            status,
            summarized_by: summarized_by.clone(),
            translated_by,
        }
    };
    let (en, fr) = (side(Lang::En), side(Lang::Fr));
    let sources: Vec<Source> = members.iter().map(|r| r.source.clone()).collect();
    let id = if sources.len() == 1 {
        sources[0].id.clone()
    } else {
        let mut member_ids: Vec<&str> = sources.iter().map(|s| s.id.as_str()).collect();
        member_ids.sort_unstable();
        let digest = Sha256::digest(member_ids.join("+").as_bytes());
        digest[..8].iter().map(|b| format!("{b:02x}")).collect()
    };
    BriefItem {
        id,
        original_language: lead.source.language,
        published: sources.iter().filter_map(|s| s.published.clone()).max(),
        title: Bilingual {
            en: lead.english_title.clone(),
            fr: lead.french_title.clone(),
        },
        sentences,
        en,
        fr,
        coverage: coverage(&sources),
        grouping: group.grouping(ids),
        developing: None,
        sources,
    }
}

/// Distinct outlets (compared without case; a source with no outlet counts as one of its own) and articles.
pub fn coverage(sources: &[Source]) -> Coverage {
    let outlets: HashSet<String> = sources
        .iter()
        .map(|s| match s.outlet.as_deref().map(str::trim) {
            Some(o) if !o.is_empty() => format!("outlet:{}", o.to_lowercase()),
            _ => format!("source:{}", s.id),
        })
        .collect();
    Coverage {
        outlets: outlets.len(),
        articles: sources.len(),
    }
}

/// The brief's title, naming its period in both languages.
pub fn brief_title(period: Option<&Period>) -> Bilingual {
    let (en, fr) = match period.map(|p| (p.since.as_deref(), p.until.as_deref())) {
        Some((Some(s), Some(u))) if s == u => (format!(" — {s}"), format!(" — {s}")),
        Some((Some(s), Some(u))) => (format!(" — {s} to {u}"), format!(" — du {s} au {u}")),
        Some((Some(s), None)) => (format!(" — since {s}"), format!(" — depuis le {s}")),
        Some((None, Some(u))) => (format!(" — until {u}"), format!(" — jusqu'au {u}")),
        _ => (String::new(), String::new()),
    };
    Bilingual {
        en: Some(format!("News brief{en}")),
        fr: Some(format!("Synthèse de presse{fr}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(
        position: usize,
        id: &str,
        lang: Lang,
        text: &str,
        summary: &[&str],
    ) -> ArticleResult {
        ArticleResult {
            position,
            source: Source {
                id: id.to_string(),
                link: format!("{id}.txt"),
                url: None,
                path: format!("{id}.txt"),
                title: id.to_string(),
                language: lang,
                published: Some("2025-11-10".into()),
                outlet: None,
                summary_chunks: None,
            },
            english_title: Some(format!("Title {id}")),
            french_title: Some(format!("Titre {id}")),
            grouping_text: text.to_string(),
            summary: ArticleSummary {
                lang: Lang::En,
                summarized_by: "bart".into(),
                from_translation: lang == Lang::Fr,
                sentences: summary
                    .iter()
                    .map(|s| Bilingual {
                        en: Some(s.to_string()),
                        fr: Some(format!("FR {s}")),
                    })
                    .collect(),
            },
            fr_en_model: (lang == Lang::Fr).then(|| "fr-en".to_string()),
            en_fr_model: Some("en-fr".into()),
            failed: None,
        }
    }

    /// An article a model failed on is no item: it is listed in `skipped` with its path and reason, after the
    /// unreadable files, and the others are briefed as without it.
    #[test]
    fn a_failed_article_is_skipped_with_its_reason() {
        let mut broken = result(1, "b", Lang::Fr, "Ports and cranes", &["Never made."]);
        broken.failed = Some("translation fr→en failed: boom".into());
        let fine = result(0, "a", Lang::En, STRIKE, &["Dock workers strike."]);
        let unreadable = IngestFailure {
            path: PathBuf::from("bad.html"),
            reason: "not UTF-8".into(),
        };
        let title = Bilingual {
            en: Some("t".into()),
            fr: Some("t".into()),
        };
        let brief = assemble(&[broken, fine], title, None, vec![unreadable], "extractive");
        assert_eq!(brief.items.len(), 1);
        assert_eq!(english(&brief.items[0]), ["Dock workers strike."]);
        let skipped: Vec<(String, &str)> = brief
            .skipped
            .iter()
            .map(|f| (f.path.display().to_string(), f.reason.as_str()))
            .collect();
        assert_eq!(
            skipped,
            [
                ("bad.html".to_string(), "not UTF-8"),
                ("b.txt".to_string(), "translation fr→en failed: boom")
            ]
        );
    }

    /// The English sentences of an item's summary.
    fn english(item: &BriefItem) -> Vec<&str> {
        item.sentences
            .iter()
            .filter_map(|s| s.en.as_deref())
            .collect()
    }

    const STRIKE: &str =
        "Dock workers strike at the port of Marseille over pensions; cranes idle, ships wait \
                          offshore, unions say the strike at the port will last until Friday.";

    #[test]
    fn a_story_is_its_leads_summary_plus_new_sentences_from_the_others() {
        let a = result(
            0,
            "a",
            Lang::En,
            STRIKE,
            &[
                "Dock workers walked out in Marseille.",
                "Ships wait offshore.",
            ],
        );
        let b = result(
            1,
            "b",
            Lang::Fr,
            &format!("{STRIKE} Longer text makes this one the lead."),
            &[
                "The strike in Marseille idles the cranes.",
                "Dock workers walked out in Marseille!",
                "Unions expect talks on Thursday.",
                "Police closed the northern gate.",
                "Fishermen joined the protest.",
            ],
        );
        let brief = assemble(&[a, b], brief_title(None), None, Vec::new(), "extractive");
        assert_eq!(brief.items.len(), 1);
        let item = &brief.items[0];
        assert_eq!(item.sources[0].id, "b", "the longer text leads");
        assert_eq!(
            english(item),
            [
                "The strike in Marseille idles the cranes.",
                "Dock workers walked out in Marseille!",
                "Unions expect talks on Thursday.",
                "Police closed the northern gate.",
                "Fishermen joined the protest.",
                "Ships wait offshore.",
            ],
            "all of the lead's summary, then what the other adds (its first sentence repeats the lead's)"
        );
        assert_eq!(item.fr.translated_by, ["fr-en", "en-fr"]);
    }

    #[test]
    fn extra_sentences_are_capped_and_repeats_are_dropped() {
        let a = result(
            0,
            "a",
            Lang::En,
            STRIKE,
            &["Dock workers walked out in Marseille."],
        );
        let b = result(
            1,
            "b",
            Lang::En,
            STRIKE,
            &[
                "Dock workers walked out in Marseille today.",
                "Unions expect talks on Thursday.",
                "Police closed the northern gate.",
                "Fishermen joined the protest.",
            ],
        );
        let brief = assemble(&[b, a], brief_title(None), None, Vec::new(), "extractive");
        // same length and date: the lower id leads
        assert_eq!(
            english(&brief.items[0]),
            [
                "Dock workers walked out in Marseille.",
                "Unions expect talks on Thursday.",
                "Police closed the northern gate.",
            ]
        );
        assert_eq!(brief.models.summarizer, "bart");
        assert_eq!(brief.models.translate_fr_en, None);
    }

    #[test]
    fn the_brief_does_not_depend_on_the_order_results_come_in() {
        let rs = vec![
            result(0, "a", Lang::En, STRIKE, &["One."]),
            result(
                1,
                "b",
                Lang::Fr,
                "Rain floods the valley roads overnight.",
                &["Two."],
            ),
            result(2, "c", Lang::En, STRIKE, &["Three sentences here."]),
        ];
        let mut reversed = rs.clone();
        reversed.reverse();
        let one = assemble(&rs, brief_title(None), None, Vec::new(), "x");
        let two = assemble(&reversed, brief_title(None), None, Vec::new(), "x");
        assert_eq!(one, two);
        assert_eq!(one.items.len(), 2);
    }

    #[test]
    fn titles_name_the_period() {
        let p = |s: Option<&str>, u: Option<&str>| Period {
            since: s.map(str::to_string),
            until: u.map(str::to_string),
        };
        assert_eq!(brief_title(None).en.unwrap(), "News brief");
        let t = brief_title(Some(&p(Some("2025-11-08"), None)));
        assert_eq!(t.fr.unwrap(), "Synthèse de presse — depuis le 2025-11-08");
        let t = brief_title(Some(&p(None, Some("2025-11-10"))));
        assert_eq!(t.en.unwrap(), "News brief — until 2025-11-10");
    }
}
