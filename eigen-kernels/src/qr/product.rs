//! Cache-blocked matrix product `C = A B` for the divide-and-conquer merges and the final `Q Z`.
//!
//! [`crate::dense::gemm`]'s register tiles stream all of `A` once per four columns of `C`, which is
//! memory bound once `A` leaves L2 (n >= 256 in `f64`). Here `A` is packed in `MC x KC` panels of
//! `2 * LANES`-row strips that stay in L2 while every column block of `B` passes (GotoBLAS/BLIS loop
//! order: Goto & van de Geijn, "Anatomy of high-performance matrix multiplication", ACM TOMS 34(3),
//! 2008); the micro-kernel is a `2 x LANES` by 4 register tile written against
//! [`TileKernel`], so a portable x86-64 build runs it on AVX2+FMA when the CPU has them
//! (`simd/dispatch.rs`).

use crate::Real;
use crate::simd::{Dispatch, SimdReal, TileKernel, WithTileKernel};

/// Depth of a packed panel.
const KC: usize = 256;
/// Rows of a packed panel (a multiple of every strip height).
const MC: usize = 64;
/// Columns per register tile.
const NR: usize = 4;
/// Lane vectors per strip.
const R: usize = 2;

/// Scratch length of [`multiply`]: one packed panel.
pub(crate) const fn workspace_len() -> usize {
    MC * KC
}

/// Whether [`multiply`] overwrites `C` or adds to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Update {
    /// `C = A B`.
    Overwrite,
    /// `C += A B`.
    Accumulate,
}

/// A column-major operand: storage and leading dimension (column stride, at least the row count).
pub(crate) type Strided<S> = (S, usize);

/// `C = A B` (or `C += A B`) with `A` `m x k`, `B` `k x n`, `C` `m x n`, all column-major with the given
/// leading dimensions. `pack` needs [`workspace_len`] scalars.
#[allow(clippy::too_many_arguments)]
pub(crate) fn multiply<T: Real>(
    m: usize,
    n: usize,
    k: usize,
    a: Strided<&[T]>,
    b: Strided<&[T]>,
    c: Strided<&mut [T]>,
    update: Update,
    pack: &mut [T],
) {
    let product = Product {
        m,
        n,
        k,
        a,
        b,
        c,
        update,
        pack,
    };
    T::Lanes::with_tile_kernel(product, Dispatch::Best);
}

/// The operands of one [`multiply`], handed to the dispatched kernel.
struct Product<'a, T> {
    m: usize,
    n: usize,
    k: usize,
    a: Strided<&'a [T]>,
    b: Strided<&'a [T]>,
    c: Strided<&'a mut [T]>,
    update: Update,
    pack: &'a mut [T],
}

impl<T: Real> WithTileKernel<T> for Product<'_, T> {
    type Output = ();
    #[inline(always)]
    fn run<K: TileKernel<T>>(self, kern: K) {
        let Product {
            m,
            n,
            k,
            a: (a, lda),
            b: (b, ldb),
            c: (c, ldc),
            update,
            pack,
        } = self;
        if k == 0 {
            if update == Update::Overwrite {
                for j in 0..n {
                    c[j * ldc..j * ldc + m].fill(T::ZERO);
                }
            }
            return;
        }
        let h = R * K::LANES;
        let pack = &mut pack[..MC * KC];
        let mut p0 = 0;
        while p0 < k {
            let kc = KC.min(k - p0);
            let first = p0 == 0 && update == Update::Overwrite;
            let mut i0 = 0;
            while i0 < m {
                let mc = MC.min(m - i0);
                let strips = mc.div_ceil(h);
                // Pack A[i0..i0+mc, p0..p0+kc] as strips of h rows, each strip p-major, zero padded.
                for st in 0..strips {
                    let r0 = i0 + st * h;
                    let rows = h.min(m - r0);
                    let dst = &mut pack[st * h * kc..(st + 1) * h * kc];
                    for p in 0..kc {
                        let col = &a[(p0 + p) * lda + r0..(p0 + p) * lda + r0 + rows];
                        let out = &mut dst[p * h..p * h + h];
                        out[..rows].copy_from_slice(col);
                        out[rows..].fill(T::ZERO);
                    }
                }
                let mut j0 = 0;
                while j0 < n {
                    let nb = NR.min(n - j0);
                    for st in 0..strips {
                        let r0 = i0 + st * h;
                        let rows = h.min(m - r0);
                        let panel = &pack[st * h * kc..(st + 1) * h * kc];
                        let at = Tile {
                            panel,
                            kc,
                            p0,
                            j0,
                            r0,
                            rows,
                            first,
                        };
                        match nb {
                            4 => tile::<T, K, 4>(kern, at, b, ldb, c, ldc),
                            3 => tile::<T, K, 3>(kern, at, b, ldb, c, ldc),
                            2 => tile::<T, K, 2>(kern, at, b, ldb, c, ldc),
                            _ => tile::<T, K, 1>(kern, at, b, ldb, c, ldc),
                        }
                    }
                    j0 += nb;
                }
                i0 += mc;
            }
            p0 += kc;
        }
    }
}

/// Where one register tile sits: its packed `A` strip (`kc` deep, from depth `p0`), the first column
/// `j0` and row `r0` of `C`, the valid rows, and whether it overwrites `C`.
#[derive(Clone, Copy)]
struct Tile<'a, T> {
    panel: &'a [T],
    kc: usize,
    p0: usize,
    j0: usize,
    r0: usize,
    rows: usize,
    first: bool,
}

/// One `R * LANES x NB` tile of `C` at `(r0, j0)` (`rows` valid rows) over the panel's `kc` depth;
/// `first` overwrites `C`, otherwise it accumulates.
#[inline(always)]
fn tile<T: Real, K: TileKernel<T>, const NB: usize>(
    kern: K,
    at: Tile<'_, T>,
    b: &[T],
    ldb: usize,
    c: &mut [T],
    ldc: usize,
) {
    let Tile {
        panel,
        kc,
        p0,
        j0,
        r0,
        rows,
        first,
    } = at;
    let w = K::LANES;
    let h = R * w;
    let zero = kern.splat(T::ZERO);
    let mut acc = [[zero; NB]; R];
    let bcols: [&[T]; NB] = core::array::from_fn(|jj| &b[(j0 + jj) * ldb + p0..(j0 + jj) * ldb + p0 + kc]);
    for p in 0..kc {
        let strip = &panel[p * h..p * h + h];
        let av: [K::V; R] = core::array::from_fn(|r| kern.load(&strip[r * w..]));
        for jj in 0..NB {
            let bv = kern.splat(bcols[jj][p]);
            for r in 0..R {
                acc[r][jj] = kern.mul_add(av[r], bv, acc[r][jj]);
            }
        }
    }
    for jj in 0..NB {
        let start = (j0 + jj) * ldc + r0;
        if rows == h {
            for r in 0..R {
                let cs = &mut c[start + r * w..start + r * w + w];
                let v = if first {
                    acc[r][jj]
                } else {
                    kern.add(acc[r][jj], kern.load(cs))
                };
                kern.store(v, cs);
            }
        } else {
            let mut buf = [T::ZERO; 64];
            for r in 0..R {
                kern.store(acc[r][jj], &mut buf[r * w..]);
            }
            for (i, x) in c[start..start + rows].iter_mut().enumerate() {
                *x = if first { buf[i] } else { *x + buf[i] };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Rng;
    use alloc::vec;
    use alloc::vec::Vec;

    fn matches_naive<T: Real>(tol: f64) {
        let mut rng = Rng::new(3);
        for (m, n, k) in [
            (1, 1, 1),
            (7, 5, 3),
            (64, 64, 64),
            (65, 9, 300),
            (130, 131, 257),
            (3, 4, 0),
        ] {
            let a: Vec<f64> = (0..m * k).map(|_| rng.symmetric_uniform()).collect();
            let b: Vec<f64> = (0..k * n).map(|_| rng.symmetric_uniform()).collect();
            let ta: Vec<T> = a.iter().map(|x| T::from_f64(*x)).collect();
            let tb: Vec<T> = b.iter().map(|x| T::from_f64(*x)).collect();
            for how in [Dispatch::Best, Dispatch::CompiledOnly] {
                let mut c = vec![T::from_f64(f64::NAN); m * n];
                let mut pack = vec![T::ZERO; workspace_len()];
                let product = Product {
                    m,
                    n,
                    k,
                    a: (&ta, m),
                    b: (&tb, k),
                    c: (&mut c, m),
                    update: Update::Overwrite,
                    pack: &mut pack,
                };
                T::Lanes::with_tile_kernel(product, how);
                for j in 0..n {
                    for i in 0..m {
                        let want: f64 = (0..k).map(|p| a[p * m + i] * b[j * k + p]).sum();
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
    fn blocked_product_matches_naive_loops() {
        matches_naive::<f64>(1e-15);
        matches_naive::<f32>(1e-6);
    }
}
