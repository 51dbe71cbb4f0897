//! The batched ops equal the one-matrix ops, sequentially and in parallel.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use eigen_kernels::{Options, Solver};
use eigen_layer::batch::{EighBatch, Parallelism, SpectralBatch};
use eigen_layer::{EighOp, EighOptions, LayerError, Spectral, SpectralOp};

fn spd_batch(count: usize, n: usize) -> Vec<f64> {
    (0..count)
        .flat_map(|b| {
            let d: Vec<f64> = (0..n).map(|i| 0.5 + i as f64 + 0.1 * b as f64).collect();
            with_spectrum(&d, 100 + b as u64)
        })
        .collect()
}

#[test]
fn spectral_batch_equals_one_matrix_ops_in_both_modes() {
    let (count, n) = (7, 6);
    let a = spd_batch(count, n);
    let g = random_vec(count * n * n, 5);
    for solver in [Solver::Auto, Solver::Jacobi, Solver::Qr] {
        let opts = Options::default().with_solver(solver);
        for par in [Parallelism::Sequential, Parallelism::Rayon] {
            let batch = SpectralBatch::forward(&a, n, Spectral::Log, &opts, par).unwrap();
            let grad = batch.backward(&g, par).unwrap();
            for b in 0..count {
                let r = b * n * n..(b + 1) * n * n;
                let op = SpectralOp::forward(&a[r.clone()], n, Spectral::Log).unwrap();
                // Lane-batched Jacobi and QR agree to a few ulps, not bit for bit.
                assert!(
                    rel_err(&batch.output()[r.clone()], op.output()) < 1e-13,
                    "{solver:?} {par:?}"
                );
                assert!(
                    rel_err(&grad[r.clone()], &op.backward(&g[r]).unwrap()) < 1e-12,
                    "{solver:?} {par:?}"
                );
            }
        }
    }
}

#[test]
fn eigh_batch_equals_one_matrix_ops_and_reports_per_matrix() {
    let (count, n) = (5, 4);
    let mut a = spd_batch(count, n);
    // Matrix 3 is the identity: degenerate, and the loss below depends on its basis.
    a[3 * n * n..4 * n * n].fill(0.0);
    for i in 0..n {
        a[3 * n * n + i * n + i] = 1.0;
    }
    let (gl, gv) = (random_vec(count * n, 6), random_vec(count * n * n, 7));
    for par in [Parallelism::Sequential, Parallelism::Rayon] {
        let batch = EighBatch::forward(&a, n, &EighOptions::default(), par).unwrap();
        let report = batch.backward_report(Some(&gl), Some(&gv), par).unwrap();
        for b in 0..count {
            let r = b * n * n..(b + 1) * n * n;
            let op = EighOp::forward(&a[r.clone()], n).unwrap();
            assert!(rel_err(&batch.values()[b * n..b * n + n], op.values()) < 1e-14);
            if b != 3 {
                // (Matrix 3's degenerate basis is arbitrary and differs between solvers.)
                let g = op
                    .backward(Some(&gl[b * n..b * n + n]), Some(&gv[r.clone()]))
                    .unwrap();
                assert!(rel_err(&report.grad[r], &g) < 1e-12);
            }
        }
        assert_eq!(report.diagnostics.len(), 1);
        assert_eq!(report.diagnostics[0].0, 3);
    }
}

#[test]
fn batch_errors_name_the_problem() {
    let a = spd_batch(3, 3);
    let e = SpectralBatch::forward(
        &a[..20],
        3,
        Spectral::Log,
        &Options::default(),
        Parallelism::Sequential,
    );
    assert!(matches!(e, Err(LayerError::Shape { .. })));
    let mut bad = a.clone();
    bad[9] = -50.0; // matrix 1 becomes indefinite
    for par in [Parallelism::Sequential, Parallelism::Rayon] {
        let e = SpectralBatch::forward(&bad, 3, Spectral::Log, &Options::default(), par);
        assert!(matches!(e, Err(LayerError::Domain { .. })), "{e:?}");
        for solver in [Solver::Jacobi, Solver::Qr] {
            let mut nan = a.clone();
            nan[9 + 4] = f64::NAN;
            let opts = Options::default().with_solver(solver);
            let e = SpectralBatch::forward(&nan, 3, Spectral::Log, &opts, par);
            assert!(matches!(e, Err(LayerError::InBatch { index: 1, .. })), "{e:?}");
        }
    }
}
