//! Model faults are found when the run starts, before any article is processed, with the file named:
//! truncated weights (see brief_cli.rs), a config that does not match the weights, missing or wrong tokenizer
//! files. Nothing is written and no model output is cached.
mod common;

use std::path::Path;
use std::process::{Command, Output};
use tandem::models::manifest::Role;

fn run(models: &Path, root: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["brief"])
        .arg(common::fixtures().join("articles"))
        .arg("--out")
        .arg(root.join("out"))
        .arg("--models-dir")
        .arg(models)
        .arg("--cache-dir")
        .arg(root.join("cache"))
        .env_remove("TANDEM_MODELS")
        .output()
        .unwrap()
}

/// Imports every fixture model, breaks `role`'s folder with `damage`, runs a brief and returns its stderr after
/// checking that it failed before doing any work.
fn broken(role: Role, damage: impl FnOnce(&Path)) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let models = tmp.path().join("models");
    common::import_roles(&models, &Role::ALL);
    damage(&common::role_path(&models, role));
    let out = run(&models, tmp.path());
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(role.name()), "names the role: {stderr}");
    assert!(
        !tmp.path().join("out").exists(),
        "nothing written: {stderr}"
    );
    let cached = tandem::cache::Cache::open(&tmp.path().join("cache"))
        .unwrap()
        .stats()
        .unwrap()
        .unwrap();
    assert!(cached.stages.is_empty(), "no article reached a model");
    stderr
}

fn edit_json(path: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

#[test]
fn a_config_that_does_not_match_the_weights_is_refused() {
    let e = broken(Role::SummarizeEn, |dir| {
        edit_json(&dir.join("config.json"), |c| c["d_model"] = 64.into())
    });
    assert!(e.contains("config.json does not match"), "{e}");
    assert!(e.contains("model.shared.weight"), "{e}");

    let e = broken(Role::TranslateFrEn, |dir| {
        edit_json(&dir.join("config.json"), |c| c["decoder_layers"] = 3.into())
    });
    assert!(
        e.contains("the weights have 2 decoder layers, the config says decoder_layers = 3"),
        "{e}"
    );
}

#[test]
fn tokenizer_files_of_another_model_are_refused() {
    let bart_vocab = common::hf_fixture(Role::SummarizeEn).join("vocab.json");
    let e = broken(Role::TranslateEnFr, |dir| {
        std::fs::copy(&bart_vocab, dir.join("vocab.json")).unwrap();
    });
    assert!(e.contains("vocab.json"), "{e}");
    assert!(e.contains("belong to another model"), "{e}");

    let e = broken(Role::TranslateFrEn, |dir| {
        std::fs::write(dir.join("source.spm"), b"not a sentencepiece model").unwrap();
    });
    assert!(e.contains("source.spm: not a SentencePiece model"), "{e}");

    let e = broken(Role::SummarizeEn, |dir| {
        std::fs::write(
            dir.join("merges.txt"),
            "#version: 0.2\nthis line has four words\n",
        )
        .unwrap();
    });
    assert!(e.contains("merges.txt: not a BPE merges file"), "{e}");
}

/// A model folder with a file missing is an error naming the file, before any work — not "not installed": the
/// run used to fall back to extractive summaries and exit 0, or leave the French sides untranslated (exit 4).
#[test]
fn a_half_installed_model_is_an_error_naming_the_missing_file() {
    for (role, file) in [
        (Role::SummarizeEn, "vocab.json"),
        (Role::TranslateEnFr, "source.spm"),
    ] {
        let e = broken(role, |dir| {
            std::fs::remove_file(dir.join(file)).unwrap();
        });
        assert!(e.contains(&format!("incomplete: {file} missing")), "{e}");
        assert!(e.contains("tandem models import"), "{e}");
    }
}
