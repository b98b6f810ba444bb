//! The model a stage talks to: [`Seq2Seq`] pairs what the model is given ([`super::inputs::ModelInputs`]:
//! tokenizer, input prefix, budget) and the generation settings ([`crate::generation`]) with a backend that turns
//! token ids into token ids — tandem's own engine ([`crate::engine`], f32, fp16 weights or int8) or rust-bert
//! ([`super::rustbert`]). Inputs run in length-sorted batches filled to a token budget (on tandem's engine, by
//! worker threads side by side: [`Seq2Seq::generate_batches`]); outputs are decoded by the same tokenizer
//! whatever the backend, so tokenization, settings and the output contract never depend on the engine.
use super::inputs::ModelInputs;
use super::manifest::{Architecture, Role};
use super::{rustbert, Engine};
use crate::generation::GenerationSettings;
use crate::progress::Bar;
use crate::{Error, Result};
use rust_bert::bart::BartConfig;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tch::Device;

/// What turns token ids into token ids.
enum Backend {
    RustBert(rustbert::Generator),
    Tandem(Box<crate::engine::Model>),
}

/// A loaded sequence-to-sequence model (Marian or BART): its inputs, settings and backend.
pub struct Seq2Seq {
    role: Role,
    backend: Backend,
    inputs: ModelInputs,
    device: Device,
    /// Generation settings used by the pipeline (from the checkpoint).
    pub settings: GenerationSettings,
    pad_id: i64,
    eos_id: i64,
    name: String,
    /// Most inputs per generation batch.
    pub batch_size: usize,
    /// Threads that generate batches side by side, each on one libtorch thread (see
    /// [`Seq2Seq::generate_batches`]): libtorch's thread count at load for Marian on tandem's engine on the CPU
    /// (the cores, or `OMP_NUM_THREADS`); 1 for BART and for rust-bert.
    pub workers: usize,
    /// Most input tokens per generation batch (rows × longest row, padding included): short sentences run
    /// `batch_size` at a time, the summarizer's ~1,000-token chunks 4 at a time; bounds memory too.
    pub token_budget: usize,
}

/// A model folder that cannot serve `role`, and why.
pub(crate) fn invalid(role: Role, dir: &Path, reason: impl Into<String>) -> Error {
    Error::ModelInvalid {
        role: role.name().to_string(),
        dir: dir.to_path_buf(),
        reason: reason.into(),
    }
}

impl Seq2Seq {
    /// Loads the model of `role` from `dir` with the rust-bert engine. Every file is checked first, so a broken
    /// model fails here, before any article is processed, with the file named.
    pub fn load(
        role: Role,
        architecture: Architecture,
        dir: &Path,
        device: Device,
    ) -> Result<Seq2Seq> {
        Seq2Seq::load_with_engine(role, architecture, dir, device, Engine::RustBert)
    }

    /// Loads the model of `role` from `dir`, generating with `engine`. tandem's engines run on the CPU.
    pub fn load_with_engine(
        role: Role,
        architecture: Architecture,
        dir: &Path,
        device: Device,
        engine: Engine,
    ) -> Result<Seq2Seq> {
        let config_path = dir.join("config.json");
        let weights = dir.join("model.safetensors");
        let (vocab, merges) = tokenizer_files(dir, architecture);
        for file in [&config_path, &weights, &vocab, &merges] {
            if !file.is_file() {
                return Err(invalid(role, dir, format!("{} is missing", file.display())));
            }
        }
        let config_text = std::fs::read_to_string(&config_path)
            .map_err(|e| invalid(role, dir, format!("{}: {e}", config_path.display())))?;
        let config: BartConfig = serde_json::from_str(&config_text).map_err(|e| {
            invalid(
                role,
                dir,
                format!(
                    "config.json is not a BART/Marian config: {e}; re-run `tandem models import`"
                ),
            )
        })?;
        let settings = GenerationSettings::from_model_dir(dir, architecture)?;
        let inputs = ModelInputs::load(role, dir, architecture)?;
        tokenizer_fits(&vocab, config.vocab_size).map_err(|e| invalid(role, dir, e))?;
        let tandem = |precision| -> Result<Backend> {
            let model =
                crate::engine::Model::load(dir, device, precision).map_err(|e| match e {
                    Error::ModelInvalid { reason, .. } => invalid(role, dir, reason),
                    other => other,
                })?;
            let expected = match architecture {
                Architecture::Marian => crate::engine::model::Family::Marian,
                Architecture::Bart => crate::engine::model::Family::Bart,
            };
            if model.config.family != expected {
                return Err(invalid(
                    role,
                    dir,
                    format!("config.json's model_type does not match {architecture:?}"),
                ));
            }
            Ok(Backend::Tandem(Box::new(model)))
        };
        let backend = match engine {
            Engine::Tandem => tandem(crate::engine::Precision::Float)?,
            Engine::TandemInt8 => tandem(crate::engine::Precision::Int8)?,
            Engine::TandemFp16 => tandem(crate::engine::Precision::Fp16)?,
            Engine::RustBert => Backend::RustBert(
                rustbert::Generator::load(architecture, dir, device, &settings)
                    .map_err(|e| invalid(role, dir, e))?,
            ),
        };
        // Measured (BENCHMARKS.md): two Marian workers on a 2-core CPU translate 1.3–1.7× faster than one on two
        // threads; two DistilBART workers summarize only ~5 % faster (f32) and hold two batches of 1,024-token
        // chunks at once (peak RSS 2.4 GB instead of 1.9), so the summarizer keeps one.
        let workers = match backend {
            Backend::Tandem(_) if device == Device::Cpu && architecture == Architecture::Marian => {
                tch::get_num_threads().max(1) as usize
            }
            _ => 1,
        };
        let (pad_default, eos_default) = match architecture {
            Architecture::Marian => (config.vocab_size - 1, 0),
            Architecture::Bart => (1, 2),
        };
        Ok(Seq2Seq {
            role,
            backend,
            inputs,
            device,
            settings,
            pad_id: config.pad_token_id.unwrap_or(pad_default),
            eos_id: config.eos_token_id.unwrap_or(eos_default),
            name: super::model_name(dir),
            batch_size: 16,
            token_budget: 4096,
            workers,
        })
    }

    /// The model's name and weights fingerprint, from `tandem-import.json`.
    pub fn model_name(&self) -> String {
        self.name.clone()
    }

    /// What the model is given: tokenizer, prefix, budget.
    pub fn inputs(&self) -> &ModelInputs {
        &self.inputs
    }

    /// Longest input the model accepts, in tokens (its position table).
    pub fn max_input_tokens(&self) -> usize {
        self.inputs.max_input_tokens()
    }

    /// The engine that generates.
    pub fn engine(&self) -> Engine {
        match &self.backend {
            Backend::Tandem(model) => match model.precision {
                crate::engine::Precision::Float => Engine::Tandem,
                crate::engine::Precision::Int8 => Engine::TandemInt8,
                crate::engine::Precision::Fp16 => Engine::TandemFp16,
            },
            Backend::RustBert(_) => Engine::RustBert,
        }
    }

    /// Token ids the model reads for each text ([`ModelInputs::encode`]).
    pub fn encode(&self, texts: &[&str]) -> Vec<Vec<i64>> {
        self.inputs.encode_batch(texts)
    }

    /// Number of tokens the model reads for `text` (special tokens included).
    pub fn count_tokens(&self, text: &str) -> usize {
        self.inputs.count_tokens(text)
    }

    /// Decodes generated ids to text, dropping special tokens.
    pub fn decode(&self, ids: &[i64]) -> String {
        self.inputs.decode(ids)
    }

    /// Splits `text` into pieces that each fit the model's input (sentence boundaries first, then words).
    pub fn fit_to_budget(&self, text: &str) -> Vec<String> {
        self.inputs.fit_to_budget(text)
    }

    /// Generates from token ids (one batch, right-padded as in `transformers`). Each output starts with the
    /// decoder start token and ends at the first end-of-sequence token (or at `max_length`).
    pub fn generate_ids(
        &self,
        inputs: &[Vec<i64>],
        settings: &GenerationSettings,
    ) -> Result<Vec<Vec<i64>>> {
        if inputs.is_empty() {
            return Ok(Vec::new());
        }
        let longest = inputs.iter().map(Vec::len).max().unwrap_or(0);
        if longest > self.max_input_tokens() {
            return Err(Error::Generation {
                stage: self.role.name().into(),
                reason: format!(
                    "input of {longest} tokens exceeds the model's {} positions",
                    self.max_input_tokens()
                ),
            });
        }
        let generated = match &self.backend {
            Backend::Tandem(model) => {
                crate::engine::generate(model, inputs, settings).map_err(|e| match e {
                    Error::Generation { reason, .. } => reason,
                    other => other.to_string(),
                })
            }
            Backend::RustBert(g) => {
                g.generate(inputs, self.pad_id, self.eos_id, settings, self.device)
            }
        };
        generated.map_err(|reason| Error::Generation {
            stage: self.role.name().into(),
            reason,
        })
    }

    /// Generates one output per text from `pieces`: (index of the text it belongs to, token ids that fit the
    /// model); the outputs of a text's pieces are joined in order. `progress` advances by one per piece.
    pub(crate) fn generate_pieces(
        &self,
        pieces: &[(usize, Vec<i64>)],
        n_texts: usize,
        progress: Option<&Bar>,
    ) -> Result<Vec<String>> {
        let inputs: Vec<&[i64]> = pieces.iter().map(|(_, ids)| ids.as_slice()).collect();
        let decoded = self.generate_each(&inputs, progress)?;
        let mut out = vec![String::new(); n_texts];
        for ((owner, _), text) in pieces.iter().zip(decoded) {
            if !out[*owner].is_empty() {
                out[*owner].push(' ');
            }
            out[*owner].push_str(&text);
        }
        Ok(out)
    }

    /// Generates and decodes one output per input (token ids that fit the model), in order, as
    /// [`Seq2Seq::generate_batches`] does with the model's own settings; `progress` advances by each batch's
    /// inputs once it is generated (the stage set its length before).
    pub(crate) fn generate_each(
        &self,
        inputs: &[&[i64]],
        progress: Option<&Bar>,
    ) -> Result<Vec<String>> {
        let ids = self.generate_batches(inputs, &self.settings, progress)?;
        Ok(ids.iter().map(|ids| self.inputs.decode(ids)).collect())
    }

    /// Generates one output's ids per input, in input order. Inputs run in length-sorted batches filled to a
    /// token budget ([`batches`]). With more than one [`Seq2Seq::workers`] (tandem's engine), that many threads
    /// take the batches from one queue, longest first, each running libtorch on one thread of its own; the
    /// batches, and so the outputs, are one worker's. The first error (in batch order) is returned, and no batch
    /// is started after one fails.
    pub fn generate_batches(
        &self,
        inputs: &[&[i64]],
        settings: &GenerationSettings,
        progress: Option<&Bar>,
    ) -> Result<Vec<Vec<i64>>> {
        let lengths: Vec<usize> = inputs.iter().map(|i| i.len()).collect();
        let batches = batches(&lengths, self.batch_size, self.token_budget);
        let mut out = vec![Vec::new(); inputs.len()];
        let rows_of = |batch: &[usize]| -> Vec<Vec<i64>> {
            batch.iter().map(|&k| inputs[k].to_vec()).collect()
        };
        let workers = match self.backend {
            Backend::Tandem(_) => self.workers.min(batches.len()),
            Backend::RustBert(_) => 1,
        };
        if workers <= 1 {
            for batch in &batches {
                let generated = self.generate_ids(&rows_of(batch), settings)?;
                for (&k, ids) in batch.iter().zip(generated) {
                    out[k] = ids;
                }
                if let Some(bar) = progress {
                    bar.advance(batch.len() as u64);
                }
            }
            return Ok(out);
        }
        // Longest (most tokens) first, so that the batches left when a worker runs dry are the short ones.
        let mut order: Vec<usize> = (0..batches.len()).collect();
        order.sort_by_key(|&b| {
            std::cmp::Reverse(
                batches[b].iter().map(|&k| lengths[k]).max().unwrap_or(0) * batches[b].len(),
            )
        });
        let next = std::sync::atomic::AtomicUsize::new(0);
        let failed = std::sync::atomic::AtomicBool::new(false);
        let shared = SharedEngine(self);
        let (send, receive) = std::sync::mpsc::channel::<(usize, Result<Vec<Vec<i64>>>)>();
        // The workers set libtorch's (process-wide) thread count to 1; this thread's is put back when they are
        // done, a panic included.
        let _restore = RestoreThreads(tch::get_num_threads());
        let mut results: Vec<Option<Result<Vec<Vec<i64>>>>> =
            (0..batches.len()).map(|_| None).collect();
        std::thread::scope(|scope| {
            for _ in 0..workers {
                let send = send.clone();
                let (next, failed, shared, order, batches) =
                    (&next, &failed, &shared, &order, &batches);
                scope.spawn(move || {
                    tch::set_num_threads(1);
                    loop {
                        use std::sync::atomic::Ordering::SeqCst;
                        let i = next.fetch_add(1, SeqCst);
                        if i >= order.len() || failed.load(SeqCst) {
                            break;
                        }
                        let b = order[i];
                        let generated = shared.get().generate_ids(&rows_of(&batches[b]), settings);
                        if generated.is_err() {
                            failed.store(true, SeqCst);
                        }
                        if send.send((b, generated)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(send);
            for (b, generated) in receive {
                if let (Some(bar), Ok(_)) = (progress, &generated) {
                    bar.advance(batches[b].len() as u64);
                }
                results[b] = Some(generated);
            }
        });
        if let Some(failed) = results.iter().position(|r| matches!(r, Some(Err(_)))) {
            if let Some(Err(e)) = results[failed].take() {
                return Err(e);
            }
        }
        for (batch, result) in batches.iter().zip(results) {
            let Some(Ok(generated)) = result else {
                return Err(Error::Generation {
                    stage: self.role.name().into(),
                    reason: "a worker thread stopped before generating its batch".into(),
                });
            };
            for (&k, ids) in batch.iter().zip(generated) {
                out[k] = ids;
            }
        }
        Ok(out)
    }
}

/// Sets libtorch's thread count back to what it was when dropped.
struct RestoreThreads(i32);

impl Drop for RestoreThreads {
    fn drop(&mut self) {
        tch::set_num_threads(self.0);
    }
}

/// A [`Seq2Seq`] on tandem's engine, shared by the worker threads of [`Seq2Seq::generate_batches`].
struct SharedEngine<'a>(&'a Seq2Seq);

impl SharedEngine<'_> {
    fn get(&self) -> &Seq2Seq {
        self.0
    }
}

// SAFETY: the workers only call `Seq2Seq::generate_ids` on the tandem backend, which reads the model's tensors
// (weights, packed matrices, position tables) and never writes them; every tensor it writes (decoder state,
// caches, outputs) is created by the calling thread. libtorch's operators are safe to run concurrently on
// shared read-only tensors (the grad mode they consult is per thread; the thread count is process-wide, and
// every worker sets it to the same 1), and tch's `Tensor` is only not `Sync` because it may be mutated in place
// through `&Tensor`, which the engine does only on tensors it owns.
unsafe impl Sync for SharedEngine<'_> {}

/// The files of a model folder's tokenizer: `vocab.json` and `source.spm` (Marian) or `merges.txt` (BART).
fn tokenizer_files(dir: &Path, architecture: Architecture) -> (PathBuf, PathBuf) {
    match architecture {
        Architecture::Marian => (dir.join("vocab.json"), dir.join("source.spm")),
        Architecture::Bart => (dir.join("vocab.json"), dir.join("merges.txt")),
    }
}

/// The tokenizer's vocabulary fits the embedding ([`super::check::vocabulary_fits`]).
fn tokenizer_fits(vocab: &Path, vocab_size: i64) -> std::result::Result<(), String> {
    let text = std::fs::read_to_string(vocab).map_err(|e| format!("{}: {e}", vocab.display()))?;
    let map: serde_json::Map<String, Value> = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a JSON vocabulary: {e}", vocab.display()))?;
    super::check::vocabulary_fits(&map, vocab_size)
        .map_err(|e| format!("vocab.json: {e}; tokenizer and weights do not belong together"))
}

/// Generation batches for inputs of `lengths` tokens: indices sorted by length (then position), cut into batches
/// of at most `batch_size` inputs and `token_budget` tokens (rows × the batch's longest, the row added last); a
/// single input over the budget runs alone. Each batch is one step of a stage's bar.
pub fn batches(lengths: &[usize], batch_size: usize, token_budget: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    order.sort_by_key(|&k| (lengths[k], k));
    let mut out = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len()
            && end - start < batch_size.max(1)
            && (end - start + 1) * lengths[order[end]] <= token_budget
        {
            end += 1;
        }
        out.push(order[start..end].to_vec());
        start = end;
    }
    out
}
