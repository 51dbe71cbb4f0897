//! One cyclic-by-columns Jacobi sweep (small matrices), and helpers shared with [`super::rounds`].

use super::rotation::{JacobiRotation, is_negligible};
use crate::{Real, simd};

/// Counts of one sweep.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SweepStats {
    /// Rotations applied.
    pub rotations: usize,
    /// Entries left alone by the threshold strategy although not yet negligible.
    pub deferred: usize,
}

/// Sweeps that use the threshold strategy before every non-negligible entry is rotated away.
const THRESHOLD_SWEEPS: usize = 3;

/// Copies the lower triangle into the upper one.
pub(crate) fn mirror_lower<T: Real>(a: &mut [T], n: usize) {
    for j in 0..n {
        for i in j + 1..n {
            a[j + i * n] = a[i + j * n];
        }
    }
}

/// Sets `v` (n x n) to the identity.
pub(crate) fn set_identity<T: Real>(v: &mut [T], n: usize) {
    v[..n * n].fill(T::ZERO);
    for i in 0..n {
        v[i + i * n] = T::ONE;
    }
}

/// Number of off-diagonal pairs that fail the relative negligibility test.
pub(crate) fn count_not_negligible<T: Real>(a: &[T], n: usize, d: &[T], tol: T) -> usize {
    let mut count = 0;
    for q in 1..n {
        for p in 0..q {
            if !is_negligible(a[p + q * n], d[p], d[q], tol) {
                count += 1;
            }
        }
    }
    count
}

/// The threshold of sweep `sweep_index`: in the first [`THRESHOLD_SWEEPS`] sweeps, `0.2 * off / n^2` with
/// `off` the sum of the strictly upper entries' magnitudes (Wilkinson & Reinsch II/1), later zero.
pub(crate) fn threshold<T: Real>(a: &[T], n: usize, sweep_index: usize) -> T {
    if sweep_index < THRESHOLD_SWEEPS && n > 2 {
        let mut off = T::ZERO;
        for q in 1..n {
            for p in 0..q {
                off += a[p + q * n].abs();
            }
        }
        T::from_f64(0.2) * off / T::from_usize(n * n)
    } else {
        T::ZERO
    }
}

/// One cyclic sweep over the pairs `p < q` of the full symmetric matrix `a` (both triangles kept).
///
/// `d` holds the current diagonal (the matrix diagonal itself is not maintained) and `z` accumulates
/// the sweep's diagonal corrections (Rutishauser). Columns `p` and `q` of `a` and of `v` are rotated
/// with contiguous SIMD loads; the rows are then restored from the columns by symmetry.
/// In the first [`THRESHOLD_SWEEPS`] sweeps entries below `0.2 * off / n^2` are deferred
/// (the Handbook's threshold strategy) so the big entries go first.
pub(crate) fn jacobi_sweep<T: Real>(
    a: &mut [T],
    n: usize,
    d: &mut [T],
    z: &mut [T],
    mut v: Option<&mut [T]>,
    tol: T,
    sweep_index: usize,
) -> SweepStats {
    let threshold = threshold(a, n, sweep_index);
    let mut stats = SweepStats::default();
    for q in 1..n {
        for p in 0..q {
            let apq = a[p + q * n];
            if is_negligible(apq, d[p], d[q], tol) {
                a[p + q * n] = T::ZERO;
                a[q + p * n] = T::ZERO;
                continue;
            }
            if apq.abs() <= threshold {
                stats.deferred += 1;
                continue;
            }
            let rot = JacobiRotation::annihilate(d[p], d[q], apq);
            let h = rot.t * apq;
            z[p] -= h;
            z[q] += h;
            d[p] -= h;
            d[q] += h;
            rotate_pair(a, n, p, q, rot.c, rot.s);
            if let Some(v) = v.as_deref_mut() {
                let (vp, vq) = columns_mut(v, n, p, q);
                simd::rot(vp, vq, rot.c, rot.s);
            }
            stats.rotations += 1;
        }
    }
    stats
}

/// Applies `A <- J^T A J` for the rotation in the `(p, q)` plane (`p < q`), except the 2x2 block
/// itself, whose diagonal lives in `d` and whose off-diagonal entry becomes zero.
#[inline]
fn rotate_pair<T: Real>(a: &mut [T], n: usize, p: usize, q: usize, c: T, s: T) {
    let (cp, cq) = columns_mut(a, n, p, q);
    simd::rot(cp, cq, c, s);
    cp[q] = T::ZERO;
    cq[p] = T::ZERO;
    // Rows p and q equal columns p and q by symmetry (the 2x2 block entries were fixed above).
    for r in 0..n {
        a[p + r * n] = a[r + p * n];
        a[q + r * n] = a[r + q * n];
    }
}

/// Disjoint mutable views of columns `p < q` of an n x n column-major matrix.
#[inline]
pub(crate) fn columns_mut<T>(m: &mut [T], n: usize, p: usize, q: usize) -> (&mut [T], &mut [T]) {
    let (left, right) = m.split_at_mut(q * n);
    (&mut left[p * n..p * n + n], &mut right[..n])
}
