//! Checks of an installed model folder, run for every role before any article is processed, so a broken model
//! stops the run at once with the file named, instead of after an hour of work on the earlier stages: truncated
//! or damaged weights; any tensor whose shape is not the one the config gives it (every tensor the engines read,
//! Marian and BART), or that no such model has; an untied output layer (`lm_head.weight`) or embedding copy that
//! differs from the shared embeddings the engines use in its place; tokenizer files that are missing, damaged,
//! belong to another model, or that the tokenizer ([`super::tokenizer::Tokenizer`]) cannot load.
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
    let header = read_safetensors_header(&weights)?;
    check_shapes(&config, architecture, &header.tensors).map_err(|e| {
        format!(
            "{} does not match {}: {e}; the config and the weights come from different models \
             (re-run `tandem models import` on one checkpoint folder)",
            config_path.display(),
            weights.display()
        )
    })?;
    check_known_tensors(&config, architecture, &header.tensors)
        .map_err(|e| format!("{}: {e}", weights.display()))?;
    check_tied_copies(&weights, &header).map_err(|e| format!("{}: {e}", weights.display()))?;
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
    // The tokenizer as the models' stages load it: a file that looks right at a glance can still fail here, and
    // would otherwise fail only when its stage comes, after the earlier stages' work.
    let tokenizer = super::tokenizer::Tokenizer::load(dir, architecture)?;
    // A damaged SentencePiece file can still load, as a model without pieces that turns every word into <unk>.
    let encoding = tokenizer.encode("the news of the day; les nouvelles du jour");
    let (bos, eos) = match architecture {
        Architecture::Marian => (None, config.eos_token_id.unwrap_or(0)),
        Architecture::Bart => (
            Some(config.bos_token_id.unwrap_or(0)),
            config.eos_token_id.unwrap_or(2),
        ),
    };
    let special = |id: &i64| *id == eos || Some(*id) == bos;
    let words: Vec<i64> = encoding
        .ids
        .iter()
        .filter(|id| !special(id))
        .copied()
        .collect();
    if words.is_empty() || words.iter().all(|&id| Some(id) == tokenizer.unk_id()) {
        let file = dir.join(tokenizer_files[0]);
        return Err(format!(
            "{}: the tokenizer turns every word into <unk>: the file is damaged; re-install the model",
            file.display()
        ));
    }
    Ok(())
}

/// Whether a tensor must be in the weights or may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    Required,
    Optional,
}

/// Copies of the shared embeddings some checkpoints store; the engines read `model.shared.weight` instead.
const TIED_COPIES: [&str; 3] = [
    "model.encoder.embed_tokens.weight",
    "model.decoder.embed_tokens.weight",
    "lm_head.weight",
];

/// Every tensor a Marian or BART model with this config has, with its shape: those the engines
/// (`engine::model`, rust-bert) read, and the tied copies they may find beside them.
fn expected_tensors(
    config: &BartConfig,
    architecture: Architecture,
) -> Vec<(String, Vec<i64>, Need)> {
    use Need::{Optional, Required};
    let d = config.d_model;
    let v = config.vocab_size;
    let position_rows = match architecture {
        // BART's learned positions start at offset 2; Marian's sinusoidal table has one row per position.
        Architecture::Bart => config.max_position_embeddings + 2,
        Architecture::Marian => config.max_position_embeddings,
    };
    let mut out = vec![("model.shared.weight".to_string(), vec![v, d], Required)];
    for copy in TIED_COPIES {
        out.push((copy.to_string(), vec![v, d], Optional));
    }
    out.push(("final_logits_bias".to_string(), vec![1, v], Optional));
    let linear = |out: &mut Vec<(String, Vec<i64>, Need)>, prefix: &str, rows: i64, cols: i64| {
        out.push((format!("{prefix}.weight"), vec![rows, cols], Required));
        out.push((format!("{prefix}.bias"), vec![rows], Required));
    };
    let norm = |out: &mut Vec<(String, Vec<i64>, Need)>, prefix: &str| {
        out.push((format!("{prefix}.weight"), vec![d], Required));
        out.push((format!("{prefix}.bias"), vec![d], Required));
    };
    let attention = |out: &mut Vec<(String, Vec<i64>, Need)>, prefix: &str| {
        for p in ["q", "k", "v", "out"] {
            linear(out, &format!("{prefix}.{p}_proj"), d, d);
        }
    };
    for part in ["encoder", "decoder"] {
        out.push((
            format!("model.{part}.embed_positions.weight"),
            vec![position_rows, d],
            Required,
        ));
        if architecture == Architecture::Bart {
            norm(&mut out, &format!("model.{part}.layernorm_embedding"));
        }
    }
    for i in 0..config.encoder_layers {
        let p = format!("model.encoder.layers.{i}");
        attention(&mut out, &format!("{p}.self_attn"));
        norm(&mut out, &format!("{p}.self_attn_layer_norm"));
        linear(&mut out, &format!("{p}.fc1"), config.encoder_ffn_dim, d);
        linear(&mut out, &format!("{p}.fc2"), d, config.encoder_ffn_dim);
        norm(&mut out, &format!("{p}.final_layer_norm"));
    }
    for i in 0..config.decoder_layers {
        let p = format!("model.decoder.layers.{i}");
        attention(&mut out, &format!("{p}.self_attn"));
        norm(&mut out, &format!("{p}.self_attn_layer_norm"));
        attention(&mut out, &format!("{p}.encoder_attn"));
        norm(&mut out, &format!("{p}.encoder_attn_layer_norm"));
        linear(&mut out, &format!("{p}.fc1"), config.decoder_ffn_dim, d);
        linear(&mut out, &format!("{p}.fc2"), d, config.decoder_ffn_dim);
        norm(&mut out, &format!("{p}.final_layer_norm"));
    }
    out
}

/// The floating-point dtypes the engines read weights in.
const FLOAT_DTYPES: [&str; 4] = ["F32", "F16", "BF16", "F64"];

/// The weights' shapes must be those the config describes, for every tensor the engines read.
fn check_shapes(
    config: &BartConfig,
    architecture: Architecture,
    tensors: &Tensors,
) -> Result<(), String> {
    for (part, want) in [
        ("encoder", config.encoder_layers),
        ("decoder", config.decoder_layers),
    ] {
        let prefix = format!("model.{part}.layers.");
        let layers = tensors
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
    for (what, heads) in [
        ("encoder_attention_heads", config.encoder_attention_heads),
        ("decoder_attention_heads", config.decoder_attention_heads),
    ] {
        if heads <= 0 || config.d_model % heads != 0 {
            return Err(format!(
                "d_model = {} is not a multiple of {what} = {heads}",
                config.d_model
            ));
        }
    }
    for (name, want, need) in expected_tensors(config, architecture) {
        match tensors.get(&name) {
            None if need == Need::Required => {
                return Err(format!("the weights have no tensor `{name}`"))
            }
            None => {}
            Some(got) if got.shape != want => {
                return Err(format!(
                    "`{name}` is {:?}, the config implies {want:?}",
                    got.shape
                ))
            }
            Some(got) if !FLOAT_DTYPES.contains(&got.dtype.as_str()) => {
                return Err(format!(
                    "`{name}` is stored as {}, not as floating-point numbers",
                    got.dtype
                ))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Every tensor in the weights must be one the model has: one the engines do not read (another architecture's
/// layer norm, say) would be silently left out of the computation.
fn check_known_tensors(
    config: &BartConfig,
    architecture: Architecture,
    tensors: &Tensors,
) -> Result<(), String> {
    let known: std::collections::HashSet<String> = expected_tensors(config, architecture)
        .into_iter()
        .map(|(name, _, _)| name)
        .collect();
    let kind = match architecture {
        Architecture::Marian => "Marian",
        Architecture::Bart => "BART",
    };
    match tensors.iter().find(|(name, _)| !known.contains(name.as_str())) {
        Some((name, t)) => Err(format!(
            "tensor `{name}` ({:?}) is not part of a {kind} model, so tandem's engines would leave it out and \
             give wrong output; import a {kind} checkpoint",
            t.shape
        )),
        None => Ok(()),
    }
}

/// A stored copy of the shared embeddings (`lm_head.weight`, `model.*.embed_tokens.weight`) must hold the same
/// numbers: the engines tie the output layer and the token embeddings to `model.shared.weight` and never read the
/// copies, so a checkpoint whose copy differs (an untied output layer) would give wrong output.
fn check_tied_copies(path: &Path, header: &SafetensorsHeader) -> Result<(), String> {
    let Some(shared) = header.tensors.get("model.shared.weight") else {
        return Ok(());
    };
    for name in TIED_COPIES {
        let Some(copy) = header.tensors.get(name) else {
            continue;
        };
        if !same_bytes(path, header.data_start, shared, copy)? {
            return Err(format!(
                "`{name}` differs from `model.shared.weight`: tandem's engines tie it to the shared embeddings \
                 and never read it, so this model's output would be wrong; use a checkpoint whose `{name}` is \
                 tied to the shared embeddings (transformers' `tie_word_embeddings`)"
            ));
        }
    }
    Ok(())
}

/// Whether two tensors of the file hold the same bytes (and dtype); read a MiB at a time.
fn same_bytes(
    path: &Path,
    data_start: u64,
    a: &TensorInfo,
    b: &TensorInfo,
) -> Result<bool, String> {
    use std::io::{Seek, SeekFrom};
    if a.dtype != b.dtype || a.end - a.begin != b.end - b.begin {
        return Ok(false);
    }
    if a.begin == b.begin {
        return Ok(true);
    }
    let shown = path.display();
    let open_at = |offset: u64| -> Result<std::fs::File, String> {
        let mut f = std::fs::File::open(path).map_err(|e| format!("{shown}: {e}"))?;
        f.seek(SeekFrom::Start(data_start + offset))
            .map_err(|e| format!("{shown}: {e}"))?;
        Ok(f)
    };
    let (mut fa, mut fb) = (open_at(a.begin)?, open_at(b.begin)?);
    let mut left = a.end - a.begin;
    let (mut ba, mut bb) = (vec![0u8; 1 << 20], vec![0u8; 1 << 20]);
    while left > 0 {
        let n = left.min(ba.len() as u64) as usize;
        fa.read_exact(&mut ba[..n])
            .and_then(|()| fb.read_exact(&mut bb[..n]))
            .map_err(|e| format!("{shown}: {e}"))?;
        if ba[..n] != bb[..n] {
            return Ok(false);
        }
        left -= n as u64;
    }
    Ok(true)
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

/// One tensor of a safetensors file: its dtype, shape and byte range in the data (after the header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorInfo {
    pub dtype: String,
    pub shape: Vec<i64>,
    pub begin: u64,
    pub end: u64,
}

/// Tensor name → what the header says of it.
pub type Tensors = BTreeMap<String, TensorInfo>;

/// The header of a safetensors file whose size matches it.
#[derive(Debug, Clone)]
pub struct SafetensorsHeader {
    pub tensors: Tensors,
    /// Where the data starts in the file (8 + the header's length).
    pub data_start: u64,
}

/// A safetensors file is an 8-byte little-endian header length, a JSON header giving each tensor's byte range,
/// and the data. The file must be exactly as long as the header says. Returns each tensor's shape.
pub fn check_safetensors(path: &Path) -> Result<Shapes, String> {
    Ok(read_safetensors_header(path)?
        .tensors
        .into_iter()
        .map(|(name, t)| (name, t.shape))
        .collect())
}

/// Reads a safetensors file's header and checks the file's size against it (see [`check_safetensors`]).
pub fn read_safetensors_header(path: &Path) -> Result<SafetensorsHeader, String> {
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
    let mut tensors = Tensors::new();
    for (name, v) in header.as_object().into_iter().flatten() {
        if name == "__metadata__" {
            continue;
        }
        let offsets = v
            .get("data_offsets")
            .and_then(Value::as_array)
            .filter(|o| o.len() == 2)
            .and_then(|o| Some((o[0].as_u64()?, o[1].as_u64()?)))
            .filter(|(b, e)| b <= e);
        let shape = v
            .get("shape")
            .and_then(Value::as_array)
            .map(|s| s.iter().filter_map(Value::as_i64).collect::<Vec<i64>>());
        let dtype = v.get("dtype").and_then(Value::as_str);
        let (Some((begin, end)), Some(shape), Some(dtype)) = (offsets, shape, dtype) else {
            return Err(format!(
                "{shown}: damaged safetensors header (tensor `{name}` has no dtype, shape or byte range); \
                 re-install the model"
            ));
        };
        tensors.insert(
            name.clone(),
            TensorInfo {
                dtype: dtype.to_string(),
                shape,
                begin,
                end,
            },
        );
    }
    let data_end = tensors.values().map(|t| t.end).max().unwrap_or(0);
    let expected = 8 + header_len + data_end;
    if size != expected {
        return Err(format!(
            "{shown}: truncated or damaged ({size} bytes, the header describes {expected}); re-install the model"
        ));
    }
    Ok(SafetensorsHeader {
        tensors,
        data_start: 8 + header_len,
    })
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
