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

/// Rewrites `dir/model.safetensors` with `edit` applied to its tensors (name → tensor).
fn edit_weights(dir: &Path, edit: impl FnOnce(&mut Vec<(String, tch::Tensor)>)) {
    let path = dir.join("model.safetensors");
    let mut tensors = tch::Tensor::read_safetensors(&path).unwrap();
    edit(&mut tensors);
    let refs: Vec<(&str, &tch::Tensor)> = tensors.iter().map(|(n, t)| (n.as_str(), t)).collect();
    tch::Tensor::write_safetensors(&refs, &path).unwrap();
}

/// Gives the tensor `name` one more row (or element) than the config implies.
fn grow(tensors: &mut [(String, tch::Tensor)], name: &str) {
    let (_, t) = tensors.iter_mut().find(|(n, _)| n == name).unwrap();
    let first = t.narrow(0, 0, 1);
    *t = tch::Tensor::cat(&[&*t, &first], 0);
}

/// Every tensor's shape is checked against the config, not only the embeddings' and the first layers': a
/// second-layer cross-attention projection of BART, a decoder layer norm and `final_logits_bias` of Marian.
#[test]
fn a_wrong_shape_anywhere_in_the_weights_is_refused() {
    for (role, name) in [
        (
            Role::SummarizeEn,
            "model.decoder.layers.1.encoder_attn.k_proj.weight",
        ),
        (Role::SummarizeEn, "model.encoder.layernorm_embedding.bias"),
        (
            Role::TranslateEnFr,
            "model.decoder.layers.1.final_layer_norm.weight",
        ),
        (Role::TranslateFrEn, "model.encoder.layers.1.fc2.bias"),
    ] {
        let e = broken(role, |dir| edit_weights(dir, |t| grow(t, name)));
        assert!(e.contains("config.json does not match"), "{e}");
        assert!(e.contains(&format!("`{name}` is [")), "{name}: {e}");
        assert!(e.contains("the config implies"), "{e}");
    }
    let e = broken(Role::TranslateEnFr, |dir| {
        edit_weights(dir, |t| {
            let (_, bias) = t
                .iter_mut()
                .find(|(n, _)| n == "final_logits_bias")
                .unwrap();
            *bias = bias.narrow(1, 0, 10);
        })
    });
    assert!(
        e.contains("`final_logits_bias` is [1, 10], the config implies [1, 402]"),
        "{e}"
    );
}

/// A tensor no Marian/BART model has (here mBART's final encoder layer norm) would be left out of the
/// computation without a word: refused.
#[test]
fn a_tensor_the_model_does_not_have_is_refused() {
    let e = broken(Role::SummarizeEn, |dir| {
        edit_weights(dir, |t| {
            t.push((
                "model.encoder.layer_norm.weight".into(),
                tch::Tensor::ones([32], (tch::Kind::Float, tch::Device::Cpu)),
            ))
        })
    });
    assert!(
        e.contains("tensor `model.encoder.layer_norm.weight` ([32]) is not part of a BART model"),
        "{e}"
    );
}

/// The engines tie the output layer to the shared embeddings: an `lm_head.weight` that differs is refused, an
/// identical copy is accepted.
#[test]
fn an_untied_output_layer_is_refused_and_a_tied_copy_accepted() {
    let shared_plus = |t: &mut Vec<(String, tch::Tensor)>, delta: f64| {
        let shared = t
            .iter()
            .find(|(n, _)| n == "model.shared.weight")
            .map(|(_, w)| w.copy())
            .unwrap();
        t.push(("lm_head.weight".into(), shared + delta));
    };
    let e = broken(Role::TranslateEnFr, |dir| {
        edit_weights(dir, |t| shared_plus(t, 0.5))
    });
    assert!(e.contains("model.safetensors"), "{e}");
    assert!(
        e.contains("`lm_head.weight` differs from `model.shared.weight`"),
        "{e}"
    );

    let tmp = tempfile::tempdir().unwrap();
    let models = tmp.path().join("models");
    common::import_roles(&models, &[Role::TranslateEnFr]);
    let dir = common::role_path(&models, Role::TranslateEnFr);
    edit_weights(&dir, |t| shared_plus(t, 0.0));
    tandem::models::check::check_model_dir(&dir, tandem::models::Architecture::Marian).unwrap();
}

/// The tokenizer is loaded and tried when the run starts, so a broken one is found before any article reaches a
/// model, not when its stage comes after the others: a vocabulary without the `<unk>` token the tokenizer has
/// (its other special tokens in place), with and without the tokenizer.json import writes; a SentencePiece file
/// that starts like one but is damaged after its first byte, beside the converted source.tokenizer.json and
/// without it; a SentencePiece model without pieces (it loads, and turns every word into `<unk>`).
#[test]
fn a_tokenizer_that_cannot_be_loaded_or_used_is_refused_before_any_work() {
    for keep_tokenizer_json in [true, false] {
        let e = broken(Role::SummarizeEn, |dir| {
            edit_json(&dir.join("vocab.json"), |v| {
                v.as_object_mut().unwrap().remove("<unk>").unwrap();
            });
            if !keep_tokenizer_json {
                std::fs::remove_file(dir.join("tokenizer.json")).unwrap();
            }
        });
        assert!(
            e.contains("vocab.json: does not match the tokenizer"),
            "{e}"
        );
        assert!(e.contains("`<unk>`"), "{e}");
        assert!(e.contains("re-install the model"), "{e}");
    }

    for keep_converted in [true, false] {
        let e = broken(Role::TranslateEnFr, |dir| {
            let spm = dir.join("source.spm");
            let mut bytes = std::fs::read(&spm).unwrap();
            bytes.truncate(1);
            bytes.extend_from_slice(&[0xff, 0xff, 0xff, 0x0f, b'x', b'y']);
            std::fs::write(&spm, &bytes).unwrap();
            if !keep_converted {
                std::fs::remove_file(dir.join("source.tokenizer.json")).unwrap();
            }
        });
        assert!(
            e.contains("source.spm: not a SentencePiece model (truncated field)"),
            "{e}"
        );
    }

    // A well-formed SentencePiece model whose only piece is `<unk>` (protobuf: one piece, its text, score 0,
    // type UNKNOWN), installed without a converted file: it converts, and turns every word into <unk>.
    let only_unk: &[u8] = &[
        0x0a, 0x0e, 0x0a, 0x05, b'<', b'u', b'n', b'k', b'>', 0x15, 0, 0, 0, 0, 0x18, 0x02,
    ];
    let e = broken(Role::TranslateEnFr, |dir| {
        std::fs::write(dir.join("source.spm"), only_unk).unwrap();
        std::fs::remove_file(dir.join("source.tokenizer.json")).unwrap();
    });
    assert!(
        e.contains("source.spm: the tokenizer turns every word into <unk>"),
        "{e}"
    );
    // Beside the converted file of the model it replaced, it is refused as another model's.
    let e = broken(Role::TranslateEnFr, |dir| {
        std::fs::write(dir.join("source.spm"), only_unk).unwrap();
    });
    assert!(
        e.contains("source.tokenizer.json: holds 400 pieces, source.spm 1"),
        "{e}"
    );
}
