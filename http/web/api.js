// Talking to quiverd: the read token, JSON requests, queries streamed as
// NDJSON (meta=true: a {"columns"} line, a line per row, a {"stats"} line,
// or an {"error"} line if the query fails after it started), cancellation
// (AbortController plus DELETE /v1/queries/{id}) and downloads.
"use strict";

const Api = (() => {
  const tokenKey = "quiver.token";

  function token() {
    const box = document.getElementById("token");
    return box ? box.value.trim() : "";
  }

  function headers(extra) {
    const h = Object.assign({}, extra || {});
    const t = token();
    if (t) h["Authorization"] = "Bearer " + t;
    return h;
  }

  // An Error carrying the server's error object (code, message, line...).
  function serverError(status, body) {
    const e = (body && body.error) || {};
    const err = new Error((e.code || "http_" + status) + ": " + (e.message || "HTTP " + status));
    err.server = e;
    err.status = status;
    return err;
  }

  async function getJson(url) {
    const r = await fetch(url, { headers: headers() });
    let body = null;
    try { body = await r.json(); } catch (_) { body = null; }
    if (!r.ok) throw serverError(r.status, body);
    return body;
  }

  function newQueryId() {
    const a = new Uint8Array(8);
    crypto.getRandomValues(a);
    return "web-" + Array.from(a, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // Runs `sql`, calling on.columns(cols), on.rows(arrayOfRows) as batches
  // arrive, and resolving with {stats, headers}. Integers come as strings
  // (int64_as_string) so that 64-bit values stay exact. `signal` aborts it.
  async function stream(sql, on, signal, queryId) {
    const r = await fetch("/v1/query?format=ndjson&int64_as_string=true&meta=true", {
      method: "POST",
      headers: headers({ "Content-Type": "application/json", "X-Quiver-Query-Id": queryId }),
      body: JSON.stringify({ sql }),
      signal,
    });
    if (!r.ok) {
      let body = null;
      try { body = await r.json(); } catch (_) { body = null; }
      throw serverError(r.status, body);
    }
    const reader = r.body.getReader();
    const decoder = new TextDecoder();
    let carry = "";
    let stats = null;
    let names = null;  // the columns, from the first line
    // NDJSON rows are objects keyed by column name: taken in column order
    // (a name selected twice shows its one value twice). The first line
    // names the columns; {"stats"} and {"error"} lines are told from rows
    // by having that one key when no column has that name.
    const handle = (lines) => {
      const batch = [];
      for (const line of lines) {
        if (line === "") continue;
        const v = JSON.parse(line);
        const keys = Object.keys(v);
        if (names === null) {
          names = v.columns.map((c) => c.name);
          on.columns(v.columns);
        } else if (keys.length === 1 && keys[0] === "stats" && !names.includes("stats")) {
          stats = v.stats;
        } else if (keys.length === 1 && keys[0] === "error" && !names.includes("error")) {
          if (batch.length) on.rows(batch.splice(0));
          throw serverError(200, v);
        } else {
          batch.push(names.map((n) => (n in v ? v[n] : null)));
        }
      }
      if (batch.length) on.rows(batch);
    };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      carry += decoder.decode(value, { stream: true });
      const cut = carry.lastIndexOf("\n");
      if (cut < 0) continue;
      const lines = carry.slice(0, cut).split("\n");
      carry = carry.slice(cut + 1);
      handle(lines);
    }
    carry += decoder.decode();
    handle(carry.split("\n"));
    return { stats, txn: r.headers.get("X-Quiver-Txn") };
  }

  // Asks the server to stop the query sent with X-Quiver-Query-Id `id`.
  async function cancel(id) {
    try {
      const r = await fetch("/v1/queries/" + encodeURIComponent(id), { method: "DELETE", headers: headers() });
      return r.ok;
    } catch (_) {
      return false;
    }
  }

  // The whole result of `sql` in `format`, saved as a file.
  async function download(sql, format) {
    const r = await fetch("/v1/query?format=" + encodeURIComponent(format), {
      method: "POST",
      headers: headers({ "Content-Type": "application/json" }),
      body: JSON.stringify({ sql }),
    });
    if (!r.ok) {
      let body = null;
      try { body = await r.json(); } catch (_) { body = null; }
      throw serverError(r.status, body);
    }
    const blob = await r.blob();
    const ext = { csv: "csv", arrow: "arrows", parquet: "parquet" }[format] || format;
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "result." + ext;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }

  // The result formats the server lists in its OpenAPI document.
  async function formats() {
    const doc = await getJson("/v1/openapi.json");
    let found = [];
    const walk = (v) => {
      if (Array.isArray(v)) {
        if (v.includes("ndjson") && v.includes("csv")) found = v;
        else v.forEach(walk);
      } else if (v && typeof v === "object") {
        Object.values(v).forEach(walk);
      }
    };
    walk(doc);
    return found;
  }

  function loadToken() {
    const box = document.getElementById("token");
    try { box.value = sessionStorage.getItem(tokenKey) || ""; } catch (_) { /* storage off */ }
    box.addEventListener("change", () => {
      try { sessionStorage.setItem(tokenKey, box.value.trim()); } catch (_) { /* storage off */ }
    });
  }

  return { headers, getJson, stream, cancel, download, formats, newQueryId, loadToken };
})();
