//! Criterion group `batch`: 4096 small symmetric matrices (eigenvalues and eigenvectors) per iteration,
//! f32 and f64, n = 2, 3, 4, 8, 16, all libraries on the same seeded matrices
//! (`eigen_kernels::testing::random_symmetric`, LAPACK type 13, seeds `SEED + k`):
//! - `eigh_batch`: eigen-kernels' lane-parallel batched solver with `Solver::Auto` (lane Jacobi below
//!   n = 7, lane QR from 7), one call for the whole batch;
//! - `nalgebra static`: `SMatrix<T, N, N>::symmetric_eigen` (= `Matrix2/3/4` for n <= 4) per matrix;
//! - `faer`: `self_adjoint_evd` per matrix, single-threaded, preallocated scratch and outputs;
//! - `par_eigh_batch` / `eigh_batch (wall)`: the rayon version against the serial one, in wall time.
//!
//! Throughput is counted in matrices, so criterion's time / 4096 is the time per matrix. Single-thread
//! entries are measured in **thread CPU time** (`/proc/thread-self/schedstat`, wall time where missing), so
//! a loaded machine does not inflate them; the rayon comparison necessarily in wall time.
//!
//! `cargo bench -p eigen-bench --bench batch -- --warm-up-time 1 --measurement-time 3`
//! (and with `RUSTFLAGS="-C target-cpu=native"` and a separate `CARGO_TARGET_DIR` for the native build).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark input that fails to solve is a bug

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use eigen_bench::support::thread_cpu_ns;
use eigen_kernels::batch::{eigh_batch, par_eigh_batch};
use eigen_kernels::testing::random_symmetric;
use eigen_kernels::{Options, Real};
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::evd::{ComputeEigenvectors, self_adjoint_evd, self_adjoint_evd_scratch};
use faer::{Mat, MatRef, Par, diag::Diag};
use nalgebra::SMatrix;

/// Matrices per iteration.
const BATCH: usize = 4096;
/// Seed of matrix 0 (matrix `k` uses `SEED + k`).
const SEED: u64 = 0x00E1_6E4B;

/// `iters` calls of `f`, timed in thread CPU time.
fn cpu_time(iters: u64, mut f: impl FnMut()) -> Duration {
    let start = thread_cpu_ns();
    for _ in 0..iters {
        f();
    }
    Duration::from_nanos(thread_cpu_ns().saturating_sub(start))
}

/// The batch as flat column-major matrices and as `[[T; N]; N]` columns.
fn inputs<T: Real, const N: usize>() -> (Vec<T>, Vec<[[T; N]; N]>) {
    let flat: Vec<T> = (0..BATCH as u64)
        .flat_map(|k| random_symmetric::<T>(N, SEED.wrapping_add(k)))
        .collect();
    let cols = flat
        .chunks_exact(N * N)
        .map(|m| core::array::from_fn(|j| core::array::from_fn(|i| m[i + j * N])))
        .collect();
    (flat, cols)
}

macro_rules! sizes {
    ($c:expr, $t:ty, $($n:literal)*) => {{
        let mut group = $c.benchmark_group(format!("batch/{}", <$t as Real>::NAME));
        group
            .throughput(Throughput::Elements(BATCH as u64))
            .sample_size(20)
            .measurement_time(Duration::from_secs(3));
        $({
            const N: usize = $n;
            let (flat, cols) = inputs::<$t, N>();
            let opts = Options::default();
            let mut values = vec![[<$t>::default(); N]; BATCH];
            let mut vectors = vec![[[<$t>::default(); N]; N]; BATCH];
            group.bench_function(BenchmarkId::new("eigh_batch", N), |b| {
                b.iter_custom(|iters| cpu_time(iters, || {
                    eigh_batch(black_box(&cols), &mut values, Some(&mut vectors), &opts).unwrap()
                }))
            });
            let nal: Vec<SMatrix<$t, N, N>> =
                flat.chunks_exact(N * N).map(SMatrix::<$t, N, N>::from_column_slice).collect();
            group.bench_function(BenchmarkId::new("nalgebra static", N), |b| {
                b.iter_custom(|iters| cpu_time(iters, || {
                    for m in &nal {
                        black_box(black_box(*m).symmetric_eigen());
                    }
                }))
            });
            let req = self_adjoint_evd_scratch::<$t>(N, ComputeEigenvectors::Yes, Par::Seq, Default::default());
            let mut mem = MemBuffer::new(req);
            let mut s = Diag::<$t>::zeros(N);
            let mut u = Mat::<$t>::zeros(N, N);
            group.bench_function(BenchmarkId::new("faer", N), |b| {
                b.iter_custom(|iters| cpu_time(iters, || {
                    for m in flat.chunks_exact(N * N) {
                        self_adjoint_evd(
                            MatRef::from_column_major_slice(black_box(m), N, N),
                            s.as_mut(),
                            Some(u.as_mut()),
                            Par::Seq,
                            MemStack::new(&mut mem),
                            Default::default(),
                        )
                        .unwrap();
                    }
                }))
            });
            group.bench_function(BenchmarkId::new("eigh_batch (wall)", N), |b| {
                b.iter(|| eigh_batch(black_box(&cols), &mut values, Some(&mut vectors), &opts).unwrap())
            });
            group.bench_function(BenchmarkId::new("par_eigh_batch (wall)", N), |b| {
                b.iter(|| par_eigh_batch(black_box(&cols), &mut values, Some(&mut vectors), &opts).unwrap())
            });
        })*
        group.finish();
    }};
}

fn batch(c: &mut Criterion) {
    sizes!(c, f32, 2 3 4 8 16);
    sizes!(c, f64, 2 3 4 8 16);
}

criterion_group!(benches, batch);
criterion_main!(benches);
