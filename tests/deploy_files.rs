//! The deployment files, checked offline: the Kubernetes manifests against the official schemas (strict) and by
//! running their container command; the Slurm scripts against a real (throwaway, one-node) Slurm controller; the
//! Dockerfile with hadolint, a parse of its stages and a check that its build context holds what the build needs;
//! every shell script with bash -n and shellcheck. The validators come from scripts/install-test-deps.sh: when one
//! is missing the test fails, saying so. No image is built and no cluster is reached here.
#[path = "deploy_support/mod.rs"]
mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{repo, require_tool, run, text, venv_bin};

// ---------------------------------------------------------------------------------------------------- shell

const SHELL_SCRIPTS: [&str; 5] = [
    "scripts/run-shards.sh",
    "scripts/install-test-deps.sh",
    "deploy/slurm/submit.sh",
    "deploy/slurm/shard.sbatch",
    "deploy/slurm/merge.sbatch",
];

#[test]
fn shell_scripts_parse_and_pass_shellcheck() {
    let shellcheck = require_tool("shellcheck", "shellcheck");
    for script in SHELL_SCRIPTS {
        let path = repo().join(script);
        let syntax = run(Command::new("bash").arg("-n").arg(&path));
        assert!(
            syntax.status.success(),
            "bash -n {script}: {}",
            text(&syntax)
        );
        let lint = run(Command::new(&shellcheck).arg(&path));
        assert!(
            lint.status.success(),
            "shellcheck {script}: {}",
            text(&lint)
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert!(mode & 0o111 != 0, "{script} is not executable");
        }
    }
    // shellcheck does find faults (a control for the loop above)
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.sh");
    std::fs::write(&bad, "#!/bin/bash\nrm -rf $1/*\n").unwrap();
    assert!(!run(Command::new(&shellcheck).arg(&bad)).status.success());
}

#[test]
fn run_shards_rejects_bad_usage_before_running_anything() {
    let tmp = tempfile::tempdir().unwrap();
    let script = repo().join("scripts/run-shards.sh");
    let articles = support::repo().join("tests/fixtures/articles");
    let out = tmp.path().join("out");
    let cases: [&[&str]; 5] = [
        &[],
        &["only-two", "args"],
        &["0"],
        &["3", "--out", "/elsewhere"],
        &["3", "--shard", "1/3"],
    ];
    for case in cases {
        let mut args: Vec<&std::ffi::OsStr> = Vec::new();
        if case.len() >= 2 && case[0] == "only-two" {
            args.extend(case.iter().map(std::ffi::OsStr::new));
        } else if !case.is_empty() {
            args.push(articles.as_os_str());
            args.push(out.as_os_str());
            args.extend(case.iter().map(std::ffi::OsStr::new));
        }
        let r = run(Command::new(&script)
            .args(&args)
            .env("TANDEM", "/nonexistent/tandem"));
        assert_eq!(
            r.status.code(),
            Some(2),
            "run-shards {case:?}: {}",
            text(&r)
        );
    }
    assert!(!out.join("shards").exists() || support::shard_files(&out.join("shards")).is_empty());
}

// ---------------------------------------------------------------------------------------------------- kubernetes

const K8S: [&str; 3] = [
    "deploy/kubernetes/volumes.yaml",
    "deploy/kubernetes/shards-job.yaml",
    "deploy/kubernetes/merge-job.yaml",
];

/// Kubernetes versions the manifests are checked against: the first with backoffLimitPerIndex and
/// podReplacementPolicy on by default (beta), and the newest the validator knows.
const K8S_VERSIONS: [&str; 2] = ["1.29.0", "1.37.0"];

fn kubernetes_validate(files: &[PathBuf], version: &str) -> std::process::Output {
    run(Command::new(venv_bin("kubernetes-validate"))
        .args(["--strict", "--quiet", "-k", version])
        .args(files))
}

#[test]
fn kubernetes_manifests_follow_the_official_schemas_strictly() {
    let files: Vec<PathBuf> = K8S.iter().map(|f| repo().join(f)).collect();
    for version in K8S_VERSIONS {
        let r = kubernetes_validate(&files, version);
        assert!(
            r.status.success(),
            "kubernetes-validate {version}: {}",
            text(&r)
        );
    }
    // Controls: strict mode rejects a misspelt field, and a field the schema lacks.
    let tmp = tempfile::tempdir().unwrap();
    let job = std::fs::read_to_string(repo().join(K8S[1])).unwrap();
    for (from, to) in [
        ("backoffLimitPerIndex:", "backoffLimitPerIndx:"),
        (
            "completionMode: Indexed",
            "completionMode: Indexed\n  shards: 4",
        ),
    ] {
        assert!(job.contains(from));
        let bad = tmp.path().join("bad.yaml");
        std::fs::write(&bad, job.replacen(from, to, 1)).unwrap();
        let r = kubernetes_validate(&[bad], K8S_VERSIONS[1]);
        assert!(
            !r.status.success(),
            "strict validation accepted `{to}`: {}",
            text(&r)
        );
    }
}

/// The YAML documents of `file`, as JSON (PyYAML of the validators' virtualenv).
fn yaml_docs(file: &str) -> Vec<Value> {
    let r = run(Command::new(venv_bin("python"))
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps([d for d in yaml.safe_load_all(open(sys.argv[1])) if d]))",
        ])
        .arg(repo().join(file)));
    assert!(r.status.success(), "{file}: {}", text(&r));
    serde_json::from_slice::<Value>(&r.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn env_of(container: &Value) -> Vec<(String, String)> {
    container["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let v = e["value"]
                .as_str()
                .unwrap_or_else(|| panic!("env {} has no plain value", e["name"]));
            (e["name"].as_str().unwrap().to_string(), v.to_string())
        })
        .collect()
}

fn env_value(container: &Value, name: &str) -> String {
    env_of(container)
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no env {name}"))
        .1
}

/// Runs the container's command (here, with /bin/sh as in the image) with its env and `extra` env, `tandem`
/// replaced by a stub that records its arguments; returns them.
fn container_argv(container: &Value, extra: &[(&str, &str)]) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let record = tmp.path().join("argv");
    let stub = tmp.path().join("tandem");
    std::fs::write(
        &stub,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '{}'\n",
            record.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let words: Vec<&str> = container["command"]
        .as_array()
        .unwrap()
        .iter()
        .chain(container["args"].as_array().unwrap())
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(
        words[..2],
        ["/bin/sh", "-c"],
        "the container runs a sh -c script"
    );
    let path = format!("{}:/usr/bin:/bin", tmp.path().display());
    let r = run(Command::new(words[0])
        .args(&words[1..])
        .env_clear()
        .env("PATH", path)
        .envs(env_of(container))
        .envs(extra.iter().copied()));
    assert!(r.status.success(), "{words:?}: {}", text(&r));
    std::fs::read_to_string(&record)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn parse_quantity_mib(q: &str) -> u64 {
    let (n, unit) = q.split_at(q.find(|c: char| !c.is_ascii_digit()).unwrap_or(q.len()));
    let n: u64 = n.parse().unwrap();
    match unit {
        "Gi" => n * 1024,
        "Mi" => n,
        _ => panic!("memory quantity {q}: use Mi or Gi"),
    }
}

fn volumes_by_name(pod: &Value) -> Vec<(String, Value)> {
    pod["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["name"].as_str().unwrap().to_string(), v.clone()))
        .collect()
}

fn mount<'a>(container: &'a Value, path: &str) -> &'a Value {
    container["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["mountPath"] == path)
        .unwrap_or_else(|| panic!("nothing mounted at {path}"))
}

#[test]
fn kubernetes_shard_job_runs_each_index_as_its_shard() {
    let claims: Vec<String> = yaml_docs(K8S[0])
        .iter()
        .map(|pvc| {
            assert_eq!(pvc["kind"], "PersistentVolumeClaim");
            pvc["metadata"]["name"].as_str().unwrap().to_string()
        })
        .collect();
    let job = yaml_docs(K8S[1]).remove(0);
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    let pod = &spec["template"]["spec"];
    assert_eq!(pod["restartPolicy"], "Never");
    let c = &pod["containers"][0];
    let n: u64 = env_value(c, "TANDEM_SHARDS").parse().unwrap();
    assert_eq!(
        spec["completions"].as_u64(),
        Some(n),
        "completions must equal TANDEM_SHARDS"
    );
    assert!(spec["parallelism"].as_u64().unwrap() <= n);
    assert!(spec["backoffLimitPerIndex"].as_u64().is_some());
    // never two pods of one index at once: they would share /cache/shard-I
    assert_eq!(spec["podReplacementPolicy"], "Failed");

    // a 2-core worker, and memory for the models (~2.5 GB peak)
    let res = &c["resources"];
    assert_eq!(res["requests"]["cpu"], "2");
    let req = parse_quantity_mib(res["requests"]["memory"].as_str().unwrap());
    let limit = parse_quantity_mib(res["limits"]["memory"].as_str().unwrap());
    assert!(
        (3 * 1024..=4 * 1024).contains(&req),
        "memory request {req} MiB"
    );
    assert!(limit >= req);
    assert_eq!(env_value(c, "OMP_NUM_THREADS"), "2");

    // models read-only; every claim exists in volumes.yaml
    assert_eq!(mount(c, "/models")["readOnly"], true);
    for path in ["/data", "/cache", "/models"] {
        let name = mount(c, path)["name"].as_str().unwrap().to_string();
        let (_, vol) = volumes_by_name(pod)
            .into_iter()
            .find(|(n, _)| *n == name)
            .unwrap();
        let claim = vol["persistentVolumeClaim"]["claimName"].as_str().unwrap();
        assert!(
            claims.iter().any(|c| c == claim),
            "{claim} is not in volumes.yaml"
        );
    }
    assert_eq!(env_value(c, "TANDEM_MODELS"), "/models");

    let run_name = env_value(c, "TANDEM_RUN");
    let period = env_value(c, "TANDEM_PERIOD");
    for index in [0, n - 1] {
        let i = index.to_string();
        let argv = container_argv(c, &[("JOB_COMPLETION_INDEX", &i)]);
        let mut expected: Vec<String> = [
            "brief",
            "/data/articles",
            "--out",
            &format!("/data/shards/{run_name}"),
            "--shard",
            &format!("{index}/{n}"),
            // tandem keeps shard I's cache in /cache/shard-I (tests/shard_local.rs checks that)
            "--cache-dir",
            "/cache",
            "--quiet",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        expected.extend(period.split_whitespace().map(str::to_string));
        assert_eq!(argv, expected, "shard {index}");
    }
}

#[test]
fn kubernetes_merge_job_merges_the_shard_jobs_run() {
    let shards = yaml_docs(K8S[1]).remove(0);
    let merge = yaml_docs(K8S[2]).remove(0);
    let sc = &shards["spec"]["template"]["spec"]["containers"][0];
    let mc = &merge["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(merge["spec"]["backoffLimit"], 0);
    assert_eq!(sc["image"], mc["image"], "both jobs run the same image");
    let run_name = env_value(sc, "TANDEM_RUN");
    assert_eq!(env_value(mc, "TANDEM_RUN"), run_name);
    let argv = container_argv(mc, &[]);
    assert_eq!(
        argv,
        [
            "merge",
            &format!("/data/shards/{run_name}"),
            "--out",
            &format!("/data/briefs/{run_name}"),
        ]
    );
    assert_eq!(mount(mc, "/data")["name"], mount(sc, "/data")["name"]);
}

// ---------------------------------------------------------------------------------------------------- slurm

/// `sbatch --test-only SCRIPT ARGS` on the throwaway cluster: the real sbatch parses every #SBATCH directive and
/// the controller says whether (and where) the job would run, without running it.
#[test]
fn slurm_scripts_directives_are_accepted_by_sbatch_and_the_controller() {
    let tmp = tempfile::tempdir().unwrap();
    let mut slurm = support::Slurm::start(tmp.path());
    let test_only = |slurm: &support::Slurm, extra: &[&str], script: &Path| {
        run(slurm
            .cmd("sbatch")
            .arg("--test-only")
            .args(extra)
            .arg(script)
            .args(["/data/articles", "/data/run/shards"])
            .current_dir(tmp.path()))
    };
    let shard = repo().join("deploy/slurm/shard.sbatch");
    let merge = repo().join("deploy/slurm/merge.sbatch");
    for (script, cpus) in [(&shard, 2), (&merge, 1)] {
        let r = test_only(&slurm, &[], script);
        let said = String::from_utf8_lossy(&r.stderr);
        assert!(
            r.status.success() && said.contains(&format!("using {cpus} processors")),
            "{}: {}\n{}",
            script.display(),
            text(&r),
            slurm.logs()
        );
    }
    let body = std::fs::read_to_string(&shard).unwrap();
    for directive in ["--array=0-", "--cpus-per-task=2", "--mem="] {
        assert!(
            body.contains(&format!("#SBATCH {directive}")),
            "shard.sbatch lacks {directive}"
        );
    }
    // Controls: an option sbatch does not know, and a request the node cannot meet, are refused.
    let bad = tmp.path().join("bad.sbatch");
    std::fs::write(&bad, body.replace("--cpus-per-task=2", "--cpus-per-tsk=2")).unwrap();
    let r = test_only(&slurm, &[], &bad);
    assert!(
        !r.status.success() && String::from_utf8_lossy(&r.stderr).contains("unrecognized option"),
        "{}",
        text(&r)
    );
    let r = test_only(&slurm, &["--mem=100T"], &shard);
    assert!(!r.status.success(), "{}", text(&r));
    slurm.wait_for("nothing queued", |s| {
        run(s.cmd("squeue").arg("-h")).stdout.is_empty()
    });
}

#[test]
fn slurm_submit_checks_its_arguments_before_submitting() {
    let tmp = tempfile::tempdir().unwrap();
    let submit = repo().join("deploy/slurm/submit.sh");
    let articles = repo().join("tests/fixtures/articles");
    let run_dir = tmp.path().join("run");
    // an sbatch that must not be called
    let sbatch = tmp.path().join("sbatch");
    std::fs::write(&sbatch, "#!/bin/sh\necho called >&2\nexit 99\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&sbatch, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let a = articles.to_str().unwrap();
    let r = run_dir.to_str().unwrap();
    let cases: [&[&str]; 5] = [
        &["0", a, r],
        &["x", a, r],
        &["--only", "3", "3", a, r],
        &["--only", "1;2", "3", a, r],
        &["3", "/nonexistent/articles", r],
    ];
    for case in cases {
        let out = run(Command::new(&submit).args(case).env("SBATCH", &sbatch));
        assert_eq!(
            out.status.code(),
            Some(2),
            "submit.sh {case:?}: {}",
            text(&out)
        );
    }
}

// ---------------------------------------------------------------------------------------------------- docker

/// The Dockerfile's instructions, parsed by dockerfile-parse: (INSTRUCTION, value) in order.
fn dockerfile() -> Vec<(String, String)> {
    let r = run(Command::new(venv_bin("python"))
        .args([
            "-c",
            "import json, sys\nfrom dockerfile_parse import DockerfileParser\n\
             p = DockerfileParser(path=sys.argv[1])\n\
             print(json.dumps([[i['instruction'], i['value']] for i in p.structure]))",
        ])
        .arg(repo().join("Dockerfile")));
    assert!(r.status.success(), "dockerfile-parse: {}", text(&r));
    serde_json::from_slice::<Vec<(String, String)>>(&r.stdout).unwrap()
}

/// .dockerignore's rules (Docker's: the last matching pattern wins, `!` re-includes, a pattern matching a folder
/// covers what is inside it, `**` crosses folders).
struct DockerIgnore(Vec<(bool, regex::Regex)>);

impl DockerIgnore {
    fn load() -> DockerIgnore {
        let body = std::fs::read_to_string(repo().join(".dockerignore")).unwrap();
        DockerIgnore(
            body.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(|l| {
                    let (neg, pat) = l.strip_prefix('!').map_or((false, l), |p| (true, p));
                    let pat = pat.trim_start_matches('/').trim_end_matches('/');
                    let mut re = String::from("^");
                    let mut chars = pat.chars().peekable();
                    while let Some(c) = chars.next() {
                        match c {
                            '*' if chars.peek() == Some(&'*') => {
                                chars.next();
                                if chars.peek() == Some(&'/') {
                                    chars.next();
                                    re.push_str("(.*/)?");
                                } else {
                                    re.push_str(".*");
                                }
                            }
                            '*' => re.push_str("[^/]*"),
                            '?' => re.push_str("[^/]"),
                            c => re.push_str(&regex::escape(&c.to_string())),
                        }
                    }
                    re.push('$');
                    (neg, regex::Regex::new(&re).unwrap())
                })
                .collect(),
        )
    }

    fn excludes(&self, path: &str) -> bool {
        let parts: Vec<&str> = path.split('/').collect();
        let prefixes: Vec<String> = (1..=parts.len()).map(|k| parts[..k].join("/")).collect();
        let mut excluded = false;
        for (neg, re) in &self.0 {
            if prefixes.iter().any(|p| re.is_match(p)) {
                excluded = !neg;
            }
        }
        excluded
    }
}

#[test]
fn dockerignore_rules_behave_as_docker_reads_them() {
    let ignore = DockerIgnore::load();
    for p in [
        "target",
        "target/release/tandem",
        ".git/HEAD",
        "models/opus-mt-fr-en/model.safetensors",
        "tests/brief_cli.rs",
    ] {
        assert!(
            ignore.excludes(p),
            "{p} should stay out of the build context"
        );
    }
    for p in [
        "src/main.rs",
        "models/models.toml",
        "Cargo.lock",
        "scripts/install-libtorch.sh",
    ] {
        assert!(!ignore.excludes(p), "{p} should be in the build context");
    }
}

#[test]
fn dockerfile_passes_hadolint() {
    let hadolint = venv_bin("hadolint");
    let r = run(Command::new(&hadolint)
        .args(["--config", ".hadolint.yaml", "Dockerfile"])
        .current_dir(repo()));
    assert!(r.status.success(), "hadolint: {}", text(&r));
    // control: hadolint does report faults
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("Dockerfile");
    std::fs::write(&bad, "FROM debian\nMAINTAINER x\nRUN cd /tmp && make\n").unwrap();
    assert!(!run(Command::new(&hadolint).arg(&bad)).status.success());
}

struct Stage {
    from: String,
    name: Option<String>,
    instructions: Vec<(String, String)>,
}

fn stages() -> Vec<Stage> {
    let mut stages: Vec<Stage> = Vec::new();
    for (ins, value) in dockerfile() {
        if ins == "FROM" {
            let words: Vec<&str> = value.split_whitespace().collect();
            let name = (words.len() == 3 && words[1].eq_ignore_ascii_case("as"))
                .then(|| words[2].to_string());
            stages.push(Stage {
                from: words[0].to_string(),
                name,
                instructions: Vec::new(),
            });
        } else if let Some(stage) = stages.last_mut() {
            stage.instructions.push((ins, value));
        }
    }
    stages
}

/// (flags, sources, destination) of a COPY value in shell form.
fn copy_parts(value: &str) -> (Vec<String>, Vec<String>, String) {
    let words: Vec<String> = value.split_whitespace().map(str::to_string).collect();
    let (flags, rest): (Vec<String>, Vec<String>) =
        words.into_iter().partition(|w| w.starts_with("--"));
    let (dest, sources) = rest
        .split_last()
        .expect("COPY needs a source and a destination");
    (flags, sources.to_vec(), dest.clone())
}

fn env_in(stage: &Stage, name: &str) -> Option<String> {
    stage
        .instructions
        .iter()
        .filter(|(i, _)| i == "ENV")
        .flat_map(|(_, v)| v.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")).map(str::to_string))
}

#[test]
fn dockerfile_builds_from_the_repository_and_ships_only_binary_and_libtorch() {
    let stages = stages();
    assert!(stages.len() >= 2, "a multi-stage build");
    let builder = &stages[0];
    let runtime = stages.last().unwrap();
    assert_eq!(builder.name.as_deref(), Some("builder"));
    assert!(
        builder.from.starts_with("rust:") && builder.from.ends_with("bookworm"),
        "{}",
        builder.from
    );
    assert_eq!(runtime.from, "debian:bookworm-slim");

    // Every COPY from the context names files of the repository that .dockerignore lets in, and every script a
    // RUN calls was copied into the stage before it.
    let ignore = DockerIgnore::load();
    let mut copied: Vec<String> = Vec::new();
    let mut build_ran = false;
    for (ins, value) in &builder.instructions {
        match ins.as_str() {
            "COPY" => {
                let (flags, sources, dest) = copy_parts(value);
                assert!(
                    flags.is_empty(),
                    "builder COPY from the context only: {value}"
                );
                for s in &sources {
                    let s = s.trim_start_matches("./").trim_end_matches('/');
                    assert!(repo().join(s).exists(), "COPY {s}: not in the repository");
                    assert!(!ignore.excludes(s), "COPY {s}: excluded by .dockerignore");
                    assert!(
                        !s.starts_with("models/") || s == "models/models.toml",
                        "model weights are never baked in: {s}"
                    );
                    let target = if dest.ends_with('/') || sources.len() > 1 {
                        format!(
                            "{}/{}",
                            dest.trim_end_matches('/'),
                            Path::new(s).file_name().unwrap().to_str().unwrap()
                        )
                    } else if dest == "./" || dest == "." {
                        s.to_string()
                    } else {
                        dest.clone()
                    };
                    copied.push(target.trim_start_matches("./").to_string());
                }
            }
            "RUN" => {
                for script in value
                    .split_whitespace()
                    .filter(|w| w.starts_with("scripts/"))
                {
                    assert!(
                        repo().join(script).is_file(),
                        "RUN {script}: not in the repository"
                    );
                    assert!(
                        copied.iter().any(|c| c == script),
                        "RUN {script} before it is copied"
                    );
                }
                if value.contains("cargo build") {
                    assert!(
                        value.contains("--release") && value.contains("--locked"),
                        "{value}"
                    );
                    build_ran = true;
                }
            }
            _ => {}
        }
    }
    assert!(build_ran, "the builder runs cargo build --release --locked");

    // libtorch: where scripts/install-libtorch.sh puts it under the builder's TANDEM_CACHE, which build.rs
    // embeds as the binary's runpath; the runtime stage copies it to that same path.
    let installer = std::fs::read_to_string(repo().join("scripts/install-libtorch.sh")).unwrap();
    let version = installer
        .lines()
        .find_map(|l| l.strip_prefix("VERSION="))
        .expect("VERSION= in install-libtorch.sh");
    assert!(installer.contains(r#"DEST="$CACHE/libtorch-$VERSION-cpu""#));
    let cache = env_in(builder, "TANDEM_CACHE").expect("the builder sets TANDEM_CACHE");
    let lib = format!("{cache}/libtorch-{version}-cpu/lib");
    let runtime_copies: Vec<(Vec<String>, Vec<String>, String)> = runtime
        .instructions
        .iter()
        .filter(|(i, _)| i == "COPY")
        .map(|(_, v)| copy_parts(v))
        .collect();
    for (flags, sources, _) in &runtime_copies {
        assert_eq!(
            flags,
            &["--from=builder".to_string()],
            "the runtime copies only from the builder"
        );
        for s in sources {
            assert!(
                !s.contains("models") && !s.contains("wheels"),
                "runtime COPY {s}"
            );
        }
    }
    assert!(
        runtime_copies
            .iter()
            .any(|(_, s, d)| s.len() == 1 && s[0] == lib && d == &lib),
        "the runtime copies {lib} to the same path (the binary's runpath)"
    );
    assert!(runtime_copies
        .iter()
        .any(|(_, _, d)| d == "/usr/local/bin/tandem"));
    assert_eq!(
        env_in(runtime, "LD_LIBRARY_PATH").as_deref(),
        Some(lib.as_str())
    );
    assert!(
        builder
            .instructions
            .iter()
            .any(|(i, v)| i == "RUN" && v.contains("readelf") && v.contains(&lib)),
        "the builder checks the binary's runpath is {lib}"
    );

    // runtime settings
    assert_eq!(env_in(runtime, "TANDEM_MODELS").as_deref(), Some("/models"));
    let last = |ins: &str| {
        runtime
            .instructions
            .iter()
            .rev()
            .find(|(i, _)| i == ins)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {ins} in the runtime stage"))
    };
    assert_eq!(last("ENTRYPOINT"), r#"["tandem"]"#);
    assert!(last("VOLUME").contains("/models"));
    let user = last("USER");
    assert!(
        !user.starts_with("root") && !user.starts_with('0'),
        "USER {user}"
    );
    assert!(
        runtime
            .instructions
            .iter()
            .any(|(i, v)| i == "RUN" && v.contains("tandem --version")),
        "the runtime stage runs the binary once (missing shared libraries fail the build)"
    );
}

/// The files the builder copies from the context, put in a folder alone, make a package cargo resolves with the
/// locked dependencies, and every file the sources include at compile time is among them.
///
/// Resolved offline for this machine's platform only (`--filter-platform`, the image builds for Linux): the
/// packages that needs are exactly those this test's own build fetched, while an unfiltered resolve also wants
/// Windows-only crates (`anstyle-wincon`, …) that only a cargo cache warmed by other work would hold.
#[test]
fn dockerfile_build_context_is_enough_to_build() {
    let tmp = tempfile::tempdir().unwrap();
    let ctx = tmp.path().join("ctx");
    let builder = stages().remove(0);
    for (ins, value) in &builder.instructions {
        if ins != "COPY" {
            continue;
        }
        let (_, sources, _) = copy_parts(value);
        for s in sources {
            let s = s.trim_start_matches("./").trim_end_matches('/');
            copy_tree(&repo().join(s), &ctx.join(s));
        }
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let version = run(Command::new(rustc).arg("-vV"));
    let host = String::from_utf8_lossy(&version.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .expect("rustc -vV names the host triple");
    let meta = run(Command::new(cargo)
        .args([
            "metadata",
            "--locked",
            "--offline",
            "--format-version",
            "1",
            "--filter-platform",
            &host,
            "--manifest-path",
        ])
        .arg(ctx.join("Cargo.toml")));
    assert!(
        meta.status.success(),
        "cargo metadata in the build context: {}",
        text(&meta)
    );
    let meta: Value = serde_json::from_slice(&meta.stdout).unwrap();
    let pkg = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "tandem")
        .unwrap();
    assert!(pkg["targets"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["name"] == "tandem" && t["kind"][0] == "bin"));

    let include = regex::Regex::new(r#"include_(?:str|bytes)!\(\s*"([^"]+)"\s*\)"#).unwrap();
    let mut found = 0;
    for file in rust_files(&ctx.join("src")) {
        let body = std::fs::read_to_string(&file).unwrap();
        for cap in include.captures_iter(&body) {
            let target = file.parent().unwrap().join(&cap[1]);
            assert!(
                target.is_file(),
                "{} includes {}, which the image's build context lacks",
                file.display(),
                &cap[1]
            );
            found += 1;
        }
    }
    assert!(
        found > 0,
        "the scan of include_str! found nothing: is it looking in the right place?"
    );
}

fn copy_tree(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            copy_tree(&e.path(), &to.join(e.file_name()));
        }
    } else {
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    }
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out
}
