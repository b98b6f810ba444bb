//! How long same-story grouping takes on N synthetic articles (what `tandem merge` does after sharded runs):
//! `cargo run --release --example cluster_scale -- 20000`. Each article is 250 words drawn from a 30,000-word
//! vocabulary with a Zipf-like (log-uniform rank) law, so common words are shared by most articles, as in news.
fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5000);
    let vocab: Vec<String> = (0..30_000).map(|k| format!("term{k}q")).collect();
    let mut state: u64 = 42;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let texts: Vec<String> = (0..n)
        .map(|_| {
            (0..250)
                .map(|_| {
                    let u = (next() % 1_000_000) as f64 / 1e6;
                    vocab[(30_000f64.powf(u) as usize).min(29_999)].as_str()
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let articles: Vec<tandem::brief::cluster::Article> = texts
        .iter()
        .map(|t| tandem::brief::cluster::Article::undated(t))
        .collect();
    let started = std::time::Instant::now();
    let groups = tandem::brief::cluster::cluster(&articles, tandem::brief::cluster::THRESHOLD);
    println!(
        "{n} articles: {} groups in {:.1} s",
        groups.len(),
        started.elapsed().as_secs_f64()
    );
}
