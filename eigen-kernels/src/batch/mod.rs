//! Batched eigensolvers: many small symmetric matrices at once, one matrix per SIMD lane.
//!
//! A block of `LANES` matrices (the lane count of [`Real::BatchLanes`](crate::Real::BatchLanes), 16 `f32`
//! or 8 `f64`, for `n <= 6`, and for lane QR on most CPUs; of [`Real::Lanes`](crate::Real::Lanes),
//! e.g. 8 `f32` or 4 `f64` with AVX2, otherwise; the run-time dispatch doubles both on AVX-512) is
//! transposed into structure-of-arrays form, so that entry `(i, j)` of all of them
//! is one vector; one of two lane solvers then works on all lanes at once, each lane with its own
//! convergence state, power-of-two scaling and output conventions, and the results are transposed back:
//! - lane Jacobi: branch-free Jacobi (the approach of cuSOLVER's `syevjBatched` and of McAdams et
//!   al. 2011 for 3x3 SVDs), [`Solver::Jacobi`](crate::Solver::Jacobi), and [`Solver::Auto`](crate::Solver::Auto)
//!   below `n = AUTO_QR_MIN_N` (7) for `f64`, `AUTO_QR_MIN_N_F32` (8) for `f32`, and
//!   `AUTO_QR_MIN_N_AVX512` (7) for both where the lanes run on AVX-512;
//! - lane QR: Householder tridiagonalization and lock-step Wilkinson-shift QL, each lane deflating its
//!   own window ([`Solver::Qr`](crate::Solver::Qr), and `Auto` from those sizes to `MAX_LANE_QR_N`):
//!   fewer flops than Jacobi's sweeps, as fast or faster from there (measured, both builds; see
//!   `ARCHITECTURE.md`).
//!
//! Stages, one file each: `layout` (transposes, per-lane validation and scaling), `lane_jacobi` (the
//! sweeps), `lane_qr` (reduction, QL, `Q`), `sort` (ascending order and sign rule per lane), `api`
//! (checks, solver choice and block loop), `parallel` (rayon chunks, feature `rayon`).
//!
//! ## Contract
//! Every matrix gets the single-matrix contract of [`crate::eigh_in_place`]: lower triangle read,
//! ascending eigenvalues, orthonormal eigenvector columns with the largest-magnitude entry positive
//! (lowest index on ties), the same scaling rule, iteration caps (`max_sweeps` for Jacobi,
//! `max_qr_iterations_per_value` for QR) and accuracy (LAPACK ratios <= 50). Lane Jacobi uses the
//! Demmel–Veselić relative convergence test of the scalar Jacobi solver, so its results agree with
//! [`Solver::Jacobi`](crate::Solver::Jacobi) to a few ulps and keep its high relative accuracy; lane QR
//! agrees with [`Solver::Qr`](crate::Solver::Qr) within the backward error. A matrix's result does not
//! depend on the other matrices of the batch, and the parallel entry points return bit-for-bit the
//! serial results.
//!
//! ## Bad input policy
//! - Shapes that do not fit (`values`/`vectors` lengths, a flat length that is not a multiple of `n n`,
//!   `n > MAX_DYN_N` for the runtime-n entry points, `Solver::Qr` with `n > MAX_LANE_QR_N`) give [`BatchError::Invalid`] before anything is written; never a panic.
//! - A matrix that fails (NaN or infinity in its lower triangle: [`EigenError::NonFinite`]; the sweep
//!   or step cap: [`EigenError::NoConvergence`]; an unrepresentable eigenvalue: [`EigenError::Overflow`]) does not
//!   poison the others: it is solved as the identity in its lane, **every other matrix is solved**, the
//!   failed matrix's outputs are filled with NaN, and the call returns [`BatchError::Failed`] with the
//!   first failing index, its error and the number of failed matrices (no allocation; to find all of them
//!   look for NaN eigenvalues, or solve one matrix with [`crate::eigh_in_place`] for its error).
//!
//! ```
//! use eigen_kernels::{Options, batch::eigh_batch};
//! // Two 2x2 matrices (arrays of columns): [[2, 1], [1, 2]] and diag(5, -1).
//! let mats = [[[2.0f64, 1.0], [1.0, 2.0]], [[5.0, 0.0], [0.0, -1.0]]];
//! let mut values = [[0.0; 2]; 2];
//! let mut vectors = [[[0.0; 2]; 2]; 2];
//! eigh_batch(&mats, &mut values, Some(&mut vectors), &Options::default()).unwrap();
//! assert_eq!(values[1], [-1.0, 5.0]);
//! assert!((values[0][0] - 1.0).abs() < 1e-15 && (values[0][1] - 3.0).abs() < 1e-15);
//! assert_eq!(vectors[1], [[0.0, 1.0], [1.0, 0.0]]);
//! ```

/// Test helper: runs the generic check `$f::<T, V>()` on both lane types of both precisions.
#[cfg(test)]
macro_rules! on_every_lane_type {
    ($f:ident) => {
        $f::<f64, <f64 as Real>::Lanes>();
        $f::<f64, <f64 as Real>::BatchLanes>();
        $f::<f32, <f32 as Real>::Lanes>();
        $f::<f32, <f32 as Real>::BatchLanes>();
    };
}

pub(crate) mod api;
mod lane_jacobi;
mod lane_qr;
mod layout;
#[cfg(feature = "rayon")]
mod parallel;
mod sort;

use core::fmt;

use crate::EigenError;

pub use api::{
    AUTO_QR_MIN_N, AUTO_QR_MIN_N_AVX512, AUTO_QR_MIN_N_F32, MAX_DYN_N, MAX_LANE_QR_N, eigh_batch,
    eigh_batch_dyn,
};
#[cfg(feature = "rayon")]
pub use parallel::{par_eigh_batch, par_eigh_batch_dyn};

/// Why a batched solve did not succeed for every matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BatchError {
    /// The arguments do not fit together (lengths, dimension, options); nothing was solved or written.
    Invalid(EigenError),
    /// `count` matrices failed; every other matrix was solved. `index` is the first failing matrix and
    /// `error` its error; failed matrices' outputs are NaN.
    Failed {
        /// Index of the first failing matrix in the batch.
        index: usize,
        /// Why it failed.
        error: EigenError,
        /// Number of failed matrices.
        count: usize,
    },
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BatchError::Invalid(e) => write!(f, "invalid batch: {e}"),
            BatchError::Failed { index, error, count } => write!(
                f,
                "{count} matrices of the batch failed; the first is matrix {index}: {error}"
            ),
        }
    }
}

impl core::error::Error for BatchError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            BatchError::Invalid(e) | BatchError::Failed { error: e, .. } => Some(e),
        }
    }
}
