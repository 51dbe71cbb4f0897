//! The crate-level "Guarantees" (lib.rs docs) on the matrices that break other libraries: nalgebra's
//! infinite loop on a 33 x 33 `f32` matrix of zeros and ones (nalgebra#1025) and its NaN eigenvalues on
//! a nearly collinear covariance (nalgebra#379), in both precisions, for every solver.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::bound;
use eigen_kernels::accuracy::{follows_conventions, orthogonality_ratio, residual_ratio};
use eigen_kernels::testing::{collinear_covariance, zeros_and_ones};
use eigen_kernels::{Options, Real, Solver, eigh};

/// Every solver of this build.
const SOLVERS: [Solver; 3] = [Solver::Auto, Solver::Jacobi, Solver::Qr];

/// Solves with vectors and checks the whole contract; returns the eigenvalues in `f64`.
fn solve_checked<T: Real>(a: &[T], n: usize, solver: Solver, what: &str) -> Vec<f64> {
    let opts = Options::default().with_solver(solver);
    let r = eigh(a, n, &opts).unwrap_or_else(|e| panic!("{what} {solver:?} {}: {e}", T::NAME));
    let v = r.vectors.as_deref().unwrap();
    assert!(
        r.values.iter().chain(v).all(|x| x.is_finite()),
        "{what}: non-finite output"
    );
    assert!(follows_conventions(&r.values, Some(v), n), "{what}: conventions");
    let (res, orth) = (residual_ratio(a, n, &r.values, v), orthogonality_ratio(v, n));
    assert!(
        res <= bound::RATIO && orth <= bound::RATIO,
        "{what} {solver:?} {}: residual {res:.2}, orthogonality {orth:.2}",
        T::NAME
    );
    assert!(r.info.iterations <= opts.max_sweeps.max(opts.max_qr_iterations_per_value * n));
    r.values.iter().map(|x| x.to_f64()).collect()
}

fn zeros_and_ones_are_solved<T: Real>() {
    let n = 33;
    for seed in 0..8 {
        let a: Vec<T> = zeros_and_ones(n, seed);
        let zero_rows = (0..n)
            .filter(|&i| (0..n).all(|j| a[i + j * n] == T::ZERO))
            .count();
        assert!(zero_rows >= 10, "the class has many zero rows");
        for solver in SOLVERS {
            let values = solve_checked(&a, n, solver, "zeros and ones");
            // A zero row is an eigenvector of 0: the eigenvalue 0 has at least that multiplicity.
            let scale = values.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            let tol = bound::RATIO * n as f64 * T::EPSILON.to_f64() * scale;
            let zeros = values.iter().filter(|x| x.abs() <= tol).count();
            assert!(
                zeros >= zero_rows,
                "{solver:?} {}: {zeros} zero eigenvalues, expected >= {zero_rows}",
                T::NAME
            );
        }
    }
}

#[test]
fn zeros_and_ones_matrices_with_repeated_eigenvalues_are_solved_f32() {
    zeros_and_ones_are_solved::<f32>();
}

#[test]
fn zeros_and_ones_matrices_with_repeated_eigenvalues_are_solved_f64() {
    zeros_and_ones_are_solved::<f64>();
}

fn collinear_covariance_is_solved<T: Real>() {
    for dim in [2, 3, 4, 8] {
        for seed in 0..4 {
            let a: Vec<T> = collinear_covariance(200, dim, seed);
            let trace: f64 = (0..dim).map(|i| a[i + i * dim].to_f64()).sum();
            for solver in SOLVERS {
                let values = solve_checked(&a, dim, solver, "collinear covariance");
                // Nearly all the variance lies along the line: the eigenvalues sum to the trace, the
                // top one carries it, and the others are tiny and nonnegative up to rounding (the
                // matrix is positive semidefinite).
                let top = values[dim - 1];
                let tol = bound::RATIO * dim as f64 * T::EPSILON.to_f64() * top;
                let sum: f64 = values.iter().sum();
                assert!(
                    (sum - trace).abs() <= tol,
                    "{solver:?} {} dim {dim}: sum {sum}, trace {trace}",
                    T::NAME
                );
                assert!(
                    values[..dim - 1]
                        .iter()
                        .all(|&x| x >= -tol && x <= 1e-9 * top + tol),
                    "{solver:?} {} dim {dim}: small eigenvalues {values:?}",
                    T::NAME
                );
            }
        }
    }
}

#[test]
fn nearly_collinear_covariances_are_solved_without_nan_f32() {
    collinear_covariance_is_solved::<f32>();
}

#[test]
fn nearly_collinear_covariances_are_solved_without_nan_f64() {
    collinear_covariance_is_solved::<f64>();
}
