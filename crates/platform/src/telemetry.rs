//! Logging and trace context. Logs go through tracing-subscriber (pretty in dev, JSON in
//! production). The W3C `traceparent` of the current request is kept in a task-local so that events
//! written by the request carry it across the broker.

use crate::config::TelemetryConfig;
use tracing_subscriber::EnvFilter;

tokio::task_local! {
    static TRACEPARENT: String;
}

/// Installs the global subscriber; later calls are ignored (tests start many services).
pub fn init(config: &TelemetryConfig) {
    let filter = EnvFilter::try_new(&config.log_filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let result = if config.log_format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    if result.is_ok() && !config.otlp_endpoint.is_empty() {
        tracing::warn!(endpoint = %config.otlp_endpoint, "otlp export is not built into this release; traces stay in logs");
    }
}

/// The traceparent of the request being served, if any.
pub fn current_traceparent() -> Option<String> {
    TRACEPARENT.try_with(|t| t.clone()).ok()
}

/// Runs `fut` with `traceparent` as the current trace context.
pub async fn with_traceparent<F: std::future::Future>(traceparent: String, fut: F) -> F::Output {
    TRACEPARENT.scope(traceparent, fut).await
}

/// A new W3C traceparent with random trace and span ids.
pub fn new_traceparent() -> String {
    let trace = uuid::Uuid::new_v4().simple().to_string();
    let span = &uuid::Uuid::new_v4().simple().to_string()[..16];
    format!("00-{trace}-{span}-01")
}

/// Accepts a well-formed incoming traceparent, else starts a new trace.
pub fn continue_or_new(incoming: Option<&str>) -> String {
    match incoming {
        Some(t) if is_valid_traceparent(t) => t.to_string(),
        _ => new_traceparent(),
    }
}

fn is_valid_traceparent(t: &str) -> bool {
    let parts: Vec<&str> = t.split('-').collect();
    parts.len() == 4
        && parts[0].len() == 2
        && parts[1].len() == 32
        && parts[2].len() == 16
        && parts[3].len() == 2
        && parts
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn traceparent_is_scoped_to_the_request() {
        assert_eq!(current_traceparent(), None);
        let tp = new_traceparent();
        assert!(is_valid_traceparent(&tp));
        let seen = with_traceparent(tp.clone(), async { current_traceparent() }).await;
        assert_eq!(seen, Some(tp.clone()));
        assert_eq!(continue_or_new(Some(&tp)), tp);
        assert_ne!(continue_or_new(Some("garbage")), "garbage");
    }
}
