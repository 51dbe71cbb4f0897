//! [`LayerError`]: every way a layer's forward or backward pass can fail, as a value.

use core::fmt;

use eigen_kernels::EigenError;

/// Why a forward or backward pass did not produce a result.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum LayerError {
    /// The eigensolver failed (non-finite input, no convergence, overflow, ...).
    Eigen(EigenError),
    /// The eigensolver failed on matrix `index` of a batch.
    InBatch {
        /// Index of the (first) failing matrix.
        index: usize,
        /// Its error.
        error: EigenError,
    },
    /// An argument has the wrong length for the stated shape.
    Shape {
        /// Which argument.
        what: &'static str,
        /// Length required.
        expected: usize,
        /// Length given.
        found: usize,
    },
    /// A spectral function is undefined (or its derivative unbounded) at an eigenvalue, e.g. the log of a
    /// non-positive eigenvalue, or the derivative of the square root at 0.
    Domain {
        /// The function (`"log"`, `"sqrt"`, ...).
        function: &'static str,
        /// Index of the offending eigenvalue (ascending order).
        index: usize,
        /// The eigenvalue.
        value: f64,
    },
    /// Strict mode: the loss depends on the choice of basis inside a degenerate eigenspace, so its
    /// gradient with respect to the matrix is undefined (see [`crate::GaugeDiagnostic`]).
    DegenerateGradient {
        /// First eigenvalue index of the worst pair.
        i: usize,
        /// Second eigenvalue index of the worst pair.
        j: usize,
        /// The basis dependence of that pair, relative to the gradient's scale.
        relative_dependence: f64,
    },
    /// A computed quantity is NaN or infinite (e.g. `exp` of a large eigenvalue, or a non-finite upstream
    /// gradient): reported instead of propagated.
    NonFinite {
        /// Which quantity.
        what: &'static str,
    },
    /// An argument is outside its valid range (e.g. `k > d`, a shrinkage outside `[0, 1]`).
    InvalidArgument(&'static str),
}

impl From<EigenError> for LayerError {
    fn from(e: EigenError) -> Self {
        LayerError::Eigen(e)
    }
}

impl fmt::Display for LayerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            LayerError::Eigen(e) => write!(f, "eigensolver: {e}"),
            LayerError::InBatch { index, error } => {
                write!(f, "eigensolver, matrix {index} of the batch: {error}")
            }
            LayerError::Shape {
                what,
                expected,
                found,
            } => {
                write!(f, "`{what}` has length {found}, expected {expected}")
            }
            LayerError::Domain {
                function,
                index,
                value,
            } => {
                write!(
                    f,
                    "{function} is undefined or not differentiable at eigenvalue {index} = {value:e}"
                )
            }
            LayerError::DegenerateGradient {
                i,
                j,
                relative_dependence,
            } => write!(
                f,
                "the loss depends on the basis of the degenerate eigenspace of eigenvalues {i} and {j} \
                 (relative dependence {relative_dependence:e}): the gradient is undefined"
            ),
            LayerError::NonFinite { what } => write!(f, "{what} is not finite"),
            LayerError::InvalidArgument(what) => write!(f, "invalid argument: {what}"),
        }
    }
}

impl std::error::Error for LayerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LayerError::Eigen(e) | LayerError::InBatch { error: e, .. } => Some(e),
            _ => None,
        }
    }
}

/// `Ok` if `found == expected`, else [`LayerError::Shape`].
pub(crate) fn check_len(what: &'static str, expected: usize, found: usize) -> Result<(), LayerError> {
    if expected == found {
        Ok(())
    } else {
        Err(LayerError::Shape {
            what,
            expected,
            found,
        })
    }
}

/// `Ok` if every entry is finite, else [`LayerError::NonFinite`].
pub(crate) fn check_finite<T: eigen_kernels::Real>(what: &'static str, x: &[T]) -> Result<(), LayerError> {
    if x.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(LayerError::NonFinite { what })
    }
}
