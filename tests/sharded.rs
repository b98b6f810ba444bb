//! Sharded runs with the tiny models: `tandem brief --shard I/N` on each shard, then `tandem merge`, gives the
//! brief a single run gives, byte for byte; a missing, failed or differently-made shard is named with the command
//! that re-runs it, and that command reuses the shard's cache.
mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tandem::models::manifest::Role;

const STRIKE_EN: &str = "Dock workers end strike at the port after wage deal

Dock workers at the city's main port returned to work on Thursday after unions signed a wage agreement with the port authority.

The strike had halted container traffic for nine days and left dozens of ships waiting offshore.
";

const STRIKE_EN2: &str = "Port strike over as dock unions accept pay offer

The nine-day strike at the main container port ended on Thursday when dock unions accepted the port authority's wage offer.

Cranes were moving again by the evening, and the port authority said the ships waiting offshore would be unloaded within a week.
";

const LIBRARY: &str = "City library reopens after two years of renovation

The central library reopened its doors on Saturday after a renovation that added a children's wing and a rooftop reading room.

Librarians said more than three thousand visitors came on the first day.
";

const MARCHE: &str = "Le marché couvert rouvre ses portes

Le marché couvert du centre-ville a rouvert mardi après six mois de travaux.

Les commerçants se disent soulagés de retrouver leurs clients avant les fêtes.
";

const MUSEES: &str = "Les musées seront gratuits le premier dimanche du mois

La mairie a décidé que les musées municipaux seraient gratuits chaque premier dimanche du mois.

Cette mesure doit attirer un public plus jeune, selon l'adjointe à la culture.
";

const TRAM: &str = "Tram line extension approved by the council

The city council approved on Monday a four-kilometre extension of the tram line to the northern suburbs.

Works are due to start next spring and last two years.
";

const DATE: &str = "2025-11-10";

struct Setup {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    models: PathBuf,
    articles: PathBuf,
}

/// All three tiny models, and a folder of articles: a story told by two outlets, four others on the day, one
/// from another day (left out) and one unreadable file (skipped).
fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_path_buf();
    let models = root.join("models");
    std::fs::create_dir_all(&models).unwrap();
    common::import_roles(
        &models,
        &[Role::TranslateFrEn, Role::SummarizeEn, Role::TranslateEnFr],
    );
    let articles = root.join("articles");
    std::fs::create_dir_all(&articles).unwrap();
    let mut manifest = String::new();
    for (name, text, date) in [
        ("strike-a.txt", STRIKE_EN, DATE),
        ("strike-b.txt", STRIKE_EN2, DATE),
        ("library.txt", LIBRARY, DATE),
        ("marche.txt", MARCHE, DATE),
        ("musees.txt", MUSEES, DATE),
        ("tram.txt", TRAM, "2025-11-09"),
    ] {
        std::fs::write(articles.join(name), text).unwrap();
        manifest.push_str(&format!(
            "{{\"file\": \"{name}\", \"published\": \"{date}\"}}\n"
        ));
    }
    std::fs::write(articles.join("manifest.jsonl"), manifest).unwrap();
    std::fs::write(articles.join("empty.txt"), "").unwrap();
    Setup {
        _tmp: tmp,
        root,
        models,
        articles,
    }
}

fn tandem(models: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tandem"))
        .arg("--models-dir")
        .arg(models)
        .args(args)
        .env_remove("TANDEM_MODELS")
        .env_remove("TANDEM_CACHE_DIR")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs shard `i` of `n` into `out` with the cache under `cache`; returns the output.
fn shard(s: &Setup, out: &Path, cache: &Path, i: usize, n: usize, extra: &[&str]) -> Output {
    let spec = format!("{i}/{n}");
    let mut args = vec![
        "--cache-dir",
        path(cache),
        "brief",
        path(&s.articles),
        "--out",
        path(out),
        "--date",
        DATE,
        "--shard",
        &spec,
    ];
    args.extend_from_slice(extra);
    tandem(&s.models, &args)
}

/// `tandem merge`; a merge that wrote a brief (exit 0, 3: some articles failed, 4: sides untranslated) wrote one
/// that follows the schema.
fn merge(s: &Setup, shards: &Path, out: &Path) -> Output {
    let run = tandem(&s.models, &["merge", path(shards), "--out", path(out)]);
    if matches!(run.status.code(), Some(0 | 3 | 4)) {
        common::assert_valid_brief(&read_json(&out.join("brief.json")));
    }
    run
}

const BRIEF_FILES: [&str; 4] = ["brief.json", "brief.en.md", "brief.fr.md", "brief.html"];

fn assert_same_brief(a: &Path, b: &Path) {
    for f in BRIEF_FILES {
        let (x, y) = (
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
        );
        assert!(
            x == y,
            "{f} differs:\n--- {}\n{}\n--- {}\n{}",
            a.display(),
            String::from_utf8_lossy(&x),
            b.display(),
            String::from_utf8_lossy(&y)
        );
    }
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// The article ids in a shard file (the lines after its header).
fn shard_ids(file: &Path) -> Vec<String> {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["source"]["id"].as_str().unwrap().to_string()
        })
        .collect()
}

fn single_run(s: &Setup) -> PathBuf {
    let out = s.root.join("single");
    let run = tandem(
        &s.models,
        &[
            "--no-cache",
            "brief",
            path(&s.articles),
            "--out",
            path(&out),
            "--date",
            DATE,
        ],
    );
    assert_eq!(run.status.code(), Some(3), "{}", stderr(&run));
    common::assert_valid_brief(&read_json(&out.join("brief.json")));
    out
}

#[test]
fn three_shards_and_one_shard_merge_into_the_single_machine_brief_byte_for_byte() {
    let s = setup();
    let single = single_run(&s);
    let brief = read_json(&single.join("brief.json"));
    let story = brief["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["sources"].as_array().unwrap().len() == 2)
        .expect("the two outlets' strike story is one item");
    let story_ids: Vec<&str> = story["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|src| src["id"].as_str().unwrap())
        .collect();

    let (shards, cache) = (s.root.join("shards"), s.root.join("cache"));
    for i in 0..3 {
        let run = shard(&s, &shards, &cache, i, 3, &[]);
        assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
        assert!(stderr(&run).contains(&format!("shard {i}/3:")));
        assert!(
            cache.join(format!("shard-{i}")).is_dir(),
            "each shard its own cache"
        );
    }
    let ids: Vec<Vec<String>> = (0..3)
        .map(|i| shard_ids(&shards.join(format!("shard-{i}-of-3.jsonl"))))
        .collect();
    assert_eq!(
        ids.iter().map(Vec::len).sum::<usize>(),
        5,
        "each article of the day once"
    );
    assert!(ids.iter().all(|v| !v.is_empty()), "{ids:?}");
    let owner = |id: &str| ids.iter().position(|v| v.iter().any(|x| x == id));
    assert_ne!(
        owner(story_ids[0]),
        owner(story_ids[1]),
        "the fixture puts the two outlets of one story in different shards, so merge must group across shards"
    );

    let merged = s.root.join("merged");
    let run = merge(&s, &shards, &merged);
    assert_eq!(
        run.status.code(),
        Some(3),
        "skipped file → 3: {}",
        stderr(&run)
    );
    assert_same_brief(&single, &merged);
    let (a, b) = (
        read_json(&single.join("report.json")),
        read_json(&merged.join("report.json")),
    );
    for field in [
        "articles_read",
        "articles_selected",
        "items",
        "skipped",
        "left_out",
        "models",
    ] {
        assert_eq!(a[field], b[field], "report field {field}");
    }
    let summarize = b["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|st| st["stage"] == "summarize-en")
        .expect("summaries summed over the shards");
    assert_eq!(summarize["inputs"], 5);

    let one = s.root.join("one");
    let run = shard(&s, &one, &s.root.join("cache1"), 0, 1, &[]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let merged_one = s.root.join("merged-one");
    assert_eq!(merge(&s, &one, &merged_one).status.code(), Some(3));
    assert_same_brief(&single, &merged_one);
}

/// The re-run command merge prints for shard `index` (the line after `re-run:`), a shell line.
fn rerun_command(merge_stderr: &str, index: usize) -> String {
    let mut lines = merge_stderr.lines();
    lines
        .find(|l| l.starts_with(&format!("shard {index}/")))
        .unwrap_or_else(|| panic!("shard {index} not named in:\n{merge_stderr}"));
    let line = lines.next().unwrap().trim();
    line.strip_prefix("re-run: ").expect(line).to_string()
}

#[test]
fn a_lost_or_failed_shard_is_named_with_the_command_that_reruns_it_from_its_cache() {
    let s = setup();
    let single = single_run(&s);
    let (shards, cache) = (s.root.join("shards"), s.root.join("cache"));
    for i in 0..3 {
        assert_eq!(shard(&s, &shards, &cache, i, 3, &[]).status.code(), Some(0));
    }

    // Lost: the file of shard 1 is gone.
    std::fs::remove_file(shards.join("shard-1-of-3.jsonl")).unwrap();
    let out = s.root.join("merged");
    let run = merge(&s, &shards, &out);
    assert_eq!(run.status.code(), Some(6), "{}", stderr(&run));
    let err = stderr(&run);
    assert!(err.contains("shard 1/3: missing"), "{err}");
    assert!(
        !out.join("brief.json").exists(),
        "no brief from incomplete shards"
    );
    let cmd = rerun_command(&err, 1);
    assert!(cmd.contains("--shard 1/3"), "{cmd}");
    // run as printed, from elsewhere: it goes back to the folder the shards ran in
    let rerun = Command::new("sh")
        .args(["-c", &cmd])
        .current_dir(&s.root)
        .output()
        .unwrap();
    assert_eq!(rerun.status.code(), Some(0), "{}", stderr(&rerun));
    let report = read_json(&shards.join("shard-1-of-3.report.json"));
    let model_stages: Vec<&Value> = report["stages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|st| !st["model"].is_null())
        .collect();
    assert!(!model_stages.is_empty());
    for st in model_stages {
        assert_eq!(
            st["model_calls"], 0,
            "the re-run is served by its cache: {st}"
        );
        assert!(st["cache_hits"].as_u64().unwrap() > 0, "{st}");
    }
    assert_eq!(merge(&s, &shards, &out).status.code(), Some(3));
    assert_same_brief(&single, &out);

    // Failed: shard 2 runs with a broken summarizer; its failure is recorded and reported.
    let broken = s.root.join("broken-models");
    for role in [Role::TranslateFrEn, Role::SummarizeEn, Role::TranslateEnFr] {
        let (from, to) = (
            common::role_path(&s.models, role),
            common::role_path(&broken, role),
        );
        std::fs::create_dir_all(&to).unwrap();
        for e in std::fs::read_dir(&from).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
    let weights = common::role_path(&broken, Role::SummarizeEn).join("model.safetensors");
    let bytes = std::fs::read(&weights).unwrap();
    std::fs::write(&weights, &bytes[..bytes.len() / 2]).unwrap();
    let failed = tandem(
        &broken,
        &[
            "--cache-dir",
            path(&cache),
            "brief",
            path(&s.articles),
            "--out",
            path(&shards),
            "--date",
            DATE,
            "--shard",
            "2/3",
        ],
    );
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    assert!(shards.join("shard-2-of-3.failed.json").exists());
    let run = merge(&s, &shards, &out);
    assert_eq!(run.status.code(), Some(6));
    let err = stderr(&run);
    assert!(err.contains("shard 2/3: failed:"), "{err}");
    assert!(
        err.contains("model.safetensors"),
        "the cause is named: {err}"
    );
    assert!(rerun_command(&err, 2).contains("--shard 2/3"));
    // Fixed and re-run: the failure record goes, the merge is whole again.
    assert_eq!(shard(&s, &shards, &cache, 2, 3, &[]).status.code(), Some(0));
    assert!(!shards.join("shard-2-of-3.failed.json").exists());
    assert_eq!(merge(&s, &shards, &out).status.code(), Some(3));
    assert_same_brief(&single, &out);
}

#[test]
fn shards_made_differently_are_refused() {
    let s = setup();
    let (shards, cache) = (s.root.join("shards"), s.root.join("cache"));
    for i in 0..2 {
        assert_eq!(shard(&s, &shards, &cache, i, 2, &[]).status.code(), Some(0));
    }
    // Shard 1 again with another engine: its outputs would not be what a single run gives.
    let run = shard(&s, &shards, &cache, 1, 2, &["--engine", "tandem-int8"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let out = s.root.join("merged");
    let run = merge(&s, &shards, &out);
    assert_eq!(run.status.code(), Some(6));
    let err = stderr(&run);
    assert!(err.contains("shard 1/2: made with other engine"), "{err}");

    // Shard 1 again as before, but after an article was added to the folder.
    std::fs::write(
        s.root.join("articles").join("late.txt"),
        TRAM.replace("Monday", "Tuesday"),
    )
    .unwrap();
    assert_eq!(shard(&s, &shards, &cache, 1, 2, &[]).status.code(), Some(0));
    let err = stderr(&merge(&s, &shards, &out));
    assert!(err.contains("the folder changed between shards"), "{err}");

    // Shards of another shard count in the same folder are not mixed in.
    assert_eq!(shard(&s, &shards, &cache, 0, 3, &[]).status.code(), Some(0));
    let run = merge(&s, &shards, &out);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("different shard counts"),
        "{}",
        stderr(&run)
    );
}
