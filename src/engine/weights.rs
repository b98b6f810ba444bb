//! Reads `model.safetensors` tensor by tensor, straight from the file into tensors that the model keeps.
//!
//! `Tensor::read_safetensors` holds the whole file in memory while it builds the tensors (peak ≈ 2× the
//! weights). Here only the header is read up front; each tensor is read from the file, when the model takes it,
//! straight into the tensor's own memory. The peak is what the model keeps plus one tensor in flight
//! (an int8 model never holds all its f32 weights at once). Half-precision checkpoints are widened to f32.
//! Every failure (missing tensor, wrong shape, truncated file) is an error naming the file.
use crate::{Error, Result};
use serde_json::Value;
use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use tch::{Kind, Tensor};

/// The tensors of one checkpoint, by name; the model takes each one it needs.
pub struct Weights {
    path: PathBuf,
    file: std::fs::File,
    data_start: u64,
    entries: HashMap<String, Entry>,
}

struct Entry {
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
    /// Opens the safetensors file at `path` and checks its header against the file's size; tensors are read
    /// when taken. Floating-point tensors come back as f32.
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
        let mut entries = HashMap::with_capacity(map.len());
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
            entries.insert(
                name.clone(),
                Entry {
                    kind,
                    shape,
                    begin: offsets[0],
                    end: offsets[1],
                },
            );
        }
        Ok(Weights {
            path: path.to_path_buf(),
            file,
            data_start,
            entries,
        })
    }

    fn read(&mut self, name: &str) -> Result<Tensor> {
        let e = self
            .entries
            .remove(name)
            .ok_or_else(|| self.bad(format!("tensor `{name}` is missing")))?;
        let path = self.path.clone();
        self.file
            .seek(SeekFrom::Start(self.data_start + e.begin))
            .map_err(|err| Error::io(&path, err))?;
        // Read straight into the tensor's memory: no second copy of the weights, not even of one tensor.
        let t = Tensor::f_empty(e.shape.as_slice(), (e.kind, tch::Device::Cpu))
            .map_err(|err| self.bad(format!("tensor `{name}`: {err}")))?;
        let n_bytes = (e.end - e.begin) as usize;
        if n_bytes > 0 {
            // SAFETY: `t` is a freshly allocated, contiguous CPU tensor of exactly `n_bytes` bytes (its shape and
            // kind were checked against the header's byte range), alive for the whole borrow, and any bit
            // pattern is a valid value of its numeric kind.
            let bytes = unsafe { std::slice::from_raw_parts_mut(t.data_ptr() as *mut u8, n_bytes) };
            if let Err(err) = self.file.read_exact(bytes) {
                return Err(self.bad(format!("reading tensor `{name}`: {err}")));
            }
        }
        Ok(match e.kind {
            Kind::Half | Kind::BFloat16 | Kind::Double => t.to_kind(Kind::Float),
            _ => t,
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
        self.entries.contains_key(name)
    }

    /// Removes and returns the tensor `name`, checking its shape.
    pub fn take(&mut self, name: &str, shape: &[i64]) -> Result<Tensor> {
        if let Some(e) = self.entries.get(name) {
            if e.shape != shape {
                return Err(self.bad(format!(
                    "tensor `{name}` has shape {:?}, the config implies {shape:?}",
                    e.shape
                )));
            }
        }
        self.read(name)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path) -> PathBuf {
        let path = dir.join("model.safetensors");
        let a = Tensor::arange(12, (Kind::Float, tch::Device::Cpu)).reshape([3, 4]);
        let b = Tensor::from_slice(&[1.5f32, -2.0]);
        Tensor::write_safetensors(&[("a", &a), ("b", &b)], &path).unwrap();
        path
    }

    #[test]
    fn reads_tensors_by_name_and_checks_shapes() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = Weights::load(&write(dir.path())).unwrap();
        let a = w.take("a", &[3, 4]).unwrap();
        assert_eq!(Vec::<f32>::try_from(a.reshape([-1])).unwrap()[11], 11.0);
        let e = w.take("b", &[3]).unwrap_err().to_string();
        assert!(e.contains("tensor `b` has shape [2]"), "{e}");
        assert!(w.take("a", &[3, 4]).is_err(), "a tensor is taken once");
        assert!(w.take_opt("missing", &[1]).unwrap().is_none());
    }

    #[test]
    fn truncated_or_garbage_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path());
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 4]).unwrap();
        let e = Weights::load(&path).err().unwrap().to_string();
        assert!(e.contains("past the end of the file"), "{e}");
        std::fs::write(&path, b"not a model at all").unwrap();
        assert!(Weights::load(&path).is_err());
    }
}
