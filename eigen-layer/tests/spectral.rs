//! Gradient checks of `SpectralOp` (Daleckii–Krein): every function on separated spectra, repeated
//! eigenvalues, the identity, close divided differences, domain errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use eigen_layer::{EighOp, GaugeKind, LayerError, Spectral, SpectralOp};

/// `trace(f(A) B)`.
fn trace_loss(m: &[f64], n: usize, f: Spectral<f64>, b: &[f64]) -> f64 {
    trace_prod(SpectralOp::forward(m, n, f).unwrap().output(), b, n)
}

/// Checks the gradient of `trace(f(A) B)` (gradient `B` with respect to `f(A)`) at `a`.
fn check_trace_loss(what: &str, a: &[f64], n: usize, f: Spectral<f64>, seed: u64) {
    let b = random_sym(n, seed);
    let op = SpectralOp::forward(a, n, f).unwrap();
    let g = op.backward(&b).unwrap();
    let want = fd_sym_gradient(|m| trace_loss(m, n, f, &b), a, n);
    assert_close(what, &g, &want, FD_TOL);
}

fn every_function() -> Vec<(&'static str, Spectral<f64>)> {
    vec![
        ("log", Spectral::Log),
        ("sqrt", Spectral::Sqrt),
        ("inv_sqrt", Spectral::InvSqrt),
        ("pow 1.7", Spectral::Pow(1.7)),
        ("pow -0.3", Spectral::Pow(-0.3)),
        ("exp", Spectral::Exp),
        ("reeig 0.5", Spectral::ReEig { eps: 0.5 }),
        (
            "custom sin",
            Spectral::Custom {
                f: f64::sin,
                df: f64::cos,
            },
        ),
    ]
}

#[test]
fn every_spectral_function_matches_finite_differences_on_separated_spectra() {
    let a = with_spectrum(&[0.3, 0.8, 1.6, 2.9, 4.4], 31);
    for (name, f) in every_function() {
        check_trace_loss(&format!("{name}, separated"), &a, 5, f, 32);
    }
}

#[test]
fn every_spectral_function_is_exact_at_repeated_eigenvalues() {
    // A = P^T diag(a0, a1, a1, a2, a2) P; trace(f(A) B) is smooth there.
    let a = with_spectrum(&[0.7, 1.3, 1.3, 2.6, 2.6], 33);
    for (name, f) in every_function() {
        check_trace_loss(&format!("{name}, repeated"), &a, 5, f, 34);
    }
}

#[test]
fn sqrt_log_inv_sqrt_are_finite_and_exact_at_the_identity() {
    let n = 4;
    let mut eye = vec![0.0; n * n];
    for i in 0..n {
        eye[i * n + i] = 1.0;
    }
    for (name, f) in [
        ("log", Spectral::Log),
        ("sqrt", Spectral::Sqrt),
        ("inv_sqrt", Spectral::InvSqrt),
    ] {
        let op = SpectralOp::forward(&eye, n, f).unwrap();
        let b = random_sym(n, 35);
        let g = op.backward(&b).unwrap();
        // f'(1) B exactly: 1, 1/2, -1/2.
        let d = match name {
            "log" => 1.0,
            "sqrt" => 0.5,
            _ => -0.5,
        };
        let want: Vec<f64> = b.iter().map(|x| d * x).collect();
        assert!(rel_err(&g, &want) < 1e-14, "{name}: {}", rel_err(&g, &want));
        check_trace_loss(&format!("{name}, identity"), &eye, n, f, 36);
    }
}

#[test]
fn eigh_route_reports_trace_loss_at_repeated_eigenvalues_as_basis_dependent() {
    // The same trace(log(A) B) through EighOp's eigenpairs treats the two equal eigenvalues unequally:
    // reported (use SpectralOp for it).
    let n = 5;
    let a = with_spectrum(&[0.7, 1.3, 1.3, 2.6, 2.6], 37);
    let b = random_sym(n, 38);
    let op = EighOp::forward(&a, n).unwrap();
    let v = op.vectors();
    let (mut gl, mut gv) = (vec![0.0; n], vec![0.0; n * n]);
    for j in 0..n {
        let vj = &v[j * n..j * n + n];
        let bv: Vec<f64> = (0..n)
            .map(|p| (0..n).map(|q| b[q * n + p] * vj[q]).sum())
            .collect();
        gl[j] = inner(vj, &bv) / op.values()[j];
        for p in 0..n {
            gv[j * n + p] = 2.0 * op.values()[j].ln() * bv[p];
        }
    }
    let d = op
        .backward_report(Some(&gl), Some(&gv))
        .unwrap()
        .diagnostic
        .expect("reported");
    assert_eq!(d.kind, GaugeKind::UnequalValueGradients);
}

#[test]
fn close_divided_differences_have_no_cancellation() {
    // (f(a) - f(b)) / (a - b) for b = a (1 + 1e-12): the naive quotient loses ~4 digits.
    let (a, b) = (1.7f64, 1.7 * (1.0 + 1e-12));
    let mid = 0.5 * (a + b);
    for (f, want) in [
        (Spectral::Log, 1.0 / mid),
        (Spectral::Exp, mid.exp()),
        (Spectral::Pow(2.5), 2.5 * mid.powf(1.5)),
        (Spectral::Sqrt, 0.5 / mid.sqrt()),
        (Spectral::InvSqrt, -0.5 * mid.powf(-1.5)),
    ] {
        let (fa, fb) = (f.apply(a, 0).unwrap(), f.apply(b, 1).unwrap());
        let got = f.divided_difference(a, b, fa, fb);
        assert!(
            ((got - want) / want).abs() < 1e-14,
            "{}: {got} vs {want}",
            f.name()
        );
    }
}

#[test]
fn log_divided_difference_is_accurate_across_ratios() {
    // Reference: log1p((a - b) / b) / (a - b) in f64 (a few ulps), over ratios a / b from 0.3 to 3,
    // across the switch between the close-pair series and the plain quotient, and at scales 1e-8..1e8.
    let f64_ulp_tol = 8.0 * f64::EPSILON;
    let f32_ulp_tol = 8.0 * f32::EPSILON as f64;
    for scale in [1e-8, 1.0, 3.7, 1e8] {
        for k in 0..=540 {
            let ratio = 0.3 + k as f64 * 0.005;
            let (a, b) = (scale * ratio, scale);
            let want = if (a - b).abs() < 0.5 * b {
                ((a - b) / b).ln_1p() / (a - b)
            } else {
                (a.ln() - b.ln()) / (a - b)
            };
            let want = if a == b { 1.0 / a } else { want };
            let got = Spectral::Log.divided_difference(a, b, a.ln(), b.ln());
            assert!(
                ((got - want) / want).abs() <= f64_ulp_tol * (1.0 + b.ln().abs()),
                "f64 ratio {ratio} scale {scale}: {got} vs {want}"
            );
            let (a32, b32) = (a as f32, b as f32);
            let got32 = Spectral::Log.divided_difference(a32, b32, a32.ln(), b32.ln()) as f64;
            let (a, b) = (a32 as f64, b32 as f64);
            let want32 = if a == b { 1.0 / a } else { (a / b).ln() / (a - b) };
            assert!(
                ((got32 - want32) / want32).abs() <= f32_ulp_tol * (1.0 + b.ln().abs()),
                "f32 ratio {ratio} scale {scale}: {got32} vs {want32}"
            );
        }
    }
}

#[test]
fn domain_errors_are_layer_errors_not_nan() {
    let indefinite = with_spectrum(&[-1.0, 1.0, 2.0], 39);
    for f in [
        Spectral::Log,
        Spectral::Sqrt,
        Spectral::InvSqrt,
        Spectral::Pow(0.5),
    ] {
        let e = SpectralOp::forward(&indefinite, 3, f);
        assert!(
            matches!(e, Err(LayerError::Domain { index: 0, .. })),
            "{}: {e:?}",
            f.name()
        );
    }
    // sqrt of a singular PSD matrix works forward; its derivative at 0 is unbounded.
    let op = SpectralOp::forward(&[0.0, 0.0, 0.0, 1.0], 2, Spectral::Sqrt).unwrap();
    assert_eq!(op.output(), &[0.0, 0.0, 0.0, 1.0]);
    assert!(matches!(
        op.backward(&[1.0, 0.0, 0.0, 1.0]),
        Err(LayerError::Domain { .. })
    ));
    // exp overflow.
    let e = SpectralOp::forward(&[1000.0, 0.0, 0.0, 1.0], 2, Spectral::Exp);
    assert!(matches!(e, Err(LayerError::Domain { .. })));
    // ReEig rectifies instead.
    let op = SpectralOp::forward(&indefinite, 3, Spectral::ReEig { eps: 1e-3 }).unwrap();
    let l = EighOp::forward(op.output(), 3).unwrap().values().to_vec();
    assert!((l[0] - 1e-3).abs() < 1e-12);
}

#[test]
fn f32_spectral_gradient_agrees_with_f64() {
    let n = 6;
    let a = with_spectrum(&[0.3, 0.8, 0.8, 1.6, 2.9, 4.4], 40);
    let b = random_sym(n, 41);
    let to32 = |x: &[f64]| x.iter().map(|v| *v as f32).collect::<Vec<f32>>();
    for (name, f64f, f32f) in [
        ("log", Spectral::Log, Spectral::<f32>::Log),
        ("sqrt", Spectral::Sqrt, Spectral::Sqrt),
        ("pow", Spectral::Pow(0.5), Spectral::Pow(0.5)),
    ] {
        let g64 = SpectralOp::forward(&a, n, f64f).unwrap().backward(&b).unwrap();
        let g32 = SpectralOp::forward(&to32(&a), n, f32f)
            .unwrap()
            .backward(&to32(&b))
            .unwrap();
        let g32: Vec<f64> = g32.iter().map(|v| *v as f64).collect();
        assert!(rel_err(&g32, &g64) < 1e-5, "{name}: {}", rel_err(&g32, &g64));
    }
}
