//! Eigen-reconstructions and congruences: `V diag(d) V^T`, `V M V^T`, `V^T M V` for symmetric results.

use super::tile::{self, Part};
use super::{Op, area, check, gemm};
use crate::{EigenError, Real};

/// `C <- V diag(d) V^T` for `V` `n x k` (column `p` scaled by `d[p]`), `C` `n x n`.
///
/// The spectral-function output `f(A) = V f(L) V^T` when `d = f(L)`; with `k < n` a partial spectrum. The
/// lower triangle is built by the register-tiled kernel with `op(B)[p, j] = d_p V[j, p]` and then
/// mirrored, so `C` is exactly symmetric.
///
/// Errors: [`EigenError::DimensionMismatch`] when a slice length does not match its shape.
pub fn reconstruct<T: Real>(n: usize, k: usize, v: &[T], d: &[T], c: &mut [T]) -> Result<(), EigenError> {
    check("v", area("v", n, k)?, v.len())?;
    check("d", k, d.len())?;
    check("c", area("c", n, n)?, c.len())?;
    c.fill(T::ZERO);
    tile::update(n, n, k, T::ONE, v, |p, j| d[p] * v[p * n + j], c, Part::Lower);
    mirror_lower(n, c);
    Ok(())
}

/// Workspace (scalars) of [`congruence`]: `2 n^2`.
pub fn congruence_workspace_len(n: usize) -> usize {
    2 * n * n
}

/// `C <- V M V^T` (`op = NoTrans`) or `C <- V^T M V` (`op = Trans`) for square `n x n` `V` and symmetric `M`.
///
/// The change of basis of the eigen-backward formulas (`V^T S V` into the eigenbasis, `V K V^T` back).
/// `work` holds [`congruence_workspace_len`] scalars (the product `V M` or `M V`, and `V^T`). Both
/// products run the register-tiled kernel; the second computes only the lower triangle, which is then
/// mirrored: `C` is exactly symmetric (for a non-symmetric `M`, the lower triangle of the product,
/// mirrored).
///
/// Errors: [`EigenError::DimensionMismatch`] when a slice length does not match its shape,
/// [`EigenError::WorkspaceTooSmall`].
pub fn congruence<T: Real>(
    op: Op,
    n: usize,
    v: &[T],
    m: &[T],
    work: &mut [T],
    c: &mut [T],
) -> Result<(), EigenError> {
    let nn = area("v", n, n)?;
    check("v", nn, v.len())?;
    check("m", nn, m.len())?;
    check("c", nn, c.len())?;
    let needed = congruence_workspace_len(n);
    if work.len() < needed {
        return Err(EigenError::WorkspaceTooSmall {
            needed,
            found: work.len(),
        });
    }
    let (w, vt) = work[..needed].split_at_mut(nn);
    c.fill(T::ZERO);
    match op {
        Op::Trans => {
            // W = M V, C = V^T W with V^T formed explicitly so the product runs the tiled kernel.
            gemm(Op::NoTrans, Op::NoTrans, n, n, n, T::ONE, m, v, T::ZERO, w)?;
            for j in 0..n {
                for i in 0..n {
                    vt[i * n + j] = v[j * n + i];
                }
            }
            let w = &*w;
            tile::update(n, n, n, T::ONE, vt, |p, j| w[j * n + p], c, Part::Lower);
        }
        Op::NoTrans => {
            // W = V M, C = W V^T.
            gemm(Op::NoTrans, Op::NoTrans, n, n, n, T::ONE, v, m, T::ZERO, w)?;
            tile::update(n, n, n, T::ONE, w, |p, j| v[p * n + j], c, Part::Lower);
        }
    }
    mirror_lower(n, c);
    Ok(())
}

/// Copies the strict lower triangle of the `n x n` `c` onto its upper triangle.
fn mirror_lower<T: Real>(n: usize, c: &mut [T]) {
    for j in 0..n {
        for i in j + 1..n {
            c[i * n + j] = c[j * n + i];
        }
    }
}

#[cfg(all(test, feature = "alloc"))]
#[allow(clippy::unwrap_used)]
mod tests {
    use alloc::vec;
    use alloc::vec::Vec;

    use super::*;
    use crate::testing::Rng;

    fn cast<T: Real>(x: &[f64]) -> Vec<T> {
        x.iter().map(|v| T::from_f64(*v)).collect()
    }

    fn both_forms_match_naive_loops<T: Real>(tol: f64) {
        let mut rng = Rng::new(5);
        for (n, k) in [
            (1, 1),
            (4, 2),
            (9, 9),
            (13, 5),
            (0, 0),
            (32, 32),
            (37, 37),
            (21, 6),
        ] {
            let v: Vec<f64> = (0..n * k).map(|_| rng.symmetric_uniform()).collect();
            let d: Vec<f64> = (0..k).map(|_| rng.symmetric_uniform()).collect();
            let mut c = vec![T::ZERO; n * n];
            reconstruct(n, k, &cast::<T>(&v), &cast::<T>(&d), &mut c).unwrap();
            for i in 0..n {
                for j in 0..n {
                    let want: f64 = (0..k).map(|p| v[p * n + i] * d[p] * v[p * n + j]).sum();
                    let err = (c[j * n + i].to_f64() - want).abs();
                    assert!(
                        err <= tol * (k as f64 + 1.0),
                        "reconstruct {n}x{k} ({i},{j}): {err}"
                    );
                }
            }
            if n != k {
                continue;
            }
            let m0: Vec<f64> = (0..n * n).map(|_| rng.symmetric_uniform()).collect();
            let m: Vec<f64> = (0..n * n)
                .map(|idx| m0[idx] + m0[(idx % n) * n + idx / n])
                .collect();
            let mut work = vec![T::ZERO; congruence_workspace_len(n)];
            for op in [Op::NoTrans, Op::Trans] {
                congruence(op, n, &cast::<T>(&v), &cast::<T>(&m), &mut work, &mut c).unwrap();
                let vt = |i: usize, p: usize| match op {
                    Op::NoTrans => v[p * n + i],
                    Op::Trans => v[i * n + p],
                };
                for i in 0..n {
                    for j in 0..n {
                        let mut want = 0.0;
                        for p in 0..n {
                            for q in 0..n {
                                want += vt(i, p) * m[q * n + p] * vt(j, q);
                            }
                        }
                        let err = (c[j * n + i].to_f64() - want).abs();
                        assert!(err <= tol * (n * n) as f64, "{op:?} {n} ({i},{j}): {err}");
                        assert_eq!(c[j * n + i], c[i * n + j]);
                    }
                }
            }
        }
    }

    #[test]
    fn reconstruction_and_congruence_match_naive_loops() {
        both_forms_match_naive_loops::<f64>(1e-14);
        both_forms_match_naive_loops::<f32>(1e-5);
    }

    #[test]
    fn congruence_rejects_short_workspace() {
        let mut c = [0.0f64; 4];
        let e = congruence(Op::Trans, 2, &[1.0; 4], &[1.0; 4], &mut [0.0; 7], &mut c);
        assert!(matches!(
            e,
            Err(EigenError::WorkspaceTooSmall { needed: 8, found: 7 })
        ));
    }
}
