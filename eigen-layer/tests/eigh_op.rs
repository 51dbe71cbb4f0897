//! Gradient checks of `EighOp`: separated spectra, degenerate eigenspaces, diagnostics, options.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use eigen_layer::{Broadening, EighOp, EighOptions, GaugeKind, GaugeMode, LayerError};

/// `sum_i c_i l_i + sum_ij R_ij V_ij` and its gradients with respect to the eigenpairs.
fn linear_loss(a: &[f64], n: usize, c: &[f64], r: &[f64]) -> f64 {
    let op = EighOp::forward(a, n).unwrap();
    inner(op.values(), c) + inner(op.vectors(), r)
}

#[test]
fn eigh_gradient_matches_finite_differences_on_separated_spectra() {
    for (seed, spectrum) in [
        (1, vec![-2.0, -0.5, 0.7, 1.9, 3.2]),
        (2, vec![0.1, 1.0, 2.5, 4.0, 7.0, 11.0]),
        (3, vec![-1.0, 1.0]),
    ] {
        let n = spectrum.len();
        let a = with_spectrum(&spectrum, seed);
        let (c, r) = (random_vec(n, seed + 10), random_vec(n * n, seed + 20));
        let op = EighOp::forward(&a, n).unwrap();
        let report = op.backward_report(Some(&c), Some(&r)).unwrap();
        assert!(report.diagnostic.is_none());
        let want = fd_sym_gradient(|m| linear_loss(m, n, &c, &r), &a, n);
        assert_close(&format!("eigh values+vectors n={n}"), &report.grad, &want, FD_TOL);
        // Values only and vectors only.
        let g = op.backward(Some(&c), None).unwrap();
        let want = fd_sym_gradient(|m| linear_loss(m, n, &c, &vec![0.0; n * n]), &a, n);
        assert_close(&format!("eigh values n={n}"), &g, &want, FD_TOL);
        let g = op.backward(None, Some(&r)).unwrap();
        let want = fd_sym_gradient(|m| linear_loss(m, n, &vec![0.0; n], &r), &a, n);
        assert_close(&format!("eigh vectors n={n}"), &g, &want, FD_TOL);
    }
}

#[test]
fn eigh_gradient_is_symmetric() {
    let a = with_spectrum(&[1.0, 2.0, 3.5, 5.0], 4);
    let op = EighOp::forward(&a, 4).unwrap();
    let g = op
        .backward(Some(&random_vec(4, 1)), Some(&random_vec(16, 2)))
        .unwrap();
    for i in 0..4 {
        for j in 0..4 {
            assert_eq!(g[j * 4 + i], g[i * 4 + j]);
        }
    }
}

/// `A = P^T diag(1, 2, 2, 4, 4) P`: two degenerate pairs.
fn degenerate_matrix(seed: u64) -> Vec<f64> {
    with_spectrum(&[1.0, 2.0, 2.0, 4.0, 4.0], seed)
}

#[test]
fn sum_of_function_of_eigenvalues_is_exact_through_degenerate_pairs() {
    let n = 5;
    let a = degenerate_matrix(7);
    let loss = |m: &[f64]| {
        EighOp::forward(m, n)
            .unwrap()
            .values()
            .iter()
            .map(|l| l.sin() + l * l)
            .sum::<f64>()
    };
    let op = EighOp::forward(&a, n).unwrap();
    let gl: Vec<f64> = op.values().iter().map(|l| l.cos() + 2.0 * l).collect();
    let report = op.backward_report(Some(&gl), None).unwrap();
    assert!(report.diagnostic.is_none(), "{:?}", report.diagnostic);
    assert_close(
        "sum f(l), degenerate",
        &report.grad,
        &fd_sym_gradient(loss, &a, n),
        FD_TOL,
    );
}

/// `trace(P B)` with `P` the projector onto the eigenspace of the repeated eigenvalue 2 (indices 1, 2).
fn projector_loss(m: &[f64], n: usize, b: &[f64]) -> f64 {
    let op = EighOp::forward(m, n).unwrap();
    let v = op.vectors();
    let mut s = 0.0;
    for j in [1, 2] {
        let vj = &v[j * n..j * n + n];
        for p in 0..n {
            for q in 0..n {
                s += vj[p] * b[q * n + p] * vj[q];
            }
        }
    }
    s
}

#[test]
fn projector_onto_degenerate_subspace_has_exact_finite_gradient() {
    let n = 5;
    let a = degenerate_matrix(8);
    let b = random_sym(n, 9);
    let op = EighOp::forward(&a, n).unwrap();
    // g_V[:, j] = 2 B v_j for the two columns of the degenerate pair.
    let mut gv = vec![0.0; n * n];
    for j in [1, 2] {
        for p in 0..n {
            gv[j * n + p] = 2.0
                * (0..n)
                    .map(|q| b[q * n + p] * op.vectors()[j * n + q])
                    .sum::<f64>();
        }
    }
    let report = op.backward_report(None, Some(&gv)).unwrap();
    assert!(report.diagnostic.is_none(), "{:?}", report.diagnostic);
    let want = fd_sym_gradient(|m| projector_loss(m, n, &b), &a, n);
    assert_close("projector, degenerate", &report.grad, &want, FD_TOL);
    // Strict mode accepts it too.
    let strict = EighOptions {
        mode: GaugeMode::Strict,
        ..Default::default()
    };
    let g = EighOp::forward_with(&a, n, &strict)
        .unwrap()
        .backward(None, Some(&gv))
        .unwrap();
    assert_close("projector, degenerate, strict", &g, &want, FD_TOL);
}

#[test]
fn diagnostic_fires_for_a_loss_depending_on_one_eigenvector_of_a_degenerate_pair() {
    let n = 5;
    let a = degenerate_matrix(10);
    let r = random_vec(n, 11);
    let op = EighOp::forward(&a, n).unwrap();
    // L = r . v_1: v_1 is one vector of the degenerate pair (1, 2), its choice is arbitrary.
    let mut gv = vec![0.0; n * n];
    gv[n..2 * n].copy_from_slice(&r);
    let report = op.backward_report(None, Some(&gv)).unwrap();
    let d = report.diagnostic.expect("basis-dependent loss must be reported");
    assert_eq!((d.i, d.j, d.kind), (1, 2, GaugeKind::VectorCoupling));
    assert_eq!(
        d.pairs, 1,
        "the other degenerate pair (3, 4) does not enter the loss"
    );
    assert!(d.relative_dependence > 1e-3);
    assert!(report.grad.iter().all(|x| x.is_finite()));
    let strict = EighOptions {
        mode: GaugeMode::Strict,
        ..Default::default()
    };
    let e = EighOp::forward_with(&a, n, &strict)
        .unwrap()
        .backward(None, Some(&gv));
    assert!(
        matches!(e, Err(LayerError::DegenerateGradient { i: 1, j: 2, .. })),
        "{e:?}"
    );
}

#[test]
fn diagnostic_fires_when_equal_eigenvalues_get_unequal_gradients() {
    // L = l_1 (the lower of the repeated pair alone): not differentiable at the degeneracy.
    let n = 5;
    let op = EighOp::forward(&degenerate_matrix(12), n).unwrap();
    let gl = [0.0, 1.0, 0.0, 0.0, 0.0];
    let d = op
        .backward_report(Some(&gl), None)
        .unwrap()
        .diagnostic
        .expect("reported");
    assert_eq!((d.i, d.j, d.kind), (1, 2, GaugeKind::UnequalValueGradients));
}

#[test]
fn identity_gives_finite_gradients_for_invariant_losses() {
    let n = 4;
    let mut eye = vec![0.0; n * n];
    for i in 0..n {
        eye[i * n + i] = 1.0;
    }
    let op = EighOp::forward(&eye, n).unwrap();
    let g = op.backward(Some(&[1.0; 4]), None).unwrap();
    assert_eq!(g, eye, "d trace(A) / dA = I");
}

#[test]
fn lorentzian_broadening_is_close_to_exact_for_small_width_and_finite_near_degeneracy() {
    let n = 5;
    let a = with_spectrum(&[-2.0, -0.5, 0.7, 1.9, 3.2], 13);
    let (c, r) = (random_vec(n, 14), random_vec(n * n, 15));
    let exact = EighOp::forward(&a, n)
        .unwrap()
        .backward(Some(&c), Some(&r))
        .unwrap();
    let broad = EighOptions {
        broadening: Broadening::Lorentzian { epsilon: 1e-12 },
        ..Default::default()
    };
    let g = EighOp::forward_with(&a, n, &broad)
        .unwrap()
        .backward(Some(&c), Some(&r))
        .unwrap();
    assert!(rel_err(&g, &exact) < 1e-9);
    // Nearly degenerate (gap 1e-7, above tau): exact coupling ~ 1e7, broadened stays bounded.
    let a = with_spectrum(&[1.0, 2.0, 2.0 + 1e-7, 4.0, 5.0], 16);
    let broad = EighOptions {
        broadening: Broadening::Lorentzian { epsilon: 1e-4 },
        ..Default::default()
    };
    let g = EighOp::forward_with(&a, n, &broad)
        .unwrap()
        .backward(None, Some(&r))
        .unwrap();
    assert!(g.iter().all(|x| x.is_finite() && x.abs() < 1e4));
}

#[test]
fn degeneracy_threshold_is_configurable() {
    let n = 5;
    let a = with_spectrum(&[1.0, 2.0, 2.0 + 1e-4, 4.0, 5.0], 17);
    let r = random_vec(n * n, 18);
    // Default tau (1.5e-8): the pair is separated, full coupling, no diagnostic.
    let report = EighOp::forward(&a, n)
        .unwrap()
        .backward_report(None, Some(&r))
        .unwrap();
    assert!(report.diagnostic.is_none());
    let want = fd_sym_gradient(|m| linear_loss(m, n, &[0.0; 5], &r), &a, n);
    // Gap 1e-4: finite differences with h = 1e-5 are only accurate to ~(h/gap)^2.
    assert!(rel_err(&report.grad, &want) < 1e-1);
    // tau = 1e-3: the pair counts as degenerate and the basis dependence is reported.
    let loose = EighOptions {
        degeneracy_tol: Some(1e-3),
        ..Default::default()
    };
    let report = EighOp::forward_with(&a, n, &loose)
        .unwrap()
        .backward_report(None, Some(&r))
        .unwrap();
    assert!(report.diagnostic.is_some());
}

#[test]
fn bad_input_gives_errors_not_nan() {
    let e = EighOp::forward(&[1.0, f64::NAN, f64::NAN, 1.0], 2);
    assert!(matches!(e, Err(LayerError::Eigen(_))));
    assert!(matches!(
        EighOp::forward(&[1.0; 3], 2),
        Err(LayerError::Shape { .. })
    ));
    let op = EighOp::forward(&[2.0, 1.0, 1.0, 2.0], 2).unwrap();
    assert!(matches!(
        op.backward(Some(&[1.0]), None),
        Err(LayerError::Shape { .. })
    ));
    assert!(matches!(
        op.backward(Some(&[f64::INFINITY, 0.0]), None),
        Err(LayerError::NonFinite { .. })
    ));
}

#[test]
fn f32_gradient_agrees_with_f64() {
    let n = 5;
    let a = with_spectrum(&[-2.0, -0.5, 0.7, 1.9, 3.2], 19);
    let (c, r) = (random_vec(n, 20), random_vec(n * n, 21));
    let g64 = EighOp::forward(&a, n)
        .unwrap()
        .backward(Some(&c), Some(&r))
        .unwrap();
    let to32 = |x: &[f64]| x.iter().map(|v| *v as f32).collect::<Vec<f32>>();
    let op = EighOp::forward(&to32(&a), n).unwrap();
    let g32 = op.backward(Some(&to32(&c)), Some(&to32(&r))).unwrap();
    let g32: Vec<f64> = g32.iter().map(|v| *v as f64).collect();
    assert!(rel_err(&g32, &g64) < 1e-4, "{}", rel_err(&g32, &g64));
}
