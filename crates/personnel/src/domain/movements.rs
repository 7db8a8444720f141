//! What a movement does to a record (QĐ 80/2020, Điều 11): which kinds move the record to the
//! receiving unit, which need one, and the status the record has afterwards.

/// The effect of one movement kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Effect {
    /// The record moves to the receiving unit (which then keeps it).
    pub moves_record: bool,
    /// A receiving unit must be named.
    pub needs_target: bool,
    /// The record's status afterwards.
    pub resulting_status: &'static str,
}

/// The effect of `kind` (stored name, e.g. `transfer`), or None for an unknown kind.
pub fn effect(kind: &str) -> Option<Effect> {
    let (moves_record, needs_target, resulting_status) = match kind {
        "transfer" | "rotation" => (true, true, "working"),
        "secondment" => (false, true, "working"),
        "retirement" => (false, false, "retired"),
        "resignation" => (false, false, "resigned"),
        "death" => (false, false, "deceased"),
        "move_out_of_province" => (false, false, "moved_out_of_province"),
        "move_to_party_bodies" => (false, false, "moved_to_party_bodies"),
        _ => return None,
    };
    Some(Effect {
        moves_record,
        needs_target,
        resulting_status,
    })
}

/// Only working staff can move; an ended record is history.
pub fn can_move_from(status: &str) -> bool {
    status == "working"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfers_move_the_record_and_endings_change_its_status() {
        let t = effect("transfer").expect("known");
        assert!(t.moves_record && t.needs_target);
        assert_eq!(t.resulting_status, "working");
        let s = effect("secondment").expect("known");
        assert!(!s.moves_record && s.needs_target);
        assert_eq!(
            effect("retirement").map(|e| e.resulting_status),
            Some("retired")
        );
        assert_eq!(
            effect("death").map(|e| e.resulting_status),
            Some("deceased")
        );
        assert!(!effect("resignation").expect("known").needs_target);
        assert_eq!(effect("promotion"), None);
        assert!(can_move_from("working"));
        assert!(!can_move_from("retired"));
    }
}
