#![no_main]
//! Fuzz target `eigh_backward`: see `eigen_fuzz::layer::eigh_backward`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| eigen_fuzz::layer::eigh_backward(data));
