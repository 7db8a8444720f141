//! Next year's estimate (QĐ 503/2022 Điều 9.5-9.6) through the approval flow. Worked example for
//! 2025 on NĐ 76/2024's 500,000: a poor elderly person at 1.5 (12 x 750,000 = 9,000,000), an
//! orphan under 4 at 2.5 (12 x 1,250,000 = 15,000,000), three more people expected at 500,000 for
//! six months (9,000,000): 33,000,000; with 4,500,000 carried over the need is 28,500,000.

mod common;

use common::*;
use tinhso_proto::welfare::v1 as pb;
use tonic::Code;

#[tokio::test]
async fn a_commune_estimates_next_year_finance_funds_it_and_the_province_approves() {
    let h = start().await;
    let p = h.province2().await;
    let commune = p.commune.id.clone();
    for (name, born, category) in [
        ("Bùi Thị Bảy", (1960, 7, 7), "elderly_poor_60_80"),
        ("Bùi Văn Bé", (2023, 2, 2), "orphan_under_4"),
    ] {
        h.verified_allowance(
            &p.clerk,
            &p.labour,
            &commune,
            (name, born, ""),
            category,
            (2024, 6, 3),
        )
        .await;
    }
    let mut estimates = pb::estimate_service_client::EstimateServiceClient::new(h.channel.clone());
    let prepare = |months: i64| pb::PrepareEstimateRequest {
        unit_id: commune.clone(),
        policy: "TCXH".into(),
        year: 2025,
        carried_over: 4_500_000,
        expected_changes: vec![pb::ExpectedChange {
            description: "Người cao tuổi đủ 80 tuổi trong năm".into(),
            beneficiaries: 3,
            monthly_amount: 500_000,
            months,
        }],
    };
    let bad = estimates
        .prepare_estimate(authed(&p.clerk, prepare(13)))
        .await
        .expect_err("thirteen months");
    assert_eq!(fields_of(&bad), ["expected_changes[0].months"]);
    let outsider = estimates
        .prepare_estimate(authed(&p.stranger, prepare(6)))
        .await
        .expect_err("another district");
    assert_eq!(outsider.code(), Code::PermissionDenied);
    let e = estimates
        .prepare_estimate(authed(&p.clerk, prepare(6)))
        .await
        .expect("prepared")
        .into_inner();
    assert_eq!(
        (e.from_enrolments, e.amount, e.need),
        (24_000_000, 33_000_000, 28_500_000)
    );

    let advance = |e: &pb::Estimate, action: &str, reason: &str| pb::AdvanceEstimateRequest {
        id: e.id.clone(),
        version: e.version,
        action: action.into(),
        reason: reason.into(),
    };
    let e = estimates
        .advance_estimate(authed(&p.clerk, advance(&e, "submit", "")))
        .await
        .expect("submitted")
        .into_inner();
    let allocate = |e: &pb::Estimate, sources: &[(&str, i64)]| pb::AllocateFundingRequest {
        id: e.id.clone(),
        version: e.version,
        funding: sources
            .iter()
            .map(|(s, a)| pb::FundingSource {
                source: s.to_string(),
                amount: *a,
            })
            .collect(),
    };
    let by_clerk = estimates
        .allocate_funding(authed(&p.clerk, allocate(&e, &[("central", 1)])))
        .await
        .expect_err("the clerk funds nothing");
    assert_eq!(by_clerk.code(), Code::PermissionDenied);
    let unknown = estimates
        .allocate_funding(authed(&p.finance, allocate(&e, &[("bank", 1)])))
        .await
        .expect_err("no such source");
    assert_eq!(fields_of(&unknown), ["funding[0].source"]);
    let e = estimates
        .allocate_funding(authed(
            &p.finance,
            allocate(&e, &[("central", 20_000_000), ("provincial", 8_500_000)]),
        ))
        .await
        .expect("funded")
        .into_inner();
    assert_eq!(e.funded, 28_500_000);
    let e = estimates
        .advance_estimate(authed(&p.finance, advance(&e, "appraise", "")))
        .await
        .expect("appraised")
        .into_inner();
    let early = estimates
        .advance_estimate(authed(&p.finance, advance(&e, "approve", "")))
        .await
        .expect_err("district Finance does not approve");
    assert_eq!(early.code(), Code::PermissionDenied);
    let e = estimates
        .advance_estimate(authed(&p.province_finance, advance(&e, "approve", "")))
        .await
        .expect("approved")
        .into_inner();
    assert_eq!(e.state, pb::ApprovalState::Approved as i32);
    let steps: Vec<&str> = e.steps.iter().map(|s| s.action.as_str()).collect();
    assert_eq!(steps, ["prepare", "submit", "appraise", "approve"]);
    let locked = estimates
        .prepare_estimate(authed(&p.clerk, prepare(6)))
        .await
        .expect_err("approved is locked");
    assert_eq!(code_of(&locked), "PERIOD_APPROVED");

    // The province's roll-up of the year.
    let roll = estimates
        .list_estimates(authed(
            &p.province_finance,
            pb::ListEstimatesRequest {
                unit_id: String::new(),
                year: 2025,
            },
        ))
        .await
        .expect("roll-up")
        .into_inner();
    assert_eq!(
        (
            roll.roll_up[0].amount,
            roll.roll_up[0].need,
            roll.roll_up[0].funded
        ),
        (33_000_000, 28_500_000, 28_500_000)
    );
    assert!(
        roll.roll_up
            .iter()
            .any(|t| t.unit_name == "Đơn vị HSH" && t.amount == 0)
    );
    let status = estimates
        .get_estimate(authed(
            &p.stranger,
            pb::GetEstimateRequest { id: e.id.clone() },
        ))
        .await
        .expect_err("another district");
    assert_eq!(status.code(), Code::PermissionDenied);
    let status = estimates
        .list_estimates(authed(
            &p.stranger,
            pb::ListEstimatesRequest {
                unit_id: commune.clone(),
                year: 2025,
            },
        ))
        .await
        .expect_err("another district");
    assert_eq!(status.code(), Code::PermissionDenied);
}
