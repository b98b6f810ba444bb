//! deploy/slurm on a real, throwaway one-node Slurm (slurmctld + slurmd of Debian's packages, started by the test):
//! submit.sh's job array of 3 shards and its merge job (afterok) write the same brief as a plain `tandem brief`;
//! when a shard fails the merge is cancelled, and `submit.sh --only` re-runs that shard and the merge.
mod common;
#[path = "deploy_support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;
use support::{repo, run, text, Slurm};
use tandem::models::manifest::Role;

const JOB_TIMEOUT: Duration = Duration::from_secs(240);

/// `deploy/slurm/submit.sh [--only LIST] 3 ARTICLES RUN PERIOD...` on `slurm`; returns (output, array job, merge
/// job).
fn submit(
    slurm: &Slurm,
    only: Option<&str>,
    articles: &Path,
    run_dir: &Path,
    tandem: &Path,
    models: &Path,
    cache: &Path,
) -> (Output, String, String) {
    let mut cmd = slurm.cmd(repo().join("deploy/slurm/submit.sh").to_str().unwrap());
    if let Some(only) = only {
        cmd.args(["--only", only]);
    }
    let out = run(cmd
        .arg("3")
        .arg(articles)
        .arg(run_dir)
        .args(support::PERIOD)
        .env("TANDEM", tandem)
        .env("TANDEM_MODELS", models)
        .env("TANDEM_CACHE_DIR", cache)
        .env_remove("TANDEM_SHARDS")
        .current_dir(run_dir.parent().unwrap()));
    assert!(out.status.success(), "submit.sh: {}", text(&out));
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    let ids: Vec<String> = regex::Regex::new(r"job (\d+)")
        .unwrap()
        .captures_iter(&said)
        .map(|c| c[1].to_string())
        .collect();
    assert_eq!(
        ids.len(),
        2,
        "submit.sh names the array job and the merge job: {said}"
    );
    (out, ids[0].clone(), ids[1].clone())
}

/// The `ExitCode=` of job `id` (its script's exit status).
fn exit_code(slurm: &Slurm, id: &str) -> i32 {
    let out = run(slurm.cmd("scontrol").args(["show", "job", id]));
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .find_map(|w| w.strip_prefix("ExitCode="))
        .and_then(|c| c.split(':').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no ExitCode for job {id}: {}", text(&out)))
}

#[test]
fn slurm_array_and_merge_write_the_plain_brief_and_only_reruns_a_failed_shard() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let models = dir.join("models");
    common::import_roles(&models, &Role::ALL);
    let articles = support::shard_corpus(dir);
    let plain = dir.join("plain");
    let plain_code = support::plain_brief(&articles, &plain, &models);
    let cache = dir.join("cache");
    let tandem = PathBuf::from(env!("CARGO_BIN_EXE_tandem"));
    let mut slurm = Slurm::start(dir);

    // 1. all shards, then the merge
    let run_dir = dir.join("run");
    let (_, array, merge) = submit(&slurm, None, &articles, &run_dir, &tandem, &models, &cache);
    let shards_state = slurm.wait_job(&array, JOB_TIMEOUT);
    let merge_state = slurm.wait_job(&merge, JOB_TIMEOUT);
    let logs = || {
        let mut all = String::new();
        if let Ok(entries) = std::fs::read_dir(run_dir.join("logs")) {
            for e in entries.flatten() {
                all += &format!(
                    "--- {}\n{}\n",
                    e.path().display(),
                    std::fs::read_to_string(e.path()).unwrap_or_default()
                );
            }
        }
        all
    };
    assert_eq!(shards_state, "COMPLETED", "{}\n{}", logs(), slurm.logs());
    // merge exits as the plain brief does (3: the empty file is skipped); Slurm calls non-zero FAILED
    assert_eq!(
        exit_code(&slurm, &merge),
        plain_code,
        "merge: {merge_state}\n{}",
        logs()
    );
    support::assert_same_brief(&plain, &run_dir.join("brief"));
    for i in 0..3 {
        assert!(
            cache.join(format!("shard-{i}")).is_dir(),
            "shard {i}'s own cache"
        );
    }

    // 2. shard 1 fails: the merge never runs (cancelled, not left pending)
    let stub = dir.join("tandem-fails-shard-1");
    std::fs::write(
        &stub,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do [ \"$a\" = 1/3 ] && {{ echo 'shard 1 crashed' >&2; exit 1; }}; done\nexec '{}' \"$@\"\n",
            tandem.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let run2 = dir.join("run2");
    // shard files of an earlier run in the folder: a new submission removes them
    std::fs::create_dir_all(run2.join("shards")).unwrap();
    for f in support::shard_files(&run_dir.join("shards")) {
        std::fs::copy(
            run_dir.join("shards").join(&f),
            run2.join("shards").join(&f),
        )
        .unwrap();
    }
    let (_, array, merge) = submit(&slurm, None, &articles, &run2, &stub, &models, &cache);
    let shards_state = slurm.wait_job(&array, JOB_TIMEOUT);
    assert!(
        shards_state.contains("FAILED"),
        "shard 1 failed: {shards_state}"
    );
    let merge_state = slurm.wait_job(&merge, JOB_TIMEOUT);
    assert_eq!(
        merge_state, "CANCELLED",
        "afterok: no merge after a failed shard"
    );
    assert!(!run2.join("brief").join("brief.json").exists());
    let files = support::shard_files(&run2.join("shards"));
    assert!(
        files.contains(&"shard-0-of-3.jsonl".to_string()),
        "{files:?}"
    );
    assert!(
        !files.contains(&"shard-1-of-3.jsonl".to_string()),
        "{files:?}"
    );
    // merge by hand says which shard is missing and how to re-run it
    let m = run(Command::new(&tandem)
        .arg("merge")
        .arg(run2.join("shards"))
        .arg("--out")
        .arg(dir.join("by-hand")));
    assert_eq!(m.status.code(), Some(6), "{}", text(&m));
    assert!(
        String::from_utf8_lossy(&m.stderr).contains("--shard 1/3"),
        "{}",
        text(&m)
    );

    // 3. --only 1: shard 1 alone (N stays 3, not the array's size), then the merge completes the brief
    let (_, array, merge) = submit(
        &slurm,
        Some("1"),
        &articles,
        &run2,
        &tandem,
        &models,
        &cache,
    );
    assert_eq!(
        slurm.wait_job(&array, JOB_TIMEOUT),
        "COMPLETED",
        "{}",
        slurm.logs()
    );
    slurm.wait_job(&merge, JOB_TIMEOUT);
    assert_eq!(exit_code(&slurm, &merge), plain_code);
    support::assert_same_brief(&plain, &run2.join("brief"));
}
