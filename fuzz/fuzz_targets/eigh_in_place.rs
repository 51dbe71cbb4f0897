#![no_main]
//! Fuzz target `eigh_in_place`: see `eigen_fuzz::targets::eigh_in_place`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| eigen_fuzz::targets::eigh_in_place(data));
