//! Elementary reflectors `H = I - tau v v^T` with `v[0] = 1` (LAPACK dlarfg / dlarf conventions).

use crate::{Real, simd};

/// Turns `x = [alpha, x_1..]` into a reflector: on return `x = v` (with `v[0] = 1`) and
/// `H [alpha, x_1..]^T = [beta, 0, ..]^T`; returns `(beta, tau)`.
///
/// LAPACK dlarfg: `beta = -sign(alpha) |x|` so that `alpha - beta` never cancels, and
/// `tau = (beta - alpha) / beta` lies in `[1, 2]`. When `x_1.. = 0`, `tau = 0` (`H = I`) and
/// `beta = alpha`. The driver's power-of-two scaling keeps `|x|^2` inside the range, so the norm is
/// taken as a plain SIMD sum of squares.
pub(crate) fn make_reflector<T: Real>(x: &mut [T]) -> (T, T) {
    let Some((alpha, rest)) = x.split_first_mut() else {
        return (T::ZERO, T::ZERO);
    };
    let alpha_v = *alpha;
    let tail_sq = simd::dot(rest, rest);
    *alpha = T::ONE;
    if tail_sq == T::ZERO {
        return (alpha_v, T::ZERO);
    }
    let norm = (alpha_v * alpha_v + tail_sq).sqrt();
    let beta = if alpha_v >= T::ZERO { -norm } else { norm };
    let tau = (beta - alpha_v) / beta;
    simd::scale(T::ONE / (alpha_v - beta), rest);
    (beta, tau)
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
    fn zero_tail_gives_the_identity_reflector() {
        let mut v = [-2.5f32, 0.0, 0.0];
        assert_eq!(make_reflector(&mut v), (-2.5, 0.0));
        assert_eq!(v, [1.0, 0.0, 0.0]);
    }
}
