//! The solver kernels, instantiated once, in this crate, for `f32` and `f64`.
//!
//! The public entry points are generic over [`Real`](crate::Real) (and the batched ones over `N`).
//! Left generic all the way down, every crate that calls them would generate the whole SIMD solver
//! stack again: the dense QR and Jacobi drivers, and for the batches every `n` in 1..=16 in each
//! block shape and lane type (compiled and run-time dispatched). The entry points check their
//! arguments and call through [`Kernels`] instead, a sealed supertrait of `Real` whose impls are
//! concrete functions: their code is generated here, once, and linked by the callers. Results are the
//! same; a caller's build no longer pays for the kernels (the workspace's debug test build on two
//! cores: 28 -> 11 min, with the pruning of `batch::api::Fixed`).

use crate::batch::api::{self, Args, Failures};
use crate::{EigenError, Info, Options, driver};

/// The per-precision solver instances (sealed: implemented for `f32` and `f64` only, here).
pub trait Kernels: Sized {
    /// [`driver::solve_dense`] for `Self`.
    fn solve_dense(
        a: &mut [Self],
        n: usize,
        values: &mut [Self],
        vectors: Option<&mut [Self]>,
        work: &mut [Self],
        opts: &Options,
        needed: fn(usize, &Options) -> usize,
    ) -> Result<Info, EigenError>;

    /// [`api::solve_dyn`] for `Self`: a flat batch of `n x n` matrices, `n <= MAX_DYN_N`.
    fn solve_batch(n: usize, args: Args<'_, Self>) -> Failures;
}

macro_rules! kernels {
    ($t:ty) => {
        impl Kernels for $t {
            #[inline(never)]
            fn solve_dense(
                a: &mut [Self],
                n: usize,
                values: &mut [Self],
                vectors: Option<&mut [Self]>,
                work: &mut [Self],
                opts: &Options,
                needed: fn(usize, &Options) -> usize,
            ) -> Result<Info, EigenError> {
                driver::solve_dense(a, n, values, vectors, work, opts, needed)
            }

            #[inline(never)]
            fn solve_batch(n: usize, args: Args<'_, Self>) -> Failures {
                api::solve_dyn(n, args)
            }
        }
    };
}

kernels!(f32);
kernels!(f64);
