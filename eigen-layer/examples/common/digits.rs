//! Loader of the UCI handwritten digits shipped in `eigen-layer/data/digits.csv.gz` (E. Alpaydin,
//! C. Kaynak, Optical Recognition of Handwritten Digits, UCI ML Repository, CC BY 4.0), shared by the
//! examples and the data test.
#![allow(dead_code)]

use std::io::Read;

use eigen_kernels::testing::Rng;

/// Pixels per image (8 x 8).
pub const PIXELS: usize = 64;
/// Classes 0..9.
pub const CLASSES: usize = 10;

/// The data set: `rows` images, row-major pixels (`pixels[r * 64 + p]`, values 0..16) and labels.
pub struct Digits {
    pub rows: usize,
    pub pixels: Vec<f64>,
    pub labels: Vec<usize>,
}

/// Reads and parses the gzipped CSV next to the crate.
pub fn load() -> Result<Digits, String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/digits.csv.gz");
    let file = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .map_err(|e| format!("{path}: {e}"))?;
    let (mut pixels, mut labels) = (Vec::new(), Vec::new());
    for (line_no, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != PIXELS + 1 {
            return Err(format!(
                "line {}: {} fields, expected {}",
                line_no + 1,
                fields.len(),
                PIXELS + 1
            ));
        }
        for f in &fields[..PIXELS] {
            pixels.push(
                f.trim()
                    .parse::<f64>()
                    .map_err(|e| format!("line {}: {e}", line_no + 1))?,
            );
        }
        let label: usize = fields[PIXELS]
            .trim()
            .parse()
            .map_err(|e| format!("line {}: {e}", line_no + 1))?;
        if label >= CLASSES {
            return Err(format!("line {}: label {label}", line_no + 1));
        }
        labels.push(label);
    }
    Ok(Digits {
        rows: labels.len(),
        pixels,
        labels,
    })
}

impl Digits {
    /// A fixed split: a seeded shuffle, then the first `train` rows for training, the rest for testing.
    pub fn split(&self, train_fraction: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
        let mut idx: Vec<usize> = (0..self.rows).collect();
        let mut rng = Rng::new(seed);
        for i in (1..idx.len()).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            idx.swap(i, j);
        }
        let cut = (self.rows as f64 * train_fraction).round() as usize;
        let test = idx.split_off(cut);
        (idx, test)
    }

    /// The rows `idx` as a column-major `idx.len() x 64` matrix, pixels multiplied by `scale`.
    pub fn matrix(&self, idx: &[usize], scale: f64) -> Vec<f64> {
        let b = idx.len();
        let mut x = vec![0.0; b * PIXELS];
        for (i, &r) in idx.iter().enumerate() {
            for p in 0..PIXELS {
                x[p * b + i] = self.pixels[r * PIXELS + p] * scale;
            }
        }
        x
    }

    /// The labels of rows `idx`.
    pub fn labels_of(&self, idx: &[usize]) -> Vec<usize> {
        idx.iter().map(|&r| self.labels[r]).collect()
    }
}
