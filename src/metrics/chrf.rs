//! chrF exactly as sacreBLEU 2.x computes it with its defaults (`sacrebleu.sentence_chrf` /
//! `sacrebleu.corpus_chrf`): character n-grams of order 1 to 6, no word n-grams, β = 2, whitespace
//! removed before extracting n-grams, case kept, no epsilon smoothing.
//!
//! For each order the statistics are (candidate n-grams, reference n-grams, clipped matches), the
//! candidate count being taken as 0 when the reference has no n-gram of that order. The score is the
//! F-β of the precision and recall *averaged over the effective orders* (orders where both sides have
//! n-grams), which is sacreBLEU 2.x's behaviour without `eps_smoothing`; 0 if no order is effective or
//! nothing matches. Corpus chrF sums the per-sentence statistics first. Scores are on the 0–100 scale.

use std::collections::HashMap;

use super::tokenize::is_py_whitespace;

/// Character n-gram order of sacreBLEU's chrF.
pub const CHAR_ORDER: usize = 6;
/// β of sacreBLEU's chrF: recall weighs β² = 4 times as much as precision.
pub const BETA: u32 = 2;

/// Sufficient statistics of chrF: `[hyp, ref, match]` for each order 1..=6.
type Stats = [[u64; 3]; CHAR_ORDER];

fn char_ngrams(chars: &[char], n: usize) -> HashMap<&[char], u64> {
    let mut counts = HashMap::new();
    if chars.len() >= n {
        for gram in chars.windows(n) {
            *counts.entry(gram).or_insert(0) += 1;
        }
    }
    counts
}

fn segment_stats(hypothesis: &str, reference: &str) -> Stats {
    let hyp: Vec<char> = hypothesis
        .chars()
        .filter(|&c| !is_py_whitespace(c))
        .collect();
    let refr: Vec<char> = reference
        .chars()
        .filter(|&c| !is_py_whitespace(c))
        .collect();
    let mut stats = [[0u64; 3]; CHAR_ORDER];
    for (i, stat) in stats.iter_mut().enumerate() {
        let hyp_grams = char_ngrams(&hyp, i + 1);
        let ref_grams = char_ngrams(&refr, i + 1);
        let hyp_count: u64 = hyp_grams.values().sum();
        let matches: u64 = hyp_grams
            .iter()
            .map(|(gram, &count)| count.min(ref_grams.get(gram).copied().unwrap_or(0)))
            .sum();
        let ref_count: u64 = ref_grams.values().sum();
        *stat = [
            if ref_grams.is_empty() { 0 } else { hyp_count },
            ref_count,
            matches,
        ];
    }
    stats
}

/// sacreBLEU's `CHRF._compute_f_score` without epsilon smoothing.
fn f_score(stats: &Stats) -> f64 {
    const EPS: f64 = 1e-16;
    let factor = f64::from(BETA * BETA);
    let (mut avg_prec, mut avg_rec) = (0.0f64, 0.0f64);
    let mut effective_order = 0u32;
    for &[n_hyp, n_ref, n_match] in stats {
        let prec = if n_hyp > 0 {
            n_match as f64 / n_hyp as f64
        } else {
            EPS
        };
        let rec = if n_ref > 0 {
            n_match as f64 / n_ref as f64
        } else {
            EPS
        };
        if n_hyp > 0 && n_ref > 0 {
            avg_prec += prec;
            avg_rec += rec;
            effective_order += 1;
        }
    }
    if effective_order == 0 {
        avg_prec = 0.0;
        avg_rec = 0.0;
    } else {
        avg_prec /= f64::from(effective_order);
        avg_rec /= f64::from(effective_order);
    }
    if avg_prec + avg_rec != 0.0 {
        let mut score = (1.0 + factor) * avg_prec * avg_rec;
        score /= (factor * avg_prec) + avg_rec;
        100.0 * score
    } else {
        0.0
    }
}

/// Sentence-level chrF of `hypothesis` against one `reference` (`sacrebleu.sentence_chrf(hyp, [ref])`),
/// 0–100.
pub fn chrf_sentence(hypothesis: &str, reference: &str) -> f64 {
    f_score(&segment_stats(hypothesis, reference))
}

/// Corpus-level chrF (`sacrebleu.corpus_chrf(hyps, [refs])`), 0–100: statistics are summed over the
/// pairs before the score is computed. An empty corpus scores 0.
pub fn chrf_corpus<H: AsRef<str>, R: AsRef<str>>(pairs: &[(H, R)]) -> f64 {
    let mut total = [[0u64; 3]; CHAR_ORDER];
    for (hyp, reference) in pairs {
        let stats = segment_stats(hyp.as_ref(), reference.as_ref());
        for (t, s) in total.iter_mut().zip(stats.iter()) {
            for k in 0..3 {
                t[k] += s[k];
            }
        }
    }
    f_score(&total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_is_100_and_disjoint_is_0() {
        assert!((chrf_sentence("abc def", "abc def") - 100.0).abs() < 1e-12);
        assert_eq!(chrf_sentence("abc", "xyz"), 0.0);
        assert_eq!(chrf_sentence("", "xyz"), 0.0);
        assert_eq!(chrf_sentence("abc", ""), 0.0);
    }

    #[test]
    fn two_characters_by_hand() {
        // "ab" vs "ac": order 1: hyp {a,b}, ref {a,c}, 1 match -> p = r = 1/2. Order 2: "ab" vs
        // "ac", 0 matches -> p = r = 0. Orders 3..6: no n-grams, not effective. Averages over the
        // two effective orders: p = r = 1/4, F2 = 5·(1/4)·(1/4) / (4·(1/4) + 1/4) = 1/4 -> 25.
        assert!((chrf_sentence("ab", "a c") - 25.0).abs() < 1e-12);
    }

    #[test]
    fn corpus_sums_statistics() {
        let pairs = [("ab", "ac"), ("xyz", "xyz")];
        let corpus = chrf_corpus(&pairs);
        let mean = (chrf_sentence("ab", "ac") + chrf_sentence("xyz", "xyz")) / 2.0;
        assert!(corpus > 0.0 && corpus < 100.0);
        assert!((corpus - mean).abs() > 1e-6, "corpus chrF is not a mean");
        assert_eq!(chrf_corpus::<&str, &str>(&[]), 0.0);
    }
}
