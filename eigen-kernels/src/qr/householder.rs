//! Elementary reflectors `H = I - tau v v^T` with `v[0] = 1` (LAPACK dlarfg / dlarf conventions).

use crate::{Real, simd};

/// Turns `x = [alpha, x_1..]` into a reflector: on return `x = v` (with `v[0] = 1`) and
/// `H [alpha, x_1..]^T = [beta, 0, ..]^T`; returns `(beta, tau)`.
///
/// LAPACK dlarfg: `beta = -sign(alpha) |x|` so that `alpha - beta` never cancels, and
/// `tau = (beta - alpha) / beta` lies in `[1, 2]`. When `x_1.. = 0`, `tau = 0` (`H = I`) and
/// `beta = alpha`. The norm is a plain SIMD sum of squares after bringing the vector to magnitude ~1
/// by a power of two (exact) whenever its squares could underflow or overflow: the driver's scaling
/// bounds the input matrix, but the trailing columns of the reduction can hold rounding-level entries
/// (e.g. `1e-23` in `f32` for a matrix of zeros and ones) whose squares underflow, which made `tau`,
/// `beta` and `v` inconsistent and `Q` far from orthogonal (found by the fuzzer; dlarfg rescales by
/// `1 / safmin` for the same reason).
pub(crate) fn make_reflector<T: Real>(x: &mut [T]) -> (T, T) {
    let Some((alpha, rest)) = x.split_first_mut() else {
        return (T::ZERO, T::ZERO);
    };
    let alpha_v = *alpha;
    *alpha = T::ONE;
    let tail_max = simd::max_abs(rest);
    if tail_max == T::ZERO {
        return (alpha_v, T::ZERO);
    }
    let amax = tail_max.max(alpha_v.abs());
    let small = (T::MIN_POSITIVE / T::EPSILON).sqrt();
    let big = T::MAX.sqrt() * T::EPSILON;
    let e = if amax < small || amax > big {
        amax.exponent()
    } else {
        0
    };
    let alpha_s = alpha_v.scalbn(-e);
    if e != 0 {
        // Element-wise: `2^-e` itself may not be representable (subnormal `amax`).
        rest.iter_mut().for_each(|v| *v = v.scalbn(-e));
    }
    let norm = (alpha_s * alpha_s + simd::dot(rest, rest)).sqrt();
    let beta = if alpha_s >= T::ZERO { -norm } else { norm };
    let tau = (beta - alpha_s) / beta;
    simd::scale(T::ONE / (alpha_s - beta), rest);
    (beta.scalbn(e), tau)
}

/// Applies `H = I - tau v v^T` from the left to the column `c` (same length as `v`).
#[inline]
pub(crate) fn apply_to_column<T: Real>(v: &[T], tau: T, c: &mut [T]) {
    let s = tau * simd::dot(v, c);
    if s != T::ZERO {
        simd::axpy(-s, v, c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reflector_maps_the_vector_onto_the_first_axis() {
        let x0 = [3.0f64, -1.0, 2.0, 0.5, 4.0, -2.0];
        let mut v = x0;
        let (beta, tau) = make_reflector(&mut v);
        assert_eq!(v[0], 1.0);
        let norm = x0.iter().map(|x| x * x).sum::<f64>().sqrt();
        assert!((beta.abs() - norm).abs() <= 4.0 * f64::EPSILON * norm);
        assert!(beta < 0.0, "beta has the sign opposite to alpha");
        let mut y = x0;
        apply_to_column(&v, tau, &mut y);
        assert!((y[0] - beta).abs() <= 8.0 * f64::EPSILON * norm);
        for &yi in &y[1..] {
            assert!(yi.abs() <= 8.0 * f64::EPSILON * norm, "{y:?}");
        }
    }

    #[test]
    fn reflectors_of_vectors_whose_squares_underflow_are_orthogonal() {
        for scale in [1e-23f32, 1e-40, 1e30] {
            let x0 = [0.5 * scale, -scale, 2.0 * scale, 0.25 * scale];
            let mut v = x0;
            let (beta, tau) = make_reflector(&mut v);
            let norm = x0.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>().sqrt();
            // beta is rounded to f32, subnormal for the smallest scale.
            let ulp = 4e-7 * norm + f64::from(f32::MIN_POSITIVE * f32::EPSILON);
            assert!(
                (f64::from(beta).abs() - norm).abs() <= ulp,
                "{scale}: beta {beta}"
            );
            // H = I - tau v v^T is orthogonal iff tau (v^T v) = 2 (for tau != 0).
            let vtv: f32 = v.iter().map(|x| x * x).sum();
            assert!(
                (tau * vtv - 2.0).abs() <= 1e-6,
                "{scale}: tau v^T v = {}",
                tau * vtv
            );
        }
    }

    #[test]
    fn zero_tail_gives_the_identity_reflector() {
        let mut v = [-2.5f32, 0.0, 0.0];
        assert_eq!(make_reflector(&mut v), (-2.5, 0.0));
        assert_eq!(v, [1.0, 0.0, 0.0]);
    }
}
