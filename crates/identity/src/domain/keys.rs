//! Which signing key signs. A new key is published in the JWKS at once but signs only after
//! `PUBLISH_DELAY`, longer than the interval at which other services refresh their keys, so no
//! service ever sees a token signed with a key it has not fetched yet. A retired key is neither
//! published nor trusted.

/// How long a new key is published before it signs (verifiers refresh every 5 minutes).
pub const PUBLISH_DELAY_MS: i64 = 10 * 60 * 1000;

/// A key as stored: its id, when it was added, and whether it is retired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub kid: String,
    pub created_at_ms: i64,
    pub retired: bool,
}

/// The index of the key that signs at `now_ms`: the newest live key published for at least
/// `PUBLISH_DELAY_MS`, or, when none is that old (a fresh install), the oldest live key.
pub fn signer(keys: &[KeyInfo], now_ms: i64) -> Option<usize> {
    let live = || keys.iter().enumerate().filter(|(_, k)| !k.retired);
    live()
        .filter(|(_, k)| k.created_at_ms + PUBLISH_DELAY_MS <= now_ms)
        .max_by_key(|(_, k)| k.created_at_ms)
        .or_else(|| live().min_by_key(|(_, k)| k.created_at_ms))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kid: &str, created_at_ms: i64, retired: bool) -> KeyInfo {
        KeyInfo {
            kid: kid.into(),
            created_at_ms,
            retired,
        }
    }

    #[test]
    fn a_new_key_signs_only_after_the_publish_delay() {
        let keys = vec![key("old", 0, false), key("new", 1_000_000, false)];
        assert_eq!(signer(&keys, 1_000_000), Some(0));
        assert_eq!(signer(&keys, 1_000_000 + PUBLISH_DELAY_MS - 1), Some(0));
        assert_eq!(signer(&keys, 1_000_000 + PUBLISH_DELAY_MS), Some(1));
    }

    #[test]
    fn the_first_key_signs_at_once_and_retired_keys_never() {
        assert_eq!(signer(&[key("first", 5, false)], 5), Some(0));
        let keys = vec![key("old", 0, true), key("new", 1_000_000, false)];
        assert_eq!(signer(&keys, 1_000_001), Some(1));
        assert_eq!(signer(&[key("gone", 0, true)], 1), None);
    }
}
