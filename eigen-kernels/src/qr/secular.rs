//! Roots of the secular equation of a rank-one modified diagonal matrix (LAPACK dlaed4; Li, "Solving
//! secular equations stably and efficiently", LAPACK Working Note 89, 1993).
//!
//! The eigenvalues of `D + rho z z^T` (`d` strictly increasing, every `z_l != 0`, `rho > 0`) are the
//! roots of `f(lambda) = 1/rho + sum_l z_l^2 / (d_l - lambda)`, one in each `(d_j, d_{j+1})` and the last
//! in `(d_{k-1}, d_{k-1} + rho |z|^2]`. Each root is computed as `lambda = d_o + tau` relative to the pole
//! `d_o` nearest to it (decided by the sign of `f` at the midpoint of the interval), so the differences
//! `d_l - lambda = (d_l - d_o) - tau` needed by the eigenvectors carry no cancellation (Gu & Eisenstat,
//! SIAM J. Matrix Anal. Appl. 16(1), 1995).
//!
//! The iteration is dlaed4's "middle way": `f` is modelled as a constant plus one pole term for the
//! poles on each side of the root, matched in value and derivative, and the model's root is taken; a
//! step that leaves the bracketing interval (kept from the sign of `f`) or points the wrong way becomes
//! a Newton step or a bisection. After [`RATIONAL_STEPS`] steps only bisection is used, and
//! [`MAX_STEPS`] bounds the total (`NoConvergence` past it).
//!
//! The roots are independent, so [`secular_roots`] iterates a lane vector of them at once (one root per
//! lane, the branches as selects): one pass over the poles serves every lane and needs no horizontal
//! sums. Against one root at a time with the pole sums SIMD over the poles, that halved the roots'
//! share of an `f32` n = 256 solve (native AVX-512, perf: 10.4 % -> 5.4 %).

use crate::simd::WithLanes;
use crate::{EigenError, Real, SimdReal};

/// Model-based steps before the iteration falls back to bisection only.
const RATIONAL_STEPS: usize = 40;
/// Hard cap on the steps for one root: bisection needs at most the exponent range plus the mantissa
/// width (about 2100 + 53 halvings in `f64` from a normal interval to a relative width of `eps`), but
/// never gets there because deflation keeps every root at least `~eps^2 |T|` away from its pole.
const MAX_STEPS: usize = 400;

/// Every root of the secular equation of `(d, z, rho)` (see the module docs): root `j` is
/// `lambda_j = origin[j] + taus[j]`, `origin[j]` being the pole `d[j]` or `d[j + 1]` nearest to it.
///
/// The roots are found a lane vector at a time, one root per lane ([`SimdReal::with_best_lanes`]): each
/// lane runs dlaed4's iteration with its own origin, bracket and step (the branches become selects),
/// and the pole sums are one pass over the poles for all lanes, with no horizontal reductions. A lane
/// stops when its root has converged; the vector when all have.
///
/// Requires `d` strictly increasing, `z` nonzero, `rho > 0` and finite data (the divide-and-conquer
/// merge guarantees all four after deflation); `origin` and `taus` hold at least `d.len()` entries.
pub(crate) fn secular_roots<T: Real>(
    d: &[T],
    z: &[T],
    rho: T,
    origin: &mut [T],
    taus: &mut [T],
) -> Result<(), EigenError> {
    let k = d.len();
    if k == 1 {
        origin[0] = d[0];
        taus[0] = rho * z[0] * z[0];
        return Ok(());
    }
    T::Lanes::with_best_lanes(Roots {
        d,
        z,
        rho,
        origin,
        taus,
    })
}

/// The operands of [`secular_roots`], handed to the dispatched lanes.
struct Roots<'a, T> {
    d: &'a [T],
    z: &'a [T],
    rho: T,
    origin: &'a mut [T],
    taus: &'a mut [T],
}

impl<T: Real> WithLanes<T> for Roots<'_, T> {
    type Output = Result<(), EigenError>;
    #[inline(always)]
    fn run<V: SimdReal<Scalar = T>>(self) -> Self::Output {
        let Roots {
            d,
            z,
            rho,
            origin,
            taus,
        } = self;
        let k = d.len();
        let mut j0 = 0;
        while j0 < k {
            let (o, t) = root_lanes::<T, V>(d, z, rho, j0)?;
            let live = V::LANES.min(k - j0);
            origin[j0..j0 + live].copy_from_slice(&o.to_array().as_ref()[..live]);
            taus[j0..j0 + live].copy_from_slice(&t.to_array().as_ref()[..live]);
            j0 += V::LANES;
        }
        Ok(())
    }
}

/// Lane-wise NOT of a comparison mask.
#[inline(always)]
fn not<V: SimdReal>(m: V) -> V {
    let zero = V::splat(V::Scalar::ZERO);
    V::select(m, zero.lt(zero), zero.eq(zero))
}

/// Pole sums of every lane: `(psi, dpsi, phi, dphi)` with the terms of poles `l <= p` (lane's `p`) in
/// `psi`, the others in `phi`, at `delta_l = (d_l - shift) - tau`. `p_lo <= p <= p_hi` in every lane.
#[inline(always)]
fn lane_pole_sums<T: Real, V: SimdReal<Scalar = T>>(
    d: &[T],
    z: &[T],
    shift: V,
    tau: V,
    p: V,
    (p_lo, p_hi): (usize, usize),
) -> (V, V, V, V) {
    let zero = V::splat(T::ZERO);
    let (mut psi, mut dpsi, mut phi, mut dphi) = (zero, zero, zero, zero);
    for (l, (&dl, &zl)) in d.iter().zip(z).enumerate() {
        let zv = V::splat(zl);
        let t = zv / ((V::splat(dl) - shift) - tau);
        if l <= p_lo {
            psi = zv.mul_add(t, psi);
            dpsi = t.mul_add(t, dpsi);
        } else if l > p_hi {
            phi = zv.mul_add(t, phi);
            dphi = t.mul_add(t, dphi);
        } else {
            let below = V::splat(T::from_usize(l)).le(p);
            let (f, df) = (zv * t, t * t);
            psi += V::select(below, f, zero);
            dpsi += V::select(below, df, zero);
            phi += V::select(below, zero, f);
            dphi += V::select(below, zero, df);
        }
    }
    (psi, dpsi, phi, dphi)
}

/// Roots `j0..j0 + V::LANES` (lanes past the last root repeat it) as `(origin value, tau)` vectors.
#[inline(always)]
fn root_lanes<T: Real, V: SimdReal<Scalar = T>>(
    d: &[T],
    z: &[T],
    rho: T,
    j0: usize,
) -> Result<(V, V), EigenError> {
    let k = d.len();
    let zero = V::splat(T::ZERO);
    let (yes, no) = (zero.eq(zero), zero.lt(zero));
    let rhoinv = T::ONE / rho;
    let eps = V::splat(T::EPSILON);
    // Per-lane setup: the root index j, the interval half width, the pole p of the model.
    let lane = |f: &dyn Fn(usize) -> T| {
        let mut a = zero.to_array();
        for (l, x) in a.as_mut().iter_mut().enumerate() {
            *x = f((j0 + l).min(k - 1));
        }
        V::from_array(a)
    };
    let last = lane(&|j| if j + 1 == k { T::ONE } else { T::ZERO }).eq(V::splat(T::ONE));
    let dj = lane(&|j| d[j]);
    let half = lane(&|j| {
        if j + 1 < k {
            (d[j + 1] - d[j]) * T::HALF
        } else {
            T::ZERO
        }
    });
    let p_of = |j: usize| j.min(k - 2);
    let p = lane(&|j| T::from_usize(p_of(j)));
    let bounds = (p_of(j0), p_of((j0 + V::LANES - 1).min(k - 1)));
    // Origin: d_j if f at the midpoint is >= 0 (the root lies left of it), else d_{j+1}; the last root
    // is relative to d_{k-1} with the bracket (0, rho |z|^2].
    let (psi, _, phi, _) = lane_pole_sums(d, z, dj, half, p, bounds);
    let w0 = V::splat(rhoinv) + psi + phi;
    let left = V::select(last, yes, zero.le(w0));
    let dnext = lane(&|j| d[(j + 1).min(k - 1)]);
    let shift = V::select(left, dj, dnext);
    let norm2 = z.iter().fold(T::ZERO, |acc, x| acc + *x * *x);
    let mut lo = V::select(left, zero, (dj - dnext) * V::splat(T::HALF));
    let mut hi = V::select(last, V::splat(rho * norm2), V::select(left, half, zero));
    // d_p - origin and d_{p+1} - origin for the model.
    let dpo = lane(&|j| d[p_of(j)]) - shift;
    let dqo = lane(&|j| d[p_of(j) + 1]) - shift;
    let mut tau = (lo + hi) * V::splat(T::HALF);
    let mut done = no;
    let (two, big) = (V::splat(T::TWO), V::splat(T::MAX));
    for step in 0..MAX_STEPS {
        // Terms up to p are negative (poles below the root), the others positive.
        let (psi, dpsi, phi, dphi) = lane_pole_sums(d, z, shift, tau, p, bounds);
        let abs_sum = psi.abs() + phi.abs();
        let w = V::splat(rhoinv) + psi + phi;
        let bound = eps
            * (V::splat(T::from_f64(8.0)) * abs_sum
                + V::splat(T::TWO * rhoinv)
                + V::splat(T::from_f64(3.0)) * w.abs());
        done = done.or(w.abs().le(bound));
        if V::all(done) {
            return Ok((shift, tau));
        }
        // f increases with tau: the root lies left of tau when f(tau) > 0.
        let right = zero.lt(w);
        hi = V::select(done, hi, V::select(right, tau, hi));
        lo = V::select(done, lo, V::select(right, lo, tau));
        let mid = lo + (hi - lo) * V::splat(T::HALF);
        let mut next = if step < RATIONAL_STEPS {
            // The two-pole model `c + a1 / (dp - eta) + a2 / (dq - eta)` with `a1 = dpsi dp^2`,
            // `a2 = dphi dq^2` and `c` fitted to `w` (dlaed4): interior roots take the smaller root of
            // its quadratic (between the poles), the last root the larger one (beyond both), which
            // exists only for `c > 0`; otherwise, or when the model's step is not finite or points
            // away from the root, a Newton step.
            let (dp, dq) = (dpo - tau, dqo - tau);
            let c = w - dp * dpsi - dq * dphi;
            let a = (dp + dq) * w - dp * dq * (dpsi + dphi);
            let b = dp * dq * w;
            let disc = (a * a - V::splat(T::from_f64(4.0)) * b * c).abs().sqrt();
            let interior = V::select(
                c.eq(zero),
                b / a,
                V::select(a.le(zero), (a - disc) / (two * c), two * b / (a + disc)),
            );
            let beyond = V::select(zero.le(a), (a + disc) / (two * c), two * b / (a - disc));
            let model = V::select(last, beyond, interior);
            let usable = V::select(last, not(c.le(zero)), yes)
                .and(model.abs().le(big))
                .and((w * model).lt(zero));
            let newton = -w / (dpsi + dphi);
            tau + V::select(usable, model, newton)
        } else {
            mid
        };
        next = V::select(lo.lt(next).and(next.lt(hi)), next, mid);
        // No representable point strictly inside the bracket is left.
        done = done.or(next.le(lo).or(hi.le(next)).or(next.eq(tau)));
        tau = V::select(done, tau, next);
        if V::all(done) {
            return Ok((shift, tau));
        }
    }
    Err(EigenError::NoConvergence {
        iterations: MAX_STEPS,
        remaining: not(done)
            .to_array()
            .as_ref()
            .iter()
            .take(k - j0)
            .filter(|m| m.is_nan()) // a set mask lane is all ones, a NaN
            .count(),
    })
}

/// `(sum z_l^2 / delta_l, sum (z_l / delta_l)^2)` with `delta_l = (d_l - shift) - tau`, SIMD over
/// `l` (`Real::Lanes`, one division per lane; written as a plain loop LLVM divided lane by lane).
#[inline(always)]
pub(crate) fn pole_sums<T: Real>(d: &[T], z: &[T], shift: T, tau: T) -> (T, T) {
    let w = T::Lanes::LANES;
    let (sv, tv) = (T::Lanes::splat(shift), T::Lanes::splat(tau));
    let (mut f, mut df) = (T::Lanes::splat(T::ZERO), T::Lanes::splat(T::ZERO));
    let (dc, zc) = (d.chunks_exact(w), z.chunks_exact(w));
    let (dr, zr) = (dc.remainder(), zc.remainder());
    for (dq, zq) in dc.zip(zc) {
        let zv = T::Lanes::load(zq);
        let t = zv / ((T::Lanes::load(dq) - sv) - tv);
        f = zv.mul_add(t, f);
        df = t.mul_add(t, df);
    }
    let (mut f, mut df) = (f.reduce_add(), df.reduce_add());
    for (dl, zl) in dr.iter().zip(zr) {
        let t = *zl / ((*dl - shift) - tau);
        f += *zl * t;
        df += t * t;
    }
    (f, df)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Rng;
    use alloc::vec::Vec;

    /// `f(lambda)` in f64 at the computed root, relative to the sum of magnitudes of its terms.
    fn relative_residual(d: &[f64], z: &[f64], rho: f64, o: usize, tau: f64) -> f64 {
        let (mut w, mut mag) = (1.0 / rho, 1.0 / rho);
        for l in 0..d.len() {
            let t = z[l] * z[l] / ((d[l] - d[o]) - tau);
            w += t;
            mag += t.abs();
        }
        w.abs() / mag
    }

    fn check_roots(d: &[f64], z: &[f64], rho: f64) {
        let k = d.len();
        let mut prev = f64::NEG_INFINITY;
        let (mut origin, mut taus) = (alloc::vec![0.0; k], alloc::vec![0.0; k]);
        secular_roots(d, z, rho, &mut origin, &mut taus).unwrap();
        for j in 0..k {
            let tau = taus[j];
            let o = (j..(j + 2).min(k))
                .find(|&o| d[o] == origin[j])
                .unwrap_or_else(|| panic!("origin {} for root {j}", origin[j]));
            let lambda = d[o] + tau;
            // Interlacing: d_j < lambda_j < d_{j+1} (or <= d_{k-1} + rho |z|^2), ascending.
            assert!(lambda >= d[j] && lambda > prev, "root {j}: {lambda}");
            if j + 1 < k {
                assert!(lambda <= d[j + 1], "root {j}: {lambda} > {}", d[j + 1]);
            }
            assert!(tau != 0.0 || z[j] == 0.0);
            let r = relative_residual(d, z, rho, o, tau);
            assert!(r <= 64.0 * f64::EPSILON * k as f64, "root {j}: residual {r}");
            prev = lambda;
        }
    }

    #[test]
    fn secular_roots_interlace_and_satisfy_the_equation() {
        let mut rng = Rng::new(11);
        for k in [1usize, 2, 3, 10, 64] {
            let mut d: Vec<f64> = (0..k).map(|_| rng.symmetric_uniform()).collect();
            d.sort_by(f64::total_cmp);
            let z: Vec<f64> = (0..k).map(|_| rng.symmetric_uniform() + 0.01).collect();
            for rho in [1e-3, 1.0, 1e3] {
                check_roots(&d, &z, rho);
            }
        }
    }

    #[test]
    fn secular_roots_near_poles_keep_relative_accuracy() {
        // Tiny weights push roots to within ~1e-20 of their poles; clustered poles 1e-12 apart.
        let d = [0.0, 1e-12, 2e-12, 1.0, 2.0, 2.0 + 1e-9];
        let z = [1e-10, 0.5, 1e-9, 0.3, 1e-11, 0.7];
        check_roots(&d, &z, 1.0);
        check_roots(&d, &z, 1e-6);
        let k = 40;
        let d: Vec<f64> = (0..k).map(|i| i as f64).collect();
        let z: Vec<f64> = (0..k).map(|i| if i % 2 == 0 { 1e-8 } else { 1.0 }).collect();
        check_roots(&d, &z, 2.0);
    }
}
