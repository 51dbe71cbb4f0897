//! Rayon-parallel batches: the batch is cut into chunks of whole blocks, each solved by the serial
//! block loop. Blocks are the same as in the serial call and lanes do not influence each other, so the
//! results are bit-for-bit those of [`super::eigh_batch`].

use rayon::prelude::*;

use super::BatchError;
use super::api::{self, Args, Failures, Settings};
use crate::{Options, Real};

/// Matrices per parallel task: whole blocks, about four tasks per thread so uneven convergence
/// balances out.
fn chunk_len<T: Real>(count: usize) -> usize {
    let lanes = api::block_multiple::<T>();
    let tasks = 4 * rayon::current_num_threads().max(1);
    count.div_ceil(tasks).div_ceil(lanes).max(1) * lanes
}

/// Runs `solve` over chunks of `chunk` matrices in parallel.
fn par_chunks<T: Real>(
    n: usize,
    count: usize,
    mats: &[T],
    values: &mut [T],
    vectors: Option<&mut [T]>,
    set: Settings<T>,
    solve: impl Fn(Args<'_, T>) -> Failures + Sync,
) -> Result<(), BatchError> {
    let chunk = chunk_len::<T>(count);
    let nn = n * n;
    let run = |k: usize, mats, values, vectors| {
        solve(Args {
            mats,
            values,
            vectors,
            set,
            base: k * chunk,
        })
    };
    let mats = mats.par_chunks(chunk * nn);
    let values = values.par_chunks_mut(chunk * n);
    let failures = match vectors {
        Some(v) => mats
            .zip(values)
            .zip(v.par_chunks_mut(chunk * nn))
            .enumerate()
            .map(|(k, ((m, val), vec))| run(k, m, val, Some(vec)))
            .reduce(Failures::default, Failures::merge),
        None => mats
            .zip(values)
            .enumerate()
            .map(|(k, (m, val))| run(k, m, val, None))
            .reduce(Failures::default, Failures::merge),
    };
    failures.into_result()
}

/// [`super::eigh_batch`] on the rayon thread pool; same arguments, errors and results (bit for bit).
pub fn par_eigh_batch<T: Real, const N: usize>(
    mats: &[[[T; N]; N]],
    values: &mut [[T; N]],
    vectors: Option<&mut [[[T; N]; N]]>,
    opts: &Options,
) -> Result<(), BatchError> {
    api::check_fixed(mats, values, vectors.as_deref())?;
    let set = api::settings::<T>(N, opts)?;
    if N == 0 || mats.is_empty() {
        return Ok(());
    }
    par_chunks(
        N,
        mats.len(),
        mats.as_flattened().as_flattened(),
        values.as_flattened_mut(),
        vectors.map(|v| v.as_flattened_mut().as_flattened_mut()),
        set,
        api::solve_sized::<T, N>,
    )
}

/// [`super::eigh_batch_dyn`] on the rayon thread pool; same arguments, errors and results (bit for bit).
pub fn par_eigh_batch_dyn<T: Real>(
    n: usize,
    mats: &[T],
    values: &mut [T],
    vectors: Option<&mut [T]>,
    opts: &Options,
) -> Result<(), BatchError> {
    let count = api::check_dyn(n, mats, values, vectors.as_deref())?;
    let set = api::settings::<T>(n, opts)?;
    if count == 0 {
        return Ok(());
    }
    par_chunks(n, count, mats, values, vectors, set, |args| {
        T::solve_batch(n, args)
    })
}
