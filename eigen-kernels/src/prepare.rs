//! Input validation and scaling shared by every solver.

use crate::{EigenError, Real};

/// Checks the lower triangle for NaN/infinity and returns its largest magnitude.
///
/// Reports the first offending entry in column-major order.
pub(crate) fn lower_max_abs<T: Real>(a: &[T], n: usize) -> Result<T, EigenError> {
    let mut max = T::ZERO;
    for j in 0..n {
        for (i, &x) in a[j * n + j..j * n + n].iter().enumerate() {
            if !x.is_finite() {
                return Err(EigenError::NonFinite { row: j + i, col: j });
            }
            let ax = x.abs();
            if ax > max {
                max = ax;
            }
        }
    }
    Ok(max)
}

/// Binary exponent `e` to scale the matrix by `2^-e` (0 when no scaling is needed).
///
/// Like LAPACK's xSYEV, matrices whose largest entry lies outside `[sqrt(tiny), sqrt(huge)]` (with a
/// margin for the dimension) are brought to norm about 1; scaling by a power of two is exact, so the
/// relative accuracy of the solvers is untouched.
pub(crate) fn scaling_exponent<T: Real>(max_abs: T, n: usize) -> i32 {
    let half_range = (T::MAX.exponent() / 2) - 8 - (usize::BITS - n.leading_zeros()) as i32;
    let e = max_abs.exponent();
    if e > half_range || e < -half_range { e } else { 0 }
}

/// Multiplies the lower triangle by `2^-e`.
pub(crate) fn scale_lower<T: Real>(a: &mut [T], n: usize, e: i32) {
    if e == 0 {
        return;
    }
    for j in 0..n {
        for x in &mut a[j * n + j..j * n + n] {
            *x = x.scalbn(-e);
        }
    }
}
