//! Stories across days: links today's items to the items of the earlier briefs an output folder keeps.
//!
//! **Where earlier briefs are.** A daily run (a brief of one day: `--date D`, or `--since D --until D`) saves a
//! copy of its `brief.json` and `brief.html` in `OUT/history/D/` once its set is published ([`save`]). The
//! next daily run into the same `--out` reads `OUT/history/*/brief.json` for the days of its window (the
//! [`DEFAULT_WINDOW_DAYS`] days before its own, `--history-days N` to change it, `0` to turn it off) ([`earlier`]);
//! folders of other days, files that do not parse, and items missing fields are passed over. Nothing else is
//! kept, and a folder with no `history/` (the first run, or a run over a range of days, which neither reads nor
//! writes history) gives briefs without links. A re-run of a day replaces that day's copy.
//!
//! **How items are linked.** Each item is a text (its titles, then its summary sentences, in every language it
//! has) and is scored against each earlier item with [`crate::brief::cluster::score`], as two articles are
//! (names, numbers, days of the year and their disagreements, TF-IDF cosine), but without the published-date
//! penalty, since a developing story spans days. At or above [`crate::brief::cluster::THRESHOLD`] the item is a
//! developing story: it records the best-scoring earlier item of each day (most recent first) with a link to that
//! day's page, and its first-seen date, carried over from the earlier item when that one was itself developing.
use crate::brief::cluster::{self, Article};
use crate::brief::evidence::day_number;
use crate::brief::{Bilingual, Brief, BriefItem, Developing, EarlierItem};
use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// How many days before its own a daily run looks back by default.
pub const DEFAULT_WINDOW_DAYS: u32 = 7;
/// The folder of `--out` that holds the earlier briefs, one folder per day.
pub const HISTORY_DIR: &str = "history";

/// The day a brief covers when it covers exactly one (`YYYY-MM-DD`).
pub fn brief_day(brief: &Brief) -> Option<&str> {
    let p = brief.period.as_ref()?;
    match (p.since.as_deref(), p.until.as_deref()) {
        (Some(s), Some(u)) if s == u && day_number(s).is_some() => Some(s),
        _ => None,
    }
}

/// One item of an earlier brief, as much of it as linking needs.
#[derive(Debug, Clone, PartialEq)]
pub struct PastItem {
    pub date: String,
    pub id: String,
    pub title: Bilingual,
    /// Titles and summary sentences, in every language the item had.
    pub text: String,
    /// Its own first-seen date, when it was itself a developing story.
    pub first_seen: Option<String>,
}

/// The items of the briefs kept in `out/history/` for the `window` days before `today`, most recent day first.
pub fn earlier(out: &Path, today: &str, window: u32) -> Vec<PastItem> {
    let Some(today_n) = day_number(today) else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(out.join(HISTORY_DIR)) else {
        return Vec::new();
    };
    let mut days: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|name| name.len() == 10)
        .filter(|name| {
            day_number(name).is_some_and(|d| d < today_n && d >= today_n - i64::from(window))
        })
        .collect();
    days.sort_unstable_by(|a, b| b.cmp(a));
    let mut items = Vec::new();
    for day in days {
        let path = out.join(HISTORY_DIR).join(&day).join("brief.json");
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
            tracing::warn!("{}: not JSON, passed over", path.display());
            continue;
        };
        for item in value["items"].as_array().into_iter().flatten() {
            if let Some(past) = past_item(&day, item) {
                items.push(past);
            }
        }
    }
    items
}

fn past_item(date: &str, item: &serde_json::Value) -> Option<PastItem> {
    let id = item["id"].as_str()?.to_string();
    let side = |v: &serde_json::Value, lang: &str| v[lang].as_str().map(str::to_string);
    let title = Bilingual {
        en: side(&item["title"], "en"),
        fr: side(&item["title"], "fr"),
    };
    let sentences: Vec<String> = item["sentences"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| [side(s, "en"), side(s, "fr")])
        .flatten()
        .collect();
    Some(PastItem {
        date: date.to_string(),
        id,
        text: item_text(&title, &sentences),
        title,
        first_seen: item["developing"]["first_seen"]
            .as_str()
            .map(str::to_string),
    })
}

/// An item as a text to score: its titles (title line), then its sentences in every language it has.
fn item_text(title: &Bilingual, sentences: &[String]) -> String {
    let titles: Vec<&str> = [title.en.as_deref(), title.fr.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    format!("{}\n\n{}", titles.join(" / "), sentences.join(" "))
}

fn current_text(item: &BriefItem) -> String {
    let sentences: Vec<String> = item
        .sentences
        .iter()
        .flat_map(|s| [s.en.clone(), s.fr.clone()])
        .flatten()
        .collect();
    item_text(&item.title, &sentences)
}

/// Marks each item of `brief` that continues an item of `past` as developing (see the module docs).
pub fn link(brief: &mut Brief, past: &[PastItem]) {
    if past.is_empty() || brief.items.is_empty() {
        return;
    }
    let texts: Vec<String> = brief
        .items
        .iter()
        .map(current_text)
        .chain(past.iter().map(|p| p.text.clone()))
        .collect();
    let articles: Vec<Article> = texts.iter().map(|t| Article::undated(t)).collect();
    let n = brief.items.len();
    let pairs: Vec<(usize, usize)> = (0..n)
        .flat_map(|i| (0..past.len()).map(move |j| (i, n + j)))
        .collect();
    let links = cluster::batch_links(&articles, &pairs);
    for (i, item) in brief.items.iter_mut().enumerate() {
        let mut earlier: Vec<EarlierItem> = Vec::new();
        let mut first_seen: Option<String> = None;
        for l in links
            .iter()
            .filter(|l| l.a == i && l.score >= cluster::THRESHOLD)
        {
            let p = &past[l.b - n];
            let seen = p.first_seen.clone().unwrap_or_else(|| p.date.clone());
            if first_seen.as_ref().is_none_or(|f| seen < *f) {
                first_seen = Some(seen);
            }
            let entry = EarlierItem {
                date: p.date.clone(),
                item: p.id.clone(),
                title: p.title.clone(),
                brief: format!("{HISTORY_DIR}/{}/brief.html", p.date),
                score: (l.score * 1e4).round() / 1e4,
                shared_names: l.shared.names.iter().take(8).cloned().collect(),
            };
            // the best-scoring item of each day
            match earlier.iter_mut().find(|e| e.date == entry.date) {
                Some(e) if e.score >= entry.score => {}
                Some(e) => *e = entry,
                None => earlier.push(entry),
            }
        }
        if let Some(first_seen) = first_seen {
            earlier.sort_by(|a, b| b.date.cmp(&a.date).then(a.item.cmp(&b.item)));
            item.developing = Some(Developing {
                first_seen,
                earlier,
            });
        }
    }
}

/// Links `brief` to the history kept in `out` when it is a brief of one day and `window` is not 0; returns that
/// day, under which [`save`] keeps it.
pub fn apply(out: &Path, brief: &mut Brief, window: u32) -> Option<String> {
    let day = brief_day(brief)?.to_string();
    if window == 0 {
        return None;
    }
    let past = earlier(out, &day, window);
    link(brief, &past);
    Some(day)
}

/// Keeps `brief` (the one just published) in `out/history/<day>/`: its `brief.json` as published, and its
/// `brief.html` with the links to earlier days made relative to that folder (`../2025-11-09/brief.html`); each
/// file written to a temporary and renamed.
pub fn save(out: &Path, day: &str, brief: &Brief) -> Result<()> {
    let dir = out.join(HISTORY_DIR).join(day);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(dir.clone(), e))?;
    let mut kept = brief.clone();
    for item in &mut kept.items {
        for e in item
            .developing
            .iter_mut()
            .flat_map(|d| d.earlier.iter_mut())
        {
            e.brief = format!("../{}/brief.html", e.date);
        }
    }
    let files: Vec<(PathBuf, Vec<u8>)> = vec![
        (
            dir.join("brief.json"),
            crate::brief::render::to_json(brief).into_bytes(),
        ),
        (
            dir.join("brief.html"),
            crate::brief::html::to_html(&kept).into_bytes(),
        ),
    ];
    crate::output::write_all_atomic(&files)
}
