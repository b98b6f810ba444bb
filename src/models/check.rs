//! Cheap checks of an installed model folder, run for every role before any article is processed, so a broken
//! model (truncated weights, unreadable config, missing tokenizer file) stops the run at once with the file named,
//! instead of after an hour of work on the earlier stages.
use super::manifest::Architecture;
use serde_json::Value;
use std::io::Read;
use std::path::Path;

/// Checks the files of a model folder; the error names the file and what is wrong with it.
pub fn check_model_dir(dir: &Path, architecture: Architecture) -> Result<(), String> {
    let config = dir.join("config.json");
    let text =
        std::fs::read_to_string(&config).map_err(|e| format!("{}: {e}", config.display()))?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not valid JSON ({e})", config.display()))?;
    serde_json::from_value::<rust_bert::bart::BartConfig>(value)
        .map_err(|e| format!("{}: not a BART/Marian config ({e})", config.display()))?;
    check_safetensors(&dir.join("model.safetensors"))?;
    let vocab = dir.join("vocab.json");
    let vocab_text =
        std::fs::read_to_string(&vocab).map_err(|e| format!("{}: {e}", vocab.display()))?;
    serde_json::from_str::<serde_json::Map<String, Value>>(&vocab_text)
        .map_err(|e| format!("{}: not a JSON vocabulary ({e})", vocab.display()))?;
    let tokenizer_model = match architecture {
        Architecture::Marian => dir.join("source.spm"),
        Architecture::Bart => dir.join("merges.txt"),
    };
    let meta = std::fs::metadata(&tokenizer_model)
        .map_err(|e| format!("{}: {e}", tokenizer_model.display()))?;
    if meta.len() == 0 {
        return Err(format!("{}: empty file", tokenizer_model.display()));
    }
    Ok(())
}

/// A safetensors file is an 8-byte little-endian header length, a JSON header giving each tensor's byte range,
/// and the data. The file must be exactly as long as the header says.
pub fn check_safetensors(path: &Path) -> Result<(), String> {
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
    Ok(())
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
        assert_eq!(check_safetensors(&path), Ok(()));
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 4]).unwrap();
        let e = check_safetensors(&path).unwrap_err();
        assert!(e.contains("truncated or damaged"), "{e}");
        std::fs::write(&path, b"abc").unwrap();
        assert!(check_safetensors(&path).unwrap_err().contains("truncated"));
    }
}
