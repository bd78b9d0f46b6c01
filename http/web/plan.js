// The plan of a query: EXPLAIN ANALYZE (FORMAT JSON), drawn as a tree of
// operators with the rows each handed on, its time and the bytes it read
// and produced (store/explain_internal.h says what each figure means).
"use strict";

const Plan = (() => {
  const $ = (id) => document.getElementById(id);

  function bytes(n) {
    if (n < 1024) return n + " B";
    const units = ["KiB", "MiB", "GiB", "TiB"];
    let v = n / 1024, i = 0;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; ++i; }
    return v.toFixed(v < 10 ? 2 : 1) + " " + units[i];
  }

  function node(n) {
    const li = document.createElement("li");
    li.className = "plan-node";
    const head = document.createElement("div");
    const op = document.createElement("span");
    op.className = "op";
    op.textContent = n.op;
    head.appendChild(op);
    if (n.detail) {
      const d = document.createElement("span");
      d.className = "detail";
      d.textContent = " " + n.detail;
      head.appendChild(d);
    }
    li.appendChild(head);
    const f = document.createElement("div");
    f.className = "figures";
    const add = (cls, text) => {
      const s = document.createElement("span");
      s.className = cls;
      s.textContent = text;
      f.appendChild(s);
    };
    if (n.rows !== null) add("rows", n.rows.toLocaleString("en-US") + " rows");
    if (n.time_ms !== null) add("time", n.time_ms.toFixed(3) + " ms");
    if (n.cpu_ms !== null) add("cpu", n.cpu_ms.toFixed(3) + " ms cpu");
    if (n.bytes_read !== null) add("bytes-read", bytes(n.bytes_read) + " read");
    if (n.bytes_out !== null) add("bytes-out", bytes(n.bytes_out) + " out");
    if (f.childNodes.length) li.appendChild(f);
    if (n.children && n.children.length) {
      const ul = document.createElement("ul");
      for (const c of n.children) ul.appendChild(node(c));
      li.appendChild(ul);
    }
    return li;
  }

  // Draws the document EXPLAIN ... (FORMAT JSON) returns.
  function show(doc) {
    const box = $("plan");
    box.innerHTML = "";
    const ul = document.createElement("ul");
    ul.appendChild(node(doc.plan));
    box.appendChild(ul);
    const text = document.createElement("details");
    const sum = document.createElement("summary");
    sum.textContent = "as text";
    text.appendChild(sum);
    const pre = document.createElement("div");
    pre.className = "plan-text";
    pre.textContent = (doc.text || []).join("\n");
    text.appendChild(pre);
    box.appendChild(text);
  }

  // Runs EXPLAIN ANALYZE of `sql` and draws it.
  async function explain(sql) {
    // A query that starts with EXPLAIN [ANALYZE] [(...)] is explained as is.
    const text = sql.replace(/^\s*explain(\s+analyze)?(\s*\([^)]*\))?\s+/i, "");
    const prefix = "EXPLAIN ANALYZE (FORMAT JSON) ";
    const r = await fetch("/v1/query?int64_as_string=true", {
      method: "POST",
      headers: Api.headers({ "Content-Type": "application/json" }),
      body: JSON.stringify({ sql: prefix + text }),
    });
    const body = await r.json();
    if (!r.ok || body.error) {
      const e = body.error || {};
      const err = new Error((e.code || r.status) + ": " + (e.message || r.statusText));
      err.server = e;
      // Positions are in the text sent: this much further than in the editor's.
      err.sent = prefix + text;
      err.shift = prefix.length - (sql.length - text.length);
      throw err;
    }
    show(JSON.parse(body.rows[0][0]));
  }

  return { explain, show };
})();
