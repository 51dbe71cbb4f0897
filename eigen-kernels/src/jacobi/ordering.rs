//! The Brent–Luk parallel ordering: `n - 1` rounds (n even) or `n` rounds (n odd) of disjoint pairs per sweep.
//!
//! Brent & Luk, "The solution of singular-value and symmetric eigenvalue problems on multiprocessor
//! arrays", SIAM J. Sci. Stat. Comput. 6(1), 1985: the round-robin ("circle") tournament. Physical
//! positions `0..m` (top) pair with `m..2m` (bottom), `m = n / 2`; for odd `n` position `2m` sits the round
//! out (it plays a phantom). Between rounds every element moves one step along a ring of positions
//! (even `n`: position 0 stays), so after one sweep every pair has met exactly once and every element is
//! back at its starting position. Keeping the pairs at fixed positions `(k, m + k)` is what lets a
//! round's rotations be applied to contiguous memory (see [`super::rounds`]).

/// The ring of positions that the elements move along between rounds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ring {
    n: usize,
    m: usize,
    odd: bool,
}

impl Ring {
    /// The ordering for an `n x n` problem (`n >= 2`).
    pub fn new(n: usize) -> Self {
        Ring {
            n,
            m: n / 2,
            odd: n % 2 == 1,
        }
    }

    /// Number of disjoint pairs per round.
    pub fn pairs(&self) -> usize {
        self.m
    }

    /// Rounds per sweep, which is also the length of the ring.
    pub fn rounds(&self) -> usize {
        if self.odd { self.n } else { self.n - 1 }
    }

    /// The position that sits the round out (odd `n` only).
    pub fn sit_out(&self) -> Option<usize> {
        self.odd.then_some(2 * self.m)
    }

    /// Index along the ring of position `p` (`None` for the fixed position 0 of even `n`).
    ///
    /// Ring order: even `n`: `1, 2, .., m-1, n-1, n-2, .., m`; odd `n`: `0, 1, .., m-1, 2m-1, .., m, 2m`.
    fn index(&self, p: usize) -> Option<usize> {
        let m = self.m;
        if self.odd {
            Some(if p < m {
                p
            } else if p < 2 * m {
                m + (2 * m - 1 - p)
            } else {
                2 * m
            })
        } else if p == 0 {
            None
        } else if p < m {
            Some(p - 1)
        } else {
            Some((m - 1) + (self.n - 1 - p))
        }
    }

    /// Position at ring index `k` (the inverse of [`Ring::index`]).
    fn position(&self, k: usize) -> usize {
        let m = self.m;
        if self.odd {
            if k < m {
                k
            } else if k < 2 * m {
                2 * m - 1 - (k - m)
            } else {
                2 * m
            }
        } else if k + 1 < m {
            k + 1
        } else {
            self.n - 1 - (k + 1 - m)
        }
    }

    /// Where the element at position `p` goes for the next round.
    pub fn next(&self, p: usize) -> usize {
        match self.index(p) {
            Some(k) if k + 1 == self.rounds() => self.position(0),
            Some(k) => self.position(k + 1),
            None => p,
        }
    }

    /// The original index (logical row/column) of the element at position `p` after `r` rounds.
    pub fn label(&self, p: usize, r: usize) -> usize {
        let len = self.rounds();
        match self.index(p) {
            Some(k) => self.position((k + len - r % len) % len),
            None => p,
        }
    }

    /// Moves the entries of `v` (one per position) one step along the ring: `v'[next(p)] = v[p]`.
    pub fn advance<T: Copy>(&self, v: &mut [T]) {
        let len = self.rounds();
        let last = v[self.position(len - 1)];
        for k in (1..len).rev() {
            v[self.position(k)] = v[self.position(k - 1)];
        }
        v[self.position(0)] = last;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pair_meets_exactly_once_per_sweep_and_labels_return_home() {
        for n in 2..=21 {
            let ring = Ring::new(n);
            let mut met = [[0u8; 21]; 21];
            let mut labels = [0usize; 21];
            for (p, l) in labels.iter_mut().enumerate().take(n) {
                *l = p;
            }
            for r in 0..ring.rounds() {
                for p in 0..n {
                    assert_eq!(ring.label(p, r), labels[p], "n={n} r={r} p={p}");
                }
                for k in 0..ring.pairs() {
                    let (a, b) = (labels[k], labels[ring.pairs() + k]);
                    met[a.min(b)][a.max(b)] += 1;
                }
                ring.advance(&mut labels[..n]);
                for p in 0..n {
                    let moved = ring.next(p);
                    assert!(moved < n);
                }
            }
            for a in 0..n {
                assert_eq!(labels[a], a, "n={n}: back home after a sweep");
                for b in a + 1..n {
                    assert_eq!(met[a][b], 1, "n={n}: pair ({a}, {b})");
                }
            }
        }
    }

    #[test]
    fn next_is_a_permutation_consistent_with_advance() {
        for n in 2..=17 {
            let ring = Ring::new(n);
            let mut seen = [false; 17];
            let mut v = [0usize; 17];
            for p in 0..n {
                v[p] = p;
                seen[ring.next(p)] = true;
            }
            assert!(seen[..n].iter().all(|&s| s), "n={n}");
            ring.advance(&mut v[..n]);
            for p in 0..n {
                assert_eq!(v[ring.next(p)], p, "n={n}");
            }
        }
    }
}
