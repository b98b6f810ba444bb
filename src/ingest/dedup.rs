//! Duplicate articles in one batch (the same wire story saved twice, a page scraped from two URLs).
//!
//! Articles are compared in ingestion order (files sorted by path, then manifest entries), so the one kept is
//! always the first. Two bodies are the *same text* when they are equal once whitespace is collapsed; an article
//! is a *near duplicate* of an earlier one when the Jaccard similarity of their sets of word 5-grams (lowercased,
//! punctuation ignored) reaches the threshold ([`super::DEFAULT_NEAR_DUPLICATE`] = 0.8 by default). At 0.8, a
//! 300-word story still matches after a few words are edited or a short paragraph is added, while two different
//! stories on the same event share far fewer 5-grams (typically under 10%).
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// Words per shingle.
pub const SHINGLE_WORDS: usize = 5;

/// What makes a body comparable.
#[derive(Debug, Clone)]
pub struct Fingerprint {
    exact: String,
    shingles: Vec<u64>,
}

impl Fingerprint {
    pub fn new(body: &str) -> Fingerprint {
        let exact = body.split_whitespace().collect::<Vec<_>>().join(" ");
        let words: Vec<String> = body
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        let hash = |ws: &[String]| {
            let mut h = DefaultHasher::new();
            ws.hash(&mut h);
            h.finish()
        };
        let mut shingles: Vec<u64> = if words.len() < SHINGLE_WORDS {
            if words.is_empty() {
                Vec::new()
            } else {
                vec![hash(&words)]
            }
        } else {
            words.windows(SHINGLE_WORDS).map(hash).collect()
        };
        shingles.sort_unstable();
        shingles.dedup();
        Fingerprint { exact, shingles }
    }
}

/// Jaccard similarity of two sorted, deduplicated shingle sets (0 when both are empty).
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    both as f64 / (a.len() + b.len() - both) as f64
}

/// How an article relates to the ones kept before it.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Unique,
    /// Same text as kept article `index`.
    Same {
        index: usize,
    },
    /// Near duplicate of kept article `index`, with their similarity.
    Near {
        index: usize,
        similarity: f64,
    },
}

/// Finds, for each fingerprint in order, whether it repeats an earlier kept one. Indices in the verdicts refer
/// to the input order. Shared shingles are counted through an index from shingle to the kept articles holding
/// it, so the cost follows the shingles articles really share, not the number of pairs.
pub fn classify(prints: &[Fingerprint], threshold: f64) -> Vec<Verdict> {
    let mut exact: HashMap<&str, usize> = HashMap::new();
    let mut postings: HashMap<u64, Vec<usize>> = HashMap::new();
    let mut out = Vec::with_capacity(prints.len());
    for (i, p) in prints.iter().enumerate() {
        if let Some(&index) = exact.get(p.exact.as_str()) {
            out.push(Verdict::Same { index });
            continue;
        }
        let mut shared: HashMap<usize, usize> = HashMap::new();
        for s in &p.shingles {
            for &k in postings.get(s).map_or(&[][..], Vec::as_slice) {
                *shared.entry(k).or_default() += 1;
            }
        }
        let mut best: Option<(usize, f64)> = None;
        for (&k, &both) in &shared {
            let union = p.shingles.len() + prints[k].shingles.len() - both;
            let s = both as f64 / union as f64;
            let better = match best {
                None => true,
                Some((bk, bs)) => s > bs || (s == bs && k < bk),
            };
            if s >= threshold && better {
                best = Some((k, s));
            }
        }
        match best {
            Some((index, similarity)) => out.push(Verdict::Near { index, similarity }),
            None => {
                exact.insert(p.exact.as_str(), i);
                for &s in &p.shingles {
                    postings.entry(s).or_default().push(i);
                }
                out.push(Verdict::Unique);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = "The harbour authority voted on Tuesday to open the container terminal at night for six \
        weeks, after a strike left forty thousand containers waiting on the quays. Officials said the plan was \
        approved by nine votes to two and that the first shift would start on Monday evening.";

    #[test]
    fn same_text_near_text_and_other_text() {
        let edited = format!("{STORY} The union welcomed the decision.");
        let other = "The city library reopened on Monday after a two-year renovation that cost twelve \
            million dollars, and visitors queued from eight in the morning to see the new reading rooms.";
        let prints: Vec<Fingerprint> = [STORY, &STORY.replace(' ', "\n"), edited.as_str(), other]
            .iter()
            .map(|t| Fingerprint::new(t))
            .collect();
        let v = classify(&prints, 0.8);
        assert_eq!(v[0], Verdict::Unique);
        assert_eq!(v[1], Verdict::Same { index: 0 });
        match v[2] {
            Verdict::Near {
                index: 0,
                similarity,
            } => assert!((0.8..1.0).contains(&similarity)),
            ref other => panic!("{other:?}"),
        }
        assert_eq!(v[3], Verdict::Unique);
    }

    #[test]
    fn jaccard_of_sets() {
        assert_eq!(jaccard(&[1, 2, 3, 4], &[2, 3, 4, 5]), 0.6);
        assert_eq!(jaccard(&[], &[1]), 0.0);
        let a = Fingerprint::new(STORY);
        let b = Fingerprint::new(&format!("{STORY} The union welcomed the decision."));
        match classify(&[a.clone(), b.clone()], 0.5)[1] {
            Verdict::Near { similarity, .. } => {
                assert_eq!(similarity, jaccard(&a.shingles, &b.shingles))
            }
            ref v => panic!("{v:?}"),
        }
    }

    #[test]
    fn thousands_of_articles_are_compared_quickly() {
        let prints: Vec<Fingerprint> = (0..1_000)
            .map(|i| {
                let words: Vec<String> = (0..300)
                    .map(|w| format!("w{}", (i * 7919 + w * 104_729) % 1_000_003))
                    .collect();
                Fingerprint::new(&words.join(" "))
            })
            .collect();
        let started = std::time::Instant::now();
        let verdicts = classify(&prints, 0.8);
        assert!(verdicts.iter().all(|v| *v == Verdict::Unique));
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn threshold_above_one_turns_near_detection_off() {
        let edited = STORY.replace("Tuesday", "Wednesday");
        let prints = [Fingerprint::new(STORY), Fingerprint::new(&edited)];
        assert_eq!(classify(&prints, 1.01)[1], Verdict::Unique);
    }
}
