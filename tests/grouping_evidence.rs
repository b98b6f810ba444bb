//! Same-story grouping across languages and outlets, with no model, on labelled pairs written for the test
//! (tests/fixtures/grouping/crosslingual.json: 46 news-length articles, 56 pairs): a French and an English
//! article on one event (19 pairs), two outlets in one language (5: agency copy, a revised death toll), the same
//! people or place in another event (17, several a year apart), the same topic on the same days (9), unrelated (6).
//!
//! Each pair is scored alone, as a run of those two articles with no translation model scores it (their own
//! text, TF-IDF with the IDF of the two): precision, recall and F1 of "score ≥ THRESHOLD" are asserted, with the
//! recall of the cross-language pairs on their own. The whole set is then grouped as one run, and the pairwise F1
//! of the groups over the labelled pairs is asserted too.
use tandem::brief::cluster::{batch_links, cluster, Article, THRESHOLD};

struct Fixture {
    /// id, title + blank line + body, published
    articles: Vec<(String, String, String)>,
    /// (index a, index b, same, kind)
    pairs: Vec<(usize, usize, bool, String)>,
}

fn fixture() -> Fixture {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/grouping/crosslingual.json");
    let data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let articles: Vec<(String, String, String)> = data["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_string(),
                format!(
                    "{}\n\n{}",
                    a["title"].as_str().unwrap(),
                    a["body"].as_str().unwrap()
                ),
                a["published"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let index = |id: &str| articles.iter().position(|a| a.0 == id).unwrap();
    let pairs = data["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                index(p["a"].as_str().unwrap()),
                index(p["b"].as_str().unwrap()),
                p["same"].as_bool().unwrap(),
                p["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    Fixture { articles, pairs }
}

fn article(f: &Fixture, i: usize) -> Article<'_> {
    Article {
        text: &f.articles[i].1,
        published: Some(&f.articles[i].2),
    }
}

/// Precision, recall, F1 of `predicted` against the labels.
fn prf(labels: &[bool], predicted: &[bool]) -> (f64, f64, f64) {
    let tp = labels
        .iter()
        .zip(predicted)
        .filter(|(l, p)| **l && **p)
        .count() as f64;
    let fp = labels
        .iter()
        .zip(predicted)
        .filter(|(l, p)| !**l && **p)
        .count() as f64;
    let fn_ = labels
        .iter()
        .zip(predicted)
        .filter(|(l, p)| **l && !**p)
        .count() as f64;
    let precision = tp / (tp + fp);
    let recall = tp / (tp + fn_);
    (
        precision,
        recall,
        2.0 * precision * recall / (precision + recall),
    )
}

/// Each pair's score as a run of those two articles alone computes it.
fn scores_alone(f: &Fixture) -> Vec<f64> {
    f.pairs
        .iter()
        .map(|&(a, b, _, _)| {
            let l = &batch_links(&[article(f, a), article(f, b)], &[(0, 1)])[0];
            l.score
        })
        .collect()
}

#[test]
fn pairs_briefed_alone_are_grouped_with_high_precision_and_recall() {
    let f = fixture();
    assert!(f.pairs.len() >= 40);
    let scores = scores_alone(&f);
    let labels: Vec<bool> = f.pairs.iter().map(|p| p.2).collect();
    for ((a, b, same, kind), s) in f.pairs.iter().zip(&scores) {
        eprintln!(
            "{:>6.3} {} {:<14} {:<14} {kind}",
            s,
            if *same == (*s >= THRESHOLD) {
                " "
            } else {
                "✗"
            },
            f.articles[*a].0,
            f.articles[*b].0
        );
    }
    for t in [0.30, 0.35, 0.40, 0.45, 0.50] {
        let predicted: Vec<bool> = scores.iter().map(|s| *s >= t).collect();
        let (p, r, f1) = prf(&labels, &predicted);
        eprintln!("threshold {t:.2}: precision {p:.3} recall {r:.3} F1 {f1:.3}");
    }
    let predicted: Vec<bool> = scores.iter().map(|s| *s >= THRESHOLD).collect();
    let (precision, recall, f1) = prf(&labels, &predicted);
    eprintln!("at {THRESHOLD}: precision {precision:.3} recall {recall:.3} F1 {f1:.3}");
    assert!(precision >= 0.95, "precision {precision:.3}");
    assert!(recall >= 0.9, "recall {recall:.3}");
    assert!(f1 >= 0.93, "F1 {f1:.3}");
    // the cross-language pairs on their own: the case a run without translation model could never group
    let cross: Vec<bool> = f
        .pairs
        .iter()
        .zip(&predicted)
        .filter(|(p, _)| p.3 == "cross-language same event")
        .map(|(_, &g)| g)
        .collect();
    let grouped = cross.iter().filter(|&&g| g).count();
    assert!(cross.len() >= 12);
    assert!(
        grouped as f64 >= 0.9 * cross.len() as f64,
        "{grouped} of {} cross-language pairs grouped",
        cross.len()
    );
}

#[test]
fn the_whole_set_as_one_run_groups_each_event_and_keeps_the_others_apart() {
    let f = fixture();
    let articles: Vec<Article> = (0..f.articles.len()).map(|i| article(&f, i)).collect();
    let groups = cluster(&articles, THRESHOLD);
    let mut group_of = vec![0; articles.len()];
    for (g, group) in groups.iter().enumerate() {
        for &m in &group.members {
            group_of[m] = g;
        }
        let ids: Vec<&str> = group
            .members
            .iter()
            .map(|&m| f.articles[m].0.as_str())
            .collect();
        eprintln!("{ids:?}");
    }
    let labels: Vec<bool> = f.pairs.iter().map(|p| p.2).collect();
    let predicted: Vec<bool> = f
        .pairs
        .iter()
        .map(|&(a, b, _, _)| group_of[a] == group_of[b])
        .collect();
    let (precision, recall, f1) = prf(&labels, &predicted);
    eprintln!("one run: precision {precision:.3} recall {recall:.3} F1 {f1:.3}");
    assert!(f1 >= 0.9, "pairwise F1 {f1:.3}");
    assert!(precision >= 0.9, "precision {precision:.3}");
    // every link of a group records its evidence
    for group in groups.iter().filter(|g| g.members.len() > 1) {
        for l in &group.links {
            assert!(l.score >= THRESHOLD);
            assert!(
                !l.shared.names.is_empty() || l.similarity > 0.0,
                "a link with no evidence: {l:?}"
            );
        }
    }
}
