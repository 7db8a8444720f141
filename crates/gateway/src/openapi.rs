//! The OpenAPI 3.1 document, generated from the same descriptors and HTTP rules the gateway
//! routes by, so the documentation cannot drift from the API. Proto comments become summaries
//! and descriptions; messages and enums become component schemas in their JSON mapping.

use crate::routes::{BodyRule, Route, RouteTable, Transfer, resolve_field_path};
use prost_reflect::{
    DescriptorPool, EnumDescriptor, FieldDescriptor, Kind, MessageDescriptor, MethodDescriptor,
};
use serde_json::{Map, Value as Json, json};
use std::collections::{BTreeMap, HashMap};

/// Leading comments by (file, source path), from the descriptor set's source info.
struct Comments(HashMap<(String, Vec<i32>), String>);

impl Comments {
    fn of(pool: &DescriptorPool) -> Self {
        let mut map = HashMap::new();
        for file in pool.files() {
            let proto = file.file_descriptor_proto();
            let Some(info) = &proto.source_code_info else {
                continue;
            };
            for location in &info.location {
                if let Some(text) = location.leading_comments.as_deref() {
                    let text = text
                        .lines()
                        .map(str::trim)
                        .collect::<Vec<_>>()
                        .join("\n")
                        .trim()
                        .to_string();
                    if !text.is_empty() {
                        map.insert((file.name().to_string(), location.path.clone()), text);
                    }
                }
            }
        }
        Self(map)
    }

    fn get(&self, file: &str, path: &[i32]) -> Option<&str> {
        self.0
            .get(&(file.to_string(), path.to_vec()))
            .map(String::as_str)
    }

    fn method(&self, m: &MethodDescriptor) -> Option<&str> {
        self.get(m.parent_file().name(), m.path())
    }

    fn message(&self, m: &MessageDescriptor) -> Option<&str> {
        self.get(m.parent_file().name(), m.path())
    }

    fn field(&self, f: &FieldDescriptor) -> Option<&str> {
        self.get(f.parent_file().name(), f.path())
    }

    fn enumeration(&self, e: &EnumDescriptor) -> Option<&str> {
        self.get(e.parent_file().name(), e.path())
    }
}

/// The messages and enums referenced so far, emitted as component schemas.
#[derive(Default)]
struct Needed {
    messages: Vec<MessageDescriptor>,
    enums: Vec<EnumDescriptor>,
}

/// Builds the OpenAPI 3.1 document of every routed RPC.
pub fn document(pool: &DescriptorPool, table: &RouteTable) -> Json {
    let comments = Comments::of(pool);
    let mut schemas: BTreeMap<String, Json> = BTreeMap::new();
    let mut pending = Needed::default();
    let mut paths: BTreeMap<String, Map<String, Json>> = BTreeMap::new();

    for route in table.routes() {
        let (path, operation) = operation(route, &comments, &mut pending);
        paths
            .entry(path)
            .or_default()
            .insert(route.http_method.as_str().to_ascii_lowercase(), operation);
    }

    while let Some(message) = pending.messages.pop() {
        let name = message.full_name().to_string();
        if schemas.contains_key(&name) {
            continue;
        }
        schemas.insert(name.clone(), Json::Null);
        let schema = message_schema(&message, &comments, &mut pending);
        schemas.insert(name, schema);
    }
    for e in pending.enums {
        schemas
            .entry(e.full_name().to_string())
            .or_insert_with(|| enum_schema(&e, &comments));
    }
    schemas.insert("Problem".into(), problem_schema());

    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "tỉnh số — API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "API REST/JSON của nền tảng tỉnh số, sinh từ các tệp proto (gRPC là hợp đồng gốc). \
                Lỗi trả về theo RFC 9457 (application/problem+json), thông điệp tiếng Việt; \
                gửi Accept-Language: en để nhận tiếng Anh.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "Access token from POST /api/v1/auth/login (5 minutes)."
                }
            }
        },
        "security": [{"bearerAuth": []}],
    })
}

fn operation(route: &Route, comments: &Comments, pending: &mut Needed) -> (String, Json) {
    let input = route.method.input();
    let bound: Vec<Vec<FieldDescriptor>> = route
        .path_fields()
        .filter_map(|f| resolve_field_path(&input, f).ok())
        .collect();
    let mut path = route.template.clone();
    let mut parameters = Vec::new();
    for (proto_path, fields) in route.path_fields().zip(&bound) {
        let name = json_path(fields);
        path = path.replace(&format!("{{{proto_path}}}"), &format!("{{{name}}}"));
        let leaf = fields.last().expect("non-empty");
        let mut param = json!({
            "name": name,
            "in": "path",
            "required": true,
            "schema": field_schema(leaf, pending),
        });
        if let Some(text) = comments.field(leaf) {
            param["description"] = text.into();
        }
        parameters.push(param);
    }
    let body_field = match &route.body {
        BodyRule::Field(f) => Some(f.clone()),
        _ => None,
    };
    if !matches!(route.body, BodyRule::Whole) {
        query_parameters(
            &input,
            &mut Vec::new(),
            &bound,
            body_field.as_ref(),
            comments,
            pending,
            &mut parameters,
        );
    }

    let description = comments.method(&route.method).unwrap_or_default();
    let summary = description
        .split(['\n', '.'])
        .next()
        .unwrap_or_default()
        .trim();
    let service = route.method.parent_service();
    let mut op = json!({
        "operationId": format!("{}_{}", service.name(), route.method.name()),
        "tags": [service.name()],
        "summary": if summary.is_empty() { route.method.name() } else { summary },
        "description": description,
        "parameters": parameters,
        "responses": {
            "200": {
                "description": "OK",
                "content": {"application/json": {"schema": reference(&route.method.output(), pending)}},
            },
            "default": {
                "description": "Lỗi (RFC 9457)",
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
            },
        },
    });
    if route.anonymous {
        op["security"] = json!([]);
    }
    if let Transfer::Download = route.transfer {
        op["responses"]["200"] = json!({
            "description": "Tệp tải về (Content-Type và Content-Disposition cho biết loại và tên tệp)",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        });
    }
    if let Transfer::Upload(field) = &route.transfer {
        let name = field.json_name();
        op["requestBody"] = json!({
            "required": true,
            "content": {"multipart/form-data": {"schema": {
                "type": "object",
                "required": [name],
                "properties": {name: {
                    "type": "string",
                    "format": "binary",
                    "description": comments.field(field).unwrap_or("Tệp tải lên"),
                }},
            }}},
        });
        return (path, op);
    }
    let body_schema = match &route.body {
        BodyRule::Whole => Some(body_without(&input, &bound, pending)),
        BodyRule::Field(f) => Some(field_schema(f, pending)),
        BodyRule::None => None,
    };
    if let Some(schema) = body_schema {
        op["requestBody"] = json!({
            "required": true,
            "content": {"application/json": {"schema": schema}},
        });
    }
    (path, op)
}

/// The request schema minus the fields already bound by the path.
fn body_without(
    input: &MessageDescriptor,
    bound: &[Vec<FieldDescriptor>],
    pending: &mut Needed,
) -> Json {
    let top_bound: Vec<&FieldDescriptor> = bound
        .iter()
        .filter(|b| b.len() == 1)
        .map(|b| &b[0])
        .collect();
    if top_bound.is_empty() {
        return reference(input, pending);
    }
    let mut properties = Map::new();
    for field in input.fields() {
        if !top_bound.contains(&&field) {
            properties.insert(field.json_name().to_string(), field_schema(&field, pending));
        }
    }
    json!({"type": "object", "properties": properties, "additionalProperties": false})
}

/// Every scalar leaf of the request that is neither in the path nor in the body becomes a query
/// parameter, nested fields with dotted names.
fn query_parameters(
    message: &MessageDescriptor,
    prefix: &mut Vec<FieldDescriptor>,
    bound: &[Vec<FieldDescriptor>],
    body_field: Option<&FieldDescriptor>,
    comments: &Comments,
    pending: &mut Needed,
    out: &mut Vec<Json>,
) {
    for field in message.fields() {
        if prefix.is_empty() && body_field == Some(&field) {
            continue;
        }
        prefix.push(field.clone());
        let is_bound = bound.iter().any(|b| b == prefix);
        let nested = field.kind().as_message().cloned();
        match nested {
            _ if is_bound || field.is_map() => {}
            Some(m) if !is_wkt_scalar(&m) => {
                if !field.is_list() && prefix.len() < 4 {
                    query_parameters(&m, prefix, bound, None, comments, pending, out);
                }
            }
            _ => {
                let mut param = json!({
                    "name": json_path(prefix),
                    "in": "query",
                    "required": false,
                    "schema": field_schema(&field, pending),
                });
                if field.is_list() {
                    param["explode"] = true.into();
                }
                if let Some(text) = comments.field(&field) {
                    param["description"] = text.into();
                }
                out.push(param);
            }
        }
        prefix.pop();
    }
}

fn json_path(fields: &[FieldDescriptor]) -> String {
    fields
        .iter()
        .map(|f| f.json_name())
        .collect::<Vec<_>>()
        .join(".")
}

fn is_wkt_scalar(m: &MessageDescriptor) -> bool {
    wkt_schema(m).is_some()
}

/// Well-known types whose JSON form is not an object.
fn wkt_schema(m: &MessageDescriptor) -> Option<Json> {
    Some(match m.full_name() {
        "google.protobuf.Timestamp" => json!({"type": "string", "format": "date-time"}),
        "google.protobuf.Duration" => {
            json!({"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?s$"})
        }
        "google.protobuf.FieldMask" => json!({"type": "string"}),
        "google.protobuf.StringValue" => json!({"type": ["string", "null"]}),
        "google.protobuf.BoolValue" => json!({"type": ["boolean", "null"]}),
        "google.protobuf.Int32Value" | "google.protobuf.UInt32Value" => {
            json!({"type": ["integer", "null"], "format": "int32"})
        }
        "google.protobuf.Int64Value" | "google.protobuf.UInt64Value" => {
            json!({"type": ["string", "integer", "null"], "format": "int64"})
        }
        "google.protobuf.DoubleValue" | "google.protobuf.FloatValue" => {
            json!({"type": ["number", "null"]})
        }
        "google.protobuf.Value" => json!({}),
        "google.protobuf.Struct" => json!({"type": "object"}),
        "google.protobuf.Empty" => json!({"type": "object", "additionalProperties": false}),
        _ => return None,
    })
}

fn reference(m: &MessageDescriptor, pending: &mut Needed) -> Json {
    if let Some(schema) = wkt_schema(m) {
        return schema;
    }
    pending.messages.push(m.clone());
    json!({"$ref": format!("#/components/schemas/{}", m.full_name())})
}

fn enum_ref(e: &EnumDescriptor, pending: &mut Needed) -> Json {
    pending.enums.push(e.clone());
    json!({"$ref": format!("#/components/schemas/{}", e.full_name())})
}

fn scalar_schema(field: &FieldDescriptor, pending: &mut Needed) -> Json {
    match field.kind() {
        Kind::Double | Kind::Float => json!({"type": "number"}),
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => {
            json!({"type": "integer", "format": "int32"})
        }
        Kind::Uint32 | Kind::Fixed32 => {
            json!({"type": "integer", "format": "int64", "minimum": 0, "maximum": u32::MAX})
        }
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => {
            json!({"type": ["string", "integer"], "format": "int64"})
        }
        Kind::Uint64 | Kind::Fixed64 => json!({"type": ["string", "integer"], "format": "uint64"}),
        Kind::Bool => json!({"type": "boolean"}),
        Kind::String => json!({"type": "string"}),
        Kind::Bytes => json!({"type": "string", "contentEncoding": "base64"}),
        Kind::Enum(e) => enum_ref(&e, pending),
        Kind::Message(m) => reference(&m, pending),
    }
}

fn field_schema(field: &FieldDescriptor, pending: &mut Needed) -> Json {
    if field.is_map() {
        let entry = field.kind();
        let value = entry
            .as_message()
            .and_then(|m| m.map_entry_value_field().into())
            .map(|v: FieldDescriptor| scalar_schema(&v, pending))
            .unwrap_or_else(|| json!({}));
        return json!({"type": "object", "additionalProperties": value});
    }
    let item = scalar_schema(field, pending);
    if field.is_list() {
        json!({"type": "array", "items": item})
    } else {
        item
    }
}

fn message_schema(message: &MessageDescriptor, comments: &Comments, pending: &mut Needed) -> Json {
    let mut properties = Map::new();
    for field in message.fields() {
        let mut schema = field_schema(&field, pending);
        if let Some(text) = comments.field(&field) {
            schema = if schema.get("$ref").is_some() {
                json!({"allOf": [schema], "description": text})
            } else {
                let mut s = schema;
                s["description"] = text.into();
                s
            };
        }
        properties.insert(field.json_name().to_string(), schema);
    }
    let mut schema = json!({
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
    });
    if let Some(text) = comments.message(message) {
        schema["description"] = text.into();
    }
    schema
}

fn enum_schema(e: &EnumDescriptor, comments: &Comments) -> Json {
    let names: Vec<String> = e.values().map(|v| v.name().to_string()).collect();
    let mut schema = json!({"type": "string", "enum": names});
    if let Some(text) = comments.enumeration(e) {
        schema["description"] = text.into();
    }
    schema
}

fn problem_schema() -> Json {
    json!({
        "type": "object",
        "description": "RFC 9457 problem details with the tinhso error code and the fields at fault.",
        "required": ["type", "title", "status", "code"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "code": {"type": "string", "description": "Stable machine-readable code, e.g. USERNAME_TAKEN."},
            "instance": {"type": "string"},
            "requestId": {"type": "string"},
            "violations": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "field": {"type": "string"},
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_routed_rpc_is_documented_with_its_comment() {
        let pool = DescriptorPool::decode(tinhso_proto::FILE_DESCRIPTOR_SET).expect("descriptors");
        let table = RouteTable::from_pool(&pool).expect("routes");
        let doc = document(&pool, &table);
        let mut operations = 0;
        for (_, item) in doc["paths"].as_object().expect("paths") {
            operations += item.as_object().expect("item").len();
        }
        assert_eq!(operations, table.routes().len());
        let move_op = &doc["paths"]["/api/v1/units/{id}:move"]["post"];
        assert_eq!(move_op["operationId"], "UnitService_MoveUnit");
        assert!(
            move_op["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty()),
            "proto comments become descriptions"
        );
        let grants = &doc["paths"]["/api/v1/accounts/{accountId}/grants"]["get"];
        assert_eq!(grants["parameters"][0]["name"], "accountId");
        let kinds = &doc["components"]["schemas"]["tinhso.identity.v1.UnitKind"]["enum"];
        assert!(
            kinds
                .as_array()
                .is_some_and(|k| k.iter().any(|v| v == "UNIT_KIND_COMMUNE"))
        );
        let login = &doc["paths"]["/api/v1/auth/login"]["post"];
        assert_eq!(login["security"], json!([]));
        // Every $ref resolves.
        let text = doc.to_string();
        for piece in text.split("\"#/components/schemas/").skip(1) {
            let name = piece.split('"').next().expect("name");
            assert!(
                doc["components"]["schemas"].get(name).is_some(),
                "dangling $ref {name}"
            );
        }
    }
}
