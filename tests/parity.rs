//! Parity with Hugging Face `transformers`: the tiny random-weight models, imported by tandem and run through its
//! rust-bert engine, must tokenize the fixed inputs and generate exactly the token ids that `transformers` 4.46
//! produced for the same weights (tests/fixtures/parity/*.json, written by scripts/make-test-models.py).
mod common;

use common::parity::Parity;
use tandem::models::manifest::{Architecture, Role};
use tandem::models::seq2seq::Seq2Seq;

fn load(role: Role, architecture: Architecture) -> (tempfile::TempDir, Seq2Seq) {
    let dir = tempfile::tempdir().unwrap();
    common::import_roles(dir.path(), &[role]);
    let model = Seq2Seq::load(
        role,
        architecture,
        &common::role_path(dir.path(), role),
        tch::Device::Cpu,
    )
    .unwrap();
    (dir, model)
}

fn check(role: Role, architecture: Architecture, fixture: &str) {
    let parity: Parity = common::parity::load(fixture);
    let (_dir, model) = load(role, architecture);

    let inputs: Vec<&str> = parity.inputs.iter().map(String::as_str).collect();
    assert_eq!(
        model.encode(&inputs),
        parity.input_ids,
        "{fixture}: tokenization differs from transformers"
    );
    assert!(!parity.cases.is_empty());
    for case in &parity.cases {
        let settings = case.settings.to_generation();
        let got = model.generate_ids(&parity.input_ids, &settings).unwrap();
        assert_eq!(
            got, case.output_ids,
            "{fixture} / {}: generated ids differ from transformers",
            case.name
        );
    }
}

#[test]
fn marian_fr_en_matches_transformers() {
    check(
        Role::TranslateFrEn,
        Architecture::Marian,
        "marian-fr-en.json",
    );
}

#[test]
fn marian_en_fr_matches_transformers() {
    check(
        Role::TranslateEnFr,
        Architecture::Marian,
        "marian-en-fr.json",
    );
}

#[test]
fn bart_matches_transformers() {
    check(Role::SummarizeEn, Architecture::Bart, "bart-cnn.json");
}

#[test]
fn one_sequence_alone_gives_the_same_ids_as_in_a_padded_batch() {
    // Padding must not leak into the result: the shortest input, run alone, gives its batch output.
    let parity: Parity = common::parity::load("marian-fr-en.json");
    let (_dir, model) = load(Role::TranslateFrEn, Architecture::Marian);
    let case = parity
        .cases
        .iter()
        .find(|c| c.name == "greedy_no_repeat")
        .unwrap();
    let settings = case.settings.to_generation();
    let last = parity.input_ids.len() - 1;
    let alone = model
        .generate_ids(&[parity.input_ids[last].clone()], &settings)
        .unwrap();
    assert_eq!(alone[0], case.output_ids[last]);
}

#[test]
fn pytorch_bin_weights_import_to_the_same_model() {
    // A checkpoint that ships pytorch_model.bin instead of model.safetensors imports to the same model.
    let hf = tempfile::tempdir().unwrap();
    let src = common::hf_fixture(Role::TranslateFrEn);
    for f in [
        "config.json",
        "generation_config.json",
        "source.spm",
        "target.spm",
        "vocab.json",
    ] {
        std::fs::copy(src.join(f), hf.path().join(f)).unwrap();
    }
    std::fs::copy(
        common::fixtures().join("models/pytorch-bin/marian-fr-en/pytorch_model.bin"),
        hf.path().join("pytorch_model.bin"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("fr-en");
    tandem::models::import::import_hf(hf.path(), Architecture::Marian, &dest, None).unwrap();
    let model = Seq2Seq::load(
        Role::TranslateFrEn,
        Architecture::Marian,
        &dest,
        tch::Device::Cpu,
    )
    .unwrap();

    let parity: Parity = common::parity::load("marian-fr-en.json");
    let case = parity
        .cases
        .iter()
        .find(|c| c.name == "beam4_no_repeat")
        .unwrap();
    let settings = case.settings.to_generation();
    assert_eq!(
        model.generate_ids(&parity.input_ids, &settings).unwrap(),
        case.output_ids
    );
}
