//! The register-tiled inner kernel of the dense products: `C += alpha A op(B)` with `A` as stored
//! (`m x k`, column-major) and `op(B)` given entrywise, so one kernel serves `A B`, `A B^T` and
//! `A diag(d) A^T`.
//!
//! A tile of `2 x LANES` rows and `NR = 4` columns of `C` stays in eight SIMD accumulators while the
//! `k` rank-one updates stream past (two vector loads of `A` and four broadcasts of `op(B)` per step):
//! the register-blocking of GotoBLAS/BLIS micro-kernels (Goto & van de Geijn 2008, "Anatomy of
//! high-performance matrix multiplication", ACM TOMS 34(3)), without packing since the layers' matrices
//! fit in L1/L2. Rows left over by the tiles run single-vector tiles, then scalar loops; column blocks
//! narrower than `NR` run `axpy`s down the columns.

use crate::simd::axpy;
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

/// `C += alpha A op(B)` for `C` `m x n`, `A` `m x k`, `op(B)[p, j] = b(p, j)`.
#[inline(always)]
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
    let w = T::Lanes::LANES;
    let mut j0 = 0;
    while j0 < n {
        let nb = NR.min(n - j0);
        let mut i0 = match part {
            Part::Full => 0,
            Part::Lower => (j0 / w) * w,
        };
        if nb < NR {
            for j in j0..n {
                let cj = &mut c[j * m + i0..j * m + m];
                for p in 0..k {
                    let s = alpha * b(p, j);
                    if s != T::ZERO {
                        axpy(s, &a[p * m + i0..p * m + m], cj);
                    }
                }
            }
            break;
        }
        while i0 + 2 * w <= m {
            tile::<T, B, 2>(m, k, alpha, a, &b, c, i0, j0);
            i0 += 2 * w;
        }
        if i0 + w <= m {
            tile::<T, B, 1>(m, k, alpha, a, &b, c, i0, j0);
            i0 += w;
        }
        for j in j0..j0 + NR {
            for i in i0..m {
                let mut s = T::ZERO;
                for p in 0..k {
                    s += a[p * m + i] * b(p, j);
                }
                c[j * m + i] += alpha * s;
            }
        }
        j0 += NR;
    }
}

/// One `R * LANES` x `NR` tile of `C` at `(i0, j0)`, accumulated in registers over all `k`.
#[inline(always)]
fn tile<T: Real, B: Fn(usize, usize) -> T, const R: usize>(
    m: usize,
    k: usize,
    alpha: T,
    a: &[T],
    b: &B,
    c: &mut [T],
    i0: usize,
    j0: usize,
) {
    let w = T::Lanes::LANES;
    let zero = T::Lanes::splat(T::ZERO);
    let mut acc = [[zero; NR]; R];
    for p in 0..k {
        let col = &a[p * m + i0..p * m + i0 + R * w];
        let av: [T::Lanes; R] = core::array::from_fn(|r| T::Lanes::load(&col[r * w..]));
        for jj in 0..NR {
            let bv = T::Lanes::splat(b(p, j0 + jj));
            for r in 0..R {
                acc[r][jj] = av[r].mul_add(bv, acc[r][jj]);
            }
        }
    }
    let al = T::Lanes::splat(alpha);
    for jj in 0..NR {
        for r in 0..R {
            let start = (j0 + jj) * m + i0 + r * w;
            let cs = &mut c[start..start + w];
            al.mul_add(acc[r][jj], T::Lanes::load(cs)).store(cs);
        }
    }
}
