//! tandem: aligned English/French news briefs from a folder of articles.
//!
//! Data flows one way: [`ingest`] reads articles, [`pipeline`] runs the model stages behind the
//! [`models::Translator`] and [`models::Summarizer`] traits, and [`brief`] holds the result and renders it.
//! `main.rs` is only the command line over these modules.
pub mod brief;
pub mod compare;
pub mod engine;
pub mod error;
pub mod ingest;
pub mod lang;
pub mod metrics;
pub mod models;
pub mod output;
pub mod pipeline;
pub mod progress;
pub mod text;

pub use error::{Error, Result};
