//! Group `jacobi`: eigen-kernels' cyclic Jacobi (eigenvalues and eigenvectors) against nalgebra and faer on
//! the same seeded matrices, f32 and f64. n = 1024 is left out: Jacobi costs about ten O(n^3) sweeps
//! (tens of seconds per solve there); the `qr` group covers it.

mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use eigen_bench::support::SIZES;
use eigen_kernels::{ComputeVectors, Solver};

fn jacobi(c: &mut Criterion) {
    let sizes: Vec<usize> = SIZES.iter().copied().filter(|&n| n <= 512).collect();
    common::group::<f32>(c, "jacobi", &sizes, |_| vec![Solver::Jacobi], ComputeVectors::Yes);
    common::group::<f64>(c, "jacobi", &sizes, |_| vec![Solver::Jacobi], ComputeVectors::Yes);
}

criterion_group!(benches, jacobi);
criterion_main!(benches);
