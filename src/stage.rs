//! A model stage behind the cache: looks every input up, loads the model only when something is missing, sends
//! each distinct missing text to it once, and stores the results a chunk at a time, so an interrupted run keeps
//! what it finished. Counts cache hits and model calls for the run report.
//!
//! A model call that fails or panics fails only its own texts: the chunk is retried text by text, the texts
//! that fail alone come back as an [`Outcome`] error with the reason (a panic says it is a bug and how to report
//! it), and the others go on. Loading the model, and the cache itself, still fail the stage.
use crate::cache::{Cache, StageKey};
use crate::progress::Bar;
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
    /// Distinct texts the model failed on (each reported with its article).
    #[serde(default)]
    pub failed: usize,
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
            failed: 0,
            seconds: started.elapsed().as_secs_f64(),
        }
    }
}

/// One input's output, or why the model could not make it.
pub type Outcome = std::result::Result<String, String>;

/// Runs `call` on the inputs the cache does not hold, `chunk` distinct texts at a time (shortest first, so
/// batches waste little padding), storing each chunk's outputs in one transaction. `load` runs only when there
/// is something to compute. Once it has, `bar` gets the length `measure` gives for all the texts to compute (the
/// chunks the model will generate), before the first call, so its ETA covers the whole stage; the model advances
/// it. Returns one outcome per input, in order: a text the model fails on (an error, a panic, or no output for it)
/// is an `Err` with the reason; the rest go on.
#[allow(clippy::too_many_arguments)]
pub fn run_cached<M>(
    cache: &mut Cache,
    key: &StageKey,
    model_name: Option<String>,
    inputs: &[String],
    chunk: usize,
    bar: &Bar,
    load: impl FnOnce() -> Result<M>,
    measure: impl FnOnce(&M, &[String]) -> u64,
    mut call: impl FnMut(&mut M, &[String]) -> Result<Vec<String>>,
) -> Result<(Vec<Outcome>, StageReport)> {
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
    let mut outputs: Vec<Option<Outcome>> = cache
        .get_many(key, &distinct)?
        .into_iter()
        .map(|o| o.map(Ok))
        .collect();
    let mut missing: Vec<usize> = (0..distinct.len())
        .filter(|&i| outputs[i].is_none())
        .collect();
    let hits = distinct.len() - missing.len();
    tracing::info!(
        stage = %key.stage,
        inputs = inputs.len(),
        distinct = distinct.len(),
        cache_hits = hits,
        cache_misses = missing.len(),
        "stage start"
    );
    missing.sort_by_key(|&i| (distinct[i].chars().count(), i));
    let mut failed = 0;
    if !missing.is_empty() {
        tracing::info!(stage = %key.stage, model = %key.model, settings = %key.settings, "loading the model");
        let mut model = load()?;
        let to_compute: Vec<String> = missing.iter().map(|&i| distinct[i].clone()).collect();
        bar.add_length(measure(&model, &to_compute));
        for part in missing.chunks(chunk.max(1)) {
            let texts: Vec<String> = part.iter().map(|&i| distinct[i].clone()).collect();
            let made: Vec<Outcome> = match guarded(&mut model, &mut call, &texts) {
                Ok(made) => made.into_iter().map(Ok).collect(),
                // One text alone: its own failure. Several: find which fail, one at a time.
                Err(reason) if texts.len() == 1 => vec![Err(reason)],
                Err(_) => texts
                    .iter()
                    .map(|t| {
                        guarded(&mut model, &mut call, std::slice::from_ref(t))
                            .and_then(|mut one| one.pop().ok_or_else(|| "no output".to_string()))
                    })
                    .collect(),
            };
            let pairs: Vec<(&str, &str)> = texts
                .iter()
                .zip(&made)
                .filter_map(|(t, m)| Some((t.as_str(), m.as_deref().ok()?)))
                .collect();
            cache.put_many(key, &pairs)?;
            for (&i, out) in part.iter().zip(made) {
                if let Err(reason) = &out {
                    failed += 1;
                    tracing::warn!(stage = %key.stage, %reason, "model failed on a text");
                }
                outputs[i] = Some(out);
            }
        }
    }
    let report = StageReport {
        stage: key.stage.clone(),
        model: model_name,
        inputs: inputs.len(),
        cache_hits: hits,
        model_calls: missing.len(),
        failed,
        seconds: started.elapsed().as_secs_f64(),
    };
    tracing::info!(
        stage = %report.stage,
        computed = report.model_calls,
        failed = report.failed,
        seconds = report.seconds,
        "stage done"
    );
    let outputs = index
        .into_iter()
        .map(|i| {
            outputs[i]
                .clone()
                .unwrap_or_else(|| Err("no output was made for this text".to_string()))
        })
        .collect();
    Ok((outputs, report))
}

/// Calls the model on `texts`, turning an error, a panic, or a wrong number of outputs into the reason.
fn guarded<M>(
    model: &mut M,
    call: &mut impl FnMut(&mut M, &[String]) -> Result<Vec<String>>,
    texts: &[String],
) -> std::result::Result<Vec<String>, String> {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| call(model, texts)));
    match result {
        Ok(Ok(made)) if made.len() == texts.len() => Ok(made),
        Ok(Ok(made)) => Err(format!(
            "the model returned {} output(s) for {} text(s)",
            made.len(),
            texts.len()
        )),
        Ok(Err(e)) => Err(e.to_string()),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("no message");
            Err(format!(
                "tandem bug: the model code panicked ({message}); please report it with this article and the \
                 output of `tandem --version`"
            ))
        }
    }
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
        let bar = Bar::hidden();
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
            |_, texts| texts.len() as u64,
            |_, texts| {
                seen.extend(texts.iter().cloned());
                Ok(texts.iter().map(|t| t.to_uppercase()).collect())
            },
        )
        .unwrap();
        let out: Vec<String> = out.into_iter().map(Result::unwrap).collect();
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
            |_, texts| texts.len() as u64,
            |_, texts| Ok(texts.iter().map(|t| format!("<{t}>")).collect()),
        )
        .unwrap();
        assert!(loaded);
        assert_eq!(out, [Ok("CCC".to_string()), Ok("<dd>".to_string())]);
        assert_eq!((report.cache_hits, report.model_calls), (1, 1));
    }

    /// The bar's length is what `measure` says of every text to compute, set before the first call; the stage
    /// itself does not step it (the model does, per generation batch).
    #[test]
    fn the_bar_gets_the_whole_measured_length_before_the_first_call() {
        use crate::progress::{Progress, Step};
        let dir = tempfile::tempdir().unwrap();
        let mut cache = Cache::open(dir.path()).unwrap();
        cache.put_many(&key(), &[("cached", "C")]).unwrap();
        let (progress, record) = Progress::recording(true);
        let bar = progress.stage("s");
        let inputs: Vec<String> = ["a", "bb", "cached", "ccc"].map(String::from).to_vec();
        let model_bar = bar.clone();
        run_cached(
            &mut cache,
            &key(),
            None,
            &inputs,
            2,
            &bar,
            || Ok(()),
            |_, texts| 10 * texts.len() as u64,
            |_, texts| {
                model_bar.advance(10 * texts.len() as u64);
                Ok(texts.to_vec())
            },
        )
        .unwrap();
        assert_eq!(
            record.of("s"),
            [
                Step::Shown(true),
                Step::Length(30),
                Step::Advance(20),
                Step::Advance(10)
            ]
        );
    }

    #[test]
    fn the_model_is_not_loaded_when_everything_is_cached() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = Cache::open(dir.path()).unwrap();
        cache.put_many(&key(), &[("x", "X")]).unwrap();
        let bar = Bar::hidden();
        let (out, report) = run_cached(
            &mut cache,
            &key(),
            None,
            &["x".to_string()],
            8,
            &bar,
            || -> Result<()> { panic!("loaded a model for cached work") },
            |_, _| unreachable!(),
            |_, _| unreachable!(),
        )
        .unwrap();
        assert_eq!(out, [Ok("X".to_string())]);
        assert_eq!(report.model_calls, 0);
    }

    /// A text the model errs or panics on fails alone: its chunk is retried text by text, the others are made
    /// and cached, the failure is not cached, and the panic's reason says it is a bug.
    #[test]
    fn a_failing_text_fails_alone_and_the_rest_go_on() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = Cache::open(dir.path()).unwrap();
        let bar = Bar::hidden();
        let inputs: Vec<String> = ["a", "bb", "ccc", "dddd", "eeeee"]
            .map(String::from)
            .to_vec();
        let mut calls = Vec::new();
        let (out, report) = run_cached(
            &mut cache,
            &key(),
            None,
            &inputs,
            2,
            &bar,
            || Ok(()),
            |_, texts| texts.len() as u64,
            |_, texts| {
                calls.push(texts.len());
                if texts.contains(&"ccc".to_string()) {
                    Err(crate::Error::Usage("boom".into()))
                } else if texts.contains(&"eeeee".to_string()) {
                    panic!("index out of bounds");
                } else if texts.contains(&"bb".to_string()) {
                    Ok(Vec::new()) // a short output is a failure, not an empty translation
                } else {
                    Ok(texts.to_vec())
                }
            },
        )
        .unwrap();
        assert_eq!(out[0], Ok("a".to_string()));
        assert_eq!(out[3], Ok("dddd".to_string()));
        assert!(out[1].as_ref().unwrap_err().contains("0 output(s) for 1"));
        assert_eq!(out[2], Err("boom".to_string()));
        let panicked = out[4].as_ref().unwrap_err();
        assert!(panicked.contains("tandem bug") && panicked.contains("index out of bounds"));
        assert_eq!(report.failed, 3);
        assert_eq!(
            calls,
            [2, 1, 1, 2, 1, 1, 1],
            "failing chunks retried text by text"
        );
        assert_eq!(
            cache.get_many(&key(), &inputs).unwrap(),
            vec![Some("a".into()), None, None, Some("dddd".into()), None]
        );
    }
}
