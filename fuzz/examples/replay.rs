//! Replays fuzzer inputs through a target on stable, printing the decoded matrix first:
//! `cargo run --release --example replay -- TARGET FILE...` (from `fuzz/`).

use eigen_fuzz::input::{Input, Matrix, decode_matrix, decode_n};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((target, files)) = args.split_first() else {
        eprintln!("usage: replay TARGET FILE...");
        std::process::exit(2);
    };
    // The target and its dimension cap (0: its inputs do not start with config, n, matrix).
    let (run, n_max): (fn(&[u8]), usize) = match target.as_str() {
        "eigh" => (eigen_fuzz::targets::eigh, eigen_fuzz::targets::N_MAX),
        "eigh_in_place" => (
            eigen_fuzz::targets::eigh_in_place,
            eigen_fuzz::targets::N_MAX_IN_PLACE,
        ),
        "eigh_fixed" => (eigen_fuzz::targets::eigh_fixed, 0),
        "eigh_batch" => (eigen_fuzz::batch::eigh_batch_target, 0),
        "eigh_backward" => (eigen_fuzz::layer::eigh_backward, eigen_fuzz::layer::N_MAX),
        "spectral_backward" => (eigen_fuzz::layer::spectral_backward, eigen_fuzz::layer::N_MAX),
        other => {
            eprintln!("unknown target {other}");
            std::process::exit(2);
        }
    };
    for file in files {
        let Ok(bytes) = std::fs::read(file) else {
            eprintln!("cannot read {file}");
            std::process::exit(2);
        };
        let mut input = Input::new(&bytes);
        let config = input.byte();
        let n = decode_n(&mut input, n_max);
        if n_max == 0 {
        } else if config & 1 == 0 {
            let m: Matrix<f64> = decode_matrix(&mut input, n);
            println!(
                "{file}: config {config:#04x}, f64 n={n}, lower triangle {:?}",
                m.lower()
            );
        } else {
            let m: Matrix<f32> = decode_matrix(&mut input, n);
            println!(
                "{file}: config {config:#04x}, f32 n={n}, lower triangle {:?}",
                m.lower()
            );
            let bits: Vec<String> = m.a.iter().map(|x| format!("{:#x}", x.to_bits())).collect();
            println!("full matrix bits: [{}]", bits.join(", "));
        }
        run(&bytes);
        println!("{file}: ok");
    }
}
