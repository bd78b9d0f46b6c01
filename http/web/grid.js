// The result grid: rows kept as they arrive (cells as the server's JSON
// gives them: null, strings for integers and text, numbers for floats),
// shown a page of 1,000 at a time. NULL is drawn apart from an empty
// string; numeric columns are right-aligned; 64-bit integers are the
// server's digits, never a JS Number.
"use strict";

const Grid = (() => {
  const pageRows = 1000;
  let columns = [];
  let rows = [];
  let page = 0;
  let pending = false;

  const $ = (id) => document.getElementById(id);

  function isNumericType(t) {
    return /^(u?int(8|16|32|64)|float(16|32|64)|double|decimal)/.test(t || "");
  }
  function isTimeType(t) {
    return /^(timestamp|date)/.test(t || "");
  }

  function reset(cols) {
    columns = cols || [];
    rows = [];
    page = 0;
    $("result").innerHTML = "";
    render();
  }

  function append(batch) {
    for (const r of batch) rows.push(r);
    // Redraw at most once a frame, and only while the page shown changes.
    if (!pending && rows.length - batch.length < (page + 1) * pageRows) {
      pending = true;
      requestAnimationFrame(() => { pending = false; render(); });
    } else {
      updatePager();
    }
  }

  function cell(v, numeric) {
    const td = document.createElement("td");
    if (v === null || v === undefined) {
      td.textContent = "NULL";
      td.className = "null";
    } else {
      const text = typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
      td.textContent = text;
      if (text === "") td.className = "empty";
      else if (numeric) td.className = "num";
    }
    return td;
  }

  function render() {
    const out = $("result");
    out.innerHTML = "";
    if (!columns.length) { updatePager(); return; }
    const table = document.createElement("table");
    table.className = "grid";
    table.id = "result-table";
    const thead = document.createElement("thead");
    const hr = document.createElement("tr");
    const numeric = columns.map((c) => isNumericType(c.type));
    const corner = document.createElement("th");
    corner.className = "num rownum-head";
    corner.textContent = "#";
    hr.appendChild(corner);
    columns.forEach((c, i) => {
      const th = document.createElement("th");
      th.scope = "col";
      if (numeric[i]) th.className = "num";
      th.appendChild(document.createTextNode(c.name));
      const t = document.createElement("span");
      t.className = "type";
      t.textContent = c.type;
      th.appendChild(t);
      hr.appendChild(th);
    });
    thead.appendChild(hr);
    table.appendChild(thead);
    const tbody = document.createElement("tbody");
    const from = page * pageRows;
    const to = Math.min(rows.length, from + pageRows);
    for (let i = from; i < to; ++i) {
      const tr = document.createElement("tr");
      const n = document.createElement("td");
      n.className = "rownum";
      n.textContent = String(i + 1);
      tr.appendChild(n);
      const row = rows[i];
      for (let c = 0; c < columns.length; ++c) tr.appendChild(cell(row[c], numeric[c]));
      tbody.appendChild(tr);
    }
    table.appendChild(tbody);
    out.appendChild(table);
    updatePager();
  }

  function pages() {
    return Math.max(1, Math.ceil(rows.length / pageRows));
  }

  function updatePager() {
    const pager = $("pager");
    pager.hidden = rows.length <= pageRows && page === 0;
    const from = rows.length ? page * pageRows + 1 : 0;
    const to = Math.min(rows.length, (page + 1) * pageRows);
    $("page-info").textContent = "rows " + from + "–" + to + " of " + rows.length +
      " (page " + (page + 1) + " of " + pages() + ")";
    $("prev").disabled = page === 0;
    $("next").disabled = page + 1 >= pages();
  }

  function go(delta) {
    const p = Math.min(pages() - 1, Math.max(0, page + delta));
    if (p !== page) { page = p; render(); }
  }

  function init() {
    $("prev").addEventListener("click", () => go(-1));
    $("next").addEventListener("click", () => go(1));
  }

  return {
    init, reset, append, render,
    columns: () => columns,
    rows: () => rows,
    isNumericType, isTimeType,
  };
})();
