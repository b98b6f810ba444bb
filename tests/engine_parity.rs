//! Parity of tandem's own engine (src/engine) with Hugging Face `transformers` and with rust-bert: on the tiny
//! random-weight fixtures, every case of tests/fixtures/parity/*.json (greedy, no_repeat_ngram + min_length,
//! beam 4, beam + no_repeat, BART forced BOS/EOS + length_penalty 2.0, padded batches) must give exactly the
//! token ids that `transformers` 4.46 generated, and the same ids as the rust-bert engine on the same folder.
mod common;

use common::parity::Parity;
use tandem::engine::{Model, Precision};
use tandem::models::manifest::{Architecture, Role};
use tandem::models::seq2seq::Seq2Seq;
use tandem::models::Engine;

fn parity(fixture: &str) -> Parity {
    common::parity::load(fixture)
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

/// Through `Seq2Seq::load_with_engine` (what the pipeline calls): the same tokenization and, with
/// `Engine::Tandem`, the transformers ids of every case.
fn check_seq2seq(role: Role, architecture: Architecture, fixture: &str) {
    let parity = parity(fixture);
    let dir = imported(role);
    let path = common::role_path(dir.path(), role);
    let model =
        Seq2Seq::load_with_engine(role, architecture, &path, tch::Device::Cpu, Engine::Tandem)
            .unwrap();
    assert_eq!(model.engine(), Engine::Tandem);
    let refs: Vec<&str> = parity.inputs.iter().map(String::as_str).collect();
    assert_eq!(model.encode(&refs), parity.input_ids);
    for case in &parity.cases {
        assert_eq!(
            model
                .generate_ids(&parity.input_ids, &case.settings.to_generation())
                .unwrap(),
            case.output_ids,
            "{fixture} / {} through Seq2Seq",
            case.name
        );
    }
}

#[test]
fn seq2seq_with_the_tandem_engine_matches_transformers() {
    check_seq2seq(
        Role::TranslateFrEn,
        Architecture::Marian,
        "marian-fr-en.json",
    );
    check_seq2seq(Role::SummarizeEn, Architecture::Bart, "bart-cnn.json");
}

#[test]
fn engine_names_round_trip() {
    for engine in Engine::ALL {
        assert_eq!(engine.name().parse::<Engine>().unwrap(), engine);
    }
    assert!("fast".parse::<Engine>().is_err());
    assert_eq!(
        Engine::default(),
        Engine::Tandem,
        "one default: the command line's"
    );
}

// int8 and fp16 weights are measured where it means something: on the trained natural-stop fixtures
// (tests/natural_stop.rs), whole sentences against float, on this CPU's kernel and on the forced AVX2 one.
