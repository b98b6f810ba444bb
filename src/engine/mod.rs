//! tandem's own generation engine on tch: Marian and BART forward passes, greedy and beam search.
//!
//! Why it exists: rust-bert's models call `tch::nn::Linear` directly and its beam search copies every layer's
//! self- *and* cross-attention cache at every step; tandem's engine keeps the same numbers (proven by
//! `tests/engine_parity.rs` against the `transformers` ids and rust-bert) while
//! - loading `model.safetensors` directly, tensor by tensor, with the checkpoints' tensor names ([`weights`]);
//! - running the encoder once per batch under `no_grad`, with fused scaled-dot-product attention ([`model`]);
//! - computing cross-attention keys/values once per batch and never copying them per step: the beams of one
//!   sentence are stacked as query rows against one copy of that sentence's keys/values ([`model`]);
//! - re-indexing only the self-attention cache during beam search, and dropping finished sentences from the
//!   batch ([`generate`]);
//! - optionally running every linear layer (output projection included) in int8 through fbgemm ([`layers`]).
//!
//! Decoding follows `transformers` 4.46's `generate`: the same logits processors (no_repeat_ngram, min_length,
//! bad words, forced BOS/EOS), the same beam scorer (length penalty on generated length, early stopping) and
//! the same lengths (counting the decoder start token).
pub mod generate;
pub mod layers;
pub mod model;
pub mod weights;

pub use generate::generate;
pub use layers::Precision;
pub use model::{Model, ModelConfig};
