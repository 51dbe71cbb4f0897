//! Forms `Q = H_0 H_1 .. H_{n-2}` from the reflectors left by [`super::tridiagonalize`], so that the
//! implicit QR iteration can rotate it into the eigenvectors of `A` (LAPACK dorgtr + dsteqr `compz = 'V'`).
//!
//! Blocked as LAPACK dorgqr: the reflectors are taken [`BLOCK`] at a time, last block first; each block
//! is written in compact WY form `H_k .. H_{k+b-1} = I - V T V^T` (Schreiber & Van Loan 1989; dlarft) and
//! applied to the columns already formed with two register-blocked passes, `W = T (V^T C)` and
//! `C <- C - V W`, so every column of `C` is read twice per block instead of three times per reflector.
//! The block's own columns are then formed unblocked (dorg2r).

use super::householder::apply_to_column;
use crate::Real;
use crate::simd::SimdReal;

/// Reflectors per compact-WY block.
pub(crate) const BLOCK: usize = 8;

/// Columns `from..to` of `q` <- the same columns of the identity.
fn set_identity_columns<T: Real>(q: &mut [T], n: usize, from: usize, to: usize) {
    for j in from..to {
        let col = &mut q[j * n..j * n + n];
        col.fill(T::ZERO);
        col[j] = T::ONE;
    }
}

/// Unblocked dorg2r on the Q columns `first + 1..=last + 1` of reflectors `first..=last`: the columns
/// must hold the identity on entry.
fn form_panel<T: Real>(a: &[T], n: usize, tau: &[T], q: &mut [T], first: usize, last: usize) {
    for k in (first..=last).rev() {
        let v = &a[k * n + k + 1..k * n + n];
        let t = tau[k];
        if t == T::ZERO {
            continue;
        }
        for j in k + 2..=last + 1 {
            apply_to_column(v, t, &mut q[j * n + k + 1..j * n + n]);
        }
        // Column k+1 was e_{k+1} before H_k: it becomes e_{k+1} - tau v.
        let col = &mut q[(k + 1) * n + k + 1..(k + 1) * n + n];
        for (c, &vi) in col.iter_mut().zip(v) {
            *c = -t * vi;
        }
        col[0] += T::ONE;
    }
}

/// Writes `Q` (n x n, column-major) into `q`, reading reflector `k` from column `k` of `a` (rows
/// `k+1..n`, leading 1 stored) and `tau[k]`.
#[inline(never)]
pub(crate) fn form_q<T: Real>(a: &[T], n: usize, tau: &[T], q: &mut [T]) {
    if n == 0 {
        return;
    }
    let reflectors = n - 1;
    let mut end = reflectors;
    while end > 0 {
        let first = (end - 1) / BLOCK * BLOCK;
        // Only the block of the last reflectors can be short, and it has no formed columns to its right.
        if end < reflectors {
            // Columns 0..=first are formed later: their storage packs V2 when it fits.
            let (free, formed) = q.split_at_mut((first + 1) * n);
            apply_block(a, n, tau, formed, first, free);
        }
        set_identity_columns(q, n, first + 1, end + 1);
        form_panel(a, n, tau, q, first, end - 1);
        end = first;
    }
    set_identity_columns(q, n, 0, 1);
}

/// Applies `H_first .. H_{first+BLOCK-1} = I - V T V^T` to the formed columns `first+BLOCK+1..n` of `Q`;
/// `q` holds the columns of `Q` from `first + 1` on, `scratch` is free storage.
fn apply_block<T: Real>(a: &[T], n: usize, tau: &[T], q: &mut [T], first: usize, scratch: &mut [T]) {
    const B: usize = BLOCK;
    // Rows first+1..first+B+1 hold V's unit lower triangle V1, rows r2..n its full part V2.
    let r2 = first + B + 1;
    let vcol = |t: usize| &a[(first + t) * n..(first + t) * n + n];
    // T (dlarft, forward, columnwise): T[t][t] = tau_t, T[..t][t] = -tau_t T[..t][..t] (V[:, ..t]^T v_t).
    let mut tm = [[T::ZERO; B]; B];
    for t in 0..B {
        let (k, vt) = (first + t, vcol(t));
        let mut z = [T::ZERO; B];
        for s in 0..t {
            let vs = vcol(s);
            // v_t is 0 above row k+1 and 1 at row k+1.
            z[s] = vs[k + 1] + crate::simd::dot(&vs[k + 2..n], &vt[k + 2..n]);
        }
        for s in 0..t {
            let mut acc = T::ZERO;
            for r in s..t {
                acc += tm[r][s] * z[r];
            }
            tm[t][s] = -tau[k] * acc;
        }
        tm[t][t] = tau[k];
    }
    // tm[col][row]: T[row][col].
    let v2: [&[T]; B] = core::array::from_fn(|t| &vcol(t)[r2..n]);
    // Pack V2 lane chunk by lane chunk, the B columns interleaved: one stream instead of B streams
    // whose power-of-two stride would map them to the same cache sets.
    let w = T::Lanes::LANES;
    let m2 = n - r2;
    let chunks = m2 / w;
    let packed = scratch.len() >= chunks * B * w;
    if packed {
        for c in 0..chunks {
            for t in 0..B {
                scratch[(c * B + t) * w..(c * B + t + 1) * w].copy_from_slice(&v2[t][c * w..c * w + w]);
            }
        }
    }
    let pv = &scratch[..if packed { chunks * B * w } else { 0 }];
    let mut j = r2;
    while j < n {
        let pair = j + 1 < n;
        let (left, right) = q.split_at_mut((j - first) * n);
        let c0 = &mut left[(j - first - 1) * n..];
        let c1: &mut [T] = if pair { &mut right[..n] } else { &mut [] };
        // W = V2^T C (rows r2..n; C is zero in rows first+1..r2).
        let (y0, y1) = if packed {
            multi_dot::<T, B>(
                &v2,
                |c, t| T::Lanes::load(&pv[(c * B + t) * w..]),
                &c0[r2..n],
                if pair { &c1[r2..n] } else { &[] },
            )
        } else {
            multi_dot::<T, B>(
                &v2,
                |c, t| T::Lanes::load(&v2[t][c * w..]),
                &c0[r2..n],
                if pair { &c1[r2..n] } else { &[] },
            )
        };
        // W = T Y.
        let tw = |y: &[T; B]| -> [T; B] {
            core::array::from_fn(|r| {
                let mut acc = T::ZERO;
                for c in r..B {
                    acc += tm[c][r] * y[c];
                }
                acc
            })
        };
        let (w0, w1) = (tw(&y0), tw(&y1));
        // C <- C - V W: V1 (unit lower triangular) writes rows first+1..r2, V2 updates rows r2..n.
        for (w, col) in [(&w0, &mut *c0), (&w1, &mut *c1)] {
            if col.is_empty() {
                continue;
            }
            for i in 0..B {
                let mut acc = w[i];
                for t in 0..i {
                    acc += vcol(t)[first + 1 + i] * w[t];
                }
                col[first + 1 + i] = -acc;
            }
        }
        let (x, y) = (&mut c0[r2..n], if pair { &mut c1[r2..n] } else { &mut [][..] });
        if packed {
            multi_axpy::<T, B>(&v2, |c, t| T::Lanes::load(&pv[(c * B + t) * w..]), &w0, &w1, x, y);
        } else {
            multi_axpy::<T, B>(&v2, |c, t| T::Lanes::load(&v2[t][c * w..]), &w0, &w1, x, y);
        }
        j += 2;
    }
}

/// `(V^T x, V^T y)` for the `B` columns of `V` (all slices of one length; `y` may be empty).
#[inline(always)]
fn multi_dot<T: Real, const B: usize>(
    v: &[&[T]; B],
    load_v: impl Fn(usize, usize) -> T::Lanes,
    x: &[T],
    y: &[T],
) -> ([T; B], [T; B]) {
    let len = x.len();
    let w = T::Lanes::LANES;
    let split = len - len % w;
    let two = y.len() == len;
    let zero = T::Lanes::splat(T::ZERO);
    let (mut ax, mut ay) = ([zero; B], [zero; B]);
    let mut i = 0;
    if two {
        while i < split {
            let (xv, yv) = (T::Lanes::load(&x[i..]), T::Lanes::load(&y[i..]));
            for t in 0..B {
                let vt = load_v(i / w, t);
                ax[t] = vt.mul_add(xv, ax[t]);
                ay[t] = vt.mul_add(yv, ay[t]);
            }
            i += w;
        }
    } else {
        while i < split {
            let xv = T::Lanes::load(&x[i..]);
            for t in 0..B {
                ax[t] = load_v(i / w, t).mul_add(xv, ax[t]);
            }
            i += w;
        }
    }
    let mut rx: [T; B] = core::array::from_fn(|t| ax[t].reduce_add());
    let mut ry: [T; B] = core::array::from_fn(|t| ay[t].reduce_add());
    for i in split..len {
        for t in 0..B {
            rx[t] += v[t][i] * x[i];
            if two {
                ry[t] += v[t][i] * y[i];
            }
        }
    }
    (rx, ry)
}

/// `x <- x - V wx`, `y <- y - V wy` (`y` may be empty).
#[inline(always)]
fn multi_axpy<T: Real, const B: usize>(
    v: &[&[T]; B],
    load_v: impl Fn(usize, usize) -> T::Lanes,
    wx: &[T; B],
    wy: &[T; B],
    x: &mut [T],
    y: &mut [T],
) {
    let len = x.len();
    let w = T::Lanes::LANES;
    let split = len - len % w;
    let two = y.len() == len;
    let nwx: [T::Lanes; B] = core::array::from_fn(|t| T::Lanes::splat(-wx[t]));
    let nwy: [T::Lanes; B] = core::array::from_fn(|t| T::Lanes::splat(-wy[t]));
    let mut i = 0;
    while i < split {
        let mut xv = T::Lanes::load(&x[i..]);
        if two {
            let mut yv = T::Lanes::load(&y[i..]);
            for t in 0..B {
                let vt = load_v(i / w, t);
                xv = vt.mul_add(nwx[t], xv);
                yv = vt.mul_add(nwy[t], yv);
            }
            yv.store(&mut y[i..]);
        } else {
            for t in 0..B {
                xv = load_v(i / w, t).mul_add(nwx[t], xv);
            }
        }
        xv.store(&mut x[i..]);
        i += w;
    }
    for i in split..len {
        for t in 0..B {
            x[i] -= v[t][i] * wx[t];
            if two {
                y[i] -= v[t][i] * wy[t];
            }
        }
    }
}
