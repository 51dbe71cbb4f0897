//! Targets of the file readers behind `eigen solve` ([`read_npy`], [`read_mtx`] in `eigen_bench::io`),
//! fed raw bytes. Contract: never a panic, whatever the bytes; an `Ok` stack is consistent (`count`
//! matrices of `n x n` entries, `stacked` only for 3-D files); its finiteness check names a non-finite
//! entry exactly when there is one; and every finite matrix small enough for the oracle goes through the
//! same path as `eigen solve` (lower triangle, `Solver::Auto`, the file's precision) and satisfies the
//! solver contract.

use eigen_bench::io::{Dtype, IoError, MatrixStack, read_mtx_limited, read_npy_limited};
use eigen_kernels::{Options, eigh as solve};

use crate::input::{Matrix, Scalar};
use crate::oracle::check_solve;

/// Element cap given to the readers (a forged header must not allocate more).
pub const MAX_ELEMENTS: u64 = 1 << 16;

/// Largest dimension whose matrices are solved and checked (the oracle is `O(n^3)`).
pub const N_SOLVE: usize = 24;

/// `.npy` bytes.
pub fn read_npy(data: &[u8]) {
    check_stack(read_npy_limited(data, MAX_ELEMENTS), "read_npy");
}

/// Matrix Market bytes.
pub fn read_mtx(data: &[u8]) {
    check_stack(read_mtx_limited(data, MAX_ELEMENTS), "read_mtx");
}

fn check_stack(r: Result<MatrixStack, IoError>, what: &str) {
    let stack = match r {
        Ok(s) => s,
        Err(IoError::TooLarge { elements, limit }) => {
            assert!(elements > limit, "{what}: TooLarge with {elements} <= {limit}");
            return;
        }
        Err(e) => {
            // Every error renders as one line (the CLI prints it as is).
            let msg = e.to_string();
            assert!(!msg.is_empty() && !msg.contains('\n'), "{what}: message {msg:?}");
            return;
        }
    };
    let nn = stack.n.saturating_mul(stack.n);
    assert_eq!(
        Some(stack.data.len()),
        stack.count.checked_mul(nn),
        "{what}: {} matrices of {}^2 entries but {} values",
        stack.count,
        stack.n,
        stack.data.len()
    );
    assert!(
        stack.count == 1 || stack.stacked,
        "{what}: several matrices but not stacked"
    );
    match stack.check_finite() {
        Ok(()) => assert!(
            stack.data.iter().all(|x| x.is_finite()),
            "{what}: check_finite missed one"
        ),
        Err(IoError::NonFinite { matrix, row, col }) => {
            let x = stack.matrix(matrix).get(row + col * stack.n).copied();
            assert!(
                x.is_some_and(|x| !x.is_finite()),
                "{what}: NonFinite names finite {x:?}"
            );
            return;
        }
        Err(e) => panic!("{what}: check_finite returned {e:?}"),
    }
    if stack.n > N_SOLVE {
        return;
    }
    for k in 0..stack.count.min(4) {
        match stack.dtype {
            Dtype::F64 => solve_as::<f64>(&stack, k, what),
            // Widened from f32 on reading, so the narrowing is exact.
            Dtype::F32 => solve_as::<f32>(&stack, k, what),
        }
    }
}

fn solve_as<T: Scalar>(stack: &MatrixStack, k: usize, what: &str) {
    let n = stack.n;
    let m = Matrix {
        n,
        a: stack.matrix(k).iter().map(|&x| T::from_f64(x)).collect(),
        eigenvalues: None,
    };
    let r = solve(&m.a, n, &Options::default());
    check_solve(
        &m,
        r.as_ref()
            .map(|e| (&e.values[..], e.vectors.as_deref()))
            .map_err(|e| *e),
        what,
    );
}
