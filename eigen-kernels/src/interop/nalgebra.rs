//! nalgebra interoperability (feature `nalgebra`): solve nalgebra matrices with eigen-kernels and get
//! nalgebra's own [`SymmetricEigen`] back, so switching is one line:
//!
//! ```
//! use eigen_kernels::Options;
//! use eigen_kernels::interop::nalgebra::NalgebraEigh;
//! let m = nalgebra::Matrix3::new(2.0f64, 1.0, 0.0, 1.0, 2.0, 0.0, 0.0, 0.0, 5.0);
//! // was: let e = m.symmetric_eigen();
//! let e = m.eigh(&Options::default()).unwrap();
//! assert!((e.eigenvalues[0] - 1.0).abs() < 1e-14 && (e.eigenvalues[2] - 5.0).abs() < 1e-14);
//! ```
//!
//! Fixed sizes (`SMatrix<T, N, N>`) go through [`crate::eigh_fixed`] on the stack; `DMatrix<T>` (feature
//! `alloc`) through [`crate::eigh`]. Unlike nalgebra's `symmetric_eigen`, the results follow this crate's
//! conventions: eigenvalues ascending, eigenvector `j` in column `j` with its largest entry positive, only
//! the lower triangle read, and errors instead of unbounded iteration. Plain conversions need no helper:
//! nalgebra's `SMatrix::from([[T; N]; N])` and `Into<[[T; N]; N]>` already use our array-of-columns
//! layout, and `DMatrix::as_slice` / `DMatrix::from_column_slice` our column-major slices.

use ::nalgebra::{Const, Dim, OMatrix, OVector, RealField, SMatrix, SymmetricEigen};

#[cfg(feature = "alloc")]
use ::nalgebra::{DMatrix, DVector, Dyn};

use crate::{ComputeVectors, EigenError, Options, Real, eigh_fixed};

/// Symmetric eigendecomposition of a square nalgebra matrix with eigen-kernels.
pub trait NalgebraEigh<T: Real + RealField, D: Dim>
where
    ::nalgebra::DefaultAllocator:
        ::nalgebra::allocator::Allocator<D, D> + ::nalgebra::allocator::Allocator<D>,
{
    /// Eigenvalues (ascending) and eigenvectors (columns) as nalgebra's [`SymmetricEigen`]
    /// (`opts.vectors` is ignored: vectors are always computed).
    fn eigh(&self, opts: &Options) -> Result<SymmetricEigen<T, D>, EigenError>;

    /// Eigenvalues only, ascending (like nalgebra's `symmetric_eigenvalues`).
    fn eigh_values(&self, opts: &Options) -> Result<OVector<T, D>, EigenError>;
}

impl<T: Real + RealField, const N: usize> NalgebraEigh<T, Const<N>> for SMatrix<T, N, N> {
    fn eigh(&self, opts: &Options) -> Result<SymmetricEigen<T, Const<N>>, EigenError> {
        let columns: [[T; N]; N] = (*self).into();
        let r = eigh_fixed(&columns, &opts.with_vectors(ComputeVectors::Yes))?;
        let vectors = r
            .vectors
            .ok_or(EigenError::Unsupported("eigenvectors were not computed"))?;
        Ok(SymmetricEigen {
            eigenvalues: OVector::<T, Const<N>>::from(r.values),
            eigenvectors: OMatrix::<T, Const<N>, Const<N>>::from(vectors),
        })
    }

    fn eigh_values(&self, opts: &Options) -> Result<OVector<T, Const<N>>, EigenError> {
        let columns: [[T; N]; N] = (*self).into();
        let r = eigh_fixed(&columns, &opts.with_vectors(ComputeVectors::No))?;
        Ok(OVector::<T, Const<N>>::from(r.values))
    }
}

#[cfg(feature = "alloc")]
fn square<T: Real + RealField>(m: &DMatrix<T>) -> Result<usize, EigenError> {
    let (r, c) = m.shape();
    if r == c {
        Ok(r)
    } else {
        Err(EigenError::DimensionMismatch {
            what: "a (not square)",
            expected: r.saturating_mul(r),
            found: r.saturating_mul(c),
        })
    }
}

#[cfg(feature = "alloc")]
impl<T: Real + RealField> NalgebraEigh<T, Dyn> for DMatrix<T> {
    fn eigh(&self, opts: &Options) -> Result<SymmetricEigen<T, Dyn>, EigenError> {
        let n = square(self)?;
        let r = crate::eigh(self.as_slice(), n, &opts.with_vectors(ComputeVectors::Yes))?;
        let vectors = r
            .vectors
            .ok_or(EigenError::Unsupported("eigenvectors were not computed"))?;
        Ok(SymmetricEigen {
            eigenvalues: DVector::from_vec(r.values),
            eigenvectors: DMatrix::from_vec(n, n, vectors),
        })
    }

    fn eigh_values(&self, opts: &Options) -> Result<DVector<T>, EigenError> {
        let n = square(self)?;
        let r = crate::eigh(self.as_slice(), n, &opts.with_vectors(ComputeVectors::No))?;
        Ok(DVector::from_vec(r.values))
    }
}
