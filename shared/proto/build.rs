//! Compiles `proto/` with protox (no system protoc) and writes the descriptor
//! set next to the generated code so servers can offer reflection.

use std::{env, fs, io, path::PathBuf};

use protox::prost::Message;

const FILES: &[&str] = &[
    "beian/common/v1/common.proto",
    "beian/verification_codes/v1/verification_codes.proto",
    "beian/verification_codes/v1/verification_codes_internal.proto",
    "beian/filing_registry/v1/filing_registry.proto",
    "beian/filing_registry/v1/filing_registry_internal.proto",
    "beian/identity_recovery/v1/identity_recovery.proto",
    "beian/identity_recovery/v1/identity_recovery_internal.proto",
    "beian/legacy_migration/v1/legacy_migration.proto",
    "beian/legacy_migration/v1/legacy_migration_internal.proto",
    "beian/gateway/v1/gateway.proto",
];

fn main() -> io::Result<()> {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").map_err(io::Error::other)?).join("../../proto");
    println!("cargo:rerun-if-changed={}", root.display());
    for file in FILES {
        println!("cargo:rerun-if-changed={}", root.join(file).display());
    }

    let descriptors = protox::compile(FILES, [&root]).map_err(io::Error::other)?;
    let out_dir = PathBuf::from(env::var("OUT_DIR").map_err(io::Error::other)?);
    fs::write(out_dir.join("beian_descriptor.bin"), descriptors.encode_to_vec())?;

    tonic_prost_build::configure().build_client(true).build_server(true).compile_fds(descriptors)
}
