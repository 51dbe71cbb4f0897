#![no_main]
//! Fuzz target `eigh_fixed`: see `eigen_fuzz::targets::eigh_fixed`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| eigen_fuzz::targets::eigh_fixed(data));
