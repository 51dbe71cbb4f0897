//! The body of every fuzz target, as plain functions of the input bytes, so `cargo test` (stable) can
//! replay the committed seeds and regression inputs through them without libFuzzer.
//!
//! Matrix targets share one layout: a config byte, then a matrix ([`decode_n`], [`decode_matrix`]).
//! Config bits: 0 precision (`f64`, `f32`); 1-2 solver (`Auto`, `Jacobi`, `Qr`, `Auto`); 3 values only;
//! 4-7 target-specific.

use eigen_kernels::{
    ComputeVectors, EigenError, Options, Solver, eigh as solve, eigh_fixed as solve_fixed,
    eigh_in_place as solve_in_place, min_workspace_len, workspace_len,
};

use crate::input::{Input, Matrix, Scalar, decode_matrix, decode_n};
use crate::oracle::{at_range_edge, check_solve, check_values_agree};

/// Largest dimension of the dense targets (every result is checked in `O(n^3)`).
pub const N_MAX: usize = 40;

/// Largest dimension of `eigh_in_place` (two solves per input).
pub const N_MAX_IN_PLACE: usize = 16;

/// Whether `Solver::Qr` is implemented in this build (before it lands it answers `Unsupported`).
pub const QR_AVAILABLE: bool = true;

/// Target-independent decoding of the config byte.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// The raw byte (bits 4-7 are the target's).
    pub byte: u8,
    /// Solver under test.
    pub solver: Solver,
    /// Vectors or not.
    pub vectors: ComputeVectors,
}

impl Config {
    fn new(byte: u8) -> Self {
        Config {
            byte,
            solver: match (byte >> 1) & 3 {
                1 => Solver::Jacobi,
                2 => Solver::Qr,
                _ => Solver::Auto,
            },
            vectors: if byte & 8 == 0 {
                ComputeVectors::Yes
            } else {
                ComputeVectors::No
            },
        }
    }

    fn options(&self) -> Options {
        Options::default()
            .with_solver(self.solver)
            .with_vectors(self.vectors)
    }

    /// The four target-specific bits.
    pub fn extra(&self) -> u8 {
        self.byte >> 4
    }
}

/// Runs `body` with the scalar type chosen by config bit 0.
fn dispatch(data: &[u8], body_f64: fn(&mut Input<'_>, Config), body_f32: fn(&mut Input<'_>, Config)) {
    let mut input = Input::new(data);
    let config = Config::new(input.byte());
    if config.byte & 1 == 0 {
        body_f64(&mut input, config);
    } else {
        body_f32(&mut input, config);
    }
}

/// `true` when the solver is one that is not built yet and said so (the only accepted `Unsupported`;
/// the driver still answers zero matrices and non-finite input before dispatching, and those answers
/// are checked).
fn not_built<T>(solver: Solver, r: &Result<T, EigenError>) -> bool {
    solver == Solver::Qr && !QR_AVAILABLE && matches!(r, Err(EigenError::Unsupported(_)))
}

/// `eigh` (allocating API): every solver, with vectors, or values only (then also checked against the
/// values of the with-vectors solve).
pub fn eigh(data: &[u8]) {
    dispatch(data, eigh_typed::<f64>, eigh_typed::<f32>);
}

fn eigh_typed<T: Scalar>(input: &mut Input<'_>, config: Config) {
    let n = decode_n(input, N_MAX);
    let m: Matrix<T> = decode_matrix(input, n);
    let opts = config.options();
    let r = solve(&m.a, n, &opts);
    if not_built(config.solver, &r) {
        return;
    }
    let what = format!("eigh {:?} {:?}", config.solver, config.vectors);
    check_solve(
        &m,
        r.as_ref()
            .map(|e| (&e.values[..], e.vectors.as_deref()))
            .map_err(|e| *e),
        &what,
    );
    if let Ok(values_only) = &r {
        assert_eq!(
            values_only.vectors.is_some(),
            config.vectors == ComputeVectors::Yes
        );
        if config.vectors == ComputeVectors::No {
            // `Auto` may pick another solver with vectors; at the edge of the range it may overflow.
            match solve(&m.a, n, &opts.with_vectors(ComputeVectors::Yes)) {
                Ok(with) => check_values_agree(&with.values, &values_only.values, &what),
                Err(EigenError::Overflow) if at_range_edge(&values_only.values) => {}
                Err(e) => panic!("{what}: values-only Ok but with vectors {e:?}"),
            }
        }
    }
}

/// `eigh_in_place` with the slice lengths deliberately wrong (config bits 4-6 choose which), and with
/// dirty output and work buffers: wrong lengths give exactly the documented error, dirty buffers change
/// no bit of the result (compared with `eigh`).
pub fn eigh_in_place(data: &[u8]) {
    dispatch(data, in_place_typed::<f64>, in_place_typed::<f32>);
}

fn in_place_typed<T: Scalar>(input: &mut Input<'_>, config: Config) {
    let n = decode_n(input, N_MAX_IN_PLACE);
    let m: Matrix<T> = decode_matrix(input, n);
    let by = 1 + usize::from(input.byte() % 4);
    let nn = n * n;
    let fault = config.extra() & 7;
    let want = config.vectors;
    let opts = config.options();
    let needed = min_workspace_len::<T>(n, &opts);
    let mut a_len = nn;
    let mut values_len = n;
    let mut vectors_len = nn;
    let mut work_len = needed;
    let mut dim = n;
    let expected = match fault {
        1 => {
            a_len = if nn >= by { nn - by } else { nn + by };
            Some(EigenError::DimensionMismatch {
                what: "a",
                expected: nn,
                found: a_len,
            })
        }
        2 => {
            values_len = n + by;
            Some(EigenError::DimensionMismatch {
                what: "values",
                expected: n,
                found: values_len,
            })
        }
        3 if want == ComputeVectors::Yes => {
            vectors_len = if nn >= by { nn - by } else { nn + by };
            Some(EigenError::DimensionMismatch {
                what: "vectors",
                expected: nn,
                found: vectors_len,
            })
        }
        4 if needed > 0 => {
            work_len = needed.saturating_sub(by);
            Some(EigenError::WorkspaceTooSmall {
                needed,
                found: work_len,
            })
        }
        5 => {
            work_len = workspace_len::<T>(n, &opts) + by;
            None
        }
        6 => {
            dim = usize::MAX - usize::from(input.byte());
            Some(EigenError::DimensionMismatch {
                what: "n",
                expected: 0,
                found: dim,
            })
        }
        _ => None,
    };
    // Dirty buffers: NaN everywhere the solver writes or works.
    let nan = T::from_f64(f64::NAN);
    let mut a = m.a.clone();
    a.resize(a_len, nan);
    let mut values = vec![nan; values_len];
    let mut vectors = vec![nan; vectors_len];
    let mut work = vec![nan; work_len];
    let vectors_arg = match want {
        ComputeVectors::Yes => Some(&mut vectors[..]),
        ComputeVectors::No => None,
    };
    let r = solve_in_place(&mut a, dim, &mut values, vectors_arg, &mut work, &opts);
    if let Some(e) = expected {
        assert_eq!(r.err(), Some(e), "eigh_in_place {} n={n}: fault {fault}", T::NAME);
        return;
    }
    let reference = solve(&m.a, n, &opts);
    match (&r, &reference) {
        (Ok(_), Ok(e)) => {
            let bits = |v: &[T]| v.iter().map(|x| x.bits()).collect::<Vec<_>>();
            assert_eq!(
                bits(&values),
                bits(&e.values),
                "eigh_in_place {} n={n}: values differ from eigh",
                T::NAME
            );
            if let Some(v) = &e.vectors {
                assert_eq!(
                    bits(&vectors),
                    bits(v),
                    "eigh_in_place {} n={n}: vectors differ from eigh",
                    T::NAME
                );
            }
        }
        (Err(x), Err(y)) => assert_eq!(x, y, "eigh_in_place {} n={n}: errors differ from eigh", T::NAME),
        _ => panic!(
            "eigh_in_place {} n={n}: {:?} but eigh {:?}",
            T::NAME,
            r.err(),
            reference.err()
        ),
    }
    if not_built(config.solver, &r) {
        return;
    }
    let out = r.map(|_| (&values[..], (want == ComputeVectors::Yes).then_some(&vectors[..])));
    check_solve(&m, out, "eigh_in_place");
}

/// Sizes of the `eigh_fixed` target; the dimension byte picks one (itself if listed).
pub const FIXED_SIZES: [usize; 9] = [0, 1, 2, 3, 4, 6, 8, 16, 33];

/// `eigh_fixed::<T, N>` for the sizes in [`FIXED_SIZES`].
pub fn eigh_fixed(data: &[u8]) {
    dispatch(data, fixed_typed::<f64>, fixed_typed::<f32>);
}

fn fixed_typed<T: Scalar>(input: &mut Input<'_>, config: Config) {
    let raw = usize::from(input.byte());
    let n = if FIXED_SIZES.contains(&raw) {
        raw
    } else {
        FIXED_SIZES[raw % FIXED_SIZES.len()]
    };
    let m: Matrix<T> = decode_matrix(input, n);
    match n {
        0 => fixed_n::<T, 0>(&m, config),
        1 => fixed_n::<T, 1>(&m, config),
        2 => fixed_n::<T, 2>(&m, config),
        3 => fixed_n::<T, 3>(&m, config),
        4 => fixed_n::<T, 4>(&m, config),
        6 => fixed_n::<T, 6>(&m, config),
        8 => fixed_n::<T, 8>(&m, config),
        16 => fixed_n::<T, 16>(&m, config),
        _ => fixed_n::<T, 33>(&m, config),
    }
}

fn fixed_n<T: Scalar, const N: usize>(m: &Matrix<T>, config: Config) {
    let mut cols = [[T::ZERO; N]; N];
    for (j, col) in cols.iter_mut().enumerate() {
        col.copy_from_slice(&m.a[j * N..j * N + N]);
    }
    let r = solve_fixed(&cols, &config.options());
    if not_built(config.solver, &r) {
        return;
    }
    let what = format!("eigh_fixed::<{N}> {:?} {:?}", config.solver, config.vectors);
    let out = r
        .as_ref()
        .map_err(|e| *e)
        .map(|f| (&f.values[..], f.vectors.as_ref().map(|v| v.as_flattened())));
    check_solve(m, out, &what);
    if let Ok(f) = &r {
        assert_eq!(
            f.vectors.is_some(),
            config.vectors == ComputeVectors::Yes,
            "{what}"
        );
    }
}
