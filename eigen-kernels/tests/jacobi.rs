//! The Jacobi solver against the shared suites, plus Jacobi's own promise: high relative accuracy.

mod common;

use common::graded::{Dd, dd_eigenvalues, graded_spd, max_relative_error, scaled_condition};
use common::*;
use eigen_kernels::testing::{Rng, random_orthogonal, similarity};
use eigen_kernels::{ComputeVectors, Options, Real, Solver, eigh};
use proptest::prelude::*;

const SIZES: [usize; 10] = [0, 1, 2, 3, 4, 5, 8, 16, 33, 64];

#[test]
fn lapack_families_have_small_residual_and_orthogonality_f64() {
    family_suite::<f64>(Solver::Jacobi, &SIZES);
}

#[test]
fn lapack_families_have_small_residual_and_orthogonality_f32() {
    family_suite::<f32>(Solver::Jacobi, &SIZES);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn random_symmetric_matrices_satisfy_the_eigen_properties_f64(n in 0usize..=64, seed in any::<u64>()) {
        random_properties::<f64>(Solver::Jacobi, n, seed);
    }

    #[test]
    fn random_symmetric_matrices_satisfy_the_eigen_properties_f32(n in 0usize..=64, seed in any::<u64>()) {
        random_properties::<f32>(Solver::Jacobi, n, seed);
    }
}

#[test]
fn fixed_in_place_and_allocating_apis_agree() {
    api_levels_agree::<f64, 1>(Solver::Jacobi, 1);
    api_levels_agree::<f64, 3>(Solver::Jacobi, 2);
    api_levels_agree::<f32, 4>(Solver::Jacobi, 3);
    api_levels_agree::<f64, 9>(Solver::Jacobi, 4);
    api_levels_agree::<f32, 16>(Solver::Jacobi, 5);
}

#[test]
fn bad_input_returns_documented_errors() {
    bad_input_is_rejected::<f64>(Solver::Jacobi);
    bad_input_is_rejected::<f32>(Solver::Jacobi);
    unrepresentable_eigenvalues_are_an_error::<f64>(Solver::Jacobi);
    unrepresentable_eigenvalues_are_an_error::<f32>(Solver::Jacobi);
}

#[test]
fn iteration_cap_returns_no_convergence_instead_of_looping() {
    let a: Vec<f64> = eigen_kernels::testing::random_symmetric(12, 7);
    let opts = Options {
        solver: Solver::Jacobi,
        max_sweeps: 1,
        ..Options::default()
    };
    match eigh(&a, 12, &opts) {
        Err(eigen_kernels::EigenError::NoConvergence {
            iterations,
            remaining,
        }) => {
            assert_eq!(iterations, 1);
            assert!(remaining > 0);
        }
        other => panic!("expected NoConvergence, got {other:?}"),
    }
}

/// Demmel & Veselić (1992): for graded positive definite `H = D A D`, Jacobi with the relative stopping test
/// finds every eigenvalue, however small, to relative error `O(n eps cond(A))`, which QR-based solvers do not.
/// Returns the worst observed error in units of `n eps cond(A)`.
fn graded_eigenvalues_have_high_relative_accuracy<T: Real>(decades: f64) -> f64 {
    let eps = T::EPSILON.to_f64();
    let mut worst: f64 = 0.0;
    for (n, seed) in [(2, 1), (3, 2), (4, 3), (7, 4), (12, 5), (24, 6), (40, 7)] {
        let (h, d) = graded_spd(n, 10.0, decades, seed);
        // The matrix the solver sees, and its exact f64 widening for the reference.
        let stored: Vec<T> = h.iter().map(|&x| T::from_f64(x)).collect();
        let wide: Vec<f64> = stored.iter().map(|x| x.to_f64()).collect();
        let reference = dd_eigenvalues(&wide, n);
        let cond = scaled_condition(&wide, &d);
        let unit = n as f64 * eps * cond;
        for vectors in [ComputeVectors::Yes, ComputeVectors::No] {
            let opts = Options {
                solver: Solver::Jacobi,
                vectors,
                ..Options::default()
            };
            let r = eigh(&stored, n, &opts).unwrap_or_else(|e| panic!("n={n}: {e}"));
            let got: Vec<f64> = r.values.iter().map(|x| x.to_f64()).collect();
            let err = max_relative_error(&got, &reference);
            assert!(
                err <= 100.0 * unit,
                "{} n={n} {vectors:?}: relative error {err:.3e} > 100 n eps cond = {:.3e}",
                T::NAME,
                100.0 * unit
            );
            worst = worst.max(err / unit);
        }
    }
    worst
}

#[test]
fn graded_positive_definite_eigenvalues_have_high_relative_accuracy_f64() {
    let worst = graded_eigenvalues_have_high_relative_accuracy::<f64>(8.0);
    eprintln!("Jacobi f64 graded D in 1e-8..1e8: worst relative error {worst:.3} n eps cond(A)");
}

#[test]
fn graded_positive_definite_eigenvalues_have_high_relative_accuracy_f32() {
    // H spans 1e-16..1e16, well inside f32's range.
    let worst = graded_eigenvalues_have_high_relative_accuracy::<f32>(8.0);
    eprintln!("Jacobi f32 graded D in 1e-8..1e8: worst relative error {worst:.3} n eps cond(A)");
}

#[test]
fn tridiagonal_qr_loses_the_small_eigenvalues_of_graded_matrices() {
    // The contrast the relative-accuracy test draws: nalgebra's Householder + implicit QR is normwise
    // backward stable only, so eigenvalues near eps ||H|| = 1e-16 * 1e16 are lost.
    let n = 12;
    let (h, _) = graded_spd(n, 10.0, 8.0, 5);
    let reference = dd_eigenvalues(&h, n);
    let qr = nalgebra_values(&h, n);
    let err = max_relative_error(&qr, &reference);
    eprintln!("nalgebra (QR) on the same graded matrix: worst relative error {err:.3e}");
    assert!(err > 1e-3, "expected QR to fail the relative test, got {err:.3e}");
}

#[test]
fn double_double_reference_recovers_a_known_spectrum() {
    let n = 6;
    let q = random_orthogonal(n, &mut Rng::new(5));
    let lambda = [1e-3, 2.0, 3.0, 4.0, 5.0, 6e3];
    let a = similarity(&q, &lambda);
    let got = dd_eigenvalues(&a, n);
    for (g, l) in got.iter().zip(lambda) {
        assert!((g - l).abs() <= 1e-11 * l.abs().max(1.0), "{g} vs {l}");
    }
    let third = Dd::ONE.div(Dd::from(3.0));
    let back = third.mul(Dd::from(3.0)).sub(Dd::ONE);
    assert!(back.hi.abs() < 1e-31, "double-double division: {back:?}");
    let root = Dd::from(2.0).sqrt();
    assert!(root.mul(root).sub(Dd::from(2.0)).hi.abs() < 1e-31);
}
