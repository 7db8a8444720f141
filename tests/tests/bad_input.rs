//! Bad input, generically over every route of the OpenAPI document: malformed JSON, bodies that
//! are not objects, unknown fields, a wrong type in every body field, unknown or unparsable query
//! parameters, path parameters that are not UTF-8, oversize bodies and non-JSON bodies. Each gets
//! a 4xx problem+json naming the field, and nothing reaches the services' data.

use serde_json::{Value, json};
use tinhso_e2e::{Platform, assert_problem};

const BODY_LIMIT: usize = 4096;

/// Follows `$ref` and `allOf` to the schema itself.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.trim_start_matches("#/components/schemas/");
        return resolve(doc, &doc["components"]["schemas"][name]);
    }
    if let Some(first) = schema["allOf"].get(0) {
        return resolve(doc, first);
    }
    schema
}

/// A value of the wrong JSON type for `schema`, if the schema pins one down.
fn wrong_value(doc: &Value, schema: &Value) -> Option<Value> {
    let s = resolve(doc, schema);
    if s.get("enum").is_some() {
        return Some(json!("NO_SUCH_VALUE"));
    }
    match s["type"].as_str() {
        Some("string") if s["format"] == "date-time" => Some(json!("hôm qua")),
        Some("string") => Some(json!({"not": "a string"})),
        Some("integer") => Some(json!("mười")),
        Some("boolean") => Some(json!("có lẽ")),
        Some("array") => Some(json!("not an array")),
        Some("object") => Some(json!(42)),
        _ => None,
    }
}

fn fill_path_params(template: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in template.chars() {
        match c {
            '{' => {
                inside = true;
                out.push('x');
            }
            '}' => inside = false,
            _ if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

struct Checked {
    requests: usize,
}

impl Checked {
    /// Sends `body` and expects 400 naming `field` (a suffix match: the body field's prefix
    /// varies by route).
    async fn expect_400(
        &mut self,
        p: &Platform,
        token: &str,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
        field: Option<&str>,
    ) {
        let auth = format!("Bearer {token}");
        let mut headers = vec![("Authorization", auth.as_str())];
        if body.is_some() {
            headers.push(("Content-Type", "application/json"));
        }
        let r = tinhso_testkit::http::request(p.http, method, path, &headers, body).await;
        assert_eq!(
            r.status,
            400,
            "{method} {path} {:?}: {}",
            body.map(String::from_utf8_lossy),
            r.text()
        );
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        if let Some(field) = field {
            let doc = r.json();
            let named = doc["violations"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|v| v["field"].as_str().is_some_and(|f| f.ends_with(field)));
            assert!(named, "{method} {path}: `{field}` not named in {doc}");
        }
        self.requests += 1;
    }
}

impl Checked {
    /// Uploads: JSON instead of multipart, a form without the file, a broken multipart body.
    async fn uploads(&mut self, p: &Platform, token: &str, method: &str, path: &str) {
        let auth = format!("Bearer {token}");
        let r = tinhso_testkit::http::request(
            p.http,
            method,
            path,
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            Some(b"{}"),
        )
        .await;
        assert_problem(&r, 415, "UNSUPPORTED_MEDIA_TYPE");
        let no_file = "--B\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nx\r\n--B--\r\n";
        let r = tinhso_testkit::http::request(
            p.http,
            method,
            path,
            &[
                ("Authorization", &auth),
                ("Content-Type", "multipart/form-data; boundary=B"),
            ],
            Some(no_file.as_bytes()),
        )
        .await;
        assert_problem(&r, 400, "FILE_MISSING");
        let broken = "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nunterminated";
        let r = tinhso_testkit::http::request(
            p.http,
            method,
            path,
            &[
                ("Authorization", &auth),
                ("Content-Type", "multipart/form-data; boundary=B"),
            ],
            Some(broken.as_bytes()),
        )
        .await;
        assert_problem(&r, 400, "MALFORMED_MULTIPART");
        self.requests += 3;
    }
}

async fn audit_count(p: &Platform, token: &str) -> usize {
    let r = p.get("/api/v1/audit-events?pageSize=1000", token).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["events"].as_array().map(Vec::len).unwrap_or(0)
}

#[tokio::test]
async fn every_route_refuses_bad_input_naming_the_field_and_changes_nothing() {
    let limit = BODY_LIMIT.to_string();
    let p = Platform::start_with(&[("TINHSO_MAX_BODY_BYTES", &limit)]).await;
    let token = p.admin().await;
    let doc: Value = serde_json::from_str(p.gateway.openapi()).expect("openapi");
    let audit_before = audit_count(&p, &token).await;
    let units_before = p.get("/api/v1/units", &token).await.text();
    let mut checked = Checked { requests: 0 };

    for (template, item) in doc["paths"].as_object().expect("paths") {
        let path = fill_path_params(template);
        for (method, op) in item.as_object().expect("item") {
            let method = method.to_uppercase();
            // Path parameters that are not UTF-8.
            if template.contains('{') {
                let broken = template
                    .split('/')
                    .map(|s| {
                        if s.starts_with('{') {
                            s.split_once('}')
                                .map(|(_, verb)| format!("%FF%FE{verb}"))
                                .unwrap_or_default()
                        } else {
                            s.to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("/");
                let body = op.get("requestBody").map(|_| b"{}".as_slice());
                checked
                    .expect_400(&p, &token, &method, &broken, body, None)
                    .await;
            }
            // Unknown and unparsable query parameters.
            if op.get("requestBody").is_none() || method == "GET" {
                let unknown = format!("{path}?zzUnknownParam=1");
                checked
                    .expect_400(&p, &token, &method, &unknown, None, Some("zzUnknownParam"))
                    .await;
                for param in op["parameters"].as_array().into_iter().flatten() {
                    if param["in"] != "query" {
                        continue;
                    }
                    let s = resolve(&doc, &param["schema"]);
                    let bad = match (s["type"].as_str(), s.get("enum").is_some()) {
                        (_, true) => "NO_SUCH_VALUE",
                        (Some("integer"), _) => "mười",
                        (Some("boolean"), _) => "có-lẽ",
                        _ if s["format"] == "date-time" => "hôm-qua",
                        _ => continue,
                    };
                    let name = param["name"].as_str().expect("name");
                    let url = format!("{path}?{name}={bad}");
                    checked
                        .expect_400(&p, &token, &method, &url, None, Some(name))
                        .await;
                }
            }
            let Some(body) = op.get("requestBody") else {
                continue;
            };
            if body["content"].get("multipart/form-data").is_some() {
                checked.uploads(&p, &token, &method, &path).await;
                continue;
            }
            let schema = &body["content"]["application/json"]["schema"];
            // Malformed JSON, and a body that is not an object.
            checked
                .expect_400(&p, &token, &method, &path, Some(b"{\"a\": "), None)
                .await;
            checked
                .expect_400(&p, &token, &method, &path, Some(b"[1, 2]"), None)
                .await;
            // An unknown field.
            checked
                .expect_400(
                    &p,
                    &token,
                    &method,
                    &path,
                    Some(br#"{"zzUnknownField": 1}"#),
                    Some("zzUnknownField"),
                )
                .await;
            // A wrong type in every field.
            let resolved = resolve(&doc, schema);
            for (name, field_schema) in resolved["properties"].as_object().into_iter().flatten() {
                let Some(value) = wrong_value(&doc, field_schema) else {
                    continue;
                };
                let body = json!({ name: value }).to_string();
                checked
                    .expect_400(
                        &p,
                        &token,
                        &method,
                        &path,
                        Some(body.as_bytes()),
                        Some(name),
                    )
                    .await;
            }
            // Too big, and not JSON at all.
            let auth = format!("Bearer {token}");
            let huge = format!("{{\"x\":\"{}\"}}", "a".repeat(BODY_LIMIT + 1));
            let r = tinhso_testkit::http::request(
                p.http,
                &method,
                &path,
                &[
                    ("Authorization", &auth),
                    ("Content-Type", "application/json"),
                ],
                Some(huge.as_bytes()),
            )
            .await;
            assert_problem(&r, 413, "PAYLOAD_TOO_LARGE");
            let r = tinhso_testkit::http::request(
                p.http,
                &method,
                &path,
                &[("Authorization", &auth), ("Content-Type", "text/xml")],
                Some(b"<a/>"),
            )
            .await;
            assert_problem(&r, 415, "UNSUPPORTED_MEDIA_TYPE");
            checked.requests += 2;
        }
    }
    assert!(
        checked.requests > 150,
        "only {} bad requests sent",
        checked.requests
    );

    // Nothing reached the data: no new audit entries (logins aside, none were made), same units.
    assert_eq!(audit_count(&p, &token).await, audit_before);
    assert_eq!(p.get("/api/v1/units", &token).await.text(), units_before);
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems_too() {
    let p = Platform::start().await;
    let r = p.call("GET", "/api/v1/khong-co", None, None).await;
    assert_problem(&r, 404, "ROUTE_NOT_FOUND");
    let r = p.call("DELETE", "/api/v1/units", None, None).await;
    let doc = assert_problem(&r, 405, "METHOD_NOT_ALLOWED");
    assert_eq!(doc["instance"], "/api/v1/units");
    assert_eq!(r.header("allow"), Some("GET, POST"));
}
