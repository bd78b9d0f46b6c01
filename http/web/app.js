// The console's wiring: the editor (Ctrl+Enter runs, Esc cancels, a
// history in localStorage, the query in the URL's fragment), errors shown
// at their line and column, the result's tabs (rows, chart, plan) and the
// downloads.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const historyKey = "quiver.history";
  const maxHistory = 50;
  // Rows kept in the browser; past this the query is stopped (the download
  // buttons fetch the whole result from the server).
  const maxRows = 1000000;
  let running = null;  // {id, controller, cancelled}
  let lastSql = "";

  // --- errors at their position ---------------------------------------------

  // The UTF-16 index of 1-based `line` and `column` (in code points) of `text`.
  function indexOf(text, line, column) {
    let i = 0;
    for (let l = 1; l < line; ++l) {
      const nl = text.indexOf("\n", i);
      if (nl < 0) return text.length;
      i = nl + 1;
    }
    for (let c = 1; c < column && i < text.length && text[i] !== "\n"; ++c) {
      i += text.codePointAt(i) > 0xffff ? 2 : 1;
    }
    return i;
  }

  // The line and column (code points) of UTF-16 index `at` in `text`.
  function positionOf(text, at) {
    const before = text.slice(0, at);
    const line = before.split("\n").length;
    const start = before.lastIndexOf("\n") + 1;
    return { line, column: Array.from(text.slice(start, at)).length + 1 };
  }

  function clearError() {
    const box = $("error");
    box.textContent = "";
    delete box.dataset.line;
    delete box.dataset.column;
  }

  // Shows `err`; when the server named a position, a caret under it and the
  // editor's cursor on it. `shift`: how much further the position is in the
  // text sent than in the editor (the plan's prefix).
  function showError(err, sent, shift) {
    const box = $("error");
    box.textContent = "";
    const e = err.server || {};
    box.appendChild(document.createTextNode(String(err.message || err)));
    if (typeof e.line === "number" && typeof e.column === "number" && sent !== undefined) {
      const text = $("sql").value;
      const at = Math.min(text.length, Math.max(0, indexOf(sent, e.line, e.column) - (shift || 0)));
      const pos = positionOf(text, at);
      const lineStart = text.lastIndexOf("\n", at - 1) + 1;
      let lineEnd = text.indexOf("\n", at);
      if (lineEnd < 0) lineEnd = text.length;
      const where = document.createElement("span");
      where.className = "caret-line";
      where.textContent = "line " + pos.line + ", column " + pos.column + ":\n" +
        text.slice(lineStart, lineEnd) + "\n" + " ".repeat(Array.from(text.slice(lineStart, at)).length) + "^";
      box.appendChild(where);
      box.dataset.line = String(pos.line);
      box.dataset.column = String(pos.column);
      const ed = $("sql");
      ed.focus();
      ed.setSelectionRange(at, Math.min(text.length, at + 1));
    }
  }

  // --- history and the URL ---------------------------------------------------

  function loadHistory() {
    try {
      const h = JSON.parse(localStorage.getItem(historyKey) || "[]");
      return Array.isArray(h) ? h.filter((x) => typeof x === "string") : [];
    } catch (_) {
      return [];
    }
  }

  function drawHistory() {
    const sel = $("history");
    sel.innerHTML = "";
    const first = document.createElement("option");
    first.value = "";
    first.textContent = "— " + loadHistory().length + " earlier queries —";
    sel.appendChild(first);
    loadHistory().forEach((q, i) => {
      const o = document.createElement("option");
      o.value = String(i);
      o.textContent = q.replace(/\s+/g, " ").slice(0, 80);
      sel.appendChild(o);
    });
  }

  function remember(sql) {
    const h = loadHistory().filter((q) => q !== sql);
    h.unshift(sql);
    try { localStorage.setItem(historyKey, JSON.stringify(h.slice(0, maxHistory))); } catch (_) { /* full */ }
    drawHistory();
  }

  function shareUrl(sql) {
    return location.origin + location.pathname + "#q=" + encodeURIComponent(sql);
  }

  function fromUrl() {
    const m = /(?:^#|&)q=([^&]*)/.exec(location.hash);
    if (!m) return null;
    try { return decodeURIComponent(m[1]); } catch (_) { return null; }
  }

  // --- running ---------------------------------------------------------------

  function setBusy(busy) {
    $("run").disabled = busy;
    $("explain").disabled = busy;
    $("cancel").disabled = !busy;
  }

  function status(text) {
    $("status").textContent = text;
  }

  function fmt(n) {
    return Number(n).toLocaleString("en-US");
  }

  function describe(rows, stats, ms) {
    const parts = [fmt(rows) + " rows"];
    if (stats) {
      if (stats.truncated) parts[0] += " (cut at max_result_rows)";
      parts.push(stats.elapsed_ms.toFixed(1) + " ms in the server");
    }
    parts.push(ms.toFixed(0) + " ms total");
    if (stats) {
      parts.push(fmt(stats.rows_scanned) + " rows scanned");
      parts.push(fmt(stats.chunks_pruned) + " of " + fmt(stats.chunks_total) + " chunks pruned");
    }
    return parts.join(" · ");
  }

  async function run() {
    if (running) return;
    const sql = $("sql").value;
    if (!sql.trim()) return;
    clearError();
    remember(sql);
    history.replaceState(null, "", shareUrl(sql));
    const job = { id: Api.newQueryId(), controller: new AbortController(), cancelled: false, capped: false };
    running = job;
    setBusy(true);
    selectTab("grid");
    status("running…");
    $("downloads").hidden = true;
    Grid.reset([]);
    const t0 = performance.now();
    let count = 0;
    try {
      const res = await Api.stream(sql, {
        columns: (cols) => { Grid.reset(cols); Chart.setup(cols); },
        rows: (batch) => {
          Grid.append(batch);
          count += batch.length;
          status(fmt(count) + " rows so far…");
          if (count >= maxRows && !job.cancelled) { job.capped = true; cancel(); }
        },
      }, job.controller.signal, job.id);
      Grid.render();
      status(describe(count, res.stats, performance.now() - t0));
      lastSql = sql;
      $("downloads").hidden = false;
      if ($("tab-chart").getAttribute("aria-selected") === "true") Chart.draw();
    } catch (e) {
      if (job.capped) {
        Grid.render();
        status("stopped at " + fmt(count) + " rows (the page keeps " + fmt(maxRows) +
          "); download for the whole result");
        lastSql = sql;
        $("downloads").hidden = false;
      } else if (job.cancelled || e.name === "AbortError") {
        Grid.render();
        status("cancelled after " + fmt(count) + " rows, " + (performance.now() - t0).toFixed(0) + " ms");
      } else {
        status("");
        showError(e, sql);
      }
    } finally {
      running = null;
      setBusy(false);
    }
  }

  async function cancel() {
    const job = running;
    if (!job || job.cancelled) return;
    job.cancelled = true;
    status("cancelling…");
    // The server stops the query by its id (DELETE /v1/queries/{id}), which
    // also works through a proxy that keeps its upstream connection open;
    // then the fetch is dropped (a closed connection cancels it as well).
    await Api.cancel(job.id);
    job.controller.abort();
  }

  async function explain() {
    if (running) return;
    const sql = $("sql").value;
    if (!sql.trim()) return;
    clearError();
    status("explaining…");
    setBusy(true);
    try {
      await Plan.explain(sql);
      selectTab("plan");
      status("plan of the query, run with EXPLAIN ANALYZE");
    } catch (e) {
      status("");
      showError(e, e.sent || sql, e.shift || 0);
    } finally {
      setBusy(false);
    }
  }

  // --- tabs and downloads ----------------------------------------------------

  const tabs = ["grid", "chart", "plan"];

  function selectTab(name) {
    for (const t of tabs) {
      const on = t === name;
      $("tab-" + t).setAttribute("aria-selected", String(on));
      $("tab-" + t).tabIndex = on ? 0 : -1;
      $("pane-" + t).hidden = !on;
    }
    if (name === "chart") Chart.draw();
  }

  function initTabs() {
    tabs.forEach((t, i) => {
      const b = $("tab-" + t);
      b.addEventListener("click", () => selectTab(t));
      b.addEventListener("keydown", (e) => {
        if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
        const next = tabs[(i + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
        selectTab(next);
        $("tab-" + next).focus();
      });
    });
    for (const b of $("downloads").querySelectorAll("button")) {
      b.addEventListener("click", async () => {
        try {
          await Api.download(lastSql, b.dataset.format);
        } catch (e) {
          showError(e);
        }
      });
    }
  }

  async function showFormats() {
    try {
      const f = await Api.formats();
      $("downloads").querySelector("[data-format=parquet]").hidden = !f.includes("parquet");
    } catch (_) { /* no OpenAPI document without the token: keep CSV and Arrow */ }
  }

  // --- start -----------------------------------------------------------------

  function init() {
    Api.loadToken();
    Grid.init();
    Chart.init();
    Schema.init((sql) => { $("sql").value = sql; run(); });
    initTabs();
    drawHistory();
    $("run").addEventListener("click", run);
    $("cancel").addEventListener("click", cancel);
    $("explain").addEventListener("click", explain);
    $("share").addEventListener("click", async () => {
      const url = shareUrl($("sql").value);
      history.replaceState(null, "", url);
      try { await navigator.clipboard.writeText(url); status("link copied: " + url); } catch (_) { status("link: " + url); }
    });
    $("history").addEventListener("change", () => {
      const h = loadHistory();
      const i = Number($("history").value);
      if ($("history").value !== "" && h[i] !== undefined) $("sql").value = h[i];
    });
    $("sql").addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
    });
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && running) { e.preventDefault(); cancel(); }
    });
    $("token").addEventListener("change", showFormats);
    const q = fromUrl();
    if (q !== null) $("sql").value = q;
    Schema.load();
    showFormats();
  }

  init();
})();
