//! Rebuild when the embedded check files or fact fixtures change (include_dir does not
//! track directories by itself).

fn main() {
    println!("cargo:rerun-if-changed=checks");
    println!("cargo:rerun-if-changed=fixtures/facts");
    println!("cargo:rerun-if-changed=profiles");
}
