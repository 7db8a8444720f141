//! AuditService: the audit trail, searched and exported as CSV within the caller's scope.

use super::*;

/// Rows per chunk of an audit export.
const EXPORT_PAGE: i64 = 500;

impl Api {
    /// The audit query a caller may run: their read scopes, narrowed by the request's filters.
    async fn audit_filter(
        &self,
        p: &Principal,
        r: pb::ListAuditEventsRequest,
        limit: i64,
        offset: i64,
    ) -> AppResult<store::audit::Filter> {
        let under_path = if r.unit_id.is_empty() {
            None
        } else {
            let u = store::units::get(&self.0.db.pool, &r.unit_id)
                .await?
                .ok_or_else(|| AppError::not_found("đơn vị", "unit").with_field("unit_id"))?;
            p.require("identity.audit.read", &u.path)?;
            Some(u.path)
        };
        let scopes = p.scopes_for("identity.audit.read");
        if scopes.is_empty() {
            return Err(AppError::permission_denied());
        }
        Ok(store::audit::Filter {
            scopes,
            actor_id: (!r.actor_id.is_empty()).then_some(r.actor_id),
            under_path,
            action: (!r.action.is_empty()).then_some(r.action),
            from_ms: r.start_time.as_ref().map(from_timestamp),
            to_ms: r.end_time.as_ref().map(from_timestamp),
            before_id: None,
            limit,
            offset,
        })
    }
}

/// One audit export page as CSV lines.
fn audit_csv(rows: &[AuditEntry]) -> String {
    let mut out = String::new();
    for e in rows {
        out.push_str(&tinhso_platform::csv::row(&[
            e.id.to_string(),
            tinhso_platform::clock::rfc3339(e.at),
            e.actor_username.clone(),
            e.action.clone(),
            e.target_kind.clone(),
            e.target_id.clone(),
            e.unit_path.clone(),
            e.client_address.clone(),
            e.before_json.clone(),
            e.after_json.clone(),
        ]));
    }
    out
}

#[tonic::async_trait]
impl pb::audit_service_server::AuditService for Api {
    type ExportAuditEventsStream =
        tokio_stream::wrappers::ReceiverStream<Result<tinhso_proto::common::v1::FileChunk, Status>>;

    async fn export_audit_events(
        &self,
        request: Request<pb::ListAuditEventsRequest>,
    ) -> Reply<Self::ExportAuditEventsStream> {
        handle(async move {
            let p = self.principal(&request)?;
            p.require_active()?;
            let mut filter = self
                .audit_filter(&p, request.into_inner(), EXPORT_PAGE, 0)
                .await?;
            let pool = self.0.db.pool.clone();
            let date = tinhso_platform::clock::rfc3339(self.now());
            let (sender, receiver) = tokio::sync::mpsc::channel(4);
            tokio::spawn(async move {
                let mut chunk = tinhso_proto::common::v1::FileChunk {
                    filename: format!("nhat-ky-he-thong-{}.csv", &date[..10]),
                    content_type: "text/csv; charset=utf-8".into(),
                    data: format!(
                        "{}{}",
                        tinhso_platform::csv::BOM,
                        tinhso_platform::csv::row(&[
                            "ma",
                            "thoi_gian",
                            "nguoi_thuc_hien",
                            "hanh_dong",
                            "loai_doi_tuong",
                            "ma_doi_tuong",
                            "don_vi",
                            "dia_chi",
                            "truoc",
                            "sau",
                        ])
                    )
                    .into_bytes(),
                };
                loop {
                    let rows = match store::audit::query(&pool, &filter).await {
                        Ok(rows) => rows,
                        Err(e) => {
                            tracing::error!(error = %e, "audit export failed");
                            let _ = sender.send(Err(Status::from(AppError::from(e)))).await;
                            return;
                        }
                    };
                    chunk.data.extend(audit_csv(&rows).into_bytes());
                    if sender.send(Ok(std::mem::take(&mut chunk))).await.is_err() {
                        return; // the caller went away
                    }
                    match rows.last() {
                        Some(last) if rows.len() as i64 == EXPORT_PAGE => {
                            filter.before_id = Some(last.id)
                        }
                        _ => return,
                    }
                }
            });
            Ok(Response::new(tokio_stream::wrappers::ReceiverStream::new(
                receiver,
            )))
        })
        .await
    }

    async fn list_audit_events(
        &self,
        request: Request<pb::ListAuditEventsRequest>,
    ) -> Reply<pb::ListAuditEventsResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            p.require_active()?;
            let r = request.into_inner();
            let (limit, offset) = page(r.page_size, &r.page_token)?;
            let filter = self.audit_filter(&p, r, limit, offset).await?;
            let rows = store::audit::query(&self.0.db.pool, &filter).await?;
            Ok(Response::new(pb::ListAuditEventsResponse {
                next_page_token: next_token(rows.len(), limit, offset),
                events: rows
                    .iter()
                    .map(|e| pb::AuditEvent {
                        id: e.id,
                        time: Some(to_timestamp(e.at)),
                        actor_id: e.actor_id.clone(),
                        actor_username: e.actor_username.clone(),
                        action: e.action.clone(),
                        target_kind: e.target_kind.clone(),
                        target_id: e.target_id.clone(),
                        unit_path: e.unit_path.clone(),
                        client_address: e.client_address.clone(),
                        before_json: e.before_json.clone(),
                        after_json: e.after_json.clone(),
                    })
                    .collect(),
            }))
        })
        .await
    }
}
