//! The Jacobi solver against the shared suites, plus Jacobi's own promise: high relative accuracy.

mod common;

use common::*;
use eigen_kernels::{Options, Solver, eigh};
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
