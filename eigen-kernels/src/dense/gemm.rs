//! General matrix product `C <- alpha op(A) op(B) + beta C` (BLAS `xGEMM` semantics, column-major,
//! contiguous storage).

use super::tile::{self, Part};
use super::{area, check};
use crate::simd::{dot, scale};
use crate::{EigenError, Real};

/// Whether an operand is used as stored or transposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `op(X) = X`.
    NoTrans,
    /// `op(X) = X^T`.
    Trans,
}

/// `C <- alpha op(A) op(B) + beta C` with `op(A)` `m x k`, `op(B)` `k x n`, `C` `m x n`.
///
/// `A` is stored `m x k` (or `k x m` when transposed), `B` `k x n` (or `n x k`), all column-major and
/// contiguous. When `beta == 0` the old contents of `C` are ignored (NaN in `C` does not propagate), as in
/// BLAS. `A` as stored runs the register-tiled kernel (`tile.rs`); `A^T` runs `dot` products of columns
/// (reference `dgemm`'s order, efficient when `k` is long, e.g. `X^T Y` over a batch); `A^T B^T` (rare)
/// is computed against a strided row without vectorisation.
///
/// Errors: [`EigenError::DimensionMismatch`] when a slice length does not match its shape.
pub fn gemm<T: Real>(
    op_a: Op,
    op_b: Op,
    m: usize,
    n: usize,
    k: usize,
    alpha: T,
    a: &[T],
    b: &[T],
    beta: T,
    c: &mut [T],
) -> Result<(), EigenError> {
    check("a", area("a", m, k)?, a.len())?;
    check("b", area("b", k, n)?, b.len())?;
    check("c", area("c", m, n)?, c.len())?;
    if m == 0 || n == 0 {
        return Ok(());
    }
    for j in 0..n {
        let cj = &mut c[j * m..j * m + m];
        if beta == T::ZERO {
            cj.fill(T::ZERO);
        } else if beta != T::ONE {
            scale(beta, cj);
        }
    }
    if alpha == T::ZERO || k == 0 {
        return Ok(());
    }
    match (op_a, op_b) {
        (Op::NoTrans, Op::NoTrans) => tile::update(m, n, k, alpha, a, |p, j| b[j * k + p], c, Part::Full),
        (Op::NoTrans, Op::Trans) => tile::update(m, n, k, alpha, a, |p, j| b[p * n + j], c, Part::Full),
        (Op::Trans, Op::NoTrans) => {
            for j in 0..n {
                let bj = &b[j * k..j * k + k];
                for (i, cij) in c[j * m..j * m + m].iter_mut().enumerate() {
                    *cij += alpha * dot(&a[i * k..i * k + k], bj);
                }
            }
        }
        (Op::Trans, Op::Trans) => {
            for j in 0..n {
                for (i, cij) in c[j * m..j * m + m].iter_mut().enumerate() {
                    let ai = &a[i * k..i * k + k];
                    let mut s = T::ZERO;
                    for (p, aip) in ai.iter().enumerate() {
                        s += *aip * b[p * n + j];
                    }
                    *cij += alpha * s;
                }
            }
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

    fn naive(op_a: Op, op_b: Op, m: usize, n: usize, k: usize, a: &[f64], b: &[f64]) -> Vec<f64> {
        let at = |i: usize, p: usize| match op_a {
            Op::NoTrans => a[p * m + i],
            Op::Trans => a[i * k + p],
        };
        let bt = |p: usize, j: usize| match op_b {
            Op::NoTrans => b[j * k + p],
            Op::Trans => b[p * n + j],
        };
        let mut c = vec![0.0; m * n];
        for j in 0..n {
            for i in 0..m {
                for p in 0..k {
                    c[j * m + i] += at(i, p) * bt(p, j);
                }
            }
        }
        c
    }

    fn matches_naive_loops<T: Real>(tol: f64) {
        let mut rng = Rng::new(7);
        for (m, n, k) in [
            (1, 1, 1),
            (3, 5, 2),
            (17, 9, 13),
            (8, 16, 32),
            (0, 3, 2),
            (4, 0, 1),
            (5, 3, 0),
            (32, 32, 32),
            (37, 11, 19),
            (70, 6, 5),
            (19, 8, 130),
            (16, 4, 3),
        ] {
            for op_a in [Op::NoTrans, Op::Trans] {
                for op_b in [Op::NoTrans, Op::Trans] {
                    let a: Vec<f64> = (0..m * k).map(|_| rng.symmetric_uniform()).collect();
                    let b: Vec<f64> = (0..k * n).map(|_| rng.symmetric_uniform()).collect();
                    let c0: Vec<f64> = (0..m * n).map(|_| rng.symmetric_uniform()).collect();
                    let want = naive(op_a, op_b, m, n, k, &a, &b);
                    let (ta, tb): (Vec<T>, Vec<T>) = (
                        a.iter().map(|x| T::from_f64(*x)).collect(),
                        b.iter().map(|x| T::from_f64(*x)).collect(),
                    );
                    let mut c: Vec<T> = c0.iter().map(|x| T::from_f64(*x)).collect();
                    gemm(
                        op_a,
                        op_b,
                        m,
                        n,
                        k,
                        T::from_f64(2.0),
                        &ta,
                        &tb,
                        T::from_f64(-0.5),
                        &mut c,
                    )
                    .unwrap();
                    for idx in 0..m * n {
                        let w = 2.0 * want[idx] - 0.5 * c0[idx];
                        let err = (c[idx].to_f64() - w).abs();
                        assert!(
                            err <= tol * (k as f64 + 1.0),
                            "{op_a:?}{op_b:?} {m}x{n}x{k} [{idx}]: {err}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn gemm_matches_naive_loops_for_every_transpose_and_remainder() {
        matches_naive_loops::<f64>(1e-14);
        matches_naive_loops::<f32>(1e-5);
    }

    #[test]
    fn gemm_with_zero_beta_ignores_nan_in_c() {
        let mut c = [f64::NAN; 4];
        gemm(
            Op::NoTrans,
            Op::NoTrans,
            2,
            2,
            1,
            1.0,
            &[1.0, 2.0],
            &[3.0, 4.0],
            0.0,
            &mut c,
        )
        .unwrap();
        assert_eq!(c, [3.0, 6.0, 4.0, 8.0]);
    }

    #[test]
    fn gemm_rejects_wrong_lengths() {
        let mut c = [0.0f64; 4];
        let e = gemm(
            Op::NoTrans,
            Op::NoTrans,
            2,
            2,
            2,
            1.0,
            &[1.0; 3],
            &[1.0; 4],
            0.0,
            &mut c,
        );
        assert!(matches!(e, Err(EigenError::DimensionMismatch { what: "a", .. })));
    }
}
