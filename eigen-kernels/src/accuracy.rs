//! Accuracy measures in LAPACK's units (TESTING/EIG dsyt21 and ddrvst), computed in `f64` without
//! allocation. Our bar: every ratio <= 50 (LAPACK's `sep.in` threshold).

use crate::Real;

/// Symmetric entry `(i, j)` read from the lower triangle, widened to `f64`.
#[inline]
fn sym<T: Real>(a: &[T], n: usize, i: usize, j: usize) -> f64 {
    let (r, c) = if i >= j { (i, j) } else { (j, i) };
    a[r + c * n].to_f64()
}

/// One-norm of the symmetric matrix whose lower triangle is stored in `a`.
pub fn sym_norm1<T: Real>(a: &[T], n: usize) -> f64 {
    (0..n)
        .map(|j| (0..n).map(|i| sym(a, n, i, j).abs()).sum::<f64>())
        .fold(0.0, f64::max)
}

/// Residual ratio `|A - V diag(values) V^T|_1 / (n |A|_1 ulp)` (dsyt21 test 1, with `|A|` floored at the
/// smallest normal number of `T`). `A` is read from its lower triangle; `vectors` holds eigenvectors as
/// columns. Returns `f64::INFINITY` for mismatched lengths or non-finite results.
pub fn residual_ratio<T: Real>(a: &[T], n: usize, values: &[T], vectors: &[T]) -> f64 {
    if n == 0 {
        return 0.0;
    }
    if a.len() != n * n || values.len() != n || vectors.len() != n * n {
        return f64::INFINITY;
    }
    let anorm = sym_norm1(a, n).max(T::MIN_POSITIVE.to_f64());
    let mut wnorm = 0.0f64;
    for j in 0..n {
        let mut col = 0.0;
        for i in 0..n {
            let mut r = sym(a, n, i, j);
            for k in 0..n {
                r -= vectors[i + k * n].to_f64() * values[k].to_f64() * vectors[j + k * n].to_f64();
            }
            col += r.abs();
        }
        wnorm = wnorm.max(col);
    }
    let ratio = wnorm / anorm / (n as f64 * T::EPSILON.to_f64());
    if ratio.is_finite() { ratio } else { f64::INFINITY }
}

/// Orthogonality ratio `|I - V^T V|_1 / (n ulp)` (dsyt21 test 2).
pub fn orthogonality_ratio<T: Real>(vectors: &[T], n: usize) -> f64 {
    if n == 0 {
        return 0.0;
    }
    if vectors.len() != n * n {
        return f64::INFINITY;
    }
    let mut worst = 0.0f64;
    for j in 0..n {
        let mut col = 0.0;
        for i in 0..n {
            let mut g = if i == j { 1.0 } else { 0.0 };
            for k in 0..n {
                g -= vectors[k + i * n].to_f64() * vectors[k + j * n].to_f64();
            }
            col += g.abs();
        }
        worst = worst.max(col);
    }
    let ratio = worst / (n as f64 * T::EPSILON.to_f64());
    if ratio.is_finite() { ratio } else { f64::INFINITY }
}

/// Eigenvalue agreement ratio `max |d1 - d2| / (ulp max(|d1|_max, |d2|_max))` (ddrvst tests 3, 6, 9),
/// with the denominator floored at the smallest normal number.
pub fn eigenvalue_ratio<T: Real>(d1: &[T], d2: &[T]) -> f64 {
    if d1.len() != d2.len() {
        return f64::INFINITY;
    }
    let mut scale = 0.0f64;
    let mut diff = 0.0f64;
    for (x, y) in d1.iter().zip(d2) {
        let (x, y) = (x.to_f64(), y.to_f64());
        scale = scale.max(x.abs()).max(y.abs());
        diff = diff.max((x - y).abs());
    }
    let ratio = diff / (T::EPSILON.to_f64() * scale).max(T::MIN_POSITIVE.to_f64());
    if ratio.is_finite() { ratio } else { f64::INFINITY }
}

/// `true` if `values` ascend and every eigenvector column's largest-magnitude entry (lowest index on
/// ties) is positive: the output conventions of every solver.
pub fn follows_conventions<T: Real>(values: &[T], vectors: Option<&[T]>, n: usize) -> bool {
    if values
        .windows(2)
        .any(|w| w[0].partial_cmp(&w[1]).is_none_or(|o| o.is_gt()))
    {
        return false;
    }
    let Some(v) = vectors else { return true };
    v.chunks_exact(n.max(1)).all(|col| {
        let mut best = T::ZERO;
        let mut positive = true;
        for &x in col {
            if x.abs() > best {
                best = x.abs();
                positive = x > T::ZERO;
            }
        }
        positive
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_decomposition_has_zero_ratios() {
        // A = diag(1, 2) in a rotated basis with exactly representable entries.
        let (c, s) = (0.6f64, 0.8f64);
        let v = [c, s, -s, c];
        let values = [1.0, 2.0];
        let mut a = [0.0; 4];
        for i in 0..2 {
            for j in 0..2 {
                a[i + 2 * j] = (0..2).map(|k| v[i + 2 * k] * values[k] * v[j + 2 * k]).sum();
            }
        }
        assert!(residual_ratio(&a, 2, &values, &v) < 1.0);
        assert!(orthogonality_ratio(&v, 2) < 1.0);
    }

    #[test]
    fn wrong_vectors_give_large_ratios() {
        let a = [2.0f64, 1.0, 1.0, 2.0];
        let identity = [1.0, 0.0, 0.0, 1.0];
        assert!(residual_ratio(&a, 2, &[1.0, 3.0], &identity) > 1e10);
        assert!(orthogonality_ratio(&[1.0f64, 0.0, 1.0, 0.0], 2) > 1e10);
        assert!(eigenvalue_ratio(&[1.0f32, 2.0], &[1.0, 2.001]) > 1e3);
    }

    #[test]
    fn conventions_check_rejects_unsorted_values_and_negative_leading_entries() {
        assert!(follows_conventions(
            &[1.0f64, 2.0],
            Some(&[1.0, 0.0, 0.0, 1.0]),
            2
        ));
        assert!(!follows_conventions(&[2.0f64, 1.0], None, 2));
        assert!(!follows_conventions(
            &[1.0f64, 2.0],
            Some(&[-1.0, 0.0, 0.0, 1.0]),
            2
        ));
    }
}
