//! Output conventions per lane, branch-free: ascending eigenvalues (eigenvector columns move with
//! them) and the sign rule (largest-magnitude entry positive, lowest index wins ties).

use crate::{Real, SimdReal};

/// What follows the eigenvalues through [`sort_ascending`].
pub(super) enum Follow<'a, V> {
    /// Nothing (eigenvalues only).
    Nothing,
    /// The eigenvector columns (`n x n` vectors, column-major) are exchanged alongside, `O(n^3)`.
    Columns(&'a mut [V]),
    /// The permutation is recorded: lane `l` of `order[k]` becomes the index (as a `T`, exact for
    /// `n <= 2^24`) of the unsorted value now at position `k`, and [`super::layout::scatter`] applies it
    /// while it transposes, `O(n^2)`. Faster above [`MOVE_COLUMNS_MAX_N`]; below it the indexed stores
    /// cost more than the exchanges.
    Order(&'a mut [V]),
}

/// Sorts each lane's eigenvalues `d[..n]` ascending, with the vectors or the permutation following as
/// `follow` says.
///
/// Odd-even transposition sort (Knuth, TAOCP vol. 3, §5.3.4, exercise 37): `n` rounds of
/// compare-exchanges on neighbours, a fixed sorting network, so every lane runs the same
/// instructions and a swap is a `select`.
#[inline(always)]
pub(super) fn sort_ascending<T: Real, V: SimdReal<Scalar = T>>(
    n: usize,
    d: &mut [V],
    mut follow: Follow<'_, V>,
) {
    if let Follow::Order(order) = &mut follow {
        for (i, o) in order[..n].iter_mut().enumerate() {
            *o = V::splat(T::from_usize(i));
        }
    }
    for round in 0..n {
        let mut i = round % 2;
        while i + 1 < n {
            let (x, y) = (d[i], d[i + 1]);
            let swap = y.lt(x);
            d[i] = V::select(swap, y, x);
            d[i + 1] = V::select(swap, x, y);
            match &mut follow {
                Follow::Nothing => {}
                Follow::Order(order) => {
                    let (p, q) = (order[i], order[i + 1]);
                    order[i] = V::select(swap, q, p);
                    order[i + 1] = V::select(swap, p, q);
                }
                Follow::Columns(v) => {
                    let (left, right) = v.split_at_mut((i + 1) * n);
                    for (a, b) in left[i * n..].iter_mut().zip(&mut right[..n]) {
                        let (x, y) = (*a, *b);
                        *a = V::select(swap, y, x);
                        *b = V::select(swap, x, y);
                    }
                }
            }
            i += 2;
        }
    }
}

/// Largest `n` whose eigenvector columns [`sort_ascending`] exchanges itself. Measured (minimum of
/// 25 runs, 512-4096 matrices, portable build): at `n = 3` and `8` the exchanges are as fast or
/// faster than the indexed stores; at `n = 16` the permuted scatter saves ~4% of the whole batched
/// solve, at `n = 32` ~10%.
pub(super) const MOVE_COLUMNS_MAX_N: usize = 8;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finish;

    fn per_lane_sort_matches_scalar<T: Real, V: SimdReal<Scalar = T>>(n: usize) {
        let w = V::LANES;
        // Lane l holds the values (i * 7 + l * 3) mod 5 - 2 (repeats included).
        let value =
            |l: usize, i: usize| T::from_f64((((i * 7 + l * 3) % 5) as f64 - 2.0) + 0.25 * (i % 2) as f64);
        let mut d: [V; 8] = [V::splat(T::ZERO); 8];
        let mut zeros = V::splat(T::ZERO).to_array();
        for i in 0..n {
            for l in 0..w {
                zeros.as_mut()[l] = value(l, i);
            }
            d[i] = V::from_array(zeros);
        }
        let mut v: [V; 64] = [V::splat(T::ZERO); 64];
        for i in 0..n {
            for r in 0..n {
                v[r + i * n] = V::splat(T::from_usize(100 * i + r));
            }
        }
        let mut order: [V; 8] = [V::splat(T::ZERO); 8];
        let mut d2 = d;
        sort_ascending(n, &mut d[..n], Follow::Columns(&mut v[..n * n]));
        sort_ascending(n, &mut d2[..n], Follow::Order(&mut order[..n]));
        for l in 0..w {
            let mut want: [T; 8] = core::array::from_fn(|i| if i < n { value(l, i) } else { T::ZERO });
            finish::sort_ascending(&mut want[..n], None, n);
            let mut seen = [false; 8];
            for i in 0..n {
                let got = d[i].to_array().as_ref()[l];
                assert_eq!(got, want[i], "lane {l} position {i}");
                assert_eq!(
                    d2[i].to_array().as_ref()[l],
                    got,
                    "lane {l}: both ways sort alike"
                );
                // `order` names the unsorted position the value came from, each exactly once.
                let from = order[i].to_array().as_ref()[l].to_f64() as usize;
                assert_eq!(
                    value(l, from),
                    got,
                    "lane {l}: order points at the value's origin"
                );
                assert!(!seen[from], "lane {l}: order is a permutation");
                seen[from] = true;
                // The columns moved with their values, the same permutation.
                for r in 0..n {
                    assert_eq!(v[r + i * n].to_array().as_ref()[l], T::from_usize(100 * from + r));
                }
            }
        }
    }

    #[test]
    fn sorting_network_orders_every_lane_returns_the_permutation_and_moves_the_columns() {
        for n in 1..=8 {
            per_lane_sort_matches_scalar::<f64, <f64 as Real>::Lanes>(n);
            per_lane_sort_matches_scalar::<f32, <f32 as Real>::BatchLanes>(n);
        }
    }

    #[test]
    fn sign_rule_matches_the_scalar_rule_lane_by_lane_with_ties() {
        type V = <f32 as Real>::BatchLanes;
        let n = 3;
        // Columns per lane: ties (lowest index wins), negative maxima, zeros.
        let cols: [[f32; 3]; 6] = [
            [0.6, -0.8, 0.0],
            [-0.5, 0.5, 0.1],
            [0.5, -0.5, 0.1],
            [0.0, 0.0, -1.0],
            [0.0, 0.0, 0.0],
            [-0.3, 0.2, 0.3],
        ];
        let mut v = [V::splat(0.0); 9];
        for x in 0..9 {
            let mut a = V::splat(0.0).to_array();
            for (l, y) in a.iter_mut().enumerate() {
                *y = cols[(l + x / 3) % 6][x % 3];
            }
            v[x] = V::from_array(a);
        }
        let before = v;
        normalize_signs(n, &mut v);
        for l in 0..V::LANES {
            let mut want: [f32; 9] = core::array::from_fn(|x| before[x].to_array()[l]);
            finish::normalize_signs(&mut want, n);
            let got: [f32; 9] = core::array::from_fn(|x| v[x].to_array()[l]);
            assert_eq!(got.map(f32::to_bits), want.map(f32::to_bits), "lane {l}");
        }
    }
}
