//! Summary-comparison metrics: ROUGE, chrF and BLEU, equal to their reference implementations, and a
//! small helper for tests that compare generated text with expected text.
//!
//! tandem's tests cannot demand that a summary or translation be byte-identical to an expected text
//! (models, libtorch builds and thresholds change); they check instead that it stays *close* by the
//! metrics the field uses. These are pure-Rust re-implementations that give the same numbers as the
//! Python packages people compare with, not approximations of them:
//!
//! * [`rouge`]: ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum (precision, recall, F1 in `[0, 1]`) as
//!   Google's `rouge-score` 0.1.2 computes them, including its tokenizer and, optionally, the nltk
//!   Porter stemmer it uses ([`porter_stem`]). ROUGE-Lsum splits sentences on `'\n'`.
//! * [`chrf_sentence`] / [`chrf_corpus`]: chrF as sacreBLEU 2.x defines it (character 6-grams, no word
//!   n-grams, β = 2, whitespace removed, effective-order averaging), 0–100.
//! * [`bleu_sentence`] / [`bleu_corpus`]: BLEU with sacreBLEU's 13a tokenizer ([`tokenize_13a`]) and
//!   'exp' smoothing, 0–100; the sentence version uses effective order like `sacrebleu.sentence_bleu`,
//!   the corpus version does not, like `sacrebleu.corpus_bleu`.
//! * [`check_summary_close`] / [`assert_summary_close`]: compare an actual text with an expected one
//!   against minimum scores ([`Thresholds`]); the failure message shows both texts and every score
//!   that fell short.
//!
//! `tests/metrics.rs` checks every value against `tests/fixtures/metrics/reference.json`, written by
//! `scripts/make-metric-fixtures.py` with rouge-score 0.1.2, sacrebleu 2.6.0 and nltk 3.10.4, to 1e-9.
//!
//! # Deliberate difference from rouge-score: the Unicode tokenizer
//!
//! rouge-score's tokenizer keeps only ASCII `[a-z0-9]`, so it splits French words at every accented
//! letter (`été` becomes `t`, `élèves` becomes `l ves`) and ROUGE on French text becomes meaningless.
//! [`Tokenizer::Unicode`] (see [`RougeOptions::unicode`]) lowercases the same way but keeps maximal runs
//! of Unicode alphanumerics ([`char::is_alphanumeric`]) as tokens; everything else (n-grams, LCS,
//! Lsum, stemming rule) is unchanged. With it, scores on French text have no rouge-score counterpart;
//! the fixture script computes them with rouge-score's own `RougeScorer` given that tokenizer. On pure
//! ASCII text both tokenizers give the same tokens. Input is expected in NFC form (as nearly all text
//! is): a decomposed accent (letter + combining mark) is not alphanumeric and splits the word. The
//! Porter stemmer is English; leave `stemmer` off for French.
//!
//! chrF and BLEU need no such change: they work on Unicode characters and 13a tokens already.

mod bleu;
mod chrf;
mod porter;
mod rouge;
mod tok13a;
mod tokenize;

use std::fmt;

pub use bleu::{bleu_corpus, bleu_sentence, BleuScore, MAX_NGRAM_ORDER};
pub use chrf::{chrf_corpus, chrf_sentence, BETA as CHRF_BETA, CHAR_ORDER as CHRF_CHAR_ORDER};
pub use porter::porter_stem;
pub use rouge::{fmeasure, rouge, rouge_l, rouge_lsum, rouge_n, RougeOptions, RougeScores, Score};
pub use tok13a::tokenize_13a;
pub use tokenize::{rouge_tokens, Tokenizer};

/// Minimum scores for [`check_summary_close`]; a `None` threshold is not checked.
///
/// ROUGE-L F1 is on the `[0, 1]` scale, chrF and BLEU on sacreBLEU's 0–100 scale. ROUGE uses
/// `rouge` options, by default the Unicode tokenizer without stemming (right for English and
/// French alike; on ASCII text it equals rouge-score's tokenizer).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Minimum ROUGE-L F1, `[0, 1]`.
    pub rouge_l_f1: Option<f64>,
    /// Minimum sentence-level chrF, 0–100.
    pub chrf: Option<f64>,
    /// Minimum sentence-level BLEU, 0–100.
    pub bleu: Option<f64>,
    /// How ROUGE tokenizes.
    pub rouge: RougeOptions,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            rouge_l_f1: None,
            chrf: None,
            bleu: None,
            rouge: RougeOptions::unicode(),
        }
    }
}

impl Thresholds {
    /// Requires ROUGE-L F1 ≥ `min` (`[0, 1]`).
    pub fn rouge_l(mut self, min: f64) -> Self {
        self.rouge_l_f1 = Some(min);
        self
    }

    /// Requires sentence chrF ≥ `min` (0–100).
    pub fn chrf(mut self, min: f64) -> Self {
        self.chrf = Some(min);
        self
    }

    /// Requires sentence BLEU ≥ `min` (0–100).
    pub fn bleu(mut self, min: f64) -> Self {
        self.bleu = Some(min);
        self
    }

    /// Sets how ROUGE tokenizes.
    pub fn rouge_options(mut self, options: RougeOptions) -> Self {
        self.rouge = options;
        self
    }
}

/// The scores [`check_summary_close`] computed for one actual/expected pair.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryScores {
    /// All ROUGE variants, with the options of the [`Thresholds`].
    pub rouge: RougeScores,
    /// Sentence-level chrF, 0–100.
    pub chrf: f64,
    /// Sentence-level BLEU, 0–100.
    pub bleu: f64,
}

impl SummaryScores {
    /// Computes all scores of `actual` (the candidate) against `expected` (the reference).
    pub fn compute(actual: &str, expected: &str, rouge_options: RougeOptions) -> Self {
        Self {
            rouge: rouge(actual, expected, rouge_options),
            chrf: chrf_sentence(actual, expected),
            bleu: bleu_sentence(actual, expected).score,
        }
    }
}

/// A metric that fell below its threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Shortfall {
    /// `"ROUGE-L F1"`, `"chrF"` or `"BLEU"`.
    pub metric: &'static str,
    pub score: f64,
    pub minimum: f64,
}

/// The error of [`check_summary_close`]: both texts, all scores and the shortfalls. Its `Display` is
/// the readable message [`assert_summary_close`] panics with.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct SummaryMismatch {
    pub actual: String,
    pub expected: String,
    pub scores: SummaryScores,
    pub shortfalls: Vec<Shortfall>,
}

impl fmt::Display for SummaryMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "texts are not close enough:")?;
        for s in &self.shortfalls {
            writeln!(
                f,
                "  {} = {:.4}, below the minimum {:.4}",
                s.metric, s.score, s.minimum
            )?;
        }
        let r = &self.scores.rouge;
        writeln!(
            f,
            "all scores: ROUGE-1 F1 {:.4}, ROUGE-2 F1 {:.4}, ROUGE-L F1 {:.4}, ROUGE-Lsum F1 {:.4}, \
             chrF {:.2}, BLEU {:.2}",
            r.rouge1.fmeasure, r.rouge2.fmeasure, r.rouge_l.fmeasure, r.rouge_lsum.fmeasure,
            self.scores.chrf, self.scores.bleu
        )?;
        writeln!(f, "--- actual ---\n{}", self.actual)?;
        write!(f, "--- expected ---\n{}", self.expected)
    }
}

/// Checks that `actual` is close to `expected` by every threshold that is set. Returns the scores,
/// or a (boxed, it is large) [`SummaryMismatch`] whose message shows both texts and the scores that
/// fell below.
pub fn check_summary_close(
    actual: &str,
    expected: &str,
    thresholds: &Thresholds,
) -> Result<SummaryScores, Box<SummaryMismatch>> {
    let scores = SummaryScores::compute(actual, expected, thresholds.rouge);
    let checks = [
        (
            "ROUGE-L F1",
            scores.rouge.rouge_l.fmeasure,
            thresholds.rouge_l_f1,
        ),
        ("chrF", scores.chrf, thresholds.chrf),
        ("BLEU", scores.bleu, thresholds.bleu),
    ];
    let shortfalls: Vec<Shortfall> = checks
        .into_iter()
        .filter_map(|(metric, score, minimum)| {
            let minimum = minimum?;
            // A NaN threshold or score never passes.
            if score >= minimum {
                None
            } else {
                Some(Shortfall {
                    metric,
                    score,
                    minimum,
                })
            }
        })
        .collect();
    if shortfalls.is_empty() {
        Ok(scores)
    } else {
        Err(Box::new(SummaryMismatch {
            actual: actual.to_string(),
            expected: expected.to_string(),
            scores,
            shortfalls,
        }))
    }
}

/// Panics with a readable message (both texts, the scores below their minimum, all scores) unless
/// `actual` is close to `expected` by every threshold that is set. For tests.
#[track_caller]
pub fn assert_summary_close(actual: &str, expected: &str, thresholds: &Thresholds) {
    if let Err(mismatch) = check_summary_close(actual, expected, thresholds) {
        panic!("{mismatch}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_texts_pass() {
        let t = Thresholds::default().rouge_l(0.5).chrf(40.0).bleu(10.0);
        let scores = check_summary_close(
            "The storm hit the coast on Sunday.",
            "The storm hit the coast on Sunday night.",
            &t,
        )
        .expect("close");
        assert!(scores.rouge.rouge_l.fmeasure > 0.9);
        assert_summary_close("Même texte.", "Même texte.", &t);
    }

    #[test]
    fn distant_texts_report_shortfalls_and_both_texts() {
        let t = Thresholds::default().rouge_l(0.5).chrf(40.0);
        let err = check_summary_close("Prices rose.", "The storm hit the coast.", &t)
            .expect_err("not close");
        assert_eq!(err.shortfalls.len(), 2);
        let message = err.to_string();
        assert!(
            message.contains("ROUGE-L F1 = 0.0000, below the minimum 0.5000"),
            "{message}"
        );
        assert!(message.contains("chrF = "), "{message}");
        assert!(
            !message.contains("BLEU = "),
            "BLEU had no threshold: {message}"
        );
        assert!(
            message.contains("--- actual ---\nPrices rose."),
            "{message}"
        );
        assert!(
            message.contains("--- expected ---\nThe storm hit the coast."),
            "{message}"
        );
    }

    #[test]
    #[should_panic(expected = "below the minimum")]
    fn assert_panics() {
        assert_summary_close("a", "b", &Thresholds::default().bleu(1.0));
    }

    #[test]
    fn no_thresholds_always_pass() {
        assert!(check_summary_close("", "anything", &Thresholds::default()).is_ok());
    }
}
