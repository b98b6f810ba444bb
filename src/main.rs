//! The `tandem` command line: parses arguments, calls the library, prints. Each command is one function.
//!
//! Exit status: 0 done; 1 error (nothing written); 2 bad usage; 3 outputs written but some articles failed;
//! 4 outputs written but some sides are untranslated because a translation model is not installed;
//! 5 (`compare`) a score fell below a `--min` bar; 6 (`merge`) a shard is missing, failed or was made differently
//! (each is listed with the command that re-runs it).
use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tandem::brief::render;
use tandem::lang::Lang;
use tandem::models::manifest::{self, Manifest, Role};
use tandem::models::{Architecture, Engine};
use tandem::output::write_all_atomic;
use tandem::pipeline::{self, BriefOptions};
use tandem::progress::Progress;
use tandem::shard::{self, ShardSpec};

const EXIT_USAGE: u8 = 2;
const EXIT_SOME_FAILED: u8 = 3;
const EXIT_UNTRANSLATED: u8 = 4;
const EXIT_BELOW_MIN: u8 = 5;
const EXIT_SHARDS_INCOMPLETE: u8 = 6;

#[derive(Parser)]
#[command(
    name = "tandem",
    version,
    about = "Aligned English/French news briefs from a folder of articles"
)]
struct Cli {
    /// Folder holding the models (see `tandem models`).
    #[arg(long, global = true, env = "TANDEM_MODELS", default_value = "models")]
    models_dir: PathBuf,
    /// No progress bars.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Folder of the cache of model outputs [default: $XDG_CACHE_HOME/tandem or ~/.cache/tandem].
    #[arg(long, global = true, env = "TANDEM_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
    /// Run without the cache: every text goes through the models, nothing is stored.
    #[arg(long, global = true)]
    no_cache: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Summarize and translate a folder of articles into an aligned EN/FR brief.
    Brief(BriefArgs),
    /// Make the brief from the shard files of `tandem brief --shard I/N` runs (checks that all N are there and
    /// were made alike; the brief is the same as one run over all the articles).
    Merge(MergeArgs),
    /// Show how one article file is ingested: cleaned text, metadata and where it came from, dropped lines and why;
    /// with --tokens, how each installed model sees it instead.
    Inspect {
        /// An article file (.txt, .md, .html).
        file: PathBuf,
        /// Each text the installed models are given of the article (title, sentences, the summarizer's input),
        /// its token ids and count, and where the model's token budget cuts it. Reads the models' tokenizer and
        /// config only, never the weights.
        #[arg(long)]
        tokens: bool,
        /// With --tokens: print JSON instead of text.
        #[arg(long, requires = "tokens")]
        json: bool,
    },
    /// Translate whole articles (a file or a folder) into bilingual Markdown and JSON, paragraph by paragraph.
    Translate(TranslateArgs),
    /// Score summaries A against references B (two brief.json files or two folders of summaries).
    Compare(CompareArgs),
    /// Show what the cache of model outputs holds, or empty it.
    Cache {
        #[command(subcommand)]
        action: CacheAction,
    },
    /// List the model roles and whether they are installed, or import a checkpoint.
    Models {
        #[command(subcommand)]
        action: Option<ModelsAction>,
    },
}

#[derive(clap::Args)]
struct BriefArgs {
    /// Folder of articles (*.txt; optional manifest.jsonl with urls).
    articles_dir: PathBuf,
    /// Output folder for brief.json, brief.en.md, brief.fr.md, brief.html and report.json (must not be inside the
    /// articles folder).
    #[arg(long)]
    out: PathBuf,
    /// Brief of one day: only articles published that day (YYYY-MM-DD).
    #[arg(long, conflicts_with_all = ["since", "until"])]
    date: Option<String>,
    /// Only articles published on or after this day (YYYY-MM-DD).
    #[arg(long)]
    since: Option<String>,
    /// Only articles published on or before this day (YYYY-MM-DD).
    #[arg(long)]
    until: Option<String>,
    /// With a date range, keep articles whose published date is unknown (they are left out by default).
    #[arg(long)]
    include_undated: bool,
    /// Days before a daily brief's own whose briefs (kept in --out/history/) its stories are linked to; 0 turns
    /// the links off. Only a brief of one day (--date) reads and keeps history.
    #[arg(long, value_name = "DAYS", default_value_t = tandem::brief::history::DEFAULT_WINDOW_DAYS)]
    history_days: u32,
    /// Do the model work for shard I of N only (0-based, e.g. 0/3) and write shard-I-of-N.jsonl and its report
    /// into --out instead of a brief; `tandem merge` makes the brief from all N. The shard's cache is the
    /// shard-I folder of the cache folder, so a re-run of shard I reuses it.
    #[arg(long, value_name = "I/N")]
    shard: Option<tandem::shard::ShardSpec>,
    #[command(flatten)]
    ingest: IngestArgs,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(clap::Args)]
struct MergeArgs {
    /// Folders holding shard-I-of-N.jsonl files (or the files themselves).
    #[arg(required = true)]
    shards: Vec<PathBuf>,
    /// Output folder for brief.json, brief.en.md, brief.fr.md, brief.html and report.json.
    #[arg(long)]
    out: PathBuf,
    /// Days before a daily brief's own whose briefs (kept in --out/history/) its stories are linked to; 0 turns
    /// the links off. Only a brief of one day (--date) reads and keeps history.
    #[arg(long, value_name = "DAYS", default_value_t = tandem::brief::history::DEFAULT_WINDOW_DAYS)]
    history_days: u32,
}

/// How articles are read.
#[derive(clap::Args)]
struct IngestArgs {
    /// Treat every article as this language instead of detecting it (en or fr).
    #[arg(long, value_parser = parse_lang)]
    lang: Option<Lang>,
    /// Files larger than this (in bytes) are skipped as not one article.
    #[arg(long, default_value_t = tandem::ingest::DEFAULT_MAX_ARTICLE_BYTES)]
    max_article_bytes: u64,
    /// Similarity (0–1, shared word 5-grams) from which an article is skipped as a near duplicate of an earlier
    /// one; above 1 turns near-duplicate detection off.
    #[arg(long, default_value_t = tandem::ingest::DEFAULT_NEAR_DUPLICATE)]
    near_duplicate: f64,
}

/// Where and with what the models run.
#[derive(clap::Args)]
struct RunArgs {
    /// Where to run the models.
    #[arg(long, value_enum, default_value_t = DeviceArg::Auto)]
    device: DeviceArg,
    /// What runs the models: tandem's engine (CPU; same tokens as transformers), its int8 variant (faster, close
    /// to but not identical with float), its fp16-weight variant (tandem-fp16: weights rounded to half precision,
    /// f32 activations), or rust-bert (the reference; CPU or CUDA).
    #[arg(long, default_value_t = Engine::default(), value_parser = parse_engine)]
    engine: Engine,
}

impl IngestArgs {
    fn options(&self) -> tandem::ingest::IngestOptions {
        tandem::ingest::IngestOptions {
            forced_lang: self.lang,
            max_article_bytes: self.max_article_bytes,
            near_duplicate_threshold: self.near_duplicate,
        }
    }
}

#[derive(clap::Args)]
struct TranslateArgs {
    /// An article file, or a folder of articles.
    input: PathBuf,
    /// Output folder for <name>.<lang>.md and <name>.<lang>.json (must not be inside the input folder).
    #[arg(long)]
    out: PathBuf,
    /// Target language (en or fr); by default each article goes to the other language.
    #[arg(long, value_parser = parse_lang)]
    to: Option<Lang>,
    #[command(flatten)]
    run: RunArgs,
    #[command(flatten)]
    ingest: IngestArgs,
}

#[derive(Subcommand)]
enum CacheAction {
    /// Entries per stage, distinct models, size on disk.
    Stats,
    /// Delete every entry.
    Clear,
}

#[derive(clap::Args)]
struct CompareArgs {
    /// Candidate summaries: a brief.json, or a folder of <id>.en.txt / <id>.fr.txt files.
    a: PathBuf,
    /// Reference summaries, in the same form.
    b: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Minimum overall scores, e.g. `rougeL=0.4,chrf=50` (ROUGE in 0–1, chrF and BLEU in 0–100); exit 5 below.
    #[arg(long)]
    min: Option<String>,
}

#[derive(Subcommand)]
enum ModelsAction {
    /// List each role: installed or missing, path, size, and how to install it.
    List,
    /// Convert a Hugging Face checkpoint folder into the folder tandem loads for a role.
    Import {
        /// Folder with config.json, model.safetensors (or pytorch_model.bin) and tokenizer files.
        hf_dir: PathBuf,
        /// The role it serves: translate-fr-en, translate-en-fr or summarize-en.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Where it came from (e.g. Helsinki-NLP/opus-mt-fr-en@main); recorded with the weights' hash.
        #[arg(long)]
        source: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum DeviceArg {
    /// CUDA when libtorch has it and a GPU is present, else CPU.
    Auto,
    Cpu,
    Cuda,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("unsupported language `{s}` (use en or fr)"))
}

fn parse_engine(s: &str) -> Result<Engine, String> {
    s.parse::<Engine>().map_err(|e| e.to_string())
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| {
        format!("unknown role `{s}` (use translate-fr-en, translate-en-fr or summarize-en)")
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        // plain text in log files and pipes; colours only on a terminal
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TANDEM_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let result = match &cli.command {
        Command::Brief(args) => match args.shard {
            Some(spec) => cmd_brief_shard(&cli, args, spec),
            None => cmd_brief(&cli, args),
        },
        Command::Merge(args) => cmd_merge(&cli, args),
        Command::Translate(args) => cmd_translate(&cli, args),
        Command::Compare(args) => cmd_compare(args),
        Command::Cache { action } => cmd_cache(&cli, action),
        Command::Inspect { file, tokens, json } => {
            cmd_inspect(file, *tokens, *json, &cli.models_dir)
        }
        Command::Models { action } => match action {
            None | Some(ModelsAction::List) => cmd_models_list(&cli.models_dir),
            Some(ModelsAction::Import {
                hf_dir,
                role,
                source,
            }) => cmd_models_import(&cli.models_dir, hf_dir, *role, source.as_deref()),
        },
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("tandem: error: {}", error_chain(&e));
            // Bad usage (an argument, a date, a folder) is 2, as clap's own parse errors: a scheduler can tell
            // it from a failure worth retrying.
            match e.downcast_ref::<tandem::Error>() {
                Some(tandem::Error::Usage(_)) => ExitCode::from(EXIT_USAGE),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

/// The error and its causes on one line, each cause once (tandem's errors already name their source).
fn error_chain(e: &anyhow::Error) -> String {
    let mut line = e.to_string();
    for cause in e.chain().skip(1) {
        let text = cause.to_string();
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
    }
    line
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The cache folder the user chose, the default one, or none (`--no-cache`).
fn cache_dir(cli: &Cli) -> Result<Option<PathBuf>> {
    if cli.no_cache {
        return Ok(None);
    }
    match cli.cache_dir.clone().or_else(tandem::cache::default_dir) {
        Some(dir) => Ok(Some(dir)),
        None => anyhow::bail!(
            "no cache folder: set --cache-dir (or TANDEM_CACHE_DIR), or pass --no-cache"
        ),
    }
}

fn device(arg: DeviceArg, engine: Engine) -> Result<tch::Device> {
    let cpu_only = engine != Engine::RustBert;
    Ok(match arg {
        DeviceArg::Auto if cpu_only => tch::Device::Cpu,
        DeviceArg::Auto => tch::Device::cuda_if_available(),
        DeviceArg::Cpu => tch::Device::Cpu,
        DeviceArg::Cuda => {
            anyhow::ensure!(
                tch::Cuda::is_available(),
                "--device cuda: this libtorch build has no CUDA, or no GPU is visible; use --device cpu"
            );
            anyhow::ensure!(
                !cpu_only,
                "--device cuda: the {engine} engine runs on CPU only; use --engine rust-bert for CUDA"
            );
            tch::Device::Cuda(0)
        }
    })
}

/// What `tandem brief` was asked to do, checked.
fn brief_options(cli: &Cli, args: &BriefArgs) -> Result<BriefOptions> {
    pipeline::check_out_dir(&args.articles_dir, &args.out)?;
    let period = tandem::select::period(
        args.date.as_deref(),
        args.since.as_deref(),
        args.until.as_deref(),
    )?;
    Ok(BriefOptions {
        articles_dir: args.articles_dir.clone(),
        models_dir: cli.models_dir.clone(),
        period,
        include_undated: args.include_undated,
        ingest: args.ingest.options(),
        device: device(args.run.device, args.run.engine)?,
        engine: args.run.engine,
        cache_dir: cache_dir(cli)?,
    })
}

/// `tandem brief`: runs the pipeline, writes brief.json, brief.en.md, brief.fr.md, brief.html and report.json
/// (each complete before any replaces the previous one), and prints the run summary.
fn cmd_brief(cli: &Cli, args: &BriefArgs) -> Result<ExitCode> {
    let opts = brief_options(cli, args)?;
    tandem::output::remove_stale_temporaries(&args.out)?;
    let run = pipeline::run_brief(&opts, &Progress::new(cli.quiet))?;
    write_brief(
        &args.out,
        run.brief,
        run.report,
        run.untranslated_sides,
        args.history_days,
    )
}

/// `tandem brief --shard I/N`: the model work for one shard, written as shard-I-of-N.jsonl and its report. A
/// failure is recorded beside them (shard-I-of-N.failed.json) for `tandem merge` to report.
fn cmd_brief_shard(cli: &Cli, args: &BriefArgs, spec: ShardSpec) -> Result<ExitCode> {
    let command: Vec<String> = std::env::args().collect();
    let opts = brief_options(cli, args)?;
    // other shards may be writing into the same folder: only this shard's leftovers go
    let own: Vec<String> = [
        spec.results_path(&args.out),
        spec.report_path(&args.out),
        spec.failure_path(&args.out),
    ]
    .iter()
    .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
    .collect();
    tandem::output::remove_stale_temporaries_of(&args.out, &own)?;
    let run = match shard::run_shard(&opts, spec, command.clone(), &Progress::new(cli.quiet)) {
        Ok(run) => run,
        Err(e) => {
            // write_failure creates --out when needed (checked above to be outside the articles folder)
            if let Err(w) = shard::write_failure(&args.out, spec, &command, &e.to_string()) {
                eprintln!(
                    "tandem: could not record the failure in {}: {w}",
                    args.out.display()
                );
            }
            return Err(e.into());
        }
    };
    let written = shard::write_shard(&args.out, &run)?;
    let mut err = std::io::stderr().lock();
    write!(err, "{}", run.header.report.summary())?;
    let names: Vec<String> = written
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
        .collect();
    writeln!(
        err,
        "tandem: shard {spec}: {} of {} article(s) processed; wrote {} in {}",
        run.header.articles,
        run.header.run.articles,
        names.join(", "),
        args.out.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `tandem merge`: the brief from all the shards, as `tandem brief` writes it.
fn cmd_merge(cli: &Cli, args: &MergeArgs) -> Result<ExitCode> {
    let merged = match shard::merge_with(&args.shards, &Progress::new(cli.quiet)) {
        Ok(m) => m,
        Err(e @ tandem::Error::ShardsIncomplete(_)) => {
            eprintln!("tandem: {e}");
            return Ok(ExitCode::from(EXIT_SHARDS_INCOMPLETE));
        }
        Err(e) => return Err(e.into()),
    };
    tandem::output::remove_stale_temporaries(&args.out)?;
    write_brief(
        &args.out,
        merged.brief,
        merged.report,
        merged.untranslated_sides,
        args.history_days,
    )
}

/// Publishes brief.json, brief.en.md, brief.fr.md, brief.html and report.json in `out` as one set (all appear
/// at once, see `tandem::output::publish_set`), prints the run summary, and returns the exit status the brief calls for.
fn write_brief(
    out: &Path,
    mut brief: tandem::brief::Brief,
    mut report: tandem::report::Report,
    untranslated_sides: bool,
    history_days: u32,
) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let day = tandem::brief::history::apply(out, &mut brief, history_days);
    let brief = &brief;
    let files = [
        ("brief.json", render::to_json(brief)),
        ("brief.en.md", render::to_markdown(brief, Lang::En)),
        ("brief.fr.md", render::to_markdown(brief, Lang::Fr)),
        ("brief.html", tandem::brief::html::to_html(brief)),
    ];
    let mut outputs: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .map(|(name, text)| (name.to_string(), text.into_bytes()))
        .collect();
    report
        .stages
        .push(tandem::stage::StageReport::plain("render", 1, started));
    outputs.push((
        "report.json".to_string(),
        (serde_json::to_string_pretty(&report)? + "\n").into_bytes(),
    ));
    tandem::output::publish_set(out, &outputs)?;
    if let Some(day) = &day {
        tandem::brief::history::save(out, day, brief)?;
    }

    let names: Vec<String> = outputs.iter().map(|(n, _)| n.clone()).collect();
    let mut err = std::io::stderr().lock();
    write!(err, "{}", report.summary())?;
    writeln!(
        err,
        "tandem: wrote {} item(s) to {} ({}); summaries by {}",
        brief.items.len(),
        out.display(),
        names.join(", "),
        brief.models.summarizer
    )?;
    if !brief.skipped.is_empty() {
        writeln!(
            err,
            "tandem: some articles failed: {} file(s) could not be used (see above and report.json)",
            brief.skipped.len()
        )?;
        return Ok(ExitCode::from(EXIT_SOME_FAILED));
    }
    if untranslated_sides {
        writeln!(
            err,
            "tandem: some sides are not translated because a translation model is missing; see above"
        )?;
        return Ok(ExitCode::from(EXIT_UNTRANSLATED));
    }
    Ok(ExitCode::SUCCESS)
}

/// `tandem translate`: whole articles to bilingual Markdown and JSON, through the cache.
fn cmd_translate(cli: &Cli, args: &TranslateArgs) -> Result<ExitCode> {
    if args.input.is_dir() {
        // outputs inside the input folder would be read back as articles next time
        pipeline::check_out_dir(&args.input, &args.out)?;
    }
    let ingest = args.ingest.options();
    let ingested = if args.input.is_dir() {
        tandem::ingest::read_dir_with(&args.input, &ingest)?
    } else {
        anyhow::ensure!(
            args.input.exists(),
            "{}: no such file or folder",
            args.input.display()
        );
        tandem::ingest::read_file(&args.input, &ingest)
    };
    let dir = cache_dir(cli)?;
    let mut ctx = pipeline::StageContext::open(
        &cli.models_dir,
        dir.as_deref(),
        device(args.run.device, args.run.engine)?,
        args.run.engine,
        Progress::new(cli.quiet),
    )?;
    let done = tandem::translate::translate_articles(&mut ctx, ingested.articles, args.to)?;
    let mut outputs: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let mut used = std::collections::HashSet::new();
    for t in &done.articles {
        let mut stem = tandem::translate::output_stem(t);
        if !used.insert(stem.clone()) {
            stem = format!("{stem}-{}", t.id);
            used.insert(stem.clone());
        }
        outputs.push((
            args.out.join(format!("{stem}.md")),
            tandem::translate::to_markdown(t).into_bytes(),
        ));
        outputs.push((
            args.out.join(format!("{stem}.json")),
            tandem::translate::to_json(t).into_bytes(),
        ));
    }
    tandem::output::remove_stale_temporaries(&args.out)?;
    write_all_atomic(&outputs)?;
    let mut err = std::io::stderr().lock();
    let failed: Vec<_> = ingested.failures.iter().chain(&done.skipped).collect();
    for f in &failed {
        writeln!(err, "tandem: skipped {}: {}", f.path.display(), f.reason)?;
    }
    for s in &done.stages {
        writeln!(
            err,
            "tandem: {}: {} sentence(s), {} from cache, {} translated ({:.2}s)",
            s.stage, s.inputs, s.cache_hits, s.model_calls, s.seconds
        )?;
    }
    writeln!(
        err,
        "tandem: translated {} article(s) into {}",
        done.articles.len(),
        args.out.display()
    )?;
    let missing_model = done
        .skipped
        .iter()
        .any(|f| f.reason.contains("is not installed"));
    Ok(if !ingested.failures.is_empty() {
        ExitCode::from(EXIT_SOME_FAILED)
    } else if missing_model {
        ExitCode::from(EXIT_UNTRANSLATED)
    } else {
        ExitCode::SUCCESS
    })
}

/// `tandem cache stats|clear`.
fn cmd_cache(cli: &Cli, action: &CacheAction) -> Result<ExitCode> {
    let Some(dir) = cache_dir(cli)? else {
        anyhow::bail!("--no-cache: there is no cache to show or clear");
    };
    let mut cache = tandem::cache::Cache::open(&dir)?;
    let mut out = std::io::stdout().lock();
    match action {
        CacheAction::Stats => {
            if let Some(stats) = cache.stats()? {
                writeln!(
                    out,
                    "cache: {} ({})",
                    stats.path.display(),
                    human_size(stats.bytes)
                )?;
                if stats.stages.is_empty() {
                    writeln!(out, "  empty")?;
                }
                for s in &stats.stages {
                    writeln!(
                        out,
                        "  {:<16} {:>7} entries  {} model(s)  {} of outputs",
                        s.stage,
                        s.entries,
                        s.models,
                        human_size(s.output_bytes)
                    )?;
                }
            }
        }
        CacheAction::Clear => {
            let n = cache.clear()?;
            writeln!(out, "cache: removed {n} entries from {}", dir.display())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `tandem inspect`: the cleaned article and every dropped line with its reason.
fn cmd_inspect(file: &Path, tokens: bool, json: bool, models_dir: &Path) -> Result<ExitCode> {
    let report = tandem::ingest::inspect(file)?;
    let mut out = std::io::stdout().lock();
    if tokens {
        let view = tandem::token_view::token_view(&report.article, models_dir)?;
        if json {
            writeln!(out, "{}", view.to_json()?)?;
        } else {
            write!(out, "{view}")?;
        }
    } else {
        write!(out, "{report}")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `tandem compare`: per-item and overall scores, as a table or JSON; exit 5 when a `--min` bar is missed.
fn cmd_compare(args: &CompareArgs) -> Result<ExitCode> {
    let minimums = match &args.min {
        Some(spec) => tandem::compare::parse_minimums(spec)?,
        None => Vec::new(),
    };
    let a = tandem::compare::load(&args.a)?;
    let b = tandem::compare::load(&args.b)?;
    let comparison = tandem::compare::compare(&a, &b);
    anyhow::ensure!(
        !comparison.overall.is_empty(),
        "no item of {} has a summary in {} to compare with (items are paired by id)",
        args.a.display(),
        args.b.display()
    );
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&comparison)?)?;
    } else {
        write!(out, "{}", tandem::compare::table(&comparison))?;
    }
    let short = tandem::compare::shortfalls(&comparison, &minimums);
    for (lang, metric, score, min) in &short {
        eprintln!("tandem: {lang} {metric} = {score:.4} is below the minimum {min}");
    }
    Ok(if short.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_BELOW_MIN)
    })
}

/// `tandem models`: one block per role.
fn cmd_models_list(models_dir: &Path) -> Result<ExitCode> {
    let manifest = Manifest::builtin();
    let mut out = std::io::stdout().lock();
    for role in Role::ALL {
        let st = manifest::status(&manifest, models_dir, role)?;
        let state = if st.installed() {
            "installed"
        } else if st.path.is_dir() {
            "incomplete (runs refuse it until it is re-installed or removed)"
        } else {
            "missing"
        };
        writeln!(out, "{role}: {state}")?;
        writeln!(
            out,
            "  model:   {} @ {} ({:?}, {})",
            st.spec.repo, st.spec.revision, st.spec.architecture, st.spec.license
        )?;
        writeln!(out, "  path:    {}", st.path.display())?;
        writeln!(out, "  size:    {}", human_size(st.size_bytes))?;
        if st.installed() {
            writeln!(out)?;
        } else {
            writeln!(out, "  missing: {}", st.missing.join(", "))?;
            writeln!(out, "  install: {}  (needs internet)", st.install_command())?;
            writeln!(
                out,
                "           or: tandem models import <hugging-face-folder> --role {role}\n"
            )?;
        }
    }
    writeln!(out, "engines on this machine (--engine):")?;
    for engine in tandem::models::Engine::ALL {
        writeln!(
            out,
            "  {engine:<12} {}",
            tandem::models::compute_description(engine)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `tandem models import`: converts a Hugging Face folder into models/<role dir>.
fn cmd_models_import(
    models_dir: &Path,
    hf_dir: &Path,
    role: Role,
    source: Option<&str>,
) -> Result<ExitCode> {
    let manifest = Manifest::builtin();
    let spec = manifest.spec(role)?;
    let dest = models_dir.join(&spec.dir);
    let architecture: Architecture = spec.architecture;
    let imported = tandem::models::import::import_hf(hf_dir, architecture, &dest, source)
        .with_context(|| format!("importing {} as {role}", hf_dir.display()))?;
    println!(
        "imported {} tensors into {} ({role}){}",
        imported.tensors,
        imported.dir.display(),
        if imported.added_tensors.is_empty() {
            String::new()
        } else {
            format!("; added {}", imported.added_tensors.join(", "))
        }
    );
    Ok(ExitCode::SUCCESS)
}

fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}
