//! Temporary profiling driver (not committed).
use eigen_kernels::{Options, Real, batch::eigh_batch_dyn};
use std::time::Instant;
fn run<T: Real>(n: usize, count: usize, reps: usize) -> f64 {
    let mut mats = Vec::with_capacity(count * n * n);
    for m in 0..count {
        mats.extend(eigen_kernels::testing::random_symmetric::<T>(n, m as u64 + 1));
    }
    let mut vals = vec![T::ZERO; count * n];
    let mut vecs = vec![T::ZERO; count * n * n];
    let opts = match std::env::var("SOLVER").as_deref() { Ok("jacobi") => Options::default().with_solver(eigen_kernels::Solver::Jacobi), Ok("qr") => Options::default().with_solver(eigen_kernels::Solver::Qr), _ => Options::default() };
    let mut times = vec![];
    for _ in 0..reps {
        let t = Instant::now();
        eigh_batch_dyn(n, &mats, &mut vals, Some(&mut vecs), &opts).unwrap();
        times.push(t.elapsed().as_secs_f64() / count as f64);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    times[reps / 2]
}
fn main() {
    for n in std::env::args().skip(1).map(|s| s.parse::<usize>().unwrap()) {
        let count = if n <= 8 { 4096 } else { 512 };
        let reps = if n <= 8 { 21 } else { 7 };
        println!("n={n:2} f64 {:9.3} us  f32 {:9.3} us", run::<f64>(n, count, reps) * 1e6, run::<f32>(n, count, reps) * 1e6);
    }
}
