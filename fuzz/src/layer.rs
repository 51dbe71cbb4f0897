//! Targets of the eigen-layer backward passes: [`eigh_backward`] ([`EighOp`]) and
//! [`spectral_backward`] ([`SpectralOp`]). Contract: the forward pass follows the solver contract
//! (its errors are [`LayerError::Eigen`] with the reason the solver oracle expects), and every gradient
//! is finite and symmetric, or a [`LayerError`] of a kind the op documents for that input.

use eigen_kernels::{EigenError, eigh as solve};
use eigen_layer::{Broadening, EighOp, EighOptions, GaugeMode, LayerError, Spectral, SpectralOp};

use crate::input::{Input, Matrix, Scalar, decode_matrix, decode_n};
use crate::oracle::check_solve;

/// Largest dimension of the layer targets.
pub const N_MAX: usize = 16;

/// Checks a forward pass: `Err(Eigen(e))` must be what the solver oracle expects for `m`, other errors
/// are passed to `other` (which panics if the op must not return them).
fn check_forward<T: Scalar, Op>(
    m: &Matrix<T>,
    r: &Result<Op, LayerError>,
    values: impl Fn(&Op) -> (&[T], &[T]),
    what: &str,
) -> bool {
    let solver_view: Result<(&[T], Option<&[T]>), EigenError> = match r {
        Ok(op) => {
            let (l, v) = values(op);
            Ok((l, Some(v)))
        }
        Err(LayerError::Eigen(e)) => Err(*e),
        Err(_) => return false,
    };
    check_solve(m, solver_view, what);
    r.is_ok()
}

/// `true` if `g` is finite and symmetric to rounding (`|g_ij - g_ji| <= 8 n eps max|g|`).
fn assert_symmetric_finite<T: Scalar>(g: &[T], n: usize, what: &str) {
    assert_eq!(g.len(), n * n, "{what}: gradient length");
    assert!(
        g.iter().all(|x| x.is_finite()),
        "{what}: non-finite gradient entry in Ok"
    );
    let max = g.iter().fold(0.0f64, |m, x| m.max(x.to_f64().abs()));
    let tol = 8.0 * n as f64 * T::EPSILON.to_f64() * max;
    for j in 0..n {
        for i in j + 1..n {
            let d = (g[i + j * n].to_f64() - g[j + i * n].to_f64()).abs();
            assert!(
                d <= tol,
                "{what}: gradient not symmetric at ({i}, {j}): {d:e} > {tol:e}"
            );
        }
    }
}

/// Decodes an optional gradient of `len` entries (first byte odd: present).
fn decode_grad<T: Scalar>(input: &mut Input<'_>, len: usize) -> Option<Vec<T>> {
    (input.byte() & 1 == 1).then(|| (0..len).map(|_| input.value()).collect())
}

/// Largest magnitude, `f64`.
fn max_abs<T: Scalar>(x: &[T]) -> f64 {
    x.iter().fold(0.0f64, |m, v| m.max(v.to_f64().abs()))
}

/// Config bits: 0 precision; 1 strict gauge mode; 2 Lorentzian broadening (epsilon `10^-k`, k from a
/// byte); 3 custom degeneracy tolerance.
pub fn eigh_backward(data: &[u8]) {
    let mut input = Input::new(data);
    let config = input.byte();
    if config & 1 == 0 {
        eigh_backward_typed::<f64>(&mut input, config);
    } else {
        eigh_backward_typed::<f32>(&mut input, config);
    }
}

fn eigh_backward_typed<T: Scalar>(input: &mut Input<'_>, config: u8) {
    let n = decode_n(input, N_MAX);
    let m: Matrix<T> = decode_matrix(input, n);
    let opts = EighOptions {
        mode: if config & 2 == 0 {
            GaugeMode::Diagnose
        } else {
            GaugeMode::Strict
        },
        broadening: if config & 4 == 0 {
            Broadening::None
        } else {
            Broadening::Lorentzian {
                epsilon: 10f64.powi(-i32::from(input.byte() % 40)),
            }
        },
        degeneracy_tol: (config & 8 != 0).then(|| 10f64.powi(-i32::from(input.byte() % 20))),
        ..EighOptions::default()
    };
    let what = format!("EighOp {} {opts:?}", T::NAME);
    let r = EighOp::forward_with(&m.a, n, &opts);
    if !check_forward(&m, &r, |op| (op.values(), op.vectors()), &what) {
        assert!(
            matches!(r, Err(LayerError::Eigen(_))),
            "{what}: forward returned {:?}",
            r.err()
        );
        return;
    }
    let Ok(op) = r else { return };
    let g_values: Option<Vec<T>> = decode_grad(input, n);
    let g_vectors: Option<Vec<T>> = decode_grad(input, n * n);
    let b = op.backward_report(g_values.as_deref(), g_vectors.as_deref());
    let upstream_finite = g_values
        .iter()
        .chain(&g_vectors)
        .all(|g| g.iter().all(|x| x.is_finite()));
    // Moderate inputs (no entry beyond 2^(max_exp/4)) cannot overflow: the coupling is bounded by
    // 1 / (tau max(1, |l|)) and the products by n^2 |A| |g| / tau.
    let moderate_exp = T::MAX.exponent() / 4;
    let moderate = upstream_finite
        && max_abs(&m.lower()) <= 2f64.powi(moderate_exp)
        && g_values
            .iter()
            .chain(&g_vectors)
            .all(|g| max_abs(g) <= 2f64.powi(moderate_exp));
    match b {
        Ok(report) => {
            assert!(upstream_finite, "{what}: non-finite upstream gradient accepted");
            assert_symmetric_finite(&report.grad, n, &what);
            if opts.mode == GaugeMode::Strict {
                assert!(
                    report.diagnostic.is_none(),
                    "{what}: strict mode returned a diagnostic"
                );
            }
        }
        Err(LayerError::NonFinite { .. }) => {
            assert!(
                !moderate,
                "{what}: NonFinite gradient from moderate, finite input"
            );
        }
        Err(LayerError::DegenerateGradient { .. }) if opts.mode == GaugeMode::Strict => {}
        Err(e) => panic!("{what}: backward returned {e:?}"),
    }
}

/// Config bits: 0 precision; 1-3 the function (`Log`, `Sqrt`, `InvSqrt`, `Pow(p)`, `Exp`,
/// `ReEig { eps }`; `p` and `eps` decoded as values).
pub fn spectral_backward(data: &[u8]) {
    let mut input = Input::new(data);
    let config = input.byte();
    if config & 1 == 0 {
        spectral_typed::<f64>(&mut input, config);
    } else {
        spectral_typed::<f32>(&mut input, config);
    }
}

fn spectral_typed<T: Scalar>(input: &mut Input<'_>, config: u8) {
    let n = decode_n(input, N_MAX);
    let m: Matrix<T> = decode_matrix(input, n);
    let f = match (config >> 1) % 6 {
        0 => Spectral::Log,
        1 => Spectral::Sqrt,
        2 => Spectral::InvSqrt,
        3 => Spectral::Pow(input.value()),
        4 => Spectral::Exp,
        _ => Spectral::ReEig { eps: input.value() },
    };
    let what = format!("SpectralOp {} {f:?}", T::NAME);
    let r = SpectralOp::forward(&m.a, n, f);
    if !check_forward(&m, &r, |op| (op.values(), op.vectors()), &what) {
        match r {
            Err(LayerError::Domain { index, value, .. }) => {
                // The offending eigenvalue is the solver's, and f is undefined or overflows there.
                let values = solve(&m.a, n, &Default::default())
                    .unwrap_or_else(|e| panic!("{what}: Domain error but the solver failed: {e:?}"));
                let l = values.values[index];
                assert_eq!(
                    l.to_f64(),
                    value,
                    "{what}: Domain error names the wrong eigenvalue"
                );
                assert!(
                    outside_domain(&f, l),
                    "{what}: Domain error at eigenvalue {value:e}, inside the domain"
                );
            }
            // Eigen errors were checked by `check_forward`; f(A) can overflow although f(l) does not.
            Err(LayerError::Eigen(_) | LayerError::NonFinite { .. }) => {}
            other => panic!("{what}: forward returned {:?}", other.err()),
        }
        return;
    }
    let Ok(op) = r else { return };
    assert_symmetric_finite(op.output(), n, &format!("{what} output"));
    let g: Vec<T> = (0..n * n).map(|_| input.value()).collect();
    match op.backward(&g) {
        Ok(grad) => {
            assert!(
                g.iter().all(|x| x.is_finite()),
                "{what}: non-finite grad_out accepted"
            );
            assert_symmetric_finite(&grad, n, &what);
        }
        Err(LayerError::NonFinite { .. } | LayerError::Domain { .. }) => {}
        Err(e) => panic!("{what}: backward returned {e:?}"),
    }
}

/// `true` if `f` is undefined at `l` or `f(l)` is not representable in `T` (checked in `f64`).
fn outside_domain<T: Scalar>(f: &Spectral<T>, l: T) -> bool {
    let x = l.to_f64();
    let y = match *f {
        Spectral::Log if x <= 0.0 => return true,
        Spectral::Log => x.ln(),
        Spectral::Sqrt if x < 0.0 => return true,
        Spectral::Sqrt => x.sqrt(),
        Spectral::InvSqrt if x <= 0.0 => return true,
        Spectral::InvSqrt => 1.0 / x.sqrt(),
        Spectral::Pow(p) => {
            let p = p.to_f64();
            if x < 0.0 || (x == 0.0 && p < 1.0) {
                return true;
            }
            x.powf(p)
        }
        Spectral::Exp => x.exp(),
        Spectral::ReEig { eps } => x.max(eps.to_f64()),
        Spectral::Custom { .. } => return true,
    };
    // Within a factor 2 of the range (rounding of libm vs f64) counts as overflowing.
    !y.is_finite() || y.abs() >= T::MAX.to_f64() / 2.0
}
