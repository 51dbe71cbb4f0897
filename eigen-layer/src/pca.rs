//! [`EigenLayer`]: a learnable PCA layer, differentiable through the covariance and its top-k eigenvectors.
//!
//! Forward (train mode) for `X` (batch `b` x `d`, column-major):
//!
//! ```text
//! mu = mean of the rows of X,  Xc = X - 1 mu^T,  C = Xc^T Xc / (b - 1),
//! Cs = (1 - alpha) C + alpha (trace(C) / d) I          (shrinkage toward the scaled identity, Ledoit–Wolf form)
//! Cs = V diag(l) V^T,  U = the k eigenvectors of the largest eigenvalues, largest first
//! Y  = Xc W U diag(g)                                  (W: d x d, identity at start; g: k gains, ones at start)
//! ```
//!
//! Eigenvector signs follow eigen-kernels' rule (largest-magnitude entry positive), so `U` is deterministic.
//! Running averages of `mu` and `Cs` (weight [`EigenLayerConfig::momentum`] for each new batch) serve eval
//! mode, where `U` comes from the running covariance and neither `mu` nor `U` depends on `X`.
//!
//! Backward, with `P = Xc W U` and `gP = gY diag(g)`:
//! `g_gains = colsum(gY o P)`, `gU = (Xc W)^T gP`, `gW = Xc^T gP U^T`, `gXc = gP U^T W^T + ...`.
//! The **partial-spectrum (projector) gradient**: only the top-k columns of `V` receive a gradient, so the
//! eigenvector backward of [`crate::EighOp`] with `g_V = [0 | gU]` (columns of the top-k set `K`) and
//! `g_l = 0` gives
//!
//! ```text
//! gCs = V S V^T,  S_ij = S_ji = (u_i^T gu_j - u_j^T gu_i) / (2 (l_j - l_i)),
//! ```
//!
//! where terms with both `i, j` outside `K` vanish. Pairs `i in K`, `j not in K` couple the retained
//! subspace to the discarded one through the gap `l_i - l_j` (the sensitivity of the projector
//! `U U^T` is `sum_{i in K, j not in K} (v_j^T dC v_i) / (l_i - l_j) (v_j v_i^T + v_i v_j^T)`); pairs inside
//! `K` rotate the basis within it. A degenerate pair across the boundary of `K` makes the top-k subspace
//! itself ill-defined: it is reported through [`EigenLayerGrads::diagnostic`] (or an error in
//! [`crate::GaugeMode::Strict`]). Then `gC = (1 - alpha) gCs + alpha trace(gCs) / d I`,
//! `gXc += 2 Xc gC / (b - 1)`, and centring gives `gX = gXc - 1 colmean(gXc)^T`.

use eigen_kernels::Real;
use eigen_kernels::dense::{Op, gemm, syrk};

use crate::eigh_op::{EighOp, EighOptions, GaugeDiagnostic, eigh_backward_into, eigh_backward_workspace_len};
use crate::error::{LayerError, check_finite, check_len};

/// Configuration of an [`EigenLayer`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EigenLayerConfig {
    /// Number of components kept (`1 <= k <= d`).
    pub k: usize,
    /// Shrinkage `alpha` in `[0, 1]` (default 0).
    pub shrinkage: f64,
    /// Weight of each new batch in the running mean and covariance, in `(0, 1]` (default 0.1); the first
    /// training batch initialises them.
    pub momentum: f64,
    /// Options of the eigendecomposition and its backward pass.
    pub eigh: EighOptions,
}

impl EigenLayerConfig {
    /// `k` components, no shrinkage, momentum 0.1, default eigh options.
    pub fn new(k: usize) -> Self {
        EigenLayerConfig {
            k,
            shrinkage: 0.0,
            momentum: 0.1,
            eigh: EighOptions::default(),
        }
    }
}

/// Training (batch statistics, gradient through them) or inference (running statistics, fixed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Batch mean and covariance; backward flows through them.
    Train,
    /// Running mean and covariance; they are constants for the backward pass.
    Eval,
}

/// Gradients of [`EigenLayer::backward`].
#[derive(Debug, Clone, PartialEq)]
pub struct EigenLayerGrads<T> {
    /// With respect to the input `X` (batch x d).
    pub x: Vec<T>,
    /// With respect to `W` (d x d).
    pub weight: Vec<T>,
    /// With respect to the gains (k).
    pub gains: Vec<T>,
    /// `Some` when the loss depends on the basis of a degenerate eigenspace of the covariance (train mode).
    pub diagnostic: Option<GaugeDiagnostic>,
}

/// What the backward pass needs from the last forward pass.
#[derive(Debug, Clone, PartialEq)]
struct Cache<T> {
    mode: Mode,
    batch: usize,
    xc: Vec<T>,
    z: Vec<T>,
    p: Vec<T>,
    values: Vec<T>,
    vectors: Vec<T>,
}

/// The learnable PCA layer (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct EigenLayer<T> {
    d: usize,
    config: EigenLayerConfig,
    /// The learnable `d x d` mixing matrix `W` (identity at start).
    pub weight: Vec<T>,
    /// The learnable per-component gains (ones at start).
    pub gains: Vec<T>,
    running_mean: Vec<T>,
    running_cov: Vec<T>,
    initialised: bool,
    components: Vec<T>,
    cache: Option<Cache<T>>,
}

impl<T: Real> EigenLayer<T> {
    /// A layer for `d` input features.
    pub fn new(d: usize, config: EigenLayerConfig) -> Result<Self, LayerError> {
        if config.k == 0 || config.k > d {
            return Err(LayerError::InvalidArgument("EigenLayer needs 1 <= k <= d"));
        }
        if !(0.0..=1.0).contains(&config.shrinkage) {
            return Err(LayerError::InvalidArgument("shrinkage must lie in [0, 1]"));
        }
        if !(config.momentum > 0.0 && config.momentum <= 1.0) {
            return Err(LayerError::InvalidArgument("momentum must lie in (0, 1]"));
        }
        let mut weight = vec![T::ZERO; d * d];
        for i in 0..d {
            weight[i * d + i] = T::ONE;
        }
        Ok(EigenLayer {
            d,
            config,
            weight,
            gains: vec![T::ONE; config.k],
            running_mean: vec![T::ZERO; d],
            running_cov: vec![T::ZERO; d * d],
            initialised: false,
            components: vec![T::ZERO; d * config.k],
            cache: None,
        })
    }

    /// Input features `d`.
    pub fn d(&self) -> usize {
        self.d
    }

    /// Components `k`.
    pub fn k(&self) -> usize {
        self.config.k
    }

    /// The top-k eigenvectors `U` (d x k, largest eigenvalue first) used by the last forward pass.
    pub fn components(&self) -> &[T] {
        &self.components
    }

    /// The eigenvalues of the (shrunk) covariance of the last forward pass, descending (the variances
    /// of the components; all `d` of them).
    pub fn explained_variance(&self) -> Vec<T> {
        self.cache
            .as_ref()
            .map_or_else(Vec::new, |c| c.values.iter().rev().copied().collect())
    }

    /// Running mean (d).
    pub fn running_mean(&self) -> &[T] {
        &self.running_mean
    }

    /// `Y = (X - mu) W U diag(gains)` for `x` (batch x d); see the module docs for the modes.
    ///
    /// Errors: [`LayerError::Shape`]; [`LayerError::InvalidArgument`] for a train batch of fewer than 2 rows
    /// or eval before any training batch; [`LayerError::Eigen`] from the eigensolver; non-finite input.
    pub fn forward(&mut self, x: &[T], batch: usize, mode: Mode) -> Result<Vec<T>, LayerError> {
        let (d, k) = (self.d, self.config.k);
        check_len("x", batch * d, x.len())?;
        check_finite("x", x)?;
        let (xc, cov) = match mode {
            Mode::Train => {
                if batch < 2 {
                    return Err(LayerError::InvalidArgument(
                        "a training batch needs at least 2 rows",
                    ));
                }
                let inv_b = T::ONE / T::from_usize(batch);
                let mean: Vec<T> = x
                    .chunks_exact(batch)
                    .map(|col| col.iter().fold(T::ZERO, |s, v| s + *v) * inv_b)
                    .collect();
                let xc = center(x, batch, &mean);
                let mut cov = vec![T::ZERO; d * d];
                syrk(
                    Op::Trans,
                    d,
                    batch,
                    T::ONE / T::from_usize(batch - 1),
                    &xc,
                    T::ZERO,
                    &mut cov,
                )?;
                self.shrink(&mut cov);
                self.update_running(&mean, &cov);
                (xc, cov)
            }
            Mode::Eval => {
                if !self.initialised {
                    return Err(LayerError::InvalidArgument("eval mode before any training batch"));
                }
                (center(x, batch, &self.running_mean), self.running_cov.clone())
            }
        };
        let eig = EighOp::forward_with(&cov, d, &self.config.eigh)?;
        for c in 0..k {
            let col = d - 1 - c;
            self.components[c * d..(c + 1) * d].copy_from_slice(&eig.vectors()[col * d..(col + 1) * d]);
        }
        let mut z = vec![T::ZERO; batch * d];
        gemm(
            Op::NoTrans,
            Op::NoTrans,
            batch,
            d,
            d,
            T::ONE,
            &xc,
            &self.weight,
            T::ZERO,
            &mut z,
        )?;
        let mut p = vec![T::ZERO; batch * k];
        gemm(
            Op::NoTrans,
            Op::NoTrans,
            batch,
            k,
            d,
            T::ONE,
            &z,
            &self.components,
            T::ZERO,
            &mut p,
        )?;
        let mut y = p.clone();
        for (c, col) in y.chunks_exact_mut(batch.max(1)).enumerate().take(k) {
            let g = self.gains[c];
            col.iter_mut().for_each(|v| *v *= g);
        }
        self.cache = Some(Cache {
            mode,
            batch,
            xc,
            z,
            p,
            values: eig.values().to_vec(),
            vectors: eig.vectors().to_vec(),
        });
        check_finite("EigenLayer output", &y)?;
        Ok(y)
    }

    /// Gradients with respect to `X`, `W` and the gains from `grad_y` (batch x k) of the last forward pass.
    ///
    /// Errors: [`LayerError::InvalidArgument`] without a forward pass, [`LayerError::Shape`],
    /// [`LayerError::DegenerateGradient`] in strict mode.
    pub fn backward(&self, grad_y: &[T]) -> Result<EigenLayerGrads<T>, LayerError> {
        let cache = self
            .cache
            .as_ref()
            .ok_or(LayerError::InvalidArgument("backward before forward"))?;
        let (d, k, b) = (self.d, self.config.k, cache.batch);
        check_len("grad_y", b * k, grad_y.len())?;
        check_finite("grad_y", grad_y)?;
        let mut gains = vec![T::ZERO; k];
        let mut gp = grad_y.to_vec();
        for c in 0..k {
            let (gy, p) = (&grad_y[c * b..(c + 1) * b], &cache.p[c * b..(c + 1) * b]);
            gains[c] = gy.iter().zip(p).fold(T::ZERO, |s, (g, v)| s + *g * *v);
            gp[c * b..(c + 1) * b]
                .iter_mut()
                .for_each(|v| *v *= self.gains[c]);
        }
        let u = &self.components;
        let mut gz = vec![T::ZERO; b * d];
        gemm(Op::NoTrans, Op::Trans, b, d, k, T::ONE, &gp, u, T::ZERO, &mut gz)?;
        let mut weight = vec![T::ZERO; d * d];
        gemm(
            Op::Trans,
            Op::NoTrans,
            d,
            d,
            b,
            T::ONE,
            &cache.xc,
            &gz,
            T::ZERO,
            &mut weight,
        )?;
        let mut x = vec![T::ZERO; b * d];
        gemm(
            Op::NoTrans,
            Op::Trans,
            b,
            d,
            d,
            T::ONE,
            &gz,
            &self.weight,
            T::ZERO,
            &mut x,
        )?;
        let mut diagnostic = None;
        if cache.mode == Mode::Train {
            // gU = Z^T gP into the top-k columns of g_V (largest eigenvalue = last column).
            let mut gu = vec![T::ZERO; d * k];
            gemm(
                Op::Trans,
                Op::NoTrans,
                d,
                k,
                b,
                T::ONE,
                &cache.z,
                &gp,
                T::ZERO,
                &mut gu,
            )?;
            let mut gv = vec![T::ZERO; d * d];
            for c in 0..k {
                let col = d - 1 - c;
                gv[col * d..(col + 1) * d].copy_from_slice(&gu[c * d..(c + 1) * d]);
            }
            let mut gcov = vec![T::ZERO; d * d];
            let mut work = vec![T::ZERO; eigh_backward_workspace_len(d)];
            diagnostic = eigh_backward_into(
                d,
                &cache.values,
                &cache.vectors,
                None,
                Some(&gv),
                &self.config.eigh,
                &mut gcov,
                &mut work,
            )?;
            self.shrink(&mut gcov);
            let scale = T::TWO / T::from_usize(b - 1);
            gemm(
                Op::NoTrans,
                Op::NoTrans,
                b,
                d,
                d,
                scale,
                &cache.xc,
                &gcov,
                T::ONE,
                &mut x,
            )?;
            // Centring: mu depends on X.
            let inv_b = T::ONE / T::from_usize(b);
            for col in x.chunks_exact_mut(b) {
                let m = col.iter().fold(T::ZERO, |s, v| s + *v) * inv_b;
                col.iter_mut().for_each(|v| *v -= m);
            }
        }
        check_finite("EigenLayer gradient", &x)?;
        Ok(EigenLayerGrads {
            x,
            weight,
            gains,
            diagnostic,
        })
    }

    /// `M <- (1 - alpha) M + alpha trace(M) / d I`: the shrinkage map, which is self-adjoint, so the same
    /// map takes `gCs` to `gC`.
    fn shrink(&self, m: &mut [T]) {
        let alpha = T::from_f64(self.config.shrinkage);
        if alpha == T::ZERO {
            return;
        }
        let d = self.d;
        let mean_diag = (0..d).fold(T::ZERO, |s, i| s + m[i * d + i]) / T::from_usize(d);
        m.iter_mut().for_each(|v| *v *= T::ONE - alpha);
        for i in 0..d {
            m[i * d + i] += alpha * mean_diag;
        }
    }

    fn update_running(&mut self, mean: &[T], cov: &[T]) {
        let m = if self.initialised {
            T::from_f64(self.config.momentum)
        } else {
            T::ONE
        };
        self.initialised = true;
        for (r, v) in self
            .running_mean
            .iter_mut()
            .zip(mean)
            .chain(self.running_cov.iter_mut().zip(cov))
        {
            *r = (T::ONE - m) * *r + m * *v;
        }
    }
}

/// `X - 1 mu^T` for column-major `x` (batch x d).
fn center<T: Real>(x: &[T], batch: usize, mean: &[T]) -> Vec<T> {
    let mut xc = x.to_vec();
    for (col, m) in xc.chunks_exact_mut(batch.max(1)).zip(mean) {
        col.iter_mut().for_each(|v| *v -= *m);
    }
    xc
}
