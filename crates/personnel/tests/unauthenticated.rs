//! Every protected RPC of every service, called straight over gRPC (not through the gateway)
//! without a token and with a forged one, is refused before its handler runs. The list comes
//! from the descriptor set, so an RPC added later is swept too.

mod common;

use common::*;
use tinhso_platform::error::detail_of;
use tonic::Code;

/// Calls `path` with an empty message and `token` (if any); the status.
async fn call(h: &Harness, path: &str, token: Option<&str>) -> tonic::Status {
    let mut grpc = tonic::client::Grpc::new(h.channel.clone());
    grpc.ready().await.expect("ready");
    let mut request = tonic::Request::new(());
    if let Some(token) = token {
        request.metadata_mut().insert(
            "authorization",
            format!("Bearer {token}").parse().expect("header"),
        );
    }
    let result = grpc
        .unary(
            request,
            path.parse().expect("path"),
            tonic_prost::ProstCodec::<(), ()>::default(),
        )
        .await;
    match result {
        Ok(_) => tonic::Status::ok("answered"),
        Err(status) => status,
    }
}

#[tokio::test]
async fn every_protected_rpc_refuses_a_caller_without_a_valid_token() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    // A real token with its signature replaced by another's, and one signed by a stranger's key.
    let mut parts: Vec<&str> = admin.split('.').collect();
    let other = h.login_as_other_issuer();
    let other_parts: Vec<&str> = other.split('.').collect();
    parts[2] = other_parts[2];
    let forged = parts.join(".");

    let pool = prost_reflect::DescriptorPool::decode(tinhso_proto::FILE_DESCRIPTOR_SET)
        .expect("descriptors");
    let anonymous = tinhso_platform::grpc::anonymous_methods();
    let mut swept = 0;
    for service in pool.services().filter(|s| {
        s.package_name() == "tinhso.identity.v1" || s.package_name() == "tinhso.personnel.v1"
    }) {
        for method in service.methods() {
            let path = format!("/{}/{}", service.full_name(), method.name());
            if anonymous.contains(&path) {
                continue;
            }
            for (what, token, code) in [
                ("no token", None, "MISSING_TOKEN"),
                ("a forged token", Some(forged.as_str()), "INVALID_TOKEN"),
                (
                    "another issuer's token",
                    Some(other.as_str()),
                    "INVALID_TOKEN",
                ),
            ] {
                let status = call(&h, &path, token).await;
                assert_eq!(
                    status.code(),
                    Code::Unauthenticated,
                    "{path} with {what}: {status:?}"
                );
                assert_eq!(
                    detail_of(&status).map(|d| d.code).unwrap_or_default(),
                    code,
                    "{path} with {what}"
                );
            }
            swept += 1;
        }
    }
    assert!(swept >= 60, "{swept} protected RPCs swept");
    // The anonymous ones are few and named in their protos.
    let mut open: Vec<&str> = anonymous
        .iter()
        .map(String::as_str)
        .filter(|p| p.starts_with("/tinhso.identity") || p.starts_with("/tinhso.personnel"))
        .collect();
    open.sort_unstable();
    assert_eq!(
        open,
        vec![
            "/tinhso.identity.v1.AuthService/GetJwks",
            "/tinhso.identity.v1.AuthService/ListRevocations",
            "/tinhso.identity.v1.AuthService/Login",
            "/tinhso.identity.v1.AuthService/Logout",
            "/tinhso.identity.v1.AuthService/Refresh",
            "/tinhso.identity.v1.AuthService/ServiceLogin",
        ]
    );
}
