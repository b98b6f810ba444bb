//! tandem: aligned English/French news briefs from a folder of articles.
//!
//! Data flows one way: [`ingest`] reads articles, [`select`] keeps the period's, [`pipeline`] runs the model
//! stages article by article behind the [`models::Translator`] and [`models::Summarizer`] traits through the
//! [`cache`], [`assemble`] groups same-story articles ([`brief::cluster`]) and makes the [`brief`], which renders
//! itself; [`report`] says how the run went. [`shard`] splits the model work across machines and merges it back.
//! [`translate`] is the full-article translation behind `tandem translate`; [`token_view`] shows what the models are
//! given of an article (`tandem inspect --tokens`). `main.rs` is only the command line over
//! these modules.
pub mod assemble;
pub mod brief;
pub mod cache;
pub mod compare;
pub mod engine;
pub mod error;
pub mod generation;
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
pub mod token_view;
pub mod translate;

pub use error::{Error, Result};
