//! One Jacobi rotation: the 2x2 symmetric eigenproblem and the negligibility test.

use crate::Real;

/// A plane rotation `J = [[c, s], [-s, c]]` that annihilates `a_pq` in `J^T A J`, with `t = s / c`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct JacobiRotation<T> {
    pub c: T,
    pub s: T,
    pub t: T,
}

impl<T: Real> JacobiRotation<T> {
    /// Rotation annihilating `a_pq` of the 2x2 block `[[app, apq], [apq, aqq]]` (`apq != 0`).
    ///
    /// Rutishauser's stable formula: `theta = (aqq - app) / (2 apq)`, `t = sign(theta) / (|theta| +
    /// sqrt(theta^2 + 1))` (the smaller root, |angle| <= pi/4, which makes the method converge), and
    /// `t = 1 / (2 theta)` once `theta^2` would no longer change `theta^2 + 1`, avoiding overflow.
    /// The new diagonal is `app - t apq`, `aqq + t apq`.
    #[inline]
    pub fn annihilate(app: T, aqq: T, apq: T) -> Self {
        let theta = (aqq - app) / (T::TWO * apq);
        let at = theta.abs();
        let t = if at > T::ONE / T::EPSILON {
            T::HALF / theta
        } else {
            (T::ONE / (at + (T::ONE + at * at).sqrt())).copysign(theta)
        };
        let c = T::ONE / (T::ONE + t * t).sqrt();
        JacobiRotation { c, s: t * c, t }
    }
}

/// Demmel–Veselić relative test: `|apq| <= tol * sqrt(|app|) sqrt(|aqq|)`, or `apq` below the
/// smallest normal number (only reachable for entries negligible against the scaled matrix).
///
/// Squared, `apq^2 <= tol^2 |app| |aqq|`, it needs no square root (two off the critical path of every
/// rotation), and is exact up to rounding as long as the right side is a normal number: the driver's
/// scaling keeps every square far from overflow, and an `apq^2` that underflows is then truly below it.
/// Otherwise (tiny diagonals) the square roots are taken separately, which cannot underflow.
#[inline]
pub(crate) fn is_negligible<T: Real>(apq: T, app: T, aqq: T, tol: T) -> bool {
    let x = apq.abs();
    let bound = tol * tol * (app.abs() * aqq.abs());
    if bound >= T::MIN_POSITIVE {
        x * x <= bound
    } else {
        x <= tol * app.abs().sqrt() * aqq.abs().sqrt() || x < T::MIN_POSITIVE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_annihilates(app: f64, aqq: f64, apq: f64) {
        let r = JacobiRotation::annihilate(app, aqq, apq);
        assert!((r.c * r.c + r.s * r.s - 1.0).abs() < 4.0 * f64::EPSILON);
        // (J^T A J)_pq = (c^2 - s^2) apq + c s (app - aqq)
        let off = (r.c * r.c - r.s * r.s) * apq + r.c * r.s * (app - aqq);
        let scale = app.abs().max(aqq.abs()).max(apq.abs());
        assert!(
            off.abs() <= 8.0 * f64::EPSILON * scale,
            "off = {off} for ({app}, {aqq}, {apq})"
        );
        assert!(r.t.abs() <= 1.0, "the small rotation angle is chosen");
    }

    #[test]
    fn rotation_annihilates_the_off_diagonal_entry() {
        check_annihilates(1.0, 2.0, 0.5);
        check_annihilates(2.0, 1.0, -0.5);
        check_annihilates(1.0, 1.0, 1e-3);
        check_annihilates(0.0, 0.0, 1.0);
        check_annihilates(1.0, -1.0, 1e-200);
        check_annihilates(1e-3, 1e3, 1e-300);
    }

    #[test]
    fn relative_test_accepts_small_entries_of_graded_matrices() {
        assert!(is_negligible(1e-40, 1e-20, 1e-20, 1e-16));
        assert!(!is_negligible(1e-30, 1e-20, 1e-20, 1e-16));
        assert!(
            !is_negligible(1e-30, 0.0, 1.0, 1e-16),
            "zero diagonal forces a rotation"
        );
        assert!(is_negligible(0.0, 0.0, 0.0, 1e-16));
        // Squared and square-root forms agree on both sides of the threshold, in and out of range.
        for (app, aqq) in [
            (1.0, 4.0),
            (1e-150, 1e-150),
            (1e-200, 1e100),
            (1e150, 1e150),
            (3e-160, 2e-170),
        ] {
            let edge = 1e-16 * f64::sqrt(app) * f64::sqrt(aqq);
            assert!(is_negligible(0.99 * edge, app, aqq, 1e-16), "({app}, {aqq})");
            assert!(
                !is_negligible(1.01 * edge, app, aqq, 1e-16) || edge < f64::MIN_POSITIVE,
                "({app}, {aqq})"
            );
        }
    }
}
