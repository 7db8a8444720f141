//! Two replicas of each service, as Kubernetes runs them: identity A and B on one database,
//! personnel 1 and 2 on another, sharing the broker's durable consumers as pods of one
//! deployment do. A revocation served by one identity replica must reach every replica of every
//! service: the broker delivers each event to one personnel replica only, and the other identity
//! replica never sees the request.

use std::sync::Arc;
use tinhso_identity::{Identity, IdentityConfig};
use tinhso_personnel::{Personnel, PersonnelConfig};
use tinhso_proto::identity::v1 as id;
use tinhso_proto::identity::v1::account_service_client::AccountServiceClient;
use tinhso_proto::identity::v1::auth_service_client::AuthServiceClient;
use tinhso_proto::personnel::v1 as pb;
use tinhso_proto::personnel::v1::employee_service_client::EmployeeServiceClient;
use tinhso_testkit::province::Province;
use tinhso_testkit::{TestServer, authed, eventually};
use tonic::Code;
use tonic::transport::Channel;

const ADMIN_PASSWORD: &str = "mat-khau-quan-tri-ban-dau";

fn names() -> &'static [&'static str] {
    let names: Vec<&'static str> = tinhso_identity::SERVICE_NAMES
        .iter()
        .chain(tinhso_personnel::SERVICE_NAMES)
        .copied()
        .collect();
    names.leak()
}

/// Whether `token` is still accepted by the identity replica behind `channel` (GetMe) and by
/// the personnel replica behind it (ListEmployees).
async fn accepted(channel: Channel, token: String) -> (bool, bool) {
    let identity = AuthServiceClient::new(channel.clone())
        .get_me(authed(&token, id::GetMeRequest {}))
        .await;
    let personnel = EmployeeServiceClient::new(channel)
        .list_employees(authed(&token, pb::ListEmployeesRequest::default()))
        .await;
    for result in [identity.as_ref().err(), personnel.as_ref().err()]
        .into_iter()
        .flatten()
    {
        assert_eq!(result.code(), Code::Unauthenticated, "{result:?}");
    }
    (identity.is_ok(), personnel.is_ok())
}

#[tokio::test]
async fn a_disabled_account_is_refused_by_every_replica_of_every_service() {
    let identity_db = tinhso_testkit::database().await;
    let personnel_db = tinhso_testkit::database().await;
    let bus = tinhso_testkit::bus().await;
    let clock = tinhso_platform::clock::system();
    let identity_env = vec![
        (
            "TINHSO_BOOTSTRAP_ADMIN_PASSWORD".to_string(),
            ADMIN_PASSWORD.to_string(),
        ),
        ("TINHSO_DATABASE__URL".to_string(), identity_db.url.clone()),
    ];
    // One deployment's consumer name, shared by its pods.
    let personnel_env = vec![
        ("TINHSO_DATABASE__URL".to_string(), personnel_db.url.clone()),
        (
            "TINHSO_CONSUMER_NAME".to_string(),
            format!("personnel-replicas-{}", uuid::Uuid::new_v4().simple()),
        ),
    ];
    let open_identity = || async {
        Identity::open(
            IdentityConfig::load(None, &identity_env).expect("identity config"),
            identity_db.db.clone(),
            clock.clone(),
        )
        .await
        .expect("identity")
    };
    let identity_a = open_identity().await;
    identity_a.bootstrap().await.expect("bootstrap");
    let identity_b = open_identity().await;
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    let mut servers = Vec::new();
    let mut channels = Vec::new();
    for identity in [identity_a, identity_b] {
        let personnel: Arc<Personnel> = Personnel::open(
            PersonnelConfig::load(None, &personnel_env).expect("personnel config"),
            personnel_db.db.clone(),
            clock.clone(),
        )
        .await
        .expect("personnel");
        identity.spawn_background(bus.clone(), stopped.clone());
        let server = TestServer::start(
            personnel.add_routes(identity.routes()),
            names(),
            identity.verifier.clone(),
        )
        .await;
        let channel = server.channel().await;
        personnel.spawn_background(bus.clone(), channel.clone(), stopped.clone());
        let keys = tinhso_platform::auth::fetch_jwks(channel.clone())
            .await
            .expect("jwks");
        personnel.verifier.set_keys(&keys);
        servers.push(server);
        channels.push(channel);
    }

    // An account that reads the whole province, signed in through replica A.
    let province = Province::new(channels[0].clone());
    let admin = province
        .sign_in("admin", ADMIN_PASSWORD, "Quản trị tỉnh số 2026!")
        .await;
    let root = AuthServiceClient::new(channels[0].clone())
        .get_me(authed(&admin, id::GetMeRequest {}))
        .await
        .expect("me")
        .into_inner()
        .unit
        .expect("unit")
        .id;
    let leader = province
        .person(
            &admin,
            "lanhdao.tinh",
            &root,
            "provincial_leader",
            Some(&root),
            "",
        )
        .await;
    for channel in &channels {
        assert_eq!(
            accepted(channel.clone(), leader.token.clone()).await,
            (true, true),
            "accepted everywhere before"
        );
    }

    // Disabled through replica A.
    let account = AccountServiceClient::new(channels[0].clone())
        .get_account(authed(
            &admin,
            id::GetAccountRequest {
                id: leader.account_id.clone(),
            },
        ))
        .await
        .expect("account")
        .into_inner();
    AccountServiceClient::new(channels[0].clone())
        .disable_account(authed(
            &admin,
            id::AccountActionRequest {
                id: leader.account_id.clone(),
                reason: "nghỉ hưu".into(),
                etag: account.etag,
            },
        ))
        .await
        .expect("disabled");
    for (name, channel) in ["A", "B"].into_iter().zip(&channels) {
        let (channel, token) = (channel.clone(), leader.token.clone());
        // A bound, not a speed: a loaded two-core machine has been seen to need more than 15 s.
        let refused = eventually(45, move || {
            let (channel, token) = (channel.clone(), token.clone());
            async move { accepted(channel, token).await == (false, false) }
        })
        .await;
        assert!(
            refused,
            "identity {name} and the personnel replica beside it refuse the disabled account's \
             token: {:?}",
            accepted(channels[0].clone(), leader.token.clone()).await
        );
    }
    drop(servers);
}
