//! [`EigenError`]: every way a solve can fail, as a value.

use core::fmt;

/// Why a solve did not produce a result. Every variant says what the caller can do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EigenError {
    /// Entry `(row, col)` of the lower triangle is NaN or infinite (the first one in column-major order).
    NonFinite {
        /// Row of the offending entry.
        row: usize,
        /// Column of the offending entry.
        col: usize,
    },
    /// A slice has the wrong length for the stated dimension.
    DimensionMismatch {
        /// Which argument (`"a"`, `"values"`, `"vectors"`, ...).
        what: &'static str,
        /// Length required.
        expected: usize,
        /// Length given.
        found: usize,
    },
    /// The caller's workspace is shorter than [`crate::workspace_len`] requires.
    WorkspaceTooSmall {
        /// Length required.
        needed: usize,
        /// Length given.
        found: usize,
    },
    /// The iteration cap was reached before every off-diagonal entry became negligible.
    NoConvergence {
        /// Sweeps (Jacobi) or QR iterations (QR) performed.
        iterations: usize,
        /// Off-diagonal entries still above the tolerance when the cap was hit.
        remaining: usize,
    },
    /// An eigenvalue lies outside the floating-point range (the input was finite, but an eigenvalue of it,
    /// e.g. of a matrix whose entries are all near `MAX`, is not representable).
    Overflow,
    /// The requested solver or mode is not available in this build.
    Unsupported(&'static str),
}

impl fmt::Display for EigenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            EigenError::NonFinite { row, col } => {
                write!(f, "matrix entry ({row}, {col}) is not finite (NaN or infinity)")
            }
            EigenError::DimensionMismatch {
                what,
                expected,
                found,
            } => {
                write!(f, "`{what}` has length {found}, expected {expected}")
            }
            EigenError::WorkspaceTooSmall { needed, found } => {
                write!(f, "workspace has length {found}, the solve needs {needed}")
            }
            EigenError::NoConvergence {
                iterations,
                remaining,
            } => write!(
                f,
                "no convergence after {iterations} iterations ({remaining} off-diagonal entries above tolerance)"
            ),
            EigenError::Overflow => write!(f, "an eigenvalue exceeds the floating-point range"),
            EigenError::Unsupported(what) => write!(f, "unsupported: {what}"),
        }
    }
}

impl core::error::Error for EigenError {}

/// `Ok` if `found == expected`, else [`EigenError::DimensionMismatch`] naming `what`.
pub(crate) fn check_len(what: &'static str, expected: usize, found: usize) -> Result<(), EigenError> {
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
