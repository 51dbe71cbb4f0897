use eigen_kernels::{Options, batch::eigh_batch_dyn};
fn main() {
    let n: usize = std::env::args().nth(1).unwrap().parse().unwrap();
    for per in [1usize, 2, 3, 4, 6, 10] {
        let count = 64;
        let mut mats = Vec::new();
        for m in 0..count { mats.extend(eigen_kernels::testing::random_symmetric::<f64>(n, m as u64 + 1)); }
        let mut vals = vec![0.0; count * n];
        let opts = Options { max_qr_iterations_per_value: per, ..Default::default() };
        let r = eigh_batch_dyn(n, &mats, &mut vals, None, &opts);
        println!("per={per}: {:?}", r.err());
    }
}
