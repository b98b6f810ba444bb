//! Sharded runs for schedulers people already have (Kubernetes Indexed Jobs, Slurm arrays, GNU parallel): shard
//! I of N does the model work for the articles whose id falls in it and writes `shard-I-of-N.jsonl`; `merge`
//! checks that all N are there, complete and made alike, and assembles the brief from them.
//!
//! Every shard reads the whole folder (reading is cheap next to the models), so all shards agree on the period's
//! articles, their order and the skipped files; only the model work is split. A shard file is one JSON header
//! line ([`ShardHeader`]: the shard, the command that made it, what must match across shards, its run report)
//! followed by one [`ArticleResult`] per line. A shard that fails writes `shard-I-of-N.failed.json` instead, so
//! `merge` can say what went wrong and print the command that re-runs it; a re-run reuses that shard's cache.
use crate::assemble::{assemble, brief_title, has_untranslated_sides, models_used, ArticleResult};
use crate::brief::{Brief, Period};
use crate::models::extractive::ExtractiveSummarizer;
use crate::models::Summarizer;
use crate::output::write_all_atomic;
use crate::pipeline::{self, BriefOptions, StageContext};
use crate::progress::{Bar, Progress};
use crate::report::Report;
use crate::stage::StageReport;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Instant;

/// Version of the shard file format; `merge` refuses other versions.
pub const FORMAT: u32 = 1;

/// Shard `index` of `count` (0-based: `0/3`, `1/3`, `2/3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ShardSpec {
    pub index: usize,
    pub count: usize,
}

impl FromStr for ShardSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<ShardSpec, String> {
        let bad = || format!("--shard {s}: expected I/N with 0 ≤ I < N, e.g. 0/3");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            i.trim().parse::<usize>().map_err(|_| bad())?,
            n.trim().parse::<usize>().map_err(|_| bad())?,
        );
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(ShardSpec { index, count })
    }
}

impl fmt::Display for ShardSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl ShardSpec {
    /// Whether the article with this id is this shard's: the id's leading 64 bits modulo the shard count.
    pub fn contains(&self, article_id: &str) -> bool {
        let hash = match u64::from_str_radix(article_id.get(..16).unwrap_or(article_id), 16) {
            Ok(h) => h,
            Err(_) => {
                let d = Sha256::digest(article_id.as_bytes());
                u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
            }
        };
        hash % self.count as u64 == self.index as u64
    }

    /// `shard-I-of-N`, the stem of this shard's files.
    pub fn stem(&self) -> String {
        format!("shard-{}-of-{}", self.index, self.count)
    }

    /// The results file in `dir`.
    pub fn results_path(&self, dir: &Path) -> PathBuf {
        dir.join(format!("{}.jsonl", self.stem()))
    }

    /// The run report in `dir`.
    pub fn report_path(&self, dir: &Path) -> PathBuf {
        dir.join(format!("{}.report.json", self.stem()))
    }

    /// The failure record in `dir`.
    pub fn failure_path(&self, dir: &Path) -> PathBuf {
        dir.join(format!("{}.failed.json", self.stem()))
    }
}

/// Shard I's cache: the `shard-I` folder of the cache folder, so shards running at once never share a database
/// (SQLite's locks are not to be trusted on network volumes) and a re-run of shard I finds what it stored.
pub fn cache_dir(base: &Path, spec: ShardSpec) -> PathBuf {
    base.join(format!("shard-{}", spec.index))
}

/// What must be the same in every shard of one brief.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunIdentity {
    pub tandem_version: String,
    pub articles_dir: PathBuf,
    pub period: Option<Period>,
    pub include_undated: bool,
    /// How articles were read (language, size limit, near-duplicate threshold).
    pub ingest: String,
    pub engine: String,
    /// Per role: the model's name, fingerprint and settings, or `not installed`.
    pub models: BTreeMap<String, String>,
    /// SHA-256 of the period's articles (ids and paths, in order), the skipped files and the left-out ones.
    pub inputs: String,
    /// Articles in the period, all shards together.
    pub articles: usize,
}

/// The first line of a shard file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardHeader {
    pub tandem_shard: u32,
    pub shard: ShardSpec,
    /// The command line that made the shard (re-run it to remake the shard), and the folder it ran in.
    pub command: Vec<String>,
    #[serde(default)]
    pub working_dir: Option<PathBuf>,
    pub run: RunIdentity,
    /// Results in this shard (lines after the header).
    pub articles: usize,
    pub report: Report,
}

/// `shard-I-of-N.failed.json`: a shard that stopped on an error.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardFailure {
    pub tandem_shard: u32,
    pub shard: ShardSpec,
    pub command: Vec<String>,
    #[serde(default)]
    pub working_dir: Option<PathBuf>,
    pub error: String,
}

/// A finished shard: its header and its articles' results.
#[derive(Debug)]
pub struct ShardRun {
    pub header: ShardHeader,
    pub results: Vec<ArticleResult>,
}

/// Runs the model stages for shard `spec` of the period's articles. `command` is recorded so a lost shard can be
/// re-run exactly. The cache is the `shard-I` folder of `opts.cache_dir` ([`cache_dir`]).
pub fn run_shard(
    opts: &BriefOptions,
    spec: ShardSpec,
    command: Vec<String>,
    progress: &Progress,
) -> Result<ShardRun> {
    let mut ctx = StageContext::open(
        &opts.models_dir,
        opts.cache_dir
            .as_deref()
            .map(|d| cache_dir(d, spec))
            .as_deref(),
        opts.device,
        opts.engine,
        progress.clone(),
    )?;
    let selection = pipeline::select_articles_with(opts, progress)?;
    let run = RunIdentity {
        tandem_version: env!("CARGO_PKG_VERSION").to_string(),
        articles_dir: opts.articles_dir.clone(),
        period: opts.period.clone(),
        include_undated: opts.include_undated,
        ingest: format!("{:?}", opts.ingest),
        engine: opts.engine.to_string(),
        models: model_identities(&ctx)?,
        inputs: inputs_digest(&selection),
        articles: selection.articles.len(),
    };
    let mut stages = vec![selection.stage.clone()];
    let mine: Vec<_> = selection
        .articles
        .into_iter()
        .enumerate()
        .filter(|(_, a)| spec.contains(&a.id))
        .collect();
    let results = pipeline::process_articles(&mut ctx, mine, &mut stages)?;
    let report = Report {
        tandem_version: env!("CARGO_PKG_VERSION").to_string(),
        articles_dir: opts.articles_dir.clone(),
        period: opts.period.clone(),
        articles_read: selection.articles_read,
        articles_selected: run.articles,
        items: 0,
        skipped: selection.skipped,
        left_out: selection.left_out,
        stages,
        compute: crate::models::compute_description(opts.engine),
        models: models_used(
            &results.iter().collect::<Vec<_>>(),
            &ExtractiveSummarizer::default().model_name(),
        ),
        missing_models: ctx.models.missing_messages(),
        cache: ctx.cache.path().map(Path::to_path_buf),
        shard: Some(ShardShare {
            shard: spec,
            articles: results.len(),
        }),
    };
    Ok(ShardRun {
        header: ShardHeader {
            tandem_shard: FORMAT,
            shard: spec,
            command,
            working_dir: std::env::current_dir().ok(),
            run,
            articles: results.len(),
            report,
        },
        results,
    })
}

/// A shard's part of the work, recorded in its run report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardShare {
    pub shard: ShardSpec,
    /// Articles whose model work this shard did.
    pub articles: usize,
}

fn model_identities(ctx: &StageContext) -> Result<BTreeMap<String, String>> {
    Ok(ctx
        .identities()?
        .into_iter()
        .map(|(role, identity)| {
            let value = identity.unwrap_or_else(|| "not installed".to_string());
            (role.name().to_string(), value)
        })
        .collect())
}

fn inputs_digest(selection: &pipeline::Selection) -> String {
    let mut h = Sha256::new();
    for a in &selection.articles {
        h.update(format!("article\t{}\t{}\n", a.id, a.path.display()));
    }
    for f in &selection.skipped {
        h.update(format!("skipped\t{}\t{}\n", f.path.display(), f.reason));
    }
    for l in &selection.left_out {
        h.update(format!("left out\t{}\t{}\n", l.path.display(), l.reason));
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes the shard's results and report into `dir` (each file complete before it appears) and removes a failure
/// record an earlier run of the same shard left. Returns the files written.
pub fn write_shard(dir: &Path, shard: &ShardRun) -> Result<Vec<PathBuf>> {
    let spec = shard.header.shard;
    let mut lines = json_line("shard header", &shard.header)?;
    lines.push('\n');
    for r in &shard.results {
        lines.push_str(&json_line("shard result", r)?);
        lines.push('\n');
    }
    let report =
        serde_json::to_string_pretty(&shard.header.report).map_err(|source| Error::Json {
            context: "shard report".into(),
            source,
        })? + "\n";
    let files = vec![
        (spec.results_path(dir), lines.into_bytes()),
        (spec.report_path(dir), report.into_bytes()),
    ];
    write_all_atomic(&files)?;
    let failed = spec.failure_path(dir);
    if failed.exists() {
        std::fs::remove_file(&failed).map_err(|e| Error::io(&failed, e))?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

/// Records that shard `spec` failed with `error`, so `merge` can report it with the command to re-run.
pub fn write_failure(dir: &Path, spec: ShardSpec, command: &[String], error: &str) -> Result<()> {
    let failure = ShardFailure {
        tandem_shard: FORMAT,
        shard: spec,
        command: command.to_vec(),
        working_dir: std::env::current_dir().ok(),
        error: error.to_string(),
    };
    let text = serde_json::to_string_pretty(&failure).map_err(|source| Error::Json {
        context: "shard failure".into(),
        source,
    })? + "\n";
    crate::output::write_atomic(&spec.failure_path(dir), text.as_bytes())
}

fn json_line<T: Serialize>(context: &str, value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|source| Error::Json {
        context: context.to_string(),
        source,
    })
}

/// A merged brief and its report.
#[derive(Debug)]
pub struct Merged {
    pub brief: Brief,
    pub report: Report,
    pub untranslated_sides: bool,
}

/// What `merge` found for one shard index.
enum Found {
    Results(Box<ShardHeader>, Vec<ArticleResult>),
    Failed(ShardFailure),
    Unreadable(PathBuf, String),
}

/// Reads the shard files in `inputs` (folders holding `shard-I-of-N.*` files, or the files themselves), checks
/// that the N shards are all there, complete and made with the same inputs, models and settings, and assembles
/// the brief — byte-identical to a single-machine run. Every problem is reported at once
/// ([`Error::ShardsIncomplete`]), each with the command that re-runs the shard.
pub fn merge(inputs: &[PathBuf]) -> Result<Merged> {
    merge_with(inputs, &Progress::hidden())
}

/// [`merge`], with a bar over the bytes of the shard files it reads.
pub fn merge_with(inputs: &[PathBuf], progress: &Progress) -> Result<Merged> {
    let started = Instant::now();
    let files = shard_files(inputs)?;
    let total: u64 = files
        .values()
        .filter_map(|p| p.results.as_ref())
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let bar = progress.bytes("merge", total);
    let counts: std::collections::BTreeSet<usize> = files.keys().map(|s| s.count).collect();
    if counts.len() > 1 {
        let list: Vec<String> = counts.iter().map(|n| format!("N={n}")).collect();
        return Err(Error::Usage(format!(
            "shard files from runs with different shard counts ({}): merge one run's shards; keep each run in \
             its own folder",
            list.join(", ")
        )));
    }
    let Some(&count) = counts.first() else {
        let list: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::Usage(format!(
            "no shard files (shard-I-of-N.jsonl) in {}: run `tandem brief … --shard I/N` first",
            list.join(", ")
        )));
    };
    let mut found: BTreeMap<usize, Found> = BTreeMap::new();
    for (spec, paths) in &files {
        let state = match (&paths.results, &paths.failure) {
            (_, Some(failure)) => match read_json::<ShardFailure>(failure) {
                Ok(f) => Found::Failed(f),
                Err(e) => Found::Unreadable(failure.clone(), e),
            },
            (Some(results), None) => match read_shard(results, *spec, &bar) {
                Ok((h, r)) => Found::Results(Box::new(h), r),
                Err(e) => Found::Unreadable(results.clone(), e),
            },
            (None, None) => continue,
        };
        found.insert(spec.index, state);
    }
    // The command of any shard (and where it ran), to rebuild another's.
    let template: Option<(Vec<String>, Option<PathBuf>)> = found.values().find_map(|f| match f {
        Found::Results(h, _) => Some((h.command.clone(), h.working_dir.clone())),
        Found::Failed(f) => Some((f.command.clone(), f.working_dir.clone())),
        Found::Unreadable(..) => None,
    });
    let reference = found.values().find_map(|f| match f {
        Found::Results(h, _) => Some(h.as_ref().clone()),
        _ => None,
    });
    let rerun = |index: usize| -> String {
        match &template {
            Some((cmd, dir)) => rerun_line(&with_shard(cmd, ShardSpec { index, count }), dir.as_deref()),
            None => format!("tandem brief <articles> --out <dir> --shard {index}/{count} (the same options as the other shards)"),
        }
    };
    let mut problems = Vec::new();
    let mut results: Vec<ArticleResult> = Vec::new();
    let mut shard_stages: Vec<Vec<StageReport>> = Vec::new();
    for index in 0..count {
        let problem = match found.remove(&index) {
            None => Some("missing (no shard file)".to_string()),
            Some(Found::Failed(f)) => Some(format!("failed: {}", f.error)),
            Some(Found::Unreadable(path, e)) => Some(format!("unreadable {}: {e}", path.display())),
            Some(Found::Results(h, r)) => {
                let reference = reference.as_ref().expect("a readable shard exists");
                let differs = differences(&reference.run, &h.run);
                if !differs.is_empty() {
                    Some(format!(
                        "made with other {} than shard {}",
                        differs.join(", "),
                        reference.shard
                    ))
                } else {
                    results.extend(r);
                    shard_stages.push(h.report.stages);
                    None
                }
            }
        };
        if let Some(p) = problem {
            problems.push(format!(
                "shard {index}/{count}: {p}\n    re-run: {}",
                rerun(index)
            ));
        }
    }
    bar.finish();
    if !problems.is_empty() {
        return Err(Error::ShardsIncomplete(problems));
    }
    let reference = reference.expect("all shards read");
    results.sort_by_key(|r| r.position);
    let positions_ok = results.len() == reference.run.articles
        && results.iter().enumerate().all(|(k, r)| r.position == k);
    if !positions_ok {
        return Err(Error::ShardsIncomplete(vec![format!(
            "the shards hold {} results for {} articles: re-run every shard of this run into a fresh folder",
            results.len(),
            reference.run.articles
        )]));
    }

    let first = &reference.report;
    let brief = assemble(
        &results,
        brief_title(reference.run.period.as_ref()),
        reference.run.period.clone(),
        first.skipped.clone(),
        &ExtractiveSummarizer::default().model_name(),
    );
    let mut stages = summed_stages(shard_stages);
    stages.push(StageReport::plain("merge", results.len(), started));
    let report = Report {
        tandem_version: env!("CARGO_PKG_VERSION").to_string(),
        articles_dir: reference.run.articles_dir.clone(),
        period: reference.run.period.clone(),
        articles_read: first.articles_read,
        articles_selected: reference.run.articles,
        items: brief.items.len(),
        skipped: brief.skipped.clone(),
        left_out: first.left_out.clone(),
        stages,
        models: brief.models.clone(),
        compute: first.compute.clone(),
        missing_models: first.missing_models.clone(),
        cache: None,
        shard: None,
    };
    Ok(Merged {
        untranslated_sides: has_untranslated_sides(&brief),
        brief,
        report,
    })
}

/// The shard files of one index.
#[derive(Debug, Default)]
struct ShardPaths {
    results: Option<PathBuf>,
    failure: Option<PathBuf>,
}

fn shard_files(inputs: &[PathBuf]) -> Result<BTreeMap<ShardSpec, ShardPaths>> {
    let mut files: BTreeMap<ShardSpec, ShardPaths> = BTreeMap::new();
    let mut add = |path: PathBuf| {
        let name = path.file_name().map(|n| n.to_string_lossy().to_string());
        if let Some((spec, failed)) = name.as_deref().and_then(parse_file_name) {
            let entry = files.entry(spec).or_default();
            if failed {
                entry.failure = Some(path);
            } else {
                entry.results = Some(path);
            }
        }
    };
    for input in inputs {
        if input.is_dir() {
            let entries = std::fs::read_dir(input).map_err(|e| Error::io(input, e))?;
            for entry in entries.flatten() {
                add(entry.path());
            }
        } else if input.is_file() {
            if parse_file_name(&input.file_name().unwrap_or_default().to_string_lossy()).is_none() {
                return Err(Error::Usage(format!(
                    "{}: not a shard file (shard-I-of-N.jsonl or shard-I-of-N.failed.json)",
                    input.display()
                )));
            }
            add(input.clone());
        } else {
            return Err(Error::Usage(format!(
                "{}: no such file or folder",
                input.display()
            )));
        }
    }
    Ok(files)
}

/// `shard-I-of-N.jsonl` → (I/N, false); `shard-I-of-N.failed.json` → (I/N, true).
fn parse_file_name(name: &str) -> Option<(ShardSpec, bool)> {
    let (stem, failed) = if let Some(s) = name.strip_suffix(".failed.json") {
        (s, true)
    } else {
        (name.strip_suffix(".jsonl")?, false)
    };
    let (i, n) = stem.strip_prefix("shard-")?.split_once("-of-")?;
    let spec: ShardSpec = format!("{i}/{n}").parse().ok()?;
    (spec.stem() == stem).then_some((spec, failed))
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

/// Reads one shard file: the header, then exactly `header.articles` results, all of this shard.
/// Reads one shard file; `bar` advances by the bytes of each line parsed.
fn read_shard(
    path: &Path,
    spec: ShardSpec,
    bar: &Bar,
) -> Result<(ShardHeader, Vec<ArticleResult>), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let mut lines = text.lines().inspect(|l| bar.advance(l.len() as u64 + 1));
    let header: ShardHeader = serde_json::from_str(lines.next().unwrap_or_default())
        .map_err(|e| format!("header: {e}"))?;
    if header.tandem_shard != FORMAT {
        return Err(format!(
            "shard format {} (this tandem reads {FORMAT}); re-run the shard with this tandem",
            header.tandem_shard
        ));
    }
    if header.shard != spec {
        return Err(format!(
            "the file is named {} but holds shard {}",
            spec.stem(),
            header.shard
        ));
    }
    let mut results = Vec::with_capacity(header.articles);
    for (k, line) in lines.enumerate() {
        let r: ArticleResult =
            serde_json::from_str(line).map_err(|e| format!("line {}: {e}", k + 2))?;
        if !spec.contains(&r.source.id) {
            return Err(format!(
                "line {}: article {} is not in shard {spec}",
                k + 2,
                r.source.id
            ));
        }
        results.push(r);
    }
    if results.len() != header.articles {
        return Err(format!(
            "{} results, the header says {} (truncated?)",
            results.len(),
            header.articles
        ));
    }
    Ok((header, results))
}

/// The fields of `b` that differ from `a`.
fn differences(a: &RunIdentity, b: &RunIdentity) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |name: &str, same: bool| {
        if !same {
            out.push(name.to_string());
        }
    };
    check("tandem version", a.tandem_version == b.tandem_version);
    check("articles folder", a.articles_dir == b.articles_dir);
    check(
        "period",
        a.period == b.period && a.include_undated == b.include_undated,
    );
    check("ingest options", a.ingest == b.ingest);
    check("engine", a.engine == b.engine);
    for (role, model) in &a.models {
        check(&format!("{role} model"), b.models.get(role) == Some(model));
    }
    check(
        "articles (the folder changed between shards)",
        a.inputs == b.inputs && a.articles == b.articles,
    );
    out
}

/// `command` with its `--shard` value set to `spec` (added when absent).
fn with_shard(command: &[String], spec: ShardSpec) -> Vec<String> {
    let mut out = Vec::with_capacity(command.len() + 2);
    let mut replaced = false;
    let mut args = command.iter();
    while let Some(arg) = args.next() {
        if arg == "--shard" {
            out.push(arg.clone());
            out.push(spec.to_string());
            args.next();
            replaced = true;
        } else if arg.starts_with("--shard=") {
            out.push(format!("--shard={spec}"));
            replaced = true;
        } else {
            out.push(arg.clone());
        }
    }
    if !replaced {
        out.push("--shard".into());
        out.push(spec.to_string());
    }
    out
}

/// The command as one line a POSIX shell reads back as the same words.
fn shell_line(command: &[String]) -> String {
    shlex::try_join(command.iter().map(String::as_str)).unwrap_or_else(|_| command.join(" "))
}

/// The command as one shell line, run from the folder the shard ran in (its paths may be relative to it).
fn rerun_line(command: &[String], dir: Option<&Path>) -> String {
    match dir {
        Some(dir) => format!(
            "cd {} && {}",
            shell_line(&[dir.display().to_string()]),
            shell_line(command)
        ),
        None => shell_line(command),
    }
}

/// Each stage's work summed over the shards, in the order stages first appear.
fn summed_stages(shards: Vec<Vec<StageReport>>) -> Vec<StageReport> {
    let mut stages: Vec<StageReport> = Vec::new();
    for s in shards.into_iter().flatten() {
        match stages.iter_mut().find(|t| t.stage == s.stage) {
            Some(t) => {
                t.inputs += s.inputs;
                t.cache_hits += s.cache_hits;
                t.model_calls += s.model_calls;
                t.failed += s.failed;
                t.seconds += s.seconds;
                t.model = t.model.take().or(s.model);
            }
            None => stages.push(s),
        }
    }
    stages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_specs_parse_and_split_ids_evenly() {
        let spec: ShardSpec = "1/3".parse().unwrap();
        assert_eq!(spec, ShardSpec { index: 1, count: 3 });
        assert_eq!(spec.to_string(), "1/3");
        for bad in ["3/3", "1", "a/3", "0/0", "-1/3"] {
            assert!(bad.parse::<ShardSpec>().is_err(), "{bad}");
        }
        let ids: Vec<String> = (0..300u32)
            .map(|k| {
                let d = Sha256::digest(k.to_le_bytes());
                d[..8].iter().map(|b| format!("{b:02x}")).collect()
            })
            .collect();
        let mut sizes = [0; 3];
        for id in &ids {
            let owners: Vec<usize> = (0..3)
                .filter(|&i| ShardSpec { index: i, count: 3 }.contains(id))
                .collect();
            assert_eq!(owners.len(), 1, "every article is in exactly one shard");
            sizes[owners[0]] += 1;
        }
        assert!(sizes.iter().all(|&n| (70..=130).contains(&n)), "{sizes:?}");
        assert!(ShardSpec { index: 0, count: 1 }.contains("not-hex"));
    }

    #[test]
    fn file_names_round_trip_and_others_are_ignored() {
        let spec = ShardSpec { index: 2, count: 5 };
        assert_eq!(parse_file_name("shard-2-of-5.jsonl"), Some((spec, false)));
        assert_eq!(
            parse_file_name("shard-2-of-5.failed.json"),
            Some((spec, true))
        );
        for other in [
            "shard-2-of-5.report.json",
            "shard-5-of-5.jsonl",
            "shard-02-of-5.jsonl",
            "brief.json",
        ] {
            assert_eq!(parse_file_name(other), None, "{other}");
        }
    }

    #[test]
    fn the_rerun_command_is_the_shards_own_with_its_index() {
        let cmd: Vec<String> = [
            "tandem",
            "brief",
            "my articles",
            "--shard",
            "0/3",
            "--out",
            "o",
        ]
        .map(String::from)
        .to_vec();
        let spec = ShardSpec { index: 2, count: 3 };
        assert_eq!(
            shell_line(&with_shard(&cmd, spec)),
            "tandem brief 'my articles' --shard 2/3 --out o"
        );
        assert_eq!(
            rerun_line(&with_shard(&cmd, spec), Some(Path::new("/work dir"))),
            "cd '/work dir' && tandem brief 'my articles' --shard 2/3 --out o"
        );
        let eq: Vec<String> = ["tandem", "brief", "a", "--shard=1/3"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            shell_line(&with_shard(&eq, spec)),
            "tandem brief a '--shard=2/3'"
        );
    }
}
