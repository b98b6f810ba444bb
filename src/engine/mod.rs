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
//! - optionally running every linear layer (output projection included) in int8, or with fp16 weights, through
//!   fbgemm ([`layers`]); the int8 engine's decoder steps read cross-attention keys/values kept in half
//!   precision ([`attention`]);
//! - beam search: top-k per row in one scan, beams merged on a few candidates, cache re-indexed by copying only
//!   the filled slots ([`generate`]); for int8, log-probabilities from one log-sum-exp ([`simd`]); glibc's
//!   allocator tuned at the first model load ([`tune_allocator`]).
//!
//! Decoding follows `transformers` 4.46's `generate`: the same logits processors (no_repeat_ngram, min_length,
//! bad words, forced BOS/EOS), the same beam scorer (length penalty on generated length, early stopping) and
//! the same lengths (counting the decoder start token).
pub mod attention;
pub mod generate;
pub mod layers;
pub mod model;
pub mod simd;
pub mod weights;

pub use generate::generate;
pub use layers::Precision;
pub use model::{Model, ModelConfig};

/// Tunes glibc's allocator for generation: large tensors stay in the heap instead of being `mmap`ed and
/// unmapped at every call (page faults, zero-filled pages), and freed memory is kept for reuse. [`Model::load`]
/// calls it once per process (measured: DistilBART int8 10–13 % faster, translation unchanged; see
/// BENCHMARKS.md); does nothing on other C libraries. Returns whether every setting was accepted.
///
/// One arena for every thread: the translation workers ([`crate::models::seq2seq::Seq2Seq::generate_batches`])
/// would otherwise each keep their peak in an arena of their own that nothing else reuses (measured: a whole
/// brief's peak RSS 3.5 GB instead of 1.9, at the same speed with one arena).
pub fn tune_allocator() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn mallopt(
                param: std::os::raw::c_int,
                value: std::os::raw::c_int,
            ) -> std::os::raw::c_int;
        }
        const M_TRIM_THRESHOLD: std::os::raw::c_int = -1;
        const M_TOP_PAD: std::os::raw::c_int = -2;
        const M_MMAP_MAX: std::os::raw::c_int = -4;
        const M_ARENA_MAX: std::os::raw::c_int = -8;
        // SAFETY: mallopt only changes allocator parameters; these are valid values for glibc.
        unsafe {
            mallopt(M_MMAP_MAX, 0) == 1
                && mallopt(M_TRIM_THRESHOLD, i32::MAX) == 1
                && mallopt(M_TOP_PAD, 256 << 20) == 1
                && mallopt(M_ARENA_MAX, 1) == 1
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}
