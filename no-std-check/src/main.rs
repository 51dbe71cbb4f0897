//! A `#![no_std]` `#![no_main]` binary that links `eigen_kernels::eigh_fixed` (like faer's no-std test
//! crate). CI builds it for `thumbv7em-none-eabihf`: it proves the kernels need neither `std` nor `alloc`
//! nor an allocator, and that the fixed-size path fits a bare-metal stack.
#![no_std]
#![no_main]

use core::hint::black_box;
use core::panic::PanicInfo;

use eigen_kernels::{ComputeVectors, Options, Solver, eigh_fixed};

/// Solves a 3x3 `f64` problem with Jacobi and a 4x4 `f32` eigenvalue-only problem with `Solver::Auto`;
/// returns the number of successful solves so nothing is optimised away.
fn solve_all() -> u32 {
    let a = [[2.0f64, 1.0, 0.0], [1.0, 2.0, 1.0], [0.0, 1.0, 2.0]];
    let mut ok = 0;
    let jacobi = Options::default().with_solver(Solver::Jacobi);
    if let Ok(r) = eigh_fixed(black_box(&a), &jacobi) {
        ok += u32::from(r.values[0] < r.values[2]);
    }
    let b = [
        [4.0f32, 1.0, 0.5, 0.0],
        [1.0, 3.0, 0.0, 0.25],
        [0.5, 0.0, 2.0, 1.0],
        [0.0, 0.25, 1.0, 1.0],
    ];
    let opts = Options {
        vectors: ComputeVectors::No,
        ..Options::default()
    };
    if let Ok(r) = eigh_fixed(black_box(&b), &opts) {
        ok += u32::from(r.vectors.is_none());
    }
    ok
}

/// Entry point for the linker (no runtime crate): solve, then park.
#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    black_box(solve_all());
    loop {
        core::hint::spin_loop();
    }
}

#[panic_handler]
fn panic(_: &PanicInfo<'_>) -> ! {
    loop {
        core::hint::spin_loop();
    }
}
