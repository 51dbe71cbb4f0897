//! Jacobi sweeps in the Brent–Luk parallel ordering, one pass over memory per round of disjoint rotations.
//!
//! A round rotates the `m = n / 2` disjoint pairs `(k, m + k)` of [`Ring`] positions at once. Their
//! rotations commute, so `A <- J^T A J` for the whole round is applied column pair by column pair: each
//! output column is a combination of two input columns (the column rotation) followed by the row
//! rotations of all pairs, which act on the contiguous halves `0..m` and `m..2m` of the column
//! ([`simd::rotate_round_columns`], one SIMD lane per pair). The pass is out of place, into a second buffer,
//! and stores each entry directly at the position the ring step gives it, so reordering the matrix for
//! the next round costs nothing extra. Eigenvector columns are rotated in place (contiguous SIMD), found
//! through [`Ring::label`].
//!
//! Each rotation is still Rutishauser's, computed from the current diagonal `d` and entry `a_pq`, with
//! the diagonal corrections accumulated per sweep; the Demmel–Veselić relative test decides negligibility.
//! Their error analysis holds for any ordering, so the high relative accuracy of the cyclic method is kept.

use super::ordering::Ring;
use super::rotation::{JacobiRotation, is_negligible};
use super::sweep::{self, SweepStats};
use crate::{EigenError, Real, simd};

/// Workspace of [`solve`]: the second matrix buffer, `d`, the per-sweep base `b`, the corrections `z`, and
/// the cosines and sines of one round.
pub(crate) const fn workspace_len(n: usize) -> usize {
    n * n + 3 * n + 2 * (n / 2)
}

/// Solves the symmetric eigenproblem of `a` (`n >= 4`; lower triangle read, whole matrix overwritten)
/// by Jacobi sweeps in the Brent–Luk ordering. Eigenvalues go to `values` (unsorted), eigenvectors (if
/// wanted) to the columns of `vectors`. Returns the number of sweeps.
pub(crate) fn solve<T: Real>(
    a: &mut [T],
    n: usize,
    values: &mut [T],
    mut vectors: Option<&mut [T]>,
    work: &mut [T],
    tol: T,
    max_sweeps: usize,
) -> Result<usize, EigenError> {
    let ring = Ring::new(n);
    let m = ring.pairs();
    sweep::mirror_lower(a, n);
    if let Some(v) = vectors.as_deref_mut() {
        sweep::set_identity(v, n);
    }
    let (buffer, rest) = work.split_at_mut(n * n);
    let (d, rest) = rest.split_at_mut(n);
    let (b, rest) = rest.split_at_mut(n);
    let (z, rest) = rest.split_at_mut(n);
    let (c, rest) = rest.split_at_mut(m);
    let s = &mut rest[..m];
    for i in 0..n {
        d[i] = a[i + i * n];
        b[i] = d[i];
        z[i] = T::ZERO;
        // The diagonal lives in `d`; a zero stored diagonal stays zero through every round.
        a[i + i * n] = T::ZERO;
    }
    let ends = RingEnds::new(&ring);
    let mut src: &mut [T] = &mut a[..n * n];
    let mut dst: &mut [T] = buffer;
    let mut sweeps = 0;
    let mut last_rotations = usize::MAX / 2;
    loop {
        let remaining = sweep::count_not_negligible(src, n, d, tol);
        if remaining == 0 {
            break;
        }
        if sweeps >= max_sweeps {
            return Err(EigenError::NoConvergence {
                iterations: sweeps,
                remaining,
            });
        }
        if last_rotations * 2 < n * (n - 1) / 2 {
            // Few rotations left (Jacobi converges quadratically): a cyclic sweep costs O(n) per
            // rotation actually made, a round O(n^2) whatever it rotates.
            let stats = sweep::jacobi_sweep(src, n, d, z, vectors.as_deref_mut(), tol, sweeps);
            last_rotations = stats.rotations;
            // The cyclic sweep leaves junk on the stored diagonal; rounds need it zero.
            for i in 0..n {
                src[i + i * n] = T::ZERO;
            }
        } else {
            let threshold = sweep::threshold(src, n, sweeps);
            let mut stats = SweepStats::default();
            for r in 0..ring.rounds() {
                let rot = Rotations {
                    c: &mut *c,
                    s: &mut *s,
                };
                round(
                    &ring,
                    &ends,
                    r,
                    src,
                    dst,
                    d,
                    z,
                    rot,
                    vectors.as_deref_mut(),
                    tol,
                    threshold,
                    &mut stats,
                );
                core::mem::swap(&mut src, &mut dst);
            }
            last_rotations = stats.rotations;
        }
        sweeps += 1;
        // Rutishauser: fold the accumulated corrections into the base diagonal once per sweep. After a
        // whole sweep the ring is back at its starting order, so `d`, `z` and `b` line up again.
        for i in 0..n {
            b[i] += z[i];
            d[i] = b[i];
            z[i] = T::ZERO;
        }
    }
    values[..n].copy_from_slice(d);
    Ok(sweeps)
}

/// Cosines and sines of one round, one per pair.
struct Rotations<'a, T> {
    c: &'a mut [T],
    s: &'a mut [T],
}

/// One round `r` of a sweep: chooses the rotations of the `m` pairs, applies them to the eigenvectors and,
/// reading `src`, writes the rotated and ring-stepped matrix to `dst`; `d` and `z` take the ring step too.
fn round<T: Real>(
    ring: &Ring,
    ends: &RingEnds,
    r: usize,
    src: &mut [T],
    dst: &mut [T],
    d: &mut [T],
    z: &mut [T],
    rot: Rotations<'_, T>,
    v: Option<&mut [T]>,
    tol: T,
    threshold: T,
    stats: &mut SweepStats,
) {
    let n = d.len();
    let m = ring.pairs();
    let Rotations { c, s } = rot;
    for k in 0..m {
        let (p, q) = (k, m + k);
        let apq = src[p + q * n];
        c[k] = T::ONE;
        s[k] = T::ZERO;
        if !is_negligible(apq, d[p], d[q], tol) {
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
            c[k] = rot.c;
            s[k] = rot.s;
            stats.rotations += 1;
        }
        // Annihilated (or negligible): zero it before the pass, so the 2x2 diagonal block of the pair
        // (zero diagonal, zero off-diagonal) stays exactly zero under its own rotation.
        src[p + q * n] = T::ZERO;
        src[q + p * n] = T::ZERO;
    }
    if let Some(v) = v {
        for k in 0..m {
            if s[k] != T::ZERO {
                let (p, q) = (ring.label(k, r), ring.label(m + k, r));
                rotate_columns(v, n, p, q, c[k], s[k]);
            }
        }
    }
    for j in 0..m {
        let left = &src[j * n..j * n + n];
        let right = &src[(m + j) * n..(m + j) * n + n];
        let (to_l, to_r) = (ring.next(j), ring.next(m + j));
        let (out_l, out_r) = two_columns_mut(dst, n, to_l, to_r);
        write_columns(ends, left, right, (c[j], s[j]), c, s, out_l, Some(out_r));
    }
    if let Some(p) = ring.sit_out() {
        let col = &src[p * n..p * n + n];
        let to = ring.next(p);
        write_columns(
            ends,
            col,
            col,
            (T::ONE, T::ZERO),
            c,
            s,
            &mut dst[to * n..to * n + n],
            None,
        );
    }
    ring.advance(d);
    ring.advance(z);
}

/// Destinations of the rows that the interior shift of [`write_columns`] does not place: the pairs at the
/// two ends of the halves and the sit-out row (the ring step is the same every round).
struct RingEnds {
    m: usize,
    /// `(pair i, destination of row i, destination of row m + i)` for `i` in `0, m - 1`.
    pairs: [(usize, usize, usize); 2],
    /// `(sit-out row, its destination)` for odd `n`.
    sit_out: Option<(usize, usize)>,
}

impl RingEnds {
    fn new(ring: &Ring) -> Self {
        let m = ring.pairs();
        RingEnds {
            m,
            pairs: [0, m - 1].map(|i| (i, ring.next(i), ring.next(m + i))),
            sit_out: ring.sit_out().map(|p| (p, ring.next(p))),
        }
    }
}

/// Writes the next round's columns for input columns `left`, `right` and column rotation `(cj, sj)`:
/// the column rotation, then the row rotations of every pair, each entry at its ring-stepped row.
/// Interior pairs `1..m-1` move by a fixed shift and go through the SIMD kernel; the two end pairs and
/// the sit-out row are stored at their exact destinations here.
#[inline]
fn write_columns<T: Real>(
    ends: &RingEnds,
    left: &[T],
    right: &[T],
    (cj, sj): (T, T),
    c: &[T],
    s: &[T],
    out_l: &mut [T],
    mut out_r: Option<&mut [T]>,
) {
    let m = ends.m;
    simd::rotate_round_columns(left, right, (cj, sj), c, s, 1..m - 1, out_l, out_r.as_deref_mut());
    for (i, top, bottom) in ends.pairs {
        let (lt, lb, rt, rb) = (left[i], left[m + i], right[i], right[m + i]);
        let (u1, u2) = (cj * lt - sj * rt, cj * lb - sj * rb);
        out_l[top] = c[i] * u1 - s[i] * u2;
        out_l[bottom] = s[i] * u1 + c[i] * u2;
        if let Some(out_r) = out_r.as_deref_mut() {
            let (u3, u4) = (sj * lt + cj * rt, sj * lb + cj * rb);
            out_r[top] = c[i] * u3 - s[i] * u4;
            out_r[bottom] = s[i] * u3 + c[i] * u4;
        }
    }
    if let Some((p, to)) = ends.sit_out {
        out_l[to] = cj * left[p] - sj * right[p];
        if let Some(out_r) = out_r {
            out_r[to] = sj * left[p] + cj * right[p];
        }
    }
}

/// Disjoint mutable views of two distinct columns `p`, `q` (any order) of an n x n column-major matrix.
#[inline]
fn two_columns_mut<T>(m: &mut [T], n: usize, p: usize, q: usize) -> (&mut [T], &mut [T]) {
    if p < q {
        sweep::columns_mut(m, n, p, q)
    } else {
        let (cq, cp) = sweep::columns_mut(m, n, q, p);
        (cp, cq)
    }
}

/// `[v_p, v_q] <- [c v_p - s v_q, s v_p + c v_q]` for two distinct columns of an n x n matrix.
#[inline]
fn rotate_columns<T: Real>(v: &mut [T], n: usize, p: usize, q: usize, c: T, s: T) {
    let (vp, vq) = two_columns_mut(v, n, p, q);
    simd::rot(vp, vq, c, s);
}
