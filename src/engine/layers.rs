//! The engine's building blocks: linear layers (f32, or int8 through fbgemm), layer norm, activations.
//!
//! int8: libtorch 2.4 exposes fbgemm's int8 GEMM with f32 activations
//! (`fbgemm_linear_int8_weight_fp32_activation`, dynamic per-call quantization of the input) but not the weight
//! quantizer, so the weight is quantized here, in fbgemm's convention: asymmetric per-tensor int8 with
//! `col_offsets[n] = Σ_k q[n,k] − zero_point·K`. To get per-row precision out of a per-tensor op, each row of the
//! weight is first divided by its largest magnitude, and the output columns are multiplied back by it.
use crate::{Error, Result};
use tch::{Kind, Scalar, Tensor};

/// Numeric precision of the linear layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// f32 everywhere: the reference numbers.
    Float,
    /// Linear layers (attention, feed-forward, output projection) in int8 with f32 activations.
    Int8,
}

/// A linear layer `y = x·Wᵀ + b`.
pub enum Linear {
    Float {
        weight: Tensor,
        bias: Option<Tensor>,
    },
    Int8 {
        /// Zero-size stand-in with the weight's shape: fbgemm only reads its sizes.
        shape: Tensor,
        packed: Tensor,
        col_offsets: Tensor,
        scale: f64,
        zero_point: i64,
        /// Per-output-row factor the rows were divided by before quantization.
        row_scale: Tensor,
        /// The bias divided by the row scales (zeros without a bias): fbgemm adds it in its output pass, and
        /// the row-scale multiplication then restores it, so the bias costs no pass of its own.
        scaled_bias: Tensor,
    },
}

impl Linear {
    /// A layer from an f32 weight `[out, in]` and bias, in the given precision.
    pub fn new(weight: Tensor, bias: Option<Tensor>, precision: Precision) -> Result<Linear> {
        match precision {
            Precision::Float => Ok(Linear::Float { weight, bias }),
            Precision::Int8 => quantize(&weight, bias),
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
                scale,
                zero_point,
                row_scale,
                scaled_bias,
            } => {
                let x = x.contiguous();
                let mut y = x.fbgemm_linear_int8_weight_fp32_activation(
                    shape,
                    packed,
                    col_offsets,
                    Scalar::float(*scale),
                    Scalar::int(*zero_point),
                    scaled_bias,
                );
                // In place: no second output-sized allocation per call.
                let _ = y.g_mul_(row_scale);
                y
            }
        }
    }
}

fn quantize(weight: &Tensor, bias: Option<Tensor>) -> Result<Linear> {
    let size = weight.size();
    if size.len() != 2 {
        return Err(Error::Usage(format!(
            "int8 linear needs a 2-D weight, got {size:?}"
        )));
    }
    let (n, k) = (size[0], size[1]);
    let weight = weight.to_kind(Kind::Float).contiguous();
    // Per-row normalization: each row then spans at most [-1, 1].
    let row_scale = weight
        .abs()
        .amax([1].as_slice(), true)
        .clamp_min(1e-12)
        .to_kind(Kind::Float);
    // In place, so that quantizing the output projection (the largest matrix) holds one f32 temporary only.
    let mut q = &weight / &row_scale;
    let min = q.min().double_value(&[]).min(0.0);
    let max = q.max().double_value(&[]).max(0.0);
    let scale = if max > min { (max - min) / 255.0 } else { 1.0 };
    let zero_point = (-128.0 - min / scale).round().clamp(-128.0, 127.0) as i64;
    let _ = q.g_div_scalar_(scale);
    let _ = q.round_();
    let _ = q.g_add_scalar_(zero_point);
    let _ = q.clamp_(-128.0, 127.0);
    let q = q.to_kind(Kind::Int8);
    let col_offsets = (q.sum_dim_intlist([1].as_slice(), false, Kind::Int) - zero_point * k)
        .to_kind(Kind::Int)
        .contiguous();
    let packed = q.f_fbgemm_pack_quantized_matrix().map_err(|e| {
        Error::Usage(format!(
            "fbgemm int8 packing failed ({e}); this libtorch may lack fbgemm: use the float engine"
        ))
    })?;
    let row_scale = row_scale.reshape([n]);
    let scaled_bias = match bias {
        Some(b) => (b.to_kind(Kind::Float) / &row_scale).contiguous(),
        None => Tensor::zeros([n], (Kind::Float, tch::Device::Cpu)),
    };
    Ok(Linear::Int8 {
        shape: Tensor::zeros([1, 1], (Kind::Int8, tch::Device::Cpu)).expand([n, k], false),
        packed,
        col_offsets,
        scale,
        zero_point,
        row_scale,
        scaled_bias,
    })
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

    #[test]
    fn int8_linear_is_close_to_float() {
        tch::manual_seed(7);
        let weight = Tensor::randn([96, 64], (Kind::Float, tch::Device::Cpu))
            * Tensor::linspace(0.05, 3.0, 96, (Kind::Float, tch::Device::Cpu)).unsqueeze(1);
        let bias = Tensor::randn([96], (Kind::Float, tch::Device::Cpu));
        let x = Tensor::randn([5, 3, 64], (Kind::Float, tch::Device::Cpu));
        let float = Linear::new(
            weight.shallow_clone(),
            Some(bias.shallow_clone()),
            Precision::Float,
        )
        .unwrap()
        .forward(&x);
        let int8 = Linear::new(weight, Some(bias), Precision::Int8)
            .unwrap()
            .forward(&x);
        assert_eq!(int8.size(), vec![5, 3, 96]);
        // Relative error per output column: int8 weights (per-row scaled) and int8 activations (per call).
        let err = (&int8 - &float).abs().amax([0, 1].as_slice(), false);
        let scale = float.abs().amax([0, 1].as_slice(), false);
        let worst = (err / scale).max().double_value(&[]);
        assert!(worst < 0.03, "worst relative error {worst}");
    }
}
