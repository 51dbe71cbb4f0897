//! Lane-parallel Jacobi (cyclic for odd n, Brent–Luk round-robin for even n >= 4): one SIMD lane
//! per matrix, branch-free.
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

/// Lane constants of the solver, splatted once per block.
#[derive(Clone, Copy)]
pub(super) struct Consts<V> {
    zero: V,
    one: V,
    tol: V,
    tol2: V,
    min_positive: V,
    /// Below this, `tol^2 |a_pp| |a_qq|` may have lost accuracy to underflow.
    rhs_min: V,
    /// Below this, `tau^2 + w^2` may underflow.
    small: V,
    /// Exact power of two bringing `[2 MIN_POSITIVE, small)` to where the squares are normal.
    scale_up: V,
    half: V,
}

impl<V: SimdReal> Consts<V> {
    pub(super) fn new(tol: V::Scalar) -> Self
    where
        V::Scalar: Real,
    {
        let t = |x: V::Scalar| V::splat(x);
        let tiny = <V::Scalar as Real>::MIN_POSITIVE;
        let eps = <V::Scalar as Real>::EPSILON;
        let one = <V::Scalar as Real>::ONE;
        Consts {
            zero: t(<V::Scalar as Real>::ZERO),
            one: t(one),
            tol: t(tol),
            tol2: t(tol * tol),
            min_positive: t(tiny),
            rhs_min: t(tiny / eps),
            small: t(tiny.sqrt() / eps),
            scale_up: t(one / tiny.sqrt()),
            half: t(<V::Scalar as Real>::HALF),
        }
    }
}

/// The Demmel–Veselić test of the scalar solver (`jacobi::rotation::is_negligible`) on every lane:
/// `|apq| <= tol sqrt|app| sqrt|aqq|`, or `apq` below the smallest normal number.
///
/// Decided as `apq^2 <= tol^2 |app aqq|` (no square roots: they compete with the rotation's for the
/// divide/sqrt unit) whenever the right side is a normal number with `p` bits to spare, where the two
/// forms agree up to rounding at the boundary; the squares cannot overflow because the matrices are
/// scaled (`prepare::scaling_exponent`). Otherwise (a zero or tiny diagonal) the square-root form
/// decides, which keeps graded matrices' small entries significant exactly as in the scalar solver.
#[inline(always)]
fn negligible<T: Real, V: SimdReal<Scalar = T>>(apq: V, app: V, aqq: V, k: &Consts<V>) -> V {
    let x = apq.abs();
    let tiny = x.lt(k.min_positive);
    let rhs = (app.abs() * aqq.abs()) * k.tol2;
    if V::all(k.rhs_min.le(rhs)) {
        (x * x).le(rhs).or(tiny)
    } else {
        x.le(k.tol * app.abs().sqrt() * aqq.abs().sqrt()).or(tiny)
    }
}

/// Mask of lanes in which every off-diagonal entry of the lower triangle of `a` is negligible against
/// the diagonal `d`.
#[inline(always)]
pub(super) fn converged<T: Real, V: SimdReal<Scalar = T>>(n: usize, a: &[V], d: &[V], k: &Consts<V>) -> V {
    let mut all = k.zero.eq(k.zero);
    for p in 0..n {
        for q in p + 1..n {
            all = all.and(negligible(a[q + p * n], d[p], d[q], k));
        }
    }
    all
}

/// Per-lane number of off-diagonal pairs that fail the test (the `remaining` of `NoConvergence`).
pub(super) fn count_not_negligible<T: Real, V: SimdReal<Scalar = T>>(
    n: usize,
    a: &[V],
    d: &[V],
    k: &Consts<V>,
    counts: &mut [usize],
) {
    for p in 0..n {
        for q in p + 1..n {
            let ok = negligible(a[q + p * n], d[p], d[q], k);
            let bad = V::select(ok, k.zero, k.one).to_array();
            for (c, b) in counts.iter_mut().zip(bad.as_ref()) {
                if *b == T::ONE {
                    *c += 1;
                }
            }
        }
    }
}

/// Rutishauser's rotation annihilating `apq` in every lane (`apq != 0`): `(t, c)` with `s = t c`, as
/// `jacobi::rotation::JacobiRotation::annihilate` computes them, rewritten with one division and one
/// root on the critical path: for `theta = tau / w`, `tau = aqq - app`, `w = 2 apq`,
/// `t = sign(theta) / (|theta| + sqrt(theta^2 + 1)) = sign(tau w) |w| / D` with `D = |tau| + R`,
/// `R = sqrt(tau^2 + w^2)`, and since `1 + t^2 = 2R / D`, `c = 1 / sqrt(1 + t^2) = sqrt(D / 2R)`.
/// `tau^2 + w^2` cannot overflow (the matrices are scaled); when both are tiny they are first brought
/// up by an exact power of two (`t` and `c` are invariant). Lanes with `apq = 0` may give NaN.
///
/// On lanes with [`SimdReal::FAST_RECIP_SQRT`] (AVX-512, dispatched or compiled in) the same `t` and `c` come
/// from two reciprocal square roots and products, without the divide/sqrt unit, whose throughput
/// bounds a sweep once a round's rotations overlap: portable f64 n = 3/4/5/6 63.6/122/269/453 ->
/// 53.4/109/244/383 ns per matrix (min of 4 x 7 batches), f32 3-6 % faster; the worst batch LAPACK
/// ratios went from 1.2/2.4 to 1.5/3.0 (f64 residual/orthogonality). Native (`-C target-cpu=native`),
/// min of 3 x 7: f64 n = 4/5/6 146/297/510 -> 108/214/349 ns, f32 66/131/227 -> 54/104/167 ns.
#[inline(always)]
pub(super) fn rotation<T: Real, V: SimdReal<Scalar = T>>(app: V, aqq: V, apq: V, k: &Consts<V>) -> (V, V) {
    let (tau, w) = (aqq - app, apq + apq);
    // A branch, not a select on every lane: the test then runs beside the divide/sqrt chain instead of
    // on it (tiny lanes are rare; scaling the others by 1 would change nothing).
    let tiny = tau.abs().max(w.abs()).lt(k.small);
    let (tau, w) = if V::any(tiny) {
        let up = V::select(tiny, k.scale_up, k.one);
        (tau * up, w * up)
    } else {
        (tau, w)
    };
    if V::FAST_RECIP_SQRT {
        // No division and no square root, only products of two reciprocal square roots: with
        // `1 / R` known, `c^2 = (1 + |tau| / R) / 2` (in [1/2, 1]) and `t = |w| / (2 R c^2)`.
        let hy = k.half * tau.mul_add(tau, w * w).recip_sqrt();
        let c2 = tau.abs().mul_add(hy, k.half);
        let rc = c2.recip_sqrt();
        let t = ((w.abs() * hy) * (rc * rc)).copysign(tau * w);
        return (t, c2 * rc);
    }
    let r = tau.mul_add(tau, w * w).sqrt();
    let dd = tau.abs() + r;
    let t = (w.abs() / dd).copysign(tau * w);
    let c = (dd / (r + r)).sqrt();
    (t, c)
}

/// Pair `k < n / 2` of round `r < n - 1` of the round-robin ("circle") tournament on an even number
/// `n` of indices (Brent & Luk, SIAM J. Sci. Stat. Comput. 6(1), 1985), as `(p, q)` with `p < q`:
/// index `n - 1` sits still and meets `r` (`k = 0`), and `(r + k) mod (n - 1)` meets
/// `(r - k) mod (n - 1)`. Over the rounds every pair meets exactly once; a round's pairs are disjoint.
#[inline(always)]
fn round_pair(n: usize, r: usize, k: usize) -> (usize, usize) {
    let ring = n - 1;
    let (x, y) = if k == 0 {
        (r, ring)
    } else {
        ((r + k) % ring, (r + ring - k) % ring)
    };
    (x.min(y), x.max(y))
}

/// One sweep over the pairs `p < q` of the lower triangle of `a`, with diagonal `d` and per-sweep
/// corrections `z`; accumulates the rotations into the columns of `v`. Returns the mask of lanes that
/// found every pair negligible (and so changed nothing).
///
/// Odd `n` sweeps cyclically by columns, like the scalar solver. Even `n >= 4` sweeps in the
/// round-robin order of [`round_pair`]: consecutive rotations of a round touch disjoint diagonal and
/// pivot entries, so the processor overlaps their divide/sqrt chains, which is where a lane sweep
/// spends its time (portable, minimum of 41 batches of 4096: n = 4 f64 160 -> 148 ns per matrix with
/// the branch in [`rotation`]; odd n = 5 measured slower in that order). Computing a group of a round's
/// rotations first and then applying them measured slower still (spills).
#[inline(always)]
fn sweep<T: Real, V: SimdReal<Scalar = T>>(
    n: usize,
    a: &mut [V],
    d: &mut [V],
    z: &mut [V],
    mut v: Option<&mut [V]>,
    k: &Consts<V>,
) -> V {
    let mut idle = k.zero.eq(k.zero);
    if n % 2 == 1 || n < 4 {
        for q in 1..n {
            for p in 0..q {
                rotate_pair(a, d, z, v.as_deref_mut(), k, n, (p, q), &mut idle);
            }
        }
    } else {
        for r in 0..n - 1 {
            for j in 0..n / 2 {
                rotate_pair(a, d, z, v.as_deref_mut(), k, n, round_pair(n, r, j), &mut idle);
            }
        }
    }
    idle
}

/// Annihilates entry `(q, p)` in every lane where it is not negligible (Rutishauser's diagonal
/// corrections, then [`rotate_planes`]). `idle` keeps only the lanes that skip it.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn rotate_pair<T: Real, V: SimdReal<Scalar = T>>(
    a: &mut [V],
    d: &mut [V],
    z: &mut [V],
    v: Option<&mut [V]>,
    k: &Consts<V>,
    n: usize,
    (p, q): (usize, usize),
    idle: &mut V,
) {
    let pq = q + p * n;
    let apq = a[pq];
    let (app, aqq) = (d[p], d[q]);
    let skip = negligible(apq, app, aqq, k);
    a[pq] = k.zero;
    if V::all(skip) {
        // Identity rotation in every lane: only the entry itself is set to zero.
        return;
    }
    *idle = idle.and(skip);
    // Lanes that skip (among them every lane with apq = 0) take the identity rotation, selected at
    // the end so the test stays off the divide/sqrt chain.
    let (t, c) = rotation(app, aqq, apq, k);
    let (t, c) = (V::select(skip, k.zero, t), V::select(skip, k.one, c));
    let h = t * apq;
    z[p] -= h;
    z[q] += h;
    d[p] -= h;
    d[q] += h;
    rotate_planes(a, v, n, p, q, c, t);
}

/// Applies the rotation in the `(p, q)` plane (`p < q`) to entries `(r, p)`, `(r, q)`, `r != p, q`, of
/// the symmetric matrix stored in the lower triangle of `a`, and to columns `p`, `q` of `v`, in the
/// tangent form `x' = c (x - t y)`, `y' = c (y + t x)` (`s = t c`): `t` is known one square root
/// before `c`, so only the final product waits for `c`. Written over column slices so the compiler
/// sees every index in range (no bounds checks).
#[inline(always)]
fn rotate_planes<V: SimdReal>(a: &mut [V], v: Option<&mut [V]>, n: usize, p: usize, q: usize, c: V, t: V) {
    let mt = -t;
    // A function, not a closure: a closure can stay out of line, and then outside the target
    // features of a dispatched frame (`simd/dispatch.rs`).
    #[inline(always)]
    fn rotate<V: SimdReal>(x: &mut V, y: &mut V, c: V, t: V, mt: V) {
        let (xv, yv) = (*x, *y);
        *x = c * mt.mul_add(yv, xv);
        *y = c * t.mul_add(xv, yv);
    }
    let (left, right) = a[..n * n].split_at_mut(p * n);
    let (colp, right) = right.split_at_mut(n);
    // r < p: entries (p, r) and (q, r) of column r.
    for col in left.chunks_exact_mut(n) {
        let (x, y) = col[p..=q].split_at_mut(q - p);
        rotate(&mut x[0], &mut y[0], c, t, mt);
    }
    // p < r < q: entry (r, p) of column p and (q, r) of column r.
    let (mid, right) = right.split_at_mut((q - p - 1) * n);
    for (x, col) in colp[p + 1..q].iter_mut().zip(mid.chunks_exact_mut(n)) {
        rotate(x, &mut col[q], c, t, mt);
    }
    // r > q: entries (r, p) of column p and (r, q) of column q.
    for (x, y) in colp[q + 1..].iter_mut().zip(&mut right[q + 1..n]) {
        rotate(x, y, c, t, mt);
    }
    if let Some(v) = v {
        let (left, right) = v[..n * n].split_at_mut(q * n);
        for (x, y) in left[p * n..p * n + n].iter_mut().zip(&mut right[..n]) {
            rotate(x, y, c, t, mt);
        }
    }
}

/// Diagonalises every lane of the block `a` (`n x n` vectors, lower triangle read and destroyed):
/// eigenvalues (unsorted) to `d`, eigenvectors to the columns of `v` if given. `b`, `z` are
/// scratch of length `n`. Sweeps until every lane has converged or `max_sweeps` sweeps ran; lanes not
/// converged then are reported by the returned mask.
#[inline(always)]
pub(super) fn solve<T: Real, V: SimdReal<Scalar = T>>(
    n: usize,
    a: &mut [V],
    d: &mut [V],
    b: &mut [V],
    z: &mut [V],
    v: Option<&mut [V]>,
    k: &Consts<V>,
    max_sweeps: usize,
) -> Outcome<V> {
    if n == 2 && max_sweeps > 0 {
        solve_2x2(a, d, v, k)
    } else {
        sweeps(n, a, d, b, z, v, k, max_sweeps)
    }
}

/// The sweep loop of [`solve`].
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn sweeps<T: Real, V: SimdReal<Scalar = T>>(
    n: usize,
    a: &mut [V],
    d: &mut [V],
    b: &mut [V],
    z: &mut [V],
    mut v: Option<&mut [V]>,
    k: &Consts<V>,
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
        if sweeps >= max_sweeps {
            return Outcome {
                sweeps,
                converged: converged(n, a, d, k),
            };
        }
        // A lane that skips every pair of a sweep was converged when the sweep began (it changed
        // nothing), so the sweep's own tests are the convergence test; the sweep that finds every lane
        // converged rotates nothing and is not counted.
        let idle = sweep(n, a, d, z, v.as_deref_mut(), k);
        if V::all(idle) {
            return Outcome {
                sweeps,
                converged: idle,
            };
        }
        sweeps += 1;
        // Rutishauser: fold the sweep's corrections into the base diagonal.
        for i in 0..n {
            b[i] += z[i];
            d[i] = b[i];
            z[i] = zero;
        }
    }
}

/// [`solve`] for `n = 2`, where one rotation diagonalises every lane: the same rotation and the same
/// operations as the sweep loop (identical results), without its convergence tests before and after.
#[inline(always)]
fn solve_2x2<T: Real, V: SimdReal<Scalar = T>>(
    a: &mut [V],
    d: &mut [V],
    v: Option<&mut [V]>,
    k: &Consts<V>,
) -> Outcome<V> {
    let (app, apq, aqq) = (a[0], a[1], a[3]);
    let skip = negligible(apq, app, aqq, k);
    let all_lanes = k.zero.eq(k.zero);
    a[1] = k.zero;
    if V::all(skip) {
        d[0] = app;
        d[1] = aqq;
        if let Some(v) = v {
            v[..4].copy_from_slice(&[k.one, k.zero, k.zero, k.one]);
        }
        return Outcome {
            sweeps: 0,
            converged: all_lanes,
        };
    }
    let (t, c) = rotation(app, aqq, apq, k);
    let (t, c) = (V::select(skip, k.zero, t), V::select(skip, k.one, c));
    let (s, h) = (t * c, t * apq);
    d[0] = app - h;
    d[1] = aqq + h;
    if let Some(v) = v {
        // The identity's columns p = 0, q = 1 after `rotate_planes`: (c, -s) and (s, c), with its
        // `+ 0` (a zero `s` gives `+0` in every lane there).
        v[..4].copy_from_slice(&[c, -s + k.zero, s + k.zero, c]);
    }
    Outcome {
        sweeps: 1,
        converged: all_lanes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jacobi::rotation::{JacobiRotation, is_negligible};

    /// Rows of (app, aqq, apq): ordinary, equal diagonal, huge and tiny theta, tiny everything, mixed
    /// signs; one lane each.
    const CASES: [(f64, f64, f64); 16] = [
        (1.0, 2.0, 0.5),
        (2.0, 1.0, -0.5),
        (1.0, 1.0, 1e-3),
        (0.0, 0.0, 1.0),
        (0.0, 0.0, -1.0),
        (1.0, -1.0, 1e-200),
        (1e-3, 1e3, 1e-300),
        (-3.0, 7.0, 2.5),
        (1e-300, 2e-300, 1e-301),
        (0.0, 1.0, 1e-30),
        (5.0, 5.0, -5.0),
        (1e10, -1e10, 1.0),
        (0.25, 0.75, 0.125),
        (-1.0, -1.0, 1e-17),
        (3.0, 1e-20, 1e-10),
        (1e-18, 1e-18, 1e-17),
    ];

    fn lanes_from<V: SimdReal>(f: impl Fn(usize) -> V::Scalar) -> V
    where
        V::Scalar: Real,
    {
        let mut a = V::splat(<V::Scalar as Real>::ZERO).to_array();
        for (i, x) in a.as_mut().iter_mut().enumerate() {
            *x = f(i);
        }
        V::from_array(a)
    }

    fn rotation_matches_scalar<T: Real, V: SimdReal<Scalar = T>>() {
        let k = Consts::<V>::new(T::EPSILON);
        for shift in 0..CASES.len() {
            let case = |i: usize| CASES[(i + shift) % CASES.len()];
            let get = |f: fn((f64, f64, f64)) -> f64| lanes_from::<V>(|i| T::from_f64(f(case(i))));
            let (app, aqq, apq) = (get(|c| c.0), get(|c| c.1), get(|c| c.2));
            let (t, c) = rotation(app, aqq, apq, &k);
            let skip = negligible(apq, app, aqq, &k);
            let (t, c, skip) = (
                t.to_array(),
                c.to_array(),
                V::select(skip, k.one, k.zero).to_array(),
            );
            for l in 0..V::LANES {
                let (p, q, x) = case(l);
                let (p, q, x) = (T::from_f64(p), T::from_f64(q), T::from_f64(x));
                let want_skip = is_negligible(x, p, q, T::EPSILON);
                assert_eq!(
                    skip.as_ref()[l] == T::ONE,
                    want_skip,
                    "{} test, lane {l}: {:?}",
                    T::NAME,
                    case(l)
                );
                if x == T::ZERO {
                    continue;
                }
                let r = JacobiRotation::annihilate(p, q, x);
                let ulps = |a: T, b: T| ((a - b).abs() / T::EPSILON).to_f64();
                assert!(
                    ulps(t.as_ref()[l], r.t) <= 4.0,
                    "{} t, lane {l}: {:?} vs {:?}",
                    T::NAME,
                    t.as_ref()[l],
                    r.t
                );
                assert!(
                    ulps(c.as_ref()[l], r.c) <= 4.0,
                    "{} c, lane {l}: {:?} vs {:?}",
                    T::NAME,
                    c.as_ref()[l],
                    r.c
                );
            }
        }
    }

    #[test]
    fn round_robin_meets_every_pair_once_in_disjoint_rounds() {
        for n in (4..=32).step_by(2) {
            let mut met = alloc::vec![0u32; n * n];
            for r in 0..n - 1 {
                let mut used = alloc::vec![false; n];
                for k in 0..n / 2 {
                    let (p, q) = round_pair(n, r, k);
                    assert!(p < q && q < n, "n {n} round {r}: ({p}, {q})");
                    assert!(!used[p] && !used[q], "n {n} round {r}: pairs overlap");
                    used[p] = true;
                    used[q] = true;
                    met[q + p * n] += 1;
                }
            }
            for q in 1..n {
                for p in 0..q {
                    assert_eq!(met[q + p * n], 1, "n {n}: pair ({p}, {q})");
                }
            }
        }
    }

    #[test]
    fn lane_rotation_and_test_match_the_scalar_jacobi_lane_by_lane() {
        on_every_lane_type!(rotation_matches_scalar);
    }

    type V3 = <f64 as Real>::Lanes;

    /// A block of 3x3 matrices with diagonal 1, 2, 3: lane 0 diagonal (converged from the start), the
    /// other lanes with off-diagonal entries `off(i, j, lane)`.
    fn block_3x3(off: impl Fn(usize, usize, usize) -> f64) -> [V3; 9] {
        core::array::from_fn(|x| {
            let (i, j) = (x % 3, x / 3);
            lanes_from::<V3>(|l| match (i == j, l) {
                (true, _) => 1.0 + i as f64,
                (false, 0) => 0.0,
                _ => off(i, j, l),
            })
        })
    }

    /// [`solve`] on a copy of `a0` with at most `cap` sweeps: the outcome and the eigenvalues.
    fn solve_3x3(a0: [V3; 9], v: Option<&mut [V3]>, cap: usize) -> (Outcome<V3>, [V3; 3]) {
        let k = Consts::<V3>::new(f64::EPSILON);
        let mut a = a0;
        let (mut d, mut b, mut z) = ([V3::splat(0.0); 3], [V3::splat(0.0); 3], [V3::splat(0.0); 3]);
        let out = solve(3, &mut a, &mut d, &mut b, &mut z, v, &k, cap);
        (out, d)
    }

    #[test]
    fn converged_lanes_are_left_bit_for_bit_untouched() {
        let a = block_3x3(|i, j, l| 0.5 / (1 + i + j + l) as f64);
        let mut v = [V3::splat(0.0); 9];
        let (out, d) = solve_3x3(a, Some(&mut v), 40);
        assert!(V3::all(out.converged) && out.sweeps > 1);
        let d0: [f64; 3] = core::array::from_fn(|i| d[i].to_array()[0]);
        assert_eq!(d0, [1.0, 2.0, 3.0]);
        for (x, vx) in v.iter().enumerate() {
            assert_eq!(vx.to_array()[0], if x % 4 == 0 { 1.0 } else { 0.0 });
        }
    }

    #[test]
    fn sweep_cap_and_convergence_are_reported_per_lane() {
        let a0 = block_3x3(|_, _, _| 0.5);
        let lanes = |m: V3| m.to_array().map(|x| x.to_bits() != 0);
        let run = |cap: usize| solve_3x3(a0, None, cap).0;
        for cap in [0, 1] {
            let out = run(cap);
            assert_eq!(out.sweeps, cap);
            let done = lanes(out.converged);
            assert!(done[0] && done[1..].iter().all(|x| !x), "cap {cap}: {done:?}");
        }
        let out = run(40);
        assert!(
            V3::all(out.converged) && (2..40).contains(&out.sweeps),
            "{}",
            out.sweeps
        );
        // One more sweep than needed changes nothing: the cap that just suffices reports the same count.
        let exact = run(out.sweeps);
        assert!(V3::all(exact.converged) && exact.sweeps == out.sweeps);
    }

    /// The closed 2x2 path against the sweep loop on the rotation edge cases (one lane each, every
    /// shift of them through the block, plus a block where every lane is already diagonal).
    fn two_by_two_matches_the_sweeps<T: Real, V: SimdReal<Scalar = T>>() {
        let k = Consts::<V>::new(T::EPSILON);
        let bits = |x: V| {
            x.to_array()
                .as_ref()
                .iter()
                .map(|y| y.to_f64().to_bits())
                .collect::<alloc::vec::Vec<_>>()
        };
        for shift in 0..=CASES.len() {
            let case = |i: usize| {
                if shift == CASES.len() {
                    (1.0 + i as f64, -2.0, 0.0)
                } else {
                    CASES[(i + shift) % CASES.len()]
                }
            };
            let get = |f: fn((f64, f64, f64)) -> f64| lanes_from::<V>(|i| T::from_f64(f(case(i))));
            let (app, aqq, apq) = (get(|c| c.0), get(|c| c.1), get(|c| c.2));
            let zero = V::splat(T::ZERO);
            let a0 = [app, apq, zero, aqq];
            let (mut a1, mut a2) = (a0, a0);
            let (mut d1, mut d2, mut b, mut z) = ([zero; 2], [zero; 2], [zero; 2], [zero; 2]);
            let (mut v1, mut v2) = ([zero; 4], [zero; 4]);
            let one = solve_2x2(&mut a1, &mut d1, Some(&mut v1), &k);
            let many = sweeps(2, &mut a2, &mut d2, &mut b, &mut z, Some(&mut v2), &k, 40);
            assert!(V::all(one.converged) && V::all(many.converged), "shift {shift}");
            assert_eq!(one.sweeps, many.sweeps.min(1), "shift {shift}");
            for (x, y) in d1.iter().zip(&d2).chain(v1.iter().zip(&v2)) {
                assert_eq!(bits(*x), bits(*y), "shift {shift}");
            }
        }
    }

    #[test]
    fn closed_two_by_two_gives_the_sweep_loops_result_bit_for_bit() {
        on_every_lane_type!(two_by_two_matches_the_sweeps);
    }
}
