//! Benchmarks of eigen-kernels against nalgebra and faer, and the library behind the `eigen` tool.
//!
//! - [`io`]: `.npy` and Matrix Market readers over bytes (never panic; used by `eigen solve` and fuzzed).
//! - [`support`] (feature `tool`): seeded benchmark inputs and one [`support::Engine`] per library, shared
//!   by every criterion group (`benches/`) and by `eigen compare`.
#![forbid(unsafe_code)]

pub use eigen_kernels;

#[cfg(feature = "tool")]
pub mod compare;
pub mod io;
pub mod solve;
#[cfg(feature = "tool")]
pub mod support;
