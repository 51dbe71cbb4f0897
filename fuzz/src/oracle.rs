//! The contract every target checks (panicking, so libFuzzer records the input as a crash):
//!
//! - `Ok`: eigenvalues finite and ascending, eigenvectors finite with the sign convention, LAPACK residual
//!   and orthogonality ratios `<= 50` ([`RATIO`]); prescribed eigenvalues (when the input has them)
//!   recovered within the perturbation the rounding of the input allows.
//! - `Err(NonFinite { row, col })`: exactly when the lower triangle holds NaN or infinity, at the first
//!   such entry in column-major order.
//! - `Err(Overflow)`: only when an eigenvalue can exceed the range (`|A|_F >= MAX`, up to rounding).
//! - Any other error on finite input with the default options (notably `NoConvergence`) is a bug.

use eigen_kernels::EigenError;
use eigen_kernels::accuracy::{eigenvalue_ratio, follows_conventions, orthogonality_ratio, residual_ratio};

use crate::input::{Matrix, Scalar};

/// LAPACK's `sep.in` threshold for the residual, orthogonality and eigenvalue-agreement ratios.
pub const RATIO: f64 = 50.0;

/// Position `(row, col)` of the first NaN or infinity of the lower triangle in column-major order.
pub fn expected_nonfinite<T: Scalar>(a: &[T], n: usize) -> Option<(usize, usize)> {
    (0..n)
        .flat_map(|j| (j..n).map(move |i| (i, j)))
        .find(|&(i, j)| !a[i + j * n].is_finite())
}

/// Frobenius norm of the symmetric matrix stored in the lower triangle, times `2^-scale`, in `f64`
/// (the scaling keeps `f64` matrices near `MAX` from overflowing the sum).
fn frobenius_scaled<T: Scalar>(a: &[T], n: usize, scale: i32) -> f64 {
    let mut s = 0.0f64;
    for j in 0..n {
        for i in j..n {
            let x = libm_scalbn(a[i + j * n].to_f64(), -scale);
            s += if i == j { x * x } else { 2.0 * x * x };
        }
    }
    s.sqrt()
}

fn libm_scalbn(x: f64, e: i32) -> f64 {
    eigen_kernels::Real::scalbn(x, e)
}

/// LAPACK residual and orthogonality ratios; `f64` matrices with entries beyond `2^256` are scaled by a
/// power of two first, since the ratios' `f64` sums would overflow (a power-of-two scaling changes no
/// ratio).
pub fn ratios<T: Scalar>(a: &[T], n: usize, values: &[T], vectors: &[T]) -> (f64, f64) {
    let mut e = 0;
    for j in 0..n {
        for i in j..n {
            e = e.max(a[i + j * n].exponent());
        }
    }
    let residual = if T::MAX.exponent() > 512 && e > 256 {
        let a: Vec<T> = a.iter().map(|x| x.scalbn(-e)).collect();
        let values: Vec<T> = values.iter().map(|x| x.scalbn(-e)).collect();
        residual_ratio(&a, n, &values, vectors)
    } else {
        residual_ratio(a, n, values, vectors)
    };
    (residual, orthogonality_ratio(vectors, n))
}

/// Checks one solve of `m` against the contract (module docs); `what` names the entry point and
/// options in the panic message.
pub fn check_solve<T: Scalar>(m: &Matrix<T>, result: Result<(&[T], Option<&[T]>), EigenError>, what: &str) {
    let n = m.n;
    let ctx = format!("{what} {} n={n}", T::NAME);
    let expected = expected_nonfinite(&m.a, n);
    let (values, vectors) = match (result, expected) {
        (Err(EigenError::NonFinite { row, col }), _) => {
            assert_eq!(
                Some((row, col)),
                expected,
                "{ctx}: NonFinite at the wrong position"
            );
            return;
        }
        (r, Some(pos)) => panic!("{ctx}: expected NonFinite at {pos:?}, got {r:?}"),
        (Err(EigenError::Overflow), None) => {
            let s = T::MAX.exponent();
            let frob = frobenius_scaled(&m.a, n, s);
            let max = libm_scalbn(T::MAX.to_f64(), -s);
            let slack = 64.0 * n as f64 * T::EPSILON.to_f64();
            assert!(
                frob >= max * (1.0 - slack),
                "{ctx}: Overflow although every eigenvalue is below MAX (|A|_F = {frob:e} * 2^{s})"
            );
            return;
        }
        (Err(e), None) => panic!("{ctx}: {e:?} on finite input with default options"),
        (Ok(r), None) => r,
    };
    assert_eq!(values.len(), n, "{ctx}: values length");
    assert!(
        values.iter().all(|x| x.is_finite()),
        "{ctx}: non-finite eigenvalue in Ok {values:?}"
    );
    assert!(
        follows_conventions(values, vectors, n),
        "{ctx}: eigenvalues not ascending or eigenvector sign convention violated"
    );
    if let Some(v) = vectors {
        assert_eq!(v.len(), n * n, "{ctx}: vectors length");
        assert!(
            v.iter().all(|x| x.is_finite()),
            "{ctx}: non-finite eigenvector entry"
        );
        let (res, orth) = ratios(&m.a, n, values, v);
        assert!(
            res <= RATIO && orth <= RATIO,
            "{ctx}: residual ratio {res:.3e}, orthogonality ratio {orth:.3e} (bound {RATIO})"
        );
    }
    if let Some(d) = &m.eigenvalues {
        check_prescribed(d, values, n, &ctx);
    }
}

/// Eigenvalues of `Q diag(d) Q^T` (built in `f64`, rounded to `T`) against `d`: the rounding moves each
/// eigenvalue by at most `n ulp max|d|` (Weyl), the solver's backward error by `RATIO n ulp |A|`.
fn check_prescribed<T: Scalar>(d: &[f64], values: &[T], n: usize, ctx: &str) {
    let max = d.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    // The f64 similarity itself must be accurate: skip inputs it cannot represent to `T`'s precision.
    if !max.is_finite() || max > T::MAX.to_f64() / (4.0 * n as f64) {
        return;
    }
    let mut sorted: Vec<T> = d.iter().map(|&x| T::from_f64(x)).collect();
    sorted.sort_by(|x, y| x.partial_cmp(y).unwrap_or(core::cmp::Ordering::Equal));
    let ratio = eigenvalue_ratio(&sorted, values);
    let bound = RATIO * n as f64;
    assert!(
        ratio <= bound,
        "{ctx}: eigenvalues off the prescribed spectrum: ratio {ratio:.3e} (bound {bound})"
    );
}

/// Eigenvalues computed without vectors must agree with those computed with vectors (LAPACK `ddrvst`
/// tests 3, 6, 9: ratio `<= 50`).
pub fn check_values_agree<T: Scalar>(with_vectors: &[T], values_only: &[T], what: &str) {
    let ratio = eigenvalue_ratio(with_vectors, values_only);
    assert!(
        ratio <= RATIO,
        "{what} {}: values-only eigenvalues differ from the with-vectors ones: ratio {ratio:.3e}",
        T::NAME
    );
}

/// `true` if the largest eigenvalue magnitude is within `64 n` ulps of `MAX`: two backward-stable
/// solves (or two solvers) agree to a few ulps of `|A|`, so there one may round an eigenvalue to `MAX`
/// and the other overflow.
pub fn at_range_edge<T: Scalar>(values: &[T]) -> bool {
    let top = values.iter().fold(0.0f64, |t, x| t.max(x.to_f64().abs()));
    top >= T::MAX.to_f64() * (1.0 - 64.0 * values.len() as f64 * T::EPSILON.to_f64())
}
