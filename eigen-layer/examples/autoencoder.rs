//! Eigenlayer autoencoder on the UCI handwritten digits (shipped in `data/`).
//!
//! Encoder: `EigenLayer` (k = 10 components of the training covariance, learnable mixing `W` and gains).
//! Decoder: `Linear(10 -> 64)` initialised to the PCA reconstruction `U^T` (bias = mean), followed by a
//! clamp to the pixel range [0, 16]. At epoch 0 the model is exactly PCA (plus the clamp); full-batch Adam
//! then trains encoder and decoder end to end. Prints per-epoch reconstruction MSE on the held-out split
//! beside plain PCA's at the same k, and writes originals beside reconstructions as an SVG.
//!
//! `cargo run --release -p eigen-layer --example autoencoder [-- EPOCHS]`

#[path = "common/digits.rs"]
mod digits;

use std::fmt::Write as _;

use digits::PIXELS;
use eigen_kernels::dense::{Op, gemm};
use eigen_layer::nn::{Adam, Linear, Optimizer, clamp, clamp_backward, mse};
use eigen_layer::{EigenLayer, EigenLayerConfig, Mode};
use indicatif::{ProgressBar, ProgressStyle};

const K: usize = 10;
const MAX_PIXEL: f64 = 16.0;

type Error = Box<dyn std::error::Error>;

/// Plain PCA reconstruction `mu + (X - mu) U U^T` of column-major `x` (b x 64).
fn pca_reconstruct(x: &[f64], b: usize, mean: &[f64], u: &[f64]) -> Result<Vec<f64>, Error> {
    let mut xc = x.to_vec();
    for (col, m) in xc.chunks_exact_mut(b).zip(mean) {
        col.iter_mut().for_each(|v| *v -= m);
    }
    let mut codes = vec![0.0; b * K];
    gemm(
        Op::NoTrans,
        Op::NoTrans,
        b,
        K,
        PIXELS,
        1.0,
        &xc,
        u,
        0.0,
        &mut codes,
    )?;
    let mut rec = vec![0.0; b * PIXELS];
    for (col, m) in rec.chunks_exact_mut(b).zip(mean) {
        col.fill(*m);
    }
    gemm(
        Op::NoTrans,
        Op::Trans,
        b,
        PIXELS,
        K,
        1.0,
        &codes,
        u,
        1.0,
        &mut rec,
    )?;
    Ok(rec)
}

/// Codes, pre-clamp decoder output, reconstruction.
type Pass = (Vec<f64>, Vec<f64>, Vec<f64>);

/// Encoder + decoder forward; returns (codes, pre-clamp decoder output, reconstruction).
fn run(enc: &mut EigenLayer<f64>, dec: &Linear<f64>, x: &[f64], b: usize, mode: Mode) -> Result<Pass, Error> {
    let codes = enc.forward(x, b, mode)?;
    let pre = dec.forward(&codes, b)?;
    let rec = clamp(&pre, 0.0, MAX_PIXEL);
    Ok((codes, pre, rec))
}

/// Originals (top row) above reconstructions by PCA (middle) and the autoencoder (bottom), 8x8 cells.
fn write_svg(path: &std::path::Path, rows: &[(&str, Vec<f64>)], b: usize, show: usize) -> Result<(), Error> {
    let cell = 6;
    let (w, h) = (show * (8 * cell + 4) + 110, rows.len() * (8 * cell + 10) + 10);
    let mut s = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\">\n");
    s.push_str("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    for (r, (label, img)) in rows.iter().enumerate() {
        let y0 = 10 + r * (8 * cell + 10);
        writeln!(
            s,
            "<text x=\"4\" y=\"{}\" font-size=\"12\" font-family=\"sans-serif\">{label}</text>",
            y0 + 26
        )?;
        for i in 0..show {
            let x0 = 106 + i * (8 * cell + 4);
            for p in 0..PIXELS {
                let v = (img[p * b + i] / MAX_PIXEL).clamp(0.0, 1.0);
                let g = (255.0 * (1.0 - v)).round() as u8;
                let (px, py) = (x0 + (p % 8) * cell, y0 + (p / 8) * cell);
                writeln!(
                    s,
                    "<rect x=\"{px}\" y=\"{py}\" width=\"{cell}\" height=\"{cell}\" fill=\"rgb({g},{g},{g})\"/>"
                )?;
            }
        }
    }
    s.push_str("</svg>\n");
    std::fs::write(path, s)?;
    Ok(())
}

fn main() -> Result<(), Error> {
    let epochs: usize = std::env::args().nth(1).map_or(Ok(150), |a| a.parse())?;
    let data = digits::load()?;
    let (train_idx, test_idx) = data.split(0.8, 2024);
    let (bt, bv) = (train_idx.len(), test_idx.len());
    let (xt, xv) = (data.matrix(&train_idx, 1.0), data.matrix(&test_idx, 1.0));
    println!(
        "digits: {} train / {} test images, {PIXELS} pixels, k = {K}",
        bt, bv
    );

    // Encoder = PCA at start: momentum 1 keeps the running statistics equal to the full training batch.
    let mut enc = EigenLayer::new(
        PIXELS,
        EigenLayerConfig {
            momentum: 1.0,
            ..EigenLayerConfig::new(K)
        },
    )?;
    enc.forward(&xt, bt, Mode::Train)?;
    let (mean, u) = (enc.running_mean().to_vec(), enc.components().to_vec());
    let pca_train = mse(&pca_reconstruct(&xt, bt, &mean, &u)?, &xt)?.0;
    let pca_rec = pca_reconstruct(&xv, bv, &mean, &u)?;
    let pca_test = mse(&pca_rec, &xv)?.0;
    let pca_clamped = mse(&clamp(&pca_rec, 0.0, MAX_PIXEL), &xv)?.0;

    // Decoder weight (K x 64, column-major) = U^T, bias = mean: the PCA reconstruction.
    let mut dec_w = vec![0.0; K * PIXELS];
    for c in 0..K {
        for p in 0..PIXELS {
            dec_w[p * K + c] = u[c * PIXELS + p];
        }
    }
    let mut dec = Linear::from_parts(K, PIXELS, dec_w, mean.clone())?;
    let mut adam = Adam::new(2e-3);

    println!(
        "plain PCA (k = {K}): train MSE {pca_train:.4}, test MSE {pca_test:.4} (clamped to [0, 16]: {pca_clamped:.4})"
    );
    let bar = ProgressBar::new(epochs as u64);
    bar.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} epochs {msg}")?);
    let mut test_mse = f64::INFINITY;
    for epoch in 0..=epochs {
        let (codes, pre, rec) = run(&mut enc, &dec, &xt, bt, Mode::Train)?;
        let (train_mse, g_rec) = mse(&rec, &xt)?;
        // Backward: clamp -> decoder -> EigenLayer (through the covariance and the top-k eigenvectors).
        let g_pre = clamp_backward(&pre, 0.0, MAX_PIXEL, &g_rec)?;
        let gd = dec.backward(&codes, bt, &g_pre)?;
        let ge = enc.backward(&gd.x)?;
        let (_, _, rec_v) = run(&mut enc, &dec, &xv, bv, Mode::Eval)?;
        test_mse = mse(&rec_v, &xv)?.0;
        let line = format!(
            "epoch {epoch:3}: train MSE {train_mse:.4}   test MSE {test_mse:.4}   (PCA test MSE {pca_test:.4})"
        );
        if bar.is_hidden() {
            println!("{line}");
        } else {
            bar.println(line);
        }
        if epoch == epochs {
            break;
        }
        adam.step(
            &mut [&mut enc.weight, &mut enc.gains, &mut dec.weight, &mut dec.bias],
            &[&ge.weight, &ge.gains, &gd.weight, &gd.bias],
        )?;
        bar.set_message(format!("test MSE {test_mse:.4}"));
        bar.inc(1);
    }
    bar.finish_and_clear();

    let (_, _, rec_v) = run(&mut enc, &dec, &xv, bv, Mode::Eval)?;
    let out_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
    std::fs::create_dir_all(&out_dir)?;
    let svg = out_dir.join("autoencoder_digits.svg");
    write_svg(
        &svg,
        &[
            ("original", xv.clone()),
            ("PCA k=10", pca_rec),
            ("Eigenlayer", rec_v),
        ],
        bv,
        12,
    )?;
    println!("wrote {}", svg.display());
    println!(
        "final held-out MSE: Eigenlayer autoencoder {test_mse:.4} vs plain PCA {pca_test:.4} ({:+.2}%)",
        100.0 * (test_mse - pca_test) / pca_test
    );
    if test_mse > pca_test {
        return Err("the autoencoder ended above PCA's held-out MSE".into());
    }
    Ok(())
}
