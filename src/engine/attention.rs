//! Cross-attention over half-precision keys and values, for the int8 engine's decoder steps.
//!
//! Why: in a decoder step each sentence's cross-attention reads all its source keys and values, once per layer,
//! for a handful of query rows (its beams). That is memory-bound: DistilBART's 4 articles × 16 heads × 1,024
//! tokens × 64 dims are 33 MB of f32 keys and values per layer and step. Stored as IEEE half (rounded once,
//! when the encoder has run) they are half the bytes; padding keys are skipped instead of masked. Measured
//! (`cargo run --release --example bench_attention`, 1 thread, AVX-512 VNNI CPU): 1.70 ms a layer against SDPA's 2.65 on that
//! shape; 0.20 / 0.29 ms against 0.23 / 0.47 on Marian's (16 sentences of 60 tokens, greedy / beam 4). Query rows
//! go in groups of their own count (1–4), so greedy's one row computes one: 0.18–0.21 ms on Marian's greedy
//! shape against 0.24–0.28 with groups of 4 (fastest of 7 rounds, alternating runs).
//!
//! Numbers: the keys and values carry a relative rounding error ≤ 2⁻¹¹ each (the same as the fp16 engine's
//! weights); scores, softmax and sums are f32. The exponential is a polynomial ([`super::simd::exp8`], relative
//! error < 10⁻⁶, tested), not libm's. So this is not the float engine's arithmetic and is used by the int8 engine only, whose
//! linear layers already round far more (≈2⁻⁸ of each row's range).
//!
//! One kernel, AVX2 + FMA + F16C (`vcvtph2ps` widens 8 halves per instruction), used on AVX2 and AVX-512
//! machines alike: the bytes, not the arithmetic, are the cost. Without those features ([`available`]) the
//! engine keeps its f32 keys and values. It runs on the calling thread (see [`HalfKv::attend`]).
#[cfg(target_arch = "x86_64")]
use super::simd::exp8;
use tch::{Kind, Tensor};

/// Keys per block of the key layout (two 8-lane vectors).
const BLOCK: usize = 16;

/// Whether this CPU has the kernel's instructions (AVX2, FMA, F16C).
pub fn available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
            && std::arch::is_x86_feature_detected!("f16c")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// One decoder layer's cross-attention keys and values in half precision.
pub struct HalfKv {
    /// `[sentences, heads, blocks, head_dim, BLOCK]`: keys in blocks of 16 positions, each block transposed so
    /// that one 32-byte load holds one dimension of 16 keys; positions past the source length are zero.
    keys: Tensor,
    /// `[sentences, heads, source_len, head_dim]`.
    values: Tensor,
}

impl HalfKv {
    /// From f32 `keys` and `values` `[sentences, heads, source_len, head_dim]`.
    ///
    /// Panics where [`available`] is false (the engine checks it first).
    pub fn new(keys: &Tensor, values: &Tensor) -> HalfKv {
        assert!(available(), "half cross-attention needs AVX2, FMA and F16C");
        let size = keys.size();
        let (s, h, len, hd) = (size[0], size[1], size[2], size[3]);
        let blocks = (len as usize).div_ceil(BLOCK) as i64;
        let padded = blocks * BLOCK as i64;
        let keys = keys
            .constant_pad_nd([0, 0, 0, padded - len])
            .view([s, h, blocks, BLOCK as i64, hd])
            .transpose(3, 4)
            .to_kind(Kind::Half)
            .contiguous();
        HalfKv {
            keys,
            values: values.to_kind(Kind::Half).contiguous(),
        }
    }

    /// Keeps the sentences `keep` (a CPU i64 tensor of sentence indices).
    pub fn select(&self, keep: &Tensor) -> HalfKv {
        HalfKv {
            keys: self.keys.index_select(0, keep),
            values: self.values.index_select(0, keep),
        }
    }

    /// Attention of `q` `[sentences, heads, rows, head_dim]` (f32) over these keys and values, sentence `s`
    /// attending to its first `lens[s]` source positions only; scores scaled by head_dim^-½. Returns
    /// `[sentences, heads, rows, head_dim]` f32.
    pub fn attend(&self, q: &Tensor, lens: &[usize]) -> Tensor {
        let size = q.size();
        let (s, h, rows, hd) = (
            size[0] as usize,
            size[1] as usize,
            size[2] as usize,
            size[3] as usize,
        );
        let ksize = self.keys.size();
        let padded = ksize[2] as usize * BLOCK;
        let source = self.values.size()[2] as usize;
        assert!(
            ksize[0] as usize == s
                && ksize[1] as usize == h
                && ksize[3] as usize == hd
                && hd % 8 == 0
                && lens.len() == s
                && lens.iter().all(|&l| (1..=source).contains(&l)),
            "half cross-attention: queries {size:?}, keys {ksize:?}, lengths {lens:?}"
        );
        let q = q.to_kind(Kind::Float).contiguous();
        let out = Tensor::zeros(
            [s as i64, h as i64, rows as i64, hd as i64],
            (Kind::Float, q.device()),
        );
        // SAFETY: all four are contiguous CPU tensors of the sizes checked above (q and out f32, keys and
        // values f16), alive for this call; each (sentence, head) pair reads its own slices and writes its own
        // part of `out`.
        let (qs, keys, values, outs) = unsafe {
            (
                std::slice::from_raw_parts(q.data_ptr() as *const f32, s * h * rows * hd),
                std::slice::from_raw_parts(self.keys.data_ptr() as *const u16, s * h * padded * hd),
                std::slice::from_raw_parts(
                    self.values.data_ptr() as *const u16,
                    s * h * source * hd,
                ),
                std::slice::from_raw_parts_mut(out.data_ptr() as *mut f32, s * h * rows * hd),
            )
        };
        let scale = (hd as f32).powf(-0.5);
        // One thread, whatever libtorch's count: split over threads (rayon, or one scoped helper) it measured
        // slower at 2 threads than on one, the helpers competing with libtorch's spinning OpenMP threads.
        let mut scores = Vec::new();
        for (pair, out) in outs.chunks_mut(rows * hd).enumerate() {
            let len = lens[pair / h];
            let head = Head {
                q: &qs[pair * rows * hd..(pair + 1) * rows * hd],
                keys: &keys[pair * padded * hd..(pair + 1) * padded * hd],
                values: &values[pair * source * hd..pair * source * hd + len * hd],
                rows,
                hd,
                len,
                scale,
            };
            scores.resize(rows * len.div_ceil(BLOCK) * BLOCK, 0.0);
            // SAFETY: `HalfKv::new` asserted that the CPU has AVX2, FMA and F16C.
            unsafe { head_avx2(&head, &mut scores, out) };
        }
        out
    }
}

/// One (sentence, head) pair's inputs.
struct Head<'a> {
    /// `[rows, hd]`.
    q: &'a [f32],
    /// `[blocks, hd, BLOCK]` halves.
    keys: &'a [u16],
    /// `[len, hd]` halves.
    values: &'a [u16],
    rows: usize,
    hd: usize,
    len: usize,
    scale: f32,
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,f16c")]
unsafe fn head_avx2(head: &Head, scores: &mut [f32], out: &mut [f32]) {
    use std::arch::x86_64::*;
    let (rows, len) = (head.rows, head.len);
    let width = len.div_ceil(BLOCK) * BLOCK;
    // Scores: rows in groups of up to 4 (one row a sentence in greedy search, its beams in beam search), each
    // group's size a compile-time constant so that no lane computes a row that is not there.
    let mut r0 = 0;
    while r0 < rows {
        let nr = (rows - r0).min(4);
        match nr {
            1 => scores_group::<1>(head, r0, width, scores),
            2 => scores_group::<2>(head, r0, width, scores),
            3 => scores_group::<3>(head, r0, width, scores),
            _ => scores_group::<4>(head, r0, width, scores),
        }
        r0 += nr;
    }
    // Softmax over the first `len` scores of each row; the probabilities replace the scores.
    for r in 0..rows {
        let row = &mut scores[r * width..r * width + len];
        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut sum = 0f32;
        let mut chunks = row.chunks_exact_mut(8);
        let m = _mm256_set1_ps(max);
        let mut vsum = _mm256_setzero_ps();
        for c in &mut chunks {
            let e = exp8(_mm256_sub_ps(_mm256_loadu_ps(c.as_ptr()), m));
            _mm256_storeu_ps(c.as_mut_ptr(), e);
            vsum = _mm256_add_ps(vsum, e);
        }
        for x in chunks.into_remainder() {
            let mut lanes = [0f32; 8];
            lanes[0] = *x - max;
            _mm256_storeu_ps(lanes.as_mut_ptr(), exp8(_mm256_loadu_ps(lanes.as_ptr())));
            *x = lanes[0];
            sum += lanes[0];
        }
        let mut lanes = [0f32; 8];
        _mm256_storeu_ps(lanes.as_mut_ptr(), vsum);
        sum += lanes.iter().sum::<f32>();
        let inv = 1.0 / sum;
        for x in row.iter_mut() {
            *x *= inv;
        }
    }
    // Weighted sum of the values, rows in the same groups.
    let mut r0 = 0;
    while r0 < rows {
        let nr = (rows - r0).min(4);
        match nr {
            1 => values_group::<1>(head, r0, width, scores, out),
            2 => values_group::<2>(head, r0, width, scores, out),
            3 => values_group::<3>(head, r0, width, scores, out),
            _ => values_group::<4>(head, r0, width, scores, out),
        }
        r0 += nr;
    }
}

/// Scores of query rows `r0..r0 + NR` against every key block: 16 keys a block, 2·NR accumulators, each key
/// widened from half once for the group. Writes `scores[r][0..width]` (positions past `len` are padding).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,f16c")]
unsafe fn scores_group<const NR: usize>(head: &Head, r0: usize, width: usize, scores: &mut [f32]) {
    use std::arch::x86_64::*;
    let hd = head.hd;
    // Query dimension d of the group's rows, scaled.
    let mut q = vec![[0f32; NR]; hd];
    for (d, lanes) in q.iter_mut().enumerate() {
        for (j, lane) in lanes.iter_mut().enumerate() {
            *lane = head.q[(r0 + j) * hd + d] * head.scale;
        }
    }
    for b in 0..width / BLOCK {
        let block = head.keys.as_ptr().add(b * hd * BLOCK);
        let mut lo_acc = [_mm256_setzero_ps(); NR];
        let mut hi_acc = [_mm256_setzero_ps(); NR];
        for (d, lanes) in q.iter().enumerate() {
            let k = block.add(d * BLOCK) as *const __m128i;
            let lo = _mm256_cvtph_ps(_mm_loadu_si128(k));
            let hi = _mm256_cvtph_ps(_mm_loadu_si128(k.add(1)));
            for j in 0..NR {
                let x = _mm256_set1_ps(lanes[j]);
                lo_acc[j] = _mm256_fmadd_ps(x, lo, lo_acc[j]);
                hi_acc[j] = _mm256_fmadd_ps(x, hi, hi_acc[j]);
            }
        }
        for j in 0..NR {
            let at = scores.as_mut_ptr().add((r0 + j) * width + b * BLOCK);
            _mm256_storeu_ps(at, lo_acc[j]);
            _mm256_storeu_ps(at.add(8), hi_acc[j]);
        }
    }
}

/// `out[r] = Σ_l p[r][l]·v[l]` for rows `r0..r0 + NR`, 16 dimensions at a time (the last 8 alone when head_dim
/// is not a multiple of 16), each value widened from half once for the group.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,f16c")]
unsafe fn values_group<const NR: usize>(
    head: &Head,
    r0: usize,
    width: usize,
    scores: &[f32],
    out: &mut [f32],
) {
    use std::arch::x86_64::*;
    let (hd, len) = (head.hd, head.len);
    let p: [&[f32]; NR] =
        std::array::from_fn(|j| &scores[(r0 + j) * width..(r0 + j) * width + len]);
    let mut d0 = 0;
    while d0 < hd {
        let two = hd - d0 >= 16;
        let mut lo_acc = [_mm256_setzero_ps(); NR];
        let mut hi_acc = [_mm256_setzero_ps(); NR];
        for l in 0..len {
            let v = head.values.as_ptr().add(l * hd + d0) as *const __m128i;
            let lo = _mm256_cvtph_ps(_mm_loadu_si128(v));
            let hi = if two {
                _mm256_cvtph_ps(_mm_loadu_si128(v.add(1)))
            } else {
                _mm256_setzero_ps()
            };
            for j in 0..NR {
                let x = _mm256_set1_ps(*p[j].get_unchecked(l));
                lo_acc[j] = _mm256_fmadd_ps(x, lo, lo_acc[j]);
                hi_acc[j] = _mm256_fmadd_ps(x, hi, hi_acc[j]);
            }
        }
        for j in 0..NR {
            let at = out.as_mut_ptr().add((r0 + j) * hd + d0);
            _mm256_storeu_ps(at, lo_acc[j]);
            if two {
                _mm256_storeu_ps(at.add(8), hi_acc[j]);
            }
        }
        d0 += if two { 16 } else { 8 };
    }
}

#[cfg(not(target_arch = "x86_64"))]
unsafe fn head_avx2(_: &Head, _: &mut [f32], _: &mut [f32]) {
    unreachable!("half cross-attention needs x86-64 AVX2; available() is false here")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// f32 attention of `q` over the first `len` keys, keys and values rounded to half first.
    fn reference(q: &Tensor, k: &Tensor, v: &Tensor, lens: &[usize]) -> Tensor {
        let k = k.to_kind(Kind::Half).to_kind(Kind::Float);
        let v = v.to_kind(Kind::Half).to_kind(Kind::Float);
        let outs: Vec<Tensor> = lens
            .iter()
            .enumerate()
            .map(|(s, &l)| {
                let (q, k, v) = (q.get(s as i64), k.get(s as i64), v.get(s as i64));
                let (k, v) = (k.narrow(1, 0, l as i64), v.narrow(1, 0, l as i64));
                let hd = q.size()[2] as f64;
                ((q * hd.powf(-0.5)).matmul(&k.transpose(-1, -2)))
                    .softmax(-1, Kind::Float)
                    .matmul(&v)
            })
            .collect();
        Tensor::stack(&outs, 0)
    }

    #[test]
    fn half_attention_equals_f32_attention_on_half_rounded_keys() {
        if !available() {
            eprintln!("skipped: this CPU has no AVX2/FMA/F16C, and the engine does not use the kernel here");
            return;
        }
        tch::manual_seed(7);
        // Rows 1 (greedy), 4 (beam 4), 5 (a group of 4 and one more), 2, 3 and 7 (groups of 2 and 3 rows:
        // every group size the kernel has); lengths on and off the 16-key blocks, one sentence of a single key;
        // head_dim 64 (both models) and 24 (an 8-dims tail).
        for (rows, hd, lens) in [
            (1, 64, vec![37usize, 130, 1]),
            (4, 64, vec![130, 16, 129]),
            (5, 24, vec![3, 64, 50]),
            (2, 64, vec![17, 1, 33]),
            (3, 24, vec![48, 5, 16]),
            (7, 64, vec![20, 9, 1]),
        ] {
            let s = lens.len() as i64;
            let len = *lens.iter().max().unwrap() as i64;
            let q = Tensor::randn([s, 3, rows, hd], (Kind::Float, tch::Device::Cpu)) * 2.0;
            let k = Tensor::randn([s, 3, len, hd], (Kind::Float, tch::Device::Cpu)) * 2.0;
            let v = Tensor::randn([s, 3, len, hd], (Kind::Float, tch::Device::Cpu));
            let want = reference(&q, &k, &v, &lens);
            let got = HalfKv::new(&k, &v).attend(&q, &lens);
            let err = (&got - &want).abs().max().double_value(&[]);
            assert!(
                err < 1e-5,
                "rows {rows}, hd {hd}, lens {lens:?}: max error {err}"
            );
        }
    }

    #[test]
    fn half_attention_keeps_selected_sentences() {
        if !available() {
            return;
        }
        tch::manual_seed(3);
        let k = Tensor::randn([3, 2, 20, 8], (Kind::Float, tch::Device::Cpu));
        let v = Tensor::randn([3, 2, 20, 8], (Kind::Float, tch::Device::Cpu));
        let q = Tensor::randn([3, 2, 4, 8], (Kind::Float, tch::Device::Cpu));
        let lens = [20, 7, 13];
        let all = HalfKv::new(&k, &v);
        let full = all.attend(&q, &lens);
        let keep = Tensor::from_slice(&[2i64, 0]);
        let kept = all
            .select(&keep)
            .attend(&q.index_select(0, &keep), &[13, 20]);
        assert!(kept.equal(&full.index_select(0, &keep)));
    }
}
