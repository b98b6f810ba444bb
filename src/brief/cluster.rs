//! Same story, one item: groups articles that tell the same event, across outlets and across French and
//! English, with or without a translation.
//!
//! Two kinds of evidence are weighed for each pair of articles ([`score`]):
//!
//! - **TF-IDF cosine** of their grouping text (the English text, original or translated, else the article's
//!   own): stemmed words (lower-cased, stop words and words under three letters dropped, Porter stems) weighted
//!   by sublinear term frequency × smoothed inverse document frequency over the batch, L2-normalised. Strong
//!   between two articles in one language; near zero between a French text and an English one.
//! - **Language-independent evidence** ([`crate::brief::evidence`]): the names both mention (people, places,
//!   organisations, acronyms and their known equivalents, cognates), the numbers and the days of the year both
//!   give, written either way (`1 200`/`1,200`, `3,5 %`/`3.5%`, `12 mars`/`March 12`); and what disagrees: both
//!   give days of the year or years and share none, or their published dates are more than [`MAX_DAYS_APART`]
//!   apart (the same people in another event, a year later).
//!
//! Two articles whose score is at least [`THRESHOLD`] tell the same story; groups are the connected components
//! of that relation (single link), so a story told by three outlets is one group even when the first and last
//! share less. Every link that joined a group is kept with its evidence, so the brief can say why its articles
//! were grouped.
//!
//! Calibration (tests/grouping_evidence.rs, on the 56 labelled pairs of tests/fixtures/grouping/crosslingual.json,
//! each pair scored alone as a run of two articles with no model scores it): see [`THRESHOLD`].
use crate::brief::evidence::{self, Evidence, Shared};
use crate::brief::{GroupLink, Grouping};
use crate::metrics::porter_stem;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Articles whose [`score`] is at least this tell the same story. Calibrated on the 56 pairs of
/// tests/fixtures/grouping/crosslingual.json, each scored alone (a run of two articles, no model): precision 1.000,
/// recall 0.958, F1 0.979 (18 of 19 French/English pairs; the miss, a death toll revised between two reports that
/// share names but no figure, scores 0.446); all 46 articles as one run: pairwise F1 1.000. 0.40 would score F1
/// 1.000 there, but groups a different-story pair of tests/fixtures/grouping/pairs.json (0.439), where 0.45 keeps
/// all 36 on the right side (same story 0.482–1.072, different stories 0.096–0.439).
pub const THRESHOLD: f64 = 0.45;

/// Weight of the TF-IDF cosine in the score.
pub const W_SIMILARITY: f64 = 0.8;
/// A TF-IDF cosine this high reaches the threshold by itself, names or not (the threshold of TF-IDF alone, chosen
/// on tests/fixtures/grouping/pairs.json before names, numbers and dates were weighed).
pub const TEXT_ALONE: f64 = 0.33;
/// Weight of the names' cosine ([`Shared::name_score`]).
pub const W_NAMES: f64 = 0.6;
/// Added per shared number, up to [`MAX_NUMBERS`] of them.
pub const W_NUMBER: f64 = 0.08;
pub const MAX_NUMBERS: usize = 3;
/// Added per shared day of the year, up to two.
pub const W_DATE: f64 = 0.1;
/// Taken off when both give days of the year and share none.
pub const DATES_DISAGREE: f64 = 0.15;
/// Taken off when both give years and share none.
pub const YEARS_DISAGREE: f64 = 0.2;
/// Published more than this many days apart: not the same event (the score is lowered by [`FAR_APART`]).
pub const MAX_DAYS_APART: i64 = 3;
pub const FAR_APART: f64 = 0.5;

/// Name of the method, recorded in the brief.
pub const METHOD: &str = "tfidf+evidence";

/// One article as grouping sees it.
#[derive(Debug, Clone, Copy)]
pub struct Article<'a> {
    /// Title, blank line, body: the English text when it has one, else its own.
    pub text: &'a str,
    /// Published date (`YYYY-MM-DD`), when known.
    pub published: Option<&'a str>,
}

impl<'a> Article<'a> {
    /// An article with no known date.
    pub fn undated(text: &'a str) -> Self {
        Article {
            text,
            published: None,
        }
    }
}

/// The evidence on one pair of articles (indices into the batch, `a < b`) and its score.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub a: usize,
    pub b: usize,
    pub score: f64,
    /// TF-IDF cosine of their texts.
    pub similarity: f64,
    /// The (up to five) stemmed terms weighing most in the cosine, strongest first.
    pub shared_terms: Vec<String>,
    pub shared: Shared,
    /// How many days apart they were published, when both dates are known.
    pub days_apart: Option<i64>,
}

/// The score of a pair: `0.8 × TF-IDF cosine + 0.6 × names' cosine + 0.08 per shared number (up to 3) + 0.1 per
/// shared day (up to 2)`, or the cosine scaled so that [`TEXT_ALONE`] reaches [`THRESHOLD`] if that is more; less `0.15` when their days of the year disagree, `0.2` when their years do, and `0.5`
/// when they were published more than [`MAX_DAYS_APART`] days apart.
pub fn score(similarity: f64, shared: &Shared, days_apart: Option<i64>) -> f64 {
    let combined = W_SIMILARITY * similarity
        + W_NAMES * shared.name_score
        + W_NUMBER * shared.numbers.len().min(MAX_NUMBERS) as f64
        + W_DATE * shared.dates.len().min(2) as f64;
    let mut s = combined.max(similarity * THRESHOLD / TEXT_ALONE);
    if shared.dates_disagree {
        s -= DATES_DISAGREE;
    }
    if shared.years_disagree {
        s -= YEARS_DISAGREE;
    }
    if days_apart.is_some_and(|d| d > MAX_DAYS_APART) {
        s -= FAR_APART;
    }
    s
}

/// A group of articles (indices into the input), in input order, and why they were grouped.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub members: Vec<usize>,
    /// Links at or above the threshold between members, in order of `(a, b)`.
    pub links: Vec<Link>,
}

impl Group {
    /// The brief's record of the grouping, with members named by `ids`; `None` for a single article.
    pub fn grouping(&self, ids: &[&str]) -> Option<Grouping> {
        let round = |x: f64| (x * 1e4).round() / 1e4;
        (self.members.len() > 1).then(|| Grouping {
            method: METHOD.to_string(),
            threshold: THRESHOLD,
            links: self
                .links
                .iter()
                .map(|l| GroupLink {
                    a: ids[l.a].to_string(),
                    b: ids[l.b].to_string(),
                    score: round(l.score),
                    similarity: round(l.similarity),
                    shared_terms: l.shared_terms.clone(),
                    shared_names: l.shared.names.iter().take(8).cloned().collect(),
                    shared_numbers: l.shared.numbers.clone(),
                    shared_dates: l.shared.dates.clone(),
                })
                .collect(),
        })
    }
}

/// Everything grouping knows of a batch: TF-IDF vectors with the batch's IDF, and each article's evidence.
struct Batch<'a> {
    articles: &'a [Article<'a>],
    vectors: Vec<Vector>,
    evidence: Vec<Evidence>,
}

impl<'a> Batch<'a> {
    fn new(articles: &'a [Article<'a>]) -> Self {
        let texts: Vec<&str> = articles.iter().map(|a| a.text).collect();
        Batch {
            articles,
            vectors: tfidf(&texts),
            evidence: articles.iter().map(|a| evidence::extract(a.text)).collect(),
        }
    }

    fn link(&self, a: usize, b: usize) -> Link {
        let (similarity, shared_terms) = cosine(&self.vectors[a], &self.vectors[b]);
        let shared = evidence::compare(&self.evidence[a], &self.evidence[b]);
        let days = |i: usize| self.articles[i].published.and_then(evidence::day_number);
        let days_apart = days(a).zip(days(b)).map(|(x, y)| (x - y).abs());
        Link {
            a,
            b,
            score: score(similarity, &shared, days_apart),
            similarity,
            shared_terms,
            shared,
            days_apart,
        }
    }
}

/// Groups `articles` into stories. Every article is in exactly one group; groups come in the order of their
/// first member.
pub fn cluster(articles: &[Article<'_>], threshold: f64) -> Vec<Group> {
    let batch = Batch::new(articles);
    let n = articles.len();
    let mut parent: Vec<usize> = (0..n).collect();
    let mut links = Vec::new();
    // a pair sharing no name, number or day reaches `threshold` only on its cosine
    let floor = (threshold / W_SIMILARITY).min(threshold * TEXT_ALONE / THRESHOLD);
    let mut pairs: BTreeSet<(usize, usize)> =
        candidate_pairs(&batch.vectors, floor).into_iter().collect();
    pairs.extend(evidence_pairs(&batch.evidence));
    for (i, j) in pairs {
        let link = batch.link(i, j);
        if link.score >= threshold {
            links.push(link);
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
        let root = find(&mut parent, link.a);
        if let Some(g) = groups.get_mut(&root) {
            g.links.push(link);
        }
    }
    groups.into_values().collect()
}

/// A name, number or day in more articles than this proposes no pair by itself (too common to tell a story):
/// it keeps a batch of tens of thousands of articles from comparing nearly every pair.
pub const MAX_KEY_ARTICLES: usize = 200;

/// The pairs (i < j) that share a name (by its first four letters, so cognates meet), a number or a day.
fn evidence_pairs(evidence: &[Evidence]) -> BTreeSet<(usize, usize)> {
    let mut postings: HashMap<String, Vec<usize>> = HashMap::new();
    for (doc, ev) in evidence.iter().enumerate() {
        let mut keys: BTreeSet<String> = ev
            .names
            .keys()
            .map(|k| format!("n:{}", k.chars().take(4).collect::<String>()))
            .collect();
        keys.extend(ev.numbers.iter().map(|k| format!("#:{k}")));
        keys.extend(ev.dates.iter().map(|k| format!("d:{k}")));
        for k in keys {
            postings.entry(k).or_default().push(doc);
        }
    }
    let mut pairs = BTreeSet::new();
    for docs in postings.values().filter(|d| d.len() <= MAX_KEY_ARTICLES) {
        for (x, &i) in docs.iter().enumerate() {
            for &j in &docs[x + 1..] {
                pairs.insert((i, j));
            }
        }
    }
    pairs
}

/// Each pair `(i, j)` of `articles` scored as a run scores it: TF-IDF with the IDF of the whole batch, the
/// evidence of each article. For calibrating [`THRESHOLD`].
pub fn batch_links(articles: &[Article<'_>], pairs: &[(usize, usize)]) -> Vec<Link> {
    let batch = Batch::new(articles);
    pairs.iter().map(|&(i, j)| batch.link(i, j)).collect()
}

/// Cosine similarity of two articles' texts, with the IDF of these two alone (for tests).
pub fn similarity(a: &str, b: &str) -> f64 {
    let v = tfidf(&[a, b]);
    cosine(&v[0], &v[1]).0
}

/// The TF-IDF similarity of each pair `(i, j)` of `texts` as a run computes it: the IDF of the whole batch.
pub fn batch_similarities(texts: &[&str], pairs: &[(usize, usize)]) -> Vec<f64> {
    let vectors = tfidf(texts);
    pairs
        .iter()
        .map(|&(i, j)| cosine(&vectors[i], &vectors[j]).0)
        .collect()
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

    fn undated<'a>(texts: &[&'a str]) -> Vec<Article<'a>> {
        texts.iter().map(|t| Article::undated(t)).collect()
    }

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
        assert!(same >= TEXT_ALONE, "same story: {same}");
        for (a, b) in [(PORT_A, FLOOD), (PORT_B, FLOOD), (PORT_A, PORT_TRAFFIC)] {
            let s = similarity(a, b);
            assert!(s < TEXT_ALONE, "different stories: {s}\n{a}\n{b}");
        }
    }

    #[test]
    fn groups_are_connected_components_with_their_links() {
        let groups = cluster(&undated(&[PORT_A, FLOOD, PORT_B, PORT_TRAFFIC]), THRESHOLD);
        let members: Vec<Vec<usize>> = groups.iter().map(|g| g.members.clone()).collect();
        assert_eq!(members, vec![vec![0, 2], vec![1], vec![3]]);
        let link = &groups[0].links[0];
        assert_eq!((link.a, link.b), (0, 2));
        assert!(link.score >= THRESHOLD);
        assert!(
            link.shared_terms.contains(&"port".to_string()),
            "{:?}",
            link.shared_terms
        );
        let grouping = groups[0].grouping(&["a", "f", "b", "t"]).unwrap();
        assert_eq!(
            (grouping.links[0].a.as_str(), grouping.links[0].b.as_str()),
            ("a", "b")
        );
        assert!(groups[1].grouping(&["a", "f", "b", "t"]).is_none());
    }

    /// A French and an English article on one event, with no translation, share names, numbers and a date:
    /// grouped. Published a year apart, with other years in the text, the same names are not enough.
    #[test]
    fn names_numbers_and_dates_link_a_french_and_an_english_article() {
        let fr = "Le FMI accorde 1,8 milliard de dollars au Sénégal\n\nLe conseil du FMI a approuvé le 24 juin un \
            programme de 1,8 milliard de dollars pour le Sénégal, dont 430 millions versés tout de suite. Le ministre \
            Cheikh Diba promet de publier les prêts de l'État.";
        let en = "IMF approves $1.8 billion for Senegal\n\nThe IMF board approved on June 24 a 1.8 billion dollar \
            programme for Senegal, with 430 million paid at once. Minister Cheikh Diba promised to publish state loans.";
        let arts = [
            Article {
                text: fr,
                published: Some("2025-06-25"),
            },
            Article {
                text: en,
                published: Some("2025-06-25"),
            },
        ];
        let link = &batch_links(&arts, &[(0, 1)])[0];
        assert!(link.similarity < 0.2, "untranslated: {}", link.similarity);
        assert!(link.score >= THRESHOLD, "{link:?}");
        assert_eq!(link.shared.numbers, ["1800000000", "430000000"]);
        assert_eq!(link.shared.dates, ["06-24"]);
        for name in ["imf", "senegal", "diba", "cheikh"] {
            assert!(
                link.shared.names.iter().any(|n| n == name),
                "{:?}",
                link.shared.names
            );
        }
        let later = [
            arts[0],
            Article {
                text: en,
                published: Some("2026-06-25"),
            },
        ];
        let link = &batch_links(&later, &[(0, 1)])[0];
        assert_eq!(link.days_apart, Some(365));
        assert!(link.score < THRESHOLD, "{link:?}");
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
            &undated(&[
                "alpha beta gamma",
                "gamma delta epsilon",
                "epsilon zeta eta",
                "",
            ]),
            0.1,
        );
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].members, vec![0, 1, 2]);
        assert_eq!(groups[1].members, vec![3]);
    }
}
