//! The sealed scalar trait [`Real`], implemented for `f32` and `f64`.
//!
//! All scalar math goes through [`libm`] so the crate never needs `std` (the square root through
//! `simd::sqrt_f64`/`sqrt_f32`, which avoid libm's SSE-encoded assembly in AVX builds).

use core::fmt::{Debug, Display};
use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::simd::SimdReal;

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// A real floating-point scalar supported by the solvers: `f32` or `f64` (sealed).
pub trait Real:
    sealed::Sealed
    + crate::kernels::Kernels
    + Copy
    + Default
    + PartialOrd
    + PartialEq
    + Debug
    + Display
    + Send
    + Sync
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
{
    /// The SIMD vector of this scalar chosen at compile time (see [`simd_level`](crate::simd_level) and
    /// [`dispatch_level`](crate::dispatch_level)).
    type Lanes: SimdReal<Scalar = Self>;
    /// The SIMD vector the batched solvers ([`crate::batch`]) put one matrix per lane in: `f64x8` /
    /// `f32x16` on every target (two native vectors with AVX2), to overlap independent rotations.
    type BatchLanes: SimdReal<Scalar = Self>;
    /// 0.
    const ZERO: Self;
    /// 1.
    const ONE: Self;
    /// 2.
    const TWO: Self;
    /// 1/2.
    const HALF: Self;
    /// Machine epsilon: the distance from 1 to the next larger number (LAPACK's `ulp`).
    const EPSILON: Self;
    /// Smallest positive normal number.
    const MIN_POSITIVE: Self;
    /// Largest finite number.
    const MAX: Self;
    /// Number of bits in the significand, including the implicit bit (24 or 53).
    const MANTISSA_DIGITS: u32;
    /// Type name for messages and reports (`"f32"` or `"f64"`).
    const NAME: &'static str;

    /// Conversion from `f64` (rounds to nearest for `f32`).
    fn from_f64(x: f64) -> Self;
    /// Exact widening to `f64`.
    fn to_f64(self) -> f64;
    /// Conversion from a count.
    fn from_usize(n: usize) -> Self {
        Self::from_f64(n as f64)
    }
    /// Absolute value.
    fn abs(self) -> Self;
    /// Square root (correctly rounded).
    fn sqrt(self) -> Self;
    /// `sqrt(self^2 + other^2)` without undue overflow or underflow.
    fn hypot(self, other: Self) -> Self;
    /// `self * 2^exp`, exact unless the result overflows or is subnormal.
    fn scalbn(self, exp: i32) -> Self;
    /// Binary exponent `e` with `self = m * 2^e`, `0.5 <= |m| < 1` (0 for zero and non-finite input).
    fn exponent(self) -> i32;
    /// Natural logarithm.
    fn ln(self) -> Self;
    /// `ln(1 + self)`, accurate near zero.
    fn ln_1p(self) -> Self;
    /// Exponential.
    fn exp(self) -> Self;
    /// `exp(self) - 1`, accurate near zero.
    fn exp_m1(self) -> Self;
    /// `self^p`.
    fn powf(self, p: Self) -> Self;
    /// `true` unless NaN or infinite.
    fn is_finite(self) -> bool;
    /// `true` for NaN.
    fn is_nan(self) -> bool;
    /// Magnitude of `self` with the sign of `sign`.
    fn copysign(self, sign: Self) -> Self;
    /// The larger of two numbers (the non-NaN one if one is NaN).
    fn max(self, other: Self) -> Self {
        if self >= other || other.is_nan() {
            self
        } else {
            other
        }
    }
    /// The smaller of two numbers (the non-NaN one if one is NaN).
    fn min(self, other: Self) -> Self {
        if self <= other || other.is_nan() {
            self
        } else {
            other
        }
    }
}

macro_rules! impl_real {
    ($t:ty, $lanes:ty, $m:ident, $name:literal,
     $sqrt:path, $hypot:path, $scalbn:path, $frexp:path, $ln:path, $ln1p:path, $exp:path, $expm1:path,
     $pow:path, $copysign:path, $fabs:path, $batch:ty) => {
        impl Real for $t {
            type Lanes = $lanes;
            type BatchLanes = $batch;
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const TWO: Self = 2.0;
            const HALF: Self = 0.5;
            const EPSILON: Self = $m::EPSILON;
            const MIN_POSITIVE: Self = $m::MIN_POSITIVE;
            const MAX: Self = $m::MAX;
            const MANTISSA_DIGITS: u32 = $m::MANTISSA_DIGITS;
            const NAME: &'static str = $name;

            #[inline(always)]
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn abs(self) -> Self {
                $fabs(self)
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                $sqrt(self)
            }
            #[inline]
            fn hypot(self, other: Self) -> Self {
                $hypot(self, other)
            }
            #[inline]
            fn scalbn(self, exp: i32) -> Self {
                $scalbn(self, exp)
            }
            #[inline]
            fn exponent(self) -> i32 {
                if self == 0.0 || !self.is_finite() {
                    0
                } else {
                    $frexp(self).1
                }
            }
            #[inline]
            fn ln(self) -> Self {
                $ln(self)
            }
            #[inline]
            fn ln_1p(self) -> Self {
                $ln1p(self)
            }
            #[inline]
            fn exp(self) -> Self {
                $exp(self)
            }
            #[inline]
            fn exp_m1(self) -> Self {
                $expm1(self)
            }
            #[inline]
            fn powf(self, p: Self) -> Self {
                $pow(self, p)
            }
            #[inline(always)]
            fn is_finite(self) -> bool {
                <$t>::is_finite(self)
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            #[inline]
            fn copysign(self, sign: Self) -> Self {
                $copysign(self, sign)
            }
        }
    };
}

impl_real!(
    f32,
    crate::simd::F32Lanes,
    f32,
    "f32",
    crate::simd::sqrt_f32,
    libm::hypotf,
    libm::scalbnf,
    libm::frexpf,
    libm::logf,
    libm::log1pf,
    libm::expf,
    libm::expm1f,
    libm::powf,
    libm::copysignf,
    libm::fabsf,
    crate::simd::F32BatchLanes
);
impl_real!(
    f64,
    crate::simd::F64Lanes,
    f64,
    "f64",
    crate::simd::sqrt_f64,
    libm::hypot,
    libm::scalbn,
    libm::frexp,
    libm::log,
    libm::log1p,
    libm::exp,
    libm::expm1,
    libm::pow,
    libm::copysign,
    libm::fabs,
    crate::simd::F64BatchLanes
);

#[cfg(test)]
mod tests {
    use super::Real;

    #[test]
    fn exponent_and_scalbn_are_inverse_on_powers_of_two() {
        for e in [-1074, -1022, -1, 0, 1, 100, 1023] {
            let x = 1.0f64.scalbn(e);
            assert_eq!(x.exponent(), e + 1);
            assert_eq!(x.scalbn(-e), 1.0);
        }
        assert_eq!(0.0f64.exponent(), 0);
        assert_eq!(f64::NAN.exponent(), 0);
        assert_eq!(3.0f32.exponent(), 2);
    }

    #[test]
    fn max_and_min_ignore_nan() {
        assert_eq!(Real::max(f64::NAN, 1.0), 1.0);
        assert_eq!(Real::max(1.0, f64::NAN), 1.0);
        assert_eq!(Real::min(2.0f32, 1.0), 1.0);
    }
}
