//! # eigen-layer
//!
//! Differentiable eigendecomposition layers on top of [`eigen_kernels`]:
//!
//! - [`EighOp`]: eigenvalues and eigenvectors with a backward pass that is finite and exact at repeated
//!   eigenvalues for losses that do not depend on the basis of a degenerate eigenspace, and that says so
//!   ([`GaugeDiagnostic`], or an error in [`GaugeMode::Strict`]) when the loss does.
//! - [`SpectralOp`] with [`Spectral`] (`log`, `sqrt`, `A^(-1/2)`, `A^p`, `exp`, ReEig, user functions):
//!   matrix functions through the Daleckii–Krein formula with cancellation-free divided differences.
//! - [`EigenLayer`]: a learnable PCA layer (top-k eigenvectors of the batch covariance, backward through the
//!   covariance and the partial spectrum).
//! - [`batch`]: the ops over many matrices (covariance pooling), parallel with the `rayon` feature.
//! - [`nn`]: just enough to train: [`nn::Linear`], [`nn::mse`], [`nn::softmax_cross_entropy`], [`nn::Sgd`],
//!   [`nn::Adam`].
//!
//! ## Gradient convention
//! For a symmetric input `A` the returned gradient `G` is symmetric and `dL = sum_ij G_ij dA_ij` for every
//! symmetric perturbation `dA` (matrices column-major, as in eigen-kernels). Every gradient is checked
//! against central finite differences in the tests.
//!
//! ```
//! use eigen_layer::{Spectral, SpectralOp};
//! // log of the identity is zero and its gradient is finite (the identity is maximally degenerate).
//! let eye = [1.0f64, 0.0, 0.0, 1.0];
//! let op = SpectralOp::forward(&eye, 2, Spectral::Log).unwrap();
//! assert!(op.output().iter().all(|x| x.abs() < 1e-15));
//! let g = op.backward(&[1.0, 0.0, 0.0, 1.0]).unwrap();
//! assert!((g[0] - 1.0).abs() < 1e-15 && (g[3] - 1.0).abs() < 1e-15);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod batch;
mod eigh_op;
mod error;
pub mod nn;
mod pca;

mod spectral;

pub use eigen_kernels;
pub use eigh_op::{
    Broadening, EighBackward, EighOp, EighOptions, GaugeDiagnostic, GaugeKind, GaugeMode, eigh_backward_into,
    eigh_backward_workspace_len,
};
pub use error::LayerError;
pub use pca::{EigenLayer, EigenLayerConfig, EigenLayerGrads, Mode};
pub use spectral::{
    Spectral, SpectralOp, spectral_backward_into, spectral_backward_workspace_len, spectral_forward_into,
    spectral_output_into,
};
