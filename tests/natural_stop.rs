//! The engines in the regime real checkpoints are in: tiny models *trained* to stop at EOS
//! (tests/fixtures/models/stop-*, made by scripts/make-stopping-models.py) with the real tokenizer files, configs
//! and generation configs of opus-mt-fr-en, opus-mt-en-fr and distilbart-cnn-12-6. Rows of one batch end at
//! different steps, so finished sentences leave the batch mid-search, `min_length` binds, early stopping and
//! the length penalty decide between finished hypotheses, and the opus-mt `renormalize_logits` matters.
//!
//! Every case must give transformers 4.46's ids (tests/fixtures/parity/stop-*.json) with tandem's float engine,
//! in the padded batch and for each input alone; rust-bert is compared too. Each fixture is first checked not to
//! have degenerated: at least half of every case's rows end at EOS before `max_length`, at varied lengths.
mod common;

use common::parity::{Case, Parity};
use tandem::engine::{Model, Precision};
use tandem::models::manifest::{Architecture, Role};
use tandem::models::rustbert::Seq2Seq;
use tandem::models::Engine;

const FIXTURES: [(Role, Architecture, &str); 3] = [
    (
        Role::TranslateFrEn,
        Architecture::Marian,
        "stop-marian-fr-en.json",
    ),
    (
        Role::TranslateEnFr,
        Architecture::Marian,
        "stop-marian-en-fr.json",
    ),
    (Role::SummarizeEn, Architecture::Bart, "stop-bart-cnn.json"),
];

fn eos_of(architecture: Architecture) -> i64 {
    match architecture {
        Architecture::Marian => 0,
        Architecture::Bart => 2,
    }
}

fn imported(role: Role) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    common::import_stopping_roles(dir.path(), &[role]);
    let path = common::role_path(dir.path(), role);
    (dir, path)
}

/// Rows that stopped by themselves: ending at EOS, shorter than `max_length`.
fn stopped(case: &Case, eos: i64) -> usize {
    case.output_ids
        .iter()
        .filter(|r| r.last() == Some(&eos) && (r.len() as i64) < case.settings.max_length)
        .count()
}

#[test]
fn fixtures_stop_naturally_at_varied_lengths() {
    for (_, architecture, fixture) in FIXTURES {
        let parity = common::parity::load(fixture);
        assert!(parity.inputs.len() >= 8, "{fixture}: batches of 8 or more");
        assert!(parity.cases.len() >= 5, "{fixture}: every decoding case");
        for case in &parity.cases {
            let rows = case.output_ids.len();
            assert_eq!(rows, parity.inputs.len());
            let natural = stopped(case, eos_of(architecture));
            assert!(
                2 * natural >= rows,
                "{fixture} / {}: only {natural} of {rows} rows stop before max_length",
                case.name
            );
            let mut lengths: Vec<usize> = case.output_ids.iter().map(Vec::len).collect();
            lengths.sort_unstable();
            lengths.dedup();
            assert!(
                lengths.len() >= 3,
                "{fixture} / {}: rows end at only {lengths:?} tokens",
                case.name
            );
        }
    }
}

/// Every fixture has a case where `min_length` binds (rows that stop later than their natural length).
#[test]
fn min_length_binds_in_the_fixtures() {
    for (_, _, fixture) in FIXTURES {
        let parity = common::parity::load(fixture);
        let free = parity
            .cases
            .iter()
            .find(|c| c.name == "greedy")
            .expect("a greedy case");
        let bound = parity
            .cases
            .iter()
            .find(|c| c.name == "greedy_min_length")
            .expect("a greedy_min_length case");
        let min = bound.settings.min_length as usize;
        let lengthened = free
            .output_ids
            .iter()
            .zip(&bound.output_ids)
            .filter(|(f, b)| f.len() < min && b.len() >= min && f != b)
            .count();
        assert!(
            lengthened >= 3,
            "{fixture}: min_length {min} lengthens only {lengthened} rows"
        );
    }
}

fn float_engine_case(role: Role, architecture: Architecture, fixture: &str) {
    let parity: Parity = common::parity::load(fixture);
    let (_dir, path) = imported(role);
    let engine = Model::load(&path, tch::Device::Cpu, Precision::Float).unwrap();
    for case in &parity.cases {
        let settings = case.settings.to_generation();
        let got = tandem::engine::generate(&engine, &parity.input_ids, &settings).unwrap();
        for (i, (g, e)) in got.iter().zip(&case.output_ids).enumerate() {
            assert_eq!(
                g, e,
                "{fixture} / {}: row {i} ({:?}) differs from transformers",
                case.name, parity.inputs[i]
            );
        }
        for (i, (input, expected)) in parity.input_ids.iter().zip(&case.output_ids).enumerate() {
            let alone =
                tandem::engine::generate(&engine, std::slice::from_ref(input), &settings).unwrap();
            assert_eq!(
                &alone[0], expected,
                "{fixture} / {}: input {i} alone differs from its batch row",
                case.name
            );
        }
    }
    // Through Seq2Seq (what the pipeline calls): the real tokenizer files give transformers' input ids.
    let model =
        Seq2Seq::load_with_engine(role, architecture, &path, tch::Device::Cpu, Engine::Tandem)
            .unwrap();
    let refs: Vec<&str> = parity.inputs.iter().map(String::as_str).collect();
    assert_eq!(model.encode(&refs), parity.input_ids, "{fixture}: input ids");
}

#[test]
fn float_engine_matches_transformers_marian_fr_en() {
    let (role, architecture, fixture) = FIXTURES[0];
    float_engine_case(role, architecture, fixture);
}

#[test]
fn float_engine_matches_transformers_marian_en_fr() {
    let (role, architecture, fixture) = FIXTURES[1];
    float_engine_case(role, architecture, fixture);
}

#[test]
fn float_engine_matches_transformers_bart() {
    let (role, architecture, fixture) = FIXTURES[2];
    float_engine_case(role, architecture, fixture);
}
