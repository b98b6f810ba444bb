//! The run report: `report.json` beside the brief, and the summary printed at the end of a run.
//!
//! It says what went in (files read, articles selected), what came out (items), what was skipped or left out and
//! why, how long each stage took, how much the cache saved, and which models made the brief. Unlike the brief
//! it holds timings, so it differs between runs.
use crate::brief::{ModelsUsed, Period};
use crate::ingest::IngestFailure;
use crate::select::LeftOut;
use crate::stage::StageReport;
use serde::{Deserialize, Serialize};
use std::fmt::Write;
use std::path::PathBuf;

/// Everything a user (or a cron job) needs to know about one run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub tandem_version: String,
    pub articles_dir: PathBuf,
    pub period: Option<Period>,
    /// Articles read successfully from the folder.
    pub articles_read: usize,
    /// Of those, articles in the period (all of them without one).
    pub articles_selected: usize,
    /// Items in the brief (same-story articles make one item).
    pub items: usize,
    /// Files that could not be used, with the reason.
    pub skipped: Vec<IngestFailure>,
    /// Articles read but not in the period, with the reason.
    pub left_out: Vec<LeftOut>,
    pub stages: Vec<StageReport>,
    pub models: ModelsUsed,
    /// What computed the model outputs: the engine, the CPU's ISA and, for int8, the kernel and weight bits, for
    /// fp16 weights the kernel (see [`crate::models::compute_description`]).
    #[serde(default)]
    pub compute: String,
    /// Roles whose model is not installed, with how to install each.
    pub missing_models: Vec<String>,
    /// The cache database, when the cache was used.
    pub cache: Option<PathBuf>,
    /// For a shard's run (`--shard I/N`): which shard, and how many articles it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<crate::shard::ShardShare>,
}

impl Report {
    /// Cache hits and model calls over all stages.
    pub fn cache_totals(&self) -> (usize, usize) {
        self.stages
            .iter()
            .fold((0, 0), |(h, c), s| (h + s.cache_hits, c + s.model_calls))
    }

    /// The end-of-run summary for the terminal.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let made = match &self.shard {
            Some(s) => format!("shard {}: model work for {} of them", s.shard, s.articles),
            None => format!("{} item(s) in the brief", self.items),
        };
        let _ = writeln!(
            out,
            "tandem: {} article(s) read, {} selected, {made}; {} file(s) skipped, {} left out by date",
            self.articles_read,
            self.articles_selected,
            self.skipped.len(),
            self.left_out.len()
        );
        for f in &self.skipped {
            let _ = writeln!(out, "  skipped   {}: {}", f.path.display(), f.reason);
        }
        for l in &self.left_out {
            let _ = writeln!(out, "  left out  {}: {}", l.path.display(), l.reason);
        }
        for s in &self.stages {
            let _ = write!(out, "  {:<16} {:>8.2}s", s.stage, s.seconds);
            if s.model.is_some() || s.cache_hits + s.model_calls > 0 {
                let _ = write!(
                    out,
                    "  {} input(s), {} from cache, {} computed",
                    s.inputs, s.cache_hits, s.model_calls
                );
            }
            if let Some(m) = &s.model {
                let _ = write!(out, "  [{m}]");
            }
            out.push('\n');
        }
        if !self.compute.is_empty() {
            let _ = writeln!(out, "  compute: {}", self.compute);
        }
        let (hits, calls) = self.cache_totals();
        match &self.cache {
            Some(path) => {
                let _ = writeln!(
                    out,
                    "  cache: {hits} hit(s), {calls} computed ({})",
                    path.display()
                );
            }
            None => {
                let _ = writeln!(out, "  cache: off");
            }
        }
        for m in &self.missing_models {
            let _ = writeln!(out, "tandem: {m}");
        }
        out
    }
}
