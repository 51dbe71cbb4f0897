//! Householder reduction of a symmetric matrix to tridiagonal form, `A = Q T Q^T` (lower triangle).
//!
//! LAPACK dsytd2 (`uplo = 'L'`) restructured as in faer's tridiagonalization: the symmetric rank-2
//! update `A22 <- A22 - v w^T - w v^T` of step `k` is fused with the symmetric matrix-vector product
//! `A33 u` of step `k + 1`, so each step reads and writes the trailing matrix once
//! ([`crate::simd::rank2_symv2`], two columns per pass) instead of three or four times.
//!
//! Storage on return: `d` the diagonal of `T`, `e[k] = T[k+1, k]`, reflector `k` (`k < n - 1`) in column
//! `k` of `a`, rows `k+1..n`, with its leading 1 stored explicitly at `a[k+1, k]`, and its `tau[k]`;
//! `Q = H_0 H_1 .. H_{n-2}`.

use super::householder::make_reflector;
use crate::simd::{Dispatch, SimdReal, TileKernel, WithTileKernel};
use crate::{Real, simd};

/// Unblocked fused reduction; `d`, `e`, `tau`, `w`, `p` have length `n` (`w`, `p` are scratch).
/// The fused pass runs on the best [`TileKernel`] of this CPU (`simd/dispatch.rs`).
#[inline(never)]
pub(crate) fn tridiagonalize<T: Real>(
    a: &mut [T],
    n: usize,
    d: &mut [T],
    e: &mut [T],
    tau: &mut [T],
    w: &mut [T],
    p: &mut [T],
) {
    T::Lanes::with_tile_kernel(
        Reduction {
            a,
            n,
            d,
            e,
            tau,
            w,
            p,
        },
        Dispatch::Best,
    );
}

/// The operands of one [`tridiagonalize`], handed to the dispatched kernel.
struct Reduction<'a, T> {
    a: &'a mut [T],
    n: usize,
    d: &'a mut [T],
    e: &'a mut [T],
    tau: &'a mut [T],
    w: &'a mut [T],
    p: &'a mut [T],
}

impl<T: Real> WithTileKernel<T> for Reduction<'_, T> {
    type Output = ();
    #[inline(always)]
    fn run<K: TileKernel<T>>(self, kern: K) {
        let Reduction {
            a,
            n,
            d,
            e,
            tau,
            w,
            p,
        } = self;
        reduce(kern, a, n, d, e, tau, w, p);
    }
}

/// The reduction itself, on kernel `kern`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn reduce<T: Real, K: TileKernel<T>>(
    kern: K,
    a: &mut [T],
    n: usize,
    d: &mut [T],
    e: &mut [T],
    tau: &mut [T],
    w: &mut [T],
    p: &mut [T],
) {
    if n == 0 {
        return;
    }
    w[..n].fill(T::ZERO);
    e[n - 1] = T::ZERO;
    tau[n - 1] = T::ZERO;
    for k in 0..n.saturating_sub(1) {
        // The previous step's update (v in column k-1, w) reaches column k first.
        let (left, right) = a.split_at_mut(k * n);
        let colk = &mut right[..n];
        if k > 0 {
            let v = &left[(k - 1) * n + k..k * n];
            let (vk, wk) = (v[0], w[k]);
            simd::axpy(-vk, &w[k..n], &mut colk[k..]);
            simd::axpy(-wk, v, &mut colk[k..]);
        }
        d[k] = colk[k];
        let (beta, t) = make_reflector(&mut colk[k + 1..]);
        e[k] = beta;
        tau[k] = t;
        // p = A22 u, with A22 receiving the previous update column by column on the way, two
        // columns per pass over the shared vectors.
        p[k + 1..n].fill(T::ZERO);
        let mut j = k + 1;
        while j + 1 < n {
            let (before, rest) = a.split_at_mut(j * n);
            let (cj, cj1) = rest.split_at_mut(n);
            let (col1, col2) = (&mut cj[j..n], &mut cj1[j + 1..n]);
            let u = &before[k * n + j..k * n + n];
            let v = if k > 0 {
                &before[(k - 1) * n + j..(k - 1) * n + n]
            } else {
                u
            };
            let wv = &w[j..n];
            let coeffs = |i: usize| simd::Rank2Coeffs {
                vj: if k > 0 { v[i] } else { T::ZERO },
                wj: if k > 0 { wv[i] } else { T::ZERO },
                uj: u[i],
            };
            let (k1, k2) = (coeffs(0), coeffs(1));
            // Column j's diagonal and row j + 1, then column j + 1's diagonal; rows j + 2.. together.
            let diag1 = col1[0] - T::TWO * k1.vj * k1.wj;
            col1[0] = diag1;
            let x = col1[1] - k1.vj * wv[1] - k1.wj * v[1];
            col1[1] = x;
            let diag2 = col2[0] - T::TWO * k2.vj * k2.wj;
            col2[0] = diag2;
            let (acc1, acc2) = simd::rank2_symv2(
                kern,
                &mut col1[2..],
                &mut col2[1..],
                &v[2..],
                &wv[2..],
                &u[2..],
                &mut p[j + 2..n],
                k1,
                k2,
            );
            p[j] += diag1 * k1.uj + x * u[1] + acc1;
            p[j + 1] += x * k1.uj + diag2 * k2.uj + acc2;
            j += 2;
        }
        if j < n {
            // The last column alone: its diagonal entry only.
            let u = a[k * n + j];
            let (vj, wj) = if k > 0 {
                (a[(k - 1) * n + j], w[j])
            } else {
                (T::ZERO, T::ZERO)
            };
            let diag = a[j * n + j] - T::TWO * vj * wj;
            a[j * n + j] = diag;
            p[j] += diag * u;
        }
        // w = tau p - (tau/2)(tau p . u) u  (dsytd2).
        let u = &a[k * n + k + 1..k * n + n];
        let wk = &mut w[k + 1..n];
        for (wi, pi) in wk.iter_mut().zip(&p[k + 1..n]) {
            *wi = t * *pi;
        }
        let alpha = -T::HALF * t * simd::dot(wk, u);
        simd::axpy(alpha, u, wk);
    }
    // The last diagonal entry receives the final update.
    let k = n - 1;
    if k > 0 {
        let v = a[(k - 1) * n + k];
        d[k] = a[k * n + k] - T::TWO * v * w[k];
    } else {
        d[k] = a[0];
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::qr::back_transform::form_q;
    use crate::testing::random_symmetric;
    use alloc::vec;
    use alloc::vec::Vec;

    /// A reduced matrix for tests: the reflectors in `a`, `T`'s diagonal `d` and off-diagonal `e`,
    /// the scalars `tau` and the formed `Q`.
    pub(crate) struct Reduced {
        pub a: Vec<f64>,
        pub d: Vec<f64>,
        pub e: Vec<f64>,
        pub tau: Vec<f64>,
        pub q: Vec<f64>,
    }

    /// Reduces `a0` (n x n, lower triangle) and forms `Q`.
    pub(crate) fn reduce(a0: &[f64], n: usize) -> Reduced {
        reduce_on(a0, n, Dispatch::Best)
    }

    /// [`reduce`] on the kernel `how` selects.
    fn reduce_on(a0: &[f64], n: usize, how: Dispatch) -> Reduced {
        let mut a = a0.to_vec();
        let (mut d, mut e, mut tau, mut w, mut p) = (
            vec![0.0; n],
            vec![0.0; n],
            vec![0.0; n],
            vec![0.0; n],
            vec![0.0; n],
        );
        let reduction = Reduction {
            a: &mut a,
            n,
            d: &mut d,
            e: &mut e,
            tau: &mut tau,
            w: &mut w,
            p: &mut p,
        };
        <f64 as Real>::Lanes::with_tile_kernel(reduction, how);
        let mut q = vec![0.0; n * n];
        form_q(&a, n, &tau, &mut q);
        Reduced { a, d, e, tau, q }
    }

    /// `max |A - Q T Q^T| / (n |A| eps)` and `max |Q^T Q - I| / (n eps)` for the lower triangle of `a0`.
    fn reconstruction_ratios(n: usize, how: Dispatch) -> (f64, f64) {
        let a0: Vec<f64> = random_symmetric(n, n as u64);
        let Reduced { d, e, q, .. } = reduce_on(&a0, n, how);
        let t = |i: usize, j: usize| {
            if i == j {
                d[i]
            } else if i == j + 1 {
                e[j]
            } else if j == i + 1 {
                e[i]
            } else {
                0.0
            }
        };
        let (mut res, mut orth, mut norm) = (0.0f64, 0.0f64, 0.0f64);
        for j in 0..n {
            for i in j..n {
                let mut qtq = 0.0;
                for k in 0..n {
                    for l in k.saturating_sub(1)..(k + 2).min(n) {
                        qtq += q[i + k * n] * t(k, l) * q[j + l * n];
                    }
                }
                res = res.max((a0[i + j * n] - qtq).abs());
                norm = norm.max(a0[i + j * n].abs());
                let dot: f64 = (0..n).map(|k| q[k + i * n] * q[k + j * n]).sum();
                orth = orth.max((dot - if i == j { 1.0 } else { 0.0 }).abs());
            }
        }
        let eps = f64::EPSILON * n as f64;
        (res / (norm * eps), orth / eps)
    }

    #[test]
    fn reduction_reproduces_a_as_q_t_q_transpose_on_every_kernel() {
        for how in [Dispatch::Best, Dispatch::CompiledOnly] {
            for n in [1, 2, 3, 5, 8, 9, 10, 11, 17, 40, 70] {
                let (res, orth) = reconstruction_ratios(n, how);
                assert!(res < 10.0 && orth < 10.0, "{how:?} n={n}: {res} {orth}");
            }
        }
    }

    #[test]
    fn dispatched_and_compiled_kernels_agree_to_rounding() {
        let n = 37;
        let a0: Vec<f64> = random_symmetric(n, 5);
        let (best, compiled) = (
            reduce_on(&a0, n, Dispatch::Best),
            reduce_on(&a0, n, Dispatch::CompiledOnly),
        );
        let scale: f64 = a0.iter().fold(0.0, |m, x| m.max(x.abs()));
        for (x, y) in best
            .d
            .iter()
            .chain(&best.e)
            .zip(compiled.d.iter().chain(&compiled.e))
        {
            assert!(
                (x - y).abs() <= 100.0 * f64::EPSILON * scale * n as f64,
                "{x} vs {y}"
            );
        }
    }
}
