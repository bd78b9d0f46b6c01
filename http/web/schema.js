// The schema browser: every table with rows, chunks, bytes, the txn and
// time of its last change; a table's columns with type, nullability and
// statistics (min, max, nulls, a distinct estimate, sorted). Clicking a
// column puts its name into the editor; clicking a table shows its first
// 100 rows.
"use strict";

const Schema = (() => {
  const $ = (id) => document.getElementById(id);
  let onOpenTable = () => {};
  const reserved = new Set(["select", "from", "where", "group", "order", "by", "limit", "offset",
    "and", "or", "not", "null", "true", "false", "as", "in", "is", "like", "between", "case",
    "when", "then", "else", "end", "having", "distinct", "union", "all", "with", "on", "join",
    "asc", "desc", "cast", "interval", "exists", "ilike", "nulls", "first", "last"]);

  // A name as SQL text: quoted unless it is a plain, unreserved word.
  function ident(name) {
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !reserved.has(name.toLowerCase())) return name;
    return '"' + name.replace(/"/g, '""') + '"';
  }

  function bytes(n) {
    if (n < 1024) return n + " B";
    const units = ["KiB", "MiB", "GiB", "TiB"];
    let v = n / 1024, i = 0;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; ++i; }
    return v.toFixed(v < 10 ? 2 : 1) + " " + units[i];
  }

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  // Puts `text` into the editor at its cursor.
  function insert(text) {
    const box = $("sql");
    const a = box.selectionStart, b = box.selectionEnd;
    box.setRangeText(text, a, b, "end");
    box.focus();
  }

  async function load() {
    const list = $("tables");
    try {
      const h = await Api.getJson("/v1/health");
      $("pool").textContent = h.pool + " · txn " + h.txn + " · " + h.engine;
      const tables = await Api.getJson("/v1/tables");
      list.innerHTML = "";
      if (!tables.length) list.appendChild(el("li", "(no tables)", "meta"));
      for (const t of tables) {
        const li = el("li");
        const b = el("button", undefined, "table-name");
        b.type = "button";
        b.dataset.table = t.name;
        b.appendChild(el("span", t.name, "name"));
        b.appendChild(el("div", t.rows.toLocaleString("en-US") + " rows · " + t.chunks + " chunks · " +
          bytes(t.bytes), "meta"));
        b.appendChild(el("div", "txn " + t.modified_txn + " · changed " + t.modified, "meta"));
        b.title = "Show the schema and the first 100 rows of " + t.name;
        b.addEventListener("click", () => open(t.name));
        li.appendChild(b);
        list.appendChild(li);
      }
    } catch (e) {
      list.innerHTML = "";
      list.appendChild(el("li", String(e.message || e), "meta"));
    }
  }

  function show(t) {
    const s = $("schema");
    s.innerHTML = "";
    s.hidden = false;
    s.appendChild(el("h2", t.name));
    s.appendChild(el("div", t.rows.toLocaleString("en-US") + " rows · " + t.chunks + " chunks · " +
      bytes(t.bytes) + " · last change txn " + t.modified_txn + " at " + t.modified, "meta"));
    const wrap = el("div", undefined, "scroll");
    const g = el("table", undefined, "grid");
    g.id = "schema-table";
    const head = el("tr");
    for (const h of ["column", "type", "nullable", "min", "max", "nulls", "distinct ≈", "sorted"]) {
      const th = el("th", h);
      th.scope = "col";
      head.appendChild(th);
    }
    const thead = el("thead");
    thead.appendChild(head);
    g.appendChild(thead);
    const tbody = el("tbody");
    t.fields.forEach((f, i) => {
      const c = t.columns[i] || {};
      const tr = el("tr");
      const name = el("td");
      const b = el("button", f.name, "col-name");
      b.type = "button";
      b.title = "Insert " + f.name + " into the query";
      b.addEventListener("click", () => insert(ident(f.name)));
      name.appendChild(b);
      tr.appendChild(name);
      tr.appendChild(el("td", f.type, "col-type"));
      tr.appendChild(el("td", f.nullable ? "yes" : "no"));
      for (const v of [c.min, c.max, c.nulls, c.distinct_estimate]) {
        const td = el("td", v === null || v === undefined ? "" : v === "" ? "''" : String(v));
        if (typeof v === "number" || Grid.isNumericType(f.type)) td.className = "num";
        tr.appendChild(td);
      }
      tr.appendChild(el("td", c.sorted ? "yes" : ""));
      tbody.appendChild(tr);
    });
    g.appendChild(tbody);
    wrap.appendChild(g);
    s.appendChild(wrap);
  }

  // Shows table `name`'s schema and statistics and its first 100 rows.
  async function open(name) {
    document.querySelectorAll(".table-name").forEach((n) => n.classList.toggle("sel", n.dataset.table === name));
    onOpenTable("SELECT * FROM " + ident(name) + " LIMIT 100");
    try {
      show(await Api.getJson("/v1/tables/" + encodeURIComponent(name) + "?distinct=true&int64_as_string=true"));
    } catch (e) {
      $("schema").hidden = false;
      $("schema").textContent = String(e.message || e);
    }
  }

  function init(openTable) {
    onOpenTable = openTable;
    $("reload").addEventListener("click", load);
    $("token").addEventListener("change", load);
  }

  return { init, load, open, ident };
})();
