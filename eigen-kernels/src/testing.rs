//! Seeded test matrices: the LAPACK `ddrvst` families and helpers, shared by our tests, benchmarks and
//! fuzzers, and public so users can validate a build on their own machine.
//!
//! Matrices are built in `f64` as `Q D Q^T` with `Q` a random orthogonal matrix (a product of Householder
//! reflectors of Gaussian vectors, as LAPACK's `dlarge`), then rounded to `T` and symmetrized.

use alloc::vec;
use alloc::vec::Vec;

use crate::Real;

/// SplitMix64: a tiny, seedable, portable generator (Steele, Lea, Flood 2014). Not for cryptography.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed; equal seeds give equal streams on every platform.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `(-1, 1)`.
    pub fn symmetric_uniform(&mut self) -> f64 {
        2.0 * self.uniform() - 1.0
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(core::f64::consts::TAU * u2)
    }

    /// `+1` or `-1` with equal probability.
    pub fn sign(&mut self) -> f64 {
        if self.next_u64() & 1 == 0 { 1.0 } else { -1.0 }
    }
}

/// A random orthogonal n x n matrix (column-major, `f64`).
pub fn random_orthogonal(n: usize, rng: &mut Rng) -> Vec<f64> {
    let mut q = vec![0.0; n * n];
    for i in 0..n {
        q[i + i * n] = 1.0;
    }
    let mut v = vec![0.0; n];
    for _ in 0..n {
        for x in v.iter_mut() {
            *x = rng.normal();
        }
        let vv: f64 = v.iter().map(|x| x * x).sum();
        if vv == 0.0 {
            continue;
        }
        // Q <- (I - 2 v v^T / v^T v) Q
        for j in 0..n {
            let col = &mut q[j * n..j * n + n];
            let d: f64 = col.iter().zip(&v).map(|(a, b)| a * b).sum::<f64>() * 2.0 / vv;
            for (a, b) in col.iter_mut().zip(&v) {
                *a -= d * b;
            }
        }
    }
    q
}

/// `Q diag(d) Q^T` in `f64`.
pub fn similarity(q: &[f64], d: &[f64]) -> Vec<f64> {
    let n = d.len();
    let mut a = vec![0.0; n * n];
    for j in 0..n {
        for i in j..n {
            let s: f64 = (0..n).map(|k| q[i + k * n] * d[k] * q[j + k * n]).sum();
            a[i + j * n] = s;
            a[j + i * n] = s;
        }
    }
    a
}

/// Rounds an `f64` matrix to `T`, keeping it exactly symmetric.
pub fn to_real<T: Real>(a: &[f64], n: usize) -> Vec<T> {
    let mut out: Vec<T> = a.iter().map(|&x| T::from_f64(x)).collect();
    for j in 0..n {
        for i in j + 1..n {
            out[j + i * n] = out[i + j * n];
        }
    }
    out
}

/// LAPACK `ddrvst` matrix types (types 1–15), plus a cluster of eigenvalues one ulp apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// The zero matrix (type 1).
    Zero,
    /// The identity (type 2).
    Identity,
    /// Diagonal, entries evenly spaced from 1 down to ulp, random signs (type 3).
    DiagonalEven,
    /// Diagonal, entries geometrically spaced from 1 down to ulp, random signs (type 4).
    DiagonalGeometric,
    /// Diagonal, entries 1, ulp, ..., ulp with random signs (type 5).
    DiagonalClustered,
    /// `Q D Q^T`, D evenly spaced 1..ulp, random signs (type 8).
    Even,
    /// `Q D Q^T`, D geometric 1..ulp (type 9).
    Geometric,
    /// `Q D Q^T`, D = 1, ulp, ..., ulp (type 10).
    Clustered,
    /// `Q D Q^T`, D = 1 + k ulp: eigenvalues one ulp apart.
    UlpCluster,
    /// Type 8 scaled by `sqrt(overflow)` (type 11).
    EvenNearOverflow,
    /// Type 8 scaled by `sqrt(underflow)` (type 12).
    EvenNearUnderflow,
    /// Random entries uniform in (-1, 1) (type 13).
    Uniform,
    /// Type 13 scaled by `sqrt(overflow)` (type 14).
    UniformNearOverflow,
    /// Type 13 scaled by `sqrt(underflow)` (type 15).
    UniformNearUnderflow,
}

impl Family {
    /// Every family.
    pub const ALL: [Family; 14] = [
        Family::Zero,
        Family::Identity,
        Family::DiagonalEven,
        Family::DiagonalGeometric,
        Family::DiagonalClustered,
        Family::Even,
        Family::Geometric,
        Family::Clustered,
        Family::UlpCluster,
        Family::EvenNearOverflow,
        Family::EvenNearUnderflow,
        Family::Uniform,
        Family::UniformNearOverflow,
        Family::UniformNearUnderflow,
    ];

    /// The n x n matrix of this family for scalar `T` (full symmetric storage, column-major).
    pub fn matrix<T: Real>(self, n: usize, seed: u64) -> Vec<T> {
        let mut rng = Rng::new(seed ^ (n as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
        let ulp = T::EPSILON.to_f64();
        let big = T::MAX.to_f64().sqrt() * ulp;
        let small = T::MIN_POSITIVE.to_f64().sqrt() / ulp;
        let even = |k: usize| {
            if n <= 1 {
                1.0
            } else {
                1.0 - (1.0 - ulp) * k as f64 / (n - 1) as f64
            }
        };
        let geometric = |k: usize| {
            if n <= 1 {
                1.0
            } else {
                libm::pow(ulp, k as f64 / (n - 1) as f64)
            }
        };
        let clustered = |k: usize| if k == 0 { 1.0 } else { ulp };
        let spectrum = |rng: &mut Rng, f: &dyn Fn(usize) -> f64| -> Vec<f64> {
            (0..n).map(|k| f(k) * rng.sign()).collect()
        };
        let diagonal = |d: Vec<f64>| {
            let mut a = vec![0.0; n * n];
            for (k, x) in d.into_iter().enumerate() {
                a[k + k * n] = x;
            }
            a
        };
        let rotated = |rng: &mut Rng, d: Vec<f64>| {
            let q = random_orthogonal(n, rng);
            similarity(&q, &d)
        };
        let uniform = |rng: &mut Rng| {
            let mut a = vec![0.0; n * n];
            for j in 0..n {
                for i in j..n {
                    a[i + j * n] = rng.symmetric_uniform();
                }
            }
            a
        };
        let scaled = |mut a: Vec<f64>, s: f64| {
            a.iter_mut().for_each(|x| *x *= s);
            a
        };
        let a = match self {
            Family::Zero => vec![0.0; n * n],
            Family::Identity => diagonal(vec![1.0; n]),
            Family::DiagonalEven => diagonal(spectrum(&mut rng, &even)),
            Family::DiagonalGeometric => diagonal(spectrum(&mut rng, &geometric)),
            Family::DiagonalClustered => diagonal(spectrum(&mut rng, &clustered)),
            Family::Even => {
                let d = spectrum(&mut rng, &even);
                rotated(&mut rng, d)
            }
            Family::Geometric => {
                let d = spectrum(&mut rng, &geometric);
                rotated(&mut rng, d)
            }
            Family::Clustered => {
                let d = spectrum(&mut rng, &clustered);
                rotated(&mut rng, d)
            }
            Family::UlpCluster => {
                let d = (0..n).map(|k| 1.0 + k as f64 * ulp).collect();
                rotated(&mut rng, d)
            }
            Family::EvenNearOverflow => {
                let d = spectrum(&mut rng, &even);
                scaled(rotated(&mut rng, d), big)
            }
            Family::EvenNearUnderflow => {
                let d = spectrum(&mut rng, &even);
                scaled(rotated(&mut rng, d), small)
            }
            Family::Uniform => uniform(&mut rng),
            Family::UniformNearOverflow => scaled(uniform(&mut rng), big),
            Family::UniformNearUnderflow => scaled(uniform(&mut rng), small),
        };
        to_real(&a, n)
    }
}

/// A random symmetric matrix with entries uniform in (-1, 1) (full storage).
pub fn random_symmetric<T: Real>(n: usize, seed: u64) -> Vec<T> {
    Family::Uniform.matrix(n, seed)
}

/// A symmetric matrix of zeros and ones of the class that makes nalgebra's `symmetric_eigen` loop
/// forever (nalgebra issue #1025: a 33 x 33 `f32` matrix): most rows zero, and a few overlapping groups
/// of indices whose rows are identical, so the eigenvalue 0 (and others) has a high multiplicity.
/// Full storage, column-major.
pub fn zeros_and_ones<T: Real>(n: usize, seed: u64) -> Vec<T> {
    let mut rng = Rng::new(seed);
    let mut a = vec![0.0; n * n];
    for _ in 0..4 {
        // A group of 3..=6 indices; every pair in it (and each member with itself) gets a one.
        let size = 3 + (rng.next_u64() % 4) as usize;
        let members: Vec<usize> = (0..size.min(n))
            .map(|_| (rng.next_u64() % n.max(1) as u64) as usize)
            .collect();
        for &i in &members {
            for &j in &members {
                a[i + j * n] = 1.0;
            }
        }
    }
    to_real(&a, n)
}

/// Sample covariance (divided by `points - 1`) of `points` points in `dim` dimensions lying on a line
/// through `(1000, ..., 1000)` up to a relative noise of `1e-9`: one large eigenvalue and `dim - 1`
/// eigenvalues near zero, below the rounding error of the large one (the class for which nalgebra's
/// `symmetric_eigen` returned NaN, nalgebra issue #379). Full storage, column-major.
pub fn collinear_covariance<T: Real>(points: usize, dim: usize, seed: u64) -> Vec<T> {
    let mut rng = Rng::new(seed);
    let direction: Vec<f64> = (0..dim).map(|_| rng.normal()).collect();
    let x: Vec<Vec<f64>> = (0..points)
        .map(|_| {
            let t = 10.0 * rng.normal();
            direction
                .iter()
                .map(|d| 1000.0 + t * d + 1e-9 * 1000.0 * rng.normal())
                .collect()
        })
        .collect();
    let mean: Vec<f64> = (0..dim)
        .map(|k| x.iter().map(|p| p[k]).sum::<f64>() / points.max(1) as f64)
        .collect();
    let mut c = vec![0.0; dim * dim];
    for p in &x {
        for j in 0..dim {
            for i in 0..dim {
                c[i + j * dim] += (p[i] - mean[i]) * (p[j] - mean[j]);
            }
        }
    }
    let scale = 1.0 / (points.max(2) - 1) as f64;
    c.iter_mut().for_each(|v| *v *= scale);
    to_real(&c, dim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_orthogonal_is_orthogonal() {
        let n = 7;
        let q = random_orthogonal(n, &mut Rng::new(3));
        assert!(crate::accuracy::orthogonality_ratio(&q, n) < 10.0);
    }

    #[test]
    fn families_are_symmetric_finite_and_seed_deterministic() {
        for f in Family::ALL {
            let a: Vec<f32> = f.matrix(5, 11);
            assert_eq!(a, f.matrix::<f32>(5, 11));
            for i in 0..5 {
                for j in 0..5 {
                    assert_eq!(a[i + 5 * j], a[j + 5 * i], "{f:?}");
                    assert!(a[i + 5 * j].is_finite(), "{f:?}");
                }
            }
        }
    }
}
