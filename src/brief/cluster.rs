//! Same story, one item: groups articles whose English text is similar (TF-IDF cosine).
//!
//! Each article is a bag of stemmed words (lower-cased, stop words and words under three letters dropped, Porter
//! stems) weighted by sublinear term frequency × smoothed inverse document frequency over the batch, L2-normalised.
//! Two articles whose cosine similarity is at least [`THRESHOLD`] tell the same story; groups are the connected
//! components of that relation (single link), so a story told by three outlets is one group even when the first
//! and last share less. Every link that joined a group is kept, with the terms that weigh most in it, so the
//! brief can say why its articles were grouped.
use crate::brief::{GroupLink, Grouping};
use crate::metrics::porter_stem;
use std::collections::{BTreeMap, HashMap};

/// Articles at or above this cosine similarity are the same story. Chosen on 36 labelled pairs written for the
/// purpose (tests/fixtures/grouping/pairs.json, tests/grouping_threshold.rs), weighed as a run weighs them (IDF of
/// the whole batch): the same event told by two outlets scored 0.354–0.786, a different event on the same topic
/// or in the same place 0.070–0.306 (two stories about one national park, sharing its name and its rangers). The
/// threshold sits in the middle of that gap, which is narrow: short articles about one place can come close.
pub const THRESHOLD: f64 = 0.33;

/// Name of the method, recorded in the brief.
pub const METHOD: &str = "tfidf-cosine";

/// A group of articles (indices into the input), in input order, and why they were grouped.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub members: Vec<usize>,
    /// Links at or above the threshold between members: (i, j, similarity, shared terms), i < j.
    pub links: Vec<(usize, usize, f64, Vec<String>)>,
}

impl Group {
    /// The brief's record of the grouping, with members named by `ids`; `None` for a single article.
    pub fn grouping(&self, ids: &[&str]) -> Option<Grouping> {
        (self.members.len() > 1).then(|| Grouping {
            method: METHOD.to_string(),
            threshold: THRESHOLD,
            links: self
                .links
                .iter()
                .map(|(i, j, s, terms)| GroupLink {
                    a: ids[*i].to_string(),
                    b: ids[*j].to_string(),
                    similarity: (s * 1e4).round() / 1e4,
                    shared_terms: terms.clone(),
                })
                .collect(),
        })
    }
}

/// Groups `texts` (one per article) into stories. Every article is in exactly one group; groups come in the
/// order of their first member.
pub fn cluster(texts: &[&str], threshold: f64) -> Vec<Group> {
    let vectors = tfidf(texts);
    let n = texts.len();
    let mut parent: Vec<usize> = (0..n).collect();
    let mut links = Vec::new();
    for (i, j) in candidate_pairs(&vectors, threshold) {
        let (sim, terms) = cosine(&vectors[i], &vectors[j]);
        if sim >= threshold {
            links.push((i, j, sim, terms));
            let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
            if ri != rj {
                parent[ri.max(rj)] = ri.min(rj);
            }
        }
    }
    let mut groups: BTreeMap<usize, Group> = BTreeMap::new();
    for i in 0..n {
        let root = find(&mut parent, i);
        groups
            .entry(root)
            .or_insert_with(|| Group {
                members: Vec::new(),
                links: Vec::new(),
            })
            .members
            .push(i);
    }
    for link in links {
        let root = find(&mut parent, link.0);
        if let Some(g) = groups.get_mut(&root) {
            g.links.push(link);
        }
    }
    groups.into_values().collect()
}

/// The pairs (i < j, in order) whose cosine may reach `threshold`: dot products accumulated through an index from
/// term to the articles holding it, so only pairs sharing a term are touched (tens of thousands of articles take
/// seconds, not the hours all pairs would). The exact similarity of each candidate is then computed as for any
/// pair, so the groups are those of comparing every pair.
fn candidate_pairs(vectors: &[Vector], threshold: f64) -> Vec<(usize, usize)> {
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let mut postings: Vec<Vec<(usize, f64)>> = Vec::new();
    let indexed: Vec<Vec<(usize, f64)>> = vectors
        .iter()
        .enumerate()
        .map(|(doc, v)| {
            v.iter()
                .map(|(term, &w)| {
                    let id = *ids.entry(term.as_str()).or_insert_with(|| {
                        postings.push(Vec::new());
                        postings.len() - 1
                    });
                    postings[id].push((doc, w));
                    (id, w)
                })
                .collect()
        })
        .collect();
    // Accumulated dot products differ from the exact ones by rounding only; the margin keeps every pair that
    // could reach the threshold.
    let floor = threshold - 1e-9;
    let mut dot = vec![0.0f64; vectors.len()];
    let mut touched: Vec<usize> = Vec::new();
    let mut pairs = Vec::new();
    for (i, terms) in indexed.iter().enumerate() {
        for &(id, w) in terms {
            let list = &postings[id];
            let start = list.partition_point(|&(doc, _)| doc <= i);
            for &(j, wj) in &list[start..] {
                if dot[j] == 0.0 {
                    touched.push(j);
                }
                dot[j] += w * wj;
            }
        }
        touched.sort_unstable();
        for &j in &touched {
            if dot[j] >= floor {
                pairs.push((i, j));
            }
            dot[j] = 0.0;
        }
        touched.clear();
    }
    pairs
}

/// Cosine similarity of two articles' texts, with the IDF of these two alone (for tests).
pub fn similarity(a: &str, b: &str) -> f64 {
    let v = tfidf(&[a, b]);
    cosine(&v[0], &v[1]).0
}

/// The similarity of each pair `(i, j)` of `texts` as a run computes it: TF-IDF with the IDF of the whole batch
/// (every text of the run), as [`cluster`] weighs them. For calibrating [`THRESHOLD`].
pub fn batch_similarities(texts: &[&str], pairs: &[(usize, usize)]) -> Vec<f64> {
    let vectors = tfidf(texts);
    pairs
        .iter()
        .map(|&(i, j)| cosine(&vectors[i], &vectors[j]).0)
        .collect()
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

type Vector = BTreeMap<String, f64>;

fn tfidf(texts: &[&str]) -> Vec<Vector> {
    let counts: Vec<HashMap<String, u32>> = texts
        .iter()
        .map(|t| {
            let mut c = HashMap::new();
            for term in terms(t) {
                *c.entry(term).or_insert(0) += 1;
            }
            c
        })
        .collect();
    let mut df: HashMap<&str, u32> = HashMap::new();
    for c in &counts {
        for term in c.keys() {
            *df.entry(term.as_str()).or_insert(0) += 1;
        }
    }
    let n = texts.len() as f64;
    counts
        .iter()
        .map(|c| {
            let mut v: Vector = c
                .iter()
                .map(|(term, &tf)| {
                    let idf = ((1.0 + n) / (1.0 + f64::from(df[term.as_str()]))).ln() + 1.0;
                    (term.clone(), (1.0 + f64::from(tf).ln()) * idf)
                })
                .collect();
            let norm = v.values().map(|w| w * w).sum::<f64>().sqrt();
            if norm > 0.0 {
                v.values_mut().for_each(|w| *w /= norm);
            }
            v
        })
        .collect()
}

/// Cosine of two normalised vectors, and the (up to five) terms contributing most, strongest first.
fn cosine(a: &Vector, b: &Vector) -> (f64, Vec<String>) {
    let mut shared: Vec<(f64, &str)> = a
        .iter()
        .filter_map(|(t, wa)| b.get(t).map(|wb| (wa * wb, t.as_str())))
        .collect();
    let sim = shared.iter().map(|(w, _)| w).sum();
    shared.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(y.1)));
    (
        sim,
        shared.iter().take(5).map(|(_, t)| t.to_string()).collect(),
    )
}

fn terms(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .map(|w| if w.is_ascii() { porter_stem(&w) } else { w })
}

/// Function words of English (and the commonest of French, for untranslated articles), which say nothing
/// about the story.
const STOP_WORDS: &[&str] = &[
    "about", "after", "again", "against", "all", "also", "and", "any", "are", "because", "been",
    "before", "being", "between", "both", "but", "can", "could", "did", "does", "during", "each",
    "for", "from", "further", "had", "has", "have", "having", "her", "here", "hers", "him", "his",
    "how", "into", "its", "itself", "just", "last", "more", "most", "new", "not", "now", "off",
    "once", "one", "only", "other", "our", "out", "over", "own", "said", "same", "says", "she",
    "should", "some", "such", "than", "that", "the", "their", "them", "then", "there", "these",
    "they", "this", "those", "through", "too", "two", "under", "until", "very", "was", "were",
    "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would",
    "year", "years", "you", "your", "les", "des", "une", "est", "dans", "pour", "par", "sur",
    "qui", "que", "pas", "plus", "avec", "son", "ses", "aux", "ont", "été", "cette", "mais",
    "selon", "leur", "leurs", "entre", "comme",
];

#[cfg(test)]
mod tests {
    use super::*;

    const PORT_A: &str = "Dock workers end strike at the port after wage deal. Dock workers at the city's main \
        port returned to work on Thursday after unions signed a wage agreement with the port authority. The \
        strike had halted container traffic for nine days.";
    const PORT_B: &str = "Port strike over as unions accept pay offer. The nine-day stoppage at the main \
        container port ended on Thursday when dock unions accepted the port authority's wage offer, and \
        cranes were moving again by the evening.";
    const FLOOD: &str = "Heavy rain expected in the capital this weekend. Forecasters expect heavy rain on \
        Saturday and Sunday; families near the river have been told to be careful and the town hall opened \
        three shelters.";
    const PORT_TRAFFIC: &str =
        "The port authority published its annual report on Monday. Container traffic \
        rose by four per cent and the authority plans to buy two new cranes next spring.";

    #[test]
    fn same_event_from_two_outlets_is_above_the_threshold_and_other_stories_below() {
        let same = similarity(PORT_A, PORT_B);
        assert!(same >= THRESHOLD, "same story: {same}");
        for (a, b) in [(PORT_A, FLOOD), (PORT_B, FLOOD), (PORT_A, PORT_TRAFFIC)] {
            let s = similarity(a, b);
            assert!(s < THRESHOLD, "different stories: {s}\n{a}\n{b}");
        }
    }

    #[test]
    fn groups_are_connected_components_with_their_links() {
        let groups = cluster(&[PORT_A, FLOOD, PORT_B, PORT_TRAFFIC], THRESHOLD);
        let members: Vec<Vec<usize>> = groups.iter().map(|g| g.members.clone()).collect();
        assert_eq!(members, vec![vec![0, 2], vec![1], vec![3]]);
        let (i, j, sim, terms) = &groups[0].links[0];
        assert_eq!((*i, *j), (0, 2));
        assert!(*sim >= THRESHOLD);
        assert!(terms.contains(&"port".to_string()), "{terms:?}");
        let grouping = groups[0].grouping(&["a", "f", "b", "t"]).unwrap();
        assert_eq!(
            (grouping.links[0].a.as_str(), grouping.links[0].b.as_str()),
            ("a", "b")
        );
        assert!(groups[1].grouping(&["a", "f", "b", "t"]).is_none());
    }

    #[test]
    fn the_term_index_finds_exactly_the_pairs_comparing_every_pair_finds() {
        // Articles drawn from a small vocabulary, so many pairs share terms and some cross the threshold.
        let words: Vec<String> = (0..60).map(|k| format!("word{k}x")).collect();
        let texts: Vec<String> = (0..120u64)
            .map(|i| {
                (0..12u64)
                    .map(|k| words[((i * 31 + k * k * 7 + (i % 5) * k) % 60) as usize].as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let vectors = tfidf(&refs);
        for threshold in [0.1, THRESHOLD, 0.6] {
            let every_pair: Vec<(usize, usize)> = (0..refs.len())
                .flat_map(|i| (i + 1..refs.len()).map(move |j| (i, j)))
                .filter(|&(i, j)| cosine(&vectors[i], &vectors[j]).0 >= threshold)
                .collect();
            let found: Vec<(usize, usize)> = candidate_pairs(&vectors, threshold)
                .into_iter()
                .filter(|&(i, j)| cosine(&vectors[i], &vectors[j]).0 >= threshold)
                .collect();
            assert!(!every_pair.is_empty(), "the data must have similar pairs");
            assert_eq!(found, every_pair, "threshold {threshold}");
        }
    }

    #[test]
    fn single_link_chains_join_and_empty_texts_stay_alone() {
        let groups = cluster(
            &[
                "alpha beta gamma",
                "gamma delta epsilon",
                "epsilon zeta eta",
                "",
            ],
            0.2,
        );
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].members, vec![0, 1, 2]);
        assert_eq!(groups[1].members, vec![3]);
    }
}
