//! The payment list of a period and its settlement (quyết toán; issue 12, item 5): every computed
//! line is marked paid (with its date and method) or unpaid (with its reason); the settlement of
//! a unit, policy and period sets what was owed against what was paid and what was funded, and
//! says where they differ.

use time::Date;

/// How a line was paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Tiền mặt.
    Cash,
    /// Chuyển khoản.
    BankTransfer,
    /// Qua bưu điện.
    PostOffice,
}

impl Method {
    pub fn code(self) -> &'static str {
        match self {
            Self::Cash => "cash",
            Self::BankTransfer => "bank_transfer",
            Self::PostOffice => "post_office",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Cash, Self::BankTransfer, Self::PostOffice]
            .into_iter()
            .find(|m| m.code() == code)
    }
}

/// Where a line of the payment list stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payment {
    /// Not yet marked.
    Pending,
    Paid {
        on: Date,
        method: Method,
    },
    /// Not paid, and why (moved away, deceased, did not come to collect...).
    Unpaid {
        reason: String,
    },
}

/// A line of the payment list: the amount owed and its payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentLine {
    pub amount: i64,
    pub payment: Payment,
}

/// Why a payment list cannot be settled yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Lines not yet marked paid or unpaid.
    Pending { lines: usize },
    /// An unpaid line (its index) has no reason.
    UnpaidWithoutReason { line: usize },
}

/// The settlement of a payment list against the funds received, in đồng.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settlement {
    pub entitled: i64,
    pub paid: i64,
    pub unpaid: i64,
    pub funded: i64,
    /// Funds left over: funded - paid, when positive (to carry over or return).
    pub surplus: i64,
    /// Paid beyond the funds: paid - funded, when positive (to be covered).
    pub shortfall: i64,
}

/// The settlement of `lines` with `funded` received; refused while a line is pending or unpaid
/// without a reason, so every variance is explained.
pub fn settle(lines: &[PaymentLine], funded: i64) -> Result<Settlement, Fault> {
    let pending = lines
        .iter()
        .filter(|l| l.payment == Payment::Pending)
        .count();
    if pending > 0 {
        return Err(Fault::Pending { lines: pending });
    }
    if let Some(line) = lines
        .iter()
        .position(|l| matches!(&l.payment, Payment::Unpaid { reason } if reason.trim().is_empty()))
    {
        return Err(Fault::UnpaidWithoutReason { line });
    }
    Ok(so_far(lines, funded).1)
}

/// The lines not yet marked, and the figures so far (a line not marked paid counts as unpaid).
pub fn so_far(lines: &[PaymentLine], funded: i64) -> (usize, Settlement) {
    let pending = lines
        .iter()
        .filter(|l| l.payment == Payment::Pending)
        .count();
    let paid: i64 = lines
        .iter()
        .filter(|l| matches!(l.payment, Payment::Paid { .. }))
        .map(|l| l.amount)
        .sum();
    let entitled: i64 = lines.iter().map(|l| l.amount).sum();
    (
        pending,
        Settlement {
            entitled,
            paid,
            unpaid: entitled - paid,
            funded,
            surplus: (funded - paid).max(0),
            shortfall: (paid - funded).max(0),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Month;

    fn paid(amount: i64) -> PaymentLine {
        PaymentLine {
            amount,
            payment: Payment::Paid {
                on: Date::from_calendar_date(2024, Month::July, 10).expect("date"),
                method: Method::PostOffice,
            },
        }
    }

    #[test]
    fn owed_paid_and_funded_with_their_differences() {
        // Three lines of July 2024: 750,000 and 1,250,000 paid at the post office, 500,000 not
        // collected (moved away); 2,500,000 funded: 500,000 left over.
        let lines = [
            paid(750_000),
            paid(1_250_000),
            PaymentLine {
                amount: 500_000,
                payment: Payment::Unpaid {
                    reason: "Chuyển đi nơi khác".into(),
                },
            },
        ];
        let s = settle(&lines, 2_500_000).expect("settled");
        assert_eq!(
            (s.entitled, s.paid, s.unpaid, s.surplus, s.shortfall),
            (2_500_000, 2_000_000, 500_000, 500_000, 0)
        );
        let short = settle(&lines, 1_500_000).expect("settled");
        assert_eq!((short.surplus, short.shortfall), (0, 500_000));
    }

    #[test]
    fn a_list_with_unmarked_or_unexplained_lines_is_not_settled() {
        let pending = [
            paid(1),
            PaymentLine {
                amount: 2,
                payment: Payment::Pending,
            },
        ];
        assert_eq!(settle(&pending, 0), Err(Fault::Pending { lines: 1 }));
        let unexplained = [
            paid(1),
            PaymentLine {
                amount: 2,
                payment: Payment::Unpaid { reason: " ".into() },
            },
        ];
        assert_eq!(
            settle(&unexplained, 0),
            Err(Fault::UnpaidWithoutReason { line: 1 })
        );
    }
}
