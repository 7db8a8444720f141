//! Welfare's API as its users work it, on SQLite (make test) and on PostgreSQL + NATS (make
//! test-services): a commune enters a person and enrols her in the monthly social allowance, the
//! district's Labour office verifies, the month's entitlements follow the decree's base level,
//! the changes of Điều 8.3 move them; bad input is named and changes nothing; duplicates block
//! enrolment until decided; Finance keeps the parameters.
//!
//! Expected amounts come from NĐ 20/2021 (base level 360,000; coefficients by category) and NĐ
//! 76/2024 (500,000 from 01/07/2024).

mod common;

use common::*;
use tinhso_proto::welfare::v1 as pb;
use tonic::Code;

/// The amounts of the month's lines for `month`, as (beneficiary name, amount).
async fn paid(h: &Harness, token: &str, unit: &str, month: &str) -> Vec<(String, i64)> {
    h.month(token, unit, "TCXH", month)
        .await
        .unwrap_or_else(|e| panic!("{month}: {e:?}"))
        .lines
        .into_iter()
        .map(|l| (l.beneficiary_name, l.amount))
        .collect()
}

#[tokio::test]
async fn a_commune_enrols_the_labour_office_verifies_and_the_months_follow_the_decrees() {
    let h = start().await;
    let p = h.province2().await;
    let commune = p.commune.id.clone();
    let lanh = h
        .person_in(
            &p.clerk,
            &commune,
            "Nguyễn Thị Lành",
            (1940, 5, 2),
            "051140001234",
        )
        .await
        .expect("entered")
        .beneficiary
        .expect("record");
    assert_eq!(lanh.unit_path, p.commune.path);
    // Over 80 without a pension: coefficient 1.0 (NĐ 20/2021 Điều 6), from 15/03/2024.
    let enrolment = h
        .allowance(&p.clerk, &lanh.id, "elderly_80_no_pension", (2024, 3, 15))
        .await
        .expect("enrolled");
    assert_eq!(enrolment.status, pb::EnrolmentStatus::Pending as i32);
    assert_eq!(
        enrolment.coefficient, 100,
        "the category decides the coefficient"
    );
    // Not paid until verified.
    assert!(paid(&h, &p.clerk, &commune, "2024-03").await.is_empty());

    // Only the sector of the policy's field verifies, in its district.
    for (who, token) in [
        ("the clerk", &p.clerk),
        ("the other district", &p.stranger),
        ("district Finance (economic policies)", &p.finance),
    ] {
        let status = h.verify(token, &enrolment, true, "").await.expect_err(who);
        assert_eq!(status.code(), Code::PermissionDenied, "{who}");
    }
    let rejected_without_reason = h
        .verify(&p.labour, &enrolment, false, "")
        .await
        .expect_err("a rejection needs its reason");
    assert_eq!(fields_of(&rejected_without_reason), ["reason"]);
    let verified = h
        .verify(&p.labour, &enrolment, true, "")
        .await
        .expect("verified");
    assert_eq!(verified.status, pb::EnrolmentStatus::Active as i32);

    let lanh_paid = |amount: i64| vec![("Nguyễn Thị Lành".to_string(), amount)];
    assert_eq!(paid(&h, &p.clerk, &commune, "2024-02").await, vec![]);
    // From the month of the decision, whole: 1.0 x 360,000.
    assert_eq!(
        paid(&h, &p.clerk, &commune, "2024-03").await,
        lanh_paid(360_000)
    );
    // NĐ 76/2024 from July: 1.0 x 500,000; the district's Labour office reads the same.
    assert_eq!(
        paid(&h, &p.labour, &p.district.id, "2024-07").await,
        lanh_paid(500_000)
    );

    // Adjusted to poor and over 80 (2.0) from 01/10/2024.
    let adjusted = h
        .enrolments()
        .change_enrolment(authed(
            &p.clerk,
            pb::ChangeEnrolmentRequest {
                id: verified.id.clone(),
                version: verified.version,
                change: "adjust".into(),
                effective_date: Some(Date {
                    year: 2024,
                    month: 10,
                    day: 1,
                }),
                decision_number: "77/QĐ-UBND".into(),
                category: "elderly_poor_80_plus".into(),
                ..Default::default()
            },
        ))
        .await
        .expect("adjusted")
        .into_inner();
    assert_eq!(adjusted.coefficient, 200);
    assert_eq!(
        paid(&h, &p.clerk, &commune, "2024-09").await,
        lanh_paid(500_000)
    );
    assert_eq!(
        paid(&h, &p.clerk, &commune, "2024-10").await,
        lanh_paid(1_000_000)
    );

    // Suspended on 10/11: November is still paid, December is not; resumed on 03/02/2025.
    let suspended = h
        .change(&p.clerk, &adjusted, "suspend", (2024, 11, 10), "")
        .await
        .expect("suspended");
    assert_eq!(
        paid(&h, &p.clerk, &commune, "2024-11").await,
        lanh_paid(1_000_000)
    );
    assert_eq!(paid(&h, &p.clerk, &commune, "2024-12").await, vec![]);
    let not_now = h
        .change(&p.clerk, &suspended, "suspend", (2024, 12, 1), "")
        .await
        .expect_err("suspending what is suspended");
    assert_eq!(code_of(&not_now), "CHANGE_NOT_ALLOWED");
    let resumed = h
        .change(&p.clerk, &suspended, "resume", (2025, 2, 3), "")
        .await
        .expect("resumed");
    assert_eq!(paid(&h, &p.clerk, &commune, "2025-01").await, vec![]);
    assert_eq!(
        paid(&h, &p.clerk, &commune, "2025-02").await,
        lanh_paid(1_000_000)
    );

    // Decreased (died) on 20/03/2025: March is the last month paid; the reason is required.
    let no_reason = h
        .change(&p.clerk, &resumed, "decrease", (2025, 3, 20), "")
        .await
        .expect_err("no reason");
    assert_eq!(
        (code_of(&no_reason), fields_of(&no_reason)),
        ("REQUIRED".to_string(), vec!["reason".to_string()])
    );
    let before_last = h
        .change(&p.clerk, &resumed, "decrease", (2025, 1, 20), "Chết")
        .await
        .expect_err("before the resumption");
    assert_eq!(fields_of(&before_last), ["effective_date"]);
    let ended = h
        .change(&p.clerk, &resumed, "decrease", (2025, 3, 20), "Chết")
        .await
        .expect("ended");
    assert_eq!(ended.status, pb::EnrolmentStatus::Ended as i32);
    assert_eq!(
        paid(&h, &p.clerk, &commune, "2025-03").await,
        lanh_paid(1_000_000)
    );
    assert_eq!(paid(&h, &p.clerk, &commune, "2025-04").await, vec![]);
    // A recomputation of a past month gives the same lines.
    assert_eq!(
        paid(&h, &p.clerk, &commune, "2024-03").await,
        lanh_paid(360_000)
    );

    // The history, every change with its date, decision and who made it.
    let record = h
        .enrolments()
        .get_enrolment(authed(
            &p.clerk,
            pb::GetEnrolmentRequest {
                id: ended.id.clone(),
            },
        ))
        .await
        .expect("read")
        .into_inner();
    let history: Vec<(&str, &str)> = record
        .history
        .iter()
        .map(|c| (c.change.as_str(), c.actor_username.as_str()))
        .collect();
    assert_eq!(
        history,
        [
            ("increase", "nhaplieu.xta"),
            ("verify", "ldtbxh.htn"),
            ("adjust", "nhaplieu.xta"),
            ("suspend", "nhaplieu.xta"),
            ("resume", "nhaplieu.xta"),
            ("decrease", "nhaplieu.xta"),
        ]
    );
    assert_eq!(record.history[2].decision_number, "77/QĐ-UBND");
    assert_eq!(record.history[5].reason, "Chết");

    // The month's lines explain themselves.
    let october = h
        .month(&p.clerk, &commune, "TCXH", "2024-10")
        .await
        .expect("october");
    let line = &october.lines[0];
    assert_eq!(
        (line.base, line.coefficient, line.months, line.amount),
        (500_000, 200, 1, 1_000_000)
    );
    assert_eq!(october.total, 1_000_000);

    // Outside the district, nothing is read.
    let status = h
        .month(&p.stranger, &commune, "TCXH", "2024-10")
        .await
        .expect_err("another district");
    assert_eq!(status.code(), Code::PermissionDenied);
}

#[tokio::test]
async fn bad_input_is_named_and_changes_nothing() {
    let h = start().await;
    let p = h.province2().await;
    let commune = p.commune.id.clone();

    // Beneficiaries.
    for (citizen_id, born, commune_id, field, code) in [
        (
            "12345",
            (1950, 1, 1),
            commune.as_str(),
            "beneficiary.citizen_id",
            "BAD_CITIZEN_ID",
        ),
        (
            "",
            (2099, 1, 1),
            commune.as_str(),
            "beneficiary.birth_date",
            "DATE_IN_FUTURE",
        ),
        (
            "",
            (1950, 2, 30),
            commune.as_str(),
            "beneficiary.birth_date",
            "BAD_DATE",
        ),
        ("", (1950, 1, 1), "", "beneficiary.commune_id", "REQUIRED"),
    ] {
        let status = h
            .person_in(&p.clerk, commune_id, "Trần Văn Bé", born, citizen_id)
            .await
            .expect_err(field);
        assert_eq!(status.code(), Code::InvalidArgument, "{field}");
        assert_eq!(
            (code_of(&status), fields_of(&status)),
            (code.to_string(), vec![field.to_string()])
        );
    }
    let listed = h
        .beneficiaries()
        .list_beneficiaries(authed(&p.clerk, pb::ListBeneficiariesRequest::default()))
        .await
        .expect("list")
        .into_inner();
    assert!(listed.beneficiaries.is_empty(), "nothing was entered");

    let be = h
        .person_in(&p.clerk, &commune, "Trần Văn Bé", (2015, 6, 1), "")
        .await
        .expect("entered")
        .beneficiary
        .expect("record");
    let enrol = |e: pb::Enrolment| {
        let h = &h;
        let token = p.clerk.clone();
        async move {
            h.enrolments()
                .create_enrolment(authed(
                    &token,
                    pb::CreateEnrolmentRequest { enrolment: Some(e) },
                ))
                .await
        }
    };
    let base = pb::Enrolment {
        beneficiary_id: be.id.clone(),
        policy: "TCXH".into(),
        category: "orphan_4_plus".into(),
        decision_number: "9/QĐ-UBND".into(),
        decision_date: Some(Date {
            year: 2025,
            month: 1,
            day: 5,
        }),
        start_date: Some(Date {
            year: 2025,
            month: 1,
            day: 5,
        }),
        ..Default::default()
    };
    for (what, e, field, code) in [
        (
            "a category outside the table",
            pb::Enrolment {
                category: "poor_household".into(),
                ..base.clone()
            },
            "enrolment.category",
            "UNKNOWN_CODE",
        ),
        (
            "a coefficient not the category's",
            pb::Enrolment {
                coefficient: 350,
                ..base.clone()
            },
            "enrolment.coefficient",
            "NOT_OF_CATEGORY",
        ),
        (
            "a household policy for a person",
            pb::Enrolment {
                policy: "TIENDIEN".into(),
                quantity: 30_000,
                ..base.clone()
            },
            "enrolment.policy",
            "WRONG_BENEFICIARY_KIND",
        ),
        (
            "an unknown policy",
            pb::Enrolment {
                policy: "KHONGCO".into(),
                ..base.clone()
            },
            "enrolment.policy",
            "UNKNOWN_CODE",
        ),
        (
            "an end before the start",
            pb::Enrolment {
                end_date: Some(Date {
                    year: 2024,
                    month: 12,
                    day: 31,
                }),
                ..base.clone()
            },
            "enrolment.end_date",
            "DATES_OUT_OF_ORDER",
        ),
        (
            "no decision",
            pb::Enrolment {
                decision_number: " ".into(),
                ..base.clone()
            },
            "enrolment.decision_number",
            "REQUIRED",
        ),
    ] {
        let status = enrol(e).await.expect_err(what);
        assert_eq!(
            (code_of(&status), fields_of(&status)),
            (code.to_string(), vec![field.to_string()]),
            "{what}"
        );
    }
    // A household with an absurd or negative quantity of electricity.
    let household = h
        .beneficiaries()
        .create_beneficiary(authed(
            &p.clerk,
            pb::CreateBeneficiaryRequest {
                beneficiary: Some(pb::Beneficiary {
                    kind: pb::BeneficiaryKind::Household as i32,
                    full_name: "Hộ ông Đinh Văn Rơi".into(),
                    commune_id: commune.clone(),
                    household_code: "XTA-0012".into(),
                    poverty: "poor".into(),
                    poverty_decision: "15/QĐ-UBND".into(),
                    ..Default::default()
                }),
            },
        ))
        .await
        .expect("a household")
        .into_inner()
        .beneficiary
        .expect("record");
    for quantity in [-5_000, 0, 2_000_000_000] {
        let status = enrol(pb::Enrolment {
            beneficiary_id: household.id.clone(),
            policy: "TIENDIEN".into(),
            category: String::new(),
            quantity,
            ..base.clone()
        })
        .await
        .expect_err("quantity");
        assert_eq!(fields_of(&status), ["enrolment.quantity"], "{quantity}");
    }
    let enrolments = h
        .enrolments()
        .list_enrolments(authed(&p.clerk, pb::ListEnrolmentsRequest::default()))
        .await
        .expect("list")
        .into_inner();
    assert!(
        enrolments.enrolments.is_empty(),
        "no bad enrolment was written"
    );

    // 30 kWh a month for the poor household (QĐ 28/2014).
    let power = enrol(pb::Enrolment {
        beneficiary_id: household.id.clone(),
        policy: "TIENDIEN".into(),
        category: String::new(),
        quantity: 30_000,
        ..base.clone()
    })
    .await
    .expect("electricity")
    .into_inner();
    assert_eq!(power.quantity, 30_000);

    let enrolled = enrol(base.clone()).await.expect("enrolled").into_inner();
    let again = enrol(base.clone()).await.expect_err("twice");
    assert_eq!(code_of(&again), "ALREADY_ENROLLED");
    // A stale version, a change that does not apply now, a date before the start.
    let verified = h
        .verify(&p.labour, &enrolled, true, "")
        .await
        .expect("verified");
    let stale = h
        .change(&p.clerk, &enrolled, "suspend", (2025, 6, 1), "")
        .await
        .expect_err("stale");
    assert_eq!(
        (stale.code(), code_of(&stale)),
        (Code::Aborted, "STALE_ETAG".to_string())
    );
    let resume = h
        .change(&p.clerk, &verified, "resume", (2025, 6, 1), "")
        .await
        .expect_err("not suspended");
    assert_eq!(resume.code(), Code::FailedPrecondition);
    let early = h
        .change(&p.clerk, &verified, "suspend", (2024, 6, 1), "")
        .await
        .expect_err("before the start");
    assert_eq!(
        (code_of(&early), fields_of(&early)),
        ("DATE_ORDER".to_string(), vec!["effective_date".to_string()])
    );
    let unknown = h
        .change(&p.clerk, &verified, "pause", (2025, 6, 1), "")
        .await
        .expect_err("unknown change");
    assert_eq!(fields_of(&unknown), ["change"]);
    let month = h
        .month(&p.clerk, &commune, "TCXH", "2025-13")
        .await
        .expect_err("month 13");
    assert_eq!(fields_of(&month), ["month"]);
    let yearly = h
        .month(&p.clerk, &commune, "DATLUA", "2025-01")
        .await
        .expect_err("a month of a yearly policy");
    assert_eq!(fields_of(&yearly), ["month"]);
    assert!(
        yearly.message().contains("năm ghi 4 chữ số"),
        "{}",
        yearly.message()
    );
    let still = h
        .enrolments()
        .get_enrolment(authed(
            &p.clerk,
            pb::GetEnrolmentRequest {
                id: verified.id.clone(),
            },
        ))
        .await
        .expect("read")
        .into_inner();
    assert_eq!(
        (still.status, still.version, still.history.len()),
        (verified.status, verified.version, 2)
    );
}

#[tokio::test]
async fn a_suspected_duplicate_blocks_enrolment_until_decided() {
    let h = start().await;
    let p = h.province2().await;
    let commune = p.commune.id.clone();
    let first = h
        .person_in(
            &p.clerk,
            &commune,
            "Nguyễn Văn An",
            (1948, 9, 2),
            "051048000111",
        )
        .await
        .expect("first")
        .beneficiary
        .expect("record");
    let same_id = h
        .person_in(
            &p.clerk,
            &commune,
            "Nguyễn Văn Bình",
            (1950, 1, 1),
            "051048000111",
        )
        .await
        .expect_err("one record per citizen ID");
    assert_eq!(
        (same_id.code(), code_of(&same_id)),
        (Code::AlreadyExists, "ID_NUMBER_TAKEN".to_string())
    );
    // The same name without its diacritics, born the same day in the same commune.
    let second = h
        .person_in(&p.clerk, &commune, "nguyen van an", (1948, 9, 2), "")
        .await
        .expect("second");
    let suspected: Vec<&str> = second
        .suspected_duplicates
        .iter()
        .map(|b| b.id.as_str())
        .collect();
    assert_eq!(suspected, [first.id.as_str()]);
    let second = second.beneficiary.expect("record");
    let blocked = h
        .allowance(&p.clerk, &second.id, "elderly_80_no_pension", (2025, 1, 1))
        .await
        .expect_err("blocked");
    assert_eq!(code_of(&blocked), "SUSPECTED_DUPLICATE");

    let resolve = |id: &str, other: &str, decision: &str, token: &str| {
        let request = pb::ResolveDuplicateRequest {
            id: id.into(),
            other_id: other.into(),
            decision: decision.into(),
        };
        let (h, token) = (&h, token.to_string());
        async move {
            h.beneficiaries()
                .resolve_duplicate(authed(&token, request))
                .await
                .map(tonic::Response::into_inner)
        }
    };
    let outsider = resolve(&second.id, &first.id, "NOT_DUPLICATE", &p.stranger)
        .await
        .expect_err("another district");
    assert_eq!(outsider.code(), Code::PermissionDenied);
    let record = resolve(&second.id, &first.id, "NOT_DUPLICATE", &p.clerk)
        .await
        .expect("two people");
    assert!(record.suspected_duplicates.is_empty());
    h.allowance(&p.clerk, &second.id, "elderly_80_no_pension", (2025, 1, 1))
        .await
        .expect("enrolled once decided");

    // A third entry of the first man is merged into him: his record stays findable.
    let third = h
        .person_in(&p.clerk, &commune, "Nguyễn Văn  An", (1948, 9, 2), "")
        .await
        .expect("third")
        .beneficiary
        .expect("record");
    let again = resolve(&first.id, &second.id, "MERGE", &p.clerk)
        .await
        .expect_err("already decided as two people");
    assert_eq!(fields_of(&again), ["other_id"]);
    resolve(&first.id, &third.id, "MERGE", &p.clerk)
        .await
        .expect("merged");
    let merged = h
        .beneficiaries()
        .get_beneficiary(authed(
            &p.clerk,
            pb::GetBeneficiaryRequest {
                id: third.id.clone(),
            },
        ))
        .await
        .expect("still findable")
        .into_inner()
        .beneficiary
        .expect("record");
    assert_eq!(merged.merged_into, first.id);
    let on_merged = h
        .allowance(&p.clerk, &third.id, "elderly_80_no_pension", (2025, 1, 1))
        .await
        .expect_err("merged away");
    assert_eq!(code_of(&on_merged), "MERGED_RECORD");
    // Found by any part of the name without diacritics, in the commune.
    let found = h
        .beneficiaries()
        .list_beneficiaries(authed(
            &p.clerk,
            pb::ListBeneficiariesRequest {
                query: "VAN AN".into(),
                ..Default::default()
            },
        ))
        .await
        .expect("search")
        .into_inner();
    assert_eq!(found.beneficiaries.len(), 3);
}

#[tokio::test]
async fn provincial_finance_keeps_the_parameters_and_every_change_is_kept() {
    let h = start().await;
    let p = h.province2().await;
    let values = h
        .policies()
        .list_parameters(authed(&p.clerk, pb::ListParametersRequest {}))
        .await
        .expect("parameters")
        .into_inner()
        .parameters;
    let base: Vec<(i32, i64)> = values
        .iter()
        .filter(|v| v.kind == "social_assistance_base")
        .map(|v| (v.effective_from.as_ref().map_or(0, |d| d.year), v.value))
        .collect();
    assert_eq!(base, [(2021, 360_000), (2024, 500_000)]);
    let policies = h
        .policies()
        .list_policies(authed(&p.labour, pb::ListPoliciesRequest {}))
        .await
        .expect("policies")
        .into_inner()
        .policies;
    let allowance = policies.iter().find(|p| p.code == "TCXH").expect("TCXH");
    assert!(
        allowance
            .categories
            .iter()
            .any(|c| c.code == "orphan_under_4" && c.coefficient == 250)
    );

    let set = |token: &str, kind: &str, value: i64| {
        let request = pb::SetParameterRequest {
            kind: kind.into(),
            effective_from: Some(Date {
                year: 2026,
                month: 7,
                day: 1,
            }),
            value,
            legal_basis: "NĐ giả định cho kiểm thử".into(),
        };
        let (h, token) = (&h, token.to_string());
        async move { h.policies().set_parameter(authed(&token, request)).await }
    };
    for (who, token) in [
        ("a commune clerk", &p.clerk),
        ("district Finance", &p.finance),
    ] {
        let status = set(token, "social_assistance_base", 600_000)
            .await
            .expect_err(who);
        assert_eq!(status.code(), Code::PermissionDenied, "{who}");
    }
    let zero = set(&p.province_finance, "social_assistance_base", 0)
        .await
        .expect_err("zero");
    assert_eq!(fields_of(&zero), ["value"]);
    let unknown = set(&p.province_finance, "gold_price", 1)
        .await
        .expect_err("unknown");
    assert_eq!(fields_of(&unknown), ["kind"]);
    set(&p.province_finance, "social_assistance_base", 600_000)
        .await
        .expect("set");
    let changes = h
        .policies()
        .list_parameter_changes(authed(&p.clerk, pb::ListParameterChangesRequest::default()))
        .await
        .expect("changes")
        .into_inner()
        .changes;
    assert_eq!(changes.len(), 1, "only the accepted change");
    assert_eq!(
        (
            changes[0].actor_username.as_str(),
            changes[0].before.as_str()
        ),
        ("stc", "")
    );
    assert!(
        changes[0].after.starts_with("600000"),
        "{}",
        changes[0].after
    );

    // A verified enrolment at 1.5 is paid on the new base from July 2026, the old before.
    h.verified_allowance(
        &p.clerk,
        &p.labour,
        &p.commune.id,
        ("Lê Thị Hoa", (2012, 3, 3), ""),
        "orphan_4_plus",
        (2026, 1, 10),
    )
    .await;
    for (month, amount) in [("2026-06", 750_000), ("2026-07", 900_000)] {
        let lines = h
            .month(&p.clerk, &p.commune.id, "TCXH", month)
            .await
            .expect(month)
            .lines;
        assert_eq!(
            lines.iter().map(|l| l.amount).collect::<Vec<_>>(),
            [amount],
            "{month}"
        );
    }
}

#[tokio::test]
async fn provincial_finance_adds_a_provinces_own_policy_and_communes_enrol_in_it() {
    let h = start().await;
    let p = h.province2().await;
    // A monthly support of the province: 200,000 a month at one level, for persons, verified by
    // Labour, in force for the first half of 2026 (its resolution's days).
    let day = |year, month, day| Some(Date { year, month, day });
    let policy = |levels: Vec<(&str, i64)>| pb::Policy {
        code: "HT-TINH".into(),
        name: "Hỗ trợ hằng tháng người cao tuổi cô đơn (nghị quyết của tỉnh)".into(),
        group: pb::PolicyGroup::SocialAssurance as i32,
        legal_basis: "NQ 12/2025/NQ-HĐND".into(),
        beneficiary_kind: pb::BeneficiaryKind::Person as i32,
        rule: "fixed_per_level".into(),
        frequency: "monthly".into(),
        verifier: "labour".into(),
        levels: levels
            .into_iter()
            .map(|(code, amount)| pb::Level {
                code: code.into(),
                amount,
            })
            .collect(),
        in_force_from: day(2026, 1, 1),
        in_force_to: day(2026, 6, 30),
        ..Default::default()
    };
    let set = |token: &str, p: pb::Policy| {
        let (h, token) = (&h, token.to_string());
        async move {
            h.policies()
                .set_policy(authed(&token, pb::SetPolicyRequest { policy: Some(p) }))
                .await
        }
    };
    for (who, token) in [
        ("a commune clerk", &p.clerk),
        ("district Finance", &p.finance),
    ] {
        let status = set(token, policy(vec![("muc1", 200_000)]))
            .await
            .expect_err(who);
        assert_eq!(status.code(), Code::PermissionDenied, "{who}");
    }
    let bad = set(
        &p.province_finance,
        policy(vec![("muc1", 200_000), ("muc1", -5)]),
    )
    .await
    .expect_err("repeated level");
    assert_eq!(fields_of(&bad), ["policy.levels"]);
    let undated = set(
        &p.province_finance,
        pb::Policy {
            in_force_from: None,
            ..policy(vec![("muc1", 200_000)])
        },
    )
    .await
    .expect_err("no first day");
    assert_eq!(fields_of(&undated), ["policy.in_force_from"]);
    let backwards = set(
        &p.province_finance,
        pb::Policy {
            in_force_to: day(2025, 12, 31),
            ..policy(vec![("muc1", 200_000)])
        },
    )
    .await
    .expect_err("ends before it begins");
    assert_eq!(fields_of(&backwards), ["policy.in_force_to"]);
    assert_eq!(code_of(&backwards), "DATES_OUT_OF_ORDER");
    set(&p.province_finance, policy(vec![("muc1", 200_000)]))
        .await
        .expect("added");
    let listed = h
        .policies()
        .list_policies(authed(&p.clerk, pb::ListPoliciesRequest {}))
        .await
        .expect("policies")
        .into_inner()
        .policies;
    assert!(listed.iter().any(|x| x.code == "HT-TINH"
        && x.levels.len() == 1
        && x.in_force_from == day(2026, 1, 1)
        && x.in_force_to == day(2026, 6, 30)));
    let changes = h
        .policies()
        .list_parameter_changes(authed(&p.clerk, pb::ListParameterChangesRequest::default()))
        .await
        .expect("changes")
        .into_inner()
        .changes;
    assert!(
        changes.iter().any(|c| c.kind == "policy:HT-TINH"
            && c.actor_username == "stc"
            && c.before.is_empty()),
        "{changes:?}"
    );

    let b = h
        .person_in(
            &p.clerk,
            &p.commune.id,
            "Cao Thị Một Mình",
            (1941, 1, 1),
            "",
        )
        .await
        .expect("entered")
        .beneficiary
        .expect("record");
    let enrolment = |start| {
        authed(
            &p.clerk,
            pb::CreateEnrolmentRequest {
                enrolment: Some(pb::Enrolment {
                    beneficiary_id: b.id.clone(),
                    policy: "HT-TINH".into(),
                    level: "muc1".into(),
                    decision_number: "3/QĐ-UBND".into(),
                    decision_date: day(2025, 12, 1),
                    start_date: start,
                    ..Default::default()
                }),
            },
        )
    };
    // Before the resolution takes effect nobody can be enrolled in it.
    let early = h
        .enrolments()
        .create_enrolment(enrolment(day(2025, 12, 1)))
        .await
        .expect_err("before it is in force");
    assert_eq!(fields_of(&early), ["enrolment.start_date"]);
    assert_eq!(code_of(&early), "POLICY_NOT_IN_FORCE");
    let e = h
        .enrolments()
        .create_enrolment(enrolment(day(2026, 2, 1)))
        .await
        .expect("enrolled")
        .into_inner();
    h.verify(&p.labour, &e, true, "").await.expect("verified");
    // Paid from February to June, the last month the policy is in force; nothing after.
    for (month, total) in [
        ("2026-01", 0),
        ("2026-03", 200_000),
        ("2026-06", 200_000),
        ("2026-07", 0),
    ] {
        let lines = h
            .month(&p.clerk, &p.commune.id, "HT-TINH", month)
            .await
            .expect(month);
        assert_eq!(lines.total, total, "{month}");
    }
}
