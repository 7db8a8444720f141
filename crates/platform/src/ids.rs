//! The identifiers the services pass between their rooms: a unit's id, an account's id, a
//! personnel record's id, and a unit's materialised path. Each is its own type so a unit id cannot
//! be handed where an account id is wanted; each reads as `&str` (`Deref`) for the wire and the
//! store, and serialises as a plain string (audit before/after keep their shape).

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// A fresh id: a UUID v7, time-ordered so new rows land at the end of the index.
            pub fn generate() -> Self {
                Self(uuid::Uuid::now_v7().to_string())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_string())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                self == &other.0
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

string_id!(
    /// A unit of the organisation tree (identity's id; every replica keeps it).
    UnitId
);
string_id!(
    /// A user or service account.
    AccountId
);
string_id!(
    /// A personnel record (hồ sơ cán bộ, công chức, viên chức).
    EmployeeId
);
string_id!(
    /// A unit's materialised path, the ids from the root down, each followed by `/`
    /// (`/root/district/commune/`). A subtree is every path that starts with its root's path,
    /// which is how scopes are checked in code and searched in SQL.
    UnitPath
);

impl UnitPath {
    /// The path of a unit without parent.
    pub fn root(id: &UnitId) -> Self {
        Self(format!("/{id}/"))
    }

    /// The path of `id` placed directly under this unit.
    pub fn child(&self, id: &UnitId) -> Self {
        Self(format!("{}{id}/", self.0))
    }

    /// True when this unit is `ancestor` or lies below it.
    pub fn is_under(&self, ancestor: &str) -> bool {
        is_under(&self.0, ancestor)
    }

    /// This path after its ancestor at `old` moved to `new` (itself when `old` is not above it).
    pub fn rebased(&self, old: &UnitPath, new: &UnitPath) -> Self {
        match self.0.strip_prefix(old.as_str()) {
            Some(rest) if old.0.ends_with('/') => Self(format!("{new}{rest}")),
            _ => self.clone(),
        }
    }

    /// The unit's own id: the last segment.
    pub fn unit_id(&self) -> UnitId {
        UnitId(
            self.0
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string(),
        )
    }
}

/// True when the unit at `path` is the unit at `ancestor` or lies below it. An ancestor that is
/// not a whole path (no trailing `/`, e.g. a truncated scope) contains nothing, so `/r/a` never
/// takes in `/r/ab/`.
pub fn is_under(path: &str, ancestor: &str) -> bool {
    is_whole_path(ancestor) && path.starts_with(ancestor)
}

/// True for a path of whole segments: it starts and ends with `/`.
pub fn is_whole_path(path: &str) -> bool {
    path.len() > 1 && path.starts_with('/') && path.ends_with('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subtree_is_its_roots_path_and_below() {
        let root = UnitPath::root(&UnitId::new("r"));
        let district = root.child(&UnitId::new("a"));
        let commune = district.child(&UnitId::new("c"));
        let neighbour = root.child(&UnitId::new("ab"));
        assert_eq!(commune.as_str(), "/r/a/c/");
        assert!(commune.is_under(&district));
        assert!(district.is_under(&district));
        assert!(commune.is_under(&root));
        assert!(!district.is_under(&commune));
        assert!(!neighbour.is_under(&district));
        // A scope cut short must not reach a sibling whose id starts the same way.
        assert!(!neighbour.is_under("/r/a"));
        assert!(!commune.is_under(""));
        assert_eq!(commune.unit_id(), "c");
    }

    #[test]
    fn rebasing_moves_only_the_subtree() {
        let old = UnitPath::new("/r/a/");
        let new = UnitPath::new("/r/x/a/");
        assert_eq!(
            UnitPath::new("/r/a/b/c/").rebased(&old, &new),
            "/r/x/a/b/c/"
        );
        assert_eq!(UnitPath::new("/r/ab/").rebased(&old, &new), "/r/ab/");
    }

    #[test]
    fn ids_serialise_as_plain_strings() {
        let id = AccountId::new("5f0c");
        assert_eq!(serde_json::to_string(&id).expect("json"), "\"5f0c\"");
        let back: UnitPath = serde_json::from_str("\"/r/\"").expect("json");
        assert_eq!(back, "/r/");
    }
}
