#![no_main]
//! Fuzz target `eigh`: see `eigen_fuzz::targets::eigh`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| eigen_fuzz::targets::eigh(data));
