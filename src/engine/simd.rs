//! Vector arithmetic shared by the int8 engine's kernels: an 8-lane `exp` ([`exp8`], AVX2 + FMA) and each row's
//! log-sum-exp ([`log_sum_exp_rows`]). Neither is libm's or libtorch's arithmetic (a polynomial `exp` with
//! relative error < 10⁻⁶, sums in 8 lanes), so only the int8 engine uses them: the f32 and fp16 engines keep
//! libtorch's, which is transformers'.

/// Whether the CPU has AVX2 and FMA (the vector path of [`log_sum_exp_rows`]).
pub fn avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// `ln Σⱼ exp(x[r, j])` of each row of `data` (rows of `width`): the maximum, then the sum of `exp(x − max)`
/// (AVX2 + FMA where the CPU has them, libm otherwise). A row whose maximum is −∞ (every entry banned) gives −∞.
/// NaN entries, which finite logits never give, are skipped by the maximum; the vector path's `exp` then counts
/// them as ~10⁻³⁸ (as [`top_k_rows`](super::generate) counts them as −∞), libm's path carries them into the sum.
pub fn log_sum_exp_rows(data: &[f32], width: usize) -> Vec<f32> {
    if width == 0 {
        return Vec::new();
    }
    data.chunks_exact(width)
        .map(|row| {
            let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            if max == f32::NEG_INFINITY || !max.is_finite() {
                return max;
            }
            #[cfg(target_arch = "x86_64")]
            {
                if avx2_fma() {
                    // SAFETY: the CPU has AVX2 and FMA (checked on the line above).
                    return max + unsafe { sum_exp_avx2(row, max) }.ln();
                }
            }
            max + row.iter().map(|&x| (x - max).exp()).sum::<f32>().ln()
        })
        .collect()
}

/// `Σ exp(x − max)` over `row` (every `x − max ≤ 0`).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn sum_exp_avx2(row: &[f32], max: f32) -> f32 {
    use std::arch::x86_64::*;
    let m = _mm256_set1_ps(max);
    let mut acc = [_mm256_setzero_ps(); 4];
    let mut blocks = row.chunks_exact(32);
    for b in &mut blocks {
        for (j, a) in acc.iter_mut().enumerate() {
            let x = _mm256_loadu_ps(b.as_ptr().add(8 * j));
            *a = _mm256_add_ps(*a, exp8(_mm256_sub_ps(x, m)));
        }
    }
    let mut sum = 0f32;
    for x in blocks.remainder() {
        let mut lanes = [0f32; 8];
        lanes[0] = *x - max;
        _mm256_storeu_ps(lanes.as_mut_ptr(), exp8(_mm256_loadu_ps(lanes.as_ptr())));
        sum += lanes[0];
    }
    let total = _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]));
    let mut lanes = [0f32; 8];
    _mm256_storeu_ps(lanes.as_mut_ptr(), total);
    sum + lanes.iter().sum::<f32>()
}

/// `exp(x)` of 8 lanes (x ≤ 0 here; clamped at −87.3, so what is below ~10⁻³⁸ comes out as ~10⁻³⁸, which no
/// softmax sum notices): `x = n·ln2 + r`, |r| ≤ ln2/2, a degree-6 polynomial
/// for `e^r` (Cephes' `expf` coefficients), then `2ⁿ` put into the exponent bits.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
pub(crate) unsafe fn exp8(x: std::arch::x86_64::__m256) -> std::arch::x86_64::__m256 {
    use std::arch::x86_64::*;
    let x = _mm256_max_ps(x, _mm256_set1_ps(-87.3));
    let n = _mm256_round_ps(
        _mm256_mul_ps(x, _mm256_set1_ps(std::f32::consts::LOG2_E)),
        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC,
    );
    // r = x − n·ln2 in two parts (Cody–Waite), so that r keeps its low bits.
    let r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693_359_4), x);
    let r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.121_944_4e-4), r);
    let mut p = _mm256_set1_ps(1.987_569_1e-4);
    for c in [
        1.398_199_9e-3,
        8.333_452e-3,
        4.166_579_6e-2,
        1.666_666_5e-1,
        5e-1,
    ] {
        p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(c));
    }
    let r2 = _mm256_mul_ps(r, r);
    let e = _mm256_add_ps(_mm256_fmadd_ps(p, r2, r), _mm256_set1_ps(1.0));
    let pow2 = _mm256_slli_epi32(
        _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)),
        23,
    );
    _mm256_mul_ps(e, _mm256_castsi256_ps(pow2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn exp8_matches_libm() {
        if !avx2_fma() {
            return;
        }
        let xs: Vec<f32> = (0..4000).map(|i| -87.0 * i as f32 / 3999.0).collect();
        let mut worst = 0f64;
        for c in xs.chunks_exact(8) {
            let mut out = [0f32; 8];
            // SAFETY: `avx2_fma()` checked above.
            unsafe {
                use std::arch::x86_64::*;
                _mm256_storeu_ps(out.as_mut_ptr(), exp8(_mm256_loadu_ps(c.as_ptr())));
            }
            for (x, y) in c.iter().zip(out) {
                let want = (*x as f64).exp();
                worst = worst.max(((y as f64) - want).abs() / want);
            }
        }
        assert!(worst < 1e-6, "worst relative error {worst}");
    }

    /// Against f64 log-sum-exp, on rows of the output projection's width with banned (−∞) entries, a row that
    /// is all banned, and widths off the 32-lane blocks.
    #[test]
    fn log_sum_exp_rows_matches_f64() {
        tch::manual_seed(5);
        for width in [59514usize, 50265, 7, 33] {
            let uniform =
                tch::Tensor::rand([3 * width as i64], (tch::Kind::Float, tch::Device::Cpu));
            let mut data = Vec::<f32>::try_from(uniform * 30.0 - 20.0).unwrap();
            data[1] = f32::NEG_INFINITY;
            for x in &mut data[2 * width..] {
                *x = f32::NEG_INFINITY;
            }
            let got = log_sum_exp_rows(&data, width);
            for (r, row) in data.chunks_exact(width).enumerate() {
                let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
                if max == f64::NEG_INFINITY {
                    assert_eq!(got[r], f32::NEG_INFINITY, "width {width}, all-banned row");
                    continue;
                }
                let want = max
                    + row
                        .iter()
                        .map(|&x| (x as f64 - max).exp())
                        .sum::<f64>()
                        .ln();
                let err = (got[r] as f64 - want).abs();
                assert!(
                    err < 1e-5 * want.abs().max(1.0),
                    "width {width}, row {r}: {} vs {want}",
                    got[r]
                );
            }
        }
    }
}
