//! Both lane solvers (Jacobi and QR) against the single-matrix solver of the same kind, lane by lane,
//! and the batch's own promises: remainders, mixed blocks, lane independence, bad-input policy, LAPACK
//! ratios, parallel = serial.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::bound;
use eigen_kernels::accuracy::{
    eigenvalue_ratio, follows_conventions, orthogonality_ratio, residual_ratio, sym_norm1,
};
use eigen_kernels::batch::{BatchError, MAX_DYN_N, eigh_batch, eigh_batch_dyn};
use eigen_kernels::testing::{Family, Rng, random_orthogonal, random_symmetric, similarity, to_real};
use eigen_kernels::{ComputeVectors, EigenError, Options, Real, SimdReal, Solver, eigh};

/// Agreement of two Jacobi solves of the same matrix, in `eigenvalue_ratio` units (ulps of the largest
/// eigenvalue): both are within a few ulps of the exact eigenvalues (Demmel–Veselić), and the batch
/// differs from the scalar solver only in rounding order (no threshold sweeps, fused updates).
const SAME_SOLVER_EIGENVALUE_ULPS: f64 = 8.0;

fn jacobi() -> Options {
    Options::default().with_solver(Solver::Jacobi)
}

fn qr() -> Options {
    Options::default().with_solver(Solver::Qr)
}

/// The two lane solvers.
fn solvers() -> [Options; 2] {
    [jacobi(), qr()]
}

/// The widest block the batch uses (small `n` run on `BatchLanes`, larger on `Lanes`).
fn lanes<T: Real>() -> usize {
    T::BatchLanes::LANES
}

/// Matrix `k` of a flat batch as `[[T; N]; N]` columns.
fn to_cols<T: Real, const N: usize>(flat: &[T]) -> [[T; N]; N] {
    core::array::from_fn(|j| core::array::from_fn(|i| flat[i + j * N]))
}

/// Checks one batch result against `eigh` with the same solver: eigenvalues within a few ulps (Jacobi;
/// QR: within the backward error `2 * 50 n ulp |A|` of both solves), every eigenvector within the
/// perturbation bound `2 * 50 n ulp |A| / gap` of the scalar one (both solvers are backward stable with
/// LAPACK ratio <= 50), conventions followed.
fn assert_matches_scalar<T: Real>(
    a: &[T],
    n: usize,
    values: &[T],
    vectors: &[T],
    opts: &Options,
    what: &str,
) {
    let r = eigh(a, n, opts).unwrap_or_else(|e| panic!("{what}: scalar failed: {e}"));
    let ratio = eigenvalue_ratio(values, &r.values);
    let bound = if opts.solver == Solver::Jacobi {
        SAME_SOLVER_EIGENVALUE_ULPS
    } else {
        2.0 * bound::RATIO * n as f64
    };
    let what = format!("{what} ({:?})", opts.solver);
    assert!(
        ratio <= bound,
        "{what} {} n={n}: eigenvalues differ by {ratio} ulps\nbatch  {values:?}\nscalar {:?}",
        T::NAME,
        r.values
    );
    assert!(
        follows_conventions(values, Some(vectors), n),
        "{what}: conventions"
    );
    let w = r.vectors.as_deref().unwrap();
    let eps = T::EPSILON.to_f64();
    let anorm = sym_norm1(a, n);
    for j in 0..n {
        let gap = (0..n)
            .filter(|&i| i != j)
            .map(|i| (r.values[i].to_f64() - r.values[j].to_f64()).abs())
            .fold(f64::INFINITY, f64::min);
        let tol = 2.0 * bound::RATIO * n as f64 * eps * anorm / gap;
        if tol.is_nan() || tol >= 0.5 {
            continue; // (nearly) repeated eigenvalue: the vector is not determined; the ratios cover it
        }
        let (v, wj) = (&vectors[j * n..j * n + n], &w[j * n..j * n + n]);
        let diff_to = |sign: f64| {
            v.iter()
                .zip(wj)
                .map(|(x, y)| (x.to_f64() - sign * y.to_f64()).abs())
                .fold(0.0, f64::max)
        };
        // The sign rule (largest-magnitude entry positive) is decided by rounding when the largest
        // positive and the largest negative entry agree in magnitude to within the vectors' error:
        // then either sign follows it, and the batch may pick the other one.
        let (pos, neg) = wj.iter().fold((0.0f64, 0.0f64), |(p, q), y| {
            let y = y.to_f64();
            (p.max(y), q.max(-y))
        });
        let sign_tie = (pos - neg).abs() <= 2.0 * tol;
        let diff = diff_to(1.0);
        assert!(
            diff <= tol || (sign_tie && diff_to(-1.0) <= tol),
            "{what} {} n={n}: eigenvector {j} differs by {diff} > {tol}\nbatch  {v:?}\nscalar {wj:?}",
            T::NAME
        );
    }
    let res = residual_ratio(a, n, values, vectors);
    let orth = orthogonality_ratio(vectors, n);
    assert!(
        res <= bound::RATIO && orth <= bound::RATIO,
        "{what}: residual {res}, orthogonality {orth}"
    );
}

/// Solves a flat batch with the fixed-size API; returns (values, vectors) flat.
fn solve_fixed<T: Real, const N: usize>(
    flat: &[T],
    opts: &Options,
) -> (Vec<T>, Vec<T>, Result<(), BatchError>) {
    let mats: Vec<[[T; N]; N]> = flat.chunks_exact(N * N).map(to_cols::<T, N>).collect();
    let mut values = vec![[T::ZERO; N]; mats.len()];
    let mut vectors = vec![[[T::ZERO; N]; N]; mats.len()];
    let r = eigh_batch(&mats, &mut values, Some(&mut vectors), opts);
    (
        values.as_flattened().to_vec(),
        vectors.as_flattened().as_flattened().to_vec(),
        r,
    )
}

fn random_batch<T: Real>(n: usize, count: usize, seed: u64) -> Vec<T> {
    (0..count)
        .flat_map(|k| random_symmetric::<T>(n, seed * 1000 + k as u64))
        .collect()
}

/// [`assert_matches_scalar`] for every matrix of a flat batch and its flat results; `what(k)` names
/// matrix `k` in failure messages.
fn assert_batch_matches_scalar<T: Real>(
    flat: &[T],
    n: usize,
    values: &[T],
    vectors: &[T],
    opts: &Options,
    what: impl Fn(usize) -> String,
) {
    let nn = n * n;
    for k in 0..flat.len() / nn {
        assert_matches_scalar(
            &flat[k * nn..k * nn + nn],
            n,
            &values[k * n..k * n + n],
            &vectors[k * nn..k * nn + nn],
            opts,
            &what(k),
        );
    }
}

fn every_lane_matches_scalar<T: Real, const N: usize>() {
    let count = 2 * lanes::<T>() + 3;
    let flat = random_batch::<T>(N, count, N as u64);
    for opts in solvers() {
        let (values, vectors, r) = solve_fixed::<T, N>(&flat, &opts);
        r.unwrap();
        assert_batch_matches_scalar(&flat, N, &values, &vectors, &opts, |k| format!("matrix {k}"));
    }
}

macro_rules! for_sizes {
    ($f:ident, $t:ty) => {
        $f::<$t, 1>();
        $f::<$t, 2>();
        $f::<$t, 3>();
        $f::<$t, 4>();
        $f::<$t, 5>();
        $f::<$t, 6>();
        $f::<$t, 7>();
        $f::<$t, 8>();
        $f::<$t, 9>();
        $f::<$t, 10>();
        $f::<$t, 11>();
        $f::<$t, 12>();
        $f::<$t, 13>();
        $f::<$t, 14>();
        $f::<$t, 15>();
        $f::<$t, 16>();
    };
}

#[test]
fn every_lane_equals_the_single_matrix_solve_f64() {
    for_sizes!(every_lane_matches_scalar, f64);
}

#[test]
fn every_lane_equals_the_single_matrix_solve_f32() {
    for_sizes!(every_lane_matches_scalar, f32);
}

/// Batches of every length below two blocks: padding lanes never leak into results, and each matrix's
/// result is bit-for-bit the same whatever block it lands in and whoever its neighbours are.
fn remainders_are_solved_like_full_blocks<T: Real, const N: usize>(opts: &Options) {
    let w = lanes::<T>();
    let total = 2 * w;
    let flat = random_batch::<T>(N, total, 77);
    let (all_values, all_vectors, r) = solve_fixed::<T, N>(&flat, opts);
    r.unwrap();
    let nn = N * N;
    for count in 1..total {
        for start in [0, total - count] {
            let part = &flat[start * nn..(start + count) * nn];
            let (values, vectors, r) = solve_fixed::<T, N>(part, opts);
            r.unwrap();
            assert_eq!(
                values,
                all_values[start * N..(start + count) * N],
                "count {count} start {start}"
            );
            assert_eq!(
                vectors,
                all_vectors[start * nn..(start + count) * nn],
                "count {count} start {start}"
            );
        }
    }
}

#[test]
fn remainders_of_every_size_and_neighbours_do_not_change_results() {
    for opts in solvers() {
        remainders_are_solved_like_full_blocks::<f64, 3>(&opts);
        remainders_are_solved_like_full_blocks::<f32, 3>(&opts);
        remainders_are_solved_like_full_blocks::<f64, 5>(&opts);
        remainders_are_solved_like_full_blocks::<f32, 8>(&opts);
        // n > 8: eigenvector columns placed by the sort's permutation.
        remainders_are_solved_like_full_blocks::<f64, 12>(&opts);
        remainders_are_solved_like_full_blocks::<f32, 11>(&opts);
    }
}

/// `Q diag(d) Q^T` in `T`.
fn with_spectrum<T: Real>(d: &[f64], seed: u64) -> Vec<T> {
    let n = d.len();
    let q = random_orthogonal(n, &mut Rng::new(seed));
    to_real(&similarity(&q, d), n)
}

/// One block-sized mix of easy, repeated-eigenvalue, diagonal, zero, identity, tiny and huge matrices.
fn mixed_batch<T: Real>(n: usize, count: usize) -> Vec<T> {
    // Far outside the unscaled range of T (f64: 1e+-150; f32: 1e+-30), within the representable one.
    let huge = if T::MANTISSA_DIGITS > 24 { 1e150 } else { 1e30 };
    let mut out = Vec::new();
    for k in 0..count {
        let seed = 31 * k as u64 + n as u64;
        let m: Vec<T> = match k % 8 {
            0 => random_symmetric(n, seed),
            1 => {
                let d: Vec<f64> = (0..n).map(|i| if i < n / 2 { 1.0 } else { 2.0 }).collect();
                with_spectrum(&d, seed)
            }
            2 => Family::DiagonalGeometric.matrix(n, seed),
            3 => vec![T::ZERO; n * n],
            4 => random_symmetric::<T>(n, seed)
                .iter()
                .map(|&x| x * T::from_f64(huge))
                .collect(),
            5 => random_symmetric::<T>(n, seed)
                .iter()
                .map(|&x| x / T::from_f64(huge))
                .collect(),
            6 => Family::Identity.matrix(n, seed),
            _ => Family::Geometric.matrix(n, seed),
        };
        out.extend(m);
    }
    out
}

fn mixed_blocks_match_scalar<T: Real, const N: usize>() {
    let count = 3 * lanes::<T>().max(8) + 1;
    let flat = mixed_batch::<T>(N, count);
    for opts in solvers() {
        let (values, vectors, r) = solve_fixed::<T, N>(&flat, &opts);
        r.unwrap();
        assert_batch_matches_scalar(&flat, N, &values, &vectors, &opts, |k| {
            format!("mixed matrix {k} (kind {})", k % 8)
        });
    }
}

#[test]
fn mixed_blocks_of_easy_degenerate_diagonal_zero_and_scaled_matrices_match_scalar() {
    mixed_blocks_match_scalar::<f64, 2>();
    mixed_blocks_match_scalar::<f64, 3>();
    mixed_blocks_match_scalar::<f64, 7>();
    mixed_blocks_match_scalar::<f64, 16>();
    mixed_blocks_match_scalar::<f32, 2>();
    mixed_blocks_match_scalar::<f32, 3>();
    mixed_blocks_match_scalar::<f32, 6>();
    mixed_blocks_match_scalar::<f32, 16>();
}

fn lapack_ratios<T: Real, const N: usize>(opts: &Options, worst: &mut (f64, f64)) {
    // Every LAPACK family twice plus random matrices, in one batch (mixed in the same blocks).
    let mut flat: Vec<T> = Vec::new();
    for seed in 0..2 {
        for f in Family::ALL {
            flat.extend(f.matrix::<T>(N, seed));
        }
    }
    flat.extend(random_batch::<T>(N, 2 * lanes::<T>(), 5));
    let (values, vectors, r) = solve_fixed::<T, N>(&flat, opts);
    r.unwrap();
    let nn = N * N;
    for k in 0..flat.len() / nn {
        let a = &flat[k * nn..k * nn + nn];
        let (v, x) = (&values[k * N..k * N + N], &vectors[k * nn..k * nn + nn]);
        let (res, orth) = (residual_ratio(a, N, v, x), orthogonality_ratio(x, N));
        assert!(
            res <= bound::RATIO && orth <= bound::RATIO,
            "{} {:?} n={N} matrix {k}: residual {res}, orthogonality {orth}",
            T::NAME,
            opts.solver
        );
        assert!(follows_conventions(v, Some(x), N));
        worst.0 = worst.0.max(res);
        worst.1 = worst.1.max(orth);
    }
}

#[test]
fn lapack_ratios_are_at_most_50_on_random_and_family_batches() {
    for opts in solvers() {
        let mut w64 = (0.0, 0.0);
        let mut w32 = (0.0, 0.0);
        macro_rules! run {
            ($($n:literal)*) => { $(
                lapack_ratios::<f64, $n>(&opts, &mut w64);
                lapack_ratios::<f32, $n>(&opts, &mut w32);
            )* };
        }
        run!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);
        eprintln!(
            "batch {:?} worst (residual, orthogonality): f64 {w64:?}, f32 {w32:?}",
            opts.solver
        );
    }
}

#[test]
fn runtime_n_equals_fixed_n_and_reaches_32() {
    for opts in solvers() {
        runtime_n_case(&opts);
    }
}

fn runtime_n_case(opts: &Options) {
    for n in [1usize, 3, 16] {
        let flat = random_batch::<f64>(n, 11, 3);
        let mut values = vec![0.0; 11 * n];
        let mut vectors = vec![0.0; 11 * n * n];
        eigh_batch_dyn(n, &flat, &mut values, Some(&mut vectors), opts).unwrap();
        let (fv, fx) = match n {
            1 => {
                let (v, x, r) = solve_fixed::<f64, 1>(&flat, opts);
                r.unwrap();
                (v, x)
            }
            3 => {
                let (v, x, r) = solve_fixed::<f64, 3>(&flat, opts);
                r.unwrap();
                (v, x)
            }
            _ => {
                let (v, x, r) = solve_fixed::<f64, 16>(&flat, opts);
                r.unwrap();
                (v, x)
            }
        };
        assert_eq!(values, fv, "n={n}");
        assert_eq!(vectors, fx, "n={n}");
    }
    fn big<T: Real>(n: usize, opts: &Options) {
        let count = lanes::<T>() + 1;
        let mut flat = random_batch::<T>(n, count - 1, 9);
        flat.extend(Family::Geometric.matrix::<T>(n, 1));
        let mut values = vec![T::ZERO; count * n];
        let mut vectors = vec![T::ZERO; count * n * n];
        eigh_batch_dyn(n, &flat, &mut values, Some(&mut vectors), opts).unwrap();
        assert_batch_matches_scalar(&flat, n, &values, &vectors, opts, |k| format!("dyn matrix {k}"));
    }
    big::<f64>(17, opts);
    big::<f32>(24, opts);
    big::<f64>(MAX_DYN_N, opts);
    big::<f32>(MAX_DYN_N, opts);
}

#[test]
fn values_only_gives_the_same_eigenvalues_bit_for_bit() {
    let flat = mixed_batch::<f64>(5, 13);
    for opts in solvers() {
        let (values, _, r) = solve_fixed::<f64, 5>(&flat, &opts);
        r.unwrap();
        let mut only = vec![0.0; 13 * 5];
        let o = opts.with_vectors(ComputeVectors::No);
        eigh_batch_dyn(5, &flat, &mut only, None, &o).unwrap();
        assert_eq!(only, values);
    }
}

#[test]
fn non_finite_matrices_fail_alone_and_every_other_matrix_is_solved() {
    fn check<T: Real>() {
        let (n, count) = (4, 2 * lanes::<T>() + 1);
        let clean = random_batch::<T>(n, count, 4);
        let (good_values, good_vectors, r) = solve_fixed::<T, 4>(&clean, &jacobi());
        r.unwrap();
        let mut bad = clean.clone();
        bad[5 * 16 + 2 + 4] = T::from_f64(f64::NAN); // matrix 5, entry (2, 1)
        bad[(count - 1) * 16 + 3 * 4 + 3] = T::from_f64(f64::INFINITY); // last matrix, (3, 3)
        bad[7 * 16 + 3 * 4] = T::from_f64(f64::NAN); // matrix 7, entry (0, 3): upper triangle, ignored
        let (values, vectors, r) = solve_fixed::<T, 4>(&bad, &jacobi());
        assert_eq!(
            r,
            Err(BatchError::Failed {
                index: 5,
                error: EigenError::NonFinite { row: 2, col: 1 },
                count: 2
            })
        );
        for k in 0..count {
            let (v, x) = (&values[k * 4..k * 4 + 4], &vectors[k * 16..k * 16 + 16]);
            if k == 5 || k == count - 1 {
                assert!(v.iter().chain(x).all(|x| x.is_nan()), "failed matrix {k} is NaN");
            } else {
                assert_eq!(v, &good_values[k * 4..k * 4 + 4], "matrix {k} unaffected");
                assert_eq!(x, &good_vectors[k * 16..k * 16 + 16], "matrix {k} unaffected");
            }
        }
    }
    check::<f64>();
    check::<f32>();
}

#[test]
fn sweep_cap_and_overflow_fail_per_matrix() {
    let n = 12;
    let mut flat = random_batch::<f64>(n, 3, 8);
    flat.extend(Family::DiagonalEven.matrix::<f64>(n, 2)); // converges with no sweep
    let opts = Options {
        max_sweeps: 1,
        ..jacobi()
    };
    let mut values = vec![0.0; 4 * n];
    let r = eigh_batch_dyn(n, &flat, &mut values, None, &opts);
    match r {
        Err(BatchError::Failed {
            index: 0,
            error:
                EigenError::NoConvergence {
                    iterations: 1,
                    remaining,
                },
            count: 3,
        }) => assert!(remaining > 0),
        other => panic!("expected NoConvergence of 3 matrices, got {other:?}"),
    }
    assert!(
        values[3 * n..].iter().all(|x| x.is_finite()),
        "the diagonal matrix is solved"
    );
    // The lane QR solver's cap: no step allowed, only the diagonal matrix needs none.
    let opts = Options {
        max_qr_iterations_per_value: 0,
        ..qr()
    };
    let r = eigh_batch_dyn(n, &flat, &mut values, None, &opts);
    match r {
        Err(BatchError::Failed {
            index: 0,
            error: EigenError::NoConvergence { remaining, .. },
            count: 3,
        }) => assert!(remaining > 0),
        other => panic!("expected NoConvergence of 3 matrices (QR), got {other:?}"),
    }
    assert!(values[3 * n..].iter().all(|x| x.is_finite()));

    let mut flat = random_batch::<f32>(3, 2, 1);
    flat.extend(vec![f32::MAX * 0.5; 9]); // eigenvalue 1.5 MAX
    let mut values = vec![0.0f32; 9];
    let r = eigh_batch_dyn(3, &flat, &mut values, None, &jacobi());
    assert_eq!(
        r,
        Err(BatchError::Failed {
            index: 2,
            error: EigenError::Overflow,
            count: 1
        })
    );
    assert!(values[..6].iter().all(|x| x.is_finite()));
}

#[test]
fn shape_mismatches_are_errors_not_panics() {
    let mats = [[[1.0f64, 0.0], [0.0, 2.0]]; 5];
    let mut values = [[0.0; 2]; 4];
    assert!(matches!(
        eigh_batch(&mats, &mut values, None, &jacobi()),
        Err(BatchError::Invalid(EigenError::DimensionMismatch {
            what: "values",
            ..
        }))
    ));
    let mut values = [[0.0; 2]; 5];
    let mut vectors = [[[0.0; 2]; 2]; 6];
    assert!(matches!(
        eigh_batch(&mats, &mut values, Some(&mut vectors), &jacobi()),
        Err(BatchError::Invalid(EigenError::DimensionMismatch {
            what: "vectors",
            ..
        }))
    ));
    let flat = [1.0f32; 20];
    let mut v = [0.0f32; 10];
    assert!(matches!(
        eigh_batch_dyn(2, &flat[..19], &mut v[..8], None, &jacobi()),
        Err(BatchError::Invalid(EigenError::DimensionMismatch {
            what: "mats",
            ..
        }))
    ));
    assert!(matches!(
        eigh_batch_dyn(2, &flat, &mut v[..9], None, &jacobi()),
        Err(BatchError::Invalid(EigenError::DimensionMismatch {
            what: "values",
            ..
        }))
    ));
    assert!(matches!(
        eigh_batch_dyn(2, &flat, &mut v, Some(&mut [0.0; 19]), &jacobi()),
        Err(BatchError::Invalid(EigenError::DimensionMismatch {
            what: "vectors",
            ..
        }))
    ));
    assert!(matches!(
        eigh_batch_dyn::<f64>(MAX_DYN_N + 1, &[], &mut [], None, &jacobi()),
        Err(BatchError::Invalid(EigenError::Unsupported(_)))
    ));
    assert_eq!(eigh_batch_dyn::<f64>(0, &[], &mut [], None, &jacobi()), Ok(()));
    assert_eq!(eigh_batch::<f64, 3>(&[], &mut [], None, &jacobi()), Ok(()));
    assert_eq!(
        eigh_batch::<f64, 0>(&[[]; 3], &mut [[]; 3], None, &jacobi()),
        Ok(())
    );
}

#[cfg(feature = "rayon")]
#[test]
fn parallel_batches_equal_serial_batches_bit_for_bit() {
    use eigen_kernels::batch::{par_eigh_batch, par_eigh_batch_dyn};
    let count = 1000;
    let flat = mixed_batch::<f32>(3, count);
    let mats: Vec<[[f32; 3]; 3]> = flat.chunks_exact(9).map(to_cols::<f32, 3>).collect();
    let (mut v1, mut v2) = (vec![[0.0; 3]; count], vec![[0.0; 3]; count]);
    let (mut x1, mut x2) = (vec![[[0.0; 3]; 3]; count], vec![[[0.0; 3]; 3]; count]);
    eigh_batch(&mats, &mut v1, Some(&mut x1), &jacobi()).unwrap();
    par_eigh_batch(&mats, &mut v2, Some(&mut x2), &jacobi()).unwrap();
    assert_eq!(v1, v2);
    assert_eq!(x1, x2);

    let n = 7;
    let mut flat = mixed_batch::<f64>(n, 301);
    flat[100 * n * n] = f64::NAN;
    flat[250 * n * n] = f64::NAN;
    let (mut v1, mut v2) = (vec![0.0; 301 * n], vec![0.0; 301 * n]);
    let r1 = eigh_batch_dyn(n, &flat, &mut v1, None, &jacobi());
    let r2 = par_eigh_batch_dyn(n, &flat, &mut v2, None, &jacobi());
    assert_eq!(r1, r2);
    assert!(matches!(
        r1,
        Err(BatchError::Failed {
            index: 100,
            count: 2,
            ..
        })
    ));
    assert_eq!(
        v1.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
        v2.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
    );
}

/// A sparse f32 matrix with a 12-dimensional null space: after the first reflectors the trailing
/// columns hold rounding-level entries (~1e-20) whose squares underflow in f32; the lane QR's reflectors
/// must stay orthogonal (fuzz find: orthogonality ratio 340 before the column scaling in dlarfg).
#[test]
fn rank_deficient_f32_matrices_keep_orthogonal_vectors_in_the_lane_qr() {
    let n = 16;
    let mut a = vec![0.0f32; n * n];
    a[12] = -47.0;
    a[14] = 1.0;
    a[n + 12] = 1.0;
    a[n + 13] = 21.0;
    for opts in solvers() {
        let (mut values, mut vectors) = (vec![0.0f32; n], vec![0.0f32; n * n]);
        eigh_batch_dyn(n, &a, &mut values, Some(&mut vectors), &opts).unwrap();
        let (res, orth) = (
            residual_ratio(&a, n, &values, &vectors),
            orthogonality_ratio(&vectors, n),
        );
        assert!(
            res <= bound::RATIO && orth <= bound::RATIO,
            "{:?}: residual {res}, orthogonality {orth}",
            opts.solver
        );
    }
}
