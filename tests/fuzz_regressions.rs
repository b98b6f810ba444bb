//! Replays every input the fuzz targets found a problem with (`tests/fixtures/fuzz/<target>/`), and their seed
//! corpora (`fuzz/seeds/<target>/`), through the same checks the targets run (`fuzz/checks.rs`): no panic, the
//! target's property holds, and no input takes long (a timeout found by fuzzing is a bug too).
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[path = "../fuzz/checks.rs"]
mod checks;

/// Generous for a debug build; the inputs are at most 64 KB.
const PER_INPUT: Duration = Duration::from_secs(10);

fn inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [
        root.join("tests/fixtures/fuzz").join(target),
        root.join("fuzz/seeds").join(target),
    ] {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            files.extend(entries.filter_map(|e| e.ok().map(|e| e.path())));
        }
    }
    files.sort();
    assert!(!files.is_empty(), "no inputs for fuzz target {target}");
    files
}

fn replay(target: &str, check: fn(&[u8])) {
    let mut failed = Vec::new();
    for path in inputs(target) {
        let data = std::fs::read(&path).unwrap();
        let started = Instant::now();
        if std::panic::catch_unwind(|| check(&data)).is_err() {
            failed.push(format!("{}: panicked (see above)", path.display()));
        }
        let took = started.elapsed();
        if took > PER_INPUT {
            failed.push(format!("{}: took {took:?}", path.display()));
        }
    }
    assert!(failed.is_empty(), "{target}:\n{}", failed.join("\n"));
}

#[test]
fn ingest_file_inputs() {
    replay("ingest_file", checks::ingest_file);
}

#[test]
fn clean_inputs() {
    replay("clean", checks::clean);
}

#[test]
fn segment_inputs() {
    replay("segment", checks::segment);
}

#[test]
fn manifest_inputs() {
    replay("manifest", checks::manifest);
}

#[test]
fn the_deep_nesting_input_is_refused_quickly_with_its_reason() {
    let data = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/fuzz/ingest_file/deep-nesting-12000-divs"),
    )
    .unwrap();
    let started = Instant::now();
    let err = tandem::ingest::ingest_bytes(
        Path::new("page.html"),
        &data[1..],
        &tandem::ingest::IngestOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        err,
        "malformed HTML: elements nested 12000 levels deep (tandem reads up to 400; unclosed tags?)"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}
