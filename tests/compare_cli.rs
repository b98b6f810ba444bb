//! `tandem compare` and the metrics test API on a golden brief: the offline (extractive) brief of the golden
//! articles (9–10 sentences each, tests/fixtures/golden/articles) must stay close to the summaries a person chose
//! by hand (tests/fixtures/golden/offline, see its README); the wrong sentences or a drifted summary fail the bar.
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tandem::metrics::{assert_summary_close, check_summary_close, Thresholds};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn tandem(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(args)
        .arg("--no-cache")
        .env_remove("TANDEM_MODELS")
        .output()
        .unwrap()
}

/// The bar the extractive summaries must meet against the hand-chosen ones, per language.
const BAR: &str = "rougeL=0.6,chrf=65";

fn offline_brief(tmp: &Path) -> PathBuf {
    let out = tmp.join("out");
    common::offline_brief_of(&fixtures().join("golden/articles"), &out);
    out.join("brief.json")
}

/// Each golden article's body, by file name.
fn golden_articles() -> Vec<(String, String)> {
    let dir = fixtures().join("golden/articles");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let body = text.split_once("\n\n").unwrap().1.to_string();
            (p.file_name().unwrap().to_string_lossy().to_string(), body)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn offline_brief_stays_close_to_the_golden_summaries() {
    let tmp = tempfile::tempdir().unwrap();
    let brief = offline_brief(tmp.path());
    let golden = fixtures().join("golden/offline");
    let run = tandem(&[
        "compare",
        brief.to_str().unwrap(),
        golden.to_str().unwrap(),
        "--min",
        BAR,
        "--json",
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let overall = report["overall"].as_array().unwrap();
    assert_eq!(overall.len(), 2, "English and French sides are both scored");
    let items: u64 = overall.iter().map(|o| o["items"].as_u64().unwrap()).sum();
    assert_eq!(items, 4, "one scored side per golden article");
    assert!(report["only_in_a"].as_array().unwrap().is_empty());
    assert!(report["only_in_b"].as_array().unwrap().is_empty());
}

/// The golden summaries are a choice, not the articles: three of an article's 9–10 sentences, each copied from
/// it, the article at least twice as long.
#[test]
fn the_golden_summaries_are_three_sentences_chosen_from_longer_articles() {
    let articles = golden_articles();
    assert_eq!(articles.len(), 4);
    let golden: Vec<String> = std::fs::read_dir(fixtures().join("golden/offline"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(golden.len(), 4);
    for summary in &golden {
        let chosen: Vec<&str> = summary.lines().collect();
        assert_eq!(chosen.len(), 3, "{summary}");
        let (name, body) = articles
            .iter()
            .find(|(_, body)| body.contains(chosen[0]))
            .unwrap_or_else(|| panic!("no article has {:?}", chosen[0]));
        let sentences = tandem::text::split_sentences(body);
        assert!(
            sentences.len() >= 9,
            "{name}: {} sentences",
            sentences.len()
        );
        for c in &chosen {
            assert!(sentences.iter().any(|s| s == c), "{name}: {c:?}");
        }
        assert!(body.len() >= 2 * summary.len(), "{name}");
    }
}

/// The bar has teeth: the articles' last three sentences (background, reactions) score far below it.
#[test]
fn the_wrong_sentences_fail_the_bar_in_both_languages() {
    let tmp = tempfile::tempdir().unwrap();
    let brief: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(offline_brief(tmp.path())).unwrap()).unwrap();
    let wrong = tmp.path().join("wrong");
    std::fs::create_dir(&wrong).unwrap();
    for item in brief["items"].as_array().unwrap() {
        let lang = item["original_language"].as_str().unwrap();
        let title = item["sources"][0]["title"].as_str().unwrap();
        let (_, body) = golden_articles()
            .into_iter()
            .find(|(_, body)| {
                std::fs::read_to_string(item["sources"][0]["path"].as_str().unwrap())
                    .unwrap()
                    .contains(body.as_str())
            })
            .unwrap_or_else(|| panic!("no article for {title}"));
        let sentences = tandem::text::split_sentences(&body);
        let last = sentences[sentences.len() - 3..].join("\n");
        let id = item["id"].as_str().unwrap();
        std::fs::write(wrong.join(format!("{id}.{lang}.txt")), last).unwrap();
    }
    let run = tandem(&[
        "compare",
        wrong.to_str().unwrap(),
        fixtures().join("golden/offline").to_str().unwrap(),
        "--min",
        BAR,
    ]);
    assert_eq!(run.status.code(), Some(5));
    let stderr = String::from_utf8_lossy(&run.stderr);
    for bar in ["en rougeL", "fr rougeL", "en chrf", "fr chrf"] {
        assert!(stderr.contains(bar), "{bar}: {stderr}");
    }
}

#[test]
fn a_drifted_summary_fails_the_bar_with_exit_5() {
    let tmp = tempfile::tempdir().unwrap();
    let brief = offline_brief(tmp.path());
    let drifted = tmp.path().join("drifted");
    std::fs::create_dir(&drifted).unwrap();
    for e in std::fs::read_dir(fixtures().join("golden/offline")).unwrap() {
        let e = e.unwrap();
        let text = if e.file_name().to_string_lossy().ends_with(".en.txt") {
            "A completely different story about the weather in another country.\n".to_string()
        } else {
            std::fs::read_to_string(e.path()).unwrap()
        };
        std::fs::write(drifted.join(e.file_name()), text).unwrap();
    }
    let run = tandem(&[
        "compare",
        brief.to_str().unwrap(),
        drifted.to_str().unwrap(),
        "--min",
        "rougeL=0.4",
    ]);
    assert_eq!(run.status.code(), Some(5));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("en rougeL"), "{stderr}");
    assert!(
        !stderr.contains("fr rougeL"),
        "the French side did not drift: {stderr}"
    );
    let table = String::from_utf8_lossy(&run.stdout);
    assert!(table.contains("overall (2 items)"), "{table}");
}

#[test]
fn the_test_api_shows_both_texts_and_the_failing_scores() {
    let thresholds = Thresholds::default().rouge_l(0.5).chrf(40.0);
    assert_summary_close(
        "Le nouveau pont ouvrira en mars.",
        "Le nouveau pont ouvrira au mois de mars.",
        &thresholds,
    );
    let err = check_summary_close("Il pleut.", "Le nouveau pont ouvrira en mars.", &thresholds)
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("Il pleut."), "{msg}");
    assert!(msg.contains("Le nouveau pont ouvrira en mars."), "{msg}");
    assert!(msg.to_lowercase().contains("rouge"), "{msg}");
}
