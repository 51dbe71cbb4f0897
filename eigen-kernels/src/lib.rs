//! # eigen-kernels
//!
//! Symmetric eigensolvers for `f32` and `f64`, `#![no_std]`, explicitly vectorised with [`wide`]:
//! a cyclic Jacobi solver (high relative accuracy) and, for larger matrices, Householder
//! tridiagonalization with implicit shifted QR.
//!
//! ## Conventions (every API)
//! - Matrices are column-major `&[T]` of length `n * n`; **only the lower triangle is read**.
//! - Eigenvalues are returned in **ascending** order.
//! - Eigenvector `j` is column `j` of an `n x n` column-major matrix; the columns are orthonormal and the
//!   sign is deterministic: the entry of largest magnitude is positive (the lowest index wins ties).
//! - Fixed-size matrices are `[[T; N]; N]` arrays of columns (nalgebra's layout).
//!
//! ## API levels
//! - [`eigh_in_place`] with [`workspace_len`]: no allocation, caller-provided outputs and workspace.
//! - [`eigh_fixed`]: const-generic sizes, stack only.
//! - [`eigh`] (feature `alloc`): allocating convenience returning [`Eigh`].
//!
//! ```
//! use eigen_kernels::{eigh, Options};
//! // [[2, 1], [1, 2]] column-major: eigenvalues 1 and 3.
//! let r = eigh(&[2.0f64, 1.0, 1.0, 2.0], 2, &Options::default()).unwrap();
//! assert!((r.values[0] - 1.0).abs() < 1e-15 && (r.values[1] - 3.0).abs() < 1e-15);
//! ```
//!
//! ## Guarantees
//! - **No panics, no hangs on bad input.** Wrong lengths give [`EigenError::DimensionMismatch`], a short
//!   workspace [`EigenError::WorkspaceTooSmall`], NaN or infinity in the lower triangle
//!   [`EigenError::NonFinite`] with its position. Every iteration is bounded ([`Options::max_sweeps`],
//!   [`Options::max_qr_iterations_per_value`]); reaching the cap returns [`EigenError::NoConvergence`].
//!   An eigenvalue that is not representable (entries near `MAX`) gives [`EigenError::Overflow`]:
//!   never a silent NaN or infinity.
//! - **Accuracy** in LAPACK's units ([`accuracy`]): residual `|A - V L V^T| / (n |A| ulp)` and
//!   orthogonality `|I - V^T V| / (n ulp)` at most 50 on the LAPACK test families, both precisions.
//!   Jacobi also delivers eigenvalues of graded positive definite matrices to high relative accuracy.
//! - **Scaling**: matrices with entries near overflow or underflow are scaled by a power of two (exact).
//!
//! ## Features
//! `alloc` (allocating API, [`testing`]), `std` (default; implies `alloc`), `rayon` (parallel batches),
//! `nalgebra` (solve nalgebra matrices, get nalgebra's `SymmetricEigen`: `interop::nalgebra`).
//! SIMD width is fixed at compile time; see [`simd_level`].

#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod accuracy;
pub mod batch;
pub mod dense;
mod driver;
mod error;
mod finish;
mod jacobi;
mod options;
mod prepare;
mod qr;
mod real;
mod simd;
#[cfg(feature = "alloc")]
pub mod testing;
/// Conversions to and from other linear-algebra crates.
#[cfg(feature = "nalgebra")]
pub mod interop {
    pub mod nalgebra;
}

#[cfg(feature = "alloc")]
pub use driver::{Eigh, eigh};
pub use driver::{FixedEigh, Info, eigh_fixed, eigh_in_place, resolve_solver, workspace_len};
pub use error::EigenError;
pub use options::{ComputeVectors, Options, Solver};
pub use real::Real;
pub use simd::{SimdReal, simd_level};
