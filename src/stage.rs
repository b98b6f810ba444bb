//! A model stage behind the cache: looks every input up, loads the model only when something is missing, sends
//! each distinct missing text to it once, and stores the results a chunk at a time, so an interrupted run keeps
//! what it finished. Counts cache hits and model calls for the run report.
use crate::cache::{Cache, StageKey};
use crate::Result;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::time::Instant;

/// What one stage did, for the run report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageReport {
    /// `ingest`, `translate-fr-en`, `cluster`, `summarize`, `translate-en-fr`, `render`.
    pub stage: String,
    /// The model that ran (or would have run) the stage, when it has one.
    pub model: Option<String>,
    /// Texts the stage had to produce an output for (duplicates included).
    pub inputs: usize,
    /// Distinct texts served from the cache.
    pub cache_hits: usize,
    /// Distinct texts sent to the model.
    pub model_calls: usize,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl StageReport {
    /// A stage without a model (ingest, cluster, render), timed from `started`.
    pub fn plain(stage: &str, inputs: usize, started: Instant) -> StageReport {
        StageReport {
            stage: stage.to_string(),
            model: None,
            inputs,
            cache_hits: 0,
            model_calls: 0,
            seconds: started.elapsed().as_secs_f64(),
        }
    }
}

/// Runs `call` on the inputs the cache does not hold, `chunk` distinct texts at a time (shortest first, so
/// batches waste little padding), storing each chunk's outputs in one transaction. `load` runs only when there
/// is something to compute. `bar` counts distinct texts computed. Returns one output per input, in order.
#[allow(clippy::too_many_arguments)]
pub fn run_cached<M>(
    cache: &mut Cache,
    key: &StageKey,
    model_name: Option<String>,
    inputs: &[String],
    chunk: usize,
    bar: &indicatif::ProgressBar,
    load: impl FnOnce() -> Result<M>,
    mut call: impl FnMut(&mut M, &[String]) -> Result<Vec<String>>,
) -> Result<(Vec<String>, StageReport)> {
    let started = Instant::now();
    let mut distinct: Vec<String> = Vec::new();
    let mut slot: HashMap<&str, usize> = HashMap::new();
    let index: Vec<usize> = inputs
        .iter()
        .map(|t| {
            *slot.entry(t.as_str()).or_insert_with(|| {
                distinct.push(t.clone());
                distinct.len() - 1
            })
        })
        .collect();
    let mut outputs = cache.get_many(key, &distinct)?;
    let mut missing: Vec<usize> = (0..distinct.len())
        .filter(|&i| outputs[i].is_none())
        .collect();
    let hits = distinct.len() - missing.len();
    missing.sort_by_key(|&i| (distinct[i].chars().count(), i));
    bar.set_length(missing.len() as u64);
    if !missing.is_empty() {
        let mut model = load()?;
        for part in missing.chunks(chunk.max(1)) {
            let texts: Vec<String> = part.iter().map(|&i| distinct[i].clone()).collect();
            let made = call(&mut model, &texts)?;
            let pairs: Vec<(&str, &str)> = texts
                .iter()
                .map(String::as_str)
                .zip(made.iter().map(String::as_str))
                .collect();
            cache.put_many(key, &pairs)?;
            for (&i, out) in part.iter().zip(made) {
                outputs[i] = Some(out);
            }
            bar.inc(part.len() as u64);
        }
    }
    let report = StageReport {
        stage: key.stage.clone(),
        model: model_name,
        inputs: inputs.len(),
        cache_hits: hits,
        model_calls: missing.len(),
        seconds: started.elapsed().as_secs_f64(),
    };
    let outputs = index
        .into_iter()
        .map(|i| outputs[i].clone().unwrap_or_default())
        .collect();
    Ok((outputs, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> StageKey {
        StageKey {
            stage: "upper".into(),
            model: "m".into(),
            settings: String::new(),
        }
    }

    #[test]
    fn computes_each_missing_text_once_and_serves_the_rest_from_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = Cache::open(dir.path()).unwrap();
        let bar = indicatif::ProgressBar::hidden();
        let mut seen: Vec<String> = Vec::new();
        let inputs: Vec<String> = ["bb", "a", "bb", "ccc"].map(String::from).to_vec();
        let (out, report) = run_cached(
            &mut cache,
            &key(),
            None,
            &inputs,
            2,
            &bar,
            || Ok(()),
            |_, texts| {
                seen.extend(texts.iter().cloned());
                Ok(texts.iter().map(|t| t.to_uppercase()).collect())
            },
        )
        .unwrap();
        assert_eq!(out, ["BB", "A", "BB", "CCC"]);
        assert_eq!(seen, ["a", "bb", "ccc"], "distinct texts, shortest first");
        assert_eq!(
            (report.inputs, report.cache_hits, report.model_calls),
            (4, 0, 3)
        );

        let more: Vec<String> = ["ccc", "dd"].map(String::from).to_vec();
        let mut loaded = false;
        let (out, report) = run_cached(
            &mut cache,
            &key(),
            None,
            &more,
            2,
            &bar,
            || {
                loaded = true;
                Ok(())
            },
            |_, texts| Ok(texts.iter().map(|t| format!("<{t}>")).collect()),
        )
        .unwrap();
        assert!(loaded);
        assert_eq!(out, ["CCC", "<dd>"]);
        assert_eq!((report.cache_hits, report.model_calls), (1, 1));
    }

    #[test]
    fn the_model_is_not_loaded_when_everything_is_cached() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = Cache::open(dir.path()).unwrap();
        cache.put_many(&key(), &[("x", "X")]).unwrap();
        let bar = indicatif::ProgressBar::hidden();
        let (out, report) = run_cached(
            &mut cache,
            &key(),
            None,
            &["x".to_string()],
            8,
            &bar,
            || -> Result<()> { panic!("loaded a model for cached work") },
            |_, _| unreachable!(),
        )
        .unwrap();
        assert_eq!(out, ["X"]);
        assert_eq!(report.model_calls, 0);
    }

    #[test]
    fn a_failing_chunk_keeps_the_chunks_before_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = Cache::open(dir.path()).unwrap();
        let bar = indicatif::ProgressBar::hidden();
        let inputs: Vec<String> = ["a", "bb", "ccc", "dddd"].map(String::from).to_vec();
        let err = run_cached(
            &mut cache,
            &key(),
            None,
            &inputs,
            2,
            &bar,
            || Ok(()),
            |_, texts| {
                if texts.contains(&"ccc".to_string()) {
                    Err(crate::Error::Usage("boom".into()))
                } else {
                    Ok(texts.to_vec())
                }
            },
        );
        assert!(err.is_err());
        assert_eq!(
            cache.get_many(&key(), &inputs).unwrap(),
            vec![Some("a".into()), Some("bb".into()), None, None]
        );
    }
}
