//! Helpers of the deployment tests (tests/deploy_files.rs, tests/shard_local.rs, tests/shard_slurm.rs): the
//! repository's paths, the validators that scripts/install-test-deps.sh installs, the sharding test corpus and a
//! throwaway one-node Slurm cluster. A missing tool fails the test with what to run; nothing is skipped.
#![allow(dead_code)]
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const INSTALL_HINT: &str = "run scripts/install-test-deps.sh (as `make test` does)";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `program` on PATH, or a failed test naming the package that brings it.
pub fn require_tool(program: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")])
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("`{program}` is not installed (Debian package {package}): {INSTALL_HINT}")
        })
}

/// The virtualenv of offline validators (same place as scripts/install-test-deps.sh puts it).
pub fn venv() -> PathBuf {
    if let Some(v) = std::env::var_os("TANDEM_TEST_VENV") {
        return PathBuf::from(v);
    }
    let cache = std::env::var_os("TANDEM_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|x| PathBuf::from(x).join("tandem")))
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache").join("tandem"))
        })
        .expect("no HOME: set TANDEM_TEST_VENV");
    cache.join("deploy-venv")
}

/// A program of the validators' virtualenv, or a failed test saying how to install it.
pub fn venv_bin(program: &str) -> PathBuf {
    let p = venv().join("bin").join(program);
    assert!(
        p.is_file(),
        "{} is missing (the validators' virtualenv): {INSTALL_HINT}",
        p.display()
    );
    p
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("could not run {cmd:?}: {e}"))
}

pub fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A folder of articles for the sharding tests: the example articles, the fixture articles (both manifests) and an
/// empty file (skipped: the brief exits 3). Eight usable articles, two of which group into one item.
pub fn shard_corpus(dir: &Path) -> PathBuf {
    let articles = dir.join("articles");
    std::fs::create_dir_all(&articles).unwrap();
    let mut manifest = String::new();
    for src in [
        repo().join("examples").join("articles"),
        repo().join("tests").join("fixtures").join("articles"),
    ] {
        for entry in std::fs::read_dir(&src).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_owned();
            if name == "manifest.jsonl" {
                manifest.push_str(&std::fs::read_to_string(&path).unwrap());
            } else {
                std::fs::copy(&path, articles.join(name)).unwrap();
            }
        }
    }
    std::fs::write(articles.join("manifest.jsonl"), manifest).unwrap();
    std::fs::write(articles.join("zz-empty.txt"), "").unwrap();
    articles
}

/// The period options the sharding tests pass, through the scripts, to every shard.
pub const PERIOD: [&str; 4] = ["--since", "2025-11-09", "--until", "2025-11-10"];

/// The files that must be byte-identical between a plain brief and a merged one.
pub const BRIEF_FILES: [&str; 4] = ["brief.json", "brief.en.md", "brief.fr.md", "brief.html"];

/// `tandem brief ARTICLES --out OUT` with PERIOD, no cache; returns its exit code.
pub fn plain_brief(articles: &Path, out: &Path, models: &Path) -> i32 {
    let run = run(Command::new(env!("CARGO_BIN_EXE_tandem"))
        .arg("brief")
        .arg(articles)
        .arg("--out")
        .arg(out)
        .args(PERIOD)
        .arg("--models-dir")
        .arg(models)
        .arg("--no-cache")
        .arg("--quiet")
        .env_remove("TANDEM_MODELS")
        .env_remove("TANDEM_CACHE_DIR"));
    let code = run.status.code().expect("tandem brief was killed");
    assert!(
        matches!(code, 0 | 3 | 4),
        "plain tandem brief failed: {}",
        text(&run)
    );
    code
}

/// Panics unless every BRIEF_FILES file in `merged` is byte-identical to the one in `plain`.
pub fn assert_same_brief(plain: &Path, merged: &Path) {
    for name in BRIEF_FILES {
        let a = std::fs::read(plain.join(name))
            .unwrap_or_else(|e| panic!("{}: {e}", plain.join(name).display()));
        let b = std::fs::read(merged.join(name))
            .unwrap_or_else(|e| panic!("{}: {e}", merged.join(name).display()));
        assert!(
            a == b,
            "{name} of the merged shards differs from the plain brief's\n--- plain\n{}\n--- merged\n{}",
            String::from_utf8_lossy(&a),
            String::from_utf8_lossy(&b)
        );
    }
}

/// The shard files `dir` holds, sorted.
pub fn shard_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("shard-"))
        .collect();
    names.sort();
    names
}

/// A one-node Slurm cluster of its own (slurmctld + slurmd on free local ports, state in a temporary folder,
/// no authentication), stopped on drop. Jobs run as the test's user on this machine.
pub struct Slurm {
    pub dir: PathBuf,
    pub conf: PathBuf,
    daemons: Vec<Child>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn mem_total_mb() -> u64 {
    let info = std::fs::read_to_string("/proc/meminfo").unwrap();
    let kb: u64 = info
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("MemTotal in /proc/meminfo");
    kb / 1024
}

impl Slurm {
    pub fn start(dir: &Path) -> Slurm {
        let slurmctld = require_tool("slurmctld", "slurmctld");
        let slurmd = require_tool("slurmd", "slurmd");
        require_tool("sbatch", "slurm-client");
        let dir = dir.join("slurm");
        for sub in ["state", "spool"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        let user = String::from_utf8(run(Command::new("id").arg("-un")).stdout).unwrap();
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
        // below what slurmd measures, so the node is not drained for "low memory"
        let mem = mem_total_mb().saturating_sub(512);
        let d = dir.display();
        let conf = dir.join("slurm.conf");
        std::fs::write(
            &conf,
            format!(
                "ClusterName=tandemtest
SlurmctldHost=localhost
SlurmctldPort={ctld}
SlurmdPort={d_port}
SlurmUser={user}
AuthType=auth/none
CredType=cred/none
StateSaveLocation={d}/state
SlurmdSpoolDir={d}/spool
SlurmctldPidFile={d}/slurmctld.pid
SlurmdPidFile={d}/slurmd.pid
SlurmctldLogFile={d}/slurmctld.log
SlurmdLogFile={d}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
ReturnToService=2
MessageTimeout=10
NodeName=localhost CPUs={cpus} RealMemory={mem} State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
",
                ctld = free_port(),
                d_port = free_port(),
                user = user.trim(),
            ),
        )
        .unwrap();
        let spawn = |program: &Path, args: &[&str], log: &str| {
            let log = std::fs::File::create(dir.join(log)).unwrap();
            Command::new(program)
                .args(args)
                .env("SLURM_CONF", &conf)
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| panic!("could not start {}: {e}", program.display()))
        };
        let mut slurm = Slurm {
            dir: dir.clone(),
            conf: conf.clone(),
            daemons: vec![spawn(&slurmctld, &["-D", "-i"], "slurmctld.out")],
        };
        slurm.wait_for("slurmctld to answer", |s| {
            s.cmd("sinfo")
                .arg("-h")
                .output()
                .is_ok_and(|o| o.status.success())
        });
        slurm
            .daemons
            .push(spawn(&slurmd, &["-D", "-N", "localhost"], "slurmd.out"));
        slurm.wait_for("the node to be idle", |s| {
            s.cmd("sinfo")
                .args(["-h", "-o", "%t"])
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "idle")
        });
        slurm
    }

    /// A Slurm client command (`sbatch`, `squeue`...) talking to this cluster.
    pub fn cmd(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("SLURM_CONF", &self.conf);
        c
    }

    /// The daemons' logs, for failure messages.
    pub fn logs(&self) -> String {
        ["slurmctld.log", "slurmd.log", "slurmctld.out", "slurmd.out"]
            .iter()
            .map(|f| {
                let body = std::fs::read_to_string(self.dir.join(f)).unwrap_or_default();
                let tail: Vec<&str> = body.lines().rev().take(30).collect();
                let tail: Vec<&str> = tail.into_iter().rev().collect();
                format!("--- {f}\n{}", tail.join("\n"))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn wait_for(&mut self, what: &str, mut done: impl FnMut(&Slurm) -> bool) {
        let start = Instant::now();
        while !done(self) {
            for d in &mut self.daemons {
                if let Some(status) = d.try_wait().unwrap() {
                    panic!(
                        "a Slurm daemon exited ({status}) while waiting for {what}\n{}",
                        self.logs()
                    );
                }
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "timed out waiting for {what}\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// The states of job `id`'s tasks (COMPLETED, FAILED, CANCELLED...; one for a plain job), from
    /// `scontrol show job`, each once, comma-separated.
    pub fn job_state(&self, id: &str) -> String {
        let out = run(self.cmd("scontrol").args(["show", "job", id]));
        let body = String::from_utf8_lossy(&out.stdout);
        let mut states: Vec<&str> = body
            .split_whitespace()
            .filter_map(|w| w.strip_prefix("JobState="))
            .collect();
        states.sort();
        states.dedup();
        if states.is_empty() {
            return format!("unknown ({})", text(&out));
        }
        states.join(",")
    }

    /// Waits until job `id` has ended (every task of an array) and returns its state.
    pub fn wait_job(&mut self, id: &str, timeout: Duration) -> String {
        let start = Instant::now();
        loop {
            let queued = run(self.cmd("squeue").args(["-h", "-j", id, "-o", "%T"]));
            if String::from_utf8_lossy(&queued.stdout).trim().is_empty() {
                return self.job_state(id);
            }
            assert!(
                start.elapsed() < timeout,
                "job {id} still queued after {timeout:?}: {}\n{}",
                String::from_utf8_lossy(&queued.stdout),
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

impl Drop for Slurm {
    fn drop(&mut self) {
        // SIGTERM first (slurmctld stops its slurmscriptd child), then make sure.
        for d in self.daemons.iter_mut().rev() {
            let _ = Command::new("kill")
                .args(["-TERM", &d.id().to_string()])
                .status();
            let start = Instant::now();
            while d.try_wait().ok().flatten().is_none() && start.elapsed() < Duration::from_secs(5)
            {
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = d.kill();
            let _ = d.wait();
        }
    }
}
