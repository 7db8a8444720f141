// The API page: renders /api/openapi.json without any external library, and lets a reader try
// each call with the token from the box at the top.
(function () {
  "use strict";
  var spec = null;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  function resolve(schema) {
    if (schema && schema.$ref) return spec.components.schemas[schema.$ref.split("/").pop()] || {};
    if (schema && schema.allOf) return resolve(schema.allOf[0]);
    return schema || {};
  }

  function typeName(schema) {
    if (!schema) return "";
    if (schema.$ref) return schema.$ref.split("/").pop().split(".").pop();
    if (schema.allOf) return typeName(schema.allOf[0]);
    if (schema.type === "array") return typeName(schema.items) + "[]";
    var t = Array.isArray(schema.type) ? schema.type.join(" | ") : schema.type || "any";
    return schema.format ? t + " (" + schema.format + ")" : t;
  }

  function schemaTable(schema) {
    var s = resolve(schema);
    if (s.enum) return el("p", { text: "Một trong: " + s.enum.join(", ") });
    if (!s.properties) return el("p", { class: "muted", text: typeName(schema) });
    var rows = Object.keys(s.properties).map(function (name) {
      var p = s.properties[name];
      var r = resolve(p);
      var desc = p.description || "";
      if (r.enum) desc += (desc ? " " : "") + "[" + r.enum.join(", ") + "]";
      return el("tr", {}, [el("td", {}, [el("code", { text: name })]), el("td", { text: typeName(p) }), el("td", { text: desc })]);
    });
    return el("table", {}, [el("tr", {}, [el("th", { text: "Trường" }), el("th", { text: "Kiểu" }), el("th", { text: "Mô tả" })])].concat(rows));
  }

  function example(schema, depth) {
    var s = resolve(schema);
    if ((depth || 0) > 2) return {};
    if (s.enum) return s.enum[1] || s.enum[0];
    if (s.type === "object" && s.properties) {
      var out = {};
      Object.keys(s.properties).forEach(function (k) {
        var p = resolve(s.properties[k]);
        if (/Time$|^etag$|^id$|Id$/.test(k) && depth > 0) return;
        out[k] = example(s.properties[k], (depth || 0) + 1);
        if (p.type === "object" && !p.properties) delete out[k];
      });
      return out;
    }
    if (s.type === "array") return [];
    if (s.type === "boolean") return false;
    if (s.type === "integer") return 0;
    if (s.format === "date-time") return new Date().toISOString();
    return "";
  }

  function tryIt(path, method, op) {
    var inputs = {};
    var params = (op.parameters || []).map(function (p) {
      inputs[p.name] = el("input", { placeholder: p.name });
      return el("div", {}, [el("label", { text: p.name + (p.in === "path" ? " (đường dẫn) " : " (truy vấn) ") }), inputs[p.name]]);
    });
    var body = null;
    var file = null;
    if (op.requestBody && op.requestBody.content["multipart/form-data"]) {
      file = el("input", { type: "file" });
    } else if (op.requestBody) {
      body = el("textarea", {});
      body.value = JSON.stringify(example(op.requestBody.content["application/json"].schema, 0), null, 2);
    }
    var out = el("pre", { text: "" });
    var button = el("button", { text: "Gửi yêu cầu" });
    button.addEventListener("click", function () {
      var url = path;
      var query = [];
      (op.parameters || []).forEach(function (p) {
        var v = inputs[p.name].value;
        if (p.in === "path") url = url.replace("{" + p.name + "}", encodeURIComponent(v));
        else if (v !== "") query.push(encodeURIComponent(p.name) + "=" + encodeURIComponent(v));
      });
      if (query.length) url += "?" + query.join("&");
      var headers = { "Accept-Language": "vi" };
      var token = document.getElementById("token").value.trim();
      if (token) headers.Authorization = "Bearer " + token;
      var init = { method: method.toUpperCase(), headers: headers };
      if (body) { headers["Content-Type"] = "application/json"; init.body = body.value; }
      if (file && file.files.length) {
        var form = new FormData();
        form.append("file", file.files[0]);
        init.body = form;
      }
      out.textContent = "…";
      fetch(url, init).then(function (r) {
        var disposition = r.headers.get("Content-Disposition");
        if (r.ok && disposition) {
          return r.blob().then(function (blob) {
            var name = (/filename="([^"]+)"/.exec(disposition) || [])[1] || "tep";
            var link = el("a", { href: URL.createObjectURL(blob), download: name, text: "Lưu tệp " + name });
            out.textContent = r.status + " " + r.statusText + "\n";
            out.appendChild(link);
          });
        }
        return r.text().then(function (t) {
          var pretty = t;
          try { pretty = JSON.stringify(JSON.parse(t), null, 2); } catch (e) { /* not JSON */ }
          out.textContent = r.status + " " + r.statusText + "\n" + pretty;
          try {
            var j = JSON.parse(t);
            if (j.accessToken) document.getElementById("token").value = j.accessToken;
          } catch (e) { /* not JSON */ }
        });
      }).catch(function (e) { out.textContent = String(e); });
    });
    return el("div", {}, [el("h4", { text: "Thử gọi" })].concat(params).concat([body, file, button, out]));
  }

  function render() {
    var byTag = {};
    Object.keys(spec.paths).forEach(function (path) {
      Object.keys(spec.paths[path]).forEach(function (method) {
        var op = spec.paths[path][method];
        var tag = (op.tags || ["khác"])[0];
        (byTag[tag] = byTag[tag] || []).push({ path: path, method: method, op: op });
      });
    });
    var content = document.getElementById("content");
    content.textContent = "";
    Object.keys(byTag).sort().forEach(function (tag) {
      content.appendChild(el("h2", { text: tag }));
      byTag[tag].forEach(function (item) {
        var op = item.op;
        var locked = !(op.security && op.security.length === 0);
        var summary = el("summary", {}, [
          el("span", { class: "verb " + item.method, text: item.method.toUpperCase() }),
          el("span", { class: "path", text: item.path }),
          el("span", { class: "summary", text: op.summary || "" }),
          locked ? el("span", { class: "lock", text: "cần đăng nhập" }) : null
        ]);
        var parts = [el("p", { text: op.description || "" })];
        if ((op.parameters || []).length) {
          parts.push(el("h4", { text: "Tham số" }));
          parts.push(el("table", {}, [el("tr", {}, [el("th", { text: "Tên" }), el("th", { text: "Vị trí" }), el("th", { text: "Kiểu" }), el("th", { text: "Mô tả" })])].concat(
            op.parameters.map(function (p) {
              return el("tr", {}, [el("td", {}, [el("code", { text: p.name })]), el("td", { text: p.in }), el("td", { text: typeName(p.schema) }), el("td", { text: p.description || "" })]);
            }))));
        }
        if (op.requestBody && op.requestBody.content["application/json"]) {
          parts.push(el("h4", { text: "Nội dung yêu cầu (JSON)" }));
          parts.push(schemaTable(op.requestBody.content["application/json"].schema));
        } else if (op.requestBody) {
          parts.push(el("h4", { text: "Tải lên tệp (multipart/form-data, trường file)" }));
        }
        parts.push(el("h4", { text: "Kết quả (200)" }));
        var ok = op.responses["200"].content;
        if (ok["application/json"]) parts.push(schemaTable(ok["application/json"].schema));
        else parts.push(el("p", { text: op.responses["200"].description || "Tệp tải về" }));
        parts.push(tryIt(item.path, item.method, op));
        content.appendChild(el("details", { class: "op" }, [summary, el("div", { class: "body" }, parts)]));
      });
    });
  }

  fetch("/api/openapi.json").then(function (r) { return r.json(); }).then(function (s) {
    spec = s;
    render();
  }).catch(function (e) {
    document.getElementById("content").textContent = "Không tải được /api/openapi.json: " + e;
  });
})();
