//! `tandem compare` and the metrics test API on a golden brief: the offline (extractive) brief of the fixture
//! articles must stay close to the committed golden summaries; a drifted summary must fail the bar.
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

fn offline_brief(tmp: &Path) -> PathBuf {
    let out = tmp.join("out");
    common::offline_brief(&out);
    out.join("brief.json")
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
        "rougeL=0.95,chrf=95",
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
    assert_eq!(items, 3, "one scored side per fixture article");
    assert!(report["only_in_a"].as_array().unwrap().is_empty());
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
    assert!(table.contains("overall (1 items)"), "{table}");
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
