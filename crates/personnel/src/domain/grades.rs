//! The civil-service grade table (bảng lương chuyên môn, nghiệp vụ of NĐ 204/2004/NĐ-CP, table 2):
//! salary groups with their steps and coefficients. The table is catalogue data the system admin
//! can change; `national_table` is the seed shipped with the platform.

/// The salary tables of NĐ 204/2004/NĐ-CP a group belongs to, told by its code's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SalaryTable {
    /// Table 2: cadres and civil servants (codes `A1`, `C2`...).
    CivilServants,
    /// Table 3: public employees of service units (codes `VC.A1`, `VC.C2`...).
    PublicEmployees,
    /// Table 4: service staff — drivers, guards (codes `NV.1`, `NV.2`).
    ServiceStaff,
    /// Position salaries (lương chức vụ): of full-time commune cadres (codes `CX.1` … `CX.4`;
    /// NĐ 92/2009/NĐ-CP Điều 5.1, kept by NĐ 33/2023/NĐ-CP) and of elected leaders (codes `CV.`
    /// and a number, entered by Finance from NQ 730/2004/NQ-UBTVQH11): two steps, the second
    /// after five years.
    PositionSalaries,
}

/// The grade classes of tables 2 and 3, by their letter and number.
const CLASSES: [&str; 10] = [
    "A3.1", "A3.2", "A2.1", "A2.2", "A1", "A0", "B", "C1", "C2", "C3",
];

/// A salary group: a code naming a row of one of the salary tables. Groups are data (their steps
/// are in the step table, which Finance maintains); the code tells the table and the class, and
/// the class decides the interval of regular raises.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GradeGroup(String);

impl GradeGroup {
    /// A group code as the tables write it: a class of table 2 (`A1`), the same prefixed `VC.`
    /// for table 3 (`VC.C2`), `NV.` and a number for table 4 (`NV.1`), `CX.` and a number for
    /// the commune cadres' position salaries (`CX.1`).
    pub fn from_code(code: &str) -> Option<Self> {
        let numbered =
            |n: &str| !n.is_empty() && n.len() <= 2 && n.bytes().all(|b| b.is_ascii_digit());
        let well_formed = match code.split_once('.') {
            Some(("VC", class)) => CLASSES.contains(&class),
            Some(("NV" | "CX" | "CV", group)) => numbered(group),
            _ => CLASSES.contains(&code),
        };
        well_formed.then(|| Self(code.to_string()))
    }

    pub fn code(&self) -> &str {
        &self.0
    }

    pub fn table(&self) -> SalaryTable {
        if self.0.starts_with("VC.") {
            SalaryTable::PublicEmployees
        } else if self.0.starts_with("NV.") {
            SalaryTable::ServiceStaff
        } else if self.0.starts_with("CX.") || self.0.starts_with("CV.") {
            SalaryTable::PositionSalaries
        } else {
            SalaryTable::CivilServants
        }
    }

    /// The class within tables 2 and 3 (`A1`, `C2`); `None` for table 4.
    pub fn class(&self) -> Option<&str> {
        match self.table() {
            SalaryTable::CivilServants => Some(&self.0),
            SalaryTable::PublicEmployees => self.0.strip_prefix("VC."),
            SalaryTable::ServiceStaff | SalaryTable::PositionSalaries => None,
        }
    }

    /// Whether the seniority allowance beyond the top step applies (not to position salaries,
    /// which have no such allowance).
    pub fn has_seniority_beyond_top(&self) -> bool {
        self.table() != SalaryTable::PositionSalaries
    }

    /// Months between regular step raises: 36 for the classes requiring a university degree
    /// (A0-A3), 24 for B and C and for service staff (NĐ 204/2004, Điều 7; TT 08/2013/TT-BNV).
    pub fn raise_interval_months(&self) -> u32 {
        if self.table() == SalaryTable::PositionSalaries {
            return 60;
        }
        match self.class() {
            Some(class) if class.starts_with('A') => 36,
            _ => 24,
        }
    }
}

/// A group's steps: coefficient in hundredths (2.34 -> 234), step 1 first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSteps {
    pub group: GradeGroup,
    pub coefficients: Vec<u32>,
}

impl GroupSteps {
    /// The coefficient of `step` (1-based), if the group has that step.
    pub fn coefficient(&self, step: u32) -> Option<u32> {
        let index = usize::try_from(step).ok()?.checked_sub(1)?;
        self.coefficients.get(index).copied()
    }

    pub fn top_step(&self) -> u32 {
        u32::try_from(self.coefficients.len()).unwrap_or(u32::MAX)
    }
}

fn arithmetic(code: &str, first: u32, increment: u32, steps: u32) -> GroupSteps {
    GroupSteps {
        group: GradeGroup(code.to_string()),
        coefficients: (0..steps).map(|i| first + i * increment).collect(),
    }
}

/// The national tables in force (NĐ 204/2004/NĐ-CP as amended): the seed of the step table.
/// Table 2 (cadres and civil servants) and table 3 (public employees) share the A and B rows and
/// differ in C; table 4 pays service staff: group 1 (e.g. agency drivers), group 2 (e.g. guards).
pub fn national_table() -> Vec<GroupSteps> {
    let shared = [
        ("A3.1", 620, 36, 6),
        ("A3.2", 575, 36, 6),
        ("A2.1", 440, 34, 8),
        ("A2.2", 400, 34, 8),
        ("A1", 234, 33, 9),
        ("A0", 210, 31, 10),
        ("B", 186, 20, 12),
    ];
    let mut groups = Vec::new();
    for (class, first, increment, steps) in shared {
        groups.push(arithmetic(class, first, increment, steps));
        groups.push(arithmetic(&format!("VC.{class}"), first, increment, steps));
    }
    groups.extend([
        // Table 2, class C.
        arithmetic("C1", 165, 18, 12),
        arithmetic("C2", 150, 18, 12),
        arithmetic("C3", 135, 18, 12),
        // Table 3, class C.
        arithmetic("VC.C1", 165, 18, 12),
        arithmetic("VC.C2", 200, 18, 12),
        arithmetic("VC.C3", 150, 18, 12),
        // Table 4.
        arithmetic("NV.1", 205, 18, 12),
        arithmetic("NV.2", 150, 18, 12),
        // Commune cadres' position salaries: party secretary; deputy secretary, chairs of the
        // People's Council and Committee; standing member, Fatherland Front chair, deputy chairs;
        // chairs of the Youth Union, Women's, Farmers' and Veterans' associations.
        arithmetic("CX.1", 235, 50, 2),
        arithmetic("CX.2", 215, 50, 2),
        arithmetic("CX.3", 195, 50, 2),
        arithmetic("CX.4", 175, 50, 2),
    ]);
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(code: &str) -> GroupSteps {
        national_table()
            .into_iter()
            .find(|s| s.group.code() == code)
            .expect("in the table")
    }

    #[test]
    fn known_coefficients_of_the_national_tables() {
        // Chuyên viên (A1): 2.34 at step 1, 4.98 at step 9.
        let a1 = group("A1");
        assert_eq!(a1.coefficient(1), Some(234));
        assert_eq!(a1.coefficient(9), Some(498));
        assert_eq!(a1.coefficient(10), None);
        assert_eq!(a1.coefficient(0), None);
        // Chuyên viên chính (A2.1): 4.40 to 6.78; chuyên viên cao cấp (A3.1): 6.20 to 8.00.
        assert_eq!(group("A2.1").coefficient(8), Some(678));
        assert_eq!(group("A3.1").coefficient(6), Some(800));
        // Cán sự (A0): 2.10 to 4.89; nhân viên (B): 1.86 to 4.06.
        assert_eq!(group("A0").coefficient(10), Some(489));
        assert_eq!(group("B").top_step(), 12);
        assert_eq!(group("B").coefficient(12), Some(406));
        // Table 3, public employees: C2 2.00-3.98, C3 1.50-3.48.
        assert_eq!(
            (
                group("VC.C2").coefficient(1),
                group("VC.C2").coefficient(12)
            ),
            (Some(200), Some(398))
        );
        assert_eq!(
            (
                group("VC.C3").coefficient(1),
                group("VC.C3").coefficient(12)
            ),
            (Some(150), Some(348))
        );
        assert_eq!(group("VC.A1").coefficient(9), Some(498));
        // Table 4: group 1 (drivers) 2.05-4.03, group 2 (guards) 1.50-3.48.
        assert_eq!(group("NV.1").coefficient(12), Some(403));
        assert_eq!(group("NV.2").coefficient(1), Some(150));
        // Commune cadres (NĐ 92/2009 Điều 5.1): party secretary 2.35 / 2.85; People's Committee
        // chair 2.15 / 2.65; deputy chair 1.95 / 2.45; Youth Union secretary 1.75 / 2.25.
        assert_eq!(group("CX.1").coefficients, vec![235, 285]);
        assert_eq!(group("CX.2").coefficients, vec![215, 265]);
        assert_eq!(group("CX.3").coefficients, vec![195, 245]);
        assert_eq!(group("CX.4").coefficients, vec![175, 225]);
    }

    #[test]
    fn codes_tell_the_table_and_the_interval() {
        for g in national_table() {
            assert_eq!(GradeGroup::from_code(g.group.code()), Some(g.group.clone()));
        }
        let code = |c: &str| GradeGroup::from_code(c).expect(c);
        assert_eq!(code("A0").raise_interval_months(), 36);
        assert_eq!(code("VC.A2.2").raise_interval_months(), 36);
        assert_eq!(code("C2").raise_interval_months(), 24);
        assert_eq!(code("VC.B").raise_interval_months(), 24);
        assert_eq!(code("NV.1").raise_interval_months(), 24);
        assert_eq!(code("VC.C3").table(), SalaryTable::PublicEmployees);
        assert_eq!(code("NV.2").table(), SalaryTable::ServiceStaff);
        assert_eq!(code("NV.2").class(), None);
        assert_eq!(code("CX.1").table(), SalaryTable::PositionSalaries);
        assert_eq!(code("CV.3").table(), SalaryTable::PositionSalaries);
        assert_eq!(code("CX.1").raise_interval_months(), 60);
        assert!(!code("CX.2").has_seniority_beyond_top());
        assert!(code("A1").has_seniority_beyond_top());
        for bad in [
            "Z9", "VC.", "VC.Z9", "NV.", "NV.x", "NV.123", "A1 ", "CX.", "CX.a",
        ] {
            assert_eq!(GradeGroup::from_code(bad), None, "{bad}");
        }
    }
}
