//! The rust-bert backend: Marian and BART generation through rust-bert 0.23's generators, from token ids to
//! token ids, loaded from a folder written by `tandem models import`.
//!
//! The stage-facing model ([`super::seq2seq::Seq2Seq`]) tokenizes, budgets and decodes; this module only pads
//! the batch on the right as `transformers` does and calls rust-bert's generation with every setting explicit
//! (read from the checkpoint, never rust-bert's defaults). rust-bert's generators build their own rust_tokenizers
//! tokenizer from the folder's vocabulary files (their constructors require one), but they only receive and
//! return ids, so it never sees text.
use super::manifest::Architecture;
use crate::generation::GenerationSettings;
use rust_bert::bart::BartGenerator;
use rust_bert::marian::MarianGenerator;
use rust_bert::pipelines::common::{ModelResource, ModelType};
use rust_bert::pipelines::generation_utils::{GenerateConfig, GenerateOptions, LanguageGenerator};
use rust_bert::resources::LocalResource;
use std::path::Path;
use tch::{Device, Kind, Tensor};

/// A rust-bert generator of either architecture.
pub enum Generator {
    Marian(Box<MarianGenerator>),
    Bart(Box<BartGenerator>),
}

impl Generator {
    /// Loads the weights of the model folder `dir` into rust-bert's generator for `architecture`. The error says
    /// what rust-bert refused.
    pub fn load(
        architecture: Architecture,
        dir: &Path,
        device: Device,
        settings: &GenerationSettings,
    ) -> Result<Generator, String> {
        let weights = dir.join("model.safetensors");
        let (vocab, merges) = match architecture {
            Architecture::Marian => (dir.join("vocab.json"), dir.join("source.spm")),
            Architecture::Bart => (dir.join("vocab.json"), dir.join("merges.txt")),
        };
        let generate_config = GenerateConfig {
            model_type: match architecture {
                Architecture::Marian => ModelType::Marian,
                Architecture::Bart => ModelType::Bart,
            },
            model_resource: ModelResource::Torch(Box::new(LocalResource::from(weights.clone()))),
            config_resource: Box::new(LocalResource::from(dir.join("config.json"))),
            vocab_resource: Box::new(LocalResource::from(vocab)),
            merges_resource: Some(Box::new(LocalResource::from(merges))),
            // The settings below are overridden by every `generate` call.
            min_length: settings.min_length,
            max_length: Some(settings.max_length),
            do_sample: false,
            early_stopping: settings.early_stopping,
            num_beams: settings.num_beams,
            temperature: 1.0,
            top_k: 50,
            top_p: 1.0,
            repetition_penalty: 1.0,
            length_penalty: settings.length_penalty,
            no_repeat_ngram_size: settings.no_repeat_ngram_size,
            num_return_sequences: 1,
            num_beam_groups: None,
            diversity_penalty: None,
            device,
            kind: None,
        };
        let loaded = match architecture {
            Architecture::Marian => {
                MarianGenerator::new(generate_config).map(|g| Generator::Marian(Box::new(g)))
            }
            Architecture::Bart => {
                BartGenerator::new(generate_config).map(|g| Generator::Bart(Box::new(g)))
            }
        };
        loaded.map_err(|e| format!("loading {}: {e}", weights.display()))
    }

    /// Generates from one batch of token ids, right-padded with `pad_id` as in `transformers`. Each output starts
    /// with the decoder start token and ends at the first `eos_id` (or at `max_length`).
    pub fn generate(
        &self,
        inputs: &[Vec<i64>],
        pad_id: i64,
        eos_id: i64,
        settings: &GenerationSettings,
        device: Device,
    ) -> Result<Vec<Vec<i64>>, String> {
        let longest = inputs.iter().map(Vec::len).max().unwrap_or(0);
        let mut ids = Vec::with_capacity(inputs.len() * longest);
        let mut mask = Vec::with_capacity(inputs.len() * longest);
        for row in inputs {
            ids.extend(row.iter().copied());
            mask.extend(std::iter::repeat_n(1i64, row.len()));
            ids.extend(std::iter::repeat_n(pad_id, longest - row.len()));
            mask.extend(std::iter::repeat_n(0i64, longest - row.len()));
        }
        let shape = [inputs.len() as i64, longest as i64];
        let input_ids = Tensor::from_slice(&ids).reshape(shape).to_device(device);
        let attention_mask = Tensor::from_slice(&mask)
            .reshape(shape)
            .to_kind(Kind::Int64)
            .to_device(device);
        let options = GenerateOptions {
            min_length: Some(settings.min_length),
            max_length: Some(settings.max_length),
            early_stopping: Some(settings.early_stopping),
            num_beams: Some(settings.num_beams),
            do_sample: Some(false),
            num_return_sequences: Some(1),
            length_penalty: Some(settings.length_penalty),
            no_repeat_ngram_size: Some(settings.no_repeat_ngram_size),
            repetition_penalty: Some(1.0),
            ..Default::default()
        };
        let output = tch::no_grad(|| match self {
            Generator::Marian(g) => {
                g.generate_from_ids_and_past(input_ids, Some(attention_mask), Some(options))
            }
            Generator::Bart(g) => {
                g.generate_from_ids_and_past(input_ids, Some(attention_mask), Some(options))
            }
        })
        .map_err(|e| e.to_string())?;
        Ok(output
            .into_iter()
            .map(|o| cut_at_eos(&o.indices, eos_id, pad_id))
            .collect())
    }
}

/// Keeps the decoder start token and everything up to and including the first end-of-sequence token.
fn cut_at_eos(ids: &[i64], eos: i64, pad: i64) -> Vec<i64> {
    let mut out = Vec::with_capacity(ids.len());
    for (i, &t) in ids.iter().enumerate() {
        if i > 0 && t == pad && out.last() == Some(&eos) {
            break;
        }
        out.push(t);
        if i > 0 && t == eos {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::cut_at_eos;

    #[test]
    fn cut_keeps_start_and_first_eos() {
        assert_eq!(cut_at_eos(&[9, 4, 5, 0, 9, 9], 0, 9), vec![9, 4, 5, 0]);
        assert_eq!(cut_at_eos(&[2, 0, 7, 2, 1, 1], 2, 1), vec![2, 0, 7, 2]);
        assert_eq!(cut_at_eos(&[2, 0, 7, 8], 2, 1), vec![2, 0, 7, 8]);
    }
}
