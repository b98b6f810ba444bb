//! `tandem inspect FILE --tokens [--json]`: what each installed model is given of an article, with the real
//! tokenizer files (the natural-stop fixtures carry them) — the texts a run hands each model, their ids (the ones
//! transformers' pipeline makes: tests/fixtures/parity/tokenizers.json), and the cut of an overlong text.
mod common;

use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use tandem::models::manifest::Role;

/// transformers' ids of each corpus line, for `role` of tests/fixtures/parity/tokenizers.json.
fn reference_ids(role: &str) -> HashMap<String, Vec<i64>> {
    let corpus =
        std::fs::read_to_string(common::fixtures().join("tokenizers").join("corpus.txt")).unwrap();
    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(common::fixtures().join("parity").join("tokenizers.json"))
            .unwrap(),
    )
    .unwrap();
    let ids: Vec<Vec<i64>> = serde_json::from_value(doc["roles"][role]["ids"].clone()).unwrap();
    corpus
        .lines()
        .map(|l| l.split_once('\t').unwrap().1.to_string())
        .zip(ids)
        .collect()
}

fn corpus_lines(lang: &str) -> Vec<String> {
    std::fs::read_to_string(common::fixtures().join("tokenizers").join("corpus.txt"))
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .filter(|(l, _)| *l == lang)
        .map(|(_, t)| t.to_string())
        // Lines ingestion keeps as they are: one sentence, no tab or run of spaces, no leading/trailing space.
        .filter(|t| {
            t.trim() == t
                && !t.contains('\t')
                && !t.contains("  ")
                && tandem::text::split_sentences(t) == vec![t.clone()]
        })
        .collect()
}

fn inspect(file: &Path, models: &Path) -> Value {
    let out = common::tandem(
        &["inspect", file.to_str().unwrap(), "--tokens", "--json"],
        models,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every text of `role_view` that is a corpus line has transformers' pipeline ids; returns how many were checked.
fn assert_reference_ids(
    role_view: &Value,
    reference: &HashMap<String, Vec<i64>>,
    prefix: &str,
) -> usize {
    let mut checked = 0;
    for t in role_view["texts"].as_array().unwrap() {
        let text = t["text"].as_str().unwrap();
        let ids: Vec<i64> = serde_json::from_value(t["ids"].clone()).unwrap();
        assert_eq!(t["tokens"].as_u64().unwrap() as usize, ids.len());
        assert!(text.starts_with(prefix), "{text:?}");
        if let Some(want) = reference.get(&text[prefix.len()..]) {
            assert_eq!(&ids, want, "{}: {text:?}", role_view["role"]);
            checked += 1;
        }
    }
    checked
}

#[test]
fn a_french_article_shows_the_translators_input_with_transformers_ids() {
    let tmp = tempfile::tempdir().unwrap();
    let models = tmp.path().join("models");
    common::import_stopping_roles(&models, &Role::ALL);
    let lines = corpus_lines("fr");
    assert!(lines.len() >= 40, "{}", lines.len());
    let article = tmp.path().join("article.txt");
    let body: Vec<String> = lines[1..40].chunks(3).map(|c| c.join(" ")).collect();
    std::fs::write(&article, format!("{}\n\n{}\n", lines[0], body.join("\n\n"))).unwrap();
    let view = inspect(&article, &models);
    assert_eq!(view["lang"], "fr");
    let roles = view["roles"].as_array().unwrap();
    assert_eq!(roles.len(), 1, "{view}");
    let fr_en = &roles[0];
    assert_eq!(fr_en["role"], "translate-fr-en");
    assert_eq!(fr_en["prefix"], "");
    let texts = fr_en["texts"].as_array().unwrap();
    assert_eq!(texts[0]["source"], "title");
    assert_eq!(texts[0]["text"], lines[0].as_str());
    assert_eq!(texts[1]["source"], "paragraph 1, sentence 1");
    assert_eq!(texts.len(), 40, "the title and each of the 39 sentences");
    let checked = assert_reference_ids(
        fr_en,
        &reference_ids("opus-mt-fr-en (translation pipeline)"),
        "",
    );
    assert_eq!(checked, 40);
    // The summarizer and the en→fr translator read texts the run makes: named, not shown.
    let not_shown: Vec<&str> = view["not_shown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["role"].as_str().unwrap())
        .collect();
    assert_eq!(not_shown, vec!["summarize-en", "translate-en-fr"]);
}

#[test]
fn an_english_article_shows_the_summarizer_input_with_its_prefix_and_the_cut_to_the_budget() {
    let tmp = tempfile::tempdir().unwrap();
    let models = tmp.path().join("models");
    common::import_stopping_roles(&models, &Role::ALL);
    let lines = corpus_lines("en");
    assert!(lines.len() >= 40, "{}", lines.len());
    // Long enough to go over the summarizer's input: the sentences several times, as paragraphs (ingestion keeps
    // repeated paragraphs of different wording; the summary input keeps each sentence once, so vary them).
    let mut paragraphs = Vec::new();
    for round in 0..12 {
        for chunk in lines[1..].chunks(4) {
            let varied: Vec<String> = chunk
                .iter()
                .map(|s| format!("In update {round}, {}", s))
                .collect();
            paragraphs.push(varied.join(" "));
        }
    }
    let article = tmp.path().join("article.txt");
    std::fs::write(
        &article,
        format!("{}\n\n{}\n", lines[0], paragraphs.join("\n\n")),
    )
    .unwrap();
    let view = inspect(&article, &models);
    assert_eq!(view["lang"], "en");
    let roles = view["roles"].as_array().unwrap();
    let names: Vec<&str> = roles.iter().map(|r| r["role"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["summarize-en", "translate-en-fr"]);

    let bart = &roles[0];
    assert_eq!(bart["prefix"], " ", "distilbart-cnn's pipeline prefix");
    let budget = bart["max_input_tokens"].as_u64().unwrap() as usize;
    let texts = bart["texts"].as_array().unwrap();
    assert_eq!(texts.len(), 1);
    let whole = &texts[0];
    assert_eq!(whole["source"], "article");
    assert!(whole["tokens"].as_u64().unwrap() as usize > budget);
    assert_eq!(whole["fits"], false);
    let pieces = whole["pieces"].as_array().unwrap();
    assert!(pieces.len() >= 2, "{}", pieces.len());
    let mut words = Vec::new();
    for p in pieces {
        let ids: Vec<i64> = serde_json::from_value(p["ids"].clone()).unwrap();
        assert_eq!(p["tokens"].as_u64().unwrap() as usize, ids.len());
        assert!(ids.len() <= budget, "a piece of {} tokens", ids.len());
        let text = p["text"].as_str().unwrap();
        assert!(text.starts_with(' '));
        words.extend(text.split_whitespace().map(str::to_string));
    }
    let original: Vec<String> = whole["text"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    assert_eq!(words, original, "the pieces hold every word, in order");

    // The en→fr translator's texts (title and sentences) carry transformers' ids; they have no prefix.
    let en_fr = &roles[1];
    assert_eq!(en_fr["prefix"], "");
    let reference = reference_ids("opus-mt-en-fr");
    assert_eq!(assert_reference_ids(en_fr, &reference, ""), 1, "the title");
}

#[test]
fn the_summarizers_input_ids_are_the_pipelines_for_a_short_article() {
    let tmp = tempfile::tempdir().unwrap();
    let models = tmp.path().join("models");
    common::import_stopping_roles(&models, &[Role::SummarizeEn]);
    let lines = corpus_lines("en");
    let reference = reference_ids("distilbart-cnn-12-6 (summarization pipeline)");
    // One sentence an article: the summarizer's input is that sentence, fed as the pipeline feeds it.
    let mut checked = 0;
    for (k, sentence) in lines.iter().take(12).enumerate() {
        // The language is given (front matter): detection on one short sentence is not what is tested here.
        let article = tmp.path().join(format!("a{k}.md"));
        std::fs::write(
            &article,
            format!("---\ntitle: Title {k}\nlang: en\n---\n{sentence}\n"),
        )
        .unwrap();
        let view = inspect(&article, &models);
        let bart = &view["roles"][0];
        assert_eq!(bart["role"], "summarize-en");
        assert_eq!(bart["texts"][0]["fits"], true);
        checked += assert_reference_ids(bart, &reference, " ");
    }
    assert_eq!(checked, 12);
}

#[test]
fn with_no_model_installed_every_role_says_why_and_text_output_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let models = tmp.path().join("models");
    let article = tmp.path().join("article.txt");
    std::fs::write(
        &article,
        "Un titre\n\nLe conseil municipal a voté le budget jeudi soir.\n",
    )
    .unwrap();
    let view = inspect(&article, &models);
    assert!(view["roles"].as_array().unwrap().is_empty());
    let not_shown = view["not_shown"].as_array().unwrap();
    assert_eq!(not_shown.len(), 3);
    assert!(not_shown[0]["reason"]
        .as_str()
        .unwrap()
        .contains("is not installed"));
    // Text output, with a model installed.
    common::import_stopping_roles(&models, &[Role::TranslateFrEn]);
    let out = common::tandem(&["inspect", article.to_str().unwrap(), "--tokens"], &models);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("translate-fr-en"), "{text}");
    assert!(text.contains("title: "), "{text}");
    assert!(text.contains("ids:"), "{text}");
    // --json needs --tokens: a usage error (exit 2).
    let out = common::tandem(&["inspect", article.to_str().unwrap(), "--json"], &models);
    assert_eq!(out.status.code(), Some(2));
}
