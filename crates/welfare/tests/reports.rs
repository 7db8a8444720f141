//! The month's report per policy and unit, rolled up the tree and rebuilt from history (a past
//! month reads the same after later changes), and the workbooks with typed cells and Vietnamese
//! text intact; refused outside the caller's scope.

mod common;

use common::*;
use tinhso_platform::xlsx;
use tinhso_proto::identity::v1 as id;
use tinhso_proto::welfare::v1 as pb;
use tonic::Code;

async fn download(
    mut stream: tonic::Streaming<tinhso_proto::common::v1::FileChunk>,
) -> Vec<Vec<String>> {
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.message().await.expect("chunk") {
        bytes.extend(chunk.data);
    }
    xlsx::read_first_sheet(&bytes, &xlsx::ReadLimits::for_sheet(1000, 40)).expect("a workbook")
}

#[tokio::test]
async fn the_months_report_rolls_up_the_communes_and_reads_the_same_later() {
    let h = start().await;
    let p = h.province2().await;
    let second = h
        .province()
        .unit(&p.admin, "XTB", &p.district.id, id::UnitKind::Commune)
        .await;
    h.replicated(&second).await;
    let second_clerk = h
        .province()
        .person(
            &p.admin,
            "nhaplieu.xtb",
            &second.id,
            "data_entry",
            Some(&second.id),
            "",
        )
        .await
        .token;
    // An orphan of 9 in the first commune (1.5), a man of 84 in the second (1.0), from March 2024.
    let mut enrolled = Vec::new();
    for (token, commune, name, born, category) in [
        (
            &p.clerk,
            &p.commune.id,
            "Mai Văn Nhỏ",
            (2015, 1, 1),
            "orphan_4_plus",
        ),
        (
            &second_clerk,
            &second.id,
            "Tạ Văn Già",
            (1940, 1, 1),
            "elderly_80_no_pension",
        ),
    ] {
        enrolled.push(
            h.verified_allowance(
                token,
                &p.labour,
                commune,
                (name, born, ""),
                category,
                (2024, 3, 4),
            )
            .await,
        );
    }
    let mut reports = pb::report_service_client::ReportServiceClient::new(h.channel.clone());
    let report = |month: &str| pb::GetWelfareReportRequest {
        unit_id: p.district.id.clone(),
        period: month.into(),
        ..Default::default()
    };
    let read = |r: &pb::WelfareReport| -> Vec<(String, i32, i64, i64)> {
        let people = r
            .columns
            .iter()
            .position(|c| c.key == "TCXH:people")
            .expect("people");
        let amount = r
            .columns
            .iter()
            .position(|c| c.key == "TCXH:amount")
            .expect("amount");
        r.rows
            .iter()
            .map(|row| {
                (
                    row.unit_name.clone(),
                    row.depth,
                    row.values[people],
                    row.values[amount],
                )
            })
            .collect()
    };
    let march = reports
        .get_welfare_report(authed(&p.labour, report("2024-03")))
        .await
        .expect("March")
        .into_inner();
    // NĐ 20/2021's 360,000: 1.5 -> 540,000 and 1.0 -> 360,000.
    assert_eq!(
        read(&march),
        [
            ("Đơn vị HTN".to_string(), 0, 2, 900_000),
            ("Đơn vị XTA".to_string(), 1, 1, 540_000),
            ("Đơn vị XTB".to_string(), 1, 1, 360_000),
        ]
    );
    let august = reports
        .get_welfare_report(authed(&p.labour, report("2024-08")))
        .await
        .expect("August")
        .into_inner();
    assert_eq!(
        read(&august)[0],
        ("Đơn vị HTN".to_string(), 0, 2, 1_250_000)
    );
    // A later adjustment leaves August as it was.
    h.enrolments()
        .change_enrolment(authed(
            &second_clerk,
            pb::ChangeEnrolmentRequest {
                id: enrolled[1].id.clone(),
                version: enrolled[1].version,
                change: "adjust".into(),
                effective_date: Some(Date {
                    year: 2024,
                    month: 10,
                    day: 1,
                }),
                decision_number: "9/QĐ-UBND".into(),
                category: "elderly_poor_80_plus".into(),
                ..Default::default()
            },
        ))
        .await
        .expect("adjusted");
    let again = reports
        .get_welfare_report(authed(&p.labour, report("2024-08")))
        .await
        .expect("August again")
        .into_inner();
    assert_eq!(again, august);
    let october = reports
        .get_welfare_report(authed(&p.labour, report("2024-10")))
        .await
        .expect("October")
        .into_inner();
    assert_eq!(read(&october)[0].3, 750_000 + 1_000_000);

    // The workbook: the title and names in Vietnamese, the amounts as numbers.
    let sheet = download(
        reports
            .export_welfare_report(authed(&p.labour, report("2024-08")))
            .await
            .expect("export")
            .into_inner(),
    )
    .await;
    assert!(sheet[0][0].contains("tháng 08/2024"), "{:?}", sheet[0]);
    let district_row = sheet
        .iter()
        .find(|r| r.first().is_some_and(|c| c.trim() == "Đơn vị HTN"))
        .expect("the district's row");
    assert!(
        district_row.contains(&"1250000".to_string()),
        "{district_row:?}"
    );

    // The payment list's workbook: dates as dates, the coefficient as a number.
    let mut payments = pb::payment_service_client::PaymentServiceClient::new(h.channel.clone());
    let list = payments
        .prepare_payment_list(authed(
            &p.clerk,
            pb::PreparePaymentListRequest {
                unit_id: p.commune.id.clone(),
                policy: "TCXH".into(),
                period: "2024-08".into(),
            },
        ))
        .await
        .expect("prepared")
        .into_inner();
    payments
        .record_payments(authed(
            &p.clerk,
            pb::RecordPaymentsRequest {
                id: list.id.clone(),
                version: list.version,
                marks: vec![pb::PaymentMark {
                    enrolment_id: enrolled[0].id.clone(),
                    paid: true,
                    paid_on: Some(Date {
                        year: 2024,
                        month: 8,
                        day: 12,
                    }),
                    method: "cash".into(),
                    unpaid_reason: String::new(),
                }],
                funded: 750_000,
            },
        ))
        .await
        .expect("recorded");
    let sheet = download(
        reports
            .export_payment_list(authed(
                &p.clerk,
                pb::GetPaymentListRequest {
                    id: list.id.clone(),
                },
            ))
            .await
            .expect("export")
            .into_inner(),
    )
    .await;
    let line = sheet
        .iter()
        .find(|r| r.get(1).is_some_and(|c| c == "Mai Văn Nhỏ"))
        .expect("the line");
    assert_eq!(
        (
            line[2].as_str(),
            line[3].as_str(),
            line[5].as_str(),
            line[6].as_str(),
            line[7].as_str(),
            line[8].as_str()
        ),
        ("500000", "1.5", "1", "750000", "2024-08-12", "Tiền mặt"),
        "{line:?}"
    );
    let people = download(
        reports
            .export_beneficiaries(authed(&p.clerk, pb::ListBeneficiariesRequest::default()))
            .await
            .expect("export")
            .into_inner(),
    )
    .await;
    assert!(
        people
            .iter()
            .any(|r| r.first().is_some_and(|c| c == "Mai Văn Nhỏ"))
    );
    assert!(
        !people
            .iter()
            .any(|r| r.first().is_some_and(|c| c == "Tạ Văn Già")),
        "the other commune's"
    );

    // Outside the district: refused.
    for status in [
        reports
            .get_welfare_report(authed(&p.stranger, report("2024-08")))
            .await
            .err(),
        reports
            .export_welfare_report(authed(&p.stranger, report("2024-08")))
            .await
            .err(),
        reports
            .export_payment_list(authed(
                &p.stranger,
                pb::GetPaymentListRequest {
                    id: list.id.clone(),
                },
            ))
            .await
            .err(),
        reports
            .export_beneficiaries(authed(
                &p.stranger,
                pb::ListBeneficiariesRequest {
                    unit_id: p.commune.id.clone(),
                    ..Default::default()
                },
            ))
            .await
            .err(),
    ] {
        assert_eq!(status.map(|s| s.code()), Some(Code::PermissionDenied));
    }
}
