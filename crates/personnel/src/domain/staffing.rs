//! Staffing figures: each unit's quota against its working staff, per kind, and the same rolled
//! up over the unit's subtree.

use std::collections::BTreeMap;

/// Quota and actual headcount by kind.
pub type Figures = BTreeMap<String, (i64, i64)>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitFigures {
    pub id: String,
    pub name: String,
    pub path: String,
    pub own: Figures,
    pub subtree: Figures,
}

/// Puts quotas `(unit, kind, quota)` and headcounts `(unit, kind, working)` on `units`
/// `(id, name, path)` and rolls each unit's subtree up by path prefix.
pub fn roll_up(
    units: &[(String, String, String)],
    quotas: &[(String, String, i64)],
    headcounts: &[(String, String, i64)],
) -> Vec<UnitFigures> {
    let mut own: BTreeMap<&str, Figures> = BTreeMap::new();
    for (unit, kind, quota) in quotas {
        own.entry(unit.as_str())
            .or_default()
            .entry(kind.clone())
            .or_default()
            .0 += quota;
    }
    for (unit, kind, working) in headcounts {
        own.entry(unit.as_str())
            .or_default()
            .entry(kind.clone())
            .or_default()
            .1 += working;
    }
    units
        .iter()
        .map(|(id, name, path)| {
            let mut subtree = Figures::new();
            for (other_id, _, other_path) in units {
                if other_path.starts_with(path.as_str())
                    && let Some(figures) = own.get(other_id.as_str())
                {
                    for (kind, (q, a)) in figures {
                        let entry = subtree.entry(kind.clone()).or_default();
                        entry.0 += q;
                        entry.1 += a;
                    }
                }
            }
            UnitFigures {
                id: id.clone(),
                name: name.clone(),
                path: path.clone(),
                own: own.get(id.as_str()).cloned().unwrap_or_default(),
                subtree,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> String {
        v.to_string()
    }

    #[test]
    fn figures_roll_up_the_tree() {
        let units = vec![
            (s("p"), s("Tỉnh"), s("/p/")),
            (s("d"), s("Huyện"), s("/p/d/")),
            (s("c"), s("Xã"), s("/p/d/c/")),
            (s("x"), s("Sở"), s("/p/x/")),
        ];
        let quotas = vec![
            (s("d"), s("civil_servant"), 20),
            (s("c"), s("civil_servant"), 10),
            (s("x"), s("public_employee"), 5),
        ];
        let heads = vec![
            (s("c"), s("civil_servant"), 12),
            (s("d"), s("civil_servant"), 18),
        ];
        let figures = roll_up(&units, &quotas, &heads);
        let get = |id: &str| figures.iter().find(|f| f.id == id).expect("unit");
        assert_eq!(get("c").own["civil_servant"], (10, 12), "over quota");
        assert_eq!(get("d").own["civil_servant"], (20, 18));
        assert_eq!(get("d").subtree["civil_servant"], (30, 30));
        assert_eq!(get("p").subtree["civil_servant"], (30, 30));
        assert_eq!(get("p").subtree["public_employee"], (5, 0));
        assert!(get("p").own.is_empty());
    }
}
