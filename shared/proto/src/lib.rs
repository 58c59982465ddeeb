//! Rust types and gRPC stubs generated from `proto/`, the suite's single
//! source of truth. Only a service's `grpc` module and its clients use them.

#![allow(clippy::all, missing_docs)]

/// Descriptor set of every suite proto (imports included), for reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/beian_descriptor.bin"));

pub mod common {
    pub mod v1 {
        tonic::include_proto!("beian.common.v1");
    }
}

pub mod verification_codes {
    pub mod v1 {
        tonic::include_proto!("beian.verification_codes.v1");
    }
}

pub mod filing_registry {
    pub mod v1 {
        tonic::include_proto!("beian.filing_registry.v1");
    }
}

pub mod identity_recovery {
    pub mod v1 {
        tonic::include_proto!("beian.identity_recovery.v1");
    }
}

pub mod legacy_migration {
    pub mod v1 {
        tonic::include_proto!("beian.legacy_migration.v1");
    }
}

pub mod gateway {
    pub mod v1 {
        tonic::include_proto!("beian.gateway.v1");
    }
}
