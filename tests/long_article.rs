//! Long inputs are never truncated: a 20,000-word article is cut to the model's token budget on sentence
//! boundaries (every word kept, every chunk within the model's positions) and goes through the whole brief, where
//! it is summarized map-reduce into one summary no longer than the summarizer's max_length, the number of chunks
//! recorded in brief.json.
mod common;

use tandem::models::manifest::{Architecture, Role};
use tandem::models::seq2seq::Seq2Seq;
use tandem::models::summarizer::BartSummarizer;
use tandem::models::translator::MarianTranslator;
use tandem::models::Translator;

const EN_WORDS: &[&str] = &[
    "council",
    "budget",
    "harbour",
    "minister",
    "farmers",
    "drought",
    "bridge",
    "river",
    "school",
    "teachers",
    "strike",
    "wages",
    "election",
    "results",
    "museum",
    "exhibition",
    "police",
    "market",
    "prices",
    "fuel",
];

/// A deterministic article of `words` words in sentences of 7 to 19 words.
fn long_english(words: usize) -> String {
    let mut out = String::new();
    let mut n = 0usize;
    let mut sentence = 0usize;
    while n < words {
        let len = 7 + (sentence * 5) % 13;
        let mut s: Vec<String> = Vec::new();
        for k in 0..len.min(words - n) {
            s.push(EN_WORDS[(n + k * 3 + sentence) % EN_WORDS.len()].to_string());
        }
        n += s.len();
        let mut text = s.join(" ");
        text[..1].make_ascii_uppercase();
        out.push_str(&text);
        out.push_str(if sentence % 9 == 8 { ".\n\n" } else { ". " });
        sentence += 1;
    }
    out
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .collect()
}

#[test]
fn a_20000_word_article_is_chunked_to_the_summarizer_budget_without_losing_a_word() {
    let tmp = tempfile::tempdir().unwrap();
    common::import_roles(tmp.path(), &[Role::SummarizeEn]);
    let model = Seq2Seq::load(
        Role::SummarizeEn,
        Architecture::Bart,
        &common::role_path(tmp.path(), Role::SummarizeEn),
        tch::Device::Cpu,
    )
    .unwrap();
    let article = long_english(20_000);
    assert_eq!(article.split_whitespace().count(), 20_000);
    let chunks = model.fit_to_budget(&article);
    assert!(
        chunks.len() > 50,
        "a 20,000-word article needs many chunks, got {}",
        chunks.len()
    );
    for c in &chunks {
        let n = model.count_tokens(c);
        assert!(
            n <= model.max_input_tokens(),
            "chunk of {n} tokens > {}",
            model.max_input_tokens()
        );
    }
    assert_eq!(
        words(&chunks.join(" ")),
        words(&article),
        "every word is kept, in order"
    );
}

#[test]
fn an_overlong_sentence_is_translated_piece_by_piece_into_one_output() {
    let tmp = tempfile::tempdir().unwrap();
    common::import_roles(tmp.path(), &[Role::TranslateFrEn]);
    let mut translator = MarianTranslator::load(
        Role::TranslateFrEn,
        &common::role_path(tmp.path(), Role::TranslateFrEn),
        tch::Device::Cpu,
    )
    .unwrap();
    // 400 words with no sentence end: far over the tiny model's 64 positions
    let sentence: String = (0..400)
        .map(|i| ["le", "pont", "ouvrira", "en", "mars"][i % 5])
        .collect::<Vec<_>>()
        .join(" ");
    let model = translator.model();
    assert!(model.count_tokens(&sentence) > model.max_input_tokens());
    let pieces = model.fit_to_budget(&sentence);
    assert!(pieces.len() > 1);
    assert!(pieces
        .iter()
        .all(|p| model.count_tokens(p) <= model.max_input_tokens()));
    assert_eq!(words(&pieces.join(" ")), words(&sentence));
    let out = translator
        .translate(&[sentence, "Bonjour.".to_string()])
        .unwrap();
    assert_eq!(out.len(), 2, "one translation per input, however long");
    assert!(out.iter().all(|t| !t.is_empty()));
}

#[test]
fn a_20000_word_article_goes_through_the_whole_brief() {
    let tmp = tempfile::tempdir().unwrap();
    let models = tmp.path().join("models");
    common::import_roles(&models, &Role::ALL);
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::write(
        input.join("long.txt"),
        format!("A very long report\n\n{}", long_english(20_000)),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args([
            "--models-dir",
            models.to_str().unwrap(),
            "brief",
            input.to_str().unwrap(),
            "--out",
        ])
        .arg(&out)
        .arg("--no-cache")
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let brief: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("brief.json")).unwrap()).unwrap();
    common::assert_valid_brief(&brief);
    let items = brief["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    let sentences = items[0]["sentences"].as_array().unwrap();
    assert!(!sentences.is_empty());
    assert!(sentences
        .iter()
        .all(|s| s["en"].is_string() && s["fr"].is_string()));

    // One summary, not one per chunk: one output of at most the summarizer's max_length tokens (30 for the test
    // model), so a few sentences; the number of chunks the article's English text was cut into is recorded. (The
    // test models' output is random subwords, and re-encoding its decoded text can take up to three tokens per
    // generated one: hence the bound of 3 × max_length.)
    let chunks = items[0]["sources"][0]["summary_chunks"].as_u64();
    assert!(
        chunks.is_some_and(|c| c > 50),
        "a 20,000-word article is summarized in many chunks: {:#}",
        items[0]["sources"]
    );
    let model = Seq2Seq::load(
        Role::SummarizeEn,
        Architecture::Bart,
        &common::role_path(&models, Role::SummarizeEn),
        tch::Device::Cpu,
    )
    .unwrap();
    let english: Vec<&str> = sentences
        .iter()
        .map(|s| s["en"].as_str().unwrap())
        .collect();
    let tokens = model.count_tokens(&english.join(" "));
    assert!(
        tokens <= 3 * model.settings.max_length as usize,
        "{tokens} tokens: {english:?}"
    );
    assert!(
        english.len() <= 5,
        "{} sentences: {english:?}",
        english.len()
    );
}

/// The map-reduce itself: a long text's chunk summaries are summarized again into one output bounded by
/// max_length; a text that fits one input is summarized once, as before.
#[test]
fn a_long_text_is_summarized_into_one_bounded_summary() {
    let tmp = tempfile::tempdir().unwrap();
    common::import_roles(tmp.path(), &[Role::SummarizeEn]);
    let dir = common::role_path(tmp.path(), Role::SummarizeEn);
    let mut summarizer = BartSummarizer::load(&dir, tch::Device::Cpu).unwrap();
    let model = Seq2Seq::load(
        Role::SummarizeEn,
        Architecture::Bart,
        &dir,
        tch::Device::Cpu,
    )
    .unwrap();
    let long = long_english(3_000);
    let short = long_english(60);
    let chunks = model.fit_to_budget(&long).len();
    assert!(chunks > 5, "{chunks}");
    let out = summarizer
        .summarize_chunked(&[long, short.clone()])
        .unwrap();
    assert_eq!(out[0].chunks, chunks);
    assert_eq!(out[1].chunks, 1);
    let max = model.settings.max_length as usize;
    for s in &out {
        assert!(!s.text.is_empty());
        // see above for the bound: one output of at most max_length generated tokens
        assert!(model.count_tokens(&s.text) <= 3 * max, "{:?}", s.text);
    }
    // the short text's summary is the model's summary of it, as one call gives it
    let alone = summarizer.summarize_chunked(&[short]).unwrap();
    assert_eq!(alone[0].text, out[1].text);
}
