//! The engine's building blocks: linear layers (f32, fp16 weights or int8 through fbgemm), layer norm,
//! activations.
//!
//! fp16: each weight is rounded to IEEE half precision once, at load (`fbgemm_pack_gemm_matrix_fp16`, round to
//! nearest, values beyond ±65,504 saturated), and multiplied with f32 activations by fbgemm's fp16 GEMM
//! (`fbgemm_linear_fp16_weight_fp32_activation`): the half-precision weights are widened to f32 in registers
//! (`vcvtph2ps`) and summed with f32 FMAs, so the only rounding f32 does not have is the weights' own (relative
//! error ≤ 2⁻¹¹ per weight). fbgemm has the kernel for AVX2 and AVX-512 alike ([`fp16_path`]). libtorch 2.4 runs
//! this op on one thread whatever `tch::set_num_threads` says (`cblas_gemm_compute` without a thread count). The
//! linear layers' weights take half the bytes of f32 (the embedding table stays f32 for the lookups; the output
//! projection is an fp16 copy of it, as int8's is an int8 one).
//!
//! int8: libtorch 2.4 exposes fbgemm's int8 GEMM with f32 activations
//! (`fbgemm_linear_int8_weight_fp32_activation`, dynamic per-call quantization of the input to u8) but not the
//! weight quantizer, so the weight is quantized here: symmetric per row (each row divided by its own scale,
//! `q = round(w / s_row)`), passed to the per-tensor op with scale 1 and zero point 0, and the output columns
//! multiplied back by `s_row` (fbgemm's `col_offsets[n] = Σ_k q[n,k]` then corrects for the activations' zero
//! point).
//!
//! The op quantizes its whole input with one range, so a row's numbers would depend on the rows batched with
//! it (measured: 44–46 of 64 benchmark sentences kept their translation when batched 64 or 5 at a time instead
//! of 16). Each activation row is therefore mapped onto [−1, 1] by its own minimum and maximum and followed by
//! two marker columns +1 and −1 (zero weights), which pin the op's range to exactly [−1, 1]: every row is
//! quantized on all 256 levels of its own range, and the output is put back as
//! `s_row·(half·y + mid·Σₖq) + bias` ([`unit_rows`], [`rescale`]). Same speed (one pass over the input and one
//! over the output, which the row scales needed anyway); 56–60 of 64 sentences then keep their translation
//! across batchings (the rest: last-bit differences of the f32 parts, padding included, that move a value
//! across a rounding boundary), and more sentences equal float's.
//!
//! The ISA matters ([`int8_path`]). With AVX-512 VNNI (`vpdpbusd`) fbgemm sums u8·s8 products in int32 exactly.
//! Without it (AVX2, and AVX-512 without VNNI) it multiplies adjacent pairs along K with `vpmaddubsw`, which
//! saturates at int16: `a₀q₀ + a₁q₁` with activations up to 255 and full-range weights reaches 65,280, and
//! sums come out wrong (measured: 20–64 % worst relative error per layer). A probe GEMM at the first int8 load
//! finds out which the kernel does. On a saturating kernel each row's scale is chosen so that every pair
//! satisfies `|q₂ᵢ| + |q₂ᵢ₊₁| ≤ 128` (255·128 = 32,640 fits): *pair-limited* 8-bit weights, exact on every
//! kernel, losing less precision than 7-bit weights or PyTorch's `reduce_range` (7-bit activations), both of
//! which measured about twice the VNNI path's error here.
use crate::{Error, Result};
use tch::{Kind, Scalar, Tensor};

/// Numeric precision of the linear layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// f32 everywhere: the reference numbers.
    Float,
    /// Linear layers (attention, feed-forward, output projection) in int8 with f32 activations; the decoder's
    /// cross-attention keys/values in half precision ([`super::attention`]).
    Int8,
    /// The same linear layers with fp16 weights (rounded once at load) and f32 activations and sums.
    Fp16,
}

/// A linear layer `y = x·Wᵀ + b`.
pub enum Linear {
    Float {
        weight: Tensor,
        bias: Option<Tensor>,
    },
    Int8 {
        /// Zero-size stand-in with the packed weight's shape `[out, in + 2]`: fbgemm only reads its sizes.
        shape: Tensor,
        packed: Tensor,
        col_offsets: Tensor,
        /// Zeros `[out]`: fbgemm's own bias input (the bias is added after the scales, see [`rescale`]).
        zeros: Tensor,
        /// Per-output-row scale `s_row` the rows were divided by before rounding.
        row_scale: Vec<f32>,
        /// `Σₖ q[n, k]` per output row, as f32 (exact: well below 2²⁴).
        row_sum: Vec<f32>,
        /// The bias, or zeros.
        bias: Vec<f32>,
    },
    Fp16 {
        /// fbgemm's packed half-precision weight (`PackedGemmMatrixFP16`).
        packed: Tensor,
        /// The bias, or zeros `[out]`: the op needs a tensor.
        bias: Tensor,
    },
}

/// How fbgemm's int8 GEMM sums u8·s8 products on this CPU, as the probe found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Int8Kernel {
    /// Exact int32 accumulation (AVX-512 VNNI `vpdpbusd`): full-range 8-bit weights.
    Exact,
    /// Pairs summed in saturating int16 (`vpmaddubsw`, AVX2 and AVX-512 without VNNI): pair-limited weights.
    Saturating,
}

impl Int8Kernel {
    /// The weight quantization this kernel computes exactly.
    pub fn weights(self) -> WeightScheme {
        match self {
            Int8Kernel::Exact => WeightScheme::Full,
            Int8Kernel::Saturating => WeightScheme::PairLimited,
        }
    }
}

/// How a row of weights is mapped to int8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightScheme {
    /// `s_row = max|w| / 127`: the whole [-127, 127].
    Full,
    /// `s_row` also ≥ max over pairs (|w₂ᵢ| + |w₂ᵢ₊₁|) / 128, so no pair of products overflows int16.
    PairLimited,
}

impl WeightScheme {
    fn name(self) -> &'static str {
        match self {
            WeightScheme::Full => "8-bit weights",
            WeightScheme::PairLimited => "pair-limited 8-bit weights",
        }
    }
}

/// The CPU's vector ISA and the int8 kernel fbgemm runs on it (reported by `tandem models` and the run report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Int8Path {
    /// The widest x86 integer dot-product ISA the CPU has: `avx512_vnni`, `avx512`, `avx2`, or `other`.
    pub isa: &'static str,
    /// What the probe found fbgemm's kernel doing (it can be forced below the CPU's ISA with
    /// `FBGEMM_ENABLE_INSTRUCTIONS=AVX2`).
    pub kernel: Int8Kernel,
}

impl Int8Path {
    /// One line, e.g. `avx2 CPU; fbgemm int8 with int16-saturating pairs: pair-limited 8-bit weights`.
    pub fn describe(&self) -> String {
        let how = match self.kernel {
            Int8Kernel::Exact => "exact int32 accumulation",
            Int8Kernel::Saturating => "int16-saturating pairs",
        };
        format!(
            "{} CPU; fbgemm int8 with {how}: {}",
            self.isa,
            self.kernel.weights().name()
        )
    }
}

/// The CPU's widest integer dot-product ISA, by name.
pub fn cpu_isa() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    {
        let avx512 = std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw");
        if avx512 && std::arch::is_x86_feature_detected!("avx512vnni") {
            return "avx512_vnni";
        }
        if avx512 {
            return "avx512";
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            return "avx2";
        }
    }
    "other"
}

/// The fp16 kernel fbgemm runs in this process, in one line, e.g. `avx512_vnni CPU; fbgemm fp16 weights,
/// AVX-512 kernel`. Nothing fbgemm exposes reports the choice, so this follows fbgemm's own rule
/// (`fbgemmInstructionSet`): AVX-512 kernels where the CPU has AVX-512 F, BW, DQ and VL, AVX2 kernels where it
/// has AVX2; `FBGEMM_ENABLE_INSTRUCTIONS` (`AVX2`, `AVX512`, `AVX512_E1`, `AVX512_256`, `AVX512_E1_256`) picks a
/// set the CPU supports instead. (fbgemm's opt-in `FBGEMM_ENABLE_AVX512_256` for Xeon D is not followed.)
pub fn fp16_path() -> String {
    let isa = cpu_isa();
    #[cfg(target_arch = "x86_64")]
    let (avx512, avx2) = (
        std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512dq")
            && std::arch::is_x86_feature_detected!("avx512vl"),
        std::arch::is_x86_feature_detected!("avx2"),
    );
    #[cfg(not(target_arch = "x86_64"))]
    let (avx512, avx2) = (false, false);
    let forced = std::env::var("FBGEMM_ENABLE_INSTRUCTIONS")
        .unwrap_or_default()
        .to_uppercase();
    let vnni = isa == "avx512_vnni";
    let kernel = match forced.as_str() {
        _ if !avx512 && !avx2 => "no fbgemm kernel",
        _ if !avx512 => "AVX2 kernel",
        "AVX2" => "AVX2 kernel",
        "AVX512_256" => "AVX-512 kernel on 256-bit registers",
        "AVX512_E1_256" if vnni => "AVX-512 kernel on 256-bit registers",
        _ => "AVX-512 kernel",
    };
    format!("{isa} CPU; fbgemm fp16 weights, {kernel}")
}

/// The int8 path of this process: probed once (a GEMM whose exact sum a saturating kernel cannot produce).
/// `Err` when this libtorch cannot run fbgemm's int8 GEMM at all.
pub fn int8_path() -> Result<Int8Path> {
    static PATH: std::sync::OnceLock<std::result::Result<Int8Path, String>> =
        std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        let kernel = probe_kernel().map_err(|e| e.to_string())?;
        Ok(Int8Path {
            isa: cpu_isa(),
            kernel,
        })
    })
    .clone()
    .map_err(|reason| Error::Generation {
        stage: "int8".into(),
        reason,
    })
}

/// All-(−1) weights (quantized to −127) times all-ones activations (quantized to 255): every pair of products
/// is −64,770, beyond int16, so a saturating kernel returns about −32 instead of −64 per output.
fn probe_kernel() -> Result<Int8Kernel> {
    let (n, k) = (16, 64);
    let weight = Tensor::full([n, k], -1.0, (Kind::Float, tch::Device::Cpu));
    let Linear::Int8 {
        shape,
        packed,
        col_offsets,
        zeros,
        ..
    } = quantize(&weight, None, WeightScheme::Full)?
    else {
        unreachable!("quantize makes int8 layers")
    };
    // Straight to fbgemm (the layer's own input mapping would add a −1 marker): every activation is 255, every
    // weight −127; the two marker columns' weights are zero.
    let x = Tensor::ones([1, k + 2], (Kind::Float, tch::Device::Cpu));
    let y = fbgemm_int8(&x, &shape, &packed, &col_offsets, &zeros);
    let exact = 127.0 * k as f64;
    let worst = (y + exact).abs().max().double_value(&[]);
    Ok(if worst / exact < 0.01 {
        Int8Kernel::Exact
    } else {
        Int8Kernel::Saturating
    })
}

impl Linear {
    /// A layer from an f32 weight `[out, in]` and bias, in the given precision (int8 with the weight scheme the
    /// CPU's kernel computes exactly, see [`int8_path`]).
    pub fn new(weight: Tensor, bias: Option<Tensor>, precision: Precision) -> Result<Linear> {
        match precision {
            Precision::Float => Ok(Linear::Float { weight, bias }),
            Precision::Int8 => quantize(&weight, bias, int8_path()?.kernel.weights()),
            Precision::Fp16 => pack_fp16(&weight, bias),
        }
    }

    /// Applies the layer to `x` (`[..., in]`).
    pub fn forward(&self, x: &Tensor) -> Tensor {
        match self {
            Linear::Float { weight, bias } => x.linear(weight, bias.as_ref()),
            Linear::Int8 {
                shape,
                packed,
                col_offsets,
                zeros,
                row_scale,
                row_sum,
                bias,
            } => {
                let (x_unit, ranges) = unit_rows(x);
                let y = fbgemm_int8(&x_unit, shape, packed, col_offsets, zeros);
                rescale(&y, &ranges, row_scale, row_sum, bias);
                y
            }
            Linear::Fp16 { packed, bias } => {
                x.fbgemm_linear_fp16_weight_fp32_activation(packed, bias)
            }
        }
    }
}

/// Quantizes `weight` per row, symmetric, by `scheme` (see the module doc).
fn quantize(weight: &Tensor, bias: Option<Tensor>, scheme: WeightScheme) -> Result<Linear> {
    let size = weight.size();
    if size.len() != 2 {
        return Err(Error::Generation {
            stage: "int8".into(),
            reason: format!("int8 linear needs a 2-D weight, got {size:?}"),
        });
    }
    let (n, k) = (size[0], size[1]);
    let weight = weight.to_kind(Kind::Float).contiguous();
    let abs = weight.abs();
    let mut row_scale = abs.amax([1].as_slice(), true) / 127.0;
    if scheme == WeightScheme::PairLimited {
        // Pairs (2i, 2i+1) along K, as vpmaddubsw forms them; an odd last column pairs with fbgemm's zero padding.
        let padded = if k % 2 == 1 {
            abs.constant_pad_nd([0, 1])
        } else {
            abs.shallow_clone()
        };
        let pairs = padded
            .view([n, -1, 2])
            .sum_dim_intlist([2].as_slice(), false, Kind::Float);
        row_scale = row_scale.maximum(&(pairs.amax([1].as_slice(), true) / 128.0));
    }
    let row_scale = row_scale.clamp_min(1e-12).to_kind(Kind::Float);
    // In place, so that quantizing the output projection (the largest matrix) holds one f32 temporary only.
    let mut q = &weight / &row_scale;
    let _ = q.round_();
    let _ = q.clamp_(-127.0, 127.0);
    let q = q.to_kind(Kind::Int8);
    let col_offsets = q
        .sum_dim_intlist([1].as_slice(), false, Kind::Int)
        .to_kind(Kind::Int)
        .contiguous();
    // Two zero columns for the activations' two range markers (see [`unit_rows`]).
    let q = Tensor::cat(
        &[q, Tensor::zeros([n, 2], (Kind::Int8, tch::Device::Cpu))],
        1,
    );
    let packed = q
        .f_fbgemm_pack_quantized_matrix()
        .map_err(|e| Error::Generation {
            stage: "int8".into(),
            reason: format!(
                "fbgemm int8 packing failed ({e}); this libtorch may lack fbgemm: use --engine tandem"
            ),
        })?;
    let floats = |t: &Tensor| -> Result<Vec<f32>> {
        Vec::<f32>::try_from(t.to_kind(Kind::Float).reshape([n])).map_err(|e| Error::Generation {
            stage: "int8".into(),
            reason: format!("reading the quantized weight's scales: {e}"),
        })
    };
    Ok(Linear::Int8 {
        shape: Tensor::zeros([1, 1], (Kind::Int8, tch::Device::Cpu)).expand([n, k + 2], false),
        packed,
        row_sum: floats(&col_offsets)?,
        col_offsets,
        zeros: Tensor::zeros([n], (Kind::Float, tch::Device::Cpu)),
        row_scale: floats(&row_scale)?,
        bias: match bias {
            Some(b) => floats(&b)?,
            None => vec![0.0; n as usize],
        },
    })
}

/// fbgemm's int8 GEMM with f32 in and out (`x` `[..., in + 2]` contiguous): the input quantized to u8 with one
/// scale and zero point from its minimum and maximum, integer products summed on the probed kernel, the sums
/// scaled back to f32.
fn fbgemm_int8(
    x: &Tensor,
    shape: &Tensor,
    packed: &Tensor,
    col_offsets: &Tensor,
    zeros: &Tensor,
) -> Tensor {
    x.fbgemm_linear_int8_weight_fp32_activation(
        shape,
        packed,
        col_offsets,
        Scalar::float(1.0),
        Scalar::int(0),
        zeros,
    )
}

/// Each row of `x` (`[..., in]`) mapped onto [−1, 1] by its own range (`x = mid + half·u`), followed by the two
/// markers +1 and −1, so that fbgemm's one quantization range is exactly [−1, 1] whatever the other rows hold:
/// every row is quantized by its own minimum and maximum (all 256 levels), and its output does not depend on
/// the rows it is batched with. Returns `[..., in + 2]` and each row's `(mid, half)`.
fn unit_rows(x: &Tensor) -> (Tensor, Vec<(f32, f32)>) {
    let x = x.to_kind(Kind::Float).contiguous();
    let mut size = x.size();
    let k = size.pop().unwrap_or(1).max(1) as usize;
    let rows = x.numel() / k;
    let mut out_size = size.clone();
    out_size.push(k as i64 + 2);
    let out = Tensor::empty(out_size.as_slice(), (Kind::Float, tch::Device::Cpu));
    // SAFETY: `x` is a contiguous CPU f32 tensor of rows·k elements, borrowed (and not written) for the loop.
    let src = unsafe { std::slice::from_raw_parts(x.data_ptr() as *const f32, rows * k) };
    // SAFETY: `out` is a fresh contiguous f32 tensor of rows·(k + 2) elements, written only through this slice.
    let dst = unsafe { std::slice::from_raw_parts_mut(out.data_ptr() as *mut f32, rows * (k + 2)) };
    let mut ranges = Vec::with_capacity(rows);
    for (row, unit) in src.chunks_exact(k).zip(dst.chunks_exact_mut(k + 2)) {
        let (lo, hi) = row
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        let mid = 0.5 * lo + 0.5 * hi;
        let half = 0.5 * hi - 0.5 * lo;
        let half = if half > 0.0 && half.is_finite() {
            half
        } else {
            1.0
        };
        let inv = 1.0 / half;
        for (u, &v) in unit.iter_mut().zip(row) {
            *u = ((v - mid) * inv).clamp(-1.0, 1.0);
        }
        unit[k] = 1.0;
        unit[k + 1] = -1.0;
        ranges.push((mid, half));
    }
    (out, ranges)
}

/// `y[r, n] ← s_row[n]·(half_r·y[r, n] + mid_r·Σₖq[n, k]) + bias[n]`, in place: back from the unit rows of
/// [`unit_rows`] and the integer weights to the layer's output.
fn rescale(y: &Tensor, ranges: &[(f32, f32)], row_scale: &[f32], row_sum: &[f32], bias: &[f32]) {
    let n = row_scale.len();
    let total = ranges.len() * n;
    assert!(
        y.kind() == Kind::Float && y.is_contiguous() && y.numel() == total,
        "int8 output {:?} for {} rows of {n}",
        y.size(),
        ranges.len()
    );
    // SAFETY: `y` is a contiguous CPU f32 tensor of rows·n elements (asserted above), which this function
    // alone writes while the slice lives.
    let out = unsafe { std::slice::from_raw_parts_mut(y.data_ptr() as *mut f32, total) };
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked on the line above).
            return unsafe { rescale_avx2(out, ranges, row_scale, row_sum, bias) };
        }
    }
    rescale_rows(out, ranges, row_scale, row_sum, bias)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn rescale_avx2(
    out: &mut [f32],
    ranges: &[(f32, f32)],
    row_scale: &[f32],
    row_sum: &[f32],
    bias: &[f32],
) {
    rescale_rows(out, ranges, row_scale, row_sum, bias)
}

#[inline(always)]
fn rescale_rows(
    out: &mut [f32],
    ranges: &[(f32, f32)],
    row_scale: &[f32],
    row_sum: &[f32],
    bias: &[f32],
) {
    let n = row_scale.len();
    for (row, &(mid, half)) in out.chunks_exact_mut(n).zip(ranges) {
        for (((y, &s), &q), &b) in row.iter_mut().zip(row_scale).zip(row_sum).zip(bias) {
            *y = s * (half * *y + mid * q) + b;
        }
    }
}

/// Rounds `weight` (`[out, in]`) to fp16 in fbgemm's packed layout (see the module doc).
fn pack_fp16(weight: &Tensor, bias: Option<Tensor>) -> Result<Linear> {
    let size = weight.size();
    if size.len() != 2 {
        return Err(Error::Generation {
            stage: "fp16".into(),
            reason: format!("fp16 linear needs a 2-D weight, got {size:?}"),
        });
    }
    // A fresh tensor: fbgemm saturates the matrix it is given in place, and the output projection's weight is
    // the embedding table itself. The clamp is that saturation, done here on the copy.
    let weight = weight.to_kind(Kind::Float).clamp(-65504.0, 65504.0);
    let packed = weight
        .f_fbgemm_pack_gemm_matrix_fp16()
        .map_err(|e| Error::Generation {
            stage: "fp16".into(),
            reason: format!(
                "fbgemm fp16 packing failed ({e}); this libtorch may lack fbgemm: use --engine tandem"
            ),
        })?;
    let bias = match bias {
        Some(b) => b.to_kind(Kind::Float).contiguous(),
        None => Tensor::zeros([size[0]], (Kind::Float, tch::Device::Cpu)),
    };
    Ok(Linear::Fp16 { packed, bias })
}

/// Layer normalization over the last dimension (eps 1e-5, as BART and Marian use).
pub struct LayerNorm {
    pub weight: Tensor,
    pub bias: Tensor,
    dim: i64,
}

impl LayerNorm {
    pub fn new(weight: Tensor, bias: Tensor) -> LayerNorm {
        let dim = weight.size().first().copied().unwrap_or(0);
        LayerNorm { weight, bias, dim }
    }

    pub fn forward(&self, x: &Tensor) -> Tensor {
        x.layer_norm([self.dim], Some(&self.weight), Some(&self.bias), 1e-5, true)
    }
}

/// The feed-forward activation named by config.json's `activation_function`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    Gelu,
    GeluTanh,
    Relu,
    Silu,
}

impl Activation {
    pub fn from_name(name: &str) -> Option<Activation> {
        Some(match name {
            "gelu" => Activation::Gelu,
            "gelu_new" | "gelu_pytorch_tanh" => Activation::GeluTanh,
            "relu" => Activation::Relu,
            "swish" | "silu" => Activation::Silu,
            _ => return None,
        })
    }

    pub fn forward(self, x: &Tensor) -> Tensor {
        match self {
            Activation::Gelu => x.gelu("none"),
            Activation::GeluTanh => x.gelu("tanh"),
            Activation::Relu => x.relu(),
            Activation::Silu => x.silu(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worst relative error per output column against f32: weight rows spanning 60× in scale, activations of
    /// both signs with a few large ones (as a layer norm's output has), at two shapes.
    fn worst_relative_error(scheme: Option<WeightScheme>, seed: i64, shape: (i64, i64)) -> f64 {
        worst_error_against(
            seed,
            shape,
            |w| w.shallow_clone(),
            |weight, bias| match scheme {
                Some(scheme) => quantize(&weight, Some(bias), scheme).unwrap(),
                None => Linear::new(weight, Some(bias), Precision::Int8).unwrap(),
            },
        )
    }

    /// The same measure for the layer `build` makes, against an f32 layer whose weight is `reference(weight)`.
    fn worst_error_against(
        seed: i64,
        (n, k): (i64, i64),
        reference: impl FnOnce(&Tensor) -> Tensor,
        build: impl FnOnce(Tensor, Tensor) -> Linear,
    ) -> f64 {
        let cpu = (Kind::Float, tch::Device::Cpu);
        // libtorch's generator is one per process: without the lock, tests running in parallel draw from each
        // other's seeds and the logged errors change from run to run.
        let (weight, bias, x) = {
            let _rng = RNG.lock().unwrap_or_else(|e| e.into_inner());
            tch::manual_seed(seed);
            let weight =
                Tensor::randn([n, k], cpu) * Tensor::linspace(0.05, 3.0, n, cpu).unsqueeze(1);
            (
                weight,
                Tensor::randn([n], cpu),
                Tensor::randn([5, 3, k], cpu) * 2.0,
            )
        };
        let float = x.linear(&reference(&weight), Some(&bias));
        let layer = build(weight, bias);
        let got = layer.forward(&x);
        assert_eq!(got.size(), vec![5, 3, n]);
        let err = (&got - &float).abs().amax([0, 1].as_slice(), false);
        let scale = float.abs().amax([0, 1].as_slice(), false);
        (err / scale).max().double_value(&[])
    }

    static RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

    /// A row's int8 output is the same bits whatever rows share its call: rows of very different ranges
    /// (one 1,000× larger, one constant, one all-positive) computed together and one at a time.
    #[test]
    fn int8_rows_do_not_depend_on_their_batch() {
        let cpu = (Kind::Float, tch::Device::Cpu);
        let (weight, x) = {
            let _rng = RNG.lock().unwrap_or_else(|e| e.into_inner());
            tch::manual_seed(11);
            let x = Tensor::randn([4, 64], cpu);
            let _ = x.get(1).g_mul_scalar_(1000.0);
            let _ = x.get(2).fill_(0.5);
            let _ = x.get(3).abs_();
            (Tensor::randn([96, 64], cpu), x)
        };
        let layer = Linear::new(
            weight.shallow_clone(),
            Some(Tensor::randn([96], cpu)),
            Precision::Int8,
        )
        .unwrap();
        let together = layer.forward(&x);
        for r in 0..4 {
            let alone = layer.forward(&x.narrow(0, r, 1));
            assert!(
                alone.equal(&together.narrow(0, r, 1)),
                "row {r} changed with its batch"
            );
        }
        // And each row is close to float, the large and the constant one included.
        let float = x.linear(&weight, None::<&Tensor>);
        let bias_free = Linear::new(weight, None, Precision::Int8)
            .unwrap()
            .forward(&x);
        let err = (&bias_free - &float).abs().amax([1].as_slice(), false);
        let scale = float.abs().amax([1].as_slice(), false);
        let worst = (err / scale).max().double_value(&[]);
        assert!(worst < 0.03, "worst relative error per row {worst}");
    }

    const SHAPES: [(i64, i64); 3] = [(96, 64), (512, 512), (96, 63)];

    /// The path this machine takes (probed), within the bound the exact VNNI kernel meets with full-range
    /// weights (0.03 here; measured 0.020–0.024 on the 96×64 cases), on whichever kernel this CPU runs. Prints
    /// the path, so a log says which one was tested.
    #[test]
    fn int8_linear_is_close_to_float() {
        let path = int8_path().unwrap();
        for (seed, shape) in [(7, SHAPES[0]), (8, SHAPES[0]), (9, SHAPES[2])] {
            let worst = worst_relative_error(None, seed, shape);
            eprintln!(
                "int8 path: {}; {shape:?} seed {seed}: worst relative error {worst:.4}",
                path.describe()
            );
            assert!(
                worst < 0.03,
                "{}: worst relative error {worst}",
                path.describe()
            );
        }
    }

    /// Pair-limited weights are right on either kernel and close to full-range ones; full-range weights are
    /// right only where the probe found exact sums, and far off where it found saturation — so the probe's
    /// verdict is what decides correctness.
    #[test]
    fn weight_schemes_match_the_probed_kernel() {
        let path = int8_path().unwrap();
        for (seed, shape) in [(7, SHAPES[0]), (8, SHAPES[1]), (9, SHAPES[2])] {
            let pair = worst_relative_error(Some(WeightScheme::PairLimited), seed, shape);
            let full = worst_relative_error(Some(WeightScheme::Full), seed, shape);
            eprintln!(
                "int8 path: {}; {shape:?} seed {seed}: pair-limited {pair:.4}, full-range {full:.4}",
                path.describe()
            );
            let bound = if shape == SHAPES[1] { 0.05 } else { 0.03 };
            assert!(pair < bound, "pair-limited weights: {pair}");
            match path.kernel {
                Int8Kernel::Exact => assert!(full < bound, "full-range on an exact kernel: {full}"),
                Int8Kernel::Saturating => {
                    assert!(full > 0.1, "full-range on a saturating kernel: {full}")
                }
            }
        }
    }
    fn fp16_layer(weight: Tensor, bias: Tensor) -> Linear {
        Linear::new(weight, Some(bias), Precision::Fp16).unwrap()
    }

    /// fp16 weights against f32, on the kernel this process runs (named in the log): the weights' rounding
    /// (≤ 2⁻¹¹ relative each) is all that differs, so the worst relative error per output column stays far below
    /// int8's (bound 1e-3; measured in the log). Against an f32 layer with the weights rounded to fp16 beforehand
    /// it is only the f32 summation order (bound 1e-5): the activations and sums are f32, not half.
    #[test]
    fn fp16_linear_is_close_to_float() {
        let path = fp16_path();
        let mut worst_seen: f64 = 0.0;
        for (seed, shape) in [
            (7, SHAPES[0]),
            (8, SHAPES[1]),
            (9, SHAPES[2]),
            (10, (2048, 512)),
        ] {
            let worst = worst_error_against(seed, shape, |w| w.shallow_clone(), fp16_layer);
            let rounded = worst_error_against(
                seed,
                shape,
                |w| w.to_kind(Kind::Half).to_kind(Kind::Float),
                fp16_layer,
            );
            eprintln!(
                "fp16 path: {path}; {shape:?} seed {seed}: worst relative error {worst:.2e} against f32, \
                 {rounded:.2e} against f32 with fp16-rounded weights"
            );
            assert!(worst < 1e-3, "{path}: {shape:?}: {worst}");
            assert!(
                worst > 0.0,
                "{path}: {shape:?}: fp16 weights equal f32 exactly?"
            );
            assert!(rounded < 1e-5, "{path}: {shape:?}: {rounded}");
            worst_seen = worst_seen.max(worst);
        }
        eprintln!("fp16 path: {path}; worst over shapes {worst_seen:.2e}");
    }

    /// Without a bias the fp16 layer adds zeros; it does not change the weight it was given (fbgemm saturates
    /// its input in place, and the output projection's weight is the embedding table); weights beyond fp16's
    /// range saturate at ±65,504.
    #[test]
    fn fp16_linear_without_bias_leaves_its_weight_alone() {
        let cpu = (Kind::Float, tch::Device::Cpu);
        let weight = {
            let _rng = RNG.lock().unwrap_or_else(|e| e.into_inner());
            tch::manual_seed(3);
            Tensor::randn([40, 24], cpu)
        };
        let _ = weight.get(0).get(0).fill_(1e6);
        let kept = weight.copy();
        let layer = Linear::new(weight.shallow_clone(), None, Precision::Fp16).unwrap();
        assert!(weight.equal(&kept), "the weight was modified");
        let x = Tensor::zeros([2, 24], cpu);
        let _ = x.get(0).get(0).fill_(1.0);
        let y = layer.forward(&x);
        assert_eq!(y.size(), vec![2, 40]);
        assert_eq!(y.double_value(&[0, 0]), 65504.0);
        // Row 0 of x picks column 0 of the weight: the other outputs are those weights, rounded to fp16.
        let rounded = weight
            .select(1, 0)
            .narrow(0, 1, 39)
            .to_kind(Kind::Half)
            .to_kind(Kind::Float);
        assert!(y.get(0).narrow(0, 1, 39).equal(&rounded));
        assert_eq!(y.get(1).abs().max().double_value(&[]), 0.0);
    }

    /// Not a check, a measurement (`cargo test --release --lib fp16_decode_shape_timings -- --ignored
    /// --nocapture`): one decode step's GEMMs, 4 rows (greedy over 4 sentences, or one sentence's 4 beams) through
    /// a Marian output projection ([59514, 512]) and a feed-forward layer ([2048, 512]), f32 vs fp16 vs int8, on
    /// one thread. Best of several rounds; prints the times and ratios only.
    #[test]
    #[ignore]
    fn fp16_decode_shape_timings() {
        let cpu = (Kind::Float, tch::Device::Cpu);
        let _guard = tch::no_grad_guard();
        tch::set_num_threads(1);
        for (name, n, k) in [("output projection", 59514, 512), ("ffn fc1", 2048, 512)] {
            tch::manual_seed(1);
            let weight = Tensor::randn([n, k], cpu) * 0.05;
            let bias = Tensor::randn([n], cpu);
            let x = Tensor::randn([4, k], cpu);
            let layers = [Precision::Float, Precision::Fp16, Precision::Int8]
                .map(|p| Linear::new(weight.copy(), Some(bias.copy()), p).unwrap());
            let reps = if n > 10_000 { 20 } else { 400 };
            let mut best = [f64::INFINITY; 3];
            for _round in 0..7 {
                for (i, layer) in layers.iter().enumerate() {
                    let _ = layer.forward(&x);
                    let started = std::time::Instant::now();
                    for _ in 0..reps {
                        let _ = layer.forward(&x);
                    }
                    best[i] = best[i].min(started.elapsed().as_secs_f64() / reps as f64);
                }
            }
            eprintln!(
                "1 thread, [4, {k}] x [{n}, {k}] {name} ({}): f32 {:.1} us, fp16 {:.1} us, \
                 int8 {:.1} us; f32/fp16 {:.2}x, f32/int8 {:.2}x, fp16/int8 {:.2}x",
                fp16_path(),
                best[0] * 1e6,
                best[1] * 1e6,
                best[2] * 1e6,
                best[0] / best[1],
                best[0] / best[2],
                best[1] / best[2]
            );
        }
    }

    /// The ISA named agrees with the kernel found: a VNNI CPU sums exactly unless fbgemm was forced lower.
    #[test]
    fn probed_kernel_agrees_with_the_cpu() {
        let path = int8_path().unwrap();
        let forced = std::env::var("FBGEMM_ENABLE_INSTRUCTIONS").unwrap_or_default();
        let forced_lower = !forced.is_empty() && !forced.contains("E1");
        match (path.isa, forced_lower) {
            ("avx512_vnni", false) => assert_eq!(path.kernel, Int8Kernel::Exact),
            ("avx2" | "avx512", _) | (_, true) => {
                assert_eq!(path.kernel, Int8Kernel::Saturating, "{}", path.describe())
            }
            _ => {}
        }
    }

    /// The other kernel, where fbgemm lets a process force it: this test binary re-runs the int8 and fp16 tests
    /// with `FBGEMM_ENABLE_INSTRUCTIONS=AVX2`. On a VNNI CPU that is the AVX2 path a laptop takes; on an AVX2 CPU
    /// it is the same path again. The child's log names the int8 kernel it probed and the fp16 kernel fbgemm's
    /// rule gives.
    #[test]
    fn int8_and_fp16_tests_pass_on_the_forced_avx2_kernel() {
        if std::env::var_os("FBGEMM_ENABLE_INSTRUCTIONS").is_some() {
            return; // already the child
        }
        let exe = std::env::current_exe().unwrap();
        let out = std::process::Command::new(exe)
            .args(["engine::layers::tests::", "--test-threads=1", "--nocapture"])
            .env("FBGEMM_ENABLE_INSTRUCTIONS", "AVX2")
            .output()
            .unwrap();
        let log = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "forced AVX2 run failed:\n{log}");
        assert!(
            log.contains("fbgemm int8 with int16-saturating pairs: pair-limited 8-bit weights"),
            "fbgemm did not take the AVX2 kernel when forced:\n{log}"
        );
        assert!(
            log.contains("fbgemm fp16 weights, AVX2 kernel"),
            "fp16 not on the AVX2 kernel when forced:\n{log}"
        );
        assert!(log.contains("test result: ok. 7 passed"), "{log}");
    }
}
