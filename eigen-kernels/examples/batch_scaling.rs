//! Rayon scaling of the batched solver: median wall time of `eigh_batch_dyn` (one thread) and
//! `par_eigh_batch_dyn` (the global rayon pool; set `RAYON_NUM_THREADS`) on the same seeded batch.
//!
//! `cargo run --release -p eigen-kernels --features rayon --example batch_scaling -- [COUNT]`
//! prints one line per (precision, n): serial and parallel medians per matrix and their ratio.

use eigen_kernels::batch::{eigh_batch_dyn, par_eigh_batch_dyn};
use eigen_kernels::{Options, Real, testing::random_symmetric};
use std::time::Instant;

fn median(mut t: Vec<f64>) -> f64 {
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

fn run<T: Real>(n: usize, count: usize) -> Result<(), Box<dyn std::error::Error>> {
    let mut mats = Vec::with_capacity(count * n * n);
    for m in 0..count {
        mats.extend(random_symmetric::<T>(n, m as u64 + 1));
    }
    let (mut vals, mut vecs) = (vec![T::ZERO; count * n], vec![T::ZERO; count * n * n]);
    let opts = Options::default();
    let reps = 9;
    let mut serial = Vec::with_capacity(reps);
    let mut parallel = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t = Instant::now();
        eigh_batch_dyn(n, &mats, &mut vals, Some(&mut vecs), &opts)?;
        serial.push(t.elapsed().as_secs_f64() / count as f64);
        let t = Instant::now();
        par_eigh_batch_dyn(n, &mats, &mut vals, Some(&mut vecs), &opts)?;
        parallel.push(t.elapsed().as_secs_f64() / count as f64);
    }
    let (s, p) = (median(serial), median(parallel));
    println!(
        "{} n={n:2} count={count}: serial {:9.3} us  par {:9.3} us  speedup {:5.2}x",
        T::NAME,
        s * 1e6,
        p * 1e6,
        s / p
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let count: usize = std::env::args().nth(1).map_or(Ok(16384), |s| s.parse())?;
    println!("threads: {}", rayon::current_num_threads());
    for n in [3, 8, 16] {
        run::<f32>(n, count)?;
        run::<f64>(n, count)?;
    }
    Ok(())
}
