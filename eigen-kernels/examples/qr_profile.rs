//! Temporary profiling driver (not committed).
use eigen_kernels::{ComputeVectors, Options, Solver, eigh_in_place, workspace_len};
use std::time::Instant;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).map(|s| s.parse().unwrap()).unwrap_or(32);
    let reps: usize = args.get(2).map(|s| s.parse().unwrap()).unwrap_or(2000);
    let vec = args.get(3).map(|s| s != "novec").unwrap_or(true);
    let opts = Options { solver: Solver::Qr, vectors: if vec { ComputeVectors::Yes } else { ComputeVectors::No }, ..Default::default() };
    let a0: Vec<f64> = eigen_kernels::testing::random_symmetric(n, 7);
    let mut a = a0.clone();
    let mut vals = vec![0.0; n];
    let mut vecs = vec![0.0; n * n];
    let mut work = vec![0.0; workspace_len::<f64>(n, &opts)];
    let mut times = vec![];
    for _ in 0..reps {
        a.copy_from_slice(&a0);
        let t = Instant::now();
        let info = eigh_in_place(&mut a, n, &mut vals, if vec { Some(&mut vecs) } else { None }, &mut work, &opts).unwrap();
        std::hint::black_box(info.iterations);
        if times.is_empty() { println!("steps {}", info.iterations); }
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!("n={n} median {:.2} us min {:.2} us", times[reps / 2] * 1e6, times[0] * 1e6);
}
