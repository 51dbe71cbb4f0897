//! `eigen compare`: times every eigen-kernels solver against nalgebra and faer on the same seeded matrices,
//! checks the LAPACK accuracy ratios of every result, and writes `report.md`, `results.csv` and `plot.svg`.
//!
//! Timing: after one warm-up solve (whose result is the one checked), each engine is timed in samples of
//! `inner` back-to-back solves (enough for ~100 µs per sample, above timer noise) until a time budget is
//! spent (at least 5 samples); the reported time per matrix is the median sample divided by `inner` (and,
//! for `eigen-kernels batch`, by the [`support::BATCH`] matrices each call solves; its accuracy is that of
//! the shared input matrix in slot 0).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eigen_kernels::accuracy::{orthogonality_ratio, residual_ratio};
use eigen_kernels::{ComputeVectors, Solver};

use crate::io::Dtype;
use crate::support::{self, Engine, Scalar};

/// The accuracy bar (LAPACK `sep.in` threshold) every eigen-kernels result must meet.
pub const RATIO_BAR: f64 = 50.0;

/// Jacobi is timed up to this size (beyond it one solve takes seconds; QR and Auto cover larger n).
pub const JACOBI_MAX_N: usize = 512;

/// What `eigen compare` measures and where it writes.
#[derive(Debug, Clone)]
pub struct CompareConfig {
    /// Matrix sizes.
    pub sizes: Vec<usize>,
    /// Precisions, in order.
    pub precisions: Vec<Dtype>,
    /// Short time budgets (the README's first command).
    pub quick: bool,
    /// Output folder.
    pub out: PathBuf,
}

/// Default sizes: a spread for `--quick`, every benchmark size otherwise.
pub fn default_sizes(quick: bool) -> Vec<usize> {
    if quick {
        vec![3, 8, 32, 128]
    } else {
        support::SIZES.to_vec()
    }
}

/// One engine on one size and precision.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// `"f32"` or `"f64"`.
    pub precision: &'static str,
    /// Matrix size.
    pub n: usize,
    /// Engine name (`"eigen-kernels auto"`, `"nalgebra"`, ...).
    pub library: String,
    /// `true` for eigen-kernels engines.
    pub ours: bool,
    /// Median seconds per matrix (NaN if the solve failed).
    pub seconds: f64,
    /// Timed samples.
    pub samples: usize,
    /// LAPACK residual ratio of the result.
    pub residual: f64,
    /// LAPACK orthogonality ratio of the result.
    pub orthogonality: f64,
    /// The failure, if the solve failed.
    pub error: Option<String>,
}

/// Names of the engines [`run`] times for `n` (for progress totals and table columns).
fn solvers_for(n: usize) -> Vec<Solver> {
    let mut s = vec![];
    if n <= JACOBI_MAX_N {
        s.push(Solver::Jacobi);
    }
    s.push(Solver::Qr);
    s.push(Solver::Auto);
    s
}

/// Whether the batched engine runs at size `n`.
fn batched(n: usize) -> bool {
    (1..=eigen_kernels::batch::MAX_DYN_N).contains(&n)
}

/// Number of engine runs of `cfg` (for a progress bar).
pub fn total_steps(cfg: &CompareConfig) -> usize {
    let per_n = |n: usize| solvers_for(n).len() + 2 + usize::from(batched(n));
    cfg.precisions.len() * cfg.sizes.iter().map(|&n| per_n(n)).sum::<usize>()
}

fn time_engine<T: Scalar>(e: &mut dyn Engine<T>, a: &[T], budget: Duration) -> (f64, usize) {
    let start = Instant::now();
    if e.solve(a).is_err() {
        return (f64::NAN, 0);
    }
    let once = start.elapsed().as_secs_f64().max(1e-9);
    let inner = ((1e-4 / once).ceil() as usize).clamp(1, 10_000);
    let mut samples = Vec::new();
    let begun = Instant::now();
    while samples.len() < 5 || (begun.elapsed() < budget && samples.len() < 1000) {
        let t = Instant::now();
        for _ in 0..inner {
            // Deterministic: the result was checked on the warm-up run.
            let _ = e.solve(a);
        }
        samples.push(t.elapsed().as_secs_f64() / inner as f64);
    }
    let per_solve = e.matrices_per_solve().max(1) as f64;
    samples.iter_mut().for_each(|s| *s /= per_solve);
    samples.sort_by(f64::total_cmp);
    (samples[samples.len() / 2], samples.len())
}

fn measure<T: Scalar>(cfg: &CompareConfig, n: usize, out: &mut Vec<Measurement>, step: &mut dyn FnMut(&str)) {
    let budget = if cfg.quick {
        Duration::from_millis(60)
    } else {
        Duration::from_millis(500)
    };
    let a = support::matrix::<T>(n, support::SEED);
    let (mut engines, skipped) = support::engines::<T>(n, &solvers_for(n), ComputeVectors::Yes);
    if batched(n) {
        // After the single-matrix eigen-kernels engines, before the peers.
        let at = engines.len() - 2;
        engines.insert(at, Box::new(support::OursBatch::<T>::new(n, ComputeVectors::Yes)));
    }
    for s in skipped {
        step(&format!("{} n={n}: skipped {s}", T::NAME));
    }
    for mut e in engines {
        let library = e.name().to_string();
        step(&format!("{} n={n}: {library}", T::NAME));
        let checked = e.solve(&a);
        let (residual, orthogonality) = match (&checked, e.vectors()) {
            (Ok(()), Some(v)) => (residual_ratio(&a, n, e.values(), v), orthogonality_ratio(v, n)),
            _ => (f64::NAN, f64::NAN),
        };
        let (seconds, samples) = match checked {
            Ok(()) => time_engine(e.as_mut(), &a, budget),
            Err(_) => (f64::NAN, 0),
        };
        out.push(Measurement {
            precision: T::NAME,
            n,
            ours: library.starts_with("eigen-kernels"),
            library,
            seconds,
            samples,
            residual,
            orthogonality,
            error: checked.err(),
        });
    }
}

/// Runs every measurement of `cfg`; `step` is called before each engine run with a short label.
pub fn run(cfg: &CompareConfig, mut step: impl FnMut(&str)) -> Vec<Measurement> {
    let mut out = Vec::new();
    for &p in &cfg.precisions {
        for &n in &cfg.sizes {
            match p {
                Dtype::F32 => measure::<f32>(cfg, n, &mut out, &mut step),
                Dtype::F64 => measure::<f64>(cfg, n, &mut out, &mut step),
            }
        }
    }
    out
}

/// eigen-kernels results that failed or exceed [`RATIO_BAR`], as messages.
pub fn failures(ms: &[Measurement]) -> Vec<String> {
    ms.iter()
        .filter(|m| m.ours)
        .filter_map(|m| {
            if let Some(e) = &m.error {
                Some(format!("{} {} n={}: {e}", m.precision, m.library, m.n))
            } else if !(m.residual <= RATIO_BAR && m.orthogonality <= RATIO_BAR) {
                Some(format!(
                    "{} {} n={}: residual ratio {:.2}, orthogonality ratio {:.2} (bar {RATIO_BAR})",
                    m.precision, m.library, m.n, m.residual, m.orthogonality
                ))
            } else {
                None
            }
        })
        .collect()
}

/// Seconds as a short human string (`"812 ns"`, `"3.41 µs"`, `"12.0 ms"`).
pub fn format_seconds(s: f64) -> String {
    if !s.is_finite() {
        return "-".into();
    }
    let (v, unit) = if s < 1e-6 {
        (s * 1e9, "ns")
    } else if s < 1e-3 {
        (s * 1e6, "µs")
    } else if s < 1.0 {
        (s * 1e3, "ms")
    } else {
        (s, "s")
    };
    let digits = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    format!("{v:.digits$} {unit}")
}

fn libraries(ms: &[Measurement]) -> Vec<String> {
    let mut libs: Vec<String> = Vec::new();
    for m in ms {
        if !libs.contains(&m.library) {
            libs.push(m.library.clone());
        }
    }
    libs
}

fn find<'a>(ms: &'a [Measurement], p: &str, n: usize, lib: &str) -> Option<&'a Measurement> {
    ms.iter()
        .find(|m| m.precision == p && m.n == n && m.library == lib)
}

/// The results as a Markdown table per precision: time per matrix of every library, the speedup of
/// `eigen-kernels auto` (and `batch`, where it runs) over each peer (peer time / ours; above 1 means
/// faster), and the worst LAPACK ratios of our solvers.
pub fn markdown_table(ms: &[Measurement]) -> String {
    let libs = libraries(ms);
    let peers: Vec<&String> = libs.iter().filter(|l| !l.starts_with("eigen-kernels")).collect();
    // Speedups (peer time / ours) of the default solver and of the batched one.
    let contenders: Vec<(&str, &str)> = [("auto", "eigen-kernels auto"), ("batch", "eigen-kernels batch")]
        .into_iter()
        .filter(|(_, l)| libs.iter().any(|x| x == l))
        .collect();
    let mut precisions: Vec<&str> = ms.iter().map(|m| m.precision).collect();
    precisions.dedup();
    let mut s = String::new();
    for p in precisions {
        let _ = write!(s, "| {p} n |");
        for l in &libs {
            let _ = write!(s, " {l} |");
        }
        for (short, _) in &contenders {
            for l in &peers {
                let _ = write!(s, " {short} vs {l} |");
            }
        }
        s.push_str(" worst residual | worst orthogonality |\n|---:|");
        for _ in 0..libs.len() + contenders.len() * peers.len() + 2 {
            s.push_str("---:|");
        }
        s.push('\n');
        let mut sizes: Vec<usize> = ms.iter().filter(|m| m.precision == p).map(|m| m.n).collect();
        sizes.dedup();
        for n in sizes {
            let _ = write!(s, "| {n} |");
            for l in &libs {
                let t = find(ms, p, n, l).map_or(f64::NAN, |m| m.seconds);
                let _ = write!(s, " {} |", format_seconds(t));
            }
            for (_, lib) in &contenders {
                let ours = find(ms, p, n, lib).map_or(f64::NAN, |m| m.seconds);
                for l in &peers {
                    let t = find(ms, p, n, l).map_or(f64::NAN, |m| m.seconds);
                    let ratio = t / ours;
                    if ratio.is_finite() {
                        let _ = write!(s, " {ratio:.2}x |");
                    } else {
                        s.push_str(" - |");
                    }
                }
            }
            let worst = |f: fn(&Measurement) -> f64| {
                ms.iter()
                    .filter(|m| m.precision == p && m.n == n && m.ours && m.error.is_none())
                    .map(f)
                    .fold(0.0f64, f64::max)
            };
            let _ = writeln!(
                s,
                " {:.2} | {:.2} |",
                worst(|m| m.residual),
                worst(|m| m.orthogonality)
            );
        }
        s.push('\n');
    }
    s
}

/// The measurements as CSV (one row per engine, size and precision).
pub fn csv(ms: &[Measurement]) -> String {
    let mut s = String::from(
        "precision,n,library,median_seconds_per_matrix,samples,residual_ratio,orthogonality_ratio,error\n",
    );
    for m in ms {
        let _ = writeln!(
            s,
            "{},{},{},{:e},{},{},{},{}",
            m.precision,
            m.n,
            m.library,
            m.seconds,
            m.samples,
            m.residual,
            m.orthogonality,
            m.error.as_deref().unwrap_or("").replace([',', '\n'], ";")
        );
    }
    s
}

/// The CPU model from `/proc/cpuinfo` (or `"unknown CPU"`).
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

/// Today's UTC date as `YYYY-MM-DD` (civil-from-days, H. Hinnant's algorithm).
pub fn utc_date() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The build's description: SIMD level and whether it is optimised.
pub fn build_description() -> String {
    let profile = if cfg!(debug_assertions) {
        "debug build (timings are not meaningful)"
    } else {
        "release build"
    };
    let dispatched = match eigen_kernels::dispatch_level() {
        eigen_kernels::DispatchLevel::Avx2Fma => ", hot kernels dispatched to avx2+fma at run time",
        eigen_kernels::DispatchLevel::Avx512 => {
            ", hot kernels dispatched to avx512 (batches of n >= 7 to avx2+fma) at run time"
        }
        _ => "",
    };
    format!(
        "SIMD level {}{dispatched} ({profile})",
        eigen_kernels::simd_level()
    )
}

/// `report.md`: context, the table, and how to reproduce.
pub fn report_markdown(cfg: &CompareConfig, ms: &[Measurement]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# eigen compare\n");
    let _ = writeln!(s, "- date: {} (UTC)", utc_date());
    let _ = writeln!(s, "- CPU: {}", cpu_model());
    let _ = writeln!(s, "- build: {}", build_description());
    let _ = writeln!(
        s,
        "- mode: {}; single thread; median time per matrix (eigenvalues and eigenvectors) on seeded \
         LAPACK type-13 matrices (uniform entries in (-1, 1)); ratios in LAPACK units (bar {RATIO_BAR})\n",
        if cfg.quick { "--quick" } else { "full" }
    );
    s.push_str(&markdown_table(ms));
    let fails = failures(ms);
    if fails.is_empty() {
        let _ = writeln!(
            s,
            "Every eigen-kernels result meets the accuracy bar (ratios <= {RATIO_BAR})."
        );
    } else {
        let _ = writeln!(s, "Failures:\n");
        for f in fails {
            let _ = writeln!(s, "- {f}");
        }
    }
    s
}

/// Draws `plot.svg`: median time per matrix against n, log-log, one line per library, one panel per
/// precision.
pub fn plot_svg(path: &Path, ms: &[Measurement]) -> Result<(), String> {
    use plotters::prelude::*;
    let err = |e: &dyn std::fmt::Display| format!("cannot draw {}: {e}", path.display());
    let mut precisions: Vec<&str> = ms.iter().map(|m| m.precision).collect();
    precisions.dedup();
    let root = SVGBackend::new(path, (560 * precisions.len().max(1) as u32, 440)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let panels = root.split_evenly((1, precisions.len().max(1)));
    let libs = libraries(ms);
    let finite = || ms.iter().filter(|m| m.seconds.is_finite() && m.seconds > 0.0);
    let (nmin, nmax) = finite().fold((f64::MAX, 1.0f64), |(lo, hi), m| {
        (lo.min(m.n as f64), hi.max(m.n as f64))
    });
    let (tmin, tmax) = finite().fold((f64::MAX, 1e-9f64), |(lo, hi), m| {
        (lo.min(m.seconds), hi.max(m.seconds))
    });
    let (nmin, tmin) = (nmin.min(nmax), tmin.min(tmax));
    for (panel, p) in panels.iter().zip(precisions) {
        let mut chart = ChartBuilder::on(panel)
            .caption(format!("eigh time per matrix ({p})"), ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(
                (nmin * 0.8..nmax * 1.25).log_scale(),
                (tmin * 0.5..tmax * 2.0).log_scale(),
            )
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .x_desc("n")
            .y_desc("seconds")
            .y_label_formatter(&|y| format!("{y:.0e}"))
            .draw()
            .map_err(|e| err(&e))?;
        for (k, lib) in libs.iter().enumerate() {
            let color = Palette99::pick(k).to_rgba();
            let points: Vec<(f64, f64)> = ms
                .iter()
                .filter(|m| m.precision == p && &m.library == lib && m.seconds.is_finite() && m.seconds > 0.0)
                .map(|m| (m.n as f64, m.seconds))
                .collect();
            if points.is_empty() {
                continue;
            }
            chart
                .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
                .map_err(|e| err(&e))?
                .label(lib.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2)));
            chart
                .draw_series(points.into_iter().map(|xy| Circle::new(xy, 3, color.filled())))
                .map_err(|e| err(&e))?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| err(&e))?;
    }
    root.present().map_err(|e| err(&e))?;
    Ok(())
}

/// Writes `report.md`, `results.csv` and `plot.svg` to `cfg.out`.
pub fn write_report(cfg: &CompareConfig, ms: &[Measurement]) -> Result<(), String> {
    std::fs::create_dir_all(&cfg.out).map_err(|e| format!("cannot create {}: {e}", cfg.out.display()))?;
    let write = |name: &str, text: String| {
        let p = cfg.out.join(name);
        std::fs::write(&p, text).map_err(|e| format!("cannot write {}: {e}", p.display()))
    };
    write("report.md", report_markdown(cfg, ms))?;
    write("results.csv", csv(ms))?;
    plot_svg(&cfg.out.join("plot.svg"), ms)
}

/// The widest SIMD level this CPU supports at run time, in [`eigen_kernels::simd_level`]'s names.
pub fn cpu_simd_level() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    {
        let fma = std::arch::is_x86_feature_detected!("fma");
        if std::arch::is_x86_feature_detected!("avx512f") {
            return if fma { "avx512f+fma" } else { "avx512f" };
        }
        if std::arch::is_x86_feature_detected!("avx2") && fma {
            return "avx2+fma";
        }
        if std::arch::is_x86_feature_detected!("avx") {
            return "avx";
        }
    }
    eigen_kernels::simd_level()
}
