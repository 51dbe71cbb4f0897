//! Cyclic Jacobi eigensolver for dense symmetric matrices.
//!
//! Rutishauser's formulation (Wilkinson & Reinsch, Handbook for Automatic Computation II, contribution II/1,
//! "The Jacobi method for real symmetric matrices", 1971): the rotation angle from the stable tangent
//! formula, diagonal updates accumulated separately per sweep, and a threshold strategy in the first sweeps.
//! Off-diagonal entries are declared negligible by the relative test of Demmel & Veselić
//! ("Jacobi's method is more accurate than QR", SIAM J. Matrix Anal. Appl. 13(4), 1992):
//! `|a_pq| <= tol * sqrt(|a_pp| |a_qq|)`, which is what gives graded positive definite matrices their
//! eigenvalues to high relative accuracy.
//!
//! Stages: [`rotation`] (one 2x2 problem), [`sweep`] (one cyclic sweep, SIMD column/row updates).

pub(crate) mod rotation;
pub(crate) mod sweep;

use crate::{EigenError, Real};

/// Workspace length of [`solve`]: the diagonal `d`, its per-sweep base `b` and correction `z`.
pub(crate) const fn workspace_len(n: usize) -> usize {
    3 * n
}

/// Solves the symmetric eigenproblem of `a` (n x n column-major; lower triangle read, whole matrix
/// overwritten) by cyclic Jacobi. Eigenvalues go to `values` (unsorted), eigenvectors (if wanted) to the
/// columns of `vectors`. Returns the number of sweeps.
///
/// The input must be finite and scaled so that its entries are far from overflow and underflow
/// (the driver does both).
pub(crate) fn solve<T: Real>(
    a: &mut [T],
    n: usize,
    values: &mut [T],
    mut vectors: Option<&mut [T]>,
    work: &mut [T],
    tol: T,
    max_sweeps: usize,
) -> Result<usize, EigenError> {
    sweep::mirror_lower(a, n);
    if let Some(v) = vectors.as_deref_mut() {
        sweep::set_identity(v, n);
    }
    let (d, rest) = work.split_at_mut(n);
    let (b, rest) = rest.split_at_mut(n);
    let z = &mut rest[..n];
    for i in 0..n {
        d[i] = a[i + i * n];
        b[i] = d[i];
        z[i] = T::ZERO;
    }
    let mut sweeps = 0;
    loop {
        let stats = sweep::jacobi_sweep(a, n, d, z, vectors.as_deref_mut(), tol, sweeps);
        sweeps += 1;
        // Rutishauser: fold the accumulated corrections into the base diagonal once per sweep.
        for i in 0..n {
            b[i] += z[i];
            d[i] = b[i];
            z[i] = T::ZERO;
        }
        if stats.rotations == 0 && stats.deferred == 0 {
            break;
        }
        if sweeps >= max_sweeps {
            let remaining = sweep::count_not_negligible(a, n, d, tol);
            if remaining == 0 {
                break;
            }
            return Err(EigenError::NoConvergence {
                iterations: sweeps,
                remaining,
            });
        }
    }
    values[..n].copy_from_slice(d);
    Ok(sweeps)
}
