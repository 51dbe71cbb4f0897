//! Output conventions per lane, branch-free: ascending eigenvalues (eigenvector columns move with
//! them) and the sign rule (largest-magnitude entry positive, lowest index wins ties).

use crate::{Real, SimdReal};

/// Sorts each lane's eigenvalues `d[..n]` ascending, permuting the eigenvector columns of `v` (`n x n`
/// vectors, column-major) alongside.
///
/// Odd-even transposition sort (Knuth, TAOCP vol. 3, §5.3.4, exercise 37): `n` rounds of
/// compare-exchanges on neighbours, a fixed sorting network, so every lane runs the same
/// instructions and a swap is a `select`. `O(n^2)` exchanges of `n + 1` vectors each stay small beside
/// the `O(n^3)` sweeps.
#[inline(always)]
pub(super) fn sort_ascending<T: Real, V: SimdReal<Scalar = T>>(
    n: usize,
    d: &mut [V],
    mut v: Option<&mut [V]>,
) {
    for round in 0..n {
        let mut i = round % 2;
        while i + 1 < n {
            let (x, y) = (d[i], d[i + 1]);
            let swap = y.lt(x);
            d[i] = V::select(swap, y, x);
            d[i + 1] = V::select(swap, x, y);
            if let Some(v) = v.as_deref_mut() {
                let (left, right) = v.split_at_mut((i + 1) * n);
                for (a, b) in left[i * n..].iter_mut().zip(&mut right[..n]) {
                    let (x, y) = (*a, *b);
                    *a = V::select(swap, y, x);
                    *b = V::select(swap, x, y);
                }
            }
            i += 2;
        }
    }
}

/// Flips each eigenvector column so its entry of largest magnitude is positive; on ties the lowest
/// index decides (the strict `>` keeps the first maximum), as in the scalar solvers.
#[inline(always)]
pub(super) fn normalize_signs<T: Real, V: SimdReal<Scalar = T>>(n: usize, v: &mut [V]) {
    let zero = V::splat(T::ZERO);
    let one = V::splat(T::ONE);
    for col in v[..n * n].chunks_exact_mut(n) {
        let mut best = zero;
        let mut negative = zero.lt(zero);
        for x in col.iter() {
            let ax = x.abs();
            let better = best.lt(ax);
            best = V::select(better, ax, best);
            negative = V::select(better, x.lt(zero), negative);
        }
        let flip = V::select(negative, -one, one);
        for x in col.iter_mut() {
            *x *= flip;
        }
    }
}
