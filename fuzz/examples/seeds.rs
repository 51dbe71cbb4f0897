//! Writes the committed seed corpora: `cargo run --example seeds` (from `fuzz/`).
//!
//! Every matrix target shares one layout (config byte, then the matrix), so each seed goes to every
//! matrix target's corpus as `corpus/TARGET/seed-NAME`. The matrices: zero, identity, the 1-2-1
//! Toeplitz matrix, Wilkinson's W21+, a 33 x 33 matrix of zeros and ones with repeated eigenvalues
//! (nalgebra#1025 class), the covariance of 200 nearly collinear points (nalgebra#379 class), random
//! matrices scaled to 1e300 and 1e-300, and one whose eigenvalue overflows.

use std::fs;
use std::path::Path;

use eigen_fuzz::input::{Scalar, Writer};
use eigen_kernels::testing::{collinear_covariance, random_symmetric, zeros_and_ones};

/// Targets whose input starts with a config byte and a matrix.
const MATRIX_TARGETS: [&str; 5] = [
    "eigh",
    "eigh_in_place",
    "eigh_fixed",
    "eigh_backward",
    "spectral_backward",
];

fn dense(n: usize, f: impl Fn(usize, usize) -> f64) -> Vec<f64> {
    (0..n * n).map(|k| f(k % n, k / n)).collect()
}

fn encode<T: Scalar>(a: &[f64], n: usize) -> Vec<u8> {
    let config = if T::BYTES == 4 { 1 } else { 0 };
    let a: Vec<T> = a.iter().map(|&x| T::from_f64(x)).collect();
    let mut w = Writer::default();
    w.byte(config).general(&a, n);
    w.bytes
}

fn main() -> std::io::Result<()> {
    let mut seeds: Vec<(String, Vec<u8>)> = Vec::new();
    let mut both = |name: &str, a: &[f64], n: usize| {
        seeds.push((format!("seed-{name}-f64"), encode::<f64>(a, n)));
        seeds.push((format!("seed-{name}-f32"), encode::<f32>(a, n)));
    };
    both("zero-5", &dense(5, |_, _| 0.0), 5);
    both("identity-6", &dense(6, |i, j| if i == j { 1.0 } else { 0.0 }), 6);
    let toeplitz = |i: usize, j: usize| match i.abs_diff(j) {
        0 => 2.0,
        1 => -1.0,
        _ => 0.0,
    };
    both("toeplitz-1-2-1-16", &dense(16, toeplitz), 16);
    let wilkinson = |i: usize, j: usize| match i.abs_diff(j) {
        0 => (10.0 - i as f64).abs(),
        1 => 1.0,
        _ => 0.0,
    };
    both("wilkinson-w21plus", &dense(21, wilkinson), 21);
    let zo: Vec<f64> = zeros_and_ones(33, 0);
    both("zeros-ones-33", &zo, 33);
    let cov: Vec<f64> = collinear_covariance(200, 4, 0);
    both("collinear-covariance-200x4", &cov, 4);
    let r: Vec<f64> = random_symmetric(8, 1);
    let huge: Vec<f64> = r.iter().map(|x| x * 1e300).collect();
    let tiny: Vec<f64> = r.iter().map(|x| x * 1e-300).collect();
    seeds.push(("seed-near-1e300-f64".into(), encode::<f64>(&huge, 8)));
    seeds.push(("seed-near-1e-300-f64".into(), encode::<f64>(&tiny, 8)));
    let f32_huge: Vec<f64> = r.iter().map(|x| x * 1e36).collect();
    seeds.push(("seed-near-1e36-f32".into(), encode::<f32>(&f32_huge, 8)));
    let over = dense(2, |_, _| 0.75 * f64::MAX);
    seeds.push(("seed-overflowing-eigenvalue-f64".into(), encode::<f64>(&over, 2)));

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    write_batch_seeds(&root.join("eigh_batch"))?;
    write_reader_seeds(&root.join("read_npy"), &root.join("read_mtx"))?;
    for target in MATRIX_TARGETS {
        let dir = root.join(target);
        fs::create_dir_all(&dir)?;
        for (name, bytes) in &seeds {
            fs::write(dir.join(name), bytes)?;
        }
    }
    println!("wrote {} seeds to each of {MATRIX_TARGETS:?}", seeds.len());
    Ok(())
}

/// Batches: config (bits 4-6: size, 6 = run-time n), [n], count, then each matrix's shape and entries.
fn write_batch_seeds(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    let matrix = |w: &mut Writer, a: &[f64], n: usize| {
        w.byte(0);
        for j in 0..n {
            for i in j..n {
                w.value(a[i + j * n]);
            }
        }
    };
    // 17 3x3 matrices (every remainder of the lane count): easy, zero, repeated, huge, tiny, one NaN.
    let mut w = Writer::default();
    w.byte(0x20).byte(17);
    for k in 0..17 {
        let mut a: Vec<f64> = random_symmetric(3, k);
        match k % 6 {
            1 => a.fill(0.0),
            2 => a = dense(3, |i, j| if i == j { 2.0 } else { 0.0 }),
            3 => a.iter_mut().for_each(|x| *x *= 1e300),
            4 => a.iter_mut().for_each(|x| *x *= 1e-300),
            5 if k == 11 => a[1] = f64::NAN,
            _ => {}
        }
        matrix(&mut w, &a, 3);
    }
    fs::write(dir.join("seed-mixed-3x3-f64"), &w.bytes)?;
    // Run-time n = 33 is over the cap; n = 16: Wilkinson-like tridiagonal and the zeros-and-ones class.
    let mut w = Writer::default();
    w.byte(0x61).byte(16).byte(2);
    let zo: Vec<f64> = zeros_and_ones(16, 3);
    matrix(&mut w, &zo, 16);
    matrix(
        &mut w,
        &dense(16, |i, j| {
            if i.abs_diff(j) == 1 {
                1.0
            } else if i == j {
                (7.5 - i as f64).abs()
            } else {
                0.0
            }
        }),
        16,
    );
    fs::write(dir.join("seed-dyn-16-f32"), &w.bytes)?;
    Ok(())
}

/// A `.npy` file (format 1.0): `descr` such as `<f8`, the shape, and the raw little/big-endian data.
fn npy(descr: &str, fortran: bool, shape: &[usize], data: &[u8]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let shape = if dims.len() == 1 {
        format!("({},)", dims[0])
    } else {
        format!("({})", dims.join(", "))
    };
    let order = if fortran { "True" } else { "False" };
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': {order}, 'shape': {shape}, }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

fn le_f64(x: &[f64]) -> Vec<u8> {
    x.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Seeds of the file readers: valid `.npy` and Matrix Market files of every supported kind, and a few
/// near misses (unsupported dtype, 1-D shape, NaN entry).
fn write_reader_seeds(npy_dir: &Path, mtx_dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(npy_dir)?;
    fs::create_dir_all(mtx_dir)?;
    let t = dense(3, |i, j| match i.abs_diff(j) {
        0 => 2.0,
        1 => -1.0,
        _ => 0.0,
    });
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("seed-f8-c-3x3", npy("<f8", false, &[3, 3], &le_f64(&t))),
        ("seed-f8-fortran-3x3", npy("<f8", true, &[3, 3], &le_f64(&t))),
        (
            "seed-f4-c-4x4",
            npy(
                "<f4",
                false,
                &[4, 4],
                &dense(4, |i, j| if i == j { 1.5 } else { 1e-30 })
                    .iter()
                    .flat_map(|&v| (v as f32).to_le_bytes())
                    .collect::<Vec<u8>>(),
            ),
        ),
        (
            "seed-f8-big-endian-2x2",
            npy(
                ">f8",
                false,
                &[2, 2],
                &[1e300f64, 2.0, 2.0, -1e-300]
                    .iter()
                    .flat_map(|v| v.to_be_bytes())
                    .collect::<Vec<u8>>(),
            ),
        ),
        (
            "seed-f8-stack-2x3x3",
            npy(
                "<f8",
                false,
                &[2, 3, 3],
                &le_f64(&[t.clone(), t.clone()].concat()),
            ),
        ),
        (
            "seed-f8-nan-2x2",
            npy("<f8", false, &[2, 2], &le_f64(&[1.0, f64::NAN, f64::NAN, 1.0])),
        ),
        (
            "seed-i4-unsupported",
            npy(
                "<i4",
                false,
                &[2, 2],
                &[1u8, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0],
            ),
        ),
        (
            "seed-f8-vector",
            npy("<f8", false, &[3], &le_f64(&[1.0, 2.0, 3.0])),
        ),
    ];
    for (name, bytes) in files {
        fs::write(npy_dir.join(name), bytes)?;
    }
    let mtx: [(&str, &str); 5] = [
        (
            "seed-coordinate-real-symmetric",
            "%%MatrixMarket matrix coordinate real symmetric\n% 1-2-1\n4 4 7\n1 1 2\n2 1 -1\n2 2 2\n3 2 -1\n3 3 2\n4 3 -1\n4 4 2\n",
        ),
        (
            "seed-array-real-general",
            "%%MatrixMarket matrix array real general\n3 3\n4\n1\n0\n1\n4\n1\n0\n1\n4\n",
        ),
        (
            "seed-coordinate-integer-general",
            "%%MatrixMarket matrix coordinate integer general\n2 2 3\n1 1 5\n2 1 3\n1 2 3\n",
        ),
        (
            "seed-coordinate-real-skew-symmetric",
            "%%MatrixMarket matrix coordinate real skew-symmetric\n3 3 2\n2 1 1.5\n3 2 -2.5\n",
        ),
        (
            "seed-array-real-symmetric-huge",
            "%%MatrixMarket matrix array real symmetric\n2 2\n1e300\n-1e300\n1e-300\n",
        ),
    ];
    for (name, text) in mtx {
        fs::write(mtx_dir.join(name), text)?;
    }
    Ok(())
}
