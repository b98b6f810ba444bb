//! Decoding settings as `transformers` reads them from a model folder: beams, lengths, penalties, early
//! stopping. The stage-facing model ([`crate::models::seq2seq`]) reads them once and hands them to whichever
//! backend generates — tandem's engine ([`crate::engine`]) or rust-bert ([`crate::models::rustbert`]).
use crate::models::manifest::Architecture;
use crate::{Error, Result};
use serde_json::Value;
use std::path::Path;

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
