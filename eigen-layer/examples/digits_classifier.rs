//! EigenLayer + softmax classifier vs PCA + softmax on the UCI handwritten digits (shipped in `data/`).
//!
//! Both models see the same fixed split (seeded shuffle, 80% train / 20% test), pixels scaled to [0, 1],
//! k = 10 components, a `Linear(10 -> 10)` softmax head with the same initialisation, full-batch Adam for
//! the same number of epochs. PCA + softmax trains only the head on fixed PCA features; EigenLayer +
//! softmax also trains the layer's mixing `W` and gains end to end (starting from the same PCA), with the
//! gradient through the covariance and its top-k eigenvectors.
//!
//! `cargo run --release -p eigen-layer --example digits_classifier [-- EPOCHS]`

#[path = "common/digits.rs"]
mod digits;

use digits::{CLASSES, PIXELS};
use eigen_layer::nn::{Adam, Linear, Optimizer, argmax_rows, softmax_cross_entropy};
use eigen_layer::{EigenLayer, EigenLayerConfig, Mode};
use indicatif::{ProgressBar, ProgressStyle};

const K: usize = 10;

type Error = Box<dyn std::error::Error>;

fn accuracy(pred: &[usize], labels: &[usize]) -> f64 {
    pred.iter().zip(labels).filter(|(p, l)| p == l).count() as f64 / labels.len() as f64
}

/// Trains `EigenLayer + Linear` with softmax cross-entropy; `learn_layer = false` freezes the layer (PCA).
/// Returns (final train loss, test accuracy).
fn train(
    data: &digits::Digits,
    train_idx: &[usize],
    test_idx: &[usize],
    learn_layer: bool,
    epochs: usize,
    bar: &ProgressBar,
) -> Result<(f64, f64), Error> {
    let (bt, bv) = (train_idx.len(), test_idx.len());
    let (xt, xv) = (
        data.matrix(train_idx, 1.0 / 16.0),
        data.matrix(test_idx, 1.0 / 16.0),
    );
    let (yt, yv) = (data.labels_of(train_idx), data.labels_of(test_idx));
    let mut layer = EigenLayer::new(
        PIXELS,
        EigenLayerConfig {
            momentum: 1.0,
            ..EigenLayerConfig::new(K)
        },
    )?;
    let mut head = Linear::new(K, CLASSES, 7);
    let mut adam = Adam::new(2e-2);
    let mut loss = f64::NAN;
    for _ in 0..epochs {
        let codes = layer.forward(&xt, bt, Mode::Train)?;
        let logits = head.forward(&codes, bt)?;
        let (l, g) = softmax_cross_entropy(&logits, bt, CLASSES, &yt)?;
        loss = l;
        let gh = head.backward(&codes, bt, &g)?;
        if learn_layer {
            let gl = layer.backward(&gh.x)?;
            adam.step(
                &mut [
                    &mut head.weight,
                    &mut head.bias,
                    &mut layer.weight,
                    &mut layer.gains,
                ],
                &[&gh.weight, &gh.bias, &gl.weight, &gl.gains],
            )?;
        } else {
            adam.step(&mut [&mut head.weight, &mut head.bias], &[&gh.weight, &gh.bias])?;
        }
        bar.inc(1);
    }
    let logits = head.forward(&layer.forward(&xv, bv, Mode::Eval)?, bv)?;
    Ok((loss, accuracy(&argmax_rows(&logits, bv, CLASSES), &yv)))
}

fn main() -> Result<(), Error> {
    let epochs: usize = std::env::args().nth(1).map_or(Ok(300), |a| a.parse())?;
    let data = digits::load()?;
    let (train_idx, test_idx) = data.split(0.8, 2024);
    println!(
        "digits: {} train / {} test images, k = {K}, {epochs} full-batch Adam epochs",
        train_idx.len(),
        test_idx.len()
    );
    let bar = ProgressBar::new(2 * epochs as u64);
    bar.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} epochs")?);
    let (pca_loss, pca_acc) = train(&data, &train_idx, &test_idx, false, epochs, &bar)?;
    let (eig_loss, eig_acc) = train(&data, &train_idx, &test_idx, true, epochs, &bar)?;
    bar.finish_and_clear();
    println!(
        "PCA + softmax:        train loss {pca_loss:.4}, test accuracy {:.2}%",
        100.0 * pca_acc
    );
    println!(
        "EigenLayer + softmax: train loss {eig_loss:.4}, test accuracy {:.2}%",
        100.0 * eig_acc
    );
    Ok(())
}
