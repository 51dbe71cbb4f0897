//! `Z <- Q Z` with `Q = H_0 H_1 .. H_{n-2}` given by the reflectors of [`super::tridiagonalize`], without
//! forming `Q` (LAPACK dormtr / dormqr, side `L`, no transpose).
//!
//! The reflectors are taken [`BLOCK`] at a time, last block first; each block is written in compact WY
//! form `H_f .. H_{f+b-1} = I - V T V^T` (Schreiber & Van Loan 1989; dlarft, forward, columnwise) and
//! applied as three matrix products through [`super::product`] (dlarfb): `W = V^T Z`, `W <- -T W`,
//! `Z <- Z + V W`. That is `2 n^3` flops of cache-blocked products, against `4/3 n^3` of narrow
//! register-blocked updates to form `Q` plus `2 n^3` to multiply by it.

use super::product::{self, Update, multiply};
use crate::{Real, simd};

/// Reflectors per compact-WY block.
const BLOCK: usize = 32;

/// Scratch length of [`apply_q`].
pub(crate) const fn workspace_len(n: usize) -> usize {
    4 * BLOCK * n + BLOCK * BLOCK + product::workspace_len()
}

/// `z <- Q z` for `z` `n x n` (column-major), reading reflector `k` from column `k` of `a` (rows
/// `k+1..n`, leading 1 stored) and `tau[k]`. `work` needs [`workspace_len`]`(n)` scalars.
pub(crate) fn apply_q<T: Real>(a: &[T], n: usize, tau: &[T], z: &mut [T], work: &mut [T]) {
    let (v, rest) = work.split_at_mut(BLOCK * n);
    let (vt, rest) = rest.split_at_mut(BLOCK * n);
    let (w, rest) = rest.split_at_mut(BLOCK * n);
    let (w2, rest) = rest.split_at_mut(BLOCK * n);
    let (t, pack) = rest.split_at_mut(BLOCK * BLOCK);
    let mut end = n.saturating_sub(1);
    while end > 0 {
        let first = (end - 1) / BLOCK * BLOCK;
        let b = end - first;
        // Rows first+1..n.
        let r = n - first - 1;
        // V (r x b, zeros above the unit diagonal) and V^T (b x r).
        for c in 0..b {
            let col = &mut v[c * r..c * r + r];
            col[..c].fill(T::ZERO);
            let k = first + c;
            col[c..].copy_from_slice(&a[k * n + k + 1..k * n + n]);
            for (i, x) in col.iter().enumerate() {
                vt[i * b + c] = *x;
            }
        }
        // -T (upper triangular, b x b): T[c][c] = tau, T[..c][c] = -tau T[..c][..c] (V[:, ..c]^T v_c).
        let t = &mut t[..b * b];
        t.fill(T::ZERO);
        for c in 0..b {
            let tc = tau[first + c];
            let vc = &v[c * r..c * r + r];
            let mut y = [T::ZERO; BLOCK];
            for (s, ys) in y.iter_mut().enumerate().take(c) {
                *ys = simd::dot(&v[s * r + c..s * r + r], &vc[c..]);
            }
            for s in 0..c {
                let mut acc = T::ZERO;
                for q in s..c {
                    // t holds -T: -(-T[s][q]) y_q.
                    acc -= t[q * b + s] * y[q];
                }
                t[c * b + s] = tc * acc;
            }
            t[c * b + c] = -tc;
        }
        let zsub = &mut z[first + 1..];
        multiply(
            b,
            n,
            r,
            (&*vt, b),
            (&*zsub, n),
            (&mut *w, b),
            Update::Overwrite,
            pack,
        );
        multiply(
            b,
            n,
            b,
            (&*t, b),
            (&*w, b),
            (&mut *w2, b),
            Update::Overwrite,
            pack,
        );
        multiply(r, n, b, (&*v, r), (&*w2, b), (zsub, n), Update::Accumulate, pack);
        end = first;
    }
}

#[cfg(test)]
mod tests {
    use super::super::tridiagonalize::tests::{Reduced, reduce};
    use super::*;
    use crate::testing::random_symmetric;
    use alloc::vec;
    use alloc::vec::Vec;

    #[test]
    fn applying_the_reflectors_equals_multiplying_by_the_formed_q() {
        for n in [1usize, 2, 5, 33, 70, 130] {
            let a0: Vec<f64> = random_symmetric(n, 9);
            let Reduced { a, tau, q, .. } = reduce(&a0, n);
            let z0: Vec<f64> = random_symmetric(n, 10);
            let mut z = z0.clone();
            let mut work = vec![0.0; workspace_len(n)];
            apply_q(&a, n, &tau, &mut z, &mut work);
            for j in 0..n {
                for i in 0..n {
                    let want: f64 = (0..n).map(|l| q[l * n + i] * z0[j * n + l]).sum();
                    assert!((z[j * n + i] - want).abs() <= 1e-13 * n as f64, "n={n} ({i},{j})");
                }
            }
        }
    }
}
