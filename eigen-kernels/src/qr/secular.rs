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

use crate::{EigenError, Real, SimdReal};

/// Model-based steps before the iteration falls back to bisection only.
const RATIONAL_STEPS: usize = 40;
/// Hard cap on the steps for one root: bisection needs at most the exponent range plus the mantissa
/// width (about 2100 + 53 halvings in `f64` from a normal interval to a relative width of `eps`), but
/// never gets there because deflation keeps every root at least `~eps^2 |T|` away from its pole.
const MAX_STEPS: usize = 400;

/// The differences `delta_l = d_l - d_origin - tau` of one root, evaluated as the iteration does.
#[inline(always)]
fn difference<T: Real>(d: &[T], origin: usize, l: usize, tau: T) -> T {
    (d[l] - d[origin]) - tau
}

/// Root `j` of the secular equation of `(d, z, rho)` (see the module docs) as `(o, tau)` with
/// `lambda_j = d[o] + tau`, `o` being `j` or `j + 1`.
///
/// Requires `d` strictly increasing, `z` nonzero, `rho > 0` and finite data (the divide-and-conquer
/// merge guarantees all four after deflation).
pub(crate) fn secular_root<T: Real>(d: &[T], z: &[T], rho: T, j: usize) -> Result<(usize, T), EigenError> {
    let k = d.len();
    if k == 1 {
        return Ok((0, rho * z[0] * z[0]));
    }
    let rhoinv = T::ONE / rho;
    let eps = T::EPSILON;
    // Origin, bracket (lo, hi) for tau, and the pole pair (p, p + 1) of the model.
    let (origin, mut lo, mut hi, p) = if j + 1 < k {
        let half = (d[j + 1] - d[j]) * T::HALF;
        let w = rhoinv + pole_sums(d, z, d[j], half).0;
        if w >= T::ZERO {
            (j, T::ZERO, half, j)
        } else {
            (j + 1, (d[j] - d[j + 1]) * T::HALF, T::ZERO, j)
        }
    } else {
        let norm2 = z.iter().fold(T::ZERO, |acc, x| acc + *x * *x);
        (k - 1, T::ZERO, rho * norm2, k - 2)
    };
    let last = j + 1 == k;
    let mut tau = (lo + hi) * T::HALF;
    for step in 0..MAX_STEPS {
        // Terms up to p are negative (poles below the root), the others positive.
        let shift = d[origin];
        let (psi, dpsi) = pole_sums(&d[..=p], &z[..=p], shift, tau);
        let (phi, dphi) = pole_sums(&d[p + 1..], &z[p + 1..], shift, tau);
        let abs_sum = psi.abs() + phi.abs();
        let w = rhoinv + psi + phi;
        let bound = eps * (T::from_f64(8.0) * abs_sum + T::TWO * rhoinv + T::from_f64(3.0) * w.abs());
        if w.abs() <= bound {
            return Ok((origin, tau));
        }
        // f increases with tau: the root lies left of tau when f(tau) > 0.
        if w > T::ZERO {
            hi = tau;
        } else {
            lo = tau;
        }
        let mut next = if step < RATIONAL_STEPS {
            let model = rational_step(
                difference(d, origin, p, tau),
                difference(d, origin, p + 1, tau),
                w,
                dpsi,
                dphi,
                last,
            );
            let eta = match model {
                Some(eta) if eta.is_finite() && w * eta < T::ZERO => eta,
                _ => -w / (dpsi + dphi),
            };
            tau + eta
        } else {
            lo + (hi - lo) * T::HALF
        };
        if !(next > lo && next < hi) {
            next = lo + (hi - lo) * T::HALF;
        }
        if next <= lo || next >= hi || next == tau {
            // No representable point strictly inside the bracket is left.
            return Ok((origin, tau));
        }
        tau = next;
    }
    Err(EigenError::NoConvergence {
        iterations: MAX_STEPS,
        remaining: 1,
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

/// Correction `eta` from the two-pole model `c + a1 / (dp - eta) + a2 / (dq - eta)` with
/// `a1 = dpsi dp^2`, `a2 = dphi dq^2` and `c` fitted to `w` (dlaed4). Interior roots lie between the
/// poles (the smaller root of the model's quadratic); the last root lies beyond both (the larger
/// one). `None` when the model has no root beyond the poles.
#[inline]
fn rational_step<T: Real>(dp: T, dq: T, w: T, dpsi: T, dphi: T, last: bool) -> Option<T> {
    let c = w - dp * dpsi - dq * dphi;
    let a = (dp + dq) * w - dp * dq * (dpsi + dphi);
    let b = dp * dq * w;
    let disc = (a * a - T::from_f64(4.0) * b * c).abs().sqrt();
    Some(if last {
        if c <= T::ZERO {
            return None;
        }
        if a >= T::ZERO {
            (a + disc) / (T::TWO * c)
        } else {
            T::TWO * b / (a - disc)
        }
    } else if c == T::ZERO {
        b / a
    } else if a <= T::ZERO {
        (a - disc) / (T::TWO * c)
    } else {
        T::TWO * b / (a + disc)
    })
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
        for j in 0..k {
            let (o, tau) = secular_root(d, z, rho, j).unwrap();
            assert!(o == j || o == j + 1, "origin {o} for root {j}");
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
