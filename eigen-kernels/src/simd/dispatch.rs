//! Run-time instruction-set dispatch (x86-64 builds with `std` and without AVX2+FMA compiled in).
//!
//! `wide` fixes its lane representation at compile time, so a portable x86-64 build runs on SSE2 even on
//! a CPU with AVX2 and FMA: half-width registers and no fused multiply-add, about half the speed of the
//! native build in the hot kernels. Two mechanisms recover it, both through `pulp`'s safe target-feature
//! tokens (`pulp::x86::V3`, detected once; the way faer dispatches), with no `unsafe` here:
//!
//! - [`TileKernel`]: the register tiles of the QR solver's products (divide-and-conquer merges, `Q Z`),
//!   the fused rank-2 update + symv of its tridiagonalization and the layers' dense products are written
//!   once against this token trait and run on [`CompiledLanes`] (`wide`) or on 256-bit FMA vectors
//!   (`Avx2Fma`).
//! - [`WithLanes`]: the batched lane solvers, generic over [`SimdReal`], run on lanes of plain arrays
//!   (`auto_lanes!`) that LLVM vectorizes inside the AVX2+FMA frame; which width and whether the
//!   block is unrolled for sizes 7..=16 is measured per machine class (`batch::api::block_for`). On a CPU with AVX-512 they run inside a `pulp::x86::V4` frame instead
//!   ([`best_batch_lanes`]) on `token_lanes!` vectors: one 512-bit `pulp` vector and its token (arrays
//!   there let LLVM widen the solvers' loops with gathers and scatters), two of them per lane vector
//!   for the small blocks (`n <= 6`), as `pair` does natively, except the 1x1 and 2x2 blocks, which
//!   stay on arrays as wide ([`WithLanes::SHORT`]); the QR solver's secular roots use them too.
//!   Everything the frame calls must be inlined into it (`#[inline(always)]`, functions rather than closures): an out-of-line callee is
//!   compiled without the features (an `f32::mul_add` there becomes a libm call).
//!
//! A build with `-C target-cpu=native` (AVX2+FMA compiled in), a `no_std` build and other targets never
//! dispatch. Results can differ in the last bits between the two paths (fused against separate
//! multiply-add); both are within the accuracy bar, and a given machine always takes the same path.

use crate::Real;
use crate::simd::SimdReal;

/// Vector arithmetic of a register tile, behind a token: `C += A B` micro-kernels need only
/// broadcasts, loads, stores, fused multiply-adds and adds.
pub trait TileKernel<T: Real>: Copy {
    /// One register of lanes.
    type V: Copy;
    /// Scalars per register.
    const LANES: usize;
    /// Registers stacked per column of a `dense::tile` register tile: 2 where a lane vector is one
    /// register, 1 where it takes two (a `2 x 4` tile would not fit the 16 SSE registers).
    const STRIPS: usize;
    /// All lanes `x`.
    fn splat(self, x: T) -> Self::V;
    /// The first `LANES` entries of `s`.
    fn load(self, s: &[T]) -> Self::V;
    /// Writes the lanes to the first `LANES` entries of `s`.
    fn store(self, v: Self::V, s: &mut [T]);
    /// `a * b + c` (fused where the instruction set has it).
    fn mul_add(self, a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    /// `a + b`.
    fn add(self, a: Self::V, b: Self::V) -> Self::V;
    /// The sum of the lanes.
    fn reduce_add(self, v: Self::V) -> T;
}

/// An operation generic over the tile kernel, run by [`SimdReal::with_tile_kernel`] on the best kernel
/// this CPU offers. Implementations should be `#[inline(always)]` all the way down, so they are compiled
/// with the dispatched target features.
pub trait WithTileKernel<T: Real> {
    /// What the operation returns.
    type Output;
    /// Runs the operation on kernel `k`.
    fn run<K: TileKernel<T>>(self, k: K) -> Self::Output;
}

/// The compile-time `wide` lanes (`T::Lanes`).
#[derive(Debug, Clone, Copy)]
pub struct CompiledLanes;

impl<T: Real> TileKernel<T> for CompiledLanes {
    type V = T::Lanes;
    const LANES: usize = <T::Lanes as SimdReal>::LANES;
    const STRIPS: usize = crate::simd::TILE_STRIPS;
    #[inline(always)]
    fn splat(self, x: T) -> T::Lanes {
        T::Lanes::splat(x)
    }
    #[inline(always)]
    fn load(self, s: &[T]) -> T::Lanes {
        T::Lanes::load(s)
    }
    #[inline(always)]
    fn store(self, v: T::Lanes, s: &mut [T]) {
        v.store(s)
    }
    #[inline(always)]
    fn mul_add(self, a: T::Lanes, b: T::Lanes, c: T::Lanes) -> T::Lanes {
        a.mul_add(b, c)
    }
    #[inline(always)]
    fn add(self, a: T::Lanes, b: T::Lanes) -> T::Lanes {
        a + b
    }
    #[inline(always)]
    fn reduce_add(self, v: T::Lanes) -> T {
        v.reduce_add()
    }
}

/// Whether this build dispatches at run time: x86-64 with `std` (for CPU detection) and without
/// AVX2+FMA compiled in.
macro_rules! if_dispatching {
    ($($item:item)*) => {
        $(
            #[cfg(all(
                feature = "std",
                target_arch = "x86_64",
                not(all(target_feature = "avx2", target_feature = "fma"))
            ))]
            $item
        )*
    };
}

if_dispatching! {
    /// AVX2 + FMA (x86-64-v3) on 256-bit registers, valid only where `pulp` detected the features.
    #[derive(Debug, Clone, Copy)]
    pub struct Avx2Fma(pulp::x86::V3);

    /// AVX-512 (x86-64-v4) on 512-bit registers, valid only where `pulp` detected the features.
    #[derive(Debug, Clone, Copy)]
    pub struct Avx512(pulp::x86::V4);

    /// `TileKernel<$t>` for the token type `$k` on the `pulp` vector `$v` of `$n` lanes.
    macro_rules! pulp_tile_kernel {
        ($k:ident, $t:ty, $v:ident, $n:literal, $splat:ident, $mul_add:ident, $add:ident) => {
            impl TileKernel<$t> for $k {
                type V = pulp::$v;
                const LANES: usize = $n;
                const STRIPS: usize = 2;
                #[inline(always)]
                fn splat(self, x: $t) -> pulp::$v {
                    self.0.$splat(x)
                }
                #[inline(always)]
                fn load(self, s: &[$t]) -> pulp::$v {
                    let mut a = [0.0; $n];
                    a.copy_from_slice(&s[..$n]);
                    pulp::cast(a)
                }
                #[inline(always)]
                fn store(self, v: pulp::$v, s: &mut [$t]) {
                    let a: [$t; $n] = pulp::cast(v);
                    s[..$n].copy_from_slice(&a);
                }
                #[inline(always)]
                fn mul_add(self, a: pulp::$v, b: pulp::$v, c: pulp::$v) -> pulp::$v {
                    self.0.$mul_add(a, b, c)
                }
                #[inline(always)]
                fn add(self, a: pulp::$v, b: pulp::$v) -> pulp::$v {
                    self.0.$add(a, b)
                }
                #[inline(always)]
                fn reduce_add(self, v: pulp::$v) -> $t {
                    // Pairwise: halves, then quarters, ...
                    let mut a: [$t; $n] = pulp::cast(v);
                    let mut width = $n / 2;
                    while width > 0 {
                        for i in 0..width {
                            a[i] += a[i + width];
                        }
                        width /= 2;
                    }
                    a[0]
                }
            }
        };
    }

    pulp_tile_kernel!(Avx2Fma, f64, f64x4, 4, splat_f64x4, mul_add_f64x4, add_f64x4);
    pulp_tile_kernel!(Avx2Fma, f32, f32x8, 8, splat_f32x8, mul_add_f32x8, add_f32x8);
    pulp_tile_kernel!(Avx512, f64, f64x8, 8, splat_f64x8, mul_add_f64x8, add_f64x8);
    pulp_tile_kernel!(Avx512, f32, f32x16, 16, splat_f32x16, mul_add_f32x16, add_f32x16);

    /// `op.run(kern)` as a `pulp` closure object, inlined into the target-feature frame of the token
    /// `kern` was made from.
    struct OnKernel<T, K, Op> {
        op: Op,
        kern: K,
        scalar: core::marker::PhantomData<fn() -> T>,
    }

    impl<T: Real, K: TileKernel<T>, Op: WithTileKernel<T>> pulp::NullaryFnOnce for OnKernel<T, K, Op> {
        type Output = Op::Output;
        #[inline(always)]
        fn call(self) -> Op::Output {
            self.op.run(self.kern)
        }
    }
}

/// What the run-time dispatch of a portable x86-64 build found (see [`dispatch_level`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DispatchLevel {
    /// The compiled `wide` lanes.
    Compiled,
    /// AVX2 + FMA, detected at run time.
    Avx2Fma,
    /// AVX-512 (x86-64-v4), detected at run time: the tile kernels and the batched blocks of `n <= 6`
    /// run on 512-bit registers, the other batched blocks on AVX2+FMA.
    Avx512,
}

/// Forces the tile-kernel dispatch onto the compiled lanes (tests compare the two kernels).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dispatch {
    /// The best kernel the CPU offers.
    Best,
    /// Always [`CompiledLanes`].
    CompiledOnly,
}

/// Whether this build, on this CPU, runs its dispatched kernels (the QR solver's products and fused
/// tridiagonalization step, the layers' dense products, the batched lane solvers) on AVX-512
/// ([`DispatchLevel::Avx512`]: the tile kernels and every batched block), on AVX2+FMA
/// ([`DispatchLevel::Avx2Fma`]) where a portable x86-64 build with `std` runs on a CPU that has them,
/// or on the lanes it was compiled for ([`DispatchLevel::Compiled`]: every other case, including
/// native builds, which compile AVX2+FMA in).
pub fn dispatch_level() -> DispatchLevel {
    #[cfg(all(
        feature = "std",
        target_arch = "x86_64",
        not(all(target_feature = "avx2", target_feature = "fma"))
    ))]
    {
        if pulp::x86::V4::is_available() {
            return DispatchLevel::Avx512;
        }
        if pulp::x86::V3::is_available() {
            return DispatchLevel::Avx2Fma;
        }
    }
    DispatchLevel::Compiled
}

#[cfg(all(
    feature = "std",
    target_arch = "x86_64",
    not(all(target_feature = "avx2", target_feature = "fma"))
))]
/// Runs `op` on `Avx512` where this build dispatches and the CPU has AVX-512, on `Avx2Fma` where it has
/// AVX2+FMA, else on [`CompiledLanes`]. Called through [`SimdReal::with_tile_kernel`], whose impls know the scalar.
#[inline(always)]
pub(crate) fn dispatch_any<T: Real, Op: WithTileKernel<T>>(op: Op, how: Dispatch) -> Op::Output
where
    Avx2Fma: TileKernel<T>,
    Avx512: TileKernel<T>,
{
    if how == Dispatch::Best
        && let Some(v4) = pulp::x86::V4::try_new()
    {
        return v4.vectorize(OnKernel {
            op,
            kern: Avx512(v4),
            scalar: core::marker::PhantomData,
        });
    }
    if how == Dispatch::Best
        && let Some(v3) = pulp::x86::V3::try_new()
    {
        return v3.vectorize(OnKernel {
            op,
            kern: Avx2Fma(v3),
            scalar: core::marker::PhantomData,
        });
    }
    op.run(CompiledLanes)
}

#[cfg(not(all(
    feature = "std",
    target_arch = "x86_64",
    not(all(target_feature = "avx2", target_feature = "fma"))
)))]
#[inline(always)]
pub(crate) fn dispatch_any<T: Real, Op: WithTileKernel<T>>(op: Op, _how: Dispatch) -> Op::Output {
    op.run(CompiledLanes)
}

/// A batched-solver operation generic over the lane type, run by [`SimdReal::with_best_lanes`] on
/// the best lanes this CPU offers. Implementations must be `#[inline(always)]` all the way down.
pub trait WithLanes<T: Real> {
    /// What the operation returns.
    type Output;
    /// Whether the operation is so short that plain array lanes beat the AVX-512 vectors of
    /// `best_batch_lanes` (the 2x2 blocks: one rotation, where the transposes in and out of the
    /// block dominate and arrays let LLVM build the vectors in registers; measured f64 9.2 against
    /// 11.3 ns per matrix).
    const SHORT: bool = false;
    /// Whether the operation is a fully unrolled small block (lane Jacobi, `3 <= n <= 6`): on AVX2,
    /// [`best_batch_lanes`] runs it on `v3_lanes!` vectors, which beat the arrays LLVM vectorizes
    /// there but lose to them around the loops of the larger blocks (see ARCHITECTURE.md).
    const UNROLLED: bool = false;
    /// Runs the operation on lanes `V`.
    fn run<V: SimdReal<Scalar = T>>(self) -> Self::Output;
}

if_dispatching! {
    /// `op.run::<V>()` as a `pulp` closure object, inlined into its target-feature frame.
    struct LanesOn<T, V, Op> {
        op: Op,
        types: core::marker::PhantomData<fn() -> (T, V)>,
    }

    impl<T: Real, V: SimdReal<Scalar = T>, Op: WithLanes<T>> pulp::NullaryFnOnce for LanesOn<T, V, Op> {
        type Output = Op::Output;
        #[inline(always)]
        fn call(self) -> Op::Output {
            self.op.run::<V>()
        }
    }

    /// Runs `op` on the portable-Rust lanes `A` inside an AVX2+FMA frame when the CPU has them, else
    /// on the compiled lanes `W`.
    #[inline(always)]
    pub(crate) fn best_lanes<T: Real, W: SimdReal<Scalar = T>, A: SimdReal<Scalar = T>, Op: WithLanes<T>>(
        op: Op,
    ) -> Op::Output {
        match pulp::x86::V3::try_new() {
            Some(v3) => v3.vectorize(LanesOn::<T, A, Op> { op, types: core::marker::PhantomData }),
            None => op.run::<W>(),
        }
    }

    /// [`best_lanes`] with the AVX-512 lanes `A4` tried first, inside an AVX-512 frame (for the batch
    /// lanes of the small blocks two 512-bit registers, so the portable build gets the two rotation
    /// chains per instruction stream that a native AVX-512 build gets from `pair`); else as
    /// [`best_lanes`] with `A3`, or with the token lanes `T3` for a [`WithLanes::UNROLLED`] one.
    #[inline(always)]
    pub(crate) fn best_batch_lanes<
        T: Real,
        W: SimdReal<Scalar = T>,
        A3: SimdReal<Scalar = T>,
        T3: SimdReal<Scalar = T>,
        A4: SimdReal<Scalar = T>,
        Arr4: SimdReal<Scalar = T>,
        Op: WithLanes<T>,
    >(
        op: Op,
    ) -> Op::Output {
        match pulp::x86::V4::try_new() {
            Some(v4) if Op::SHORT => v4.vectorize(LanesOn::<T, Arr4, Op> { op, types: core::marker::PhantomData }),
            Some(v4) => v4.vectorize(LanesOn::<T, A4, Op> { op, types: core::marker::PhantomData }),
            None if Op::UNROLLED => best_lanes::<T, W, T3, Op>(op),
            None => best_lanes::<T, W, A3, Op>(op),
        }
    }

    /// Defines a lane type of plain scalar arrays whose element-wise operations LLVM vectorizes to
    /// whatever the enclosing frame's target features allow (256-bit FMA in [`best_lanes`]' frame),
    /// with `wide`'s semantics: masks are all-ones lanes, `max`/`min` ignore a NaN operand.
    /// `Self(r)` with `r[i] = f(x[i], y[i])`, as a plain loop (no closure or library helper that could
    /// stay out of line, and so outside the dispatched frame's target features).
    macro_rules! lanewise {
        ($x:expr, $y:expr, |$a:ident, $b:ident| $e:expr) => {{
            let (xs, ys) = ($x.0, $y.0);
            let mut r = xs;
            for i in 0..r.len() {
                let ($a, $b) = (xs[i], ys[i]);
                r[i] = $e;
            }
            Self(r)
        }};
    }

    macro_rules! auto_lanes {
        ($name:ident, $t:ty, $n:literal, $u:ty) => {
            #[doc = concat!("`", stringify!($n), "` lanes of `", stringify!($t), "` for the dispatched batched solvers.")]
            #[derive(Debug, Clone, Copy)]
            #[repr(C, align(32))]
            pub struct $name([$t; $n]);

            impl $name {
                #[inline(always)]
                fn mask(b: bool) -> $t {
                    <$t>::from_bits(if b { <$u>::MAX } else { 0 })
                }
                #[inline(always)]
                fn sign_set(x: $t) -> bool {
                    x.to_bits() >> (<$u>::BITS - 1) != 0
                }
            }

            impl core::ops::Add for $name {
                type Output = Self;
                #[inline(always)]
                fn add(self, o: Self) -> Self {
                    lanewise!(self, o, |a, b| a + b)
                }
            }
            impl core::ops::Sub for $name {
                type Output = Self;
                #[inline(always)]
                fn sub(self, o: Self) -> Self {
                    lanewise!(self, o, |a, b| a - b)
                }
            }
            impl core::ops::Mul for $name {
                type Output = Self;
                #[inline(always)]
                fn mul(self, o: Self) -> Self {
                    lanewise!(self, o, |a, b| a * b)
                }
            }
            impl core::ops::Div for $name {
                type Output = Self;
                #[inline(always)]
                fn div(self, o: Self) -> Self {
                    lanewise!(self, o, |a, b| a / b)
                }
            }
            impl core::ops::Neg for $name {
                type Output = Self;
                #[inline(always)]
                fn neg(self) -> Self {
                    lanewise!(self, self, |a, _b| -a)
                }
            }
            assign_ops!($name);

            impl SimdReal for $name {
                type Scalar = $t;
                const LANES: usize = $n;
                const DISPATCH: DispatchLevel = DispatchLevel::Avx2Fma;
                type Array = [$t; $n];

                #[inline(always)]
                fn splat(x: $t) -> Self {
                    Self([x; $n])
                }
                #[inline(always)]
                fn load(s: &[$t]) -> Self {
                    let mut a = [0.0; $n];
                    a.copy_from_slice(&s[..$n]);
                    Self(a)
                }
                #[inline(always)]
                fn store(self, s: &mut [$t]) {
                    s[..$n].copy_from_slice(&self.0);
                }
                #[inline(always)]
                fn to_array(self) -> [$t; $n] {
                    self.0
                }
                #[inline(always)]
                fn mul_add(self, a: Self, b: Self) -> Self {
                    let mut r = self.0;
                    for i in 0..$n {
                        r[i] = r[i].mul_add(a.0[i], b.0[i]);
                    }
                    Self(r)
                }
                #[inline(always)]
                fn abs(self) -> Self {
                    lanewise!(self, self, |a, _b| a.abs())
                }
                #[inline(always)]
                fn sqrt(self) -> Self {
                    lanewise!(self, self, |a, _b| a.sqrt())
                }
                #[inline(always)]
                fn max(self, other: Self) -> Self {
                    lanewise!(self, other, |a, b| a.max(b))
                }
                #[inline(always)]
                fn min(self, other: Self) -> Self {
                    lanewise!(self, other, |a, b| a.min(b))
                }
                #[inline(always)]
                fn lt(self, other: Self) -> Self {
                    lanewise!(self, other, |a, b| Self::mask(a < b))
                }
                #[inline(always)]
                fn le(self, other: Self) -> Self {
                    lanewise!(self, other, |a, b| Self::mask(a <= b))
                }
                #[inline(always)]
                fn eq(self, other: Self) -> Self {
                    lanewise!(self, other, |a, b| Self::mask(a == b))
                }
                #[inline(always)]
                fn select(mask: Self, if_true: Self, if_false: Self) -> Self {
                    let mut r = if_false.0;
                    for i in 0..$n {
                        let m = mask.0[i].to_bits();
                        r[i] = <$t>::from_bits((m & if_true.0[i].to_bits()) | (!m & r[i].to_bits()));
                    }
                    Self(r)
                }
                #[inline(always)]
                fn copysign(self, sign: Self) -> Self {
                    lanewise!(self, sign, |a, b| a.copysign(b))
                }
                #[inline(always)]
                fn any(mask: Self) -> bool {
                    let mut bits: $u = 0;
                    for x in mask.0 {
                        bits |= x.to_bits();
                    }
                    Self::sign_set(<$t>::from_bits(bits))
                }
                #[inline(always)]
                fn all(mask: Self) -> bool {
                    let mut bits: $u = <$u>::MAX;
                    for x in mask.0 {
                        bits &= x.to_bits();
                    }
                    Self::sign_set(<$t>::from_bits(bits))
                }
                #[inline(always)]
                fn reduce_add(self) -> $t {
                    let mut sum = 0.0;
                    for x in self.0 {
                        sum += x;
                    }
                    sum
                }
                #[inline(always)]
                fn from_array(a: [$t; $n]) -> Self {
                    Self(a)
                }
                #[inline(always)]
                fn and(self, other: Self) -> Self {
                    lanewise!(self, other, |a, b| <$t>::from_bits(a.to_bits() & b.to_bits()))
                }
                #[inline(always)]
                fn or(self, other: Self) -> Self {
                    lanewise!(self, other, |a, b| <$t>::from_bits(a.to_bits() | b.to_bits()))
                }
                #[inline(always)]
                fn with_tile_kernel<Op: WithTileKernel<$t>>(op: Op, how: Dispatch) -> Op::Output {
                    dispatch_any(op, how)
                }
                #[inline(always)]
                fn with_best_lanes<Op: WithLanes<$t>>(op: Op) -> Op::Output {
                    op.run::<Self>()
                }
            }
        };
    }

    use pulp::Simd as _;

    /// `impl core::ops::$tr for $name` by the token's method `$op` (see [`token_ops!`]).
    macro_rules! token_binary {
        ($name:ident, $tr:ident, $f:ident, $op:ident) => {
            impl core::ops::$tr for $name {
                type Output = Self;
                #[inline(always)]
                fn $f(self, o: Self) -> Self {
                    self.with(self.s.$op(self.v, o.v))
                }
            }
        };
    }

    /// The operators of a `pulp` token lane type (fields `v`, `s`, method `with`).
    macro_rules! token_ops {
        ($name:ident, $add:ident, $sub:ident, $mul:ident, $div:ident, $neg:ident) => {
            token_binary!($name, Add, add, $add);
            token_binary!($name, Sub, sub, $sub);
            token_binary!($name, Mul, mul, $mul);
            token_binary!($name, Div, div, $div);
            impl core::ops::Neg for $name {
                type Output = Self;
                #[inline(always)]
                fn neg(self) -> Self {
                    self.with(self.s.$neg(self.v))
                }
            }
            assign_ops!($name);
        };
    }

    /// The `SimdReal` items that the `pulp` token lane types ([`token_lanes!`], [`v3_lanes!`]) share:
    /// everything but the masks, which differ (AVX-512 mask registers, AVX2 sign bits).
    macro_rules! token_common {
        ($t:ty, $n:literal, $splat:ident, $sqrt:ident, $abs:ident, $fma:ident, $sum:ident, $and:ident,
         $or:ident, $min:ident, $max:ident, $sel:ident, $is_nan:ident) => {
            type Scalar = $t;
            const LANES: usize = $n;
            type Array = [$t; $n];

            #[inline(always)]
            fn splat(x: $t) -> Self {
                let s = Self::token();
                Self { v: s.$splat(x), s }
            }
            #[inline(always)]
            fn load(s: &[$t]) -> Self {
                let mut a = [0.0; $n];
                a.copy_from_slice(&s[..$n]);
                Self::from_array(a)
            }
            #[inline(always)]
            fn store(self, s: &mut [$t]) {
                s[..$n].copy_from_slice(&self.to_array());
            }
            #[inline(always)]
            fn to_array(self) -> [$t; $n] {
                bytemuck::cast(self.v)
            }
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self {
                self.with(self.s.$fma(self.v, a.v, b.v))
            }
            #[inline(always)]
            fn abs(self) -> Self {
                self.with(self.s.$abs(self.v))
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                self.with(self.s.$sqrt(self.v))
            }
            #[inline(always)]
            fn max(self, other: Self) -> Self {
                // `wide`'s semantics: a NaN operand is ignored (`vmaxpd`/`vmaxps` return their
                // second operand when either is NaN).
                let m = self.s.$max(self.v, other.v);
                self.with(self.s.$sel(self.s.$is_nan(other.v), self.v, m))
            }
            #[inline(always)]
            fn min(self, other: Self) -> Self {
                let m = self.s.$min(self.v, other.v);
                self.with(self.s.$sel(self.s.$is_nan(other.v), self.v, m))
            }
            #[inline(always)]
            fn copysign(self, sign: Self) -> Self {
                let magnitude = self.s.$abs(self.v);
                let signs = self.s.$and(sign.v, self.s.$splat(-0.0));
                self.with(self.s.$or(magnitude, signs))
            }
            #[inline(always)]
            fn reduce_add(self) -> $t {
                self.s.$sum(self.v)
            }
            #[inline(always)]
            fn from_array(a: [$t; $n]) -> Self {
                Self { v: bytemuck::cast(a), s: Self::token() }
            }
            #[inline(always)]
            fn and(self, other: Self) -> Self {
                self.with(self.s.$and(self.v, other.v))
            }
            #[inline(always)]
            fn or(self, other: Self) -> Self {
                self.with(self.s.$or(self.v, other.v))
            }
            #[inline(always)]
            fn with_tile_kernel<Op: WithTileKernel<$t>>(op: Op, how: Dispatch) -> Op::Output {
                dispatch_any(op, how)
            }
            #[inline(always)]
            fn with_best_lanes<Op: WithLanes<$t>>(op: Op) -> Op::Output {
                op.run::<Self>()
            }
        };
    }

    /// Defines a lane type of one 512-bit `pulp` vector that carries its `pulp::x86::V4` token, so each
    /// operation is one AVX-512 instruction on a vector value (LLVM IR vector types) rather than a loop
    /// over an array. The array lanes of [`auto_lanes!`] vectorize well while a solver's loops are fully
    /// unrolled (`n <= 6`), but around a loop over matrix entries (the lane solvers' row and column
    /// loops at `n >= 7`) LLVM's loop vectorizer widens the *outer* loop with AVX-512 gathers and
    /// scatters, 2-4x slower than AVX2; a loop over vector values cannot be widened again.
    ///
    /// Only constructed inside an AVX-512 frame ([`best_batch_lanes`] checked the CPU), so the token is always
    /// available where the constructors ask for it.
    macro_rules! token_lanes {
        ($name:ident, $t:ty, $n:literal, $vt:ty, $it:ty, $bits:ty, $rsqrt:ident,
         [$add:ident, $sub:ident, $mul:ident, $div:ident, $min:ident, $max:ident, $lt:ident, $le:ident,
          $eq:ident, $sel:ident, $splat:ident, $sqrt:ident, $abs:ident, $fma:ident, $neg:ident,
          $sum:ident, $and:ident, $or:ident, $is_nan:ident, $ilt:ident, $isplat:ident, $usplat:ident]) => {
            #[doc = concat!("`", stringify!($n), "` lanes of `", stringify!($t), "` in one AVX-512 register, for the dispatched batched solvers.")]
            #[derive(Debug, Clone, Copy)]
            pub struct $name {
                v: $vt,
                s: pulp::x86::V4,
            }

            impl $name {
                #[inline(always)]
                fn token() -> pulp::x86::V4 {
                    match pulp::x86::V4::try_new() {
                        Some(s) => s,
                        None => unreachable!("AVX-512 lanes are only made inside an AVX-512 frame"),
                    }
                }
                #[inline(always)]
                fn with(self, v: $vt) -> Self {
                    Self { v, s: self.s }
                }
                /// The mask (all-ones or zero lanes) as an AVX-512 mask register: the sign bits.
                #[inline(always)]
                fn kmask(self) -> $bits {
                    let bits: $it = bytemuck::cast(self.v);
                    self.s.$ilt(bits, self.s.$isplat(0))
                }
                /// An AVX-512 mask register as all-ones or zero lanes.
                #[inline(always)]
                fn lanes_of(self, m: $bits) -> Self {
                    let ones: $vt = bytemuck::cast(self.s.$usplat(!0));
                    self.with(self.s.$sel(m, ones, self.s.$splat(0.0)))
                }
            }

            token_ops!($name, $add, $sub, $mul, $div, $neg);

            impl SimdReal for $name {
                token_common!($t, $n, $splat, $sqrt, $abs, $fma, $sum, $and, $or, $min, $max, $sel, $is_nan);
                const FAST_RECIP_SQRT: bool = true;
                const FAST_TRANSPOSE: bool = true;
                const DISPATCH: DispatchLevel = DispatchLevel::Avx512;

                /// [`crate::simd::refined_rsqrt`].
                #[inline(always)]
                fn recip_sqrt(self) -> Self {
                    self.with(crate::simd::refined_rsqrt::$rsqrt(self.s, self.v))
                }
                /// [`crate::simd::transpose512`].
                #[inline(always)]
                fn transpose(tile: &mut [Self]) {
                    let tile = &mut tile[..$n];
                    let s = tile[0].s;
                    let rows = core::array::from_fn(|i| tile[i].v);
                    for (t, o) in tile.iter_mut().zip(crate::simd::transpose512::$rsqrt(s, rows)) {
                        *t = t.with(o);
                    }
                }
                #[inline(always)]
                fn lt(self, other: Self) -> Self {
                    self.lanes_of(self.s.$lt(self.v, other.v))
                }
                #[inline(always)]
                fn le(self, other: Self) -> Self {
                    self.lanes_of(self.s.$le(self.v, other.v))
                }
                #[inline(always)]
                fn eq(self, other: Self) -> Self {
                    self.lanes_of(self.s.$eq(self.v, other.v))
                }
                #[inline(always)]
                fn select(mask: Self, if_true: Self, if_false: Self) -> Self {
                    mask.with(mask.s.$sel(mask.kmask(), if_true.v, if_false.v))
                }
                #[inline(always)]
                fn any(mask: Self) -> bool {
                    mask.kmask().0 != 0
                }
                #[inline(always)]
                fn all(mask: Self) -> bool {
                    (!mask.kmask().0) == 0
                }
            }
        };
    }

    /// Defines a lane type of one 256-bit `pulp` vector that carries its `pulp::x86::V3` token: each
    /// operation one AVX2/FMA instruction on an LLVM vector value, the AVX2 counterpart of
    /// [`token_lanes!`]. Masks are all-ones or all-zeros lanes of the vector itself, so `select` is one
    /// variable blend on their sign bits and `any`/`all` one movemask.
    ///
    /// Only constructed inside an AVX2+FMA frame ([`best_lanes`] checked the CPU).
    macro_rules! v3_lanes {
        ($name:ident, $t:ty, $n:literal, $vt:ty, $reg:ty, $blendv:ident, $movemask:ident, $is_nan:ident,
         [$add:ident, $sub:ident, $mul:ident, $div:ident, $min:ident, $max:ident, $lt:ident, $le:ident,
          $eq:ident, $sel:ident, $splat:ident, $sqrt:ident, $abs:ident, $fma:ident, $neg:ident,
          $sum:ident, $and:ident, $or:ident]) => {
            #[doc = concat!("`", stringify!($n), "` lanes of `", stringify!($t), "` in one AVX2 register, for the dispatched batched solvers.")]
            #[derive(Debug, Clone, Copy)]
            pub struct $name {
                v: $vt,
                s: pulp::x86::V3,
            }

            impl $name {
                #[inline(always)]
                fn token() -> pulp::x86::V3 {
                    match pulp::x86::V3::try_new() {
                        Some(s) => s,
                        None => unreachable!("AVX2 lanes are only made inside an AVX2 frame"),
                    }
                }
                #[inline(always)]
                fn with(self, v: $vt) -> Self {
                    Self { v, s: self.s }
                }
                /// `if_true` where the sign bit of `mask` is set, else `if_false`.
                #[inline(always)]
                fn blend(self, mask: $vt, if_true: $vt, if_false: $vt) -> $vt {
                    let r: $reg = self.s.avx.$blendv(
                        bytemuck::cast(if_false),
                        bytemuck::cast(if_true),
                        bytemuck::cast(mask),
                    );
                    bytemuck::cast(r)
                }
                /// The sign bits of the lanes.
                #[inline(always)]
                fn sign_bits(self) -> i32 {
                    self.s.avx.$movemask(bytemuck::cast(self.v))
                }
            }

            token_ops!($name, $add, $sub, $mul, $div, $neg);

            impl SimdReal for $name {
                token_common!($t, $n, $splat, $sqrt, $abs, $fma, $sum, $and, $or, $min, $max, $sel, $is_nan);
                const DISPATCH: DispatchLevel = DispatchLevel::Avx2Fma;

                #[inline(always)]
                fn lt(self, other: Self) -> Self {
                    self.with(bytemuck::cast(self.s.$lt(self.v, other.v)))
                }
                #[inline(always)]
                fn le(self, other: Self) -> Self {
                    self.with(bytemuck::cast(self.s.$le(self.v, other.v)))
                }
                #[inline(always)]
                fn eq(self, other: Self) -> Self {
                    self.with(bytemuck::cast(self.s.$eq(self.v, other.v)))
                }
                #[inline(always)]
                fn select(mask: Self, if_true: Self, if_false: Self) -> Self {
                    mask.with(mask.blend(mask.v, if_true.v, if_false.v))
                }
                #[inline(always)]
                fn any(mask: Self) -> bool {
                    mask.sign_bits() != 0
                }
                #[inline(always)]
                fn all(mask: Self) -> bool {
                    mask.sign_bits() == (1 << $n) - 1
                }
            }
        };
    }

    v3_lanes!(V3F64x4, f64, 4, pulp::f64x4, core::arch::x86_64::__m256d, _mm256_blendv_pd,
        _mm256_movemask_pd, is_nan_f64x4, [
        add_f64s, sub_f64s, mul_f64s, div_f64s, min_f64s, max_f64s, less_than_f64s,
        less_than_or_equal_f64s, equal_f64s, select_f64s, splat_f64s, sqrt_f64s, abs_f64s, mul_add_f64s,
        neg_f64s, reduce_sum_f64s, and_f64s, or_f64s
    ]);
    v3_lanes!(V3F32x8, f32, 8, pulp::f32x8, core::arch::x86_64::__m256, _mm256_blendv_ps,
        _mm256_movemask_ps, is_nan_f32x8, [
        add_f32s, sub_f32s, mul_f32s, div_f32s, min_f32s, max_f32s, less_than_f32s,
        less_than_or_equal_f32s, equal_f32s, select_f32s, splat_f32s, sqrt_f32s, abs_f32s, mul_add_f32s,
        neg_f32s, reduce_sum_f32s, and_f32s, or_f32s
    ]);
    // Two of them: the AVX2 batch lanes (`Real::BatchLanes` width) of the unrolled small blocks.
    pair_lanes!(V3F64x8, V3F64x4, f64, 4, 8);
    pair_lanes!(V3F32x16, V3F32x8, f32, 8, 16);

    token_lanes!(V4F32x16, f32, 16, pulp::f32x16, pulp::i32x16, pulp::b16, f32s, [
        add_f32s, sub_f32s, mul_f32s, div_f32s, min_f32s, max_f32s, less_than_f32s,
        less_than_or_equal_f32s, equal_f32s, select_f32s, splat_f32s, sqrt_f32s, abs_f32s,
        mul_add_f32s, neg_f32s, reduce_sum_f32s, and_f32s, or_f32s, is_nan_f32x16, less_than_i32s,
        splat_i32s, splat_u32s
    ]);
    token_lanes!(V4F64x8, f64, 8, pulp::f64x8, pulp::i64x8, pulp::b8, f64s, [
        add_f64s, sub_f64s, mul_f64s, div_f64s, min_f64s, max_f64s, less_than_f64s,
        less_than_or_equal_f64s, equal_f64s, select_f64s, splat_f64s, sqrt_f64s, abs_f64s,
        mul_add_f64s, neg_f64s, reduce_sum_f64s, and_f64s, or_f64s, is_nan_f64x8, less_than_i64s,
        splat_i64s, splat_u64s
    ]);

    // Two `V4F64x8` / `V4F32x16`: the dispatched AVX-512 counterpart of `simd.rs`'s `pair` lanes.
    pair_lanes!(V4F64x16, V4F64x8, f64, 8, 16);
    pair_lanes!(V4F32x32, V4F32x16, f32, 16, 32);

    auto_lanes!(AutoF64x4, f64, 4, u64);
    auto_lanes!(AutoF64x8, f64, 8, u64);
    auto_lanes!(AutoF32x8, f32, 8, u32);
    auto_lanes!(AutoF32x16, f32, 16, u32);
    auto_lanes!(AutoF64x16, f64, 16, u64);
    auto_lanes!(AutoF32x32, f32, 32, u32);

    // Two `AutoF64x4` / `AutoF32x8`, the AVX2 batch lanes (`Real::BatchLanes` width) but for the
    // unrolled small blocks (`V3F64x8` / `V3F32x16`, `WithLanes::UNROLLED`): each operation
    // one 256-bit instruction per half. One 8/16-wide array vectorized worse (portable f64 lane
    // Jacobi n = 5 446 -> 319 ns, lane QR n = 7 862 -> 684 ns per matrix; see ARCHITECTURE.md).
    pair_lanes!(AutoPairF64x8, AutoF64x4, f64, 4, 8);
    pair_lanes!(AutoPairF32x16, AutoF32x8, f32, 8, 16);
}
