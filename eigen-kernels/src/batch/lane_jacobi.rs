//! Lane-parallel cyclic Jacobi: one SIMD lane per matrix, branch-free.
//!
//! The scalar solver's algorithm (`crate::jacobi`): Rutishauser's rotation formula and per-sweep
//! diagonal accumulation (Wilkinson & Reinsch, Handbook II/1, 1971) with the Demmel–Veselić relative
//! test `|a_pq| <= tol sqrt|a_pp| sqrt|a_qq|` (SIMAX 13(4), 1992), rewritten without branches in the
//! manner of McAdams et al., "Computing the singular value decomposition of 3x3 matrices with minimal
//! branching and elementary floating point operations" (2011): every lane computes its rotation, and a
//! lane whose entry is negligible gets the identity rotation (`c = 1`, `s = 0`, exact) through a
//! `select`. A converged lane is therefore left bit-for-bit untouched by later sweeps, so each matrix's
//! result does not depend on its neighbours in the block. The threshold strategy of the scalar solver's
//! first sweeps is omitted: it saves rotations, which lanes cannot skip.

use crate::{Real, SimdReal};

/// Outcome of [`solve`] for a block.
#[derive(Debug, Clone, Copy)]
pub(super) struct Outcome<V> {
    /// Sweeps run (the maximum over the lanes).
    pub sweeps: usize,
    /// Mask of lanes whose off-diagonal entries are all negligible.
    pub converged: V,
}

/// The Demmel–Veselić test of the scalar solver (`jacobi::rotation::is_negligible`) on every lane,
/// with `sqrt|a_pp|`, `sqrt|a_qq|` given: `|apq| <= tol sp sq`, or `apq` below the smallest normal.
#[inline(always)]
fn negligible<T: Real, V: SimdReal<Scalar = T>>(apq: V, sp: V, sq: V, tol: V) -> V {
    let x = apq.abs();
    x.le(tol * sp * sq).or(x.lt(V::splat(T::MIN_POSITIVE)))
}

/// Mask of lanes in which every off-diagonal entry of the lower triangle of `a` is negligible against
/// the diagonal `d`; `s` (length `n`) is scratch.
#[inline(always)]
pub(super) fn converged<T: Real, V: SimdReal<Scalar = T>>(
    n: usize,
    a: &[V],
    d: &[V],
    s: &mut [V],
    tol: T,
) -> V {
    let tol = V::splat(tol);
    let zero = V::splat(T::ZERO);
    for (si, di) in s[..n].iter_mut().zip(&d[..n]) {
        *si = di.abs().sqrt();
    }
    let mut all = zero.eq(zero);
    for p in 0..n {
        for q in p + 1..n {
            all = all.and(negligible(a[q + p * n], s[p], s[q], tol));
        }
    }
    all
}

/// Per-lane number of off-diagonal pairs that fail the test (the `remaining` of `NoConvergence`).
pub(super) fn count_not_negligible<T: Real, V: SimdReal<Scalar = T>>(
    n: usize,
    a: &[V],
    d: &[V],
    tol: T,
    counts: &mut [usize],
) {
    let tolv = V::splat(tol);
    let one = V::splat(T::ONE);
    let zero = V::splat(T::ZERO);
    for p in 0..n {
        for q in p + 1..n {
            let ok = negligible(a[q + p * n], d[p].abs().sqrt(), d[q].abs().sqrt(), tolv);
            let bad = V::select(ok, zero, one).to_array();
            for (c, b) in counts.iter_mut().zip(bad.as_ref()) {
                if *b == T::ONE {
                    *c += 1;
                }
            }
        }
    }
}

/// Rotates the pair `(x, y) <- (c x - s y, s x + c y)` of entries `i`, `j` of `m` (the formula of
/// `simd::rot`).
#[inline(always)]
fn rotate<V: SimdReal>(m: &mut [V], i: usize, j: usize, c: V, s: V) {
    let (x, y) = (m[i], m[j]);
    m[i] = c * x - s * y;
    m[j] = s.mul_add(x, c * y);
}

/// One cyclic sweep over the pairs `p < q` (column by column, like the scalar solver) of the lower
/// triangle of `a`, with diagonal `d` and per-sweep corrections `z`; accumulates the rotations into the
/// columns of `v`.
#[inline(always)]
fn sweep<T: Real, V: SimdReal<Scalar = T>>(
    n: usize,
    a: &mut [V],
    d: &mut [V],
    z: &mut [V],
    mut v: Option<&mut [V]>,
    tol: T,
) {
    let tol = V::splat(tol);
    let (zero, one, two) = (V::splat(T::ZERO), V::splat(T::ONE), V::splat(T::TWO));
    let big = V::splat(T::ONE / T::EPSILON);
    for q in 1..n {
        for p in 0..q {
            let pq = q + p * n;
            let apq = a[pq];
            let (app, aqq) = (d[p], d[q]);
            let skip = negligible(apq, app.abs().sqrt(), aqq.abs().sqrt(), tol);
            // Rutishauser: theta = (aqq - app) / (2 apq), t = sign(theta) / (|theta| + sqrt(theta^2 + 1)),
            // and t = 1 / (2 |theta|) once theta^2 no longer changes theta^2 + 1 (avoids overflow).
            // Skipped lanes divide by 1 instead of a possibly zero apq and then take t = 0.
            let theta = (aqq - app) / (two * V::select(skip, one, apq));
            let at = theta.abs();
            let root = V::select(big.lt(at), at, (one + at * at).sqrt());
            let t = V::select(skip, zero, (one / (at + root)).copysign(theta));
            let c = one / (one + t * t).sqrt();
            let s = t * c;
            let h = t * apq;
            z[p] -= h;
            z[q] += h;
            d[p] -= h;
            d[q] += h;
            a[pq] = zero;
            // Entry (r, p) and (r, q) of the symmetric matrix, read from the lower triangle.
            for r in 0..p {
                rotate(a, p + r * n, q + r * n, c, s);
            }
            for r in p + 1..q {
                rotate(a, r + p * n, q + r * n, c, s);
            }
            for r in q + 1..n {
                rotate(a, r + p * n, r + q * n, c, s);
            }
            if let Some(v) = v.as_deref_mut() {
                for r in 0..n {
                    rotate(v, r + p * n, r + q * n, c, s);
                }
            }
        }
    }
}

/// Diagonalises every lane of the block `a` (`n x n` vectors, lower triangle read and destroyed):
/// eigenvalues (unsorted) to `d`, eigenvectors to the columns of `v` if given. `b`, `z`, `s` are
/// scratch of length `n`. Sweeps until every lane has converged or `max_sweeps` sweeps ran; lanes not
/// converged then are reported by the returned mask.
#[inline(always)]
pub(super) fn solve<T: Real, V: SimdReal<Scalar = T>>(
    n: usize,
    a: &mut [V],
    d: &mut [V],
    b: &mut [V],
    z: &mut [V],
    s: &mut [V],
    mut v: Option<&mut [V]>,
    tol: T,
    max_sweeps: usize,
) -> Outcome<V> {
    let zero = V::splat(T::ZERO);
    for i in 0..n {
        d[i] = a[i + i * n];
        b[i] = d[i];
        z[i] = zero;
    }
    if let Some(v) = v.as_deref_mut() {
        for (k, x) in v[..n * n].iter_mut().enumerate() {
            *x = if k % (n + 1) == 0 { V::splat(T::ONE) } else { zero };
        }
    }
    let mut sweeps = 0;
    loop {
        let done = converged(n, a, d, s, tol);
        if V::all(done) || sweeps >= max_sweeps {
            return Outcome {
                sweeps,
                converged: done,
            };
        }
        sweep(n, a, d, z, v.as_deref_mut(), tol);
        sweeps += 1;
        // Rutishauser: fold the sweep's corrections into the base diagonal.
        for i in 0..n {
            b[i] += z[i];
            d[i] = b[i];
            z[i] = zero;
        }
    }
}
