//! Dense building blocks for the differentiable layers (no allocation, `no_std`): matrix products
//! ([`gemm()`]), symmetric rank-k updates ([`syrk`]) and eigen-reconstructions `V diag(d) V^T`
//! ([`reconstruct`]).
//!
//! Conventions: column-major, contiguous (leading dimension = row count); shapes are checked against the
//! slice lengths and a mismatch is an [`EigenError::DimensionMismatch`](crate::EigenError), never a panic.
//! Products with `A` as stored run a register-tiled kernel (`tile.rs`, SIMD lane types of `simd.rs`);
//! products with `A^T` run the `dot` slice kernel of `simd.rs` over contiguous columns (the loop order of
//! reference `dgemm`/`dsyrk`, netlib BLAS), which suits long inner dimensions such as a batch.

mod gemm;
mod reconstruct;
mod syrk;
mod tile;

pub use gemm::{Op, gemm};
pub use reconstruct::{congruence, congruence_workspace_len, reconstruct};
pub use syrk::syrk;

use crate::EigenError;

use crate::error::check_len as check;

/// `rows * cols`, or a dimension error if the product overflows.
fn area(what: &'static str, rows: usize, cols: usize) -> Result<usize, EigenError> {
    rows.checked_mul(cols).ok_or(EigenError::DimensionMismatch {
        what,
        expected: usize::MAX,
        found: rows,
    })
}
