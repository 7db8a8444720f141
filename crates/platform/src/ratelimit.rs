//! A per-key sliding-window limiter (per client address on login routes), driven by the
//! injected clock so tests need no sleep.

use crate::clock::SharedClock;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

#[derive(Debug)]
pub struct SlidingWindow {
    max: usize,
    window_ms: i64,
    clock: SharedClock,
    hits: Mutex<HashMap<String, VecDeque<i64>>>,
}

impl SlidingWindow {
    pub fn new(max: usize, window_ms: i64, clock: SharedClock) -> Self {
        Self {
            max,
            window_ms,
            clock,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Records a hit for `key`; false when the key already used its allowance in the window.
    pub fn allow(&self, key: &str) -> bool {
        let now = self.clock.now_ms();
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        if hits.len() > 100_000 {
            // Bound memory under a flood of distinct keys: forget keys with no recent hit.
            hits.retain(|_, q| q.back().is_some_and(|t| now - t < self.window_ms));
        }
        let queue = hits.entry(key.to_string()).or_default();
        while queue.front().is_some_and(|t| now - t >= self.window_ms) {
            queue.pop_front();
        }
        if queue.len() >= self.max {
            return false;
        }
        queue.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    #[test]
    fn allows_max_per_window_per_key() {
        let clock = ManualClock::new(0);
        let limiter = SlidingWindow::new(3, 60_000, clock.clone());
        assert!((0..3).all(|_| limiter.allow("10.0.0.1")));
        assert!(!limiter.allow("10.0.0.1"));
        assert!(
            limiter.allow("10.0.0.2"),
            "other addresses are not affected"
        );
        clock.advance_secs(60);
        assert!(limiter.allow("10.0.0.1"), "the window slides");
    }
}
