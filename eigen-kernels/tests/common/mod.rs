//! Shared solver test suites: every solver runs the same properties and LAPACK families.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod graded;

use eigen_kernels::accuracy::{eigenvalue_ratio, follows_conventions, orthogonality_ratio, residual_ratio};
use eigen_kernels::testing::{Family, random_symmetric};
use eigen_kernels::{
    ComputeVectors, Options, Real, Solver, eigh, eigh_in_place, min_workspace_len, workspace_len,
};

/// Tolerances, in one place, each with its reason.
pub mod bound {
    /// LAPACK's `sep.in` threshold for the residual and orthogonality ratios.
    pub const RATIO: f64 = 50.0;
    /// Eigenvalue agreement between two backward-stable solvers: each is within ~n ulp of the truth in
    /// the LAPACK normalisation, so their difference ratio is bounded by the same threshold.
    pub const EIGENVALUE_RATIO: f64 = 50.0;
}

pub fn opts(solver: Solver) -> Options {
    Options {
        solver,
        ..Options::default()
    }
}

/// Solves with vectors, checks conventions and returns (residual ratio, orthogonality ratio).
pub fn ratios<T: Real>(a: &[T], n: usize, solver: Solver) -> (f64, f64) {
    let r = eigh(a, n, &opts(solver)).unwrap_or_else(|e| panic!("{solver:?} n={n}: {e}"));
    let v = r.vectors.as_deref().unwrap();
    assert!(
        follows_conventions(&r.values, Some(v), n),
        "{solver:?} n={n}: conventions violated"
    );
    (residual_ratio(a, n, &r.values, v), orthogonality_ratio(v, n))
}

/// Every LAPACK family at every size: both ratios <= 50. Returns the worst (residual, orthogonality)
/// per family for the record.
pub fn family_suite<T: Real>(solver: Solver, sizes: &[usize]) -> Vec<(Family, f64, f64)> {
    let mut worst = Vec::new();
    for family in Family::ALL {
        let (mut wr, mut wo) = (0.0f64, 0.0f64);
        for &n in sizes {
            for seed in 0..2 {
                let a: Vec<T> = family.matrix(n, seed);
                let (res, orth) = ratios(&a, n, solver);
                assert!(
                    res <= bound::RATIO && orth <= bound::RATIO,
                    "{solver:?} {} {family:?} n={n} seed={seed}: residual {res:.2}, orthogonality {orth:.2}",
                    T::NAME
                );
                wr = wr.max(res);
                wo = wo.max(orth);
            }
        }
        eprintln!(
            "{solver:?} {} {family:?}: worst residual {wr:.3}, orthogonality {wo:.3}",
            T::NAME
        );
        worst.push((family, wr, wo));
    }
    worst
}

/// The properties of one random symmetric matrix: ratios, order, signs, trace and Frobenius norm
/// preserved, values-only equal to with-vectors values, agreement with nalgebra.
pub fn random_properties<T: Real>(solver: Solver, n: usize, seed: u64) {
    let a: Vec<T> = random_symmetric(n, seed);
    let (res, orth) = ratios(&a, n, solver);
    assert!(res <= bound::RATIO, "residual {res} n={n}");
    assert!(orth <= bound::RATIO, "orthogonality {orth} n={n}");
    let r = eigh(&a, n, &opts(solver)).unwrap();
    let eps = T::EPSILON.to_f64();
    let trace: f64 = (0..n).map(|i| a[i + i * n].to_f64()).sum();
    let sum: f64 = r.values.iter().map(|x| x.to_f64()).sum();
    let fro: f64 = a.iter().map(|x| x.to_f64().powi(2)).sum::<f64>().sqrt();
    let fro_l: f64 = r.values.iter().map(|x| x.to_f64().powi(2)).sum::<f64>().sqrt();
    let scale = fro.max(f64::MIN_POSITIVE);
    assert!(
        (trace - sum).abs() <= 4.0 * n as f64 * eps * scale,
        "trace {trace} vs {sum}"
    );
    assert!(
        (fro - fro_l).abs() <= 4.0 * n as f64 * eps * scale,
        "frobenius {fro} vs {fro_l}"
    );
    let vo = eigh(
        &a,
        n,
        &Options {
            vectors: ComputeVectors::No,
            ..opts(solver)
        },
    )
    .unwrap();
    assert!(vo.vectors.is_none());
    let ratio = eigenvalue_ratio(&vo.values, &r.values);
    assert!(
        ratio <= bound::EIGENVALUE_RATIO,
        "values-only differs: ratio {ratio}"
    );
    let reference = nalgebra_values(&a, n);
    let mine: Vec<f64> = r.values.iter().map(|x| x.to_f64()).collect();
    let ratio = eigenvalue_ratio(&mine, &reference) * f64::EPSILON / eps;
    assert!(
        ratio <= bound::EIGENVALUE_RATIO,
        "nalgebra differs: ratio {ratio} n={n}"
    );
}

/// nalgebra's eigenvalues (computed in f64 from the same `T` entries), ascending.
pub fn nalgebra_values<T: Real>(a: &[T], n: usize) -> Vec<f64> {
    if n == 0 {
        return Vec::new();
    }
    let m = nalgebra::DMatrix::from_fn(n, n, |i, j| a[i.max(j) + i.min(j) * n].to_f64());
    let mut v: Vec<f64> = m.symmetric_eigenvalues().iter().copied().collect();
    v.sort_by(|x, y| x.total_cmp(y));
    v
}

/// In-place, fixed-size and allocating APIs give identical results.
pub fn api_levels_agree<T: Real, const N: usize>(solver: Solver, seed: u64) {
    let a: Vec<T> = random_symmetric(N, seed);
    let o = opts(solver);
    let owned = eigh(&a, N, &o).unwrap();
    let mut m = a.clone();
    let mut values = vec![T::ZERO; N];
    let mut vectors = vec![T::ZERO; N * N];
    let mut work = vec![T::ZERO; workspace_len::<T>(N, &o)];
    let _ = eigh_in_place(&mut m, N, &mut values, Some(&mut vectors), &mut work, &o).unwrap();
    assert_eq!(values, owned.values);
    assert_eq!(Some(&vectors), owned.vectors.as_ref());
    let cols: [[T; N]; N] = core::array::from_fn(|j| core::array::from_fn(|i| a[i + j * N]));
    let fixed = eigen_kernels::eigh_fixed(&cols, &o).unwrap();
    assert_eq!(fixed.values.as_slice(), owned.values.as_slice());
    let fv = fixed.vectors.unwrap();
    assert_eq!(fv.as_flattened(), owned.vectors.as_deref().unwrap());
}

/// Bad input gives the documented errors, never a panic.
pub fn bad_input_is_rejected<T: Real>(solver: Solver) {
    use eigen_kernels::EigenError;
    let n = 4;
    let good: Vec<T> = random_symmetric(n, 1);
    let o = opts(solver);
    for (r, c) in [(0, 0), (3, 1), (3, 3), (2, 0)] {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut a = good.clone();
            a[r + c * n] = T::from_f64(bad);
            assert_eq!(
                eigh(&a, n, &o).unwrap_err(),
                EigenError::NonFinite { row: r, col: c }
            );
        }
    }
    // NaN in the (unread) upper triangle is ignored.
    let mut a = good.clone();
    a[3 * n] = T::from_f64(f64::NAN); // entry (0, 3): upper triangle
    assert!(eigh(&a, n, &o).is_ok());
    assert!(matches!(
        eigh(&good[..15], n, &o),
        Err(EigenError::DimensionMismatch { what: "a", .. })
    ));
    let mut m = good.clone();
    let mut values = vec![T::ZERO; n];
    let mut vectors = vec![T::ZERO; n * n];
    let need = min_workspace_len::<T>(n, &o);
    let mut work = vec![T::ZERO; need];
    let r = eigh_in_place(&mut m, n, &mut values[..3], Some(&mut vectors), &mut work, &o);
    assert!(matches!(
        r,
        Err(EigenError::DimensionMismatch { what: "values", .. })
    ));
    let r = eigh_in_place(&mut m, n, &mut values, Some(&mut vectors[..15]), &mut work, &o);
    assert!(matches!(
        r,
        Err(EigenError::DimensionMismatch { what: "vectors", .. })
    ));
    if need > 0 {
        let r = eigh_in_place(
            &mut m,
            n,
            &mut values,
            Some(&mut vectors),
            &mut work[..need - 1],
            &o,
        );
        assert_eq!(
            r.unwrap_err(),
            EigenError::WorkspaceTooSmall {
                needed: need,
                found: need - 1
            }
        );
    }
    assert!(matches!(
        eigh(&good, usize::MAX, &o),
        Err(EigenError::DimensionMismatch { .. })
    ));
    // n = 0 and n = 1 work.
    let r = eigh::<T>(&[], 0, &o).unwrap();
    assert!(r.values.is_empty());
    let r = eigh(&[T::from_f64(-2.5)], 1, &o).unwrap();
    assert_eq!(r.values, vec![T::from_f64(-2.5)]);
    assert_eq!(r.vectors, Some(vec![T::ONE]));
}

/// Eigenvalues overflowing the range give `Overflow`, not infinity.
pub fn unrepresentable_eigenvalues_are_an_error<T: Real>(solver: Solver) {
    let n = 3;
    let a = vec![T::MAX * T::HALF; n * n];
    assert_eq!(
        eigh(&a, n, &opts(solver)).unwrap_err(),
        eigen_kernels::EigenError::Overflow
    );
}
