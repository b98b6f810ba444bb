//! The rust-bert engine: Marian translation and BART summarization through rust-bert 0.23's generators,
//! loaded from a folder written by `tandem models import`.
//!
//! tandem tokenizes itself with [`super::tokenizer::Tokenizer`] (transformers' ids; so it can measure inputs and
//! split them to the model's budget instead of letting rust-bert truncate silently), pads on the right as
//! `transformers` does, and hands token ids to rust-bert's generation with every setting explicit (read from the
//! checkpoint's config, never from rust-bert's defaults). rust-bert's generators build their own tokenizer from
//! the vocabulary files, but only ever receive and return ids.
//!
//! The same `Seq2Seq` can instead generate with tandem's own engine ([`crate::engine`], f32 or int8): see
//! [`Seq2Seq::load_with_engine`]. Tokenization, settings and the output contract stay the same.
use super::manifest::{Architecture, Role};
use super::tokenizer::Tokenizer;
use super::{ChunkedSummary, Engine, Summarizer, Translator};
use crate::lang::Lang;
use crate::progress::Bar;
use crate::text::{chunk_to_budget, split_sentences};
use crate::{Error, Result};
use rust_bert::bart::{BartConfig, BartGenerator};
use rust_bert::marian::MarianGenerator;
use rust_bert::pipelines::common::{ModelResource, ModelType};
use rust_bert::pipelines::generation_utils::{GenerateConfig, GenerateOptions, LanguageGenerator};
use rust_bert::resources::LocalResource;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tch::{Device, Kind, Tensor};

/// Decoding settings, as `transformers`' `generate` understands them. Lengths count the decoder start token.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationSettings {
    pub num_beams: i64,
    pub max_length: i64,
    pub min_length: i64,
    pub no_repeat_ngram_size: i64,
    pub length_penalty: f64,
    pub early_stopping: bool,
}

impl GenerationSettings {
    /// Reads the checkpoint's generation settings: `generation_config.json` when present, else `config.json`
    /// (top level, then `task_specific_params.summarization` for summarizers), else transformers' defaults.
    pub fn from_model_dir(dir: &Path, architecture: Architecture) -> Result<GenerationSettings> {
        let config = read_json(&dir.join("config.json"))?;
        let generation = match std::fs::read_to_string(dir.join("generation_config.json")) {
            Ok(text) => serde_json::from_str::<Value>(&text).ok(),
            Err(_) => None,
        };
        let task = match architecture {
            Architecture::Bart => config
                .get("task_specific_params")
                .and_then(|t| t.get("summarization"))
                .cloned(),
            Architecture::Marian => None,
        };
        let sources: Vec<&Value> = [task.as_ref(), generation.as_ref(), Some(&config)]
            .into_iter()
            .flatten()
            .collect();
        let int = |key: &str, default: i64| {
            sources
                .iter()
                .find_map(|v| v.get(key).and_then(Value::as_i64))
                .unwrap_or(default)
        };
        let float = |key: &str, default: f64| {
            sources
                .iter()
                .find_map(|v| v.get(key).and_then(Value::as_f64))
                .unwrap_or(default)
        };
        let boolean = |key: &str, default: bool| {
            sources
                .iter()
                .find_map(|v| v.get(key).and_then(Value::as_bool))
                .unwrap_or(default)
        };
        Ok(GenerationSettings {
            num_beams: int("num_beams", 1),
            max_length: int("max_length", 20),
            min_length: int("min_length", 0),
            no_repeat_ngram_size: int("no_repeat_ngram_size", 0),
            length_penalty: float("length_penalty", 1.0),
            early_stopping: boolean("early_stopping", false),
        })
    }
}

fn read_json(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| Error::Json {
        context: path.display().to_string(),
        source: e,
    })
}

enum Generator {
    Marian(Box<MarianGenerator>),
    Bart(Box<BartGenerator>),
    /// tandem's own engine.
    Tandem(Box<crate::engine::Model>),
}

/// A loaded sequence-to-sequence model (Marian or BART) with its tokenizer and settings.
pub struct Seq2Seq {
    role: Role,
    generator: Generator,
    tokenizer: Tokenizer,
    device: Device,
    /// Generation settings used by the pipeline (from the checkpoint).
    pub settings: GenerationSettings,
    pad_id: i64,
    eos_id: i64,
    /// Longest input the model accepts, in tokens (its position table).
    pub max_input_tokens: usize,
    name: String,
    /// Most inputs per generation batch.
    pub batch_size: usize,
    /// Most input tokens per generation batch (rows × longest row, padding included): short sentences run
    /// `batch_size` at a time, the summarizer's ~1,000-token chunks 4 at a time; bounds memory too.
    pub token_budget: usize,
}

fn invalid(role: Role, dir: &Path, reason: impl Into<String>) -> Error {
    Error::ModelInvalid {
        role: role.name().to_string(),
        dir: dir.to_path_buf(),
        reason: reason.into(),
    }
}

impl Seq2Seq {
    /// Loads the model of `role` from `dir` with the rust-bert engine. Every file is checked first, so a broken
    /// model fails here, before any article is processed, with the file named.
    pub fn load(
        role: Role,
        architecture: Architecture,
        dir: &Path,
        device: Device,
    ) -> Result<Seq2Seq> {
        Seq2Seq::load_with_engine(role, architecture, dir, device, Engine::RustBert)
    }

    /// Loads the model of `role` from `dir`, generating with `engine`. tandem's engines run on the CPU.
    pub fn load_with_engine(
        role: Role,
        architecture: Architecture,
        dir: &Path,
        device: Device,
        engine: Engine,
    ) -> Result<Seq2Seq> {
        let config_path = dir.join("config.json");
        let weights = dir.join("model.safetensors");
        let (vocab, merges) = tokenizer_files(dir, architecture);
        for file in [&config_path, &weights, &vocab, &merges] {
            if !file.is_file() {
                return Err(invalid(role, dir, format!("{} is missing", file.display())));
            }
        }
        let config_value =
            read_json(&config_path).map_err(|e| invalid(role, dir, e.to_string()))?;
        let config: BartConfig = serde_json::from_value(config_value.clone()).map_err(|e| {
            invalid(
                role,
                dir,
                format!(
                    "config.json is not a BART/Marian config: {e}; re-run `tandem models import`"
                ),
            )
        })?;
        let settings = GenerationSettings::from_model_dir(dir, architecture)?;
        let tokenizer = Tokenizer::load(dir, architecture).map_err(|e| invalid(role, dir, e))?;
        tokenizer_fits(&vocab, config.vocab_size).map_err(|e| invalid(role, dir, e))?;
        let generate_config = GenerateConfig {
            model_type: match architecture {
                Architecture::Marian => ModelType::Marian,
                Architecture::Bart => ModelType::Bart,
            },
            model_resource: ModelResource::Torch(Box::new(LocalResource::from(weights.clone()))),
            config_resource: Box::new(LocalResource::from(config_path.clone())),
            vocab_resource: Box::new(LocalResource::from(vocab.clone())),
            merges_resource: Some(Box::new(LocalResource::from(merges.clone()))),
            // The settings below are overridden by every `generate` call (see `generate_ids`).
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
        let load_err = |e: rust_bert::RustBertError| {
            invalid(role, dir, format!("loading {}: {e}", weights.display()))
        };
        let tandem = |precision| -> Result<Generator> {
            let model =
                crate::engine::Model::load(dir, device, precision).map_err(|e| match e {
                    Error::ModelInvalid { reason, .. } => invalid(role, dir, reason),
                    other => other,
                })?;
            let expected = match architecture {
                Architecture::Marian => crate::engine::model::Family::Marian,
                Architecture::Bart => crate::engine::model::Family::Bart,
            };
            if model.config.family != expected {
                return Err(invalid(
                    role,
                    dir,
                    format!("config.json's model_type does not match {architecture:?}"),
                ));
            }
            Ok(Generator::Tandem(Box::new(model)))
        };
        // rust-bert's generators load their own tokenizer from `vocab_resource`/`merges_resource`; they are only
        // given ids (see the module docs).
        let generator = match (engine, architecture) {
            (Engine::Tandem, _) => tandem(crate::engine::Precision::Float)?,
            (Engine::TandemInt8, _) => tandem(crate::engine::Precision::Int8)?,
            (Engine::RustBert, Architecture::Marian) => Generator::Marian(Box::new(
                MarianGenerator::new(generate_config).map_err(load_err)?,
            )),
            (Engine::RustBert, Architecture::Bart) => Generator::Bart(Box::new(
                BartGenerator::new(generate_config).map_err(load_err)?,
            )),
        };
        let (pad_default, eos_default) = match architecture {
            Architecture::Marian => (config.vocab_size - 1, 0),
            Architecture::Bart => (1, 2),
        };
        let name = model_name(dir);
        Ok(Seq2Seq {
            role,
            generator,
            tokenizer,
            device,
            settings,
            pad_id: config.pad_token_id.unwrap_or(pad_default),
            eos_id: config.eos_token_id.unwrap_or(eos_default),
            max_input_tokens: config.max_position_embeddings.max(2) as usize,
            name,
            batch_size: 16,
            token_budget: 4096,
        })
    }

    /// The model's name and weights fingerprint, from `tandem-import.json`.
    pub fn model_name(&self) -> String {
        self.name.clone()
    }

    /// The tokenizer (transformers' ids and decoded text).
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// The engine that generates.
    pub fn engine(&self) -> Engine {
        match &self.generator {
            Generator::Tandem(model) => match model.precision {
                crate::engine::Precision::Float => Engine::Tandem,
                crate::engine::Precision::Int8 => Engine::TandemInt8,
            },
            _ => Engine::RustBert,
        }
    }

    /// Token ids of each text, special tokens included, never truncated: transformers' `input_ids`
    /// ([`Tokenizer::encode`]).
    pub fn encode(&self, texts: &[&str]) -> Vec<Vec<i64>> {
        self.tokenizer
            .encode_batch(texts)
            .into_iter()
            .map(|e| e.ids)
            .collect()
    }

    /// Number of tokens the model would see for `text` (special tokens included).
    pub fn count_tokens(&self, text: &str) -> usize {
        self.tokenizer.count_tokens(text)
    }

    /// Decodes generated ids to text, dropping special tokens ([`Tokenizer::decode`]).
    pub fn decode(&self, ids: &[i64]) -> String {
        self.tokenizer.decode(ids)
    }

    /// Generates from token ids (one batch, right-padded as in `transformers`). Each output starts with the
    /// decoder start token and ends at the first end-of-sequence token (or at `max_length`).
    pub fn generate_ids(
        &self,
        inputs: &[Vec<i64>],
        settings: &GenerationSettings,
    ) -> Result<Vec<Vec<i64>>> {
        if inputs.is_empty() {
            return Ok(Vec::new());
        }
        let longest = inputs.iter().map(Vec::len).max().unwrap_or(0);
        if longest > self.max_input_tokens {
            return Err(Error::Generation {
                stage: self.role.name().into(),
                reason: format!(
                    "input of {longest} tokens exceeds the model's {} positions",
                    self.max_input_tokens
                ),
            });
        }
        let mut ids = Vec::with_capacity(inputs.len() * longest);
        let mut mask = Vec::with_capacity(inputs.len() * longest);
        for row in inputs {
            ids.extend(row.iter().copied());
            mask.extend(std::iter::repeat_n(1i64, row.len()));
            ids.extend(std::iter::repeat_n(self.pad_id, longest - row.len()));
            mask.extend(std::iter::repeat_n(0i64, longest - row.len()));
        }
        if let Generator::Tandem(model) = &self.generator {
            return crate::engine::generate(model, inputs, settings).map_err(|e| match e {
                Error::Generation { reason, .. } => Error::Generation {
                    stage: self.role.name().into(),
                    reason,
                },
                other => other,
            });
        }
        let shape = [inputs.len() as i64, longest as i64];
        let device = self.device;
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
        let output = tch::no_grad(|| match &self.generator {
            Generator::Marian(g) => {
                g.generate_from_ids_and_past(input_ids, Some(attention_mask), Some(options))
            }
            Generator::Bart(g) => {
                g.generate_from_ids_and_past(input_ids, Some(attention_mask), Some(options))
            }
            Generator::Tandem(_) => Err(rust_bert::RustBertError::ValueError(
                "tandem's engine is not a rust-bert generator".into(),
            )),
        })
        .map_err(|e| Error::Generation {
            stage: self.role.name().into(),
            reason: e.to_string(),
        })?;
        Ok(output
            .into_iter()
            .map(|o| cut_at_eos(&o.indices, self.eos_id, self.pad_id))
            .collect())
    }

    /// Generates one output per text from `pieces`: (index of the text it belongs to, token ids that fit the
    /// model); the outputs of a text's pieces are joined in order. `progress` advances by one per piece.
    fn generate_pieces(
        &self,
        pieces: &[(usize, Vec<i64>)],
        n_texts: usize,
        progress: Option<&Bar>,
    ) -> Result<Vec<String>> {
        let inputs: Vec<&[i64]> = pieces.iter().map(|(_, ids)| ids.as_slice()).collect();
        let decoded = self.generate_each(&inputs, progress)?;
        let mut out = vec![String::new(); n_texts];
        for ((owner, _), text) in pieces.iter().zip(decoded) {
            if !out[*owner].is_empty() {
                out[*owner].push(' ');
            }
            out[*owner].push_str(&text);
        }
        Ok(out)
    }

    /// Generates and decodes one output per input (token ids that fit the model), in order. Inputs run in
    /// length-sorted batches filled to a token budget ([`batches`]); `progress` advances by each batch's inputs
    /// once it is generated (the stage set its length before).
    fn generate_each(&self, inputs: &[&[i64]], progress: Option<&Bar>) -> Result<Vec<String>> {
        let lengths: Vec<usize> = inputs.iter().map(|i| i.len()).collect();
        let mut decoded = vec![String::new(); inputs.len()];
        for batch in batches(&lengths, self.batch_size, self.token_budget) {
            let batch = batch.as_slice();
            let rows: Vec<Vec<i64>> = batch.iter().map(|&k| inputs[k].to_vec()).collect();
            let generated = self.generate_ids(&rows, &self.settings)?;
            for (&k, ids) in batch.iter().zip(generated) {
                decoded[k] = self.decode(&ids);
            }
            if let Some(bar) = progress {
                bar.advance(batch.len() as u64);
            }
        }
        Ok(decoded)
    }

    /// Splits `text` into pieces that each fit the model's input (sentence boundaries first, then words).
    pub fn fit_to_budget(&self, text: &str) -> Vec<String> {
        let budget = self.max_input_tokens;
        let sentences = split_sentences(text);
        chunk_to_budget(&sentences, budget, &|s: &str| self.count_tokens(s))
    }
}

/// The files of a model folder's tokenizer: `vocab.json` and `source.spm` (Marian) or `merges.txt` (BART).
pub(crate) fn tokenizer_files(dir: &Path, architecture: Architecture) -> (PathBuf, PathBuf) {
    match architecture {
        Architecture::Marian => (dir.join("vocab.json"), dir.join("source.spm")),
        Architecture::Bart => (dir.join("vocab.json"), dir.join("merges.txt")),
    }
}

/// The tokenizer's vocabulary fits the embedding ([`super::check::vocabulary_fits`]).
fn tokenizer_fits(vocab: &Path, vocab_size: i64) -> std::result::Result<(), String> {
    let text = std::fs::read_to_string(vocab).map_err(|e| format!("{}: {e}", vocab.display()))?;
    let map: serde_json::Map<String, Value> = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a JSON vocabulary: {e}", vocab.display()))?;
    super::check::vocabulary_fits(&map, vocab_size)
        .map_err(|e| format!("vocab.json: {e}; tokenizer and weights do not belong together"))
}

/// A model's name for briefs and reports: its source and weights fingerprint from `tandem-import.json`, else
/// its folder.
pub fn model_name(dir: &Path) -> String {
    let record = read_json(&dir.join("tandem-import.json")).ok();
    let source = record
        .as_ref()
        .and_then(|r| r.get("source").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| dir.display().to_string());
    match record
        .as_ref()
        .and_then(|r| r.get("weights_sha256").and_then(Value::as_str))
    {
        Some(sha) => format!("{source} (sha256 {})", &sha[..sha.len().min(12)]),
        None => source,
    }
}

/// Generation batches for inputs of `lengths` tokens: indices sorted by length (then position), cut into batches
/// of at most `batch_size` inputs and `token_budget` tokens (rows × the batch's longest, the row added last); a
/// single input over the budget runs alone. Each batch is one step of a stage's bar.
pub fn batches(lengths: &[usize], batch_size: usize, token_budget: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    order.sort_by_key(|&k| (lengths[k], k));
    let mut out = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len()
            && end - start < batch_size.max(1)
            && (end - start + 1) * lengths[order[end]] <= token_budget
        {
            end += 1;
        }
        out.push(order[start..end].to_vec());
        start = end;
    }
    out
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

/// Marian translation through rust-bert.
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
        let model = &self.model;
        let encoded = model.encode(&texts.iter().map(String::as_str).collect::<Vec<_>>());
        texts
            .iter()
            .zip(encoded)
            .map(|(text, ids)| {
                if ids.len() <= model.max_input_tokens {
                    1
                } else {
                    model.fit_to_budget(text).len() as u64
                }
            })
            .sum()
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
        let model = &self.model;
        let encoded = model.encode(&texts.iter().map(String::as_str).collect::<Vec<_>>());
        let mut pieces = Vec::with_capacity(texts.len());
        for (i, (text, ids)) in texts.iter().zip(encoded).enumerate() {
            if ids.len() <= model.max_input_tokens {
                pieces.push((i, ids));
            } else {
                let parts = model.fit_to_budget(text);
                let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
                pieces.extend(model.encode(&refs).into_iter().map(|ids| (i, ids)));
            }
        }
        model.generate_pieces(&pieces, texts.len(), self.progress.as_ref())
    }
}

/// BART summarization through rust-bert. An article longer than the model's input is summarized map-reduce: cut
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
                            model.max_input_tokens
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
