//! The engines in the regime real checkpoints are in: tiny models *trained* to stop at EOS
//! (tests/fixtures/models/stop-*, made by scripts/make-stopping-models.py) with the real tokenizer files, configs
//! and generation configs of opus-mt-fr-en, opus-mt-en-fr and distilbart-cnn-12-6. Rows of one batch end at
//! different steps, so finished sentences leave the batch mid-search, `min_length` binds, early stopping and
//! the length penalty decide between finished hypotheses, and the opus-mt `renormalize_logits` matters.
//!
//! Every case must give transformers 4.46's ids (tests/fixtures/parity/stop-*.json) with tandem's float engine,
//! in the padded batch and for each input alone; rust-bert is compared too. Each fixture is first checked not to
//! have degenerated: at least half of every case's rows end at EOS before `max_length`, at varied lengths.
mod common;

use common::parity::{Case, Parity};
use tandem::engine::{Model, Precision};
use tandem::models::manifest::{Architecture, Role};
use tandem::models::seq2seq::Seq2Seq;
use tandem::models::Engine;

const FIXTURES: [(Role, Architecture, &str); 3] = [
    (
        Role::TranslateFrEn,
        Architecture::Marian,
        "stop-marian-fr-en.json",
    ),
    (
        Role::TranslateEnFr,
        Architecture::Marian,
        "stop-marian-en-fr.json",
    ),
    (Role::SummarizeEn, Architecture::Bart, "stop-bart-cnn.json"),
];

fn eos_of(architecture: Architecture) -> i64 {
    match architecture {
        Architecture::Marian => 0,
        Architecture::Bart => 2,
    }
}

fn imported(role: Role) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    common::import_stopping_roles(dir.path(), &[role]);
    let path = common::role_path(dir.path(), role);
    (dir, path)
}

/// Rows that stopped by themselves: ending at EOS, shorter than `max_length`.
fn stopped(case: &Case, eos: i64) -> usize {
    case.output_ids
        .iter()
        .filter(|r| r.last() == Some(&eos) && (r.len() as i64) < case.settings.max_length)
        .count()
}

#[test]
fn fixtures_stop_naturally_at_varied_lengths() {
    for (_, architecture, fixture) in FIXTURES {
        let parity = common::parity::load(fixture);
        assert!(parity.inputs.len() >= 8, "{fixture}: batches of 8 or more");
        assert!(parity.cases.len() >= 5, "{fixture}: every decoding case");
        for case in &parity.cases {
            let rows = case.output_ids.len();
            assert_eq!(rows, parity.inputs.len());
            let natural = stopped(case, eos_of(architecture));
            assert!(
                2 * natural >= rows,
                "{fixture} / {}: only {natural} of {rows} rows stop before max_length",
                case.name
            );
            let mut lengths: Vec<usize> = case.output_ids.iter().map(Vec::len).collect();
            lengths.sort_unstable();
            lengths.dedup();
            assert!(
                lengths.len() >= 3,
                "{fixture} / {}: rows end at only {lengths:?} tokens",
                case.name
            );
        }
    }
}

/// Every fixture has a case where `min_length` binds (rows that stop later than their natural length).
#[test]
fn min_length_binds_in_the_fixtures() {
    for (_, _, fixture) in FIXTURES {
        let parity = common::parity::load(fixture);
        let free = parity
            .cases
            .iter()
            .find(|c| c.name == "greedy")
            .expect("a greedy case");
        let bound = parity
            .cases
            .iter()
            .find(|c| c.name == "greedy_min_length")
            .expect("a greedy_min_length case");
        let min = bound.settings.min_length as usize;
        let lengthened = free
            .output_ids
            .iter()
            .zip(&bound.output_ids)
            .filter(|(f, b)| f.len() < min && b.len() >= min && f != b)
            .count();
        assert!(
            lengthened >= 3,
            "{fixture}: min_length {min} lengthens only {lengthened} rows"
        );
    }
}

fn float_engine_case(role: Role, architecture: Architecture, fixture: &str) {
    let parity: Parity = common::parity::load(fixture);
    let (_dir, path) = imported(role);
    let engine = Model::load(&path, tch::Device::Cpu, Precision::Float).unwrap();
    for case in &parity.cases {
        let settings = case.settings.to_generation();
        let got = tandem::engine::generate(&engine, &parity.input_ids, &settings).unwrap();
        for (i, (g, e)) in got.iter().zip(&case.output_ids).enumerate() {
            assert_eq!(
                g, e,
                "{fixture} / {}: row {i} ({:?}) differs from transformers",
                case.name, parity.inputs[i]
            );
        }
        for (i, (input, expected)) in parity.input_ids.iter().zip(&case.output_ids).enumerate() {
            let alone =
                tandem::engine::generate(&engine, std::slice::from_ref(input), &settings).unwrap();
            assert_eq!(
                &alone[0], expected,
                "{fixture} / {}: input {i} alone differs from its batch row",
                case.name
            );
        }
    }
    // Through Seq2Seq's tokenizer: the real tokenizer files give transformers' input ids (`tok(text)`; what the
    // pipeline adds on top, distilbart's input prefix, is checked against transformers' pipeline in
    // tests/tokenizer_parity.rs).
    let model =
        Seq2Seq::load_with_engine(role, architecture, &path, tch::Device::Cpu, Engine::Tandem)
            .unwrap();
    let ids: Vec<Vec<i64>> = parity
        .inputs
        .iter()
        .map(|t| model.inputs().tokenizer().encode(t).ids)
        .collect();
    assert_eq!(ids, parity.input_ids, "{fixture}: input ids");
}

/// `Seq2Seq::generate_batches` (the pipeline's batch loop) in small length-sorted batches, with one worker and
/// with three worker threads sharing the model: every case's outputs in input order are transformers' ids, for
/// f32 and fp16 weights (whose sentences are float's).
#[test]
fn worker_threads_give_the_batches_outputs_in_input_order() {
    let (role, architecture, fixture) = FIXTURES[0];
    let parity: Parity = common::parity::load(fixture);
    let (_dir, path) = imported(role);
    let inputs: Vec<&[i64]> = parity.input_ids.iter().map(Vec::as_slice).collect();
    for engine in [Engine::Tandem, Engine::TandemFp16] {
        let mut model =
            Seq2Seq::load_with_engine(role, architecture, &path, tch::Device::Cpu, engine).unwrap();
        model.batch_size = 3;
        let lengths: Vec<usize> = inputs.iter().map(|i| i.len()).collect();
        let batches = tandem::models::seq2seq::batches(&lengths, 3, model.token_budget);
        assert!(batches.len() > 3, "{} batches", batches.len());
        for workers in [1, 3] {
            model.workers = workers;
            for case in &parity.cases {
                let got = model
                    .generate_batches(&inputs, &case.settings.to_generation(), None)
                    .unwrap();
                assert_eq!(
                    got, case.output_ids,
                    "{fixture} / {}: {engine:?} with {workers} workers",
                    case.name
                );
            }
        }
    }
}

#[test]
fn float_engine_matches_transformers_marian_fr_en() {
    let (role, architecture, fixture) = FIXTURES[0];
    float_engine_case(role, architecture, fixture);
}

#[test]
fn float_engine_matches_transformers_marian_en_fr() {
    let (role, architecture, fixture) = FIXTURES[1];
    float_engine_case(role, architecture, fixture);
}

#[test]
fn float_engine_matches_transformers_bart() {
    let (role, architecture, fixture) = FIXTURES[2];
    float_engine_case(role, architecture, fixture);
}

/// Rows `precision` generates exactly as float (= transformers) does, over every case of `fixture`: (same,
/// total).
fn agreement(role: Role, fixture: &str, precision: Precision) -> (usize, usize) {
    let parity = common::parity::load(fixture);
    let (_dir, path) = imported(role);
    let model = Model::load(&path, tch::Device::Cpu, precision).unwrap();
    let (mut same, mut total) = (0, 0);
    for case in &parity.cases {
        let got =
            tandem::engine::generate(&model, &parity.input_ids, &case.settings.to_generation())
                .unwrap();
        let agree = got
            .iter()
            .zip(&case.output_ids)
            .filter(|(g, e)| g == e)
            .count();
        eprintln!(
            "{fixture} / {}: {precision:?} = float on {agree} of {} sentences",
            case.name,
            got.len()
        );
        same += agree;
        total += got.len();
    }
    (same, total)
}

/// int8 generates the very sentence float does for at least 80 % of each trained fixture's sentences, on this
/// CPU's int8 kernel (named in the log).
#[test]
fn int8_engine_agrees_with_float_on_most_sentences() {
    let path = tandem::engine::layers::int8_path().unwrap();
    for (role, _, fixture) in FIXTURES {
        let (same, total) = agreement(role, fixture, Precision::Int8);
        let share = same as f64 / total as f64;
        eprintln!(
            "int8 path: {}; {fixture}: {same} of {total} sentences ({share:.3}) identical to float",
            path.describe()
        );
        assert!(
            share >= 0.8,
            "{fixture}: int8 agrees with float on {same} of {total} sentences ({})",
            path.describe()
        );
    }
}

/// The int8 engine's decoder state holds half-precision cross-attention keys/values where the CPU has the kernel
/// (AVX2, FMA, F16C), also for a batch of ragged lengths (the trained BART fixture's inputs); the float and fp16
/// engines' never do.
#[test]
fn int8_decoder_reads_half_precision_cross_attention() {
    let (role, _, fixture) = FIXTURES[2];
    let parity = common::parity::load(fixture);
    let (_dir, path) = imported(role);
    let len = parity.input_ids.iter().map(Vec::len).max().unwrap();
    assert!(
        parity.input_ids.iter().any(|row| row.len() < len),
        "{fixture}: the inputs should have ragged lengths"
    );
    for precision in [Precision::Float, Precision::Fp16, Precision::Int8] {
        let model = Model::load(&path, tch::Device::Cpu, precision).unwrap();
        let pad = model.config.pad_id;
        let (mut ids, mut mask) = (Vec::new(), Vec::new());
        for row in &parity.input_ids {
            for j in 0..len {
                ids.push(row.get(j).copied().unwrap_or(pad));
                mask.push(j < row.len());
            }
        }
        let shape = [parity.input_ids.len() as i64, len as i64];
        let ids = tch::Tensor::from_slice(&ids).view(shape);
        let mask = tch::Tensor::from_slice(&mask).view(shape);
        let state = model.start(&ids, &mask, 2, 20);
        let expected = precision == Precision::Int8 && tandem::engine::attention::available();
        assert_eq!(state.half_cross_attention(), expected, "{precision:?}");
    }
}

/// Runs test `name` of this binary in a child process with fbgemm held to its AVX2 kernel
/// (`FBGEMM_ENABLE_INSTRUCTIONS=AVX2`); asserts that it passed and returns its output.
fn on_the_forced_avx2_kernel(name: &str) -> String {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture"])
        .env("FBGEMM_ENABLE_INSTRUCTIONS", "AVX2")
        .output()
        .unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{name} on the AVX2 kernel:\n{log}");
    log
}

/// The same bar on fbgemm's AVX2 kernel, forced with `FBGEMM_ENABLE_INSTRUCTIONS=AVX2` in a child run of this
/// test binary: on a VNNI machine that is the path AVX2 laptops take; on an AVX2 machine the same path again.
#[test]
fn int8_engine_agrees_with_float_on_the_forced_avx2_kernel() {
    if std::env::var_os("FBGEMM_ENABLE_INSTRUCTIONS").is_some() {
        return; // the child
    }
    let log = on_the_forced_avx2_kernel("int8_engine_agrees_with_float_on_most_sentences");
    assert!(
        log.contains("int16-saturating pairs: pair-limited 8-bit weights")
            && log.contains("1 passed"),
        "the child did not run on the AVX2 kernel:\n{log}"
    );
}

/// fp16 weights (f32 activations and sums): every sentence of every case of each trained fixture is the one
/// float makes, on the fp16 kernel this process runs (named in the log; measured on an AVX-512 VNNI machine:
/// 170 of 170, 180 of 180 and 90 of 90 sentences, on its AVX-512 kernel and on the forced AVX2 one). The int8
/// probe's verdict is logged too: it is fbgemm's own reading of the ISA it was allowed in this process.
#[test]
fn fp16_engine_gives_the_float_sentences() {
    let path = tandem::engine::layers::fp16_path();
    let int8 = tandem::engine::layers::int8_path().unwrap();
    eprintln!("fbgemm in this process: {}", int8.describe());
    for (role, _, fixture) in FIXTURES {
        let (same, total) = agreement(role, fixture, Precision::Fp16);
        eprintln!("fp16 path: {path}; {fixture}: {same} of {total} sentences identical to float");
        assert_eq!(same, total, "{fixture}: fp16 on {path}");
    }
}

/// The same on fbgemm's AVX2 kernel, forced in a child run of this test binary: the child's int8 probe finds
/// the saturating AVX2 kernel, so fbgemm did take the ISA it was given.
#[test]
fn fp16_engine_gives_the_float_sentences_on_the_forced_avx2_kernel() {
    if std::env::var_os("FBGEMM_ENABLE_INSTRUCTIONS").is_some() {
        return; // the child
    }
    let log = on_the_forced_avx2_kernel("fp16_engine_gives_the_float_sentences");
    eprintln!("{log}");
    assert!(
        log.contains("fbgemm fp16 weights, AVX2 kernel")
            && log.contains("int16-saturating pairs")
            && log.contains("1 passed"),
        "the child did not run on the AVX2 kernel:\n{log}"
    );
}

use common::tandem;

/// `tandem translate` with each engine on the trained fr→en model: every sentence is transformers' translation
/// under the model's own generation config (beam 4, renormalized logits), fp16 weights included; int8 on most
/// of them.
#[test]
fn tandem_translate_gives_transformers_sentences_with_every_engine() {
    let parity = common::parity::load("stop-marian-fr-en.json");
    let case = parity
        .cases
        .iter()
        .find(|c| c.name == "generation_config")
        .expect("a case with the folder's own generation settings");
    assert_eq!(case.output_text.len(), parity.inputs.len());
    let tmp = tempfile::tempdir().unwrap();
    let models = tmp.path().join("models");
    common::import_stopping_roles(&models, &[Role::TranslateFrEn]);
    let article = tmp.path().join("article.txt");
    // A title line, then one sentence per paragraph, so each is translated as transformers was given it.
    let body: Vec<&str> = parity.inputs[1..].iter().map(String::as_str).collect();
    std::fs::write(
        &article,
        format!("{}\n\n{}\n", parity.inputs[0], body.join("\n\n")),
    )
    .unwrap();
    for engine in ["tandem", "rust-bert", "tandem-int8", "tandem-fp16"] {
        let out = tmp.path().join(format!("out-{engine}"));
        let run = tandem(
            &[
                "translate",
                article.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--engine",
                engine,
                "--lang",
                "fr",
            ],
            &models,
        );
        assert!(
            run.status.success(),
            "{engine}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("article.en.json")).unwrap())
                .unwrap();
        let mut got = vec![json["title"]["en"].as_str().unwrap().to_string()];
        for p in json["paragraphs"].as_array().unwrap() {
            for s in p.as_array().unwrap() {
                got.push(s["en"].as_str().unwrap().to_string());
            }
        }
        assert_eq!(got.len(), case.output_text.len(), "{engine}");
        let same = got
            .iter()
            .zip(&case.output_text)
            .filter(|(g, e)| g == e)
            .count();
        eprintln!(
            "tandem translate --engine {engine}: {same} of {} sentences as transformers",
            got.len()
        );
        if engine == "tandem-int8" {
            assert!(5 * same >= 4 * got.len(), "int8: {same} of {}", got.len());
        } else {
            assert_eq!(got, case.output_text, "{engine}");
        }
    }
}

/// `tandem brief` with the default engine and all three trained models: the batch where rows stop at
/// different steps goes through every stage (this panicked before), and every article becomes an item.
#[test]
fn a_brief_with_models_that_stop_completes() {
    let tmp = tempfile::tempdir().unwrap();
    let models = tmp.path().join("models");
    common::import_stopping_roles(
        &models,
        &[Role::TranslateFrEn, Role::SummarizeEn, Role::TranslateEnFr],
    );
    let out = tmp.path().join("out");
    let articles = common::fixtures().join("articles");
    let run = tandem(
        &[
            "brief",
            articles.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        &models,
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let brief = common::read_brief(&out);
    assert!(brief["skipped"].as_array().unwrap().is_empty(), "{brief}");
    let report = common::read_json(&out, "report.json");
    assert!(
        report["compute"]
            .as_str()
            .unwrap()
            .starts_with("tandem engine, f32"),
        "{report}"
    );
}

/// rust-bert (the reference engine) on the same cases. It runs the same logits processors but has no
/// `renormalize_logits` (set by the opus-mt generation configs): where a processor bans tokens inside Marian beam
/// search (`min_length` binding, `no_repeat_ngram_size`) its beam scores are not renormalized and may rank beams
/// differently from transformers (measured: 11 of 17 and 11 of 18 rows of `beam4_min_length`, 16 of 17 of
/// fr-en `beam4_no_repeat`). Everywhere else — greedy, BART, Marian beams without bans, the models' own
/// generation configs — it must give transformers' ids exactly.
#[test]
fn rust_bert_matches_transformers_where_renormalization_cannot_differ() {
    for (role, architecture, fixture) in FIXTURES {
        let parity = common::parity::load(fixture);
        let (_dir, path) = imported(role);
        let model = Seq2Seq::load(role, architecture, &path, tch::Device::Cpu).unwrap();
        for case in &parity.cases {
            let s = &case.settings;
            let bans_in_beams = s.num_beams > 1 && (s.min_length > 0 || s.no_repeat_ngram_size > 0);
            let got = model
                .generate_ids(&parity.input_ids, &s.to_generation())
                .unwrap();
            let same = got
                .iter()
                .zip(&case.output_ids)
                .filter(|(g, e)| g == e)
                .count();
            eprintln!(
                "rust-bert {fixture} / {}: {same} of {} rows as transformers",
                case.name,
                got.len()
            );
            if !(architecture == Architecture::Marian && bans_in_beams) {
                assert_eq!(got, case.output_ids, "rust-bert: {fixture} / {}", case.name);
            }
        }
    }
}

/// A model error on one article fails that article alone: an English article whose text holds a literal
/// `<mask>` (the real distilbart vocabulary's id 50264, one past its 50,264 embedding rows) cannot be summarized.
/// The run goes on, briefs the other articles, names the failed one with the reason in `skipped`, the report and
/// stderr, and exits 3.
#[test]
fn a_model_error_fails_only_its_article() {
    let tmp = tempfile::tempdir().unwrap();
    let models = tmp.path().join("models");
    common::import_stopping_roles(&models, &[Role::SummarizeEn]);
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let fixtures = common::fixtures().join("articles");
    std::fs::copy(
        fixtures.join("en-port-strike.txt"),
        input.join("en-port-strike.txt"),
    )
    .unwrap();
    std::fs::write(
        input.join("en-masked.txt"),
        "Masked words in a quiz\n\nThe quiz asked readers to fill the <mask> in each sentence of the story. \
         The answers will be published on Monday with the names of the winners.\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let run = tandem(
        &[
            "brief",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        &models,
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("en-masked.txt") && stderr.contains("summary failed"),
        "{stderr}"
    );
    let brief = common::read_brief(&out);
    let skipped = brief["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{brief}");
    assert!(skipped[0]["path"]
        .as_str()
        .unwrap()
        .ends_with("en-masked.txt"));
    assert!(
        skipped[0]["reason"]
            .as_str()
            .unwrap()
            .contains("outside the vocabulary"),
        "{brief}"
    );
    assert_eq!(brief["items"].as_array().unwrap().len(), 1, "{brief}");
    let report = common::read_json(&out, "report.json");
    assert_eq!(report["skipped"], brief["skipped"]);
}

/// The real opus-mt SentencePiece models normalize with `nmt_nfkc`, which trims the text and collapses runs of
/// whitespace (tabs, double spaces, no-break and thin spaces included): the ids transformers' MarianTokenizer
/// gives such scraped-news lines (tests/fixtures/parity/marian-whitespace.json, made with transformers 4.46.3
/// from these folders' files) are the ids tandem feeds both engines.
#[test]
fn marian_tokenization_collapses_whitespace_as_sentencepiece_does() {
    let text =
        std::fs::read_to_string(common::fixtures().join("parity/marian-whitespace.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    for (role, name) in [
        (Role::TranslateFrEn, "stop-marian-fr-en"),
        (Role::TranslateEnFr, "stop-marian-en-fr"),
    ] {
        let (_dir, path) = imported(role);
        let model = Seq2Seq::load_with_engine(
            role,
            Architecture::Marian,
            &path,
            tch::Device::Cpu,
            Engine::Tandem,
        )
        .unwrap();
        let texts: Vec<&str> = doc[name]["texts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        let expected: Vec<Vec<i64>> = serde_json::from_value(doc[name]["ids"].clone()).unwrap();
        assert_eq!(texts.len(), 5);
        for (t, e) in texts.iter().zip(&expected) {
            assert_eq!(&model.encode(&[t])[0], e, "{name}: {t:?}");
        }
    }
}
