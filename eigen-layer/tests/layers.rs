//! Gradient checks of the EigenLayer (train and eval mode, with and without shrinkage) and of the network
//! pieces, against central finite differences.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use eigen_layer::nn::{Adam, Linear, Optimizer, Sgd, clamp, clamp_backward, mse, softmax_cross_entropy};
use eigen_layer::{EigenLayer, EigenLayerConfig, LayerError, Mode};

/// A batch whose covariance has a well-separated spectrum: columns scaled by distinct factors.
fn data(batch: usize, d: usize, seed: u64) -> Vec<f64> {
    let mut x = random_vec(batch * d, seed);
    for j in 0..d {
        x[j * batch..(j + 1) * batch]
            .iter_mut()
            .for_each(|v| *v *= 1.0 + j as f64);
    }
    x
}

fn layer_loss(layer: &EigenLayer<f64>, x: &[f64], batch: usize, r: &[f64], mode: Mode) -> f64 {
    let mut l = layer.clone();
    inner(&l.forward(x, batch, mode).unwrap(), r)
}

fn check_layer(shrinkage: f64, mode: Mode, what: &str) {
    let (batch, d, k) = (12, 5, 2);
    let x = data(batch, d, 50);
    let mut layer = EigenLayer::new(
        d,
        EigenLayerConfig {
            shrinkage,
            ..EigenLayerConfig::new(k)
        },
    )
    .unwrap();
    // Non-trivial parameters.
    layer
        .weight
        .iter_mut()
        .zip(random_vec(d * d, 51))
        .for_each(|(w, r)| *w += 0.3 * r);
    layer.gains = vec![1.5, -0.7];
    if mode == Mode::Eval {
        layer.forward(&data(batch, d, 52), batch, Mode::Train).unwrap();
    }
    let r = random_vec(batch * k, 53);
    let mut fwd = layer.clone();
    fwd.forward(&x, batch, mode).unwrap();
    let g = fwd.backward(&r).unwrap();
    assert!(g.diagnostic.is_none());
    let want_x = fd_gradient(|m| layer_loss(&layer, m, batch, &r, mode), &x);
    assert_close(&format!("{what}: dX"), &g.x, &want_x, FD_TOL);
    let want_w = fd_gradient(
        |w| {
            let mut l = layer.clone();
            l.weight.copy_from_slice(w);
            layer_loss(&l, &x, batch, &r, mode)
        },
        &layer.weight,
    );
    assert_close(&format!("{what}: dW"), &g.weight, &want_w, FD_TOL);
    let want_g = fd_gradient(
        |gains| {
            let mut l = layer.clone();
            l.gains.copy_from_slice(gains);
            layer_loss(&l, &x, batch, &r, mode)
        },
        &layer.gains,
    );
    assert_close(&format!("{what}: dgains"), &g.gains, &want_g, FD_TOL);
}

#[test]
fn eigen_layer_gradients_match_finite_differences_in_train_mode() {
    check_layer(0.0, Mode::Train, "EigenLayer train");
}

#[test]
fn eigen_layer_gradients_match_finite_differences_with_shrinkage() {
    check_layer(0.3, Mode::Train, "EigenLayer train, shrinkage 0.3");
}

#[test]
fn eigen_layer_gradients_match_finite_differences_in_eval_mode() {
    check_layer(0.0, Mode::Eval, "EigenLayer eval");
}

#[test]
fn eigen_layer_starts_as_pca_with_deterministic_signs() {
    let (batch, d, k) = (40, 4, 2);
    let x = data(batch, d, 54);
    let mut layer = EigenLayer::<f64>::new(d, EigenLayerConfig::new(k)).unwrap();
    let y = layer.forward(&x, batch, Mode::Train).unwrap();
    // Components are orthonormal, ordered by variance, sign rule: largest-magnitude entry positive.
    let u = layer.components().to_vec();
    let var = layer.explained_variance();
    for c in 0..k {
        let col = &u[c * d..(c + 1) * d];
        assert!((inner(col, col) - 1.0).abs() < 1e-12);
        let big = col
            .iter()
            .fold(0.0f64, |m, v| if v.abs() > m.abs() { *v } else { m });
        assert!(big > 0.0);
        // The variance of the projected batch is the eigenvalue.
        let yc = &y[c * batch..(c + 1) * batch];
        let v = inner(yc, yc) / (batch - 1) as f64;
        assert!((v - var[c]).abs() < 1e-10 * var[c]);
    }
    assert!(var[0] >= var[1]);
    // Same input, same output (deterministic).
    let mut again = EigenLayer::<f64>::new(d, EigenLayerConfig::new(k)).unwrap();
    assert_eq!(again.forward(&x, batch, Mode::Train).unwrap(), y);
}

#[test]
fn eigen_layer_rejects_bad_configuration_and_input() {
    assert!(matches!(
        EigenLayer::<f64>::new(3, EigenLayerConfig::new(4)),
        Err(LayerError::InvalidArgument(_))
    ));
    let mut l = EigenLayer::<f64>::new(3, EigenLayerConfig::new(2)).unwrap();
    assert!(matches!(
        l.forward(&[0.0; 6], 2, Mode::Eval),
        Err(LayerError::InvalidArgument(_))
    ));
    assert!(matches!(
        l.forward(&[0.0; 5], 2, Mode::Train),
        Err(LayerError::Shape { .. })
    ));
    assert!(matches!(
        l.forward(&[0.0; 3], 1, Mode::Train),
        Err(LayerError::InvalidArgument(_))
    ));
    let mut x = vec![1.0; 6];
    x[2] = f64::NAN;
    assert!(matches!(
        l.forward(&x, 2, Mode::Train),
        Err(LayerError::NonFinite { .. })
    ));
    assert!(matches!(
        l.backward(&[0.0; 4]),
        Err(LayerError::InvalidArgument(_))
    ));
}

#[test]
fn linear_and_losses_match_finite_differences() {
    let (batch, i, o) = (6, 4, 3);
    let mut lin = Linear::<f64>::new(i, o, 60);
    lin.bias = random_vec(o, 61);
    let x = random_vec(batch * i, 62);
    let target = random_vec(batch * o, 63);
    let labels = [0, 2, 1, 1, 0, 2];
    // MSE of a clamped linear layer, and cross-entropy of the linear layer.
    let lo = -0.3;
    let mse_loss = |lin: &Linear<f64>, x: &[f64]| {
        let y = clamp(&lin.forward(x, batch).unwrap(), lo, f64::INFINITY);
        mse(&y, &target).unwrap().0
    };
    let ce_loss = |lin: &Linear<f64>, x: &[f64]| {
        softmax_cross_entropy(&lin.forward(x, batch).unwrap(), batch, o, &labels)
            .unwrap()
            .0
    };
    let y = lin.forward(&x, batch).unwrap();
    let (_, gy) = mse(&clamp(&y, lo, f64::INFINITY), &target).unwrap();
    let gy = clamp_backward(&y, lo, f64::INFINITY, &gy).unwrap();
    let (_, gce) = softmax_cross_entropy(&y, batch, o, &labels).unwrap();
    for (what, gy, loss) in [
        ("mse", gy, &mse_loss as &dyn Fn(&Linear<f64>, &[f64]) -> f64),
        ("cross-entropy", gce, &ce_loss),
    ] {
        let g = lin.backward(&x, batch, &gy).unwrap();
        assert_close(
            &format!("Linear+{what}: dX"),
            &g.x,
            &fd_gradient(|m| loss(&lin, m), &x),
            FD_TOL,
        );
        let want_w = fd_gradient(
            |w| {
                let mut l = lin.clone();
                l.weight.copy_from_slice(w);
                loss(&l, &x)
            },
            &lin.weight,
        );
        assert_close(&format!("Linear+{what}: dW"), &g.weight, &want_w, FD_TOL);
        let want_b = fd_gradient(
            |b| {
                let mut l = lin.clone();
                l.bias.copy_from_slice(b);
                loss(&l, &x)
            },
            &lin.bias,
        );
        assert_close(&format!("Linear+{what}: db"), &g.bias, &want_b, FD_TOL);
    }
}

#[test]
fn cross_entropy_is_finite_for_huge_logits_and_rejects_bad_labels() {
    let (loss, g) = softmax_cross_entropy(&[1000.0f64, -1000.0], 1, 2, &[1]).unwrap();
    assert!((loss - 2000.0).abs() < 1e-9 && g.iter().all(|v| v.is_finite()));
    assert!(matches!(
        softmax_cross_entropy(&[0.0, 0.0], 1, 2, &[2]),
        Err(LayerError::InvalidArgument(_))
    ));
}

#[test]
fn optimizers_minimise_a_quadratic() {
    // f(p) = sum (p_i - i)^2.
    let target = [0.0, 1.0, 2.0, 3.0];
    let run = |opt: &mut dyn Optimizer<f64>, steps: usize| {
        let mut p = vec![5.0; 4];
        for _ in 0..steps {
            let g: Vec<f64> = p.iter().zip(&target).map(|(a, b)| 2.0 * (a - b)).collect();
            opt.step(&mut [&mut p], &[&g]).unwrap();
        }
        rel_err(&p, &target)
    };
    assert!(run(&mut Sgd::new(0.1, 0.5), 200) < 1e-8);
    assert!(run(&mut Adam::new(0.1), 2000) < 1e-4);
    let mut adam = Adam::new(0.1);
    let mut p = vec![0.0; 2];
    adam.step(&mut [&mut p], &[&[1.0, 1.0]]).unwrap();
    assert!(matches!(
        adam.step(&mut [&mut p], &[&[1.0]]),
        Err(LayerError::Shape { .. })
    ));
}
