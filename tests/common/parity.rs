//! The parity fixtures (tests/fixtures/parity/*.json, written by scripts/make-test-models.py): fixed inputs, their
//! `transformers` token ids, and the ids `transformers` generated for each decoding case.
use serde::Deserialize;
use tandem::generation::GenerationSettings;

#[derive(Deserialize)]
pub struct Parity {
    pub inputs: Vec<String>,
    pub input_ids: Vec<Vec<i64>>,
    pub cases: Vec<Case>,
}

#[derive(Deserialize)]
pub struct Case {
    pub name: String,
    pub settings: Settings,
    pub output_ids: Vec<Vec<i64>>,
    /// transformers' decoded text of each row (`skip_special_tokens`), where the fixture records it.
    #[serde(default)]
    pub output_text: Vec<String>,
}

#[derive(Deserialize)]
pub struct Settings {
    pub num_beams: i64,
    pub max_length: i64,
    pub min_length: i64,
    pub no_repeat_ngram_size: i64,
    #[serde(default = "one")]
    pub length_penalty: f64,
    #[serde(default)]
    pub early_stopping: bool,
}

fn one() -> f64 {
    1.0
}

impl Settings {
    pub fn to_generation(&self) -> GenerationSettings {
        GenerationSettings {
            num_beams: self.num_beams,
            max_length: self.max_length,
            min_length: self.min_length,
            no_repeat_ngram_size: self.no_repeat_ngram_size,
            length_penalty: self.length_penalty,
            early_stopping: self.early_stopping,
        }
    }
}

/// Reads one fixture file, e.g. `marian-fr-en.json`.
pub fn load(fixture: &str) -> Parity {
    let text = std::fs::read_to_string(super::fixtures().join("parity").join(fixture)).unwrap();
    serde_json::from_str(&text).unwrap()
}
