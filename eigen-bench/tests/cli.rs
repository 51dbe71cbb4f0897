//! The `eigen` binary end to end: `.npy` and Matrix Market round trips equal to the library's results,
//! one-line errors with exit code 1 for every bad input, and `eigen compare --quick` producing a report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use eigen_kernels::testing::random_symmetric;
use eigen_kernels::{ComputeVectors, Options, Real, Solver, eigh};

fn eigen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eigen"))
        .args(args)
        .output()
        .unwrap()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Writes `data` (row-major for C order, column-major for Fortran order) with `shape`.
fn write_npy<T: npyz::Serialize + npyz::AutoSerialize + Copy>(
    path: &Path,
    shape: &[u64],
    data: &[T],
    order: npyz::Order,
) {
    let out = eigen_bench::io::npy_bytes_in_order(shape, data, order).unwrap();
    std::fs::write(path, out).unwrap();
}

fn read_npy<T: npyz::Deserialize>(path: &Path) -> (Vec<u64>, Vec<T>) {
    let bytes = std::fs::read(path).unwrap();
    let f = npyz::NpyFile::new(&bytes[..]).unwrap();
    assert_eq!(f.order(), npyz::Order::C);
    let shape = f.shape().to_vec();
    (shape, f.into_vec().unwrap())
}

/// `count` symmetric n x n matrices (column-major each).
fn stack<T: Real>(count: usize, n: usize) -> Vec<Vec<T>> {
    (0..count)
        .map(|k| random_symmetric::<T>(n, 100 + k as u64))
        .collect()
}

/// The array of `mats` as numpy lays it out in `order` (shape (B,) n, n).
fn layout<T: Copy>(mats: &[Vec<T>], n: usize, order: npyz::Order) -> Vec<T> {
    let b = mats.len();
    let mut flat = vec![mats[0][0]; b * n * n];
    for (k, m) in mats.iter().enumerate() {
        for j in 0..n {
            for i in 0..n {
                let at = match order {
                    npyz::Order::C => k * n * n + i * n + j,
                    npyz::Order::Fortran => k + b * (i + n * j),
                };
                flat[at] = m[i + j * n];
            }
        }
    }
    flat
}

/// Runs `eigen solve` on `input` and checks both outputs against the library, bit for bit.
fn check_solve<T: Real + npyz::Deserialize>(
    input: &Path,
    mats: &[Vec<T>],
    n: usize,
    stacked: bool,
    extra: &[&str],
) {
    let dir = input.parent().unwrap();
    let (values, vectors) = (dir.join("values.npy"), dir.join("vectors.npy"));
    let mut args = vec![
        "solve",
        p(input),
        "--values",
        p(&values),
        "--vectors",
        p(&vectors),
    ];
    args.extend_from_slice(extra);
    let out = eigen(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (vshape, vals) = read_npy::<T>(&values);
    let (wshape, vecs) = read_npy::<T>(&vectors);
    let (b, nn) = (mats.len() as u64, n as u64);
    if stacked {
        assert_eq!((vshape, wshape), (vec![b, nn], vec![b, nn, nn]));
    } else {
        assert_eq!((vshape, wshape), (vec![nn], vec![nn, nn]));
    }
    for (k, m) in mats.iter().enumerate() {
        let r = eigh(m, n, &Options::default()).unwrap();
        assert_eq!(&vals[k * n..(k + 1) * n], r.values.as_slice());
        let v = r.vectors.unwrap();
        for j in 0..n {
            for i in 0..n {
                // numpy element [k, i, j] is entry i of eigenvector j.
                assert_eq!(vecs[k * n * n + i * n + j], v[i + j * n]);
            }
        }
    }
}

fn npy_round_trip<T: Real + npyz::Serialize + npyz::AutoSerialize + npyz::Deserialize>() {
    let dir = tempfile::tempdir().unwrap();
    let n = 5;
    for order in [npyz::Order::C, npyz::Order::Fortran] {
        for (count, stacked) in [(1, false), (3, true)] {
            let mats = stack::<T>(count, n);
            let shape: Vec<u64> = if stacked {
                vec![count as u64, 5, 5]
            } else {
                vec![5, 5]
            };
            let input = dir.path().join("in.npy");
            write_npy(&input, &shape, &layout(&mats, n, order), order);
            check_solve(&input, &mats, n, stacked, &[]);
        }
    }
}

#[test]
fn npy_round_trip_f64_c_and_fortran_single_and_stacked() {
    npy_round_trip::<f64>();
}

#[test]
fn npy_round_trip_f32_c_and_fortran_single_and_stacked() {
    npy_round_trip::<f32>();
}

#[test]
fn symmetric_coordinate_mtx_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let n = 4;
    let a = random_symmetric::<f64>(n, 9);
    let mut text = String::from("%%MatrixMarket matrix coordinate real symmetric\n% lower triangle\n");
    text += &format!("{n} {n} {}\n", n * (n + 1) / 2);
    for j in 0..n {
        for i in j..n {
            // {:e} prints the shortest representation that round-trips.
            text += &format!("{} {} {:e}\n", i + 1, j + 1, a[i + j * n]);
        }
    }
    let input = dir.path().join("a.mtx");
    std::fs::write(&input, text).unwrap();
    check_solve::<f64>(&input, &[a], n, false, &[]);
}

#[test]
fn general_array_mtx_round_trip_and_precision_override() {
    let dir = tempfile::tempdir().unwrap();
    let n = 3;
    let a = random_symmetric::<f64>(n, 21);
    let mut text = format!("%%MatrixMarket matrix array real general\n{n} {n}\n");
    for x in &a {
        text += &format!("{x:e}\n");
    }
    let input = dir.path().join("a.mtx");
    std::fs::write(&input, &text).unwrap();
    check_solve::<f64>(&input, std::slice::from_ref(&a), n, false, &[]);
    let a32: Vec<f32> = a.iter().map(|&x| x as f32).collect();
    check_solve::<f32>(&input, &[a32], n, false, &["--precision", "f32"]);
}

#[test]
fn values_only_writes_only_the_eigenvalues() {
    let dir = tempfile::tempdir().unwrap();
    let a = random_symmetric::<f64>(6, 5);
    let input = dir.path().join("a.npy");
    write_npy(&input, &[6, 6], &a, npyz::Order::Fortran);
    let values = dir.path().join("v.npy");
    let out = eigen(&[
        "solve",
        p(&input),
        "--values-only",
        "--solver",
        "jacobi",
        "--values",
        p(&values),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (shape, vals) = read_npy::<f64>(&values);
    assert_eq!(shape, vec![6]);
    let opts = Options::default()
        .with_solver(Solver::Jacobi)
        .with_vectors(ComputeVectors::No);
    let r = eigh(&a, 6, &opts).unwrap();
    assert_eq!(vals, r.values);
}

/// Runs `eigen solve` on `input` expecting failure with `needle` in a one-line message.
fn expect_error(input: &Path, extra: &[&str], needle: &str) {
    let values = input.with_extension("values.npy");
    let mut args = vec!["solve", p(input), "--values", p(&values)];
    args.extend_from_slice(extra);
    let out = eigen(&args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(needle), "expected {needle:?} in {err:?}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.starts_with("eigen: error: ") && !err.contains("panicked"),
        "{err}"
    );
    assert!(!values.exists());
}

#[test]
fn every_bad_input_gives_a_one_line_error_and_exit_code_1() {
    let dir = tempfile::tempdir().unwrap();
    let f = |name: &str| -> PathBuf { dir.path().join(name) };
    expect_error(&f("missing.npy"), &[], "cannot read");
    std::fs::create_dir(f("folder.npy")).unwrap();
    expect_error(&f("folder.npy"), &[], "cannot read");
    std::fs::write(f("garbage.npy"), b"this is not numpy").unwrap();
    expect_error(&f("garbage.npy"), &[], "not a valid matrix file");
    std::fs::write(
        f("garbage.mtx"),
        b"%%MatrixMarket matrix coordinate real general\n2 2 1\n1 x\n",
    )
    .unwrap();
    expect_error(&f("garbage.mtx"), &[], "not a valid matrix file");
    write_npy(&f("vector.npy"), &[4], &[1.0f64; 4], npyz::Order::C);
    expect_error(&f("vector.npy"), &[], "not a matrix");
    write_npy(&f("rect.npy"), &[2, 3], &[1.0f64; 6], npyz::Order::C);
    expect_error(&f("rect.npy"), &[], "not square: 2 x 3");
    std::fs::write(
        f("rect.mtx"),
        "%%MatrixMarket matrix array real general\n2 1\n1\n2\n",
    )
    .unwrap();
    expect_error(&f("rect.mtx"), &[], "not square: 2 x 1");
    write_npy(&f("ints.npy"), &[2, 2], &[1i32; 4], npyz::Order::C);
    expect_error(&f("ints.npy"), &[], "unsupported dtype");
    std::fs::write(
        f("complex.mtx"),
        "%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n",
    )
    .unwrap();
    expect_error(&f("complex.mtx"), &[], "unsupported dtype");
    // Row-major [[1, 2], [nan, 1]]: entry (1, 0).
    write_npy(&f("nan.npy"), &[2, 2], &[1.0, 2.0, f64::NAN, 1.0], npyz::Order::C);
    expect_error(
        &f("nan.npy"),
        &[],
        "non-finite entry (NaN or infinity) at row 1, column 0",
    );
    write_npy(
        &f("inf.npy"),
        &[2, 2, 2],
        &[1.0f32, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, f32::INFINITY],
        npyz::Order::C,
    );
    expect_error(&f("inf.npy"), &[], "at row 1, column 1 (0-based) of matrix 1");
    write_npy(&f("asym.npy"), &[2, 2], &[1.0, 2.0, 3.0, 1.0], npyz::Order::C);
    expect_error(&f("asym.npy"), &[], "not symmetric");
    expect_error(&f("asym.npy"), &[], "--symmetrize");
}

#[test]
fn symmetrize_uses_the_lower_triangle() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("asym.npy");
    // Row-major [[1, 2], [3, 1]]; its lower triangle is the symmetric [[1, 3], [3, 1]].
    write_npy(&input, &[2, 2], &[1.0, 2.0, 3.0, 1.0], npyz::Order::C);
    check_solve::<f64>(&input, &[vec![1.0, 3.0, 3.0, 1.0]], 2, false, &["--symmetrize"]);
}

#[test]
fn compare_quick_writes_a_report_whose_ratios_meet_the_bar() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("report");
    let out = eigen(&["compare", "--quick", "--sizes", "3,8", "--out", p(&out_dir)]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("SIMD level"), "{stdout}");
    let report = std::fs::read_to_string(out_dir.join("report.md")).unwrap();
    assert!(
        report.contains("| f64 n |") && report.contains("| f32 n |"),
        "{report}"
    );
    assert!(report.contains("meets the accuracy bar"), "{report}");
    let svg = std::fs::read_to_string(out_dir.join("plot.svg")).unwrap();
    assert!(svg.contains("<svg") && svg.contains("nalgebra"));
    let csv = std::fs::read_to_string(out_dir.join("results.csv")).unwrap();
    let mut rows = 0;
    for line in csv.lines().skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        let (lib, seconds, residual, orth) = (cols[2], cols[3], cols[5], cols[6]);
        assert!(seconds.parse::<f64>().unwrap() > 0.0, "{line}");
        for r in [residual, orth] {
            let r: f64 = r.parse().unwrap();
            assert!(r <= 50.0, "{lib}: {line}");
        }
        rows += 1;
    }
    // Two sizes, two precisions, at least Jacobi, Auto, nalgebra and faer each.
    assert!(rows >= 16, "{csv}");
}
