//! Shared pieces of the Eigenlayer fuzz targets: the byte format that decodes fuzzer input into hard
//! symmetric matrices ([`input`]), and the oracle that checks every result against the documented
//! contract ([`oracle`]): every `Ok` is accurate in LAPACK units and follows the conventions, every `Err`
//! is the documented reason for that input.
//!
//! The targets live in `fuzz_targets/`; `smoke.sh` runs each of them briefly.

pub mod batch;
pub mod input;
pub mod layer;
pub mod oracle;
pub mod readers;
pub mod targets;

pub use input::{Input, Scalar, decode_matrix, decode_n};
pub use oracle::{check_solve, check_values_agree, expected_nonfinite};
