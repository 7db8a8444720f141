//! The audit trail of the person's scope: filtered by action and dates (kept in the URL), paged,
//! and downloaded whole as CSV, streamed from identity as it reads it.

use crate::pages::employees::parse_date;
use crate::web::{Ctx, Errors, Failure, FieldError, encode, render};
use askama::Template;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tinhso_proto::identity::v1 as pb;
use tinhso_proto::identity::v1::audit_service_client::AuditServiceClient;

pub struct Row {
    pub time: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub address: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    page: crate::web::Page,
    errors: Errors,
    rows: Vec<Row>,
    action: String,
    from: String,
    to: String,
    export_href: String,
    next_href: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct AuditQuery {
    #[serde(default)]
    action: String,
    #[serde(default)]
    tu: String,
    #[serde(default)]
    den: String,
    #[serde(default)]
    page: String,
}

/// A moment as people here read it: Vietnam time, dd/mm/yyyy HH:MM.
fn moment(t: Option<&prost_types::Timestamp>) -> String {
    t.and_then(|t| time::OffsetDateTime::from_unix_timestamp(t.seconds).ok())
        .map(|t| t.to_offset(time::UtcOffset::from_hms(7, 0, 0).unwrap_or(time::UtcOffset::UTC)))
        .map(|t| {
            format!(
                "{:02}/{:02}/{:04} {:02}:{:02}",
                t.day(),
                u8::from(t.month()),
                t.year(),
                t.hour(),
                t.minute()
            )
        })
        .unwrap_or_default()
}

/// The start of a day in Vietnam (UTC+7), as a timestamp.
fn day_start(
    d: &tinhso_proto::common::v1::Date,
    days_after: i64,
) -> Option<prost_types::Timestamp> {
    let month = time::Month::try_from(u8::try_from(d.month).ok()?).ok()?;
    let date = time::Date::from_calendar_date(d.year, month, u8::try_from(d.day).ok()?).ok()?;
    let start = date
        .checked_add(time::Duration::days(days_after))?
        .midnight()
        .assume_offset(time::UtcOffset::from_hms(7, 0, 0).ok()?);
    Some(prost_types::Timestamp {
        seconds: start.unix_timestamp(),
        nanos: 0,
    })
}

/// The request for `q`, or the fields at fault.
fn request_of(q: &AuditQuery, ctx: &Ctx) -> Result<pb::ListAuditEventsRequest, Errors> {
    let mut errors = Vec::new();
    let mut bound = |field: &str, text: &str, days_after: i64| {
        if text.trim().is_empty() {
            return None;
        }
        let parsed = parse_date(text).and_then(|d| day_start(&d, days_after));
        if parsed.is_none() {
            errors.push(FieldError {
                field: field.to_string(),
                message: ctx
                    .page
                    .t(
                        "Ngày phải theo dạng ngày/tháng/năm, ví dụ 01/11/2026",
                        "Dates are day/month/year, e.g. 01/11/2026",
                    )
                    .to_string(),
            });
        }
        parsed
    };
    let start_time = bound("tu", &q.tu, 0);
    // "Đến hết ngày": up to the start of the next day.
    let end_time = bound("den", &q.den, 1);
    if !errors.is_empty() {
        return Err(Errors(errors));
    }
    Ok(pb::ListAuditEventsRequest {
        action: q.action.trim().to_string(),
        start_time,
        end_time,
        page_size: 100,
        page_token: q.page.clone(),
        ..Default::default()
    })
}

fn query_string(q: &AuditQuery) -> String {
    format!(
        "action={}&tu={}&den={}",
        encode(&q.action),
        encode(&q.tu),
        encode(&q.den)
    )
}

pub async fn list(ctx: Ctx, Query(q): Query<AuditQuery>) -> Response {
    let (rows, next_token, errors) = match request_of(&q, &ctx) {
        Err(errors) => (Vec::new(), String::new(), errors),
        Ok(request) => {
            match AuditServiceClient::new(ctx.console.identity.clone())
                .list_audit_events(ctx.request(request))
                .await
            {
                Ok(r) => {
                    let r = r.into_inner();
                    let rows = r
                        .events
                        .into_iter()
                        .map(|e| Row {
                            time: moment(e.time.as_ref()),
                            actor: e.actor_username,
                            action: e.action,
                            target: format!("{} {}", e.target_kind, e.target_id),
                            address: e.client_address,
                        })
                        .collect();
                    (rows, r.next_page_token, Errors::default())
                }
                Err(status) => match Failure::of(&status, ctx.page.lang) {
                    Failure::Fields(errors) => (Vec::new(), String::new(), Errors(errors)),
                    other => return other.page(&ctx.page),
                },
            }
        }
    };
    let filters = query_string(&q);
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::BAD_REQUEST
    };
    let body = AuditPage {
        page: ctx.page.crumbs(&[(None, "Nhật ký", "Audit trail")]),
        errors,
        rows,
        export_href: format!("/nhat-ky/tai-ve?{filters}"),
        next_href: if next_token.is_empty() {
            String::new()
        } else {
            format!("/nhat-ky?{filters}&page={}", encode(&next_token))
        },
        action: q.action,
        from: q.tu,
        to: q.den,
    };
    (status, render(&body)).into_response()
}

/// The whole filtered trail as CSV, passed on chunk by chunk as identity streams it.
pub async fn export(ctx: Ctx, Query(q): Query<AuditQuery>) -> Response {
    let Ok(request) = request_of(&q, &ctx) else {
        return Failure::Fields(Vec::new()).page(&ctx.page);
    };
    // An export takes longer than a page: five minutes.
    let mut call = ctx.request(request);
    call.set_timeout(std::time::Duration::from_secs(300));
    let stream = match AuditServiceClient::new(ctx.console.identity.clone())
        .export_audit_events(call)
        .await
    {
        Ok(r) => r.into_inner(),
        Err(status) => return Failure::of(&status, ctx.page.lang).page(&ctx.page),
    };
    crate::web::download(stream, "nhat-ky.csv", &ctx.page).await
}
