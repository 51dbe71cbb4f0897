//! Plane (Givens) rotations and the closed-form symmetric 2x2 eigenproblem used by the tridiagonal QR.

use crate::Real;

/// The magnitudes `(lo, hi)` between which `f^2 + g^2` can neither overflow nor lose accuracy to
/// underflow, so a Givens rotation needs no scaling (LAPACK 3.10 dlartg's `rtmin`, `rtmax`, with a
/// margin). Shared by [`givens`] and the lane solver's rotations (`batch::lane_qr`).
#[inline]
pub(crate) fn safe_range<T: Real>() -> (T, T) {
    (T::MIN_POSITIVE.sqrt() * T::from_f64(4.0), T::HALF * T::MAX.sqrt())
}

/// Givens rotation `(c, s, r)` with `c f + s g = r`, `-s f + c g = 0`, `c^2 + s^2 = 1` (LAPACK dlartg).
///
/// The plain `sqrt(f^2 + g^2)` is used when both magnitudes lie in the range where squaring can
/// neither overflow nor underflow; otherwise `f` and `g` are first brought to magnitude ~1 by a power of
/// two (exact), as LAPACK 3.10's dlartg does, and `c`, `s` are formed from the scaled values. Forming
/// them as `f / r`, `g / r` from an unscaled `r` is not enough: a subnormal `r` carries only a few
/// significant bits, and `c^2 + s^2` then missed 1 by `1e-4` in `f32`, which destroyed the
/// orthogonality of the eigenvectors (found by the fuzzer).
#[inline]
pub(crate) fn givens<T: Real>(f: T, g: T) -> (T, T, T) {
    if g == T::ZERO {
        return (T::ONE, T::ZERO, f);
    }
    if f == T::ZERO {
        return (T::ZERO, if g < T::ZERO { -T::ONE } else { T::ONE }, g.abs());
    }
    let (fa, ga) = (f.abs(), g.abs());
    let (lo, hi) = safe_range::<T>();
    if fa > lo && fa < hi && ga > lo && ga < hi {
        let norm = (f * f + g * g).sqrt();
        let r = if f < T::ZERO { -norm } else { norm };
        return (f / r, g / r, r);
    }
    let e = fa.max(ga).exponent();
    let (fs, gs) = (f.scalbn(-e), g.scalbn(-e));
    let norm = fs.hypot(gs);
    let rs = if f < T::ZERO { -norm } else { norm };
    (fs / rs, gs / rs, rs.scalbn(e))
}

/// Eigen-decomposition of `[[a, b], [b, c]]` (LAPACK dlaev2): returns `(rt1, rt2, cs, sn)` with
/// `|rt1| >= |rt2|` and `(cs, sn)` the unit eigenvector of `rt1`.
///
/// `rt1` is computed from `(a + c)/2 +- hypot((a - c)/2, b)` with the sign that avoids cancellation;
/// `rt2` then comes from the determinant, `rt2 = (a c - b^2)/rt1`, evaluated as
/// `(max/rt1) min - (b/rt1) b` so that neither product overflows. The eigenvector is formed from the
/// larger of its two candidate components, which keeps it accurate to a few ulps.
pub(crate) fn symmetric_2x2<T: Real>(a: T, b: T, c: T) -> (T, T, T, T) {
    let sm = a + c;
    let df = a - c;
    let adf = df.abs();
    let tb = b + b;
    let ab = tb.abs();
    let (acmx, acmn) = if a.abs() > c.abs() { (a, c) } else { (c, a) };
    let rt = adf.hypot(ab);
    let (rt1, rt2, sgn1) = if sm < T::ZERO {
        let rt1 = T::HALF * (sm - rt);
        (rt1, (acmx / rt1) * acmn - (b / rt1) * b, -T::ONE)
    } else if sm > T::ZERO {
        let rt1 = T::HALF * (sm + rt);
        (rt1, (acmx / rt1) * acmn - (b / rt1) * b, T::ONE)
    } else {
        (T::HALF * rt, -T::HALF * rt, T::ONE)
    };
    let (cs, sgn2) = if df >= T::ZERO {
        (df + rt, T::ONE)
    } else {
        (df - rt, -T::ONE)
    };
    let (mut cs1, mut sn1);
    if cs.abs() > ab {
        let ct = -tb / cs;
        sn1 = T::ONE / (T::ONE + ct * ct).sqrt();
        cs1 = ct * sn1;
    } else if ab == T::ZERO {
        cs1 = T::ONE;
        sn1 = T::ZERO;
    } else {
        let tn = -cs / tb;
        cs1 = T::ONE / (T::ONE + tn * tn).sqrt();
        sn1 = tn * cs1;
    }
    if sgn1 == sgn2 {
        let tn = cs1;
        cs1 = -sn1;
        sn1 = tn;
    }
    (rt1, rt2, cs1, sn1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn givens_annihilates_the_second_component() {
        for (f, g) in [
            (3.0f64, 4.0),
            (-3.0, 4.0),
            (1e-300, 1e-300),
            (1e300, -1e300),
            (0.0, -2.0),
            (5.0, 0.0),
            (3e-310, -4e-310),
            (1e-320, 2e-315),
        ] {
            let (c, s, r) = givens(f, g);
            let scale = f.abs().max(g.abs());
            assert!((c * c + s * s - 1.0).abs() <= 4.0 * f64::EPSILON);
            assert!((c * f + s * g - r).abs() <= 4.0 * f64::EPSILON * scale);
            assert!((-s * f + c * g).abs() <= 4.0 * f64::EPSILON * scale);
        }
    }

    #[test]
    fn givens_of_subnormal_components_is_orthogonal_f32() {
        for (f, g) in [
            (1e-40f32, 2.5e-40),
            (-3e-41, 7e-39),
            (1e-45, -1e-45),
            (1e-40, 1e-20),
        ] {
            let (c, s, r) = givens(f, g);
            assert!(
                (c * c + s * s - 1.0).abs() <= 4.0 * f32::EPSILON,
                "{f} {g}: {c} {s}"
            );
            assert!(r.abs() >= f.abs().max(g.abs()), "{f} {g}: r = {r}");
        }
    }

    #[test]
    fn closed_form_2x2_satisfies_the_eigen_equations() {
        let cases = [
            (2.0f64, 1.0, 2.0),
            (1.0, 0.0, 3.0),
            (3.0, 0.0, 1.0),
            (-1.0, 1e-9, -1.0),
            (1e-8, 1.0, -1e-8),
            (0.0, 0.0, 0.0),
            (-4.0, 2.0, 1.0),
            (1.0, 1e-20, 1.0 + 1e-15),
            (1e150, 1e150, -1e150),
        ];
        for (a, b, c) in cases {
            let (rt1, rt2, cs, sn) = symmetric_2x2(a, b, c);
            let scale = a.abs().max(b.abs()).max(c.abs()).max(f64::MIN_POSITIVE);
            assert!(rt1.abs() >= rt2.abs(), "{a} {b} {c}");
            assert!((cs * cs + sn * sn - 1.0).abs() <= 4.0 * f64::EPSILON);
            // A [cs, sn]^T = rt1 [cs, sn]^T and the orthogonal vector goes with rt2.
            let tol = 8.0 * f64::EPSILON * scale;
            assert!((a * cs + b * sn - rt1 * cs).abs() <= tol, "{a} {b} {c}");
            assert!((b * cs + c * sn - rt1 * sn).abs() <= tol, "{a} {b} {c}");
            assert!((-a * sn + b * cs + rt2 * sn).abs() <= tol, "{a} {b} {c}");
            assert!((-b * sn + c * cs - rt2 * cs).abs() <= tol, "{a} {b} {c}");
            assert!((rt1 + rt2 - (a + c)).abs() <= tol);
        }
    }
}
