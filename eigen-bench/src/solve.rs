//! `eigen solve`: decompose every matrix of a file and write the results as `.npy`.

use std::path::{Path, PathBuf};

use eigen_kernels::{ComputeVectors, Options, Real, Solver, eigh};

use crate::io::{self, Dtype, MatrixStack};

/// What to solve and where to write it.
#[derive(Debug, Clone)]
pub struct SolveRequest {
    /// Input file (`.npy` or Matrix Market; anything else is recognised by its first bytes).
    pub input: PathBuf,
    /// Solver.
    pub solver: Solver,
    /// Eigenvectors or not.
    pub vectors: ComputeVectors,
    /// Working precision; `None` keeps the file's (Matrix Market text: `f64`).
    pub precision: Option<Dtype>,
    /// Eigenvalue output (`.npy`, shape `n` or `B x n`, ascending).
    pub values_out: PathBuf,
    /// Eigenvector output (`.npy`, shape `n x n` or `B x n x n`, eigenvector `j` in column `j`).
    pub vectors_out: Option<PathBuf>,
    /// Use the lower triangle even when the matrix is not symmetric.
    pub symmetrize: bool,
    /// Relative asymmetry accepted without `symmetrize`: `|a_ij - a_ji| <= tol * max|a|`. `None`: the
    /// square root of the file precision's epsilon.
    pub symmetry_tolerance: Option<f64>,
}

/// What a successful solve did (for the one-line summary).
#[derive(Debug, Clone, PartialEq)]
pub struct SolveSummary {
    /// Matrices solved.
    pub count: usize,
    /// Their dimension.
    pub n: usize,
    /// Precision used.
    pub precision: Dtype,
}

/// Reads `path` (format by extension `.mtx` / `.npy`, else by content).
pub fn read_input(path: &Path) -> Result<MatrixStack, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let stack = match ext.as_deref() {
        Some("mtx") => io::read_mtx(&bytes),
        Some("npy") => io::read_npy(&bytes),
        _ => io::read_matrix(&bytes),
    };
    stack.map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs the request: read, check (finite, symmetric), solve, write.
pub fn run(req: &SolveRequest) -> Result<SolveSummary, String> {
    let mut stack = read_input(&req.input)?;
    let here = |e: io::IoError| format!("{}: {e}", req.input.display());
    stack.check_finite().map_err(here)?;
    if req.symmetrize {
        stack.symmetrize_from_lower();
    } else {
        let eps = match stack.dtype {
            Dtype::F32 => f64::from(f32::EPSILON),
            Dtype::F64 => f64::EPSILON,
        };
        let tol = req.symmetry_tolerance.unwrap_or(eps.sqrt());
        stack.check_symmetric(tol).map_err(here)?;
    }
    let precision = req.precision.unwrap_or(stack.dtype);
    match precision {
        Dtype::F32 => solve_all::<f32>(&stack, req)?,
        Dtype::F64 => solve_all::<f64>(&stack, req)?,
    }
    Ok(SolveSummary {
        count: stack.count,
        n: stack.n,
        precision,
    })
}

/// The eigenvalues (`count * n`, ascending per matrix) and, if requested, eigenvectors (`count * n * n`,
/// column-major per matrix) of every matrix of `stack`, solved in `T`.
pub fn decompose<T: Real>(stack: &MatrixStack, opts: &Options) -> Result<(Vec<T>, Option<Vec<T>>), String> {
    let n = stack.n;
    let mut values = Vec::with_capacity(stack.count * n);
    let mut vectors = (opts.vectors == ComputeVectors::Yes).then(|| Vec::with_capacity(stack.count * n * n));
    for k in 0..stack.count {
        let a: Vec<T> = stack.matrix(k).iter().map(|&x| T::from_f64(x)).collect();
        let r = eigh(&a, n, opts).map_err(|e| {
            if stack.count > 1 {
                format!("matrix {k}: {e}")
            } else {
                e.to_string()
            }
        })?;
        values.extend_from_slice(&r.values);
        if let (Some(all), Some(v)) = (vectors.as_mut(), r.vectors) {
            all.extend_from_slice(&v);
        }
    }
    Ok((values, vectors))
}

fn solve_all<T: Real + npyz::Serialize + npyz::AutoSerialize>(
    stack: &MatrixStack,
    req: &SolveRequest,
) -> Result<(), String> {
    let opts = Options::default()
        .with_solver(req.solver)
        .with_vectors(req.vectors);
    let (values, vectors) = decompose::<T>(stack, &opts)?;
    let (b, n) = (stack.count as u64, stack.n as u64);
    let values_shape: Vec<u64> = if stack.stacked { vec![b, n] } else { vec![n] };
    io::write_npy(&req.values_out, &values_shape, &values)?;
    if let (Some(path), Some(v)) = (&req.vectors_out, vectors) {
        // numpy is row-major: element [b, i, j] is entry i of eigenvector j.
        let n = stack.n;
        let mut rows = vec![T::ZERO; v.len()];
        for (m, out) in v
            .chunks_exact((n * n).max(1))
            .zip(rows.chunks_exact_mut((n * n).max(1)))
        {
            for j in 0..n {
                for i in 0..n {
                    out[i * n + j] = m[i + j * n];
                }
            }
        }
        let shape: Vec<u64> = if stack.stacked {
            vec![b, n as u64, n as u64]
        } else {
            vec![n as u64, n as u64]
        };
        io::write_npy(path, &shape, &rows)?;
    }
    Ok(())
}
