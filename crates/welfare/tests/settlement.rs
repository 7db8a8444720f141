//! A month's payment list and its settlement through the approval flow (QĐ 503/2022 Điều
//! 19.4b): the commune prepares the list from the entitlements, marks each line paid or unpaid
//! with its reason, records the funds received and submits; the district Finance-Planning office
//! returns it with a reason, then appraises; provincial Finance approves and sees the roll-up.
//! Approved is locked: its lines, a later parameter change, an enrolment change into its month.

mod common;

use common::*;
use tinhso_proto::welfare::v1 as pb;
use tonic::Code;

#[tokio::test]
async fn a_commune_settles_its_month_and_the_province_approves_it() {
    let h = start().await;
    let p = h.province2().await;
    let commune = p.commune.id.clone();
    let mut payments = pb::payment_service_client::PaymentServiceClient::new(h.channel.clone());
    // An orphan of 10 (1.5) and a woman of 85 without a pension (1.0), from January 2025.
    let mut enrolments = Vec::new();
    for (name, born, category, id) in [
        ("Hồ Văn Tí", (2015, 4, 1), "orphan_4_plus", ""),
        (
            "Lý Thị Sen",
            (1940, 3, 3),
            "elderly_80_no_pension",
            "051140009876",
        ),
    ] {
        enrolments.push(
            h.verified_allowance(
                &p.clerk,
                &p.labour,
                &commune,
                (name, born, id),
                category,
                (2025, 1, 6),
            )
            .await,
        );
    }
    let (ti, sen) = (&enrolments[0], &enrolments[1]);

    let prepare = |token: &str| {
        let request = pb::PreparePaymentListRequest {
            unit_id: commune.clone(),
            policy: "TCXH".into(),
            period: "2025-08".into(),
        };
        let (h, token) = (&h, token.to_string());
        async move {
            pb::payment_service_client::PaymentServiceClient::new(h.channel.clone())
                .prepare_payment_list(authed(&token, request))
                .await
                .map(tonic::Response::into_inner)
        }
    };
    let status = prepare(&p.stranger).await.expect_err("another district");
    assert_eq!(status.code(), Code::PermissionDenied);
    let list = prepare(&p.clerk).await.expect("prepared");
    // 1.5 x 500,000 and 1.0 x 500,000, in Vietnamese name order (Hồ before Lý).
    let lines: Vec<(&str, i64)> = list
        .lines
        .iter()
        .map(|l| (l.beneficiary_name.as_str(), l.amount))
        .collect();
    assert_eq!(lines, [("Hồ Văn Tí", 750_000), ("Lý Thị Sen", 500_000)]);
    assert_eq!(
        (list.state, list.entitled, list.pending_lines),
        (pb::ApprovalState::Draft as i32, 1_250_000, 2)
    );

    let early = h
        .advance(&p.clerk, &list, "submit", "")
        .await
        .expect_err("lines not marked");
    assert_eq!(code_of(&early), "PAYMENTS_PENDING");
    let record = |list: &pb::PaymentList, marks: Vec<pb::PaymentMark>, funded: i64| {
        pb::RecordPaymentsRequest {
            id: list.id.clone(),
            version: list.version,
            marks,
            funded,
        }
    };
    let paid_ti = pb::PaymentMark {
        enrolment_id: ti.id.clone(),
        paid: true,
        paid_on: Some(Date {
            year: 2025,
            month: 8,
            day: 10,
        }),
        method: "post_office".into(),
        unpaid_reason: String::new(),
    };
    let unpaid_sen = |reason: &str| pb::PaymentMark {
        enrolment_id: sen.id.clone(),
        paid: false,
        unpaid_reason: reason.into(),
        ..Default::default()
    };
    let no_reason = payments
        .record_payments(authed(
            &p.clerk,
            record(&list, vec![paid_ti.clone(), unpaid_sen(" ")], 1_250_000),
        ))
        .await
        .expect_err("an unpaid line needs its reason");
    assert_eq!(fields_of(&no_reason), ["marks[1].unpaid_reason"]);
    let list = payments
        .record_payments(authed(
            &p.clerk,
            record(
                &list,
                vec![
                    paid_ti.clone(),
                    unpaid_sen("Không đến nhận, đang điều trị tại bệnh viện"),
                ],
                1_250_000,
            ),
        ))
        .await
        .expect("recorded")
        .into_inner();
    assert_eq!(
        (
            list.paid,
            list.unpaid,
            list.funded,
            list.surplus,
            list.pending_lines
        ),
        (750_000, 500_000, 1_250_000, 500_000, 0)
    );

    // Nobody skips a step; each holder acts in turn.
    for (who, token, action) in [
        ("the clerk appraising", &p.clerk, "appraise"),
        ("district Finance approving", &p.finance, "approve"),
        ("Labour submitting", &p.labour, "submit"),
    ] {
        let status = h.advance(token, &list, action, "").await.expect_err(who);
        assert_eq!(status.code(), Code::PermissionDenied, "{who}");
    }
    let skipped = h
        .advance(&p.province_finance, &list, "approve", "")
        .await
        .expect_err("approving a draft");
    assert_eq!(code_of(&skipped), "APPROVAL_OUT_OF_ORDER");
    let list = h
        .advance(&p.clerk, &list, "submit", "")
        .await
        .expect("submitted");
    let held = payments
        .record_payments(authed(&p.clerk, record(&list, vec![paid_ti.clone()], -1)))
        .await
        .expect_err("with the appraisers");
    assert_eq!(code_of(&held), "APPROVAL_OUT_OF_ORDER");
    let bare = h
        .advance(&p.finance, &list, "return", "")
        .await
        .expect_err("a return needs its reason");
    assert_eq!(fields_of(&bare), ["reason"]);
    let list = h
        .advance(
            &p.finance,
            &list,
            "return",
            "Thiếu chứng từ chi của bưu điện",
        )
        .await
        .expect("returned");
    assert_eq!(list.state, pb::ApprovalState::Returned as i32);
    assert_eq!(list.return_reason, "Thiếu chứng từ chi của bưu điện");
    let list = h
        .advance(&p.clerk, &list, "submit", "")
        .await
        .expect("again");
    let list = h
        .advance(&p.finance, &list, "appraise", "")
        .await
        .expect("appraised");
    let list = h
        .advance(&p.province_finance, &list, "approve", "")
        .await
        .expect("approved");
    assert_eq!(list.state, pb::ApprovalState::Approved as i32);
    let steps: Vec<(&str, &str)> = list
        .steps
        .iter()
        .map(|s| (s.action.as_str(), s.actor_username.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            ("prepare", "nhaplieu.xta"),
            ("submit", "nhaplieu.xta"),
            ("return", "tckh.htn"),
            ("submit", "nhaplieu.xta"),
            ("appraise", "tckh.htn"),
            ("approve", "stc"),
        ]
    );

    // Approved is locked.
    let locked = payments
        .record_payments(authed(&p.clerk, record(&list, vec![paid_ti.clone()], -1)))
        .await
        .expect_err("locked");
    assert_eq!(code_of(&locked), "PERIOD_APPROVED");
    let again = prepare(&p.clerk).await.expect_err("recomputed");
    assert_eq!(code_of(&again), "PERIOD_APPROVED");
    let into_august = h
        .change(
            &p.clerk,
            sen,
            "decrease",
            (2025, 7, 15),
            "Chuyển đi nơi khác",
        )
        .await
        .expect_err("would change August");
    assert_eq!(code_of(&into_august), "PERIOD_APPROVED");
    h.change(
        &p.clerk,
        sen,
        "decrease",
        (2025, 8, 20),
        "Chuyển đi nơi khác",
    )
    .await
    .expect("from September");
    // A new base level from August recomputes the entitlements, not the approved list.
    h.policies()
        .set_parameter(authed(
            &p.province_finance,
            pb::SetParameterRequest {
                kind: "social_assistance_base".into(),
                effective_from: Some(Date {
                    year: 2025,
                    month: 8,
                    day: 1,
                }),
                value: 600_000,
                legal_basis: "Điều chỉnh giả định cho kiểm thử".into(),
            },
        ))
        .await
        .expect("a new base level");
    let month = h
        .month(&p.clerk, &commune, "TCXH", "2025-08")
        .await
        .expect("august");
    assert_eq!(month.total, 900_000 + 600_000);
    let kept = payments
        .get_payment_list(authed(
            &p.clerk,
            pb::GetPaymentListRequest {
                id: list.id.clone(),
            },
        ))
        .await
        .expect("read")
        .into_inner();
    assert_eq!(
        kept.lines.iter().map(|l| l.amount).collect::<Vec<_>>(),
        [750_000, 500_000]
    );

    // The province's roll-up: its own total, then each district's.
    let roll = payments
        .list_payment_lists(authed(
            &p.province_finance,
            pb::ListPaymentListsRequest {
                period: "2025-08".into(),
                ..Default::default()
            },
        ))
        .await
        .expect("roll-up")
        .into_inner();
    assert_eq!(roll.lists.len(), 1);
    let totals: Vec<(&str, i32, i64, i64)> = roll
        .roll_up
        .iter()
        .map(|t| (t.unit_name.as_str(), t.lists, t.entitled, t.paid))
        .collect();
    assert_eq!(
        (totals[0].1, totals[0].2, totals[0].3),
        (1, 1_250_000, 750_000)
    );
    assert!(
        totals.contains(&("Đơn vị HTN", 1, 1_250_000, 750_000)),
        "{totals:?}"
    );
    assert!(totals.contains(&("Đơn vị HSH", 0, 0, 0)), "{totals:?}");
    for (who, token) in [("another district", &p.stranger)] {
        let status = payments
            .get_payment_list(authed(
                token,
                pb::GetPaymentListRequest {
                    id: list.id.clone(),
                },
            ))
            .await
            .expect_err(who);
        assert_eq!(status.code(), Code::PermissionDenied, "{who}");
        let status = payments
            .list_payment_lists(authed(
                token,
                pb::ListPaymentListsRequest {
                    unit_id: commune.clone(),
                    ..Default::default()
                },
            ))
            .await
            .expect_err(who);
        assert_eq!(status.code(), Code::PermissionDenied, "{who}");
        let status = payments
            .record_payments(authed(token, record(&list, vec![paid_ti.clone()], -1)))
            .await
            .expect_err(who);
        assert_eq!(status.code(), Code::PermissionDenied, "{who}");
        let status = h
            .advance(token, &list, "return", "Không thuộc thẩm quyền")
            .await
            .expect_err(who);
        assert_eq!(status.code(), Code::PermissionDenied, "{who}");
    }
    // The verifying office reads the district's lists but does not write them.
    let status = payments
        .record_payments(authed(&p.labour, record(&list, vec![paid_ti.clone()], -1)))
        .await
        .expect_err("a reader");
    assert_eq!(status.code(), Code::PermissionDenied);
}
