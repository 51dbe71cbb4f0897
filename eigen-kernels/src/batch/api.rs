//! Public batched entry points: argument checks, solver options, the block loop.

use super::layout::{self, LaneState, MAX_LANES};
use super::sort::{self, Follow};
use super::{BatchError, lane_jacobi, lane_qr};
use crate::simd::{DispatchLevel, WithLanes, dispatch_level};
use crate::{EigenError, Options, Real, SimdReal, Solver};

/// Largest `n` accepted by [`eigh_batch_dyn`] (its block lives on the stack).
pub const MAX_DYN_N: usize = 32;

/// Largest `n` always solved with [`Real::BatchLanes`] (twice the native width): small blocks are bound by the
/// latency of each rotation's divide/sqrt chain, which two independent chains per instruction stream
/// hide. Larger blocks fit the registers and L1 less comfortably: which width wins there depends on
/// the machine and the solver ([`block_for`]).
const WIDE_MAX_N: usize = 6;

/// Matrices per block, a multiple of every block width used (chunks of it keep blocks aligned): two
/// 512-bit registers, the widest batch lanes (compiled in, or dispatched on an AVX-512 CPU).
#[cfg_attr(not(feature = "rayon"), allow(dead_code))]
pub(super) fn block_multiple<T: Real>() -> usize {
    128 / size_of::<T>()
}

/// Accumulated failures of a batch (or of a chunk of one): the first failing index, its error, and how
/// many failed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Failures {
    first: Option<(usize, EigenError)>,
    count: usize,
}

impl Failures {
    fn record(&mut self, base: usize, state: &LaneState) {
        if !state.special {
            return;
        }
        for (l, e) in state.error[..state.live].iter().enumerate() {
            if let Some(e) = e {
                self.count += 1;
                if self.first.is_none_or(|(i, _)| base + l < i) {
                    self.first = Some((base + l, *e));
                }
            }
        }
    }

    /// Both sets of failures (the lower first index wins).
    #[cfg_attr(not(feature = "rayon"), allow(dead_code))]
    pub(super) fn merge(self, other: Failures) -> Failures {
        let first = match (self.first, other.first) {
            (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
            (a, b) => a.or(b),
        };
        Failures {
            first,
            count: self.count + other.count,
        }
    }

    pub(super) fn into_result(self) -> Result<(), BatchError> {
        match self.first {
            None => Ok(()),
            Some((index, error)) => Err(BatchError::Failed {
                index,
                error,
                count: self.count,
            }),
        }
    }
}

/// Smallest `n` for which [`Solver::Auto`] batches of `f64` matrices use the lane QR solver rather
/// than lane Jacobi (measured: see `ARCHITECTURE.md`, "Batched solver choice").
pub const AUTO_QR_MIN_N: usize = 7;

/// [`AUTO_QR_MIN_N`] for `f32` matrices, whose wider lanes favour lane Jacobi a little longer.
pub const AUTO_QR_MIN_N_F32: usize = 8;

/// [`AUTO_QR_MIN_N`] for both precisions where the lane solvers run on AVX-512 (dispatched at run
/// time in a portable x86-64 build, or compiled in): lane QR's rotation chase runs two 512-bit
/// chains there, and at `n = 7` it takes half of lane Jacobi's time for `f32` (portable 480 -> 250 ns
/// per matrix, Sapphire Rapids, 2026-11-30, release profile); at `n = 6` lane Jacobi stays level
/// (`f32`) or 7 % ahead (`f64`).
pub const AUTO_QR_MIN_N_AVX512: usize = 7;

/// Whether the lane solvers run on AVX-512 in this build on this CPU.
fn avx512_lanes() -> bool {
    AVX512_COMPILED || dispatch_level() == DispatchLevel::Avx512
}

/// Solver settings taken from [`Options`].
#[derive(Debug, Clone, Copy)]
pub struct Settings<T> {
    tol: T,
    max_sweeps: usize,
    max_per_value: usize,
    solver: Solver,
    unscaled: (T, T),
}

impl<T> Settings<T> {
    /// The lane solver for `n x n` blocks: [`Solver::Jacobi`] or [`Solver::Qr`].
    fn solver_for(&self, n: usize) -> Solver {
        let qr_from = if avx512_lanes() {
            AUTO_QR_MIN_N_AVX512
        } else if size_of::<T>() == size_of::<f32>() {
            AUTO_QR_MIN_N_F32
        } else {
            AUTO_QR_MIN_N
        };
        match self.solver {
            Solver::Auto if (qr_from..=MAX_LANE_QR_N).contains(&n) => Solver::Qr,
            Solver::Auto => Solver::Jacobi,
            s => s,
        }
    }
}

/// Largest `n` the lane QR solver takes (its per-lane deflation flags are one `u64`).
pub const MAX_LANE_QR_N: usize = 64;

/// Resolves the options of a batch of `n x n` matrices (the scalar driver's tolerance rule).
pub(super) fn settings<T: Real>(n: usize, opts: &Options) -> Result<Settings<T>, BatchError> {
    if opts.solver == Solver::Qr && n > MAX_LANE_QR_N {
        return Err(BatchError::Invalid(EigenError::Unsupported(
            "batched Solver::Qr supports n <= MAX_LANE_QR_N (64); use Solver::Jacobi or eigh per matrix",
        )));
    }
    Ok(Settings {
        tol: T::from_f64(opts.tolerance.unwrap_or(0.0)).max(T::EPSILON),
        max_sweeps: opts.max_sweeps,
        max_per_value: opts.max_qr_iterations_per_value,
        solver: opts.solver,
        unscaled: layout::unscaled_range(),
    })
}

fn check_len(what: &'static str, expected: usize, found: usize) -> Result<(), BatchError> {
    crate::error::check_len(what, expected, found).map_err(BatchError::Invalid)
}

/// Checks the flat shapes of a runtime-`n` batch; returns the number of matrices.
pub(super) fn check_dyn<T>(
    n: usize,
    mats: &[T],
    values: &[T],
    vectors: Option<&[T]>,
) -> Result<usize, BatchError> {
    if n > MAX_DYN_N {
        return Err(BatchError::Invalid(EigenError::Unsupported(
            "eigh_batch_dyn supports n <= MAX_DYN_N (32); use eigh_in_place per matrix",
        )));
    }
    let nn = n * n;
    if n == 0 {
        check_len("mats", 0, mats.len())?;
        check_len("values", 0, values.len())?;
        if let Some(v) = vectors {
            check_len("vectors", 0, v.len())?;
        }
        return Ok(0);
    }
    let count = mats.len() / nn;
    check_len("mats", count * nn, mats.len())?;
    check_len("values", count * n, values.len())?;
    if let Some(v) = vectors {
        check_len("vectors", count * nn, v.len())?;
    }
    Ok(count)
}

/// Checks the shapes of a fixed-size batch.
pub(super) fn check_fixed<A, B, C>(
    mats: &[A],
    values: &[B],
    vectors: Option<&[C]>,
) -> Result<(), BatchError> {
    check_len("values", mats.len(), values.len())?;
    if let Some(v) = vectors {
        check_len("vectors", mats.len(), v.len())?;
    }
    Ok(())
}

/// The per-block buffers: the matrices (`n x n` vectors), eigenvectors, diagonal and scratch.
struct Work<'a, V> {
    a: &'a mut [V],
    v: Option<&'a mut [V]>,
    d: &'a mut [V],
    b: &'a mut [V],
    z: &'a mut [V],
}

/// Solves one block of at most `V::LANES` matrices (flat, `n n` each) with lane QR (`QR`) or lane
/// Jacobi; `base` is the batch index of the first one.
#[inline(always)]
fn solve_block<T: Real, V: SimdReal<Scalar = T>, const QR: bool>(
    n: usize,
    mats: &[T],
    values: &mut [T],
    vectors: Option<&mut [T]>,
    w: &mut Work<'_, V>,
    set: Settings<T>,
    k: &lane_jacobi::Consts<V>,
    state: &mut LaneState,
    base: usize,
    failures: &mut Failures,
) {
    layout::gather(n, mats, w.a, set.unscaled, state);
    if QR {
        let out = lane_qr::solve(n, w.a, w.d, w.b, w.z, w.v.as_deref_mut(), set.max_per_value);
        state.fail_unconverged(out.steps, &out.remaining);
    } else {
        solve_jacobi(n, w, k, set, state);
    }
    // Large blocks record the permutation in `b` (off-diagonal scratch of both solvers) for the scatter.
    let permute = w.v.is_some() && n > sort::MOVE_COLUMNS_MAX_N;
    let follow = match w.v.as_deref_mut() {
        None => Follow::Nothing,
        Some(_) if permute => Follow::Order(&mut *w.b),
        Some(v) => Follow::Columns(v),
    };
    sort::sort_ascending(n, w.d, follow);
    if let Some(v) = w.v.as_deref_mut() {
        sort::normalize_signs(n, v);
    }
    let order = permute.then_some(&*w.b);
    layout::scatter(n, w.d, w.v.as_deref_mut(), order, state, values, vectors);
    failures.record(base, state);
}

/// Lane Jacobi on the gathered block; lanes still not converged after the sweep cap fail.
#[inline(always)]
fn solve_jacobi<T: Real, V: SimdReal<Scalar = T>>(
    n: usize,
    w: &mut Work<'_, V>,
    k: &lane_jacobi::Consts<V>,
    set: Settings<T>,
    state: &mut LaneState,
) {
    let out = lane_jacobi::solve(n, w.a, w.d, w.b, w.z, w.v.as_deref_mut(), k, set.max_sweeps);
    if !V::all(out.converged) {
        let mut remaining = [0usize; MAX_LANES];
        lane_jacobi::count_not_negligible(n, w.a, w.d, k, &mut remaining);
        state.fail_unconverged(out.sweeps, &remaining);
    }
}

/// Solves every matrix of a flat batch (`n n` scalars per matrix), block by block, with lane QR
/// (`QR`) or lane Jacobi.
#[inline(always)]
fn solve_blocks<T: Real, V: SimdReal<Scalar = T>, const QR: bool>(
    n: usize,
    args: Args<'_, T>,
    w: &mut Work<'_, V>,
) -> Failures {
    let Args {
        mats,
        values,
        mut vectors,
        set,
        base,
    } = args;
    let (nn, lanes) = (n * n, V::LANES);
    let mut failures = Failures::default();
    let consts = lane_jacobi::Consts::new(set.tol);
    let mut state = LaneState::new(0);
    for (k, (m, vals)) in mats
        .chunks(lanes * nn)
        .zip(values.chunks_mut(lanes * n))
        .enumerate()
    {
        let start = k * lanes * nn;
        let vecs = vectors.as_deref_mut().map(|v| &mut v[start..start + m.len()]);
        solve_block::<T, V, QR>(
            n,
            m,
            vals,
            vecs,
            w,
            set,
            &consts,
            &mut state,
            base + k * lanes,
            &mut failures,
        );
    }
    failures
}

/// [`solve_blocks`] with a stack block of the compile-time size `N` (fully unrollable loops), in the
/// lane width that suits `N`, on the best lanes of this CPU ([`SimdReal::with_best_lanes`]).
fn solve_fixed<T: Real, const N: usize>(args: Args<'_, T>) -> Failures {
    let qr = args.set.solver_for(N) == Solver::Qr;
    let shape = block_for(is_single::<T>(), N, qr, dispatch_level());
    if qr {
        run_shape::<T, N, true>(shape, args)
    } else {
        run_shape::<T, N, false>(shape, args)
    }
}

/// Runs the blocks of [`solve_fixed`] in `shape` with lane QR (`QR`) or lane Jacobi.
#[inline(always)]
fn run_shape<T: Real, const N: usize, const QR: bool>(shape: Block, args: Args<'_, T>) -> Failures {
    match shape {
        Block::Wide => T::BatchLanes::with_best_lanes(Fixed::<T, N, QR, { Block::Wide as u8 }> { args }),
        Block::Unrolled => T::Lanes::with_best_lanes(Fixed::<T, N, QR, { Block::Unrolled as u8 }> { args }),
        Block::Runtime | Block::WideRuntime => run_runtime::<T, QR>(shape, N, args),
    }
}

/// The runtime-`n` blocks with lane QR (`QR`) or lane Jacobi: on [`Real::BatchLanes`] for
/// [`Block::WideRuntime`], else on [`Real::Lanes`].
#[inline(always)]
fn run_runtime<T: Real, const QR: bool>(shape: Block, n: usize, args: Args<'_, T>) -> Failures {
    let op = Dynamic::<T, QR> { n, args };
    if shape == Block::WideRuntime {
        T::BatchLanes::with_best_lanes(op)
    } else {
        T::Lanes::with_best_lanes(op)
    }
}

/// Whether `T` is `f32`.
const fn is_single<T>() -> bool {
    size_of::<T>() == size_of::<f32>()
}

/// How [`solve_fixed`] runs a block of `n x n` matrices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Block {
    /// Unrolled for the compile-time `n` on [`Real::BatchLanes`]: two registers per lane vector, two
    /// independent rotation chains per instruction stream.
    Wide,
    /// Unrolled on [`Real::Lanes`].
    Unrolled,
    /// A runtime-`n` block on [`Real::Lanes`] (`n` must not be a constant there, or the unrolling
    /// comes back).
    Runtime,
    /// A runtime-`n` block on [`Real::BatchLanes`].
    WideRuntime,
}

/// Whether this build has AVX2 compiled in and not AVX-512 (`-C target-cpu=native` on an AVX2
/// machine): its `wide` lanes are 256-bit registers, its `BatchLanes` two of them.
const AVX2_COMPILED: bool = cfg!(all(
    target_arch = "x86_64",
    target_feature = "avx2",
    not(target_feature = "avx512f")
));

/// Whether this build has AVX-512 compiled in (`-C target-cpu=native` on an AVX-512 machine).
const AVX512_COMPILED: bool = cfg!(all(target_arch = "x86_64", target_feature = "avx512f"));

/// The block shape for `n x n` matrices, lane solver `solver` and the dispatch `level`, measured per
/// machine class (per-matrix time, binaries alternating; see `ARCHITECTURE.md`, "Batched block
/// shapes"):
/// - `n <= WIDE_MAX_N`: [`Block::Wide`] everywhere.
/// - AVX2+FMA dispatch (portable build, no AVX-512; Zen 3): the unrolled wide block is 10-40 % faster
///   for lane QR (f32 n = 9..16, f64 n = 7, 9, 10, 11, 13, 14, 15) and for f32 lane Jacobi at n = 7,
///   8; f64 lane QR at n = 12 and 16 stays fastest as a runtime-n block and at n = 8 unrolled on the
///   native width (the wide unrolled block is 7-35 % slower at those three sizes).
/// - AVX2 compiled in (native build on that machine): the wide block is 4-23 % faster for lane QR
///   (f64 n = 9..16, f32 n = 10..16; level at f64 n = 7, f32 n = 7..9), and at f64 n = 8 too when
///   re-measured on 2026-11-29 (1249-1446 against 1499-1661 ns per matrix unrolled on the native
///   width, 5 alternating rounds; the dispatched build keeps the unrolled block there: 1661-1780
///   against 2093-2448 ns wide).
/// - AVX-512 dispatch: the dispatched array lanes vectorize the fully unrolled lane QR worse than a
///   runtime-n block (f64 n = 8 1.86 -> 1.44 us, n = 16 7.6 -> 5.3 us), so lane QR at `n > 6` runs
///   runtime-n, and on the batch width (two 512-bit registers per lane vector, two rotation chains
///   per instruction stream; the chase is latency bound): f64 n = 7..16 17-25 % and f32 n = 8..16
///   19-24 % faster than on one register (Sapphire Rapids, 2026-11-30, see `ARCHITECTURE.md`); lane Jacobi
///   unrolled (f32 n = 7: 0.65 us unrolled, 1.0 us runtime-n).
/// - AVX-512 compiled in (native build on that machine): lane QR at `n > 6` unrolled on the batch
///   width, 5-18 % faster than on the native width (f64 n = 7 528 -> 427 ns, f32 n = 12 932 -> 750 ns
///   per matrix; Sapphire Rapids, 2026-11-29, builds with 16 codegen units); lane Jacobi unrolled on
///   the native width.
/// - Otherwise (other targets): unrolled on the native width.
///
/// `single`: `f32` matrices; `qr`: lane QR (else lane Jacobi). A `const fn`, so that each lane type's
/// instance of a shape it never runs is compiled out ([`Fixed`]).
const fn block_for(single: bool, n: usize, qr: bool, level: DispatchLevel) -> Block {
    let avx2_wide = qr || (single && n <= 8);
    match level {
        _ if n <= WIDE_MAX_N => Block::Wide,
        DispatchLevel::Avx2Fma if qr && !single && (n == 12 || n == 16) => Block::Runtime,
        DispatchLevel::Avx2Fma if qr && !single && n == 8 => Block::Unrolled,
        DispatchLevel::Avx2Fma if avx2_wide => Block::Wide,
        DispatchLevel::Compiled if AVX2_COMPILED && avx2_wide => Block::Wide,
        DispatchLevel::Compiled if AVX512_COMPILED && qr => Block::Wide,
        DispatchLevel::Compiled => Block::Unrolled,
        _ if !qr => Block::Unrolled,
        _ => Block::WideRuntime,
    }
}

/// The arguments of one run of blocks (flat, `n n` scalars per matrix), from the entry points to the
/// dispatched lanes; `base` is the batch index of the first matrix.
pub struct Args<'a, T> {
    pub(super) mats: &'a [T],
    pub(super) values: &'a mut [T],
    pub(super) vectors: Option<&'a mut [T]>,
    pub(super) set: Settings<T>,
    pub(super) base: usize,
}

/// [`solve_fixed_in`] in the block shape `SHAPE` (a [`Block`]) as a lane-generic operation: only on
/// the lanes that [`block_for`] gives that shape (by their [`SimdReal::DISPATCH`] level); on the
/// others the instance is compiled out, which keeps the code of the crate's batch kernels (every `n`
/// in 1..=16, both solvers, every lane type) at what can run: the crate's dev build 8 min 51 s ->
/// 4 min 46 s on two cores.
struct Fixed<'a, T, const N: usize, const QR: bool, const SHAPE: u8> {
    args: Args<'a, T>,
}

impl<T: Real, const N: usize, const QR: bool, const SHAPE: u8> WithLanes<T> for Fixed<'_, T, N, QR, SHAPE> {
    type Output = Failures;
    const SHORT: bool = N <= 2;
    const UNROLLED: bool = !QR && N > 2 && N <= WIDE_MAX_N;
    #[inline(always)]
    fn run<V: SimdReal<Scalar = T>>(self) -> Failures {
        if const { block_for(is_single::<T>(), N, QR, V::DISPATCH) as u8 == SHAPE } {
            solve_fixed_in::<T, V, N, QR>(self.args)
        } else {
            // Not reached: `solve_fixed` picks `SHAPE` with the same `block_for` for the level whose
            // lanes `with_best_lanes` then runs.
            unsupported(N, self.args)
        }
    }
}

/// Fails every matrix of a run with [`EigenError::Unsupported`] and NaN outputs: what a block shape
/// compiled out of a lane type would return (never reached, see [`Fixed`]).
#[cold]
fn unsupported<T: Real>(n: usize, args: Args<'_, T>) -> Failures {
    args.values.fill(T::from_f64(f64::NAN));
    if let Some(v) = args.vectors {
        v.fill(T::from_f64(f64::NAN));
    }
    let count = args.values.len() / n.max(1);
    Failures {
        first: (count > 0).then_some((
            args.base,
            EigenError::Unsupported("batch block shape not compiled for these lanes"),
        )),
        count,
    }
}

/// The blocks of `N x N` matrices on the stack (fully unrollable loops) with lane QR (`QR`) or lane
/// Jacobi, on lanes `V`.
#[inline(always)]
fn solve_fixed_in<T: Real, V: SimdReal<Scalar = T>, const N: usize, const QR: bool>(
    args: Args<'_, T>,
) -> Failures {
    let zero = V::splat(T::ZERO);
    let mut a = [[zero; N]; N];
    let mut v = [[zero; N]; N];
    let mut diag = [[zero; N]; 3];
    let [d, b, z] = &mut diag;
    let want = args.vectors.is_some();
    let mut w = Work {
        a: a.as_flattened_mut(),
        v: if want { Some(v.as_flattened_mut()) } else { None },
        d,
        b,
        z,
    };
    solve_blocks::<T, V, QR>(N, args, &mut w)
}

/// Largest `n` with a compile-time block kernel in [`solve_dyn`].
const MAX_FIXED_N: usize = 16;

/// [`solve_fixed`] through the instance compiled in this crate for `T` ([`crate::kernels`]) where
/// [`solve_dyn`] has the kernel of `N` (`N <= MAX_FIXED_N`): the same code, generated once here rather
/// than in every calling crate.
pub(super) fn solve_sized<T: Real, const N: usize>(args: Args<'_, T>) -> Failures {
    // `if const`: a plain `N <= MAX_FIXED_N` would still generate the other branch in the caller.
    if const { N <= MAX_FIXED_N } {
        T::solve_batch(N, args)
    } else {
        solve_fixed::<T, N>(args)
    }
}

/// [`solve_blocks`] for a runtime `n <= MAX_DYN_N`: sizes up to [`MAX_FIXED_N`] go to the compile-time
/// kernels. Called through [`crate::kernels`] (`T::solve_batch`).
pub(crate) fn solve_dyn<T: Real>(n: usize, args: Args<'_, T>) -> Failures {
    macro_rules! fixed {
        ($($k:literal)*) => {
            match n {
                $($k => return solve_fixed::<T, $k>(args),)*
                _ => {}
            }
        };
    }
    fixed!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);
    const { assert!(MAX_FIXED_N == 16) };
    if n == 0 || n > MAX_DYN_N {
        return Failures::default();
    }
    if args.set.solver_for(n) == Solver::Qr {
        // On the lanes of [`block_for`]'s runtime-n block at the largest fixed `n`, if it has one.
        let shape = block_for(is_single::<T>(), MAX_FIXED_N, true, dispatch_level());
        run_runtime::<T, true>(shape, n, args)
    } else {
        run_runtime::<T, false>(Block::Runtime, n, args)
    }
}

/// The runtime-`n` block of [`solve_dyn`] with lane QR (`QR`) or lane Jacobi as a lane-generic
/// operation.
struct Dynamic<'a, T, const QR: bool> {
    n: usize,
    args: Args<'a, T>,
}

impl<T: Real, const QR: bool> WithLanes<T> for Dynamic<'_, T, QR> {
    type Output = Failures;
    #[inline(always)]
    fn run<V: SimdReal<Scalar = T>>(self) -> Failures {
        let Dynamic { n, args } = self;
        let zero = V::splat(T::ZERO);
        let mut a = [zero; MAX_DYN_N * MAX_DYN_N];
        let mut v = [zero; MAX_DYN_N * MAX_DYN_N];
        let mut diag = [[zero; MAX_DYN_N]; 3];
        let [d, b, z] = &mut diag;
        let want = args.vectors.is_some();
        let mut w = Work {
            a: &mut a[..n * n],
            v: if want { Some(&mut v[..n * n]) } else { None },
            d: &mut d[..n],
            b: &mut b[..n],
            z: &mut z[..n],
        };
        solve_blocks::<T, V, QR>(n, args, &mut w)
    }
}

/// Eigen-decompositions of a batch of fixed-size symmetric matrices, several per SIMD instruction;
/// no allocation.
///
/// - `mats[k]`: matrix `k` as an array of columns; only its lower triangle is read.
/// - `values[k]`: its eigenvalues, ascending.
/// - `vectors`: `Some` to compute eigenvectors: `vectors[k][j]` is the unit eigenvector of
///   `values[k][j]`, largest-magnitude entry positive (lowest index wins ties).
/// - `opts`: solver, tolerance and caps as for the scalar solver: [`Solver::Jacobi`] is lane Jacobi,
///   [`Solver::Qr`] lane QR (`N <= MAX_LANE_QR_N`), [`Solver::Auto`] lane Jacobi below
///   [`AUTO_QR_MIN_N`] (`f64`; [`AUTO_QR_MIN_N_F32`] for `f32`) and lane QR from it. Eigenvectors
///   are computed exactly when a `vectors` buffer is passed.
///
/// Stack: a block of matrices and their eigenvectors lives on the stack, `2 N^2` lane vectors of up
/// to 128 bytes (64 KiB at `N = 16`), or `2 * 32^2` of them (256 KiB) in the runtime-`n` blocks
/// (`n > 16` in [`eigh_batch_dyn`], lane QR at `n > 6` where the lanes run on AVX-512).
///
/// Errors: [`BatchError::Invalid`] if `values`/`vectors` lengths differ from `mats.len()` or the solver is
/// unsupported (nothing is written); [`BatchError::Failed`] if some matrices failed (see the
/// [module docs](super) for the policy: every other matrix is solved).
pub fn eigh_batch<T: Real, const N: usize>(
    mats: &[[[T; N]; N]],
    values: &mut [[T; N]],
    vectors: Option<&mut [[[T; N]; N]]>,
    opts: &Options,
) -> Result<(), BatchError> {
    check_fixed(mats, values, vectors.as_deref())?;
    let set = settings::<T>(N, opts)?;
    if N == 0 {
        return Ok(());
    }
    solve_sized::<T, N>(Args {
        mats: mats.as_flattened().as_flattened(),
        values: values.as_flattened_mut(),
        vectors: vectors.map(|v| v.as_flattened_mut().as_flattened_mut()),
        set,
        base: 0,
    })
    .into_result()
}

/// [`eigh_batch`] for a dimension known at run time, `n <= MAX_DYN_N`, over flat slices: `mats` holds
/// `count` column-major `n x n` matrices back to back (`count n n` scalars, lower triangles read),
/// `values` `count n`, `vectors` `count n n` (matrix `k`'s eigenvectors as columns).
///
/// Errors: as [`eigh_batch`], plus [`BatchError::Invalid`] when `mats.len()` is not a multiple of `n n`,
/// or `n > MAX_DYN_N` ([`EigenError::Unsupported`]).
pub fn eigh_batch_dyn<T: Real>(
    n: usize,
    mats: &[T],
    values: &mut [T],
    vectors: Option<&mut [T]>,
    opts: &Options,
) -> Result<(), BatchError> {
    check_dyn(n, mats, values, vectors.as_deref())?;
    let set = settings::<T>(n, opts)?;
    let args = Args {
        mats,
        values,
        vectors,
        set,
        base: 0,
    };
    T::solve_batch(n, args).into_result()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::random_symmetric;
    use alloc::vec;
    use alloc::vec::Vec;

    /// The compiled `wide` lanes and what [`solve_fixed`] runs on this CPU (the run-time dispatched
    /// lanes on x86-64 with AVX2+FMA, in the block shape of [`block_for`]) give the same eigenvalues to
    /// a few ulps of the norm and agree on well-separated eigenvectors.
    fn compiled_and_dispatched_lanes_agree<T: Real, const N: usize>() {
        lanes_agree::<T, N>(Solver::Auto);
    }

    /// [`compiled_and_dispatched_lanes_agree`] for the given solver.
    fn lanes_agree<T: Real, const N: usize>(solver: Solver) {
        let reference = if N <= WIDE_MAX_N {
            Block::Wide
        } else {
            Block::Unrolled
        };
        runs_agree::<T, N>(solver, Some(reference), None);
    }

    /// The blocks in `shape` on the compiled lanes, whether or not [`block_for`] picks it there.
    fn forced<T: Real, const N: usize, const QR: bool>(shape: Block, args: Args<'_, T>) -> Failures {
        match shape {
            Block::Wide => solve_fixed_in::<T, T::BatchLanes, N, QR>(args),
            Block::Unrolled => solve_fixed_in::<T, T::Lanes, N, QR>(args),
            Block::Runtime => Dynamic::<T, QR> { n: N, args }.run::<T::Lanes>(),
            Block::WideRuntime => Dynamic::<T, QR> { n: N, args }.run::<T::BatchLanes>(),
        }
    }

    /// Two runs of one batch (`Some(shape)`: that block shape on the compiled lanes; `None`: what
    /// [`solve_fixed`] runs on this CPU) agree as [`compiled_and_dispatched_lanes_agree`] states.
    fn runs_agree<T: Real, const N: usize>(solver: Solver, first: Option<Block>, second: Option<Block>) {
        let count = 2 * T::BatchLanes::LANES + 3;
        let mut mats: Vec<T> = Vec::new();
        for k in 0..count {
            mats.extend(random_symmetric::<T>(N, 40 + k as u64));
        }
        let set =
            settings::<T>(N, &Options::default().with_solver(solver)).unwrap_or_else(|e| panic!("{e:?}"));
        let run = |shape: Option<Block>| {
            let (mut values, mut vectors) = (vec![T::ZERO; count * N], vec![T::ZERO; count * N * N]);
            let args = Args {
                mats: &mats,
                values: &mut values,
                vectors: Some(&mut vectors),
                set,
                base: 0,
            };
            let failures = match shape {
                None => solve_fixed::<T, N>(args),
                Some(shape) if set.solver_for(N) == Solver::Qr => forced::<T, N, true>(shape, args),
                Some(shape) => forced::<T, N, false>(shape, args),
            };
            assert!(failures.into_result().is_ok());
            (values, vectors)
        };
        let ((v1, z1), (v2, z2)) = (run(first), run(second));
        let eps = T::EPSILON.to_f64();
        for k in 0..count {
            let norm = mats[k * N * N..(k + 1) * N * N]
                .iter()
                .fold(0.0f64, |m, x| m.max(x.to_f64().abs()));
            for j in 0..N {
                let (a, b) = (v1[k * N + j].to_f64(), v2[k * N + j].to_f64());
                assert!(
                    (a - b).abs() <= 16.0 * N as f64 * eps * norm,
                    "matrix {k} value {j}: {a} vs {b}"
                );
            }
            for x in 0..N * N {
                let (a, b) = (z1[k * N * N + x].to_f64(), z2[k * N * N + x].to_f64());
                assert!(
                    (a - b).abs() <= 1e4 * eps,
                    "matrix {k} vector entry {x}: {a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn compiled_and_dispatched_lanes_give_the_same_decomposition() {
        compiled_and_dispatched_lanes_agree::<f64, 2>();
        compiled_and_dispatched_lanes_agree::<f64, 3>();
        compiled_and_dispatched_lanes_agree::<f64, 6>();
        compiled_and_dispatched_lanes_agree::<f32, 3>();
        compiled_and_dispatched_lanes_agree::<f32, 5>();
        // Lane QR, in every block shape that `block_for` picks somewhere.
        compiled_and_dispatched_lanes_agree::<f64, 8>();
        compiled_and_dispatched_lanes_agree::<f64, 9>();
        compiled_and_dispatched_lanes_agree::<f64, 16>();
        compiled_and_dispatched_lanes_agree::<f32, 11>();
        // Lane Jacobi from n = 7, which the dispatch runs as unrolled blocks on its own lanes.
        lanes_agree::<f64, 8>(Solver::Jacobi);
        lanes_agree::<f32, 7>(Solver::Jacobi);
        lanes_agree::<f32, 16>(Solver::Jacobi);
    }

    /// The level of the lanes that `with_best_lanes` runs.
    struct LevelOf;

    impl<T: Real> WithLanes<T> for LevelOf {
        type Output = DispatchLevel;
        fn run<V: SimdReal<Scalar = T>>(self) -> DispatchLevel {
            V::DISPATCH
        }
    }

    /// [`Fixed`] compiles each shape only for the lanes whose `DISPATCH` level [`block_for`] gives it,
    /// and [`solve_fixed`] picks the shape for [`dispatch_level`]: the two must name the same level.
    #[test]
    fn best_lanes_report_the_dispatch_level_they_run_at() {
        let level = dispatch_level();
        assert_eq!(<f64 as Real>::Lanes::with_best_lanes(LevelOf), level);
        assert_eq!(<f64 as Real>::BatchLanes::with_best_lanes(LevelOf), level);
        assert_eq!(<f32 as Real>::Lanes::with_best_lanes(LevelOf), level);
        assert_eq!(<f32 as Real>::BatchLanes::with_best_lanes(LevelOf), level);
    }

    /// Every block shape of [`block_for`] gives the same decomposition on the compiled lanes, whichever
    /// shape this CPU's dispatch picks.
    #[test]
    fn every_block_shape_gives_the_same_decomposition() {
        let unrolled = Some(Block::Unrolled);
        for shape in [Block::Wide, Block::Runtime, Block::WideRuntime] {
            runs_agree::<f64, 9>(Solver::Qr, unrolled, Some(shape));
            runs_agree::<f64, 12>(Solver::Qr, unrolled, Some(shape));
            runs_agree::<f32, 13>(Solver::Qr, unrolled, Some(shape));
            runs_agree::<f32, 8>(Solver::Jacobi, unrolled, Some(shape));
        }
    }
}
