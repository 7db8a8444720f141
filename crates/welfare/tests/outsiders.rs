//! Every welfare RPC refuses a caller outside its scope: a clerk of another district, an account
//! that holds no welfare permission, a sector department outside its field.

mod common;

use common::*;
use tinhso_proto::welfare::v1 as pb;
use tonic::Code;

fn denied<T: std::fmt::Debug>(result: Result<T, tonic::Status>, what: &str) {
    match result {
        Err(status) => assert_eq!(status.code(), Code::PermissionDenied, "{what}: {status:?}"),
        Ok(v) => panic!("{what}: allowed ({v:?})"),
    }
}

#[tokio::test]
async fn outsiders_are_refused_by_every_rpc() {
    let h = start().await;
    let p = h.province2().await;
    let commune = p.commune.id.clone();
    // Home Affairs' personnel administrator holds no welfare permission at all.
    let home_affairs = h
        .province()
        .person(
            &p.admin,
            "snv",
            &h.root_id,
            "personnel_admin",
            Some(&h.root_id),
            "",
        )
        .await
        .token;
    let person = h
        .person_in(&p.clerk, &commune, "Phạm Thị Mai", (1944, 4, 4), "")
        .await
        .expect("entered")
        .beneficiary
        .expect("record");
    let twin = h
        .person_in(&p.clerk, &commune, "Pham Thi Mai", (1944, 4, 4), "")
        .await
        .expect("entered")
        .beneficiary
        .expect("record");
    let enrolment = h
        .allowance(&p.clerk, &person.id, "elderly_80_no_pension", (2025, 1, 1))
        .await
        .expect_err("a suspected duplicate blocks it");
    assert_eq!(code_of(&enrolment), "SUSPECTED_DUPLICATE");
    h.beneficiaries()
        .resolve_duplicate(authed(
            &p.clerk,
            pb::ResolveDuplicateRequest {
                id: person.id.clone(),
                other_id: twin.id.clone(),
                decision: "NOT_DUPLICATE".into(),
            },
        ))
        .await
        .expect("two people");
    let enrolment = h
        .allowance(&p.clerk, &person.id, "elderly_80_no_pension", (2025, 1, 1))
        .await
        .expect("enrolled");

    // The policies are the province's: any welfare reader reads them, no one else.
    h.policies()
        .list_policies(authed(&p.stranger, pb::ListPoliciesRequest {}))
        .await
        .expect("a clerk of any district reads the policies");
    denied(
        h.policies()
            .list_policies(authed(&home_affairs, pb::ListPoliciesRequest {}))
            .await,
        "policies without a welfare permission",
    );
    denied(
        h.policies()
            .list_parameters(authed(&home_affairs, pb::ListParametersRequest {}))
            .await,
        "parameters without a welfare permission",
    );
    denied(
        h.policies()
            .list_parameter_changes(authed(
                &home_affairs,
                pb::ListParameterChangesRequest::default(),
            ))
            .await,
        "parameter changes without a welfare permission",
    );
    denied(
        h.policies()
            .set_parameter(authed(
                &p.stranger,
                pb::SetParameterRequest {
                    kind: "base_salary".into(),
                    effective_from: Some(Date {
                        year: 2027,
                        month: 1,
                        day: 1,
                    }),
                    value: 2_600_000,
                    legal_basis: "NĐ".into(),
                },
            ))
            .await,
        "parameters by a clerk",
    );
    denied(
        h.person_in(&p.stranger, &commune, "Võ Văn Tư", (1950, 1, 1), "")
            .await,
        "a beneficiary entered in another district's commune",
    );
    denied(
        h.person_in(&p.labour, &commune, "Võ Văn Tư", (1950, 1, 1), "")
            .await,
        "a beneficiary entered by the verifying office",
    );
    denied(
        h.beneficiaries()
            .get_beneficiary(authed(
                &p.stranger,
                pb::GetBeneficiaryRequest {
                    id: person.id.clone(),
                },
            ))
            .await,
        "a beneficiary of another district",
    );
    denied(
        h.beneficiaries()
            .list_beneficiaries(authed(
                &p.stranger,
                pb::ListBeneficiariesRequest {
                    unit_id: commune.clone(),
                    ..Default::default()
                },
            ))
            .await,
        "the beneficiaries of another district",
    );
    denied(
        h.beneficiaries()
            .resolve_duplicate(authed(
                &p.labour,
                pb::ResolveDuplicateRequest {
                    id: person.id.clone(),
                    other_id: twin.id.clone(),
                    decision: "MERGE".into(),
                },
            ))
            .await,
        "a merge by a reader",
    );
    denied(
        h.allowance(&p.stranger, &twin.id, "elderly_80_no_pension", (2025, 1, 1))
            .await,
        "an enrolment in another district",
    );
    denied(
        h.enrolments()
            .get_enrolment(authed(
                &p.stranger,
                pb::GetEnrolmentRequest {
                    id: enrolment.id.clone(),
                },
            ))
            .await,
        "an enrolment of another district",
    );
    denied(
        h.enrolments()
            .list_enrolments(authed(
                &p.stranger,
                pb::ListEnrolmentsRequest {
                    unit_id: commune.clone(),
                    ..Default::default()
                },
            ))
            .await,
        "the enrolments of another district",
    );
    denied(
        h.change(
            &p.stranger,
            &enrolment,
            "decrease",
            (2025, 2, 1),
            "Chuyển đi",
        )
        .await,
        "a change by another district",
    );
    denied(
        h.change(&p.labour, &enrolment, "decrease", (2025, 2, 1), "Chuyển đi")
            .await,
        "a change by the verifying office",
    );
    denied(
        h.verify(&p.finance, &enrolment, true, "").await,
        "a verification outside the office's field",
    );
    denied(
        h.month(&p.stranger, &commune, "TCXH", "2025-01").await,
        "the entitlements of another district",
    );
    denied(
        h.month(&home_affairs, &commune, "TCXH", "2025-01").await,
        "entitlements without a welfare permission",
    );
    denied(
        pb::import_service_client::ImportServiceClient::new(h.channel.clone())
            .get_import_template(authed(&home_affairs, pb::GetImportTemplateRequest {}))
            .await,
        "the import template without a welfare write permission",
    );
    let estimate = pb::estimate_service_client::EstimateServiceClient::new(h.channel.clone())
        .prepare_estimate(authed(
            &p.clerk,
            pb::PrepareEstimateRequest {
                unit_id: commune.clone(),
                policy: "TCXH".into(),
                year: 2026,
                ..Default::default()
            },
        ))
        .await
        .expect("an estimate")
        .into_inner();
    denied(
        pb::estimate_service_client::EstimateServiceClient::new(h.channel.clone())
            .advance_estimate(authed(
                &p.stranger,
                pb::AdvanceEstimateRequest {
                    id: estimate.id.clone(),
                    version: estimate.version,
                    action: "submit".into(),
                    reason: String::new(),
                },
            ))
            .await,
        "an estimate submitted by another district",
    );
    denied(
        pb::estimate_service_client::EstimateServiceClient::new(h.channel.clone())
            .allocate_funding(authed(
                &p.stranger,
                pb::AllocateFundingRequest {
                    id: estimate.id.clone(),
                    version: estimate.version,
                    funding: Vec::new(),
                },
            ))
            .await,
        "an estimate funded by another district",
    );
}
