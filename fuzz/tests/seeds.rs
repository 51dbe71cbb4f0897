//! Replays every committed seed (`corpus/TARGET/seed-*`) and regression input (`regressions/TARGET/*`)
//! through its target on stable, without libFuzzer: the seeds must satisfy the contract, and every bug
//! the fuzzers found stays fixed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::Path;

type Target = fn(&[u8]);

const TARGETS: [(&str, Target); 8] = [
    ("read_npy", eigen_fuzz::readers::read_npy),
    ("read_mtx", eigen_fuzz::readers::read_mtx),
    ("eigh_batch", eigen_fuzz::batch::eigh_batch_target),
    ("eigh", eigen_fuzz::targets::eigh),
    ("eigh_in_place", eigen_fuzz::targets::eigh_in_place),
    ("eigh_fixed", eigen_fuzz::targets::eigh_fixed),
    ("eigh_backward", eigen_fuzz::layer::eigh_backward),
    ("spectral_backward", eigen_fuzz::layer::spectral_backward),
];

fn replay(dir: &str, only_seeds: bool) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut count = 0;
    for (name, target) in TARGETS {
        let Ok(entries) = fs::read_dir(root.join(name)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            if only_seeds && !file.starts_with("seed-") {
                continue;
            }
            let bytes = fs::read(&path).unwrap();
            eprintln!("{name} {file}");
            target(&bytes);
            count += 1;
        }
    }
    count
}

#[test]
fn committed_seeds_satisfy_the_contract() {
    assert!(replay("corpus", true) >= 5 * 16, "the seed corpora are missing");
}

#[test]
fn fuzzer_findings_stay_fixed() {
    replay("regressions", false);
}
