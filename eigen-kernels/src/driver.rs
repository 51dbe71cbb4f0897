//! The public entry points: validation, scaling, solver dispatch and output conventions.

use crate::error::check_len;
use crate::options::{ComputeVectors, Options, Solver};
use crate::{EigenError, Real, finish, jacobi, prepare, qr};

/// What a successful solve reports besides its results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct Info {
    /// The solver that ran ([`Solver::Auto`] resolved).
    pub solver: Solver,
    /// Jacobi sweeps, or implicit QR iterations, used.
    pub iterations: usize,
}

/// Largest `n` for which [`Solver::Auto`] picks Jacobi, with and without eigenvectors: measured in
/// release builds (portable and `-C target-cpu=native`), see `ARCHITECTURE.md`.
const AUTO_JACOBI_MAX_N: (usize, usize) = (3, 2);

/// The solver [`Solver::Auto`] resolves to for an `n x n` problem.
pub fn resolve_solver(n: usize, opts: &Options) -> Solver {
    match opts.solver {
        Solver::Auto => {
            let max = match opts.vectors {
                ComputeVectors::Yes => AUTO_JACOBI_MAX_N.0,
                ComputeVectors::No => AUTO_JACOBI_MAX_N.1,
            };
            if n <= max { Solver::Jacobi } else { Solver::Qr }
        }
        s => s,
    }
}

/// Workspace length (in scalars) for the fastest solve of an `n x n` problem with `opts` by
/// [`eigh_in_place`] (`opts.vectors` must match whether a vectors buffer will be passed): LAPACK's
/// optimal `lwork`. At least [`min_workspace_len`].
pub fn workspace_len<T: Real>(n: usize, opts: &Options) -> usize {
    match resolve_solver(n, opts) {
        Solver::Jacobi | Solver::Auto => jacobi::workspace_len(n),
        Solver::Qr => qr::workspace_len(n, opts.vectors),
    }
}

/// The least workspace (in scalars) [`eigh_in_place`] accepts for an `n x n` problem with `opts`:
/// LAPACK's minimal `lwork`. It equals [`workspace_len`] except for the QR solver at large `n`, which
/// runs in `4 n`: with eigenvectors from n = 128 by its QR-iteration path instead of divide and conquer
/// (slower, by an amount not measured here), and from n = 32 with its reduction in place instead of
/// in an aligned, padded copy (the reduction up to 1.9x slower; the eigenvalues differ by rounding,
/// within the usual accuracy bounds). Between the two lengths each faster path is taken when the
/// workspace holds it.
pub fn min_workspace_len<T: Real>(n: usize, opts: &Options) -> usize {
    match resolve_solver(n, opts) {
        Solver::Jacobi | Solver::Auto => jacobi::workspace_len(n),
        Solver::Qr => qr::min_workspace_len(n),
    }
}

/// Eigenvalues (and optionally eigenvectors) of the symmetric matrix `a`, without allocating.
///
/// - `a`: n x n, column-major, length `n * n`; only the lower triangle is read; overwritten.
/// - `values`: length `n`; receives the eigenvalues in ascending order.
/// - `vectors`: `Some` of length `n * n` to compute eigenvectors: column `j` is the unit eigenvector of
///   `values[j]`, with its entry of largest magnitude positive (lowest index wins ties).
/// - `work`: at least [`min_workspace_len`] scalars; [`workspace_len`] for the fastest paths.
///
/// Errors: [`EigenError::DimensionMismatch`] for wrong lengths, [`EigenError::WorkspaceTooSmall`],
/// [`EigenError::NonFinite`] for NaN/infinity in the lower triangle, [`EigenError::NoConvergence`] past the
/// iteration cap, [`EigenError::Overflow`] if an eigenvalue is not representable.
pub fn eigh_in_place<T: Real>(
    a: &mut [T],
    n: usize,
    values: &mut [T],
    vectors: Option<&mut [T]>,
    work: &mut [T],
    opts: &Options,
) -> Result<Info, EigenError> {
    T::solve_dense(a, n, values, vectors, work, opts, min_workspace_len::<T>)
}

/// [`eigh_in_place`] with the workspace requirement `needed(n, opts)`: checks, scaling, the solver,
/// unscaling, ordering and signs. The entry points call it through the instance compiled in this crate
/// for `T` (`T::solve_dense`, [`crate::kernels`]).
pub(crate) fn solve_dense<T: Real>(
    a: &mut [T],
    n: usize,
    values: &mut [T],
    mut vectors: Option<&mut [T]>,
    work: &mut [T],
    opts: &Options,
    needed: fn(usize, &Options) -> usize,
) -> Result<Info, EigenError> {
    let nn = n.checked_mul(n).ok_or(EigenError::DimensionMismatch {
        what: "n",
        expected: 0,
        found: n,
    })?;
    check_len("a", nn, a.len())?;
    check_len("values", n, values.len())?;
    if let Some(v) = vectors.as_deref() {
        check_len("vectors", nn, v.len())?;
    }
    let want = if vectors.is_some() {
        ComputeVectors::Yes
    } else {
        ComputeVectors::No
    };
    let opts = Options {
        vectors: want,
        ..*opts
    };
    let solver = resolve_solver(n, &opts);
    let needed = needed(n, &opts);
    if work.len() < needed {
        return Err(EigenError::WorkspaceTooSmall {
            needed,
            found: work.len(),
        });
    }
    let max_abs = prepare::lower_max_abs(a, n)?;
    let mut info = Info {
        solver,
        iterations: 0,
    };
    if max_abs == T::ZERO {
        values.fill(T::ZERO);
        if let Some(v) = vectors {
            jacobi::sweep::set_identity(v, n);
        }
        return Ok(info);
    }
    let e = prepare::scaling_exponent(max_abs, n);
    prepare::scale_lower(a, n, e);
    let tol = T::from_f64(opts.tolerance.unwrap_or(0.0)).max(T::EPSILON);
    info.iterations = match solver {
        Solver::Jacobi | Solver::Auto => {
            jacobi::solve(a, n, values, vectors.as_deref_mut(), work, tol, opts.max_sweeps)?
        }
        Solver::Qr => qr::solve(
            a,
            n,
            values,
            vectors.as_deref_mut(),
            work,
            opts.max_qr_iterations_per_value,
        )?,
    };
    finish::unscale_values(values, e)?;
    finish::sort_ascending(values, vectors.as_deref_mut(), n);
    if let Some(v) = vectors {
        finish::normalize_signs(v, n);
    }
    Ok(info)
}

/// Result of [`eigh_fixed`]: stack-allocated, nalgebra's layout (`vectors[j]` is eigenvector `j`).
#[derive(Debug, Clone, Copy, PartialEq)]
#[must_use]
pub struct FixedEigh<T, const N: usize> {
    /// Eigenvalues, ascending.
    pub values: [T; N],
    /// Eigenvectors as columns (`vectors[j]` belongs to `values[j]`), if requested.
    pub vectors: Option<[[T; N]; N]>,
    /// Solver report.
    pub info: Info,
}

/// Eigen-decomposition of a fixed-size symmetric matrix given as an array of columns; no allocation.
///
/// Same contract as [`eigh_in_place`], including the choice of [`Solver::Auto`]. The
/// workspace lives on the stack: `4 * N` scalars, or `2 * N * N` where [`workspace_len`] asks for more
/// (Jacobi's Brent–Luk ordering from `N = 32`, which needs a second matrix buffer; the QR reduction's
/// padded copy from `N = 32`). The faster paths that the buffer holds are taken, so the results equal
/// [`eigh`]'s wherever it holds all of [`workspace_len`]; elsewhere (QR with eigenvectors from `N =
/// 128`, and a few sizes just above 32) they agree within the accuracy bounds.
pub fn eigh_fixed<T: Real, const N: usize>(
    a: &[[T; N]; N],
    opts: &Options,
) -> Result<FixedEigh<T, N>, EigenError> {
    let mut m = *a;
    let mut values = [T::ZERO; N];
    let mut small = [[T::ZERO; N]; 4];
    let mut large = [[[T::ZERO; N]; N]; 2];
    let work: &mut [T] = if workspace_len::<T>(N, opts) <= 4 * N {
        small.as_flattened_mut()
    } else {
        large.as_flattened_mut().as_flattened_mut()
    };
    let (info, vectors) = match opts.vectors {
        ComputeVectors::Yes => {
            let mut v = [[T::ZERO; N]; N];
            let info = T::solve_dense(
                m.as_flattened_mut(),
                N,
                &mut values,
                Some(v.as_flattened_mut()),
                work,
                opts,
                min_workspace_len::<T>,
            )?;
            (info, Some(v))
        }
        ComputeVectors::No => {
            let info = T::solve_dense(
                m.as_flattened_mut(),
                N,
                &mut values,
                None,
                work,
                opts,
                min_workspace_len::<T>,
            )?;
            (info, None)
        }
    };
    Ok(FixedEigh {
        values,
        vectors,
        info,
    })
}

#[cfg(feature = "alloc")]
mod owned {
    use alloc::vec;
    use alloc::vec::Vec;

    use super::*;

    /// Result of [`eigh`]: owned eigenvalues and (optionally) eigenvectors.
    #[derive(Debug, Clone, PartialEq)]
    #[must_use]
    pub struct Eigh<T> {
        /// Dimension.
        pub n: usize,
        /// Eigenvalues, ascending.
        pub values: Vec<T>,
        /// Eigenvectors, n x n column-major, column `j` belongs to `values[j]`; `None` if not requested.
        pub vectors: Option<Vec<T>>,
        /// Solver report.
        pub info: Info,
    }

    impl<T: Real> Eigh<T> {
        /// Eigenvector `j` (column `j`), if eigenvectors were computed and `j < n`.
        pub fn vector(&self, j: usize) -> Option<&[T]> {
            let n = self.n;
            self.vectors.as_deref().and_then(|v| v.get(j * n..j * n + n))
        }
    }

    /// Eigen-decomposition of the symmetric matrix `a` (n x n, column-major, lower triangle read).
    ///
    /// The allocating convenience over [`eigh_in_place`], with the same contract and errors;
    /// eigenvectors are computed when `opts.vectors` is [`ComputeVectors::Yes`].
    pub fn eigh<T: Real>(a: &[T], n: usize, opts: &Options) -> Result<Eigh<T>, EigenError> {
        let nn = n.checked_mul(n).ok_or(EigenError::DimensionMismatch {
            what: "n",
            expected: 0,
            found: n,
        })?;
        check_len("a", nn, a.len())?;
        let mut m = a.to_vec();
        let mut values = vec![T::ZERO; n];
        let mut work = vec![T::ZERO; workspace_len::<T>(n, opts)];
        let mut vectors = match opts.vectors {
            ComputeVectors::Yes => Some(vec![T::ZERO; nn]),
            ComputeVectors::No => None,
        };
        let info = eigh_in_place(&mut m, n, &mut values, vectors.as_deref_mut(), &mut work, opts)?;
        Ok(Eigh {
            n,
            values,
            vectors,
            info,
        })
    }
}

#[cfg(feature = "alloc")]
pub use owned::{Eigh, eigh};
