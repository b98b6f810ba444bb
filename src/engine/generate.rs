//! Greedy and beam search over [`Model`], following `transformers` 4.46's `generate` step for step.
//!
//! - Lengths count the decoder start token (`cur_len` starts at 1); generation stops at `max_length`.
//! - Logits processors, in `transformers`' order: no_repeat_ngram, bad words, min_length (EOS banned while
//!   `cur_len < min_length`), forced BOS (at `cur_len == 1`), forced EOS (at `cur_len == max_length − 1`).
//!   Greedy applies them to the raw logits, beam search to the log-probabilities (then, with
//!   `renormalize_logits`, takes the log-softmax again, as `LogitNormalization` does; greedy's argmax is the same
//!   either way).
//! - Beam search: scores start at 0 for the first beam and −1e9 for the others; the best `2·beams` candidates
//!   (token, source beam) of each sentence are taken in order; an EOS candidate among the first `beams` closes a
//!   hypothesis (score = sum of log-probs / generated_len^length_penalty), other candidates fill the beams. A
//!   sentence is done when it has `beams` hypotheses and (early stopping) or (no open beam can beat the worst).
//!   Finished sentences leave the batch; only the self-attention cache is re-indexed.
//! - Speed, same numbers: the candidates are found per row (a sentence's best `2·beams` are among each of its rows'
//!   best `2·beams`, one scan over the log-probabilities) and the beam scores added to those few only; the cache is
//!   re-indexed in place, rows whose hypothesis kept its parent untouched; greedy's argmax is the same scan with
//!   k = 1 (first of equal maxima, as torch's; a NaN score counts as −∞ there, where torch's argmax would pick
//!   it). `TANDEM_ENGINE_PROFILE=1` prints the seconds spent in the model, the search and the re-indexing.
//! - int8 only, not the same last bits: beam search takes its candidates from the raw logits in three passes
//!   (top-k, and one log-sum-exp: maximum, then sum of exponentials of the words the processors allow; [`top_log_probs`]) instead of
//!   log-softmax → processors → log-softmax → top-k, the float engines' path (libtorch's reductions, which are
//!   transformers'). Measured: opus-mt beam 4, 1 thread, ~13 % faster; DistilBART no difference (its search is
//!   1 % of the time).
//!
//! Output rows start with the decoder start token and end at the first EOS (or at `max_length`).
use super::layers::Precision;
use super::model::{Model, ModelConfig};
use super::simd;
use crate::generation::GenerationSettings;
use crate::{Error, Result};
use tch::{Kind, Tensor};

/// Generates from right-padded-on-the-fly token-id rows (one batch), with `settings`.
pub fn generate(
    model: &Model,
    inputs: &[Vec<i64>],
    settings: &GenerationSettings,
) -> Result<Vec<Vec<i64>>> {
    if inputs.is_empty() {
        return Ok(Vec::new());
    }
    let cfg = &model.config;
    let longest = inputs.iter().map(Vec::len).max().unwrap_or(0);
    if longest == 0 || inputs.iter().any(Vec::is_empty) {
        return Err(Error::Generation {
            stage: "engine".into(),
            reason: "an input has no tokens".into(),
        });
    }
    if longest as i64 > cfg.max_positions {
        return Err(Error::Generation {
            stage: "engine".into(),
            reason: format!(
                "input of {longest} tokens exceeds the model's {} positions",
                cfg.max_positions
            ),
        });
    }
    if let Some(&bad) = inputs
        .iter()
        .flatten()
        .find(|&&t| t < 0 || t >= cfg.vocab_size)
    {
        return Err(Error::Generation {
            stage: "engine".into(),
            reason: format!(
                "token id {bad} outside the vocabulary of {}",
                cfg.vocab_size
            ),
        });
    }
    if settings.max_length as usize > cfg.max_positions as usize {
        return Err(Error::Generation {
            stage: "engine".into(),
            reason: format!(
                "max_length {} exceeds the decoder's {} positions",
                settings.max_length, cfg.max_positions
            ),
        });
    }
    let mut ids = Vec::with_capacity(inputs.len() * longest);
    let mut mask = Vec::with_capacity(inputs.len() * longest);
    for row in inputs {
        ids.extend(row.iter().copied());
        mask.extend(std::iter::repeat_n(true, row.len()));
        ids.extend(std::iter::repeat_n(cfg.pad_id, longest - row.len()));
        mask.extend(std::iter::repeat_n(false, longest - row.len()));
    }
    let shape = [inputs.len() as i64, longest as i64];
    let ids = Tensor::from_slice(&ids)
        .reshape(shape)
        .to_device(model.device());
    let mask = Tensor::from_slice(&mask)
        .reshape(shape)
        .to_device(model.device());
    let _guard = tch::no_grad_guard();
    if settings.num_beams <= 1 {
        greedy(model, &ids, &mask, settings)
    } else {
        beam_search(model, &ids, &mask, settings)
    }
}

/// Sets to −∞ the scores of tokens the processors forbid, and applies forced tokens.
/// `histories[r]` is hypothesis `r`'s tokens so far (decoder start included); `cur_len` their length.
fn process(
    cfg: &ModelConfig,
    scores: &mut Tensor,
    histories: &[&[i64]],
    cur_len: i64,
    settings: &GenerationSettings,
) {
    let vocab = cfg.vocab_size;
    let mut banned: Vec<i64> = Vec::new();
    let n = settings.no_repeat_ngram_size;
    if n > 0 && cur_len + 1 >= n {
        let n = n as usize;
        for (r, hist) in histories.iter().enumerate() {
            if hist.len() + 1 < n {
                continue;
            }
            let prefix = &hist[hist.len() + 1 - n..];
            for window in hist.windows(n) {
                if &window[..n - 1] == prefix {
                    banned.push(r as i64 * vocab + window[n - 1]);
                }
            }
        }
    }
    for seq in &cfg.bad_words {
        if seq.len() == 1 {
            let _ = scores.narrow(1, seq[0], 1).fill_(f64::NEG_INFINITY);
            continue;
        }
        let (prefix, last) = seq.split_at(seq.len() - 1);
        for (r, hist) in histories.iter().enumerate() {
            if hist.ends_with(prefix) {
                banned.push(r as i64 * vocab + last[0]);
            }
        }
    }
    if !banned.is_empty() {
        let index = Tensor::from_slice(&banned).to_device(scores.device());
        let _ = scores.view([-1]).index_fill_(0, &index, f64::NEG_INFINITY);
    }
    if cur_len < settings.min_length {
        let _ = scores.narrow(1, cfg.eos_id, 1).fill_(f64::NEG_INFINITY);
    }
    if let Some(token) = forced_token(cfg, cur_len, settings) {
        let _ = scores.fill_(f64::NEG_INFINITY);
        let _ = scores.narrow(1, token, 1).fill_(0.0);
    }
}

/// The token forced at `cur_len` (BOS at the first step, EOS at the last), if any.
fn forced_token(cfg: &ModelConfig, cur_len: i64, settings: &GenerationSettings) -> Option<i64> {
    match (cfg.forced_bos_id, cfg.forced_eos_id) {
        (Some(bos), _) if cur_len == 1 => Some(bos),
        (_, Some(eos)) if cur_len == settings.max_length - 1 => Some(eos),
        _ => None,
    }
}

fn greedy(
    model: &Model,
    ids: &Tensor,
    mask: &Tensor,
    settings: &GenerationSettings,
) -> Result<Vec<Vec<i64>>> {
    let cfg = &model.config;
    let batch = ids.size()[0] as usize;
    let mut state = model.start(ids, mask, 1, settings.max_length);
    let mut out: Vec<Vec<i64>> = vec![vec![cfg.decoder_start_id]; batch];
    // Sentences still generating, in state order.
    let mut active: Vec<usize> = (0..batch).collect();
    let mut cur_len = 1;
    while cur_len < settings.max_length && !active.is_empty() {
        let last: Vec<i64> = active
            .iter()
            .map(|&s| *out[s].last().unwrap_or(&cfg.decoder_start_id))
            .collect();
        let tokens = Tensor::from_slice(&last).to_device(model.device());
        let mut scores = model.step(&mut state, &tokens);
        let histories: Vec<&[i64]> = active.iter().map(|&s| out[s].as_slice()).collect();
        process(&model.config, &mut scores, &histories, cur_len, settings);
        // argmax per row (the first of equal maxima, as torch's): one vectorized scan in place of libtorch's
        // scalar lastdim reduction, which cost as much as a sixth of a decoder step.
        let scores = scores.contiguous();
        let (_, next) = top_k_rows(
            rows_of(&scores, active.len(), cfg.vocab_size)?,
            cfg.vocab_size as usize,
            1,
        );
        if next.len() != active.len() {
            return Err(Error::Generation {
                stage: "engine".into(),
                reason: format!("{} tokens chosen for {} rows", next.len(), active.len()),
            });
        }
        let mut keep = Vec::with_capacity(active.len());
        for (row, (&s, &token)) in active.iter().zip(&next).enumerate() {
            out[s].push(token);
            if token != cfg.eos_id {
                keep.push(row as i64);
            }
        }
        cur_len += 1;
        if keep.len() < active.len() && !keep.is_empty() {
            state.select(&keep, Some(&keep));
        }
        active = keep.iter().map(|&row| active[row as usize]).collect();
    }
    Ok(out)
}

/// The finished hypotheses of one sentence (`transformers`' `BeamHypotheses`).
struct Hypotheses {
    beams: Vec<(f64, Vec<i64>)>,
    worst: f64,
    capacity: usize,
    length_penalty: f64,
    early_stopping: bool,
}

impl Hypotheses {
    fn new(capacity: usize, length_penalty: f64, early_stopping: bool) -> Hypotheses {
        Hypotheses {
            beams: Vec::with_capacity(capacity + 1),
            worst: 1e9,
            capacity,
            length_penalty,
            early_stopping,
        }
    }

    fn add(&mut self, hyp: Vec<i64>, sum_logprobs: f64, generated_len: usize) {
        let score = sum_logprobs / (generated_len as f64).powf(self.length_penalty);
        if self.beams.len() < self.capacity || score > self.worst {
            self.beams.push((score, hyp));
            if self.beams.len() > self.capacity {
                let mut sorted: Vec<(f64, usize)> = self
                    .beams
                    .iter()
                    .enumerate()
                    .map(|(i, (s, _))| (*s, i))
                    .collect();
                sorted.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                self.beams.remove(sorted[0].1);
                self.worst = sorted[1].0;
            } else {
                self.worst = self.worst.min(score);
            }
        }
    }

    fn is_done(&self, best_sum_logprobs: f64, cur_len: i64) -> bool {
        if self.beams.len() < self.capacity {
            return false;
        }
        if self.early_stopping {
            return true;
        }
        // decoder prompt length is 1 (the decoder start token)
        let highest = best_sum_logprobs / ((cur_len - 1) as f64).powf(self.length_penalty);
        self.worst >= highest
    }

    /// The best hypothesis; among equal scores the one added last (as Python's stable sort and `pop`).
    fn best(&self) -> Option<&Vec<i64>> {
        let mut best: Option<&(f64, Vec<i64>)> = None;
        for b in &self.beams {
            if best.is_none_or(|x| b.0 >= x.0) {
                best = Some(b);
            }
        }
        best.map(|b| &b.1)
    }
}

/// Seconds spent per phase of beam search (printed when `TANDEM_ENGINE_PROFILE` is set).
struct Profile {
    mark: std::time::Instant,
    model: f64,
    search: f64,
    reindex: f64,
}

/// The data of `scores`, a contiguous CPU f32 tensor of `rows × vocab` scores, as a slice borrowed from it.
fn rows_of(scores: &Tensor, rows: usize, vocab: i64) -> Result<&[f32]> {
    let n = rows * vocab as usize;
    if scores.kind() != Kind::Float
        || scores.device() != tch::Device::Cpu
        || !scores.is_contiguous()
        || scores.numel() != n
    {
        return Err(Error::Generation {
            stage: "engine".into(),
            reason: format!("unexpected scores {:?} for {rows} rows", scores.size()),
        });
    }
    // SAFETY: `scores` is a contiguous CPU f32 tensor of `n` elements; the slice borrows it, so it stays alive,
    // and nothing writes to it while the slice is in use.
    Ok(unsafe { std::slice::from_raw_parts(scores.data_ptr() as *const f32, n) })
}

/// The int8 engine's beam step, from the raw logits: the best `k` log-probabilities of each row and their
/// tokens, as log-softmax → processors → (with `renormalize_logits`) log-softmax → top-k would give them, in
/// three passes over the vocabulary instead of seven (renormalized; four without). Without a forced token the processors only ban words
/// (−∞), so the log-probability of an allowed word is `x − lse`, with `lse` the log-sum-exp of the row before
/// the bans (one log-softmax) or of the allowed words only (renormalized: the second log-softmax takes out the
/// banned words' mass). Its arithmetic is not libtorch's ([`simd::log_sum_exp_rows`]), which is why the float
/// engines keep the log-softmaxes; so does the int8 engine on a step with a forced token (BOS or EOS).
fn top_log_probs(
    cfg: &ModelConfig,
    logits: &Tensor,
    histories: &[&[i64]],
    cur_len: i64,
    settings: &GenerationSettings,
    k: usize,
) -> Result<(Vec<f32>, Vec<i64>)> {
    let vocab = cfg.vocab_size;
    let mut raw = logits.to_kind(Kind::Float).contiguous();
    let rows = histories.len();
    let before = if cfg.renormalize_logits {
        None
    } else {
        Some(simd::log_sum_exp_rows(
            rows_of(&raw, rows, vocab)?,
            vocab as usize,
        ))
    };
    process(cfg, &mut raw, histories, cur_len, settings);
    let data = rows_of(&raw, rows, vocab)?;
    let lse = match before {
        Some(lse) => lse,
        None => simd::log_sum_exp_rows(data, vocab as usize),
    };
    let (mut scores, ids) = top_k_rows(data, vocab as usize, k);
    let k = scores.len() / rows.max(1);
    for (row, &l) in scores.chunks_mut(k.max(1)).zip(&lse) {
        for s in row {
            // A banned word stays −∞ (and a row with every word banned too: −∞ − −∞ would be NaN).
            *s = if *s == f32::NEG_INFINITY || l == f32::NEG_INFINITY {
                f32::NEG_INFINITY
            } else {
                *s - l
            };
        }
    }
    Ok((scores, ids))
}

/// The best `k` (score, index) of each row of `data` (rows of `width`), best first; among equal scores the
/// lower index first. One pass: 16-wide blocks are skipped unless one of their scores beats the current k-th.
fn top_k_rows(data: &[f32], width: usize, k: usize) -> (Vec<f32>, Vec<i64>) {
    let Some(rows) = data.len().checked_div(width) else {
        return (Vec::new(), Vec::new());
    };
    let k = k.min(width);
    let mut out_scores = Vec::with_capacity(rows * k);
    let mut out_ids = Vec::with_capacity(rows * k);
    let mut best: Vec<(f32, usize)> = Vec::with_capacity(k + 1);
    let insert = |best: &mut Vec<(f32, usize)>, x: f32, i: usize| {
        // Position after every entry scoring >= x (earlier indices win ties).
        let at = best.iter().position(|&(s, _)| x > s).unwrap_or(best.len());
        if at < k {
            best.insert(at, (x, i));
            best.truncate(k);
        }
    };
    for row in data.chunks_exact(width) {
        best.clear();
        for (i, &x) in row.iter().enumerate().take(k) {
            let x = if x.is_nan() { f32::NEG_INFINITY } else { x };
            let at = best.iter().position(|&(s, _)| x > s).unwrap_or(best.len());
            best.insert(at, (x, i));
        }
        let mut threshold = best.last().map_or(f32::NEG_INFINITY, |b| b.0);
        let start = k;
        let mut base = start;
        for block in row[start..].chunks(16) {
            // Vectorizes: no early exit.
            let hit = block.iter().fold(false, |acc, &x| acc | (x > threshold));
            if hit {
                for (j, &x) in block.iter().enumerate() {
                    if x > threshold {
                        insert(&mut best, x, base + j);
                        threshold = best[k - 1].0;
                    }
                }
            }
            base += block.len();
        }
        for &(s, i) in &best {
            out_scores.push(s);
            out_ids.push(i as i64);
        }
    }
    (out_scores, out_ids)
}

/// Merges per-row candidates into per-sentence candidates. `scores`/`ids` hold the best `2·nb` (log-prob, token)
/// of each row, rows grouped `nb` per sentence; returns, per sentence, its best `2·nb` candidates as
/// (log-prob + beam score, beam·vocab + token), best first; ties go to the lower beam·vocab + token, as a
/// top-k over the sentence's `[beams·vocab]` scores would order them.
fn merge_beams(
    scores: &[f32],
    ids: &[i64],
    beam_scores: &[f32],
    nb: usize,
    vocab: i64,
) -> (Vec<f32>, Vec<i64>) {
    let k = 2 * nb;
    let sentences = beam_scores.len() / nb;
    let mut out_scores = Vec::with_capacity(sentences * k);
    let mut out_ids = Vec::with_capacity(sentences * k);
    let mut cands: Vec<(f32, i64)> = Vec::with_capacity(nb * k);
    for s in 0..sentences {
        cands.clear();
        for b in 0..nb {
            let row = s * nb + b;
            for j in row * k..(row + 1) * k {
                cands.push((scores[j] + beam_scores[row], b as i64 * vocab + ids[j]));
            }
        }
        cands.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        for &(score, id) in cands.iter().take(k) {
            out_scores.push(score);
            out_ids.push(id);
        }
    }
    (out_scores, out_ids)
}

fn beam_search(
    model: &Model,
    ids: &Tensor,
    mask: &Tensor,
    settings: &GenerationSettings,
) -> Result<Vec<Vec<i64>>> {
    let cfg = &model.config;
    let device = model.device();
    let vocab = cfg.vocab_size;
    let beams = settings.num_beams;
    let nb = beams as usize;
    let batch = ids.size()[0] as usize;
    let mut state = model.start(ids, mask, beams, settings.max_length);
    let mut hyps: Vec<Hypotheses> = (0..batch)
        .map(|_| Hypotheses::new(nb, settings.length_penalty, settings.early_stopping))
        .collect();
    let mut done = vec![false; batch];
    // Sentences in the state, and their hypotheses (nb rows each, in state order).
    let mut active: Vec<usize> = (0..batch).collect();
    let mut histories: Vec<Vec<i64>> = vec![vec![cfg.decoder_start_id]; batch * nb];
    let mut beam_scores: Vec<f32> = (0..batch * nb)
        .map(|r| if r % nb == 0 { 0.0 } else { -1e9 })
        .collect();
    let mut cur_len = 1;
    let mut profile = std::env::var_os("TANDEM_ENGINE_PROFILE").map(|_| Profile {
        mark: std::time::Instant::now(),
        model: 0.0,
        search: 0.0,
        reindex: 0.0,
    });
    let fail = |reason: String| Error::Generation {
        stage: "engine".into(),
        reason,
    };
    while cur_len < settings.max_length {
        let last: Vec<i64> = histories
            .iter()
            .map(|h| *h.last().unwrap_or(&cfg.decoder_start_id))
            .collect();
        let tokens = Tensor::from_slice(&last).to_device(device);
        if let Some(p) = profile.as_mut() {
            p.mark = std::time::Instant::now();
        }
        let logits = model.step(&mut state, &tokens);
        if let Some(p) = profile.as_mut() {
            p.model += p.mark.elapsed().as_secs_f64();
            p.mark = std::time::Instant::now();
        }
        let refs: Vec<&[i64]> = histories.iter().map(Vec::as_slice).collect();
        let k = 2 * nb;
        // The best 2·beams candidates of a sentence are among the best 2·beams of each of its rows: top-k per
        // row over the vocabulary (one scan here), then the beam scores are added to those few and the rows
        // merged (f32 additions, the same numbers as adding them to the whole row first).
        let (top_scores, top_ids) = if model.precision == Precision::Int8
            && forced_token(cfg, cur_len, settings).is_none()
        {
            top_log_probs(cfg, &logits, &refs, cur_len, settings, k)?
        } else {
            let mut scores = logits.log_softmax(-1, Kind::Float);
            process(cfg, &mut scores, &refs, cur_len, settings);
            if cfg.renormalize_logits {
                scores = scores.log_softmax(-1, Kind::Float);
            }
            let scores = scores.contiguous();
            top_k_rows(rows_of(&scores, histories.len(), vocab)?, vocab as usize, k)
        };
        let (top_scores, top_ids) = merge_beams(&top_scores, &top_ids, &beam_scores, nb, vocab);
        if let Some(p) = profile.as_mut() {
            p.search += p.mark.elapsed().as_secs_f64();
            p.mark = std::time::Instant::now();
        }
        // cur_len as the beam scorer counts it: the length including the candidate token.
        let scored_len = cur_len + 1;
        let mut next_rows: Vec<i64> = Vec::with_capacity(histories.len());
        let mut next_tokens: Vec<i64> = Vec::with_capacity(histories.len());
        let mut next_scores: Vec<f32> = Vec::with_capacity(histories.len());
        let k = 2 * nb;
        for (a, &sentence) in active.iter().enumerate() {
            let cand_scores = &top_scores[a * k..(a + 1) * k];
            let cand_ids = &top_ids[a * k..(a + 1) * k];
            let mut filled = 0;
            for (rank, (&score, &id)) in cand_scores.iter().zip(cand_ids).enumerate() {
                let token = id % vocab;
                let row = a * nb + (id / vocab) as usize;
                if token == cfg.eos_id {
                    if rank >= nb {
                        continue;
                    }
                    hyps[sentence].add(
                        histories[row].clone(),
                        score as f64,
                        (scored_len - 1) as usize,
                    );
                } else {
                    next_rows.push(row as i64);
                    next_tokens.push(token);
                    next_scores.push(score);
                    filled += 1;
                }
                if filled == nb {
                    break;
                }
            }
            if filled < nb {
                return Err(fail(format!(
                    "beam search found {filled} continuations for {nb} beams"
                )));
            }
            let best = cand_scores
                .iter()
                .copied()
                .fold(f32::NEG_INFINITY, f32::max);
            done[sentence] = done[sentence] || hyps[sentence].is_done(best as f64, scored_len);
        }
        let mut new_histories = Vec::with_capacity(histories.len());
        for (&row, &token) in next_rows.iter().zip(&next_tokens) {
            let mut h = histories[row as usize].clone();
            h.push(token);
            new_histories.push(h);
        }
        cur_len += 1;
        if cur_len >= settings.max_length || done.iter().all(|&d| d) {
            histories = new_histories;
            beam_scores = next_scores;
            break;
        }
        // Drop finished sentences; re-index the self-attention cache once for both.
        let kept: Vec<usize> = (0..active.len()).filter(|&a| !done[active[a]]).collect();
        let rows: Vec<i64> = kept
            .iter()
            .flat_map(|&a| next_rows[a * nb..(a + 1) * nb].iter().copied())
            .collect();
        let sentences: Option<Vec<i64>> =
            (kept.len() < active.len()).then(|| kept.iter().map(|&a| a as i64).collect());
        let identity = sentences.is_none() && rows.iter().enumerate().all(|(i, &r)| i as i64 == r);
        if let Some(p) = profile.as_mut() {
            p.search += p.mark.elapsed().as_secs_f64();
            p.mark = std::time::Instant::now();
        }
        if !identity {
            state.select(&rows, sentences.as_deref());
        }
        if let Some(p) = profile.as_mut() {
            p.reindex += p.mark.elapsed().as_secs_f64();
        }
        histories = kept
            .iter()
            .flat_map(|&a| new_histories[a * nb..(a + 1) * nb].iter().cloned())
            .collect();
        beam_scores = kept
            .iter()
            .flat_map(|&a| next_scores[a * nb..(a + 1) * nb].iter().copied())
            .collect();
        active = kept.iter().map(|&a| active[a]).collect();
    }
    if let Some(p) = &profile {
        eprintln!(
            "engine profile: model {:.3} s, search {:.3} s, re-index {:.3} s",
            p.model, p.search, p.reindex
        );
    }
    // Finalize: open beams of unfinished sentences compete with the closed hypotheses.
    for (a, &sentence) in active.iter().enumerate() {
        if done[sentence] {
            continue;
        }
        for row in a * nb..(a + 1) * nb {
            let h = &histories[row];
            hyps[sentence].add(h.clone(), beam_scores[row] as f64, h.len() - 1);
        }
    }
    let max_length = settings.max_length as usize;
    hyps.iter()
        .map(|h| {
            let mut best = h
                .best()
                .cloned()
                .ok_or_else(|| fail("beam search ended without a hypothesis".into()))?;
            if best.len() < max_length {
                best.push(cfg.eos_id);
            }
            Ok(best)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{merge_beams, process, top_k_rows, top_log_probs};
    use crate::engine::layers::Activation;
    use crate::engine::model::{Family, ModelConfig};
    use crate::generation::GenerationSettings;
    use tch::{Kind, Tensor};

    fn config(vocab: i64, renormalize: bool) -> ModelConfig {
        ModelConfig {
            family: Family::Marian,
            d_model: 8,
            encoder_layers: 1,
            decoder_layers: 1,
            encoder_heads: 1,
            decoder_heads: 1,
            encoder_ffn: 8,
            decoder_ffn: 8,
            vocab_size: vocab,
            max_positions: 64,
            activation: Activation::Relu,
            scale_embedding: false,
            pad_id: 3,
            eos_id: 0,
            decoder_start_id: 3,
            forced_bos_id: None,
            forced_eos_id: None,
            bad_words: vec![vec![3], vec![7, 9]],
            renormalize_logits: renormalize,
        }
    }

    /// The int8 beam step's two-pass candidates equal log-softmax → processors → (renormalized) log-softmax →
    /// top-k, on logits with every kind of ban: a bad word, a bad two-token sequence, a repeated trigram and EOS
    /// under min_length; with and without renormalization; on the vocabulary of opus-mt.
    #[test]
    fn int8_top_log_probs_equal_the_log_softmax_path() {
        tch::manual_seed(3);
        let vocab = 59514;
        let histories: Vec<Vec<i64>> = vec![
            vec![3, 5, 6, 8, 5, 6],
            vec![3, 7],
            vec![3, 11, 12, 13],
            vec![3, 21, 22, 21],
        ];
        let refs: Vec<&[i64]> = histories.iter().map(Vec::as_slice).collect();
        let settings = GenerationSettings {
            num_beams: 4,
            max_length: 64,
            min_length: 10,
            no_repeat_ngram_size: 3,
            length_penalty: 1.0,
            early_stopping: true,
        };
        for renormalize in [true, false] {
            let cfg = config(vocab, renormalize);
            let logits = Tensor::randn([4, vocab], (Kind::Float, tch::Device::Cpu)) * 3.0;
            // Make the banned words the rows' favourites, so that a ban not applied would change the top-k.
            let _ = logits.narrow(1, 8, 1).fill_(40.0); // row 0: 5 6 → 8 repeats "5 6 8"
            let _ = logits.narrow(1, 9, 1).fill_(40.0); // row 1 ends with 7: "7 9" is banned
            let _ = logits.narrow(1, 0, 1).fill_(40.0); // EOS, banned below min_length
            let _ = logits.narrow(1, 3, 1).fill_(40.0); // pad, a bad word
            let mut want = logits.log_softmax(-1, Kind::Float);
            process(&cfg, &mut want, &refs, 5, &settings);
            if renormalize {
                want = want.log_softmax(-1, Kind::Float);
            }
            let want = want.contiguous();
            let data = Vec::<f32>::try_from(want.view([-1])).unwrap();
            let (want_scores, want_ids) = top_k_rows(&data, vocab as usize, 8);
            let (got_scores, got_ids) =
                top_log_probs(&cfg, &logits.copy(), &refs, 5, &settings, 8).unwrap();
            assert_eq!(got_ids, want_ids, "renormalize {renormalize}");
            assert!(!got_ids.iter().any(|&i| [0, 3].contains(&i)));
            assert!(!got_ids[..8].contains(&8) && !got_ids[8..16].contains(&9));
            for (g, w) in got_scores.iter().zip(&want_scores) {
                assert!(
                    (g - w).abs() < 1e-5,
                    "renormalize {renormalize}: {g} vs {w}"
                );
            }
        }
    }

    /// Best `k` of each row by brute force: sort by score (descending), then index.
    fn brute(data: &[f32], width: usize, k: usize) -> (Vec<f32>, Vec<i64>) {
        let (mut s, mut i) = (Vec::new(), Vec::new());
        for row in data.chunks_exact(width) {
            let mut all: Vec<(f32, usize)> = row.iter().copied().zip(0..).collect();
            all.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            for &(x, j) in all.iter().take(k) {
                s.push(x);
                i.push(j as i64);
            }
        }
        (s, i)
    }

    #[test]
    fn top_k_rows_matches_a_full_sort() {
        // A small deterministic generator; values repeat (ties) and include −∞ rows.
        let mut state = 12345u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) % 200) as f32 / 8.0 - 12.0
        };
        for width in [1, 7, 16, 33, 100] {
            let mut data: Vec<f32> = (0..width * 6).map(|_| next()).collect();
            for x in &mut data[..width] {
                *x = f32::NEG_INFINITY;
            }
            data[width + width / 2] = 1e9;
            for k in [1, 3, 8] {
                assert_eq!(
                    top_k_rows(&data, width, k),
                    brute(&data, width, k.min(width)),
                    "width {width}, k {k}"
                );
            }
        }
    }

    #[test]
    fn merged_beams_are_the_top_of_the_whole_sentence() {
        let (nb, vocab) = (3usize, 20usize);
        let mut state = 99u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) % 1000) as f32 / -50.0
        };
        let sentences = 4;
        let logp: Vec<f32> = (0..sentences * nb * vocab).map(|_| next()).collect();
        let beam_scores: Vec<f32> = (0..sentences * nb).map(|r| -(r as f32) * 0.3).collect();
        let (s, i) = top_k_rows(&logp, vocab, 2 * nb);
        let merged = merge_beams(&s, &i, &beam_scores, nb, vocab as i64);
        // Reference: the beam scores added to every score, then the best 2·nb of each sentence's beams × vocab.
        let full: Vec<f32> = logp
            .iter()
            .enumerate()
            .map(|(j, &x)| x + beam_scores[j / vocab])
            .collect();
        assert_eq!(merged, brute(&full, nb * vocab, 2 * nb));
    }
}
