//! The same-story threshold (`tandem::brief::cluster::THRESHOLD`) on labelled pairs written for the test
//! (tests/fixtures/grouping/pairs.json): for each of twelve topics, one event told by two outlets (same story) and
//! another event on the same topic or in the same place (a different story), all in English. All 36 texts are one
//! batch, as the articles of one run, so each pair is weighed with the batch's IDF as grouping weighs it: every
//! same-story pair scores at or above the threshold, every different-story pair below it. (These pairs set the
//! TF-IDF-only threshold of 0.33 before the score combined it with names, numbers and dates; the combined score
//! keeps all 36 on the right side.) The cross-language set is tests/grouping_evidence.rs.
use tandem::brief::cluster::{batch_links, cluster, Article, THRESHOLD};

struct Labelled {
    topic: String,
    same: bool,
    pair: (usize, usize),
}

/// The batch's texts and the labelled pairs into it: (a, b) same story, (a, c) and (b, c) different.
fn batch() -> (Vec<String>, Vec<Labelled>) {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/grouping/pairs.json");
    let data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut texts = Vec::new();
    let mut pairs = Vec::new();
    for t in data["topics"].as_array().unwrap() {
        let topic = t["topic"].as_str().unwrap().to_string();
        let base = texts.len();
        for key in ["a", "b", "c"] {
            texts.push(t[key].as_str().unwrap().to_string());
        }
        for (same, pair) in [
            (true, (base, base + 1)),
            (false, (base, base + 2)),
            (false, (base + 1, base + 2)),
        ] {
            pairs.push(Labelled {
                topic: topic.clone(),
                same,
                pair,
            });
        }
    }
    (texts, pairs)
}

#[test]
fn same_story_pairs_score_above_the_threshold_and_different_stories_below() {
    let (texts, labelled) = batch();
    assert!(labelled.len() >= 20, "{} pairs", labelled.len());
    let articles: Vec<Article> = texts.iter().map(|t| Article::undated(t)).collect();
    let pairs: Vec<(usize, usize)> = labelled.iter().map(|l| l.pair).collect();
    let scores: Vec<f64> = batch_links(&articles, &pairs)
        .iter()
        .map(|l| l.score)
        .collect();
    let range = |same: bool| {
        let s: Vec<f64> = labelled
            .iter()
            .zip(&scores)
            .filter(|(l, _)| l.same == same)
            .map(|(_, &s)| s)
            .collect();
        (
            s.iter().copied().fold(f64::INFINITY, f64::min),
            s.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        )
    };
    let (same, different) = (range(true), range(false));
    eprintln!(
        "same story {:.3}–{:.3}, different stories {:.3}–{:.3}, threshold {THRESHOLD}",
        same.0, same.1, different.0, different.1
    );
    for (l, s) in labelled.iter().zip(&scores) {
        if l.same {
            assert!(*s >= THRESHOLD, "{}: same story scores {s:.3}", l.topic);
        } else {
            assert!(
                *s < THRESHOLD,
                "{}: different stories score {s:.3}",
                l.topic
            );
        }
    }
}

/// Grouped as a run groups them: each topic's two outlets make one story, its other event stays alone.
#[test]
fn the_batch_groups_into_one_story_per_topic_and_the_other_events_alone() {
    let (texts, _) = batch();
    let articles: Vec<Article> = texts.iter().map(|t| Article::undated(t)).collect();
    let members: Vec<Vec<usize>> = cluster(&articles, THRESHOLD)
        .into_iter()
        .map(|g| g.members)
        .collect();
    let expected: Vec<Vec<usize>> = (0..texts.len() / 3)
        .flat_map(|t| [vec![3 * t, 3 * t + 1], vec![3 * t + 2]])
        .collect();
    assert_eq!(members, expected);
}
