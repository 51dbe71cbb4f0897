//! The `nalgebra` feature: nalgebra matrices in, nalgebra's `SymmetricEigen` out, equal to the slice API.
#![cfg(feature = "nalgebra")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use eigen_kernels::accuracy::{orthogonality_ratio, residual_ratio};
use eigen_kernels::interop::nalgebra::NalgebraEigh;
use eigen_kernels::testing::random_symmetric;
use eigen_kernels::{ComputeVectors, EigenError, Options, eigh};
use nalgebra::{DMatrix, Matrix4, SMatrix};

#[test]
fn fixed_size_results_equal_the_slice_api() {
    let a = random_symmetric::<f64>(4, 7);
    let m = Matrix4::from_column_slice(&a);
    let e = m.eigh(&Options::default()).unwrap();
    let r = eigh(&a, 4, &Options::default()).unwrap();
    assert_eq!(e.eigenvalues.as_slice(), r.values.as_slice());
    assert_eq!(e.eigenvectors.as_slice(), r.vectors.unwrap().as_slice());
    // Values only: the slice API's values-only solve (the root-free QR, not bit-equal to the one with
    // vectors; tests/qr.rs bounds their difference).
    let values_only = Options::default().with_vectors(ComputeVectors::No);
    let v = m.eigh_values(&values_only).unwrap();
    assert_eq!(v.as_slice(), eigh(&a, 4, &values_only).unwrap().values.as_slice());
}

#[test]
fn dynamic_results_equal_the_slice_api_and_meet_the_accuracy_bar() {
    for n in [1usize, 5, 17] {
        let a = random_symmetric::<f32>(n, 3);
        let m = DMatrix::from_column_slice(n, n, &a);
        let e = m
            .eigh(&Options::default().with_vectors(ComputeVectors::No))
            .unwrap();
        let r = eigh(&a, n, &Options::default()).unwrap();
        assert_eq!(e.eigenvalues.as_slice(), r.values.as_slice());
        assert_eq!(e.eigenvectors.as_slice(), r.vectors.as_deref().unwrap());
        let vectors = e.eigenvectors.as_slice();
        assert!(residual_ratio(&a, n, e.eigenvalues.as_slice(), vectors) <= 50.0);
        assert!(orthogonality_ratio(vectors, n) <= 50.0);
        let values_only = Options::default().with_vectors(ComputeVectors::No);
        assert_eq!(
            m.eigh_values(&values_only).unwrap().as_slice(),
            eigh(&a, n, &values_only).unwrap().values.as_slice()
        );
    }
}

#[test]
fn eigenvalues_agree_with_nalgebra_symmetric_eigen() {
    let a = random_symmetric::<f64>(6, 11);
    let m = SMatrix::<f64, 6, 6>::from_column_slice(&a);
    let ours = m.eigh(&Options::default()).unwrap();
    let mut theirs: Vec<f64> = m.symmetric_eigen().eigenvalues.iter().copied().collect();
    theirs.sort_by(f64::total_cmp);
    for (x, y) in ours.eigenvalues.iter().zip(&theirs) {
        assert!((x - y).abs() <= 1e-13, "{x} vs {y}");
    }
}

#[test]
fn bad_nalgebra_input_is_an_error() {
    let rect = DMatrix::<f64>::zeros(2, 3);
    assert!(matches!(
        rect.eigh(&Options::default()),
        Err(EigenError::DimensionMismatch { .. })
    ));
    let mut m = DMatrix::<f64>::identity(3, 3);
    m[(2, 1)] = f64::NAN;
    assert_eq!(
        m.eigh(&Options::default()).unwrap_err(),
        EigenError::NonFinite { row: 2, col: 1 }
    );
}
