//! Target of the batched solvers ([`eigh_batch`], [`eigh_batch_dyn`]): a batch of decoded matrices
//! (1 to 17, so every remainder of the SIMD lane count occurs), each checked against the single-matrix
//! contract, the documented bad-input policy (failed matrices have NaN outputs, the others are solved,
//! `BatchError::Failed` names the first failure and the count) and agreement with the one-matrix Jacobi
//! solve (eigenvalue ratio `<= 50`), for the lane Jacobi and the lane QR solver.

use eigen_kernels::batch::{BatchError, eigh_batch, eigh_batch_dyn};
use eigen_kernels::{ComputeVectors, EigenError, Options, Solver, eigh as solve};

use crate::input::{Input, Matrix, Scalar, decode_matrix, decode_n};
use crate::oracle::{at_range_edge, check_solve, check_values_agree};

/// Largest dimension of the run-time-`n` batch.
pub const N_MAX_DYN: usize = 16;

/// Config bits: 0 precision; 1-2 solver (Auto, Jacobi or Qr: both lane solvers); 3 values only; 4-6 the
/// size: `N` in 1, 2, 3, 4, 8, 16 as a const generic, or (6, 7) run-time `n`.
pub fn eigh_batch_target(data: &[u8]) {
    let mut input = Input::new(data);
    let config = input.byte();
    if config & 1 == 0 {
        batch_typed::<f64>(&mut input, config);
    } else {
        batch_typed::<f32>(&mut input, config);
    }
}

fn batch_typed<T: Scalar>(input: &mut Input<'_>, config: u8) {
    let solver = match (config >> 1) & 3 {
        1 => Solver::Jacobi,
        2 => Solver::Qr,
        _ => Solver::Auto,
    };
    let vectors = if config & 8 == 0 {
        ComputeVectors::Yes
    } else {
        ComputeVectors::No
    };
    let opts = Options::default().with_solver(solver).with_vectors(vectors);
    match (config >> 4) & 7 {
        0 => fixed::<T, 1>(input, &opts),
        1 => fixed::<T, 2>(input, &opts),
        2 => fixed::<T, 3>(input, &opts),
        3 => fixed::<T, 4>(input, &opts),
        4 => fixed::<T, 8>(input, &opts),
        5 => fixed::<T, 16>(input, &opts),
        _ => {
            let n = decode_n(input, N_MAX_DYN);
            let mats = decode_batch::<T>(input, n);
            let flat: Vec<T> = mats.iter().flat_map(|m| m.a.iter().copied()).collect();
            let count = mats.len();
            let mut values = vec![T::ZERO; count * n];
            let mut vecs = vec![T::ZERO; count * n * n];
            let want = opts.vectors == ComputeVectors::Yes;
            let r = eigh_batch_dyn(n, &flat, &mut values, want.then_some(&mut vecs[..]), &opts);
            check_batch(&mats, r, &opts, |k| {
                (
                    &values[k * n..k * n + n],
                    want.then(|| &vecs[k * n * n..(k + 1) * n * n]),
                )
            });
        }
    }
}

fn decode_batch<T: Scalar>(input: &mut Input<'_>, n: usize) -> Vec<Matrix<T>> {
    let count = 1 + usize::from(input.byte()) % 17;
    (0..count).map(|_| decode_matrix(input, n)).collect()
}

fn fixed<T: Scalar, const N: usize>(input: &mut Input<'_>, opts: &Options) {
    let mats = decode_batch::<T>(input, N);
    let arrays: Vec<[[T; N]; N]> = mats
        .iter()
        .map(|m| {
            let mut cols = [[T::ZERO; N]; N];
            for (j, col) in cols.iter_mut().enumerate() {
                col.copy_from_slice(&m.a[j * N..j * N + N]);
            }
            cols
        })
        .collect();
    let mut values = vec![[T::ZERO; N]; mats.len()];
    let mut vecs = vec![[[T::ZERO; N]; N]; mats.len()];
    let want = opts.vectors == ComputeVectors::Yes;
    let r = eigh_batch(&arrays, &mut values, want.then_some(&mut vecs[..]), opts);
    check_batch(&mats, r, opts, |k| {
        (&values[k][..], want.then(|| vecs[k].as_flattened()))
    });
}

fn check_batch<'a, T: Scalar>(
    mats: &[Matrix<T>],
    r: Result<(), BatchError>,
    opts: &Options,
    out: impl Fn(usize) -> (&'a [T], Option<&'a [T]>),
) {
    let what = format!("eigh_batch {opts:?}");
    let mut failed = Vec::new();
    for (k, m) in mats.iter().enumerate() {
        let (values, vectors) = out(k);
        let nan = values.iter().any(|x| x.is_nan());
        if nan {
            assert!(
                values.iter().chain(vectors.unwrap_or(&[])).all(|x| x.is_nan()),
                "{what}: matrix {k} partly NaN"
            );
            failed.push(k);
            // Its reason must be the documented one: the single solve fails the same way. The batch
            // agrees with the one-matrix solve to a few ulps, so at the edge of the range one may round
            // an eigenvalue to `MAX` and the other overflow; anything else is a bug.
            match solve(&m.a, m.n, &opts.with_solver(Solver::Jacobi)) {
                Err(e) => check_solve(m, Err(e), &what),
                Ok(single) => {
                    assert!(
                        at_range_edge(&single.values),
                        "{what}: matrix {k} failed in the batch only"
                    );
                    check_solve(m, Err(EigenError::Overflow), &what);
                }
            }
        } else {
            check_solve(m, Ok((values, vectors)), &what);
            match solve(&m.a, m.n, &opts.with_solver(Solver::Jacobi)) {
                Ok(single) => check_values_agree(&single.values, values, &what),
                Err(EigenError::Overflow) if at_range_edge(values) => {}
                Err(e) => panic!("{what}: matrix {k} solved in the batch, alone {e:?}"),
            }
        }
    }
    match r {
        Ok(()) => assert!(failed.is_empty(), "{what}: Ok but matrices {failed:?} are NaN"),
        Err(BatchError::Failed { index, error, count }) => {
            assert_eq!(Some(&index), failed.first(), "{what}: first failed index");
            assert_eq!(count, failed.len(), "{what}: failed count");
            check_solve(&mats[index], Err(error), &what);
        }
        Err(e) => panic!("{what}: {e:?}"),
    }
}
