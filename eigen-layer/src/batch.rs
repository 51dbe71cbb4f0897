//! Batched [`EighOp`](crate::EighOp) and [`SpectralOp`](crate::SpectralOp) over many `n x n` matrices
//! stored back to back (matrix `b` at `a[b * n * n..(b + 1) * n * n]`), for covariance pooling layers.
//!
//! [`Parallelism::Rayon`] splits the batch over the rayon thread pool (feature `rayon`; without it the
//! variant runs sequentially). Each worker keeps one set of workspaces, so the hot loop does not allocate.

#[cfg(feature = "rayon")]
use eigen_kernels::batch::par_eigh_batch_dyn;
use eigen_kernels::batch::{BatchError, MAX_DYN_N, eigh_batch_dyn};
use eigen_kernels::{Options, Real, eigh_in_place, workspace_len};

use crate::eigh_op::{EighOptions, GaugeDiagnostic, eigh_backward_into, eigh_backward_workspace_len};
use crate::error::{LayerError, check_len};
use crate::spectral::{
    Spectral, spectral_backward_into, spectral_backward_workspace_len, spectral_output_into,
};

/// How a batch is processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Parallelism {
    /// One matrix after another on the calling thread (default).
    #[default]
    Sequential,
    /// Over the rayon thread pool (feature `rayon`; sequential without it).
    Rayon,
}

/// Runs `body(index, work, chunks...)` over the batch, sequentially or on rayon, with one workspace of
/// `work_len` scalars per worker; stops at the first error.
macro_rules! for_each_matrix {
    ($par:expr, $work_len:expr, |$work:ident, $idx:ident, [$($chunk:ident in $src:expr => $size:expr),+]| $body:block) => {{
        let par: Parallelism = $par;
        let work_len: usize = $work_len;
        #[cfg(feature = "rayon")]
        let done: Option<Result<(), LayerError>> = if par == Parallelism::Rayon {
            use rayon::prelude::*;
            let iter = for_each_matrix!(@zip par $($src => $size),+);
            Some(iter.enumerate().try_for_each_init(
                || vec![T::ZERO; work_len],
                |$work, ($idx, for_each_matrix!(@pat $($chunk),+))| -> Result<(), LayerError> { $body },
            ))
        } else {
            None
        };
        #[cfg(not(feature = "rayon"))]
        let done: Option<Result<(), LayerError>> = {
            let _ = par;
            None
        };
        match done {
            Some(r) => r,
            None => {
                let mut work_buf = vec![T::ZERO; work_len];
                let $work = &mut work_buf;
                let mut r: Result<(), LayerError> = Ok(());
                for ($idx, for_each_matrix!(@pat $($chunk),+)) in for_each_matrix!(@zip seq $($src => $size),+).enumerate() {
                    r = run_one(|| -> Result<(), LayerError> { $body });
                    if r.is_err() {
                        break;
                    }
                }
                r
            }
        }
    }};
    (@zip par $src:expr => $size:expr) => { $src.par_chunks_mut($size) };
    (@zip par $src:expr => $size:expr, $($rest:expr => $rsize:expr),+) => {
        $src.par_chunks_mut($size).zip(for_each_matrix!(@zip par $($rest => $rsize),+))
    };
    (@zip seq $src:expr => $size:expr) => { $src.chunks_mut($size) };
    (@zip seq $src:expr => $size:expr, $($rest:expr => $rsize:expr),+) => {
        $src.chunks_mut($size).zip(for_each_matrix!(@zip seq $($rest => $rsize),+))
    };
    (@pat $chunk:ident) => { $chunk };
    (@pat $chunk:ident, $($rest:ident),+) => { ($chunk, for_each_matrix!(@pat $($rest),+)) };
}

/// Calls `body` (lets the sequential loop use `?` inside the macro's body).
fn run_one(body: impl FnOnce() -> Result<(), LayerError>) -> Result<(), LayerError> {
    body()
}

/// Checks `a.len() == count * n * n` and returns `(count, n * n)`.
fn batch_shape<T>(what: &'static str, a: &[T], n: usize) -> Result<(usize, usize), LayerError> {
    let nn = n
        .checked_mul(n)
        .ok_or(LayerError::InvalidArgument("n * n overflows"))?;
    if nn == 0 {
        return Err(LayerError::InvalidArgument("batched matrices must have n > 0"));
    }
    if !a.len().is_multiple_of(nn) {
        return Err(LayerError::Shape {
            what,
            expected: (a.len() / nn + 1) * nn,
            found: a.len(),
        });
    }
    Ok((a.len() / nn, nn))
}

/// Eigen-decompositions of a batch (values `count * n`, vectors `count * n * n`); `a` is overwritten.
///
/// Route: up to `MAX_DYN_N` every solver choice goes to `eigen_kernels::batch` (one matrix per SIMD
/// lane: lane Jacobi, or lane QR, which `Solver::Auto` picks from `n = batch::AUTO_QR_MIN_N` (f64) or
/// `AUTO_QR_MIN_N_F32` (f32), `AUTO_QR_MIN_N_AVX512` where the lanes run on AVX-512); above
/// it each matrix is solved by [`eigh_in_place`]. Measured with `eigen-kernels`' `batch_profile`-style
/// runs: at n = 32 the lane QR takes 43 us (native) / 58 us (portable) per f64 matrix against 74 us
/// for the single-matrix QR.
fn decompose<T: Real>(
    n: usize,
    opts: &Options,
    par: Parallelism,
    a: &mut [T],
    values: &mut [T],
    vectors: &mut [T],
) -> Result<(), LayerError> {
    let nn = n * n;
    if uses_lanes(n) {
        return decompose_lanes(n, opts, par, a, values, vectors);
    }
    for_each_matrix!(par, workspace_len::<T>(n, opts), |work, b, [m in a => nn, l in values => n, v in vectors => nn]| {
        match eigh_in_place(m, n, l, Some(v), work, opts) {
            Ok(_) => Ok(()),
            Err(error) => Err(LayerError::InBatch { index: b, error }),
        }
    })
}

/// Whether [`decompose`] takes the lane-batched solvers (one matrix per SIMD lane): every solver
/// choice up to `MAX_DYN_N`, where they are faster per matrix than the single-matrix solvers
/// (`Solver::Auto` resolves per `n` as `eigen_kernels::batch` documents).
fn uses_lanes(n: usize) -> bool {
    n <= MAX_DYN_N
}

/// The lane-batched route of [`decompose`].
fn decompose_lanes<T: Real>(
    n: usize,
    opts: &Options,
    par: Parallelism,
    a: &[T],
    values: &mut [T],
    vectors: &mut [T],
) -> Result<(), LayerError> {
    #[cfg(feature = "rayon")]
    let r = if par == Parallelism::Rayon {
        par_eigh_batch_dyn(n, a, values, Some(vectors), opts)
    } else {
        eigh_batch_dyn(n, a, values, Some(vectors), opts)
    };
    #[cfg(not(feature = "rayon"))]
    let r = {
        let _ = par;
        eigh_batch_dyn(n, a, values, Some(vectors), opts)
    };
    r.map_err(|e| match e {
        BatchError::Failed { index, error, .. } => LayerError::InBatch { index, error },
        BatchError::Invalid(e) => LayerError::Eigen(e),
        _ => LayerError::InvalidArgument("batched eigensolver failed"),
    })
}

/// A batch of [`EighOp`](crate::EighOp)s.
#[derive(Debug, Clone, PartialEq)]
pub struct EighBatch<T> {
    n: usize,
    count: usize,
    values: Vec<T>,
    vectors: Vec<T>,
    opts: EighOptions,
}

/// Result of [`EighBatch::backward_report`].
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct EighBatchBackward<T> {
    /// Gradients, `count` symmetric `n x n` matrices back to back.
    pub grad: Vec<T>,
    /// `(matrix index, diagnostic)` for each matrix whose loss depends on a degenerate basis.
    pub diagnostics: Vec<(usize, GaugeDiagnostic)>,
}

impl<T: Real> EighBatch<T> {
    /// Decomposes each `n x n` matrix of `a` (length `count * n * n`).
    pub fn forward(a: &[T], n: usize, opts: &EighOptions, par: Parallelism) -> Result<Self, LayerError> {
        let (count, nn) = batch_shape("a", a, n)?;
        let mut m = a.to_vec();
        let mut values = vec![T::ZERO; count * n];
        let mut vectors = vec![T::ZERO; count * nn];
        decompose(n, &opts.solver, par, &mut m, &mut values, &mut vectors)?;
        Ok(EighBatch {
            n,
            count,
            values,
            vectors,
            opts: *opts,
        })
    }

    /// Number of matrices.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Eigenvalues, `n` per matrix, ascending.
    pub fn values(&self) -> &[T] {
        &self.values
    }

    /// Eigenvectors, `n * n` per matrix.
    pub fn vectors(&self) -> &[T] {
        &self.vectors
    }

    /// Gradients with respect to each matrix (see [`EighOp::backward`](crate::EighOp::backward)).
    pub fn backward(
        &self,
        grad_values: Option<&[T]>,
        grad_vectors: Option<&[T]>,
        par: Parallelism,
    ) -> Result<Vec<T>, LayerError> {
        Ok(self.backward_report(grad_values, grad_vectors, par)?.grad)
    }

    /// [`EighBatch::backward`] with the per-matrix diagnostics.
    pub fn backward_report(
        &self,
        grad_values: Option<&[T]>,
        grad_vectors: Option<&[T]>,
        par: Parallelism,
    ) -> Result<EighBatchBackward<T>, LayerError> {
        let (n, nn, count) = (self.n, self.n * self.n, self.count);
        if let Some(g) = grad_values {
            check_len("grad_values", count * n, g.len())?;
        }
        if let Some(g) = grad_vectors {
            check_len("grad_vectors", count * nn, g.len())?;
        }
        let mut grad = vec![T::ZERO; count * nn];
        let mut diag: Vec<Option<GaugeDiagnostic>> = vec![None; count];
        let opts = self.opts;
        let result: Result<(), LayerError> = for_each_matrix!(par, eigh_backward_workspace_len(n),
            |work, b, [g in grad => nn, d in diag => 1]| {
            let gl = grad_values.map(|x| &x[b * n..b * n + n]);
            let gv = grad_vectors.map(|x| &x[b * nn..b * nn + nn]);
            let l = &self.values[b * n..b * n + n];
            let v = &self.vectors[b * nn..b * nn + nn];
            d[0] = eigh_backward_into(n, l, v, gl, gv, &opts, g, work)?;
            Ok(())
        });
        result?;
        let diagnostics = diag
            .into_iter()
            .enumerate()
            .filter_map(|(b, d)| d.map(|d| (b, d)))
            .collect();
        Ok(EighBatchBackward { grad, diagnostics })
    }
}

/// A batch of [`SpectralOp`](crate::SpectralOp)s: `f(A_b)` for every matrix.
#[derive(Debug, Clone)]
pub struct SpectralBatch<T> {
    n: usize,
    count: usize,
    f: Spectral<T>,
    values: Vec<T>,
    f_values: Vec<T>,
    vectors: Vec<T>,
    output: Vec<T>,
}

impl<T: Real> SpectralBatch<T> {
    /// `f(A_b)` for each `n x n` matrix of `a` (length `count * n * n`).
    pub fn forward(
        a: &[T],
        n: usize,
        f: Spectral<T>,
        opts: &Options,
        par: Parallelism,
    ) -> Result<Self, LayerError> {
        let (count, nn) = batch_shape("a", a, n)?;
        let mut op = SpectralBatch {
            n,
            count,
            f,
            values: vec![T::ZERO; count * n],
            f_values: vec![T::ZERO; count * n],
            vectors: vec![T::ZERO; count * nn],
            output: a.to_vec(),
        };
        op.refresh(opts, par)?;
        Ok(op)
    }

    /// Recomputes the batch in place from new inputs of the same shape (no allocation on the sequential
    /// path): the training-loop form of [`SpectralBatch::forward`].
    pub fn forward_into(&mut self, a: &[T], opts: &Options, par: Parallelism) -> Result<(), LayerError> {
        check_len("a", self.output.len(), a.len())?;
        self.output.copy_from_slice(a);
        self.refresh(opts, par)
    }

    fn refresh(&mut self, opts: &Options, par: Parallelism) -> Result<(), LayerError> {
        let (n, nn, f) = (self.n, self.n * self.n, self.f);
        if uses_lanes(n) {
            decompose_lanes(n, opts, par, &self.output, &mut self.values, &mut self.vectors)?;
            let vectors = &self.vectors;
            let values = &self.values;
            return for_each_matrix!(par, 0, |_work, b, [out in self.output => nn, fl in self.f_values => n]| {
                let v = &vectors[b * nn..b * nn + nn];
                spectral_output_into(n, &f, &values[b * n..b * n + n], fl, v, out)
            });
        }
        // Per-matrix route: solve and form f(A) while the matrix is still in cache.
        for_each_matrix!(par, workspace_len::<T>(n, opts),
            |work, b, [out in self.output => nn, l in self.values => n, fl in self.f_values => n, v in self.vectors => nn]| {
            match eigh_in_place(out, n, l, Some(v), work, opts) {
                Ok(_) => spectral_output_into(n, &f, l, fl, v, out),
                Err(error) => Err(LayerError::InBatch { index: b, error }),
            }
        })
    }

    /// Number of matrices.
    pub fn count(&self) -> usize {
        self.count
    }

    /// `f(A_b)`, `n * n` per matrix.
    pub fn output(&self) -> &[T] {
        &self.output
    }

    /// Eigenvalues, `n` per matrix, ascending.
    pub fn values(&self) -> &[T] {
        &self.values
    }

    /// Gradients with respect to each `A_b` from the gradients with respect to each `f(A_b)`.
    pub fn backward(&self, grad_out: &[T], par: Parallelism) -> Result<Vec<T>, LayerError> {
        let mut grad = vec![T::ZERO; self.output.len()];
        self.backward_into(grad_out, &mut grad, par)?;
        Ok(grad)
    }

    /// [`SpectralBatch::backward`] into a caller buffer of length `count * n * n`.
    pub fn backward_into(&self, grad_out: &[T], grad: &mut [T], par: Parallelism) -> Result<(), LayerError> {
        let (n, nn, f) = (self.n, self.n * self.n, self.f);
        check_len("grad_out", self.count * nn, grad_out.len())?;
        check_len("grad", self.count * nn, grad.len())?;
        for_each_matrix!(par, spectral_backward_workspace_len(n), |work, b, [g in grad => nn]| {
            let r = b * nn..b * nn + nn;
            let l = b * n..b * n + n;
            spectral_backward_into(
                n, &f, &self.values[l.clone()], &self.f_values[l], &self.vectors[r.clone()], &grad_out[r], g, work,
            )
        })
    }
}
