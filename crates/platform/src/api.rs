//! The conventions every tinhso API shares (ARCHITECTURE.md, "APIs"): `page_size`/`page_token`
//! paging, etags for optimistic concurrency, and calendar dates (`tinhso.common.v1.Date`) stored
//! as `YYYY-MM-DD` text.

use crate::error::ErrorCode;
use crate::{AppError, AppResult};
use tinhso_proto::common::v1::Date;

/// Page size when the caller gives none, and the largest one served.
pub const DEFAULT_PAGE: i64 = 50;
pub const MAX_PAGE: i64 = 500;

/// (limit, offset) of a List request; a bad size or token names its field.
pub fn page(size: i32, token: &str) -> AppResult<(i64, i64)> {
    let limit = match i64::from(size) {
        0 => DEFAULT_PAGE,
        n if n < 0 => {
            return Err(AppError::invalid(
                "page_size",
                ErrorCode::OutOfRange,
                "kích thước trang không được âm",
                "page_size must not be negative",
            ));
        }
        n => n.min(MAX_PAGE),
    };
    let offset = if token.is_empty() {
        0
    } else {
        token
            .parse::<i64>()
            .ok()
            .filter(|o| *o >= 0)
            .ok_or_else(|| {
                AppError::invalid(
                    "page_token",
                    ErrorCode::BadPageToken,
                    "mã trang không hợp lệ",
                    "invalid page_token",
                )
            })?
    };
    Ok((limit, offset))
}

/// The token of the next page; empty when this page was the last.
pub fn next_token(len: usize, limit: i64, offset: i64) -> String {
    if len as i64 == limit {
        (offset + limit).to_string()
    } else {
        String::new()
    }
}

/// The etag of a row version.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// Fails with ABORTED when the client sent an etag that is not the current one.
pub fn check_etag(sent: &str, version: i64) -> AppResult<()> {
    if !sent.is_empty() && sent != etag(version) {
        return Err(AppError::stale_etag());
    }
    Ok(())
}

/// A stored `YYYY-MM-DD` as a proto date.
pub fn date_of(text: &Option<String>) -> Option<Date> {
    let t = text.as_deref()?;
    let mut it = t.split('-').map(|p| p.parse::<i32>().unwrap_or_default());
    Some(Date {
        year: it.next()?,
        month: it.next()?,
        day: it.next()?,
    })
}

/// A proto date as `YYYY-MM-DD`; absent or all-zero is no date, an impossible one names `field`.
pub fn date_text(d: &Option<Date>, field: &str) -> AppResult<Option<String>> {
    match d {
        None => Ok(None),
        Some(d) if d.year == 0 && d.month == 0 && d.day == 0 => Ok(None),
        Some(d) => date_parts_text(d.year, d.month, d.day, field).map(Some),
    }
}

/// A calendar date as `YYYY-MM-DD`; 31 February and the like name `field`.
pub fn date_parts_text(year: i32, month: i32, day: i32, field: &str) -> AppResult<String> {
    let month_ok = u8::try_from(month)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok());
    let date = month_ok.and_then(|m| {
        u8::try_from(day)
            .ok()
            .and_then(|d| time::Date::from_calendar_date(year, m, d).ok())
    });
    match date {
        Some(d) => Ok(format!(
            "{:04}-{:02}-{:02}",
            d.year(),
            u8::from(d.month()),
            d.day()
        )),
        None => Err(AppError::invalid(
            field,
            ErrorCode::BadDate,
            "ngày không hợp lệ",
            "invalid date",
        )),
    }
}

/// A stored `YYYY-MM-DD` as a calendar date; `None` when it is not one.
pub fn parse_date(text: &str) -> Option<time::Date> {
    let mut parts = text.splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = time::Month::try_from(parts.next()?.parse::<u8>().ok()?).ok()?;
    let day = parts.next()?.parse().ok()?;
    time::Date::from_calendar_date(year, month, day).ok()
}

/// A calendar date as stored: `YYYY-MM-DD`.
pub fn date_string(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A date the caller must give, as `YYYY-MM-DD`; REQUIRED or BAD_DATE on `field` otherwise.
pub fn required_date(d: &Option<Date>, field: &str) -> AppResult<String> {
    date_text(d, field)?.ok_or_else(|| {
        AppError::invalid(
            field,
            ErrorCode::Required,
            "chưa nhập ngày",
            "the date is required",
        )
    })
}

/// A period the caller must give: both dates, the end not before the start. Every fault is
/// named at once (`from_field`, `to_field`).
pub fn required_period(
    from: &Option<Date>,
    to: &Option<Date>,
    from_field: &str,
    to_field: &str,
) -> AppResult<(time::Date, time::Date)> {
    let mut errors = Vec::new();
    let mut parsed = |d: &Option<Date>, field: &str| {
        required_date(d, field)
            .map_err(|e| errors.push(e))
            .ok()
            .and_then(|t| parse_date(&t))
    };
    let (start, end) = (parsed(from, from_field), parsed(to, to_field));
    if let (Some(a), Some(b)) = (start, end)
        && b < a
    {
        errors.push(AppError::invalid(
            to_field,
            ErrorCode::DateOrder,
            "ngày cuối phải sau ngày đầu",
            "the end must come after the start",
        ));
    }
    crate::error::all_violations(errors)?;
    Ok((
        start.unwrap_or(time::Date::MIN),
        end.unwrap_or(time::Date::MIN),
    ))
}
