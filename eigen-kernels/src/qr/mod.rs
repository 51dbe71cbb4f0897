//! Householder tridiagonalization followed by implicit symmetric QR (LAPACK dsytrd + dorgtr + dsteqr).
//!
//! Stages: [`householder`] (elementary reflectors), [`tridiagonalize`] (`A = Q T Q^T`, fused rank-2
//! update and symmetric matrix-vector product), [`back_transform`] (forms `Q`), [`plane`] (Givens
//! rotations, closed-form 2x2), [`implicit_qr`] (Wilkinson-shift QR on `T`), [`root_free`] (its
//! square-root-free form for eigenvalues only, dsterf), [`rotation_sweeps`]
//! (its rotations applied to `Q` in delayed, packed row strips, turning `Q` into the eigenvectors).
//! From [`DIVIDE_CONQUER_MIN_N`] with eigenvectors (and the workspace for it), the eigenvectors of `T`
//! come instead from [`divide_conquer`] (dstedc; roots by [`secular`]) and [`apply_q`] multiplies them by
//! `Q` without forming it ([`product`] runs the matrix products).

pub(crate) mod apply_q;
pub(crate) mod back_transform;
pub(crate) mod divide_conquer;
pub(crate) mod householder;
pub(crate) mod implicit_qr;
pub(crate) mod plane;
pub(crate) mod product;
pub(crate) mod root_free;
pub(crate) mod rotation_sweeps;
pub(crate) mod secular;
pub(crate) mod tridiagonalize;

use crate::{ComputeVectors, EigenError, Real};
use implicit_qr::{NoVectors, implicit_qr};
use rotation_sweeps::Delayed;

/// Workspace length of [`solve`]: the off-diagonal `e`, the reflector scalars `tau`, and two vectors
/// (`w`, `p` of the tridiagonalization, reused as the rotation cosines and sines). The blocked stages
/// need no more: the delayed rotations live in `a` once `Q` is formed, the packed `V` in columns of `Q`
/// not yet formed.
pub(crate) const fn min_workspace_len(n: usize) -> usize {
    4 * n
}

/// Smallest `n` for which the eigenvectors come from [`divide_conquer`] (measured: see
/// `ARCHITECTURE.md`); below it the rotations of the implicit QR are accumulated.
pub(crate) const DIVIDE_CONQUER_MIN_N: usize = 128;

/// Step budget per eigenvalue of the root-free eigenvalue-only iteration (dsterf's `maxit`); past it the
/// rotation-based iteration takes over with the caller's budget.
const ROOT_FREE_STEPS_PER_VALUE: usize = 30;

/// Largest `n` for which the divide-and-conquer index arrays (stored as floats) are exact in `f32`.
const DIVIDE_CONQUER_MAX_N: usize = 1 << 24;

/// Whether [`solve`] takes the divide-and-conquer path for `n` (given enough workspace).
const fn divide_conquer(n: usize, vectors: ComputeVectors) -> bool {
    matches!(vectors, ComputeVectors::Yes) && n >= DIVIDE_CONQUER_MIN_N && n < DIVIDE_CONQUER_MAX_N
}

/// Smallest `n` reduced in an aligned, padded copy ([`tridiagonalize::tridiagonalize_aligned`]) when
/// the workspace holds one (measured: see `ARCHITECTURE.md`).
pub(crate) const ALIGNED_MIN_N: usize = 32;

/// Workspace length for the fastest path: [`min_workspace_len`], plus the larger of the
/// divide-and-conquer storage (`2 n^2 + 20 n` and a packing panel) when it applies and the aligned copy
/// of the reduction (about `n^2`) from [`ALIGNED_MIN_N`]. [`solve`] works with any length from
/// [`min_workspace_len`] on and takes each of the two only when the workspace holds it.
pub(crate) const fn workspace_len(n: usize, vectors: ComputeVectors) -> usize {
    let aligned = if n >= ALIGNED_MIN_N {
        tridiagonalize::aligned_len(n)
    } else {
        0
    };
    let extra = if divide_conquer(n, vectors) {
        let dc = divide_conquer::workspace_len(n);
        let back = n * n + apply_q::workspace_len(n);
        max(max(dc, back), aligned)
    } else {
        aligned
    };
    min_workspace_len(n) + extra
}

/// `usize::max` in a `const fn`.
const fn max(x: usize, y: usize) -> usize {
    if x > y { x } else { y }
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
    let dc = divide_conquer(n, ComputeVectors::Yes) && work.len() >= workspace_len(n, ComputeVectors::Yes);
    let (e, rest) = work.split_at_mut(n);
    let (tau, rest) = rest.split_at_mut(n);
    let (w, rest) = rest.split_at_mut(n);
    let (p, rest) = rest.split_at_mut(n);
    let d = &mut values[..n];
    if n >= ALIGNED_MIN_N && rest.len() >= tridiagonalize::aligned_len(n) {
        tridiagonalize::tridiagonalize_aligned(a, n, d, e, tau, rest);
    } else {
        tridiagonalize::tridiagonalize(a, n, d, e, tau, w, p);
    }
    match vectors {
        Some(z) if dc => {
            // The eigenvectors of T (in `z`, node layout), unpacked into scratch, multiplied by `Q`
            // from the reflectors still in `a`, and copied back.
            let steps = divide_conquer::eigenvectors(d, e, z, rest, max_per_value)?;
            let (zs, scratch) = rest.split_at_mut(n * n);
            divide_conquer::unpack(z, n, zs);
            apply_q::apply_q(a, n, tau, zs, scratch);
            // Copied back in ascending order of the eigenvalues, so the driver's sort finds them
            // sorted and moves no columns.
            for (i, o) in p.iter_mut().enumerate() {
                *o = T::from_usize(i);
            }
            p.sort_unstable_by(|x, y| {
                d[divide_conquer::ix(*x)]
                    .partial_cmp(&d[divide_conquer::ix(*y)])
                    .unwrap_or(core::cmp::Ordering::Equal)
            });
            for (k, o) in p.iter().enumerate() {
                let j = divide_conquer::ix(*o);
                w[k] = d[j];
                z[k * n..k * n + n].copy_from_slice(&zs[j * n..j * n + n]);
            }
            d.copy_from_slice(w);
            Ok(steps)
        }
        Some(z) => {
            back_transform::form_q(a, n, tau, z);
            // The reflectors are spent: `a` stores the delayed rotation sweeps.
            implicit_qr(d, e, w, p, &mut Delayed::new(z, n, a), max_per_value)
        }
        None => {
            // Root-free iteration, with a copy of (d, e) kept in `w`, `p`: if it does not converge or fails
            // its Frobenius-norm check (which a NaN or infinite eigenvalue fails too), the rotation-based
            // iteration restarts from the copy.
            w.copy_from_slice(d);
            p.copy_from_slice(e);
            match root_free::root_free_qr(d, e, max_per_value.min(ROOT_FREE_STEPS_PER_VALUE)) {
                Some(steps) => Ok(steps),
                None => {
                    d.copy_from_slice(w);
                    e.copy_from_slice(p);
                    implicit_qr(d, e, w, p, &mut NoVectors, max_per_value)
                }
            }
        }
    }
}
