//! Models: the manifest of roles, importing Hugging Face checkpoints, and the models behind the two stage traits.
//!
//! The pipeline only sees [`Translator`] and [`Summarizer`]. Implementations: [`translator::MarianTranslator`]
//! and [`summarizer::BartSummarizer`] over a [`seq2seq::Seq2Seq`] model — what it is given
//! ([`inputs`]: the [`tokenizer`], input prefix and budget), the generation settings ([`crate::generation`]), and
//! one of two backends, picked by [`Engine`]: tandem's own engine ([`crate::engine`], f32, fp16 weights or int8) or
//! rust-bert
//! ([`rustbert`]), with the same tokenizer, settings and output contract — and [`extractive`], which needs no
//! weights.
pub mod check;
pub mod extractive;
pub mod import;
pub mod inputs;
pub mod manifest;
pub mod rustbert;
pub mod seq2seq;
pub mod summarizer;
pub mod tokenizer;
pub mod translator;

pub use manifest::{Architecture, Manifest, ModelStatus, Role};

use crate::lang::Lang;
use crate::{Error, Result};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// What runs the generation of a Marian/BART model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    /// rust-bert 0.23's generators: the reference, and the engine for CUDA.
    RustBert,
    /// tandem's own engine (src/engine), f32: token-identical to transformers on the parity fixtures. The
    /// default, of the library and of the command line alike.
    #[default]
    Tandem,
    /// tandem's own engine with int8 linear layers (fbgemm): faster, close to but not identical with f32.
    TandemInt8,
    /// tandem's own engine with fp16 weights in its linear layers (fbgemm; activations and sums f32): half the
    /// weight bytes, not bit-identical with f32.
    TandemFp16,
}

impl Engine {
    /// The name the command line uses: `rust-bert`, `tandem`, `tandem-int8`, `tandem-fp16`.
    pub fn name(self) -> &'static str {
        match self {
            Engine::RustBert => "rust-bert",
            Engine::Tandem => "tandem",
            Engine::TandemInt8 => "tandem-int8",
            Engine::TandemFp16 => "tandem-fp16",
        }
    }

    /// All engines, in the order of their names.
    pub const ALL: [Engine; 4] = [
        Engine::RustBert,
        Engine::Tandem,
        Engine::TandemInt8,
        Engine::TandemFp16,
    ];
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Engine {
    type Err = Error;

    fn from_str(s: &str) -> Result<Engine> {
        Engine::ALL
            .into_iter()
            .find(|e| e.name() == s)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "unknown engine `{s}`: expected one of rust-bert, tandem, tandem-int8, tandem-fp16"
                ))
            })
    }
}

/// Translates sentences, one output per input, in order.
pub trait Translator {
    /// Identifies the model that translates (source and weights fingerprint); recorded in the brief.
    fn model_name(&self) -> String;
    /// Translates each text; the output has the same length and order as the input.
    fn translate(&mut self, texts: &[String]) -> Result<Vec<String>>;
}

/// Summarizes whole articles, one summary per input, in order.
pub trait Summarizer {
    /// Identifies the summarizer; recorded in the brief.
    fn model_name(&self) -> String;
    /// Summarizes each text (written in `lang`); the output has the same length and order as the input.
    fn summarize(&mut self, texts: &[String], lang: Lang) -> Result<Vec<String>>;
}

/// A summary and the number of pieces its text was cut into to fit the summarizer's input: 1 when it fit in
/// one; more when each piece was summarized and the pieces' summaries summarized again into one (map-reduce).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChunkedSummary {
    pub text: String,
    pub chunks: usize,
}

/// Everything besides the model files that decides a model's output — the engine, the decoding settings and the
/// input budget — as one line (part of the cache key).
pub fn output_settings(
    dir: &Path,
    role: Role,
    architecture: Architecture,
    engine: Engine,
) -> Result<String> {
    let settings = crate::generation::GenerationSettings::from_model_dir(dir, architecture)?;
    let config = dir.join("config.json");
    let text = std::fs::read_to_string(&config).map_err(|e| Error::io(&config, e))?;
    let config = serde_json::from_str::<serde_json::Value>(&text).unwrap_or_default();
    let positions = config
        .get("max_position_embeddings")
        .and_then(|p| p.as_i64())
        .unwrap_or(0);
    let prefix = inputs::input_prefix(&config, role);
    // int8 outputs depend on the weight bits the CPU's kernel needs (8 with VNNI, 7 without). fp16 outputs
    // differ from f32's; the engine's own name keeps them apart.
    let engine = match engine {
        Engine::TandemInt8 => compute_description(engine),
        other => other.to_string(),
    };
    // The ids come from `tokenizer::Tokenizer` (Hugging Face tokenizers, transformers' ids): outputs cached with
    // the earlier tokenizers (rust_tokenizers, with Marian whitespace collapsed by hand), whose ids differed on
    // some texts, are not served for it (measured on tests/fixtures/tokenizers/corpus.txt: 11 of 424 lines for
    // opus-mt-fr-en, 9 for opus-mt-en-fr — emoji, `>> … <<`, special-token text —, 2 for distilbart).
    // A BART stage's output is a `ChunkedSummary` as JSON, long inputs summarized map-reduce: outputs cached
    // before (the chunk summaries joined, as plain text) are not served for it.
    // The input prefix (distilbart-cnn: " ", as transformers' pipeline puts it) changes the ids of every input;
    // outputs cached before tandem read it are not served for it.
    let tokenization = match architecture {
        Architecture::Marian => "; tokenizer=hf-tokenizers-0.20",
        Architecture::Bart => "; tokenizer=hf-tokenizers-0.20; long-inputs=map-reduce; output=json",
    };
    Ok(format!(
        "engine={engine}; {settings:?}; max_input_tokens={positions}{tokenization}; prefix={prefix:?}"
    ))
}

/// A model's name for briefs and reports: its source and weights fingerprint from `tandem-import.json`, else
/// its folder.
pub fn model_name(dir: &Path) -> String {
    let record = std::fs::read_to_string(dir.join("tandem-import.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok());
    let source = record
        .as_ref()
        .and_then(|r| {
            r.get("source")
                .and_then(serde_json::Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_else(|| dir.display().to_string());
    match record
        .as_ref()
        .and_then(|r| r.get("weights_sha256").and_then(serde_json::Value::as_str))
    {
        Some(sha) => format!("{source} (sha256 {})", &sha[..sha.len().min(12)]),
        None => source,
    }
}

/// What computes with `engine` on this machine, in one line: the engine, the CPU's ISA, for int8 the fbgemm
/// kernel the probe found and the weight bits it needs ([`crate::engine::layers::int8_path`]), for fp16 the
/// fbgemm kernel ([`crate::engine::layers::fp16_path`]).
pub fn compute_description(engine: Engine) -> String {
    let isa = crate::engine::layers::cpu_isa();
    match engine {
        Engine::RustBert => format!("rust-bert, f32 ({isa} CPU)"),
        Engine::Tandem => format!("tandem engine, f32 ({isa} CPU)"),
        Engine::TandemInt8 => match crate::engine::layers::int8_path() {
            // Part of the int8 cache key: outputs with f32 cross-attention keys/values (before them, or on a
            // CPU without the half kernel) are not served for half ones, nor outputs of the beam search before
            // it took its log-probabilities from one log-sum-exp (`engine::generate`).
            Ok(path) => format!(
                "tandem engine, int8 ({}; cross-attention keys/values in {}; beam log-probabilities by \
                 log-sum-exp)",
                path.describe(),
                if crate::engine::attention::available() {
                    "f16"
                } else {
                    "f32"
                }
            ),
            Err(e) => format!("tandem engine, int8 unavailable on this libtorch ({e})"),
        },
        Engine::TandemFp16 => format!(
            "tandem engine, fp16 weights ({})",
            crate::engine::layers::fp16_path()
        ),
    }
}

/// SHA-256 of a file, in hex.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each engine has its own cache key: fp16 and int8 outputs are not float's, so none is served for another.
    #[test]
    fn every_engine_has_its_own_cache_key() {
        let dir =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/models/stop-marian-fr-en");
        let keys: Vec<String> = Engine::ALL
            .iter()
            .map(|&e| output_settings(&dir, Role::TranslateFrEn, Architecture::Marian, e).unwrap())
            .collect();
        for (i, key) in keys.iter().enumerate() {
            assert!(key.starts_with("engine="), "{key}");
            for other in &keys[i + 1..] {
                assert_ne!(key, other);
            }
        }
        let fp16 = &keys[Engine::ALL
            .iter()
            .position(|&e| e == Engine::TandemFp16)
            .unwrap()];
        assert!(fp16.starts_with("engine=tandem-fp16;"), "{fp16}");
    }
}
