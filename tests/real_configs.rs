//! The real models' configs through `tandem models import` and the model check, with weights in exactly their
//! shapes: the published `config.json` and `generation_config.json` of opus-mt-fr-en, opus-mt-en-fr and
//! distilbart-cnn-12-6 (tests/fixtures/real-configs, made by scripts/make-real-config-fixtures.py), the real
//! tokenizer files (the natural-stop fixtures carry byte-identical copies), and a `model.safetensors` written
//! from the header transformers 4.46 saved for random weights of that config (the values are zeros; the file
//! has the header's exact size: for opus-mt-fr-en the Hub's 298,705,768 bytes).
//!
//! Every setting tandem reads from those files must be the one transformers' `pipeline` uses: beams, lengths,
//! penalties, banned and forced tokens, special ids, renormalization, the input prefix, and the shapes.
mod common;

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use tandem::engine::model::Family;
use tandem::engine::ModelConfig;
use tandem::generation::GenerationSettings;
use tandem::models::manifest::{Architecture, Role};

struct RealModel {
    name: &'static str,
    role: Role,
    architecture: Architecture,
}

const MODELS: [RealModel; 3] = [
    RealModel {
        name: "opus-mt-fr-en",
        role: Role::TranslateFrEn,
        architecture: Architecture::Marian,
    },
    RealModel {
        name: "opus-mt-en-fr",
        role: Role::TranslateEnFr,
        architecture: Architecture::Marian,
    },
    RealModel {
        name: "distilbart-cnn-12-6",
        role: Role::SummarizeEn,
        architecture: Architecture::Bart,
    },
];

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A Hugging Face folder of `model`: its real config files, the real tokenizer files, and zero weights written
/// with the recorded safetensors header, padded to the recorded header length.
fn hf_folder(model: &RealModel, root: &Path) -> PathBuf {
    let fixture = common::fixtures().join("real-configs").join(model.name);
    let dir = root.join(model.name);
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["config.json", "generation_config.json"] {
        std::fs::copy(fixture.join(file), dir.join(file)).unwrap();
    }
    let tokenizer = common::stopping_fixture(model.role);
    for entry in std::fs::read_dir(&tokenizer).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap();
        if !["config.json", "generation_config.json", "model.safetensors"].contains(&name) {
            std::fs::copy(&path, dir.join(name)).unwrap();
        }
    }
    let recorded = read(&fixture.join("weights-header.json"));
    let file_size = recorded["file_size"].as_u64().unwrap();
    let header_len = recorded["header_len"].as_u64().unwrap() as usize;
    let mut header = serde_json::to_string(&recorded["header"]).unwrap();
    assert!(
        header.len() <= header_len,
        "header longer than transformers wrote it"
    );
    header.push_str(&" ".repeat(header_len - header.len()));
    // The data transformers wrote ends where the last tensor ends: the header is the whole file's layout.
    let data_end = recorded["header"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(name, _)| *name != "__metadata__")
        .map(|(_, t)| t["data_offsets"][1].as_u64().unwrap())
        .max()
        .unwrap();
    assert_eq!(8 + header_len as u64 + data_end, file_size);
    let path = dir.join("model.safetensors");
    let mut file = std::fs::File::create(&path).unwrap();
    file.write_all(&(header_len as u64).to_le_bytes()).unwrap();
    file.write_all(header.as_bytes()).unwrap();
    file.set_len(file_size).unwrap();
    drop(file);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), file_size);
    dir
}

fn expected(model: &RealModel) -> Value {
    read(
        &common::fixtures()
            .join("real-configs")
            .join(model.name)
            .join("expected.json"),
    )
}

/// What transformers reads from the files equals what tandem reads: generation settings and special tokens.
fn assert_reads_as_transformers(model: &RealModel, installed: &Path) {
    let want = expected(model);
    let g = &want["generation"];
    let settings = GenerationSettings::from_model_dir(installed, model.architecture).unwrap();
    assert_eq!(
        settings,
        GenerationSettings {
            num_beams: g["num_beams"].as_i64().unwrap(),
            max_length: g["max_length"].as_i64().unwrap(),
            min_length: g["min_length"].as_i64().unwrap(),
            no_repeat_ngram_size: g["no_repeat_ngram_size"].as_i64().unwrap(),
            length_penalty: g["length_penalty"].as_f64().unwrap(),
            early_stopping: g["early_stopping"].as_bool().unwrap(),
        },
        "{}: generation settings",
        model.name
    );
    let config = ModelConfig::from_dir(installed).unwrap();
    let c = &want["config"];
    assert_eq!(
        config.family,
        match model.architecture {
            Architecture::Marian => Family::Marian,
            Architecture::Bart => Family::Bart,
        }
    );
    let shapes = [
        (config.d_model, "d_model"),
        (config.encoder_layers, "encoder_layers"),
        (config.decoder_layers, "decoder_layers"),
        (config.encoder_heads, "encoder_attention_heads"),
        (config.decoder_heads, "decoder_attention_heads"),
        (config.encoder_ffn, "encoder_ffn_dim"),
        (config.decoder_ffn, "decoder_ffn_dim"),
        (config.vocab_size, "vocab_size"),
        (config.max_positions, "max_position_embeddings"),
    ];
    for (got, key) in shapes {
        assert_eq!(Some(got), c[key].as_i64(), "{}: {key}", model.name);
    }
    assert_eq!(
        Some(config.scale_embedding),
        c["scale_embedding"].as_bool(),
        "{}: scale_embedding",
        model.name
    );
    assert_eq!(Some(config.pad_id), g["pad_token_id"].as_i64());
    assert_eq!(Some(config.eos_id), g["eos_token_id"].as_i64());
    assert_eq!(
        Some(config.decoder_start_id),
        g["decoder_start_token_id"].as_i64()
    );
    assert_eq!(
        config.forced_bos_id,
        g["forced_bos_token_id"].as_i64(),
        "{}: forced_bos_token_id",
        model.name
    );
    assert_eq!(
        config.forced_eos_id,
        g["forced_eos_token_id"].as_i64(),
        "{}: forced_eos_token_id",
        model.name
    );
    assert_eq!(
        config.renormalize_logits,
        g["renormalize_logits"].as_bool().unwrap(),
        "{}: renormalize_logits",
        model.name
    );
    let bad: Vec<Vec<i64>> = g["bad_words_ids"]
        .as_array()
        .map(|seqs| {
            seqs.iter()
                .map(|s| {
                    s.as_array()
                        .unwrap()
                        .iter()
                        .map(|i| i.as_i64().unwrap())
                        .collect()
                })
                .collect()
        })
        .unwrap_or_default();
    // transformers bans Marian's pad token through bad_words_ids (the real configs list it); BART bans nothing.
    assert_eq!(config.bad_words, bad, "{}: bad_words_ids", model.name);
    // The pipeline's input prefix (distilbart-cnn: " "; none for opus-mt).
    let inputs =
        tandem::models::inputs::ModelInputs::load(model.role, installed, model.architecture)
            .unwrap();
    assert_eq!(
        inputs.prefix(),
        want["prefix"].as_str().unwrap_or(""),
        "{}: prefix",
        model.name
    );
    assert_eq!(
        inputs.max_input_tokens() as i64,
        c["max_position_embeddings"].as_i64().unwrap()
    );
}

#[test]
fn real_configs_import_check_and_read_as_transformers_does() {
    let tmp = tempfile::tempdir().unwrap();
    let models = tmp.path().join("models");
    for model in &MODELS {
        let hf = hf_folder(model, tmp.path());
        if model.name == "opus-mt-fr-en" {
            assert_eq!(
                std::fs::metadata(hf.join("model.safetensors"))
                    .unwrap()
                    .len(),
                298_705_768,
                "the Hub's opus-mt-fr-en model.safetensors size"
            );
        }
        let out = common::tandem(
            &[
                "models",
                "import",
                hf.to_str().unwrap(),
                "--role",
                model.role.name(),
            ],
            &models,
        );
        assert!(
            out.status.success(),
            "{}: import failed: {}",
            model.name,
            String::from_utf8_lossy(&out.stderr)
        );
        let installed = common::role_path(&models, model.role);
        tandem::models::check::check_model_dir(&installed, model.architecture).unwrap_or_else(
            |e| {
                panic!(
                    "{}: the model check refuses the real shapes: {e}",
                    model.name
                )
            },
        );
        assert_reads_as_transformers(model, &installed);
        // The weights are only read for the import; free the space before the next model.
        std::fs::remove_dir_all(&hf).unwrap();
    }
    let listing = common::tandem(&["models"], &models);
    let text = String::from_utf8_lossy(&listing.stdout);
    assert!(listing.status.success(), "{text}");
    for model in &MODELS {
        let line = text
            .lines()
            .find(|l| l.contains(model.role.name()))
            .unwrap_or_else(|| {
                panic!(
                    "`tandem models` does not list {}: {text}",
                    model.role.name()
                )
            });
        assert!(
            line.contains("installed")
                && !line.contains("incomplete")
                && !line.contains("not installed"),
            "{line}"
        );
    }
}

#[test]
fn the_recorded_expectations_are_the_real_files_settings() {
    // Guards the fixture itself: the expectations were computed from these very files, and they carry the
    // fields that matter (a degenerate fixture would make the test above trivially true).
    let fr_en = expected(&MODELS[0]);
    assert_eq!(fr_en["generation"]["num_beams"], 4);
    assert_eq!(fr_en["generation"]["max_length"], 512);
    assert_eq!(
        fr_en["generation"]["bad_words_ids"],
        serde_json::json!([[59513]])
    );
    assert_eq!(fr_en["generation"]["renormalize_logits"], true);
    let bart = expected(&MODELS[2]);
    assert_eq!(bart["pipeline_task"], "summarization");
    assert_eq!(bart["generation"]["min_length"], 56);
    assert_eq!(bart["generation"]["max_length"], 142);
    assert_eq!(bart["generation"]["no_repeat_ngram_size"], 3);
    assert_eq!(bart["generation"]["forced_bos_token_id"], 0);
    assert_eq!(bart["config"]["vocab_size"], 50264);
    assert_eq!(bart["prefix"], " ");
    let config = read(
        &common::fixtures()
            .join("real-configs")
            .join("distilbart-cnn-12-6")
            .join("config.json"),
    );
    assert_eq!(config["extra_pos_embeddings"], 2);
    assert_eq!(
        config["task_specific_params"]["summarization"]["num_beams"],
        4
    );
}
