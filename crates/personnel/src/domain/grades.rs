//! The civil-service grade table (bảng lương chuyên môn, nghiệp vụ of NĐ 204/2004/NĐ-CP, table 2):
//! salary groups with their steps and coefficients. The table is catalogue data the system admin
//! can change; `national_table` is the seed shipped with the platform.

/// A salary group. Its letter decides the interval of regular step raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GradeGroup {
    A3_1,
    A3_2,
    A2_1,
    A2_2,
    A1,
    A0,
    B,
    C1,
    C2,
    C3,
}

impl GradeGroup {
    pub fn code(self) -> &'static str {
        match self {
            Self::A3_1 => "A3.1",
            Self::A3_2 => "A3.2",
            Self::A2_1 => "A2.1",
            Self::A2_2 => "A2.2",
            Self::A1 => "A1",
            Self::A0 => "A0",
            Self::B => "B",
            Self::C1 => "C1",
            Self::C2 => "C2",
            Self::C3 => "C3",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        ALL_GROUPS.iter().copied().find(|g| g.code() == code)
    }

    /// Months between regular step raises: 36 for groups requiring a university degree
    /// (A0-A3), 24 for B and C (NĐ 204/2004, Điều 7; TT 08/2013/TT-BNV).
    pub fn raise_interval_months(self) -> u32 {
        match self {
            Self::B | Self::C1 | Self::C2 | Self::C3 => 24,
            _ => 36,
        }
    }
}

pub const ALL_GROUPS: [GradeGroup; 10] = [
    GradeGroup::A3_1,
    GradeGroup::A3_2,
    GradeGroup::A2_1,
    GradeGroup::A2_2,
    GradeGroup::A1,
    GradeGroup::A0,
    GradeGroup::B,
    GradeGroup::C1,
    GradeGroup::C2,
    GradeGroup::C3,
];

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

fn arithmetic(group: GradeGroup, first: u32, increment: u32, steps: u32) -> GroupSteps {
    GroupSteps {
        group,
        coefficients: (0..steps).map(|i| first + i * increment).collect(),
    }
}

/// The national table in force (NĐ 204/2004/NĐ-CP, table 2, as amended): the seed catalogue.
pub fn national_table() -> Vec<GroupSteps> {
    vec![
        arithmetic(GradeGroup::A3_1, 620, 36, 6),
        arithmetic(GradeGroup::A3_2, 575, 36, 6),
        arithmetic(GradeGroup::A2_1, 440, 34, 8),
        arithmetic(GradeGroup::A2_2, 400, 34, 8),
        arithmetic(GradeGroup::A1, 234, 33, 9),
        arithmetic(GradeGroup::A0, 210, 31, 10),
        arithmetic(GradeGroup::B, 186, 20, 12),
        arithmetic(GradeGroup::C1, 165, 18, 12),
        arithmetic(GradeGroup::C2, 150, 18, 12),
        arithmetic(GradeGroup::C3, 135, 18, 12),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(g: GradeGroup) -> GroupSteps {
        national_table()
            .into_iter()
            .find(|s| s.group == g)
            .expect("in the table")
    }

    #[test]
    fn known_coefficients_of_the_national_table() {
        // Chuyên viên (A1): 2.34 at step 1, 4.98 at step 9.
        let a1 = group(GradeGroup::A1);
        assert_eq!(a1.coefficient(1), Some(234));
        assert_eq!(a1.coefficient(9), Some(498));
        assert_eq!(a1.coefficient(10), None);
        assert_eq!(a1.coefficient(0), None);
        // Chuyên viên chính (A2.1): 4.40 to 6.78; chuyên viên cao cấp (A3.1): 6.20 to 8.00.
        assert_eq!(group(GradeGroup::A2_1).coefficient(8), Some(678));
        assert_eq!(group(GradeGroup::A3_1).coefficient(6), Some(800));
        // Cán sự (A0 / B): 2.10 to 4.89; nhân viên (B): 1.86 to 4.06.
        assert_eq!(group(GradeGroup::A0).coefficient(10), Some(489));
        assert_eq!(group(GradeGroup::B).top_step(), 12);
        assert_eq!(group(GradeGroup::B).coefficient(12), Some(406));
    }

    #[test]
    fn codes_round_trip_and_intervals_follow_the_group() {
        for g in ALL_GROUPS {
            assert_eq!(GradeGroup::from_code(g.code()), Some(g));
        }
        assert_eq!(GradeGroup::A0.raise_interval_months(), 36);
        assert_eq!(GradeGroup::C2.raise_interval_months(), 24);
        assert_eq!(GradeGroup::from_code("Z9"), None);
    }
}
