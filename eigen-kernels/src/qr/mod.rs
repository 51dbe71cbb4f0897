//! Householder tridiagonalization followed by implicit symmetric QR (LAPACK dsytrd + dorgtr + dsteqr).
//!
//! Stages: [`householder`] (elementary reflectors), [`tridiagonalize`] (`A = Q T Q^T`, fused rank-2
//! update and symmetric matrix-vector product), [`back_transform`] (forms `Q`), [`plane`] (Givens
//! rotations, closed-form 2x2), [`implicit_qr`] (Wilkinson-shift QR on `T`, rotating `Q` into the
//! eigenvectors).

pub(crate) mod back_transform;
pub(crate) mod householder;
pub(crate) mod implicit_qr;
pub(crate) mod plane;
pub(crate) mod rotation_sweeps;
pub(crate) mod tridiagonalize;

use crate::{EigenError, Real};
use implicit_qr::{NoVectors, implicit_qr};
use rotation_sweeps::Delayed;

/// Workspace length of [`solve`]: the off-diagonal `e`, the reflector scalars `tau`, and two vectors
/// (`w`, `p` of the tridiagonalization, reused as the rotation cosines and sines).
pub(crate) const fn workspace_len(n: usize) -> usize {
    4 * n
}

/// Solves the symmetric eigenproblem of `a` (n x n column-major; lower triangle read, overwritten by
/// the reflectors). Eigenvalues go to `values` (unsorted), eigenvectors (if wanted) to the columns of
/// `vectors`. Returns the number of implicit QR steps.
///
/// The input must be finite and scaled away from overflow and underflow (the driver does both).
pub(crate) fn solve<T: Real>(
    a: &mut [T],
    n: usize,
    values: &mut [T],
    vectors: Option<&mut [T]>,
    work: &mut [T],
    max_per_value: usize,
) -> Result<usize, EigenError> {
    let (e, rest) = work.split_at_mut(n);
    let (tau, rest) = rest.split_at_mut(n);
    let (w, rest) = rest.split_at_mut(n);
    let p = &mut rest[..n];
    let d = &mut values[..n];
    tridiagonalize::tridiagonalize(a, n, d, e, tau, w, p);
    match vectors {
        Some(z) => {
            back_transform::form_q(a, n, tau, z);
            // The reflectors are spent: `a` stores the delayed rotation sweeps.
            implicit_qr(d, e, w, p, &mut Delayed::new(z, n, a), max_per_value)
        }
        None => implicit_qr(d, e, w, p, &mut NoVectors, max_per_value),
    }
}
