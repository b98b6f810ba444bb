//! Benchmark driver for tandem's engines (not part of `cargo test`'s run; bench/run.sh calls it).
//!
//! `bench_engine run --dir MODEL --arch marian|bart --engine rust-bert|tandem|tandem-fp16|tandem-int8
//!   --inputs inputs.json --key translate|summarize --beams 1,4 [--part I/N] [--threads T] --out result.json`
//! loads the model and generates for each beam setting as `tandem` does in a brief: the model folder's own
//! generation settings (generation_config.json / config.json: max_length, min_length, no_repeat_ngram, length
//! penalty, early stopping; only `num_beams` is overridden), inputs in the pipeline's length-sorted batches
//! ([`tandem::models::seq2seq::batches`] with the model's own batch size and token budget, 16 inputs / 4,096
//! tokens), every row ending at its own EOS. It writes the
//! timings, the peak RSS of this process and the generated ids (in input order). `--part I/N` keeps the inputs
//! whose index is I mod N (one of N workers side by side). `--batch-size B` replaces the model's 16 inputs per
//! batch (to measure batch size, and whether an output depends on its batch); `--workers W` replaces the
//! model's worker threads ([`tandem::models::seq2seq::Seq2Seq::generate_batches`], which runs the batches).
//!
//! `--tune-malloc` calls `tandem::engine::tune_allocator()` first (tandem's engine now does so itself at the first model
//! load; the flag still matters for `--engine rust-bert`).
//!
//! `bench_engine compare --dir MODEL --arch A a.json b.json` prints the token agreement and chrF (on decoded text)
//! between two runs' outputs, per beam setting.
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Instant;
use tandem::generation::GenerationSettings;
use tandem::models::manifest::{Architecture, Role};
use tandem::models::seq2seq::Seq2Seq;
use tandem::models::Engine;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn need(args: &[String], name: &str) -> anyhow::Result<String> {
    arg(args, name).ok_or_else(|| anyhow::anyhow!("missing {name}"))
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn load(args: &[String], engine: Engine) -> anyhow::Result<(Seq2Seq, Architecture)> {
    let dir = PathBuf::from(need(args, "--dir")?);
    let (arch, role) = match need(args, "--arch")?.as_str() {
        "marian" => (Architecture::Marian, Role::TranslateFrEn),
        "bart" => (Architecture::Bart, Role::SummarizeEn),
        other => anyhow::bail!("unknown --arch {other}"),
    };
    Ok((
        Seq2Seq::load_with_engine(role, arch, &dir, tch::Device::Cpu, engine)?,
        arch,
    ))
}

fn run(args: &[String]) -> anyhow::Result<()> {
    let engine: Engine = need(args, "--engine")?.parse()?;
    if args.iter().any(|a| a == "--tune-malloc") {
        anyhow::ensure!(
            tandem::engine::tune_allocator(),
            "mallopt refused a setting"
        );
    }
    if let Some(threads) = arg(args, "--threads") {
        tch::set_num_threads(threads.parse()?);
    }
    let inputs: Value = serde_json::from_str(&std::fs::read_to_string(need(args, "--inputs")?)?)?;
    let key = need(args, "--key")?;
    let all: Vec<Vec<i64>> = serde_json::from_value(inputs[&key].clone())?;
    let (part, parts) = match arg(args, "--part") {
        Some(p) => {
            let (i, n) = p
                .split_once('/')
                .ok_or_else(|| anyhow::anyhow!("--part wants I/N"))?;
            (i.parse::<usize>()?, n.parse::<usize>()?)
        }
        None => (0, 1),
    };
    let inputs: Vec<Vec<i64>> = all
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % parts == part)
        .map(|(_, r)| r)
        .collect();
    let beams: Vec<i64> = need(args, "--beams")?
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let started = Instant::now();
    let (mut model, _) = load(args, engine)?;
    if let Some(size) = arg(args, "--batch-size") {
        model.batch_size = size.parse()?;
    }
    if let Some(workers) = arg(args, "--workers") {
        model.workers = workers.parse()?;
    }
    let load_s = started.elapsed().as_secs_f64();
    let rss_after_load = peak_rss_mb();
    let mut runs = Vec::new();
    for &num_beams in &beams {
        let settings = GenerationSettings {
            num_beams,
            ..model.settings.clone()
        };
        let started = Instant::now();
        let rows: Vec<&[i64]> = inputs.iter().map(Vec::as_slice).collect();
        let ids = model.generate_batches(&rows, &settings, None)?;
        let seconds = started.elapsed().as_secs_f64();
        let generated: usize = ids.iter().map(|r: &Vec<i64>| r.len() - 1).sum();
        eprintln!(
            "{engine} {key} beams {num_beams}: {generated} tokens in {seconds:.2} s = {:.1} tok/s",
            generated as f64 / seconds
        );
        runs.push(json!({
            "beams": num_beams,
            "seconds": seconds,
            "tokens": generated,
            "items": inputs.len(),
            "settings": format!("{settings:?}"),
            "ids": ids,
        }));
    }
    let out = json!({
        "engine": engine.name(),
        "key": key,
        "batch": format!("{} inputs / {} tokens, length-sorted", model.batch_size, model.token_budget),
        "threads": tch::get_num_threads(),
        "workers": model.workers,
        "part": format!("{part}/{parts}"),
        "isa": tandem::engine::layers::cpu_isa(),
        "compute": tandem::models::compute_description(engine),
        "load_s": load_s,
        "rss_after_load_mb": rss_after_load,
        "peak_rss_mb": peak_rss_mb(),
        "runs": runs,
    });
    std::fs::write(need(args, "--out")?, serde_json::to_string(&out)?)?;
    Ok(())
}

fn compare(args: &[String]) -> anyhow::Result<()> {
    let (model, _) = load(args, Engine::RustBert)?;
    let files: Vec<&String> = args.iter().filter(|a| a.ends_with(".json")).collect();
    anyhow::ensure!(files.len() == 2, "compare needs two result files");
    let a: Value = serde_json::from_str(&std::fs::read_to_string(files[0])?)?;
    let b: Value = serde_json::from_str(&std::fs::read_to_string(files[1])?)?;
    let mut report = Vec::new();
    for (ra, rb) in a["runs"]
        .as_array()
        .into_iter()
        .flatten()
        .zip(b["runs"].as_array().into_iter().flatten())
    {
        let ia: Vec<Vec<i64>> = serde_json::from_value(ra["ids"].clone())?;
        let ib: Vec<Vec<i64>> = serde_json::from_value(rb["ids"].clone())?;
        let (mut same, mut total, mut rows_same) = (0usize, 0usize, 0usize);
        let mut pairs = Vec::new();
        for (x, y) in ia.iter().zip(&ib) {
            total += x.len().max(y.len());
            same += x.iter().zip(y).filter(|(p, q)| p == q).count();
            rows_same += usize::from(x == y);
            pairs.push((model.decode(x), model.decode(y)));
        }
        let chrf = tandem::metrics::chrf_corpus(&pairs);
        report.push(json!({
            "beams": ra["beams"],
            "token_agreement": same as f64 / total.max(1) as f64,
            "identical_rows": rows_same,
            "rows": ia.len(),
            "chrf": chrf,
        }));
    }
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("run") => run(&args),
        Some("compare") => compare(&args),
        _ => anyhow::bail!("usage: bench_engine run|compare ... (see the doc comment)"),
    }
}
