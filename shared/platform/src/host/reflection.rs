//! Reflection lists and describes only what a port serves: the suite's descriptor
//! set is cut down to the files that define the served services and the files
//! they import, so the gateway never describes an internal service's contract.

use std::collections::{BTreeSet, HashSet};

use prost::Message;
use prost_types::{FileDescriptorProto, FileDescriptorSet};
use tonic::service::Routes;

/// Adds both reflection versions (v1alpha too: grpcurl and ghz still speak it),
/// knowing health, the google.rpc error details (so tools such as grpcurl can
/// print them) and the files of `services`.
pub fn add(routes: Routes, services: &[&str]) -> anyhow::Result<Routes> {
    let served = served_files(beian_proto::FILE_DESCRIPTOR_SET, services)?;
    let builder = || {
        services.iter().chain(&["grpc.health.v1.Health"]).fold(
            tonic_reflection::server::Builder::configure()
                .register_file_descriptor_set(served.clone())
                .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
                .register_encoded_file_descriptor_set(tonic_types::pb::FILE_DESCRIPTOR_SET),
            |builder, service| builder.with_service_name(*service),
        )
    };
    Ok(routes.add_service(builder().build_v1()?).add_service(builder().build_v1alpha()?))
}

/// The files of `encoded` that define one of `services` (full names), with every
/// file they import, directly or not.
pub fn served_files(encoded: &[u8], services: &[&str]) -> anyhow::Result<FileDescriptorSet> {
    let all = FileDescriptorSet::decode(encoded)?;
    let mut wanted: Vec<&str> = all
        .file
        .iter()
        .filter(|file| {
            file.service.iter().any(|service| services.contains(&full_name(file, service).as_str()))
        })
        .map(|file| file.name())
        .collect();
    let mut kept = BTreeSet::new();
    while let Some(name) = wanted.pop() {
        if kept.insert(name) {
            let file = all
                .file
                .iter()
                .find(|file| file.name() == name)
                .ok_or_else(|| anyhow::anyhow!("the descriptor set lacks {name}"))?;
            wanted.extend(file.dependency.iter().map(String::as_str));
        }
    }
    let file = all.file.iter().filter(|file| kept.contains(file.name())).cloned().collect();
    Ok(FileDescriptorSet { file })
}

/// The request paths (`/package.Service/Method`) of `services`, as they are routed.
pub fn served_methods(encoded: &[u8], services: &[&str]) -> anyhow::Result<HashSet<String>> {
    let all = FileDescriptorSet::decode(encoded)?;
    Ok(all
        .file
        .iter()
        .flat_map(|file| file.service.iter().map(move |service| (full_name(file, service), service)))
        .filter(|(name, _)| services.contains(&name.as_str()))
        .flat_map(|(name, service)| service.method.iter().map(move |m| format!("/{name}/{}", m.name())))
        .collect())
}

fn full_name(file: &FileDescriptorProto, service: &prost_types::ServiceDescriptorProto) -> String {
    match file.package() {
        "" => service.name().to_owned(),
        package => format!("{package}.{}", service.name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(services: &[&str]) -> Vec<String> {
        let set = served_files(beian_proto::FILE_DESCRIPTOR_SET, services).expect("decodes");
        let mut names: Vec<String> = set.file.into_iter().map(|f| f.name().to_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn the_served_methods_are_the_routed_paths_of_those_services_only() {
        let methods =
            served_methods(beian_proto::FILE_DESCRIPTOR_SET, &["beian.gateway.v1.AccountLookupService"])
                .expect("decodes");
        assert!(methods.contains("/beian.gateway.v1.AccountLookupService/StartAccountLookup"), "{methods:?}");
        assert!(
            methods.iter().all(|m| m.starts_with("/beian.gateway.v1.AccountLookupService/")),
            "{methods:?}"
        );
    }

    #[test]
    fn a_service_brings_its_file_and_imports_only() {
        assert_eq!(
            names(&["beian.gateway.v1.AccountLookupService"]),
            [
                "beian/common/v1/common.proto",
                "beian/gateway/v1/gateway.proto",
                "google/protobuf/timestamp.proto"
            ]
        );
        assert_eq!(
            names(&["beian.legacy_migration.v1.LegacyMigrationInternalService"]),
            ["beian/common/v1/common.proto", "beian/legacy_migration/v1/legacy_migration_internal.proto"]
        );
        assert!(names(&["beian.unknown.v1.Nothing"]).is_empty());
    }
}
