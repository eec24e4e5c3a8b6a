//! The k-means benchmark's rows, shared by the criterion benchmark and the
//! in-browser speed test: 100,000 rows around 8 centres in 8 dimensions
//! (sums of three uniforms from SplitMix64), standardised.

use seglens_engine::segments::cluster::Matrix;

/// The rows.
pub fn blobs() -> Matrix {
    let (n, dims) = (100_000usize, 8usize);
    let mut state = 0x5EED_u64;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    let centres: Vec<f64> = (0..8 * dims).map(|_| next() * 10.0).collect();
    let mut values = Vec::with_capacity(n * dims);
    for i in 0..n {
        let c = i % 8;
        for j in 0..dims {
            // Sum of three uniforms: a bell around the centre.
            let noise = next() + next() + next() - 1.5;
            values.push(centres[c * dims + j] + noise * 2.0);
        }
    }
    for j in 0..dims {
        let mean = (0..n).map(|i| values[i * dims + j]).sum::<f64>() / n as f64;
        let sd = ((0..n)
            .map(|i| (values[i * dims + j] - mean).powi(2))
            .sum::<f64>()
            / n as f64)
            .sqrt();
        for i in 0..n {
            values[i * dims + j] = (values[i * dims + j] - mean) / sd;
        }
    }
    Matrix {
        customers: (0..n as u32).collect(),
        values,
        dims,
        means: vec![0.0; dims],
        scales: vec![1.0; dims],
    }
}
