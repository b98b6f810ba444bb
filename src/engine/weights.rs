//! Reads `model.safetensors` tensor by tensor, straight from the file into tensors that the model keeps.
//!
//! `Tensor::read_safetensors` holds the whole file in memory while it builds the tensors (peak ≈ 2× the
//! weights). Here the header is parsed and each tensor's bytes are read into a buffer of its own size and turned
//! into a tensor, so the peak is the weights plus the largest single tensor. Half-precision checkpoints are
//! widened to f32. Every failure (missing tensor, wrong shape, truncated file) is an error naming the file.
use crate::{Error, Result};
use serde_json::Value;
use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use tch::{Kind, Tensor};

/// The tensors of one checkpoint, by name; the model takes each one it needs.
pub struct Weights {
    path: PathBuf,
    tensors: HashMap<String, Tensor>,
}

struct Entry {
    name: String,
    kind: Kind,
    shape: Vec<i64>,
    begin: u64,
    end: u64,
}

fn kind_of(dtype: &str) -> Option<Kind> {
    Some(match dtype {
        "F32" => Kind::Float,
        "F16" => Kind::Half,
        "BF16" => Kind::BFloat16,
        "F64" => Kind::Double,
        "I64" => Kind::Int64,
        "I32" => Kind::Int,
        "I8" => Kind::Int8,
        "U8" => Kind::Uint8,
        "BOOL" => Kind::Bool,
        _ => return None,
    })
}

impl Weights {
    /// Reads every tensor of the safetensors file at `path`. Floating-point tensors come back as f32.
    pub fn load(path: &Path) -> Result<Weights> {
        let bad = |reason: String| Error::ModelInvalid {
            role: "weights".into(),
            dir: path.to_path_buf(),
            reason,
        };
        let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let file_len = file.metadata().map_err(|e| Error::io(path, e))?.len();
        let mut len_bytes = [0u8; 8];
        file.read_exact(&mut len_bytes)
            .map_err(|e| bad(format!("not a safetensors file: {e}")))?;
        let header_len = u64::from_le_bytes(len_bytes);
        if header_len > file_len.saturating_sub(8) || header_len > (100 << 20) {
            return Err(bad(format!(
                "not a safetensors file: header of {header_len} bytes in a file of {file_len}"
            )));
        }
        let mut header = vec![0u8; header_len as usize];
        file.read_exact(&mut header)
            .map_err(|e| bad(format!("truncated safetensors header: {e}")))?;
        let header: Value = serde_json::from_slice(&header)
            .map_err(|e| bad(format!("safetensors header is not JSON: {e}")))?;
        let map = header
            .as_object()
            .ok_or_else(|| bad("safetensors header is not a JSON object".into()))?;
        let data_start = 8 + header_len;
        let mut entries = Vec::with_capacity(map.len());
        for (name, info) in map {
            if name == "__metadata__" {
                continue;
            }
            let dtype = info.get("dtype").and_then(Value::as_str).unwrap_or("");
            let kind = kind_of(dtype)
                .ok_or_else(|| bad(format!("tensor `{name}` has unsupported dtype `{dtype}`")))?;
            let shape: Option<Vec<i64>> = info
                .get("shape")
                .and_then(Value::as_array)
                .map(|dims| dims.iter().filter_map(Value::as_i64).collect());
            let offsets: Option<Vec<u64>> = info
                .get("data_offsets")
                .and_then(Value::as_array)
                .map(|o| o.iter().filter_map(Value::as_u64).collect());
            let (Some(shape), Some(offsets)) = (shape, offsets) else {
                return Err(bad(format!("tensor `{name}`: no shape or data_offsets")));
            };
            if offsets.len() != 2 || offsets[0] > offsets[1] {
                return Err(bad(format!(
                    "tensor `{name}`: bad data_offsets {offsets:?}"
                )));
            }
            let numel: i64 = shape.iter().product();
            let expected = numel as u64 * kind.elt_size_in_bytes() as u64;
            if shape.iter().any(|&d| d < 0) || expected != offsets[1] - offsets[0] {
                return Err(bad(format!(
                    "tensor `{name}`: shape {shape:?} does not match its {} bytes",
                    offsets[1] - offsets[0]
                )));
            }
            if data_start + offsets[1] > file_len {
                return Err(bad(format!(
                    "tensor `{name}` lies past the end of the file (truncated download?)"
                )));
            }
            entries.push(Entry {
                name: name.clone(),
                kind,
                shape,
                begin: offsets[0],
                end: offsets[1],
            });
        }
        entries.sort_by_key(|e| e.begin);
        let mut tensors = HashMap::with_capacity(entries.len());
        let mut buf = Vec::new();
        for e in entries {
            buf.resize((e.end - e.begin) as usize, 0u8);
            file.seek(SeekFrom::Start(data_start + e.begin))
                .map_err(|err| Error::io(path, err))?;
            file.read_exact(&mut buf)
                .map_err(|err| bad(format!("reading tensor `{}`: {err}", e.name)))?;
            let t = Tensor::f_from_data_size(&buf, &e.shape, e.kind)
                .map_err(|err| bad(format!("tensor `{}`: {err}", e.name)))?;
            let t = match e.kind {
                Kind::Half | Kind::BFloat16 | Kind::Double => t.to_kind(Kind::Float),
                _ => t,
            };
            tensors.insert(e.name, t);
        }
        Ok(Weights {
            path: path.to_path_buf(),
            tensors,
        })
    }

    fn bad(&self, reason: String) -> Error {
        Error::ModelInvalid {
            role: "weights".into(),
            dir: self.path.clone(),
            reason,
        }
    }

    /// Whether a tensor of that name is present (and not yet taken).
    pub fn has(&self, name: &str) -> bool {
        self.tensors.contains_key(name)
    }

    /// Removes and returns the tensor `name`, checking its shape.
    pub fn take(&mut self, name: &str, shape: &[i64]) -> Result<Tensor> {
        let t = self
            .tensors
            .remove(name)
            .ok_or_else(|| self.bad(format!("tensor `{name}` is missing")))?;
        if t.size() != shape {
            return Err(self.bad(format!(
                "tensor `{name}` has shape {:?}, the config implies {shape:?}",
                t.size()
            )));
        }
        Ok(t)
    }

    /// Removes and returns the tensor `name` if present, checking its shape.
    pub fn take_opt(&mut self, name: &str, shape: &[i64]) -> Result<Option<Tensor>> {
        if self.has(name) {
            self.take(name, shape).map(Some)
        } else {
            Ok(None)
        }
    }

    /// The file the weights came from.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
