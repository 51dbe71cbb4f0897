//! `eigen`: symmetric eigendecomposition from the command line.
//!
//! - `eigen compare [--quick] [--out DIR] [--sizes 3,8,..] [--f32|--f64]`: eigen-kernels against nalgebra
//!   and faer on this machine (see `eigen_bench::compare`).
//! - `eigen solve INPUT --values OUT.npy [--vectors OUT.npy] ...`: decompose the matrices of a `.npy` or
//!   Matrix Market file (see `eigen_bench::solve`).
//!
//! Errors are one line on stderr and exit code 1 (2 for a command-line usage error); never a panic.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use eigen_bench::compare::{self, CompareConfig};
use eigen_bench::io::Dtype;
use eigen_bench::solve::{self, SolveRequest};
use eigen_kernels::{ComputeVectors, Solver};

#[derive(Parser)]
#[command(
    name = "eigen",
    version,
    about = "Symmetric eigendecomposition with eigen-kernels"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Time eigen-kernels against nalgebra and faer on this machine and check every result's accuracy.
    Compare {
        /// Short run (a few sizes, short timings): under two minutes on two cores.
        #[arg(long)]
        quick: bool,
        /// Output folder for report.md, results.csv and plot.svg.
        #[arg(long, default_value = "target/eigen-report")]
        out: PathBuf,
        /// Matrix sizes, comma separated (default: 3,8,32,128 with --quick, else 2..1024).
        #[arg(long, value_delimiter = ',')]
        sizes: Option<Vec<usize>>,
        /// Only f32.
        #[arg(long, conflicts_with = "f64")]
        f32: bool,
        /// Only f64.
        #[arg(long)]
        f64: bool,
    },
    /// Decompose the symmetric matrix (or stack B x n x n) in a .npy or Matrix Market (.mtx) file.
    Solve {
        /// Input: .npy (float32/float64, C or Fortran order, n x n or B x n x n) or .mtx (real).
        input: PathBuf,
        /// Algorithm.
        #[arg(long, value_enum, default_value_t = SolverArg::Auto)]
        solver: SolverArg,
        /// Eigenvalues only (faster).
        #[arg(long, conflicts_with = "vectors")]
        values_only: bool,
        /// Working precision (default: the file's; Matrix Market: f64).
        #[arg(long, value_enum)]
        precision: Option<PrecisionArg>,
        /// Output .npy for the eigenvalues (ascending; shape n, or B x n).
        #[arg(long)]
        values: PathBuf,
        /// Output .npy for the eigenvectors (as columns; shape n x n, or B x n x n).
        #[arg(long)]
        vectors: Option<PathBuf>,
        /// Use the lower triangle even if the matrix is not symmetric.
        #[arg(long)]
        symmetrize: bool,
        /// Relative asymmetry |a_ij - a_ji| / max|a| accepted without --symmetrize
        /// (default: sqrt(machine epsilon) of the file's precision).
        #[arg(long)]
        symmetry_tolerance: Option<f64>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum SolverArg {
    Auto,
    Jacobi,
    Qr,
}

#[derive(Clone, Copy, ValueEnum)]
enum PrecisionArg {
    F32,
    F64,
}

fn main() -> ExitCode {
    // Defence in depth: a bug must still end in one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("eigen: internal error (please report): {info}");
    }));
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Compare {
            quick,
            out,
            sizes,
            f32,
            f64,
        } => run_compare(quick, out, sizes, f32, f64),
        Command::Solve {
            input,
            solver,
            values_only,
            precision,
            values,
            vectors,
            symmetrize,
            symmetry_tolerance,
        } => {
            let req = SolveRequest {
                input,
                solver: match solver {
                    SolverArg::Auto => Solver::Auto,
                    SolverArg::Jacobi => Solver::Jacobi,
                    SolverArg::Qr => Solver::Qr,
                },
                vectors: if values_only {
                    ComputeVectors::No
                } else {
                    ComputeVectors::Yes
                },
                precision: precision.map(|p| match p {
                    PrecisionArg::F32 => Dtype::F32,
                    PrecisionArg::F64 => Dtype::F64,
                }),
                values_out: values,
                vectors_out: vectors,
                symmetrize,
                symmetry_tolerance,
            };
            solve::run(&req).map(|s| {
                eprintln!(
                    "eigen: solved {} matri{} of size {} in {}",
                    s.count,
                    if s.count == 1 { "x" } else { "ces" },
                    s.n,
                    if s.precision == Dtype::F32 { "f32" } else { "f64" }
                );
            })
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("eigen: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_compare(
    quick: bool,
    out: PathBuf,
    sizes: Option<Vec<usize>>,
    f32: bool,
    f64: bool,
) -> Result<(), String> {
    let precisions = match (f32, f64) {
        (true, false) => vec![Dtype::F32],
        (false, true) => vec![Dtype::F64],
        _ => vec![Dtype::F64, Dtype::F32],
    };
    let sizes = sizes.unwrap_or_else(|| compare::default_sizes(quick));
    if sizes.iter().any(|&n| n == 0 || n > 4096) {
        return Err("--sizes must be between 1 and 4096".into());
    }
    let cfg = CompareConfig {
        sizes,
        precisions,
        quick,
        out,
    };
    println!(
        "eigen compare: {}; CPU: {}",
        compare::build_description(),
        compare::cpu_model()
    );
    let (built, cpu) = (eigen_kernels::simd_level(), compare::cpu_simd_level());
    if built != cpu {
        println!(
            "  this CPU supports {cpu} but the binary was compiled for {built}; for the native build run\n  \
             RUSTFLAGS=\"-C target-cpu=native\" CARGO_TARGET_DIR=target/native \
             cargo run --release -p eigen-bench --bin eigen -- compare --quick"
        );
    }
    let bar = indicatif::ProgressBar::new(compare::total_steps(&cfg) as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let ms = compare::run(&cfg, |label| {
        if !label.contains("skipped") {
            bar.inc(1);
        }
        bar.set_message(label.to_string());
    });
    bar.finish_and_clear();
    println!("\n{}", compare::markdown_table(&ms));
    compare::write_report(&cfg, &ms)?;
    println!("wrote {}/{{report.md, results.csv, plot.svg}}", cfg.out.display());
    let fails = compare::failures(&ms);
    if fails.is_empty() {
        Ok(())
    } else {
        Err(format!("accuracy bar missed: {}", fails.join("; ")))
    }
}
