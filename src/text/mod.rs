//! Text utilities shared by the stages: sentence segmentation and token-budget chunking.
pub mod chunk;
pub mod segment;

pub use chunk::chunk_to_budget;
pub use segment::split_sentences;
