//! Cheap checks of an installed model folder, run for every role before any article is processed, so a broken
//! model stops the run at once with the file named, instead of after an hour of work on the earlier stages:
//! truncated or damaged weights, a config that does not match the weights' shapes, missing tokenizer files, or
//! tokenizer files that belong to another model.
use super::manifest::Architecture;
use rust_bert::bart::BartConfig;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// Tensor name → shape, from a safetensors header.
pub type Shapes = BTreeMap<String, Vec<i64>>;

/// Checks the files of a model folder; the error names the file and what is wrong with it.
pub fn check_model_dir(dir: &Path, architecture: Architecture) -> Result<(), String> {
    let config_path = dir.join("config.json");
    let text = std::fs::read_to_string(&config_path)
        .map_err(|e| format!("{}: {e}", config_path.display()))?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not valid JSON ({e})", config_path.display()))?;
    let config = serde_json::from_value::<BartConfig>(value)
        .map_err(|e| format!("{}: not a BART/Marian config ({e})", config_path.display()))?;
    let weights = dir.join("model.safetensors");
    let shapes = check_safetensors(&weights)?;
    check_shapes(&config, architecture, &shapes).map_err(|e| {
        format!(
            "{} does not match {}: {e}; the config and the weights come from different models \
             (re-run `tandem models import` on one checkpoint folder)",
            config_path.display(),
            weights.display()
        )
    })?;
    let vocab = dir.join("vocab.json");
    let vocab_text =
        std::fs::read_to_string(&vocab).map_err(|e| format!("{}: {e}", vocab.display()))?;
    let vocab_map = serde_json::from_str::<Map<String, Value>>(&vocab_text)
        .map_err(|e| format!("{}: not a JSON vocabulary ({e})", vocab.display()))?;
    check_vocabulary(&config, architecture, &vocab_map).map_err(|e| {
        format!(
            "{}: {e}: the tokenizer files belong to another model (re-run `tandem models import`)",
            vocab.display()
        )
    })?;
    let tokenizer_files: &[&str] = match architecture {
        Architecture::Marian => &["source.spm"],
        Architecture::Bart => &["merges.txt"],
    };
    for name in tokenizer_files {
        let path = dir.join(name);
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let ok = match architecture {
            // A SentencePiece model is a protobuf whose first field (the pieces) is length-delimited: tag 0x0a.
            Architecture::Marian => bytes.first() == Some(&0x0a),
            // BPE merges: optional `#version` line, then pairs of symbols.
            Architecture::Bart => std::str::from_utf8(&bytes).is_ok_and(|t| {
                let mut lines = t
                    .lines()
                    .filter(|l| !l.starts_with("#version"))
                    .take(50)
                    .peekable();
                lines.peek().is_some() && lines.all(|l| l.split(' ').count() == 2)
            }),
        };
        if !ok {
            return Err(format!(
                "{}: not a {} file (empty or damaged); re-install the model",
                path.display(),
                match architecture {
                    Architecture::Marian => "SentencePiece model",
                    Architecture::Bart => "BPE merges",
                }
            ));
        }
    }
    Ok(())
}

/// The weights' shapes must be those the config describes.
fn check_shapes(
    config: &BartConfig,
    architecture: Architecture,
    shapes: &Shapes,
) -> Result<(), String> {
    let d = config.d_model;
    let position_rows = match architecture {
        // BART's learned positions start at offset 2; Marian's sinusoidal table has one row per position.
        Architecture::Bart => config.max_position_embeddings + 2,
        Architecture::Marian => config.max_position_embeddings,
    };
    let expected: Vec<(&str, Vec<i64>)> = vec![
        ("model.shared.weight", vec![config.vocab_size, d]),
        (
            "model.encoder.embed_positions.weight",
            vec![position_rows, d],
        ),
        (
            "model.decoder.embed_positions.weight",
            vec![position_rows, d],
        ),
        (
            "model.encoder.layers.0.fc1.weight",
            vec![config.encoder_ffn_dim, d],
        ),
        (
            "model.decoder.layers.0.fc1.weight",
            vec![config.decoder_ffn_dim, d],
        ),
    ];
    for (name, want) in expected {
        match shapes.get(name) {
            None => return Err(format!("the weights have no tensor `{name}`")),
            Some(got) if *got != want => {
                return Err(format!("`{name}` is {got:?}, the config implies {want:?}"))
            }
            Some(_) => {}
        }
    }
    for (part, want) in [
        ("encoder", config.encoder_layers),
        ("decoder", config.decoder_layers),
    ] {
        let prefix = format!("model.{part}.layers.");
        let layers = shapes
            .keys()
            .filter_map(|k| {
                k.strip_prefix(&prefix)?
                    .split('.')
                    .next()?
                    .parse::<i64>()
                    .ok()
            })
            .max()
            .map_or(0, |m| m + 1);
        if layers != want {
            return Err(format!(
                "the weights have {layers} {part} layers, the config says {part}_layers = {want}"
            ));
        }
    }
    Ok(())
}

/// Every token the tokenizer can produce from text must have a row in the embedding (`vocab_size`). The one
/// exception is BART's `<mask>`: the published distilbart-cnn-12-6 and bart-large-cnn have 50,265 entries
/// (`<mask>` = 50264) for a `vocab_size` of 50,264, as transformers loads them; summarization never uses it.
pub fn vocabulary_fits(vocab: &Map<String, Value>, vocab_size: i64) -> Result<(), String> {
    let beyond: Vec<&str> = vocab
        .iter()
        .filter(|(_, id)| id.as_i64().is_none_or(|id| id >= vocab_size || id < 0))
        .map(|(token, _)| token.as_str())
        .collect();
    if beyond.is_empty() || beyond == ["<mask>"] {
        return Ok(());
    }
    let shown: Vec<&str> = beyond.iter().take(3).copied().collect();
    Err(format!(
        "{} entries, {} of them ({}{}) outside config.json's vocab_size {vocab_size}",
        vocab.len(),
        beyond.len(),
        shown.join(", "),
        if beyond.len() > 3 { ", …" } else { "" }
    ))
}

/// The vocabulary must fit the embedding and put the special tokens where the config says they are.
fn check_vocabulary(
    config: &BartConfig,
    architecture: Architecture,
    vocab: &Map<String, Value>,
) -> Result<(), String> {
    vocabulary_fits(vocab, config.vocab_size)?;
    let by_id: BTreeMap<i64, &str> = vocab
        .iter()
        .filter_map(|(token, id)| Some((id.as_i64()?, token.as_str())))
        .collect();
    let (pad_default, eos_default) = match architecture {
        Architecture::Marian => (config.vocab_size - 1, 0),
        Architecture::Bart => (1, 2),
    };
    for (what, id, token) in [
        (
            "padding",
            config.pad_token_id.unwrap_or(pad_default),
            "<pad>",
        ),
        (
            "end-of-sequence",
            config.eos_token_id.unwrap_or(eos_default),
            "</s>",
        ),
    ] {
        match by_id.get(&id) {
            Some(t) if *t == token => {}
            found => {
                return Err(format!(
                "the config's {what} token id {id} is {} in this vocabulary, expected `{token}`",
                found.map_or("missing".to_string(), |t| format!("`{t}`"))
            ))
            }
        }
    }
    Ok(())
}

/// A safetensors file is an 8-byte little-endian header length, a JSON header giving each tensor's byte range,
/// and the data. The file must be exactly as long as the header says. Returns each tensor's shape.
pub fn check_safetensors(path: &Path) -> Result<Shapes, String> {
    let shown = path.display();
    let mut file = std::fs::File::open(path).map_err(|e| format!("{shown}: {e}"))?;
    let size = file.metadata().map_err(|e| format!("{shown}: {e}"))?.len();
    let mut len_bytes = [0u8; 8];
    file.read_exact(&mut len_bytes)
        .map_err(|_| format!("{shown}: truncated (shorter than a safetensors header)"))?;
    let header_len = u64::from_le_bytes(len_bytes);
    if header_len > 100_000_000 || 8 + header_len > size {
        return Err(format!(
            "{shown}: truncated or not a safetensors file (bad header length)"
        ));
    }
    let mut header = vec![0u8; header_len as usize];
    file.read_exact(&mut header)
        .map_err(|e| format!("{shown}: {e}"))?;
    let header: Value = serde_json::from_slice(&header)
        .map_err(|e| format!("{shown}: unreadable safetensors header ({e})"))?;
    let data_end = header
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(k, _)| k.as_str() != "__metadata__")
                .filter_map(|(_, v)| v.get("data_offsets")?.get(1)?.as_u64())
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(0);
    let expected = 8 + header_len + data_end;
    if size != expected {
        return Err(format!(
            "{shown}: truncated or damaged ({size} bytes, the header describes {expected}); re-install the model"
        ));
    }
    let shapes = header
        .as_object()
        .map(|o| {
            o.iter()
                .filter_map(|(name, v)| {
                    let shape = v.get("shape")?.as_array()?;
                    Some((
                        name.clone(),
                        shape.iter().filter_map(Value::as_i64).collect(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(shapes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_safetensors_is_reported_with_sizes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.safetensors");
        let t = tch::Tensor::from_slice(&[1f32, 2.0, 3.0, 4.0]);
        tch::Tensor::write_safetensors(&[("w", &t)], &path).unwrap();
        assert_eq!(check_safetensors(&path).unwrap()["w"], vec![4]);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 4]).unwrap();
        let e = check_safetensors(&path).unwrap_err();
        assert!(e.contains("truncated or damaged"), "{e}");
        std::fs::write(&path, b"abc").unwrap();
        assert!(check_safetensors(&path).unwrap_err().contains("truncated"));
    }
}
