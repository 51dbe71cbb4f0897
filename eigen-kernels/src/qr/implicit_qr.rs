//! Implicit symmetric tridiagonal QR with the Wilkinson shift (Golub & Van Loan, Matrix Computations,
//! 4th ed., Alg. 8.3.3; LAPACK dsteqr).
//!
//! The unreduced blocks are found with dsteqr's split test, each block is scaled into a safe range by a
//! power of two, and the iteration runs as QL (chasing from the bottom up) or QR (top down) depending on
//! which end of the block has the smaller diagonal entry, so graded matrices converge from their small
//! end. 2x2 blocks are finished in closed form ([`super::plane::symmetric_2x2`]). The total number of
//! implicit steps is capped at `n * max_per_value`; past it the iteration stops with
//! [`EigenError::NoConvergence`] instead of looping.
//!
//! Rotations are handed to a [`Rotations`] sink one sweep at a time, so the eigenvector update can be
//! applied at once, delayed and blocked, or skipped.

use super::plane::{givens, symmetric_2x2};
use crate::{EigenError, Real, simd};

/// Order in which the rotations of one sweep were generated and must be applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    /// Plane `hi - 1` first, down to plane `lo` (a QL sweep).
    Descending,
    /// Plane `lo` first, up to plane `hi - 1` (a QR sweep).
    Ascending,
}

/// Receives the rotations of each sweep: plane `i` (`lo <= i < hi`) rotates columns `i` and `i + 1` of
/// the eigenvector matrix by `[z_i, z_{i+1}] <- [c_i z_i - s_i z_{i+1}, s_i z_i + c_i z_{i+1}]`.
pub(crate) trait Rotations<T: Real> {
    /// One sweep over planes `lo..hi` with cosines `c[i]` and sines `s[i]`.
    fn sweep(&mut self, lo: usize, hi: usize, order: Order, c: &[T], s: &[T]);
    /// Called once when the iteration ends: every rotation must have been applied on return.
    fn finish(&mut self) {}
}

/// Eigenvalues only: rotations are dropped.
pub(crate) struct NoVectors;

impl<T: Real> Rotations<T> for NoVectors {
    #[inline]
    fn sweep(&mut self, _: usize, _: usize, _: Order, _: &[T], _: &[T]) {}
}

/// Applies each rotation to the columns of an `n`-row matrix as soon as it arrives (SIMD over rows).
pub(crate) struct Immediate<'a, T> {
    /// Column-major matrix with `rows` rows.
    pub z: &'a mut [T],
    /// Number of rows.
    pub rows: usize,
}

impl<T: Real> Immediate<'_, T> {
    #[inline]
    fn plane(&mut self, i: usize, c: T, s: T) {
        let r = self.rows;
        let (left, right) = self.z.split_at_mut((i + 1) * r);
        simd::rot(&mut left[i * r..], &mut right[..r], c, s);
    }
}

impl<T: Real> Rotations<T> for Immediate<'_, T> {
    fn sweep(&mut self, lo: usize, hi: usize, order: Order, c: &[T], s: &[T]) {
        match order {
            Order::Descending => {
                for i in (lo..hi).rev() {
                    self.plane(i, c[i], s[i]);
                }
            }
            Order::Ascending => {
                for i in lo..hi {
                    self.plane(i, c[i], s[i]);
                }
            }
        }
    }
}

/// `sqrt(g^2 + 1)` without overflow for huge `g`.
#[inline]
pub(super) fn hypot_one<T: Real>(g: T) -> T {
    if g.abs() < T::ONE / T::EPSILON {
        (g * g + T::ONE).sqrt()
    } else {
        g.abs()
    }
}

/// Binary exponent that brings `anorm` inside `[lo, hi]` (0 if it already is).
fn block_scaling<T: Real>(anorm: T, lo: T, hi: T) -> i32 {
    if anorm > hi {
        hi.exponent() - anorm.exponent() - 1
    } else if anorm < lo {
        lo.exponent() - anorm.exponent() + 1
    } else {
        0
    }
}

/// `d[lo..=hi]`, `e[lo..hi]` <- `2^exp` times themselves, entry by entry.
fn scale_block<T: Real>(d: &mut [T], e: &mut [T], lo: usize, hi: usize, exp: i32) {
    if exp == 0 {
        return;
    }
    for x in &mut d[lo..=hi] {
        *x = x.scalbn(exp);
    }
    for x in &mut e[lo..hi] {
        *x = x.scalbn(exp);
    }
}

/// The range [`next_block`] scales a block's largest entry into.
#[derive(Clone, Copy)]
pub(super) enum BlockRange {
    /// dsteqr/dsterf's `[sqrt(safmin) / eps^2, sqrt(safmax) / 3]`: squares of the entries stay finite.
    Safe,
    /// `[1/2, 2]`, for the root-free chase, which forms cubes of the scale. Exact except for entries
    /// that turn subnormal, below `2^-125` (`f32`) or `2^-1021` (`f64`) of the largest and negligible
    /// beside it.
    Unit,
}

/// The next unreduced block of `(d, e)` from `*l1` on, scaled into `range` (dsteqr/dsterf): an
/// off-diagonal entry negligible beside the geometric mean of its diagonal neighbours ends the block
/// and is set to zero (relative and scale-invariant), then the block is multiplied by a power of two that
/// brings its largest entry into `range`. Returns the block's first and last index and the scaling
/// exponent (undo with [`scale_block`] and its negative), or `None` for a 1x1 or zero block; `*l1` moves
/// past the block either way.
pub(super) fn next_block<T: Real>(
    d: &mut [T],
    e: &mut [T],
    l1: &mut usize,
    range: BlockRange,
) -> Option<(usize, usize, i32)> {
    let n = d.len();
    // LAPACK's eps is the unit roundoff (half our EPSILON).
    let eps = T::HALF * T::EPSILON;
    let safmin = T::MIN_POSITIVE;
    let ssfmax = (T::ONE / safmin).sqrt() / T::from_f64(3.0);
    let ssfmin = safmin.sqrt() / (eps * eps);
    let lo = *l1;
    if lo > 0 {
        e[lo - 1] = T::ZERO;
    }
    let mut m = lo;
    while m < n - 1 {
        let tst = e[m].abs();
        if tst == T::ZERO {
            break;
        }
        if tst <= d[m].abs().sqrt() * d[m + 1].abs().sqrt() * eps {
            e[m] = T::ZERO;
            break;
        }
        m += 1;
    }
    *l1 = m + 1;
    if m == lo {
        return None;
    }
    let anorm = d[lo..=m]
        .iter()
        .chain(&e[lo..m])
        .fold(T::ZERO, |a, x| a.max(x.abs()));
    if anorm == T::ZERO {
        return None;
    }
    let (low, high) = match range {
        BlockRange::Safe => (ssfmin, ssfmax),
        BlockRange::Unit => (T::HALF, T::TWO),
    };
    let exp = block_scaling(anorm, low, high);
    scale_block(d, e, lo, m, exp);
    Some((lo, m, exp))
}

/// Steps on one eigenvalue after which the absolute deflation test is added: the Wilkinson shift deflates
/// in two or three steps when it works, and dsteqr's own budget is 30 per eigenvalue.
const STALL_STEPS: usize = 8;

/// Sets to zero every off-diagonal `e[lo..hi]` below `eps * max(|d[lo..=hi]|, |e[lo..hi]|)` (the absolute,
/// norm-wise deflation test of Golub & Van Loan Alg. 8.3.3, EISPACK tql2; backward stable). Used only
/// when the iteration does not progress: with entries spanning much of the exponent range, the relative
/// test of dsteqr keeps off-diagonals that are negligible beside the block's norm, and the rotation
/// chase through them either underflows (every rotation the identity, no step changes anything) or
/// converges only linearly, so the iteration reached the cap. Both were found by the fuzzer on `f32`
/// matrices with entries from `1e13` or `3e10` down to `1` or subnormal; the first makes the step a no-op
/// (tested on the spot), the second is caught after [`STALL_STEPS`] steps on the same eigenvalue.
fn deflate_absolute<T: Real>(d: &[T], e: &mut [T], lo: usize, hi: usize, eps: T) {
    let mut anorm = T::ZERO;
    for x in d[lo..=hi].iter().chain(&e[lo..hi]) {
        anorm = anorm.max(x.abs());
    }
    for x in &mut e[lo..hi] {
        if x.abs() <= eps * anorm {
            *x = T::ZERO;
        }
    }
}

/// Diagonalizes the symmetric tridiagonal matrix with diagonal `d` (length n) and off-diagonal
/// `e` (`e[i] = T[i+1, i]`, length at least `n - 1`; destroyed). On success `d` holds the eigenvalues
/// (unsorted) and every rotation has been passed to `rot`. `c` and `s` are scratch of length `n`.
/// Returns the number of implicit QR steps.
#[inline(never)]
pub(crate) fn implicit_qr<T: Real, R: Rotations<T>>(
    d: &mut [T],
    e: &mut [T],
    c: &mut [T],
    s: &mut [T],
    rot: &mut R,
    max_per_value: usize,
) -> Result<usize, EigenError> {
    let n = d.len();
    if n <= 1 {
        return Ok(0);
    }
    // LAPACK's eps is the unit roundoff (half our EPSILON).
    let eps = T::HALF * T::EPSILON;
    let eps2 = eps * eps;
    let safmin = T::MIN_POSITIVE;
    let cap = n.saturating_mul(max_per_value);
    let mut steps = 0usize;
    let mut capped = false;
    let mut l1 = 0;
    while l1 < n && !capped {
        let Some((lsv, lendsv, exp)) = next_block(d, e, &mut l1, BlockRange::Safe) else {
            continue;
        };
        let (mut l, mut lend) = (lsv, lendsv);
        // Steps since the end `l` of the block last moved (see `deflate_absolute`).
        let (mut last_l, mut since) = (usize::MAX, 0usize);
        // Chase from the end with the smaller diagonal entry.
        if d[lend].abs() < d[l].abs() {
            core::mem::swap(&mut l, &mut lend);
        }
        if lend > l {
            // QL iteration: eigenvalues converge at the top (l) of the block.
            loop {
                // Inner deflation test (dsteqr): |e_m|^2 <= eps^2 |d_m d_{m+1}| + safmin.
                let mut m = l;
                while m < lend {
                    let tst = e[m].abs() * e[m].abs();
                    if tst <= (eps2 * d[m].abs()) * d[m + 1].abs() + safmin {
                        break;
                    }
                    m += 1;
                }
                if m < lend {
                    e[m] = T::ZERO;
                }
                let p = d[l];
                if m == l {
                    l += 1;
                    if l <= lend {
                        continue;
                    }
                    break;
                }
                if m == l + 1 {
                    let (rt1, rt2, cs, sn) = symmetric_2x2(d[l], e[l], d[l + 1]);
                    c[l] = cs;
                    s[l] = -sn;
                    rot.sweep(l, l + 1, Order::Descending, c, s);
                    d[l] = rt1;
                    d[l + 1] = rt2;
                    e[l] = T::ZERO;
                    l += 2;
                    if l <= lend {
                        continue;
                    }
                    break;
                }
                if steps == cap {
                    capped = true;
                    break;
                }
                steps += 1;
                // Wilkinson shift from the leading 2x2 of the block.
                let mut g = (d[l + 1] - p) / (T::TWO * e[l]);
                let r = hypot_one(g);
                g = d[m] - p + e[l] / (g + r.copysign(g));
                let (mut sn, mut cs, mut pp) = (T::ONE, T::ONE, T::ZERO);
                for i in (l..m).rev() {
                    let f = sn * e[i];
                    let b = cs * e[i];
                    let (c1, s1, r1) = givens(g, f);
                    cs = c1;
                    sn = s1;
                    if i != m - 1 {
                        e[i + 1] = r1;
                    }
                    g = d[i + 1] - pp;
                    let r2 = (d[i] - g) * sn + T::TWO * cs * b;
                    pp = sn * r2;
                    d[i + 1] = g + pp;
                    g = cs * r2 - b;
                    c[i] = cs;
                    s[i] = sn;
                }
                rot.sweep(l, m, Order::Descending, c, s);
                (since, last_l) = if l == last_l { (since + 1, l) } else { (1, l) };
                let stalled = (pp == T::ZERO && g == e[l]) || since >= STALL_STEPS;
                d[l] -= pp;
                e[l] = g;
                if stalled {
                    deflate_absolute(d, e, l, m, eps);
                }
            }
        } else {
            // QR iteration: eigenvalues converge at the bottom (l) of the block.
            loop {
                let mut m = l;
                while m > lend {
                    let tst = e[m - 1].abs() * e[m - 1].abs();
                    if tst <= (eps2 * d[m].abs()) * d[m - 1].abs() + safmin {
                        break;
                    }
                    m -= 1;
                }
                if m > lend {
                    e[m - 1] = T::ZERO;
                }
                let p = d[l];
                if m == l {
                    if l == lend {
                        break;
                    }
                    l -= 1;
                    continue;
                }
                if m + 1 == l {
                    let (rt1, rt2, cs, sn) = symmetric_2x2(d[l - 1], e[l - 1], d[l]);
                    c[m] = cs;
                    s[m] = -sn;
                    rot.sweep(m, l, Order::Ascending, c, s);
                    d[l - 1] = rt1;
                    d[l] = rt2;
                    e[l - 1] = T::ZERO;
                    if l < lend + 2 {
                        break;
                    }
                    l -= 2;
                    continue;
                }
                if steps == cap {
                    capped = true;
                    break;
                }
                steps += 1;
                let mut g = (d[l - 1] - p) / (T::TWO * e[l - 1]);
                let r = hypot_one(g);
                g = d[m] - p + e[l - 1] / (g + r.copysign(g));
                let (mut sn, mut cs, mut pp) = (T::ONE, T::ONE, T::ZERO);
                for i in m..l {
                    let f = sn * e[i];
                    let b = cs * e[i];
                    let (c1, s1, r1) = givens(g, f);
                    cs = c1;
                    sn = s1;
                    if i != m {
                        e[i - 1] = r1;
                    }
                    g = d[i] - pp;
                    let r2 = (d[i + 1] - g) * sn + T::TWO * cs * b;
                    pp = sn * r2;
                    d[i] = g + pp;
                    g = cs * r2 - b;
                    c[i] = cs;
                    s[i] = -sn;
                }
                rot.sweep(m, l, Order::Ascending, c, s);
                (since, last_l) = if l == last_l { (since + 1, l) } else { (1, l) };
                let stalled = (pp == T::ZERO && g == e[l - 1]) || since >= STALL_STEPS;
                d[l] -= pp;
                e[l - 1] = g;
                if stalled {
                    deflate_absolute(d, e, m, l, eps);
                }
            }
        }
        scale_block(d, e, lsv, lendsv, -exp);
    }
    rot.finish();
    if capped {
        let remaining = e[..n - 1].iter().filter(|x| **x != T::ZERO).count();
        return Err(EigenError::NoConvergence {
            iterations: steps,
            remaining,
        });
    }
    Ok(steps)
}
