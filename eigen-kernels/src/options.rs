//! Solver options: [`Options`], [`Solver`], [`ComputeVectors`].

/// Which algorithm solves the problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Solver {
    /// Pick from the dimension and [`ComputeVectors`] (see `ARCHITECTURE.md` for the measured crossover).
    #[default]
    Auto,
    /// Cyclic Jacobi: high relative accuracy, best for small matrices.
    Jacobi,
    /// Householder tridiagonalization followed by implicit shifted QR: best for larger matrices.
    Qr,
}

/// Whether eigenvectors are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ComputeVectors {
    /// Eigenvalues and eigenvectors.
    #[default]
    Yes,
    /// Eigenvalues only (faster: no vector accumulation; the QR solver runs its square-root-free form,
    /// LAPACK dsterf). With [`Solver::Qr`] the eigenvalues can differ in the last bits from those of a
    /// solve with vectors; both meet the same accuracy bar (LAPACK ratio <= 50).
    No,
}

/// Options for every solve. `Options::default()` is right for almost all uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Algorithm (default [`Solver::Auto`]).
    pub solver: Solver,
    /// Eigenvectors or not (default [`ComputeVectors::Yes`]). Used by the allocating and batched APIs and by
    /// [`crate::workspace_len`]; the in-place API decides from whether a vectors buffer is passed.
    pub vectors: ComputeVectors,
    /// Relative off-diagonal tolerance: Jacobi treats `a_pq` as zero once
    /// `|a_pq| <= tol * sqrt(|a_pp a_qq|)`. `None` (default) means the machine epsilon of the scalar type.
    /// Values below the machine epsilon are raised to it.
    pub tolerance: Option<f64>,
    /// Cap on Jacobi sweeps (default 40); past it the solve returns [`crate::EigenError::NoConvergence`].
    pub max_sweeps: usize,
    /// Cap on implicit QR iterations per eigenvalue (default 30, LAPACK dsteqr's `MAXIT`).
    pub max_qr_iterations_per_value: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            solver: Solver::Auto,
            vectors: ComputeVectors::Yes,
            tolerance: None,
            max_sweeps: 40,
            max_qr_iterations_per_value: 30,
        }
    }
}

impl Options {
    /// Default options with the given solver.
    #[must_use]
    pub fn with_solver(self, solver: Solver) -> Self {
        Options { solver, ..self }
    }

    /// Default options with the given vectors mode.
    #[must_use]
    pub fn with_vectors(self, vectors: ComputeVectors) -> Self {
        Options { vectors, ..self }
    }
}
