//! REST -> protobuf: builds the request message of a route from its path parameters, query string
//! and JSON body, and protobuf -> JSON for the response. Everything goes through the proto3 JSON
//! mapping (lowerCamelCase names, enum names, RFC 3339 timestamps, 64-bit integers as strings),
//! so a value is accepted the same way wherever it appears. Bad input is refused here, naming the
//! field, before anything reaches a service.

use crate::routes::{BodyRule, Route, resolve_field_path};
use prost_reflect::{
    DeserializeOptions, DynamicMessage, FieldDescriptor, Kind, MessageDescriptor, SerializeOptions,
};
use serde_json::{Map, Value as Json};
use tinhso_platform::ErrorCode;
use tinhso_platform::error::AppError;

/// Builds the request message of `route`.
pub fn request_message(
    route: &Route,
    path_params: &[(&str, &str)],
    query: Option<&str>,
    body: &[u8],
) -> Result<DynamicMessage, AppError> {
    let input = route.method.input();
    let mut root = Map::new();

    match &route.body {
        BodyRule::Whole => {
            if let Some(value) = parse_body(body)? {
                match value {
                    Json::Object(map) => root = map,
                    _ => {
                        return Err(AppError::invalid(
                            "",
                            ErrorCode::BodyNotObject,
                            "Nội dung yêu cầu phải là một đối tượng JSON",
                            "the request body must be a JSON object",
                        ));
                    }
                }
            }
        }
        BodyRule::Field(field) => {
            if let Some(value) = parse_body(body)? {
                root.insert(field.json_name().to_string(), value);
            }
        }
        BodyRule::None => {}
    }

    for (field_path, raw) in path_params {
        let decoded = percent_encoding::percent_decode_str(raw)
            .decode_utf8()
            .map_err(|_| bad_param(field_path, "không phải UTF-8", "not UTF-8"))?;
        if decoded.is_empty() {
            return Err(bad_param(
                field_path,
                "không được để trống",
                "must not be empty",
            ));
        }
        let fields = resolve_field_path(&input, field_path)
            .map_err(|e| AppError::internal(format!("route {}: {e}", route.template)))?;
        let value = scalar_from_text(fields.last().expect("non-empty path"), &decoded)
            .map_err(|(vi, en)| bad_param(field_path, &vi, &en))?;
        set_path(&mut root, &fields, value, false);
    }

    if let Some(query) = query.filter(|q| !q.is_empty()) {
        let bound: Vec<&str> = route.path_fields().collect();
        for (key, raw) in form_urlencoded::parse(query.as_bytes()) {
            let fields = resolve_field_path(&input, &key)
                .map_err(|_| unknown_field(&key, "tham số truy vấn", "query parameter"))?;
            let leaf = fields.last().expect("non-empty path");
            let in_body = match &route.body {
                BodyRule::Whole => true,
                BodyRule::Field(f) => f == &fields[0],
                BodyRule::None => false,
            };
            if in_body || bound.iter().any(|b| same_path(&input, b, &fields)) {
                return Err(unknown_field(&key, "tham số truy vấn", "query parameter"));
            }
            if leaf.is_map() || (leaf.kind().as_message().is_some() && !is_scalar_wkt(leaf)) {
                return Err(AppError::invalid(
                    &key,
                    ErrorCode::NotAQueryField,
                    "Trường này không thể truyền qua tham số truy vấn",
                    "this field cannot be given as a query parameter",
                ));
            }
            let value = scalar_from_text(leaf, &raw)
                .map_err(|(vi, en)| AppError::invalid(&key, ErrorCode::InvalidValue, &vi, &en))?;
            set_path(&mut root, &fields, value, leaf.is_list());
        }
    }

    from_json(&input, Json::Object(root))
}

/// Serializes a response the way REST clients read it: every field present (defaults too), so
/// a client sees the same shape whatever the values.
pub fn response_json(message: &DynamicMessage) -> Result<Vec<u8>, AppError> {
    let options = SerializeOptions::new().skip_default_fields(false);
    let mut out = Vec::with_capacity(256);
    let mut serializer = serde_json::Serializer::new(&mut out);
    message
        .serialize_with_options(&mut serializer, &options)
        .map_err(AppError::internal)?;
    Ok(out)
}

fn parse_body(body: &[u8]) -> Result<Option<Json>, AppError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice(body).map(Some).map_err(|e| {
        AppError::invalid(
            "",
            ErrorCode::MalformedJson,
            &format!(
                "Nội dung không phải JSON hợp lệ (dòng {}, cột {})",
                e.line(),
                e.column()
            ),
            &format!("the body is not valid JSON: {e}"),
        )
    })
}

/// Deserializes with the proto3 JSON mapping, refusing unknown fields, and names the field at
/// fault by its JSON path.
fn from_json(desc: &MessageDescriptor, value: Json) -> Result<DynamicMessage, AppError> {
    let options = DeserializeOptions::new().deny_unknown_fields(true);
    let mut track = serde_path_to_error::Track::new();
    let deserializer = serde_path_to_error::Deserializer::new(value, &mut track);
    DynamicMessage::deserialize_with_options(desc.clone(), deserializer, &options).map_err(|e| {
        let path = track.path().to_string();
        let mut field = if path == "." { String::new() } else { path };
        let text = e.to_string();
        let (code, vi) = if let Some(name) = quoted_after(&text, "unrecognized field name '") {
            // Reported at the enclosing message: the path names the parent, the text the key.
            field = if field.is_empty() {
                name.to_string()
            } else {
                format!("{field}.{name}")
            };
            (
                ErrorCode::UnknownField,
                "Trường không tồn tại trong yêu cầu này".to_string(),
            )
        } else if text.starts_with("unrecognized enum value") || text.starts_with("unknown variant")
        {
            (
                ErrorCode::InvalidEnum,
                "Giá trị không thuộc danh sách cho phép".to_string(),
            )
        } else if text.starts_with("invalid type") {
            (ErrorCode::InvalidType, "Sai kiểu dữ liệu".to_string())
        } else {
            (ErrorCode::InvalidValue, "Giá trị không hợp lệ".to_string())
        };
        AppError::invalid(&field, code, &vi, &text)
    })
}

/// The text between `prefix` and the next `'`.
fn quoted_after<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    text.split_once(prefix)?.1.split('\'').next()
}

fn bad_param(field: &str, vi: &str, en: &str) -> AppError {
    AppError::invalid(
        field,
        ErrorCode::InvalidPathParam,
        &format!("Tham số đường dẫn {vi}"),
        &format!("path parameter {en}"),
    )
}

fn unknown_field(key: &str, vi_what: &str, en_what: &str) -> AppError {
    AppError::invalid(
        key,
        ErrorCode::UnknownField,
        &format!("Không có {vi_what} này"),
        &format!("unknown {en_what}"),
    )
}

fn same_path(input: &MessageDescriptor, bound: &str, fields: &[FieldDescriptor]) -> bool {
    resolve_field_path(input, bound).is_ok_and(|b| b == fields)
}

/// Well-known types whose JSON form is a string or number, so they can come from text.
fn is_scalar_wkt(field: &FieldDescriptor) -> bool {
    field.kind().as_message().is_some_and(|m| {
        matches!(
            m.full_name(),
            "google.protobuf.Timestamp"
                | "google.protobuf.Duration"
                | "google.protobuf.FieldMask"
                | "google.protobuf.StringValue"
                | "google.protobuf.BoolValue"
                | "google.protobuf.Int32Value"
                | "google.protobuf.Int64Value"
                | "google.protobuf.UInt32Value"
                | "google.protobuf.UInt64Value"
                | "google.protobuf.DoubleValue"
                | "google.protobuf.FloatValue"
        )
    })
}

/// Turns the text of a path or query parameter into the JSON value of its field, so the proto3
/// JSON mapping then checks it like any body value.
fn scalar_from_text(field: &FieldDescriptor, text: &str) -> Result<Json, (String, String)> {
    let wrong = |vi: &str, en: &str| {
        (
            format!("`{text}` không phải {vi}"),
            format!("`{text}` is not {en}"),
        )
    };
    let kind = match field.kind() {
        Kind::Message(m) => match m.full_name() {
            "google.protobuf.BoolValue" => Kind::Bool,
            "google.protobuf.Int32Value" => Kind::Int32,
            "google.protobuf.UInt32Value" => Kind::Uint32,
            "google.protobuf.DoubleValue" | "google.protobuf.FloatValue" => Kind::Double,
            _ => return Ok(Json::String(text.to_string())),
        },
        other => other,
    };
    Ok(match kind {
        Kind::Bool => match text {
            "true" | "1" => Json::Bool(true),
            "false" | "0" => Json::Bool(false),
            _ => return Err(wrong("true/false", "true/false")),
        },
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 | Kind::Uint32 | Kind::Fixed32 => text
            .parse::<i64>()
            .map(Json::from)
            .map_err(|_| wrong("số nguyên", "an integer"))?,
        Kind::Double | Kind::Float => match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Json::from(v),
            _ => return Err(wrong("số", "a number")),
        },
        Kind::Enum(_) => match text.parse::<i64>() {
            Ok(n) => Json::from(n),
            Err(_) => Json::String(text.to_string()),
        },
        // 64-bit integers, strings and bytes are strings in proto3 JSON.
        _ => Json::String(text.to_string()),
    })
}

/// Sets `value` at the JSON path of `fields` in `root`, creating nested objects; repeated
/// fields collect every occurrence.
fn set_path(root: &mut Map<String, Json>, fields: &[FieldDescriptor], value: Json, append: bool) {
    let (last, parents) = fields.split_last().expect("non-empty path");
    let mut node = root;
    for field in parents {
        let entry = node
            .entry(field.json_name().to_string())
            .or_insert_with(|| Json::Object(Map::new()));
        if !entry.is_object() {
            *entry = Json::Object(Map::new());
        }
        node = entry.as_object_mut().expect("object");
    }
    let name = last.json_name().to_string();
    if append {
        match node.get_mut(&name) {
            Some(Json::Array(items)) => items.push(value),
            _ => {
                node.insert(name, Json::Array(vec![value]));
            }
        }
    } else {
        node.insert(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::{Match, RouteTable};
    use http::Method;
    use prost_reflect::DescriptorPool;

    fn route_of(method: Method, path: &str) -> (RouteTable, String) {
        let pool = DescriptorPool::decode(tinhso_proto::FILE_DESCRIPTOR_SET).expect("descriptors");
        (
            RouteTable::from_pool(&pool).expect("routes"),
            format!("{method} {path}"),
        )
    }

    fn build(
        method: Method,
        path: &str,
        query: Option<&str>,
        body: &str,
    ) -> Result<Json, AppError> {
        let (table, _) = route_of(method.clone(), path);
        let Match::Found(route, params) = table.find(&method, path) else {
            panic!("no route for {path}");
        };
        let message = request_message(route, &params, query, body.as_bytes())?;
        Ok(serde_json::from_slice(&response_json(&message)?).expect("json"))
    }

    fn violation(e: &AppError) -> (String, ErrorCode) {
        let v = e.violations.first().expect("a violation");
        (v.field.clone(), v.code)
    }

    #[test]
    fn path_body_and_query_fill_one_message() {
        let json = build(
            Method::POST,
            "/api/v1/units/u%2D1:move",
            None,
            r#"{"newParentId":"p2","etag":"7"}"#,
        )
        .expect("built");
        assert_eq!(json["id"], "u-1");
        assert_eq!(json["newParentId"], "p2");

        let json = build(
            Method::GET,
            "/api/v1/accounts",
            Some("query=nguyen&pageSize=20&page_token=abc"),
            "",
        )
        .expect("built");
        assert_eq!(json["query"], "nguyen");
        assert_eq!(json["pageSize"], 20);
        assert_eq!(json["pageToken"], "abc");
    }

    #[test]
    fn bad_input_names_the_field() {
        let e = build(Method::POST, "/api/v1/auth/login", None, "{\"username\":")
            .expect_err("malformed");
        assert_eq!(e.code, ErrorCode::MalformedJson);

        let e = build(
            Method::POST,
            "/api/v1/auth/login",
            None,
            r#"{"username":"a","pasword":"x"}"#,
        )
        .expect_err("unknown field");
        assert_eq!(violation(&e), ("pasword".into(), ErrorCode::UnknownField));

        let e = build(
            Method::POST,
            "/api/v1/auth/login",
            None,
            r#"{"username":5}"#,
        )
        .expect_err("wrong type");
        assert_eq!(violation(&e), ("username".into(), ErrorCode::InvalidType));

        let e = build(Method::GET, "/api/v1/accounts", Some("pageSize=ten"), "")
            .expect_err("not a number");
        assert_eq!(violation(&e), ("pageSize".into(), ErrorCode::InvalidValue));

        let e = build(Method::GET, "/api/v1/accounts", Some("colour=red"), "")
            .expect_err("unknown query parameter");
        assert_eq!(violation(&e), ("colour".into(), ErrorCode::UnknownField));

        let e = build(Method::POST, "/api/v1/auth/login", None, "[1]").expect_err("array");
        assert_eq!(e.code, ErrorCode::BodyNotObject);
    }

    #[test]
    fn enums_are_checked_by_name() {
        let e = build(
            Method::POST,
            "/api/v1/units",
            None,
            r#"{"code":"X","name":"Y","kind":"GALAXY"}"#,
        )
        .expect_err("bad enum");
        assert_eq!(violation(&e).1, ErrorCode::InvalidEnum);
        assert!(violation(&e).0.ends_with("kind"), "{:?}", violation(&e));
    }
}
