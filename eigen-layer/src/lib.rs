//! Differentiable eigendecomposition layers on top of `eigen-kernels` (under construction).
#![forbid(unsafe_code)]

pub use eigen_kernels;
