//! Block layout: array-of-structures <-> structure-of-arrays transposes with per-lane validation and
//! scaling.
//!
//! A block holds `V::LANES` matrices; element `(i, j)` of all of them is one SIMD vector, lane `l`
//! belonging to matrix `l`. The gather reads only the lower triangle (the solver convention), checks each
//! matrix for NaN/infinity and picks its own power-of-two scale (the scalar driver's rule, per lane), so a
//! matrix scaled by `1e-150` sits next to an ordinary one in the same vector. Lanes past the end of the
//! batch and lanes of rejected matrices hold the identity, which the solver leaves untouched.

use crate::{EigenError, Real, SimdReal, finish, prepare};

/// Upper bound on `SimdReal::LANES` over every lane type: with AVX-512 (compiled in, or dispatched at
/// run time) the batch lanes are two 512-bit registers, 32 `f32`.
pub(super) const MAX_LANES: usize = 32;

/// Largest `n` whose eigenvector columns [`scatter`] places by a permutation (lane QR's largest).
const MAX_ORDERED_N: usize = super::api::MAX_LANE_QR_N;

/// What a block knows about each of its lanes.
#[derive(Debug, Clone, Copy)]
pub(super) struct LaneState {
    /// Matrices of the batch in this block; lanes `live..` are identity padding.
    pub live: usize,
    /// Lane `l` was scaled by `2^-exp[l]` (0: unscaled).
    pub exp: [i32; MAX_LANES],
    /// Failure of lane `l`, if any.
    pub error: [Option<EigenError>; MAX_LANES],
    /// Some lane is scaled or failed: the slow per-lane paths must run.
    pub special: bool,
}

impl LaneState {
    /// A state for blocks of `live` matrices (reused block after block: [`gather`] resets it).
    pub fn new(live: usize) -> Self {
        LaneState {
            live,
            exp: [0; MAX_LANES],
            error: [None; MAX_LANES],
            special: false,
        }
    }

    /// Resets to `live` matrices, all ordinary; the per-lane arrays are cleared only if the previous
    /// block used them (they are large beside a 3x3 block).
    fn reset(&mut self, live: usize) {
        if self.special {
            *self = LaneState::new(live);
        } else {
            self.live = live;
        }
    }

    /// Records a failure of lane `l` (the first one wins).
    pub fn fail(&mut self, l: usize, e: EigenError) {
        if self.error[l].is_none() {
            self.error[l] = Some(e);
        }
        self.special = true;
    }

    /// Fails every live lane `l` with `remaining[l] > 0` off-diagonal entries left after the solver's
    /// cap with [`EigenError::NoConvergence`] (a lane that already failed keeps its first error).
    pub fn fail_unconverged(&mut self, iterations: usize, remaining: &[usize]) {
        for (l, &left) in remaining.iter().enumerate().take(self.live) {
            if left > 0 {
                self.fail(
                    l,
                    EigenError::NoConvergence {
                        iterations,
                        remaining: left,
                    },
                );
            }
        }
    }
}

/// Magnitudes `[lo, hi)` between which no matrix of dimension up to `MAX_DYN_N` is scaled: the scalar
/// driver scales when the largest entry's binary exponent leaves `+-(emax / 2 - 8 - bits(n))`, so
/// `+-(emax / 2 - 15)` is inside that range for every `n <= 32`; entries there take the fast path.
pub(super) fn unscaled_range<T: Real>() -> (T, T) {
    let e = T::MAX.exponent() / 2 - 15;
    (T::ONE.scalbn(-e), T::ONE.scalbn(e))
}

/// Loads the lower triangles of the `mats.len() / (n n)` (at most `V::LANES`) column-major matrices of
/// `mats` into `a` (`n x n` vectors, column-major, lower triangle written) and records per-lane state.
///
/// Fast path: the transpose also takes each lane's largest magnitude and finiteness; when every lane is
/// finite with magnitudes in `unscaled` (or zero), nothing else is needed. Otherwise each matrix is
/// scanned like the scalar driver does (`NonFinite` with the first position in column-major order; the
/// scale exponent from the largest magnitude) and the affected lanes are rewritten, so every lane sees
/// exactly the scaled matrix the scalar solver would see.
#[inline(always)]
pub(super) fn gather<T: Real, V: SimdReal<Scalar = T>>(
    n: usize,
    mats: &[T],
    a: &mut [V],
    unscaled: (T, T),
    state: &mut LaneState,
) {
    let nn = n * n;
    let live = mats.len() / nn;
    state.reset(live);
    let zero = V::splat(T::ZERO);
    // Lanes past `live` keep these: the identity.
    let (zeros, ones) = (zero.to_array(), V::splat(T::ONE).to_array());
    let (mut max, mut finite) = (zero, zero.eq(zero));
    let big = V::splat(T::MAX);
    let w = V::LANES;
    // AVX-512 lanes load a full block's entries `..tiled` (upper triangles too) a tile at a time.
    let tiled = if V::FAST_TRANSPOSE && live == w {
        nn - nn % w
    } else {
        0
    };
    for (c, tile) in a[..tiled].chunks_exact_mut(w).enumerate() {
        for (l, x) in tile.iter_mut().enumerate() {
            *x = V::load(&mats[l * nn + c * w..]);
        }
        V::transpose(tile);
    }
    for j in 0..n {
        for i in j..n {
            let idx = i + j * n;
            let x = if idx < tiled {
                a[idx]
            } else {
                let mut lanes = if i == j { ones } else { zeros };
                if live == V::LANES {
                    // A full block: constant strides, no per-lane trip count.
                    let full = &mats[..V::LANES * nn];
                    for (l, x) in lanes.as_mut().iter_mut().enumerate() {
                        *x = full[l * nn + idx];
                    }
                } else {
                    for (x, m) in lanes.as_mut().iter_mut().zip(mats.chunks_exact(nn)) {
                        *x = m[idx];
                    }
                }
                V::from_array(lanes)
            };
            let ax = x.abs();
            // NaN fails `<=`, so the mask catches NaN and infinity.
            finite = finite.and(ax.le(big));
            max = max.max(ax);
            a[idx] = x;
        }
    }
    let (lo, hi) = (V::splat(unscaled.0), V::splat(unscaled.1));
    if V::all(finite.and(max.lt(hi)).and(lo.le(max).or(max.eq(zero)))) {
        return;
    }
    for (l, m) in mats.chunks_exact(nn).enumerate() {
        match prepare::lower_max_abs(m, n) {
            Err(e) => state.fail(l, e),
            Ok(max) => {
                let e = prepare::scaling_exponent(max, n);
                if e != 0 {
                    state.exp[l] = e;
                    state.special = true;
                }
            }
        }
    }
    if state.special {
        for j in 0..n {
            for i in j..n {
                let pad = if i == j { T::ONE } else { T::ZERO };
                let mut lanes = a[i + j * n].to_array();
                let out = lanes.as_mut();
                for l in 0..live {
                    if state.error[l].is_some() {
                        out[l] = pad;
                    } else if state.exp[l] != 0 {
                        out[l] = out[l].scalbn(-state.exp[l]);
                    }
                }
                a[i + j * n] = V::from_array(lanes);
            }
        }
    }
}

/// Stores eigenvalues `d` (and eigenvectors `v`, `n x n` vectors, column-major) of the live lanes into
/// `values` (`n` per matrix) and `vectors` (`n n` per matrix), undoing each lane's scaling. `d` is
/// sorted already; with `order` ([`super::sort::sort_ascending`]'s permutation) output column `k` of
/// lane `l` is column `order[k]` (lane `l`) of `v`, without it column `k` of `v`.
///
/// A lane whose eigenvalues leave the finite range on unscaling fails with `Overflow`; a failed lane's
/// outputs are filled with NaN so they cannot be mistaken for results.
#[inline(always)]
pub(super) fn scatter<T: Real, V: SimdReal<Scalar = T>>(
    n: usize,
    d: &mut [V],
    mut v: Option<&mut [V]>,
    order: Option<&[V]>,
    state: &mut LaneState,
    values: &mut [T],
    mut vectors: Option<&mut [T]>,
) {
    let nn = n * n;
    let live = state.live;
    let w = V::LANES;
    // AVX-512 lanes store a full block's leading whole tiles (of `d`, of `v`, of each column of
    // `v`) by tile transposes, the rest lane by lane.
    let tiles = |len: usize| {
        if V::FAST_TRANSPOSE && live == w {
            len - len % w
        } else {
            0
        }
    };
    let tiled = tiles(n);
    store_tiles(&mut d[..tiled], values, |l| l * n);
    if live == V::LANES {
        // A full block: constant strides, no per-lane trip count.
        let full = &mut values[..V::LANES * n];
        for (k, dk) in d[..n].iter().enumerate().skip(tiled) {
            for (l, x) in dk.to_array().as_ref().iter().enumerate() {
                full[l * n + k] = *x;
            }
        }
    } else {
        for (k, dk) in d[..n].iter().enumerate().skip(tiled) {
            let lanes = dk.to_array();
            for (x, out) in lanes.as_ref().iter().zip(values.chunks_exact_mut(n)) {
                out[k] = *x;
            }
        }
    }
    if let (Some(out), Some(v), None) = (vectors.as_deref_mut(), v.as_deref_mut(), order) {
        let tiled = tiles(nn);
        store_tiles(&mut v[..tiled], out, |l| l * nn);
        if live == V::LANES {
            let full = &mut out[..V::LANES * nn];
            for (idx, vi) in v[..nn].iter().enumerate().skip(tiled) {
                for (l, x) in vi.to_array().as_ref().iter().enumerate() {
                    full[l * nn + idx] = *x;
                }
            }
        } else {
            for (idx, vi) in v[..nn].iter().enumerate().skip(tiled) {
                let lanes = vi.to_array();
                for (x, m) in lanes.as_ref().iter().zip(out.chunks_exact_mut(nn)) {
                    m[idx] = *x;
                }
            }
        }
    }
    if let (Some(out), Some(v), Some(order)) = (vectors.as_deref_mut(), v, order) {
        // Each lane's output column for every column of `v` (the inverse of `order`); then every
        // column of `v` is spilled to lane arrays once and its lanes written to their places.
        let mut dest = [[0u8; MAX_ORDERED_N]; MAX_LANES];
        for (k, o) in order[..n].iter().enumerate() {
            for (to, from) in dest.iter_mut().zip(o.to_array().as_ref()) {
                to[from.to_f64() as usize] = k as u8;
            }
        }
        let mut col = [V::splat(T::ZERO).to_array(); MAX_ORDERED_N];
        let tiled = tiles(n);
        for c in 0..n {
            let column = &mut v[c * n..c * n + n];
            store_tiles(&mut column[..tiled], out, |l| {
                l * nn + usize::from(dest[l][c]) * n
            });
            for (x, src) in col.iter_mut().zip(&column[tiled..]) {
                *x = src.to_array();
            }
            for (l, (m, to)) in out.chunks_exact_mut(nn).zip(&dest).take(live).enumerate() {
                let k = usize::from(to[c]);
                for (y, x) in m[k * n + tiled..k * n + n].iter_mut().zip(&col) {
                    *y = x.as_ref()[l];
                }
            }
        }
    }
    if !state.special {
        return;
    }
    for l in 0..live {
        if state.error[l].is_none()
            && state.exp[l] != 0
            && let Err(e) = finish::unscale_values(&mut values[l * n..l * n + n], state.exp[l])
        {
            state.fail(l, e);
        }
        if state.error[l].is_some() {
            values[l * n..l * n + n].fill(T::from_f64(f64::NAN));
            if let Some(out) = vectors.as_deref_mut() {
                out[l * nn..l * nn + nn].fill(T::from_f64(f64::NAN));
            }
        }
    }
}

/// Stores whole tiles transposed, each transposed in place first: for the tile of `vals` starting at
/// vector `c` (`vals.len()` a multiple of `V::LANES`), lane `l` of `vals[c + j]` goes to
/// `rows[row(l) + c + j]`.
#[inline(always)]
fn store_tiles<T: Real, V: SimdReal<Scalar = T>>(
    vals: &mut [V],
    rows: &mut [T],
    row: impl Fn(usize) -> usize,
) {
    let w = V::LANES;
    for (c, tile) in vals.chunks_exact_mut(w).enumerate() {
        V::transpose(tile);
        for (l, x) in tile.iter().enumerate() {
            x.store(&mut rows[row(l) + c * w..]);
        }
    }
}
