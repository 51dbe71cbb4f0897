//! [`EighOp`]: eigendecomposition with a backward pass that stays finite at repeated eigenvalues.
//!
//! Forward: `A = V diag(l) V^T` by [`eigen_kernels::eigh_in_place`]. Backward (Giles 2008, "An extended
//! collection of matrix derivative results for forward and reverse mode AD", sec. 3.1; Seeger et al. 2017):
//!
//! ```text
//! G = V (diag(g_l) + F o skew(V^T g_V)) V^T,   F_ij = 1 / (l_j - l_i),   skew(M) = (M - M^T) / 2,
//! ```
//!
//! which is already symmetric because `F` is antisymmetric. `G` follows the crate's gradient convention:
//! `dL = sum_ij G_ij dA_ij` for every symmetric `dA`.
//!
//! **Degenerate pairs.** A pair is degenerate when `|l_i - l_j| <= tau * max(1, max_k |l_k|)`, with `tau`
//! [`EighOptions::degeneracy_tol`] (default `sqrt(eps)` of the scalar: 1.5e-8 for `f64`, 3.5e-4 for `f32`).
//! Inside a degenerate eigenspace the eigenvectors are any orthonormal basis; a loss that does not depend on
//! that choice has `skew(V^T g_V)` zero on the pair, and the exact gradient is the limit with zero
//! coupling `F_ij = 0` (Kasim 2020, "Derivatives of partial eigendecomposition of a real symmetric matrix
//! for degenerate cases", arXiv:2011.04366). Never `1/0`: the result is finite for finite inputs.
//!
//! **When the loss depends on the basis** the gradient does not exist. [`EighOp::backward_report`] returns a
//! [`GaugeDiagnostic`] naming the worst pair; with [`GaugeMode::Strict`] [`EighOp::backward`] returns
//! [`LayerError::DegenerateGradient`] instead. Two signatures are checked on every degenerate pair, both
//! relative to the largest entry of `V^T g_V` and `g_l`, against [`EighOptions::gauge_tol`] (default
//! `eps^(1/3)`: 6e-6 for `f64`, 5e-3 for `f32`):
//! - [`GaugeKind::VectorCoupling`]: `|(V^T g_V)_ij - (V^T g_V)_ji|` (the loss changes under a rotation of the
//!   pair);
//! - [`GaugeKind::UnequalValueGradients`]: `|g_l_i - g_l_j|` (the loss treats the two equal eigenvalues
//!   differently, so `V diag(g_l) V^T` changes with the basis; e.g. `trace(f(A) B)` assembled from eigenpairs.
//!   Such losses are differentiable but need the Daleckii–Krein form: use [`crate::SpectralOp`]).
//!
//! **Lorentzian broadening** ([`Broadening::Lorentzian`]) replaces `1/d` by `d / (d^2 + epsilon)` on the
//! non-degenerate pairs (Liao, Liu, Wang, Xiang 2019, "Differentiable programming tensor networks",
//! Phys. Rev. X 9, 031041): a biased but smooth coupling for nearly degenerate spectra.

use eigen_kernels::dense::{Op, congruence, congruence_workspace_len, gemm};
use eigen_kernels::{Options, Real, eigh_in_place, workspace_len};

use crate::error::{LayerError, check_finite, check_len};

/// What the backward pass does when the loss depends on the basis of a degenerate eigenspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum GaugeMode {
    /// Return the zero-coupling gradient and report a [`GaugeDiagnostic`] (default).
    #[default]
    Diagnose,
    /// Return [`LayerError::DegenerateGradient`].
    Strict,
}

/// How the eigenvector coupling `1 / (l_j - l_i)` is evaluated on non-degenerate pairs.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Broadening {
    /// The exact coupling `1 / d` (default).
    #[default]
    None,
    /// `d / (d^2 + epsilon)` (Lorentzian); `epsilon > 0` in squared eigenvalue units.
    Lorentzian {
        /// Width parameter.
        epsilon: f64,
    },
}

/// Options of [`EighOp`] (and of the batched form). `Default` is right for most uses.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct EighOptions {
    /// Options of the eigensolver (solver choice, tolerances, caps).
    pub solver: Options,
    /// Relative degeneracy threshold `tau`; `None` means `sqrt(eps)` of the scalar type.
    pub degeneracy_tol: Option<f64>,
    /// Relative threshold of the basis-dependence diagnostic; `None` means `eps^(1/3)` of the scalar type.
    pub gauge_tol: Option<f64>,
    /// Diagnose or reject basis-dependent losses.
    pub mode: GaugeMode,
    /// Coupling of non-degenerate pairs.
    pub broadening: Broadening,
}

impl EighOptions {
    /// The degeneracy threshold `tau` in effect for scalar `T`.
    pub fn tau<T: Real>(&self) -> f64 {
        self.degeneracy_tol.unwrap_or_else(|| T::EPSILON.to_f64().sqrt())
    }

    /// The diagnostic threshold in effect for scalar `T`.
    pub fn gauge_threshold<T: Real>(&self) -> f64 {
        self.gauge_tol.unwrap_or_else(|| T::EPSILON.to_f64().cbrt())
    }
}

/// Which basis dependence a [`GaugeDiagnostic`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GaugeKind {
    /// `V^T g_V` is not symmetric on a degenerate pair: the loss depends on the eigenvectors' basis.
    VectorCoupling,
    /// `g_l` differs on a degenerate pair: the eigenvalue part depends on the basis.
    UnequalValueGradients,
}

/// Report of a backward pass through a degenerate eigenspace whose loss depends on the basis choice.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GaugeDiagnostic {
    /// First index of the worst degenerate pair.
    pub i: usize,
    /// Second index of the worst degenerate pair.
    pub j: usize,
    /// The kind of dependence of the worst pair.
    pub kind: GaugeKind,
    /// Its size relative to the gradient's largest entry.
    pub relative_dependence: f64,
    /// Number of degenerate pairs above the threshold.
    pub pairs: usize,
}

/// Result of [`EighOp::backward_report`]: the gradient and, if the loss depends on a degenerate basis,
/// the diagnostic.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct EighBackward<T> {
    /// Symmetric gradient with respect to `A` (n x n, column-major).
    pub grad: Vec<T>,
    /// `Some` when the gradient is not well defined (see the module docs).
    pub diagnostic: Option<GaugeDiagnostic>,
}

/// A differentiable symmetric eigendecomposition: keeps `values` (ascending) and `vectors` (columns,
/// sign convention of eigen-kernels) for the backward pass.
#[derive(Debug, Clone, PartialEq)]
pub struct EighOp<T> {
    n: usize,
    values: Vec<T>,
    vectors: Vec<T>,
    opts: EighOptions,
}

impl<T: Real> EighOp<T> {
    /// Decomposes the symmetric `a` (n x n, column-major, lower triangle read) with default options.
    pub fn forward(a: &[T], n: usize) -> Result<Self, LayerError> {
        Self::forward_with(a, n, &EighOptions::default())
    }

    /// [`EighOp::forward`] with options.
    pub fn forward_with(a: &[T], n: usize, opts: &EighOptions) -> Result<Self, LayerError> {
        let nn = n
            .checked_mul(n)
            .ok_or(LayerError::InvalidArgument("n * n overflows"))?;
        check_len("a", nn, a.len())?;
        let mut m = a.to_vec();
        let mut values = vec![T::ZERO; n];
        let mut vectors = vec![T::ZERO; nn];
        let mut work = vec![T::ZERO; workspace_len::<T>(n, &opts.solver)];
        let _info = eigh_in_place(
            &mut m,
            n,
            &mut values,
            Some(&mut vectors),
            &mut work,
            &opts.solver,
        )?;
        Ok(EighOp {
            n,
            values,
            vectors,
            opts: *opts,
        })
    }

    /// Dimension.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Eigenvalues, ascending.
    pub fn values(&self) -> &[T] {
        &self.values
    }

    /// Eigenvectors, n x n column-major; column `j` belongs to `values()[j]`.
    pub fn vectors(&self) -> &[T] {
        &self.vectors
    }

    /// Gradient with respect to `A` from the gradients of the loss with respect to the eigenvalues
    /// (length n) and the eigenvectors (n x n); `None` means zero.
    ///
    /// Errors: [`LayerError::Shape`], [`LayerError::NonFinite`] for non-finite upstream gradients, and in
    /// [`GaugeMode::Strict`] [`LayerError::DegenerateGradient`].
    pub fn backward(
        &self,
        grad_values: Option<&[T]>,
        grad_vectors: Option<&[T]>,
    ) -> Result<Vec<T>, LayerError> {
        Ok(self.backward_report(grad_values, grad_vectors)?.grad)
    }

    /// [`EighOp::backward`] returning the basis-dependence diagnostic alongside the gradient.
    pub fn backward_report(
        &self,
        grad_values: Option<&[T]>,
        grad_vectors: Option<&[T]>,
    ) -> Result<EighBackward<T>, LayerError> {
        let n = self.n;
        let mut grad = vec![T::ZERO; n * n];
        let mut work = vec![T::ZERO; eigh_backward_workspace_len(n)];
        let diagnostic = eigh_backward_into(
            n,
            &self.values,
            &self.vectors,
            grad_values,
            grad_vectors,
            &self.opts,
            &mut grad,
            &mut work,
        )?;
        Ok(EighBackward { grad, diagnostic })
    }
}

/// Workspace (scalars) of [`eigh_backward_into`].
pub fn eigh_backward_workspace_len(n: usize) -> usize {
    n * n + congruence_workspace_len(n)
}

/// The eigh backward pass without allocation: writes `G` into `grad` (n x n) and returns the diagnostic.
/// `work` needs [`eigh_backward_workspace_len`] scalars. See the module docs for the formula.
pub fn eigh_backward_into<T: Real>(
    n: usize,
    values: &[T],
    vectors: &[T],
    grad_values: Option<&[T]>,
    grad_vectors: Option<&[T]>,
    opts: &EighOptions,
    grad: &mut [T],
    work: &mut [T],
) -> Result<Option<GaugeDiagnostic>, LayerError> {
    let nn = n * n;
    check_len("values", n, values.len())?;
    check_len("vectors", nn, vectors.len())?;
    check_len("grad", nn, grad.len())?;
    if let Some(g) = grad_values {
        check_len("grad_values", n, g.len())?;
        check_finite("grad_values", g)?;
    }
    if let Some(g) = grad_vectors {
        check_len("grad_vectors", nn, g.len())?;
        check_finite("grad_vectors", g)?;
    }
    if work.len() < eigh_backward_workspace_len(n) {
        return Err(LayerError::Shape {
            what: "work",
            expected: eigh_backward_workspace_len(n),
            found: work.len(),
        });
    }
    let (k, rest) = work.split_at_mut(nn);
    // K <- V^T g_V (the eigenvector gradient in the eigenbasis), or zero.
    match grad_vectors {
        Some(gv) => gemm(Op::Trans, Op::NoTrans, n, n, n, T::ONE, vectors, gv, T::ZERO, k)?,
        None => k.fill(T::ZERO),
    }
    let gl = |i: usize| grad_values.map_or(T::ZERO, |g| g[i]);
    let mut scale = T::ZERO;
    for x in k.iter() {
        scale = scale.max(x.abs());
    }
    for i in 0..n {
        scale = scale.max(gl(i).abs());
    }
    let max_abs_l = values.iter().fold(1.0f64, |m, l| m.max(l.to_f64().abs()));
    let threshold = T::from_f64(opts.tau::<T>() * max_abs_l);
    let gauge_tol = T::from_f64(opts.gauge_threshold::<T>());
    let mut worst: Option<GaugeDiagnostic> = None;
    let mut pairs = 0;
    for j in 0..n {
        for i in j + 1..n {
            let d = values[j] - values[i];
            let (mij, mji) = (k[j * n + i], k[i * n + j]);
            let half_skew = (mij - mji) * T::HALF;
            let coupling = if d.abs() <= threshold {
                // Degenerate pair: gauge-invariant limit (zero coupling), and check the invariance.
                if scale > T::ZERO {
                    for (kind, dep) in [
                        (GaugeKind::VectorCoupling, (mij - mji).abs() / scale),
                        (GaugeKind::UnequalValueGradients, (gl(i) - gl(j)).abs() / scale),
                    ] {
                        if dep > gauge_tol {
                            pairs += 1;
                            if worst.is_none_or(|w| dep.to_f64() > w.relative_dependence) {
                                worst = Some(GaugeDiagnostic {
                                    i: j,
                                    j: i,
                                    kind,
                                    relative_dependence: dep.to_f64(),
                                    pairs: 0,
                                });
                            }
                        }
                    }
                }
                T::ZERO
            } else {
                match opts.broadening {
                    Broadening::None => half_skew / d,
                    Broadening::Lorentzian { epsilon } => half_skew * d / (d * d + T::from_f64(epsilon)),
                }
            };
            k[j * n + i] = coupling;
            k[i * n + j] = coupling;
        }
        k[j * n + j] = gl(j);
    }
    let worst = worst.map(|w| GaugeDiagnostic { pairs, ..w });
    if let (GaugeMode::Strict, Some(w)) = (opts.mode, worst) {
        return Err(LayerError::DegenerateGradient {
            i: w.i,
            j: w.j,
            relative_dependence: w.relative_dependence,
        });
    }
    congruence(Op::NoTrans, n, vectors, k, rest, grad)?;
    check_finite("eigh gradient", grad)?;
    Ok(worst)
}
