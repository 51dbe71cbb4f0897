//! Just enough network pieces to train with the eigen layers: [`Linear`], [`clamp`], [`mse`],
//! [`softmax_cross_entropy`], and the [`Sgd`] and [`Adam`] optimizers. No autodiff engine: each piece has
//! an explicit forward and backward. Matrices are column-major `batch x features` (feature `j` of sample
//! `i` at `i + j * batch`), like everything in the workspace; the products run on
//! [`eigen_kernels::dense`].

use eigen_kernels::Real;
use eigen_kernels::dense::{Op, gemm};

use crate::error::{LayerError, check_finite, check_len};

/// A fully connected layer `Y = X W + 1 b^T` (`X` batch x inputs, `W` inputs x outputs).
#[derive(Debug, Clone, PartialEq)]
pub struct Linear<T> {
    /// Input features.
    pub inputs: usize,
    /// Output features.
    pub outputs: usize,
    /// `inputs x outputs`, column-major.
    pub weight: Vec<T>,
    /// `outputs`.
    pub bias: Vec<T>,
}

/// Gradients of [`Linear::backward`].
#[derive(Debug, Clone, PartialEq)]
pub struct LinearGrads<T> {
    /// With respect to the input (batch x inputs).
    pub x: Vec<T>,
    /// With respect to the weight (inputs x outputs).
    pub weight: Vec<T>,
    /// With respect to the bias.
    pub bias: Vec<T>,
}

impl<T: Real> Linear<T> {
    /// Glorot-uniform weights (Glorot & Bengio 2010) from a seeded generator, zero bias.
    pub fn new(inputs: usize, outputs: usize, seed: u64) -> Self {
        let mut rng = eigen_kernels::testing::Rng::new(seed);
        let limit = (6.0 / (inputs + outputs).max(1) as f64).sqrt();
        let weight = (0..inputs * outputs)
            .map(|_| T::from_f64(limit * rng.symmetric_uniform()))
            .collect();
        Linear {
            inputs,
            outputs,
            weight,
            bias: vec![T::ZERO; outputs],
        }
    }

    /// A layer with the given parameters.
    pub fn from_parts(
        inputs: usize,
        outputs: usize,
        weight: Vec<T>,
        bias: Vec<T>,
    ) -> Result<Self, LayerError> {
        check_len("weight", inputs * outputs, weight.len())?;
        check_len("bias", outputs, bias.len())?;
        Ok(Linear {
            inputs,
            outputs,
            weight,
            bias,
        })
    }

    /// `Y = X W + 1 b^T` for `x` of `batch` rows.
    pub fn forward(&self, x: &[T], batch: usize) -> Result<Vec<T>, LayerError> {
        check_len("x", batch * self.inputs, x.len())?;
        let mut y = vec![T::ZERO; batch * self.outputs];
        for (j, col) in y.chunks_exact_mut(batch.max(1)).enumerate().take(self.outputs) {
            col.fill(self.bias[j]);
        }
        gemm(
            Op::NoTrans,
            Op::NoTrans,
            batch,
            self.outputs,
            self.inputs,
            T::ONE,
            x,
            &self.weight,
            T::ONE,
            &mut y,
        )?;
        Ok(y)
    }

    /// Gradients from the forward input `x` and the gradient `grad_y` of the output:
    /// `dX = dY W^T`, `dW = X^T dY`, `db = column sums of dY`.
    pub fn backward(&self, x: &[T], batch: usize, grad_y: &[T]) -> Result<LinearGrads<T>, LayerError> {
        let (i, o) = (self.inputs, self.outputs);
        check_len("x", batch * i, x.len())?;
        check_len("grad_y", batch * o, grad_y.len())?;
        let mut gx = vec![T::ZERO; batch * i];
        gemm(
            Op::NoTrans,
            Op::Trans,
            batch,
            i,
            o,
            T::ONE,
            grad_y,
            &self.weight,
            T::ZERO,
            &mut gx,
        )?;
        let mut gw = vec![T::ZERO; i * o];
        gemm(
            Op::Trans,
            Op::NoTrans,
            i,
            o,
            batch,
            T::ONE,
            x,
            grad_y,
            T::ZERO,
            &mut gw,
        )?;
        let bias = (0..o)
            .map(|j| {
                grad_y[j * batch..(j + 1) * batch]
                    .iter()
                    .fold(T::ZERO, |s, g| s + *g)
            })
            .collect();
        Ok(LinearGrads {
            x: gx,
            weight: gw,
            bias,
        })
    }
}

/// `min(hi, max(lo, x))` elementwise (a ReLU when `lo = 0`, `hi = inf`).
pub fn clamp<T: Real>(x: &[T], lo: T, hi: T) -> Vec<T> {
    x.iter().map(|v| v.max(lo).min(hi)).collect()
}

/// Backward of [`clamp`]: passes `grad` where `lo < x < hi`, zero elsewhere.
pub fn clamp_backward<T: Real>(x: &[T], lo: T, hi: T, grad: &[T]) -> Result<Vec<T>, LayerError> {
    check_len("grad", x.len(), grad.len())?;
    Ok(x.iter()
        .zip(grad)
        .map(|(v, g)| if *v > lo && *v < hi { *g } else { T::ZERO })
        .collect())
}

/// Mean squared error `mean((pred - target)^2)` and its gradient with respect to `pred`.
pub fn mse<T: Real>(pred: &[T], target: &[T]) -> Result<(T, Vec<T>), LayerError> {
    check_len("target", pred.len(), target.len())?;
    if pred.is_empty() {
        return Err(LayerError::InvalidArgument("mse of an empty batch"));
    }
    let inv = T::ONE / T::from_usize(pred.len());
    let mut loss = T::ZERO;
    let grad = pred
        .iter()
        .zip(target)
        .map(|(p, t)| {
            let d = *p - *t;
            loss += d * d;
            T::TWO * d * inv
        })
        .collect();
    let loss = loss * inv;
    check_finite("mse", &[loss])?;
    Ok((loss, grad))
}

/// Mean softmax cross-entropy of `logits` (batch x classes) against `labels`, and its gradient
/// `(softmax - onehot) / batch`. Log-sum-exp is shifted by the row maximum, so it never overflows.
pub fn softmax_cross_entropy<T: Real>(
    logits: &[T],
    batch: usize,
    classes: usize,
    labels: &[usize],
) -> Result<(T, Vec<T>), LayerError> {
    check_len("logits", batch * classes, logits.len())?;
    check_len("labels", batch, labels.len())?;
    check_finite("logits", logits)?;
    if batch == 0 || classes == 0 {
        return Err(LayerError::InvalidArgument("cross-entropy of an empty batch"));
    }
    if labels.iter().any(|&y| y >= classes) {
        return Err(LayerError::InvalidArgument("label out of range"));
    }
    let inv = T::ONE / T::from_usize(batch);
    let mut grad = vec![T::ZERO; batch * classes];
    let mut loss = T::ZERO;
    for (i, &label) in labels.iter().enumerate() {
        let z = |c: usize| logits[c * batch + i];
        let max = (0..classes).fold(z(0), |m, c| m.max(z(c)));
        let sum = (0..classes).fold(T::ZERO, |s, c| s + (z(c) - max).exp());
        let lse = max + sum.ln();
        loss += lse - z(label);
        for c in 0..classes {
            let p = (z(c) - lse).exp();
            let onehot = if c == label { T::ONE } else { T::ZERO };
            grad[c * batch + i] = (p - onehot) * inv;
        }
    }
    Ok((loss * inv, grad))
}

/// The class with the largest logit for each sample (lowest index on ties).
pub fn argmax_rows<T: Real>(logits: &[T], batch: usize, classes: usize) -> Vec<usize> {
    (0..batch)
        .map(|i| {
            (0..classes).fold(0, |best, c| {
                if logits[c * batch + i] > logits[best * batch + i] {
                    c
                } else {
                    best
                }
            })
        })
        .collect()
}

/// A first-order optimizer over a fixed list of parameter slices (the same order and lengths every step).
pub trait Optimizer<T> {
    /// Updates `params[p]` from `grads[p]`.
    fn step(&mut self, params: &mut [&mut [T]], grads: &[&[T]]) -> Result<(), LayerError>;
}

/// Checks the parameter list against the optimizer's state and creates zero state on the first step.
fn sync_state<T: Real>(
    state: &mut Vec<Vec<T>>,
    params: &[&mut [T]],
    grads: &[&[T]],
) -> Result<(), LayerError> {
    check_len("grads", params.len(), grads.len())?;
    if state.is_empty() {
        *state = params.iter().map(|p| vec![T::ZERO; p.len()]).collect();
    }
    check_len("params", state.len(), params.len())?;
    for ((s, p), g) in state.iter().zip(params).zip(grads) {
        check_len("param", s.len(), p.len())?;
        check_len("grad", s.len(), g.len())?;
        check_finite("grad", g)?;
    }
    Ok(())
}

/// Stochastic gradient descent with (heavy-ball) momentum: `v <- mu v + g`, `p <- p - lr v`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sgd<T> {
    /// Learning rate.
    pub lr: T,
    /// Momentum `mu` (0 for plain SGD).
    pub momentum: T,
    velocity: Vec<Vec<T>>,
}

impl<T: Real> Sgd<T> {
    /// SGD with learning rate `lr` and momentum `momentum`.
    pub fn new(lr: T, momentum: T) -> Self {
        Sgd {
            lr,
            momentum,
            velocity: Vec::new(),
        }
    }
}

impl<T: Real> Optimizer<T> for Sgd<T> {
    fn step(&mut self, params: &mut [&mut [T]], grads: &[&[T]]) -> Result<(), LayerError> {
        sync_state(&mut self.velocity, params, grads)?;
        for ((p, g), v) in params.iter_mut().zip(grads).zip(&mut self.velocity) {
            for ((pi, gi), vi) in p.iter_mut().zip(g.iter()).zip(v.iter_mut()) {
                *vi = self.momentum * *vi + *gi;
                *pi -= self.lr * *vi;
            }
        }
        Ok(())
    }
}

/// Adam (Kingma & Ba 2015, Algorithm 1) with bias correction.
#[derive(Debug, Clone, PartialEq)]
pub struct Adam<T> {
    /// Step size `alpha`.
    pub lr: T,
    /// First-moment decay (default 0.9).
    pub beta1: T,
    /// Second-moment decay (default 0.999).
    pub beta2: T,
    /// Denominator floor (default 1e-8).
    pub eps: T,
    t: i32,
    m: Vec<Vec<T>>,
    v: Vec<Vec<T>>,
}

impl<T: Real> Adam<T> {
    /// Adam with step size `lr` and the paper's defaults for the rest.
    pub fn new(lr: T) -> Self {
        Adam {
            lr,
            beta1: T::from_f64(0.9),
            beta2: T::from_f64(0.999),
            eps: T::from_f64(1e-8),
            t: 0,
            m: Vec::new(),
            v: Vec::new(),
        }
    }
}

impl<T: Real> Optimizer<T> for Adam<T> {
    fn step(&mut self, params: &mut [&mut [T]], grads: &[&[T]]) -> Result<(), LayerError> {
        sync_state(&mut self.m, params, grads)?;
        sync_state(&mut self.v, params, grads)?;
        self.t = self.t.saturating_add(1);
        let c1 = T::ONE - self.beta1.powf(T::from_f64(f64::from(self.t)));
        let c2 = T::ONE - self.beta2.powf(T::from_f64(f64::from(self.t)));
        for (((p, g), m), v) in params.iter_mut().zip(grads).zip(&mut self.m).zip(&mut self.v) {
            for (((pi, gi), mi), vi) in p.iter_mut().zip(g.iter()).zip(m.iter_mut()).zip(v.iter_mut()) {
                *mi = self.beta1 * *mi + (T::ONE - self.beta1) * *gi;
                *vi = self.beta2 * *vi + (T::ONE - self.beta2) * *gi * *gi;
                *pi -= self.lr * (*mi / c1) / ((*vi / c2).sqrt() + self.eps);
            }
        }
        Ok(())
    }
}
