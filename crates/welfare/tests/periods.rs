//! Policies not paid monthly (issue 12, items 4, 5 and 7): study-cost support per school term,
//! rice-land support per year. Their entitlements are asked by their own period, their payment
//! lists go through the same approval and lock the months up to the period's last, and the
//! report of a year counts every policy, each by its own frequency; a term's report its per-term
//! policies.

mod common;

use common::*;
use tinhso_proto::welfare::v1 as pb;

fn day(year: i32, month: i32, day: i32) -> Option<Date> {
    Some(Date { year, month, day })
}

fn entitlements(unit: &str, policy: &str, period: &str) -> pb::ListEntitlementsRequest {
    pb::ListEntitlementsRequest {
        unit_id: unit.into(),
        policy: policy.into(),
        period: period.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn terms_and_years_are_paid_settled_locked_and_reported_by_their_own_periods() {
    let h = start().await;
    let p = h.province2().await;
    let admin = p.admin.clone();
    let education = h
        .province()
        .person(
            &admin,
            "pgd.htn",
            &p.district.id,
            "welfare_education_verifier",
            Some(&p.district.id),
            "",
        )
        .await
        .token;
    // Provincial Finance sets the study-cost support of the province: 150,000 đ a month of
    // study (NĐ 81/2021 Điều 18), paid per term.
    h.policies()
        .set_policy(authed(
            &p.province_finance,
            pb::SetPolicyRequest {
                policy: Some(pb::Policy {
                    code: "HOCPHI".into(),
                    name: "Miễn, giảm học phí và hỗ trợ chi phí học tập".into(),
                    group: pb::PolicyGroup::Education as i32,
                    legal_basis: "NĐ 81/2021/NĐ-CP".into(),
                    beneficiary_kind: pb::BeneficiaryKind::Person as i32,
                    rule: "fixed_per_level".into(),
                    frequency: "per_term".into(),
                    verifier: "education".into(),
                    levels: vec![pb::Level {
                        code: "chi_phi_hoc_tap".into(),
                        amount: 150_000,
                    }],
                    in_force_from: day(2021, 10, 15),
                    ..Default::default()
                }),
            },
        ))
        .await
        .expect("levels set");

    // A pupil from 15/10/2024, verified by the district's education office.
    let pupil = h
        .person_in(&p.clerk, &p.commune.id, "Nguyễn Văn Học", (2013, 5, 2), "")
        .await
        .expect("pupil")
        .beneficiary
        .expect("record");
    let study = h
        .enrolments()
        .create_enrolment(authed(
            &p.clerk,
            pb::CreateEnrolmentRequest {
                enrolment: Some(pb::Enrolment {
                    beneficiary_id: pupil.id.clone(),
                    policy: "HOCPHI".into(),
                    level: "chi_phi_hoc_tap".into(),
                    decision_number: "7/QĐ-UBND".into(),
                    decision_date: day(2024, 10, 10),
                    start_date: day(2024, 10, 15),
                    ..Default::default()
                }),
            },
        ))
        .await
        .expect("enrolled")
        .into_inner();
    h.verify(&education, &study, true, "")
        .await
        .expect("verified");

    // A household with 2.4 ha of rice land from 01/03/2025 (1,500,000 đ a hectare a year, NĐ
    // 112/2024), verified by the district Finance-Planning office.
    let household = h
        .beneficiaries()
        .create_beneficiary(authed(
            &p.clerk,
            pb::CreateBeneficiaryRequest {
                beneficiary: Some(pb::Beneficiary {
                    kind: pb::BeneficiaryKind::Household as i32,
                    full_name: "Trần Văn Lúa".into(),
                    household_code: "HTN-XTA-0042".into(),
                    commune_id: p.commune.id.clone(),
                    ..Default::default()
                }),
            },
        ))
        .await
        .expect("household")
        .into_inner()
        .beneficiary
        .expect("record");
    let rice = h
        .enrolments()
        .create_enrolment(authed(
            &p.clerk,
            pb::CreateEnrolmentRequest {
                enrolment: Some(pb::Enrolment {
                    beneficiary_id: household.id.clone(),
                    policy: "DATLUA".into(),
                    quantity: 2_400,
                    decision_number: "9/QĐ-UBND".into(),
                    decision_date: day(2025, 2, 20),
                    start_date: day(2025, 3, 1),
                    ..Default::default()
                }),
            },
        ))
        .await
        .expect("enrolled")
        .into_inner();
    let rice = h
        .verify(&p.finance, &rice, true, "")
        .await
        .expect("verified");

    // And an elderly person on the monthly allowance (1.0) from 15/03/2024.
    h.verified_allowance(
        &p.clerk,
        &p.labour,
        &p.commune.id,
        ("Lê Thị Già", (1938, 1, 1), ""),
        "elderly_80_no_pension",
        (2024, 3, 15),
    )
    .await;

    // Each policy by its own period: the first term pays October to December, the second
    // January to May; the rice land once for the year.
    let mut owed = h.entitlements();
    for (policy, period, months, amount) in [
        ("HOCPHI", "2024-2025/HK1", 3, 450_000),
        ("HOCPHI", "2024-2025/HK2", 5, 750_000),
        ("DATLUA", "2025", 1, 3_600_000),
    ] {
        let r = owed
            .list_entitlements(authed(
                &p.clerk,
                entitlements(&p.commune.id, policy, period),
            ))
            .await
            .expect(period)
            .into_inner();
        let lines: Vec<(i32, i64)> = r.lines.iter().map(|l| (l.months, l.amount)).collect();
        assert_eq!(lines, [(months, amount)], "{policy} {period}");
    }
    // A month is not a period of a yearly policy, nor a year one of a per-term policy.
    for (policy, period) in [("DATLUA", "2025-03"), ("HOCPHI", "2025")] {
        let wrong = owed
            .list_entitlements(authed(
                &p.clerk,
                entitlements(&p.commune.id, policy, period),
            ))
            .await
            .expect_err(period);
        assert_eq!(fields_of(&wrong), ["period"], "{policy} {period}");
        assert_eq!(code_of(&wrong), "BAD_FORMAT");
    }

    // The year's rice-land list, settled and approved like a month's.
    let mut payments = pb::payment_service_client::PaymentServiceClient::new(h.channel.clone());
    let list = payments
        .prepare_payment_list(authed(
            &p.clerk,
            pb::PreparePaymentListRequest {
                unit_id: p.commune.id.clone(),
                policy: "DATLUA".into(),
                period: "2025".into(),
            },
        ))
        .await
        .expect("prepared")
        .into_inner();
    assert_eq!((list.period.as_str(), list.entitled), ("2025", 3_600_000));
    let list = payments
        .record_payments(authed(
            &p.clerk,
            pb::RecordPaymentsRequest {
                id: list.id.clone(),
                version: list.version,
                marks: vec![pb::PaymentMark {
                    enrolment_id: rice.id.clone(),
                    paid: true,
                    paid_on: day(2025, 12, 15),
                    method: "bank_transfer".into(),
                    unpaid_reason: String::new(),
                }],
                funded: 3_600_000,
            },
        ))
        .await
        .expect("paid")
        .into_inner();
    let list = h
        .advance(&p.clerk, &list, "submit", "")
        .await
        .expect("submitted");
    let list = h
        .advance(&p.finance, &list, "appraise", "")
        .await
        .expect("appraised");
    h.advance(&p.province_finance, &list, "approve", "")
        .await
        .expect("approved");
    // Approved, the year is locked up to December: a new area from June 2025 is refused, one
    // from January 2026 is taken.
    let adjust = |on: Option<Date>, version: i64| pb::ChangeEnrolmentRequest {
        id: rice.id.clone(),
        version,
        change: "adjust".into(),
        effective_date: on,
        decision_number: "15/QĐ-UBND".into(),
        quantity: 3_000,
        ..Default::default()
    };
    let mut enrolments = h.enrolments();
    let locked = enrolments
        .change_enrolment(authed(&p.clerk, adjust(day(2025, 6, 1), rice.version)))
        .await
        .expect_err("into the approved year");
    assert_eq!(code_of(&locked), "PERIOD_APPROVED");
    enrolments
        .change_enrolment(authed(&p.clerk, adjust(day(2026, 1, 1), rice.version)))
        .await
        .expect("after the approved year");

    // The year's report counts every policy by its own frequency: the allowance 12 x 500,000,
    // the rice land 3,600,000 once, the study costs January to May and September to December
    // (9 x 150,000); the second term's report only the per-term policy.
    let mut reports = pb::report_service_client::ReportServiceClient::new(h.channel.clone());
    let report = |period: &str| pb::GetWelfareReportRequest {
        unit_id: p.district.id.clone(),
        period: period.into(),
        ..Default::default()
    };
    let year = reports
        .get_welfare_report(authed(&p.labour, report("2025")))
        .await
        .expect("the year")
        .into_inner();
    let value = |r: &pb::WelfareReport, key: &str| {
        let i = r
            .columns
            .iter()
            .position(|c| c.key == key)
            .unwrap_or_else(|| panic!("no column {key}"));
        r.rows[0].values[i]
    };
    assert_eq!(year.month, "2025");
    assert_eq!(value(&year, "TCXH:amount"), 6_000_000);
    assert_eq!(value(&year, "DATLUA:amount"), 3_600_000);
    assert_eq!(value(&year, "HOCPHI:amount"), 1_350_000);
    assert_eq!(value(&year, "HOCPHI:people"), 1);
    assert_eq!(value(&year, "total:amount"), 10_950_000);
    let term = reports
        .get_welfare_report(authed(&p.labour, report("2024-2025/HK2")))
        .await
        .expect("the term")
        .into_inner();
    let keys: Vec<&str> = term.columns.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys, ["HOCPHI:people", "HOCPHI:amount", "total:amount"]);
    assert_eq!(value(&term, "HOCPHI:amount"), 750_000);
}
