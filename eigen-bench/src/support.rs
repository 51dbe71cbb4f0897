//! Shared benchmark setup: seeded inputs (from [`eigen_kernels::testing`]) and one [`Engine`] per library,
//! so the criterion benches and `eigen compare` time exactly the same calls on exactly the same matrices.
//!
//! Every engine owns its output buffers and workspace, allocated once in `new`, so a timed
//! [`Engine::solve`] measures the decomposition (plus the input copy that an in-place solver needs, and,
//! for nalgebra, the allocations its API makes on every call). faer runs single-threaded (`Par::Seq`).

use std::time::Duration;

use eigen_kernels::{ComputeVectors, EigenError, Options, Real, Solver, eigh_in_place, workspace_len};
use faer::diag::Diag;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::evd::{ComputeEigenvectors, self_adjoint_evd, self_adjoint_evd_scratch};
use faer::{Mat, MatRef, Par};

/// CPU time of the calling thread in nanoseconds (Linux `/proc/thread-self/schedstat`), or wall time
/// since the first call where that file is missing: single-thread benchmarks measured this way are not
/// inflated when other jobs share the machine.
pub fn thread_cpu_ns() -> u64 {
    static EPOCH: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|t| t.parse().ok()))
        .unwrap_or_else(|| {
            let nanos = EPOCH.get_or_init(std::time::Instant::now).elapsed().as_nanos();
            u64::try_from(nanos).unwrap_or(u64::MAX)
        })
}

/// Seed of every benchmark input (`eigen compare` and criterion use the same matrices).
pub const SEED: u64 = 0x00E1_6E4B;

/// The benchmark sizes of every group.
pub const SIZES: [usize; 11] = [2, 3, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/// A scalar every peer supports: `f32` or `f64`.
pub trait Scalar: Real + nalgebra::RealField + faer::traits::RealField {}
impl Scalar for f32 {}
impl Scalar for f64 {}

/// The benchmark matrix of size `n`: LAPACK type 13 (entries uniform in (-1, 1), symmetric), full storage,
/// column-major, seeded so every library and every run sees the same input.
pub fn matrix<T: Real>(n: usize, seed: u64) -> Vec<T> {
    eigen_kernels::testing::random_symmetric(n, seed)
}

/// `count` benchmark matrices of size `n`, concatenated (matrix `k` is `matrix(n, seed + k)`).
pub fn matrices<T: Real>(count: usize, n: usize, seed: u64) -> Vec<T> {
    (0..count as u64)
        .flat_map(|k| matrix::<T>(n, seed.wrapping_add(k)))
        .collect()
}

/// Criterion sample count and measurement time for size `n`: fewer, shorter samples for big matrices so
/// a whole group stays within minutes.
pub fn criterion_plan(n: usize) -> (usize, Duration) {
    match n {
        0..=64 => (30, Duration::from_secs(2)),
        65..=256 => (15, Duration::from_secs(3)),
        _ => (10, Duration::from_secs(5)),
    }
}

/// One library's symmetric eigensolver, with buffers for an `n x n` problem.
pub trait Engine<T: Scalar> {
    /// Display name (`"eigen-kernels jacobi"`, `"nalgebra"`, `"faer"`).
    fn name(&self) -> &str;
    /// Decomposes `a` (n x n column-major, symmetric); results stay in the engine.
    fn solve(&mut self, a: &[T]) -> Result<(), String>;
    /// Eigenvalues of the last solve (the library's order).
    fn values(&self) -> &[T];
    /// Eigenvectors (columns, matching [`Engine::values`]) of the last solve, if computed.
    fn vectors(&self) -> Option<&[T]>;
    /// Matrices decomposed per [`Engine::solve`] call (a batch engine solves several; divide the time).
    fn matrices_per_solve(&self) -> usize {
        1
    }
}

/// Matrices per call of [`OursBatch`].
pub const BATCH: usize = 64;

/// eigen-kernels' lane-parallel batched solver ([`eigen_kernels::batch::eigh_batch_dyn`] with
/// `Solver::Auto`: lane Jacobi below `n = 7`, lane QR from 7; `n <=`
/// [`eigen_kernels::batch::MAX_DYN_N`]) on [`BATCH`] matrices per call: the given matrix in slot 0 (its
/// result is the one reported) and `BATCH - 1` other seeded matrices of the same size.
pub struct OursBatch<T> {
    n: usize,
    opts: Options,
    mats: Vec<T>,
    values: Vec<T>,
    vectors: Option<Vec<T>>,
}

impl<T: Real> OursBatch<T> {
    /// Buffers for [`BATCH`] `n x n` matrices.
    pub fn new(n: usize, vectors: ComputeVectors) -> Self {
        OursBatch {
            n,
            opts: Options::default().with_vectors(vectors),
            mats: matrices::<T>(BATCH, n, SEED ^ 0xBA7C),
            values: vec![T::ZERO; BATCH * n],
            vectors: (vectors == ComputeVectors::Yes).then(|| vec![T::ZERO; BATCH * n * n]),
        }
    }
}

impl<T: Scalar> Engine<T> for OursBatch<T> {
    fn name(&self) -> &str {
        "eigen-kernels batch"
    }
    fn solve(&mut self, a: &[T]) -> Result<(), String> {
        let nn = self.n * self.n;
        self.mats[..nn].copy_from_slice(a);
        eigen_kernels::batch::eigh_batch_dyn(
            self.n,
            &self.mats,
            &mut self.values,
            self.vectors.as_deref_mut(),
            &self.opts,
        )
        .map_err(|e| e.to_string())
    }
    fn values(&self) -> &[T] {
        &self.values[..self.n]
    }
    fn vectors(&self) -> Option<&[T]> {
        self.vectors.as_deref().map(|v| &v[..self.n * self.n])
    }
    fn matrices_per_solve(&self) -> usize {
        BATCH
    }
}

/// eigen-kernels through [`eigh_in_place`] with preallocated outputs and workspace.
pub struct Ours<T> {
    name: String,
    n: usize,
    opts: Options,
    a: Vec<T>,
    values: Vec<T>,
    vectors: Option<Vec<T>>,
    work: Vec<T>,
}

impl<T: Real> Ours<T> {
    /// Buffers for `n x n` with `solver` and `vectors`.
    pub fn new(n: usize, solver: Solver, vectors: ComputeVectors) -> Self {
        let opts = Options::default().with_solver(solver).with_vectors(vectors);
        let label = match solver {
            Solver::Auto => "auto",
            Solver::Jacobi => "jacobi",
            Solver::Qr => "qr",
        };
        Ours {
            name: format!("eigen-kernels {label}"),
            n,
            opts,
            a: vec![T::ZERO; n * n],
            values: vec![T::ZERO; n],
            vectors: (vectors == ComputeVectors::Yes).then(|| vec![T::ZERO; n * n]),
            work: vec![T::ZERO; workspace_len::<T>(n, &opts)],
        }
    }

    /// The solve with the library's own error (to tell "unsupported" from a failure).
    pub fn try_solve(&mut self, a: &[T]) -> Result<(), EigenError> {
        self.a.copy_from_slice(a);
        eigh_in_place(
            &mut self.a,
            self.n,
            &mut self.values,
            self.vectors.as_deref_mut(),
            &mut self.work,
            &self.opts,
        )
        .map(|_| ())
    }
}

impl<T: Scalar> Engine<T> for Ours<T> {
    fn name(&self) -> &str {
        &self.name
    }
    fn solve(&mut self, a: &[T]) -> Result<(), String> {
        self.try_solve(a).map_err(|e| e.to_string())
    }
    fn values(&self) -> &[T] {
        &self.values
    }
    fn vectors(&self) -> Option<&[T]> {
        self.vectors.as_deref()
    }
}

/// nalgebra 0.35 `SymmetricEigen` on a `DMatrix` (its API allocates the matrix and results per call).
pub struct Nalgebra<T> {
    n: usize,
    want: ComputeVectors,
    values: Vec<T>,
    vectors: Option<Vec<T>>,
}

impl<T: Scalar> Nalgebra<T> {
    /// For `n x n`, with or without vectors.
    pub fn new(n: usize, want: ComputeVectors) -> Self {
        Nalgebra {
            n,
            want,
            values: vec![T::ZERO; n],
            vectors: None,
        }
    }
}

impl<T: Scalar> Engine<T> for Nalgebra<T> {
    fn name(&self) -> &str {
        "nalgebra"
    }
    fn solve(&mut self, a: &[T]) -> Result<(), String> {
        let m = nalgebra::DMatrix::from_column_slice(self.n, self.n, a);
        match self.want {
            ComputeVectors::Yes => {
                // A generous cap instead of nalgebra's default of "no cap" (which can loop forever).
                let cap = 1000 * self.n.max(1);
                let e = nalgebra::SymmetricEigen::try_new(m, T::EPSILON, cap)
                    .ok_or_else(|| "nalgebra did not converge".to_string())?;
                self.values.copy_from_slice(e.eigenvalues.as_slice());
                self.vectors = Some(e.eigenvectors.as_slice().to_vec());
            }
            ComputeVectors::No => {
                let v = m.symmetric_eigenvalues();
                self.values.copy_from_slice(v.as_slice());
            }
        }
        Ok(())
    }
    fn values(&self) -> &[T] {
        &self.values
    }
    fn vectors(&self) -> Option<&[T]> {
        self.vectors.as_deref()
    }
}

/// faer 0.24 `linalg::evd::self_adjoint_evd`, single-threaded, preallocated scratch and outputs.
pub struct Faer<T> {
    n: usize,
    mem: MemBuffer,
    s: Diag<T>,
    u: Option<Mat<T>>,
    values: Vec<T>,
    vectors: Option<Vec<T>>,
}

impl<T: Scalar> Faer<T> {
    /// For `n x n`, with or without vectors.
    pub fn new(n: usize, want: ComputeVectors) -> Self {
        let compute = match want {
            ComputeVectors::Yes => ComputeEigenvectors::Yes,
            ComputeVectors::No => ComputeEigenvectors::No,
        };
        let req = self_adjoint_evd_scratch::<T>(n, compute, Par::Seq, faer::prelude::default());
        Faer {
            n,
            mem: MemBuffer::new(req),
            s: Diag::zeros(n),
            u: (want == ComputeVectors::Yes).then(|| Mat::zeros(n, n)),
            values: vec![T::ZERO; n],
            vectors: (want == ComputeVectors::Yes).then(|| vec![T::ZERO; n * n]),
        }
    }
}

impl<T: Scalar> Engine<T> for Faer<T> {
    fn name(&self) -> &str {
        "faer"
    }
    fn solve(&mut self, a: &[T]) -> Result<(), String> {
        let n = self.n;
        let a = MatRef::from_column_major_slice(a, n, n);
        self_adjoint_evd(
            a,
            self.s.as_mut(),
            self.u.as_mut().map(|u| u.as_mut()),
            Par::Seq,
            MemStack::new(&mut self.mem),
            faer::prelude::default(),
        )
        .map_err(|e| format!("faer: {e:?}"))?;
        for (i, v) in self.values.iter_mut().enumerate() {
            *v = self.s[i];
        }
        if let (Some(u), Some(out)) = (&self.u, self.vectors.as_mut()) {
            for j in 0..n {
                for i in 0..n {
                    out[i + j * n] = u[(i, j)];
                }
            }
        }
        Ok(())
    }
    fn values(&self) -> &[T] {
        &self.values
    }
    fn vectors(&self) -> Option<&[T]> {
        self.vectors.as_deref()
    }
}

/// The engines every group compares for `n x n`: eigen-kernels with `solvers`, then nalgebra and faer.
/// An eigen-kernels solver this build does not support (e.g. `Solver::Qr` before it lands) is left out
/// and named in the returned list of skipped engines.
pub fn engines<T: Scalar>(
    n: usize,
    solvers: &[Solver],
    vectors: ComputeVectors,
) -> (Vec<Box<dyn Engine<T>>>, Vec<String>) {
    let probe = matrix::<T>(n, SEED);
    let mut list: Vec<Box<dyn Engine<T>>> = Vec::new();
    let mut skipped = Vec::new();
    for &s in solvers {
        let mut ours = Ours::<T>::new(n, s, vectors);
        match ours.try_solve(&probe) {
            Ok(()) => list.push(Box::new(ours)),
            Err(e) => skipped.push(format!("{} ({e})", Engine::<T>::name(&ours))),
        }
    }
    list.push(Box::new(Nalgebra::<T>::new(n, vectors)));
    list.push(Box::new(Faer::<T>::new(n, vectors)));
    (list, skipped)
}
