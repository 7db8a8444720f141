//! Prometheus metrics: counters and latency histograms with labels, rendered in the text
//! exposition format on a separate listen address (`metrics_addr`) so they are never exposed
//! through the ingress. A small registry of our own instead of an exporter stack: the platform
//! needs two metric kinds, and each extra crate costs build time on every service.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

/// Upper bounds (seconds) of the latency histogram buckets.
pub const LATENCY_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

#[derive(Debug, Default)]
struct Histogram {
    buckets: [u64; LATENCY_BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Debug, Default)]
struct Family<T> {
    help: &'static str,
    series: BTreeMap<String, T>,
}

#[derive(Debug, Default)]
struct Inner {
    counters: BTreeMap<&'static str, Family<u64>>,
    histograms: BTreeMap<&'static str, Family<Histogram>>,
}

/// A process's metrics.
#[derive(Debug, Default)]
pub struct Registry {
    inner: Mutex<Inner>,
}

pub type SharedRegistry = Arc<Registry>;

fn label_set(labels: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in labels.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let escaped = v
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n");
        let _ = write!(out, "{k}=\"{escaped}\"");
    }
    out
}

impl Registry {
    pub fn new() -> SharedRegistry {
        Arc::new(Self::default())
    }

    /// Adds one to the counter `name` with `labels`.
    pub fn inc(&self, name: &'static str, help: &'static str, labels: &[(&str, &str)]) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let family = inner.counters.entry(name).or_default();
        family.help = help;
        *family.series.entry(label_set(labels)).or_default() += 1;
    }

    /// Records one observation (seconds) in the histogram `name` with `labels`.
    pub fn observe(
        &self,
        name: &'static str,
        help: &'static str,
        labels: &[(&str, &str)],
        seconds: f64,
    ) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let family = inner.histograms.entry(name).or_default();
        family.help = help;
        let h = family.series.entry(label_set(labels)).or_default();
        for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                h.buckets[i] += 1;
            }
        }
        h.count += 1;
        h.sum += seconds;
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        for (name, family) in &inner.counters {
            let _ = writeln!(out, "# HELP {name} {}\n# TYPE {name} counter", family.help);
            for (labels, value) in &family.series {
                let _ = writeln!(out, "{name}{{{labels}}} {value}");
            }
        }
        for (name, family) in &inner.histograms {
            let _ = writeln!(
                out,
                "# HELP {name} {}\n# TYPE {name} histogram",
                family.help
            );
            for (labels, h) in &family.series {
                let sep = if labels.is_empty() { "" } else { "," };
                for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {}",
                        h.buckets[i]
                    );
                }
                let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}", h.count);
                let _ = writeln!(out, "{name}_sum{{{labels}}} {}", h.sum);
                let _ = writeln!(out, "{name}_count{{{labels}}} {}", h.count);
            }
        }
        out
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
                        "text/plain; version=0.0.4; charset=utf-8",
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
            text.contains("http_request_duration_seconds_bucket{route=\"/a\",le=\"0.0025\"} 0")
        );
        assert!(text.contains("http_request_duration_seconds_bucket{route=\"/a\",le=\"0.005\"} 1"));
        assert!(text.contains("http_request_duration_seconds_count{route=\"/a\"} 1"));
    }
}
