//! Graded positive definite matrices `H = D A D` and their eigenvalues to ~32 digits, for relative-accuracy
//! tests (Demmel & Veselić 1992).
//!
//! The reference solver is a plain cyclic Jacobi in double-double arithmetic (Dekker 1971; the error-free
//! transformations `two_sum` / `two_prod` of Ogita, Rump & Oishi 2005) with the same relative stopping test.
//! Its eigenvalues of the stored `f64` matrix are relatively accurate to about `n cond(A) 1e-32`, far
//! below any bound a working-precision solver is held to.

use eigen_kernels::testing::{Rng, random_orthogonal, similarity};

/// A double-double number `hi + lo`, `|lo| <= ulp(hi) / 2`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dd {
    pub hi: f64,
    pub lo: f64,
}

fn two_sum(a: f64, b: f64) -> Dd {
    let s = a + b;
    let bb = s - a;
    Dd {
        hi: s,
        lo: (a - (s - bb)) + (b - bb),
    }
}

fn fast_two_sum(a: f64, b: f64) -> Dd {
    let s = a + b;
    Dd {
        hi: s,
        lo: b - (s - a),
    }
}

impl Dd {
    pub const ZERO: Dd = Dd { hi: 0.0, lo: 0.0 };
    pub const ONE: Dd = Dd { hi: 1.0, lo: 0.0 };

    pub fn from(x: f64) -> Dd {
        Dd { hi: x, lo: 0.0 }
    }
    pub fn add(self, o: Dd) -> Dd {
        let s = two_sum(self.hi, o.hi);
        let t = two_sum(self.lo, o.lo);
        let u = fast_two_sum(s.hi, s.lo + t.hi);
        fast_two_sum(u.hi, u.lo + t.lo)
    }
    pub fn neg(self) -> Dd {
        Dd {
            hi: -self.hi,
            lo: -self.lo,
        }
    }
    pub fn sub(self, o: Dd) -> Dd {
        self.add(o.neg())
    }
    pub fn mul(self, o: Dd) -> Dd {
        let p = self.hi * o.hi;
        let e = self.hi.mul_add(o.hi, -p) + (self.hi * o.lo + self.lo * o.hi);
        fast_two_sum(p, e)
    }
    pub fn div(self, o: Dd) -> Dd {
        let q1 = self.hi / o.hi;
        let r = self.sub(o.mul(Dd::from(q1)));
        let q2 = r.hi / o.hi;
        let r = r.sub(o.mul(Dd::from(q2)));
        let q3 = r.hi / o.hi;
        fast_two_sum(q1, q2).add(Dd::from(q3))
    }
    pub fn sqrt(self) -> Dd {
        if self.hi <= 0.0 {
            return Dd::ZERO;
        }
        let x = Dd::from(self.hi.sqrt());
        // One Newton step doubles the ~53 correct bits.
        x.add(self.sub(x.mul(x)).div(x.add(x)))
    }
    pub fn abs(self) -> Dd {
        if self.hi < 0.0 { self.neg() } else { self }
    }
    pub fn lt(self, o: Dd) -> bool {
        self.hi < o.hi || (self.hi == o.hi && self.lo < o.lo)
    }
}

/// Eigenvalues (ascending) of the symmetric `f64` matrix `a` (n x n, full storage), by cyclic Jacobi in
/// double-double with the relative test `|a_pq| <= 1e-31 sqrt(|a_pp a_qq|)`.
pub fn dd_eigenvalues(a: &[f64], n: usize) -> Vec<f64> {
    let mut m: Vec<Dd> = a.iter().map(|&x| Dd::from(x)).collect();
    let tol = Dd::from(1e-31);
    for _sweep in 0..60 {
        let mut rotated = false;
        for p in 0..n {
            for q in p + 1..n {
                let apq = m[p + q * n];
                let (app, aqq) = (m[p + p * n], m[q + q * n]);
                if !tol.mul(app.abs().sqrt()).mul(aqq.abs().sqrt()).lt(apq.abs()) {
                    continue;
                }
                rotated = true;
                let theta = aqq.sub(app).div(apq.add(apq));
                let root = Dd::ONE.add(theta.mul(theta)).sqrt();
                let mut t = Dd::ONE.div(theta.abs().add(root));
                if theta.hi < 0.0 {
                    t = t.neg();
                }
                let c = Dd::ONE.div(Dd::ONE.add(t.mul(t)).sqrt());
                let s = t.mul(c);
                for k in 0..n {
                    let (akp, akq) = (m[k + p * n], m[k + q * n]);
                    m[k + p * n] = c.mul(akp).sub(s.mul(akq));
                    m[k + q * n] = s.mul(akp).add(c.mul(akq));
                }
                for k in 0..n {
                    let (apk, aqk) = (m[p + k * n], m[q + k * n]);
                    m[p + k * n] = c.mul(apk).sub(s.mul(aqk));
                    m[q + k * n] = s.mul(apk).add(c.mul(aqk));
                }
                m[p + p * n] = app.sub(t.mul(apq));
                m[q + q * n] = aqq.add(t.mul(apq));
                m[p + q * n] = Dd::ZERO;
                m[q + p * n] = Dd::ZERO;
            }
        }
        if !rotated {
            break;
        }
    }
    let mut values: Vec<f64> = (0..n).map(|i| m[i + i * n].hi).collect();
    values.sort_by(|x, y| x.total_cmp(y));
    values
}

/// A graded positive definite `H = D A D` (full storage, `f64`) with `A = Q diag(lambda) Q^T`, `lambda`
/// evenly spaced in `[1, cond]`, and `D` log-spaced over `[10^-decades, 10^decades]` in random order.
/// Returns `H` and the diagonal of `D`.
pub fn graded_spd(n: usize, cond: f64, decades: f64, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = Rng::new(seed);
    let lambda: Vec<f64> = (0..n)
        .map(|k| {
            if n == 1 {
                1.0
            } else {
                1.0 + (cond - 1.0) * k as f64 / (n - 1) as f64
            }
        })
        .collect();
    let q = random_orthogonal(n, &mut rng);
    let a = similarity(&q, &lambda);
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        order.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
    }
    let d: Vec<f64> = order
        .iter()
        .map(|&k| {
            let x = if n == 1 {
                0.0
            } else {
                -decades + 2.0 * decades * k as f64 / (n - 1) as f64
            };
            10f64.powf(x)
        })
        .collect();
    let mut h = vec![0.0; n * n];
    for j in 0..n {
        for i in 0..n {
            h[i + j * n] = d[i] * a[i + j * n] * d[j];
        }
    }
    (h, d)
}

/// `cond_2(D^-1 H D^-1)` of a stored graded matrix: the factor in Demmel–Veselić's relative error bound
/// (the scaled matrix is well conditioned, so f64 nalgebra computes it accurately).
pub fn scaled_condition(h: &[f64], d: &[f64]) -> f64 {
    let n = d.len();
    let scaled = nalgebra::DMatrix::from_fn(n, n, |i, j| h[i + j * n] / d[i] / d[j]);
    let ev = scaled.symmetric_eigenvalues();
    let (lo, hi) = ev
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    hi / lo
}

/// Largest relative error `|x - ref| / |ref|` over paired ascending lists.
pub fn max_relative_error(values: &[f64], reference: &[f64]) -> f64 {
    values
        .iter()
        .zip(reference)
        .map(|(x, r)| ((x - r) / r).abs())
        .fold(0.0, f64::max)
}
