//! Jacobi eigensolver for dense symmetric matrices (cyclic and Brent–Luk parallel orderings).
//!
//! Rutishauser's formulation (Wilkinson & Reinsch, Handbook for Automatic Computation II, contribution II/1,
//! "The Jacobi method for real symmetric matrices", 1971): the rotation angle from the stable tangent
//! formula, diagonal updates accumulated separately per sweep, and a threshold strategy in the first sweeps.
//! Off-diagonal entries are declared negligible by the relative test of Demmel & Veselić
//! ("Jacobi's method is more accurate than QR", SIAM J. Matrix Anal. Appl. 13(4), 1992):
//! `|a_pq| <= tol * sqrt(|a_pp| |a_qq|)`, which is what gives graded positive definite matrices their
//! eigenvalues to high relative accuracy.
//!
//! Ordering: small matrices sweep cyclically by columns ([`sweep`]); from [`ROUNDS_FROM`] on, sweeps use
//! the Brent–Luk parallel ordering (Brent & Luk, SIAM J. Sci. Stat. Comput. 6(1), 1985; [`ordering`],
//! [`rounds`]): each round's `n / 2` disjoint rotations are computed together and applied in one
//! vectorised pass over the matrix, instead of one strided row update per rotation.
//!
//! Stages: [`rotation`] (one 2x2 problem, the relative test), [`sweep`] (cyclic sweep, SIMD column updates),
//! [`ordering`] (the round-robin ring), [`rounds`] (one round applied in one pass).

pub(crate) mod ordering;
pub(crate) mod rotation;
pub(crate) mod rounds;
pub(crate) mod sweep;

use crate::{EigenError, Real};

/// Smallest dimension solved in the Brent–Luk ordering (measured crossover, see `ARCHITECTURE.md`).
pub(crate) const ROUNDS_FROM: usize = 32;

/// Workspace length of [`solve`] for an `n x n` problem.
pub(crate) const fn workspace_len(n: usize) -> usize {
    if n <= 1 {
        0
    } else if n < ROUNDS_FROM {
        cyclic_workspace_len(n)
    } else {
        rounds::workspace_len(n)
    }
}

/// Workspace of the cyclic solver: the diagonal `d`, its per-sweep base `b` and correction `z`.
const fn cyclic_workspace_len(n: usize) -> usize {
    3 * n
}

/// Solves the symmetric eigenproblem of `a` (n x n column-major; lower triangle read, whole matrix
/// overwritten) by Jacobi's method. Eigenvalues go to `values` (unsorted), eigenvectors (if wanted) to
/// the columns of `vectors`. Returns the number of sweeps.
///
/// The input must be finite and scaled so that its entries are far from overflow and underflow
/// (the driver does both).
pub(crate) fn solve<T: Real>(
    a: &mut [T],
    n: usize,
    values: &mut [T],
    vectors: Option<&mut [T]>,
    work: &mut [T],
    tol: T,
    max_sweeps: usize,
) -> Result<usize, EigenError> {
    if n <= 1 {
        values[..n].copy_from_slice(&a[..n]);
        if let Some(v) = vectors {
            sweep::set_identity(v, n);
        }
        return Ok(0);
    }
    if n < ROUNDS_FROM {
        cyclic(a, n, values, vectors, work, tol, max_sweeps)
    } else {
        rounds::solve(a, n, values, vectors, work, tol, max_sweeps)
    }
}

/// Cyclic-by-columns Jacobi for small `n`.
fn cyclic<T: Real>(
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
