//! The brief pipeline, stage by stage, in one direction:
//! ingest → select by date → translate French articles to English → group same-story articles → summarize each
//! story → translate English summaries to French → rank → brief.
//!
//! Model stages go through the cache ([`crate::stage::run_cached`]): a model is loaded only when some text is not
//! cached, for its stage, and dropped after it, so peak memory is the largest model, not the sum. A missing model
//! never stops the run: the extractive summarizer stands in for BART, and a missing translator leaves the other
//! side marked `not_translated` with a notice saying how to install it.
use crate::brief::cluster::{self, Group};
use crate::brief::rank::{self, LeadCandidate};
use crate::brief::{
    AlignedSentence, Bilingual, Brief, BriefItem, ModelsUsed, Period, SideInfo, SideStatus, Source,
    SCHEMA_VERSION,
};
use crate::cache::{Cache, StageKey};
use crate::ingest::{self, Article};
use crate::lang::Lang;
use crate::models::check::check_model_dir;
use crate::models::extractive::ExtractiveSummarizer;
use crate::models::manifest::{self, Manifest, ModelStatus, Role};
use crate::models::rustbert::{self, BartSummarizer, MarianTranslator};
use crate::models::{Engine, Summarizer, Translator};
use crate::progress::Progress;
use crate::report::Report;
use crate::select::{self, LeftOut};
use crate::stage::{run_cached, StageReport};
use crate::text::split_sentences;
use crate::{Error, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::Instant;
use tch::Device;

/// Distinct sentences translated, and stored in the cache, per chunk.
const TRANSLATE_CHUNK: usize = 64;
/// Distinct stories summarized, and stored in the cache, per chunk.
const SUMMARIZE_CHUNK: usize = 4;

/// What `tandem brief` needs.
#[derive(Debug, Clone)]
pub struct BriefOptions {
    pub articles_dir: PathBuf,
    pub models_dir: PathBuf,
    /// The published dates the brief covers; `None` takes every article.
    pub period: Option<Period>,
    /// Keep articles with no published date when a period is given.
    pub include_undated: bool,
    /// How articles are read (forced language, size limit, near-duplicate threshold).
    pub ingest: ingest::IngestOptions,
    pub device: Device,
    /// What runs the Marian/BART models.
    pub engine: Engine,
    /// The cache folder; `None` runs without a cache.
    pub cache_dir: Option<PathBuf>,
}

/// A finished run: the brief, and the report of how it was made.
#[derive(Debug)]
pub struct BriefRun {
    pub brief: Brief,
    pub report: Report,
    /// True when some item has a side left untranslated.
    pub untranslated_sides: bool,
}

/// The three model roles as found under the models folder, each checked before any article is processed.
pub struct InstalledModels {
    pub fr_en: ModelStatus,
    pub summarize: ModelStatus,
    pub en_fr: ModelStatus,
}

impl InstalledModels {
    /// Looks every role up and checks each installed model (config, tokenizer, weights' size), so a broken
    /// model fails here, with the file named, before any work.
    pub fn check(models_dir: &Path) -> Result<InstalledModels> {
        let manifest = Manifest::builtin();
        let status = |role| manifest::status(&manifest, models_dir, role);
        let models = InstalledModels {
            fr_en: status(Role::TranslateFrEn)?,
            summarize: status(Role::SummarizeEn)?,
            en_fr: status(Role::TranslateEnFr)?,
        };
        for st in models.all().into_iter().filter(|s| s.installed()) {
            check_model_dir(&st.path, st.spec.architecture).map_err(|reason| {
                Error::ModelInvalid {
                    role: st.role.name().to_string(),
                    dir: st.path.clone(),
                    reason,
                }
            })?;
        }
        Ok(models)
    }

    fn all(&self) -> [&ModelStatus; 3] {
        [&self.fr_en, &self.summarize, &self.en_fr]
    }

    /// The notice for each role that is not installed.
    pub fn missing_messages(&self) -> Vec<String> {
        self.all()
            .into_iter()
            .filter(|s| !s.installed())
            .map(ModelStatus::missing_message)
            .collect()
    }

    fn get(&self, role: Role) -> &ModelStatus {
        match role {
            Role::TranslateFrEn => &self.fr_en,
            Role::SummarizeEn => &self.summarize,
            Role::TranslateEnFr => &self.en_fr,
        }
    }
}

/// What the model stages share: the models, the cache, the device, the engine and the progress bars.
pub struct StageContext {
    pub models: InstalledModels,
    pub cache: Cache,
    pub device: Device,
    pub engine: Engine,
    pub progress: Progress,
}

impl StageContext {
    /// Checks the models and opens the cache (`None`: no cache).
    pub fn open(
        models_dir: &Path,
        cache_dir: Option<&Path>,
        device: Device,
        engine: Engine,
        progress: Progress,
    ) -> Result<StageContext> {
        let models = InstalledModels::check(models_dir)?;
        let cache = match cache_dir {
            Some(dir) => Cache::open(dir)?,
            None => Cache::disabled(),
        };
        Ok(StageContext {
            models,
            cache,
            device,
            engine,
            progress,
        })
    }

    /// The model's name as briefs record it; int8 weights change the output, so they are named.
    fn model_name(&self, dir: &Path) -> String {
        let name = rustbert::model_name(dir);
        match self.engine {
            Engine::TandemInt8 => format!("{name} [int8]"),
            Engine::RustBert | Engine::Tandem => name,
        }
    }

    /// The notice saying how to install the model of `role`.
    pub fn missing_message(&self, role: Role) -> String {
        self.models.get(role).missing_message()
    }

    fn key(&self, role: Role) -> Result<StageKey> {
        let st = self.models.get(role);
        Ok(StageKey {
            stage: role.name().to_string(),
            model: self.cache.fingerprint(&st.path)?,
            settings: crate::models::output_settings(&st.path, st.spec.architecture, self.engine)?,
        })
    }

    /// Translates `texts` with the model of `role` (one output per text, in order), through the cache.
    /// `None` when that model is not installed.
    pub fn translate(
        &mut self,
        role: Role,
        texts: &[String],
    ) -> Result<Option<(Vec<String>, StageReport)>> {
        let st = self.models.get(role);
        if !st.installed() {
            return Ok(None);
        }
        let (dir, device, engine) = (st.path.clone(), self.device, self.engine);
        let key = self.key(role)?;
        let name = self.model_name(&dir);
        let bar = self.progress.stage(role.name(), 0);
        let result = run_cached(
            &mut self.cache,
            &key,
            Some(name),
            texts,
            TRANSLATE_CHUNK,
            &bar,
            || MarianTranslator::load_with_engine(role, &dir, device, engine),
            |m, chunk| m.translate(chunk),
        )?;
        bar.finish_and_clear();
        Ok(Some(result))
    }

    /// Summarizes English `texts` with BART through the cache; `None` when BART is not installed.
    fn summarize(&mut self, texts: &[String]) -> Result<Option<(Vec<String>, StageReport)>> {
        let role = Role::SummarizeEn;
        let st = self.models.get(role);
        if !st.installed() {
            return Ok(None);
        }
        let (dir, device, engine) = (st.path.clone(), self.device, self.engine);
        let key = self.key(role)?;
        let name = self.model_name(&dir);
        let bar = self.progress.stage("summarize", 0);
        let result = run_cached(
            &mut self.cache,
            &key,
            Some(name),
            texts,
            SUMMARIZE_CHUNK,
            &bar,
            || BartSummarizer::load_with_engine(&dir, device, engine),
            |m, chunk| m.summarize(chunk, Lang::En),
        )?;
        bar.finish_and_clear();
        Ok(Some(result))
    }
}

/// Where an article's text stands after translation to English.
struct Work {
    article: Article,
    /// English body (the original, or the fr→en translation).
    english_body: Option<String>,
    english_title: Option<String>,
}

/// One story on its way to the brief.
struct Story {
    /// Indices into the work list, lead first.
    members: Vec<usize>,
    group: Group,
    summary: String,
    summary_lang: Lang,
    summarized_by: String,
    /// Whether some text the summary was made from is a fr→en translation.
    from_translation: bool,
    french_title: Option<String>,
    french_summary: Option<Vec<String>>,
}

/// Runs the whole pipeline over `opts.articles_dir`.
pub fn run_brief(opts: &BriefOptions, progress: &Progress) -> Result<BriefRun> {
    let mut ctx = StageContext::open(
        &opts.models_dir,
        opts.cache_dir.as_deref(),
        opts.device,
        opts.engine,
        *progress,
    )?;
    let mut stages = Vec::new();

    let started = Instant::now();
    let ingested = ingest::read_dir_with(&opts.articles_dir, &opts.ingest)?;
    let articles_read = ingested.articles.len();
    let (articles, left_out): (Vec<Article>, Vec<LeftOut>) = select::select(
        ingested.articles,
        opts.period.as_ref(),
        opts.include_undated,
    );
    stages.push(StageReport::plain(
        "ingest",
        articles_read + ingested.failures.len(),
        started,
    ));
    let mut work: Vec<Work> = articles
        .into_iter()
        .map(|article| Work {
            english_body: (article.lang == Lang::En).then(|| article.body()),
            english_title: (article.lang == Lang::En).then(|| article.title.clone()),
            article,
        })
        .collect();

    // Stage 1: French articles to English, sentence by sentence, paragraphs kept.
    let fr_en_name = translate_french_articles(&mut ctx, &mut work, &mut stages)?;

    // Stage 2: same story, one item.
    let started = Instant::now();
    let texts: Vec<String> = work.iter().map(clustering_text).collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let groups = cluster::cluster(&refs, cluster::THRESHOLD);
    stages.push(StageReport::plain("cluster", work.len(), started));
    let mut stories: Vec<Story> = groups
        .into_iter()
        .map(|group| {
            let candidates: Vec<LeadCandidate> = group
                .members
                .iter()
                .map(|&i| LeadCandidate {
                    published: work[i].article.published.as_deref(),
                    text_len: texts[i].len(),
                    id: &work[i].article.id,
                })
                .collect();
            let members = rank::lead_first(&candidates)
                .into_iter()
                .map(|k| group.members[k])
                .collect();
            Story {
                members,
                group,
                summary: String::new(),
                summary_lang: Lang::En,
                summarized_by: String::new(),
                from_translation: false,
                french_title: None,
                french_summary: None,
            }
        })
        .collect();

    // Stage 3: one summary per story, from all its articles.
    let summarizer_name = summarize_stories(&mut ctx, &work, &mut stories, &mut stages)?;

    // Stage 4: English summaries and titles to French.
    let en_fr_name = translate_summaries(&mut ctx, &work, &mut stories, &mut stages)?;

    let mut items: Vec<BriefItem> = stories
        .into_iter()
        .map(|s| to_item(s, &work, fr_en_name.as_deref(), en_fr_name.as_deref()))
        .collect();
    rank::order_items(&mut items);
    let untranslated_sides = items.iter().any(|i| {
        i.en.status == SideStatus::NotTranslated || i.fr.status == SideStatus::NotTranslated
    });
    let models = ModelsUsed {
        summarizer: summarizer_name,
        translate_fr_en: fr_en_name,
        translate_en_fr: en_fr_name,
    };
    let brief = Brief {
        schema_version: SCHEMA_VERSION,
        title: brief_title(opts.period.as_ref()),
        period: opts.period.clone(),
        items,
        models: models.clone(),
        skipped: ingested.failures.clone(),
    };
    let report = Report {
        tandem_version: env!("CARGO_PKG_VERSION").to_string(),
        articles_dir: opts.articles_dir.clone(),
        period: opts.period.clone(),
        articles_read,
        articles_selected: work.len(),
        items: brief.items.len(),
        skipped: ingested.failures,
        left_out,
        stages,
        models,
        missing_models: ctx.models.missing_messages(),
        cache: ctx.cache.path().map(Path::to_path_buf),
    };
    Ok(BriefRun {
        brief,
        report,
        untranslated_sides,
    })
}

/// The text an article is grouped on: its English text when it has one, else its own.
fn clustering_text(w: &Work) -> String {
    let title = w
        .english_title
        .as_deref()
        .unwrap_or(w.article.title.as_str());
    let body = w.english_body.clone().unwrap_or_else(|| w.article.body());
    format!("{title}\n\n{body}")
}

/// Each place with its translation, and the name of the model that translated.
type Placed<P> = (Vec<(P, String)>, Option<String>);

/// Translates placed texts with the model of `role` through the cache and records the stage: each place comes
/// back with its translation, with the model's name. `None` when there is nothing to translate or the model is not
/// installed.
fn translate_placed<P>(
    ctx: &mut StageContext,
    role: Role,
    placed: Vec<(P, String)>,
    stages: &mut Vec<StageReport>,
) -> Result<Option<Placed<P>>> {
    if placed.is_empty() {
        return Ok(None);
    }
    let (places, texts): (Vec<P>, Vec<String>) = placed.into_iter().unzip();
    let Some((out, report)) = ctx.translate(role, &texts)? else {
        return Ok(None);
    };
    let name = report.model.clone();
    stages.push(report);
    Ok(Some((places.into_iter().zip(out).collect(), name)))
}

/// Translates the French articles' titles and sentences; returns the model's name when it ran (or was cached).
fn translate_french_articles(
    ctx: &mut StageContext,
    work: &mut [Work],
    stages: &mut Vec<StageReport>,
) -> Result<Option<String>> {
    // Each sentence placed by (work index, paragraph index), so the English body keeps the paragraphs.
    let mut placed = Vec::new();
    for (i, w) in work
        .iter()
        .enumerate()
        .filter(|(_, w)| w.article.lang == Lang::Fr)
    {
        placed.push(((i, None), w.article.title.clone()));
        for (p, paragraph) in w.article.paragraphs.iter().enumerate() {
            placed.extend(
                split_sentences(paragraph)
                    .into_iter()
                    .map(|s| ((i, Some(p)), s)),
            );
        }
    }
    let Some((translated, name)) = translate_placed(ctx, Role::TranslateFrEn, placed, stages)?
    else {
        return Ok(None);
    };
    let mut bodies: Vec<Vec<Vec<String>>> = work
        .iter()
        .map(|w| vec![Vec::new(); w.article.paragraphs.len()])
        .collect();
    for ((i, p), t) in translated {
        match p {
            None => work[i].english_title = Some(t),
            Some(p) => bodies[i][p].push(t),
        }
    }
    for (w, paragraphs) in work.iter_mut().zip(bodies) {
        if w.article.lang == Lang::Fr {
            let body: Vec<String> = paragraphs
                .into_iter()
                .filter(|p| !p.is_empty())
                .map(|p| p.join(" "))
                .collect();
            w.english_body = Some(body.join("\n\n"));
        }
    }
    Ok(name)
}

/// The text a story is summarized from: its articles' bodies, lead first, each sentence once (outlets often share
/// wire copy), and the language it is in. English when some article has English text; else the original French.
fn story_text(work: &[Work], members: &[usize]) -> (String, Lang, bool) {
    let english: Vec<usize> = members
        .iter()
        .copied()
        .filter(|&i| work[i].english_body.is_some())
        .collect();
    let (chosen, lang) = if english.is_empty() {
        (members.to_vec(), work[members[0]].article.lang)
    } else {
        (english, Lang::En)
    };
    let mut seen = std::collections::HashSet::new();
    let mut paragraphs = Vec::new();
    let mut from_translation = false;
    for &i in &chosen {
        let body = match lang {
            Lang::En => work[i].english_body.clone().unwrap_or_default(),
            Lang::Fr => work[i].article.body(),
        };
        from_translation |= lang == Lang::En && work[i].article.lang == Lang::Fr;
        for paragraph in body.split("\n\n") {
            let fresh: Vec<String> = split_sentences(paragraph)
                .into_iter()
                .filter(|s| seen.insert(s.to_lowercase()))
                .collect();
            if !fresh.is_empty() {
                paragraphs.push(fresh.join(" "));
            }
        }
    }
    (paragraphs.join("\n\n"), lang, from_translation)
}

/// Summarizes every story (BART for English text when installed, else the extractive summarizer); returns the
/// name of the summarizer recorded in the brief.
fn summarize_stories(
    ctx: &mut StageContext,
    work: &[Work],
    stories: &mut [Story],
    stages: &mut Vec<StageReport>,
) -> Result<String> {
    let extractive = ExtractiveSummarizer::default();
    let inputs: Vec<(String, Lang, bool)> = stories
        .iter()
        .map(|s| story_text(work, &s.members))
        .collect();
    let english: Vec<usize> = (0..stories.len())
        .filter(|&k| inputs[k].1 == Lang::En)
        .collect();
    let mut bart_name = None;
    if !english.is_empty() {
        let texts: Vec<String> = english.iter().map(|&k| inputs[k].0.clone()).collect();
        if let Some((summaries, report)) = ctx.summarize(&texts)? {
            bart_name = report.model.clone();
            stages.push(report);
            for (&k, summary) in english.iter().zip(summaries) {
                stories[k].summary = summary;
                stories[k].summarized_by = bart_name.clone().unwrap_or_default();
            }
        }
    }
    let started = Instant::now();
    let mut extracted = 0;
    for (story, (text, lang, from_translation)) in stories.iter_mut().zip(inputs) {
        story.summary_lang = lang;
        story.from_translation = from_translation;
        if story.summarized_by.is_empty() {
            story.summary = extractive.summarize_one(&text, lang);
            story.summarized_by = extractive.model_name();
            extracted += 1;
        }
    }
    if extracted > 0 {
        stages.push(StageReport::plain(
            "summarize-extractive",
            extracted,
            started,
        ));
    }
    Ok(bart_name.unwrap_or_else(|| extractive.model_name()))
}

/// Translates each English summary, and each English lead title, to French; returns the model's name.
fn translate_summaries(
    ctx: &mut StageContext,
    work: &[Work],
    stories: &mut [Story],
    stages: &mut Vec<StageReport>,
) -> Result<Option<String>> {
    // Each text placed by (story index, whether it is a summary sentence rather than the title).
    let mut placed = Vec::new();
    for (k, s) in stories.iter_mut().enumerate() {
        let lead = &work[s.members[0]].article;
        match lead.lang {
            Lang::Fr => s.french_title = Some(lead.title.clone()),
            Lang::En => placed.push(((k, false), lead.title.clone())),
        }
        if s.summary_lang == Lang::En {
            placed.extend(
                split_sentences(&s.summary)
                    .into_iter()
                    .map(|t| ((k, true), t)),
            );
        }
    }
    let Some((translated, name)) = translate_placed(ctx, Role::TranslateEnFr, placed, stages)?
    else {
        return Ok(None);
    };
    for ((k, is_summary), t) in translated {
        if is_summary {
            stories[k]
                .french_summary
                .get_or_insert_with(Vec::new)
                .push(t);
        } else {
            stories[k].french_title = Some(t);
        }
    }
    Ok(name)
}

fn to_item(s: Story, work: &[Work], fr_en: Option<&str>, en_fr: Option<&str>) -> BriefItem {
    let lead = &work[s.members[0]];
    let original = lead.article.lang;
    let sentences_in_summary = split_sentences(&s.summary);
    let sentences: Vec<AlignedSentence> = match s.summary_lang {
        Lang::En => {
            let fr = s.french_summary.unwrap_or_default();
            sentences_in_summary
                .into_iter()
                .enumerate()
                .map(|(k, en)| Bilingual {
                    en: Some(en),
                    fr: fr.get(k).cloned(),
                })
                .collect()
        }
        Lang::Fr => sentences_in_summary
            .into_iter()
            .map(|fr| Bilingual {
                en: None,
                fr: Some(fr),
            })
            .collect(),
    };
    let has = |lang: Lang| sentences.iter().all(|s| s.get(lang).is_some()) && !sentences.is_empty();
    let side = |lang: Lang| -> SideInfo {
        let mut translated_by = Vec::new();
        if s.from_translation {
            translated_by.extend(fr_en.map(str::to_string));
        }
        if lang == Lang::Fr && s.summary_lang == Lang::En {
            translated_by.extend(en_fr.map(str::to_string));
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
            summarized_by: s.summarized_by.clone(),
            translated_by,
        }
    };
    let (en, fr) = (side(Lang::En), side(Lang::Fr));
    let ids: Vec<&str> = work.iter().map(|w| w.article.id.as_str()).collect();
    let sources: Vec<Source> = s
        .members
        .iter()
        .map(|&i| {
            let a = &work[i].article;
            Source {
                id: a.id.clone(),
                link: a.link(),
                url: a.url.clone(),
                path: a.path.display().to_string(),
                title: a.title.clone(),
                language: a.lang,
                published: a.published.clone(),
                outlet: a.source_name.clone(),
            }
        })
        .collect();
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
        original_language: original,
        published: sources.iter().filter_map(|s| s.published.clone()).max(),
        title: Bilingual {
            en: lead.english_title.clone(),
            fr: s.french_title,
        },
        sentences,
        en,
        fr,
        grouping: s.group.grouping(&ids),
        sources,
    }
}

fn brief_title(period: Option<&Period>) -> Bilingual {
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

/// Refuses an output folder that is the input folder or inside it (outputs would be read back as articles).
pub fn check_out_dir(articles_dir: &Path, out_dir: &Path) -> Result<()> {
    let input = articles_dir
        .canonicalize()
        .map_err(|e| Error::io(articles_dir, e))?;
    let mut probe = out_dir.to_path_buf();
    // the output folder may not exist yet: resolve its nearest existing ancestor
    let mut tail = Vec::new();
    while !probe.exists() {
        match (probe.file_name(), probe.parent()) {
            (Some(name), Some(parent)) => {
                tail.push(name.to_os_string());
                probe = if parent.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    parent.to_path_buf()
                };
            }
            _ => break,
        }
    }
    let mut resolved = probe.canonicalize().map_err(|e| Error::io(&probe, e))?;
    for name in tail.into_iter().rev() {
        resolved.push(name);
    }
    if resolved.starts_with(&input) {
        return Err(Error::Usage(format!(
            "--out {} is inside the articles folder {}: choose an output folder outside it",
            out_dir.display(),
            articles_dir.display()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn work(id: &str, lang: Lang, body: &str, english: Option<&str>) -> Work {
        let paragraphs: Vec<&str> = body.split("\n\n").collect();
        Work {
            article: Article::for_test(id, lang, &paragraphs),
            english_body: english.map(str::to_string),
            english_title: None,
        }
    }

    #[test]
    fn a_story_is_summarized_from_all_its_articles_lead_first_each_sentence_once() {
        let w = vec![
            work(
                "a",
                Lang::En,
                "Wire copy here. Outlet A adds this.",
                Some("Wire copy here. Outlet A adds this."),
            ),
            work(
                "b",
                Lang::Fr,
                "Texte.",
                Some("Outlet B says that.\n\nWire copy here."),
            ),
        ];
        let (text, lang, from_translation) = story_text(&w, &[1, 0]);
        assert_eq!(lang, Lang::En);
        assert!(from_translation);
        assert_eq!(
            text,
            "Outlet B says that.\n\nWire copy here.\n\nOutlet A adds this."
        );
        // Without any English text, the story is summarized in the lead's language from the originals.
        let w = vec![work("c", Lang::Fr, "Une phrase. Une autre.", None)];
        assert_eq!(
            story_text(&w, &[0]),
            ("Une phrase. Une autre.".to_string(), Lang::Fr, false)
        );
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
