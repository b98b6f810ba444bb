//! ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum as Google's `rouge-score` package computes them
//! (`rouge_score.rouge_scorer.RougeScorer`, version 0.1.2).
//!
//! * ROUGE-N: clipped n-gram overlap; precision = overlap / max(candidate n-grams, 1), recall =
//!   overlap / max(reference n-grams, 1).
//! * ROUGE-L: longest common subsequence over the whole token sequences; 0 if either side is empty.
//! * ROUGE-Lsum: summary-level LCS. Both texts are split into sentences on `'\n'` (empty lines are
//!   dropped, nothing else is), and for each reference sentence the union of one LCS with every
//!   candidate sentence is counted, without double-counting tokens (ROUGE 1.5.5's rule). The LCS
//!   chosen by the backtrack, and so the union, follows rouge-score's tie-breaking exactly.
//!
//! F1 is `2·p·r / (p + r)` (0 when `p + r` is 0), evaluated in the same order as rouge-score so
//! results agree to the last bit.

use std::collections::HashMap;

use super::tokenize::{rouge_tokens, Tokenizer};

/// Options of [`rouge`]. The default (ASCII tokenizer, no stemming) is rouge-score's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RougeOptions {
    /// Porter-stem tokens longer than three characters (rouge-score's `use_stemmer=True`).
    pub stemmer: bool,
    /// Word tokenizer: [`Tokenizer::Ascii`] is rouge-score's; [`Tokenizer::Unicode`] is for French.
    pub tokenizer: Tokenizer,
}

impl RougeOptions {
    /// rouge-score's defaults: ASCII tokenizer, no stemming.
    pub fn english() -> Self {
        Self::default()
    }

    /// rouge-score's defaults plus the Porter stemmer (`use_stemmer=True`).
    pub fn english_stemmed() -> Self {
        Self {
            stemmer: true,
            tokenizer: Tokenizer::Ascii,
        }
    }

    /// Unicode tokenizer, no stemming: the setting for French (Porter is an English stemmer).
    pub fn unicode() -> Self {
        Self {
            stemmer: false,
            tokenizer: Tokenizer::Unicode,
        }
    }
}

/// Precision, recall and F1 of one ROUGE variant, each in `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Score {
    pub precision: f64,
    pub recall: f64,
    pub fmeasure: f64,
}

impl Score {
    const ZERO: Score = Score {
        precision: 0.0,
        recall: 0.0,
        fmeasure: 0.0,
    };

    fn new(precision: f64, recall: f64) -> Self {
        Self {
            precision,
            recall,
            fmeasure: fmeasure(precision, recall),
        }
    }
}

/// All four ROUGE variants for one candidate/reference pair.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RougeScores {
    pub rouge1: Score,
    pub rouge2: Score,
    pub rouge_l: Score,
    pub rouge_lsum: Score,
}

/// Scores `candidate` against `reference` (rouge-score's `score(target=reference, prediction=candidate)`).
pub fn rouge(candidate: &str, reference: &str, options: RougeOptions) -> RougeScores {
    let tokenize = |text: &str| rouge_tokens(text, options.tokenizer, options.stemmer);
    let cand = tokenize(candidate);
    let refr = tokenize(reference);
    let sentences = |text: &str| -> Vec<Vec<String>> {
        text.split('\n')
            .filter(|s| !s.is_empty())
            .map(tokenize)
            .collect()
    };
    RougeScores {
        rouge1: rouge_n(&cand, &refr, 1),
        rouge2: rouge_n(&cand, &refr, 2),
        rouge_l: rouge_l(&cand, &refr),
        rouge_lsum: rouge_lsum(&sentences(candidate), &sentences(reference)),
    }
}

/// rouge-score's `fmeasure`.
pub fn fmeasure(precision: f64, recall: f64) -> f64 {
    if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    }
}

fn ngram_counts<T: AsRef<str>>(tokens: &[T], n: usize) -> HashMap<Vec<&str>, usize> {
    let mut counts = HashMap::new();
    if n == 0 || tokens.len() < n {
        return counts;
    }
    for window in tokens.windows(n) {
        let key: Vec<&str> = window.iter().map(AsRef::as_ref).collect();
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

/// ROUGE-N over already tokenized texts.
pub fn rouge_n<T: AsRef<str>>(candidate: &[T], reference: &[T], n: usize) -> Score {
    let cand = ngram_counts(candidate, n);
    let refr = ngram_counts(reference, n);
    let overlap: usize = refr
        .iter()
        .map(|(gram, &count)| count.min(cand.get(gram).copied().unwrap_or(0)))
        .sum();
    let cand_total: usize = cand.values().sum();
    let ref_total: usize = refr.values().sum();
    Score::new(
        overlap as f64 / cand_total.max(1) as f64,
        overlap as f64 / ref_total.max(1) as f64,
    )
}

/// ROUGE-L over already tokenized texts.
pub fn rouge_l<T: AsRef<str> + PartialEq>(candidate: &[T], reference: &[T]) -> Score {
    if candidate.is_empty() || reference.is_empty() {
        return Score::ZERO;
    }
    let table = lcs_table(reference, candidate);
    let lcs = table[reference.len()][candidate.len()];
    Score::new(
        lcs as f64 / candidate.len() as f64,
        lcs as f64 / reference.len() as f64,
    )
}

/// `table[i][j]` = LCS length of `reference[..i]` and `candidate[..j]` (rouge-score's `_lcs_table`).
fn lcs_table<T: PartialEq>(reference: &[T], candidate: &[T]) -> Vec<Vec<usize>> {
    let mut table = vec![vec![0usize; candidate.len() + 1]; reference.len() + 1];
    for i in 1..=reference.len() {
        for j in 1..=candidate.len() {
            table[i][j] = if reference[i - 1] == candidate[j - 1] {
                table[i - 1][j - 1] + 1
            } else {
                table[i - 1][j].max(table[i][j - 1])
            };
        }
    }
    table
}

/// Indices into `reference` of one LCS, chosen by rouge-score's `_backtrack_norec`.
fn lcs_indices<T: PartialEq>(reference: &[T], candidate: &[T]) -> Vec<usize> {
    let table = lcs_table(reference, candidate);
    let (mut i, mut j) = (reference.len(), candidate.len());
    let mut indices = Vec::new();
    while i > 0 && j > 0 {
        if reference[i - 1] == candidate[j - 1] {
            indices.push(i - 1);
            i -= 1;
            j -= 1;
        } else if table[i][j - 1] > table[i - 1][j] {
            j -= 1;
        } else {
            i -= 1;
        }
    }
    indices.reverse();
    indices
}

/// ROUGE-Lsum over texts already split into tokenized sentences.
pub fn rouge_lsum<T: AsRef<str> + PartialEq>(candidate: &[Vec<T>], reference: &[Vec<T>]) -> Score {
    if candidate.is_empty() || reference.is_empty() {
        return Score::ZERO;
    }
    let m: usize = reference.iter().map(Vec::len).sum();
    let n: usize = candidate.iter().map(Vec::len).sum();
    if m == 0 || n == 0 {
        return Score::ZERO;
    }
    let mut counts_ref: HashMap<&str, usize> = HashMap::new();
    let mut counts_cand: HashMap<&str, usize> = HashMap::new();
    for token in reference.iter().flatten() {
        *counts_ref.entry(token.as_ref()).or_insert(0) += 1;
    }
    for token in candidate.iter().flatten() {
        *counts_cand.entry(token.as_ref()).or_insert(0) += 1;
    }
    let mut hits = 0usize;
    for ref_sentence in reference {
        // Union (sorted, deduplicated) of the LCS indices against every candidate sentence.
        let mut union: Vec<usize> = candidate
            .iter()
            .flat_map(|c| lcs_indices(ref_sentence, c))
            .collect();
        union.sort_unstable();
        union.dedup();
        for index in union {
            let token = ref_sentence[index].as_ref();
            let (Some(c), Some(r)) = (counts_cand.get_mut(token), counts_ref.get_mut(token)) else {
                continue;
            };
            if *c > 0 && *r > 0 {
                hits += 1;
                *c -= 1;
                *r -= 1;
            }
        }
    }
    Score::new(hits as f64 / n as f64, hits as f64 / m as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn rouge2_on_four_words_by_hand() {
        // Candidate bigrams: "the cat", "cat sat", "sat down"; reference: "the cat", "cat lay",
        // "lay down". One shared bigram out of three on each side: p = r = F1 = 1/3.
        let s = rouge(
            "the cat sat down",
            "the cat lay down",
            RougeOptions::default(),
        );
        assert!(close(s.rouge2.precision, 1.0 / 3.0));
        assert!(close(s.rouge2.recall, 1.0 / 3.0));
        assert!(close(s.rouge2.fmeasure, 1.0 / 3.0));
        // Unigrams: the, cat, down shared out of four: 3/4. LCS "the cat down": 3/4 too.
        assert!(close(s.rouge1.fmeasure, 0.75));
        assert!(close(s.rouge_l.fmeasure, 0.75));
    }

    #[test]
    fn rouge1_with_clipping_and_unequal_lengths() {
        // Candidate "the the the cat" (4 tokens), reference "the cat sat" (3 tokens): clipped
        // overlap = min(3,1) for "the" + 1 for "cat" = 2. p = 2/4, r = 2/3, F1 = 2·½·⅔ / (½+⅔) = 4/7.
        let s = rouge("the the the cat", "the cat sat", RougeOptions::default());
        assert!(close(s.rouge1.precision, 0.5));
        assert!(close(s.rouge1.recall, 2.0 / 3.0));
        assert!(close(s.rouge1.fmeasure, 4.0 / 7.0));
    }

    #[test]
    fn rouge_l_is_order_sensitive() {
        // LCS of "a b c d" and "d c b a" has length 1.
        let s = rouge("a b c d", "d c b a", RougeOptions::default());
        assert!(close(s.rouge1.fmeasure, 1.0));
        assert!(close(s.rouge_l.fmeasure, 0.25));
    }

    #[test]
    fn rouge_lsum_unions_lcs_over_candidate_sentences() {
        // Reference sentence "a b c d"; candidate sentences "c d" and "a b". Each candidate
        // sentence's LCS covers half of the reference sentence and their union covers all four
        // tokens, so Lsum p = r = 1, while plain ROUGE-L over "c d a b" vs "a b c d" is 2/4.
        let s = rouge("c d\na b", "a b c d", RougeOptions::default());
        assert!(close(s.rouge_lsum.fmeasure, 1.0));
        assert!(close(s.rouge_l.fmeasure, 0.5));
    }

    #[test]
    fn empty_sides_score_zero() {
        for (c, r) in [("", "a b"), ("a b", ""), ("", ""), ("!!", "a")] {
            let s = rouge(c, r, RougeOptions::default());
            assert_eq!(s, RougeScores::default(), "{c:?} vs {r:?}");
        }
    }

    #[test]
    fn unicode_tokenizer_matches_french_words() {
        let ascii = rouge("l'été", "l'été", RougeOptions::english());
        let unicode = rouge("l'été", "l'ete", RougeOptions::unicode());
        // ASCII: tokens "l", "t" on both sides; Unicode: "l", "été" vs "l", "ete".
        assert!(close(ascii.rouge1.fmeasure, 1.0));
        assert!(close(unicode.rouge1.fmeasure, 0.5));
    }
}
