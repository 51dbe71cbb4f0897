//! [`Spectral`] matrix functions `f(A) = V f(L) V^T` and their backward pass [`SpectralOp`].
//!
//! Backward by the Daleckii–Krein formula (Daleckii & Krein 1965; Higham, "Functions of Matrices", 2008,
//! Thm. 3.11; Ionescu, Vantzos, Sminchisescu 2015, "Matrix backpropagation for deep networks with
//! structured layers"):
//!
//! ```text
//! G = V (L o (V^T S V)) V^T,   S = (g + g^T) / 2,
//! L_ij = (f(l_i) - f(l_j)) / (l_i - l_j)  (l_i != l_j),   L_ii = f'(l_i).
//! ```
//!
//! `L` is a divided difference, so it is finite and continuous through repeated eigenvalues: no
//! degeneracy threshold is needed, and `sqrt`/`log`/`InvSqrt` at the identity have their exact gradients.
//! Close eigenvalues are evaluated without cancellation: `log` through `log1p((a - b) / b) / (a - b)`,
//! `exp` through `e^b expm1(a - b) / (a - b)`, `pow` through `b^p expm1(p log1p((a - b) / b)) / (a - b)`,
//! `sqrt` and `a^(-1/2)` through exact rational rewrites (`1 / (sqrt a + sqrt b)`,
//! `-f(a)^2 f(b)^2 / (f(a) + f(b))`). A user function uses its derivative (mean of `f'` at both ends) when
//! the gap is below `sqrt(eps)` relative.

use eigen_kernels::dense::{Op, congruence, congruence_workspace_len, reconstruct};
use eigen_kernels::{Options, Real, eigh_in_place, workspace_len};

use crate::error::{LayerError, check_finite, check_len};

/// A scalar function applied to the eigenvalues of a symmetric matrix.
#[derive(Debug, Clone, Copy)]
pub enum Spectral<T> {
    /// Natural logarithm (SPD input; LogEig of SPDNet, Huang & Van Gool 2017).
    Log,
    /// Square root (PSD input; MPN-COV, Li et al. 2017). The derivative is unbounded at a zero eigenvalue.
    Sqrt,
    /// `l^(-1/2)` (SPD input; whitening).
    InvSqrt,
    /// `l^p` (positive eigenvalues; zero is allowed when `p >= 1`).
    Pow(T),
    /// Exponential.
    Exp,
    /// `max(eps, l)`: the ReEig rectification of SPDNet (derivative 1 above `eps`, 0 at or below).
    ReEig {
        /// The floor.
        eps: T,
    },
    /// A user function and its derivative (no domain checks beyond finiteness of the results).
    Custom {
        /// The function.
        f: fn(T) -> T,
        /// Its derivative.
        df: fn(T) -> T,
    },
}

impl<T: Real> Spectral<T> {
    /// Short name for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Spectral::Log => "log",
            Spectral::Sqrt => "sqrt",
            Spectral::InvSqrt => "inverse sqrt",
            Spectral::Pow(_) => "pow",
            Spectral::Exp => "exp",
            Spectral::ReEig { .. } => "reeig",
            Spectral::Custom { .. } => "custom function",
        }
    }

    /// `f(l)`, or [`LayerError::Domain`] outside the domain (`index` names the eigenvalue in messages).
    pub fn apply(&self, l: T, index: usize) -> Result<T, LayerError> {
        let domain = |ok: bool| {
            if ok {
                Ok(())
            } else {
                Err(LayerError::Domain {
                    function: self.name(),
                    index,
                    value: l.to_f64(),
                })
            }
        };
        let y = match *self {
            Spectral::Log => {
                domain(l > T::ZERO)?;
                l.ln()
            }
            Spectral::Sqrt => {
                domain(l >= T::ZERO)?;
                l.sqrt()
            }
            Spectral::InvSqrt => {
                domain(l > T::ZERO)?;
                T::ONE / l.sqrt()
            }
            Spectral::Pow(p) => {
                domain(l > T::ZERO || (l == T::ZERO && p >= T::ONE))?;
                l.powf(p)
            }
            Spectral::Exp => l.exp(),
            Spectral::ReEig { eps } => l.max(eps),
            Spectral::Custom { f, .. } => f(l),
        };
        domain(y.is_finite())?;
        Ok(y)
    }

    /// `f'(l)` (`fl = f(l)`).
    fn derivative(&self, l: T, fl: T) -> T {
        match *self {
            Spectral::Log => T::ONE / l,
            Spectral::Sqrt => T::HALF / fl,
            Spectral::InvSqrt => -T::HALF * fl * fl * fl,
            Spectral::Pow(p) => p * l.powf(p - T::ONE),
            Spectral::Exp => fl,
            Spectral::ReEig { eps } => {
                if l > eps {
                    T::ONE
                } else {
                    T::ZERO
                }
            }
            Spectral::Custom { df, .. } => df(l),
        }
    }

    /// The divided difference `(f(a) - f(b)) / (a - b)`, `f'(a)` when `a == b`, evaluated without
    /// cancellation for close arguments (`fa = f(a)`, `fb = f(b)`).
    pub fn divided_difference(&self, a: T, b: T, fa: T, fb: T) -> T {
        let d = a - b;
        if d == T::ZERO {
            return self.derivative(a, fa);
        }
        let naive = (fa - fb) / d;
        match *self {
            Spectral::Log => {
                // log(a) - log(b) = log1p((a - b) / b); exact cancellation-free when a/b is near 1.
                let r = d / b;
                if r.abs() < T::HALF { r.ln_1p() / d } else { naive }
            }
            Spectral::Exp => {
                if d.abs() <= T::ONE {
                    fb * d.exp_m1() / d
                } else {
                    naive
                }
            }
            Spectral::Pow(p) => {
                let r = d / b;
                if b > T::ZERO && r.abs() < T::HALF {
                    fb * (p * r.ln_1p()).exp_m1() / d
                } else {
                    naive
                }
            }
            Spectral::Sqrt => T::ONE / (fa + fb),
            Spectral::InvSqrt => {
                let (a2, b2) = (fa * fa, fb * fb);
                -(a2 * b2) / (fa + fb)
            }
            Spectral::ReEig { .. } => naive,
            Spectral::Custom { df, .. } => {
                let close = T::EPSILON.sqrt() * T::ONE.max(a.abs()).max(b.abs());
                if d.abs() <= close {
                    (df(a) + df(b)) * T::HALF
                } else {
                    naive
                }
            }
        }
    }
}

/// A differentiable spectral function `f(A)` of a symmetric matrix: keeps the eigenpairs, `f(l)` and
/// the output for the backward pass.
#[derive(Debug, Clone)]
pub struct SpectralOp<T> {
    n: usize,
    f: Spectral<T>,
    values: Vec<T>,
    f_values: Vec<T>,
    vectors: Vec<T>,
    output: Vec<T>,
}

impl<T: Real> SpectralOp<T> {
    /// `f(A)` for the symmetric `a` (n x n, column-major, lower triangle read), default solver options.
    ///
    /// Errors: [`LayerError::Shape`], [`LayerError::Eigen`], [`LayerError::Domain`] (e.g. the log of a
    /// non-positive eigenvalue).
    pub fn forward(a: &[T], n: usize, f: Spectral<T>) -> Result<Self, LayerError> {
        Self::forward_with(a, n, f, &Options::default())
    }

    /// [`SpectralOp::forward`] with eigensolver options.
    pub fn forward_with(a: &[T], n: usize, f: Spectral<T>, opts: &Options) -> Result<Self, LayerError> {
        let nn = n
            .checked_mul(n)
            .ok_or(LayerError::InvalidArgument("n * n overflows"))?;
        check_len("a", nn, a.len())?;
        let mut op = SpectralOp {
            n,
            f,
            values: vec![T::ZERO; n],
            f_values: vec![T::ZERO; n],
            vectors: vec![T::ZERO; nn],
            output: a.to_vec(),
        };
        let mut work = vec![T::ZERO; workspace_len::<T>(n, opts)];
        spectral_forward_into(
            n,
            &f,
            opts,
            &mut op.output,
            &mut op.values,
            &mut op.f_values,
            &mut op.vectors,
            &mut work,
        )?;
        Ok(op)
    }

    /// `f(A)`, n x n column-major, exactly symmetric.
    pub fn output(&self) -> &[T] {
        &self.output
    }

    /// Eigenvalues of `A`, ascending.
    pub fn values(&self) -> &[T] {
        &self.values
    }

    /// Eigenvectors of `A` (columns).
    pub fn vectors(&self) -> &[T] {
        &self.vectors
    }

    /// Gradient with respect to `A` from the gradient `grad_out` (n x n) with respect to `f(A)`.
    ///
    /// Errors: [`LayerError::Shape`], [`LayerError::NonFinite`], [`LayerError::Domain`] when `f'` is
    /// unbounded at an eigenvalue (e.g. `sqrt` at 0).
    pub fn backward(&self, grad_out: &[T]) -> Result<Vec<T>, LayerError> {
        let n = self.n;
        let mut grad = vec![T::ZERO; n * n];
        let mut work = vec![T::ZERO; spectral_backward_workspace_len(n)];
        spectral_backward_into(
            n,
            &self.f,
            &self.values,
            &self.f_values,
            &self.vectors,
            grad_out,
            &mut grad,
            &mut work,
        )?;
        Ok(grad)
    }
}

/// `f(A)` without allocation: `a` (n x n) is overwritten by `f(A)`; `values`, `f_values` (n) and
/// `vectors` (n x n) receive the eigenpairs and `f(l)`; `work` needs
/// [`eigen_kernels::workspace_len`]`(n, opts)` scalars.
pub fn spectral_forward_into<T: Real>(
    n: usize,
    f: &Spectral<T>,
    opts: &Options,
    a: &mut [T],
    values: &mut [T],
    f_values: &mut [T],
    vectors: &mut [T],
    work: &mut [T],
) -> Result<(), LayerError> {
    let _info = eigh_in_place(a, n, values, Some(vectors), work, opts)?;
    spectral_output_into(n, f, values, f_values, vectors, a)
}

/// The output half of the forward pass: `f_values = f(values)`, `out = V diag(f_values) V^T`.
pub fn spectral_output_into<T: Real>(
    n: usize,
    f: &Spectral<T>,
    values: &[T],
    f_values: &mut [T],
    vectors: &[T],
    out: &mut [T],
) -> Result<(), LayerError> {
    check_len("f_values", n, f_values.len())?;
    for (i, (fl, l)) in f_values.iter_mut().zip(values).enumerate() {
        *fl = f.apply(*l, i)?;
    }
    reconstruct(n, n, vectors, f_values, out)?;
    check_finite("f(A)", out)
}

/// Workspace (scalars) of [`spectral_backward_into`].
pub fn spectral_backward_workspace_len(n: usize) -> usize {
    n * n + congruence_workspace_len(n)
}

/// The Daleckii–Krein backward pass without allocation (see the module docs); `work` needs
/// [`spectral_backward_workspace_len`] scalars.
pub fn spectral_backward_into<T: Real>(
    n: usize,
    f: &Spectral<T>,
    values: &[T],
    f_values: &[T],
    vectors: &[T],
    grad_out: &[T],
    grad: &mut [T],
    work: &mut [T],
) -> Result<(), LayerError> {
    let nn = n * n;
    check_len("values", n, values.len())?;
    check_len("f_values", n, f_values.len())?;
    check_len("vectors", nn, vectors.len())?;
    check_len("grad_out", nn, grad_out.len())?;
    check_len("grad", nn, grad.len())?;
    check_finite("grad_out", grad_out)?;
    if work.len() < spectral_backward_workspace_len(n) {
        return Err(LayerError::Shape {
            what: "work",
            expected: spectral_backward_workspace_len(n),
            found: work.len(),
        });
    }
    let (k, rest) = work.split_at_mut(nn);
    // S = sym(grad_out) in `grad` (scratch until the end), K = V^T S V.
    for j in 0..n {
        for i in j..n {
            let s = (grad_out[j * n + i] + grad_out[i * n + j]) * T::HALF;
            grad[j * n + i] = s;
            grad[i * n + j] = s;
        }
    }
    congruence(Op::Trans, n, vectors, grad, rest, k)?;
    for j in 0..n {
        for i in j..n {
            let l = f.divided_difference(values[i], values[j], f_values[i], f_values[j]);
            if !l.is_finite() {
                return Err(LayerError::Domain {
                    function: f.name(),
                    index: j,
                    value: values[j].to_f64(),
                });
            }
            k[j * n + i] *= l;
            k[i * n + j] = k[j * n + i];
        }
    }
    congruence(Op::NoTrans, n, vectors, k, rest, grad)?;
    check_finite("spectral gradient", grad)
}
