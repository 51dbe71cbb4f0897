//! Divide-and-conquer eigenvectors of a symmetric tridiagonal matrix (Cuppen, Numer. Math. 36, 1981;
//! Gu & Eisenstat, SIAM J. Matrix Anal. Appl. 16(1), 1995; LAPACK dstedc / dlaed0-dlaed3).
//!
//! `T` is split at `h = m / 2` into `diag(T1, T2) + beta u u^T` (`u = e_{h-1} + sign(beta) e_h`, the two
//! diagonal entries next to the cut lowered by `|beta|`); the halves are solved recursively (blocks of
//! at most [`LEAF`] by the implicit QR of [`super::implicit_qr`]), and the merge finds the eigenpairs of
//! `D + rho z z^T` with `z = diag(Q1, Q2)^T u / sqrt 2`, `rho = 2 |beta|`:
//! 1. deflation (dlaed2): components `rho |z_j| <= tol` drop out with eigenvalue `d_j`; two poles closer
//!    than `tol / |c s|` are rotated (Givens) so that one of their `z` components vanishes;
//! 2. the remaining `k` roots are found by [`super::secular`] relative to their nearest pole;
//! 3. `z` is recomputed from the roots (Gu & Eisenstat, Löwner's formula, dlaed3) so the eigenvectors
//!    `u_j = (z_i / (d_i - lambda_j))_i / norm` of the modified problem are numerically orthogonal;
//! 4. the merged eigenvectors `diag(Q1, Q2) U` come from two matrix products ([`super::product`]):
//!    columns of `diag(Q1, Q2)` that live only in the top rows (from `Q1`), only in the bottom rows (from
//!    `Q2`) or in both (mixed by a deflating rotation) are grouped, so each product skips the zero blocks
//!    (dlaed2's column types).
//!
//! Storage: node `[s, s + m)` keeps its `m x m` eigenvector matrix in `z[s n ..]` as a top block (its
//! first `h` rows, `h x m`) followed by a bottom block (`(m - h) x m`), both contiguous, so the two products
//! write their results in place. Children's storage lies inside the parent's and is consumed (copied to
//! scratch) before the parent's output is written. Nodes return eigenvalues unsorted (secular roots,
//! then deflated ones); the parent sorts, [`crate::finish`] sorts the final result.
//!
//! Index arrays live in the float workspace as exact small integers (`n < 2^24` for `f32`).

use super::implicit_qr::{Immediate, implicit_qr};
use super::product::{self, Update, multiply};

use super::secular::{pole_sums, secular_roots};
use crate::{EigenError, Real, SimdReal};

/// Largest block solved directly by the implicit QR (measured: see `ARCHITECTURE.md`).
pub(crate) const LEAF: usize = 32;

/// Vectors of length `n` in the small scratch: 18 per merge, 3 per leaf.
const SMALL_VECTORS: usize = 20;

/// Scratch length of [`eigenvectors`] besides its `n x n` output: two `n x n` buffers,
/// [`SMALL_VECTORS`] vectors and the product's packing buffer.
pub(crate) const fn workspace_len(n: usize) -> usize {
    2 * n * n + SMALL_VECTORS * n + product::workspace_len()
}

/// Rows of the top block of a node of size `m` (a leaf is all top block).
const fn split(m: usize) -> usize {
    if m <= LEAF { m } else { m / 2 }
}

/// An index stored as a float (exact below [`super::DIVIDE_CONQUER_MAX_N`]).
#[inline(always)]
pub(crate) fn ix<T: Real>(x: T) -> usize {
    x.to_f64() as usize
}

#[inline(always)]
fn fx<T: Real>(i: usize) -> T {
    T::from_usize(i)
}

/// Eigen-decomposition of the tridiagonal `(d, e)` (`e[i] = T[i+1, i]`, length `n - 1` at least; both
/// destroyed): eigenvalues (unsorted) in `d`; the eigenvectors in `z` (`n x n`) in the node layout of
/// the module docs: rows `0..split(n)` as a `split(n) x n` block, the other rows as a second block after
/// it. `work` needs [`workspace_len`]`(n)`. Returns the implicit QR steps of the leaves.
pub(crate) fn eigenvectors<T: Real>(
    d: &mut [T],
    e: &mut [T],
    z: &mut [T],
    work: &mut [T],
    max_per_value: usize,
) -> Result<usize, EigenError> {
    let n = d.len();
    // Scale T to max-norm about 1 by a power of two (exact; dstedc scales to unit norm too): the merges
    // square quantities like `z_i / (d_i - lambda_j)` with `d_i - lambda_j` down to `~eps^2 |T|`, which
    // overflow `f32` for `|T|` near the bottom of the range the driver leaves unscaled.
    let norm = d
        .iter()
        .chain(e[..n.saturating_sub(1)].iter())
        .fold(T::ZERO, |m, x| m.max(x.abs()));
    let exp = if norm > T::ZERO { norm.exponent() } else { 0 };
    scale(d, e, -exp);
    let (big_a, rest) = work.split_at_mut(n * n);
    let (big_b, rest) = rest.split_at_mut(n * n);
    let (small, pack) = rest.split_at_mut(SMALL_VECTORS * n);
    let mut ctx = Context {
        n,
        d: &mut *d,
        e,
        z,
        big_a,
        big_b,
        small,
        pack,
        max_per_value,
    };
    let steps = ctx.node(0, n)?;
    for x in d.iter_mut() {
        *x = x.scalbn(exp);
    }
    Ok(steps)
}

/// `d, e <- 2^exp (d, e)`, entry by entry (`2^exp` itself may not be representable).
fn scale<T: Real>(d: &mut [T], e: &mut [T], exp: i32) {
    if exp != 0 {
        for x in d.iter_mut().chain(e.iter_mut()) {
            *x = x.scalbn(exp);
        }
    }
}

/// `(top rows, top block, bottom block)` of a node's storage `m x m` starting at `base`.
#[inline(always)]
fn blocks(base: usize, m: usize) -> (usize, usize, usize) {
    let h = split(m);
    (h, base, base + h * m)
}

struct Context<'a, T> {
    n: usize,
    d: &'a mut [T],
    e: &'a mut [T],
    z: &'a mut [T],
    big_a: &'a mut [T],
    big_b: &'a mut [T],
    small: &'a mut [T],
    pack: &'a mut [T],
    max_per_value: usize,
}

impl<T: Real> Context<'_, T> {
    fn node(&mut self, s: usize, m: usize) -> Result<usize, EigenError> {
        if m <= LEAF {
            return self.leaf(s, m);
        }
        let h = split(m);
        let beta = self.e[s + h - 1];
        self.d[s + h - 1] -= beta.abs();
        self.d[s + h] -= beta.abs();
        let steps = self.node(s, h)? + self.node(s + h, m - h)?;
        self.merge(s, m, beta)?;
        Ok(steps)
    }

    /// Implicit QR (dsteqr) on the block, its rotations applied to an identity.
    fn leaf(&mut self, s: usize, m: usize) -> Result<usize, EigenError> {
        let base = s * self.n;
        let q = &mut self.z[base..base + m * m];
        q.fill(T::ZERO);
        for i in 0..m {
            q[i * m + i] = T::ONE;
        }
        let (ec, rest) = self.small.split_at_mut(m);
        let (c, rest) = rest.split_at_mut(m);
        let sn = &mut rest[..m];
        if m > 1 {
            ec[..m - 1].copy_from_slice(&self.e[s..s + m - 1]);
        }
        ec[m - 1] = T::ZERO;
        implicit_qr(
            &mut self.d[s..s + m],
            ec,
            c,
            sn,
            &mut Immediate { z: q, rows: m },
            self.max_per_value,
        )
    }

    /// Merges the children `[s, s + h)` and `[s + h, s + m)` coupled by `beta` (module docs, steps 1-4).
    fn merge(&mut self, s: usize, m: usize, beta: T) -> Result<(), EigenError> {
        let n = self.n;
        let h = split(m);
        let m2 = m - h;
        let base = s * n;
        let (lh, ltop, lbot) = blocks(base, h);
        let (rh, rtop, rbot) = blocks((s + h) * n, m2);
        let mut small = &mut *self.small;
        let mut take = |len: usize| {
            let (head, tail) = core::mem::take(&mut small).split_at_mut(len);
            small = tail;
            head
        };
        let perm = take(m);
        let ds = take(m);
        let zs = take(m);
        let typ = take(m);
        let kd = take(m);
        let kz = take(m);
        let kpos = take(m);
        let ktyp = take(m);
        let origin = take(m);
        let taus = take(m);
        let zhat = take(m);
        let dpos = take(m);
        let gtop = take(m);
        let gbot = take(m);
        let (kd_top, zh_top, kd_bot, zh_bot) = (take(m), take(m), take(m), take(m));
        let dd = &self.d[s..s + m];
        for (i, p) in perm.iter_mut().enumerate() {
            *p = fx(i);
        }
        perm.sort_unstable_by(|a, b| {
            dd[ix(*a)]
                .partial_cmp(&dd[ix(*b)])
                .unwrap_or(core::cmp::Ordering::Equal)
        });
        // Columns of diag(Q1, Q2) in sorted order, their z components and types (1 top, 3 bottom).
        let rho = T::TWO * beta.abs();
        let sign = if beta < T::ZERO { -T::ONE } else { T::ONE };
        let inv_sqrt2 = T::HALF.sqrt();
        let qf = &mut self.big_a[..m * m];
        let z = &*self.z;
        let (mut dmax, mut zmax) = (T::ZERO, T::ZERO);
        for t in 0..m {
            let o = ix(perm[t]);
            ds[t] = dd[o];
            let col = &mut qf[t * m..t * m + m];
            col.fill(T::ZERO);
            if o < h {
                copy_child_column(z, ltop, lbot, h, lh, o, &mut col[..h]);
                zs[t] = col[h - 1] * inv_sqrt2;
                typ[t] = T::ONE;
            } else {
                copy_child_column(z, rtop, rbot, m2, rh, o - h, &mut col[h..]);
                zs[t] = sign * col[h] * inv_sqrt2;
                typ[t] = fx(3);
            }
            dmax = dmax.max(ds[t].abs());
            zmax = zmax.max(zs[t].abs());
        }
        // 1. Deflation (dlaed2).
        let tol = T::from_f64(8.0) * T::EPSILON * dmax.max(rho * zmax);
        let (mut k, mut nd) = (0usize, 0usize);
        let mut prev: Option<usize> = None;
        for t in 0..m {
            if rho * zs[t].abs() <= tol {
                dpos[nd] = fx(t);
                nd += 1;
                continue;
            }
            if let Some(p) = prev {
                let tau = zs[p].hypot(zs[t]);
                let (c, sn) = (zs[t] / tau, -zs[p] / tau);
                let gap = ds[t] - ds[p];
                if (gap * c * sn).abs() <= tol {
                    zs[t] = tau;
                    zs[p] = T::ZERO;
                    let (left, right) = qf.split_at_mut(t * m);
                    let (x, y) = (&mut left[p * m..p * m + m], &mut right[..m]);
                    for (xi, yi) in x.iter_mut().zip(y.iter_mut()) {
                        let (a, b) = (*xi, *yi);
                        *xi = c * a + sn * b;
                        *yi = c * b - sn * a;
                    }
                    let (c2, s2) = (c * c, sn * sn);
                    let dp = ds[p] * c2 + ds[t] * s2;
                    ds[t] = ds[p] * s2 + ds[t] * c2;
                    ds[p] = dp;
                    if typ[p] != typ[t] {
                        typ[t] = T::TWO;
                    }
                    dpos[nd] = fx(p);
                    nd += 1;
                } else {
                    push(kd, kz, kpos, ktyp, &mut k, ds[p], zs[p], p, typ[p]);
                }
            }
            prev = Some(t);
        }
        if let Some(p) = prev {
            push(kd, kz, kpos, ktyp, &mut k, ds[p], zs[p], p, typ[p]);
        }
        let (top_out, bot_out) = (base, base + h * m);
        // Deflated columns go straight to their output slots k.. (the children are consumed).
        for (slot, &t) in dpos[..nd].iter().enumerate() {
            let t = ix(t);
            let col = &qf[t * m..t * m + m];
            let j = k + slot;
            self.z[top_out + j * h..top_out + j * h + h].copy_from_slice(&col[..h]);
            self.z[bot_out + j * m2..bot_out + j * m2 + m2].copy_from_slice(&col[h..]);
            self.d[s + j] = ds[t];
        }
        if k == 0 {
            return Ok(());
        }
        let (kd, kz) = (&kd[..k], &kz[..k]);
        // 2. Secular roots relative to their nearest pole: lambda_j = origin[j] + taus[j].
        secular_roots(kd, kz, rho, origin, taus)?;
        let (origin, taus) = (&origin[..k], &taus[..k]);
        // 3. Löwner: rho z_i^2 = -delta(i,i) prod_{j != i} delta(i,j) / (d_i - d_j), with
        // delta(i, j) = d_i - lambda_j = (d_i - origin_j) - tau_j.
        for i in 0..k {
            let di = kd[i];
            let below = ratio_product(di, &origin[..i], &taus[..i], &kd[..i]);
            let above = ratio_product(di, &origin[i + 1..], &taus[i + 1..], &kd[i + 1..]);
            let prod = -((di - origin[i]) - taus[i]) * below * above;
            zhat[i] = prod.abs().sqrt().copysign(kz[i]);
        }
        // Row groups: top rows use types 1 and 2, bottom rows types 2 and 3; their poles and z gathered.
        let (mut n12, mut n23) = (0usize, 0usize);
        for want in [T::ONE, T::TWO] {
            for i in 0..k {
                if ktyp[i] == want {
                    (gtop[n12], kd_top[n12], zh_top[n12]) = (fx(i), kd[i], zhat[i]);
                    n12 += 1;
                }
            }
        }
        for want in [T::TWO, fx(3)] {
            for i in 0..k {
                if ktyp[i] == want {
                    (gbot[n23], kd_bot[n23], zh_bot[n23]) = (fx(i), kd[i], zhat[i]);
                    n23 += 1;
                }
            }
        }
        // W: the grouped columns of diag(Q1, Q2), top rows then bottom rows.
        let (wtop, rest) = self.big_b.split_at_mut(h * n12);
        let wbot = &mut rest[..m2 * n23];
        for (c, &i) in gtop[..n12].iter().enumerate() {
            let t = ix(kpos[ix(i)]);
            wtop[c * h..c * h + h].copy_from_slice(&qf[t * m..t * m + h]);
        }
        for (c, &i) in gbot[..n23].iter().enumerate() {
            let t = ix(kpos[ix(i)]);
            wbot[c * m2..c * m2 + m2].copy_from_slice(&qf[t * m + h..t * m + m]);
        }
        // 4. U: column j is (zhat_i / delta(i, j))_i normalized, its rows in the group orders.
        let (utop, rest) = self.big_a.split_at_mut(n12 * k);
        let ubot = &mut rest[..n23 * k];
        for j in 0..k {
            let (oj, tj) = (origin[j], taus[j]);
            // The squared norm of the unnormalized column, `sum_i (zhat_i / delta(i, j))^2`.
            let inv = T::ONE / pole_sums(&kd[..k], &zhat[..k], oj, tj).1.sqrt();
            for (u, (dr, zr)) in utop[j * n12..(j + 1) * n12]
                .iter_mut()
                .zip(kd_top.iter().zip(zh_top.iter()))
            {
                *u = *zr / ((*dr - oj) - tj) * inv;
            }
            for (u, (dr, zr)) in ubot[j * n23..(j + 1) * n23]
                .iter_mut()
                .zip(kd_bot.iter().zip(zh_bot.iter()))
            {
                *u = *zr / ((*dr - oj) - tj) * inv;
            }
            self.d[s + j] = oj + tj;
        }
        let top = &mut self.z[top_out..top_out + h * k];
        multiply(
            h,
            k,
            n12,
            (wtop, h),
            (utop, n12),
            (top, h),
            Update::Overwrite,
            self.pack,
        );
        let bot = &mut self.z[bot_out..bot_out + m2 * k];
        multiply(
            m2,
            k,
            n23,
            (wbot, m2),
            (ubot, n23),
            (bot, m2),
            Update::Overwrite,
            self.pack,
        );
        Ok(())
    }
}

/// `prod_j ((d_i - origin_j) - tau_j) / (d_i - d_j)` over the given `j`, SIMD over `j`
/// (`Real::Lanes`; interlacing keeps every factor and partial product moderate).
#[inline(always)]
fn ratio_product<T: Real>(di: T, origin: &[T], taus: &[T], d: &[T]) -> T {
    let w = T::Lanes::LANES;
    let div = T::Lanes::splat(di);
    let mut p = T::Lanes::splat(T::ONE);
    let (oc, tc, dc) = (origin.chunks_exact(w), taus.chunks_exact(w), d.chunks_exact(w));
    let (or, tr, dr) = (oc.remainder(), tc.remainder(), dc.remainder());
    for ((o, t), dj) in oc.zip(tc).zip(dc) {
        let (o, t, dj) = (T::Lanes::load(o), T::Lanes::load(t), T::Lanes::load(dj));
        p *= ((div - o) - t) / (div - dj);
    }
    let mut q = T::ONE;
    for ((o, t), dj) in or.iter().zip(tr).zip(dr) {
        q *= ((di - *o) - *t) / (di - *dj);
    }
    p.to_array().as_ref().iter().fold(q, |acc, x| acc * *x)
}

/// Appends a non-deflated pole to the secular lists.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn push<T: Real>(
    kd: &mut [T],
    kz: &mut [T],
    kpos: &mut [T],
    ktyp: &mut [T],
    k: &mut usize,
    d: T,
    z: T,
    pos: usize,
    typ: T,
) {
    kd[*k] = d;
    kz[*k] = z;
    kpos[*k] = fx(pos);
    ktyp[*k] = typ;
    *k += 1;
}

/// Copies column `c` of a child node (size `mm`, `hh` top rows, blocks at `top` and `bot`) into `out`.
#[inline(always)]
fn copy_child_column<T: Real>(
    z: &[T],
    top: usize,
    bot: usize,
    mm: usize,
    hh: usize,
    c: usize,
    out: &mut [T],
) {
    let lo = mm - hh;
    out[..hh].copy_from_slice(&z[top + c * hh..top + c * hh + hh]);
    out[hh..].copy_from_slice(&z[bot + c * lo..bot + c * lo + lo]);
}

/// Copies `z` (`n x n` in the root's node layout: `split(n)` top rows, then the others) into `out` in
/// plain column-major layout.
pub(crate) fn unpack<T: Real>(z: &[T], n: usize, out: &mut [T]) {
    let h = split(n);
    let (top, bot) = z[..n * n].split_at(h * n);
    for j in 0..n {
        out[j * n..j * n + h].copy_from_slice(&top[j * h..j * h + h]);
        out[j * n + h..j * n + n].copy_from_slice(&bot[j * (n - h)..(j + 1) * (n - h)]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Rng;
    use alloc::vec;
    use alloc::vec::Vec;

    /// Solves the tridiagonal (d, e) by divide and conquer and returns the worst residual
    /// `|T u - lambda u|` and orthogonality `|U^T U - I|` entries, in units of `eps |T|`.
    fn solve_tridiagonal(d0: &[f64], e0: &[f64]) -> (f64, f64, Vec<f64>) {
        let n = d0.len();
        let (mut d, mut e) = (d0.to_vec(), e0.to_vec());
        e.push(0.0);
        let mut z = vec![0.0; n * n];
        let mut work = vec![0.0; workspace_len(n)];
        eigenvectors(&mut d, &mut e, &mut z, &mut work, 30).unwrap();
        let mut u = vec![0.0; n * n];
        unpack(&z, n, &mut u);
        let norm = d0
            .iter()
            .chain(e0)
            .fold(0.0f64, |a, x| a.max(x.abs()))
            .max(f64::MIN_POSITIVE);
        let (mut res, mut orth) = (0.0f64, 0.0f64);
        for j in 0..n {
            let col = &u[j * n..j * n + n];
            for i in 0..n {
                let mut t = d0[i] * col[i] - d[j] * col[i];
                if i > 0 {
                    t += e0[i - 1] * col[i - 1];
                }
                if i + 1 < n {
                    t += e0[i] * col[i + 1];
                }
                res = res.max(t.abs() / (norm * f64::EPSILON));
            }
            for l in 0..n {
                let dot: f64 = (0..n).map(|i| col[i] * u[l * n + i]).sum();
                let want = if l == j { 1.0 } else { 0.0 };
                orth = orth.max((dot - want).abs() / f64::EPSILON);
            }
        }
        (res, orth, d)
    }

    fn assert_accurate(d: &[f64], e: &[f64], what: &str) -> Vec<f64> {
        let n = d.len() as f64;
        let (res, orth, values) = solve_tridiagonal(d, e);
        assert!(
            res <= 10.0 * n && orth <= 10.0 * n,
            "{what}: residual {res}, orthogonality {orth}"
        );
        values
    }

    #[test]
    fn random_tridiagonal_eigenvectors_are_accurate_and_orthogonal() {
        let mut rng = Rng::new(5);
        for n in [33, 64, 100, 150] {
            let d: Vec<f64> = (0..n).map(|_| rng.symmetric_uniform()).collect();
            let e: Vec<f64> = (0..n - 1).map(|_| rng.symmetric_uniform()).collect();
            assert_accurate(&d, &e, "random");
        }
    }

    #[test]
    fn repeated_eigenvalues_and_zero_couplings_deflate() {
        // Identity blocks: every z component pairs with an equal pole (rotation deflation).
        let n = 80;
        let mut values = assert_accurate(&vec![1.0; n], &vec![0.0; n - 1], "identity");
        assert!(values.iter().all(|x| *x == 1.0));
        // Zero coupling at the cut: nothing to merge, z = 0 deflates everything.
        let d: Vec<f64> = (0..n).map(|i| (i % 7) as f64).collect();
        let mut e = vec![1.0; n - 1];
        e[n / 2 - 1] = 0.0;
        assert_accurate(&d, &e, "split");
        // Two equal halves: every pole is doubled.
        let mut d = vec![0.0; n];
        let mut e = vec![0.5; n - 1];
        for i in 0..n / 2 {
            d[i] = i as f64;
            d[i + n / 2] = i as f64;
        }
        e[n / 2 - 1] = 1e-3;
        assert_accurate(&d, &e, "doubled");
        // 1-2-1 Toeplitz: known eigenvalues.
        values = assert_accurate(&vec![2.0; n], &vec![-1.0; n - 1], "toeplitz");
        values.sort_by(f64::total_cmp);
        for (k, x) in values.iter().enumerate() {
            let exact = 2.0 - 2.0 * (((k + 1) as f64) * core::f64::consts::PI / (n + 1) as f64).cos();
            assert!((x - exact).abs() <= 16.0 * n as f64 * f64::EPSILON);
        }
    }

    #[test]
    fn glued_wilkinson_clusters_keep_orthogonal_vectors() {
        let mut d = Vec::new();
        let mut e = Vec::new();
        for block in 0..6 {
            if block > 0 {
                e.push(1e-12);
            }
            d.extend((0..21).map(|i| (10.0f64 - i as f64).abs()));
            e.extend(core::iter::repeat_n(1.0, 20));
        }
        assert_accurate(&d, &e, "glued wilkinson");
    }
}
