//! Shared helpers of the gradient tests: seeded test matrices and central finite differences.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use eigen_kernels::testing::{Rng, random_orthogonal, similarity};

/// Relative error bound of every finite-difference check on well-separated spectra (issue #5: 1e-6).
pub const FD_TOL: f64 = 1e-6;
/// Step of the central differences: truncation O(h^2) ~ 1e-10 and rounding O(eps / h) ~ 1e-11 for O(1)
/// matrices with O(1) gaps.
pub const FD_STEP: f64 = 1e-5;

/// `Q diag(d) Q^T` for a seeded random orthogonal `Q`.
pub fn with_spectrum(d: &[f64], seed: u64) -> Vec<f64> {
    let q = random_orthogonal(d.len(), &mut Rng::new(seed));
    similarity(&q, d)
}

/// A seeded random symmetric matrix with entries in (-1, 1).
pub fn random_sym(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = Rng::new(seed);
    let mut b = vec![0.0; n * n];
    for j in 0..n {
        for i in j..n {
            let x = rng.symmetric_uniform();
            b[j * n + i] = x;
            b[i * n + j] = x;
        }
    }
    b
}

/// Seeded uniform entries in (-1, 1).
pub fn random_vec(len: usize, seed: u64) -> Vec<f64> {
    let mut rng = Rng::new(seed);
    (0..len).map(|_| rng.symmetric_uniform()).collect()
}

/// The symmetric-convention gradient of `loss` at the symmetric `a` by central differences: for each
/// `i >= j` the perturbation is `E = e_i e_j^T + e_j e_i^T` (`e_i e_i^T` on the diagonal), so
/// `dL = 2 G_ij h` off the diagonal and `G_ii h` on it.
pub fn fd_sym_gradient(loss: impl Fn(&[f64]) -> f64, a: &[f64], n: usize) -> Vec<f64> {
    let h = FD_STEP;
    let mut g = vec![0.0; n * n];
    for j in 0..n {
        for i in j..n {
            let shifted = |s: f64| {
                let mut m = a.to_vec();
                m[j * n + i] += s;
                if i != j {
                    m[i * n + j] += s;
                }
                loss(&m)
            };
            let d = (shifted(h) - shifted(-h)) / (2.0 * h);
            let gij = if i == j { d } else { d / 2.0 };
            g[j * n + i] = gij;
            g[i * n + j] = gij;
        }
    }
    g
}

/// Central-difference gradient of `loss` with respect to every entry of `x`.
pub fn fd_gradient(loss: impl Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    let h = FD_STEP;
    (0..x.len())
        .map(|k| {
            let shifted = |s: f64| {
                let mut m = x.to_vec();
                m[k] += s;
                loss(&m)
            };
            (shifted(h) - shifted(-h)) / (2.0 * h)
        })
        .collect()
}

/// `||got - want||_F / ||want||_F` (absolute when `want` is zero).
pub fn rel_err(got: &[f64], want: &[f64]) -> f64 {
    assert_eq!(got.len(), want.len());
    let diff: f64 = got
        .iter()
        .zip(want)
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        .sqrt();
    let norm: f64 = want.iter().map(|b| b * b).sum::<f64>().sqrt();
    if norm > 0.0 { diff / norm } else { diff }
}

/// Asserts the relative error is at most `tol`, printing it (the issue asks for the measured errors).
pub fn assert_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert!(got.iter().all(|x| x.is_finite()), "{what}: non-finite gradient");
    let e = rel_err(got, want);
    println!("{what}: relative error {e:.2e}");
    assert!(e <= tol, "{what}: relative error {e:e} > {tol:e}");
}

/// `sum_ij x_ij y_ij`.
pub fn inner(x: &[f64], y: &[f64]) -> f64 {
    x.iter().zip(y).map(|(a, b)| a * b).sum()
}

/// `trace(A B)` for n x n matrices.
pub fn trace_prod(a: &[f64], b: &[f64], n: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        for k in 0..n {
            s += a[k * n + i] * b[i * n + k];
        }
    }
    s
}
