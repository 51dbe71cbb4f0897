#![no_main]
//! Fuzz target `read_npy`: see `eigen_fuzz::readers::read_npy`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| eigen_fuzz::readers::read_npy(data));
