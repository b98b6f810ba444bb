//! The summarization stage's model: [`BartSummarizer`], the [`Summarizer`] over a BART [`Seq2Seq`] model,
//! map-reduce for articles longer than the model's input.
use super::manifest::{Architecture, Role};
use super::seq2seq::Seq2Seq;
use super::{ChunkedSummary, Engine, Summarizer};
use crate::lang::Lang;
use crate::progress::Bar;
use crate::{Error, Result};
use std::path::Path;
use tch::Device;

/// BART summarization, with the engine the caller picks. An article longer than the model's input is summarized map-reduce: cut
/// on sentence boundaries into chunks that fit, each chunk summarized, the chunk summaries joined and summarized
/// again (cut again if they still do not fit), until one input is left, whose summary is the article's: one
/// summary, bounded by the model's own `max_length`, however long the article.
pub struct BartSummarizer {
    model: Seq2Seq,
    progress: Option<Bar>,
}

impl BartSummarizer {
    /// Loads the BART summarizer from `dir` (rust-bert engine).
    pub fn load(dir: &Path, device: Device) -> Result<BartSummarizer> {
        BartSummarizer::load_with_engine(dir, device, Engine::RustBert)
    }

    /// Loads the BART summarizer from `dir`, generating with `engine`.
    pub fn load_with_engine(dir: &Path, device: Device, engine: Engine) -> Result<BartSummarizer> {
        Ok(BartSummarizer {
            model: Seq2Seq::load_with_engine(
                Role::SummarizeEn,
                Architecture::Bart,
                dir,
                device,
                engine,
            )?,
            progress: None,
        })
    }

    /// Advances `bar` by one per chunk summarized, after each generation batch; a long article's later rounds
    /// (summaries of its chunk summaries) add their inputs to its length as they come.
    pub fn with_progress(mut self, bar: Bar) -> Self {
        self.progress = Some(bar);
        self
    }

    /// How many chunks summarizing `texts` generates in its first round (each text cut to the model's input);
    /// the later rounds of long texts come on top.
    pub fn pieces(&self, texts: &[String]) -> u64 {
        texts
            .iter()
            .map(|t| self.model.fit_to_budget(t).len() as u64)
            .sum()
    }
}

impl Summarizer for BartSummarizer {
    fn model_name(&self) -> String {
        self.model.model_name()
    }

    fn summarize(&mut self, texts: &[String], lang: Lang) -> Result<Vec<String>> {
        if lang != Lang::En {
            return Err(Error::Generation {
                stage: "summarize".into(),
                reason: format!("the BART summarizer reads English only, got {lang}"),
            });
        }
        Ok(self
            .summarize_chunked(texts)?
            .into_iter()
            .map(|s| s.text)
            .collect())
    }
}

impl BartSummarizer {
    /// Summarizes each English text into one summary (map-reduce for a text over the model's input, see the
    /// type's docs), with the number of chunks the text was cut into. All texts' pieces of a round run in the
    /// same batches. A text whose chunk summaries do not get shorter when summarized again (a `max_length`
    /// close to the input budget) is an error rather than a loop.
    pub fn summarize_chunked(&mut self, texts: &[String]) -> Result<Vec<ChunkedSummary>> {
        let model = &self.model;
        let mut pending: Vec<Vec<String>> = texts.iter().map(|t| model.fit_to_budget(t)).collect();
        let chunks: Vec<usize> = pending.iter().map(|p| p.len().max(1)).collect();
        let mut done: Vec<Option<String>> = vec![None; texts.len()];
        let mut first_round = true;
        while done.iter().any(Option::is_none) {
            let active: Vec<usize> = (0..texts.len()).filter(|&i| done[i].is_none()).collect();
            let mut owners = Vec::new();
            let mut inputs = Vec::new();
            for &i in &active {
                let refs: Vec<&str> = pending[i].iter().map(String::as_str).collect();
                for ids in model.encode(&refs) {
                    owners.push(i);
                    inputs.push(ids);
                }
            }
            let rows: Vec<&[i64]> = inputs.iter().map(Vec::as_slice).collect();
            if let Some(bar) = self.progress.as_ref().filter(|_| !first_round) {
                bar.add_length(rows.len() as u64);
            }
            first_round = false;
            let outputs = model.generate_each(&rows, self.progress.as_ref())?;
            let mut parts: Vec<Vec<String>> = vec![Vec::new(); texts.len()];
            for (i, out) in owners.into_iter().zip(outputs) {
                parts[i].push(out);
            }
            for &i in &active {
                let mut summaries = std::mem::take(&mut parts[i]);
                if summaries.len() <= 1 {
                    done[i] = Some(summaries.pop().unwrap_or_default());
                    continue;
                }
                let next = model.fit_to_budget(&summaries.join(" "));
                if next.len() >= summaries.len() {
                    return Err(Error::Generation {
                        stage: "summarize".into(),
                        reason: format!(
                            "a long article's {} chunk summaries need {} inputs when summarized again: they do \
                             not get shorter (the model's max_length {} is too close to its {}-token input)",
                            summaries.len(),
                            next.len(),
                            model.settings.max_length,
                            model.max_input_tokens()
                        ),
                    });
                }
                pending[i] = next;
            }
        }
        Ok(done
            .into_iter()
            .zip(chunks)
            .map(|(text, chunks)| ChunkedSummary {
                text: text.unwrap_or_default(),
                chunks,
            })
            .collect())
    }
}
