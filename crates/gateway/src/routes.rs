//! The route table: every RPC whose method options carry a `tinhso.common.v1.http` rule becomes a
//! REST route. Templates are `/literal/{field.path}/...` with an optional `:verb` suffix on the
//! last segment (AIP-136 custom methods), matched segment by segment.

use http::Method;
use prost::Message as _;
use prost_reflect::{DescriptorPool, FieldDescriptor, MessageDescriptor, MethodDescriptor, Value};
use tinhso_proto::common::v1::{HttpRule, http_rule::Pattern};

/// The option that carries a method's HTTP rule.
const HTTP_RULE_EXTENSION: &str = "tinhso.common.v1.http";

/// A rule that cannot be served; reported at start so a bad proto never reaches a user.
#[derive(Debug, thiserror::Error)]
#[error("{method}: {reason}")]
pub struct RouteError {
    pub method: String,
    pub reason: String,
}

/// Where the JSON body goes in the request message.
#[derive(Debug, Clone)]
pub enum BodyRule {
    /// No body; every field that is not in the path comes from the query string.
    None,
    /// The body is the whole request message (`body: "*"`).
    Whole,
    /// The body is one field of the request (`body: "unit"`); the rest comes from the query.
    Field(FieldDescriptor),
}

#[derive(Debug, Clone)]
enum Segment {
    Literal(String),
    /// A path parameter bound to a (possibly nested) request field.
    Field(String),
}

/// The full name of the message that carries streamed files.
pub const FILE_CHUNK: &str = "tinhso.common.v1.FileChunk";

/// How a route moves data.
#[derive(Debug, Clone)]
pub enum Transfer {
    /// One JSON request, one JSON response.
    Unary,
    /// A download: the RPC streams `FileChunk`s, sent as one chunked HTTP response.
    Download,
    /// An upload: a multipart file becomes a stream of request messages whose field `file` (a
    /// `FileChunk`) carries the pieces; path and query parameters fill the first message.
    Upload(FieldDescriptor),
}

/// One REST route of one RPC.
#[derive(Debug, Clone)]
pub struct Route {
    pub http_method: Method,
    /// The template as written in the proto, e.g. `/api/v1/units/{id}:move`.
    pub template: String,
    segments: Vec<Segment>,
    verb: Option<String>,
    pub body: BodyRule,
    pub transfer: Transfer,
    pub method: MethodDescriptor,
    /// The routes that need no bearer token.
    pub anonymous: bool,
    /// The upstream that serves it: the domain of the proto package (`tinhso.identity.v1` ->
    /// `identity`).
    pub upstream: String,
}

impl Route {
    /// The dotted request-field paths bound by the template, in order.
    pub fn path_fields(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Field(f) => Some(f.as_str()),
            Segment::Literal(_) => None,
        })
    }

    /// The gRPC path, e.g. `/tinhso.identity.v1.UnitService/GetUnit`.
    pub fn grpc_path(&self) -> String {
        format!(
            "/{}/{}",
            self.method.parent_service().full_name(),
            self.method.name()
        )
    }

    /// Whether retrying a failed call is safe (unary reads only).
    pub fn is_idempotent_read(&self) -> bool {
        self.http_method == Method::GET && matches!(self.transfer, Transfer::Unary)
    }

    fn literal_count(&self) -> usize {
        self.segments
            .iter()
            .filter(|s| matches!(s, Segment::Literal(_)))
            .count()
    }

    /// Matches a request path; returns the raw (still percent-encoded) path parameters.
    fn matches<'p>(&self, path: &'p str) -> Option<Vec<(&str, &'p str)>> {
        let path = path.strip_prefix('/')?;
        let path = match &self.verb {
            Some(verb) => path.strip_suffix(verb.as_str())?.strip_suffix(':')?,
            None => path,
        };
        let parts: Vec<&str> = path.split('/').collect();
        if parts.len() != self.segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (segment, part) in self.segments.iter().zip(parts) {
            match segment {
                Segment::Literal(l) if l == part => {}
                Segment::Literal(_) => return None,
                Segment::Field(f) => params.push((f.as_str(), part)),
            }
        }
        Some(params)
    }
}

/// What a request path resolves to.
#[derive(Debug)]
pub enum Match<'a, 'p> {
    Found(&'a Route, Vec<(&'a str, &'p str)>),
    /// The path exists with other methods (405 with `Allow`).
    MethodNotAllowed(Vec<Method>),
    NotFound,
}

/// Every REST route of the descriptor pool.
#[derive(Debug, Clone)]
pub struct RouteTable {
    routes: Vec<Route>,
}

impl RouteTable {
    /// Builds the table from every service in `pool` whose methods carry an HTTP rule.
    pub fn from_pool(pool: &DescriptorPool) -> Result<Self, RouteError> {
        let Some(extension) = pool.get_extension_by_name(HTTP_RULE_EXTENSION) else {
            return Ok(Self { routes: Vec::new() });
        };
        let mut routes = Vec::new();
        for service in pool.services() {
            for method in service.methods() {
                let options = method.options();
                if !options.has_extension(&extension) {
                    continue;
                }
                let Value::Message(rule) = options.get_extension(&extension).into_owned() else {
                    continue;
                };
                let rule =
                    HttpRule::decode(rule.encode_to_vec().as_slice()).map_err(|e| RouteError {
                        method: method.full_name().to_string(),
                        reason: format!("unreadable http rule: {e}"),
                    })?;
                routes.push(compile(&method, &rule)?);
            }
        }
        // More literal segments first, so `/units/children` would win over `/units/{id}`.
        routes.sort_by_key(|r| std::cmp::Reverse(r.literal_count()));
        let table = Self { routes };
        table.check_duplicates()?;
        Ok(table)
    }

    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// Finds the route for `method` and `path`.
    pub fn find<'a, 'p>(&'a self, method: &Method, path: &'p str) -> Match<'a, 'p> {
        let mut allowed = Vec::new();
        for route in &self.routes {
            if let Some(params) = route.matches(path) {
                if route.http_method == method {
                    return Match::Found(route, params);
                }
                if !allowed.contains(&route.http_method) {
                    allowed.push(route.http_method.clone());
                }
            }
        }
        if allowed.is_empty() {
            Match::NotFound
        } else {
            allowed.sort_by(|a, b| a.as_str().cmp(b.as_str()));
            Match::MethodNotAllowed(allowed)
        }
    }

    fn check_duplicates(&self) -> Result<(), RouteError> {
        for (i, a) in self.routes.iter().enumerate() {
            for b in &self.routes[i + 1..] {
                if a.http_method == b.http_method && a.template == b.template {
                    return Err(RouteError {
                        method: b.method.full_name().to_string(),
                        reason: format!(
                            "{} {} is already served by {}",
                            b.http_method,
                            b.template,
                            a.method.full_name()
                        ),
                    });
                }
            }
        }
        Ok(())
    }
}

fn compile(method: &MethodDescriptor, rule: &HttpRule) -> Result<Route, RouteError> {
    let fail = |reason: String| RouteError {
        method: method.full_name().to_string(),
        reason,
    };
    let (http_method, template) = match &rule.pattern {
        Some(Pattern::Get(t)) => (Method::GET, t),
        Some(Pattern::Post(t)) => (Method::POST, t),
        Some(Pattern::Put(t)) => (Method::PUT, t),
        Some(Pattern::Delete(t)) => (Method::DELETE, t),
        Some(Pattern::Patch(t)) => (Method::PATCH, t),
        None => return Err(fail("http rule without a verb".into())),
    };
    let Some(rest) = template.strip_prefix('/') else {
        return Err(fail(format!("template `{template}` must start with /")));
    };
    let (rest, verb) = match rest.rsplit_once(':') {
        Some((before, verb)) if !verb.contains('/') && !verb.contains('}') => {
            (before, Some(verb.to_string()))
        }
        _ => (rest, None),
    };
    let input = method.input();
    let mut segments = Vec::new();
    for part in rest.split('/') {
        if let Some(field) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            resolve_field_path(&input, field)
                .map_err(|e| fail(format!("path field `{field}`: {e}")))?;
            segments.push(Segment::Field(field.to_string()));
        } else if part.is_empty() || part.contains(['{', '}']) {
            return Err(fail(format!("bad segment `{part}` in `{template}`")));
        } else {
            segments.push(Segment::Literal(part.to_string()));
        }
    }
    let body = match rule.body.as_str() {
        "" => BodyRule::None,
        "*" => BodyRule::Whole,
        name => BodyRule::Field(
            input
                .get_field_by_name(name)
                .ok_or_else(|| fail(format!("body field `{name}` not in {}", input.name())))?,
        ),
    };
    let transfer = match (method.is_client_streaming(), method.is_server_streaming()) {
        (false, false) => Transfer::Unary,
        (false, true) if method.output().full_name() == FILE_CHUNK => Transfer::Download,
        (true, false) => match &body {
            BodyRule::Field(f)
                if f.kind()
                    .as_message()
                    .is_some_and(|m| m.full_name() == FILE_CHUNK) =>
            {
                Transfer::Upload(f.clone())
            }
            _ => {
                return Err(fail(format!(
                    "a client-streaming route needs `body` naming a {FILE_CHUNK} field"
                )));
            }
        },
        _ => {
            return Err(fail(format!(
                "only unary RPCs, {FILE_CHUNK} downloads and uploads have REST routes"
            )));
        }
    };
    let upstream = method
        .parent_service()
        .package_name()
        .split('.')
        .nth(1)
        .unwrap_or_default()
        .to_string();
    Ok(Route {
        http_method,
        template: template.clone(),
        segments,
        verb,
        body,
        transfer,
        method: method.clone(),
        anonymous: rule.anonymous,
        upstream,
    })
}

/// Resolves a dotted proto field path (`unit.id`) to the fields along it.
pub fn resolve_field_path(
    message: &MessageDescriptor,
    path: &str,
) -> Result<Vec<FieldDescriptor>, String> {
    let mut fields = Vec::new();
    let mut current = message.clone();
    let parts: Vec<&str> = path.split('.').collect();
    for (i, name) in parts.iter().enumerate() {
        let field = current
            .get_field_by_name(name)
            .or_else(|| current.get_field_by_json_name(name))
            .ok_or_else(|| format!("no field `{name}` in {}", current.name()))?;
        if i + 1 < parts.len() {
            match field.kind().as_message() {
                Some(m) if !field.is_list() && !field.is_map() => current = m.clone(),
                _ => return Err(format!("`{name}` is not a message field")),
            }
        }
        fields.push(field);
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> RouteTable {
        let pool = DescriptorPool::decode(tinhso_proto::FILE_DESCRIPTOR_SET).expect("descriptors");
        RouteTable::from_pool(&pool).expect("routes")
    }

    fn found(t: &RouteTable, method: Method, path: &str) -> (String, Vec<(String, String)>) {
        match t.find(&method, path) {
            Match::Found(route, params) => (
                route.method.name().to_string(),
                params
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ),
            other => panic!("{method} {path}: {other:?}"),
        }
    }

    #[test]
    fn custom_verbs_and_params_resolve_to_their_rpcs() {
        let t = table();
        assert_eq!(found(&t, Method::GET, "/api/v1/units/u1").0, "GetUnit");
        let (name, params) = found(&t, Method::POST, "/api/v1/units/u1:move");
        assert_eq!(name, "MoveUnit");
        assert_eq!(params, vec![("id".into(), "u1".into())]);
        assert_eq!(
            found(&t, Method::POST, "/api/v1/units:merge").0,
            "MergeUnits"
        );
        assert_eq!(
            found(&t, Method::GET, "/api/v1/units/u1/children").0,
            "ListChildUnits"
        );
        let (name, params) = found(&t, Method::DELETE, "/api/v1/accounts/a1/grants/g9");
        assert_eq!(name, "DeleteGrant");
        assert_eq!(
            params,
            vec![
                ("account_id".into(), "a1".into()),
                ("grant_id".into(), "g9".into())
            ]
        );
        assert_eq!(
            found(&t, Method::POST, "/api/v1/accounts/a1:resetPassword").0,
            "ResetPassword"
        );
    }

    #[test]
    fn wrong_method_and_unknown_paths_are_told_apart() {
        let t = table();
        match t.find(&Method::PUT, "/api/v1/units/u1") {
            Match::MethodNotAllowed(allowed) => {
                assert!(allowed.contains(&Method::GET) && allowed.contains(&Method::PATCH))
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            t.find(&Method::GET, "/api/v1/nothing"),
            Match::NotFound
        ));
        assert!(!matches!(
            t.find(&Method::POST, "/api/v1/units/u1:explode"),
            Match::Found(..)
        ));
    }

    #[test]
    fn login_and_jwks_are_the_only_anonymous_routes_and_each_package_has_its_upstream() {
        let t = table();
        let mut anonymous: Vec<&str> = t
            .routes()
            .iter()
            .filter(|r| r.anonymous)
            .map(|r| r.method.name())
            .collect();
        anonymous.sort();
        assert_eq!(
            anonymous,
            ["GetJwks", "Login", "Logout", "Refresh", "ServiceLogin"]
        );
        for route in t.routes() {
            let expected = if route.template.starts_with("/api/v1/personnel/") {
                "personnel"
            } else if route.template.starts_with("/api/v1/welfare/") {
                "welfare"
            } else {
                "identity"
            };
            assert_eq!(route.upstream, expected, "{}", route.template);
        }
    }
}
