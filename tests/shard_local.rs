//! scripts/run-shards.sh, the local form of a sharded run: N=3 shards of eight articles (two of which group into
//! one item, across shards or not) and an empty file, with the tiny models of all three roles, through GNU parallel
//! and through xargs; the merged brief must be byte-identical to a plain `tandem brief` of the same folder, and a
//! failed shard must end in merge's exit 6 and a re-run that completes the brief.
mod common;
#[path = "deploy_support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::{repo, run, text};
use tandem::models::manifest::Role;

struct Setup {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    articles: PathBuf,
    models: PathBuf,
    plain: PathBuf,
    plain_code: i32,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let models = dir.join("models");
    common::import_roles(&models, &Role::ALL);
    let articles = support::shard_corpus(&dir);
    let plain = dir.join("plain");
    let plain_code = support::plain_brief(&articles, &plain, &models);
    assert_eq!(plain_code, 3, "the corpus's empty file is skipped");
    Setup {
        _tmp: tmp,
        dir,
        articles,
        models,
        plain,
        plain_code,
    }
}

/// `scripts/run-shards.sh ARTICLES OUT 3 PERIOD...` with `tandem` as the binary and `runner`.
fn run_shards(s: &Setup, out: &Path, tandem: &Path, runner: &str) -> Output {
    run(Command::new(repo().join("scripts/run-shards.sh"))
        .arg(&s.articles)
        .arg(out)
        .arg("3")
        .args(support::PERIOD)
        .env("TANDEM", tandem)
        .env("TANDEM_RUNNER", runner)
        .env("TANDEM_CACHE_DIR", s.dir.join("cache"))
        .env("TANDEM_MODELS", &s.models)
        // all three at once (the default is one per 2 cores)
        .env("TANDEM_JOBS", "3"))
}

fn assert_sharded_like_plain(s: &Setup, out: &Path, r: &Output) {
    assert_eq!(
        r.status.code(),
        Some(s.plain_code),
        "run-shards exits with merge's status, as the plain brief: {}",
        text(r)
    );
    support::assert_same_brief(&s.plain, out);
    assert_eq!(
        support::shard_files(&out.join("shards")),
        [
            "shard-0-of-3.jsonl",
            "shard-0-of-3.report.json",
            "shard-1-of-3.jsonl",
            "shard-1-of-3.report.json",
            "shard-2-of-3.jsonl",
            "shard-2-of-3.report.json",
        ]
    );
    for i in 0..3 {
        assert!(
            s.dir.join("cache").join(format!("shard-{i}")).is_dir(),
            "shard {i} has its own cache folder (tandem's shard-I folder of TANDEM_CACHE_DIR)"
        );
    }
}

#[test]
fn run_shards_with_parallel_writes_the_plain_brief() {
    support::require_tool("parallel", "parallel");
    let s = setup();
    let out = s.dir.join("sharded");
    let r = run_shards(
        &s,
        &out,
        Path::new(env!("CARGO_BIN_EXE_tandem")),
        "parallel",
    );
    assert_sharded_like_plain(&s, &out, &r);
}

#[test]
fn run_shards_with_xargs_writes_the_plain_brief_and_again_from_the_caches() {
    let s = setup();
    let out = s.dir.join("sharded");
    let tandem = Path::new(env!("CARGO_BIN_EXE_tandem"));
    let r = run_shards(&s, &out, tandem, "xargs");
    assert_sharded_like_plain(&s, &out, &r);
    // a second run over the same out folder and caches: same brief
    let r = run_shards(&s, &out, tandem, "xargs");
    assert_sharded_like_plain(&s, &out, &r);
}

/// A `tandem` that fails as shard 1 of 3 (as a crash or a lost node would: no shard file) and is the real one
/// otherwise.
fn tandem_failing_shard_1(dir: &Path) -> PathBuf {
    let stub = dir.join("tandem-fails-shard-1");
    std::fs::write(
        &stub,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do [ \"$a\" = 1/3 ] && {{ echo 'shard 1 crashed' >&2; exit 1; }}; done\nexec '{}' \"$@\"\n",
            env!("CARGO_BIN_EXE_tandem")
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    stub
}

#[test]
fn run_shards_reports_a_failed_shard_with_exit_6_and_a_rerun_completes_the_brief() {
    let s = setup();
    let out = s.dir.join("sharded");
    let failing = tandem_failing_shard_1(&s.dir);
    for runner in ["xargs", "parallel"] {
        if runner == "parallel" {
            support::require_tool("parallel", "parallel");
        }
        let r = run_shards(&s, &out, &failing, runner);
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(6), "{runner}: {}", text(&r));
        assert!(
            stderr.contains("--shard 1/3"),
            "{runner}: merge names shard 1 and the command that re-runs it: {}",
            text(&r)
        );
        assert!(
            stderr.contains("run-shards: the brief is incomplete"),
            "{}",
            text(&r)
        );
        assert!(
            !support::shard_files(&out.join("shards")).contains(&"shard-1-of-3.jsonl".to_string()),
            "shard 1 wrote nothing"
        );
    }
    // merge's re-run command for shard 1, run as printed (it names the real binary: the stub exec'd it), then
    // merge again: the plain brief
    let r = run_shards(&s, &out, &failing, "xargs");
    let stderr = String::from_utf8_lossy(&r.stderr).into_owned();
    let rerun = stderr
        .lines()
        .filter_map(|l| l.trim().strip_prefix("re-run: "))
        .find(|c| c.contains("--shard 1/3"))
        .unwrap_or_else(|| panic!("no re-run command for shard 1: {}", text(&r)));
    let r = run(Command::new("sh")
        .args(["-c", rerun])
        .env("TANDEM_MODELS", &s.models));
    assert_eq!(r.status.code(), Some(0), "{rerun}: {}", text(&r));
    let r = run(Command::new(env!("CARGO_BIN_EXE_tandem"))
        .arg("merge")
        .arg(out.join("shards"))
        .arg("--out")
        .arg(&out)
        .env("TANDEM_MODELS", &s.models));
    assert_sharded_like_plain(&s, &out, &r);
    // and running the script again also completes it (shards 0 and 2 from their caches)
    let r = run_shards(&s, &out, &failing, "xargs");
    assert_eq!(r.status.code(), Some(6), "{}", text(&r));
    let r = run_shards(&s, &out, Path::new(env!("CARGO_BIN_EXE_tandem")), "xargs");
    assert_sharded_like_plain(&s, &out, &r);
}
