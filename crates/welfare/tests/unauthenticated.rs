//! Every RPC of welfare, called straight over gRPC (not through the gateway) without a token and
//! with a forged one, is refused before its handler runs. The list comes from the descriptor set,
//! so an RPC added later is swept too.

mod common;

use common::*;
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
    match grpc
        .unary(
            request,
            path.parse().expect("path"),
            tonic_prost::ProstCodec::<(), ()>::default(),
        )
        .await
    {
        Ok(_) => tonic::Status::ok("answered"),
        Err(status) => status,
    }
}

#[tokio::test]
async fn every_welfare_rpc_refuses_a_caller_without_a_valid_token() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    // A real token with its signature cut off.
    let forged = format!("{}.AAAA", admin.rsplit_once('.').expect("jwt").0);
    let pool = prost_reflect::DescriptorPool::decode(tinhso_proto::FILE_DESCRIPTOR_SET)
        .expect("descriptors");
    let mut swept = 0;
    for service in pool
        .services()
        .filter(|s| s.package_name() == "tinhso.welfare.v1")
    {
        for method in service.methods() {
            let path = format!("/{}/{}", service.full_name(), method.name());
            assert!(
                !tinhso_platform::grpc::anonymous_methods().contains(&path),
                "{path} is open to anyone"
            );
            for (what, token, code) in [
                ("no token", None, "MISSING_TOKEN"),
                ("a forged token", Some(forged.as_str()), "INVALID_TOKEN"),
            ] {
                let status = call(&h, &path, token).await;
                assert_eq!(status.code(), Code::Unauthenticated, "{path} with {what}");
                assert_eq!(code_of(&status), code, "{path} with {what}");
            }
            swept += 1;
        }
    }
    assert!(swept >= 14, "{swept} welfare RPCs swept");
}
