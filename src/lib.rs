//! tandem: aligned English/French news briefs from a folder of articles.
//!
//! Data flows one way: [`ingest`] reads articles, [`select`] keeps the period's, [`pipeline`] runs the model
//! stages behind the [`models::Translator`] and [`models::Summarizer`] traits through the [`cache`], groups
//! same-story articles ([`brief::cluster`]), and [`brief`] holds the result and renders it; [`report`] says how
//! the run went. [`translate`] is the full-article translation behind `tandem translate`. `main.rs` is only the
//! command line over these modules.
pub mod assemble;
pub mod brief;
pub mod cache;
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
pub mod report;
pub mod select;
pub mod shard;
pub mod stage;
pub mod text;
pub mod translate;

pub use error::{Error, Result};
