//! End-to-end: the `tandem` binary on fixture articles, with the tiny models imported as real ones would be,
//! and with no models at all (the offline default).
mod common;

use common::{read_brief, tandem};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tandem::models::manifest::Role;

fn articles() -> PathBuf {
    common::fixtures().join("articles")
}

/// The `brief.json` in `out`, checked against the schema.
fn item<'a>(brief: &'a Value, path_suffix: &str) -> &'a Value {
    brief["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| {
            i["sources"][0]["path"]
                .as_str()
                .unwrap()
                .ends_with(path_suffix)
        })
        .unwrap_or_else(|| panic!("no item for {path_suffix}"))
}

/// `tandem brief <input> --out <out>` with `extra` arguments.
fn run_brief(input: &Path, out: &Path, models: &Path, extra: &[&str]) -> Output {
    let (input, out) = (input.to_str().unwrap(), out.to_str().unwrap());
    let mut args = vec!["brief", input, "--out", out];
    args.extend_from_slice(extra);
    tandem(&args, models)
}

/// `tandem brief` of the fixture articles for 2025-11-10 into `out`.
fn dated_brief(out: &Path, models: &Path) -> Output {
    run_brief(&articles(), out, models, &["--date", "2025-11-10"])
}

#[test]
fn brief_with_all_models_has_aligned_sides_languages_sources_and_models() {
    let tmp = tempfile::tempdir().unwrap();
    let models = tmp.path().join("models");
    common::import_roles(&models, &Role::ALL);
    let out = tmp.path().join("out");
    let run = dated_brief(&out, &models);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "stderr: {stderr}");

    let brief = read_brief(&out);
    assert_eq!(brief["schema_version"], tandem::brief::SCHEMA_VERSION);
    assert_eq!(brief["title"]["en"], "News brief — 2025-11-10");
    let items = brief["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "one item per article");
    for it in items {
        let sentences = it["sentences"].as_array().unwrap();
        assert!(!sentences.is_empty(), "item {} has no summary", it["id"]);
        for s in sentences {
            assert!(!s["en"].as_str().unwrap().trim().is_empty());
            assert!(!s["fr"].as_str().unwrap().trim().is_empty());
        }
        assert!(!it["title"]["en"].as_str().unwrap().is_empty());
        assert!(!it["title"]["fr"].as_str().unwrap().is_empty());
        assert_eq!(
            it["en"]["status"],
            if it["original_language"] == "en" {
                "original"
            } else {
                "translated"
            }
        );
        assert_eq!(it["fr"]["status"], "translated");
        assert!(it["en"]["summarized_by"]
            .as_str()
            .unwrap()
            .starts_with("bart-cnn"));
    }
    let en = item(&brief, "en-port-strike.txt");
    assert_eq!(en["original_language"], "en");
    assert_eq!(
        en["sources"][0]["link"],
        "https://example.test/en/port-strike"
    );
    assert_eq!(
        en["title"]["en"],
        "Dock workers end strike at the port after wage deal"
    );
    assert_eq!(en["fr"]["translated_by"].as_array().unwrap().len(), 1);

    let fr = item(&brief, "fr-pont.txt");
    assert_eq!(fr["original_language"], "fr");
    assert_eq!(
        fr["title"]["fr"],
        "Le nouveau pont sur le fleuve ouvrira en mars"
    );
    assert!(fr["sources"][0]["url"].is_null(), "no URL is invented");
    assert!(fr["sources"][0]["link"]
        .as_str()
        .unwrap()
        .ends_with("fr-pont.txt"));
    // The French side of a French article went fr→en, was summarized, then en→fr.
    let chain: Vec<&str> = fr["fr"]["translated_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(chain.len(), 2);
    assert!(chain[0].starts_with("marian-fr-en (sha256 "), "{chain:?}");
    assert!(chain[1].starts_with("marian-en-fr (sha256 "), "{chain:?}");

    let used = &brief["models"];
    assert!(used["summarizer"]
        .as_str()
        .unwrap()
        .starts_with("bart-cnn (sha256 "));
    assert!(used["translate_fr_en"]
        .as_str()
        .unwrap()
        .starts_with("marian-fr-en"));
    assert!(used["translate_en_fr"]
        .as_str()
        .unwrap()
        .starts_with("marian-en-fr"));

    let md_en = std::fs::read_to_string(out.join("brief.en.md")).unwrap();
    let md_fr = std::fs::read_to_string(out.join("brief.fr.md")).unwrap();
    assert!(md_en.starts_with("# News brief — 2025-11-10\n"));
    assert!(md_fr.starts_with("# Synthèse de presse — 2025-11-10\n"));
    assert!(md_en.contains("(https://example.test/en/port-strike)"));
    assert!(md_fr.contains("## Le nouveau pont sur le fleuve ouvrira en mars"));

    // brief.html is the page of this very brief.
    let parsed: tandem::brief::Brief =
        serde_json::from_str(&std::fs::read_to_string(out.join("brief.json")).unwrap()).unwrap();
    assert_eq!(
        std::fs::read_to_string(out.join("brief.html")).unwrap(),
        tandem::brief::html::to_html(&parsed)
    );

    // Same input and models: byte-identical brief.
    let out2 = tmp.path().join("out2");
    let rerun = dated_brief(&out2, &models);
    assert_eq!(rerun.status.code(), Some(0));
    assert_eq!(
        std::fs::read(out.join("brief.json")).unwrap(),
        std::fs::read(out2.join("brief.json")).unwrap()
    );
}

#[test]
fn without_models_the_brief_is_extractive_and_says_what_is_not_translated() {
    let tmp = tempfile::tempdir().unwrap();
    let models = tmp.path().join("no-models");
    std::fs::create_dir(&models).unwrap();
    let out = tmp.path().join("out");
    let run = run_brief(&articles(), &out, &models, &[]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(4), "stderr: {stderr}");
    for role in ["translate-fr-en", "translate-en-fr", "summarize-en"] {
        assert!(
            stderr.contains(&format!("scripts/fetch-models.sh {role}")),
            "stderr should say how to install {role}: {stderr}"
        );
    }
    let brief = read_brief(&out);
    assert!(brief["models"]["summarizer"]
        .as_str()
        .unwrap()
        .starts_with("extractive"));
    assert!(brief["models"]["translate_fr_en"].is_null());

    let en = item(&brief, "en-port-strike.txt");
    assert_eq!(en["en"]["status"], "original");
    assert_eq!(en["fr"]["status"], "not_translated");
    assert!(en["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["fr"].is_null()));
    // an article of three sentences or fewer is kept whole by the extractive summarizer
    assert_eq!(
        en["sentences"][0]["en"],
        "Dock workers at the city's main port returned to work on Thursday after unions signed a wage agreement with the port authority."
    );

    let fr = item(&brief, "fr-meteo.txt");
    assert_eq!(fr["fr"]["status"], "original");
    assert_eq!(fr["en"]["status"], "not_translated");
    assert!(fr["title"]["en"].is_null());
    assert_eq!(
        fr["sentences"][0]["fr"],
        "Les services météorologiques prévoient de fortes pluies sur la capitale samedi et dimanche."
    );
    let md_en = std::fs::read_to_string(out.join("brief.en.md")).unwrap();
    assert!(md_en.contains("not translated: the translation model is not installed"));
}

#[test]
fn models_lists_every_role_as_missing_with_the_install_command() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tandem(&["models"], tmp.path());
    assert_eq!(run.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&run.stdout);
    for (role, repo) in [
        ("translate-fr-en", "Helsinki-NLP/opus-mt-fr-en"),
        ("translate-en-fr", "Helsinki-NLP/opus-mt-en-fr"),
        ("summarize-en", "sshleifer/distilbart-cnn-12-6"),
    ] {
        assert!(stdout.contains(&format!("{role}: missing")), "{stdout}");
        assert!(stdout.contains(repo), "{stdout}");
        assert!(
            stdout.contains(&format!("scripts/fetch-models.sh {role}")),
            "{stdout}"
        );
    }
}

#[test]
fn models_reports_an_imported_role_as_installed() {
    let tmp = tempfile::tempdir().unwrap();
    let hf = common::hf_fixture(Role::SummarizeEn);
    let run = tandem(
        &[
            "models",
            "import",
            hf.to_str().unwrap(),
            "--role",
            "summarize-en",
        ],
        tmp.path(),
    );
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let list = String::from_utf8_lossy(&tandem(&["models"], tmp.path()).stdout).to_string();
    assert!(list.contains("summarize-en: installed"), "{list}");
    assert!(list.contains("translate-fr-en: missing"), "{list}");
}

#[test]
fn truncated_weights_stop_the_run_before_any_article_with_the_file_named() {
    let tmp = tempfile::tempdir().unwrap();
    let models = tmp.path().join("models");
    common::import_roles(&models, &[Role::TranslateEnFr]);
    let weights = common::role_path(&models, Role::TranslateEnFr).join("model.safetensors");
    let bytes = std::fs::read(&weights).unwrap();
    std::fs::write(&weights, &bytes[..bytes.len() / 2]).unwrap();
    let out = tmp.path().join("out");
    let run = run_brief(&articles(), &out, &models, &[]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("translate-en-fr"), "{stderr}");
    assert!(
        stderr.contains("model.safetensors: truncated or damaged"),
        "{stderr}"
    );
    assert!(
        !out.join("brief.json").exists(),
        "nothing is written on a fatal error"
    );
}

#[test]
fn an_output_folder_inside_the_articles_folder_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::write(input.join("a.txt"), "Title\n\nSome body text here.\n").unwrap();
    let out = input.join("out");
    let run = run_brief(&input, &out, tmp.path(), &[]);
    assert_eq!(run.status.code(), Some(2), "bad usage is exit 2");
    assert!(String::from_utf8_lossy(&run.stderr).contains("inside the articles folder"));
    assert!(!out.exists());
}

#[test]
fn a_bad_file_is_reported_and_the_rest_of_the_batch_is_done() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::write(
        input.join("good.txt"),
        "A good title\n\nThe council approved the budget on Tuesday. The vote was close.\n",
    )
    .unwrap();
    std::fs::write(input.join("empty.txt"), "  \n").unwrap();
    std::fs::write(input.join("binary.txt"), [0xff, 0xfe, 0x00, 0x81]).unwrap();
    let out = tmp.path().join("out");
    let run = run_brief(&input, &out, tmp.path(), &[]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("empty.txt: empty file"), "{stderr}");
    let brief = read_brief(&out);
    assert_eq!(brief["items"].as_array().unwrap().len(), 1);
    assert_eq!(brief["skipped"].as_array().unwrap().len(), 2);
}

#[test]
fn tandem_engine_and_rust_bert_make_the_same_brief_and_int8_and_fp16_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let models = tmp.path().join("models");
    common::import_roles(&models, &Role::ALL);
    let mut briefs = Vec::new();
    for engine in ["tandem", "rust-bert", "tandem-int8", "tandem-fp16"] {
        let out = tmp.path().join(engine);
        let run = run_brief(
            &articles(),
            &out,
            &models,
            &["--engine", engine, "--no-cache"],
        );
        assert_eq!(
            run.status.code(),
            Some(0),
            "{engine}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        briefs.push(std::fs::read(out.join("brief.json")).unwrap());
    }
    assert_eq!(
        briefs[0], briefs[1],
        "the default engine gives rust-bert's brief, byte for byte"
    );
    for (brief, label) in [(&briefs[2], "[int8]"), (&briefs[3], "[fp16]")] {
        let brief: Value = serde_json::from_slice(brief).unwrap();
        common::assert_valid_brief(&brief);
        for role in ["summarizer", "translate_fr_en"] {
            let name = brief["models"][role].as_str().unwrap();
            assert!(name.ends_with(label), "{role}: {name}");
        }
    }

    let bad = run_brief(
        &articles(),
        &tmp.path().join("x"),
        &models,
        &["--engine", "onnx"],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr)
        .contains("expected one of rust-bert, tandem, tandem-int8, tandem-fp16"));
}

/// `TANDEM_LOG=info` shows what a run did: each stage's start (inputs, cache hits and misses) and end, each
/// model load with its folder, fingerprint, engine and CPU kernel, and every skipped file with its reason.
#[test]
fn tandem_log_info_logs_stages_model_loads_and_skipped_files() {
    let tmp = tempfile::tempdir().unwrap();
    let models = tmp.path().join("models");
    common::import_roles(&models, &[Role::TranslateFrEn]);
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::copy(articles().join("fr-pont.txt"), input.join("fr-pont.txt")).unwrap();
    std::fs::write(input.join("broken.txt"), [0xffu8, 0x00, 0xfe, 0x00, 0x01]).unwrap();
    let out = tmp.path().join("out");
    let run = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args([
            "brief",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .arg("--models-dir")
        .arg(&models)
        .arg("--no-cache")
        .env("TANDEM_LOG", "info")
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(3), "{log}");
    for needle in [
        "stage start",
        "stage=translate-fr-en",
        "cache_misses=",
        "model load",
        "engine=\"tandem\"",
        "compute=tandem engine, f32",
        "stage done",
        "article skipped",
        "broken.txt",
    ] {
        assert!(log.contains(needle), "`{needle}` not logged:\n{log}");
    }
}
