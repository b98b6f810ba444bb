//! `tandem models import`: converts a Hugging Face checkpoint folder (what `save_pretrained` writes, or a Hub
//! snapshot) into the folder tandem loads.
//!
//! - config.json is checked and given the flags rust-bert needs to read a Marian config through its BART config
//!   type (`scale_embedding`, `normalize_embedding = false`, `static_position_embeddings = true`); a wrong flag that
//!   happened to load would silently give wrong output, so the flags are set here, once, and proven by parity tests.
//! - Weights are read from `model.safetensors` (or `pytorch_model.bin`) and written as `model.safetensors`.
//!   Marian checkpoints do not store their sinusoidal position tables; they are computed exactly as `transformers`
//!   computes them and added. BART's `final_logits_bias` must be zero (rust-bert's BART has no such term).
//! - Tokenizer files are copied, and the tokenizer tandem runs is written beside them in Hugging Face tokenizers'
//!   format ([`super::tokenizer`]): Marian's `source.tokenizer.json` (source.spm converted), BART's
//!   `tokenizer.json` when the checkpoint has none (built from vocab.json + merges.txt). A folder imported before
//!   those files existed still loads: the same conversion then runs in memory. Everything is written to a
//!   temporary folder first, loaded once as the engines will load it, and renamed into place.
use super::manifest::Architecture;
use crate::{Error, Result};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use tch::{Kind, Tensor};

/// What an import wrote.
#[derive(Debug, Clone)]
pub struct Imported {
    pub dir: PathBuf,
    pub architecture: Architecture,
    pub tensors: usize,
    pub added_tensors: Vec<String>,
}

fn err(dir: &Path, reason: impl Into<String>) -> Error {
    Error::Import {
        dir: dir.to_path_buf(),
        reason: reason.into(),
    }
}

/// Imports the Hugging Face checkpoint in `hf_dir` as a model of `architecture` into `out_dir`
/// (replacing what was there only once the new folder is complete).
/// `source` names where the checkpoint came from (e.g. `Helsinki-NLP/opus-mt-fr-en@main`); it defaults to the
/// folder's name and is recorded, with a SHA-256 of the weights, in `tandem-import.json`.
pub fn import_hf(
    hf_dir: &Path,
    architecture: Architecture,
    out_dir: &Path,
    source: Option<&str>,
) -> Result<Imported> {
    let config_path = hf_dir.join("config.json");
    let config_text = std::fs::read_to_string(&config_path).map_err(|e| {
        err(
            hf_dir,
            format!("cannot read config.json ({e}); is this a Hugging Face model folder?"),
        )
    })?;
    let mut config: Value = serde_json::from_str(&config_text)
        .map_err(|e| err(hf_dir, format!("config.json is not valid JSON: {e}")))?;
    let model_type = config
        .get("model_type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let expected = match architecture {
        Architecture::Marian => "marian",
        Architecture::Bart => "bart",
    };
    if model_type != expected {
        return Err(err(
            hf_dir,
            format!("config.json says model_type `{model_type}`, this role needs `{expected}`"),
        ));
    }
    if let Ok(text) = std::fs::read_to_string(hf_dir.join("generation_config.json")) {
        let generation: Value = serde_json::from_str(&text).map_err(|e| {
            err(
                hf_dir,
                format!("generation_config.json is not valid JSON: {e}"),
            )
        })?;
        merge_special_tokens(&mut config, &generation);
    }
    patch_config(&mut config, architecture).map_err(|e| err(hf_dir, e))?;
    let d_model = int_field(&config, "d_model").map_err(|e| err(hf_dir, e))?;
    let max_positions =
        int_field(&config, "max_position_embeddings").map_err(|e| err(hf_dir, e))?;

    let (weights_path, mut tensors) = read_weights(hf_dir)?;
    let mut added = Vec::new();
    match architecture {
        Architecture::Marian => {
            let table = sinusoidal_positions(max_positions, d_model);
            for name in [
                "model.encoder.embed_positions.weight",
                "model.decoder.embed_positions.weight",
            ] {
                if !tensors.iter().any(|(n, _)| n == name) {
                    tensors.push((name.to_string(), table.shallow_clone()));
                    added.push(name.to_string());
                }
            }
        }
        Architecture::Bart => {
            if let Some((_, bias)) = tensors.iter().find(|(n, _)| n == "final_logits_bias") {
                let max = bias.abs().max().double_value(&[]);
                if max != 0.0 {
                    return Err(err(
                        hf_dir,
                        format!(
                            "final_logits_bias is not zero (max |b| = {max}); rust-bert's BART has no such \
                             term, so this checkpoint would give wrong output"
                        ),
                    ));
                }
            }
        }
    }
    if !tensors.iter().any(|(n, _)| n == "model.shared.weight") {
        return Err(err(
            hf_dir,
            format!(
                "{} has no `model.shared.weight` (the shared token embeddings)",
                weights_path.display()
            ),
        ));
    }

    let tokenizer_files: &[(&str, bool)] = match architecture {
        Architecture::Marian => &[
            ("source.spm", true),
            ("vocab.json", true),
            ("target.spm", false),
            ("tokenizer_config.json", false),
        ],
        Architecture::Bart => &[
            ("vocab.json", true),
            ("merges.txt", true),
            ("tokenizer.json", false),
            ("tokenizer_config.json", false),
        ],
    };
    for (file, required) in tokenizer_files {
        if *required && !hf_dir.join(file).is_file() {
            return Err(err(hf_dir, format!("tokenizer file `{file}` is missing")));
        }
    }

    // Build the new folder beside the destination, then swap it in.
    let parent = out_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let staging = tempfile::Builder::new()
        .prefix(".tandem-import-")
        .tempdir_in(parent)
        .map_err(|e| Error::io(parent, e))?;
    let st = staging.path();
    for (file, _) in tokenizer_files {
        let src = hf_dir.join(file);
        if src.is_file() {
            std::fs::copy(&src, st.join(file)).map_err(|e| Error::io(&src, e))?;
        }
    }
    let converted = super::tokenizer::converted_files(hf_dir, architecture)
        .map_err(|e| err(hf_dir, format!("converting the tokenizer: {e}")))?;
    for (file, json) in converted {
        std::fs::write(st.join(file), json + "\n").map_err(|e| Error::io(st.join(file), e))?;
    }
    super::tokenizer::Tokenizer::load(st, architecture)
        .map_err(|e| err(hf_dir, format!("the tokenizer does not load: {e}")))?;
    let gen_config = hf_dir.join("generation_config.json");
    if gen_config.is_file() {
        std::fs::copy(&gen_config, st.join("generation_config.json"))
            .map_err(|e| Error::io(&gen_config, e))?;
    }
    let contiguous: Vec<(String, Tensor)> = tensors
        .into_iter()
        .map(|(n, t)| (n, t.contiguous()))
        .collect();
    Tensor::write_safetensors(&contiguous, st.join("model.safetensors"))
        .map_err(|e| err(hf_dir, format!("writing model.safetensors: {e}")))?;
    let config_out = serde_json::to_string_pretty(&config).map_err(|e| Error::Json {
        context: "config.json".into(),
        source: e,
    })?;
    std::fs::write(st.join("config.json"), config_out + "\n")
        .map_err(|e| Error::io(st.join("config.json"), e))?;
    let sha256 = super::sha256_file(&st.join("model.safetensors"))?;
    let source = source.map(str::to_string).unwrap_or_else(|| {
        hf_dir
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|f| f.to_string_lossy().to_string()))
            .unwrap_or_else(|| hf_dir.display().to_string())
    });
    let record = json!({
        "source": source,
        "weights_sha256": sha256,
        "weights": weights_path.file_name().map(|f| f.to_string_lossy().to_string()),
        "added_tensors": added,
    });
    std::fs::write(
        st.join("tandem-import.json"),
        serde_json::to_string_pretty(&record).unwrap_or_default() + "\n",
    )
    .map_err(|e| Error::io(st.join("tandem-import.json"), e))?;

    let staged = staging.keep();
    if out_dir.exists() {
        std::fs::remove_dir_all(out_dir).map_err(|e| Error::io(out_dir, e))?;
    }
    std::fs::rename(&staged, out_dir).map_err(|e| Error::io(out_dir, e))?;
    Ok(Imported {
        dir: out_dir.to_path_buf(),
        architecture,
        tensors: contiguous.len(),
        added_tensors: added,
    })
}

fn int_field(config: &Value, key: &str) -> std::result::Result<i64, String> {
    config
        .get(key)
        .and_then(Value::as_i64)
        .ok_or_else(|| format!("config.json has no integer `{key}`"))
}

/// Recent `transformers` keeps the special-token settings of generation (forced BOS/EOS, decoder start) in
/// generation_config.json only; rust-bert reads them from config.json, so they are copied where config.json
/// lacks them.
fn merge_special_tokens(config: &mut Value, generation: &Value) {
    let Some(obj) = config.as_object_mut() else {
        return;
    };
    for key in [
        "bos_token_id",
        "eos_token_id",
        "pad_token_id",
        "decoder_start_token_id",
        "forced_bos_token_id",
        "forced_eos_token_id",
    ] {
        let missing = obj.get(key).is_none_or(Value::is_null);
        if let Some(v) = generation.get(key).filter(|v| !v.is_null()) {
            if missing {
                obj.insert(key.to_string(), v.clone());
            }
        }
    }
}

/// Sets the flags rust-bert reads, and checks the ones it cannot honour.
fn patch_config(config: &mut Value, architecture: Architecture) -> std::result::Result<(), String> {
    let obj = config
        .as_object_mut()
        .ok_or("config.json is not a JSON object")?;
    if !obj.contains_key("num_hidden_layers") {
        let layers = obj.get("encoder_layers").cloned().unwrap_or(json!(0));
        obj.insert("num_hidden_layers".into(), layers);
    }
    if architecture == Architecture::Marian {
        let vocab = obj.get("vocab_size").and_then(Value::as_i64);
        let decoder_vocab = obj.get("decoder_vocab_size").and_then(Value::as_i64);
        if decoder_vocab.is_some() && decoder_vocab != vocab {
            return Err(format!(
                "decoder_vocab_size {decoder_vocab:?} differs from vocab_size {vocab:?}: separate target \
                 vocabularies are not supported"
            ));
        }
        if obj.get("share_encoder_decoder_embeddings") == Some(&json!(false)) {
            return Err("share_encoder_decoder_embeddings = false is not supported".into());
        }
        // transformers' Marian always scales embeddings by sqrt(d_model) when scale_embedding is true (the
        // opus-mt checkpoints say so); it has no embedding layer norm and uses fixed sinusoidal positions.
        let scale = obj
            .get("scale_embedding")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        obj.insert("scale_embedding".into(), json!(scale));
        obj.insert("normalize_embedding".into(), json!(false));
        obj.insert("static_position_embeddings".into(), json!(true));
    } else {
        obj.insert("static_position_embeddings".into(), json!(false));
        if obj.get("normalize_before") == Some(&json!(true)) {
            return Err("normalize_before = true (mBART-style) is not supported for BART".into());
        }
    }
    let parsed: std::result::Result<rust_bert::bart::BartConfig, _> =
        serde_json::from_value(Value::Object(obj.clone()));
    parsed.map_err(|e| format!("config.json cannot be read as a BART/Marian config: {e}"))?;
    Ok(())
}

fn read_weights(hf_dir: &Path) -> Result<(PathBuf, Vec<(String, Tensor)>)> {
    let safetensors = hf_dir.join("model.safetensors");
    if safetensors.is_file() {
        let tensors = Tensor::read_safetensors(&safetensors)
            .map_err(|e| err(hf_dir, format!("reading model.safetensors: {e}")))?;
        return Ok((safetensors, tensors));
    }
    let bin = hf_dir.join("pytorch_model.bin");
    if bin.is_file() {
        let tensors = Tensor::loadz_multi(&bin)
            .map_err(|e| err(hf_dir, format!("reading pytorch_model.bin: {e}")))?;
        return Ok((bin, tensors));
    }
    Err(err(
        hf_dir,
        "no weights: expected model.safetensors or pytorch_model.bin",
    ))
}

/// The sinusoidal position table of `transformers`' `MarianSinusoidalPositionalEmbedding`: for position `p` and
/// column `j`, angle = p / 10000^(2⌊j/2⌋/dim); sines of the even columns fill the first half, cosines of the odd
/// columns the second half. Computed in f64 and stored as f32, as transformers does.
pub fn sinusoidal_positions(n_positions: i64, dim: i64) -> Tensor {
    let sentinel = if dim % 2 == 0 { dim / 2 } else { dim / 2 + 1 };
    let mut data = vec![0f32; (n_positions * dim) as usize];
    for pos in 0..n_positions {
        let row = &mut data[(pos * dim) as usize..((pos + 1) * dim) as usize];
        for j in 0..dim {
            let angle = pos as f64 / 10000f64.powf((2 * (j / 2)) as f64 / dim as f64);
            if j % 2 == 0 {
                row[(j / 2) as usize] = angle.sin() as f32;
            } else {
                row[(sentinel + j / 2) as usize] = angle.cos() as f32;
            }
        }
    }
    Tensor::from_slice(&data)
        .reshape([n_positions, dim])
        .to_kind(Kind::Float)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sinusoidal_table_matches_the_formula() {
        let t = sinusoidal_positions(8, 6);
        assert_eq!(t.size(), vec![8, 6]);
        // position 0: sin(0) = 0 in the first half, cos(0) = 1 in the second
        let row0: Vec<f32> = Vec::try_from(t.get(0)).unwrap();
        assert_eq!(row0, vec![0.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
        // position 3, column pair 1: angle = 3 / 10000^(2/6)
        let angle = 3.0f64 / 10000f64.powf(2.0 / 6.0);
        let row3: Vec<f32> = Vec::try_from(t.get(3)).unwrap();
        assert_eq!(row3[1], angle.sin() as f32);
        assert_eq!(row3[4], angle.cos() as f32);
    }

    #[test]
    fn a_folder_without_config_is_refused_with_a_hint() {
        let dir = tempfile::tempdir().unwrap();
        let e = import_hf(
            dir.path(),
            Architecture::Marian,
            &dir.path().join("out"),
            None,
        )
        .unwrap_err();
        assert!(e.to_string().contains("Hugging Face model folder"), "{e}");
    }
}
