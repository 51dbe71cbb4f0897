//! Readers for the matrix files `eigen solve` accepts, over bytes, never panicking (fuzzed by `fuzz/`):
//!
//! - [`read_npy`]: NumPy `.npy` (via the `npyz` crate): `f4`/`f8` of either byte order, C or Fortran
//!   order, shape `(n, n)` or a stack `(B, n, n)`.
//! - [`read_mtx`]: Matrix Market (our own parser): `coordinate` or `array`, `real` or `integer`,
//!   `general`, `symmetric` or `skew-symmetric` (lower triangle only). Coordinate entries given twice
//!   are summed.
//!
//! Both return a [`MatrixStack`]: column-major `n x n` matrices widened to `f64` (exact for `f32` input),
//! with the file's precision kept in [`MatrixStack::dtype`]. The element count is capped
//! ([`DEFAULT_MAX_ELEMENTS`], or the `*_limited` variants) so a forged header cannot exhaust memory.
//! [`write_npy`] writes results back.

use std::fmt;

use npyz::WriterBuilder;

/// Largest number of matrix entries (all matrices together) the default readers accept: 2^27
/// (1 GiB of `f64`).
pub const DEFAULT_MAX_ELEMENTS: u64 = 1 << 27;

/// The floating-point type a file stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dtype {
    /// 32-bit IEEE float.
    F32,
    /// 64-bit IEEE float (also used for Matrix Market text).
    F64,
}

/// Square matrices read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixStack {
    /// Number of matrices.
    pub count: usize,
    /// Matrix dimension.
    pub n: usize,
    /// `true` when the file held a 3-D stack (outputs keep the leading batch axis, even for `B = 1`).
    pub stacked: bool,
    /// Precision of the file's values.
    pub dtype: Dtype,
    /// `count` column-major `n x n` matrices, one after the other.
    pub data: Vec<f64>,
}

/// Why a file could not be used as a symmetric matrix (or a stack of them).
#[derive(Debug, Clone, PartialEq)]
pub enum IoError {
    /// The bytes are not a valid file of the format.
    Malformed(String),
    /// The array's element type is not `f32`/`f64` (the dtype as the file spells it).
    UnsupportedDtype(String),
    /// The array is not 2-D or 3-D.
    NotAMatrix {
        /// The file's shape.
        shape: Vec<u64>,
    },
    /// Rows and columns differ.
    NotSquare {
        /// Rows.
        rows: u64,
        /// Columns.
        cols: u64,
    },
    /// More entries than the reader's limit.
    TooLarge {
        /// Entries in the file's shape.
        elements: u64,
        /// The limit.
        limit: u64,
    },
    /// An entry is NaN or infinite (0-based positions).
    NonFinite {
        /// Matrix index in the stack.
        matrix: usize,
        /// Row.
        row: usize,
        /// Column.
        col: usize,
    },
    /// `|a_ij - a_ji| > tol * max|a|` (0-based positions, `row > col`).
    Asymmetric {
        /// Matrix index in the stack.
        matrix: usize,
        /// Row.
        row: usize,
        /// Column.
        col: usize,
        /// `|a_ij - a_ji|`.
        difference: f64,
    },
}

/// Displays a string with every run of whitespace (newlines included) as one space.
struct OneLine<'a>(&'a str);

impl fmt::Display for OneLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, word) in self.0.split_whitespace().enumerate() {
            if k > 0 {
                f.write_str(" ")?;
            }
            f.write_str(word)?;
        }
        Ok(())
    }
}

impl fmt::Display for IoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Text taken from files can hold newlines: the message stays on one line.
            IoError::Malformed(why) => write!(f, "not a valid matrix file: {}", OneLine(why)),
            IoError::UnsupportedDtype(d) => {
                let d = OneLine(d);
                write!(
                    f,
                    "unsupported dtype {d} (only float32 and float64 are supported)"
                )
            }
            IoError::NotAMatrix { shape } => write!(
                f,
                "not a matrix: shape {shape:?} (expected n x n or a stack B x n x n)"
            ),
            IoError::NotSquare { rows, cols } => {
                write!(f, "matrix is not square: {rows} x {cols}")
            }
            IoError::TooLarge { elements, limit } => {
                write!(f, "too large: {elements} entries (the limit is {limit})")
            }
            IoError::NonFinite { matrix, row, col } => write!(
                f,
                "non-finite entry (NaN or infinity) at row {row}, column {col} (0-based) of matrix {matrix}"
            ),
            IoError::Asymmetric {
                matrix,
                row,
                col,
                difference,
            } => write!(
                f,
                "matrix {matrix} is not symmetric: entries ({row}, {col}) and ({col}, {row}) differ by {difference:e} \
                 (0-based); pass --symmetrize to use the lower triangle"
            ),
        }
    }
}

impl std::error::Error for IoError {}

impl MatrixStack {
    /// Matrix `k` (column-major `n x n`).
    pub fn matrix(&self, k: usize) -> &[f64] {
        let nn = self.n * self.n;
        self.data.get(k * nn..(k + 1) * nn).unwrap_or(&[])
    }

    /// The first NaN or infinite entry (matrix order, then column-major), as an error.
    pub fn check_finite(&self) -> Result<(), IoError> {
        let nn = (self.n * self.n).max(1);
        match self.data.iter().position(|x| !x.is_finite()) {
            None => Ok(()),
            Some(p) => Err(IoError::NonFinite {
                matrix: p / nn,
                row: (p % nn) % self.n.max(1),
                col: (p % nn) / self.n.max(1),
            }),
        }
    }

    /// Checks `|a_ij - a_ji| <= rel_tol * max_ij |a_ij|` for every matrix, reporting the worst pair of the
    /// first matrix that fails.
    pub fn check_symmetric(&self, rel_tol: f64) -> Result<(), IoError> {
        let n = self.n;
        for k in 0..self.count {
            let a = self.matrix(k);
            let scale = a.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            let mut worst = (0.0f64, 0, 0);
            for j in 0..n {
                for i in j + 1..n {
                    let d = (a[i + j * n] - a[j + i * n]).abs();
                    if d > worst.0 {
                        worst = (d, i, j);
                    }
                }
            }
            if worst.0 > rel_tol * scale {
                return Err(IoError::Asymmetric {
                    matrix: k,
                    row: worst.1,
                    col: worst.2,
                    difference: worst.0,
                });
            }
        }
        Ok(())
    }

    /// Copies each matrix's lower triangle onto its upper triangle.
    pub fn symmetrize_from_lower(&mut self) {
        let n = self.n;
        for a in self.data.chunks_exact_mut((n * n).max(1)) {
            for j in 0..n {
                for i in j + 1..n {
                    a[j + i * n] = a[i + j * n];
                }
            }
        }
    }
}

/// Parser messages (pest's point at the offending column over several lines) as one line.
/// A reader's error as [`IoError::Malformed`], on one line (npyz's parse errors span several).
fn malformed(e: impl fmt::Display) -> IoError {
    IoError::Malformed(OneLine(&e.to_string()).to_string())
}

/// Reads a `.npy` file (see the module docs) with the [`DEFAULT_MAX_ELEMENTS`] cap.
pub fn read_npy(bytes: &[u8]) -> Result<MatrixStack, IoError> {
    read_npy_limited(bytes, DEFAULT_MAX_ELEMENTS)
}

/// Reads a `.npy` file accepting at most `max_elements` entries.
pub fn read_npy_limited(bytes: &[u8], max_elements: u64) -> Result<MatrixStack, IoError> {
    npy_guard(bytes, max_elements)?;
    let file = npyz::NpyFile::new(bytes).map_err(|e| malformed(format!("npy: {e}")))?;
    let shape = file.shape().to_vec();
    let (count, rows, cols, stacked) = match *shape.as_slice() {
        [r, c] => (1, r, c, false),
        [b, r, c] => (b, r, c, true),
        _ => return Err(IoError::NotAMatrix { shape }),
    };
    if rows != cols {
        return Err(IoError::NotSquare { rows, cols });
    }
    let elements = count
        .checked_mul(rows)
        .and_then(|x| x.checked_mul(cols))
        .unwrap_or(u64::MAX);
    if elements > max_elements {
        return Err(IoError::TooLarge {
            elements,
            limit: max_elements,
        });
    }
    let descr = file.dtype().descr();
    let dtype = match &file.dtype() {
        npyz::DType::Plain(ts) => match (ts.type_char(), ts.size_field()) {
            (npyz::TypeChar::Float, 4) => Dtype::F32,
            (npyz::TypeChar::Float, 8) => Dtype::F64,
            _ => return Err(IoError::UnsupportedDtype(descr)),
        },
        _ => return Err(IoError::UnsupportedDtype(descr)),
    };
    let item = if dtype == Dtype::F32 { 4 } else { 8 };
    // The data must be present before anything is allocated for it.
    if elements.saturating_mul(item) > bytes.len() as u64 {
        return Err(IoError::Malformed(format!(
            "npy: the header announces {elements} entries but the file is only {} bytes",
            bytes.len()
        )));
    }
    let order = file.order();
    let flat: Vec<f64> = match dtype {
        Dtype::F32 => file
            .into_vec::<f32>()
            .map_err(|e| IoError::Malformed(format!("npy data: {e}")))?
            .into_iter()
            .map(f64::from)
            .collect(),
        Dtype::F64 => file
            .into_vec::<f64>()
            .map_err(|e| IoError::Malformed(format!("npy data: {e}")))?,
    };
    let (count, n) = (count as usize, rows as usize);
    if flat.len() != count * n * n {
        return Err(IoError::Malformed(
            "npy: data length does not match the shape".into(),
        ));
    }
    let nn = n * n;
    let mut data = vec![0.0; flat.len()];
    for b in 0..count {
        for j in 0..n {
            for i in 0..n {
                data[b * nn + i + j * n] = match order {
                    npyz::Order::C => flat[b * nn + i * n + j],
                    // Fortran order of (B, n, n): the batch index varies fastest.
                    npyz::Order::Fortran => flat[b + count * (i + n * j)],
                };
            }
        }
    }
    Ok(MatrixStack {
        count,
        n,
        stacked,
        dtype,
        data,
    })
}

/// Checks what npyz would trust blindly before handing it the bytes: the header length (npyz allocates
/// it, up to 4 GiB for format 2.0) must fit in the file, and the product of the `shape` entries must not
/// overflow (npyz multiplies them unchecked) and must respect `max_elements`.
/// Deepest bracket nesting accepted in a `.npy` header (a plain float array needs 2).
const MAX_HEADER_DEPTH: usize = 3;

fn npy_guard(bytes: &[u8], max_elements: u64) -> Result<(), IoError> {
    let bad = |why: &str| IoError::Malformed(format!("npy: {why}"));
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(bad("missing the \\x93NUMPY magic string"));
    }
    let (len, start): (usize, usize) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        v => return Err(bad(&format!("unsupported format version {v}"))),
    };
    let header = bytes
        .get(start..start.saturating_add(len))
        .ok_or_else(|| bad("the header is longer than the file"))?;
    let text = std::str::from_utf8(header).map_err(|_| bad("the header is not text"))?;
    // A float array's header dict nests two levels (`{... 'shape': (..)}`); npyz's backtracking
    // parser takes time exponential in the nesting depth (a fuzzed header of 40 `{` ran past 10 s),
    // so deeper headers are refused before it sees them.
    let mut depth = 0usize;
    for ch in text.chars() {
        match ch {
            '{' | '(' | '[' => {
                depth += 1;
                if depth > MAX_HEADER_DEPTH {
                    return Err(bad("the header nests deeper than a float array's"));
                }
            }
            '}' | ')' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    // The shape tuple: `'shape': (d0, d1, ...)`; anything unusual is left to npyz's parser.
    if let Some(at) = text.find("'shape'")
        && let Some(open) = text[at..].find('(')
        && let Some(close) = text[at + open..].find(')')
    {
        let inner = &text[at + open + 1..at + open + close];
        let mut elements = 1u64;
        for d in inner.split(',').map(str::trim).filter(|d| !d.is_empty()) {
            let d: u64 = d
                .parse()
                .map_err(|_| bad(&format!("shape entry {d:?} is not a size")))?;
            // Zero-length axes too: npyz's strides multiply the other axes unchecked.
            elements = elements.saturating_mul(d.max(1));
        }
        if elements > max_elements {
            return Err(IoError::TooLarge {
                elements,
                limit: max_elements,
            });
        }
    }
    Ok(())
}

/// Reads a Matrix Market file (see the module docs) with the [`DEFAULT_MAX_ELEMENTS`] cap.
pub fn read_mtx(bytes: &[u8]) -> Result<MatrixStack, IoError> {
    read_mtx_limited(bytes, DEFAULT_MAX_ELEMENTS)
}

/// Reads a Matrix Market file whose dense form has at most `max_elements` entries.
///
/// Own parser of the NIST format (Boisvert, Pozo, Remington, "The Matrix Market Exchange Formats",
/// 1996): the size line is checked against the cap before anything is allocated, every index and
/// count is range-checked, and symmetric/skew-symmetric files must list the lower triangle only.
pub fn read_mtx_limited(bytes: &[u8], max_elements: u64) -> Result<MatrixStack, IoError> {
    let bad = |msg: String| IoError::Malformed(format!("Matrix Market: {msg}"));
    let text = std::str::from_utf8(bytes).map_err(|e| bad(format!("not UTF-8 text ({e})")))?;
    let mut lines = text.lines().enumerate();
    let header = lines.next().map(|(_, l)| l).unwrap_or("").to_ascii_lowercase();
    let words: Vec<&str> = header.split_whitespace().collect();
    if words.first() != Some(&"%%matrixmarket") {
        return Err(bad("the first line must start with %%MatrixMarket".into()));
    }
    if words.len() != 5 || words[1] != "matrix" {
        return Err(bad(
            "the header must read `%%MatrixMarket matrix FORMAT FIELD SYMMETRY`".into(),
        ));
    }
    let coordinate = match words[2] {
        "coordinate" => true,
        "array" => false,
        f => return Err(bad(format!("unknown format `{f}`"))),
    };
    let integer = match words[3] {
        "real" | "double" => false,
        "integer" => true,
        f @ ("complex" | "pattern") => {
            return Err(IoError::UnsupportedDtype(format!("Matrix Market {f}")));
        }
        f => return Err(bad(format!("unknown field `{f}`"))),
    };
    let symmetry = match words[4] {
        "general" => MtxSymmetry::General,
        "symmetric" | "hermitian" => MtxSymmetry::Symmetric,
        "skew-symmetric" => MtxSymmetry::Skew,
        s => return Err(bad(format!("unknown symmetry `{s}`"))),
    };
    // Data lines: everything but comments and blank lines, with their 1-based line numbers.
    let mut data_lines = lines.filter_map(|(k, l)| {
        let t = l.trim();
        (!t.is_empty() && !t.starts_with('%')).then_some((k + 1, t))
    });
    let (size_line, size) = data_lines.next().ok_or_else(|| bad("no size line".into()))?;
    let dims: Vec<u64> = size
        .split_whitespace()
        .map(|w| w.parse::<u64>())
        .collect::<Result<_, _>>()
        .map_err(|e| bad(format!("line {size_line}: bad size ({e})")))?;
    let (rows, cols, nnz) = match (coordinate, dims.as_slice()) {
        (true, &[r, c, z]) => (r, c, Some(z)),
        (false, &[r, c]) => (r, c, None),
        _ => {
            return Err(bad(format!(
                "line {size_line}: the size line must hold {} integers",
                if coordinate {
                    "rows, cols, entries: 3"
                } else {
                    "rows, cols: 2"
                }
            )));
        }
    };
    if rows != cols {
        return Err(IoError::NotSquare { rows, cols });
    }
    let elements = rows.saturating_mul(cols);
    if elements > max_elements {
        return Err(IoError::TooLarge {
            elements,
            limit: max_elements,
        });
    }
    let n = usize::try_from(rows).map_err(|_| bad("size does not fit in memory".into()))?;
    let mut data = vec![0.0; n * n];
    let value = |w: &str, line: usize| -> Result<f64, IoError> {
        if integer {
            w.parse::<i64>()
                .map(|v| v as f64)
                .map_err(|e| bad(format!("line {line}: bad integer `{w}` ({e})")))
        } else {
            w.parse::<f64>()
                .map_err(|e| bad(format!("line {line}: bad real `{w}` ({e})")))
        }
    };
    // Checks that (i, j) (0-based) may appear in a file of this symmetry.
    let triangle_ok = |i: usize, j: usize| match symmetry {
        MtxSymmetry::General => true,
        MtxSymmetry::Symmetric => i >= j,
        MtxSymmetry::Skew => i > j,
    };
    let mut put = |i: usize, j: usize, v: f64| {
        data[i + j * n] += v;
        if i != j {
            match symmetry {
                MtxSymmetry::General => {}
                MtxSymmetry::Symmetric => data[j + i * n] += v,
                MtxSymmetry::Skew => data[j + i * n] -= v,
            }
        }
    };
    let mut count: u64 = 0;
    if let Some(nnz) = nnz {
        if nnz > elements {
            return Err(bad(format!(
                "{nnz} entries declared for a {rows} x {cols} matrix"
            )));
        }
        for (line, l) in data_lines.by_ref() {
            if count == nnz {
                return Err(bad(format!("line {line}: more than the {nnz} declared entries")));
            }
            let w: Vec<&str> = l.split_whitespace().collect();
            let [wi, wj, wv] = w.as_slice() else {
                return Err(bad(format!("line {line}: an entry is `row col value`")));
            };
            let index = |w: &str| -> Result<usize, IoError> {
                w.parse::<usize>()
                    .ok()
                    .filter(|&k| (1..=n).contains(&k))
                    .map(|k| k - 1)
                    .ok_or_else(|| bad(format!("line {line}: index `{w}` outside 1..={n}")))
            };
            let (i, j) = (index(wi)?, index(wj)?);
            if !triangle_ok(i, j) {
                return Err(bad(format!(
                    "line {line}: a {} file lists the {} triangle only",
                    words[4],
                    if matches!(symmetry, MtxSymmetry::Skew) {
                        "strictly lower"
                    } else {
                        "lower"
                    }
                )));
            }
            put(i, j, value(wv, line)?);
            count += 1;
        }
        if count != nnz {
            return Err(bad(format!("{count} entries found, {nnz} declared")));
        }
    } else {
        // Column-major; a symmetric (skew) file lists the lower (strictly lower) triangle.
        let mut slots = (0..n)
            .flat_map(|j| (0..n).map(move |i| (i, j)))
            .filter(|&(i, j)| triangle_ok(i, j));
        for (line, l) in data_lines.by_ref() {
            for w in l.split_whitespace() {
                let Some((i, j)) = slots.next() else {
                    return Err(bad(format!("line {line}: more values than the matrix holds")));
                };
                put(i, j, value(w, line)?);
            }
        }
        if slots.next().is_some() {
            return Err(bad("fewer values than the matrix holds".into()));
        }
    }
    Ok(MatrixStack {
        count: 1,
        n,
        stacked: false,
        dtype: Dtype::F64,
        data,
    })
}

/// Symmetry declared in a Matrix Market header (`hermitian` reads as symmetric for real data).
#[derive(Clone, Copy)]
enum MtxSymmetry {
    General,
    Symmetric,
    Skew,
}

/// Reads `bytes` as Matrix Market when they start with `%%MatrixMarket` (any case), else as `.npy`.
pub fn read_matrix(bytes: &[u8]) -> Result<MatrixStack, IoError> {
    if bytes.len() >= 14 && bytes[..14].eq_ignore_ascii_case(b"%%matrixmarket") {
        read_mtx(bytes)
    } else {
        read_npy(bytes)
    }
}

/// A `.npy` file (C order, little-endian) of `shape` holding `data` in row-major order.
pub fn npy_bytes<T: npyz::Serialize + npyz::AutoSerialize + Copy>(
    shape: &[u64],
    data: &[T],
) -> Result<Vec<u8>, IoError> {
    npy_bytes_in_order(shape, data, npyz::Order::C)
}

/// A `.npy` file of `shape` holding `data` in `order` (row-major for C, column-major for Fortran).
pub fn npy_bytes_in_order<T: npyz::Serialize + npyz::AutoSerialize + Copy>(
    shape: &[u64],
    data: &[T],
    order: npyz::Order,
) -> Result<Vec<u8>, IoError> {
    let mut out = Vec::new();
    {
        let mut w = npyz::WriteOptions::new()
            .default_dtype()
            .shape(shape)
            .order(order)
            .writer(&mut out)
            .begin_nd()
            .map_err(malformed)?;
        w.extend(data.iter().copied()).map_err(malformed)?;
        w.finish().map_err(malformed)?;
    }
    Ok(out)
}

/// Writes [`npy_bytes`] to `path`; the error message names the file.
pub fn write_npy<T: npyz::Serialize + npyz::AutoSerialize + Copy>(
    path: &std::path::Path,
    shape: &[u64],
    data: &[T],
) -> Result<(), String> {
    let bytes = npy_bytes(shape, data).map_err(|e| e.to_string())?;
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn npy_with_order<T: npyz::Serialize + npyz::AutoSerialize + Copy>(
        shape: &[u64],
        data: &[T],
        order: npyz::Order,
    ) -> Vec<u8> {
        npy_bytes_in_order(shape, data, order).unwrap()
    }

    #[test]
    fn c_and_fortran_order_give_the_same_matrix() {
        // Row-major [[1, 2], [3, 4]]: column-major 1, 3, 2, 4.
        let c = read_npy(&npy_bytes(&[2, 2], &[1.0f64, 2.0, 3.0, 4.0]).unwrap()).unwrap();
        let f = read_npy(&npy_with_order(
            &[2, 2],
            &[1.0f64, 3.0, 2.0, 4.0],
            npyz::Order::Fortran,
        ))
        .unwrap();
        assert_eq!(c.data, vec![1.0, 3.0, 2.0, 4.0]);
        assert_eq!(c, f);
        assert!(!c.stacked && c.count == 1 && c.dtype == Dtype::F64);
    }

    #[test]
    fn stacks_read_in_both_orders_and_f32_is_widened() {
        // Two 2x2 matrices, C order: A0 = [[0,1],[2,3]], A1 = [[4,5],[6,7]].
        let flat: Vec<f32> = (0..8).map(|x| x as f32).collect();
        let c = read_npy(&npy_bytes(&[2, 2, 2], &flat).unwrap()).unwrap();
        assert_eq!(c.data, vec![0.0, 2.0, 1.0, 3.0, 4.0, 6.0, 5.0, 7.0]);
        assert!(c.stacked && c.count == 2 && c.dtype == Dtype::F32);
        // The same array in Fortran order: element (b, i, j) at b + 2 (i + 2 j).
        let mut fortran = vec![0.0f32; 8];
        for b in 0..2 {
            for i in 0..2 {
                for j in 0..2 {
                    fortran[b + 2 * (i + 2 * j)] = flat[b * 4 + i * 2 + j];
                }
            }
        }
        let f = read_npy(&npy_with_order(&[2, 2, 2], &fortran, npyz::Order::Fortran)).unwrap();
        assert_eq!(c, f);
    }

    #[test]
    fn npy_shapes_and_dtypes_that_are_not_square_float_matrices_are_rejected() {
        let e = read_npy(&npy_bytes(&[4], &[1.0f64; 4]).unwrap()).unwrap_err();
        assert!(matches!(e, IoError::NotAMatrix { .. }), "{e}");
        let e = read_npy(&npy_bytes(&[2, 3], &[1.0f64; 6]).unwrap()).unwrap_err();
        assert_eq!(e, IoError::NotSquare { rows: 2, cols: 3 });
        let e = read_npy(&npy_bytes(&[2, 2], &[1i32; 4]).unwrap()).unwrap_err();
        assert!(matches!(e, IoError::UnsupportedDtype(_)), "{e}");
        let e = read_npy(b"\x93NUMPY garbage").unwrap_err();
        assert!(matches!(e, IoError::Malformed(_)), "{e}");
    }

    #[test]
    fn forged_npy_sizes_fail_before_allocating() {
        let mut bytes = npy_bytes(&[3, 3], &[1.0f64; 9]).unwrap();
        bytes.truncate(bytes.len() - 8);
        assert!(matches!(read_npy(&bytes), Err(IoError::Malformed(_))));
        // Headers announcing far more data than the file holds.
        let forged = |shape: &str| {
            let dict = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}");
            let mut b = b"\x93NUMPY\x01\x00".to_vec();
            b.extend_from_slice(&(dict.len() as u16 + 1).to_le_bytes());
            b.extend_from_slice(dict.as_bytes());
            b.push(b'\n');
            b.extend_from_slice(&[0u8; 64]);
            b
        };
        assert!(matches!(
            read_npy(&forged("(1048576, 1048576)")),
            Err(IoError::TooLarge { .. })
        ));
        assert!(matches!(
            read_npy(&forged("(100, 100)")),
            Err(IoError::Malformed(_))
        ));
        assert!(read_npy(&forged("(18446744073709551615, 4294967296, 4294967296)")).is_err());
        assert!(read_npy(&forged("(0, 4294967296, 4294967296)")).is_err());
        let mut v2 = forged("(2, 2)");
        v2[6] = 2;
        assert!(read_npy(&v2).is_err());
        let small = npy_bytes(&[2, 2], &[1.0f64; 4]).unwrap();
        assert!(matches!(
            read_npy_limited(&small, 3),
            Err(IoError::TooLarge { elements: 4, .. })
        ));
    }

    #[test]
    fn symmetric_coordinate_mtx_mirrors_the_lower_triangle() {
        let text = "%%MatrixMarket matrix coordinate real symmetric\n% comment\n3 3 4\n1 1 2.0\n2 1 -1\n3 3 5e0\n3 2 0.5\n";
        let m = read_mtx(text.as_bytes()).unwrap();
        assert_eq!(m.n, 3);
        assert_eq!(m.data, vec![2.0, -1.0, 0.0, -1.0, 0.0, 0.5, 0.0, 0.5, 5.0]);
        assert_eq!(read_matrix(text.as_bytes()).unwrap(), m);
    }

    #[test]
    fn general_array_mtx_is_column_major_and_integer_fields_are_read() {
        let text = "%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n4\n";
        assert_eq!(read_mtx(text.as_bytes()).unwrap().data, vec![1.0, 2.0, 3.0, 4.0]);
        let text = "%%MatrixMarket matrix coordinate integer general\n2 2 2\n1 1 7\n2 2 -3\n";
        assert_eq!(read_mtx(text.as_bytes()).unwrap().data, vec![7.0, 0.0, 0.0, -3.0]);
    }

    #[test]
    fn bad_mtx_files_are_errors() {
        let e = read_mtx(b"%%MatrixMarket matrix coordinate real general\n2 3 0\n").unwrap_err();
        assert_eq!(e, IoError::NotSquare { rows: 2, cols: 3 });
        let e = read_mtx(b"%%MatrixMarket matrix coordinate pattern general\n2 2 1\n1 1\n").unwrap_err();
        assert!(matches!(e, IoError::UnsupportedDtype(_)), "{e}");
        let e = read_mtx(b"%%MatrixMarket matrix coordinate real general\n2 2 1\n3 1 1.0\n").unwrap_err();
        assert!(matches!(e, IoError::Malformed(_)), "{e}");
        let e = read_mtx(b"hello").unwrap_err();
        assert!(matches!(e, IoError::Malformed(_)), "{e}");
        let e = read_mtx_limited(
            b"%%MatrixMarket matrix coordinate real general\n100000 100000 0\n",
            1 << 20,
        )
        .unwrap_err();
        assert!(matches!(e, IoError::TooLarge { .. }), "{e}");
    }

    #[test]
    fn npy_header_parse_errors_are_one_line() {
        let mut bytes = npy_bytes(&[2, 2], &[1.0f64; 4]).unwrap();
        // Corrupt the header dict after its closing brace (the fuzz find of 2026-11-27).
        let close = bytes.iter().position(|&b| b == b'}').unwrap();
        bytes[close + 3] = b'!';
        let e = read_npy(&bytes).unwrap_err();
        assert!(matches!(e, IoError::Malformed(_)), "{e}");
        assert!(!e.to_string().contains('\n'), "{e}");
    }

    #[test]
    fn deeply_nested_npy_headers_are_refused_before_parsing() {
        let mut bytes = npy_bytes(&[2, 2], &[1.0f64; 4]).unwrap();
        // Overwrite the header's padding with 40 `{` (the fuzz timeout of 2026-11-27).
        let close = bytes.iter().position(|&b| b == b'}').unwrap();
        let end = bytes.iter().position(|&b| b == b'\n').unwrap();
        assert!(end - close > 45);
        bytes[close - 40..close].fill(b'{');
        let e = read_npy(&bytes).unwrap_err();
        assert!(e.to_string().contains("nests deeper"), "{e}");
    }

    #[test]
    fn forged_mtx_sizes_and_indices_are_errors_not_panics() {
        // The fuzz crash of CI stop 8: a 5 x 3 header and a 52-digit column index.
        let crash = b"%%MatrixMarket matrix coordinate integer general\n5 3 3\n1 1 5\n2 55555555555555555555555555555555555555555555555551 3\n1 2 3\n";
        assert_eq!(
            read_mtx(crash).unwrap_err(),
            IoError::NotSquare { rows: 5, cols: 3 }
        );
        let huge_index =
            b"%%MatrixMarket matrix coordinate real general\n2 2 1\n2 55555555555555555555555551 3\n";
        assert!(matches!(read_mtx(huge_index), Err(IoError::Malformed(_))));
        let huge_count = b"%%MatrixMarket matrix coordinate real general\n2 2 18446744073709551615\n1 1 1\n";
        assert!(matches!(read_mtx(huge_count), Err(IoError::Malformed(_))));
        let huge_size =
            b"%%MatrixMarket matrix array real general\n18446744073709551615 18446744073709551615\n";
        assert!(matches!(read_mtx(huge_size), Err(IoError::TooLarge { .. })));
        let short = b"%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1\n";
        assert!(matches!(read_mtx(short), Err(IoError::Malformed(_))));
        let upper = b"%%MatrixMarket matrix coordinate real symmetric\n2 2 1\n1 2 1\n";
        assert!(matches!(read_mtx(upper), Err(IoError::Malformed(_))));
        let fractional = b"%%MatrixMarket matrix coordinate integer general\n1 1 1\n1 1 1.5\n";
        assert!(matches!(read_mtx(fractional), Err(IoError::Malformed(_))));
    }

    #[test]
    fn symmetric_and_skew_array_mtx_fill_both_triangles() {
        let text = "%%MatrixMarket matrix array real symmetric\n2 2\n1 2\n3\n";
        assert_eq!(read_mtx(text.as_bytes()).unwrap().data, vec![1.0, 2.0, 2.0, 3.0]);
        let text = "%%MatrixMarket matrix array real skew-symmetric\n2 2\n4\n";
        assert_eq!(read_mtx(text.as_bytes()).unwrap().data, vec![0.0, 4.0, -4.0, 0.0]);
        let text = "%%MatrixMarket matrix array real general\n2 2\n1 2 3\n";
        assert!(matches!(read_mtx(text.as_bytes()), Err(IoError::Malformed(_))));
    }

    #[test]
    fn finiteness_and_symmetry_checks_report_positions() {
        let mut m = MatrixStack {
            count: 2,
            n: 2,
            stacked: true,
            dtype: Dtype::F64,
            data: vec![1.0, 2.0, 2.0, 1.0, 1.0, 0.0, f64::NAN, 1.0],
        };
        assert_eq!(
            m.check_finite(),
            Err(IoError::NonFinite {
                matrix: 1,
                row: 0,
                col: 1
            })
        );
        m.data[6] = 0.5;
        assert!(matches!(
            m.check_symmetric(1e-10),
            Err(IoError::Asymmetric {
                matrix: 1,
                row: 1,
                col: 0,
                ..
            })
        ));
        m.symmetrize_from_lower();
        assert_eq!(m.check_symmetric(0.0), Ok(()));
        assert_eq!(m.matrix(1), &[1.0, 0.0, 0.0, 1.0]);
    }
}
