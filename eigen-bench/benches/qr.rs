//! Group `qr`: eigen-kernels' Householder + implicit QR solver (eigenvalues and eigenvectors) against
//! nalgebra and faer, every size, f32 and f64. While this build has no QR solver (`EigenError::Unsupported`)
//! only the peers are timed.

mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use eigen_bench::support::SIZES;
use eigen_kernels::{ComputeVectors, Solver};

fn qr(c: &mut Criterion) {
    common::group::<f32>(c, "qr", &SIZES, |_| vec![Solver::Qr], ComputeVectors::Yes);
    common::group::<f64>(c, "qr", &SIZES, |_| vec![Solver::Qr], ComputeVectors::Yes);
}

criterion_group!(benches, qr);
criterion_main!(benches);
