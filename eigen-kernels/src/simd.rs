//! SIMD plumbing: the only module that imports [`wide`].
//!
//! Every scalar gets one lane type, chosen at compile time (wide decides from `cfg(target_feature)`):
//! with AVX-512F enabled (`-C target-cpu=native` on an AVX-512 machine) `f64` runs on `f64x8` and `f32` on
//! `f32x16`; otherwise on `f64x4` / `f32x8`, which a portable x86-64 build (SSE2 only) executes as two
//! 128-bit halves. Solvers speak only in [`SimdReal`] and the slice kernels below.

use core::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::Real;

/// `+=`, `-=` and `*=` for a lane type from its `+`, `-` and `*` (defined before `mod dispatch` so
/// its array lanes use it too). Unused where neither AVX-512 is compiled in nor the build dispatches.
#[allow(unused_macros)]
macro_rules! assign_ops {
    ($name:ident) => {
        impl core::ops::AddAssign for $name {
            #[inline(always)]
            fn add_assign(&mut self, o: Self) {
                *self = *self + o;
            }
        }
        impl core::ops::SubAssign for $name {
            #[inline(always)]
            fn sub_assign(&mut self, o: Self) {
                *self = *self - o;
            }
        }
        impl core::ops::MulAssign for $name {
            #[inline(always)]
            fn mul_assign(&mut self, o: Self) {
                *self = *self * o;
            }
        }
    };
}

/// Defines a lane type of two registers, `$half` twice: every operation is issued on both halves, two
/// independent dependency chains (the batched solvers' small blocks, `pair` and the dispatched
/// AVX-512 lanes).
#[allow(unused_macros)] // used only where AVX-512 is compiled in or dispatched
macro_rules! pair_lanes {
    ($name:ident, $half:ty, $t:ty, $h:literal, $n:literal) => {
        #[doc = concat!("`", stringify!($n), "` lanes of `", stringify!($t), "` as two `", stringify!($half), "`.")]
        #[derive(Debug, Clone, Copy)]
        pub struct $name($half, $half);

        macro_rules! binary {
            ($tr:ident, $f:ident, $op:tt) => {
                impl core::ops::$tr for $name {
                    type Output = Self;
                    #[inline(always)]
                    fn $f(self, o: Self) -> Self {
                        Self(self.0 $op o.0, self.1 $op o.1)
                    }
                }
            };
        }
        binary!(Add, add, +);
        binary!(Sub, sub, -);
        binary!(Mul, mul, *);
        binary!(Div, div, /);
        impl core::ops::Neg for $name {
            type Output = Self;
            #[inline(always)]
            fn neg(self) -> Self {
                Self(-self.0, -self.1)
            }
        }
        assign_ops!($name);

        impl $crate::simd::SimdReal for $name {
            type Scalar = $t;
            const LANES: usize = $n;
            const FAST_RECIP_SQRT: bool = <$half as SimdReal>::FAST_RECIP_SQRT;
            const DISPATCH: $crate::simd::DispatchLevel = <$half as SimdReal>::DISPATCH;
            type Array = [$t; $n];

            #[inline(always)]
            fn splat(x: $t) -> Self {
                let h = <$half>::splat(x);
                Self(h, h)
            }
            #[inline(always)]
            fn load(s: &[$t]) -> Self {
                Self(<$half as SimdReal>::load(&s[..$h]), <$half as SimdReal>::load(&s[$h..$n]))
            }
            #[inline(always)]
            fn store(self, s: &mut [$t]) {
                SimdReal::store(self.0, &mut s[..$h]);
                SimdReal::store(self.1, &mut s[$h..$n]);
            }
            #[inline(always)]
            fn to_array(self) -> [$t; $n] {
                let mut a = [0.0; $n];
                SimdReal::store(self, &mut a);
                a
            }
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self {
                Self(SimdReal::mul_add(self.0, a.0, b.0), SimdReal::mul_add(self.1, a.1, b.1))
            }
            #[inline(always)]
            fn abs(self) -> Self {
                Self(SimdReal::abs(self.0), SimdReal::abs(self.1))
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                Self(SimdReal::sqrt(self.0), SimdReal::sqrt(self.1))
            }
            #[inline(always)]
            fn recip_sqrt(self) -> Self {
                Self(SimdReal::recip_sqrt(self.0), SimdReal::recip_sqrt(self.1))
            }
            #[inline(always)]
            fn max(self, o: Self) -> Self {
                Self(SimdReal::max(self.0, o.0), SimdReal::max(self.1, o.1))
            }
            #[inline(always)]
            fn min(self, o: Self) -> Self {
                Self(SimdReal::min(self.0, o.0), SimdReal::min(self.1, o.1))
            }
            #[inline(always)]
            fn lt(self, o: Self) -> Self {
                Self(SimdReal::lt(self.0, o.0), SimdReal::lt(self.1, o.1))
            }
            #[inline(always)]
            fn le(self, o: Self) -> Self {
                Self(SimdReal::le(self.0, o.0), SimdReal::le(self.1, o.1))
            }
            #[inline(always)]
            fn eq(self, o: Self) -> Self {
                Self(SimdReal::eq(self.0, o.0), SimdReal::eq(self.1, o.1))
            }
            #[inline(always)]
            fn select(m: Self, a: Self, b: Self) -> Self {
                Self(<$half>::select(m.0, a.0, b.0), <$half>::select(m.1, a.1, b.1))
            }
            #[inline(always)]
            fn copysign(self, sign: Self) -> Self {
                Self(SimdReal::copysign(self.0, sign.0), SimdReal::copysign(self.1, sign.1))
            }
            #[inline(always)]
            fn any(m: Self) -> bool {
                <$half as SimdReal>::any(m.0.or(m.1))
            }
            #[inline(always)]
            fn all(m: Self) -> bool {
                <$half as SimdReal>::all(m.0.and(m.1))
            }
            #[inline(always)]
            fn reduce_add(self) -> $t {
                SimdReal::reduce_add(self.0) + SimdReal::reduce_add(self.1)
            }
            #[inline(always)]
            fn from_array(a: [$t; $n]) -> Self {
                <Self as SimdReal>::load(&a)
            }
            #[inline(always)]
            fn and(self, o: Self) -> Self {
                Self(self.0.and(o.0), self.1.and(o.1))
            }
            #[inline(always)]
            fn or(self, o: Self) -> Self {
                Self(self.0.or(o.0), self.1.or(o.1))
            }
            #[inline(always)]
            fn with_tile_kernel<Op: $crate::simd::WithTileKernel<$t>>(
                op: Op,
                how: $crate::simd::Dispatch,
            ) -> Op::Output {
                <$half as SimdReal>::with_tile_kernel(op, how)
            }
            #[inline(always)]
            fn with_best_lanes<Op: $crate::simd::WithLanes<$t>>(op: Op) -> Op::Output {
                op.run::<Self>()
            }
        }
    };
}

mod dispatch;
pub use dispatch::{Dispatch, DispatchLevel, TileKernel, WithLanes, WithTileKernel, dispatch_level};

/// Lane vectors stacked in one register tile of the layers' product kernel (`dense::tile`):
/// 2 where a lane vector is one register (AVX and up: a `2 x 4` tile is 8 of 16 `ymm` registers), 1 in
/// the portable build, where each lane vector is two SSE2 registers and a `2 x 4` tile's 16
/// accumulators would not fit the 16 `xmm` registers.
pub(crate) const TILE_STRIPS: usize = if cfg!(target_feature = "avx") { 2 } else { 1 };

#[cfg(target_feature = "avx512f")]
pub(crate) type F64Lanes = wide::f64x8;
#[cfg(not(target_feature = "avx512f"))]
pub(crate) type F64Lanes = wide::f64x4;
#[cfg(target_feature = "avx512f")]
pub(crate) type F32Lanes = wide::f32x16;
#[cfg(not(target_feature = "avx512f"))]
pub(crate) type F32Lanes = wide::f32x8;

/// Lane types of the batched solvers: twice the native width (two registers with AVX2 or AVX-512,
/// four with SSE2), so each instruction stream carries two or more independent Jacobi rotation chains
/// whose divide/square-root latency would otherwise leave the units idle.
#[cfg(not(target_feature = "avx512f"))]
pub(crate) type F64BatchLanes = wide::f64x8;
/// See [`F64BatchLanes`].
#[cfg(not(target_feature = "avx512f"))]
pub(crate) type F32BatchLanes = wide::f32x16;
/// See the portable definition: two 512-bit registers.
#[cfg(target_feature = "avx512f")]
pub(crate) type F64BatchLanes = pair::F64x16;
/// See the portable definition: two 512-bit registers.
#[cfg(target_feature = "avx512f")]
pub(crate) type F32BatchLanes = pair::F32x32;

/// The instruction-set level this build was compiled for, e.g. `"avx512f+fma"`, `"avx2+fma"`, `"sse2"`.
pub const fn simd_level() -> &'static str {
    if cfg!(all(target_feature = "avx512f", target_feature = "fma")) {
        "avx512f+fma"
    } else if cfg!(target_feature = "avx512f") {
        "avx512f"
    } else if cfg!(all(target_feature = "avx2", target_feature = "fma")) {
        "avx2+fma"
    } else if cfg!(target_feature = "avx") {
        "avx"
    } else if cfg!(target_feature = "sse2") {
        "sse2"
    } else if cfg!(target_feature = "neon") {
        "neon"
    } else if cfg!(target_feature = "simd128") {
        "wasm-simd128"
    } else {
        "scalar"
    }
}

/// Scalar square root of `f64`, correctly rounded.
///
/// libm's x86 `sqrt` is inline assembly in the legacy SSE encoding; in code compiled for AVX it pays an
/// SSE/AVX transition stall on every call (measured: 15x slower small solves with `-C target-cpu=native`).
/// A one-lane `wide` square root compiles to the VEX form instead.
#[inline(always)]
pub(crate) fn sqrt_f64(x: f64) -> f64 {
    #[cfg(all(any(target_arch = "x86", target_arch = "x86_64"), target_feature = "avx"))]
    {
        wide::f64x2::splat(x).sqrt().to_array()[0]
    }
    #[cfg(not(all(any(target_arch = "x86", target_arch = "x86_64"), target_feature = "avx")))]
    {
        libm::sqrt(x)
    }
}

/// Scalar square root of `f32`, correctly rounded (see [`sqrt_f64`]).
#[inline(always)]
pub(crate) fn sqrt_f32(x: f32) -> f32 {
    #[cfg(all(any(target_arch = "x86", target_arch = "x86_64"), target_feature = "avx"))]
    {
        wide::f32x4::splat(x).sqrt().to_array()[0]
    }
    #[cfg(not(all(any(target_arch = "x86", target_arch = "x86_64"), target_feature = "avx")))]
    {
        libm::sqrtf(x)
    }
}

/// A SIMD vector of [`Real`] lanes: the operations the kernels need, nothing more.
pub trait SimdReal:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + Send
    + Sync
{
    /// The lane scalar.
    type Scalar: Real;
    /// Number of lanes.
    const LANES: usize;
    /// Whether [`recip_sqrt`](Self::recip_sqrt) avoids the divide/square-root unit (an estimate
    /// instruction and Newton steps): the lane solvers then compute rotations from it instead of
    /// square roots and divisions.
    const FAST_RECIP_SQRT: bool = false;
    /// Whether [`transpose`](Self::transpose) shuffles in registers (AVX-512 single registers): the
    /// batch layout then moves whole tiles instead of single lanes.
    const FAST_TRANSPOSE: bool = false;
    /// The dispatch level in whose frame [`with_best_lanes`](Self::with_best_lanes) runs these lanes
    /// (its operations that are not `SHORT`; the short ones only run blocks that every level
    /// solves alike). The batched solvers pick their block shape per level at compile time from it.
    const DISPATCH: DispatchLevel = DispatchLevel::Compiled;
    /// A lane-array of the scalar (`[Scalar; LANES]`).
    type Array: AsRef<[Self::Scalar]> + AsMut<[Self::Scalar]> + Copy;

    /// All lanes equal to `x`.
    fn splat(x: Self::Scalar) -> Self;
    /// Loads the first `LANES` elements of `s` (panics in debug if `s` is shorter; callers pass exact chunks).
    fn load(s: &[Self::Scalar]) -> Self;
    /// Stores into the first `LANES` elements of `s`.
    fn store(self, s: &mut [Self::Scalar]);
    /// Lanes as an array.
    fn to_array(self) -> Self::Array;
    /// `self * a + b`, fused where the target has FMA.
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// Lane-wise absolute value.
    fn abs(self) -> Self;
    /// Lane-wise square root.
    fn sqrt(self) -> Self;
    /// Lane-wise `1 / sqrt(x)` for positive normal `x`, within a few ulps (not necessarily correctly
    /// rounded: AVX-512 lanes refine the `vrsqrt14` estimate by Newton steps, which is
    /// shorter on a dependency chain than a square root and a division). Other `x` are unspecified.
    #[inline(always)]
    fn recip_sqrt(self) -> Self {
        Self::splat(<Self::Scalar as Real>::ONE) / self.sqrt()
    }
    /// Transposes a square tile in place: `tile` holds `LANES` vectors, and afterwards lane `l` of
    /// `tile[j]` is lane `j` of the old `tile[l]` (the batch layout's array-of-structures <->
    /// structure-of-arrays transposes). AVX-512 lanes shuffle in registers (`simd::transpose512`); the
    /// others go through lane arrays.
    #[inline(always)]
    fn transpose(tile: &mut [Self]) {
        transpose_by_arrays(tile);
    }
    /// Lane-wise maximum.
    fn max(self, other: Self) -> Self;
    /// Lane-wise minimum.
    fn min(self, other: Self) -> Self;
    /// Mask of lanes where `self < other` (all bits set) or not (zero).
    fn lt(self, other: Self) -> Self;
    /// Mask of lanes where `self <= other`.
    fn le(self, other: Self) -> Self;
    /// Mask of lanes where `self == other`.
    fn eq(self, other: Self) -> Self;
    /// Lane-wise `if mask { if_true } else { if_false }` for masks made by the comparisons.
    fn select(mask: Self, if_true: Self, if_false: Self) -> Self;
    /// Lane-wise sign transfer: magnitude of `self`, sign of `sign`.
    fn copysign(self, sign: Self) -> Self;
    /// `true` if any lane of the mask is set.
    fn any(mask: Self) -> bool;
    /// `true` if every lane of the mask is set.
    fn all(mask: Self) -> bool;
    /// Sum of the lanes.
    fn reduce_add(self) -> Self::Scalar;
    /// Vector from a lane-array (lane `i` = `a[i]`).
    fn from_array(a: Self::Array) -> Self;
    /// Lane-wise AND of two masks made by the comparisons.
    fn and(self, other: Self) -> Self;
    /// Lane-wise OR of two masks made by the comparisons.
    fn or(self, other: Self) -> Self;
    /// Runs a product micro-kernel on the best [`TileKernel`] for this scalar (run-time AVX2+FMA
    /// dispatch in portable x86-64 builds; see `simd/dispatch.rs`).
    #[doc(hidden)]
    fn with_tile_kernel<Op: WithTileKernel<Self::Scalar>>(op: Op, how: Dispatch) -> Op::Output;
    /// Runs a batched-solver operation on lanes of this width: these lanes, or in a portable x86-64
    /// build on a CPU with AVX2+FMA, lanes compiled for them (see `simd/dispatch.rs`).
    #[doc(hidden)]
    fn with_best_lanes<Op: WithLanes<Self::Scalar>>(op: Op) -> Op::Output;
}

/// [`SimdReal::transpose`] through lane arrays (the default; at most 32 lanes, the widest lane type).
#[inline(always)]
pub(crate) fn transpose_by_arrays<V: SimdReal>(tile: &mut [V]) {
    let mut rows = [V::splat(<V::Scalar as Real>::ZERO).to_array(); 32];
    for (r, t) in rows.iter_mut().zip(tile.iter()) {
        *r = t.to_array();
    }
    for (j, t) in tile.iter_mut().enumerate().take(V::LANES) {
        let mut a = rows[0];
        for (x, r) in a.as_mut().iter_mut().zip(&rows) {
            *x = r.as_ref()[j];
        }
        *t = V::from_array(a);
    }
}

/// [`SimdReal::recip_sqrt`] and [`SimdReal::transpose`] of the compiled-in `wide` vectors: the
/// trait's defaults, except for the 512-bit ones in a build with AVX-512 compiled in, which refine
/// `vrsqrt14` and shuffle in registers like the dispatched lanes.
trait WideAvx512: SimdReal {
    const FAST: bool = false;
    #[inline(always)]
    fn wide_recip_sqrt(self) -> Self {
        Self::splat(<Self::Scalar as Real>::ONE) / self.sqrt()
    }
    #[inline(always)]
    fn wide_transpose(tile: &mut [Self]) {
        transpose_by_arrays(tile);
    }
}

impl WideAvx512 for wide::f64x4 {}
impl WideAvx512 for wide::f32x8 {}
#[cfg(not(all(target_arch = "x86_64", target_feature = "avx512f")))]
impl WideAvx512 for wide::f64x8 {}
#[cfg(not(all(target_arch = "x86_64", target_feature = "avx512f")))]
impl WideAvx512 for wide::f32x16 {}

/// `1 / sqrt(x)` on AVX-512 without the divide/sqrt unit: the `vrsqrt14` estimate (relative error
/// below `2^-14`) and Newton steps `y <- y + (y / 2)(1 - x y^2)`, each squaring the error (two for
/// `f64`, one for `f32`; Markstein, "IA-64 and elementary functions", 2000, ch. 8). Shared by the
/// dispatched lanes and the compiled-in 512-bit `wide` ones.
#[cfg(target_arch = "x86_64")]
#[allow(dead_code)] // used where AVX-512 is compiled in or dispatched
pub(crate) mod refined_rsqrt {
    use pulp::Simd as _;
    use pulp::x86::V4;

    /// Eight `f64` lanes: one third-order step `y <- y + y r (1/2 + 3/8 r + 5/16 r^2)`, `r = 1 - x y^2`
    /// (the series of `(1 - r)^(-1/2)`; the truncation `35/128 r^4 < 2^-53` for `|r| < 2^-13`), which
    /// reaches `f64` accuracy in a dependency chain of five floating-point operations instead of the
    /// six of two Newton steps.
    #[inline(always)]
    pub(crate) fn f64s(s: V4, x: pulp::f64x8) -> pulp::f64x8 {
        let y: pulp::f64x8 = pulp::cast(s.avx512f._mm512_rsqrt14_pd(pulp::cast(x)));
        let one = s.splat_f64s(1.0);
        let r = s.mul_add_f64s(s.neg_f64s(s.mul_f64s(x, y)), y, one);
        let p = s.mul_add_f64s(s.splat_f64s(5.0 / 16.0), r, s.splat_f64s(3.0 / 8.0));
        let p = s.mul_add_f64s(p, r, s.splat_f64s(0.5));
        s.mul_add_f64s(s.mul_f64s(y, r), p, y)
    }

    /// Sixteen `f32` lanes.
    #[inline(always)]
    pub(crate) fn f32s(s: V4, x: pulp::f32x16) -> pulp::f32x16 {
        let y: pulp::f32x16 = pulp::cast(s.avx512f._mm512_rsqrt14_ps(pulp::cast(x)));
        let (half, one) = (s.splat_f32s(0.5), s.splat_f32s(1.0));
        let r = s.mul_add_f32s(s.neg_f32s(s.mul_f32s(x, y)), y, one);
        s.mul_add_f32s(s.mul_f32s(half, y), r, y)
    }
}

/// In-register transposes of a tile of 512-bit vectors (eight `f64` rows of eight, sixteen `f32` rows
/// of sixteen) by interleaving unpacks and lane-block shuffles, the textbook network (Intel's
/// optimization manual, "matrix transposition" with `vunpcklpd`/`vpermt2pd`/`vshuff64x2`): 24 and 64
/// shuffles instead of a store and a load per scalar. Shared by the dispatched lanes and the
/// compiled-in 512-bit `wide` ones.
#[cfg(target_arch = "x86_64")]
#[allow(dead_code)] // used where AVX-512 is compiled in or dispatched
pub(crate) mod transpose512 {
    use core::arch::x86_64::{__m512, __m512d};
    use pulp::x86::V4;

    /// Eight rows of eight `f64`: `out[j]` lane `l` = `rows[l]` lane `j`.
    #[inline(always)]
    pub(crate) fn f64s(s: V4, rows: [pulp::f64x8; 8]) -> [pulp::f64x8; 8] {
        let x = s.avx512f;
        let r: [__m512d; 8] = pulp::cast(rows);
        // t[2k + m], 128-bit block q: rows 2k, 2k + 1 of column 2q + m.
        let t: [__m512d; 8] = core::array::from_fn(|i| {
            let (a, b) = (r[i & !1], r[i | 1]);
            if i % 2 == 0 {
                x._mm512_unpacklo_pd(a, b)
            } else {
                x._mm512_unpackhi_pd(a, b)
            }
        });
        // u[4h + 2p + m] (p = 0, 1): rows 4h..4h + 4 of column 2p + m (low half) and 2p + m + 4 (high).
        let lo = x._mm512_setr_epi64(0, 1, 8, 9, 4, 5, 12, 13);
        let hi = x._mm512_setr_epi64(2, 3, 10, 11, 6, 7, 14, 15);
        let u: [__m512d; 8] = core::array::from_fn(|i| {
            let (h, p, m) = (i / 4, (i / 2) % 2, i % 2);
            let (a, b) = (t[4 * h + m], t[4 * h + 2 + m]);
            x._mm512_permutex2var_pd(a, if p == 0 { lo } else { hi }, b)
        });
        // Column c = 4g + 2p + m: the halves g of u[2p + m] (rows 0..4) and u[4 + 2p + m] (rows 4..8).
        let out: [__m512d; 8] = core::array::from_fn(|c| {
            let (a, b) = (u[c % 4], u[4 + c % 4]);
            if c < 4 {
                x._mm512_shuffle_f64x2::<0x44>(a, b)
            } else {
                x._mm512_shuffle_f64x2::<0xEE>(a, b)
            }
        });
        pulp::cast(out)
    }

    /// Sixteen rows of sixteen `f32`.
    #[inline(always)]
    pub(crate) fn f32s(s: V4, rows: [pulp::f32x16; 16]) -> [pulp::f32x16; 16] {
        let x = s.avx512f;
        let r: [__m512; 16] = pulp::cast(rows);
        // t[2k + m], 128-bit block q: rows 2k, 2k + 1 of columns 4q + 2m, 4q + 2m + 1.
        let t: [__m512; 16] = core::array::from_fn(|i| {
            let (a, b) = (r[i & !1], r[i | 1]);
            if i % 2 == 0 {
                x._mm512_unpacklo_ps(a, b)
            } else {
                x._mm512_unpackhi_ps(a, b)
            }
        });
        // u[4k + m], block q: rows 4k..4k + 4 of column 4q + m.
        let u: [__m512; 16] = core::array::from_fn(|i| {
            let (k, m) = (i / 4, i % 4);
            let (a, b): (__m512d, __m512d) = (pulp::cast(t[4 * k + m / 2]), pulp::cast(t[4 * k + 2 + m / 2]));
            pulp::cast(if m % 2 == 0 {
                x._mm512_unpacklo_pd(a, b)
            } else {
                x._mm512_unpackhi_pd(a, b)
            })
        });
        // Column 4q + m: block q of u[m], u[4 + m], u[8 + m], u[12 + m], a 4 x 4 transpose of blocks.
        let v: [__m512; 16] = core::array::from_fn(|i| {
            let (h, m) = (i / 8, i % 4);
            let (a, b) = (u[8 * h + m], u[8 * h + 4 + m]);
            if (i / 4) % 2 == 0 {
                x._mm512_shuffle_f32x4::<0x44>(a, b)
            } else {
                x._mm512_shuffle_f32x4::<0xEE>(a, b)
            }
        });
        // v[4w + m] (w = 2h + e): blocks (2e, 2e + 1) of u[8h + m] and of u[8h + 4 + m].
        let out: [__m512; 16] = core::array::from_fn(|c| {
            let (q, m) = (c / 4, c % 4);
            let (a, b) = (v[4 * (q / 2) + m], v[8 + 4 * (q / 2) + m]);
            if q % 2 == 0 {
                x._mm512_shuffle_f32x4::<0x88>(a, b)
            } else {
                x._mm512_shuffle_f32x4::<0xDD>(a, b)
            }
        });
        pulp::cast(out)
    }
}

/// [`refined_rsqrt`] and [`transpose512`] for a compiled-in 512-bit `wide` vector; the `V4` token is
/// a compile-time constant where AVX-512 is compiled in.
#[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
macro_rules! wide_avx512 {
    ($v:ty, $f:ident, $n:literal) => {
        impl WideAvx512 for $v {
            const FAST: bool = true;
            #[inline(always)]
            fn wide_recip_sqrt(self) -> Self {
                match pulp::x86::V4::try_new() {
                    Some(s) => bytemuck::cast(refined_rsqrt::$f(s, bytemuck::cast(self))),
                    None => <$v>::splat(1.0) / SimdReal::sqrt(self),
                }
            }
            #[inline(always)]
            fn wide_transpose(tile: &mut [Self]) {
                let Some(s) = pulp::x86::V4::try_new() else {
                    return transpose_by_arrays(tile);
                };
                let tile = &mut tile[..$n];
                let rows = core::array::from_fn(|i| bytemuck::cast(tile[i]));
                let out = transpose512::$f(s, rows);
                for (t, o) in tile.iter_mut().zip(out) {
                    *t = bytemuck::cast(o);
                }
            }
        }
    };
}
#[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
wide_avx512!(wide::f64x8, f64s, 8);
#[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
wide_avx512!(wide::f32x16, f32s, 16);

macro_rules! impl_simd_real {
    ($v:ty, $t:ty, $n:literal, $auto:tt) => {
        impl SimdReal for $v {
            type Scalar = $t;
            const LANES: usize = $n;
            const FAST_RECIP_SQRT: bool = <$v as WideAvx512>::FAST;
            const FAST_TRANSPOSE: bool = <$v as WideAvx512>::FAST;
            type Array = [$t; $n];

            #[inline(always)]
            fn splat(x: $t) -> Self {
                <$v>::splat(x)
            }
            #[inline(always)]
            fn load(s: &[$t]) -> Self {
                let mut a = [0.0; $n];
                a.copy_from_slice(&s[..$n]);
                <$v>::new(a)
            }
            #[inline(always)]
            fn store(self, s: &mut [$t]) {
                s[..$n].copy_from_slice(self.as_array());
            }
            #[inline(always)]
            fn to_array(self) -> [$t; $n] {
                <$v>::to_array(self)
            }
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self {
                <$v>::mul_add(self, a, b)
            }
            #[inline(always)]
            fn abs(self) -> Self {
                <$v>::abs(self)
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                <$v>::sqrt(self)
            }
            #[inline(always)]
            fn recip_sqrt(self) -> Self {
                WideAvx512::wide_recip_sqrt(self)
            }
            #[inline(always)]
            fn transpose(tile: &mut [Self]) {
                WideAvx512::wide_transpose(tile)
            }
            #[inline(always)]
            fn max(self, other: Self) -> Self {
                <$v>::max(self, other)
            }
            #[inline(always)]
            fn min(self, other: Self) -> Self {
                <$v>::min(self, other)
            }
            #[inline(always)]
            fn lt(self, other: Self) -> Self {
                self.simd_lt(other)
            }
            #[inline(always)]
            fn le(self, other: Self) -> Self {
                self.simd_le(other)
            }
            #[inline(always)]
            fn eq(self, other: Self) -> Self {
                self.simd_eq(other)
            }
            #[inline(always)]
            fn select(mask: Self, if_true: Self, if_false: Self) -> Self {
                mask.bitselect(if_true, if_false)
            }
            #[inline(always)]
            fn copysign(self, sign: Self) -> Self {
                <$v>::copysign(self, sign)
            }
            #[inline(always)]
            fn any(mask: Self) -> bool {
                <$v>::any(mask)
            }
            #[inline(always)]
            fn all(mask: Self) -> bool {
                <$v>::all(mask)
            }
            #[inline(always)]
            fn reduce_add(self) -> $t {
                <$v>::reduce_add(self)
            }
            #[inline(always)]
            fn from_array(a: [$t; $n]) -> Self {
                <$v>::new(a)
            }
            #[inline(always)]
            fn and(self, other: Self) -> Self {
                self & other
            }
            #[inline(always)]
            fn or(self, other: Self) -> Self {
                self | other
            }
            #[inline(always)]
            fn with_tile_kernel<Op: WithTileKernel<$t>>(op: Op, how: Dispatch) -> Op::Output {
                dispatch::dispatch_any(op, how)
            }
            #[inline(always)]
            fn with_best_lanes<Op: WithLanes<$t>>(op: Op) -> Op::Output {
                #[cfg(all(
                    feature = "std",
                    target_arch = "x86_64",
                    not(all(target_feature = "avx2", target_feature = "fma"))
                ))]
                return dispatch_lanes!($t, Self, $auto, op);
                #[cfg(not(all(
                    feature = "std",
                    target_arch = "x86_64",
                    not(all(target_feature = "avx2", target_feature = "fma"))
                )))]
                return op.run::<Self>();
            }
        }
    };
}

/// Lanes of two registers for the batched solvers where one `wide` vector is already a 512-bit
/// register: every operation is issued on both halves, two independent dependency chains.
#[cfg(target_feature = "avx512f")]
mod pair {
    use super::SimdReal;

    pair_lanes!(F64x16, wide::f64x8, f64, 8, 16);
    pair_lanes!(F32x32, wide::f32x16, f32, 16, 32);
}

/// The dispatched lanes of [`SimdReal::with_best_lanes`]: AVX2+FMA array lanes of the same width (at
/// the batch width as two 256-bit arrays, `AutoPairF64x8` / `AutoPairF32x16`, or two `V3` token
/// vectors, `V3F64x8` / `V3F32x16`, for a [`WithLanes::UNROLLED`] operation), and
/// AVX-512 vectors on a CPU that has them (for the batch lanes of a portable build, `f64x8` and
/// `f32x16`, two 512-bit registers), or AVX-512 array lanes of that width for a
/// [`WithLanes::SHORT`] operation.
#[allow(unused_macros)] // used only where the build dispatches
macro_rules! dispatch_lanes {
    ($t:ty, $w:ty, ($a3:ident, $t3:ident, $a4:ident, $arr4:ident), $op:ident) => {
        dispatch::best_batch_lanes::<$t, $w, dispatch::$a3, dispatch::$t3, dispatch::$a4, dispatch::$arr4, Op>($op)
    };
}

impl_simd_real!(wide::f64x4, f64, 4, (AutoF64x4, AutoF64x4, V4F64x8, AutoF64x8));
impl_simd_real!(
    wide::f64x8,
    f64,
    8,
    (AutoPairF64x8, V3F64x8, V4F64x16, AutoF64x16)
);
impl_simd_real!(wide::f32x8, f32, 8, (AutoF32x8, AutoF32x8, V4F32x16, AutoF32x16));
impl_simd_real!(
    wide::f32x16,
    f32,
    16,
    (AutoPairF32x16, V3F32x16, V4F32x32, AutoF32x32)
);

/// Applies the plane rotation `[x, y] <- [c x - s y, s x + c y]` to two equal-length slices.
#[inline]
pub(crate) fn rot<T: Real>(x: &mut [T], y: &mut [T], c: T, s: T) {
    let len = x.len().min(y.len());
    let (x, y) = (&mut x[..len], &mut y[..len]);
    let w = T::Lanes::LANES;
    let split = len - len % w;
    let (cv, sv) = (T::Lanes::splat(c), T::Lanes::splat(s));
    let (xh, xt) = x.split_at_mut(split);
    let (yh, yt) = y.split_at_mut(split);
    for (xc, yc) in xh.chunks_exact_mut(w).zip(yh.chunks_exact_mut(w)) {
        let xv = T::Lanes::load(xc);
        let yv = T::Lanes::load(yc);
        (cv * xv - sv * yv).store(xc);
        sv.mul_add(xv, cv * yv).store(yc);
    }
    for (xi, yi) in xt.iter_mut().zip(yt.iter_mut()) {
        let (a, b) = (*xi, *yi);
        *xi = c * a - s * b;
        *yi = s * a + c * b;
    }
}

/// Output columns of a round of disjoint two-sided rotations (Brent–Luk), out of place.
///
/// With `m = c.len()`, columns `l` and `r` of the input (`2m` rows used) are combined by the column
/// rotation `(cj, sj)`: `u = cj l - sj r` is the new left column, `w = sj l + cj r` the new right one
/// (`None`: only the left one, with `cj = 1, sj = 0` for a column that sits the round out). Then every
/// pair `i` in `pairs` gets its row rotation `(c_i, s_i)` on rows `(i, m + i)`, stored at rows `i + 1` and
/// `m + i - 1` of the outputs (the interior of the ring step): `out[i + 1] = c_i u_i - s_i u_{m+i}`,
/// `out[m + i - 1] = s_i u_i + c_i u_{m+i}`. Needs `pairs.start >= 1`, `pairs.end <= m`. A last partial
/// chunk is done as a full chunk overlapping the previous one (recomputing a few pairs: harmless out of
/// place), so every pair runs at full SIMD width once `pairs` is at least one lane vector long.
#[inline]
pub(crate) fn rotate_round_columns<T: Real>(
    l: &[T],
    r: &[T],
    (cj, sj): (T, T),
    c: &[T],
    s: &[T],
    pairs: core::ops::Range<usize>,
    out_l: &mut [T],
    mut out_r: Option<&mut [T]>,
) {
    let m = c.len().min(s.len());
    let (lt, lb) = (&l[..m], &l[m..2 * m]);
    let (rt, rb) = (&r[..m], &r[m..2 * m]);
    let w = T::Lanes::LANES;
    let (lo, hi) = (pairs.start, pairs.end.min(m));
    if hi >= lo + w {
        let (cjv, sjv, nsjv) = (T::Lanes::splat(cj), T::Lanes::splat(sj), T::Lanes::splat(-sj));
        let mut i = lo;
        loop {
            let (x1, x2) = (T::Lanes::load(&lt[i..]), T::Lanes::load(&lb[i..]));
            let (x3, x4) = (T::Lanes::load(&rt[i..]), T::Lanes::load(&rb[i..]));
            let (cv, sv) = (T::Lanes::load(&c[i..]), T::Lanes::load(&s[i..]));
            let nsv = -sv;
            let u1 = nsjv.mul_add(x3, cjv * x1);
            let u2 = nsjv.mul_add(x4, cjv * x2);
            nsv.mul_add(u2, cv * u1).store(&mut out_l[i + 1..]);
            sv.mul_add(u1, cv * u2).store(&mut out_l[m + i - 1..]);
            if let Some(out_r) = out_r.as_deref_mut() {
                let u3 = sjv.mul_add(x1, cjv * x3);
                let u4 = sjv.mul_add(x2, cjv * x4);
                nsv.mul_add(u4, cv * u3).store(&mut out_r[i + 1..]);
                sv.mul_add(u3, cv * u4).store(&mut out_r[m + i - 1..]);
            }
            if i + w == hi {
                break;
            }
            i = (i + w).min(hi - w);
        }
    } else {
        for i in lo..hi {
            let u1 = cj * lt[i] - sj * rt[i];
            let u2 = cj * lb[i] - sj * rb[i];
            out_l[i + 1] = c[i] * u1 - s[i] * u2;
            out_l[m + i - 1] = s[i] * u1 + c[i] * u2;
            if let Some(out_r) = out_r.as_deref_mut() {
                let u3 = sj * lt[i] + cj * rt[i];
                let u4 = sj * lb[i] + cj * rb[i];
                out_r[i + 1] = c[i] * u3 - s[i] * u4;
                out_r[m + i - 1] = s[i] * u3 + c[i] * u4;
            }
        }
    }
}

/// Dot product `sum_i x_i y_i` with lane-parallel partial sums.
#[inline]
#[allow(dead_code)] // used by the QR solver and the dense kernels
pub(crate) fn dot<T: Real>(x: &[T], y: &[T]) -> T {
    let len = x.len().min(y.len());
    let w = T::Lanes::LANES;
    let split = len - len % w;
    let mut acc = T::Lanes::splat(T::ZERO);
    for (xc, yc) in x[..split].chunks_exact(w).zip(y[..split].chunks_exact(w)) {
        acc = T::Lanes::load(xc).mul_add(T::Lanes::load(yc), acc);
    }
    let mut sum = acc.reduce_add();
    for (a, b) in x[split..len].iter().zip(&y[split..len]) {
        sum += *a * *b;
    }
    sum
}

/// Largest magnitude `max_i |x_i|` (0 for an empty slice), lane-parallel.
#[inline]
pub(crate) fn max_abs<T: Real>(x: &[T]) -> T {
    let w = T::Lanes::LANES;
    let split = x.len() - x.len() % w;
    let mut acc = T::Lanes::splat(T::ZERO);
    for c in x[..split].chunks_exact(w) {
        acc = acc.max(T::Lanes::load(c).abs());
    }
    let lanes = acc.to_array();
    let m = lanes.as_ref().iter().fold(T::ZERO, |m, v| m.max(*v));
    x[split..].iter().fold(m, |m, v| m.max(v.abs()))
}

/// Index of the first entry `x_i` with `|x_i| == target`, if any; whole lane vectors are tested at once.
#[inline]
pub(crate) fn position_of_abs<T: Real>(x: &[T], target: T) -> Option<usize> {
    let w = T::Lanes::LANES;
    let split = x.len() - x.len() % w;
    let t = T::Lanes::splat(target);
    for (b, c) in x[..split].chunks_exact(w).enumerate() {
        if T::Lanes::any(T::Lanes::load(c).abs().eq(t)) {
            return c.iter().position(|v| v.abs() == target).map(|i| b * w + i);
        }
    }
    x[split..]
        .iter()
        .position(|v| v.abs() == target)
        .map(|i| split + i)
}

/// `y <- alpha x + y`.
#[inline]
#[allow(dead_code)] // used by the QR solver and the dense kernels
pub(crate) fn axpy<T: Real>(alpha: T, x: &[T], y: &mut [T]) {
    let len = x.len().min(y.len());
    let w = T::Lanes::LANES;
    let split = len - len % w;
    let av = T::Lanes::splat(alpha);
    let (yh, yt) = y[..len].split_at_mut(split);
    for (xc, yc) in x[..split].chunks_exact(w).zip(yh.chunks_exact_mut(w)) {
        av.mul_add(T::Lanes::load(xc), T::Lanes::load(yc)).store(yc);
    }
    for (a, b) in x[split..len].iter().zip(yt.iter_mut()) {
        *b += alpha * *a;
    }
}

/// `x <- alpha x`.
#[inline]
#[allow(dead_code)] // used by the QR solver and the dense kernels
pub(crate) fn scale<T: Real>(alpha: T, x: &mut [T]) {
    let w = T::Lanes::LANES;
    let split = x.len() - x.len() % w;
    let av = T::Lanes::splat(alpha);
    let (xh, xt) = x.split_at_mut(split);
    for xc in xh.chunks_exact_mut(w) {
        (av * T::Lanes::load(xc)).store(xc);
    }
    for a in xt {
        *a *= alpha;
    }
}

/// The coefficients of one column in [`rank2_symv2`]: its pending update `col - vj w - wj v` and its
/// weight `uj` in the matrix-vector product.
#[derive(Clone, Copy)]
pub(crate) struct Rank2Coeffs<T> {
    pub vj: T,
    pub wj: T,
    pub uj: T,
}

/// A column pair's [`Rank2Coeffs`] in lanes: `-vj`, `-wj` and `uj` of each column.
#[derive(Clone, Copy)]
struct PairLanes<V> {
    nv1: V,
    nw1: V,
    u1: V,
    nv2: V,
    nw2: V,
    u2: V,
}

impl<V: Copy> PairLanes<V> {
    #[inline(always)]
    fn new<T: Real, K: TileKernel<T, V = V>>(kern: K, k1: Rank2Coeffs<T>, k2: Rank2Coeffs<T>) -> Self {
        let s = |x| kern.splat(x);
        PairLanes {
            nv1: s(-k1.vj),
            nw1: s(-k1.wj),
            u1: s(k1.uj),
            nv2: s(-k2.vj),
            nw2: s(-k2.wj),
            u2: s(k2.uj),
        }
    }
}

/// One lane chunk (rows `i..`) of a column pair's fused pass, no masking: `c <- c - vj w - wj v` for both
/// columns, `p <- p + u1 c1 + u2 c2`, and `acc += c . u` for each; returns the accumulators.
#[inline(always)]
#[allow(clippy::type_complexity)]
fn pair_chunk<T: Real, K: TileKernel<T>>(
    kern: K,
    i: usize,
    (c1, c2): (&mut [T], &mut [T]),
    (v, w, u): (&[T], &[T], &[T]),
    p: &mut [T],
    k: PairLanes<K::V>,
    (acc1, acc2): (K::V, K::V),
) -> (K::V, K::V) {
    let r = i..i + K::LANES;
    let (vv, wv, uv) = (
        kern.load(&v[r.clone()]),
        kern.load(&w[r.clone()]),
        kern.load(&u[r.clone()]),
    );
    let x1 = kern.mul_add(k.nw1, vv, kern.mul_add(k.nv1, wv, kern.load(&c1[r.clone()])));
    let x2 = kern.mul_add(k.nw2, vv, kern.mul_add(k.nv2, wv, kern.load(&c2[r.clone()])));
    kern.store(x1, &mut c1[r.clone()]);
    kern.store(x2, &mut c2[r.clone()]);
    let pv = kern.mul_add(k.u2, x2, kern.mul_add(k.u1, x1, kern.load(&p[r.clone()])));
    kern.store(pv, &mut p[r]);
    (kern.mul_add(x1, uv, acc1), kern.mul_add(x2, uv, acc2))
}

/// Two columns of the fused tridiagonalization step (faer's fused `syr2` + `symv`): applies the pending
/// symmetric rank-2 updates `c <- c - vj w - wj v` of `c1` and `c2` (same rows) and, in the same
/// pass, accumulates the next symmetric matrix-vector product `p <- p + uj c` and returns
/// `(c1 . u, c2 . u)` after the update (all slices the same length). Two columns per pass load the
/// shared vectors `v`, `w`, `u`, `p` once per pair: ~12-15 % faster than one column per pass
/// (values-only solve, n = 512 and 1024, both builds).
///
/// `row` is the row index of `c1[0]`: the rows before the next multiple of the lane width are done
/// in scalar, so that on a matrix with aligned columns every vector load and store is aligned and none
/// straddles a cache line. The split depends on `row` only, never on an address, so results are
/// reproducible. The reduction's padded copy runs [`rank2_symv2_padded`] instead, with no scalar rows.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn rank2_symv2<T: Real, K: TileKernel<T>>(
    kern: K,
    row: usize,
    c1: &mut [T],
    c2: &mut [T],
    v: &[T],
    w: &[T],
    u: &[T],
    p: &mut [T],
    k1: Rank2Coeffs<T>,
    k2: Rank2Coeffs<T>,
) -> (T, T) {
    let len = c1.len();
    let (c2, v, w, u, p) = (&mut c2[..len], &v[..len], &w[..len], &u[..len], &mut p[..len]);
    let lanes = K::LANES;
    let (mut sum1, mut sum2) = (T::ZERO, T::ZERO);
    // Row `i` of both columns in scalar.
    macro_rules! scalar_row {
        ($i:expr) => {{
            let i = $i;
            let x1 = c1[i] - k1.vj * w[i] - k1.wj * v[i];
            let x2 = c2[i] - k2.vj * w[i] - k2.wj * v[i];
            c1[i] = x1;
            c2[i] = x2;
            p[i] += k1.uj * x1 + k2.uj * x2;
            sum1 += x1 * u[i];
            sum2 += x2 * u[i];
        }};
    }
    let peel = ((lanes - row % lanes) % lanes).min(len);
    for i in 0..peel {
        scalar_row!(i);
    }
    let split = len - (len - peel) % lanes;
    let lanes_of = PairLanes::new(kern, k1, k2);
    let (mut acc1, mut acc2) = (kern.splat(T::ZERO), kern.splat(T::ZERO));
    let mut i = peel;
    while i < split {
        (acc1, acc2) = pair_chunk(kern, i, (c1, c2), (v, w, u), p, lanes_of, (acc1, acc2));
        i += lanes;
    }
    sum1 += kern.reduce_add(acc1);
    sum2 += kern.reduce_add(acc2);
    for i in split..len {
        scalar_row!(i);
    }
    (sum1, sum2)
}

/// The widest lane vector of any tile kernel, in scalars (AVX-512 `f32`).
pub(crate) const MAX_LANES: usize = 16;

/// [`MAX_LANES`] zeros then as many ones: `load(&table[MAX_LANES - z..])` is a lane mask whose first
/// `z` lanes are 0 and the others 1.
pub(crate) fn mask_table<T: Real>() -> [T; 2 * MAX_LANES] {
    core::array::from_fn(|i| if i < MAX_LANES { T::ZERO } else { T::ONE })
}

/// [`rank2_symv2`] for columns `j` and `j + 1` of a padded matrix, over all their rows at once:
/// `c1`, `c2`, `v`, `w`, `u` and `p` are indexed by row and hold `end` rows, `end` the row count rounded
/// up to the lane width. The rows past the matrix are zero in all of them, and the rows above the
/// columns' diagonals (the upper triangle, `v`, `w` and `p` there) are finite.
///
/// The lane chunk that holds a diagonal starts at a multiple of the lane width and is masked (the
/// update multiplied by 0 / 1 lanes, so the rows above the diagonal keep their values) instead of done
/// in scalar rows; the padding rows run as whole chunks. So no row is scalar: with 16 `f32` lanes the
/// scalar head and tail of [`rank2_symv2`] averaged 15 rows per column pair. Each column's diagonal
/// enters `p` once; returns `(c1 . u, c2 . u)` over the rows strictly below each diagonal.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn rank2_symv2_padded<T: Real, K: TileKernel<T>>(
    kern: K,
    j: usize,
    end: usize,
    c1: &mut [T],
    c2: &mut [T],
    (v, w, u): (&[T], &[T], &[T]),
    p: &mut [T],
    (k1, k2): (Rank2Coeffs<T>, Rank2Coeffs<T>),
    table: &[T; 2 * MAX_LANES],
) -> (T, T) {
    const { assert!(K::LANES <= MAX_LANES, "the mask table is too short") };
    let l = K::LANES;
    let (c1, c2, v, w, u, p) = (
        &mut c1[..end],
        &mut c2[..end],
        &v[..end],
        &w[..end],
        &u[..end],
        &mut p[..end],
    );
    let zero = kern.splat(T::ZERO);
    let k = PairLanes::new(kern, k1, k2);
    let PairLanes {
        nv1,
        nw1,
        u1,
        nv2,
        nw2,
        u2,
    } = k;
    let (mut acc1, mut acc2) = (zero, zero);
    // Lanes of the chunk at row `i` from row `from` on.
    let mask = |i: usize, from: usize| kern.load(&table[MAX_LANES - from.saturating_sub(i).min(l)..]);
    let mut i = j - j % l;
    while i < j + 2 {
        let r = i..i + l;
        let (vv, wv, uv) = (
            kern.load(&v[r.clone()]),
            kern.load(&w[r.clone()]),
            kern.load(&u[r.clone()]),
        );
        // Rows on and below each diagonal (`y`), strictly below it (`a`): column 1's `a` is column 2's `y`.
        let (y1, y2, a2) = (mask(i, j), mask(i, j + 1), mask(i, j + 2));
        let a1 = y2;
        let d1 = kern.mul_add(nw1, vv, kern.mul_add(nv1, wv, zero));
        let d2 = kern.mul_add(nw2, vv, kern.mul_add(nv2, wv, zero));
        let x1 = kern.mul_add(d1, y1, kern.load(&c1[r.clone()]));
        let x2 = kern.mul_add(d2, y2, kern.load(&c2[r.clone()]));
        kern.store(x1, &mut c1[r.clone()]);
        kern.store(x2, &mut c2[r.clone()]);
        let (m1, m2) = (kern.mul_add(x1, y1, zero), kern.mul_add(x2, y2, zero));
        let pv = kern.mul_add(u2, m2, kern.mul_add(u1, m1, kern.load(&p[r.clone()])));
        kern.store(pv, &mut p[r]);
        acc1 = kern.mul_add(kern.mul_add(x1, a1, zero), uv, acc1);
        acc2 = kern.mul_add(kern.mul_add(x2, a2, zero), uv, acc2);
        i += l;
    }
    while i < end {
        (acc1, acc2) = pair_chunk(kern, i, (c1, c2), (v, w, u), p, k, (acc1, acc2));
        i += l;
    }
    (kern.reduce_add(acc1), kern.reduce_add(acc2))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EDGE_F64: [f64; 12] = [
        0.0,
        -0.0,
        1.0,
        -1.5,
        5e-324,
        -2.2e-308,
        1e300,
        -1e-300,
        f64::MAX,
        f64::MIN_POSITIVE,
        3.25,
        7.0,
    ];
    const EDGE_F32: [f32; 12] = [
        0.0,
        -0.0,
        1.0,
        -1.5,
        1e-45,
        -1.1e-38,
        1e38,
        -1e-38,
        f32::MAX,
        f32::MIN_POSITIVE,
        3.25,
        7.0,
    ];

    fn lanes_match_scalar<V: SimdReal>(values: &[V::Scalar]) {
        let w = V::LANES;
        for start in 0..values.len() {
            let a: alloc_free::Buf<V::Scalar> = alloc_free::Buf::cycle(values, start, w);
            let b: alloc_free::Buf<V::Scalar> = alloc_free::Buf::cycle(values, start + 3, w);
            let (va, vb) = (V::load(a.as_slice()), V::load(b.as_slice()));
            let check = |got: V, f: &dyn Fn(V::Scalar, V::Scalar) -> V::Scalar| {
                let got = got.to_array();
                for i in 0..w {
                    let want = f(a.0[i], b.0[i]);
                    let g = got.as_ref()[i];
                    assert!(
                        g == want || (g.is_nan() && want.is_nan()),
                        "lane {i}: got {g:?}, want {want:?} for inputs {:?}, {:?}",
                        a.0[i],
                        b.0[i]
                    );
                }
            };
            check(va + vb, &|x, y| x + y);
            check(va - vb, &|x, y| x - y);
            check(va * vb, &|x, y| x * y);
            check(-va, &|x, _| -x);
            check(va.abs(), &|x, _| x.abs());
            check(va.abs().sqrt(), &|x, _| x.abs().sqrt());
            check(va.max(vb), &|x, y| {
                if x > y {
                    x
                } else if y > x {
                    y
                } else {
                    y.max(x)
                }
            });
            check(V::select(va.lt(vb), va, vb), &|x, y| if x < y { x } else { y });
            check(V::select(va.le(vb), va, vb), &|x, y| if x <= y { x } else { y });
            check(va.copysign(vb), &|x, y| x.copysign(y));
        }
    }

    /// Fixed-capacity buffer so the lane tests need no allocation.
    mod alloc_free {
        pub struct Buf<T>(pub [T; 32], usize);
        impl<T: Copy + Default> Buf<T> {
            pub fn cycle(src: &[T], start: usize, w: usize) -> Self {
                let mut a = [T::default(); 32];
                for i in 0..w {
                    a[i] = src[(start + i) % src.len()];
                }
                Buf(a, w)
            }
            pub fn as_slice(&self) -> &[T] {
                &self.0[..self.1]
            }
        }
    }

    #[test]
    fn every_lane_type_matches_scalar_arithmetic_on_edge_values() {
        lanes_match_scalar::<wide::f64x4>(&EDGE_F64);
        lanes_match_scalar::<wide::f64x8>(&EDGE_F64);
        lanes_match_scalar::<wide::f32x8>(&EDGE_F32);
        lanes_match_scalar::<wide::f32x16>(&EDGE_F32);
        #[cfg(all(
            feature = "std",
            target_arch = "x86_64",
            not(all(target_feature = "avx2", target_feature = "fma"))
        ))]
        {
            lanes_match_scalar::<dispatch::AutoF64x4>(&EDGE_F64);
            lanes_match_scalar::<dispatch::AutoF64x8>(&EDGE_F64);
            lanes_match_scalar::<dispatch::AutoF32x8>(&EDGE_F32);
            lanes_match_scalar::<dispatch::AutoF32x16>(&EDGE_F32);
            lanes_match_scalar::<dispatch::AutoF64x16>(&EDGE_F64);
            lanes_match_scalar::<dispatch::AutoF32x32>(&EDGE_F32);
            lanes_match_scalar::<dispatch::AutoPairF64x8>(&EDGE_F64);
            lanes_match_scalar::<dispatch::AutoPairF32x16>(&EDGE_F32);
            if pulp::x86::V3::is_available() {
                lanes_match_scalar::<dispatch::V3F64x4>(&EDGE_F64);
                lanes_match_scalar::<dispatch::V3F32x8>(&EDGE_F32);
                lanes_match_scalar::<dispatch::V3F64x8>(&EDGE_F64);
                lanes_match_scalar::<dispatch::V3F32x16>(&EDGE_F32);
            }
            if pulp::x86::V4::is_available() {
                lanes_match_scalar::<dispatch::V4F64x8>(&EDGE_F64);
                lanes_match_scalar::<dispatch::V4F32x16>(&EDGE_F32);
                lanes_match_scalar::<dispatch::V4F64x16>(&EDGE_F64);
                lanes_match_scalar::<dispatch::V4F32x32>(&EDGE_F32);
            }
        }
    }

    /// `recip_sqrt` of positive normal numbers (the range ends included) within `4 eps` relative of
    /// `1 / sqrt(x)`.
    fn recip_sqrt_is_close<V: SimdReal>()
    where
        V::Scalar: Real,
    {
        let t = |x: f64| <V::Scalar as Real>::from_f64(x);
        let xs = [
            <V::Scalar as Real>::MIN_POSITIVE,
            <V::Scalar as Real>::MAX,
            t(1e-30),
            t(0.25),
            t(1.0),
            t(2.0),
            t(3.0),
            t(7.5),
            t(1e20),
            t(0.1),
        ];
        // Every lane of `recip_sqrt(x)` against `1 / sqrt` of the same lane.
        let check = |x: V| {
            let (xa, y) = (x.to_array(), x.recip_sqrt().to_array());
            for (&xi, &got) in xa.as_ref().iter().zip(y.as_ref()) {
                let want = <V::Scalar as Real>::ONE / xi.sqrt();
                let tol = t(4.0) * <V::Scalar as Real>::EPSILON * want;
                assert!(
                    (got - want).abs() <= tol,
                    "1/sqrt({xi:?}): {got:?}, want {want:?}"
                );
            }
        };
        let w = V::LANES;
        for start in 0..xs.len() {
            let x: alloc_free::Buf<V::Scalar> = alloc_free::Buf::cycle(&xs, start, w);
            check(V::load(x.as_slice()));
        }
        // A dense sweep of [1, 3), two binades (odd and even exponents), where the estimate's
        // error varies with the mantissa.
        for chunk in 0..2048 / w {
            let mut a = V::splat(t(0.0)).to_array();
            for (i, x) in a.as_mut().iter_mut().enumerate() {
                *x = t(1.0 + (chunk * w + i) as f64 / 1024.0);
            }
            check(V::from_array(a));
        }
    }

    /// Runs the generic check `$f` on the 512-bit `wide` lanes and every batch lane type this build
    /// has: the compiled-in pairs, and the dispatched array and AVX-512 lanes where the CPU has them.
    macro_rules! on_512_bit_lane_types {
        ($f:ident) => {
            $f::<wide::f64x8>();
            $f::<wide::f32x16>();
            #[cfg(target_feature = "avx512f")]
            {
                $f::<pair::F64x16>();
                $f::<pair::F32x32>();
            }
            #[cfg(all(
                feature = "std",
                target_arch = "x86_64",
                not(all(target_feature = "avx2", target_feature = "fma"))
            ))]
            {
                $f::<dispatch::AutoF64x8>();
                $f::<dispatch::AutoF32x16>();
                $f::<dispatch::AutoF32x32>();
                $f::<dispatch::AutoPairF64x8>();
                $f::<dispatch::AutoPairF32x16>();
                if pulp::x86::V3::is_available() {
                    $f::<dispatch::V3F64x8>();
                    $f::<dispatch::V3F32x16>();
                }
                if pulp::x86::V4::is_available() {
                    $f::<dispatch::V4F64x8>();
                    $f::<dispatch::V4F32x16>();
                    $f::<dispatch::V4F64x16>();
                    $f::<dispatch::V4F32x32>();
                }
            }
        };
    }

    #[test]
    fn recip_sqrt_is_within_4_eps_on_every_lane_type() {
        on_512_bit_lane_types!(recip_sqrt_is_close);
    }

    /// Lane `l` of vector `j` goes to lane `j` of vector `l`, on a tile of distinct entries.
    fn transpose_swaps_lanes_and_vectors<V: SimdReal>() {
        let entry = |row: usize, col: usize| <V::Scalar as Real>::from_f64((100 * row + col) as f64);
        let mut tile: [V; 32] = core::array::from_fn(|row| {
            let mut a = V::splat(<V::Scalar as Real>::ZERO).to_array();
            for (col, x) in a.as_mut().iter_mut().enumerate() {
                *x = entry(row, col);
            }
            V::from_array(a)
        });
        let tile = &mut tile[..V::LANES];
        V::transpose(tile);
        for (j, t) in tile.iter().enumerate() {
            for (l, x) in t.to_array().as_ref().iter().enumerate() {
                assert_eq!(*x, entry(l, j), "{} lanes: vector {j}, lane {l}", V::LANES);
            }
        }
    }

    #[test]
    fn transpose_swaps_lanes_and_vectors_on_every_lane_type() {
        transpose_swaps_lanes_and_vectors::<wide::f64x4>();
        transpose_swaps_lanes_and_vectors::<wide::f32x8>();
        on_512_bit_lane_types!(transpose_swaps_lanes_and_vectors);
    }

    #[test]
    fn fused_mul_add_is_within_one_rounding_of_scalar() {
        let x = wide::f64x4::new([1.0 + f64::EPSILON, 3.0, -2.5, 1e-300]);
        let got = SimdReal::mul_add(x, x, wide::f64x4::splat(-1.0)).to_array();
        for (i, xi) in x.to_array().iter().enumerate() {
            let exact = libm::fma(*xi, *xi, -1.0);
            let plain = xi * xi - 1.0;
            assert!(
                got[i] == exact || got[i] == plain,
                "lane {i}: {} vs {exact}",
                got[i]
            );
        }
    }

    #[test]
    fn reductions_and_masks_agree_with_scalar_loops() {
        let v = wide::f32x8::new([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.5]);
        assert_eq!(SimdReal::reduce_add(v), 36.5);
        let m = SimdReal::lt(v, wide::f32x8::splat(4.5));
        assert!(<wide::f32x8 as SimdReal>::any(m));
        assert!(!<wide::f32x8 as SimdReal>::all(m));
        let nan = wide::f64x4::new([f64::NAN, 1.0, 2.0, 3.0]);
        let m = SimdReal::eq(nan, nan);
        assert!(!<wide::f64x4 as SimdReal>::all(m), "NaN lanes compare unequal");
    }

    fn slice_kernels_match_scalar<T: Real>() {
        for len in 0..(3 * T::Lanes::LANES + 3) {
            let x0: [T; 64] = core::array::from_fn(|i| T::from_f64(((i * 7 + 3) % 11) as f64 - 5.0));
            let y0: [T; 64] = core::array::from_fn(|i| T::from_f64(((i * 5 + 1) % 13) as f64 * 0.5));
            let (c, s) = (T::from_f64(0.6), T::from_f64(0.8));
            let (mut x, mut y) = (x0, y0);
            rot(&mut x[..len], &mut y[..len], c, s);
            for i in 0..64 {
                let (a, b) = if i < len {
                    (c * x0[i] - s * y0[i], s * x0[i] + c * y0[i])
                } else {
                    (x0[i], y0[i])
                };
                assert!((x[i] - a).abs() <= T::EPSILON * T::from_f64(8.0), "rot x[{i}]");
                assert!((y[i] - b).abs() <= T::EPSILON * T::from_f64(8.0), "rot y[{i}]");
            }
            let d = dot(&x0[..len], &y0[..len]);
            let mut want = T::ZERO;
            for i in 0..len {
                want += x0[i] * y0[i];
            }
            assert_eq!(d, want, "dot of small integers is exact, len {len}");
            let mut y = y0;
            axpy(T::TWO, &x0[..len], &mut y[..len]);
            for i in 0..64 {
                let want = if i < len { y0[i] + T::TWO * x0[i] } else { y0[i] };
                assert_eq!(y[i], want, "axpy[{i}]");
            }
            let mut x = x0;
            scale(T::HALF, &mut x[..len]);
            for i in 0..64 {
                assert_eq!(x[i], if i < len { x0[i] * T::HALF } else { x0[i] }, "scale[{i}]");
            }
        }
    }

    fn round_kernel_matches_scalar<T: Real>() {
        let tol = T::EPSILON * T::from_f64(16.0);
        for m in 2..(2 * T::Lanes::LANES + 5).min(30) {
            let n = 2 * m + 1;
            let val = |i: usize, k: usize| T::from_f64(((i * 7 + k * 3) % 13) as f64 * 0.25 - 1.5);
            let l: [T; 64] = core::array::from_fn(|i| val(i, 1));
            let r: [T; 64] = core::array::from_fn(|i| val(i, 2));
            let c: [T; 32] = core::array::from_fn(|i| T::from_f64(libm::cos(0.1 * i as f64)));
            let s: [T; 32] = core::array::from_fn(|i| T::from_f64(libm::sin(0.1 * i as f64)));
            let (cj, sj) = (T::from_f64(0.8), T::from_f64(-0.6));
            for (lo, hi) in [(1, m - 1), (1, m), (2, m - 1)] {
                if lo > hi {
                    continue;
                }
                let (mut ol, mut or) = ([T::ZERO; 64], [T::ZERO; 64]);
                let (c, s) = (&c[..m], &s[..m]);
                rotate_round_columns(&l[..n], &r[..n], (cj, sj), c, s, lo..hi, &mut ol, Some(&mut or));
                let mut only_left = [T::ZERO; 64];
                rotate_round_columns(&l[..n], &r[..n], (cj, sj), c, s, lo..hi, &mut only_left, None);
                for i in lo..hi {
                    let (u1, u2) = (cj * l[i] - sj * r[i], cj * l[m + i] - sj * r[m + i]);
                    let (u3, u4) = (sj * l[i] + cj * r[i], sj * l[m + i] + cj * r[m + i]);
                    // A row that both a top store (rows lo+1..=hi) and a bottom store (rows
                    // m+lo-1..m+hi-1) reach holds either value: the caller rewrites it.
                    let twice =
                        |row: usize| (lo + 1..=hi).contains(&row) && (m + lo - 1..m + hi - 1).contains(&row);
                    let checks = [
                        (ol[i + 1], c[i] * u1 - s[i] * u2, i + 1),
                        (ol[m + i - 1], s[i] * u1 + c[i] * u2, m + i - 1),
                        (or[i + 1], c[i] * u3 - s[i] * u4, i + 1),
                        (or[m + i - 1], s[i] * u3 + c[i] * u4, m + i - 1),
                    ];
                    for (k, (got, want, row)) in checks.into_iter().enumerate() {
                        if !twice(row) {
                            assert!(
                                (got - want).abs() <= tol,
                                "m={m} pair {i} check {k}: {got} vs {want}"
                            );
                        }
                    }
                    assert_eq!(only_left[m + i - 1], ol[m + i - 1], "left column alone, m={m}");
                }
            }
        }
    }

    #[test]
    fn round_kernel_matches_scalar_two_sided_rotation() {
        round_kernel_matches_scalar::<f64>();
        round_kernel_matches_scalar::<f32>();
    }

    #[test]
    fn slice_kernels_match_scalar_loops_for_every_remainder() {
        slice_kernels_match_scalar::<f64>();
        slice_kernels_match_scalar::<f32>();
    }

    fn masks_and_arrays_match_scalar_logic<V: SimdReal>() {
        let w = V::LANES;
        let mut xa = V::splat(V::Scalar::ZERO).to_array();
        let mut ya = xa;
        for i in 0..w {
            xa.as_mut()[i] = V::Scalar::from_usize(i % 3);
            ya.as_mut()[i] = V::Scalar::from_usize(i % 2);
        }
        let (x, y) = (V::from_array(xa), V::from_array(ya));
        assert_eq!(
            x.to_array().as_ref(),
            xa.as_ref(),
            "from_array/to_array round trip"
        );
        let one = V::splat(V::Scalar::ONE);
        let (mx, my) = (x.lt(one), y.lt(one));
        let both = V::select(mx.and(my), one, -one).to_array();
        let either = V::select(mx.or(my), one, -one).to_array();
        for i in 0..w {
            let (a, b) = (i % 3 < 1, i % 2 < 1);
            let s = |m: bool| if m { V::Scalar::ONE } else { -V::Scalar::ONE };
            assert_eq!(both.as_ref()[i], s(a && b), "and, lane {i}");
            assert_eq!(either.as_ref()[i], s(a || b), "or, lane {i}");
        }
    }

    #[test]
    fn mask_logic_and_array_conversion_work_lane_by_lane() {
        masks_and_arrays_match_scalar_logic::<wide::f64x4>();
        masks_and_arrays_match_scalar_logic::<wide::f64x8>();
        masks_and_arrays_match_scalar_logic::<wide::f32x8>();
        masks_and_arrays_match_scalar_logic::<wide::f32x16>();
        #[cfg(all(
            feature = "std",
            target_arch = "x86_64",
            not(all(target_feature = "avx2", target_feature = "fma"))
        ))]
        {
            masks_and_arrays_match_scalar_logic::<dispatch::AutoF64x4>();
            masks_and_arrays_match_scalar_logic::<dispatch::AutoF64x8>();
            masks_and_arrays_match_scalar_logic::<dispatch::AutoF32x8>();
            masks_and_arrays_match_scalar_logic::<dispatch::AutoF32x16>();
            masks_and_arrays_match_scalar_logic::<dispatch::AutoF64x16>();
            masks_and_arrays_match_scalar_logic::<dispatch::AutoF32x32>();
            masks_and_arrays_match_scalar_logic::<dispatch::AutoPairF64x8>();
            masks_and_arrays_match_scalar_logic::<dispatch::AutoPairF32x16>();
            if pulp::x86::V3::is_available() {
                masks_and_arrays_match_scalar_logic::<dispatch::V3F64x4>();
                masks_and_arrays_match_scalar_logic::<dispatch::V3F32x8>();
                masks_and_arrays_match_scalar_logic::<dispatch::V3F64x8>();
                masks_and_arrays_match_scalar_logic::<dispatch::V3F32x16>();
            }
            if pulp::x86::V4::is_available() {
                masks_and_arrays_match_scalar_logic::<dispatch::V4F64x8>();
                masks_and_arrays_match_scalar_logic::<dispatch::V4F32x16>();
                masks_and_arrays_match_scalar_logic::<dispatch::V4F64x16>();
                masks_and_arrays_match_scalar_logic::<dispatch::V4F32x32>();
            }
        }
    }

    #[test]
    fn scalar_square_roots_match_libm_exactly() {
        for x in [0.0, -0.0, 1.0, 2.0, 1e-310, 5e-324, 1e300, f64::MAX, 0.1, 3.0e-5] {
            assert_eq!(sqrt_f64(x).to_bits(), libm::sqrt(x).to_bits(), "{x}");
            let y = x as f32;
            assert_eq!(sqrt_f32(y).to_bits(), libm::sqrtf(y).to_bits(), "{y}");
        }
        assert!(sqrt_f64(-1.0).is_nan() && sqrt_f32(-1.0).is_nan());
    }

    #[test]
    fn simd_level_names_the_compiled_target() {
        assert!(!simd_level().is_empty());
    }
}
