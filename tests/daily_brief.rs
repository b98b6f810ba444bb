//! The daily brief end to end, with the tiny models: same-story grouping, selection by date, importance order,
//! the run report, and the incremental cache (model calls counted, never served across models or settings).
mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tandem::models::manifest::Role;
use tandem::text::split_sentences;

const PORT_A: &str = "Dock workers end strike at the port after wage deal
url: https://harbour.example/port-strike-ends

Dock workers at the city's main port returned to work on Thursday after unions signed a wage agreement with the port authority.

The strike had halted container traffic for nine days and left dozens of ships waiting offshore.
";

const PORT_B: &str = "Port strike over as dock unions accept pay offer
url: https://coast.example/news/port-deal

The nine-day strike at the main container port ended on Thursday when dock unions accepted the port authority's wage offer.

Cranes were moving again by the evening, and the port authority said the ships waiting offshore would be unloaded within a week.
";

const LIBRARY: &str = "City library reopens after two years of renovation
url: https://harbour.example/library

The central library reopened its doors on Saturday after a renovation that added a children's wing and a rooftop reading room.

Librarians said more than three thousand visitors came on the first day.
";

const MARCHE: &str = "Le marché couvert rouvre ses portes

Le marché couvert du centre-ville a rouvert mardi après six mois de travaux.

Les commerçants se disent soulagés de retrouver leurs clients avant les fêtes.
";

const NEW_FR: &str = "Les musées seront gratuits le premier dimanche du mois

La mairie a décidé que les musées municipaux seraient gratuits chaque premier dimanche du mois.

Cette mesure doit attirer un public plus jeune, selon l'adjointe à la culture.
";

fn write_folder(dir: &Path, files: &[(&str, &str, Option<&str>)]) {
    std::fs::create_dir_all(dir).unwrap();
    let mut manifest = String::new();
    for (name, text, published) in files {
        std::fs::write(dir.join(name), text).unwrap();
        if let Some(date) = published {
            manifest.push_str(&format!(
                "{{\"file\": \"{name}\", \"published\": \"{date}\"}}\n"
            ));
        }
    }
    std::fs::write(dir.join("manifest.jsonl"), manifest).unwrap();
}

struct Setup {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    models: PathBuf,
    cache: PathBuf,
}

fn setup(roles: &[Role]) -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_path_buf();
    let models = root.join("models");
    std::fs::create_dir_all(&models).unwrap();
    common::import_roles(&models, roles);
    Setup {
        cache: root.join("cache"),
        root,
        models,
        _tmp: tmp,
    }
}

fn tandem(s: &Setup, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(args)
        .arg("--models-dir")
        .arg(&s.models)
        .arg("--cache-dir")
        .arg(&s.cache)
        .env_remove("TANDEM_MODELS")
        .env_remove("TANDEM_CACHE_DIR")
        .output()
        .unwrap()
}

fn brief(s: &Setup, input: &Path, out: &Path, extra: &[&str]) -> (Value, Value) {
    let mut args = vec![
        "brief",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let run = tandem(s, &args);
    assert!(
        matches!(run.status.code(), Some(0) | Some(4)),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let brief = read_json(&out.join("brief.json"));
    common::assert_valid_brief(&brief);
    (brief, read_json(&out.join("report.json")))
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn stage<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == name)
        .unwrap_or_else(|| panic!("no stage {name} in {report}"))
}

fn calls(report: &Value, name: &str) -> (u64, u64) {
    let s = stage(report, name);
    (
        s["cache_hits"].as_u64().unwrap(),
        s["model_calls"].as_u64().unwrap(),
    )
}

/// Texts the fr→en stage translates for an article: its title and each sentence.
fn translation_units(article: &str) -> usize {
    let mut blocks = article.trim().split("\n\n");
    let _title = blocks.next();
    1 + blocks.map(|p| split_sentences(p).len()).sum::<usize>()
}

#[test]
fn same_story_from_two_outlets_is_one_lead_item_with_both_sources_and_why() {
    let s = setup(&[]);
    let input = s.root.join("in");
    write_folder(
        &input,
        &[
            ("a-port.txt", PORT_A, Some("2025-11-10")),
            ("b-library.txt", LIBRARY, Some("2025-11-10")),
            ("c-port.txt", PORT_B, Some("2025-11-10")),
        ],
    );
    let (brief, report) = brief(&s, &input, &s.root.join("out"), &["--date", "2025-11-10"]);
    let items = brief["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{brief:#}");
    let lead = &items[0];
    let links: Vec<&str> = lead["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["link"].as_str().unwrap())
        .collect();
    assert_eq!(links.len(), 2, "the two-outlet story leads the brief");
    assert!(links.contains(&"https://harbour.example/port-strike-ends"));
    assert!(links.contains(&"https://coast.example/news/port-deal"));
    let grouping = &lead["grouping"];
    assert_eq!(grouping["method"], "tfidf+evidence");
    let link = &grouping["links"][0];
    assert!(link["score"].as_f64().unwrap() >= grouping["threshold"].as_f64().unwrap());
    let ids: Vec<&str> = lead["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&link["a"].as_str().unwrap()) && ids.contains(&link["b"].as_str().unwrap())
    );
    let terms: Vec<&str> = link["shared_terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        terms.contains(&"port") || terms.contains(&"dock"),
        "{terms:?}"
    );
    assert!(items[1]["grouping"].is_null());
    assert_eq!(items[1]["sources"].as_array().unwrap().len(), 1);
    // The summary is made from the group: the extractive summary draws on both outlets' text.
    let summary: String = lead["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["en"].as_str().unwrap())
        .collect::<Vec<_>>()
        .join(" ");
    let from_b = [
        "Cranes were moving",
        "unloaded within a week",
        "accepted the port authority's wage offer",
    ];
    let from_a = [
        "returned to work on Thursday",
        "halted container traffic",
        "dozens of ships",
    ];
    assert!(
        from_a.iter().any(|p| summary.contains(p)) && from_b.iter().any(|p| summary.contains(p)),
        "summary should use both articles: {summary}"
    );
    assert_eq!(report["articles_read"], 3);
    assert_eq!(report["items"], 2);
}

#[test]
fn date_selection_leaves_out_other_days_and_undated_articles_and_says_why() {
    let s = setup(&[]);
    let input = s.root.join("in");
    write_folder(
        &input,
        &[
            ("a-port.txt", PORT_A, Some("2025-11-09")),
            ("b-library.txt", LIBRARY, Some("2025-11-10")),
            ("c-marche.txt", MARCHE, None),
        ],
    );
    let (b, report) = brief(
        &s,
        &input,
        &s.root.join("one-day"),
        &["--date", "2025-11-10"],
    );
    assert_eq!(b["title"]["en"], "News brief — 2025-11-10");
    assert_eq!(b["title"]["fr"], "Synthèse de presse — 2025-11-10");
    assert_eq!(b["period"]["since"], "2025-11-10");
    let items = b["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert!(items[0]["sources"][0]["path"]
        .as_str()
        .unwrap()
        .ends_with("b-library.txt"));
    let left: Vec<(String, String)> = report["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                Path::new(l["path"].as_str().unwrap())
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .to_string(),
                l["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        left,
        vec![
            (
                "a-port.txt".to_string(),
                "published 2025-11-09, before the period".to_string()
            ),
            (
                "c-marche.txt".to_string(),
                "no published date (pass --include-undated to keep undated articles)".to_string()
            ),
        ]
    );
    assert_eq!(
        (
            report["articles_read"].as_u64(),
            report["articles_selected"].as_u64()
        ),
        (Some(3), Some(1))
    );

    let (b, _) = brief(
        &s,
        &input,
        &s.root.join("range"),
        &[
            "--since",
            "2025-11-09",
            "--until",
            "2025-11-10",
            "--include-undated",
        ],
    );
    assert_eq!(b["title"]["en"], "News brief — 2025-11-09 to 2025-11-10");
    let items = b["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    // single-source items: most recent first, undated last
    let dates: Vec<&Value> = items.iter().map(|i| &i["published"]).collect();
    assert_eq!(
        dates,
        [
            &Value::from("2025-11-10"),
            &Value::from("2025-11-09"),
            &Value::Null
        ]
    );

    let bad = tandem(
        &s,
        &[
            "brief",
            input.to_str().unwrap(),
            "--out",
            s.root.join("x").to_str().unwrap(),
            "--date",
            "10/11/2025",
        ],
    );
    assert_eq!(bad.status.code(), Some(2), "a bad date is bad usage");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("expected a date as YYYY-MM-DD"));

    let backwards = tandem(
        &s,
        &[
            "brief",
            input.to_str().unwrap(),
            "--out",
            s.root.join("x").to_str().unwrap(),
            "--since",
            "2025-11-10",
            "--until",
            "2025-11-09",
        ],
    );
    assert_eq!(
        backwards.status.code(),
        Some(2),
        "--since after --until is bad usage"
    );
    assert!(String::from_utf8_lossy(&backwards.stderr).contains("is after --until"));
}

#[test]
fn a_rerun_with_one_new_article_runs_the_models_on_that_article_only() {
    let s = setup(&Role::ALL);
    let input = s.root.join("in");
    let files = [
        ("a-port.txt", PORT_A, None),
        ("b-marche.txt", MARCHE, None),
        ("c-library.txt", LIBRARY, None),
    ];
    write_folder(&input, &files);
    let (first, report) = brief(&s, &input, &s.root.join("out1"), &[]);
    assert_eq!(
        calls(&report, "translate-fr-en"),
        (0, translation_units(MARCHE) as u64)
    );
    assert_eq!(calls(&report, "summarize-en"), (0, 3));
    let en_fr_first = calls(&report, "translate-en-fr");
    assert_eq!(en_fr_first.0, 0);

    // Same folder again: nothing reaches a model, and the brief is byte-identical.
    let (again, report) = brief(&s, &input, &s.root.join("out2"), &[]);
    assert_eq!(
        calls(&report, "translate-fr-en"),
        (translation_units(MARCHE) as u64, 0)
    );
    assert_eq!(calls(&report, "summarize-en"), (3, 0));
    assert_eq!(calls(&report, "translate-en-fr"), (en_fr_first.1, 0));
    assert_eq!(first, again);
    assert_eq!(
        std::fs::read(s.root.join("out1/brief.json")).unwrap(),
        std::fs::read(s.root.join("out2/brief.json")).unwrap()
    );

    // One new French article: only its title and sentences are translated, only its story summarized.
    std::fs::write(input.join("d-musees.txt"), NEW_FR).unwrap();
    let (b, report) = brief(&s, &input, &s.root.join("out3"), &[]);
    assert_eq!(b["items"].as_array().unwrap().len(), 4);
    assert_eq!(
        calls(&report, "translate-fr-en"),
        (
            translation_units(MARCHE) as u64,
            translation_units(NEW_FR) as u64
        )
    );
    assert_eq!(calls(&report, "summarize-en"), (3, 1));
    let item = b["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| {
            i["sources"][0]["path"]
                .as_str()
                .unwrap()
                .ends_with("d-musees.txt")
        })
        .unwrap();
    // en→fr: the new story's summary sentences (its title is French already); everything else cached.
    let new_sentences = item["sentences"].as_array().unwrap().len() as u64;
    let (hits, computed) = calls(&report, "translate-en-fr");
    assert_eq!(computed, new_sentences, "{report:#}");
    assert_eq!(hits, en_fr_first.1);

    // `--no-cache` gives the same brief, computing everything.
    let (fresh, report) = brief(&s, &input, &s.root.join("out4"), &["--no-cache"]);
    assert_eq!(fresh, b);
    assert_eq!(calls(&report, "summarize-en"), (0, 4));
    assert!(report["cache"].is_null());
}

#[test]
fn the_cache_never_serves_another_models_or_other_settings_results() {
    let s = setup(&Role::ALL);
    let input = s.root.join("in");
    write_folder(
        &input,
        &[("a-port.txt", PORT_A, None), ("b-marche.txt", MARCHE, None)],
    );
    let (_, report) = brief(&s, &input, &s.root.join("out1"), &[]);
    let (_, en_fr_calls) = calls(&report, "translate-en-fr");
    assert!(en_fr_calls > 0);

    // Other decoding settings for en→fr: its results are recomputed, the other stages' are served.
    let gen = common::role_path(&s.models, Role::TranslateEnFr).join("generation_config.json");
    let mut config: Value = read_json(&gen);
    config["num_beams"] = Value::from(2);
    std::fs::write(&gen, serde_json::to_string(&config).unwrap()).unwrap();
    let (_, report) = brief(&s, &input, &s.root.join("out2"), &[]);
    assert_eq!(calls(&report, "translate-en-fr"), (0, en_fr_calls));
    assert_eq!(calls(&report, "summarize-en").1, 0);

    // Other weights for the summarizer (one byte of the last tensor changed): recomputed.
    let weights = common::role_path(&s.models, Role::SummarizeEn).join("model.safetensors");
    let mut bytes = std::fs::read(&weights).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    std::fs::write(&weights, bytes).unwrap();
    let (_, report) = brief(&s, &input, &s.root.join("out3"), &[]);
    assert_eq!(calls(&report, "summarize-en"), (0, 2));
    assert_eq!(calls(&report, "translate-fr-en").1, 0);

    // stats and clear
    let stats = tandem(&s, &["cache", "stats"]);
    let text = String::from_utf8_lossy(&stats.stdout).to_string();
    assert!(
        text.contains("summarize-en") && text.contains("2 model(s)"),
        "{text}"
    );
    let clear = tandem(&s, &["cache", "clear"]);
    assert_eq!(clear.status.code(), Some(0));
    let (_, report) = brief(&s, &input, &s.root.join("out4"), &[]);
    assert_eq!(calls(&report, "summarize-en"), (0, 2));
}

#[test]
fn translate_keeps_paragraphs_aligns_sentences_and_shares_the_cache_with_brief() {
    let s = setup(&Role::ALL);
    let input = s.root.join("in");
    write_folder(
        &input,
        &[("marche.txt", MARCHE, None), ("port.txt", PORT_A, None)],
    );
    let out = s.root.join("translated");
    let run = tandem(
        &s,
        &[
            "translate",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&run.stderr).to_string();
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    let fr = read_json(&out.join("marche.en.json"));
    assert_eq!(
        (fr["from"].as_str(), fr["to"].as_str()),
        (Some("fr"), Some("en"))
    );
    assert_eq!(fr["title"]["fr"], "Le marché couvert rouvre ses portes");
    assert!(!fr["title"]["en"].as_str().unwrap().is_empty());
    let paragraphs = fr["paragraphs"].as_array().unwrap();
    assert_eq!(paragraphs.len(), 2, "paragraphs kept");
    assert_eq!(
        paragraphs[0][0]["fr"],
        "Le marché couvert du centre-ville a rouvert mardi après six mois de travaux."
    );
    assert!(paragraphs
        .iter()
        .flat_map(|p| p.as_array().unwrap())
        .all(|s| s["en"].is_string()));
    let en = read_json(&out.join("port.fr.json"));
    assert_eq!(en["paragraphs"].as_array().unwrap().len(), 2);
    assert_eq!(en["paragraphs"][1][0]["en"], "The strike had halted container traffic for nine days and left dozens of ships waiting offshore.");
    let md = std::fs::read_to_string(out.join("marche.en.md")).unwrap();
    assert!(md.starts_with("# Le marché couvert rouvre ses portes\n"));
    assert!(md.contains("Le marché couvert du centre-ville a rouvert mardi"));
    assert_eq!(
        md.matches("\n> ").count(),
        2,
        "each paragraph followed by its translation:\n{md}"
    );

    // The brief of the same folder reuses the fr→en translations made by `translate`.
    let (_, report) = brief(&s, &input, &s.root.join("brief"), &[]);
    assert_eq!(
        calls(&report, "translate-fr-en"),
        (translation_units(MARCHE) as u64, 0)
    );

    // A forced target equal to the article's language is reported, not silently copied.
    let same = tandem(
        &s,
        &[
            "translate",
            input.join("port.txt").to_str().unwrap(),
            "--to",
            "en",
            "--out",
            s.root.join("t2").to_str().unwrap(),
        ],
    );
    assert_eq!(same.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&same.stderr).contains("already in en"));
}
