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

/// [`tridiagonalize`] on a copy of the lower triangle whose columns start on cache-line boundaries
/// (stride [`padded_ld`]), with `w` and `p` aligned alike: the fused pass's vector loads and stores
/// are then all aligned ([`simd::rank2_symv2`]). In place, that holds only when `n` is a multiple of
/// the lane width and the caller's matrix happens to be aligned (glibc's large allocations start 16
/// bytes past a page, which is not). Values-only solve, matrix 16 bytes past a cache line, same
/// binary, minimum of 25-41 interleaved runs: portable f64 n = 256 2.93 -> 2.61 ms, n = 512 17.3 ->
/// 15.7, n = 1024 88.8 -> 71.7; f32 n = 512 7.87 -> 7.19, n = 1024 50.4 -> 44.1; level at n = 128.
/// `a` ends as [`tridiagonalize`] leaves it, bit for bit. `scratch` needs [`aligned_len`]`(n)` scalars.
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
    copy_lower(a, n, b, ld, n);
    Reduction {
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

/// The operands of one reduction (`a` with column stride `ld`), handed to the dispatched kernel.
struct Reduction<'a, T> {
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
            a,
            ld,
            n,
            d,
            e,
            tau,
            w,
            p,
        } = self;
        reduce(kern, a, ld, n, d, e, tau, w, p);
    }
}

/// The reduction itself, on kernel `kern`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn reduce<T: Real, K: TileKernel<T>>(
    kern: K,
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
    w[..n].fill(T::ZERO);
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

    /// `(a, d, e, tau)` after reducing `a0` in place, or in the aligned copy with the scratch starting
    /// `offset` scalars into a fresh buffer.
    fn reduce_generic<T: Real>(a0: &[T], n: usize, aligned: Option<usize>) -> [Vec<T>; 4] {
        let mut a = a0.to_vec();
        let (mut d, mut e, mut tau) = (vec![T::ZERO; n], vec![T::ZERO; n], vec![T::ZERO; n]);
        match aligned {
            Some(offset) => {
                let mut scratch = vec![T::ZERO; aligned_len(n) + offset];
                tridiagonalize_aligned(&mut a, n, &mut d, &mut e, &mut tau, &mut scratch[offset..]);
            }
            None => {
                let (mut w, mut p) = (vec![T::ZERO; n], vec![T::ZERO; n]);
                tridiagonalize(&mut a, n, &mut d, &mut e, &mut tau, &mut w, &mut p);
            }
        }
        [a, d, e, tau]
    }

    /// The aligned, padded copy reduces exactly as in place, bit for bit, wherever the scratch starts:
    /// the fused pass splits its rows by index, never by address.
    fn aligned_copy_matches_in_place<T: Real>(n: usize) {
        let a0: Vec<T> = random_symmetric(n, 11 + n as u64);
        let in_place = reduce_generic(&a0, n, None);
        for offset in 0..5 {
            let aligned = reduce_generic(&a0, n, Some(offset));
            for (x, y) in in_place.iter().zip(&aligned) {
                assert!(
                    x.iter()
                        .zip(y)
                        .all(|(x, y)| x.to_f64().to_bits() == y.to_f64().to_bits()),
                    "{} n = {n}, scratch offset {offset}",
                    T::NAME
                );
            }
        }
    }

    #[test]
    fn aligned_copy_reduces_bit_for_bit_like_in_place_at_any_scratch_offset() {
        for n in [1, 2, 3, 17, 40, 191, 200] {
            aligned_copy_matches_in_place::<f64>(n);
            aligned_copy_matches_in_place::<f32>(n);
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
