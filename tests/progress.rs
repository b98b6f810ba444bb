//! Progress people can read: a model stage's bar gets the whole stage's length before its first step and then
//! moves after every generation batch (at most 16 sentences or summary chunks), not once per 64 sentences or 4
//! articles; ingesting a large folder counts its files; `merge` counts the bytes of the shard files. Tests run
//! without a terminal, so they read what the bars were told (`Progress::recording`), not what was drawn.
mod common;

use std::path::Path;
use tandem::models::manifest::Role;
use tandem::models::Engine;
use tandem::pipeline::{run_brief, BriefOptions};
use tandem::progress::{Progress, Step, LARGE_FOLDER};

/// `n` French articles of 12 distinct sentences each.
fn write_french_articles(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let places = [
        "Lyon", "Lille", "Nantes", "Rennes", "Dijon", "Nancy", "Brest", "Tours",
    ];
    let things = [
        "le tramway",
        "la piscine",
        "le stade",
        "la gare",
        "le musée",
        "le marché",
    ];
    for i in 0..n {
        let place = places[i % places.len()];
        let mut text = format!("Nouvelles de {place}, numéro {i}\n\n");
        for k in 0..12 {
            text.push_str(&format!(
                "À {place}, {} ouvrira le {} du mois {} selon la mairie. ",
                things[(i + k) % things.len()],
                k + 1,
                i + 1
            ));
        }
        std::fs::write(dir.join(format!("article-{i:02}.txt")), text).unwrap();
    }
}

fn options(articles: &Path, models: &Path) -> BriefOptions {
    BriefOptions {
        articles_dir: articles.to_path_buf(),
        models_dir: models.to_path_buf(),
        period: None,
        include_undated: false,
        ingest: Default::default(),
        device: tch::Device::Cpu,
        engine: Engine::default(),
        cache_dir: None,
    }
}

/// The lengths and the advances of a bar's steps, checking it was made first and finished last.
fn lengths_and_advances(steps: &[Step], drawn: bool) -> (Vec<u64>, Vec<u64>) {
    assert_eq!(steps.first(), Some(&Step::Shown(drawn)), "{steps:?}");
    assert_eq!(steps.last(), Some(&Step::Finish), "{steps:?}");
    let lengths = steps
        .iter()
        .filter_map(|s| match s {
            Step::Length(n) => Some(*n),
            _ => None,
        })
        .collect();
    let advances = steps
        .iter()
        .filter_map(|s| match s {
            Step::Advance(n) => Some(*n),
            _ => None,
        })
        .collect();
    (lengths, advances)
}

#[test]
fn model_stages_advance_per_generation_batch_from_a_length_known_before_the_first_step() {
    let tmp = tempfile::tempdir().unwrap();
    let models = tmp.path().join("models");
    common::import_roles(&models, &Role::ALL);
    let articles = tmp.path().join("in");
    write_french_articles(&articles, 8);
    let (progress, record) = Progress::recording(true);
    run_brief(&options(&articles, &models), &progress).unwrap();

    for stage in ["translate-fr-en", "summarize", "translate-en-fr"] {
        let steps = record.of(stage);
        let (lengths, advances) = lengths_and_advances(&steps, true);
        // the stage's length comes before any step, and every chunk counted is generated
        assert!(
            matches!(steps[1], Step::Length(n) if n > 0),
            "{stage}: {steps:?}"
        );
        assert_eq!(
            advances.iter().sum::<u64>(),
            lengths.iter().sum::<u64>(),
            "{stage}: {steps:?}"
        );
        // one step per generation batch: at most 16 inputs
        assert!(
            advances.iter().all(|&a| (1..=16).contains(&a)),
            "{stage}: {steps:?}"
        );
    }
    // 8 articles × 12 sentences and their titles: far more than one cache chunk of 64 sentences, in steps of
    // at most 16, with the whole length known at the start
    let (lengths, advances) = lengths_and_advances(&record.of("translate-fr-en"), true);
    assert_eq!(lengths.len(), 1, "one length, set up front");
    assert!(lengths[0] >= 8 * 12, "{lengths:?}");
    assert!(
        advances.len() as u64 >= lengths[0].div_ceil(16),
        "{advances:?}"
    );
    // the 8 summaries are made 4 articles per cache chunk, but the bar moves per generation batch
    let (_, advances) = lengths_and_advances(&record.of("summarize"), true);
    assert!(advances.len() >= 2, "{advances:?}");
    // the fixture folder is small: read without a bar
    assert_eq!(record.of("ingest")[0], Step::Shown(false));
}

#[test]
fn ingesting_a_large_folder_counts_its_files() {
    let tmp = tempfile::tempdir().unwrap();
    let n = LARGE_FOLDER as usize + 5;
    for i in 0..n {
        std::fs::write(
            tmp.path().join(format!("a{i:04}.txt")),
            format!("Story number {i}\n\nThe council met on day {i} and approved plan {i} for the river bank."),
        )
        .unwrap();
    }
    let (progress, record) = Progress::recording(true);
    let read =
        tandem::ingest::read_dir_with_progress(tmp.path(), &Default::default(), &progress).unwrap();
    assert_eq!(read.articles.len() + read.failures.len(), n);
    let steps = record.of("ingest");
    let (lengths, advances) = lengths_and_advances(&steps, true);
    assert_eq!(lengths, [n as u64]);
    assert_eq!(advances, vec![1; n]);
    // without a terminal (or with --quiet), not drawn
    let (hidden, record) = Progress::recording(false);
    tandem::ingest::read_dir_with_progress(tmp.path(), &Default::default(), &hidden).unwrap();
    assert_eq!(record.of("ingest")[0], Step::Shown(false));
}

#[test]
fn merge_counts_the_bytes_of_the_shard_files_it_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let models = tmp.path().join("no-models");
    std::fs::create_dir_all(&models).unwrap();
    let articles = tmp.path().join("in");
    write_french_articles(&articles, 6);
    let shards = tmp.path().join("shards");
    let opts = options(&articles, &models);
    for index in 0..2 {
        let spec = tandem::shard::ShardSpec { index, count: 2 };
        let run = tandem::shard::run_shard(&opts, spec, vec!["tandem".into()], &Progress::hidden())
            .unwrap();
        tandem::shard::write_shard(&shards, &run).unwrap();
    }
    let bytes: u64 = (0..2)
        .map(|i| {
            std::fs::metadata(shards.join(format!("shard-{i}-of-2.jsonl")))
                .unwrap()
                .len()
        })
        .sum();
    let (progress, record) = Progress::recording(true);
    tandem::shard::merge_with(&[shards], &progress).unwrap();
    let (lengths, advances) = lengths_and_advances(&record.of("merge"), true);
    assert_eq!(lengths, [bytes]);
    assert_eq!(advances.iter().sum::<u64>(), bytes);
    assert!(advances.len() >= 6, "one step per line: {advances:?}");
}
