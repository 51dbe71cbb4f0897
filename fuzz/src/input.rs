//! The byte format of the matrix targets, and its encoder (for the committed seeds).
//!
//! A matrix is `n` (one byte, reduced modulo `n_max + 1`), a *shape* byte (low 3 bits: [`Structure`],
//! next 2 bits: what the ignored upper triangle holds, [`Upper`]), then the entries the structure needs,
//! each decoded by [`Input::value`] from a tag byte that favours the values solvers get wrong: signed
//! zeros, subnormals, the extremes of the range, NaN and infinity, exact repeats and one-ulp neighbours
//! of the previous entry, and small integers (which make repeated eigenvalues likely). Missing bytes
//! read as zero, so every byte string is a valid input.

use eigen_kernels::Real;
use eigen_kernels::testing::{Rng, random_orthogonal, similarity};

/// A scalar the fuzzers decode from raw bits: `f32` or `f64`.
pub trait Scalar: Real {
    /// Size of the raw encoding in bytes.
    const BYTES: usize;
    /// A large normal magnitude that is not a power of two (`1e300`, `1e36`).
    const HUGE: f64;
    /// A small normal magnitude (`1e-300`, `1e-36`).
    const TINY: f64;
    /// The scalar with the given little-endian bits (`bytes.len() == BYTES`).
    fn from_le(bytes: &[u8]) -> Self;
    /// Appends the little-endian bits.
    fn push_le(self, out: &mut Vec<u8>);
    /// The raw bits widened to `u64` (for exact comparisons).
    fn bits(self) -> u64;
}

impl Scalar for f64 {
    const BYTES: usize = 8;
    const HUGE: f64 = 1e300;
    const TINY: f64 = 1e-300;
    fn from_le(bytes: &[u8]) -> Self {
        let mut b = [0u8; 8];
        b.copy_from_slice(bytes);
        f64::from_le_bytes(b)
    }
    fn push_le(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn bits(self) -> u64 {
        self.to_bits()
    }
}

impl Scalar for f32 {
    const BYTES: usize = 4;
    const HUGE: f64 = 1e36;
    const TINY: f64 = 1e-36;
    fn from_le(bytes: &[u8]) -> Self {
        let mut b = [0u8; 4];
        b.copy_from_slice(bytes);
        f32::from_le_bytes(b)
    }
    fn push_le(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn bits(self) -> u64 {
        u64::from(self.to_bits())
    }
}

/// Tags of [`Input::value`]: below `SMALL_INT` a special value, then small integers, scaled integers,
/// and raw bits.
pub mod tag {
    /// Number of special values (tags `0..SPECIALS`).
    pub const SPECIALS: u8 = 32;
    /// First small-integer tag: value `tag - INT_ZERO`.
    pub const SMALL_INT: u8 = 32;
    /// The tag of the integer 0.
    pub const INT_ZERO: u8 = 80;
    /// First scaled-integer tag: `(tag - SCALED - 32) * 2^e`, `e` from the next byte.
    pub const SCALED: u8 = 128;
    /// First raw tag: the next `BYTES` bytes are the little-endian bits.
    pub const RAW: u8 = 192;
    /// Repeat the previous value exactly.
    pub const REPEAT: u8 = 20;
}

/// A cursor over fuzzer bytes; reads past the end give zeros.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    data: &'a [u8],
    pos: usize,
    prev: f64,
}

impl<'a> Input<'a> {
    /// A cursor at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Input {
            data,
            pos: 0,
            prev: 0.0,
        }
    }

    /// Next byte, or 0 past the end.
    pub fn byte(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    /// `true` once every byte was read.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// The bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or(&[])
    }

    /// One matrix entry; see the module docs and [`tag`].
    pub fn value<T: Scalar>(&mut self) -> T {
        let t = self.byte();
        let prev = T::from_f64(self.prev);
        let max_exp = T::MAX.exponent();
        let digits = T::MANTISSA_DIGITS as i32;
        let x = match t {
            0 => T::ZERO,
            1 => -T::ZERO,
            2 => T::MIN_POSITIVE,
            3 => T::MIN_POSITIVE.scalbn(1 - digits), // smallest subnormal
            4 => T::MIN_POSITIVE.scalbn(-10),
            5 => -T::MIN_POSITIVE.scalbn(-3),
            6 => T::MAX,
            7 => -T::MAX,
            8 => T::ONE.scalbn(max_exp / 2),
            9 => T::ONE.scalbn(-max_exp / 2),
            10 => T::from_f64(T::HUGE),
            11 => T::from_f64(-T::HUGE),
            12 => T::from_f64(T::TINY),
            13 => T::from_f64(-T::TINY),
            14 => T::EPSILON,
            15 => T::ONE + T::EPSILON,
            16 => T::ONE - T::EPSILON * T::HALF,
            17 => T::from_f64(f64::NAN),
            18 => T::from_f64(f64::INFINITY),
            19 => T::from_f64(f64::NEG_INFINITY),
            tag::REPEAT => prev,
            21 => -prev,
            22 => prev * (T::ONE + T::EPSILON),
            23 => prev * (T::ONE - T::EPSILON),
            24 => T::ONE / T::from_f64(3.0),
            25 => T::TWO.sqrt(),
            26 => T::MAX * T::HALF,
            27 => T::from_f64(T::HUGE) * T::from_f64(1.5),
            28 => T::ONE.scalbn(max_exp - 1),
            29 => T::from_f64(T::TINY) * (T::ONE + T::EPSILON),
            30 => prev + T::MIN_POSITIVE,
            31 => prev * T::from_f64(1e-8),
            tag::SMALL_INT..tag::SCALED => T::from_f64(f64::from(t) - f64::from(tag::INT_ZERO)),
            tag::SCALED..tag::RAW => {
                let m = f64::from(t - tag::SCALED) - 32.0;
                let e = i32::from(self.byte() as i8) * max_exp / 128;
                T::from_f64(m).scalbn(e)
            }
            _ => {
                let mut raw = [0u8; 8];
                for b in raw.iter_mut().take(T::BYTES) {
                    *b = self.byte();
                }
                T::from_le(&raw[..T::BYTES])
            }
        };
        self.prev = x.to_f64();
        x
    }
}

/// How the entries of a decoded matrix are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Structure {
    /// Every lower-triangle entry, column-major.
    General = 0,
    /// Diagonal entries only.
    Diagonal = 1,
    /// `s u u^T`: `s`, then `u`.
    RankOne = 2,
    /// `diag(d) + u u^T`: `d`, then `u`.
    DiagonalPlusRankOne = 3,
    /// Diagonal, then the subdiagonal.
    Tridiagonal = 4,
    /// `a_ij = t_|i-j|`: `t_0 .. t_{n-1}`.
    Toeplitz = 5,
    /// A `k x k` block (k from one byte, then its lower triangle) repeated down the diagonal: every
    /// eigenvalue of the block is repeated.
    RepeatedBlock = 6,
    /// `Q diag(d) Q^T` with `Q` random orthogonal (seed byte) and prescribed eigenvalues `d`.
    Similarity = 7,
}

impl Structure {
    const ALL: [Structure; 8] = [
        Structure::General,
        Structure::Diagonal,
        Structure::RankOne,
        Structure::DiagonalPlusRankOne,
        Structure::Tridiagonal,
        Structure::Toeplitz,
        Structure::RepeatedBlock,
        Structure::Similarity,
    ];
}

/// What the strict upper triangle (never read by the solvers) holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upper {
    /// The mirror of the lower triangle.
    Mirror = 0,
    /// NaN: a solver that reads it produces NaN, which the oracle catches.
    Nan = 1,
    /// Infinities and `MAX`.
    Garbage = 2,
    /// Zeros.
    Zero = 3,
}

/// A decoded test matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix<T> {
    /// Dimension.
    pub n: usize,
    /// `n * n` column-major; the lower triangle is the matrix, the strict upper triangle junk.
    pub a: Vec<T>,
    /// The eigenvalues the matrix was built from, when known (`Similarity`), in `f64`, unsorted.
    pub eigenvalues: Option<Vec<f64>>,
}

impl<T: Scalar> Matrix<T> {
    /// The entries of the lower triangle (the matrix proper), column-major.
    pub fn lower(&self) -> Vec<T> {
        let n = self.n;
        (0..n)
            .flat_map(|j| (j..n).map(move |i| i + j * n))
            .map(|k| self.a[k])
            .collect()
    }
}

/// Decodes a dimension `n <= n_max` from one byte.
pub fn decode_n(input: &mut Input<'_>, n_max: usize) -> usize {
    usize::from(input.byte()) % (n_max + 1)
}

/// Decodes an `n x n` matrix: the shape byte, then the entries (see the module docs).
pub fn decode_matrix<T: Scalar>(input: &mut Input<'_>, n: usize) -> Matrix<T> {
    let shape = input.byte();
    let structure = Structure::ALL[usize::from(shape & 7)];
    let upper = match (shape >> 3) & 3 {
        0 => Upper::Mirror,
        1 => Upper::Nan,
        2 => Upper::Garbage,
        _ => Upper::Zero,
    };
    let mut a = vec![T::ZERO; n * n];
    let mut eigenvalues = None;
    let diag = |input: &mut Input<'_>| (0..n).map(|_| input.value::<T>()).collect::<Vec<T>>();
    match structure {
        Structure::General => {
            for j in 0..n {
                for i in j..n {
                    a[i + j * n] = input.value();
                }
            }
        }
        Structure::Diagonal => {
            for (i, d) in diag(input).into_iter().enumerate() {
                a[i + i * n] = d;
            }
        }
        Structure::RankOne | Structure::DiagonalPlusRankOne => {
            let (s, d) = if structure == Structure::RankOne {
                (input.value::<T>(), vec![T::ZERO; n])
            } else {
                (T::ONE, diag(input))
            };
            let u = diag(input);
            for j in 0..n {
                for i in j..n {
                    a[i + j * n] = s * u[i] * u[j];
                }
                a[j + j * n] += d[j];
            }
        }
        Structure::Tridiagonal => {
            for i in 0..n {
                a[i + i * n] = input.value();
            }
            for i in 1..n {
                a[i + (i - 1) * n] = input.value();
            }
        }
        Structure::Toeplitz => {
            let t = diag(input);
            for j in 0..n {
                for i in j..n {
                    a[i + j * n] = t[i - j];
                }
            }
        }
        Structure::RepeatedBlock => {
            let k = 1 + usize::from(input.byte()) % n.clamp(1, 4);
            let mut block = vec![T::ZERO; k * k];
            for j in 0..k {
                for i in j..k {
                    block[i + j * k] = input.value();
                }
            }
            for j in 0..n {
                for i in j..n {
                    if i / k == j / k {
                        a[i + j * n] = block[i % k + (j % k) * k];
                    }
                }
            }
        }
        Structure::Similarity => {
            let seed = u64::from(input.byte());
            let d: Vec<f64> = diag(input).into_iter().map(T::to_f64).collect();
            let q = random_orthogonal(n, &mut Rng::new(seed));
            let full = similarity(&q, &d);
            for j in 0..n {
                for i in j..n {
                    a[i + j * n] = T::from_f64(full[i + j * n]);
                }
            }
            eigenvalues = Some(d);
        }
    }
    for j in 0..n {
        for i in 0..j {
            a[i + j * n] = match upper {
                Upper::Mirror => a[j + i * n],
                Upper::Nan => T::from_f64(f64::NAN),
                Upper::Garbage if (i + j) % 2 == 0 => T::from_f64(f64::INFINITY),
                Upper::Garbage => -T::MAX,
                Upper::Zero => T::ZERO,
            };
        }
    }
    Matrix { n, a, eigenvalues }
}

/// Encoder of the byte format, for seeds and regression inputs.
#[derive(Debug, Clone, Default)]
pub struct Writer {
    /// The bytes written so far.
    pub bytes: Vec<u8>,
}

impl Writer {
    /// Appends one raw byte (a header, a dimension).
    pub fn byte(&mut self, b: u8) -> &mut Self {
        self.bytes.push(b);
        self
    }

    /// Appends an entry: small integers as one byte, everything else as raw bits.
    pub fn value<T: Scalar>(&mut self, x: T) -> &mut Self {
        let v = x.to_f64();
        let int = v + f64::from(tag::INT_ZERO);
        if v == v.trunc()
            && (f64::from(tag::SMALL_INT)..f64::from(tag::SCALED)).contains(&int)
            && !(v == 0.0 && v.is_sign_negative())
        {
            self.bytes.push(int as u8);
        } else {
            self.bytes.push(tag::RAW);
            x.push_le(&mut self.bytes);
        }
        self
    }

    /// Appends a dense matrix (`General` structure, mirrored upper triangle): `n`, shape, entries.
    pub fn general<T: Scalar>(&mut self, a: &[T], n: usize) -> &mut Self {
        self.byte(n as u8).byte(Structure::General as u8);
        for j in 0..n {
            for i in j..n {
                self.value(a[i + j * n]);
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_general_matrices_decode_to_themselves() {
        let n = 3;
        let a = [
            1.0f64,
            2.5,
            -0.0,
            2.5,
            1e300,
            7.0,
            -0.0,
            7.0,
            f64::MIN_POSITIVE / 8.0,
        ];
        let mut w = Writer::default();
        w.general(&a, n);
        let mut input = Input::new(&w.bytes);
        let got = decode_n(&mut input, 64);
        let m: Matrix<f64> = decode_matrix(&mut input, got);
        assert_eq!(got, n);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&m.a), bits(&a));
        assert!(input.is_empty());
    }

    #[test]
    fn every_byte_string_decodes() {
        for seed in 0..2000u64 {
            let mut rng = Rng::new(seed);
            let len = (rng.next_u64() % 300) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
            let mut input = Input::new(&bytes);
            let n = decode_n(&mut input, 16);
            let m: Matrix<f32> = decode_matrix(&mut input, n);
            assert_eq!(m.a.len(), n * n);
        }
    }
}
