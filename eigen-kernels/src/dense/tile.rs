//! The register-tiled inner kernel of the dense products: `C += alpha A op(B)` with `A` as stored
//! (`m x k`, column-major) and `op(B)` given entrywise, so one kernel serves `A B`, `A B^T` and
//! `A diag(d) A^T`.
//!
//! A tile of `STRIPS x LANES` rows (`TileKernel::STRIPS`) and `NR = 4` columns of `C` stays in SIMD
//! accumulators while the `k` rank-one updates stream past (vector loads of `A` and four broadcasts of
//! `op(B)` per step): the register-blocking of GotoBLAS/BLIS micro-kernels (Goto & van de Geijn 2008,
//! "Anatomy of high-performance matrix multiplication", ACM TOMS 34(3)). `op(B)` is packed in small stack chunks;
//! `A` is not packed since the layers' matrices fit in L1/L2. Rows left over by the tiles run scalar
//! loops; column blocks narrower than `NR` run `axpy`s down the columns.

use crate::simd::{Dispatch, TileKernel, WithTileKernel, axpy};
use crate::{Real, SimdReal};

/// Which part of `C` must be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    /// Every entry.
    Full,
    /// At least the lower triangle (`i >= j`); tiles straddling the diagonal also write some upper
    /// entries, which the caller overwrites (mirrors).
    Lower,
}

/// Columns per tile.
const NR: usize = 4;
/// Depth of one packed chunk of `op(B)` (a `KB x NR` stack buffer: 2 KiB in `f64`).
const KB: usize = 64;

/// `C += alpha A op(B)` for `C` `m x n`, `A` `m x k`, `op(B)[p, j] = b(p, j)`.
///
/// Each `NR`-column block of `op(B)` is copied, `KB` depth steps at a time, into a small p-major stack
/// buffer, so the tiles read one contiguous stream (the packing of B in BLIS, on the stack) instead of
/// calling `b` with a bounds check per broadcast.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(super) fn update<T: Real, B: Fn(usize, usize) -> T>(
    m: usize,
    n: usize,
    k: usize,
    alpha: T,
    a: &[T],
    b: B,
    c: &mut [T],
    part: Part,
) {
    T::Lanes::with_tile_kernel(
        Update {
            m,
            n,
            k,
            alpha,
            a,
            b,
            c,
            part,
        },
        Dispatch::Best,
    );
}

/// The operands of one [`update`], handed to the dispatched kernel.
struct Update<'a, T, B> {
    m: usize,
    n: usize,
    k: usize,
    alpha: T,
    a: &'a [T],
    b: B,
    c: &'a mut [T],
    part: Part,
}

impl<T: Real, B: Fn(usize, usize) -> T> WithTileKernel<T> for Update<'_, T, B> {
    type Output = ();
    #[inline(always)]
    fn run<K: TileKernel<T>>(self, kern: K) {
        let Update {
            m,
            n,
            k,
            alpha,
            a,
            b,
            c,
            part,
        } = self;
        let w = K::LANES;
        let mut packed = [[T::ZERO; NR]; KB];
        let mut j0 = 0;
        while j0 < n {
            let nb = NR.min(n - j0);
            let first_row = match part {
                Part::Full => 0,
                Part::Lower => (j0 / w) * w,
            };
            if nb < NR {
                for j in j0..n {
                    let cj = &mut c[j * m + first_row..j * m + m];
                    for p in 0..k {
                        let s = alpha * b(p, j);
                        if s != T::ZERO {
                            axpy(s, &a[p * m + first_row..p * m + m], cj);
                        }
                    }
                }
                break;
            }
            let mut p0 = 0;
            while p0 < k {
                let kc = KB.min(k - p0);
                for (p, row) in packed[..kc].iter_mut().enumerate() {
                    for (jj, x) in row.iter_mut().enumerate() {
                        *x = b(p0 + p, j0 + jj);
                    }
                }
                let bp = &packed[..kc];
                let a = &a[p0 * m..(p0 + kc) * m];
                let mut i0 = first_row;
                while K::STRIPS == 2 && i0 + 2 * w <= m {
                    tile::<T, K, 2>(kern, m, alpha, a, bp, c, i0, j0);
                    i0 += 2 * w;
                }
                while i0 + w <= m {
                    tile::<T, K, 1>(kern, m, alpha, a, bp, c, i0, j0);
                    i0 += w;
                }
                for (jj, j) in (j0..j0 + NR).enumerate() {
                    for i in i0..m {
                        let mut s = T::ZERO;
                        for (p, bs) in bp.iter().enumerate() {
                            s += a[p * m + i] * bs[jj];
                        }
                        c[j * m + i] += alpha * s;
                    }
                }
                p0 += kc;
            }
            j0 += NR;
        }
    }
}

/// One `R * LANES` x `NR` tile of `C` at `(i0, j0)`, accumulated in registers over the packed chunk
/// `bp` (`a` starts at the chunk's first column), then added to `C` times `alpha`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn tile<T: Real, K: TileKernel<T>, const R: usize>(
    kern: K,
    m: usize,
    alpha: T,
    a: &[T],
    bp: &[[T; NR]],
    c: &mut [T],
    i0: usize,
    j0: usize,
) {
    let w = K::LANES;
    let zero = kern.splat(T::ZERO);
    let mut acc = [[zero; NR]; R];
    for (p, bs) in bp.iter().enumerate() {
        let col = &a[p * m + i0..p * m + i0 + R * w];
        let av: [K::V; R] = core::array::from_fn(|r| kern.load(&col[r * w..]));
        for jj in 0..NR {
            let bv = kern.splat(bs[jj]);
            for r in 0..R {
                acc[r][jj] = kern.mul_add(av[r], bv, acc[r][jj]);
            }
        }
    }
    let al = kern.splat(alpha);
    for jj in 0..NR {
        for r in 0..R {
            let start = (j0 + jj) * m + i0 + r * w;
            let cs = &mut c[start..start + w];
            let v = kern.mul_add(al, acc[r][jj], kern.load(cs));
            kern.store(v, cs);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Rng;
    use alloc::vec::Vec;

    fn matches_naive<T: Real>(tol: f64) {
        let mut rng = Rng::new(11);
        for (m, n, k) in [(1, 4, 1), (7, 5, 3), (13, 8, 70), (32, 32, 32), (37, 9, 130)] {
            let a: Vec<f64> = (0..m * k).map(|_| rng.symmetric_uniform()).collect();
            let b: Vec<f64> = (0..k * n).map(|_| rng.symmetric_uniform()).collect();
            let c0: Vec<f64> = (0..m * n).map(|_| rng.symmetric_uniform()).collect();
            let (ta, tb): (Vec<T>, Vec<T>) = (
                a.iter().map(|x| T::from_f64(*x)).collect(),
                b.iter().map(|x| T::from_f64(*x)).collect(),
            );
            for how in [Dispatch::Best, Dispatch::CompiledOnly] {
                let mut c: Vec<T> = c0.iter().map(|x| T::from_f64(*x)).collect();
                let alpha = T::from_f64(-0.75);
                let op = Update {
                    m,
                    n,
                    k,
                    alpha,
                    a: &ta,
                    b: |p, j| tb[j * k + p],
                    c: &mut c,
                    part: Part::Full,
                };
                T::Lanes::with_tile_kernel(op, how);
                for j in 0..n {
                    for i in 0..m {
                        let s: f64 = (0..k).map(|p| a[p * m + i] * b[j * k + p]).sum();
                        let want = c0[j * m + i] - 0.75 * s;
                        let err = (c[j * m + i].to_f64() - want).abs();
                        assert!(
                            err <= tol * (k as f64 + 1.0),
                            "{how:?} {m}x{n}x{k} ({i},{j}): {err}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn tiles_match_naive_loops_on_every_kernel() {
        matches_naive::<f64>(1e-15);
        matches_naive::<f32>(1e-6);
    }
}
