//! A scraped folder full of broken files (issue 6): every bad file becomes exactly one failure with a specific
//! one-line reason, the good articles are still ingested, legacy encodings are decoded rather than failed, and
//! the `tandem brief` run completes, lists every skipped file and exits 3 ("some articles failed").
//!
//! Everything is generated into a temporary folder: binary and 5 MB files, symlinks and a FIFO do not belong in
//! git. The test runs as root in CI, where `chmod 000` does not stop a read, so "unreadable" is covered by what
//! no user can read as an article: a directory named `folder.txt`, a dangling symlink and a FIFO (which would
//! block a naive reader forever).
#![cfg(unix)]

mod common;

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use tandem::ingest::{self, IngestFailure, IngestOptions};
use tandem::lang::Lang;

const GOOD_EN: &str = "Riverside opens its new water treatment plant

The town of Riverside opened its new water treatment plant on Thursday, three years after the old one failed a \
safety inspection. The plant can clean twelve million litres a day, enough for the town and two nearby villages.

Engineers said the filters use less energy than the old ones and should cut the utility's power bill by a third. \
The works cost forty-two million dollars, most of it paid by a regional grant.

Residents had been asked to boil their tap water twice last winter. The mayor said those notices should now be a \
thing of the past, and thanked the crews who kept the old plant running during the works.

The utility will open the site to visitors on the first Saturday of each month.
";

const GOOD_FR: &str = "Les boulangers du village créent une coopérative

Les quatre boulangers de Saint-Aubin ont annoncé mardi la création d'une coopérative pour acheter leur farine \
ensemble. Ils espèrent réduire leurs coûts d'un cinquième dès le printemps prochain.

Selon le président de la coopérative, le prix du blé a doublé en deux ans et les petites boulangeries ne \
pouvaient plus suivre. La mairie prêtera un local près de la gare pour stocker les sacs.

Les habitants ne devraient pas voir de changement sur le prix de la baguette cette année, assurent les artisans.
";

/// French, saved in Windows-1252 by an old newsroom system.
const LEGACY_FR: &str = "La médiathèque rouvre après les inondations

La médiathèque municipale a rouvert ses portes lundi, six mois après les inondations qui avaient détruit une \
partie de ses collections. Près de trois mille livres ont été rachetés grâce aux dons des habitants.

Les bénévoles ont séché à la main des centaines d'ouvrages anciens, a expliqué la directrice, très émue.
";

const GERMAN: &str = "Die Stadt baut eine neue Brücke

Die Stadtverwaltung hat am Dienstag beschlossen, die alte Brücke über den Fluss abzureißen und eine neue zu \
bauen. Die Arbeiten sollen im Frühjahr beginnen und zwei Jahre dauern. Während der Bauzeit fahren die Busse \
über eine Umleitung durch das Industriegebiet.
";

const BOILERPLATE: &str = "Menu
Home
Search

Facebook
Twitter
Share this article

Advertisement
Subscribe
Read more
© 2025 Example Media. All rights reserved.
";

/// What each bad entry of the folder must give: its name and words its reason must contain.
const EXPECTED_FAILURES: &[(&str, &[&str])] = &[
    (
        "bad-frontmatter.md",
        &["malformed front matter", "`---`", "never closed"],
    ),
    ("bad-toml.txt", &["malformed front matter: TOML (line 3)"]),
    ("binary.txt", &["binary file, not text", "PNG image"]),
    (
        "boilerplate.txt",
        &[
            "only boilerplate",
            "all 10 lines were dropped",
            "share button ×3",
        ],
    ),
    ("broken.html", &["HTML page without article text"]),
    (
        "dangling.txt",
        &["broken symlink", "missing-target.txt", "does not exist"],
    ),
    (
        "deep.html",
        &[
            "malformed HTML: elements nested 20000 levels deep",
            "unclosed tags?",
        ],
    ),
    ("dup-exact.txt", &["same text as a-good-en.txt"]),
    (
        "dup-near.txt",
        &[
            "near duplicate of a-good-en.txt (",
            "% of their 5-word sequences",
            "threshold is 80%",
        ],
    ),
    ("empty.txt", &["empty file (0 bytes)"]),
    ("folder.txt", &["a directory, not a file"]),
    (
        "german.txt",
        &[
            "language `deu` is not supported",
            "German",
            "English and French",
            "--lang",
        ],
    ),
    (
        "huge.txt",
        &[
            "too large for one article",
            "5.2 MB",
            "2.0 MB limit",
            "--max-article-bytes",
        ],
    ),
    (
        "loop-a.txt",
        &["symlink loop", "loop-a.txt → loop-b.txt → loop-a.txt"],
    ),
    (
        "loop-b.txt",
        &["symlink loop", "loop-b.txt → loop-a.txt → loop-b.txt"],
    ),
    (
        "manifest.jsonl#2",
        &["malformed manifest line", "EOF while parsing"],
    ),
    (
        "manifest.jsonl#3",
        &["must name a file inside the folder", "../outside.txt"],
    ),
    ("pipe.txt", &["named pipe (FIFO)", "not opened"]),
    ("self.txt", &["symlink loop", "self.txt → self.txt"]),
    (
        "whitespace.txt",
        &["empty file: whitespace only (14 bytes, no text)"],
    ),
];

const EXPECTED_ARTICLES: &[&str] = &["a-good-en.txt", "a-good-fr.txt", "legacy-latin1.txt"];

/// Builds the broken folder in `dir`.
fn make_folder(dir: &Path) {
    let w = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
    w("a-good-en.txt", GOOD_EN.as_bytes());
    w("a-good-fr.txt", GOOD_FR.as_bytes());
    w("dup-exact.txt", GOOD_EN.as_bytes());
    let near = GOOD_EN.replacen(
        "Riverside opens its new water treatment plant",
        "New water plant opens in Riverside",
        1,
    ) + "\nA ribbon was cut by the oldest resident of the town.\n";
    w("dup-near.txt", near.as_bytes());
    let (latin1, _, unmappable) = encoding_rs::WINDOWS_1252.encode(LEGACY_FR);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&latin1).is_err(),
        "the fixture must be invalid UTF-8"
    );
    w("legacy-latin1.txt", &latin1);
    w("german.txt", GERMAN.as_bytes());
    w("empty.txt", b"");
    w("whitespace.txt", b"   \n\t\n\n  \r\n   ");
    let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec();
    png.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    w("binary.txt", &png);
    // 5.2 MB of real sentences: not one article, whatever it is.
    let sentence = "The committee met again on Monday and adjourned without a vote on the budget. ";
    w(
        "huge.txt",
        sentence.repeat(5_242_880 / sentence.len() + 1).as_bytes(),
    );
    w("boilerplate.txt", BOILERPLATE.as_bytes());
    w(
        "bad-frontmatter.md",
        b"---\ntitle: A story whose front matter never ends\nlang: en\n\nThe council met on Monday and voted.\n",
    );
    w(
        "bad-toml.txt",
        b"+++\ntitle = \"Rates\"\npublished = = 2025-01-01\n+++\n\nThe central bank kept its rates unchanged.\n",
    );
    w(
        "broken.html",
        b"<!doctype html><html><head><meta charset=\"utf-8\"><title>Truncated page</ti",
    );
    // Unclosed tags nest without end: parsing this naively costs minutes and overflows the stack.
    let deep = format!(
        "<html><body>{}<p>{GOOD_EN}</p>",
        "<div><span>".repeat(10_000)
    );
    w("deep.html", deep.as_bytes());
    w(
        "manifest.jsonl",
        b"{\"file\": \"a-good-en.txt\", \"source\": \"Riverside Courier\"}\n{\"file\": \"a-good-fr.txt\", \"title\": \"Never closed\n{\"file\": \"../outside.txt\"}\n",
    );
    std::fs::create_dir(dir.join("folder.txt")).unwrap();
    let link =
        |target: &str, name: &str| std::os::unix::fs::symlink(target, dir.join(name)).unwrap();
    link("missing-target.txt", "dangling.txt");
    link("loop-b.txt", "loop-a.txt");
    link("loop-a.txt", "loop-b.txt");
    link("self.txt", "self.txt");
    let fifo = Command::new("mkfifo")
        .arg(dir.join("pipe.txt"))
        .status()
        .unwrap();
    assert!(fifo.success(), "mkfifo failed");
}

fn name_of(path: &Path, dir: &Path) -> String {
    path.strip_prefix(dir).unwrap_or(path).display().to_string()
}

fn check_failures(failures: &[IngestFailure], dir: &Path) {
    let got: Vec<(String, &str)> = failures
        .iter()
        .map(|f| (name_of(&f.path, dir), f.reason.as_str()))
        .collect();
    let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
    let expected: Vec<&str> = EXPECTED_FAILURES.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names, expected,
        "one failure per bad entry, sorted by path: {got:#?}"
    );
    for ((name, reason), (_, words)) in got.iter().zip(EXPECTED_FAILURES) {
        assert!(
            !reason.contains('\n'),
            "{name}: reason must be one line: {reason:?}"
        );
        assert!(reason.len() <= 400, "{name}: reason too long: {reason}");
        for w in *words {
            assert!(reason.contains(w), "{name}: reason {reason:?} lacks {w:?}");
        }
    }
}

#[test]
fn every_bad_file_is_one_failure_with_its_reason_and_the_rest_is_ingested() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    make_folder(dir);

    let started = Instant::now();
    let got = ingest::read_dir(dir, None).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "ingestion took {:?}",
        started.elapsed()
    );
    check_failures(&got.failures, dir);

    let names: Vec<String> = got.articles.iter().map(|a| name_of(&a.path, dir)).collect();
    assert_eq!(names, EXPECTED_ARTICLES);
    let en = &got.articles[0];
    assert_eq!(en.title, "Riverside opens its new water treatment plant");
    assert_eq!(en.lang, Lang::En);
    assert_eq!(
        en.source_name.as_deref(),
        Some("Riverside Courier"),
        "manifest line 1 still applies"
    );
    assert_eq!(en.paragraphs.len(), 4);
    let fr = &got.articles[1];
    assert_eq!(fr.lang, Lang::Fr);
    assert_eq!(fr.title, "Les boulangers du village créent une coopérative");

    // Legacy encoding: decoded, accents intact, not a failure.
    let legacy = &got.articles[2];
    assert_eq!(legacy.provenance.encoding, "windows-1252");
    assert_eq!(legacy.lang, Lang::Fr);
    assert_eq!(legacy.title, "La médiathèque rouvre après les inondations");
    assert!(
        legacy.body().contains("Les bénévoles ont séché à la main"),
        "{}",
        legacy.body()
    );
}

#[test]
fn options_raise_the_size_limit_and_turn_near_duplicates_off() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    make_folder(dir);
    let opts = IngestOptions {
        max_article_bytes: 6_000_000,
        near_duplicate_threshold: 1.01,
        ..IngestOptions::default()
    };
    let got = ingest::read_dir_with(dir, &opts).unwrap();
    let failed: Vec<String> = got.failures.iter().map(|f| name_of(&f.path, dir)).collect();
    assert!(!failed.contains(&"dup-near.txt".to_string()), "{failed:?}");
    assert!(
        failed.contains(&"dup-exact.txt".to_string()),
        "exact duplicates are always skipped"
    );
    // The 5 MB file is now read: it is one long paragraph of a repeated sentence, ingested as English.
    assert!(!failed.contains(&"huge.txt".to_string()), "{failed:?}");
    let huge = got
        .articles
        .iter()
        .find(|a| a.path.ends_with("huge.txt"))
        .expect("huge.txt read under a 6 MB limit");
    assert_eq!(huge.lang, Lang::En);
    assert!(got
        .articles
        .iter()
        .any(|a| a.path.ends_with("dup-near.txt")));
}

#[test]
fn one_file_from_bytes_gives_the_same_reasons() {
    let opts = IngestOptions::default();
    let err =
        |name: &str, bytes: &[u8]| ingest::ingest_bytes(Path::new(name), bytes, &opts).unwrap_err();
    assert_eq!(err("a.txt", b""), "empty file (0 bytes)");
    assert_eq!(
        err("a.txt", b"\xef\xbb\xbf"),
        "empty file (only a byte-order mark)"
    );
    assert_eq!(
        err("a.txt", b" \n \n"),
        "empty file: whitespace only (4 bytes, no text)"
    );
    assert_eq!(
        err("a.pdf.txt", b"%PDF-1.7\n..."),
        "binary file, not text (it looks like a PDF document)"
    );
    assert_eq!(
        err("a.txt", b"Only a title line\n"),
        "no body: only a title (`Only a title line`)"
    );
    let small = IngestOptions {
        max_article_bytes: 10,
        ..IngestOptions::default()
    };
    let too_large =
        ingest::ingest_bytes(Path::new("a.txt"), GOOD_EN.as_bytes(), &small).unwrap_err();
    assert_eq!(GOOD_EN.len(), 749);
    assert_eq!(
        too_large,
        "too large for one article: 749 bytes is over the 10 bytes limit (max_article_bytes); raise it \
         with --max-article-bytes if this really is one article"
    );
    let a = ingest::ingest_bytes(Path::new("a.txt"), GOOD_EN.as_bytes(), &opts).unwrap();
    assert_eq!(a.title, "Riverside opens its new water treatment plant");
}

fn run_brief(input: &Path, out: &Path, models: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tandem"))
        .arg("brief")
        .arg(input)
        .arg("--out")
        .arg(out)
        .arg("--models-dir")
        .arg(models)
        .args([
            "--date",
            "2025-11-10",
            "--include-undated",
            "--no-cache",
            "--quiet",
        ])
        .env_remove("TANDEM_MODELS")
        .output()
        .unwrap()
}

#[test]
fn brief_completes_lists_each_skipped_file_and_exits_3() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("articles");
    std::fs::create_dir(&dir).unwrap();
    make_folder(&dir);
    let models = tmp.path().join("no-models");
    std::fs::create_dir(&models).unwrap();
    let out = tmp.path().join("out");

    let run = run_brief(&dir, &out, &models);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(3), "stderr: {stderr}");
    assert!(
        stderr.contains(&format!(
            "some articles failed: {} file(s) could not be used",
            EXPECTED_FAILURES.len()
        )),
        "{stderr}"
    );

    let brief: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("brief.json")).unwrap()).unwrap();
    common::assert_valid_brief(&brief);
    let items = brief["items"].as_array().unwrap();
    assert_eq!(items.len(), EXPECTED_ARTICLES.len());
    let skipped: Vec<IngestFailure> = serde_json::from_value(brief["skipped"].clone()).unwrap();
    check_failures(&skipped, &dir);
    for f in &skipped {
        let line = format!("  skipped   {}: {}", f.path.display(), f.reason);
        assert!(stderr.contains(&line), "stderr lacks {line:?}:\n{stderr}");
    }
    let markdown = std::fs::read_to_string(out.join("brief.en.md")).unwrap();
    for (name, _) in EXPECTED_FAILURES {
        assert!(markdown.contains(name), "brief.en.md does not list {name}");
    }
    let french = std::fs::read_to_string(out.join("brief.fr.md")).unwrap();
    assert!(french.contains("Fichiers ignorés"), "{french}");
}
