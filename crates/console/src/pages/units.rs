//! The unit tree of the person's scope: read, search, and add a unit under one of theirs.

use crate::web::{Ctx, Errors, Failure, encode, holds, render};
use askama::Template;
use axum::Form;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tinhso_proto::identity::v1 as pb;
use tinhso_proto::identity::v1::unit_service_client::UnitServiceClient;

/// A row of the tree, indented by its depth under the top of the person's scope.
pub struct UnitRowView {
    pub id: String,
    pub code: String,
    pub name: String,
    pub depth: usize,
    pub kind_vi: &'static str,
    pub kind_en: &'static str,
    pub active: bool,
}

pub struct KindOption {
    pub value: i32,
    pub vi: &'static str,
    pub en: &'static str,
}

/// The kinds of unit, as identity's enum numbers them.
const KINDS: &[(pb::UnitKind, &str, &str)] = &[
    (pb::UnitKind::Province, "Tỉnh", "Province"),
    (pb::UnitKind::Department, "Sở, ban, ngành", "Department"),
    (
        pb::UnitKind::District,
        "Huyện, thị xã, thành phố",
        "District",
    ),
    (pb::UnitKind::Commune, "Xã, phường, thị trấn", "Commune"),
    (
        pb::UnitKind::PublicServiceUnit,
        "Đơn vị sự nghiệp",
        "Public service unit",
    ),
    (pb::UnitKind::Association, "Hội, đoàn thể", "Association"),
    (pb::UnitKind::Other, "Khác", "Other"),
];

fn kind_names(kind: i32) -> (&'static str, &'static str) {
    KINDS
        .iter()
        .find(|(k, _, _)| *k as i32 == kind)
        .map_or(("", ""), |(_, vi, en)| (vi, en))
}

#[derive(Default)]
pub struct UnitForm {
    pub request_id: String,
    pub parent_id: String,
    pub code: String,
    pub name: String,
    pub kind: i32,
}

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    page: crate::web::Page,
    rows: Vec<UnitRowView>,
    query: String,
    query_encoded: String,
    include_closed: bool,
    can_create: bool,
    created: Option<String>,
    form: UnitForm,
    errors: Errors,
    kinds: Vec<KindOption>,
}

#[derive(Deserialize, Default)]
pub struct UnitsQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    closed: Option<String>,
    #[serde(default)]
    created: Option<String>,
}

/// The units of the person's scope (the first unit they read), in tree order.
pub(crate) async fn tree(ctx: &Ctx, include_closed: bool) -> Result<Vec<pb::Unit>, Failure> {
    let Some(scope) = ctx
        .principal
        .scopes_for("identity.unit.read")
        .first()
        .cloned()
    else {
        return Err(Failure::Denied(String::new()));
    };
    let top = tinhso_platform::UnitPath::new(scope)
        .unit_id()
        .into_string();
    let mut client = UnitServiceClient::new(ctx.console.identity.clone());
    let mut units = Vec::new();
    let mut page_token = String::new();
    loop {
        let reply = client
            .list_units(ctx.request(pb::ListUnitsRequest {
                parent_id: top.clone(),
                subtree: true,
                include_closed,
                page_size: 500,
                page_token: page_token.clone(),
            }))
            .await
            .map_err(|s| Failure::of(&s, ctx.page.lang))?
            .into_inner();
        units.extend(reply.units);
        if reply.next_page_token.is_empty() || units.len() >= 5_000 {
            return Ok(units);
        }
        page_token = reply.next_page_token;
    }
}

async fn page(ctx: Ctx, query: UnitsQuery, form: UnitForm, errors: Errors) -> Response {
    let include_closed = query.closed.is_some();
    let units = match tree(&ctx, include_closed).await {
        Ok(units) => units,
        Err(failure) => return failure.page(&ctx.page),
    };
    let base_depth = units.first().map_or(0, |u| u.path.matches('/').count());
    let needle = tinhso_platform::vn::fold(query.q.trim());
    let rows = units
        .into_iter()
        .filter(|u| {
            needle.is_empty()
                || tinhso_platform::vn::fold(&u.name).contains(&needle)
                || tinhso_platform::vn::fold(&u.code).contains(&needle)
        })
        .map(|u| {
            let (kind_vi, kind_en) = kind_names(u.kind);
            UnitRowView {
                depth: u
                    .path
                    .matches('/')
                    .count()
                    .saturating_sub(base_depth)
                    .min(4),
                active: u.status == pb::UnitStatus::Active as i32,
                id: u.id,
                code: u.code,
                name: u.name,
                kind_vi,
                kind_en,
            }
        })
        .collect();
    let can_create = holds(&ctx.principal, "identity.unit.create");
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let body = UnitsPage {
        page: ctx.page.crumbs(&[(None, "Đơn vị", "Units")]),
        rows,
        query_encoded: encode(&query.q),
        query: query.q,
        include_closed,
        can_create,
        created: query.created,
        form: UnitForm {
            request_id: if form.request_id.is_empty() {
                uuid::Uuid::new_v4().to_string()
            } else {
                form.request_id
            },
            ..form
        },
        errors,
        kinds: KINDS
            .iter()
            .map(|(k, vi, en)| KindOption {
                value: *k as i32,
                vi,
                en,
            })
            .collect(),
    };
    (status, render(&body)).into_response()
}

pub async fn list(ctx: Ctx, Query(query): Query<UnitsQuery>) -> Response {
    let form = UnitForm {
        kind: pb::UnitKind::Commune as i32,
        ..Default::default()
    };
    page(ctx, query, form, Errors::default()).await
}

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    request_id: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: i32,
}

pub async fn create(ctx: Ctx, Form(f): Form<CreateForm>) -> Response {
    let reply = UnitServiceClient::new(ctx.console.identity.clone())
        .create_unit(ctx.request(pb::CreateUnitRequest {
            unit: Some(pb::Unit {
                parent_id: f.parent_id.clone(),
                code: f.code.clone(),
                name: f.name.clone(),
                kind: f.kind,
                ..Default::default()
            }),
            // The same form posted twice creates one unit.
            request_id: f.request_id.clone(),
        }))
        .await;
    match reply {
        Ok(unit) => Redirect::to(&format!(
            "/don-vi?created={}",
            encode(&unit.into_inner().name)
        ))
        .into_response(),
        Err(status) => match Failure::of(&status, ctx.page.lang) {
            Failure::Fields(errors) => {
                let form = UnitForm {
                    request_id: f.request_id,
                    parent_id: f.parent_id,
                    code: f.code,
                    name: f.name,
                    kind: f.kind,
                };
                page(ctx, UnitsQuery::default(), form, Errors(errors)).await
            }
            other => other.page(&ctx.page),
        },
    }
}
