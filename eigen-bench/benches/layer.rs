//! Criterion group `layer`: LogEig forward + backward (SPDNet's LogEig layer, `log(A)` and its
//! Daleckii–Krein gradient) on a batch of 256 SPD 32 x 32 matrices, f64 and f32, single thread and rayon,
//! for each lane-batched eigensolver route of `eigen_layer::batch` (`lanes_jacobi`: `Solver::Jacobi`;
//! `lanes_qr`: `Solver::Qr`, which `Solver::Auto` takes at this size), plus the split into forward,
//! backward and the eigensolver alone (lane QR, and the single-matrix QR for reference).
//!
//! Single-thread benchmarks are measured in **thread CPU time** (`/proc/thread-self/schedstat`; wall
//! clock where that file is missing), so that a loaded machine does not inflate them; the rayon ones in
//! wall time. Reference (issue #5): JAX 0.10 (jit, one core) takes about 48 ms (f64) and 29 ms (f32) for
//! the same work.
//!
//! `cargo bench -p eigen-bench --bench layer -- --warm-up-time 1 --measurement-time 3`

#![allow(clippy::expect_used)] // a benchmark input that fails to solve is a bug: stop loudly

use std::hint::black_box;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use eigen_bench::support::thread_cpu_ns;
use eigen_kernels::batch::eigh_batch_dyn;
use eigen_kernels::testing::Rng;
use eigen_kernels::{Options, Real, Solver, eigh_in_place, workspace_len};
use eigen_layer::Spectral;
use eigen_layer::batch::{Parallelism, SpectralBatch};

const COUNT: usize = 256;
const N: usize = 32;

/// Criterion measurement: CPU time of the benchmark thread.
struct ThreadCpu;

impl Measurement for ThreadCpu {
    type Intermediate = u64;
    type Value = u64;
    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns().saturating_sub(start)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        WallTime.formatter()
    }
}

/// `COUNT` SPD matrices `B B^T / N + 0.1 I` with standard normal `B` (seeded), back to back.
fn spd_batch<T: Real>() -> Vec<T> {
    let mut rng = Rng::new(20261126);
    let mut out = Vec::with_capacity(COUNT * N * N);
    for _ in 0..COUNT {
        let b: Vec<f64> = (0..N * N).map(|_| rng.normal()).collect();
        for j in 0..N {
            for i in 0..N {
                let s: f64 = (0..N).map(|k| b[k * N + i] * b[k * N + j]).sum::<f64>() / N as f64;
                out.push(T::from_f64(s + if i == j { 0.1 } else { 0.0 }));
            }
        }
    }
    out
}

/// The inputs, the upstream gradient, and a prepared op per route.
struct Setup<T> {
    a: Vec<T>,
    grad_out: Vec<T>,
    grad: Vec<T>,
}

fn setup<T: Real>() -> Setup<T> {
    let a = spd_batch::<T>();
    let mut rng = Rng::new(7);
    let grad_out = (0..a.len())
        .map(|_| T::from_f64(rng.symmetric_uniform()))
        .collect();
    let grad = vec![T::ZERO; a.len()];
    Setup { a, grad_out, grad }
}

const ROUTES: [(&str, Solver); 2] = [("lanes_jacobi", Solver::Jacobi), ("lanes_qr", Solver::Qr)];

fn single_thread<T: Real>(c: &mut Criterion<ThreadCpu>) {
    let Setup {
        a,
        grad_out,
        mut grad,
    } = setup::<T>();
    let par = Parallelism::Sequential;
    let mut group = c.benchmark_group(format!("layer/logeig_256x32x32_{}_1thread_cpu", T::NAME));
    group.throughput(Throughput::Elements(COUNT as u64));
    group.sample_size(10);
    for (route, solver) in ROUTES {
        let opts = Options::default().with_solver(solver);
        let mut op = SpectralBatch::forward(&a, N, Spectral::Log, &opts, par).expect("SPD batch");
        group.bench_function(BenchmarkId::new("fwd_bwd", route), |bench| {
            bench.iter(|| {
                op.forward_into(black_box(&a), &opts, par).expect("forward");
                op.backward_into(black_box(&grad_out), &mut grad, par)
                    .expect("backward");
            })
        });
        group.bench_function(BenchmarkId::new("fwd", route), |bench| {
            bench.iter(|| op.forward_into(black_box(&a), &opts, par).expect("forward"))
        });
    }
    // The eigensolver's share: the lane-batched solve alone (what `fwd/lanes_qr` adds `log` and
    // `V log(L) V^T` to), and the single-matrix QR solver on the same matrices for reference.
    let opts = Options::default().with_solver(Solver::Qr);
    let (mut all_values, mut all_vectors) = (vec![T::ZERO; COUNT * N], vec![T::ZERO; COUNT * N * N]);
    group.bench_function(BenchmarkId::new("eigh_only", "lanes_qr"), |bench| {
        bench.iter(|| {
            eigh_batch_dyn(N, black_box(&a), &mut all_values, Some(&mut all_vectors), &opts)
                .expect("eigh_batch")
        })
    });
    let (mut m, mut values, mut vectors) = (a.clone(), vec![T::ZERO; N], vec![T::ZERO; N * N]);
    let mut work = vec![T::ZERO; workspace_len::<T>(N, &opts)];
    group.bench_function(BenchmarkId::new("eigh_only", "qr"), |bench| {
        bench.iter(|| {
            m.copy_from_slice(black_box(&a));
            for mat in m.chunks_exact_mut(N * N) {
                let _ =
                    eigh_in_place(mat, N, &mut values, Some(&mut vectors), &mut work, &opts).expect("eigh");
            }
        })
    });
    let op = SpectralBatch::forward(&a, N, Spectral::Log, &Options::default(), par).expect("SPD batch");
    group.bench_function("bwd", |bench| {
        bench.iter(|| {
            op.backward_into(black_box(&grad_out), &mut grad, par)
                .expect("backward")
        })
    });
    group.finish();
}

fn rayon<T: Real>(c: &mut Criterion) {
    let Setup {
        a,
        grad_out,
        mut grad,
    } = setup::<T>();
    let mut group = c.benchmark_group(format!("layer/logeig_256x32x32_{}_wall", T::NAME));
    group.throughput(Throughput::Elements(COUNT as u64));
    group.sample_size(10);
    for (route, solver) in ROUTES {
        for (threads, par) in [
            ("1thread", Parallelism::Sequential),
            ("rayon", Parallelism::Rayon),
        ] {
            let opts = Options::default().with_solver(solver);
            let mut op = SpectralBatch::forward(&a, N, Spectral::Log, &opts, par).expect("SPD batch");
            group.bench_function(BenchmarkId::new(route, threads), |bench| {
                bench.iter(|| {
                    op.forward_into(black_box(&a), &opts, par).expect("forward");
                    op.backward_into(black_box(&grad_out), &mut grad, par)
                        .expect("backward");
                })
            });
        }
    }
    group.finish();
}

fn cpu(c: &mut Criterion<ThreadCpu>) {
    single_thread::<f64>(c);
    single_thread::<f32>(c);
}

fn wall(c: &mut Criterion) {
    rayon::<f64>(c);
    rayon::<f32>(c);
}

criterion_group! {
    name = layer_cpu;
    config = Criterion::default().with_measurement(ThreadCpu);
    targets = cpu
}
criterion_group!(layer_wall, wall);
criterion_main!(layer_cpu, layer_wall);
