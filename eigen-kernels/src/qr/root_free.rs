//! Eigenvalues only: the square-root-free implicit QL/QR of Pal, Walker and Kahan (LAPACK dsterf;
//! Parlett, "The Symmetric Eigenvalue Problem", 1998, section 8.15).
//!
//! The iteration runs on the squares `e_i^2` of the off-diagonals and updates `c^2`, `s^2` and
//! `gamma = c^2 (d_i - sigma) - s^2 gamma_prev` instead of the rotations themselves, so each step of the
//! chase costs two divisions and no square root. That step sits on a dependency chain (every quantity
//! needs the previous one), so its latency bounds the eigenvalue-only solve once the tridiagonal matrix is
//! formed: it is about half that of the rotation-based step of [`super::implicit_qr`].
//!
//! The block splitting, the power-of-two block scaling (into `[sqrt(safmin) / eps^2, sqrt(safmax) / 3]`,
//! where the squares neither overflow nor underflow into the deflation tests), the choice of QL or QR
//! from the end with the smaller diagonal entry, the Wilkinson shift and the closed-form 2x2 blocks are
//! those of [`super::implicit_qr`]. A failure to converge within the step budget is reported as
//! [`EigenError::NoConvergence`]; [`super::solve`] then falls back to the rotation-based iteration, whose
//! extra absolute deflation test handles the slowly converging matrices the fuzzer found.

use super::implicit_qr::{block_scaling, hypot_one, scale_block};
use super::plane::symmetric_2x2;
use crate::{EigenError, Real};

/// Eigenvalues (unsorted, in `d`) of the symmetric tridiagonal matrix with diagonal `d` and
/// off-diagonal `e` (`e[i] = T[i+1, i]`, length at least `n - 1`; destroyed). At most
/// `n * max_per_value` steps; returns the number of steps taken.
pub(crate) fn root_free_qr<T: Real>(
    d: &mut [T],
    e: &mut [T],
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
    let ssfmax = (T::ONE / safmin).sqrt() / T::from_f64(3.0);
    let ssfmin = safmin.sqrt() / eps2;
    let cap = n.saturating_mul(max_per_value);
    let mut steps = 0usize;
    let mut l1 = 0;
    while l1 < n {
        if l1 > 0 {
            e[l1 - 1] = T::ZERO;
        }
        // Split off an unreduced block l1..=m (dsteqr's relative test, on the unsquared entries).
        let mut m = l1;
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
        let (lsv, lendsv) = (l1, m);
        l1 = m + 1;
        if lendsv == lsv {
            continue;
        }
        let mut anorm = T::ZERO;
        for x in d[lsv..=lendsv].iter().chain(&e[lsv..lendsv]) {
            anorm = anorm.max(x.abs());
        }
        if anorm == T::ZERO {
            continue;
        }
        let exp = block_scaling(anorm, ssfmin, ssfmax);
        scale_block(d, e, lsv, lendsv, exp);
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
                    return Err(unconverged(&e[..n - 1], steps));
                }
                steps += 1;
                let rte = e[l].sqrt();
                let g = (d[l + 1] - p) / (T::TWO * rte);
                let sigma = p - rte / (g + hypot_one(g).copysign(g));
                let (mut c, mut s) = (T::ONE, T::ZERO);
                let mut gamma = d[m] - sigma;
                let mut pp = gamma * gamma;
                for i in (l..m).rev() {
                    let bb = e[i];
                    let r = pp + bb;
                    if i != m - 1 {
                        e[i + 1] = s * r;
                    }
                    let old_c = c;
                    c = pp / r;
                    s = bb / r;
                    let old_gamma = gamma;
                    let alpha = d[i];
                    gamma = c * (alpha - sigma) - s * old_gamma;
                    d[i + 1] = old_gamma + (alpha - gamma);
                    pp = if c != T::ZERO {
                        (gamma * gamma) / c
                    } else {
                        old_c * bb
                    };
                }
                e[l] = s * pp;
                d[l] = sigma + gamma;
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
                    return Err(unconverged(&e[..n - 1], steps));
                }
                steps += 1;
                let rte = e[l - 1].sqrt();
                let g = (d[l - 1] - p) / (T::TWO * rte);
                let sigma = p - rte / (g + hypot_one(g).copysign(g));
                let (mut c, mut s) = (T::ONE, T::ZERO);
                let mut gamma = d[m] - sigma;
                let mut pp = gamma * gamma;
                for i in m..l {
                    let bb = e[i];
                    let r = pp + bb;
                    if i != m {
                        e[i - 1] = s * r;
                    }
                    let old_c = c;
                    c = pp / r;
                    s = bb / r;
                    let old_gamma = gamma;
                    let alpha = d[i + 1];
                    gamma = c * (alpha - sigma) - s * old_gamma;
                    d[i] = old_gamma + (alpha - gamma);
                    pp = if c != T::ZERO {
                        (gamma * gamma) / c
                    } else {
                        old_c * bb
                    };
                }
                e[l - 1] = s * pp;
                d[l] = sigma + gamma;
            }
        }
        for x in &mut d[lsv..=lendsv] {
            *x = x.scalbn(-exp);
        }
    }
    Ok(steps)
}

/// The step cap was reached: `remaining` counts the off-diagonals not yet deflated.
fn unconverged<T: Real>(e: &[T], steps: usize) -> EigenError {
    let remaining = e.iter().filter(|x| **x != T::ZERO).count();
    EigenError::NoConvergence {
        iterations: steps,
        remaining,
    }
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
            let steps = root_free_qr(&mut d1, &mut e1, 30).unwrap();
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
        assert!(matches!(
            root_free_qr(&mut d, &mut e, 0),
            Err(EigenError::NoConvergence {
                iterations: 0,
                remaining: 2
            })
        ));
    }
}
