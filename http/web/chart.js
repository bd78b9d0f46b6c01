// Charts of a result, drawn as SVG by this page (no library, no network):
// bar, line or scatter, x and y chosen from the result's columns (a date
// or timestamp column on x by default, else the first non-numeric one; y
// the first numeric column that is not x). Up to 5,000 points.
"use strict";

const Chart = (() => {
  const ns = "http://www.w3.org/2000/svg";
  const maxPoints = 5000;
  const $ = (id) => document.getElementById(id);

  function svg(tag, attrs, text) {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // Picks default axes for `cols` ([{name, type}]).
  function defaults(cols) {
    let x = cols.findIndex((c) => Grid.isTimeType(c.type));
    if (x < 0) x = cols.findIndex((c) => !Grid.isNumericType(c.type));
    if (x < 0) x = 0;
    let y = cols.findIndex((c, i) => i !== x && Grid.isNumericType(c.type));
    if (y < 0) y = cols.length > 1 ? (x === 0 ? 1 : 0) : 0;
    return { x, y, kind: Grid.isTimeType((cols[x] || {}).type) ? "line" : "bar" };
  }

  function fillSelect(sel, cols, chosen) {
    sel.innerHTML = "";
    cols.forEach((c, i) => {
      const o = document.createElement("option");
      o.value = String(i);
      o.textContent = c.name + " (" + c.type + ")";
      if (i === chosen) o.selected = true;
      sel.appendChild(o);
    });
  }

  // Prepares the controls for a new result.
  function setup(cols) {
    const d = defaults(cols);
    fillSelect($("chart-x"), cols, d.x);
    fillSelect($("chart-y"), cols, d.y);
    $("chart-kind").value = d.kind;
  }

  function toNumber(v, type) {
    if (v === null || v === undefined) return NaN;
    if (Grid.isTimeType(type)) return Date.parse(String(v).replace(" ", "T"));
    return typeof v === "number" ? v : Number(v);
  }

  function ticks(lo, hi, n) {
    if (!(hi > lo)) return [lo];
    const step0 = (hi - lo) / n;
    const mag = Math.pow(10, Math.floor(Math.log10(step0)));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) || step0;
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(v);
    return out;
  }

  function label(v, type) {
    if (Grid.isTimeType(type)) return new Date(v).toISOString().slice(0, /^date/.test(type) ? 10 : 16);
    const a = Math.abs(v);
    if (a >= 1e6 || (a > 0 && a < 1e-3)) return v.toExponential(2);
    return String(Math.round(v * 1000) / 1000);
  }

  function draw() {
    const box = $("chart");
    box.innerHTML = "";
    const cols = Grid.columns();
    const rows = Grid.rows();
    if (!cols.length || !rows.length) {
      box.textContent = "Run a query to chart its result.";
      return;
    }
    const kind = $("chart-kind").value;
    const xi = Number($("chart-x").value), yi = Number($("chart-y").value);
    const xt = cols[xi].type, yt = cols[yi].type;
    const n = Math.min(rows.length, maxPoints);
    const categorical = kind === "bar" || (!Grid.isNumericType(xt) && !Grid.isTimeType(xt));
    const pts = [];
    for (let i = 0; i < n; ++i) {
      const y = toNumber(rows[i][yi], yt);
      if (!isFinite(y)) continue;
      const raw = rows[i][xi];
      const x = categorical ? pts.length : toNumber(raw, xt);
      if (!isFinite(x)) continue;
      pts.push({ x, y, label: raw === null ? "NULL" : String(raw) });
    }
    if (!pts.length) {
      box.textContent = "No numeric values in " + cols[yi].name + " to chart.";
      return;
    }
    if (!categorical) pts.sort((a, b) => a.x - b.x);
    const W = 760, H = 340, L = 64, R = 16, T = 14, B = 58;
    const s = svg("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img",
      "aria-label": kind + " chart of " + cols[yi].name + " by " + cols[xi].name });
    let ylo = Math.min(0, ...pts.map((p) => p.y)), yhi = Math.max(...pts.map((p) => p.y));
    if (kind !== "bar") ylo = Math.min(...pts.map((p) => p.y));
    if (yhi === ylo) { yhi += 1; ylo -= kind === "bar" ? 0 : 1; }
    let xlo = categorical ? -0.5 : Math.min(...pts.map((p) => p.x));
    let xhi = categorical ? pts.length - 0.5 : Math.max(...pts.map((p) => p.x));
    if (xhi === xlo) { xhi += 1; xlo -= 1; }
    const sx = (v) => L + (v - xlo) / (xhi - xlo) * (W - L - R);
    const sy = (v) => H - B - (v - ylo) / (yhi - ylo) * (H - T - B);
    for (const v of ticks(ylo, yhi, 5)) {
      s.appendChild(svg("line", { class: "grid-line", x1: L, x2: W - R, y1: sy(v), y2: sy(v) }));
      s.appendChild(svg("text", { x: L - 6, y: sy(v) + 4, "text-anchor": "end" }, label(v, yt)));
    }
    s.appendChild(svg("line", { class: "axis", x1: L, x2: W - R, y1: H - B, y2: H - B }));
    s.appendChild(svg("line", { class: "axis", x1: L, x2: L, y1: T, y2: H - B }));
    if (categorical) {
      const every = Math.max(1, Math.ceil(pts.length / 20));
      pts.forEach((p, i) => {
        if (i % every) return;
        const t = svg("text", { x: sx(p.x), y: H - B + 14, "text-anchor": "end",
          transform: `rotate(-35 ${sx(p.x)} ${H - B + 14})` }, p.label.slice(0, 18));
        s.appendChild(t);
      });
    } else {
      for (const v of ticks(xlo, xhi, 6)) {
        s.appendChild(svg("text", { x: sx(v), y: H - B + 16, "text-anchor": "middle" }, label(v, xt)));
      }
    }
    const g = svg("g", { class: "marks" });
    if (kind === "bar") {
      const w = Math.max(1, (W - L - R) / pts.length * 0.8);
      for (const p of pts) {
        const y0 = sy(Math.max(0, ylo)), y1 = sy(p.y);
        const r = svg("rect", { class: "bar", x: sx(p.x) - w / 2, y: Math.min(y0, y1), width: w,
          height: Math.max(0.5, Math.abs(y0 - y1)) });
        r.appendChild(svg("title", {}, p.label + ": " + p.y));
        g.appendChild(r);
      }
    } else if (kind === "line") {
      g.appendChild(svg("polyline", { class: "line", points: pts.map((p) => sx(p.x) + "," + sy(p.y)).join(" ") }));
    } else {
      for (const p of pts) {
        const c = svg("circle", { class: "dot", cx: sx(p.x), cy: sy(p.y), r: 3 });
        c.appendChild(svg("title", {}, p.label + ": " + p.y));
        g.appendChild(c);
      }
    }
    s.appendChild(g);
    s.appendChild(svg("text", { x: (L + W - R) / 2, y: H - 4, "text-anchor": "middle" }, cols[xi].name));
    s.appendChild(svg("text", { x: 12, y: (T + H - B) / 2, "text-anchor": "middle",
      transform: `rotate(-90 12 ${(T + H - B) / 2})` }, cols[yi].name));
    box.appendChild(s);
    if (rows.length > maxPoints) {
      const note = document.createElement("p");
      note.className = "meta";
      note.textContent = "The first " + maxPoints + " of " + rows.length + " rows are drawn.";
      box.appendChild(note);
    }
  }

  function init() {
    for (const id of ["chart-kind", "chart-x", "chart-y"]) $(id).addEventListener("change", draw);
  }

  return { init, setup, draw };
})();
