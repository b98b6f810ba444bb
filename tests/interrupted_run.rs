//! Interrupted runs and where a run writes: `kill -9` in the middle of the model stages leaves the previous
//! brief intact and no partial file; the next run resumes from the cache and writes a brief byte-identical to an
//! uninterrupted one. A run writes nothing outside `--out` and the cache folder.
mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tandem::models::manifest::Role;

/// French articles with distinct sentences, enough for several cache chunks of the translation stage.
fn write_articles(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let places = [
        "Lyon", "Lille", "Nantes", "Rennes", "Dijon", "Nancy", "Brest", "Tours", "Caen", "Metz",
    ];
    let things = [
        "le tramway",
        "la piscine",
        "le stade",
        "la gare",
        "le musée",
        "le marché",
    ];
    for i in 0..n {
        let place = places[i % places.len()];
        let mut text = format!("Nouvelles de {place}, numéro {i}\n\n");
        for p in 0..3 {
            for k in 0..4 {
                let thing = things[(i + p + k) % things.len()];
                text.push_str(&format!(
                    "À {place}, {thing} ouvrira le {} du mois {} selon la mairie. ",
                    k + 1 + p * 4,
                    i + 1
                ));
            }
            text.push_str("\n\n");
        }
        std::fs::write(dir.join(format!("article-{i:02}.txt")), text).unwrap();
    }
}

fn tandem(models: &Path, cache: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tandem"));
    cmd.args(args)
        .arg("--models-dir")
        .arg(models)
        .arg("--cache-dir")
        .arg(cache)
        .env_remove("TANDEM_MODELS")
        .env_remove("TANDEM_CACHE_DIR")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

fn entries_in(cache: &Path) -> u64 {
    if !cache.join(tandem::cache::FILE_NAME).exists() {
        return 0;
    }
    let Ok(c) = tandem::cache::Cache::open(cache) else {
        return 0;
    };
    c.stats()
        .ok()
        .flatten()
        .map_or(0, |s| s.stages.iter().map(|x| x.entries).sum())
}

/// Every file under `dir` with its contents.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn kill_9_mid_run_keeps_the_previous_brief_and_the_rerun_resumes_to_an_identical_brief() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let models = root.join("models");
    common::import_roles(&models, &Role::ALL);
    let (small, big) = (root.join("small"), root.join("big"));
    write_articles(&small, 1);
    write_articles(&big, 12);
    let out = root.join("out");
    let cache = root.join("cache");

    // A previous brief in --out.
    let status = tandem(
        &models,
        &cache,
        &[
            "brief",
            small.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .status()
    .unwrap();
    assert_eq!(status.code(), Some(0));
    let previous = snapshot(&out);
    assert!(previous.contains_key(&out.join("brief.json")));
    let before = entries_in(&cache);

    // The big folder, killed with SIGKILL once the first chunk of its translations is in the cache.
    let mut child = tandem(
        &models,
        &cache,
        &[
            "brief",
            big.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .spawn()
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it could be interrupted"
        );
        if entries_in(&cache) > before {
            break;
        }
        assert!(Instant::now() < deadline, "no cache entry appeared");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    let resumed_from = entries_in(&cache);
    assert!(resumed_from > before);

    assert_eq!(
        snapshot(&out),
        previous,
        "the previous brief is intact and no partial file is left"
    );

    // The rerun resumes from the cache…
    let rerun = tandem(
        &models,
        &cache,
        &[
            "brief",
            big.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .output()
    .unwrap();
    assert_eq!(
        rerun.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&rerun.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let fr_en = report["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == "translate-fr-en")
        .unwrap();
    assert!(fr_en["cache_hits"].as_u64().unwrap() > 0, "{report:#}");

    // …and gives the brief of an uninterrupted run, byte for byte.
    let clean_out = root.join("clean");
    let clean = tandem(
        &models,
        &root.join("clean-cache"),
        &[
            "brief",
            big.to_str().unwrap(),
            "--out",
            clean_out.to_str().unwrap(),
            "--no-cache",
        ],
    )
    .status()
    .unwrap();
    assert_eq!(clean.code(), Some(0));
    let resumed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("brief.json")).unwrap()).unwrap();
    common::assert_valid_brief(&resumed);
    for name in ["brief.json", "brief.en.md", "brief.fr.md", "brief.html"] {
        assert_eq!(
            std::fs::read(out.join(name)).unwrap(),
            std::fs::read(clean_out.join(name)).unwrap(),
            "{name}"
        );
    }
    // The run's files are one set: every name in --out reads the file in the folder `latest` points to.
    let set = std::fs::canonicalize(out.join(tandem::output::LATEST)).unwrap();
    for name in [
        "brief.json",
        "brief.en.md",
        "brief.fr.md",
        "brief.html",
        "report.json",
    ] {
        assert_eq!(
            std::fs::canonicalize(out.join(name)).unwrap(),
            set.join(name)
        );
    }
}

#[test]
fn a_run_writes_only_into_out_and_the_cache_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let models = root.join("models");
    common::import_roles(&models, &[Role::TranslateFrEn]);
    let input = root.join("in");
    write_articles(&input, 2);
    let home = root.join("home");
    let work = root.join("cwd");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    let before = snapshot(root);
    let out = root.join("out");
    let cache = root.join("cache");
    let status = tandem(
        &models,
        &cache,
        &[
            "brief",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .current_dir(&work)
    .env("HOME", &home)
    .env("XDG_CACHE_HOME", home.join(".cache"))
    .status()
    .unwrap();
    assert_eq!(
        status.code(),
        Some(4),
        "en→fr is not installed: sides untranslated"
    );
    let after = snapshot(root);
    let new_or_changed: Vec<&PathBuf> = after
        .iter()
        .filter(|(p, bytes)| before.get(*p) != Some(bytes))
        .map(|(p, _)| p)
        .collect();
    assert!(!new_or_changed.is_empty());
    for p in &new_or_changed {
        assert!(
            p.starts_with(&out) || p.starts_with(&cache),
            "wrote outside --out and the cache: {}",
            p.display()
        );
    }
    assert!(
        before.keys().all(|p| after.contains_key(p)),
        "nothing deleted"
    );
}
