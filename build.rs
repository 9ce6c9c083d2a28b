//! Rebuild when the embedded check files or fact fixtures change (include_dir does not
//! track directories by itself).

#![allow(
    clippy::disallowed_macros,
    reason = "cargo reads build instructions from stdout"
)]

fn main() {
    println!("cargo:rerun-if-changed=checks");
    println!("cargo:rerun-if-changed=fixtures/facts");
    println!("cargo:rerun-if-changed=profiles");
    println!("cargo:rerun-if-changed=data");
}
