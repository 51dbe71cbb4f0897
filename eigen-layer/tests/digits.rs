//! The digits data shipped with the crate reproduces the published PCA facts (float64, centred,
//! covariance divisor n - 1): top eigenvalue about 179.0, top 10 components about 73.8% of the variance.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../examples/common/digits.rs"]
mod digits;

use eigen_kernels::dense::{Op, syrk};
use eigen_layer::EighOp;

#[test]
fn digits_covariance_has_the_published_spectrum() {
    let data = digits::load().unwrap();
    assert_eq!(data.rows, 1797);
    let all: Vec<usize> = (0..data.rows).collect();
    let mut x = data.matrix(&all, 1.0);
    let (n, d) = (data.rows, digits::PIXELS);
    for col in x.chunks_exact_mut(n) {
        let m = col.iter().sum::<f64>() / n as f64;
        col.iter_mut().for_each(|v| *v -= m);
    }
    let mut cov = vec![0.0; d * d];
    syrk(Op::Trans, d, n, 1.0 / (n - 1) as f64, &x, 0.0, &mut cov).unwrap();
    let op = EighOp::forward(&cov, d).unwrap();
    let l = op.values();
    let total: f64 = l.iter().sum();
    let top10: f64 = l[d - 10..].iter().sum();
    println!(
        "top eigenvalue {:.4}, top-10 share {:.4}%",
        l[d - 1],
        100.0 * top10 / total
    );
    assert!((l[d - 1] - 179.0).abs() < 0.05, "top eigenvalue {}", l[d - 1]);
    assert!(
        (top10 / total - 0.738).abs() < 5e-4,
        "top-10 share {}",
        top10 / total
    );
    // Trace check: the eigenvalues sum to the total variance.
    let trace: f64 = (0..d).map(|i| cov[i * d + i]).sum();
    assert!((trace - total).abs() < 1e-10 * trace);
}
