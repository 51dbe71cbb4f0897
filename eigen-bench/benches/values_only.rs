//! Group `values_only`: eigenvalues without eigenvectors (`ComputeVectors::No`): eigen-kernels' `Auto`,
//! Jacobi and QR against nalgebra (`symmetric_eigenvalues`) and faer (`ComputeEigenvectors::No`), f32 and
//! f64. Jacobi is left out at n = 1024 (tens of seconds per solve); `Auto` and QR cover it.

mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use eigen_bench::support::SIZES;
use eigen_kernels::{ComputeVectors, Solver};

fn values_only(c: &mut Criterion) {
    let solvers = |n: usize| {
        if n <= 512 {
            vec![Solver::Auto, Solver::Jacobi, Solver::Qr]
        } else {
            vec![Solver::Auto, Solver::Qr]
        }
    };
    common::group::<f32>(c, "values_only", &SIZES, solvers, ComputeVectors::No);
    common::group::<f64>(c, "values_only", &SIZES, solvers, ComputeVectors::No);
}

criterion_group!(benches, values_only);
criterion_main!(benches);
