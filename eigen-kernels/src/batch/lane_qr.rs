//! Lane-parallel tridiagonal QR: one SIMD lane per matrix, for the batch sizes where Jacobi's several
//! `O(n^3)` sweeps cost more than one reduction (n >= [`super::api`]'s crossover).
//!
//! The stages of the scalar QR solver (`crate::qr`), rewritten so that every lane runs the same
//! instructions:
//! - [`tridiagonalize`]: Householder reduction of the lower triangle (LAPACK dsytd2, `uplo = 'L'`:
//!   dlarfg, dsymv, dsyr2); a lane whose column is already reduced takes `tau = 0` by `select`;
//! - [`form_q`]: `Q = H_0 .. H_{n-2}` accumulated backwards (dorg2l/dorgtr);
//! - [`implicit_ql`]: Wilkinson-shift implicit QL (Golub & Van Loan, Matrix Computations, 4th ed.,
//!   Alg. 8.3.3; LAPACK dsteqr's QL branch) in lock-step: each lane keeps its own unreduced window
//!   `l..=m` (top deflation index `l`, first negligible off-diagonal `m`), one chase runs over the
//!   union of the windows, and a plane outside a lane's window is the identity in that lane (its
//!   `d`, `e` are kept by `select`, its rotation is exactly `c = 1`, `s = 0`). The rotations are
//!   applied to `Q` at once, SIMD over the lanes and rows.
//!
//! Matrices arrive scaled into the range where squares neither overflow nor underflow (`layout`).

use crate::{Real, SimdReal};

/// Outcome of [`solve`] for a block.
#[derive(Debug, Clone, Copy)]
pub(super) struct Outcome {
    /// Implicit QL steps run (the maximum over the lanes).
    pub steps: usize,
    /// Per-lane off-diagonal entries still not negligible (0 for converged lanes).
    pub remaining: [usize; super::layout::MAX_LANES],
}

/// Householder reduction `A = Q T Q^T` of every lane of `a` (`n x n` vectors, lower triangle): `d`
/// gets the diagonal of `T`, `e[k] = T[k+1, k]` (`e[n-1] = 0`); reflector `k` is left in column `k`
/// of `a` (rows `k+1..n`, explicit leading 1) with its `tau` in the diagonal slot `a[k, k]`. `w` is
/// scratch of length `n`.
#[inline(always)]
fn tridiagonalize<T: Real, V: SimdReal<Scalar = T>>(
    n: usize,
    a: &mut [V],
    d: &mut [V],
    e: &mut [V],
    w: &mut [V],
) {
    let zero = V::splat(T::ZERO);
    let one = V::splat(T::ONE);
    let half = V::splat(T::HALF);
    let min_positive = V::splat(T::MIN_POSITIVE);
    for k in 0..n {
        d[k] = a[k + k * n];
        if k + 1 >= n {
            e[k] = zero;
            a[k + k * n] = zero;
            break;
        }
        // dlarfg on x = a[k+1..n, k], computed on x / max|x| so that no square underflows (f32
        // columns of rounding-level entries, ~1e-20, lost the reflector's orthogonality otherwise;
        // found by the fuzzer). A column below the smallest normal number is dropped (`tau = 0`): the
        // matrices are scaled to a norm of at least 2^-(emax/2-15), so that is far below eps |A|.
        let col = k * n;
        let alpha = a[k + 1 + col];
        let mut amax = alpha.abs();
        for i in k + 2..n {
            amax = amax.max(a[i + col].abs());
        }
        let tiny = amax.lt(min_positive);
        let inv = one / V::select(tiny, one, amax);
        let als = alpha * inv;
        let mut xnorm2 = zero;
        for i in k + 2..n {
            let x = a[i + col] * inv;
            xnorm2 = x.mul_add(x, xnorm2);
        }
        let trivial = xnorm2.eq(zero).or(tiny);
        let beta_s = -als.mul_add(als, xnorm2).sqrt().copysign(als);
        let tau = V::select(trivial, zero, (beta_s - als) / beta_s);
        let scal = V::select(trivial, zero, inv / V::select(trivial, one, als - beta_s));
        for i in k + 2..n {
            a[i + col] *= scal;
        }
        let beta = beta_s * amax;
        a[k + 1 + col] = one;
        e[k] = V::select(trivial, alpha, beta);
        a[k + k * n] = tau;
        if V::all(trivial) {
            // Every lane's reflector is the identity.
            continue;
        }
        // w = tau A22 v (A22 = a[k+1.., k+1..], lower triangle).
        for x in &mut w[k + 1..n] {
            *x = zero;
        }
        for j in k + 1..n {
            let vj = a[j + col];
            let mut acc = a[j + j * n] * vj;
            for i in j + 1..n {
                let aij = a[i + j * n];
                w[i] = aij.mul_add(vj, w[i]);
                acc = aij.mul_add(a[i + col], acc);
            }
            w[j] += acc;
        }
        let mut pv = zero;
        for i in k + 1..n {
            w[i] *= tau;
            pv = w[i].mul_add(a[i + col], pv);
        }
        // w -= (tau/2)(w . v) v, then A22 -= v w^T + w v^T.
        let c = -(half * tau * pv);
        for i in k + 1..n {
            w[i] = c.mul_add(a[i + col], w[i]);
        }
        for j in k + 1..n {
            let (vj, wj) = (a[j + col], w[j]);
            for i in j..n {
                let (vi, wi) = (a[i + col], w[i]);
                a[i + j * n] -= vi.mul_add(wj, wi * vj);
            }
        }
    }
}

/// Writes `Q = H_0 H_1 .. H_{n-2}` into `q` (`n x n` vectors) from the reflectors [`tridiagonalize`]
/// left in `a`, applying them backwards to the identity (dorg2l order): `H_k` only touches rows and
/// columns `k+1..n`, which hold the identity until the reflectors after `k` have been applied.
#[inline(always)]
fn form_q<T: Real, V: SimdReal<Scalar = T>>(n: usize, a: &[V], q: &mut [V]) {
    let zero = V::splat(T::ZERO);
    for (x, slot) in q[..n * n].iter_mut().enumerate() {
        *slot = if x % (n + 1) == 0 { V::splat(T::ONE) } else { zero };
    }
    for k in (0..n.saturating_sub(1)).rev() {
        let (v, tau) = (&a[k * n..k * n + n], a[k + k * n]);
        for j in k + 1..n {
            let qj = &mut q[j * n..j * n + n];
            let mut s = zero;
            for i in k + 1..n {
                s = v[i].mul_add(qj[i], s);
            }
            let s = -(tau * s);
            for i in k + 1..n {
                qj[i] = s.mul_add(v[i], qj[i]);
            }
        }
    }
}

/// Givens rotation in every lane: `(c, s, r)` with `c g + s f = r`, `-s g + c f = 0` (the scalar
/// `qr::plane::givens(g, f)`, `r` carrying the sign of `g`; `(1, 0, 0)` for `g = f = 0`).
///
/// `safe = (lo, hi)` ([`safe_range`]) is the range of `max(|g|, |f|)` in which `g^2 + f^2` can neither
/// overflow nor lose accuracy to underflow (LAPACK 3.10 `dlartg`; Anderson 2017, "Algorithm 978: Safe scaling in the
/// Level 1 BLAS", ACM TOMS 44(1)). When every lane is in it, the rotation is one reciprocal square
/// root ([`SimdReal::recip_sqrt`]) and three products: this sits on the QL chase's dependency chain,
/// which bounds the lane solver, and is about 30 cycles shorter than the scaled form (on the dispatched
/// AVX-512 lanes, the estimate-and-refine `recip_sqrt` instead of a square root and a division took
/// f64 n = 8 / 12 / 16 from 1228 / 2731 / 5050 to 1112 / 2589 / 4712 ns per matrix, portable build,
/// minimum of 6 x 7 batches; f32 level). Without that estimate (AVX2, SSE2) the reciprocal square
/// root is `sqrt(sq) * (1 / sq)`, the square root and the division issued together (f64 n = 7 / 8 / 12
/// / 16: 676 / 895 / 2193 / 4344 -> 640 / 866 / 2134 / 4160 ns per matrix against a square root and two
/// divisions, `-C target-cpu=native` on the AVX2 Zen 3, minimum of 8 alternating runs of 4 x 256
/// matrices); the range's top is lowered for it ([`safe_range`]). Lanes outside it (rare: zero or extreme
/// entries) take the scaled form, both inputs first divided by `max(|g|, |f|)` so the squares cannot
/// underflow; the choice is per lane, so results never depend on the other matrices of the block.
#[inline(always)]
fn givens<T: Real, V: SimdReal<Scalar = T>>(g: V, f: V, (lo, hi): (V, V)) -> (V, V, V) {
    let zero = V::splat(T::ZERO);
    let one = V::splat(T::ONE);
    let t = g.abs().max(f.abs());
    let in_range = lo.le(t).and(t.le(hi));
    // In range `g^2 + f^2` is a normal number: `c`, `s`, `r` are products with its reciprocal square
    // root, one estimate-and-refine chain instead of a square root followed by a division.
    let sq = g.mul_add(g, f * f);
    let (c, s, r) = if V::FAST_RECIP_SQRT {
        let y = sq.recip_sqrt();
        let y = V::select(g.lt(zero), -y, y);
        (g * y, f * y, sq * y)
    } else {
        // `1 / norm` as `norm * (1 / sq)`: the square root and the division both start from `sq`,
        // so their latencies overlap on the chase's chain instead of adding up; the signs are
        // applied to `g`, `f` meanwhile, off the chain. In range `1 / sq` is a normal number.
        let norm = sq.sqrt();
        let y = norm * (one / sq);
        let neg = g.lt(zero);
        (
            g.abs() * y,
            V::select(neg, -f, f) * y,
            V::select(neg, -norm, norm),
        )
    };
    if V::all(in_range) {
        return (c, s, r);
    }
    // Lanes in range keep the unscaled result, so a lane's rotation never depends on its neighbours.
    let null = t.eq(zero);
    let inv = one / V::select(null, one, t);
    let (gs, fs) = (g * inv, f * inv);
    let norm = gs.mul_add(gs, fs * fs).sqrt();
    let rs = V::select(g.lt(zero), -norm, norm);
    let rinv = one / V::select(null, one, rs);
    (
        V::select(in_range, c, V::select(null, one, gs * rinv)),
        V::select(in_range, s, fs * rinv),
        V::select(in_range, r, rs * t),
    )
}

/// [`crate::qr::plane::safe_range`] splatted, its top lowered to `sqrt(1 / MIN_POSITIVE) / 4` so
/// that `1 / (g^2 + f^2)` stays a normal number too: the `safe` argument of [`givens`].
#[inline(always)]
fn safe_range<T: Real, V: SimdReal<Scalar = T>>() -> (V, V) {
    let (lo, hi) = crate::qr::plane::safe_range::<T>();
    let hi = hi.min(T::from_f64(0.25) / T::MIN_POSITIVE.sqrt());
    (V::splat(lo), V::splat(hi))
}

/// `pick` (`T::min` or `T::max`) over the lanes of `x`, whose lanes hold indices as exact floats, as
/// an index: folded as floats, then one conversion (a saturating float-to-integer conversion per lane
/// made up a third of a step's bookkeeping instructions).
#[inline(always)]
fn lane_index<T: Real, V: SimdReal<Scalar = T>>(x: V, pick: fn(T, T) -> T) -> usize {
    let mut a = x.to_array();
    let lanes = a.as_mut();
    // Pairwise halving (the lane counts are powers of two): a chain of log2(LANES) steps.
    let mut width = V::LANES;
    while width > 1 {
        width /= 2;
        for i in 0..width {
            let (u, v) = (lanes[i], lanes[i + width]);
            lanes[i] = pick(u, v);
        }
    }
    lanes[0].to_f64() as usize
}

/// Mask of the lanes whose off-diagonal `e_i` is negligible: `|e_i| <= eps max(|d_i| + |d_{i+1}|,
/// |T|)` with `|T|` the lane's largest tridiagonal entry. Both the neighbour test of Golub & Van Loan
/// (Alg. 8.3.3) and the norm-wise test (EISPACK tql2) perturb `T` by at most `eps |T|`, so deflation is
/// backward stable; the norm-wise one also ends the iteration on graded matrices whose small end
/// would otherwise converge only linearly (the stall the scalar solver's fuzzing found).
#[inline(always)]
fn negligible<T: Real, V: SimdReal<Scalar = T>>(e: V, d0: V, d1: V, eps_norm: V, eps: V) -> V {
    e.abs().le((eps * (d0.abs() + d1.abs())).max(eps_norm))
}

/// Sets off-diagonal `e[i]` to zero in every lane where it is [`negligible`] (dsteqr: a split then
/// stays exact when the diagonal beside it changes later) and returns that mask.
#[inline(always)]
fn deflate_at<T: Real, V: SimdReal<Scalar = T>>(i: usize, d: &[V], e: &mut [V], eps_norm: V, eps: V) -> V {
    let neg = negligible(e[i], d[i], d[i + 1], eps_norm, eps);
    e[i] = V::select(neg, V::splat(T::ZERO), e[i]);
    neg
}

/// Lock-step implicit QL on the tridiagonal matrices `(d, e)` of every lane (see the module docs);
/// rotations go to the columns of `q` when given. At most `cap` steps per lane.
#[inline(always)]
fn implicit_ql<T: Real, V: SimdReal<Scalar = T>>(
    n: usize,
    d: &mut [V],
    e: &mut [V],
    mut q: Option<&mut [V]>,
    cap: usize,
) -> Outcome {
    if n < 2 {
        return Outcome {
            steps: 0,
            remaining: [0; super::layout::MAX_LANES],
        };
    }
    let zero = V::splat(T::ZERO);
    let one = V::splat(T::ONE);
    let two = V::splat(T::TWO);
    let eps = V::splat(T::HALF * T::EPSILON);
    let big = V::splat(T::ONE / T::EPSILON);
    let safe = safe_range::<T, V>();
    let mut anorm = zero;
    for i in 0..n {
        anorm = anorm.max(d[i].abs()).max(e[i].abs());
    }
    // Zero matrices deflate at once (`0 <= 0`); subnormal norms keep the test meaningful.
    let eps_norm = eps * anorm;
    let last_index = V::splat(T::from_f64((n - 1) as f64));
    // Per lane, the top of its unreduced part (a lane index as a float: exact for any n here).
    let mut top = zero;
    let mut max_steps = 0;
    while max_steps < cap {
        // Deflation test on every off-diagonal of every lane at once, and each lane's window
        // t..=m: t the first unreduced off-diagonal at or below its top, m the first negligible one
        // after t (or n - 1). All as per-lane vectors, so a step's bookkeeping costs O(n) vector
        // operations instead of a scalar pass over every lane.
        let mut t = last_index;
        // The lane index as a vector, stepped along with `i` (a splat would re-check the CPU).
        let mut iv = last_index;
        for i in (0..n - 1).rev() {
            iv -= one;
            let neg = deflate_at(i, d, e, eps_norm, eps);
            t = V::select(V::select(neg, zero, top.le(iv)), iv, t);
        }
        top = t;
        let done = last_index.le(t);
        if V::all(done) {
            break;
        }
        max_steps += 1;
        // m, and the leading 2x2 of each window and d[m] for the shift (inert values in done lanes).
        let (mut m, mut dm) = (last_index, d[n - 1]);
        let (mut dt, mut dt1, mut et) = (zero, one, one);
        let mut iv = last_index;
        for i in (0..n - 1).rev() {
            iv -= one;
            let hit = V::select(e[i].eq(zero), t.lt(iv), zero);
            m = V::select(hit, iv, m);
            dm = V::select(hit, d[i], dm);
            let at = iv.eq(t);
            dt = V::select(at, d[i], dt);
            dt1 = V::select(at, d[i + 1], dt1);
            et = V::select(at, e[i], et);
        }
        let dm = V::select(done, zero, dm);
        let (lo, hi) = (V::select(done, zero, t), V::select(done, zero, m));
        // The union of the stepping lanes' windows, and the lowest top among them.
        let first = lane_index(V::select(done, last_index, t), T::min);
        let top_last = lane_index(lo, T::max);
        let last = lane_index(hi, T::max);
        // Wilkinson shift from the leading 2x2 of each window (dsteqr's QL form), all lanes at once.
        let g = (dt1 - dt) / (two * et);
        let r = V::select(g.abs().lt(big), g.mul_add(g, one).sqrt(), g.abs());
        let g0 = dm - dt + et / (g + r.copysign(g));
        // A plane outside a lane's window leaves its chase state alone, so every lane enters its
        // window at `hi - 1` with this initial state and leaves it below `lo` with its final one.
        let (mut sn, mut cs, mut pp, mut g) = (one, one, zero, g0);
        // Whether the lane's previous (higher) plane was in its window: false at its chase's start.
        let mut prev_on = zero;
        let mut iv = V::splat(T::from_f64(last as f64));
        for i in (first..last).rev() {
            iv -= one;
            let on = lo.le(iv).and(iv.lt(hi));
            let f = sn * e[i];
            let b = cs * e[i];
            let (c1, s1, r1) = givens(g, f, safe);
            if i + 1 < n {
                // r1 replaces the bulge's e[i+1], except at the start of a lane's chase.
                e[i + 1] = V::select(on.and(prev_on), r1, e[i + 1]);
            }
            prev_on = on;
            let gg = d[i + 1] - pp;
            let r2 = (d[i] - gg).mul_add(s1, c1 * (two * b));
            let p_new = s1 * r2;
            d[i + 1] = V::select(on, gg + p_new, d[i + 1]);
            g = V::select(on, c1.mul_add(r2, -b), g);
            pp = V::select(on, p_new, pp);
            cs = V::select(on, c1, cs);
            sn = V::select(on, s1, sn);
            if let Some(q) = q.as_deref_mut() {
                let (c, s) = (V::select(on, c1, one), V::select(on, s1, zero));
                let ms = -s;
                let (left, right) = q.split_at_mut((i + 1) * n);
                for (x, y) in left[i * n..].iter_mut().zip(&mut right[..n]) {
                    let (xv, yv) = (*x, *y);
                    *x = ms.mul_add(yv, c * xv);
                    *y = s.mul_add(xv, c * yv);
                }
            }
        }
        // Close each stepping lane's chase at its own top `lo`: d[lo] -= pp, e[lo] = g (lanes not
        // stepping have lo = hi = 0 and are left alone).
        let stepping = lo.lt(hi);
        let mut iv = V::splat(T::from_f64(first as f64));
        for i in first..=top_last {
            let at = stepping.and(lo.eq(iv));
            iv += one;
            d[i] = V::select(at, d[i] - pp, d[i]);
            e[i] = V::select(at, g, e[i]);
        }
    }
    // Per lane, the off-diagonals still not negligible (counted exactly as floats).
    let mut left = zero;
    for i in 0..n - 1 {
        left += V::select(deflate_at(i, d, e, eps_norm, eps), zero, one);
    }
    let mut remaining = [0; super::layout::MAX_LANES];
    for (r, x) in remaining.iter_mut().zip(left.to_array().as_ref()) {
        *r = x.to_f64() as usize;
    }
    Outcome {
        steps: max_steps,
        remaining,
    }
}

/// Diagonalises every lane of the block `a` (`n x n` vectors, lower triangle read and destroyed):
/// eigenvalues (unsorted) to `d`, eigenvectors to the columns of `v` if given. `e`, `w` are scratch
/// of length `n`. At most `n * max_per_value` QL steps per lane; lanes not diagonalised then have
/// a nonzero [`Outcome::remaining`].
#[inline(always)]
pub(super) fn solve<T: Real, V: SimdReal<Scalar = T>>(
    n: usize,
    a: &mut [V],
    d: &mut [V],
    e: &mut [V],
    w: &mut [V],
    mut v: Option<&mut [V]>,
    max_per_value: usize,
) -> Outcome {
    tridiagonalize(n, a, d, e, w);
    if let Some(q) = v.as_deref_mut() {
        form_q(n, a, q);
    }
    implicit_ql(n, d, e, v, n.saturating_mul(max_per_value))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every lane of a block mixing in-range, zero, tiny and huge pairs gets the rotation it gets alone
    /// (the fast/scaled path choice is per lane), and each rotation satisfies its defining equations.
    fn givens_is_lane_local_and_exact<T: Real, V: SimdReal<Scalar = T>>() {
        let w = V::LANES;
        let safe = safe_range::<T, V>();
        let tiny = T::MIN_POSITIVE * T::from_f64(8.0);
        let huge = T::MAX * T::from_f64(0.25);
        let pairs = [
            (T::from_f64(3.0), T::from_f64(-4.0)),
            (T::ZERO, T::ZERO),
            (-tiny, tiny * T::from_f64(3.0)),
            (huge, -huge),
            (T::from_f64(-1.5), T::ZERO),
            (T::ZERO, T::from_f64(2.0)),
            (T::from_f64(1e-3), T::from_f64(7.0)),
            (tiny, T::ONE),
        ];
        let one_lane = |g: T, f: T| {
            let (c, s, r) = givens(V::splat(g), V::splat(f), safe);
            (
                c.to_array().as_ref()[0],
                s.to_array().as_ref()[0],
                r.to_array().as_ref()[0],
            )
        };
        for shift in 0..pairs.len() {
            let (mut g, mut f) = (V::splat(T::ZERO).to_array(), V::splat(T::ZERO).to_array());
            for l in 0..w {
                let (gl, fl) = pairs[(l + shift) % pairs.len()];
                g.as_mut()[l] = gl;
                f.as_mut()[l] = fl;
            }
            let (c, s, r) = givens(V::from_array(g), V::from_array(f), safe);
            let (c, s, r) = (c.to_array(), s.to_array(), r.to_array());
            for l in 0..w {
                let (gl, fl) = pairs[(l + shift) % pairs.len()];
                let got = (c.as_ref()[l], s.as_ref()[l], r.as_ref()[l]);
                assert_eq!(got, one_lane(gl, fl), "lane {l} of shift {shift}");
                let (cl, sl, rl) = got;
                let (g, f, c, s, r) = (gl.to_f64(), fl.to_f64(), cl.to_f64(), sl.to_f64(), rl.to_f64());
                let eps = 4.0 * T::EPSILON.to_f64();
                assert!((c * c + s * s - 1.0).abs() <= eps, "{got:?}");
                let scale = g.abs().max(f.abs());
                if scale > 0.0 {
                    assert!(
                        ((c * g + s * f) - r).abs() <= eps * scale,
                        "{gl:?} {fl:?} {got:?}"
                    );
                    assert!((c * f - s * g).abs() <= eps * scale, "{gl:?} {fl:?} {got:?}");
                    assert!(r == 0.0 || (r < 0.0) == (g < 0.0), "r carries the sign of g");
                } else {
                    assert_eq!(got, (T::ONE, T::ZERO, T::ZERO));
                }
            }
        }
    }

    #[test]
    fn givens_is_lane_local_and_exact_in_every_lane_type() {
        on_every_lane_type!(givens_is_lane_local_and_exact);
    }
}
