#![no_main]
//! Fuzz target `eigh_batch`: see `eigen_fuzz::batch::eigh_batch_target`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| eigen_fuzz::batch::eigh_batch_target(data));
