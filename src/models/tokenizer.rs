//! The one tokenizer tandem uses, for both engines: text → token ids (with byte offsets), counts, and ids → text,
//! built on Hugging Face's `tokenizers` crate (0.20, the library transformers 4.46 runs) so that tandem's ids and
//! decoded text are the ones `transformers` gives (proven line by line by `tests/tokenizer_parity.rs`).
//!
//! - **BART** (`BartTokenizerFast`): the folder's `tokenizer.json` when present; otherwise the byte-level BPE built
//!   from `vocab.json` + `merges.txt` as transformers' `RobertaConverter` builds it (no prefix space, trimmed
//!   offsets, `<s>` … `</s>` added, the special tokens of `tokenizer_config.json`).
//! - **Marian** (`MarianTokenizer`, a Python-only tokenizer): transformers segments the text with the SentencePiece
//!   model `source.spm`, then maps each piece to an id through `vocab.json` (a piece without an id becomes
//!   `<unk>`) and appends `</s>`. tandem does the same in two steps. (1) A `tokenizers` Unigram model holding
//!   source.spm's pieces and scores, behind SentencePiece's normalization written with the crate's normalizers
//!   (the model's precompiled charsmap, `nmt_nfkc` for opus-mt; runs of spaces collapsed, ends trimmed, the `▁`
//!   dummy prefix, spaces escaped as `▁`), gives the pieces. (2) The pieces are mapped through vocab.json. One
//!   Unigram whose ids were Marian's cannot replace the two steps: measured on the published opus-mt-fr-en files,
//!   vocab.json has 59,514 entries of which 27,517 are not pieces of source.spm (they come from the English
//!   target.spm), and three source.spm pieces (`<s>`, `|`, `▁|`) have no vocab.json id, so segmenting over
//!   vocab.json's tokens would change SentencePiece's choices and pieces without an id must still compete in the
//!   segmentation before becoming `<unk>`. The first step is stored as `source.tokenizer.json` by
//!   `tandem models import`; a folder installed before that file existed has it converted in memory from
//!   source.spm (same result). Decoding maps ids back to vocab.json's pieces and joins them as the target
//!   SentencePiece model does for these pieces (`▁` → space, the first one dropped), then trims as
//!   `MarianTokenizer.convert_tokens_to_string` does.
//! - Both: `decode` is transformers' `decode(ids, skip_special_tokens=True)`, including its
//!   `clean_up_tokenization` when the folder's `tokenizer_config.json` asks for it, followed by the trim tandem
//!   applies to generated text.
//!
//! rust-bert's generators (the `rust-bert` engine) still build their own rust_tokenizers tokenizer from the same
//! vocabulary files: they only receive ids from tandem and return ids, so it never sees text.
use super::manifest::Architecture;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::decoders::metaspace::Metaspace as MetaspaceDecoder;
use tokenizers::models::bpe::BPE;
use tokenizers::models::unigram::Unigram;
use tokenizers::models::wordlevel::WordLevel;
use tokenizers::models::ModelWrapper;
use tokenizers::normalizers::{Precompiled, Prepend, Replace, Sequence};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::metaspace::{Metaspace, PrependScheme};
use tokenizers::processors::roberta::RobertaProcessing;
use tokenizers::{AddedToken, NormalizerWrapper};

/// The converted Marian source tokenizer stored in an installed folder.
pub const MARIAN_SOURCE_FILE: &str = "source.tokenizer.json";
/// BART's tokenizer file (the checkpoint's, or built from vocab.json + merges.txt at import).
pub const BART_FILE: &str = "tokenizer.json";

/// SentencePiece's whitespace symbol.
const SPACE: char = '\u{2581}';
/// A character no SentencePiece vocabulary of these models has: encoding it exercises the unknown-token path
/// (the only input-dependent failure of the tokenizers accepted by [`Tokenizer::load`]).
const UNKNOWN_PROBE: &str = "news \u{10FFFD} probe";

/// Token ids of one text, special tokens included, and where each token comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoding {
    /// As transformers' `tokenizer(text)["input_ids"]` (Marian: … `</s>`; BART: `<s>` … `</s>`).
    pub ids: Vec<i64>,
    /// Byte span of each token in the original text; `(0, 0)` for added special tokens.
    pub offsets: Vec<(usize, usize)>,
}

/// A model folder's tokenizer (see the module docs).
pub struct Tokenizer {
    inner: Inner,
    /// transformers' `clean_up_tokenization_spaces` from tokenizer_config.json (its default: false).
    clean_up: bool,
}

enum Inner {
    Marian(Box<Marian>),
    Bart(Box<tokenizers::Tokenizer>),
}

struct Marian {
    /// Text → SentencePiece pieces (source.spm as a Unigram model).
    source: tokenizers::Tokenizer,
    /// Marian ids → text: vocab.json as a word-level model with the SentencePiece decoder.
    target: tokenizers::Tokenizer,
    /// vocab.json: piece → Marian id.
    ids: HashMap<String, i64>,
    unk: i64,
    eos: i64,
    /// The special tokens transformers splits the text on before SentencePiece (eos, unk, pad).
    specials: Vec<String>,
    /// MarianTokenizer's language-code pattern (`>>.+<<`).
    code: regex::Regex,
}

impl Tokenizer {
    /// Loads the tokenizer of the model folder `dir`. The error names the files and says what to do.
    pub fn load(dir: &Path, architecture: Architecture) -> Result<Tokenizer, String> {
        let config = tokenizer_config(dir)?;
        let clean_up = config
            .get("clean_up_tokenization_spaces")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let inner = match architecture {
            Architecture::Marian => Inner::Marian(Box::new(load_marian(dir, &config)?)),
            Architecture::Bart => Inner::Bart(Box::new(load_bart(dir, &config)?)),
        };
        let tokenizer = Tokenizer { inner, clean_up };
        tokenizer.try_encode(UNKNOWN_PROBE).map_err(|e| {
            format!(
                "the tokenizer of {} fails on text ({e}); re-install the model (`tandem models import`)",
                dir.display()
            )
        })?;
        Ok(tokenizer)
    }

    /// Token ids and byte offsets of `text`, as transformers' tokenizer gives them. [`Tokenizer::load`] tried the
    /// only input-dependent failure of these tokenizers (an unknown character); should the crate still fail, this
    /// panics with the reason, which `stage::run_cached` reports as that text's failure.
    pub fn encode(&self, text: &str) -> Encoding {
        self.try_encode(text)
            .unwrap_or_else(|e| panic!("the tokenizer failed on a text: {e}"))
    }

    /// [`Tokenizer::encode`] of each text, in order.
    pub fn encode_batch(&self, texts: &[&str]) -> Vec<Encoding> {
        texts.iter().map(|t| self.encode(t)).collect()
    }

    /// Number of tokens the model sees for `text`, special tokens included.
    pub fn count_tokens(&self, text: &str) -> usize {
        self.encode(text).ids.len()
    }

    /// Text of generated ids: transformers' `decode(ids, skip_special_tokens=True)`, then trimmed.
    pub fn decode(&self, ids: &[i64]) -> String {
        let ids: Vec<u32> = ids
            .iter()
            .filter_map(|&id| u32::try_from(id).ok())
            .collect();
        let text = match &self.inner {
            Inner::Marian(m) => m
                .target
                .decode(&ids, true)
                .map(|t| python_strip(&t).to_string()),
            Inner::Bart(t) => t.decode(&ids, true),
        }
        .unwrap_or_else(|e| panic!("the tokenizer failed to decode: {e}"));
        let text = if self.clean_up {
            clean_up_tokenization(&text)
        } else {
            text
        };
        text.trim().to_string()
    }

    /// The id of `<unk>` (a probe whose words all become it means damaged tokenizer files).
    pub fn unk_id(&self) -> Option<i64> {
        match &self.inner {
            Inner::Marian(m) => Some(m.unk),
            Inner::Bart(t) => t.token_to_id("<unk>").map(i64::from),
        }
    }

    fn try_encode(&self, text: &str) -> Result<Encoding, String> {
        match &self.inner {
            Inner::Bart(t) => {
                let e = t.encode(text, true).map_err(|e| e.to_string())?;
                Ok(Encoding {
                    ids: e.get_ids().iter().map(|&i| i64::from(i)).collect(),
                    offsets: e.get_offsets().to_vec(),
                })
            }
            Inner::Marian(m) => m.encode(text),
        }
    }
}

impl Marian {
    fn id(&self, piece: &str) -> i64 {
        self.ids.get(piece).copied().unwrap_or(self.unk)
    }

    fn encode(&self, text: &str) -> Result<Encoding, String> {
        let mut ids = Vec::new();
        let mut offsets = Vec::new();
        // MarianTokenizer splits on its special tokens first, then removes every language code (`>>…<<`) from
        // each part (the normalizer's first step) and keeps one that starts the part as a token of its own.
        let first_part = self
            .specials
            .iter()
            .filter_map(|s| text.find(s.as_str()))
            .min()
            .unwrap_or(text.len());
        if let Some(m) = self.code.find(&text[..first_part]) {
            ids.push(self.id(m.as_str()));
            offsets.push((0, m.end()));
        }
        let e = self.source.encode(text, false).map_err(|e| e.to_string())?;
        for (piece, &span) in e.get_tokens().iter().zip(e.get_offsets()) {
            ids.push(self.id(piece));
            offsets.push(span);
        }
        ids.push(self.eos);
        offsets.push((0, 0));
        Ok(Encoding { ids, offsets })
    }
}

fn reinstall(file: &Path, what: impl std::fmt::Display) -> String {
    format!(
        "{}: {what}; re-install the model (`tandem models import`)",
        file.display()
    )
}

fn tokenizer_config(dir: &Path) -> Result<Value, String> {
    let path = dir.join("tokenizer_config.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            serde_json::from_str(&text).map_err(|e| reinstall(&path, format!("not JSON ({e})")))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Value::Null),
        Err(e) => Err(reinstall(&path, e)),
    }
}

/// A special token's text in tokenizer_config.json (a string or an `AddedToken` object).
fn config_token(config: &Value, key: &str, default: &str) -> String {
    match config.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(o)) => o
            .get("content")
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_string(),
        _ => default.to_string(),
    }
}

fn read_vocab(path: &Path) -> Result<HashMap<String, u32>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| reinstall(path, e))?;
    let map: serde_json::Map<String, Value> = serde_json::from_str(&text)
        .map_err(|e| reinstall(path, format!("not a JSON vocabulary ({e})")))?;
    map.into_iter()
        .map(
            |(token, id)| match id.as_u64().and_then(|i| u32::try_from(i).ok()) {
                Some(id) => Ok((token, id)),
                None => Err(reinstall(path, format!("`{token}` has no valid id ({id})"))),
            },
        )
        .collect()
}

fn load_marian(dir: &Path, config: &Value) -> Result<Marian, String> {
    if config.get("separate_vocabs").and_then(Value::as_bool) == Some(true) {
        return Err(reinstall(
            &dir.join("tokenizer_config.json"),
            "separate source and target vocabularies are not supported",
        ));
    }
    let vocab_path = dir.join("vocab.json");
    let vocab = read_vocab(&vocab_path)?;
    let eos_token = config_token(config, "eos_token", "</s>");
    let unk_token = config_token(config, "unk_token", "<unk>");
    let pad_token = config_token(config, "pad_token", "<pad>");
    let id_of = |token: &str| {
        vocab
            .get(token)
            .map(|&i| i64::from(i))
            .ok_or_else(|| reinstall(&vocab_path, format!("no `{token}` entry")))
    };
    let (unk, eos) = (id_of(&unk_token)?, id_of(&eos_token)?);
    id_of(&pad_token)?;
    let specials = vec![eos_token, unk_token.clone(), pad_token];
    let source = marian_source(dir, &specials)?;

    // Decoding: ids → vocab.json's pieces → text. The target model's control pieces decode to nothing, as the
    // special tokens do; they are skipped the same way.
    let mut skipped = specials.clone();
    let target_spm = dir.join("target.spm");
    if target_spm.is_file() {
        let bytes = std::fs::read(&target_spm).map_err(|e| reinstall(&target_spm, e))?;
        let model = spm::ModelProto::parse(&bytes).map_err(|e| reinstall(&target_spm, e))?;
        if model.pieces.iter().any(|p| p.kind == spm::BYTE) {
            return Err(reinstall(
                &target_spm,
                "byte-fallback SentencePiece models are not supported",
            ));
        }
        skipped.extend(
            model
                .pieces
                .iter()
                .filter(|p| p.kind == spm::CONTROL && vocab.contains_key(&p.piece))
                .map(|p| p.piece.clone()),
        );
    }
    let ids: HashMap<String, i64> = vocab
        .iter()
        .map(|(t, &i)| (t.clone(), i64::from(i)))
        .collect();
    let word_level = WordLevel::builder()
        .vocab(vocab)
        .unk_token(unk_token)
        .build()
        .map_err(|e| reinstall(&vocab_path, e))?;
    let mut target = tokenizers::Tokenizer::new(word_level);
    target.with_decoder(Some(MetaspaceDecoder::new(
        SPACE,
        PrependScheme::Always,
        true,
    )));
    target.add_special_tokens(&added_specials(&skipped));
    Ok(Marian {
        source,
        target,
        ids,
        unk,
        eos,
        specials,
        code: regex::Regex::new("^>>.+<<").map_err(|e| e.to_string())?,
    })
}

fn added_specials(tokens: &[String]) -> Vec<AddedToken> {
    tokens
        .iter()
        .map(|t| AddedToken::from(t.clone(), true).normalized(false))
        .collect()
}

/// The Marian source tokenizer: `source.tokenizer.json` when the folder has it, else converted from source.spm.
fn marian_source(dir: &Path, specials: &[String]) -> Result<tokenizers::Tokenizer, String> {
    let stored = dir.join(MARIAN_SOURCE_FILE);
    let spm_path = dir.join("source.spm");
    let bytes = std::fs::read(&spm_path).map_err(|e| reinstall(&spm_path, e))?;
    if !stored.is_file() {
        return marian_source_from_spm(&bytes, specials).map_err(|e| reinstall(&spm_path, e));
    }
    let tokenizer = tokenizers::Tokenizer::from_file(&stored).map_err(|e| reinstall(&stored, e))?;
    if !matches!(tokenizer.get_model(), ModelWrapper::Unigram(_)) {
        return Err(reinstall(
            &stored,
            "not a SentencePiece (Unigram) tokenizer",
        ));
    }
    // source.spm stays what the fingerprint and rust-bert read: it must still be the model the stored file was
    // converted from (a damaged or replaced one is refused).
    let model = spm::ModelProto::parse(&bytes).map_err(|e| reinstall(&spm_path, e))?;
    let pieces = model
        .pieces
        .iter()
        .filter(|p| p.kind == spm::NORMAL || p.kind == spm::UNKNOWN)
        .count();
    if tokenizer.get_vocab_size(false) != pieces {
        return Err(reinstall(
            &stored,
            format!(
                "holds {} pieces, source.spm {pieces}: it was converted from another model",
                tokenizer.get_vocab_size(false)
            ),
        ));
    }
    Ok(tokenizer)
}

/// Converts a SentencePiece unigram model (source.spm's bytes) into the tokenizer that gives its pieces for a
/// text exactly as `SentencePieceProcessor.encode(text, out_type=str)` does, with `specials` split off first as
/// transformers does. Unsupported SentencePiece features are refused rather than approximated.
pub fn marian_source_from_spm(
    bytes: &[u8],
    specials: &[String],
) -> Result<tokenizers::Tokenizer, String> {
    let model = spm::ModelProto::parse(bytes)?;
    if model.model_type != spm::UNIGRAM {
        return Err(format!(
            "SentencePiece model type {} is not supported (only unigram models)",
            model.model_type
        ));
    }
    if model.byte_fallback || model.pieces.iter().any(|p| p.kind == spm::BYTE) {
        return Err("byte-fallback SentencePiece models are not supported".into());
    }
    if model.treat_whitespace_as_suffix || !model.escape_whitespaces {
        return Err(
            "SentencePiece models with whitespace as suffix or unescaped are not supported".into(),
        );
    }
    if let Some(p) = model.pieces.iter().find(|p| p.kind == spm::USER_DEFINED) {
        return Err(format!(
            "SentencePiece user-defined symbols (`{}`) are not supported",
            p.piece
        ));
    }
    // SentencePiece segments with its normal pieces and falls back to its unknown piece; control and unused
    // pieces are never produced from text. The unknown piece is kept (the fallback needs it) under a name holding
    // a plain space, which the normalized text never has (spaces become ▁), so that it is never matched as text,
    // as in SentencePiece. Its pieces' text (the unknown characters) is what Marian maps through vocab.json.
    let mut vocab = Vec::with_capacity(model.pieces.len());
    let mut unk_id = None;
    for p in &model.pieces {
        match p.kind {
            spm::NORMAL => vocab.push((p.piece.clone(), f64::from(p.score))),
            spm::UNKNOWN if unk_id.is_none() => {
                unk_id = Some(vocab.len());
                vocab.push((format!("{} ", p.piece), f64::from(p.score)));
            }
            _ => {}
        }
    }
    let unk_id = unk_id.ok_or("the SentencePiece model has no unknown piece")?;
    // Cutting the text at each ▁ (as words) gives SentencePiece's segmentation when no piece holds a ▁ after its
    // first character and ▁ alone is a piece (so no unknown run spans two words): then it is exact and keeps the
    // model's cache to words. Otherwise the whole text is segmented at once, as SentencePiece does.
    let space = SPACE.to_string();
    let split = vocab.iter().any(|(p, _)| *p == space)
        && !vocab
            .iter()
            .any(|(p, _)| p.chars().skip(1).any(|c| c == SPACE));
    let unigram = Unigram::from(vocab, Some(unk_id), false).map_err(|e| e.to_string())?;

    let regex = |pattern: &str, content: &str| -> Result<NormalizerWrapper, String> {
        Replace::new(
            tokenizers::normalizers::replace::ReplacePattern::Regex(pattern.into()),
            content,
        )
        .map(NormalizerWrapper::from)
        .map_err(|e| e.to_string())
    };
    // MarianTokenizer removes language codes before SentencePiece sees the text.
    let mut steps = vec![regex(">>.+<<", "")?];
    if !model.precompiled_charsmap.is_empty() {
        let charsmap = Precompiled::from(&model.precompiled_charsmap)
            .map_err(|e| format!("its normalization table cannot be read: {e}"))?;
        steps.push(charsmap.into());
    }
    if model.remove_extra_whitespaces {
        // SentencePiece drops leading and trailing spaces and collapses runs of them (after the charsmap, which
        // turns tabs, no-break and thin spaces into plain spaces for nmt_nfkc).
        steps.push(regex(" {2,}", " ")?);
        steps.push(regex(r"\A | \z", "")?);
    }
    if model.add_dummy_prefix {
        steps.push(Prepend::new(space.clone()).into()); // not on an empty text, as SentencePiece
    }
    steps.push(regex(" ", &space)?);

    let mut tokenizer = tokenizers::Tokenizer::new(unigram);
    tokenizer.with_normalizer(Some(Sequence::new(steps)));
    if split {
        tokenizer.with_pre_tokenizer(Some(Metaspace::new(SPACE, PrependScheme::Never, true)));
    }
    tokenizer.with_decoder(Some(MetaspaceDecoder::new(
        SPACE,
        PrependScheme::Always,
        true,
    )));
    tokenizer.add_special_tokens(&added_specials(specials));
    Ok(tokenizer)
}

fn load_bart(dir: &Path, config: &Value) -> Result<tokenizers::Tokenizer, String> {
    let stored = dir.join(BART_FILE);
    let tokenizer = if stored.is_file() {
        tokenizers::Tokenizer::from_file(&stored).map_err(|e| reinstall(&stored, e))?
    } else {
        bart_from_vocab_merges(dir, config)?
    };
    match tokenizer.get_model() {
        ModelWrapper::BPE(bpe) => {
            if let Some(unk) = bpe.get_unk_token() {
                if tokenizer.token_to_id(unk).is_none() {
                    return Err(reinstall(
                        &stored,
                        format!("its unknown token `{unk}` is not in the vocabulary"),
                    ));
                }
            }
        }
        _ => return Err(reinstall(&stored, "not a BPE tokenizer")),
    }
    // vocab.json is what the config was checked against and what rust-bert's generator reads: the tokenizer
    // must give every token the id vocab.json gives it, and have no other (the special tokens included).
    let vocab_path = dir.join("vocab.json");
    let vocab = read_vocab(&vocab_path)?;
    let ids = tokenizer.get_vocab(true);
    let mut differ: Vec<String> = ids
        .iter()
        .filter(|(t, id)| vocab.get(*t) != Some(id))
        .map(|(t, id)| match vocab.get(t) {
            Some(v) => format!("`{t}` is {v} in vocab.json, {id} in the tokenizer"),
            None => format!("`{t}` (the tokenizer's id {id}) is not in vocab.json"),
        })
        .chain(
            vocab
                .keys()
                .filter(|t| !ids.contains_key(*t))
                .map(|t| format!("`{t}` is in vocab.json only")),
        )
        .collect();
    differ.sort();
    if let Some(first) = differ.first() {
        let source = if stored.is_file() {
            BART_FILE
        } else {
            "merges.txt"
        };
        return Err(reinstall(
            &vocab_path,
            format!(
                "does not match the tokenizer ({source}) in {} of its tokens ({first}); the tokenizer files \
                 belong to different models",
                differ.len()
            ),
        ));
    }
    Ok(tokenizer)
}

/// BART's byte-level BPE from `vocab.json` + `merges.txt`, as transformers converts a `BartTokenizer`
/// (`convert_slow_tokenizer.RobertaConverter`, then the special tokens of tokenizer_config.json).
pub fn bart_from_vocab_merges(dir: &Path, config: &Value) -> Result<tokenizers::Tokenizer, String> {
    let vocab_path = dir.join("vocab.json");
    let merges_path = dir.join("merges.txt");
    let utf8 = |p: &Path| {
        p.to_str()
            .map(str::to_string)
            .ok_or_else(|| format!("path is not valid UTF-8: {}", p.display()))
    };
    let files = format!("{}, {}", vocab_path.display(), merges_path.display());
    let bpe = BPE::from_file(&utf8(&vocab_path)?, &utf8(&merges_path)?)
        .continuing_subword_prefix(String::new())
        .end_of_word_suffix(String::new())
        .fuse_unk(false)
        .build()
        .map_err(|e| {
            format!("the tokenizer ({files}) cannot be loaded: {e}; re-install the model")
        })?;
    let add_prefix_space = config
        .get("add_prefix_space")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let token = |key: &str, default: &str| config_token(config, key, default);
    let (sep, cls) = (token("sep_token", "</s>"), token("cls_token", "<s>"));
    let id = |t: &str| {
        tokenizers::Model::token_to_id(&bpe, t)
            .ok_or_else(|| reinstall(&vocab_path, format!("no `{t}` entry")))
    };
    let processor = RobertaProcessing::new((sep.clone(), id(&sep)?), (cls.clone(), id(&cls)?))
        .trim_offsets(true)
        .add_prefix_space(add_prefix_space);
    let mut tokenizer = tokenizers::Tokenizer::new(bpe);
    tokenizer.with_pre_tokenizer(Some(ByteLevel::new(add_prefix_space, true, true)));
    tokenizer.with_decoder(Some(ByteLevelDecoder::default()));
    tokenizer.with_post_processor(Some(processor));
    tokenizer.add_special_tokens(&bart_specials(config));
    Ok(tokenizer)
}

/// The added tokens transformers gives a BART tokenizer: tokenizer_config.json's `added_tokens_decoder` (in id
/// order) when present, else BartTokenizer's defaults (`<mask>` eating the space before it).
fn bart_specials(config: &Value) -> Vec<AddedToken> {
    if let Some(Value::Object(decoder)) = config.get("added_tokens_decoder") {
        let mut tokens: Vec<(u64, AddedToken)> = decoder
            .iter()
            .filter_map(|(id, t)| {
                let flag = |k: &str, d: bool| t.get(k).and_then(Value::as_bool).unwrap_or(d);
                Some((
                    id.parse().ok()?,
                    AddedToken::from(
                        t.get("content")?.as_str()?.to_string(),
                        flag("special", true),
                    )
                    .lstrip(flag("lstrip", false))
                    .rstrip(flag("rstrip", false))
                    .normalized(flag("normalized", true))
                    .single_word(flag("single_word", false)),
                ))
            })
            .collect();
        tokens.sort_by_key(|(id, _)| *id);
        return tokens.into_iter().map(|(_, t)| t).collect();
    }
    ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
        .iter()
        .map(|t| AddedToken::from(*t, true).lstrip(*t == "<mask>"))
        .collect()
}

/// The tokenizer files `tandem models import` writes beside the checkpoint's: Marian's converted source
/// tokenizer, and BART's `tokenizer.json` when the checkpoint has none. (file name, JSON text).
pub fn converted_files(
    hf_dir: &Path,
    architecture: Architecture,
) -> Result<Vec<(&'static str, String)>, String> {
    let config = tokenizer_config(hf_dir)?;
    let json = |t: &tokenizers::Tokenizer| t.to_string(false).map_err(|e| e.to_string());
    match architecture {
        Architecture::Marian => {
            let specials = [
                config_token(&config, "eos_token", "</s>"),
                config_token(&config, "unk_token", "<unk>"),
                config_token(&config, "pad_token", "<pad>"),
            ];
            let spm_path = hf_dir.join("source.spm");
            let bytes =
                std::fs::read(&spm_path).map_err(|e| format!("{}: {e}", spm_path.display()))?;
            let source = marian_source_from_spm(&bytes, &specials)
                .map_err(|e| format!("{}: {e}", spm_path.display()))?;
            Ok(vec![(MARIAN_SOURCE_FILE, json(&source)?)])
        }
        Architecture::Bart if hf_dir.join(BART_FILE).is_file() => Ok(Vec::new()),
        Architecture::Bart => Ok(vec![(
            BART_FILE,
            json(&bart_from_vocab_merges(hf_dir, &config)?)?,
        )]),
    }
}

/// transformers' `PreTrainedTokenizerBase.clean_up_tokenization`.
fn clean_up_tokenization(text: &str) -> String {
    [
        (" .", "."),
        (" ?", "?"),
        (" !", "!"),
        (" ,", ","),
        (" ' ", "'"),
        (" n't", "n't"),
        (" 'm", "'m"),
        (" 's", "'s"),
        (" 've", "'ve"),
        (" 're", "'re"),
    ]
    .iter()
    .fold(text.to_string(), |t, (from, to)| t.replace(from, to))
}

/// Python's `str.strip()`: Rust's `trim` plus the separators U+001C–U+001F that Python counts as whitespace.
fn python_strip(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// The few fields of a SentencePiece model file (`sentencepiece_model.proto`) the conversion reads, with the
/// proto's defaults, from the protobuf wire format. (rust_tokenizers' generated protobuf module is private; the
/// `sentencepiece-model` crate compiles the .proto at build time with protox and prost-build, a chain of build
/// crates for eight fields.)
mod spm {
    pub const NORMAL: u64 = 1;
    pub const UNKNOWN: u64 = 2;
    pub const CONTROL: u64 = 3;
    pub const USER_DEFINED: u64 = 4;
    pub const BYTE: u64 = 6;
    pub const UNIGRAM: u64 = 1;

    pub struct Piece {
        pub piece: String,
        pub score: f32,
        pub kind: u64,
    }

    pub struct ModelProto {
        pub pieces: Vec<Piece>,
        pub model_type: u64,
        pub byte_fallback: bool,
        pub treat_whitespace_as_suffix: bool,
        pub precompiled_charsmap: Vec<u8>,
        pub add_dummy_prefix: bool,
        pub remove_extra_whitespaces: bool,
        pub escape_whitespaces: bool,
    }

    enum Field<'a> {
        Varint(u64),
        Bytes(&'a [u8]),
        Fixed32([u8; 4]),
        Fixed64,
    }

    fn varint(b: &[u8], pos: &mut usize) -> Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *b.get(*pos).ok_or("truncated varint")?;
            *pos += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return Ok(value);
            }
        }
        Err("varint too long".into())
    }

    fn fields(b: &[u8]) -> Result<Vec<(u64, Field<'_>)>, String> {
        let mut out = Vec::new();
        let mut pos = 0;
        while pos < b.len() {
            let key = varint(b, &mut pos)?;
            let take = |pos: &mut usize, n: usize| -> Result<&[u8], String> {
                let end = pos
                    .checked_add(n)
                    .filter(|&e| e <= b.len())
                    .ok_or("truncated field")?;
                let s = &b[*pos..end];
                *pos = end;
                Ok(s)
            };
            let field = match key & 7 {
                0 => Field::Varint(varint(b, &mut pos)?),
                1 => {
                    take(&mut pos, 8)?;
                    Field::Fixed64
                }
                2 => {
                    let n = usize::try_from(varint(b, &mut pos)?).map_err(|e| e.to_string())?;
                    Field::Bytes(take(&mut pos, n)?)
                }
                5 => {
                    let s = take(&mut pos, 4)?;
                    Field::Fixed32([s[0], s[1], s[2], s[3]])
                }
                w => return Err(format!("unsupported protobuf wire type {w}")),
            };
            out.push((key >> 3, field));
        }
        Ok(out)
    }

    fn flag(field: &Field<'_>) -> Option<bool> {
        match field {
            Field::Varint(v) => Some(*v != 0),
            _ => None,
        }
    }

    impl ModelProto {
        pub fn parse(bytes: &[u8]) -> Result<ModelProto, String> {
            let not_spm = |e: String| format!("not a SentencePiece model ({e})");
            let mut model = ModelProto {
                pieces: Vec::new(),
                model_type: UNIGRAM,
                byte_fallback: false,
                treat_whitespace_as_suffix: false,
                precompiled_charsmap: Vec::new(),
                add_dummy_prefix: true,
                remove_extra_whitespaces: true,
                escape_whitespaces: true,
            };
            for (number, field) in fields(bytes).map_err(not_spm)? {
                match (number, field) {
                    (1, Field::Bytes(b)) => {
                        let mut piece = Piece {
                            piece: String::new(),
                            score: 0.0,
                            kind: NORMAL,
                        };
                        for (n, f) in fields(b).map_err(not_spm)? {
                            match (n, f) {
                                (1, Field::Bytes(s)) => {
                                    piece.piece = String::from_utf8(s.to_vec())
                                        .map_err(|_| not_spm("a piece is not UTF-8".into()))?
                                }
                                (2, Field::Fixed32(s)) => piece.score = f32::from_le_bytes(s),
                                (3, Field::Varint(v)) => piece.kind = v,
                                _ => {}
                            }
                        }
                        model.pieces.push(piece);
                    }
                    (2, Field::Bytes(b)) => {
                        for (n, f) in fields(b).map_err(not_spm)? {
                            match (n, &f) {
                                (3, Field::Varint(v)) => model.model_type = *v,
                                (24, _) => {
                                    model.treat_whitespace_as_suffix = flag(&f).unwrap_or(false)
                                }
                                (35, _) => model.byte_fallback = flag(&f).unwrap_or(false),
                                _ => {}
                            }
                        }
                    }
                    (3, Field::Bytes(b)) => {
                        for (n, f) in fields(b).map_err(not_spm)? {
                            match (n, &f) {
                                (2, Field::Bytes(c)) => model.precompiled_charsmap = c.to_vec(),
                                (3, _) => model.add_dummy_prefix = flag(&f).unwrap_or(true),
                                (4, _) => model.remove_extra_whitespaces = flag(&f).unwrap_or(true),
                                (5, _) => model.escape_whitespaces = flag(&f).unwrap_or(true),
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
            }
            if model.pieces.is_empty() {
                return Err(not_spm("no pieces".into()));
            }
            Ok(model)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_up_is_transformers_sequence_of_replacements() {
        assert_eq!(
            clean_up_tokenization("He said , \" we 're here \" . Is it ? Yes ! I do n't"),
            "He said, \" we're here \". Is it? Yes! I don't"
        );
        assert_eq!(clean_up_tokenization("a ' b"), "a'b");
    }

    #[test]
    fn python_strip_also_strips_information_separators() {
        assert_eq!(python_strip("\u{1f} a b\u{a0}\u{1c}"), "a b");
        assert_eq!(python_strip("\u{200b}a"), "\u{200b}a");
    }

    #[test]
    fn a_file_that_is_not_sentencepiece_is_refused() {
        let e = marian_source_from_spm(b"{\"not\": \"protobuf\"}", &[])
            .err()
            .unwrap();
        assert!(e.contains("not a SentencePiece model"), "{e}");
        let e = marian_source_from_spm(&[], &[]).err().unwrap();
        assert!(e.contains("no pieces"), "{e}");
    }
}
