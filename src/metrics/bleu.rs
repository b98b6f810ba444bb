//! BLEU exactly as sacreBLEU 2.x computes it with its defaults: the `13a` tokenizer
//! ([`super::tok13a`]), case kept, n-grams of order 1 to 4, exponential ('exp', NIST/mteval-v13a)
//! smoothing, 0–100 scale.
//!
//! * [`bleu_sentence`] = `sacrebleu.sentence_bleu(hyp, [ref])`, whose default is
//!   `use_effective_order=True`: orders for which the candidate has no n-gram at all are left out of
//!   the geometric mean (orders with n-grams but no match are smoothed, not left out).
//! * [`bleu_corpus`] = `sacrebleu.corpus_bleu(hyps, [refs])`, whose default is
//!   `use_effective_order=False`: statistics are summed over the corpus and all four orders count
//!   (an order with no candidate n-gram in the whole corpus makes the score 0).
//!
//! Smoothing: the k-th order with n-grams but no match gets precision `100 / (2^k · total)`. No
//! match at any order gives 0. The brevity penalty is `exp(1 - ref_len / hyp_len)` when the
//! candidate is shorter (0 for an empty candidate against a non-empty reference).

use std::collections::HashMap;

use super::tok13a::tokenize_13a;
use super::tokenize::{py_rstrip, py_split_whitespace};

/// Maximum n-gram order of BLEU.
pub const MAX_NGRAM_ORDER: usize = 4;

/// A BLEU score with the statistics sacreBLEU reports beside it (`sacrebleu.BLEUScore`).
#[derive(Debug, Clone, PartialEq)]
pub struct BleuScore {
    /// BLEU, 0–100.
    pub score: f64,
    /// Clipped n-gram matches per order.
    pub counts: [u64; MAX_NGRAM_ORDER],
    /// Candidate n-grams per order.
    pub totals: [u64; MAX_NGRAM_ORDER],
    /// Smoothed precision per order, 0–100 (0 past the first order without candidate n-grams).
    pub precisions: [f64; MAX_NGRAM_ORDER],
    /// Brevity penalty.
    pub bp: f64,
    /// Candidate length in 13a tokens.
    pub sys_len: u64,
    /// Reference length in 13a tokens.
    pub ref_len: u64,
}

#[derive(Debug, Clone, Copy, Default)]
struct Stats {
    sys_len: u64,
    ref_len: u64,
    correct: [u64; MAX_NGRAM_ORDER],
    total: [u64; MAX_NGRAM_ORDER],
}

impl Stats {
    fn add(&mut self, other: &Stats) {
        self.sys_len += other.sys_len;
        self.ref_len += other.ref_len;
        for n in 0..MAX_NGRAM_ORDER {
            self.correct[n] += other.correct[n];
            self.total[n] += other.total[n];
        }
    }
}

fn ngram_counts<'a>(tokens: &[&'a str]) -> HashMap<Vec<&'a str>, u64> {
    let mut counts = HashMap::new();
    for n in 1..=MAX_NGRAM_ORDER {
        if tokens.len() >= n {
            for gram in tokens.windows(n) {
                *counts.entry(gram.to_vec()).or_insert(0) += 1;
            }
        }
    }
    counts
}

fn segment_stats(hypothesis: &str, reference: &str) -> Stats {
    let hyp = tokenize_13a(py_rstrip(hypothesis));
    let refr = tokenize_13a(py_rstrip(reference));
    let hyp_tokens: Vec<&str> = py_split_whitespace(&hyp).collect();
    let ref_tokens: Vec<&str> = py_split_whitespace(&refr).collect();
    let hyp_grams = ngram_counts(&hyp_tokens);
    let ref_grams = ngram_counts(&ref_tokens);
    let mut stats = Stats {
        sys_len: hyp_tokens.len() as u64,
        ref_len: ref_tokens.len() as u64,
        ..Stats::default()
    };
    for (gram, &count) in &hyp_grams {
        let n = gram.len() - 1;
        stats.total[n] += count;
        if let Some(&ref_count) = ref_grams.get(gram) {
            stats.correct[n] += count.min(ref_count);
        }
    }
    stats
}

/// sacreBLEU's `my_log`: `log`, with `log(0)` floored to -9999999999.
fn my_log(x: f64) -> f64 {
    if x == 0.0 {
        -9_999_999_999.0
    } else {
        x.ln()
    }
}

/// sacreBLEU's `BLEU.compute_bleu` with `smooth_method='exp'`.
fn compute_bleu(stats: &Stats, effective_order: bool) -> BleuScore {
    let (sys_len, ref_len) = (stats.sys_len, stats.ref_len);
    let mut bp = 1.0;
    if sys_len < ref_len {
        bp = if sys_len > 0 {
            (1.0 - ref_len as f64 / sys_len as f64).exp()
        } else {
            0.0
        };
    }
    let mut result = BleuScore {
        score: 0.0,
        counts: stats.correct,
        totals: stats.total,
        precisions: [0.0; MAX_NGRAM_ORDER],
        bp,
        sys_len,
        ref_len,
    };
    if stats.correct.iter().all(|&c| c == 0) {
        return result;
    }
    let mut smooth_mteval = 1.0f64;
    let mut eff_order = MAX_NGRAM_ORDER;
    for n in 1..=MAX_NGRAM_ORDER {
        let (correct, total) = (stats.correct[n - 1], stats.total[n - 1]);
        if total == 0 {
            break;
        }
        if effective_order {
            eff_order = n;
        }
        result.precisions[n - 1] = if correct == 0 {
            smooth_mteval *= 2.0;
            100.0 / (smooth_mteval * total as f64)
        } else {
            100.0 * correct as f64 / total as f64
        };
    }
    let log_sum = result.precisions[..eff_order]
        .iter()
        .fold(0.0, |acc, &p| acc + my_log(p));
    result.score = bp * (log_sum / eff_order as f64).exp();
    result
}

/// Sentence-level BLEU of `hypothesis` against one `reference`, with sacreBLEU's sentence defaults
/// (13a, 'exp' smoothing, effective order): `sacrebleu.sentence_bleu(hyp, [ref])`.
pub fn bleu_sentence(hypothesis: &str, reference: &str) -> BleuScore {
    compute_bleu(&segment_stats(hypothesis, reference), true)
}

/// Corpus-level BLEU with sacreBLEU's corpus defaults (13a, 'exp' smoothing, no effective order):
/// `sacrebleu.corpus_bleu(hyps, [refs])`. An empty corpus scores 0.
pub fn bleu_corpus<H: AsRef<str>, R: AsRef<str>>(pairs: &[(H, R)]) -> BleuScore {
    let mut total = Stats::default();
    for (hyp, reference) in pairs {
        total.add(&segment_stats(hyp.as_ref(), reference.as_ref()));
    }
    compute_bleu(&total, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_is_100() {
        let s = bleu_sentence("The cat sat on the mat.", "The cat sat on the mat.");
        assert!((s.score - 100.0).abs() < 1e-9);
        assert_eq!(s.bp, 1.0);
    }

    #[test]
    fn four_words_by_hand() {
        // "the cat sat down" vs "the cat lay down": matches 3/4, 1/3, 0/2, 0/1. Exp smoothing gives
        // the zero orders 100/(2·2) = 25 and 100/(4·1) = 25. Geometric mean of 75, 33.3.., 25, 25
        // = (75 · 100/3 · 625)^(1/4) = (1562500)^(1/4) = 35.355339059...
        let s = bleu_sentence("the cat sat down", "the cat lay down");
        assert_eq!(s.counts, [3, 1, 0, 0]);
        assert_eq!(s.totals, [4, 3, 2, 1]);
        assert!((s.score - 1_562_500f64.powf(0.25)).abs() < 1e-9);
    }

    #[test]
    fn effective_order_on_short_sentences() {
        // Two tokens: only orders 1 and 2 exist. Sentence BLEU averages over those two, corpus
        // BLEU (no effective order) is 0.
        let s = bleu_sentence("hello world", "hello world");
        assert!((s.score - 100.0).abs() < 1e-9);
        assert_eq!(bleu_corpus(&[("hello world", "hello world")]).score, 0.0);
    }

    #[test]
    fn empty_inputs() {
        assert_eq!(bleu_sentence("", "a b c").score, 0.0);
        assert_eq!(bleu_sentence("a b c", "").score, 0.0);
        assert_eq!(bleu_corpus::<&str, &str>(&[]).score, 0.0);
    }
}
