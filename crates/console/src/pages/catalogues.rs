//! The personnel catalogues (ethnicities, degrees, award kinds...) for their administrator:
//! every signed-in person reads them; Home Affairs adds an entry, renames it or retires it
//! (never deletes it: records keep its code).

use crate::web::{Ctx, Errors, Failure, Page, encode, holds, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tinhso_proto::personnel::v1 as pb;
use tinhso_proto::personnel::v1::catalogue_service_client::CatalogueServiceClient;

#[derive(Template)]
#[template(path = "catalogues.html")]
struct ListPage {
    page: Page,
    catalogues: Vec<pb::CatalogueInfo>,
}

pub async fn list(ctx: Ctx) -> Response {
    match CatalogueServiceClient::new(ctx.console.personnel.clone())
        .list_catalogues(ctx.request(pb::ListCataloguesRequest {}))
        .await
    {
        Ok(r) => render(&ListPage {
            page: ctx.page.crumbs(&[(None, "Danh mục", "Catalogues")]),
            catalogues: r.into_inner().catalogues,
        }),
        Err(s) => Failure::of(&s, ctx.page.lang).page(&ctx.page),
    }
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct EntriesPage {
    page: Page,
    info: pb::CatalogueInfo,
    entries: Vec<pb::CatalogueEntry>,
    can_edit: bool,
    form: EntryForm,
    errors: Errors,
    done: bool,
}

#[derive(Deserialize, Default, Clone)]
pub struct EntryForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    attribute: String,
    #[serde(default)]
    sort_order: String,
    /// The report column the entry counts under (grades: BM02's rank).
    #[serde(default)]
    report_column: String,
    /// Present when the entry stays in use.
    #[serde(default)]
    active: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
    /// An entry to load into the form, to change it.
    #[serde(default)]
    sua: Option<String>,
}

async fn entries_page(
    ctx: Ctx,
    name: String,
    form: EntryForm,
    errors: Errors,
    status: StatusCode,
    done: bool,
) -> Response {
    let mut client = CatalogueServiceClient::new(ctx.console.personnel.clone());
    let info = match client
        .list_catalogues(ctx.request(pb::ListCataloguesRequest {}))
        .await
    {
        Ok(r) => r
            .into_inner()
            .catalogues
            .into_iter()
            .find(|c| c.name == name),
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let Some(info) = info else {
        return Failure::NotFound(String::new()).page(&ctx.page);
    };
    let entries = match client
        .list_catalogue_entries(ctx.request(pb::ListCatalogueEntriesRequest {
            catalogue: name,
            include_retired: true,
        }))
        .await
    {
        Ok(r) => r.into_inner().entries,
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let body = EntriesPage {
        can_edit: holds(&ctx.principal, "personnel.catalogue.write"),
        page: ctx.page.crumbs(&[
            (Some("/danh-muc"), "Danh mục", "Catalogues"),
            (None, "Mục trong danh mục", "Entries"),
        ]),
        info,
        entries,
        form,
        errors,
        done,
    };
    (status, render(&body)).into_response()
}

pub async fn show(ctx: Ctx, Path(name): Path<String>, Query(q): Query<DoneQuery>) -> Response {
    let mut form = EntryForm {
        active: Some("1".into()),
        ..Default::default()
    };
    if let Some(code) = q.sua.as_deref() {
        let entry = CatalogueServiceClient::new(ctx.console.personnel.clone())
            .list_catalogue_entries(ctx.request(pb::ListCatalogueEntriesRequest {
                catalogue: name.clone(),
                include_retired: true,
            }))
            .await
            .ok()
            .and_then(|r| r.into_inner().entries.into_iter().find(|e| e.code == code));
        if let Some(e) = entry {
            form = EntryForm {
                code: e.code,
                name: e.name,
                attribute: e.attribute,
                report_column: e.report_column,
                sort_order: e.sort_order.to_string(),
                active: e.active.then(|| "1".to_string()),
            };
        }
    }
    entries_page(
        ctx,
        name,
        form,
        Errors::default(),
        StatusCode::OK,
        q.done.is_some(),
    )
    .await
}

pub async fn put(ctx: Ctx, Path(name): Path<String>, Form(f): Form<EntryForm>) -> Response {
    let reply = CatalogueServiceClient::new(ctx.console.personnel.clone())
        .put_catalogue_entry(ctx.request(pb::PutCatalogueEntryRequest {
            catalogue: name.clone(),
            code: f.code.trim().to_string(),
            name: f.name.clone(),
            attribute: f.attribute.clone(),
            report_column: f.report_column.clone(),
            sort_order: f.sort_order.trim().parse().unwrap_or(0),
            active: f.active.is_some(),
        }))
        .await;
    match reply {
        Ok(_) => Redirect::to(&format!("/danh-muc/{}?done=1", encode(&name))).into_response(),
        Err(s) => match Failure::of(&s, ctx.page.lang) {
            Failure::Fields(errors) => {
                entries_page(ctx, name, f, Errors(errors), StatusCode::BAD_REQUEST, false).await
            }
            other => other.page(&ctx.page),
        },
    }
}
