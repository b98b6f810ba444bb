//! The translation stage's model: [`MarianTranslator`], the [`Translator`] over a Marian [`Seq2Seq`] model.
//! A text longer than the model's input is translated piece by piece (sentences, then words) and the pieces'
//! translations joined, never truncated.
use super::manifest::{Architecture, Role};
use super::seq2seq::{invalid, Seq2Seq};
use super::{Engine, Translator};
use crate::progress::Bar;
use crate::Result;
use std::path::Path;
use tch::Device;

/// Marian translation, with the engine the caller picks.
pub struct MarianTranslator {
    model: Seq2Seq,
    progress: Option<Bar>,
}

impl MarianTranslator {
    /// Loads the Marian model of `role` (translate-fr-en or translate-en-fr) from `dir` (rust-bert engine).
    pub fn load(role: Role, dir: &Path, device: Device) -> Result<MarianTranslator> {
        MarianTranslator::load_with_engine(role, dir, device, Engine::RustBert)
    }

    /// Loads the Marian model of `role` from `dir`, generating with `engine`.
    pub fn load_with_engine(
        role: Role,
        dir: &Path,
        device: Device,
        engine: Engine,
    ) -> Result<MarianTranslator> {
        if role == Role::SummarizeEn {
            return Err(invalid(role, dir, "summarize-en is not a translation role"));
        }
        Ok(MarianTranslator {
            model: Seq2Seq::load_with_engine(role, Architecture::Marian, dir, device, engine)?,
            progress: None,
        })
    }

    /// Advances `bar` by one per piece translated, after each generation batch (a text over the model's input
    /// counts for each of its pieces; [`MarianTranslator::pieces`] says how many to expect).
    pub fn set_progress(&mut self, bar: Option<Bar>) {
        self.progress = bar;
    }

    /// How many pieces translating `texts` generates: one per text, or one per piece of a text over the model's
    /// input (as [`Translator::translate`] cuts it).
    pub fn pieces(&self, texts: &[String]) -> u64 {
        self.cut_to_budget(texts).len() as u64
    }

    /// The inputs translating `texts` generates from: (index of the text, token ids), a text over the model's
    /// input cut into pieces that fit (sentences, then words).
    fn cut_to_budget(&self, texts: &[String]) -> Vec<(usize, Vec<i64>)> {
        let model = &self.model;
        let encoded = model.encode(&texts.iter().map(String::as_str).collect::<Vec<_>>());
        let mut pieces = Vec::with_capacity(texts.len());
        for (i, (text, ids)) in texts.iter().zip(encoded).enumerate() {
            if ids.len() <= model.max_input_tokens() {
                pieces.push((i, ids));
            } else {
                let parts = model.fit_to_budget(text);
                let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
                pieces.extend(model.encode(&refs).into_iter().map(|ids| (i, ids)));
            }
        }
        pieces
    }

    /// The underlying model.
    pub fn model(&self) -> &Seq2Seq {
        &self.model
    }
}

impl Translator for MarianTranslator {
    fn model_name(&self) -> String {
        self.model.model_name()
    }

    /// Texts longer than the model's input are translated piece by piece (sentences, then words) and joined,
    /// never truncated.
    fn translate(&mut self, texts: &[String]) -> Result<Vec<String>> {
        let pieces = self.cut_to_budget(texts);
        self.model
            .generate_pieces(&pieces, texts.len(), self.progress.as_ref())
    }
}
