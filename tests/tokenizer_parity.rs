//! tandem's tokenizer (`tandem::models::tokenizer`) against transformers 4.46.3 on our own corpus of French and
//! English news sentences (tests/fixtures/tokenizers/corpus.txt), which carries what scraped news carries: no-break
//! and thin spaces, tabs, runs of spaces, curly quotes and guillemets, ligatures, full-width characters, emoji,
//! decomposed accents, URLs, e-mail addresses, dashes, currencies, ordinals, acronyms.
//!
//! tests/fixtures/parity/tokenizers.json (scripts/make-tokenizer-parity.py) holds, for every line and each role,
//! transformers' `tokenizer(text)["input_ids"]` and `decode(ids, skip_special_tokens=True)`, computed from the
//! tokenizer files committed under tests/fixtures/models (the real published ones for opus-mt-fr-en, opus-mt-en-fr
//! and distilbart-cnn-12-6). Every line must give the same ids and the same text (tandem trims decoded text,
//! so the reference is trimmed too), through every way tandem loads a tokenizer: converted in memory, from the
//! files `tandem models import` writes, BART from tokenizer.json and from vocab.json + merges.txt.
mod common;

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use tandem::models::manifest::Architecture;
use tandem::models::tokenizer::{Tokenizer, BART_FILE, MARIAN_SOURCE_FILE};

fn corpus_bytes() -> Vec<u8> {
    std::fs::read(common::fixtures().join("tokenizers/corpus.txt")).unwrap()
}

/// (language, text) of every corpus line; the text is everything after the first tab, kept exactly.
fn corpus() -> Vec<(String, String)> {
    let text = String::from_utf8(corpus_bytes()).unwrap();
    assert!(text.ends_with('\n'));
    text[..text.len() - 1]
        .split('\n')
        .map(|line| {
            let (lang, text) = line.split_once('\t').expect("`lang<TAB>text`");
            assert!(lang == "fr" || lang == "en", "{line:?}");
            (lang.to_string(), text.to_string())
        })
        .collect()
}

fn reference() -> Value {
    let path = common::fixtures().join("parity/tokenizers.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn models() -> PathBuf {
    common::fixtures().join("models")
}

/// Whether a line has a feature.
type Has = Box<dyn Fn(&str) -> bool>;

/// Lines of the corpus whose text satisfies `has`.
fn count(lines: &[(String, String)], has: impl Fn(&str) -> bool) -> usize {
    lines.iter().filter(|(_, t)| has(t)).count()
}

#[test]
fn the_corpus_carries_what_scraped_news_carries() {
    let lines = corpus();
    let fr = lines.iter().filter(|(l, _)| l == "fr").count();
    let en = lines.len() - fr;
    assert!(
        lines.len() >= 300 && fr >= 150 && en >= 150,
        "{fr} French and {en} English lines"
    );
    let any = |chars: &'static [char]| move |t: &str| t.contains(chars);
    let features: Vec<(&str, usize, Has)> = vec![
        ("U+00A0 no-break space", 60, Box::new(any(&['\u{a0}']))),
        (
            "U+202F narrow no-break space",
            5,
            Box::new(any(&['\u{202f}'])),
        ),
        ("U+2009 thin space", 15, Box::new(any(&['\u{2009}']))),
        ("« » guillemets", 15, Box::new(any(&['«', '»']))),
        (
            "« or » with a no-break space beside",
            10,
            Box::new(|t: &str| {
                ["«\u{a0}", "\u{a0}»", "«\u{202f}", "\u{202f}»"]
                    .iter()
                    .any(|p| t.contains(p))
            }),
        ),
        ("curly double quotes", 15, Box::new(any(&['“', '”']))),
        ("curly single quotes", 4, Box::new(any(&['‘']))),
        ("straight double quotes", 4, Box::new(any(&['"']))),
        ("straight apostrophe", 5, Box::new(any(&['\'']))),
        ("typographic apostrophe ’", 80, Box::new(any(&['’']))),
        ("œ ligature", 4, Box::new(any(&['œ']))),
        ("ﬁ ligature", 5, Box::new(any(&['\u{fb01}']))),
        ("ﬂ ligature", 3, Box::new(any(&['\u{fb02}']))),
        (
            "full-width forms",
            4,
            Box::new(|t: &str| t.chars().any(|c| ('\u{ff01}'..='\u{ff5e}').contains(&c))),
        ),
        (
            "emoji",
            12,
            Box::new(|t: &str| {
                t.chars().any(|c| {
                    ('\u{1f300}'..='\u{1faff}').contains(&c)
                        || ('\u{2600}'..='\u{27bf}').contains(&c)
                })
            }),
        ),
        ("tab", 6, Box::new(any(&['\t']))),
        ("double space", 6, Box::new(|t: &str| t.contains("  "))),
        (
            "leading whitespace",
            5,
            Box::new(|t: &str| t.starts_with([' ', '\t'])),
        ),
        (
            "trailing whitespace",
            4,
            Box::new(|t: &str| t.ends_with(' ')),
        ),
        (
            "URL",
            8,
            Box::new(|t: &str| {
                t.contains("http://") || t.contains("https://") || t.contains("www.")
            }),
        ),
        (
            "e-mail address",
            3,
            Box::new(|t: &str| {
                t.split_whitespace().any(|w| {
                    w.contains('@') && w.split('@').nth(1).is_some_and(|d| d.contains('.'))
                })
            }),
        ),
        ("hyphen U+2010", 3, Box::new(any(&['\u{2010}']))),
        (
            "non-breaking hyphen U+2011",
            2,
            Box::new(any(&['\u{2011}'])),
        ),
        ("en dash –", 6, Box::new(any(&['–']))),
        ("em dash —", 6, Box::new(any(&['—']))),
        ("minus sign −", 4, Box::new(any(&['−']))),
        (
            "decomposed accents (NFD)",
            8,
            Box::new(|t: &str| t.chars().any(|c| ('\u{300}'..='\u{36f}').contains(&c))),
        ),
        ("ellipsis …", 6, Box::new(any(&['…']))),
        ("currency € $ £ ¥", 30, Box::new(any(&['€', '$', '£', '¥']))),
        ("percent", 30, Box::new(any(&['%']))),
        (
            "French ordinals (1er, 2e…)",
            8,
            Box::new(|t: &str| {
                ["1er", "2e ", "3e ", "5e ", "XXIe", "2nd"]
                    .iter()
                    .any(|o| t.contains(o))
            }),
        ),
        (
            "English ordinals (1st, 2nd…)",
            6,
            Box::new(|t: &str| {
                ["1st", "2nd", "3rd", "4th", "21st", "22nd", "100th"]
                    .iter()
                    .any(|o| t.contains(o))
            }),
        ),
        (
            "acronyms BCE, ECB, JNIM",
            8,
            Box::new(|t: &str| ["BCE", "ECB", "JNIM"].iter().any(|a| t.contains(a))),
        ),
        (
            "special-token text (<mask>, </s>, <unk>, <s>)",
            3,
            Box::new(|t: &str| {
                ["<mask>", "</s>", "<unk>", "<s>"]
                    .iter()
                    .any(|s| t.contains(s))
            }),
        ),
        (
            "Marian language-code pattern >> … <<",
            4,
            Box::new(|t: &str| t.contains(">>") && t.contains("<<")),
        ),
    ];
    let mut short = Vec::new();
    for (name, least, has) in &features {
        let n = count(&lines, has);
        eprintln!("{n:4} lines with {name}");
        if n < *least {
            short.push(format!("{name}: {n} lines, fewer than {least}"));
        }
    }
    assert!(
        short.is_empty(),
        "the corpus lost some of its features:\n{}",
        short.join("\n")
    );
}

#[test]
fn the_reference_was_made_from_this_corpus_by_transformers_4_46() {
    let doc = reference();
    assert_eq!(doc["transformers"], "4.46.3");
    assert_eq!(doc["lines"].as_u64(), Some(corpus().len() as u64));
    let sha: String = Sha256::digest(corpus_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        doc["corpus_sha256"].as_str(),
        Some(sha.as_str()),
        "corpus.txt changed: re-run scripts/make-tokenizer-parity.py"
    );
    for (name, role) in doc["roles"].as_object().unwrap() {
        assert_eq!(
            role["ids"].as_array().unwrap().len(),
            corpus().len(),
            "{name}"
        );
        assert_eq!(
            role["decoded"].as_array().unwrap().len(),
            corpus().len(),
            "{name}"
        );
    }
}

/// Compares `tokenizer` with transformers' role `name` on every line; panics with the first mismatches, shown
/// as text, expected and actual ids.
fn check(name: &str, how: &str, tokenizer: &Tokenizer) {
    let doc = reference();
    let role = &doc["roles"][name];
    let expected_ids: Vec<Vec<i64>> = serde_json::from_value(role["ids"].clone()).unwrap();
    let expected_text: Vec<String> = serde_json::from_value(role["decoded"].clone()).unwrap();
    let lines = corpus();
    let (mut id_diffs, mut text_diffs, mut trimmed) = (Vec::new(), Vec::new(), 0);
    for (i, (_, text)) in lines.iter().enumerate() {
        let encoding = tokenizer.encode(text);
        assert_eq!(encoding.ids.len(), encoding.offsets.len());
        for &(start, end) in &encoding.offsets {
            assert!(
                start <= end
                    && end <= text.len()
                    && text.is_char_boundary(start)
                    && text.is_char_boundary(end),
                "{name} line {}: offset ({start}, {end}) outside {text:?}",
                i + 1
            );
        }
        if encoding.ids != expected_ids[i] {
            id_diffs.push(format!(
                "line {} {text:?}\n    transformers {:?}\n    tandem       {:?}",
                i + 1,
                expected_ids[i],
                encoding.ids
            ));
        }
        assert_eq!(tokenizer.count_tokens(text), encoding.ids.len());
        let decoded = tokenizer.decode(&expected_ids[i]);
        let reference = expected_text[i].trim();
        trimmed += usize::from(reference != expected_text[i]);
        if decoded != reference {
            text_diffs.push(format!(
                "line {} {text:?}\n    transformers {reference:?}\n    tandem       {decoded:?}",
                i + 1
            ));
        }
    }
    let n = lines.len();
    eprintln!(
        "{name} ({how}): ids identical on {} of {n} lines, decoded text on {} of {n} ({trimmed} references trimmed)",
        n - id_diffs.len(),
        n - text_diffs.len()
    );
    let show = |d: &[String]| d.iter().take(5).cloned().collect::<Vec<_>>().join("\n");
    assert!(
        id_diffs.is_empty(),
        "{name} ({how}): {} of {n} lines get other ids than transformers; the first:\n{}",
        id_diffs.len(),
        show(&id_diffs)
    );
    assert!(
        text_diffs.is_empty(),
        "{name} ({how}): {} of {n} lines decode otherwise than transformers; the first:\n{}",
        text_diffs.len(),
        show(&text_diffs)
    );
}

fn load(dir: &Path, architecture: Architecture) -> Tokenizer {
    Tokenizer::load(dir, architecture).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

/// A copy of the fixture folder's tokenizer files only, without `left_out`.
fn tokenizer_files_only(fixture: &str, left_out: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(models().join(fixture)).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if name != left_out && name != "model.safetensors" {
            std::fs::copy(&path, dir.path().join(name)).unwrap();
        }
    }
    dir
}

/// An imported copy of a fixture model (what `tandem models import` installs).
fn imported(fixture: &str, architecture: Architecture) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("model");
    tandem::models::import::import_hf(&models().join(fixture), architecture, &out, None).unwrap();
    (tmp, out)
}

fn marian_role(name: &str, fixture: &str) {
    // A folder without source.tokenizer.json (installed before it existed): source.spm converted in memory.
    assert!(!models().join(fixture).join(MARIAN_SOURCE_FILE).exists());
    check(
        name,
        "source.spm converted in memory",
        &load(&models().join(fixture), Architecture::Marian),
    );
    // What `tandem models import` installs: the converted tokenizer stored as source.tokenizer.json.
    let (_tmp, dir) = imported(fixture, Architecture::Marian);
    let stored = dir.join(MARIAN_SOURCE_FILE);
    assert!(stored.is_file(), "import wrote no {MARIAN_SOURCE_FILE}");
    check(
        name,
        "source.tokenizer.json written by import",
        &load(&dir, Architecture::Marian),
    );
    // The stored file is what is loaded: a broken one is an error naming it, not a silent fallback.
    std::fs::write(&stored, "{ not json").unwrap();
    let e = Tokenizer::load(&dir, Architecture::Marian).err().unwrap();
    assert!(
        e.contains(MARIAN_SOURCE_FILE) && e.contains("re-install"),
        "{e}"
    );
}

#[test]
fn opus_mt_fr_en_gives_transformers_ids_and_text() {
    marian_role("opus-mt-fr-en", "stop-marian-fr-en");
}

#[test]
fn opus_mt_en_fr_gives_transformers_ids_and_text() {
    marian_role("opus-mt-en-fr", "stop-marian-en-fr");
}

#[test]
fn tiny_marian_gives_transformers_ids_and_text() {
    marian_role("tiny-marian-fr-en", "marian-fr-en");
}

#[test]
fn distilbart_from_its_tokenizer_json_gives_transformers_ids_and_text() {
    assert!(models().join("stop-bart-cnn").join(BART_FILE).is_file());
    check(
        "distilbart-cnn-12-6",
        "tokenizer.json",
        &load(&models().join("stop-bart-cnn"), Architecture::Bart),
    );
    // import copies the checkpoint's tokenizer.json as it is.
    let (_tmp, dir) = imported("stop-bart-cnn", Architecture::Bart);
    assert_eq!(
        std::fs::read(dir.join(BART_FILE)).unwrap(),
        std::fs::read(models().join("stop-bart-cnn").join(BART_FILE)).unwrap()
    );
}

#[test]
fn distilbart_from_vocab_and_merges_gives_transformers_ids_and_text() {
    let name = "distilbart-cnn-12-6 (vocab.json + merges.txt)";
    let dir = tokenizer_files_only("stop-bart-cnn", BART_FILE);
    check(
        name,
        "built from vocab.json + merges.txt in memory",
        &load(dir.path(), Architecture::Bart),
    );
    // The same files, the BART tokenizer.json built by the import's converter, loaded as a stored file.
    let files = tandem::models::tokenizer::converted_files(dir.path(), Architecture::Bart).unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].0, BART_FILE);
    std::fs::write(dir.path().join(BART_FILE), &files[0].1).unwrap();
    check(
        name,
        "tokenizer.json built from vocab.json + merges.txt",
        &load(dir.path(), Architecture::Bart),
    );
}

#[test]
fn tiny_bart_gives_transformers_ids_and_text() {
    let fixture = "bart-cnn";
    assert!(!models().join(fixture).join(BART_FILE).exists());
    check(
        "tiny-bart-cnn",
        "built in memory",
        &load(&models().join(fixture), Architecture::Bart),
    );
    let (_tmp, dir) = imported(fixture, Architecture::Bart);
    assert!(
        dir.join(BART_FILE).is_file(),
        "import wrote no {BART_FILE} for a checkpoint without one"
    );
    check(
        "tiny-bart-cnn",
        "tokenizer.json written by import",
        &load(&dir, Architecture::Bart),
    );
}

/// Offsets are byte spans of the original text, through the normalization (no-break spaces, ligatures,
/// decomposed accents): the spans below are the ones Python's tokenizers 0.20.3 gives for the same tokenizers
/// (transformers' `offset_mapping` for BART), as text. The crate aligns a composed character with its base letter,
/// so a combining accent that ends a token is outside its span; byte-level BPE gives each byte of a character
/// the character's span, and trims the space off a word's span.
#[test]
fn offsets_are_byte_spans_of_the_original_text() {
    let text = "«\u{a0}Le ﬁlm\u{a0}» a e\u{301}te\u{301} vu.";
    let spans = |e: &tandem::models::tokenizer::Encoding| -> Vec<String> {
        e.offsets
            .iter()
            .map(|&(s, t)| text[s..t].to_string())
            .collect()
    };
    let marian = load(&models().join("stop-marian-fr-en"), Architecture::Marian).encode(text);
    assert_eq!(marian.ids, [153, 60, 2179, 416, 15, 90, 1354, 3, 0]);
    assert_eq!(
        spans(&marian),
        [
            "«",
            "\u{a0}Le",
            " ﬁlm",
            "\u{a0}»",
            " a",
            " e\u{301}te",
            " vu",
            ".",
            ""
        ]
    );
    assert_eq!(marian.offsets.last(), Some(&(0, 0)), "</s> spans nothing");
    let bart = load(&models().join("stop-bart-cnn"), Architecture::Bart).encode(text);
    let acute = "\u{301}";
    assert_eq!(
        spans(&bart),
        [
            "", "«", "\u{a0}", "Le", "ﬁ", "ﬁ", "ﬁ", "l", "m", "\u{a0}", "»", "a", "e", acute,
            acute, "te", acute, acute, "v", "u", ".", ""
        ]
    );
    assert_eq!(
        (bart.offsets[0], bart.offsets[21]),
        ((0, 0), (0, 0)),
        "<s> and </s> span nothing"
    );
}
