//! What welfare publishes reaches the bus through the outbox, for reporting to count (enrolment
//! created, changed and ended; a parameter changed; a settlement moved on; an import committed);
//! and what it consumes from identity moves its records: when a commune merges into another,
//! its beneficiaries and their enrolments follow.

mod common;

use common::*;
use prost::Message as _;
use tinhso_proto::identity::v1 as id;
use tinhso_proto::welfare::v1 as pb;

#[tokio::test]
async fn changes_are_published_and_records_follow_a_commune_merge() {
    let h = start().await;
    let p = h.province2().await;
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    let (seen, _inbox) =
        tinhso_testkit::events::consume(h.bus.clone(), "welfare", "tinhso.welfare.>", stopped)
            .await;
    let e = h
        .verified_allowance(
            &p.clerk,
            &p.labour,
            &p.commune.id,
            ("Đoàn Thị Gấm", (1939, 9, 9), ""),
            "elderly_80_no_pension",
            (2025, 3, 1),
        )
        .await;
    let mut payments = pb::payment_service_client::PaymentServiceClient::new(h.channel.clone());
    let list = payments
        .prepare_payment_list(authed(
            &p.clerk,
            pb::PreparePaymentListRequest {
                unit_id: p.commune.id.clone(),
                policy: "TCXH".into(),
                period: "2025-03".into(),
            },
        ))
        .await
        .expect("prepared")
        .into_inner();
    let list = payments
        .record_payments(authed(
            &p.clerk,
            pb::RecordPaymentsRequest {
                id: list.id.clone(),
                version: list.version,
                marks: vec![pb::PaymentMark {
                    enrolment_id: e.id.clone(),
                    paid: false,
                    unpaid_reason: "Đi vắng cả tháng".into(),
                    ..Default::default()
                }],
                funded: 0,
            },
        ))
        .await
        .expect("recorded")
        .into_inner();
    payments
        .advance_payment_list(authed(
            &p.clerk,
            pb::AdvancePaymentListRequest {
                id: list.id.clone(),
                version: list.version,
                action: "submit".into(),
                reason: String::new(),
            },
        ))
        .await
        .expect("submitted");
    h.policies()
        .set_parameter(authed(
            &p.province_finance,
            pb::SetParameterRequest {
                kind: "base_salary".into(),
                effective_from: Some(Date {
                    year: 2027,
                    month: 1,
                    day: 1,
                }),
                value: 2_530_000,
                legal_basis: "Giả định cho kiểm thử".into(),
            },
        ))
        .await
        .expect("a parameter");

    // The commune merges into another: the record and the enrolment follow it.
    let target = h
        .province()
        .unit(&p.admin, "XTD", &p.district.id, id::UnitKind::Commune)
        .await;
    h.replicated(&target).await;
    id::unit_service_client::UnitServiceClient::new(h.channel.clone())
        .merge_units(authed(
            &p.admin,
            id::MergeUnitsRequest {
                source_ids: vec![p.commune.id.clone()],
                target_id: target.id.clone(),
            },
        ))
        .await
        .expect("merged");
    let followed = tinhso_testkit::eventually(30, || {
        let (h, labour, b, e) = (&h, p.labour.clone(), e.beneficiary_id.clone(), e.id.clone());
        let target = target.clone();
        async move {
            let record = h
                .beneficiaries()
                .get_beneficiary(authed(&labour, pb::GetBeneficiaryRequest { id: b }))
                .await
                .map(tonic::Response::into_inner)
                .ok();
            let enrolment = h
                .enrolments()
                .get_enrolment(authed(&labour, pb::GetEnrolmentRequest { id: e }))
                .await
                .map(tonic::Response::into_inner)
                .ok();
            record
                .and_then(|r| r.beneficiary)
                .is_some_and(|b| b.commune_id == target.id && b.unit_path == target.path)
                && enrolment.is_some_and(|e| e.unit_path == target.path)
        }
    })
    .await;
    assert!(
        followed,
        "the record and its enrolment follow the merged commune"
    );

    let h2 = h
        .enrolments()
        .change_enrolment(authed(
            &p.labour,
            pb::ChangeEnrolmentRequest {
                id: e.id.clone(),
                version: e.version,
                change: "decrease".into(),
                effective_date: Some(Date {
                    year: 2025,
                    month: 6,
                    day: 30,
                }),
                decision_number: "1/QĐ".into(),
                reason: "x".into(),
                ..Default::default()
            },
        ))
        .await;
    assert!(
        h2.is_err(),
        "the verifying office does not change enrolments"
    );
    let district_clerk = h
        .province()
        .person(
            &p.admin,
            "nhaplieu.htn",
            &p.district.id,
            "data_entry",
            Some(&p.district.id),
            "",
        )
        .await
        .token;
    h.change(&district_clerk, &e, "decrease", (2025, 6, 30), "Chết")
        .await
        .expect("ended");

    let expected = [
        ("tinhso.welfare.enrolment.created.v1", e.id.clone()),
        ("tinhso.welfare.enrolment.changed.v1", e.id.clone()),
        ("tinhso.welfare.enrolment.ended.v1", e.id.clone()),
        ("tinhso.welfare.settlement.submitted.v1", list.id.clone()),
        (
            "tinhso.welfare.parameter.changed.v1",
            "base_salary/2027-01-01".to_string(),
        ),
    ];
    let all = tinhso_testkit::eventually(30, || {
        let (seen, expected) = (seen.clone(), expected.clone());
        async move { expected.iter().all(|(t, s)| seen.has(t, s)) }
    })
    .await;
    let missing: Vec<_> = expected.iter().filter(|(t, s)| !seen.has(t, s)).collect();
    assert!(all, "not published: {missing:?}");
    let ended = pb::EnrolmentChanged::decode(
        seen.data("tinhso.welfare.enrolment.ended.v1", &e.id)
            .expect("data")
            .as_slice(),
    )
    .expect("an EnrolmentChanged");
    assert_eq!(
        (
            ended.policy.as_str(),
            ended.status.as_str(),
            ended.unit_path.as_str()
        ),
        ("TCXH", "ended", target.path.as_str())
    );
}
