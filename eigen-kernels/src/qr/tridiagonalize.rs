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

/// Unblocked fused reduction in place; `d`, `e`, `tau`, `w`, `p` have length `n` (`w`, `p` are
/// scratch). The fused pass runs on the best [`TileKernel`] of this CPU (`simd/dispatch.rs`).
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
    Reduction {
        layout: Layout::Tight,
        a,
        ld: n,
        n,
        d,
        e,
        tau,
        w,
        p,
    }
    .run_best();
}

/// Alignment, in bytes, of the columns of [`tridiagonalize_aligned`]'s copy: a cache line, and the
/// widest vector (AVX-512).
const ALIGN_BYTES: usize = 64;

/// Column stride of [`tridiagonalize_aligned`]'s copy of an `n x n` matrix of `T`: `n` rounded up to
/// 16 scalars, so that every column starts [`ALIGN_BYTES`]-aligned in both precisions, plus one cache
/// line, so that the stride is never a multiple of 4 KiB: at n = 512 (f64) a stride of exactly 4 KiB
/// put every column of a pass at the same offset within a page and cost 10 % (4K aliasing of loads
/// with earlier stores).
const fn padded_ld<T>(n: usize) -> usize {
    n.div_ceil(16) * 16 + ALIGN_BYTES / size_of::<T>()
}

/// Scratch length of [`tridiagonalize_aligned`] in either precision: the padded copy, its `w` and `p`,
/// and the slack to align the start (`f32`'s stride and slack are the larger).
pub(crate) const fn aligned_len(n: usize) -> usize {
    (n + 2) * padded_ld::<f32>(n) + ALIGN_BYTES / size_of::<f32>()
}

/// [`tridiagonalize`] on a zeroed copy of the lower triangle whose columns start on cache-line
/// boundaries (stride [`padded_ld`], at least `n` rounded up to 16), with `w` and `p` aligned and padded
/// alike ([`Layout::Padded`]). The fused pass then runs on whole, aligned lane chunks only
/// ([`simd::rank2_symv2_padded`]): the chunk that holds a diagonal is masked instead of split into
/// scalar rows, and the rows past `n` are zeros. In place, only the aligned accesses could be had, and
/// only when `n` is a multiple of the lane width and the caller's matrix happens to be aligned (glibc's
/// large allocations start 16 bytes past a page, which is not). Measured (AVX-512, median of 21-101
/// runs of the reduction alone, same binary, in place -> here): `f32` n = 32 0.012 -> 0.0085 ms, n = 128
/// 0.25 -> 0.14, n = 256 1.2 -> 0.52-0.68, n = 512 4.7-5.7 -> 2.7; `f64` n = 32 0.010 -> 0.0075, n = 128
/// 0.17-0.27 -> 0.18, n = 256 0.75-1.2 -> 0.98, n = 512 5.4 -> 5.1 (see `ARCHITECTURE.md`). The result
/// does not depend on where `a` or `scratch` start (the chunks are split by row index, never by address);
/// it differs from the in-place reduction's by rounding. `scratch` needs [`aligned_len`]`(n)` scalars.
#[inline(never)]
pub(crate) fn tridiagonalize_aligned<T: Real>(
    a: &mut [T],
    n: usize,
    d: &mut [T],
    e: &mut [T],
    tau: &mut [T],
    scratch: &mut [T],
) {
    let ld = padded_ld::<T>(n);
    let misaligned = (scratch.as_ptr() as usize) % ALIGN_BYTES;
    let skip = (ALIGN_BYTES - misaligned) % ALIGN_BYTES / size_of::<T>();
    let (b, rest) = scratch[skip..].split_at_mut(n * ld);
    let (w, rest) = rest.split_at_mut(ld);
    let p = &mut rest[..ld];
    // The padded layout's whole-chunk passes read the upper triangle and the padding rows: zeros.
    b.fill(T::ZERO);
    copy_lower(a, n, b, ld, n);
    Reduction {
        layout: Layout::Padded,
        a: &mut *b,
        ld,
        n,
        d,
        e,
        tau,
        w,
        p,
    }
    .run_best();
    copy_lower(b, ld, a, n, n);
}

/// Copies the lower triangle of the `n x n` matrix `src` (column stride `src_ld`) into `dst` (stride
/// `dst_ld`).
fn copy_lower<T: Copy>(src: &[T], src_ld: usize, dst: &mut [T], dst_ld: usize, n: usize) {
    for j in 0..n {
        dst[j * dst_ld + j..j * dst_ld + n].copy_from_slice(&src[j * src_ld + j..j * src_ld + n]);
    }
}

/// How the matrix of a reduction is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Column stride `ld >= n`, nothing assumed outside the lower triangle: the fused pass splits
    /// each column pair into scalar rows and lane chunks ([`simd::rank2_symv2`]).
    Tight,
    /// [`tridiagonalize_aligned`]'s copy: the stride holds `n` rounded up to 16 and the upper triangle
    /// and the rows past `n` are zero (as are `w` and `p`, [`padded_ld`] long): the fused pass runs on
    /// whole lane chunks only ([`simd::rank2_symv2_padded`]).
    Padded,
}

/// The operands of one reduction (`a` with column stride `ld`), handed to the dispatched kernel.
struct Reduction<'a, T> {
    layout: Layout,
    a: &'a mut [T],
    ld: usize,
    n: usize,
    d: &'a mut [T],
    e: &'a mut [T],
    tau: &'a mut [T],
    w: &'a mut [T],
    p: &'a mut [T],
}

impl<T: Real> Reduction<'_, T> {
    /// Runs on the best kernel of this CPU.
    fn run_best(self) {
        T::Lanes::with_tile_kernel(self, Dispatch::Best);
    }
}

impl<T: Real> WithTileKernel<T> for Reduction<'_, T> {
    type Output = ();
    #[inline(always)]
    fn run<K: TileKernel<T>>(self, kern: K) {
        let Reduction {
            layout,
            a,
            ld,
            n,
            d,
            e,
            tau,
            w,
            p,
        } = self;
        reduce(kern, layout, a, ld, n, d, e, tau, w, p);
    }
}

/// The reduction itself, on kernel `kern`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn reduce<T: Real, K: TileKernel<T>>(
    kern: K,
    layout: Layout,
    a: &mut [T],
    ld: usize,
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
    let end = n.div_ceil(K::LANES) * K::LANES;
    let table = simd::mask_table::<T>();
    match layout {
        Layout::Tight => w[..n].fill(T::ZERO),
        Layout::Padded => {
            w[..end].fill(T::ZERO);
            p[..end].fill(T::ZERO);
        }
    }
    e[n - 1] = T::ZERO;
    tau[n - 1] = T::ZERO;
    for k in 0..n.saturating_sub(1) {
        // The previous step's update (v in column k-1, w) reaches column k first.
        let (left, right) = a.split_at_mut(k * ld);
        let colk = &mut right[..n];
        if k > 0 {
            let v = &left[(k - 1) * ld + k..(k - 1) * ld + n];
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
        while layout == Layout::Padded && j + 1 < n {
            let (before, rest) = a.split_at_mut(j * ld);
            let (cj, cj1) = rest.split_at_mut(ld);
            let u = &before[k * ld..k * ld + end];
            let v = if k > 0 {
                &before[(k - 1) * ld..(k - 1) * ld + end]
            } else {
                u
            };
            let coeffs = |i: usize| simd::Rank2Coeffs {
                vj: if k > 0 { v[i] } else { T::ZERO },
                wj: if k > 0 { w[i] } else { T::ZERO },
                uj: u[i],
            };
            let (acc1, acc2) = simd::rank2_symv2_padded(
                kern,
                j,
                end,
                cj,
                cj1,
                (v, &w[..end], u),
                &mut p[..end],
                (coeffs(j), coeffs(j + 1)),
                &table,
            );
            p[j] += acc1;
            p[j + 1] += acc2;
            j += 2;
        }
        while j + 1 < n {
            let (before, rest) = a.split_at_mut(j * ld);
            let (cj, cj1) = rest.split_at_mut(ld);
            let (col1, col2) = (&mut cj[j..n], &mut cj1[j + 1..n]);
            let u = &before[k * ld + j..k * ld + n];
            let v = if k > 0 {
                &before[(k - 1) * ld + j..(k - 1) * ld + n]
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
                j + 2,
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
            let u = a[k * ld + j];
            let (vj, wj) = if k > 0 {
                (a[(k - 1) * ld + j], w[j])
            } else {
                (T::ZERO, T::ZERO)
            };
            let diag = a[j * ld + j] - T::TWO * vj * wj;
            a[j * ld + j] = diag;
            p[j] += diag * u;
        }
        // w = tau p - (tau/2)(tau p . u) u  (dsytd2).
        let u = &a[k * ld + k + 1..k * ld + n];
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
        let v = a[(k - 1) * ld + k];
        d[k] = a[k * ld + k] - T::TWO * v * w[k];
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
    pub(crate) struct Reduced<T = f64> {
        pub a: Vec<T>,
        pub d: Vec<T>,
        pub e: Vec<T>,
        pub tau: Vec<T>,
        pub q: Vec<T>,
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
            layout: Layout::Tight,
            a: &mut a,
            ld: n,
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
        reconstruction_ratios_of(n, |a0| reduce_on(a0, n, how))
    }

    /// [`reconstruction_ratios`] of the reduction `reduce`, in `T`'s precision.
    fn reconstruction_ratios_of<T: Real>(n: usize, reduce: impl Fn(&[T]) -> Reduced<T>) -> (f64, f64) {
        let a0: Vec<T> = random_symmetric(n, n as u64);
        let Reduced { d, e, q, .. } = reduce(&a0);
        let wide = |x: &[T]| -> Vec<f64> { x.iter().map(|x| x.to_f64()).collect() };
        let (a0, d, e, q) = (wide(&a0), wide(&d), wide(&e), wide(&q));
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
        let eps = T::EPSILON.to_f64() * n as f64;
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

    /// The aligned, padded copy's reduction (whole lane chunks, [`Layout::Padded`]) with the scratch
    /// full of NaN and starting `offset` scalars into it, and `Q` formed.
    fn reduce_aligned_copy<T: Real>(a0: &[T], n: usize, offset: usize) -> Reduced<T> {
        let mut a = a0.to_vec();
        let (mut d, mut e, mut tau) = (vec![T::ZERO; n], vec![T::ZERO; n], vec![T::ZERO; n]);
        let mut scratch = vec![T::from_f64(f64::NAN); aligned_len(n) + offset];
        tridiagonalize_aligned(&mut a, n, &mut d, &mut e, &mut tau, &mut scratch[offset..]);
        let mut q = vec![T::ZERO; n * n];
        form_q(&a, n, &tau, &mut q);
        Reduced { a, d, e, tau, q }
    }

    /// Every size around the lane widths, both precisions, the scratch at several offsets and full of
    /// NaN (the whole-chunk passes read nothing the copy did not write).
    #[test]
    fn aligned_copy_reproduces_a_as_q_t_q_transpose_at_any_scratch_offset() {
        for (t, n) in [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 18, 31, 33, 40, 63, 64, 65, 70]
            .into_iter()
            .enumerate()
        {
            let offset = t % 5;
            let (res, orth) = reconstruction_ratios_of::<f64>(n, |a0| reduce_aligned_copy(a0, n, offset));
            assert!(res < 10.0 && orth < 10.0, "f64 n={n}: {res} {orth}");
            let (res, orth) = reconstruction_ratios_of::<f32>(n, |a0| reduce_aligned_copy(a0, n, offset));
            assert!(res < 10.0 && orth < 10.0, "f32 n={n}: {res} {orth}");
        }
    }

    /// The padded copy's reduction, bit for bit, wherever the scratch starts: its chunks are split by
    /// row index, never by address.
    fn aligned_copy_ignores_scratch_offset<T: Real>(n: usize) {
        let a0: Vec<T> = random_symmetric(n, 11 + n as u64);
        let bits = |r: Reduced<T>| -> Vec<u64> {
            [r.a, r.d, r.e, r.tau]
                .iter()
                .flatten()
                .map(|x| x.to_f64().to_bits())
                .collect()
        };
        let first = bits(reduce_aligned_copy(&a0, n, 0));
        for offset in 1..5 {
            assert!(
                first == bits(reduce_aligned_copy(&a0, n, offset)),
                "{} n = {n}, scratch offset {offset}",
                T::NAME
            );
        }
    }

    #[test]
    fn aligned_copy_reduces_bit_for_bit_alike_at_any_scratch_offset() {
        for n in [1, 2, 3, 17, 40, 191, 200] {
            aligned_copy_ignores_scratch_offset::<f64>(n);
            aligned_copy_ignores_scratch_offset::<f32>(n);
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
