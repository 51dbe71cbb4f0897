//! Input validation and scaling shared by every solver.

use crate::{EigenError, Real, SimdReal};

/// Checks the lower triangle for NaN/infinity and returns its largest magnitude.
///
/// Reports the first offending entry in column-major order. The scan runs SIMD over each column
/// (`Real::Lanes`: a running maximum and a running `|x| <= MAX` mask, false for NaN and infinity);
/// only a matrix that fails it is scanned again entry by entry to locate the first offender.
pub(crate) fn lower_max_abs<T: Real>(a: &[T], n: usize) -> Result<T, EigenError> {
    let big = T::Lanes::splat(T::MAX);
    let mut ok = big.eq(big);
    let mut vmax = T::Lanes::splat(T::ZERO);
    let mut max = T::ZERO;
    for j in 0..n {
        let col = a[j * n + j..j * n + n].chunks_exact(T::Lanes::LANES);
        for &x in col.remainder() {
            if !x.is_finite() {
                return Err(first_non_finite(a, n));
            }
            max = max.max(x.abs());
        }
        for c in col {
            let ax = T::Lanes::load(c).abs();
            ok = ok.and(ax.le(big));
            vmax = vmax.max(ax);
        }
    }
    if !T::Lanes::all(ok) {
        return Err(first_non_finite(a, n));
    }
    Ok(vmax.to_array().as_ref().iter().fold(max, |m, x| m.max(*x)))
}

/// The first NaN or infinity of the lower triangle in column-major order (there is one).
#[cold]
fn first_non_finite<T: Real>(a: &[T], n: usize) -> EigenError {
    for j in 0..n {
        for (i, &x) in a[j * n + j..j * n + n].iter().enumerate() {
            if !x.is_finite() {
                return EigenError::NonFinite { row: j + i, col: j };
            }
        }
    }
    EigenError::NonFinite { row: 0, col: 0 }
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

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// The SIMD scan against the definition: the largest magnitude of the lower triangle (entries
    /// above the diagonal ignored), and the first non-finite entry in column-major order, wherever
    /// it falls in the lanes and whatever comes after it.
    fn scan_matches_definition<T: Real>() {
        for n in 1..=19 {
            let mut a: Vec<T> = (0..n * n)
                .map(|x| T::from_f64(((x * 37) % 101) as f64 - 50.0))
                .collect();
            for j in 0..n {
                for i in 0..j {
                    a[i + j * n] = T::from_f64(1e6);
                }
            }
            let want = (0..n)
                .flat_map(|j| (j..n).map(move |i| (i, j)))
                .fold(T::ZERO, |m, (i, j)| m.max(a[i + j * n].abs()));
            assert_eq!(lower_max_abs(&a, n), Ok(want), "n {n}");
            for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY].map(T::from_f64) {
                for j in 0..n {
                    for i in j..n {
                        let mut b = a.clone();
                        b[i + j * n] = bad;
                        b[n * n - 1] = T::from_f64(f64::NAN);
                        let (row, col) = if i + j * n < n * n - 1 {
                            (i, j)
                        } else {
                            (n - 1, n - 1)
                        };
                        assert_eq!(
                            lower_max_abs(&b, n),
                            Err(EigenError::NonFinite { row, col }),
                            "n {n} entry ({i}, {j})"
                        );
                    }
                }
                // Above the diagonal is not read.
                if n > 1 {
                    let mut b = a.clone();
                    b[n] = bad;
                    assert_eq!(lower_max_abs(&b, n), Ok(want), "n {n}");
                }
            }
        }
    }

    #[test]
    fn lower_scan_finds_the_maximum_and_the_first_non_finite_entry() {
        scan_matches_definition::<f64>();
        scan_matches_definition::<f32>();
    }
}
