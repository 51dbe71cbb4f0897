//! Dense building blocks for the differentiable layers (no allocation, `no_std`): matrix products
//! ([`gemm`]), symmetric rank-k updates ([`syrk`]) and eigen-reconstructions `V diag(d) V^T`
//! ([`reconstruct`]).
//!
//! Conventions: column-major, contiguous (leading dimension = row count); shapes are checked against the
//! slice lengths and a mismatch is an [`EigenError::DimensionMismatch`](crate::EigenError), never a panic.
//! The inner loops are the SIMD slice kernels of `simd.rs` (`axpy` down columns, `dot` of columns), so
//! the vectorised direction is always a contiguous column. The loop orders follow the BLAS reference
//! implementations (`dgemm`/`dsyrk`, netlib), which pick the column-oriented `axpy` form for `op(A) = A`
//! and the `dot` form for `op(A) = A^T`.

mod gemm;
mod reconstruct;
mod syrk;

pub use gemm::{Op, gemm};
pub use reconstruct::{congruence, reconstruct};
pub use syrk::syrk;

use crate::EigenError;

/// `Ok` if `found == expected`, else the dimension error naming `what`.
fn check(what: &'static str, expected: usize, found: usize) -> Result<(), EigenError> {
    if expected == found {
        Ok(())
    } else {
        Err(EigenError::DimensionMismatch {
            what,
            expected,
            found,
        })
    }
}

/// `rows * cols`, or a dimension error if the product overflows.
fn area(what: &'static str, rows: usize, cols: usize) -> Result<usize, EigenError> {
    rows.checked_mul(cols).ok_or(EigenError::DimensionMismatch {
        what,
        expected: usize::MAX,
        found: rows,
    })
}
