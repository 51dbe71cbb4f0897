//! Eigenvalues only: the square-root-free implicit QL/QR of Pal, Walker and Kahan (LAPACK dsterf;
//! Parlett, "The Symmetric Eigenvalue Problem", 1998, section 8.15).
//!
//! The iteration runs on the squares `e_i^2` of the off-diagonals and updates `c^2`, `s^2` and
//! `gamma = c^2 (d_i - sigma) - s^2 gamma_prev` instead of the rotations themselves, so each step of the
//! chase costs two divisions and no square root. That step sits on a dependency chain (every quantity
//! needs the previous one), so its latency bounds the eigenvalue-only solve once the tridiagonal matrix is
//! formed; [`Chase::step`] orders it so that one division and two multiplications are on the chain.
//!
//! The block splitting, the power-of-two block scaling (dsterf's `[sqrt(safmin) / eps^2,
//! sqrt(safmax) / 3]`; here to a largest entry in `[1/2, 2]` instead, see [`BlockRange::Unit`]), the
//! choice of QL or QR from the end with the smaller diagonal entry, the Wilkinson shift and the
//! closed-form 2x2 blocks are those of [`super::implicit_qr`]. Unlike dsterf, every off-diagonal below
//! `eps |T|` is set to zero first (the absolute test of EISPACK tql2, backward stable): the fuzzer found
//! an `f32` block whose off-diagonals ran from 39 down to 1e-30, whose squares are subnormal or zero even
//! after the block scaling; the chase's `c` and `s` then lost their precision and the largest eigenvalues
//! came out 22 % off. After the test every square in a block is a normal number. As a safety net the
//! result must keep the Frobenius norm (`sum l_i^2 = |T|_F^2` within what our accuracy bar allows); when it
//! does not, or the step budget runs out, [`super::solve`] falls back to the rotation-based iteration,
//! whose extra stall handling covers the slowly converging matrices the fuzzer found there.

use super::implicit_qr::{BlockRange, hypot_one, next_block};
use super::plane::symmetric_2x2;
use crate::Real;

/// Eigenvalues (unsorted, in `d`) of the symmetric tridiagonal matrix with diagonal `d` and
/// off-diagonal `e` (`e[i] = T[i+1, i]`, length at least `n - 1`; destroyed). At most
/// `n * max_per_value` steps; returns the number of steps taken, or `None` when the step budget ran out
/// or the result fails the Frobenius-norm check (the caller then uses the rotation-based iteration).
pub(crate) fn root_free_qr<T: Real>(d: &mut [T], e: &mut [T], max_per_value: usize) -> Option<usize> {
    let n = d.len();
    if n <= 1 {
        return Some(0);
    }
    // LAPACK's eps is the unit roundoff (half our EPSILON).
    let eps = T::HALF * T::EPSILON;
    let eps2 = eps * eps;
    let cap = n.saturating_mul(max_per_value);
    // Absolute deflation up front (see the module docs): every off-diagonal left is above
    // `eps |T|`, so its square stays a normal number after the block scaling.
    let tnorm = d.iter().chain(&e[..n - 1]).fold(T::ZERO, |m, x| m.max(x.abs()));
    if tnorm == T::ZERO {
        return Some(0);
    }
    let norm2 = frobenius2(d, &e[..n - 1], tnorm);
    for x in &mut e[..n - 1] {
        if x.abs() <= eps * tnorm {
            *x = T::ZERO;
        }
    }
    let mut steps = 0usize;
    let mut l1 = 0;
    while l1 < n {
        // Unit range: the chase forms `p (alpha - sigma)`, a cube of the block's scale, which the safe
        // range (made for squares) would let overflow.
        let Some((lsv, lendsv, exp)) = next_block(d, e, &mut l1, BlockRange::Unit) else {
            continue;
        };
        for x in &mut e[lsv..lendsv] {
            *x = *x * *x;
        }
        let (mut l, mut lend) = (lsv, lendsv);
        if d[lend].abs() < d[l].abs() {
            core::mem::swap(&mut l, &mut lend);
        }
        if lend > l {
            // QL: eigenvalues converge at the top (l) of the block.
            loop {
                let mut m = l;
                while m < lend && e[m].abs() > eps2 * (d[m] * d[m + 1]).abs() {
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
                    let (rt1, rt2, _, _) = symmetric_2x2(d[l], e[l].sqrt(), d[l + 1]);
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
                    return None;
                }
                steps += 1;
                let rte = e[l].sqrt();
                let g = (d[l + 1] - p) / (T::TWO * rte);
                let sigma = p - rte / (g + hypot_one(g).copysign(g));
                let mut chase = Chase::start(d[m] - sigma);
                for i in (l..m).rev() {
                    let (e_prev, d_prev) = chase.step(e[i], d[i], sigma);
                    if i != m - 1 {
                        e[i + 1] = e_prev;
                    }
                    d[i + 1] = d_prev;
                }
                e[l] = chase.s * chase.pp;
                d[l] = sigma + chase.gamma;
            }
        } else {
            // QR: eigenvalues converge at the bottom (l) of the block.
            loop {
                let mut m = l;
                while m > lend && e[m - 1].abs() > eps2 * (d[m] * d[m - 1]).abs() {
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
                    let (rt1, rt2, _, _) = symmetric_2x2(d[l], e[l - 1].sqrt(), d[l - 1]);
                    d[l] = rt1;
                    d[l - 1] = rt2;
                    e[l - 1] = T::ZERO;
                    if l < lend + 2 {
                        break;
                    }
                    l -= 2;
                    continue;
                }
                if steps == cap {
                    return None;
                }
                steps += 1;
                let rte = e[l - 1].sqrt();
                let g = (d[l - 1] - p) / (T::TWO * rte);
                let sigma = p - rte / (g + hypot_one(g).copysign(g));
                let mut chase = Chase::start(d[m] - sigma);
                for i in m..l {
                    let (e_prev, d_prev) = chase.step(e[i], d[i + 1], sigma);
                    if i != m {
                        e[i - 1] = e_prev;
                    }
                    d[i] = d_prev;
                }
                e[l - 1] = chase.s * chase.pp;
                d[l] = sigma + chase.gamma;
            }
        }
        for x in &mut d[lsv..=lendsv] {
            *x = x.scalbn(-exp);
        }
    }
    keeps_frobenius_norm(d, norm2, tnorm).then_some(steps)
}

/// The state of one root-free chase: dsterf's `c`, `s` (squared cosine and sine), `gamma` and `p`.
struct Chase<T> {
    c: T,
    s: T,
    gamma: T,
    pp: T,
}

impl<T: Real> Chase<T> {
    /// A chase that starts from `gamma = d_m - sigma`.
    #[inline(always)]
    fn start(gamma: T) -> Self {
        Chase {
            c: T::ONE,
            s: T::ZERO,
            gamma,
            pp: gamma * gamma,
        }
    }

    /// One step over the squared off-diagonal `bb` and the diagonal entry `alpha`; returns the new
    /// squared off-diagonal and diagonal entry of the position behind.
    ///
    /// dsterf's step, `r = p + b^2`, `c = p / r`, `s = b^2 / r`, `gamma = c (alpha - sigma) - s gamma'`,
    /// `p = gamma^2 / c`, rearranged to shorten the dependency chain through `p` that bounds the
    /// eigenvalue-only solve. With `num = p (alpha - sigma) - b^2 gamma'` (a multiply and a subtraction
    /// once `p` is known, as `b^2 gamma'` is ready from the step before), `gamma = num / r` and
    /// `p_new = gamma^2 r / p = gamma (num / p)`. Both reciprocals, `1 / r` and `1 / p`, start as soon as
    /// `p` is known and run side by side, so the chain is add, divide, two multiplies (about 22 cycles
    /// on Zen 3, against 32 for dsterf's order with one division on the chain). No product of two squared
    /// quantities is formed, so the block scaling keeps every intermediate in range as in dsterf.
    /// `c = 0` takes dsterf's other branch `p = c' b^2`; an overflow of `num / p` gives an infinite
    /// eigenvalue, which the Frobenius-norm check rejects.
    #[inline(always)]
    fn step(&mut self, bb: T, alpha: T, sigma: T) -> (T, T) {
        let shifted = alpha - sigma;
        let b2_gamma = bb * self.gamma;
        let r = self.pp + bb;
        let inv_r = T::ONE / r;
        let inv_p = T::ONE / self.pp;
        let num = self.pp * shifted - b2_gamma;
        let e_prev = self.s * r;
        let (old_c, old_gamma) = (self.c, self.gamma);
        self.c = self.pp * inv_r;
        self.s = bb * inv_r;
        self.gamma = num * inv_r;
        self.pp = if self.c != T::ZERO {
            self.gamma * (num * inv_p)
        } else {
            old_c * bb
        };
        (e_prev, old_gamma + (alpha - self.gamma))
    }
}

/// The safety net: eigenvalues `values` of a tridiagonal matrix with scaled squared Frobenius norm
/// `norm2` ([`frobenius2`] with `tnorm`) must keep it, `sum l_i^2 = |T|_F^2`, to within what eigenvalue
/// errors of 50 n ulp |T| each (our accuracy bar) and the rounding of the sums allow. A NaN or infinite
/// eigenvalue fails it.
fn keeps_frobenius_norm<T: Real>(values: &[T], norm2: T, tnorm: T) -> bool {
    let eps = T::HALF * T::EPSILON;
    let nf = T::from_usize(values.len());
    let drift = (frobenius2(values, &[], tnorm) - norm2).abs();
    let tol = eps * nf * (T::from_f64(100.0) * (nf * norm2).sqrt() + T::from_f64(4.0) * norm2);
    drift <= tol
}

/// `(|diag(d)|_F^2 + 2 |e|^2) / tnorm^2`: the squared Frobenius norm of the tridiagonal matrix `(d, e)`,
/// scaled so that no square overflows or underflows harmfully.
fn frobenius2<T: Real>(d: &[T], e: &[T], tnorm: T) -> T {
    let sq = |x: &T| {
        let y = *x / tnorm;
        y * y
    };
    d.iter().map(sq).fold(T::ZERO, |s, x| s + x) + T::TWO * e.iter().map(sq).fold(T::ZERO, |s, x| s + x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::implicit_qr::{NoVectors, implicit_qr};
    use crate::testing::Rng;
    use alloc::vec;
    use alloc::vec::Vec;

    /// Root-free and rotation-based iterations give the same spectrum within a few ulps of the norm, on
    /// random, graded (both directions, so both QL and QR run), split and scaled tridiagonals.
    fn agrees_with_implicit_qr<T: Real>() {
        let mut rng = Rng::new(11);
        for case in 0..40 {
            let n = 1 + (case * 7) % 60;
            let scale = [1.0, 1e-30, 1e30, 1.0][case % 4];
            let d0: Vec<T> = (0..n)
                .map(|i| {
                    let graded = match case % 3 {
                        0 => 1.0,
                        1 => 0.5f64.powi(i as i32),
                        _ => 0.5f64.powi((n - i) as i32),
                    };
                    T::from_f64(scale * graded * rng.symmetric_uniform())
                })
                .collect();
            let e0: Vec<T> = (0..n)
                .map(|i| {
                    let x = if case % 5 == 4 && i % 7 == 3 {
                        0.0
                    } else {
                        rng.symmetric_uniform()
                    };
                    T::from_f64(scale * x)
                })
                .collect();
            let (mut d1, mut e1) = (d0.clone(), e0.clone());
            let steps = root_free_qr(&mut d1, &mut e1, 30).expect("converges");
            assert!(steps <= 30 * n);
            let (mut d2, mut e2) = (d0.clone(), e0.clone());
            let (mut c, mut s) = (vec![T::ZERO; n], vec![T::ZERO; n]);
            implicit_qr(&mut d2, &mut e2, &mut c, &mut s, &mut NoVectors, 30).unwrap();
            let sort =
                |v: &mut Vec<T>| v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(core::cmp::Ordering::Equal));
            sort(&mut d1);
            sort(&mut d2);
            let norm = d0.iter().chain(&e0).fold(0.0f64, |m, x| m.max(x.to_f64().abs()));
            for (a, b) in d1.iter().zip(&d2) {
                let err = (a.to_f64() - b.to_f64()).abs();
                assert!(
                    err <= 8.0 * n as f64 * T::EPSILON.to_f64() * norm,
                    "case {case} n {n}: {a:?} vs {b:?}"
                );
            }
        }
    }

    #[test]
    fn root_free_agrees_with_rotation_based_qr() {
        agrees_with_implicit_qr::<f64>();
        agrees_with_implicit_qr::<f32>();
    }

    #[test]
    fn root_free_reports_the_step_cap() {
        let (mut d, mut e) = (vec![1.0f64, 2.0, 3.0], vec![1.0, 1.0, 0.0]);
        assert_eq!(root_free_qr(&mut d, &mut e, 0), None);
    }

    /// Found by the fuzzer (input in `fuzz/regressions/eigh/`; this is its tridiagonal form): in `f32`,
    /// off-diagonals from 39 down to 1e-30 in one unreduced block. Without the up-front absolute
    /// deflation their squares were subnormal or zero, the chase's `c`, `s` lost their precision and
    /// the four largest eigenvalue pairs came out up to 22 % off (28.54 for 36.60).
    #[test]
    #[rustfmt::skip]
    fn off_diagonals_spanning_the_exponent_range_keep_the_large_eigenvalues() {
        let mut d: Vec<f32> = vec![-4.7331654e-30, -4.7331654e-30, 7.390976e-6, -7.5354014e-6, -3.6152958e-6, 3.5251276e-6, -4.170236e-6, 4.136146e-6, -3.830498e-8, 3.0855924e-7, -2.284819e-7, -2.9317087e-13, 1.7764199e-14, 2.0107018e-15, 1.2528254e-14, -9.242119e-22, 4.5538024e-22, -1.0178475e-21, -1.7135512e-23, -2.550967e-29, -9.3088704e-29, -5.6585703e-30, -3.686008e-29, -4.8545424e-29, -6.702498e-30, -1.14871595e-29, -6.853218e-30, -1.0521688e-29, -2.0184122e-30, -6.7432036e-30, -1.2423937e-30, 2.6268287e-30, -1.8797394e-30, 1.982608e-30];
        let mut e: Vec<f32> = vec![39.115215, -2.9911635, -39.000675, -2.9999492, -39.0, -2.9999998, -38.88444, -4.940844e-5, -2.3153879e-8, -3.873926e-7, -1.3386199e-10, -7.87264e-16, 2.338316e-15, -4.8190635e-15, -5.578534e-20, -4.987365e-23, 2.9810213e-22, 9.92966e-24, 3.338785e-27, 1.4889534e-29, -2.0440754e-30, -1.0967211e-29, -3.1310948e-29, 1.06865534e-29, -7.6336475e-30, -6.8619394e-30, -7.940769e-30, 5.3223115e-30, 2.850587e-30, -1.8250263e-30, -2.765151e-30, -2.5733025e-30, -1.2732586e-30, 0.0];
        let n = d.len();
        let (mut c, mut s) = (vec![0.0f32; n], vec![0.0f32; n]);
        let (mut d2, mut e2) = (d.clone(), e.clone());
        implicit_qr(&mut d2, &mut e2, &mut c, &mut s, &mut NoVectors, 30).unwrap();
        root_free_qr(&mut d, &mut e, 30).expect("converges and passes the check");
        for v in [&mut d, &mut d2] {
            v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(core::cmp::Ordering::Equal));
        }
        for (a, b) in d.iter().zip(&d2) {
            assert!((a - b).abs() <= 4.0 * n as f32 * f32::EPSILON * 41.5, "{a} vs {b}");
        }
    }

    #[test]
    fn frobenius2_is_the_scaled_squared_norm() {
        // tnorm = 2, |T|_F^2 / tnorm^2 = (1 + 4 + 2) / 4.
        let (d, e) = ([1.0f64, 2.0], [1.0]);
        assert!((frobenius2(&d, &e, 2.0) - 1.75).abs() < 1e-15);
    }

    #[test]
    fn frobenius_check_accepts_the_spectrum_and_rejects_wrong_or_non_finite_ones() {
        // [[1, 1], [1, 2]]: eigenvalues (3 -+ sqrt 5) / 2, |T|_F^2 = 7.
        let (d, e) = ([1.0f64, 2.0], [1.0]);
        let norm2 = frobenius2(&d, &e, 2.0);
        let s5 = 5.0f64.sqrt();
        assert!(keeps_frobenius_norm(
            &[(3.0 - s5) / 2.0, (3.0 + s5) / 2.0],
            norm2,
            2.0
        ));
        assert!(!keeps_frobenius_norm(&[0.4, 2.6], norm2, 2.0));
        assert!(!keeps_frobenius_norm(&[f64::NAN, 2.6], norm2, 2.0));
        assert!(!keeps_frobenius_norm(&[f64::INFINITY, 2.6], norm2, 2.0));
    }
}
