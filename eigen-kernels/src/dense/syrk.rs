//! Symmetric rank-k update `C <- alpha op(A) op(A)^T + beta C` (BLAS `xSYRK` semantics), writing both
//! triangles so the result is a full symmetric matrix.

use super::{Op, area, check};
use crate::simd::{axpy, dot, scale};
use crate::{EigenError, Real};

/// `C <- alpha op(A) op(A)^T + beta C` for the `n x n` symmetric `C`.
///
/// `op = NoTrans`: `A` is `n x k` and the update is `A A^T`; `op = Trans`: `A` is `k x n` and the update is
/// `A^T A` (the Gram / covariance form `X^T X` of a `k x n` data matrix). Only the lower triangle is
/// computed (`dot`s of columns for `Trans`, `axpy`s down columns for `NoTrans`, as in reference `dsyrk`);
/// it is then mirrored, so on return `C` is exactly symmetric. With `beta == 0` the old `C` is ignored.
///
/// Errors: [`EigenError::DimensionMismatch`] when a slice length does not match its shape.
pub fn syrk<T: Real>(
    op: Op,
    n: usize,
    k: usize,
    alpha: T,
    a: &[T],
    beta: T,
    c: &mut [T],
) -> Result<(), EigenError> {
    check("a", area("a", n, k)?, a.len())?;
    check("c", area("c", n, n)?, c.len())?;
    for j in 0..n {
        let cj = &mut c[j * n + j..j * n + n];
        if beta == T::ZERO {
            cj.fill(T::ZERO);
        } else if beta != T::ONE {
            scale(beta, cj);
        }
        if alpha == T::ZERO || k == 0 {
            continue;
        }
        match op {
            Op::Trans => {
                let aj = &a[j * k..j * k + k];
                for (off, cij) in cj.iter_mut().enumerate() {
                    let i = j + off;
                    *cij += alpha * dot(&a[i * k..i * k + k], aj);
                }
            }
            Op::NoTrans => {
                // C[j.., j] += sum_p alpha A[j, p] A[j.., p]
                for p in 0..k {
                    let ajp = a[p * n + j];
                    if ajp != T::ZERO {
                        axpy(alpha * ajp, &a[p * n + j..p * n + n], cj);
                    }
                }
            }
        }
    }
    for j in 0..n {
        for i in j + 1..n {
            c[i * n + j] = c[j * n + i];
        }
    }
    Ok(())
}

#[cfg(all(test, feature = "alloc"))]
#[allow(clippy::unwrap_used)]
mod tests {
    use alloc::vec;
    use alloc::vec::Vec;

    use super::*;
    use crate::testing::Rng;

    fn matches_naive_loops<T: Real>(tol: f64) {
        let mut rng = Rng::new(11);
        for (n, k) in [(1, 1), (5, 3), (9, 17), (16, 40), (0, 2), (3, 0)] {
            for op in [Op::NoTrans, Op::Trans] {
                let a: Vec<f64> = (0..n * k).map(|_| rng.symmetric_uniform()).collect();
                let at = |i: usize, p: usize| match op {
                    Op::NoTrans => a[p * n + i],
                    Op::Trans => a[i * k + p],
                };
                let c0: Vec<f64> = (0..n * n).map(|_| rng.symmetric_uniform()).collect();
                // beta * C needs a symmetric C to stay symmetric: symmetrize the start.
                let c0: Vec<f64> = (0..n * n)
                    .map(|idx| (c0[idx] + c0[(idx % n) * n + idx / n]) / 2.0)
                    .collect();
                let mut c: Vec<T> = c0.iter().map(|x| T::from_f64(*x)).collect();
                let ta: Vec<T> = a.iter().map(|x| T::from_f64(*x)).collect();
                syrk(op, n, k, T::from_f64(1.5), &ta, T::from_f64(0.25), &mut c).unwrap();
                let mut want = vec![0.0; n * n];
                for j in 0..n {
                    for i in 0..n {
                        let mut s = 0.0;
                        for p in 0..k {
                            s += at(i, p) * at(j, p);
                        }
                        want[j * n + i] = 1.5 * s + 0.25 * c0[j * n + i];
                    }
                }
                for idx in 0..n * n {
                    let err = (c[idx].to_f64() - want[idx]).abs();
                    assert!(err <= tol * (k as f64 + 1.0), "{op:?} {n}x{k} [{idx}]: {err}");
                    assert_eq!(c[idx], c[(idx % n) * n + idx / n], "exactly symmetric");
                }
            }
        }
    }

    #[test]
    fn syrk_matches_naive_loops_and_is_exactly_symmetric() {
        matches_naive_loops::<f64>(1e-14);
        matches_naive_loops::<f32>(1e-5);
    }

    #[test]
    fn syrk_rejects_wrong_lengths() {
        let mut c = [0.0f32; 4];
        let e = syrk(Op::Trans, 2, 3, 1.0, &[1.0; 5], 0.0, &mut c);
        assert!(matches!(e, Err(EigenError::DimensionMismatch { what: "a", .. })));
    }
}
