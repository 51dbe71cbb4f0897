//! Replays fuzzer inputs through a target on stable, printing the decoded matrix first:
//! `cargo run --release --example replay -- TARGET FILE...` (from `fuzz/`).

use eigen_fuzz::input::{Input, Matrix, decode_matrix, decode_n};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((target, files)) = args.split_first() else {
        eprintln!("usage: replay TARGET FILE...");
        std::process::exit(2);
    };
    let run: fn(&[u8]) = match target.as_str() {
        "eigh" => eigen_fuzz::targets::eigh,
        "eigh_in_place" => eigen_fuzz::targets::eigh_in_place,
        "eigh_fixed" => eigen_fuzz::targets::eigh_fixed,
        "eigh_batch" => eigen_fuzz::batch::eigh_batch_target,
        "eigh_backward" => eigen_fuzz::layer::eigh_backward,
        "spectral_backward" => eigen_fuzz::layer::spectral_backward,
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
        let n = decode_n(&mut input, 40);
        if config & 1 == 0 {
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
        }
        run(&bytes);
        println!("{file}: ok");
    }
}
