//! `tandem::metrics` equals the reference implementations: every value in
//! `tests/fixtures/metrics/reference.json` (written by `scripts/make-metric-fixtures.py` with
//! rouge-score, sacrebleu and nltk) is reproduced to within 1e-9, and every token and Porter stem
//! exactly.

use serde_json::Value;
use tandem::metrics::{
    bleu_corpus, bleu_sentence, chrf_corpus, chrf_sentence, porter_stem, rouge, rouge_tokens,
    tokenize_13a, BleuScore, RougeOptions, Score, Tokenizer,
};

const TOLERANCE: f64 = 1e-9;

fn fixture() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/metrics/reference.json"
    );
    let text = std::fs::read_to_string(path).expect("read the metrics fixture");
    serde_json::from_str(&text).expect("parse the metrics fixture")
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| text(s).to_string())
        .collect()
}

/// Collects mismatches instead of stopping at the first, so one run shows them all.
#[derive(Default)]
struct Report {
    checked: usize,
    max_diff: f64,
    failures: Vec<String>,
}

impl Report {
    fn close(&mut self, what: String, actual: f64, expected: f64) {
        self.checked += 1;
        self.max_diff = self.max_diff.max((actual - expected).abs());
        if (actual - expected).abs() > TOLERANCE || actual.is_nan() {
            self.failures.push(format!(
                "{what}: got {actual:.17}, reference {expected:.17}"
            ));
        }
    }

    fn equal<T: PartialEq + std::fmt::Debug>(&mut self, what: String, actual: T, expected: T) {
        self.checked += 1;
        if actual != expected {
            self.failures
                .push(format!("{what}: got {actual:?}, reference {expected:?}"));
        }
    }

    fn score(&mut self, what: &str, actual: &Score, expected: &Value) {
        self.close(
            format!("{what} precision"),
            actual.precision,
            num(&expected["precision"]),
        );
        self.close(
            format!("{what} recall"),
            actual.recall,
            num(&expected["recall"]),
        );
        self.close(
            format!("{what} fmeasure"),
            actual.fmeasure,
            num(&expected["fmeasure"]),
        );
    }

    fn bleu(&mut self, what: &str, actual: &BleuScore, expected: &Value) {
        self.close(
            format!("{what} BLEU"),
            actual.score,
            num(&expected["score"]),
        );
        self.close(format!("{what} BLEU bp"), actual.bp, num(&expected["bp"]));
        let counts: Vec<u64> = expected["counts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_u64)
            .collect();
        let totals: Vec<u64> = expected["totals"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_u64)
            .collect();
        self.equal(
            format!("{what} BLEU counts"),
            actual.counts.to_vec(),
            counts,
        );
        self.equal(
            format!("{what} BLEU totals"),
            actual.totals.to_vec(),
            totals,
        );
        self.equal(
            format!("{what} BLEU sys_len"),
            Some(actual.sys_len),
            expected["sys_len"].as_u64(),
        );
        self.equal(
            format!("{what} BLEU ref_len"),
            Some(actual.ref_len),
            expected["ref_len"].as_u64(),
        );
        for (n, p) in expected["precisions"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            self.close(
                format!("{what} BLEU precision {}", n + 1),
                actual.precisions[n],
                num(p),
            );
        }
    }

    fn finish(self, name: &str) {
        assert!(self.checked > 0, "{name}: nothing checked");
        assert!(
            self.failures.is_empty(),
            "{name}: {} of {} values differ from the reference:\n{}",
            self.failures.len(),
            self.checked,
            self.failures.join("\n")
        );
        eprintln!(
            "{name}: {} values equal the reference (largest difference {:e})",
            self.checked, self.max_diff
        );
    }
}

const ROUGE_SETTINGS: [(&str, RougeOptions); 4] = [
    (
        "ascii",
        RougeOptions {
            stemmer: false,
            tokenizer: Tokenizer::Ascii,
        },
    ),
    (
        "ascii_stem",
        RougeOptions {
            stemmer: true,
            tokenizer: Tokenizer::Ascii,
        },
    ),
    (
        "unicode",
        RougeOptions {
            stemmer: false,
            tokenizer: Tokenizer::Unicode,
        },
    ),
    (
        "unicode_stem",
        RougeOptions {
            stemmer: true,
            tokenizer: Tokenizer::Unicode,
        },
    ),
];

fn pairs(doc: &Value) -> &Vec<Value> {
    let pairs = doc["pairs"].as_array().expect("pairs");
    assert!(pairs.len() >= 30, "expected the full set of pairs");
    pairs
}

#[test]
fn rouge_equals_rouge_score() {
    let doc = fixture();
    let mut report = Report::default();
    for pair in pairs(&doc) {
        let id = text(&pair["id"]);
        let (cand, refr) = (text(&pair["candidate"]), text(&pair["reference"]));
        for (name, options) in ROUGE_SETTINGS {
            let scores = rouge(cand, refr, options);
            let expected = &pair["rouge"][name];
            report.score(
                &format!("{id} {name} rouge1"),
                &scores.rouge1,
                &expected["rouge1"],
            );
            report.score(
                &format!("{id} {name} rouge2"),
                &scores.rouge2,
                &expected["rouge2"],
            );
            report.score(
                &format!("{id} {name} rougeL"),
                &scores.rouge_l,
                &expected["rougeL"],
            );
            report.score(
                &format!("{id} {name} rougeLsum"),
                &scores.rouge_lsum,
                &expected["rougeLsum"],
            );
        }
    }
    report.finish("ROUGE");
}

#[test]
fn tokenizers_equal_the_reference() {
    let doc = fixture();
    let mut report = Report::default();
    for pair in pairs(&doc) {
        let id = text(&pair["id"]);
        let cand = text(&pair["candidate"]);
        for (name, options) in ROUGE_SETTINGS {
            report.equal(
                format!("{id} {name} tokens"),
                rouge_tokens(cand, options.tokenizer, options.stemmer),
                strings(&pair["tokens"][name]),
            );
        }
        report.equal(
            format!("{id} 13a tokens"),
            tokenize_13a(cand.trim_end()),
            text(&pair["tokens"]["13a"]).to_string(),
        );
    }
    report.finish("tokenizers");
}

#[test]
fn chrf_and_bleu_sentences_equal_sacrebleu() {
    let doc = fixture();
    let mut report = Report::default();
    for pair in pairs(&doc) {
        let id = text(&pair["id"]);
        let (cand, refr) = (text(&pair["candidate"]), text(&pair["reference"]));
        report.close(
            format!("{id} chrF"),
            chrf_sentence(cand, refr),
            num(&pair["chrf"]),
        );
        report.bleu(id, &bleu_sentence(cand, refr), &pair["bleu"]);
    }
    report.finish("sentence chrF/BLEU");
}

#[test]
fn chrf_and_bleu_corpora_equal_sacrebleu() {
    let doc = fixture();
    let by_id: std::collections::HashMap<&str, (&str, &str)> = pairs(&doc)
        .iter()
        .map(|p| {
            (
                text(&p["id"]),
                (text(&p["candidate"]), text(&p["reference"])),
            )
        })
        .collect();
    let mut report = Report::default();
    for corpus in doc["corpora"].as_array().expect("corpora") {
        let name = text(&corpus["name"]);
        let corpus_pairs: Vec<(&str, &str)> = corpus["ids"]
            .as_array()
            .expect("ids")
            .iter()
            .map(|id| by_id[text(id)])
            .collect();
        report.close(
            format!("{name} corpus chrF"),
            chrf_corpus(&corpus_pairs),
            num(&corpus["chrf"]),
        );
        report.bleu(
            &format!("{name} corpus"),
            &bleu_corpus(&corpus_pairs),
            &corpus["bleu"],
        );
    }
    report.finish("corpus chrF/BLEU");
}

#[test]
fn porter_stemmer_equals_nltk() {
    let doc = fixture();
    let words = doc["porter"].as_array().expect("porter");
    assert!(words.len() > 10_000, "expected the full Porter vocabulary");
    let mut report = Report::default();
    for entry in words {
        let (word, stem) = (text(&entry[0]), text(&entry[1]));
        report.equal(
            format!("stem({word:?})"),
            porter_stem(word),
            stem.to_string(),
        );
    }
    report.finish("Porter stemmer");
}

#[test]
fn fixture_records_the_reference_versions() {
    let doc = fixture();
    for package in ["rouge-score", "sacrebleu", "nltk"] {
        assert!(
            doc["versions"][package].is_string(),
            "version of {package} missing"
        );
    }
}
