#![no_main]
//! Fuzz target `read_mtx`: see `eigen_fuzz::readers::read_mtx`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| eigen_fuzz::readers::read_mtx(data));
