//! The unit a page is about: chosen in the address (`?don_vi=`) among the open units under the
//! person's scopes for the page's permission — the unit switcher every unit-level page shares
//! (`templates/unit_choice.html`).

use crate::web::{Ctx, Failure};

/// A unit to choose: id, name, path.
pub struct UnitOption {
    pub id: String,
    pub name: String,
    pub path: String,
}

/// The units a person may pick for a page needing `permission`, and the one picked.
pub struct UnitChoice {
    pub options: Vec<UnitOption>,
    pub selected: String,
}

impl UnitChoice {
    /// The open units under the person's `permission` scopes (names from identity when they may
    /// read the tree, else their home unit's name); `wanted` when it is one of them.
    pub async fn of(ctx: &Ctx, permission: &str, wanted: &str) -> Result<Self, Failure> {
        let scopes = ctx.principal.scopes_for(permission);
        if scopes.is_empty() {
            return Err(Failure::Denied(String::new()));
        }
        let tree = crate::pages::units::tree(ctx, false)
            .await
            .unwrap_or_default();
        let mut options: Vec<UnitOption> = tree
            .into_iter()
            .filter(|u| ctx.principal.can(permission, &u.path))
            .map(|u| UnitOption {
                id: u.id,
                name: u.name,
                path: u.path,
            })
            .collect();
        if options.is_empty() {
            options = scopes
                .iter()
                .map(|s| UnitOption {
                    id: tinhso_platform::UnitPath::new(s.clone())
                        .unit_id()
                        .into_string(),
                    name: ctx.session.unit_name.clone(),
                    path: s.clone(),
                })
                .collect();
        }
        let selected = if options.iter().any(|u| u.id == wanted) {
            wanted.to_string()
        } else {
            options[0].id.clone()
        };
        Ok(Self { options, selected })
    }

    /// For a write: the unit asked for, and only if it is one of the person's (never quietly
    /// another one).
    pub async fn exactly(ctx: &Ctx, permission: &str, wanted: &str) -> Result<Self, Failure> {
        let choice = Self::of(ctx, permission, wanted).await?;
        if choice.selected == wanted {
            Ok(choice)
        } else {
            Err(Failure::Denied(String::new()))
        }
    }

    fn chosen(&self) -> Option<&UnitOption> {
        self.options.iter().find(|u| u.id == self.selected)
    }

    pub fn selected_name(&self) -> &str {
        self.chosen().map_or("", |u| u.name.as_str())
    }

    pub fn selected_path(&self) -> &str {
        self.chosen().map_or("", |u| u.path.as_str())
    }
}
