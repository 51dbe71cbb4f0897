//! The QR solver against the shared suites, against Jacobi, and on classical tridiagonal test matrices.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use eigen_kernels::accuracy::{eigenvalue_ratio, orthogonality_ratio, residual_ratio};
use eigen_kernels::testing::random_symmetric;
use eigen_kernels::{
    ComputeVectors, EigenError, Options, Real, Solver, eigh, eigh_in_place, min_workspace_len, workspace_len,
};
use proptest::prelude::*;

const SIZES: [usize; 13] = [0, 1, 2, 3, 4, 5, 8, 16, 33, 64, 100, 129, 256];

#[test]
fn lapack_families_have_small_residual_and_orthogonality_f64() {
    family_suite::<f64>(Solver::Qr, &SIZES);
}

#[test]
fn lapack_families_have_small_residual_and_orthogonality_f32() {
    family_suite::<f32>(Solver::Qr, &SIZES);
}

/// Sizes above `qr::DIVIDE_CONQUER_MIN_N` (128) that recurse at least three levels (leaves of <= 32).
const LARGE_SIZES: [usize; 2] = [300, 400];

#[test]
fn lapack_families_have_small_ratios_on_the_divide_and_conquer_path_f64() {
    family_suite::<f64>(Solver::Qr, &LARGE_SIZES);
}

#[test]
fn lapack_families_have_small_ratios_on_the_divide_and_conquer_path_f32() {
    family_suite::<f32>(Solver::Qr, &LARGE_SIZES);
}

/// Every family scaled by `2^exp`, inside the range the driver leaves unscaled: the divide-and-conquer
/// quantities (`(z_i / (d_i - lambda_j))^2` with `d_i - lambda_j` near `eps^2 |T|`) must not overflow or
/// underflow there.
fn scaled_families_keep_small_ratios<T: Real>(exps: &[i32]) {
    for &exp in exps {
        let scale = 2f64.powi(exp);
        for family in eigen_kernels::testing::Family::ALL {
            let a: Vec<T> = family.matrix(160, 3);
            let a: Vec<T> = a.iter().map(|x| T::from_f64(x.to_f64() * scale)).collect();
            let (res, orth) = ratios(&a, 160, Solver::Qr);
            assert!(
                res <= bound::RATIO && orth <= bound::RATIO,
                "{} {family:?} 2^{exp}: residual {res}, orthogonality {orth}",
                T::NAME
            );
        }
    }
}

#[test]
fn divide_and_conquer_is_accurate_across_the_unscaled_range() {
    scaled_families_keep_small_ratios::<f32>(&[-45, -30, 30, 45]);
    scaled_families_keep_small_ratios::<f64>(&[-480, -200, 200, 480]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn random_symmetric_matrices_satisfy_the_eigen_properties_f64(n in 0usize..=96, seed in any::<u64>()) {
        random_properties::<f64>(Solver::Qr, n, seed);
    }

    #[test]
    fn random_symmetric_matrices_satisfy_the_eigen_properties_f32(n in 0usize..=96, seed in any::<u64>()) {
        random_properties::<f32>(Solver::Qr, n, seed);
    }
}

#[test]
fn fixed_in_place_and_allocating_apis_agree() {
    api_levels_agree::<f64, 1>(Solver::Qr, 1);
    api_levels_agree::<f64, 3>(Solver::Qr, 2);
    api_levels_agree::<f32, 4>(Solver::Qr, 3);
    api_levels_agree::<f64, 9>(Solver::Qr, 4);
    api_levels_agree::<f32, 16>(Solver::Qr, 5);
    api_levels_agree::<f64, 40>(Solver::Qr, 6);
}

#[test]
fn bad_input_returns_documented_errors() {
    bad_input_is_rejected::<f64>(Solver::Qr);
    bad_input_is_rejected::<f32>(Solver::Qr);
    unrepresentable_eigenvalues_are_an_error::<f64>(Solver::Qr);
    unrepresentable_eigenvalues_are_an_error::<f32>(Solver::Qr);
}

#[test]
fn iteration_cap_returns_no_convergence_instead_of_looping() {
    let a: Vec<f64> = random_symmetric(12, 7);
    for vectors in [ComputeVectors::Yes, ComputeVectors::No] {
        let opts = Options {
            solver: Solver::Qr,
            vectors,
            max_qr_iterations_per_value: 0,
            ..Options::default()
        };
        match eigh(&a, 12, &opts) {
            Err(EigenError::NoConvergence {
                iterations,
                remaining,
            }) => {
                assert_eq!(iterations, 0);
                assert!(remaining > 0);
            }
            other => panic!("expected NoConvergence, got {other:?}"),
        }
    }
}

fn solve<T: Real>(a: &[T], n: usize, solver: Solver) -> eigen_kernels::Eigh<T> {
    eigh(a, n, &opts(solver)).unwrap()
}

/// |<x, y>| for two columns.
fn cosine<T: Real>(x: &[T], y: &[T]) -> f64 {
    x.iter()
        .zip(y)
        .map(|(a, b)| a.to_f64() * b.to_f64())
        .sum::<f64>()
        .abs()
}

fn jacobi_and_qr_agree<T: Real>(n: usize, seed: u64) {
    let a: Vec<T> = random_symmetric(n, seed);
    let (j, q) = (solve(&a, n, Solver::Jacobi), solve(&a, n, Solver::Qr));
    let ratio = eigenvalue_ratio(&j.values, &q.values);
    assert!(
        ratio <= bound::EIGENVALUE_RATIO,
        "{} n={n}: ratio {ratio}",
        T::NAME
    );
    let (vj, vq) = (j.vectors.unwrap(), q.vectors.unwrap());
    let norm = eigen_kernels::accuracy::sym_norm1(&a, n);
    let eps = T::EPSILON.to_f64();
    for k in 0..n {
        let gap = (0..n)
            .filter(|&i| i != k)
            .map(|i| (j.values[i].to_f64() - j.values[k].to_f64()).abs())
            .fold(f64::INFINITY, f64::min);
        // Davis-Kahan: the angle between computed vectors is about n eps |A| / gap.
        let angle = bound::RATIO * n as f64 * eps * norm / gap;
        if angle < 0.1 {
            let c = cosine(&vj[k * n..k * n + n], &vq[k * n..k * n + n]);
            assert!(
                1.0 - c <= angle * angle + 8.0 * eps,
                "{} n={n} vector {k}: cos {c}, predicted angle {angle}",
                T::NAME
            );
        }
    }
}

#[test]
fn jacobi_and_qr_agree_on_values_and_well_separated_vectors() {
    for (n, seed) in [(2, 1), (7, 2), (16, 3), (31, 4), (64, 5)] {
        jacobi_and_qr_agree::<f64>(n, seed);
        jacobi_and_qr_agree::<f32>(n, seed + 100);
    }
}

/// The bit patterns of `v`, for comparisons that must be exact.
fn bits<T: Real>(v: &[T]) -> Vec<u64> {
    v.iter().map(|x| x.to_f64().to_bits()).collect()
}

/// From n = 32 the eigenvalue-only solve reduces an aligned copy of the matrix placed inside the
/// workspace: on every family its eigenvalues agree with the with-vectors solve's, and they are the same
/// bit for bit wherever the caller's matrix and workspace start.
fn values_only_agrees_and_ignores_buffer_alignment<T: Real>(n: usize) {
    let o = opts(Solver::Qr).with_vectors(ComputeVectors::No);
    let len = workspace_len::<T>(n, &o);
    for family in eigen_kernels::testing::Family::ALL {
        let a: Vec<T> = family.matrix(n, 1);
        let with_vectors = solve(&a, n, Solver::Qr);
        let mut first: Option<Vec<T>> = None;
        for offset in 0..3 {
            let mut m = vec![T::ZERO; n * n + offset];
            m[offset..].copy_from_slice(&a);
            let mut work = vec![T::ZERO; len + offset];
            let mut values = vec![T::ZERO; n];
            let info =
                eigh_in_place(&mut m[offset..], n, &mut values, None, &mut work[offset..], &o).unwrap();
            assert_eq!(info.solver, Solver::Qr);
            let ratio = eigenvalue_ratio(&values, &with_vectors.values);
            assert!(
                ratio <= bound::EIGENVALUE_RATIO,
                "{} {family:?} offset {offset}: ratio {ratio}",
                T::NAME
            );
            match &first {
                None => first = Some(values),
                Some(f) => assert_eq!(bits(f), bits(&values), "{} {family:?} offset {offset}", T::NAME),
            }
        }
    }
}

#[test]
fn values_only_solve_at_large_n_agrees_with_vectors_and_ignores_buffer_alignment() {
    values_only_agrees_and_ignores_buffer_alignment::<f64>(200);
    values_only_agrees_and_ignores_buffer_alignment::<f32>(200);
}

/// `eigh_in_place` with exactly [`min_workspace_len`] at n >= 192: eigenvalues only, the in-place
/// reduction agrees with the aligned copy's within the eigenvalue bound (the two fused passes round
/// differently); with eigenvectors, the QR-iteration path (no room for divide and conquer) keeps the
/// residual and orthogonality bounds and agrees with it.
fn minimal_workspace_matches_the_fast_paths<T: Real>(n: usize) {
    for family in eigen_kernels::testing::Family::ALL {
        let a: Vec<T> = family.matrix(n, 2);
        let fast = solve(&a, n, Solver::Qr);
        for vectors in [ComputeVectors::No, ComputeVectors::Yes] {
            let o = opts(Solver::Qr).with_vectors(vectors);
            let len = min_workspace_len::<T>(n, &o);
            assert!(len < workspace_len::<T>(n, &o), "n = {n} has a faster path");
            let (mut m, mut values, mut work) = (a.clone(), vec![T::ZERO; n], vec![T::ZERO; len]);
            let mut v = vec![T::ZERO; n * n];
            let v_out = (vectors == ComputeVectors::Yes).then_some(&mut v[..]);
            let info = eigh_in_place(&mut m, n, &mut values, v_out, &mut work, &o).unwrap();
            assert_eq!(info.solver, Solver::Qr);
            let what = format!("{} {family:?} {vectors:?}", T::NAME);
            if vectors == ComputeVectors::No {
                let values_only = eigh(&a, n, &o).unwrap().values;
                let ratio = eigenvalue_ratio(&values, &values_only);
                assert!(ratio <= bound::EIGENVALUE_RATIO, "{what}: ratio {ratio}");
            } else {
                let (res, orth) = (residual_ratio(&a, n, &values, &v), orthogonality_ratio(&v, n));
                assert!(
                    res <= bound::RATIO && orth <= bound::RATIO,
                    "{what}: residual {res}, orthogonality {orth}"
                );
                let ratio = eigenvalue_ratio(&values, &fast.values);
                assert!(ratio <= bound::EIGENVALUE_RATIO, "{what}: ratio {ratio}");
            }
        }
    }
}

#[test]
fn minimal_workspace_at_large_n_matches_the_fast_paths() {
    minimal_workspace_matches_the_fast_paths::<f64>(200);
    minimal_workspace_matches_the_fast_paths::<f32>(200);
}

/// Dense column-major matrix of the tridiagonal (diag, off).
fn tridiagonal<T: Real>(diag: &[f64], off: &[f64]) -> Vec<T> {
    let n = diag.len();
    let mut a = vec![T::ZERO; n * n];
    for i in 0..n {
        a[i + i * n] = T::from_f64(diag[i]);
        if i + 1 < n {
            a[i + 1 + i * n] = T::from_f64(off[i]);
            a[i + (i + 1) * n] = T::from_f64(off[i]);
        }
    }
    a
}

fn check_tridiagonal<T: Real>(diag: &[f64], off: &[f64], what: &str) -> Vec<f64> {
    let n = diag.len();
    let a: Vec<T> = tridiagonal(diag, off);
    let r = solve(&a, n, Solver::Qr);
    let v = r.vectors.as_deref().unwrap();
    let res = residual_ratio(&a, n, &r.values, v);
    let orth = orthogonality_ratio(v, n);
    assert!(
        res <= bound::RATIO && orth <= bound::RATIO,
        "{what} {}: residual {res}, orthogonality {orth}",
        T::NAME
    );
    let values_only = eigh(&a, n, &opts(Solver::Qr).with_vectors(ComputeVectors::No)).unwrap();
    let ratio = eigenvalue_ratio(&values_only.values, &r.values);
    assert!(
        ratio <= bound::EIGENVALUE_RATIO,
        "{what}: values-only ratio {ratio}"
    );
    r.values.iter().map(|x| x.to_f64()).collect()
}

/// Wilkinson's W_{2m+1}^+ (diagonal |m - i|) or W^- (diagonal m - i), off-diagonal 1.
fn wilkinson(m: usize, plus: bool) -> (Vec<f64>, Vec<f64>) {
    let diag = (0..2 * m + 1)
        .map(|i| {
            let x = m as f64 - i as f64;
            if plus { x.abs() } else { x }
        })
        .collect();
    (diag, vec![1.0; 2 * m])
}

#[test]
fn wilkinson_matrices_resolve_their_nearly_equal_pairs() {
    for plus in [true, false] {
        let (diag, off) = wilkinson(10, plus);
        let got = check_tridiagonal::<f64>(&diag, &off, "W21");
        check_tridiagonal::<f32>(&diag, &off, "W21");
        let reference = nalgebra_values(&tridiagonal::<f64>(&diag, &off), 21);
        let ratio = eigenvalue_ratio(&got, &reference);
        assert!(ratio <= bound::EIGENVALUE_RATIO, "W21 plus={plus}: {ratio}");
        if plus {
            // The two largest eigenvalues of W21+ agree to about 1e-14 but are distinct.
            let (a, b) = (got[20], got[19]);
            assert!((a - 10.746194182903393).abs() < 1e-12, "{a}");
            assert!((a - b).abs() < 1e-12, "{a} {b}");
        } else {
            // W21- is similar to its negation: the spectrum is symmetric about 0, with 0 in it.
            for k in 0..21 {
                assert!((got[k] + got[20 - k]).abs() < 1e-12, "{got:?}");
            }
        }
    }
}

#[test]
fn glued_wilkinson_matrices_keep_orthogonal_vectors_in_tight_clusters() {
    // Copies of W21+ glued by off-diagonal entries delta (Dhillon-Parlett's test): clusters of as many
    // eigenvalues as copies within about delta of each other. Eight copies (n = 168) take the
    // divide-and-conquer path, where the clusters deflate.
    for (delta, copies) in [
        (1e-4, 5),
        (1e-10, 5),
        (1e-14, 5),
        (1e-4, 8),
        (1e-10, 8),
        (1e-14, 8),
    ] {
        let (w, _) = wilkinson(10, true);
        let mut diag = Vec::new();
        let mut off = Vec::new();
        for block in 0..copies {
            if block > 0 {
                off.push(delta);
            }
            diag.extend_from_slice(&w);
            off.extend(core::iter::repeat_n(1.0, 20));
        }
        check_tridiagonal::<f64>(&diag, &off, "glued W21+");
        check_tridiagonal::<f32>(&diag, &off, "glued W21+");
    }
}

#[test]
fn tridiagonal_with_zero_off_diagonal_returns_its_diagonal() {
    let diag = [3.0, -1.0, 2.5, 0.0, -7.0, 1e-3, 3.0];
    let got = check_tridiagonal::<f64>(&diag, &[0.0; 6], "diagonal");
    let mut want = diag.to_vec();
    want.sort_by(f64::total_cmp);
    assert_eq!(got, want);
    // Zeros split the matrix into blocks that are solved independently.
    let off = [1.0, 0.0, 0.5, 0.0, 0.0, 2.0];
    check_tridiagonal::<f64>(&diag, &off, "split");
    check_tridiagonal::<f32>(&diag, &off, "split");
}

#[test]
fn one_two_one_toeplitz_has_its_known_eigenvalues() {
    for n in [1usize, 2, 10, 57, 200] {
        let diag = vec![2.0; n];
        let off = vec![-1.0; n.saturating_sub(1)];
        let got = check_tridiagonal::<f64>(&diag, &off, "toeplitz");
        let got32 = check_tridiagonal::<f32>(&diag, &off, "toeplitz");
        for k in 0..n {
            let exact = 2.0 - 2.0 * (((k + 1) as f64) * core::f64::consts::PI / (n + 1) as f64).cos();
            assert!(
                (got[k] - exact).abs() <= 8.0 * n as f64 * f64::EPSILON,
                "n={n} k={k}"
            );
            assert!(
                (got32[k] - exact).abs() <= 8.0 * n as f64 * f32::EPSILON as f64,
                "f32 n={n} k={k}"
            );
        }
    }
}
