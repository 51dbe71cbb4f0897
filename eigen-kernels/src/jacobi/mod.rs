//! Jacobi eigensolver for dense symmetric matrices (cyclic and Brent–Luk parallel orderings).
//!
//! Rutishauser's formulation (Wilkinson & Reinsch, Handbook for Automatic Computation II, contribution II/1,
//! "The Jacobi method for real symmetric matrices", 1971): the rotation angle from the stable tangent
//! formula, diagonal updates accumulated separately per sweep, and a threshold strategy in the first sweeps.
//! Off-diagonal entries are declared negligible by the relative test of Demmel & Veselić
//! ("Jacobi's method is more accurate than QR", SIAM J. Matrix Anal. Appl. 13(4), 1992):
//! `|a_pq| <= tol * sqrt(|a_pp| |a_qq|)`, which is what gives graded positive definite matrices their
//! eigenvalues to high relative accuracy.
//!
//! Ordering: small matrices sweep cyclically by columns ([`sweep`]); from [`ROUNDS_FROM`] on, sweeps use
//! the Brent–Luk parallel ordering (Brent & Luk, SIAM J. Sci. Stat. Comput. 6(1), 1985; [`ordering`],
//! [`rounds`]): each round's `n / 2` disjoint rotations are computed together and applied in one
//! vectorised pass over the matrix, instead of one strided row update per rotation.
//!
//! Stages: [`rotation`] (one 2x2 problem, the relative test), [`sweep`] (cyclic sweep, SIMD column updates),
//! [`ordering`] (the round-robin ring), [`rounds`] (one round applied in one pass).

pub(crate) mod ordering;
pub(crate) mod rotation;
pub(crate) mod rounds;
pub(crate) mod sweep;

use crate::{EigenError, Real};

/// Smallest dimension solved in the Brent–Luk ordering (measured crossover, see `ARCHITECTURE.md`).
pub(crate) const ROUNDS_FROM: usize = 32;

/// Workspace length of [`solve`] for an `n x n` problem.
pub(crate) const fn workspace_len(n: usize) -> usize {
    if n <= 1 {
        0
    } else if n < ROUNDS_FROM {
        cyclic_workspace_len(n)
    } else {
        rounds::workspace_len(n)
    }
}

/// Workspace of the cyclic solver: the diagonal `d`, its per-sweep base `b` and correction `z`.
const fn cyclic_workspace_len(n: usize) -> usize {
    3 * n
}

/// Solves the symmetric eigenproblem of `a` (n x n column-major; lower triangle read, whole matrix
/// overwritten) by Jacobi's method. Eigenvalues go to `values` (unsorted), eigenvectors (if wanted) to
/// the columns of `vectors`. Returns the number of sweeps.
///
/// The input must be finite and scaled so that its entries are far from overflow and underflow
/// (the driver does both).
pub(crate) fn solve<T: Real>(
    a: &mut [T],
    n: usize,
    values: &mut [T],
    vectors: Option<&mut [T]>,
    work: &mut [T],
    tol: T,
    max_sweeps: usize,
) -> Result<usize, EigenError> {
    if n <= 1 {
        values[..n].copy_from_slice(&a[..n]);
        if let Some(v) = vectors {
            sweep::set_identity(v, n);
        }
        return Ok(0);
    }
    if n < ROUNDS_FROM {
        cyclic(a, n, values, vectors, work, tol, max_sweeps)
    } else {
        rounds::solve(a, n, values, vectors, work, tol, max_sweeps)
    }
}

/// Cyclic-by-columns Jacobi for small `n`.
fn cyclic<T: Real>(
    a: &mut [T],
    n: usize,
    values: &mut [T],
    mut vectors: Option<&mut [T]>,
    work: &mut [T],
    tol: T,
    max_sweeps: usize,
) -> Result<usize, EigenError> {
    sweep::mirror_lower(a, n);
    if let Some(v) = vectors.as_deref_mut() {
        sweep::set_identity(v, n);
    }
    let (d, rest) = work.split_at_mut(n);
    let (b, rest) = rest.split_at_mut(n);
    let z = &mut rest[..n];
    for i in 0..n {
        d[i] = a[i + i * n];
        b[i] = d[i];
        z[i] = T::ZERO;
    }
    let mut sweeps = 0;
    loop {
        let stats = sweep::jacobi_sweep(a, n, d, z, vectors.as_deref_mut(), tol, sweeps);
        sweeps += 1;
        // Rutishauser: fold the accumulated corrections into the base diagonal once per sweep.
        for i in 0..n {
            b[i] += z[i];
            d[i] = b[i];
            z[i] = T::ZERO;
        }
        if stats.rotations == 0 && stats.deferred == 0 {
            break;
        }
        if sweeps >= max_sweeps {
            let remaining = sweep::count_not_negligible(a, n, d, tol);
            if remaining == 0 {
                break;
            }
            return Err(EigenError::NoConvergence {
                iterations: sweeps,
                remaining,
            });
        }
    }
    values[..n].copy_from_slice(d);
    Ok(sweeps)
}

#[cfg(all(test, feature = "alloc"))]
#[allow(clippy::unwrap_used)]
mod tests {
    use alloc::vec;
    use alloc::vec::Vec;

    use super::*;
    use crate::accuracy::{eigenvalue_ratio, orthogonality_ratio, residual_ratio};
    use crate::testing::Family;

    type Solver<T> =
        fn(&mut [T], usize, &mut [T], Option<&mut [T]>, &mut [T], T, usize) -> Result<usize, EigenError>;

    /// Runs one ordering directly (no driver: no scaling, no sorting); returns sorted values, the raw
    /// values and the vectors.
    fn run<T: Real>(solve: Solver<T>, a: &[T], n: usize, work_len: usize) -> (Vec<T>, Vec<T>, Vec<T>) {
        let mut m = a.to_vec();
        let mut values = vec![T::ZERO; n];
        let mut v = vec![T::ZERO; n * n];
        let mut work = vec![T::ZERO; work_len];
        solve(&mut m, n, &mut values, Some(&mut v), &mut work, T::EPSILON, 40).unwrap();
        let mut sorted = values.clone();
        sorted.sort_by(|x, y| x.partial_cmp(y).unwrap());
        (sorted, values, v)
    }

    /// Whatever the crossover, both orderings are exercised at every small size (both parities, the
    /// `m = 2` ring) on the unscaled LAPACK families: each is accurate and they agree.
    fn brent_luk_and_cyclic_orderings_agree<T: Real>() {
        for n in 4..=19 {
            for family in Family::ALL {
                if matches!(
                    family,
                    Family::EvenNearOverflow
                        | Family::EvenNearUnderflow
                        | Family::UniformNearOverflow
                        | Family::UniformNearUnderflow
                ) {
                    continue; // these need the driver's scaling
                }
                let a: Vec<T> = family.matrix(n, 3);
                let (cyc, _, _) = run(cyclic, &a, n, cyclic_workspace_len(n));
                let (rnd, raw, v) = run(rounds::solve, &a, n, rounds::workspace_len(n));
                let res = residual_ratio(&a, n, &raw, &v);
                let orth = orthogonality_ratio(&v, n);
                assert!(res <= 50.0 && orth <= 50.0, "{family:?} n={n}: {res} {orth}");
                let agree = eigenvalue_ratio(&cyc, &rnd);
                assert!(agree <= 50.0, "{family:?} n={n}: orderings differ, ratio {agree}");
            }
        }
    }

    #[test]
    fn brent_luk_and_cyclic_orderings_agree_f64() {
        brent_luk_and_cyclic_orderings_agree::<f64>();
    }

    #[test]
    fn brent_luk_and_cyclic_orderings_agree_f32() {
        brent_luk_and_cyclic_orderings_agree::<f32>();
    }

    #[test]
    fn brent_luk_rounds_keep_relative_accuracy_on_graded_matrices() {
        // H = D A D with A = tridiag(-0.3, 1, -0.3) (cond < 4) and D from 1e-6 to 1e6 in shuffled order:
        // both orderings must agree to relative accuracy, down to eigenvalues near 1e-12.
        for n in [4usize, 7, 12, 17] {
            let d: Vec<f64> = (0..n)
                .map(|i| libm::pow(10.0, -6.0 + 12.0 * ((i * 7) % n) as f64 / (n - 1) as f64))
                .collect();
            let mut h = vec![0.0f64; n * n];
            for i in 0..n {
                h[i + i * n] = d[i] * d[i];
                if i + 1 < n {
                    h[i + 1 + i * n] = -0.3 * d[i] * d[i + 1];
                    h[i + (i + 1) * n] = h[i + 1 + i * n];
                }
            }
            let (cyc, _, _) = run(cyclic, &h, n, cyclic_workspace_len(n));
            let (rnd, _, _) = run(rounds::solve, &h, n, rounds::workspace_len(n));
            for (x, y) in cyc.iter().zip(&rnd) {
                let rel = ((x - y) / x).abs();
                assert!(rel <= 100.0 * n as f64 * f64::EPSILON * 4.0, "n={n}: {x} vs {y}");
            }
        }
    }
}
