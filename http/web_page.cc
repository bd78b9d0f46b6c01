// The page at /: tables, their schemas and a query box, in plain HTML and JS.
#include "http/server_internal.h"

namespace quiver::http {

namespace {

constexpr const char kPage[] = R"HTML(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Quiver</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; display: flex; min-height: 100vh; }
  nav { width: 260px; background: #f4f4f6; padding: 12px; border-right: 1px solid #ddd; overflow: auto; }
  main { flex: 1; padding: 12px 20px; overflow: auto; }
  h1 { font-size: 18px; margin: 0 0 8px; }
  .table-name { cursor: pointer; padding: 3px 4px; border-radius: 4px; }
  .table-name:hover, .table-name.sel { background: #dde3f0; }
  .meta { color: #666; font-size: 12px; }
  textarea { width: 100%; height: 90px; font: 13px monospace; box-sizing: border-box; }
  table.grid { border-collapse: collapse; margin-top: 8px; font: 12px monospace; }
  table.grid th, table.grid td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; }
  table.grid th { background: #eef; position: sticky; top: 0; }
  td.num { text-align: right; }
  td.null { color: #999; font-style: italic; }
  #error { color: #b00; white-space: pre-wrap; }
  #schema code { background: #f4f4f6; padding: 1px 3px; }
  input#token { width: 100%; box-sizing: border-box; }
</style>
</head>
<body>
<nav>
  <h1>Quiver</h1>
  <div id="pool" class="meta"></div>
  <h3>Tables</h3>
  <div id="tables">loading…</div>
  <h3>Token</h3>
  <input id="token" placeholder="bearer token (if required)">
  <p class="meta"><a href="/v1/openapi.json">OpenAPI</a> · <a href="/metrics">metrics</a></p>
</nav>
<main>
  <div id="schema"></div>
  <textarea id="sql" spellcheck="false" placeholder="SELECT * FROM table LIMIT 10"></textarea>
  <div><button id="run">Run (Ctrl+Enter)</button> <span id="status" class="meta"></span></div>
  <div id="error"></div>
  <div id="result"></div>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
function headers(extra) {
  const h = Object.assign({}, extra || {});
  const t = $("token").value.trim();
  if (t) h["Authorization"] = "Bearer " + t;
  return h;
}
async function getJson(url) {
  const r = await fetch(url, { headers: headers() });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error ? body.error.code + ": " + body.error.message : r.statusText);
  return body;
}
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}
async function loadTables() {
  try {
    const h = await getJson("/v1/health");
    $("pool").textContent = h.pool + " · txn " + h.txn + " · " + h.engine;
    const tables = await getJson("/v1/tables");
    const box = $("tables");
    box.innerHTML = "";
    if (tables.length === 0) box.textContent = "(no tables)";
    for (const t of tables) {
      const d = el("div", "", "table-name");
      d.appendChild(el("span", t.name));
      d.appendChild(el("div", t.rows + " rows · " + t.chunks + " chunks", "meta"));
      d.onclick = () => showTable(t.name, d);
      box.appendChild(d);
    }
  } catch (e) {
    $("tables").textContent = String(e.message || e);
  }
}
async function showTable(name, node) {
  document.querySelectorAll(".table-name").forEach((n) => n.classList.remove("sel"));
  if (node) node.classList.add("sel");
  try {
    const t = await getJson("/v1/tables/" + encodeURIComponent(name));
    const s = $("schema");
    s.innerHTML = "";
    s.appendChild(el("h2", t.name));
    s.appendChild(el("div", t.rows + " rows, " + t.chunks + " chunks, " + t.bytes + " bytes", "meta"));
    const p = el("p");
    p.appendChild(el("code", t.datashape));
    s.appendChild(p);
    const g = el("table", undefined, "grid");
    const hr = el("tr");
    for (const h of ["column", "type", "nullable", "min", "max", "nulls"]) hr.appendChild(el("th", h));
    g.appendChild(hr);
    t.fields.forEach((f, i) => {
      const c = t.columns[i] || {};
      const tr = el("tr");
      for (const v of [f.name, f.type, f.nullable ? "yes" : "no", c.min, c.max, c.nulls]) {
        tr.appendChild(el("td", v === null || v === undefined ? "" : String(v)));
      }
      g.appendChild(tr);
    });
    s.appendChild(g);
    $("sql").value = "SELECT * FROM " + name + " LIMIT 100";
  } catch (e) {
    $("error").textContent = String(e.message || e);
  }
}
async function run() {
  $("error").textContent = "";
  $("status").textContent = "running…";
  const started = performance.now();
  try {
    // JSON.parse rounds integers beyond 2^53: ask for 64-bit integers as
    // strings so that the cells show them exactly.
    const r = await fetch("/v1/query?int64_as_string=true", {
      method: "POST",
      headers: headers({ "Content-Type": "application/json", "Accept": "application/json" }),
      body: JSON.stringify({ sql: $("sql").value }),
    });
    const body = await r.json();
    if (!r.ok || body.error) {
      const e = body.error || {};
      let msg = (e.code || r.status) + ": " + (e.message || r.statusText);
      $("error").textContent = msg;
      $("status").textContent = "";
      return;
    }
    render(body);
    $("status").textContent = body.row_count + " rows" + (body.truncated ? " (truncated)" : "") +
      " · " + body.elapsed_ms.toFixed(1) + " ms in the server · " +
      (performance.now() - started).toFixed(0) + " ms total";
  } catch (e) {
    $("error").textContent = String(e.message || e);
    $("status").textContent = "";
  }
}
function render(body) {
  const out = $("result");
  out.innerHTML = "";
  const g = el("table", undefined, "grid");
  g.id = "result-table";
  const hr = el("tr");
  for (const c of body.columns) {
    const th = el("th", c.name);
    th.title = c.type;
    hr.appendChild(th);
  }
  g.appendChild(hr);
  const numeric = body.columns.map((c) => /int|float/.test(c.type));
  for (const row of body.rows) {
    const tr = el("tr");
    row.forEach((v, i) => {
      if (v === null) tr.appendChild(el("td", "NULL", "null"));
      else tr.appendChild(el("td", String(v), numeric[i] ? "num" : ""));
    });
    g.appendChild(tr);
  }
  out.appendChild(g);
}
$("run").onclick = run;
$("sql").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
});
$("token").addEventListener("change", loadTables);
loadTables();
</script>
</body>
</html>
)HTML";

}  // namespace

std::string_view WebPageHtml() { return {kPage, sizeof kPage - 1}; }

}  // namespace quiver::http
