//! Benchmark support and the `eigen` tool (under construction).
#![forbid(unsafe_code)]

pub use eigen_kernels;
