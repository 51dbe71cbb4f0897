//! Forms `Q = H_0 H_1 .. H_{n-2}` from the reflectors left by [`super::tridiagonalize`], so that the
//! implicit QR iteration can rotate it into the eigenvectors of `A` (LAPACK dorgtr + dsteqr `compz = 'V'`).

use super::householder::apply_to_column;
use crate::Real;

/// Writes `Q` (n x n, column-major) into `q`, reading reflector `k` from column `k` of `a`
/// (rows `k+1..n`, leading 1 stored) and `tau[k]`. Backward accumulation (LAPACK dorg2r): applying
/// `H_k` last-to-first keeps every update inside the trailing block, `4/3 n^3` flops.
pub(crate) fn form_q<T: Real>(a: &[T], n: usize, tau: &[T], q: &mut [T]) {
    q[..n * n].fill(T::ZERO);
    for i in 0..n {
        q[i + i * n] = T::ONE;
    }
    for k in (0..n.saturating_sub(1)).rev() {
        let v = &a[k * n + k + 1..k * n + n];
        let t = tau[k];
        if t == T::ZERO {
            continue;
        }
        for j in k + 2..n {
            apply_to_column(v, t, &mut q[j * n + k + 1..j * n + n]);
        }
        // Column k+1 was e_{k+1} before H_k: it becomes e_{k+1} - tau v.
        let col = &mut q[(k + 1) * n + k + 1..(k + 1) * n + n];
        for (c, &vi) in col.iter_mut().zip(v) {
            *c = -t * vi;
        }
        col[0] += T::ONE;
    }
}
