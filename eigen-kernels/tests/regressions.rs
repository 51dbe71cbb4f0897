//! Every wrong result the fuzzers (`fuzz/`) found, as a test that fails without its fix.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{bound, ratios};
use eigen_kernels::Solver;
use eigen_kernels::testing::zeros_and_ones;

/// QR, `f32`: the Householder reflectors of the trailing columns of a 0/1 matrix with repeated
/// eigenvalues hold rounding-level entries (~1e-23) whose squares underflow; the unscaled norm made
/// `tau`, `beta` and `v` inconsistent and the eigenvectors non-orthogonal (orthogonality ratio 2e5 at
/// n = 12, up to 1e6 at n = 35). Fixed in `qr/householder.rs` (`make_reflector` rescales by a power of two).
#[test]
fn qr_eigenvectors_stay_orthogonal_when_reflector_squares_underflow_f32() {
    for n in 2..=40 {
        for seed in 0..8 {
            let a: Vec<f32> = zeros_and_ones(n, seed);
            let (res, orth) = ratios(&a, n, Solver::Qr);
            assert!(
                res <= bound::RATIO && orth <= bound::RATIO,
                "n={n} seed={seed}: residual {res:.2}, orthogonality {orth:.2}"
            );
        }
    }
}

/// QR, `f32`: off-diagonals of the tridiagonal from `3e10` down to `1e-19` (input entries `-6.97e9`,
/// `-37` and the subnormal `2.9e-43`). The sines of the rotation chase underflowed to zero, every
/// rotation became the identity, dsteqr's relative deflation test never fired, and the solve returned
/// `NoConvergence` after 30 n steps on finite input. Fixed in `qr/implicit_qr.rs` (a step that makes no
/// progress falls back to the absolute deflation test `|e| <= eps |T|`).
#[test]
fn qr_converges_when_the_rotation_sines_underflow_f32() {
    let n = 27;
    let big = f32::from_bits(0xcfcf_cfcf); // -6973005312
    let tiny = f32::from_bits(0xcf); // 2.9e-43, subnormal
    let mut a = vec![0.0f32; n * n];
    let mut set = |i: usize, j: usize, x: f32| {
        a[i + j * n] = x;
        a[j + i * n] = x;
    };
    set(1, 0, -37.0);
    for i in 6..n {
        set(i, 0, big);
    }
    set(1, 1, tiny);
    set(10, 1, -37.0);
    for solver in [Solver::Qr, Solver::Auto] {
        let (res, orth) = ratios(&a, n, solver);
        assert!(
            res <= bound::RATIO && orth <= bound::RATIO,
            "{solver:?}: residual {res:.2}, orthogonality {orth:.2}"
        );
    }
    let values_only = eigen_kernels::eigh(
        &a,
        n,
        &eigen_kernels::Options::default()
            .with_solver(Solver::Qr)
            .with_vectors(eigen_kernels::ComputeVectors::No),
    );
    assert!(values_only.is_ok(), "values only: {values_only:?}");
}

/// QR, `f32`: entries `1.4e10`, `8.6e9`, small integers and the subnormals `-1.5e-39`, `7.4e-39` (from the
/// `eigh_backward` fuzz target, whose forward pass is `Solver::Auto`). Subnormal components reached the
/// Givens rotation of the QR sweep; `c = f / r`, `s = g / r` with a subnormal `r` missed `c^2 + s^2 = 1`
/// by `8e-5`, and the eigenvectors' orthogonality ratio was 74. Fixed in `qr/plane.rs` (`givens` scales
/// by a power of two outside the safe range, as dlartg does).
#[test]
fn qr_rotations_stay_orthogonal_with_subnormal_components_f32() {
    let n = 11;
    let mut a = vec![0.0f32; n * n];
    let mut set = |i: usize, j: usize, bits: u32| {
        a[i + j * n] = f32::from_bits(bits);
        a[j + i * n] = f32::from_bits(bits);
    };
    for (i, j, bits) in [
        (0, 0, 0x4200_0000), // 32
        (3, 0, 0xbf80_0000), // -1
        (5, 0, 0x4200_0000),
        (8, 0, 0x5000_0007), // 8.6e9
        (4, 1, 0x4000_0000), // 2
        (5, 1, 0xbf80_0000),
        (7, 2, 0xc180_0000),  // -16
        (10, 2, 0x5050_504f), // 1.4e10
        (6, 3, 0x8010_0000),  // -1.5e-39
        (7, 3, 0x0050_50ff),  // 7.4e-39
    ] {
        set(i, j, bits);
    }
    for solver in [Solver::Qr, Solver::Auto] {
        let (res, orth) = ratios(&a, n, solver);
        assert!(
            res <= bound::RATIO && orth <= bound::RATIO,
            "{solver:?}: residual {res:.2}, orthogonality {orth:.2}"
        );
    }
}
