//! Householder reduction of a symmetric matrix to tridiagonal form, `A = Q T Q^T` (lower triangle).
//!
//! LAPACK dsytd2 (`uplo = 'L'`) restructured as in faer's tridiagonalization: the symmetric rank-2
//! update `A22 <- A22 - u w^T - w u^T` of step `k` is fused with the symmetric matrix-vector product
//! `A33 u` of step `k + 1`, so each step reads and writes the trailing matrix once
//! ([`reduce_stepwise`], [`crate::simd::rank2_symv2`], two columns per pass) instead of three or four
//! times. For matrices past [`DELAYED_MIN_BYTES`], dlatrd's delayed updates (Dongarra, Hammarling and
//! Sorensen, "Block reduction of matrices to condensed forms for eigenvalue computations", 1989) halve
//! the writes: the updates of [`DELAY`] steps stay pending, the steps in between read the trailing
//! matrix only and correct their product for the pending updates, and one pass applies them all fused
//! with its step's product ([`reduce`], [`crate::simd::update_symv`]); no separate dsyr2k product
//! (measured slower here, see `ARCHITECTURE.md`).
//!
//! Storage on return: `d` the diagonal of `T`, `e[k] = T[k+1, k]`, reflector `k` (`k < n - 1`) in column
//! `k` of `a`, rows `k+1..n`, with its leading 1 stored explicitly at `a[k+1, k]`, and its `tau[k]`;
//! `Q = H_0 H_1 .. H_{n-2}`.

use super::householder::make_reflector;
use crate::simd::{Dispatch, Pending, SimdReal, TileKernel, WithTileKernel};
use crate::{Real, simd};

/// Rank-2 updates kept pending before one fused pass applies them all. Measured on the Zen 3 (AVX2,
/// 16 vector registers), native build, values-only solve, minimum of 8 alternating rounds, f64 / f32
/// n = 512: one pending update 14.8 / 8.06 ms, two 11.8 / 7.43, three 12.7-12.9 / 7.5-7.6, four
/// 12.9 / 7.6 (the fused pass's `4 D` broadcast coefficients no longer fit the registers).
pub(crate) const DELAY: usize = 2;

/// Columns per fused read-write pass (read-only passes take four).
const FUSED_COLUMNS: usize = 2;

/// Smallest matrix (`n^2` scalars, in bytes) reduced with [`DELAY`] pending updates (given the
/// scratch); below it every step applies its predecessor's update ([`reduce_stepwise`]). Portable
/// build on the Zen 3, values-only solve, minimum of 3-10 alternating rounds against the stepwise
/// reduction: f64 n = 256 (512 KiB) level, n = 512 (2 MiB) 17.3 -> 15.2 ms, n = 1024 108 -> 79 ms;
/// f32 n = 512 (1 MiB) 10 % slower, n = 1024 (4 MiB) 68.9 -> 60.4 ms. The gain comes where the
/// trailing matrix streams from L3 or memory and one write per two steps saves traffic.
pub(crate) const DELAYED_MIN_BYTES: usize = 2 << 20;

/// Whether an `n x n` matrix of `T` is large enough for the delayed reduction.
pub(crate) const fn delayed<T>(n: usize) -> bool {
    n.saturating_mul(n).saturating_mul(size_of::<T>()) >= DELAYED_MIN_BYTES
}

/// Padding between the delayed reduction's scratch vectors: `n` a multiple of 512 bytes would put
/// the same row of every vector in the same L1 cache set (4 KiB apart), and the fused pass reads
/// `2 DELAY` of them beside two columns of `a`.
const PAD: usize = 24;

/// Scratch (`w`) the fastest reduction of an `n x n` matrix of `T` takes; any length from `n` on works.
pub(crate) const fn scratch_len<T>(n: usize) -> usize {
    if delayed::<T>(n) {
        delayed_scratch_len(n)
    } else {
        n
    }
}

/// Scratch of the delayed reduction: the pending `w` and the pending and current `u`, `2 DELAY + 1`
/// padded vectors.
const fn delayed_scratch_len(n: usize) -> usize {
    (2 * DELAY + 1) * (n + PAD)
}

/// Reduces `a` (n x n, lower triangle); `d`, `e`, `tau`, `p` have length `n`, `w` at least `n` (scratch,
/// [`scratch_len`] for the delayed reduction). The passes run on the best [`TileKernel`] of this CPU
/// (`simd/dispatch.rs`).
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
            updates: Updates::BySize,
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
    updates: Updates,
}

/// Which reduction runs (given the scratch for the delayed one).
#[derive(Clone, Copy, Debug)]
enum Updates {
    /// Delayed from [`DELAYED_MIN_BYTES`] on, stepwise below.
    BySize,
    /// Always delayed (tests).
    #[cfg_attr(not(test), allow(dead_code))]
    Delayed,
    /// Always stepwise (tests).
    #[cfg_attr(not(test), allow(dead_code))]
    Stepwise,
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
            updates,
        } = self;
        let delay = match updates {
            Updates::BySize => delayed::<T>(n),
            Updates::Delayed => true,
            Updates::Stepwise => false,
        };
        if delay && w.len() >= delayed_scratch_len(n) {
            reduce::<T, K, DELAY>(kern, a, n, Out { d, e, tau }, w, p);
        } else {
            reduce_stepwise(kern, a, n, d, e, tau, w, p);
        }
    }
}

/// The reduction with every step applying its predecessor's update (one pending update), on kernel
/// `kern`; `w` and `p` are scratch of length `n`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn reduce_stepwise<T: Real, K: TileKernel<T>>(
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

/// Where the reduction writes `T` and the reflector scalars.
struct Out<'a, T> {
    d: &'a mut [T],
    e: &'a mut [T],
    tau: &'a mut [T],
}

/// Where the vectors of step `i` live in the scratch, indexed by row (rows `i+1..n` hold them): `u`
/// copied to padded slot `i % (D + 1)` (the current step's beside the `D` pending ones), `w` in slot
/// `D + 1 + i % D`.
#[derive(Clone, Copy)]
struct Slots<const D: usize> {
    stride: usize,
}

impl<const D: usize> Slots<D> {
    fn new(n: usize) -> Self {
        Slots { stride: n + PAD }
    }

    fn w(self, i: usize) -> usize {
        (D + 1 + i % D) * self.stride
    }

    fn u(self, i: usize) -> usize {
        (i % (D + 1)) * self.stride
    }
}

/// The delayed reduction, on kernel `kern`, with up to `D` updates pending, their vectors in `w`
/// ([`Slots`]).
#[inline(always)]
fn reduce<T: Real, K: TileKernel<T>, const D: usize>(
    kern: K,
    a: &mut [T],
    n: usize,
    out: Out<'_, T>,
    w: &mut [T],
    p: &mut [T],
) {
    let Out { d, e, tau } = out;
    if n == 0 {
        return;
    }
    e[n - 1] = T::ZERO;
    tau[n - 1] = T::ZERO;
    let slots = Slots::<D>::new(n);
    // Steps `k - pending..k` have their updates pending.
    let mut pending = 0;
    for k in 0..n - 1 {
        let first = k - pending;
        // Column k receives the pending updates first.
        let colk = &mut a[k * n + k..k * n + n];
        for i in first..k {
            let ui = &w[slots.u(i) + k..slots.u(i) + n];
            let wi = &w[slots.w(i) + k..slots.w(i) + n];
            simd::axpy(-ui[0], wi, colk);
            simd::axpy(-wi[0], ui, colk);
        }
        d[k] = colk[0];
        let (beta, t) = make_reflector(&mut colk[1..]);
        e[k] = beta;
        tau[k] = t;
        w[slots.u(k) + k + 1..slots.u(k) + n].copy_from_slice(&colk[1..]);
        // p = A22 u: with the pending updates applied on the way when there are D of them, else from
        // the stored matrix, corrected afterwards.
        p[k + 1..n].fill(T::ZERO);
        if pending == D {
            pass::<T, K, FUSED_COLUMNS, D, D>(kern, a, n, k, first, w, slots, p);
            pending = 0;
        } else {
            pass::<T, K, 4, 0, D>(kern, a, n, k, first, w, slots, p);
            let uk = &w[slots.u(k) + k + 1..slots.u(k) + n];
            for i in first..k {
                let ui = &w[slots.u(i) + k + 1..slots.u(i) + n];
                let wi = &w[slots.w(i) + k + 1..slots.w(i) + n];
                let (wu, uu) = (simd::dot(wi, uk), simd::dot(ui, uk));
                simd::axpy(-wu, ui, &mut p[k + 1..n]);
                simd::axpy(-uu, wi, &mut p[k + 1..n]);
            }
        }
        // w = tau p - (tau/2)(tau p . u) u  (dsytd2).
        let (lo, hi) = w.split_at_mut(slots.w(k));
        let (wk, uk) = (&mut hi[k + 1..n], &lo[slots.u(k) + k + 1..slots.u(k) + n]);
        for (wi, pi) in wk.iter_mut().zip(&p[k + 1..n]) {
            *wi = t * *pi;
        }
        let alpha = -T::HALF * t * simd::dot(wk, uk);
        simd::axpy(alpha, uk, wk);
        pending += 1;
    }
    // The last diagonal entry receives the updates still pending.
    let last = n - 1;
    let mut dl = a[last * n + last];
    for i in last - pending..last {
        dl -= T::TWO * w[slots.u(i) + last] * w[slots.w(i) + last];
    }
    d[last] = dl;
}

/// One pass over the trailing columns `k+1..n` in groups of `G`: applies the `DP` updates of steps
/// `first..first + DP` (none for a read-only pass) and adds `A22 u_k` to `p`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn pass<T: Real, K: TileKernel<T>, const G: usize, const DP: usize, const D: usize>(
    kern: K,
    a: &mut [T],
    n: usize,
    k: usize,
    first: usize,
    w: &[T],
    slots: Slots<D>,
    p: &mut [T],
) {
    let mut j = k + 1;
    while j < n {
        let g = G.min(n - j);
        let u = &w[slots.u(k)..slots.u(k) + n];
        let pu: [&[T]; DP] = core::array::from_fn(|q| &w[slots.u(first + q)..slots.u(first + q) + n]);
        let pw: [&[T]; DP] = core::array::from_fn(|q| &w[slots.w(first + q)..slots.w(first + q) + n]);
        let block = &mut a[j * n..(j + g) * n];
        // The g x g triangle at the top of the group, its products summed in `head`.
        let mut head = [T::ZERO; G];
        for c in 0..G.min(g) {
            let jc = j + c;
            for r in c..G.min(g) {
                let row = j + r;
                let idx = c * n + row;
                let mut x = block[idx];
                for q in 0..DP {
                    x = x - pu[q][jc] * pw[q][row] - pw[q][jc] * pu[q][row];
                }
                if DP > 0 {
                    block[idx] = x;
                }
                head[r] += x * u[jc];
                if r != c {
                    head[c] += x * u[row];
                }
            }
        }
        for (r, h) in head.into_iter().take(g).enumerate() {
            p[j + r] += h;
        }
        // The rows below it, all g = G columns together.
        let lo = j + g;
        if g == G && lo < n {
            let mut columns = block.chunks_exact_mut(n);
            let cols: [&mut [T]; G] = core::array::from_fn(|_| match columns.next() {
                Some(c) => &mut c[lo..],
                None => &mut [],
            });
            let sums = simd::update_symv::<T, K, G, DP>(
                kern,
                cols,
                Pending {
                    u: pu.map(|x| &x[lo..]),
                    w: pw.map(|x| &x[lo..]),
                },
                core::array::from_fn(|c| pu.map(|x| x[j + c])),
                core::array::from_fn(|c| pw.map(|x| x[j + c])),
                &u[lo..],
                core::array::from_fn(|c| u[j + c]),
                &mut p[lo..n],
            );
            for (c, s) in sums.into_iter().enumerate() {
                p[j + c] += s;
            }
        }
        j += g;
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
        reduce_on(a0, n, Dispatch::Best, Updates::BySize)
    }

    /// [`reduce`] on the kernel `how` selects, by the reduction `updates` selects.
    fn reduce_on(a0: &[f64], n: usize, how: Dispatch, updates: Updates) -> Reduced {
        let mut a = a0.to_vec();
        let wlen = delayed_scratch_len(n);
        let (mut d, mut e, mut tau, mut w, mut p) = (
            vec![0.0; n],
            vec![0.0; n],
            vec![0.0; n],
            vec![0.0; wlen],
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
            updates,
        };
        <f64 as Real>::Lanes::with_tile_kernel(reduction, how);
        let mut q = vec![0.0; n * n];
        form_q(&a, n, &tau, &mut q);
        Reduced { a, d, e, tau, q }
    }

    /// `max |A - Q T Q^T| / (n |A| eps)` and `max |Q^T Q - I| / (n eps)` for the lower triangle of `a0`.
    fn reconstruction_ratios(n: usize, how: Dispatch, updates: Updates) -> (f64, f64) {
        let a0: Vec<f64> = random_symmetric(n, n as u64);
        let Reduced { d, e, q, .. } = reduce_on(&a0, n, how, updates);
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
    fn reduction_reproduces_a_as_q_t_q_transpose_on_every_kernel_and_delay() {
        for how in [Dispatch::Best, Dispatch::CompiledOnly] {
            for updates in [Updates::Delayed, Updates::Stepwise] {
                for n in [1, 2, 3, 5, 8, 9, 10, 11, 17, 40, 70, 97, 98, 99, 100] {
                    let (res, orth) = reconstruction_ratios(n, how, updates);
                    assert!(
                        res < 10.0 && orth < 10.0,
                        "{how:?} {updates:?} n={n}: {res} {orth}"
                    );
                }
            }
        }
    }

    #[test]
    fn delayed_and_step_by_step_reductions_have_the_same_eigenvalues() {
        for n in [128, 131] {
            let a0: Vec<f64> = random_symmetric(n, 11);
            same_eigenvalues(
                &a0,
                n,
                reduce_on(&a0, n, Dispatch::Best, Updates::Delayed),
                reduce_on(&a0, n, Dispatch::Best, Updates::Stepwise),
            );
        }
    }

    #[test]
    fn dispatched_and_compiled_kernels_give_the_same_eigenvalues() {
        for n in [37, 130] {
            for updates in [Updates::Delayed, Updates::Stepwise] {
                let a0: Vec<f64> = random_symmetric(n, 5);
                same_eigenvalues(
                    &a0,
                    n,
                    reduce_on(&a0, n, Dispatch::Best, updates),
                    reduce_on(&a0, n, Dispatch::CompiledOnly, updates),
                );
            }
        }
    }

    /// The tridiagonal matrices of two reductions of `a0` have the same eigenvalues to within
    /// `10 n eps |A|` (both reductions are backward stable; `T`'s entries themselves may differ by more).
    fn same_eigenvalues(a0: &[f64], n: usize, first: Reduced, second: Reduced) {
        let scale: f64 = a0.iter().fold(0.0, |m, x| m.max(x.abs()));
        let values = |r: Reduced| {
            let (mut d, mut e) = (r.d, r.e);
            assert!(crate::qr::root_free::root_free_qr(&mut d, &mut e, 30).is_some());
            d.sort_by(f64::total_cmp);
            d
        };
        for (x, y) in values(first).iter().zip(&values(second)) {
            assert!(
                (x - y).abs() <= 10.0 * f64::EPSILON * scale * n as f64,
                "n = {n}: {x} vs {y}"
            );
        }
    }
}
