//! Prometheus metrics on `prometheus-client`: request counters and latency histograms with
//! labels, and the gauges operators watch (outbox backlog and its oldest event, dead letters,
//! database pool use, consumer lag). Rendered in the OpenMetrics text format on a separate
//! listen address (`metrics_addr`), so they are never exposed through the ingress. Families are
//! registered on first use under their name; label sets are the caller's.

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

/// Upper bounds (seconds) of the latency histogram buckets.
pub const LATENCY_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

type Labels = Vec<(String, String)>;
type Histograms = Family<Labels, Histogram, fn() -> Histogram>;
type Gauges = Family<Labels, Gauge<f64, AtomicU64>>;

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

#[derive(Debug, Default)]
struct Inner {
    registry: prometheus_client::registry::Registry,
    counters: HashMap<&'static str, Family<Labels, Counter>>,
    histograms: HashMap<&'static str, Histograms>,
    gauges: HashMap<&'static str, Gauges>,
}

/// A process's metrics.
#[derive(Debug, Default)]
pub struct Registry {
    inner: Mutex<Inner>,
}

pub type SharedRegistry = Arc<Registry>;

impl Registry {
    pub fn new() -> SharedRegistry {
        Arc::new(Self::default())
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds one to the counter `name` (`..._total`) with `labels`.
    pub fn inc(&self, name: &'static str, help: &'static str, pairs: &[(&str, &str)]) {
        let mut inner = self.inner();
        let inner = &mut *inner;
        let family = inner.counters.entry(name).or_insert_with(|| {
            let family = Family::default();
            // The encoder adds `_total` to a counter's name.
            let base = name.strip_suffix("_total").unwrap_or(name);
            inner
                .registry
                .register(base, help.trim_end_matches('.'), family.clone());
            family
        });
        family.get_or_create(&labels(pairs)).inc();
    }

    /// Records one observation (seconds) in the histogram `name` with `labels`.
    pub fn observe(
        &self,
        name: &'static str,
        help: &'static str,
        pairs: &[(&str, &str)],
        seconds: f64,
    ) {
        let mut inner = self.inner();
        let inner = &mut *inner;
        let family = inner.histograms.entry(name).or_insert_with(|| {
            let family: Histograms = Family::new_with_constructor(latency_histogram);
            inner
                .registry
                .register(name, help.trim_end_matches('.'), family.clone());
            family
        });
        family.get_or_create(&labels(pairs)).observe(seconds);
    }

    /// Sets the gauge `name` with `labels` to `value`.
    pub fn set(&self, name: &'static str, help: &'static str, pairs: &[(&str, &str)], value: f64) {
        let mut inner = self.inner();
        let inner = &mut *inner;
        let family = inner.gauges.entry(name).or_insert_with(|| {
            let family = Gauges::default();
            inner
                .registry
                .register(name, help.trim_end_matches('.'), family.clone());
            family
        });
        family.get_or_create(&labels(pairs)).set(value);
    }

    /// The OpenMetrics text exposition of every metric (the encoder ends each help with a dot).
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Encoding into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.inner().registry);
        out
    }
}

/// Samples the gauges a service's own tables feed: events waiting in the outbox and the age of
/// the oldest, dead letters, and the connection pool's use. `now` is the sampling moment (ms).
pub async fn sample_storage(
    db: &crate::db::Db,
    registry: &Registry,
    now: crate::clock::UnixMillis,
) -> Result<(), crate::db::DbErr> {
    use crate::events::tables::{dead_letter, outbox};
    use sea_orm::QuerySelect as _;
    use sea_orm::sea_query::{Expr, Func};
    use sea_orm::{ColumnTrait as _, EntityTrait as _, PaginatorTrait as _, QueryFilter as _};
    let waiting = outbox::Entity::find().filter(outbox::Column::PublishedAt.is_null());
    let pending = waiting.clone().count(&db.pool).await?;
    let oldest: Option<Option<time::OffsetDateTime>> = waiting
        .select_only()
        .expr(Func::min(Expr::col(outbox::Column::OccurredAt)))
        .into_tuple()
        .one(&db.pool)
        .await?;
    let age = oldest
        .flatten()
        .map_or(0.0, |t| (now - crate::db::millis(t)).max(0) as f64 / 1000.0);
    let dead = dead_letter::Entity::find().count(&db.pool).await?;
    registry.set(
        "outbox_pending_events",
        "Events committed but not yet published to the broker.",
        &[],
        pending as f64,
    );
    registry.set(
        "outbox_oldest_pending_age_seconds",
        "Age of the oldest event not yet published (0 when none waits).",
        &[],
        age,
    );
    registry.set(
        "dead_letter_events",
        "Events a consumer gave up on, kept for an operator.",
        &[],
        dead as f64,
    );
    let (size, idle) = match db.backend {
        crate::db::Backend::Postgres => {
            let pool = db.pool.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        crate::db::Backend::Sqlite => {
            let pool = db.pool.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
    };
    let help = "Database connections of this process's pool, in use or idle.";
    let in_use = size.saturating_sub(idle as u32);
    registry.set(
        "db_pool_connections",
        help,
        &[("state", "in_use")],
        f64::from(in_use),
    );
    registry.set(
        "db_pool_connections",
        help,
        &[("state", "idle")],
        idle as f64,
    );
    Ok(())
}

/// Samples the storage gauges every `every` until `shutdown` resolves.
pub async fn sample_storage_every(
    db: crate::db::Db,
    registry: SharedRegistry,
    clock: crate::clock::SharedClock,
    every: std::time::Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        if let Err(e) = sample_storage(&db, &registry, clock.now_ms()).await {
            tracing::warn!(error = %e, "cannot sample the storage gauges");
        }
        tokio::select! {
            _ = &mut shutdown => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

/// The process's registry: what the gRPC server layer records into, and what a service binary
/// serves on its `metrics_addr`.
pub fn global() -> SharedRegistry {
    static GLOBAL: std::sync::LazyLock<SharedRegistry> = std::sync::LazyLock::new(Registry::new);
    GLOBAL.clone()
}

/// Serves `GET /metrics` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    registry: SharedRegistry,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let registry = registry.clone();
            async move {
                (
                    [(
                        http::header::CONTENT_TYPE,
                        "application/openmetrics-text; version=1.0.0; charset=utf-8",
                    )],
                    registry.render(),
                )
            }
        }),
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_histograms_render_in_prometheus_text() {
        let r = Registry::default();
        r.inc(
            "http_requests_total",
            "Requests.",
            &[("route", "/a"), ("status", "200")],
        );
        r.inc(
            "http_requests_total",
            "Requests.",
            &[("route", "/a"), ("status", "200")],
        );
        r.observe(
            "http_request_duration_seconds",
            "Latency.",
            &[("route", "/a")],
            0.003,
        );
        let text = r.render();
        assert!(text.contains("http_requests_total{route=\"/a\",status=\"200\"} 2"));
        assert!(
            text.contains("http_request_duration_seconds_bucket{le=\"0.0025\",route=\"/a\"} 0")
        );
        assert!(text.contains("http_request_duration_seconds_bucket{le=\"0.005\",route=\"/a\"} 1"));
        assert!(text.contains("http_request_duration_seconds_count{route=\"/a\"} 1"));
        r.set("outbox_pending_events", "Events waiting.", &[], 3.0);
        r.set("outbox_pending_events", "Events waiting.", &[], 2.0);
        let text = r.render();
        assert!(
            text.contains("# TYPE outbox_pending_events gauge"),
            "{text}"
        );
        assert!(text.contains("outbox_pending_events 2"), "{text}");
    }
}
