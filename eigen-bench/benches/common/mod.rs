//! The loop every single-matrix group shares: for each size, every engine of
//! [`eigen_bench::support::engines`] on the same seeded matrix.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{BenchmarkId, Criterion};
use eigen_bench::support::{self, Scalar};
use eigen_kernels::{ComputeVectors, Solver};

/// Benchmarks group `{name}/{f32|f64}` over `sizes`, eigen-kernels with `solvers(n)`.
pub fn group<T: Scalar>(
    c: &mut Criterion,
    name: &str,
    sizes: &[usize],
    solvers: impl Fn(usize) -> Vec<Solver>,
    vectors: ComputeVectors,
) {
    let mut group = c.benchmark_group(format!("{name}/{}", T::NAME));
    for &n in sizes {
        let (samples, time) = support::criterion_plan(n);
        group.sample_size(samples).measurement_time(time);
        let a = support::matrix::<T>(n, support::SEED);
        let (engines, skipped) = support::engines::<T>(n, &solvers(n), vectors);
        for s in skipped {
            eprintln!("{name}/{}/{n}: skipping {s}", T::NAME);
        }
        for mut e in engines {
            let id = BenchmarkId::new(e.name().to_string(), n);
            group.bench_function(id, |b| b.iter(|| e.solve(&a).unwrap()));
        }
    }
    group.finish();
}
