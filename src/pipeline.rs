//! The model stages, in one direction:
//! ingest → select by date → translate French articles to English → summarize each article → translate English
//! summaries and titles to French; then [`crate::assemble`] groups same-story articles and makes the brief.
//!
//! Every article goes through the models on its own ([`process_articles`] makes one [`ArticleResult`] each), so
//! the work can be split across machines by article (`--shard`, see [`crate::shard`]) and merged into the same
//! brief. Model stages go through the cache ([`crate::stage::run_cached`]): a model is loaded only when some text
//! is not cached, for its stage, and dropped after it, so peak memory is the largest model, not the sum. A missing
//! model never stops the run: the extractive summarizer stands in for BART, and a missing translator leaves the
//! other side marked `not_translated` with a notice saying how to install it.
use crate::assemble::{
    assemble, brief_title, has_untranslated_sides, ArticleResult, ArticleSummary,
};
use crate::brief::{AlignedSentence, Bilingual, Brief, Period, Source};
use crate::cache::{Cache, StageKey};
use crate::ingest::{self, Article, IngestFailure};
use crate::lang::Lang;
use crate::models::check::check_model_dir;
use crate::models::extractive::ExtractiveSummarizer;
use crate::models::manifest::{self, Manifest, ModelStatus, Role};
use crate::models::summarizer::BartSummarizer;
use crate::models::translator::MarianTranslator;
use crate::models::{ChunkedSummary, Engine, Summarizer, Translator};
use crate::progress::Progress;
use crate::report::Report;
use crate::select::{self, LeftOut};
use crate::stage::{run_cached, Outcome, StageReport};
use crate::text::split_sentences;
use crate::{Error, Result};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tch::Device;

/// Distinct sentences translated, and stored in the cache, per chunk.
const TRANSLATE_CHUNK: usize = 64;
/// Distinct articles summarized, and stored in the cache, per chunk.
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
        // A folder that exists but lacks files is a broken install, not an absent model: say which file.
        if let Some(st) = models
            .all()
            .into_iter()
            .find(|s| !s.installed() && s.path.is_dir())
        {
            return Err(Error::ModelInvalid {
                role: st.role.name().to_string(),
                dir: st.path.clone(),
                reason: format!(
                    "the folder is incomplete: {} missing. Re-install it (`{}`, or `tandem models import <dir> \
                     --role {}`), or remove the folder to run without this model",
                    st.missing.join(", "),
                    st.install_command(),
                    st.role
                ),
            });
        }
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

    /// The model's name as briefs record it; int8 and fp16 weights change the output, so they are named.
    fn model_name(&self, dir: &Path) -> String {
        let name = crate::models::model_name(dir);
        match self.engine {
            Engine::TandemInt8 => format!("{name} [int8]"),
            Engine::TandemFp16 => format!("{name} [fp16]"),
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
            settings: crate::models::output_settings(
                &st.path,
                role,
                st.spec.architecture,
                self.engine,
            )?,
        })
    }

    /// What decides each installed model's outputs, by role: its name, the fingerprint of its files and its
    /// settings, as one line (`None` for a role not installed). Runs that agree on these lines give the same
    /// outputs for the same text.
    pub fn identities(&self) -> Result<Vec<(Role, Option<String>)>> {
        [Role::TranslateFrEn, Role::SummarizeEn, Role::TranslateEnFr]
            .into_iter()
            .map(|role| {
                let st = self.models.get(role);
                if !st.installed() {
                    return Ok((role, None));
                }
                let key = self.key(role)?;
                let name = self.model_name(&st.path);
                Ok((role, Some(format!("{name} {} {}", key.model, key.settings))))
            })
            .collect()
    }

    /// Translates `texts` with the model of `role` (one output per text, in order), through the cache.
    /// `None` when that model is not installed.
    pub fn translate(
        &mut self,
        role: Role,
        texts: &[String],
    ) -> Result<Option<(Vec<Outcome>, StageReport)>> {
        let st = self.models.get(role);
        if !st.installed() {
            return Ok(None);
        }
        let (dir, device, engine) = (st.path.clone(), self.device, self.engine);
        let key = self.key(role)?;
        let name = self.model_name(&dir);
        let bar = self.progress.stage(role.name());
        let load = || {
            log_model_load(role, &dir, engine);
            let mut model = MarianTranslator::load_with_engine(role, &dir, device, engine)?;
            model.set_progress(Some(bar.clone()));
            Ok(model)
        };
        let result = run_cached(
            &mut self.cache,
            &key,
            Some(name),
            texts,
            TRANSLATE_CHUNK,
            &bar,
            load,
            |m, texts| m.pieces(texts),
            |m, chunk| m.translate(chunk),
        )?;
        bar.finish();
        Ok(Some(result))
    }

    /// Summarizes English `texts` with BART through the cache (each output a [`ChunkedSummary`]); `None` when
    /// BART is not installed.
    #[allow(clippy::type_complexity)]
    fn summarize(
        &mut self,
        texts: &[String],
    ) -> Result<
        Option<(
            Vec<std::result::Result<ChunkedSummary, String>>,
            StageReport,
        )>,
    > {
        let role = Role::SummarizeEn;
        let st = self.models.get(role);
        if !st.installed() {
            return Ok(None);
        }
        let (dir, device, engine) = (st.path.clone(), self.device, self.engine);
        let key = self.key(role)?;
        let name = self.model_name(&dir);
        let bar = self.progress.stage("summarize");
        let load = || {
            log_model_load(role, &dir, engine);
            Ok(BartSummarizer::load_with_engine(&dir, device, engine)?.with_progress(bar.clone()))
        };
        let result = run_cached(
            &mut self.cache,
            &key,
            Some(name),
            texts,
            SUMMARIZE_CHUNK,
            &bar,
            load,
            |m, texts| m.pieces(texts),
            |m, chunk| {
                m.summarize_chunked(chunk)?
                    .iter()
                    .map(|s| {
                        serde_json::to_string(s).map_err(|source| Error::Json {
                            context: "summary".into(),
                            source,
                        })
                    })
                    .collect()
            },
        )?;
        bar.finish();
        let (outcomes, report) = result;
        let summaries = outcomes
            .into_iter()
            .map(|o| {
                o.and_then(|json| {
                    serde_json::from_str::<ChunkedSummary>(&json).map_err(|e| {
                        format!(
                            "the cached summary is unreadable ({e}); run `tandem cache clear` and run again"
                        )
                    })
                })
            })
            .collect();
        Ok(Some((summaries, report)))
    }
}

/// Logs a model load: the role, the folder, the weights' fingerprint, the engine and what computes with it.
fn log_model_load(role: Role, dir: &Path, engine: Engine) {
    tracing::info!(
        role = role.name(),
        path = %dir.display(),
        model = %crate::models::model_name(dir),
        engine = engine.name(),
        compute = %crate::models::compute_description(engine),
        "model load"
    );
}

/// Where an article's text stands during the model stages.
struct Work {
    position: usize,
    article: Article,
    /// English body (the original, or the fr→en translation).
    english_body: Option<String>,
    english_title: Option<String>,
    /// The fr→en model, when the English text is its translation.
    fr_en_model: Option<String>,
    summary: Option<Summary>,
    french_title: Option<String>,
    french_summary: Vec<Option<String>>,
    en_fr_model: Option<String>,
    /// Why a model failed on this article (the first failure); the article then leaves the brief.
    failed: Option<String>,
}

impl Work {
    /// Records that a model stage failed on this article (the first reason is kept).
    fn fail(&mut self, stage: &str, reason: &str) {
        if self.failed.is_none() {
            self.failed = Some(format!("{stage} failed: {reason}"));
        }
    }
}

/// An article's summary before translation.
struct Summary {
    text: String,
    lang: Lang,
    by: String,
    from_translation: bool,
    /// The pieces the summarizer read the text in (`None` for the extractive summarizer).
    chunks: Option<usize>,
}

/// The period's articles, in the order every run numbers them, and what reading the folder left out.
pub struct Selection {
    /// Articles in the period, in position order.
    pub articles: Vec<Article>,
    /// Articles read successfully (in the period or not).
    pub articles_read: usize,
    /// Files that could not be used, with the reason.
    pub skipped: Vec<IngestFailure>,
    /// Articles read but not in the period, with the reason.
    pub left_out: Vec<LeftOut>,
    /// The ingest stage's timing.
    pub stage: StageReport,
}

/// Reads `opts.articles_dir` and keeps the period's articles.
pub fn select_articles(opts: &BriefOptions) -> Result<Selection> {
    select_articles_with(opts, &Progress::hidden())
}

/// [`select_articles`], with a bar while a large folder is read.
pub fn select_articles_with(opts: &BriefOptions, progress: &Progress) -> Result<Selection> {
    let started = Instant::now();
    let ingested = ingest::read_dir_with_progress(&opts.articles_dir, &opts.ingest, progress)?;
    let articles_read = ingested.articles.len();
    let (articles, left_out) = select::select(
        ingested.articles,
        opts.period.as_ref(),
        opts.include_undated,
    );
    let stage = StageReport::plain("ingest", articles_read + ingested.failures.len(), started);
    Ok(Selection {
        articles,
        articles_read,
        skipped: ingested.failures,
        left_out,
        stage,
    })
}

/// Runs the whole pipeline over `opts.articles_dir`: every article through the model stages, then the brief.
pub fn run_brief(opts: &BriefOptions, progress: &Progress) -> Result<BriefRun> {
    let mut ctx = StageContext::open(
        &opts.models_dir,
        opts.cache_dir.as_deref(),
        opts.device,
        opts.engine,
        progress.clone(),
    )?;
    let selection = select_articles_with(opts, progress)?;
    let mut stages = vec![selection.stage.clone()];
    let articles_selected = selection.articles.len();
    let placed: Vec<(usize, Article)> = selection.articles.into_iter().enumerate().collect();
    let results = process_articles(&mut ctx, placed, &mut stages)?;

    let started = Instant::now();
    let brief = assemble(
        &results,
        brief_title(opts.period.as_ref()),
        opts.period.clone(),
        selection.skipped.clone(),
        &ExtractiveSummarizer::default().model_name(),
    );
    stages.push(StageReport::plain("cluster", results.len(), started));
    for f in &brief.skipped {
        tracing::warn!(path = %f.path.display(), reason = %f.reason, "article skipped");
    }
    let report = Report {
        tandem_version: env!("CARGO_PKG_VERSION").to_string(),
        articles_dir: opts.articles_dir.clone(),
        period: opts.period.clone(),
        articles_read: selection.articles_read,
        articles_selected,
        items: brief.items.len(),
        // the brief's list: the files that could not be read, and the articles a model failed on
        skipped: brief.skipped.clone(),
        left_out: selection.left_out,
        stages,
        models: brief.models.clone(),
        compute: crate::models::compute_description(ctx.engine),
        missing_models: ctx.models.missing_messages(),
        cache: ctx.cache.path().map(Path::to_path_buf),
        shard: None,
    };
    Ok(BriefRun {
        untranslated_sides: has_untranslated_sides(&brief),
        brief,
        report,
    })
}

/// The model work for each article (given with its position): French text to English, one summary per article,
/// English summaries and titles to French. Each stage's report is pushed to `stages`.
pub fn process_articles(
    ctx: &mut StageContext,
    articles: Vec<(usize, Article)>,
    stages: &mut Vec<StageReport>,
) -> Result<Vec<ArticleResult>> {
    let mut work: Vec<Work> = articles
        .into_iter()
        .map(|(position, article)| Work {
            position,
            english_body: (article.lang == Lang::En).then(|| article.body()),
            english_title: (article.lang == Lang::En).then(|| article.title.clone()),
            french_title: (article.lang == Lang::Fr).then(|| article.title.clone()),
            fr_en_model: None,
            summary: None,
            french_summary: Vec::new(),
            en_fr_model: None,
            failed: None,
            article,
        })
        .collect();
    translate_french_articles(ctx, &mut work, stages)?;
    summarize_articles(ctx, &mut work, stages)?;
    translate_to_french(ctx, &mut work, stages)?;
    Ok(work.into_iter().map(into_result).collect())
}

/// The text an article is grouped on: its English text when it has one, else its own.
fn grouping_text(w: &Work) -> String {
    let title = w
        .english_title
        .as_deref()
        .unwrap_or(w.article.title.as_str());
    let body = w.english_body.clone().unwrap_or_else(|| w.article.body());
    format!("{title}\n\n{body}")
}

/// Each place with its translation (or why it failed), and the name of the model that translated.
type Placed<P> = (Vec<(P, Outcome)>, Option<String>);

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

/// Translates the French articles' titles and sentences to English, paragraphs kept.
fn translate_french_articles(
    ctx: &mut StageContext,
    work: &mut [Work],
    stages: &mut Vec<StageReport>,
) -> Result<()> {
    // Each sentence placed by (work index, paragraph index), so the English body keeps the paragraphs.
    let mut placed = Vec::new();
    for (i, w) in work
        .iter()
        .enumerate()
        .filter(|(_, w)| w.article.lang == Lang::Fr)
    {
        placed.extend(
            w.article
                .translation_units()
                .into_iter()
                .map(|(p, s)| ((i, p), s)),
        );
    }
    let Some((translated, name)) = translate_placed(ctx, Role::TranslateFrEn, placed, stages)?
    else {
        return Ok(());
    };
    let mut bodies: Vec<Vec<Vec<String>>> = work
        .iter()
        .map(|w| vec![Vec::new(); w.article.paragraphs.len()])
        .collect();
    for ((i, p), t) in translated {
        let t = match t {
            Ok(t) => t,
            Err(reason) => {
                work[i].fail("translation fr→en", &reason);
                continue;
            }
        };
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
            w.fr_en_model = name.clone();
        }
    }
    Ok(())
}

/// The text an article is summarized from: its English body when it has one (`english_body`: the original, or
/// the fr→en translation), else its own; each sentence once (pages repeat themselves); with that language.
pub fn summary_input(article: &Article, english_body: Option<&str>) -> (String, Lang) {
    let (body, lang) = match english_body {
        Some(body) => (body.to_string(), Lang::En),
        None => (article.body(), article.lang),
    };
    let mut seen = HashSet::new();
    let paragraphs: Vec<String> = body
        .split("\n\n")
        .filter_map(|paragraph| {
            let fresh: Vec<String> = split_sentences(paragraph)
                .into_iter()
                .filter(|s| seen.insert(s.to_lowercase()))
                .collect();
            (!fresh.is_empty()).then(|| fresh.join(" "))
        })
        .collect();
    (paragraphs.join("\n\n"), lang)
}

/// Summarizes every article: BART for English text when installed, else the extractive summarizer.
fn summarize_articles(
    ctx: &mut StageContext,
    work: &mut [Work],
    stages: &mut Vec<StageReport>,
) -> Result<()> {
    let inputs: Vec<(String, Lang)> = work
        .iter()
        .map(|w| summary_input(&w.article, w.english_body.as_deref()))
        .collect();
    let english: Vec<usize> = (0..work.len())
        .filter(|&i| inputs[i].1 == Lang::En && work[i].failed.is_none())
        .collect();
    if !english.is_empty() {
        let texts: Vec<String> = english.iter().map(|&i| inputs[i].0.clone()).collect();
        if let Some((summaries, report)) = ctx.summarize(&texts)? {
            let name = report.model.clone().unwrap_or_default();
            stages.push(report);
            for (&i, text) in english.iter().zip(summaries) {
                let summary = match text {
                    Ok(summary) => summary,
                    Err(reason) => {
                        work[i].fail("summary", &reason);
                        continue;
                    }
                };
                work[i].summary = Some(Summary {
                    text: summary.text,
                    lang: Lang::En,
                    by: name.clone(),
                    from_translation: work[i].article.lang == Lang::Fr,
                    chunks: Some(summary.chunks),
                });
            }
        }
    }
    let extractive = ExtractiveSummarizer::default();
    let started = Instant::now();
    let mut extracted = 0;
    for (w, (text, lang)) in work.iter_mut().zip(inputs) {
        if w.summary.is_none() && w.failed.is_none() {
            w.summary = Some(Summary {
                text: extractive.summarize_one(&text, lang),
                lang,
                by: extractive.model_name(),
                from_translation: lang == Lang::En && w.article.lang == Lang::Fr,
                chunks: None,
            });
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
    Ok(())
}

/// Translates each English summary, sentence by sentence, and each English title to French.
fn translate_to_french(
    ctx: &mut StageContext,
    work: &mut [Work],
    stages: &mut Vec<StageReport>,
) -> Result<()> {
    // Each text placed by (work index, summary sentence index; `None` for the title).
    let mut placed = Vec::new();
    for (i, w) in work.iter_mut().enumerate() {
        if w.failed.is_some() {
            continue;
        }
        if w.article.lang == Lang::En {
            placed.push(((i, None), w.article.title.clone()));
        }
        if let Some(s) = w.summary.as_ref().filter(|s| s.lang == Lang::En) {
            let sentences = split_sentences(&s.text);
            w.french_summary = vec![None; sentences.len()];
            placed.extend(
                sentences
                    .into_iter()
                    .enumerate()
                    .map(|(k, t)| ((i, Some(k)), t)),
            );
        }
    }
    let Some((translated, name)) = translate_placed(ctx, Role::TranslateEnFr, placed, stages)?
    else {
        return Ok(());
    };
    for ((i, k), t) in translated {
        let w = &mut work[i];
        let t = match t {
            Ok(t) => t,
            Err(reason) => {
                w.fail("translation en→fr", &reason);
                continue;
            }
        };
        match k {
            None => w.french_title = Some(t),
            Some(k) => w.french_summary[k] = Some(t),
        }
        w.en_fr_model = name.clone();
    }
    Ok(())
}

fn into_result(w: Work) -> ArticleResult {
    let grouping_text = grouping_text(&w);
    let a = &w.article;
    let source = Source {
        id: a.id.clone(),
        link: a.link(),
        url: a.url.clone(),
        path: a.path.display().to_string(),
        title: a.title.clone(),
        language: a.lang,
        published: a.published.clone(),
        outlet: a.source_name.clone(),
        summary_chunks: w.summary.as_ref().and_then(|s| s.chunks),
    };
    let summary = w.summary.unwrap_or(Summary {
        text: String::new(),
        lang: a.lang,
        by: String::new(),
        from_translation: false,
        chunks: None,
    });
    let sentences: Vec<AlignedSentence> = split_sentences(&summary.text)
        .into_iter()
        .enumerate()
        .map(|(k, s)| match summary.lang {
            Lang::En => Bilingual {
                en: Some(s),
                fr: w.french_summary.get(k).cloned().flatten(),
            },
            Lang::Fr => Bilingual {
                en: None,
                fr: Some(s),
            },
        })
        .collect();
    ArticleResult {
        position: w.position,
        source,
        english_title: w.english_title,
        french_title: w.french_title,
        grouping_text,
        summary: ArticleSummary {
            lang: summary.lang,
            summarized_by: summary.by,
            from_translation: summary.from_translation,
            sentences,
        },
        fr_en_model: w.fr_en_model,
        en_fr_model: w.en_fr_model,
        failed: w.failed,
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

    #[test]
    fn an_article_is_summarized_from_its_english_text_each_sentence_once() {
        let article = Article::for_test("b", Lang::Fr, &["Texte."]);
        let english = "Outlet B says that. Wire copy here.\n\nWire copy here. More.";
        assert_eq!(
            summary_input(&article, Some(english)),
            (
                "Outlet B says that. Wire copy here.\n\nMore.".to_string(),
                Lang::En
            )
        );
        // Without English text, the article is summarized in its own language from the original.
        assert_eq!(
            summary_input(&article, None),
            ("Texte.".to_string(), Lang::Fr)
        );
    }

    #[test]
    fn a_translator_is_given_the_title_then_each_sentence_with_its_paragraph() {
        let mut article = Article::for_test("t", Lang::Fr, &["Un. Deux.", "Trois."]);
        article.title = "Titre".into();
        assert_eq!(
            article.translation_units(),
            vec![
                (None, "Titre".to_string()),
                (Some(0), "Un.".to_string()),
                (Some(0), "Deux.".to_string()),
                (Some(1), "Trois.".to_string()),
            ]
        );
    }
}
