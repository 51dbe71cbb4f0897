//! # eigen-kernels
//!
//! Symmetric eigensolvers for `f32` and `f64`, `#![no_std]`, explicitly vectorised with [`wide`]:
//! a Jacobi solver (cyclic, or Brent–Luk parallel rounds from n = 32; high relative accuracy) and, for
//! larger matrices, Householder
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
//! These hold for **every** input (any `n`, any slice lengths, any bit patterns), for every entry point
//! (in-place, fixed-size, allocating, batched), both precisions and every solver. They are asserted, not
//! just exercised, by the cargo-fuzz targets in `fuzz/` (see `ARCHITECTURE.md`), and the inputs that
//! once broke them are regression tests (`tests/regressions.rs`, `tests/guarantees.rs`).
//! - **No panic.** Bad input is an [`EigenError`] value.
//! - **No hang.** Every loop is bounded: Jacobi runs at most [`Options::max_sweeps`] sweeps (default 40)
//!   of `n (n - 1) / 2` rotations; QR at most `n *` [`Options::max_qr_iterations_per_value`] implicit
//!   steps (default 30 per eigenvalue, LAPACK dsteqr's `MAXIT`). A solve costs `O(n^3)` times the cap at
//!   worst.
//! - **No silent NaN.** Every `Ok` result has finite eigenvalues and eigenvectors.
//! - **Errors, and exactly when they occur** (checked in this order):
//!   - [`EigenError::DimensionMismatch`]: a slice's length differs from what `n` requires (`a`, then
//!     `values`, then `vectors`), or `n * n` overflows (`what = "n"`).
//!   - [`EigenError::WorkspaceTooSmall`]: `work` is shorter than [`min_workspace_len`] (LAPACK's minimal
//!     `lwork`; [`workspace_len`], the optimal one, gives the fastest paths).
//!   - [`EigenError::NonFinite`]: the lower triangle holds NaN or an infinity; `(row, col)` is the first
//!     one in column-major order. The strict upper triangle is never read (NaN there is fine).
//!   - [`EigenError::Overflow`]: an eigenvalue lies outside the finite range (`|lambda| > MAX`, which
//!     needs `|A|_F >= MAX`, i.e. entries near `MAX`). Input near overflow or underflow is otherwise
//!     solved: it is scaled by a power of two (exact) before the solve and the eigenvalues are scaled back.
//!   - [`EigenError::NoConvergence`]: an iteration cap was reached. With the default caps no finite
//!     input is known to reach them: the fuzzers treat it as a bug (two such QR inputs were found and
//!     fixed); lowering the caps below the defaults can produce it.
//!   - [`EigenError::Unsupported`]: only [`batch`] with [`Solver::Qr`].
//! - **Accuracy** in LAPACK's units ([`accuracy`], dsyt21/ddrvst): every `Ok` with eigenvectors has
//!   residual `|A - V L V^T|_1 / (n |A|_1 ulp)` and orthogonality `|I - V^T V|_1 / (n ulp)` at most 50
//!   (LAPACK's `sep.in` threshold; `|A|` floored at the smallest normal number, as LAPACK does, so
//!   matrices below the normal range are measured against it). Eigenvalues computed without vectors
//!   agree with those computed with vectors to the same ratio.
//! - **Relative accuracy**: Jacobi ([`Solver::Jacobi`]) also delivers eigenvalues of graded positive
//!   definite matrices `H = D A D` to high relative accuracy (Demmel & Veselić 1992): tested, every
//!   eigenvalue within `100 n eps cond(A)` relative error of a double-double reference for `D` spanning
//!   `1e-8..1e8`, in both precisions and both orderings. QR-based solvers, ours included, only promise
//!   normwise accuracy.
//! - **Conventions** always hold: ascending eigenvalues, unit eigenvectors with the sign rule above.
//!
//! ## Features
//! `alloc` (allocating API, [`testing`]), `std` (default; implies `alloc`), `rayon` (parallel batches),
//! `nalgebra` (solve nalgebra matrices, get nalgebra's `SymmetricEigen`: `interop::nalgebra`).
//! SIMD width is fixed at compile time ([`simd_level`]), except that an x86-64 build with `std` and
//! without AVX2+FMA compiled in runs its hot kernels on AVX-512 or AVX2+FMA when the CPU has them
//! ([`dispatch_level`]; safe `pulp` tokens, no `unsafe` here). Without `std` or `alloc` the crate links
//! into bare-metal binaries (`no-std-check/`, built for `thumbv7em-none-eabihf` in CI).

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
mod kernels;
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
pub use driver::{
    FixedEigh, Info, eigh_fixed, eigh_in_place, min_workspace_len, resolve_solver, workspace_len,
};
pub use error::EigenError;
pub use options::{ComputeVectors, Options, Solver};
pub use real::Real;
pub use simd::{DispatchLevel, SimdReal, dispatch_level, simd_level};
