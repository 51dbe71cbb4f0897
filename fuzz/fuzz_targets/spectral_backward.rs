#![no_main]
//! Fuzz target `spectral_backward`: see `eigen_fuzz::layer::spectral_backward`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| eigen_fuzz::layer::spectral_backward(data));
