//! What the engine's integration tests share: the repository's fixtures.

use std::path::{Path, PathBuf};

/// The path of a file of the repository's test fixtures
/// (`tests/fixtures/…`).
#[allow(dead_code)] // Each test file uses what it needs.
pub fn fixture_path(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(path)
}

/// The bytes of a file of the repository's test fixtures.
#[allow(dead_code)]
pub fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(fixture_path(path)).unwrap()
}
