//! Times the int8 engine's half-precision cross-attention kernel ([`tandem::engine::attention::HalfKv`]) against
//! libtorch's SDPA on f32 keys/values, 1 thread, on DistilBART's beam-4 decoder shape (4 articles × 16 heads ×
//! 1,024 source tokens) and Marian's (16 sentences × 8 heads × 60 tokens, greedy and beam 4). A benchmark, not a
//! test: `cargo run --release --example bench_attention`. Prints milliseconds per call (the fastest of 7 rounds)
//! and the ratio.
use tandem::engine::attention::{self, HalfKv};
use tch::{Device, Kind, Tensor};

fn main() {
    if !attention::available() {
        eprintln!("this CPU lacks AVX2/FMA/F16C: the engine keeps f32 cross-attention here");
        return;
    }
    tch::set_num_threads(1);
    println!("ISA: {} CPU, 1 thread", tandem::engine::layers::cpu_isa());
    let hd = 64;
    for (s, h, rows, len) in [(4, 16, 4, 1024), (16, 8, 1, 60), (16, 8, 4, 60)] {
        let q = Tensor::randn([s, h, rows, hd], (Kind::Float, Device::Cpu));
        let k = Tensor::randn([s, h, len, hd], (Kind::Float, Device::Cpu));
        let v = Tensor::randn([s, h, len, hd], (Kind::Float, Device::Cpu));
        let mask = Tensor::ones([s, 1, 1, len], (Kind::Bool, Device::Cpu));
        let half = HalfKv::new(&k, &v);
        let lens = vec![len as usize; s as usize];
        // The fastest of 7 rounds of 50 calls: this VM's speed drifts by tens of percent within seconds, and
        // the minimum is the figure least moved by it.
        let time = |f: &dyn Fn() -> Tensor| {
            let _ = f();
            (0..7)
                .map(|_| {
                    let t = std::time::Instant::now();
                    for _ in 0..50 {
                        let _ = f();
                    }
                    t.elapsed().as_secs_f64() * 1000.0 / 50.0
                })
                .fold(f64::INFINITY, f64::min)
        };
        let sdpa = time(&|| {
            Tensor::scaled_dot_product_attention(&q, &k, &v, Some(&mask), 0.0, false, None)
        });
        let kernel = time(&|| half.attend(&q, &lens));
        println!(
            "{s} sentences × {h} heads × {rows} rows × {len} keys: SDPA f32 {sdpa:.3} ms, half kernel \
             {kernel:.3} ms ({:.2}× SDPA's time)",
            kernel / sdpa
        );
    }
}
