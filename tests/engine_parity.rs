//! Parity of tandem's own engine (src/engine) with Hugging Face `transformers` and with rust-bert: on the tiny
//! random-weight fixtures, every case of tests/fixtures/parity/*.json (greedy, no_repeat_ngram + min_length,
//! beam 4, beam + no_repeat, BART forced BOS/EOS + length_penalty 2.0, padded batches) must give exactly the
//! token ids that `transformers` 4.46 generated, and the same ids as the rust-bert engine on the same folder.
mod common;

use serde::Deserialize;
use tandem::engine::{Model, Precision};
use tandem::models::manifest::{Architecture, Role};
use tandem::models::rustbert::{GenerationSettings, Seq2Seq};

#[derive(Deserialize)]
struct Parity {
    input_ids: Vec<Vec<i64>>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    settings: Settings,
    output_ids: Vec<Vec<i64>>,
}

#[derive(Deserialize)]
struct Settings {
    num_beams: i64,
    max_length: i64,
    min_length: i64,
    no_repeat_ngram_size: i64,
    #[serde(default = "one")]
    length_penalty: f64,
    #[serde(default)]
    early_stopping: bool,
}

fn one() -> f64 {
    1.0
}

impl Settings {
    fn to_generation(&self) -> GenerationSettings {
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

fn parity(fixture: &str) -> Parity {
    let text = std::fs::read_to_string(common::fixtures().join("parity").join(fixture)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn imported(role: Role) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::import_roles(dir.path(), &[role]);
    dir
}

fn check(role: Role, architecture: Architecture, fixture: &str) {
    let parity = parity(fixture);
    let dir = imported(role);
    let path = common::role_path(dir.path(), role);
    let engine = Model::load(&path, tch::Device::Cpu, Precision::Float).unwrap();
    let reference = Seq2Seq::load(role, architecture, &path, tch::Device::Cpu).unwrap();
    assert!(!parity.cases.is_empty());
    for case in &parity.cases {
        let settings = case.settings.to_generation();
        let got = tandem::engine::generate(&engine, &parity.input_ids, &settings).unwrap();
        assert_eq!(
            got, case.output_ids,
            "{fixture} / {}: tandem engine ids differ from transformers",
            case.name
        );
        let rust_bert = reference
            .generate_ids(&parity.input_ids, &settings)
            .unwrap();
        assert_eq!(
            got, rust_bert,
            "{fixture} / {}: tandem engine ids differ from rust-bert",
            case.name
        );
        // Each sentence alone (no padding, no batch neighbours) gives its batch output.
        for (input, expected) in parity.input_ids.iter().zip(&case.output_ids) {
            let alone =
                tandem::engine::generate(&engine, std::slice::from_ref(input), &settings).unwrap();
            assert_eq!(
                &alone[0], expected,
                "{fixture} / {}: a sentence alone differs from its padded batch",
                case.name
            );
        }
    }
}

#[test]
fn marian_fr_en_matches_transformers_and_rust_bert() {
    check(
        Role::TranslateFrEn,
        Architecture::Marian,
        "marian-fr-en.json",
    );
}

#[test]
fn marian_en_fr_matches_transformers_and_rust_bert() {
    check(
        Role::TranslateEnFr,
        Architecture::Marian,
        "marian-en-fr.json",
    );
}

#[test]
fn bart_matches_transformers_and_rust_bert() {
    check(Role::SummarizeEn, Architecture::Bart, "bart-cnn.json");
}
