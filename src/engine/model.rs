//! Marian and BART encoder–decoders on tch, with the tensor names of the Hugging Face checkpoints.
//!
//! Both are post-layer-norm transformers (`x = LN(x + sublayer(x))`); they differ in
//! - positions: Marian adds a fixed sinusoidal table (written into the imported folder, or computed as
//!   `transformers` does), BART learned positions read at offset 2;
//! - embeddings: Marian scales them by √d_model (`scale_embedding`), BART (CNN) does not but normalizes them
//!   (`layernorm_embedding`);
//! - activation: Marian swish, BART gelu (from `activation_function`);
//! - both add `final_logits_bias` to the logits (Marian's is non-zero in general).
//!
//! Attention runs through `Tensor::scaled_dot_product_attention`, except in Marian decoder steps, which use the
//! eager attention of `transformers`' Marian (see [`eager_attention`]), and in the int8 engine's decoder
//! cross-attention, which reads half-precision keys/values ([`super::attention`]) where the CPU has the kernel.
//! Self-attention projections are fused into one `[3·d, d]` matrix, cross-attention keys and values into one
//! `[2·d, d]` matrix applied once per batch.
use super::attention::{self, HalfKv};
use super::layers::{Activation, LayerNorm, Linear, Precision};
use super::weights::Weights;
use crate::{Error, Result};
use serde_json::Value;
use std::path::{Path, PathBuf};
use tch::{Device, Kind, Tensor};

/// Marian or BART.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Marian,
    Bart,
}

/// What the engine reads from config.json (and generation_config.json for the special-token rules).
#[derive(Debug, Clone)]
pub struct ModelConfig {
    pub family: Family,
    pub d_model: i64,
    pub encoder_layers: i64,
    pub decoder_layers: i64,
    pub encoder_heads: i64,
    pub decoder_heads: i64,
    pub encoder_ffn: i64,
    pub decoder_ffn: i64,
    pub vocab_size: i64,
    pub max_positions: i64,
    pub activation: Activation,
    pub scale_embedding: bool,
    pub pad_id: i64,
    pub eos_id: i64,
    pub decoder_start_id: i64,
    pub forced_bos_id: Option<i64>,
    pub forced_eos_id: Option<i64>,
    /// Token sequences never to generate (`bad_words_ids`); Marian's pad token is always among them.
    pub bad_words: Vec<Vec<i64>>,
    /// `renormalize_logits` (the opus-mt generation configs set it): beam search takes the log-softmax again
    /// after the logits processors, so banned tokens' probability mass is shared out among the rest.
    pub renormalize_logits: bool,
}

fn read_json(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| Error::Json {
        context: path.display().to_string(),
        source: e,
    })
}

impl ModelConfig {
    /// Reads the config of the model folder `dir` (as `tandem models import` writes it).
    pub fn from_dir(dir: &Path) -> Result<ModelConfig> {
        let bad = |reason: String| Error::ModelInvalid {
            role: "config".into(),
            dir: dir.to_path_buf(),
            reason,
        };
        let config = read_json(&dir.join("config.json"))?;
        let generation = read_json(&dir.join("generation_config.json")).ok();
        let family = match config.get("model_type").and_then(Value::as_str) {
            Some("marian") => Family::Marian,
            Some("bart") => Family::Bart,
            other => {
                return Err(bad(format!(
                    "model_type {other:?}: tandem's engine runs marian and bart"
                )))
            }
        };
        let int = |key: &str| -> Result<i64> {
            config
                .get(key)
                .and_then(Value::as_i64)
                .ok_or_else(|| bad(format!("config.json has no integer `{key}`")))
        };
        // Special tokens: config.json first, then generation_config.json.
        let special = |key: &str| -> Option<i64> {
            config
                .get(key)
                .and_then(Value::as_i64)
                .or_else(|| generation.as_ref()?.get(key)?.as_i64())
        };
        let activation_name = config
            .get("activation_function")
            .and_then(Value::as_str)
            .unwrap_or("gelu");
        let activation = Activation::from_name(activation_name).ok_or_else(|| {
            bad(format!(
                "unsupported activation_function `{activation_name}`"
            ))
        })?;
        if config.get("normalize_before").and_then(Value::as_bool) == Some(true) {
            return Err(bad(
                "normalize_before = true (pre-layer-norm) is not supported".into(),
            ));
        }
        let vocab_size = int("vocab_size")?;
        let (pad_default, eos_default) = match family {
            Family::Marian => (vocab_size - 1, 0),
            Family::Bart => (1, 2),
        };
        let pad_id = special("pad_token_id").unwrap_or(pad_default);
        let eos_id = special("eos_token_id").unwrap_or(eos_default);
        let mut bad_words: Vec<Vec<i64>> = generation
            .as_ref()
            .and_then(|g| g.get("bad_words_ids"))
            .or_else(|| config.get("bad_words_ids"))
            .and_then(Value::as_array)
            .map(|seqs| {
                seqs.iter()
                    .filter_map(Value::as_array)
                    .map(|s| s.iter().filter_map(Value::as_i64).collect::<Vec<_>>())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if family == Family::Marian && !bad_words.contains(&vec![pad_id]) {
            bad_words.push(vec![pad_id]);
        }
        let d_model = int("d_model")?;
        let cfg = ModelConfig {
            family,
            d_model,
            encoder_layers: int("encoder_layers")?,
            decoder_layers: int("decoder_layers")?,
            encoder_heads: int("encoder_attention_heads")?,
            decoder_heads: int("decoder_attention_heads")?,
            encoder_ffn: int("encoder_ffn_dim")?,
            decoder_ffn: int("decoder_ffn_dim")?,
            vocab_size,
            max_positions: int("max_position_embeddings")?,
            activation,
            scale_embedding: config
                .get("scale_embedding")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            pad_id,
            eos_id,
            decoder_start_id: special("decoder_start_token_id").unwrap_or(match family {
                Family::Marian => pad_id,
                Family::Bart => eos_id,
            }),
            forced_bos_id: special("forced_bos_token_id"),
            forced_eos_id: special("forced_eos_token_id"),
            bad_words,
            renormalize_logits: generation
                .as_ref()
                .and_then(|g| g.get("renormalize_logits"))
                .or_else(|| config.get("renormalize_logits"))
                .and_then(Value::as_bool)
                .unwrap_or(false),
        };
        for (what, heads) in [
            ("encoder_attention_heads", cfg.encoder_heads),
            ("decoder_attention_heads", cfg.decoder_heads),
        ] {
            if heads <= 0 || d_model % heads != 0 {
                return Err(bad(format!(
                    "{what} = {heads} does not divide d_model {d_model}"
                )));
            }
        }
        let ids = [cfg.pad_id, cfg.eos_id, cfg.decoder_start_id]
            .into_iter()
            .chain(cfg.forced_bos_id)
            .chain(cfg.forced_eos_id)
            .chain(cfg.bad_words.iter().flatten().copied());
        for id in ids {
            if id < 0 || id >= vocab_size {
                return Err(bad(format!(
                    "special token id {id} outside the vocabulary of {vocab_size}"
                )));
            }
        }
        Ok(cfg)
    }
}

struct Attention {
    /// Self-attention: fused q, k, v `[3d, d]`. Cross-attention: q only.
    q_or_qkv: Linear,
    /// Cross-attention only: fused k, v `[2d, d]`, applied once to the encoder output.
    kv: Option<Linear>,
    out: Linear,
    heads: i64,
}

struct EncoderLayer {
    attn: Attention,
    attn_ln: LayerNorm,
    fc1: Linear,
    fc2: Linear,
    ffn_ln: LayerNorm,
}

struct DecoderLayer {
    self_attn: Attention,
    self_ln: LayerNorm,
    cross_attn: Attention,
    cross_ln: LayerNorm,
    fc1: Linear,
    fc2: Linear,
    ffn_ln: LayerNorm,
}

/// A loaded Marian or BART model.
pub struct Model {
    pub config: ModelConfig,
    pub precision: Precision,
    device: Device,
    embed: Tensor,
    embed_scale: f64,
    lm_head: Linear,
    encoder_positions: Tensor,
    decoder_positions: Tensor,
    /// Row of the position table for position 0 (2 for BART's learned positions).
    position_offset: i64,
    encoder_ln_embedding: Option<LayerNorm>,
    decoder_ln_embedding: Option<LayerNorm>,
    encoder: Vec<EncoderLayer>,
    decoder: Vec<DecoderLayer>,
    dir: PathBuf,
    attend_all: Tensor,
}

/// One layer's self-attention keys or values: a buffer `[rows, heads, capacity, head_dim]` of which the first
/// `position` slots are filled; it grows by doubling, so a step writes one slot instead of copying the cache.
/// Beam re-indexing moves rows in place ([`Move`]), copying only the rows that change.
struct Cache {
    buf: Option<Tensor>,
}

/// One step of an in-place row re-indexing (see [`in_place_moves`]).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Move {
    /// Keep a copy of `row` as saved block `slot` (it is overwritten before it is last read).
    Save { row: usize, slot: usize },
    /// Overwrite row `to` with row `from`'s current content.
    Copy { from: usize, to: usize },
    /// Overwrite row `to` with saved block `slot`.
    Restore { slot: usize, to: usize },
}

/// Moves that make row `i` hold what row `rows[i]` holds, in place: rows that keep their content are not
/// touched, every row is read before it is overwritten, and cycles go through a saved copy.
fn in_place_moves(rows: &[i64]) -> Vec<Move> {
    let n = rows.len();
    let mut source: Vec<Option<usize>> = rows.iter().map(|&r| Some(r as usize)).collect();
    let mut saved_as: Vec<Option<usize>> = vec![None; n];
    let mut pending: Vec<usize> = (0..n).filter(|&i| rows[i] as usize != i).collect();
    let mut readers = vec![0usize; n];
    for &i in &pending {
        readers[rows[i] as usize] += 1;
    }
    let mut moves = Vec::new();
    let mut slots = 0;
    while !pending.is_empty() {
        match pending.iter().position(|&d| readers[d] == 0) {
            Some(at) => {
                let to = pending.remove(at);
                match source[to] {
                    Some(from) => {
                        readers[from] -= 1;
                        moves.push(Move::Copy { from, to });
                    }
                    None => moves.push(Move::Restore {
                        slot: saved_as[to].unwrap_or(0),
                        to,
                    }),
                }
            }
            None => {
                // A cycle: every pending row is still to be read. Save one; its readers read the copy.
                let row = pending[0];
                moves.push(Move::Save { row, slot: slots });
                for &p in &pending {
                    if source[p] == Some(row) {
                        source[p] = None;
                        saved_as[p] = Some(slots);
                    }
                }
                readers[row] = 0;
                slots += 1;
            }
        }
    }
    moves
}

impl Cache {
    fn new() -> Cache {
        Cache { buf: None }
    }

    /// Hypothesis rows held, once the first step has written the cache.
    fn rows(&self) -> Option<i64> {
        self.buf.as_ref().map(|b| b.size()[0])
    }

    /// Writes `x` `[rows, heads, 1, head_dim]` at `pos` and returns the filled part `[.., pos + 1, ..]`.
    fn append(&mut self, x: &Tensor, pos: i64, max_len: i64) -> Tensor {
        let size = x.size();
        let capacity = self.buf.as_ref().map_or(0, |b| b.size()[2]);
        if pos >= capacity {
            let new_cap = if capacity == 0 {
                max_len.clamp(1, 16)
            } else {
                (capacity * 2).min(max_len.max(pos + 1))
            }
            .max(pos + 1);
            let grown = Tensor::empty([size[0], size[1], new_cap, size[3]], (x.kind(), x.device()));
            if let Some(old) = &self.buf {
                grown.narrow(2, 0, pos).copy_(&old.narrow(2, 0, pos));
            }
            self.buf = Some(grown);
        }
        match &self.buf {
            Some(buf) => {
                buf.narrow(2, pos, 1).copy_(x);
                buf.narrow(2, 0, pos + 1)
            }
            None => x.shallow_clone(),
        }
    }

    /// Row `i` of the new cache is row `rows[i]` of the old one (first `pos` slots). With as many rows as before,
    /// in place following `moves` (from [`in_place_moves`]); otherwise into a new buffer. Either way only the
    /// filled slots move, one `pos × head_dim` block per row and head (`index_select` on the slot-narrowed view
    /// takes libtorch's per-row strided-copy path, about twice as slow here).
    fn select(&mut self, rows: &[i64], moves: &[Move], pos: i64) {
        let Some(buf) = self.buf.take() else {
            return;
        };
        let size = buf.size();
        let raw = buf.kind() == Kind::Float
            && buf.device() == Device::Cpu
            && buf.is_contiguous()
            && rows.iter().all(|&r| (0..size[0]).contains(&r));
        if pos == 0 || !raw {
            let index = Tensor::from_slice(rows).to_device(buf.device());
            let target = buf.index_select(0, &index);
            self.buf = Some(target);
            return;
        }
        let (heads, cap, hd) = (size[1] as usize, size[2] as usize, size[3] as usize);
        let block = pos as usize * hd;
        let row_len = heads * cap * hd;
        let at = |row: usize, h: usize| row * row_len + h * cap * hd;
        if rows.len() as i64 == size[0] {
            let base = buf.data_ptr() as *mut f32;
            let mut saved: Vec<Vec<f32>> = Vec::new();
            for m in moves {
                match *m {
                    Move::Save { row, .. } => {
                        let mut copy = Vec::with_capacity(heads * block);
                        for h in 0..heads {
                            // SAFETY: `buf` is a contiguous f32 `[rows, heads, cap, hd]` CPU tensor (checked
                            // above); `row < rows` and `block <= cap·hd` keep the read inside it.
                            copy.extend_from_slice(unsafe {
                                std::slice::from_raw_parts(base.add(at(row, h)), block)
                            });
                        }
                        saved.push(copy);
                    }
                    Move::Copy { from, to } => {
                        for h in 0..heads {
                            // SAFETY: as above; `from != to`, so the two blocks do not overlap.
                            unsafe {
                                std::ptr::copy_nonoverlapping(
                                    base.add(at(from, h)),
                                    base.add(at(to, h)),
                                    block,
                                );
                            }
                        }
                    }
                    Move::Restore { slot, to } => {
                        for h in 0..heads {
                            // SAFETY: as above; the saved block holds `heads · block` values.
                            unsafe {
                                std::ptr::copy_nonoverlapping(
                                    saved[slot].as_ptr().add(h * block),
                                    base.add(at(to, h)),
                                    block,
                                );
                            }
                        }
                    }
                }
            }
            self.buf = Some(buf);
        } else {
            let target = Tensor::empty(
                [rows.len() as i64, size[1], size[2], size[3]],
                (buf.kind(), buf.device()),
            );
            let src = buf.data_ptr() as *const f32;
            let dst = target.data_ptr() as *mut f32;
            for (i, &r) in rows.iter().enumerate() {
                for h in 0..heads {
                    // SAFETY: both are contiguous f32 `[rows, heads, cap, hd]` CPU buffers, `r` and `i` in
                    // range, `block <= cap·hd`, distinct allocations.
                    unsafe {
                        std::ptr::copy_nonoverlapping(
                            src.add(at(r as usize, h)),
                            dst.add(at(i, h)),
                            block,
                        );
                    }
                }
            }
            self.buf = Some(target);
        }
    }
}

/// Per-batch decoder state: the self-attention cache (one row per hypothesis) and the cross-attention keys and
/// values (one row per sentence, shared by its beams).
pub struct DecoderState {
    self_k: Vec<Cache>,
    self_v: Vec<Cache>,
    cross_k: Vec<Tensor>,
    cross_v: Vec<Tensor>,
    /// The int8 engine's cross-attention keys and values in half precision ([`attention`]), instead of
    /// `cross_k`/`cross_v` (then empty); empty otherwise.
    cross_half: Vec<HalfKv>,
    /// Real source tokens of each sentence (the mask is a prefix), with `cross_half`.
    source_lens: Vec<usize>,
    /// `[sentences, 1, 1, source_len]`, true where the source token is real.
    source_mask: Tensor,
    /// The same as an additive mask: 0 on real tokens, f32::MIN on padding.
    source_bias: Tensor,
    /// Hypotheses per sentence.
    pub beams: i64,
    /// Decoder positions consumed so far.
    pub position: i64,
    /// Longest the decoder will run (sizes the cache).
    max_len: i64,
}

impl DecoderState {
    /// Whether cross-attention reads half-precision keys/values ([`attention`]): the int8 engine's, where the
    /// CPU has the kernel.
    pub fn half_cross_attention(&self) -> bool {
        !self.cross_half.is_empty()
    }

    /// Sentences in the state.
    pub fn sentences(&self) -> i64 {
        self.source_mask.size()[0]
    }

    /// Re-indexes the self-attention cache: hypothesis row `i` continues from old row `rows[i]`; `sentences`,
    /// when given, keeps only those sentences' cross-attention keys/values (rows must then come from them, in
    /// that order, `beams` rows each).
    pub fn select(&mut self, rows: &[i64], sentences: Option<&[i64]>) {
        // In-place moves only exist for a permutation-with-repeats of the same rows; when finished sentences
        // leave, the cache is rebuilt into a smaller buffer instead (rows may then name rows past the new count).
        let current = self.self_k.first().and_then(Cache::rows);
        let moves = if current == Some(rows.len() as i64) {
            in_place_moves(rows)
        } else {
            Vec::new()
        };
        for cache in self.self_k.iter_mut().chain(self.self_v.iter_mut()) {
            cache.select(rows, &moves, self.position);
        }
        if let Some(kept) = sentences {
            let keep = Tensor::from_slice(kept).to_device(self.source_mask.device());
            for cache in [&mut self.cross_k, &mut self.cross_v] {
                for t in cache.iter_mut() {
                    *t = t.index_select(0, &keep);
                }
            }
            for kv in self.cross_half.iter_mut() {
                *kv = kv.select(&keep);
            }
            if !self.source_lens.is_empty() {
                self.source_lens = kept.iter().map(|&i| self.source_lens[i as usize]).collect();
            }
            self.source_mask = self.source_mask.index_select(0, &keep);
            self.source_bias = self.source_bias.index_select(0, &keep);
        }
    }
}

fn invalid(dir: &Path, reason: impl Into<String>) -> Error {
    Error::ModelInvalid {
        role: "engine".into(),
        dir: dir.to_path_buf(),
        reason: reason.into(),
    }
}

/// Attention as `transformers`' eager `MarianAttention` computes it (Marian has no SDPA path in 4.46): queries
/// scaled by head_dim^-½, `q·kᵀ`, plus the additive mask (0 or f32::MIN), softmax, `·v`. In decoding steps (a few
/// query rows per sentence) this is also faster than SDPA's per-(row, head) kernel calls: two batched matmuls.
fn eager_attention(q: &Tensor, k: &Tensor, v: &Tensor, bias: Option<&Tensor>) -> Tensor {
    let hd = q.size()[q.dim() - 1];
    let scores = (q * (hd as f64).powf(-0.5)).matmul(&k.transpose(-1, -2));
    let scores = match bias {
        Some(b) => scores + b,
        None => scores,
    };
    scores.softmax(-1, Kind::Float).matmul(v)
}

/// Each row's count of real tokens when `mask` `[batch, len]` (true on real tokens) marks a non-empty prefix
/// of every row, as right padding does; `None` otherwise.
fn prefix_lengths(mask: &Tensor) -> Option<Vec<usize>> {
    let (batch, len) = (mask.size()[0], mask.size()[1]);
    let lens = mask
        .to_kind(Kind::Int64)
        .sum_dim_intlist(1, false, Kind::Int64);
    let prefix = Tensor::arange(len, (Kind::Int64, mask.device()))
        .view([1, len])
        .lt_tensor(&lens.view([batch, 1]));
    if !prefix.equal(&mask.to_kind(Kind::Bool)) {
        return None;
    }
    let lens = Vec::<i64>::try_from(&lens).ok()?;
    lens.iter()
        .all(|&l| l > 0)
        .then(|| lens.iter().map(|&l| l as usize).collect())
}

/// Splits `[..., heads·head_dim]` into `[batch, heads, len, head_dim]`.
fn heads_first(x: &Tensor, batch: i64, len: i64, heads: i64) -> Tensor {
    let d = x.size()[x.dim() - 1];
    x.view([batch, len, heads, d / heads]).transpose(1, 2)
}

impl Model {
    /// Loads the model in `dir` (config.json + model.safetensors, as `tandem models import` writes them).
    pub fn load(dir: &Path, device: Device, precision: Precision) -> Result<Model> {
        if device != Device::Cpu {
            return Err(invalid(
                dir,
                "tandem's engine runs on the CPU only for now; use the rust-bert engine on a GPU",
            ));
        }
        // Measured (BENCHMARKS.md): DistilBART int8 10–13 % faster with the allocator tuned (the encoder's
        // large activations no longer come from fresh, zero-filled mmap pages each call), translation unchanged,
        // peak RSS unchanged. Once per process, before the weights are allocated.
        static TUNE: std::sync::Once = std::sync::Once::new();
        TUNE.call_once(|| {
            super::tune_allocator();
        });
        let config = ModelConfig::from_dir(dir)?;
        let mut w = Weights::load(&dir.join("model.safetensors"))?;
        let c = &config;
        let d = c.d_model;
        let embed = w.take("model.shared.weight", &[c.vocab_size, d])?;
        // Tied copies some checkpoints also store: not needed.
        for name in [
            "model.encoder.embed_tokens.weight",
            "model.decoder.embed_tokens.weight",
            "lm_head.weight",
        ] {
            let _ = w.take_opt(name, &[c.vocab_size, d])?;
        }
        let final_logits_bias = w
            .take_opt("final_logits_bias", &[1, c.vocab_size])?
            .map(|b| b.reshape([c.vocab_size]));
        let (encoder_positions, decoder_positions, position_offset) = match c.family {
            Family::Marian => {
                let table = |name: &str, w: &mut Weights| -> Result<Tensor> {
                    Ok(match w.take_opt(name, &[c.max_positions, d])? {
                        Some(t) => t,
                        None => crate::models::import::sinusoidal_positions(c.max_positions, d),
                    })
                };
                (
                    table("model.encoder.embed_positions.weight", &mut w)?,
                    table("model.decoder.embed_positions.weight", &mut w)?,
                    0,
                )
            }
            Family::Bart => (
                w.take(
                    "model.encoder.embed_positions.weight",
                    &[c.max_positions + 2, d],
                )?,
                w.take(
                    "model.decoder.embed_positions.weight",
                    &[c.max_positions + 2, d],
                )?,
                2,
            ),
        };
        let ln = |w: &mut Weights, prefix: &str| -> Result<LayerNorm> {
            Ok(LayerNorm::new(
                w.take(&format!("{prefix}.weight"), &[d])?,
                w.take(&format!("{prefix}.bias"), &[d])?,
            ))
        };
        let (encoder_ln_embedding, decoder_ln_embedding) = match c.family {
            Family::Marian => (None, None),
            Family::Bart => (
                Some(ln(&mut w, "model.encoder.layernorm_embedding")?),
                Some(ln(&mut w, "model.decoder.layernorm_embedding")?),
            ),
        };
        let linear = |w: &mut Weights, prefix: &str, out: i64, inp: i64| -> Result<Linear> {
            let weight = w.take(&format!("{prefix}.weight"), &[out, inp])?;
            let bias = w.take(&format!("{prefix}.bias"), &[out])?;
            Linear::new(weight, Some(bias), precision)
        };
        // Fused projections: weights concatenated along the output dimension.
        let fused = |w: &mut Weights, prefix: &str, parts: &[&str]| -> Result<Linear> {
            let mut weights = Vec::new();
            let mut biases = Vec::new();
            for p in parts {
                weights.push(w.take(&format!("{prefix}.{p}_proj.weight"), &[d, d])?);
                biases.push(w.take(&format!("{prefix}.{p}_proj.bias"), &[d])?);
            }
            Linear::new(
                Tensor::cat(&weights, 0),
                Some(Tensor::cat(&biases, 0)),
                precision,
            )
        };
        let mut encoder = Vec::new();
        for i in 0..c.encoder_layers {
            let p = format!("model.encoder.layers.{i}");
            encoder.push(EncoderLayer {
                attn: Attention {
                    q_or_qkv: fused(&mut w, &format!("{p}.self_attn"), &["q", "k", "v"])?,
                    kv: None,
                    out: linear(&mut w, &format!("{p}.self_attn.out_proj"), d, d)?,
                    heads: c.encoder_heads,
                },
                attn_ln: ln(&mut w, &format!("{p}.self_attn_layer_norm"))?,
                fc1: linear(&mut w, &format!("{p}.fc1"), c.encoder_ffn, d)?,
                fc2: linear(&mut w, &format!("{p}.fc2"), d, c.encoder_ffn)?,
                ffn_ln: ln(&mut w, &format!("{p}.final_layer_norm"))?,
            });
        }
        let mut decoder = Vec::new();
        for i in 0..c.decoder_layers {
            let p = format!("model.decoder.layers.{i}");
            decoder.push(DecoderLayer {
                self_attn: Attention {
                    q_or_qkv: fused(&mut w, &format!("{p}.self_attn"), &["q", "k", "v"])?,
                    kv: None,
                    out: linear(&mut w, &format!("{p}.self_attn.out_proj"), d, d)?,
                    heads: c.decoder_heads,
                },
                self_ln: ln(&mut w, &format!("{p}.self_attn_layer_norm"))?,
                cross_attn: Attention {
                    q_or_qkv: linear(&mut w, &format!("{p}.encoder_attn.q_proj"), d, d)?,
                    kv: Some(fused(&mut w, &format!("{p}.encoder_attn"), &["k", "v"])?),
                    out: linear(&mut w, &format!("{p}.encoder_attn.out_proj"), d, d)?,
                    heads: c.decoder_heads,
                },
                cross_ln: ln(&mut w, &format!("{p}.encoder_attn_layer_norm"))?,
                fc1: linear(&mut w, &format!("{p}.fc1"), c.decoder_ffn, d)?,
                fc2: linear(&mut w, &format!("{p}.fc2"), d, c.decoder_ffn)?,
                ffn_ln: ln(&mut w, &format!("{p}.final_layer_norm"))?,
            });
        }
        let lm_head = Linear::new(embed.shallow_clone(), final_logits_bias, precision)?;
        Ok(Model {
            embed_scale: if c.scale_embedding {
                (d as f64).sqrt()
            } else {
                1.0
            },
            config: config.clone(),
            precision,
            device,
            embed,
            lm_head,
            encoder_positions,
            decoder_positions,
            position_offset,
            encoder_ln_embedding,
            decoder_ln_embedding,
            encoder,
            decoder,
            dir: dir.to_path_buf(),
            attend_all: Tensor::ones([1, 1, 1, 1], (Kind::Bool, device)),
        })
    }

    /// The folder the model was loaded from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The device the model runs on.
    pub fn device(&self) -> Device {
        self.device
    }

    fn embed(&self, ids: &Tensor, positions: &Tensor, offset: i64, len: i64) -> Tensor {
        let x = Tensor::embedding(&self.embed, ids, -1, false, false);
        let x = if self.embed_scale != 1.0 {
            x * self.embed_scale
        } else {
            x
        };
        x + positions.narrow(0, self.position_offset + offset, len)
    }

    /// Runs the encoder on `ids` `[batch, len]` (right-padded) with `mask` (true on real tokens) and returns
    /// the decoder state for `beams` hypotheses per sentence: cross-attention keys/values computed here, once.
    /// `max_len` is the longest the decoder will run (it sizes the self-attention cache).
    pub fn start(&self, ids: &Tensor, mask: &Tensor, beams: i64, max_len: i64) -> DecoderState {
        let _guard = tch::no_grad_guard();
        let (batch, len) = (ids.size()[0], ids.size()[1]);
        let mut x = self.embed(ids, &self.encoder_positions, 0, len);
        if let Some(ln) = &self.encoder_ln_embedding {
            x = ln.forward(&x);
        }
        let source_mask = mask.view([batch, 1, 1, len]);
        for layer in &self.encoder {
            let a = &layer.attn;
            let qkv = a.q_or_qkv.forward(&x).view([batch, len, 3, a.heads, -1]);
            let qkv = qkv.permute([2, 0, 3, 1, 4]);
            let attended = Tensor::scaled_dot_product_attention(
                &qkv.get(0),
                &qkv.get(1),
                &qkv.get(2),
                Some(&source_mask),
                0.0,
                false,
                None,
            );
            let attended = attended.transpose(1, 2).reshape([batch, len, -1]);
            x = layer.attn_ln.forward(&(x + a.out.forward(&attended)));
            let h = layer
                .fc2
                .forward(&self.config.activation.forward(&layer.fc1.forward(&x)));
            x = layer.ffn_ln.forward(&(x + h));
        }
        let mut cross_k = Vec::with_capacity(self.decoder.len());
        let mut cross_v = Vec::with_capacity(self.decoder.len());
        let mut cross_half = Vec::new();
        // The kernel takes head_dim in 8-lane vectors (64 in both models).
        let head_dim = self.config.d_model / self.config.decoder_heads.max(1);
        let source_lens = match self.precision {
            Precision::Int8 if attention::available() && head_dim % 8 == 0 => prefix_lengths(mask),
            _ => None,
        };
        for layer in &self.decoder {
            let a = &layer.cross_attn;
            let kv = match &a.kv {
                Some(kv) => kv.forward(&x),
                None => continue,
            };
            let kv = kv
                .view([batch, len, 2, a.heads, -1])
                .permute([2, 0, 3, 1, 4]);
            if source_lens.is_some() {
                cross_half.push(HalfKv::new(&kv.get(0), &kv.get(1)));
            } else {
                cross_k.push(kv.get(0).contiguous());
                cross_v.push(kv.get(1).contiguous());
            }
        }
        DecoderState {
            self_k: (0..self.decoder.len()).map(|_| Cache::new()).collect(),
            self_v: (0..self.decoder.len()).map(|_| Cache::new()).collect(),
            cross_k,
            cross_v,
            cross_half,
            source_lens: source_lens.unwrap_or_default(),
            source_bias: source_mask.logical_not().to_kind(Kind::Float) * f64::from(f32::MIN),
            source_mask,
            beams,
            position: 0,
            max_len,
        }
    }

    /// One decoder step: `tokens` `[rows]` (rows = sentences × beams, beams of a sentence adjacent) are the
    /// last tokens of each hypothesis; returns the logits `[rows, vocab]` for the next token.
    pub fn step(&self, state: &mut DecoderState, tokens: &Tensor) -> Tensor {
        let _guard = tch::no_grad_guard();
        let rows = tokens.size()[0];
        let sentences = state.sentences();
        let beams = state.beams;
        let d = self.config.d_model;
        let mut x = self.embed(
            &tokens.view([rows, 1]),
            &self.decoder_positions,
            state.position,
            1,
        );
        if let Some(ln) = &self.decoder_ln_embedding {
            x = ln.forward(&x);
        }
        for (i, layer) in self.decoder.iter().enumerate() {
            let a = &layer.self_attn;
            let qkv = a.q_or_qkv.forward(&x).view([rows, 1, 3, a.heads, -1]);
            let qkv = qkv.permute([2, 0, 3, 1, 4]);
            let (q, k, v) = (qkv.get(0), qkv.get(1), qkv.get(2));
            let k = state.self_k[i].append(&k, state.position, state.max_len);
            let v = state.self_v[i].append(&v, state.position, state.max_len);
            // tch passes `None` as an undefined tensor, which SDPA refuses; and libtorch 2.4's CPU kernel gives
            // wrong results for a mask broadcast along the keys ([1, 1, 1, 1]): an all-true mask of the keys'
            // length (zero-stride, no memory) is both accepted and right.
            let attended = if self.config.family == Family::Marian {
                eager_attention(&q, &k, &v, None)
            } else {
                let all = self.attend_all.expand([1, 1, 1, k.size()[2]], false);
                Tensor::scaled_dot_product_attention(&q, &k, &v, Some(&all), 0.0, false, None)
            };
            let attended = attended.reshape([rows, 1, d]);
            x = layer.self_ln.forward(&(x + a.out.forward(&attended)));

            // Cross-attention: the beams of a sentence are query rows against its one copy of keys/values.
            let c = &layer.cross_attn;
            let q = heads_first(&c.q_or_qkv.forward(&x), sentences, beams, c.heads);
            let attended = if let Some(kv) = state.cross_half.get(i) {
                kv.attend(&q, &state.source_lens)
            } else if self.config.family == Family::Marian {
                eager_attention(
                    &q,
                    &state.cross_k[i],
                    &state.cross_v[i],
                    Some(&state.source_bias),
                )
            } else {
                Tensor::scaled_dot_product_attention(
                    &q,
                    &state.cross_k[i],
                    &state.cross_v[i],
                    Some(&state.source_mask),
                    0.0,
                    false,
                    None,
                )
            };
            let attended = attended.transpose(1, 2).reshape([rows, 1, d]);
            x = layer.cross_ln.forward(&(x + c.out.forward(&attended)));

            let h = layer
                .fc2
                .forward(&self.config.activation.forward(&layer.fc1.forward(&x)));
            x = layer.ffn_ln.forward(&(x + h));
        }
        state.position += 1;
        self.lm_head
            .forward(&x.view([rows, d]))
            .to_kind(Kind::Float)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies `moves` to `rows.len()` labelled rows and checks row `i` ends up holding label `rows[i]`.
    fn check(rows: &[i64]) {
        let mut data: Vec<i64> = (0..rows.len() as i64).collect();
        let mut saved = Vec::new();
        let moves = in_place_moves(rows);
        for m in &moves {
            match *m {
                Move::Save { row, slot } => {
                    assert_eq!(slot, saved.len());
                    saved.push(data[row]);
                }
                Move::Copy { from, to } => data[to] = data[from],
                Move::Restore { slot, to } => data[to] = saved[slot],
            }
        }
        assert_eq!(data, rows, "moves {moves:?}");
        let changed = rows
            .iter()
            .enumerate()
            .filter(|(i, &r)| *i as i64 != r)
            .count();
        let copies = moves
            .iter()
            .filter(|m| !matches!(m, Move::Save { .. }))
            .count();
        assert_eq!(copies, changed, "only changed rows are written");
    }

    /// A cache of `rows` hypotheses filled up to `pos` (capacity grown past it), with distinct values.
    fn filled_cache(rows: i64, pos: i64) -> (Cache, Tensor) {
        let (heads, hd, max_len) = (3, 4, 40);
        let mut cache = Cache::new();
        let mut last = Tensor::zeros([rows, heads, 0, hd], (Kind::Float, Device::Cpu));
        for p in 0..pos {
            let x = Tensor::randn([rows, heads, 1, hd], (Kind::Float, Device::Cpu));
            last = cache.append(&x, p, max_len);
        }
        (cache, last.copy())
    }

    /// Property: whatever the re-indexing (rows repeated, permuted, or fewer rows because sentences left),
    /// the filled part of the cache equals a plain `index_select` of the old one.
    #[test]
    fn cache_reindexing_equals_index_select() {
        tch::manual_seed(11);
        let mut state = 7u64;
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        for trial in 0..300 {
            let old_rows = 1 + next(12) as i64;
            let pos = 1 + next(20) as i64;
            // Same count half the time, otherwise a smaller batch (finished sentences dropped).
            let new_rows = if trial % 2 == 0 {
                old_rows
            } else {
                1 + next(old_rows as u64) as i64
            };
            let rows: Vec<i64> = (0..new_rows)
                .map(|_| next(old_rows as u64) as i64)
                .collect();
            let (mut cache, before) = filled_cache(old_rows, pos);
            let moves = if new_rows == old_rows {
                in_place_moves(&rows)
            } else {
                Vec::new()
            };
            cache.select(&rows, &moves, pos);
            let after = cache.buf.as_ref().unwrap().narrow(2, 0, pos);
            let expected = before.index_select(0, &Tensor::from_slice(&rows));
            assert_eq!(after.size(), expected.size(), "rows {rows:?}");
            assert!(
                after.equal(&expected),
                "trial {trial}: rows {rows:?} from {old_rows} at pos {pos}"
            );
        }
    }

    /// The decoder state's re-indexing with sentences leaving the batch (what made beam search panic when
    /// rows stopped at different lengths): every layer's cache follows `index_select`.
    #[test]
    fn decoder_state_select_drops_finished_sentences() {
        tch::manual_seed(5);
        let (sentences, beams, pos) = (5i64, 4i64, 6i64);
        let mut state = DecoderState {
            self_k: Vec::new(),
            self_v: Vec::new(),
            cross_k: vec![Tensor::randn(
                [sentences, 2, 3, 4],
                (Kind::Float, Device::Cpu),
            )],
            cross_v: vec![Tensor::randn(
                [sentences, 2, 3, 4],
                (Kind::Float, Device::Cpu),
            )],
            cross_half: Vec::new(),
            source_lens: Vec::new(),
            source_mask: Tensor::ones([sentences, 1, 1, 3], (Kind::Bool, Device::Cpu)),
            source_bias: Tensor::zeros([sentences, 1, 1, 3], (Kind::Float, Device::Cpu)),
            beams,
            position: pos,
            max_len: 40,
        };
        let mut before = Vec::new();
        for _ in 0..2 {
            let (k, bk) = filled_cache(sentences * beams, pos);
            let (v, bv) = filled_cache(sentences * beams, pos);
            state.self_k.push(k);
            state.self_v.push(v);
            before.push((bk, bv));
        }
        // Sentences 1 and 3 finished; the others' beams re-ordered, reading rows past the new row count.
        let keep = [0i64, 2, 4];
        let rows: Vec<i64> = keep
            .iter()
            .flat_map(|&s| [s * beams + 3, s * beams, s * beams, s * beams + 1])
            .collect();
        state.select(&rows, Some(&keep));
        let index = Tensor::from_slice(&rows);
        for (layer, (bk, bv)) in before.iter().enumerate() {
            for (cache, b) in [(&state.self_k[layer], bk), (&state.self_v[layer], bv)] {
                let got = cache.buf.as_ref().unwrap().narrow(2, 0, pos);
                assert!(got.equal(&b.index_select(0, &index)), "layer {layer}");
            }
        }
        assert_eq!(state.sentences(), 3);
        assert_eq!(state.cross_k[0].size()[0], 3);
    }

    #[test]
    fn in_place_moves_reindex_rows() {
        check(&[0, 1, 2, 3]);
        check(&[0, 0, 0, 1]);
        check(&[1, 0, 3, 2]);
        check(&[1, 2, 0, 0]);
        check(&[3, 3, 1, 1, 4, 4, 6, 5]);
        check(&[2, 0, 1, 3, 5, 6, 4, 4]);
        // Every mapping of 5 rows.
        for code in 0..5i64.pow(5) {
            let rows: Vec<i64> = (0..5).map(|i| code / 5i64.pow(i) % 5).collect();
            check(&rows);
        }
    }
}
