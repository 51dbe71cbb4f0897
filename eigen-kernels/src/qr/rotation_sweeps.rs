//! Delayed, blocked application of the QR sweeps' Givens rotations to the eigenvector matrix.
//!
//! Applying each rotation as it comes streams two whole columns of `Z` per rotation, so the `O(n^3)`
//! part of the tridiagonal QR is memory bound. Following Van Zee, van de Geijn and Quintana-Orti
//! ("Restructuring the tridiagonal and bidiagonal QR algorithms for performance", ACM TOMS 40(3), 2014),
//! [`Delayed`] stores up to [`MAX_SWEEPS`] sweeps and then applies all of them to one strip of rows at a
//! time. Within a strip a sweep is a chain: the second column produced by rotation `i` is the first input
//! of rotation `i + 1`, so it stays in registers and each column strip is loaded and stored once per
//! sweep; the strip itself stays in L1/L2 across the stored sweeps, and `Z` crosses the memory bus once
//! per batch instead of once per rotation.

use super::implicit_qr::{Immediate, Order, Rotations};
use crate::Real;
use crate::simd::SimdReal;

/// Sweeps stored before they are applied.
pub(crate) const MAX_SWEEPS: usize = 128;

/// Vectors of lanes per strip: the independent dependency chains that hide the FMA latency.
const STRIP_VECTORS: usize = 4;

/// Rotates rows `r0..r0 + V * LANES` of columns `lo..=hi` of `z` (column stride `ld`) by one sweep;
/// `c[k]`, `s[k]` belong to plane `lo + k`.
#[inline(always)]
fn strip_sweep<T: Real, const V: usize>(
    z: &mut [T],
    ld: usize,
    r0: usize,
    lo: usize,
    hi: usize,
    order: Order,
    c: &[T],
    s: &[T],
) {
    let w = T::Lanes::LANES;
    let load = |z: &[T], col: usize| -> [T::Lanes; V] {
        core::array::from_fn(|v| T::Lanes::load(&z[col * ld + r0 + v * w..]))
    };
    let store = |z: &mut [T], col: usize, x: &[T::Lanes; V]| {
        for v in 0..V {
            x[v].store(&mut z[col * ld + r0 + v * w..]);
        }
    };
    match order {
        Order::Ascending => {
            // carry = column i after the rotations of planes < i.
            let mut carry = load(z, lo);
            for i in lo..hi {
                let y = load(z, i + 1);
                let (cv, sv) = (T::Lanes::splat(c[i - lo]), T::Lanes::splat(s[i - lo]));
                let nsv = T::Lanes::splat(-s[i - lo]);
                let mut out = carry;
                for v in 0..V {
                    out[v] = nsv.mul_add(y[v], cv * carry[v]);
                    carry[v] = sv.mul_add(carry[v], cv * y[v]);
                }
                store(z, i, &out);
            }
            store(z, hi, &carry);
        }
        Order::Descending => {
            // carry = column i + 1 after the rotations of planes > i.
            let mut carry = load(z, hi);
            for i in (lo..hi).rev() {
                let x = load(z, i);
                let (cv, sv) = (T::Lanes::splat(c[i - lo]), T::Lanes::splat(s[i - lo]));
                let nsv = T::Lanes::splat(-s[i - lo]);
                let mut out = carry;
                for v in 0..V {
                    out[v] = sv.mul_add(x[v], cv * carry[v]);
                    carry[v] = nsv.mul_add(carry[v], cv * x[v]);
                }
                store(z, i + 1, &out);
            }
            store(z, lo, &carry);
        }
    }
}

/// One stored sweep: planes `lo..hi`, order, offset of its cosines (sines follow) in the store.
type StoredSweep = (usize, usize, Order, usize);

/// Rows per packed strip.
const fn strip_rows<T: Real>() -> usize {
    STRIP_VECTORS * T::Lanes::LANES
}

/// Stores sweeps in a caller-provided buffer and applies them in row strips (see the module docs).
///
/// Each strip is packed into a contiguous `strip_rows x n` buffer first: with the column stride of `Z`
/// a power of two (n = 512: 4 KiB) the strip's columns would all map to the same cache sets.
pub(crate) struct Delayed<'a, T> {
    z: &'a mut [T],
    rows: usize,
    store: &'a mut [T],
    strip: &'a mut [T],
    sweeps: [StoredSweep; MAX_SWEEPS],
    count: usize,
    used: usize,
}

impl<'a, T: Real> Delayed<'a, T> {
    /// Rotations will act on the columns of `z` (`rows x rows`); `buffer` (any length) holds the
    /// pending sweeps and the packed strip. Too small a buffer means rotations are applied at once.
    pub(crate) fn new(z: &'a mut [T], rows: usize, buffer: &'a mut [T]) -> Self {
        let strip_len = strip_rows::<T>() * rows;
        let (store, strip) = if buffer.len() >= strip_len + 4 * rows {
            buffer.split_at_mut(buffer.len() - strip_len)
        } else {
            buffer.split_at_mut(0)
        };
        Delayed {
            z,
            rows,
            store,
            strip,
            sweeps: [(0, 0, Order::Ascending, 0); MAX_SWEEPS],
            count: 0,
            used: 0,
        }
    }

    /// Applies every stored sweep, strip by strip, in the order they were generated.
    fn flush(&mut self) {
        if self.count == 0 {
            return;
        }
        let sweeps = &self.sweeps[..self.count];
        let (store, z, n) = (&*self.store, &mut *self.z, self.rows);
        let first = sweeps.iter().map(|x| x.0).min().unwrap_or(0);
        let last = sweeps.iter().map(|x| x.1).max().unwrap_or(0);
        let h = strip_rows::<T>();
        let strip = &mut self.strip[..h * n];
        let mut r0 = 0;
        while r0 < n {
            let height = h.min(n - r0);
            // Pack (zero rows pad a short strip: rotating zeros is harmless).
            for j in first..=last {
                let dst = &mut strip[j * h..j * h + h];
                dst[..height].copy_from_slice(&z[j * n + r0..j * n + r0 + height]);
                dst[height..].fill(T::ZERO);
            }
            for &(lo, hi, order, off) in sweeps {
                let len = hi - lo;
                let (c, s) = (&store[off..off + len], &store[off + len..off + 2 * len]);
                strip_sweep::<T, STRIP_VECTORS>(strip, h, 0, lo, hi, order, c, s);
            }
            for j in first..=last {
                z[j * n + r0..j * n + r0 + height].copy_from_slice(&strip[j * h..j * h + height]);
            }
            r0 += height;
        }
        self.count = 0;
        self.used = 0;
    }
}
impl<T: Real> Rotations<T> for Delayed<'_, T> {
    fn sweep(&mut self, lo: usize, hi: usize, order: Order, c: &[T], s: &[T]) {
        let len = hi - lo;
        if self.count == MAX_SWEEPS || self.used + 2 * len > self.store.len() {
            self.flush();
        }
        if 2 * len > self.store.len() {
            // Too long for the store (never with the solver's n x n store): apply it directly.
            Immediate {
                z: &mut *self.z,
                rows: self.rows,
            }
            .sweep(lo, hi, order, c, s);
            return;
        }
        let off = self.used;
        self.store[off..off + len].copy_from_slice(&c[lo..hi]);
        self.store[off + len..off + 2 * len].copy_from_slice(&s[lo..hi]);
        self.sweeps[self.count] = (lo, hi, order, off);
        self.count += 1;
        self.used += 2 * len;
    }

    fn finish(&mut self) {
        self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Rng;
    use alloc::vec;
    use alloc::vec::Vec;

    fn delayed_matches_immediate<T: Real>(n: usize, buffer: usize) {
        let mut rng = Rng::new(n as u64);
        let z0: Vec<T> = (0..n * n).map(|_| T::from_f64(rng.symmetric_uniform())).collect();
        let (mut z1, mut z2) = (z0.clone(), z0.clone());
        let mut store = vec![T::ZERO; buffer];
        let mut delayed = Delayed::new(&mut z1, n, &mut store);
        let mut immediate = Immediate { z: &mut z2, rows: n };
        let (mut c, mut s) = (vec![T::ZERO; n], vec![T::ZERO; n]);
        for sweep in 0..3 * MAX_SWEEPS + 5 {
            let lo = (rng.next_u64() as usize) % (n - 1);
            let hi = lo + 1 + (rng.next_u64() as usize) % (n - 1 - lo);
            for i in lo..hi {
                let angle = rng.uniform() * 6.0;
                c[i] = T::from_f64(libm::cos(angle));
                s[i] = T::from_f64(libm::sin(angle));
            }
            let order = if sweep % 3 == 0 {
                Order::Ascending
            } else {
                Order::Descending
            };
            delayed.sweep(lo, hi, order, &c, &s);
            immediate.sweep(lo, hi, order, &c, &s);
        }
        delayed.finish();
        let tol = T::from_f64(64.0) * T::EPSILON;
        for (a, b) in z1.iter().zip(&z2) {
            assert!((*a - *b).abs() <= tol, "n={n} buffer={buffer}: {a} vs {b}");
        }
    }

    #[test]
    fn delayed_strip_application_equals_rotating_at_once() {
        for n in [2, 3, 17, 40, 75] {
            for buffer in [0, 5 * n, n * n] {
                delayed_matches_immediate::<f64>(n, buffer);
                delayed_matches_immediate::<f32>(n, buffer);
            }
        }
    }
}
