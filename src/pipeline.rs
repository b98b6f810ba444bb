//! The brief pipeline, stage by stage, in one direction:
//! ingest → translate French articles to English → summarize → translate English summaries to French → brief.
//!
//! Each model is loaded for its stage and dropped after it, so peak memory is the largest model, not the sum.
//! A missing model never stops the run: the extractive summarizer stands in for BART, and a missing translator
//! leaves the other side marked `not_translated` with a notice saying how to install it.
use crate::brief::{
    AlignedSentence, Bilingual, Brief, BriefItem, ModelsUsed, Period, SideInfo, SideStatus, Source,
    SCHEMA_VERSION,
};
use crate::ingest::{self, Article};
use crate::lang::Lang;
use crate::models::check::check_model_dir;
use crate::models::extractive::ExtractiveSummarizer;
use crate::models::manifest::{self, Manifest, ModelStatus, Role};
use crate::models::rustbert::{BartSummarizer, MarianTranslator};
use crate::models::{Summarizer, Translator};
use crate::progress::Progress;
use crate::text::split_sentences;
use crate::{Error, Result};
use std::path::PathBuf;
use tch::Device;

/// What `tandem brief` needs.
#[derive(Debug, Clone)]
pub struct BriefOptions {
    pub articles_dir: PathBuf,
    pub models_dir: PathBuf,
    /// The day the brief covers (shown in its title).
    pub date: Option<String>,
    /// Forces the language of every article instead of detecting it.
    pub lang: Option<Lang>,
    pub device: Device,
}

/// A finished run: the brief, and what the user should know about it.
#[derive(Debug)]
pub struct BriefRun {
    /// The brief; `brief.skipped` lists the files that could not be used.
    pub brief: Brief,
    /// Models that were missing, each with the paragraph that says how to install it.
    pub missing_models: Vec<String>,
    /// True when some item has a side left untranslated.
    pub untranslated_sides: bool,
}

/// Where an article's text stands as it moves through the stages.
struct Work {
    article: Article,
    /// English body (the original, or the fr→en translation).
    english_body: Option<String>,
    english_title: Option<String>,
    french_title: Option<String>,
    summary: String,
    summary_lang: Lang,
    summarized_by: String,
    french_summary: Option<Vec<String>>,
}

/// Runs the whole pipeline over `opts.articles_dir`.
pub fn run_brief(opts: &BriefOptions, progress: &Progress) -> Result<BriefRun> {
    let manifest = Manifest::builtin();
    let status = |role| manifest::status(&manifest, &opts.models_dir, role);
    let (fr_en, summarize, en_fr) = (
        status(Role::TranslateFrEn)?,
        status(Role::SummarizeEn)?,
        status(Role::TranslateEnFr)?,
    );
    let missing_models: Vec<String> = [&fr_en, &summarize, &en_fr]
        .into_iter()
        .filter(|s| !s.installed())
        .map(ModelStatus::missing_message)
        .collect();
    // Every installed model is checked before any article is processed.
    for st in [&fr_en, &summarize, &en_fr]
        .into_iter()
        .filter(|s| s.installed())
    {
        check_model_dir(&st.path, st.spec.architecture).map_err(|reason| Error::ModelInvalid {
            role: st.role.name().to_string(),
            dir: st.path.clone(),
            reason,
        })?;
    }

    let ingested = ingest::read_dir(&opts.articles_dir, opts.lang)?;
    let mut work: Vec<Work> = ingested
        .articles
        .into_iter()
        .map(|article| Work {
            english_body: (article.lang == Lang::En).then(|| article.body()),
            english_title: (article.lang == Lang::En).then(|| article.title.clone()),
            french_title: (article.lang == Lang::Fr).then(|| article.title.clone()),
            article,
            summary: String::new(),
            summary_lang: Lang::En,
            summarized_by: String::new(),
            french_summary: None,
        })
        .collect();

    // Stage 1: French articles to English, sentence by sentence, paragraphs kept.
    let mut fr_en_name = None;
    if fr_en.installed() && work.iter().any(|w| w.article.lang == Lang::Fr) {
        let mut translator = MarianTranslator::load(Role::TranslateFrEn, &fr_en.path, opts.device)?;
        fr_en_name = Some(translator.model_name());
        translate_french_articles(&mut work, &mut translator, progress)?;
    }

    // Stage 2: summaries. BART for English text when installed, else the extractive summarizer.
    let mut extractive = ExtractiveSummarizer::default();
    let mut bart_name = None;
    if summarize.installed() && work.iter().any(|w| w.english_body.is_some()) {
        let bar = progress.stage("summarize", 0);
        let mut bart =
            BartSummarizer::load(&summarize.path, opts.device)?.with_progress(bar.clone());
        let name = bart.model_name();
        let idx: Vec<usize> = (0..work.len())
            .filter(|&i| work[i].english_body.is_some())
            .collect();
        let texts: Vec<String> = idx
            .iter()
            .filter_map(|&i| work[i].english_body.clone())
            .collect();
        let summaries = bart.summarize(&texts, Lang::En)?;
        bar.finish_and_clear();
        for (i, s) in idx.into_iter().zip(summaries) {
            work[i].summary = s;
            work[i].summary_lang = Lang::En;
            work[i].summarized_by = name.clone();
        }
        bart_name = Some(name);
    }
    for w in work.iter_mut().filter(|w| w.summarized_by.is_empty()) {
        let (text, lang) = match &w.english_body {
            Some(en) => (en.clone(), Lang::En),
            None => (w.article.body(), w.article.lang),
        };
        w.summary = extractive.summarize(&[text], lang)?.remove(0);
        w.summary_lang = lang;
        w.summarized_by = extractive.model_name();
    }

    // Stage 3: English summaries (and English titles) to French.
    let mut en_fr_name = None;
    if en_fr.installed() && work.iter().any(|w| w.summary_lang == Lang::En) {
        let mut translator = MarianTranslator::load(Role::TranslateEnFr, &en_fr.path, opts.device)?;
        en_fr_name = Some(translator.model_name());
        translate_summaries(&mut work, &mut translator, progress)?;
    }

    let models = ModelsUsed {
        summarizer: bart_name.unwrap_or_else(|| extractive.model_name()),
        translate_fr_en: fr_en_name.clone(),
        translate_en_fr: en_fr_name.clone(),
    };
    let items: Vec<BriefItem> = work
        .into_iter()
        .map(|w| to_item(w, fr_en_name.as_deref(), en_fr_name.as_deref()))
        .collect();
    let untranslated_sides = items.iter().any(|i| {
        i.en.status == SideStatus::NotTranslated || i.fr.status == SideStatus::NotTranslated
    });
    let brief = Brief {
        schema_version: SCHEMA_VERSION,
        title: brief_title(opts.date.as_deref()),
        period: opts.date.clone().map(|d| Period {
            since: Some(d.clone()),
            until: Some(d),
        }),
        items,
        models,
        skipped: ingested.failures,
    };
    Ok(BriefRun {
        brief,
        missing_models,
        untranslated_sides,
    })
}

fn translate_french_articles(
    work: &mut [Work],
    translator: &mut MarianTranslator,
    progress: &Progress,
) -> Result<()> {
    // (work index, paragraph index) of every sentence, so the English body keeps the paragraphs.
    let mut texts = Vec::new();
    let mut place = Vec::new();
    for (i, w) in work
        .iter()
        .enumerate()
        .filter(|(_, w)| w.article.lang == Lang::Fr)
    {
        texts.push(w.article.title.clone());
        place.push((i, None));
        for (p, paragraph) in w.article.paragraphs.iter().enumerate() {
            for s in split_sentences(paragraph) {
                texts.push(s);
                place.push((i, Some(p)));
            }
        }
    }
    let bar = progress.stage("translate fr→en", texts.len() as u64);
    translator.set_progress(Some(bar.clone()));
    let out = translator.translate(&texts)?;
    bar.finish_and_clear();
    let mut bodies: Vec<Vec<Vec<String>>> = vec![Vec::new(); work.len()];
    for ((i, p), t) in place.into_iter().zip(out) {
        match p {
            None => work[i].english_title = Some(t),
            Some(p) => {
                let paragraphs = &mut bodies[i];
                if paragraphs.len() <= p {
                    paragraphs.resize(p + 1, Vec::new());
                }
                paragraphs[p].push(t);
            }
        }
    }
    for (i, paragraphs) in bodies.into_iter().enumerate() {
        if work[i].article.lang == Lang::Fr {
            let body: Vec<String> = paragraphs
                .into_iter()
                .filter(|p| !p.is_empty())
                .map(|p| p.join(" "))
                .collect();
            work[i].english_body = Some(body.join("\n\n"));
        }
    }
    Ok(())
}

fn translate_summaries(
    work: &mut [Work],
    translator: &mut MarianTranslator,
    progress: &Progress,
) -> Result<()> {
    let mut texts = Vec::new();
    let mut place = Vec::new();
    for (i, w) in work.iter().enumerate() {
        if w.article.lang == Lang::En {
            texts.push(w.article.title.clone());
            place.push((i, None));
        }
        if w.summary_lang == Lang::En {
            for s in split_sentences(&w.summary) {
                texts.push(s);
                place.push((i, Some(())));
            }
        }
    }
    let bar = progress.stage("translate en→fr", texts.len() as u64);
    translator.set_progress(Some(bar.clone()));
    let out = translator.translate(&texts)?;
    bar.finish_and_clear();
    for ((i, kind), t) in place.into_iter().zip(out) {
        match kind {
            None => work[i].french_title = Some(t),
            Some(()) => work[i].french_summary.get_or_insert_with(Vec::new).push(t),
        }
    }
    Ok(())
}

fn to_item(w: Work, fr_en: Option<&str>, en_fr: Option<&str>) -> BriefItem {
    let original = w.article.lang;
    let sentences_in_summary = split_sentences(&w.summary);
    let sentences: Vec<AlignedSentence> = match w.summary_lang {
        Lang::En => {
            let fr = w.french_summary.unwrap_or_default();
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
        if original == Lang::Fr && w.summary_lang == Lang::En {
            translated_by.extend(fr_en.map(str::to_string));
        }
        if lang == Lang::Fr && w.summary_lang == Lang::En {
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
            summarized_by: w.summarized_by.clone(),
            translated_by,
        }
    };
    let (en, fr) = (side(Lang::En), side(Lang::Fr));
    let a = &w.article;
    BriefItem {
        id: a.id.clone(),
        original_language: original,
        title: Bilingual {
            en: w.english_title,
            fr: w.french_title,
        },
        sentences,
        en,
        fr,
        published: a.published.clone(),
        sources: vec![Source {
            id: a.id.clone(),
            link: a.link(),
            url: a.url.clone(),
            path: a.path.display().to_string(),
            title: a.title.clone(),
            language: a.lang,
            published: a.published.clone(),
            outlet: a.source_name.clone(),
        }],
        grouping: None,
    }
}

fn brief_title(date: Option<&str>) -> Bilingual {
    match date {
        Some(d) => Bilingual {
            en: Some(format!("News brief — {d}")),
            fr: Some(format!("Synthèse de presse — {d}")),
        },
        None => Bilingual {
            en: Some("News brief".to_string()),
            fr: Some("Synthèse de presse".to_string()),
        },
    }
}

/// Refuses an output folder that is the input folder or inside it (outputs would be read back as articles).
pub fn check_out_dir(articles_dir: &std::path::Path, out_dir: &std::path::Path) -> Result<()> {
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
