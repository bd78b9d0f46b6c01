// Drives quiverd's web console (GET /) in headless Chromium as a person
// would, step by step, asserting on the DOM and saving a screenshot of each
// step into --shots. Used by tests/http/web_page_test.cc, which serves a
// pool with tables `trips` (5 rows), `big` (5,000 rows) and `texts` (long
// strings, for a slow LIKE) and a read token.
//
//   node web_page_check.js --port PORT --token TOKEN --shots DIR --sql "SELECT ..."
//        [--expect '[["1", "a"], ...]'] [--chromium /usr/bin/chromium]
//
// Steps: the token (no tables without it), browse `trips` with the keyboard
// (schema and statistics, first rows), a typed query (cells equal the
// server's own answer and --expect: exact 64-bit integers, NULL apart from
// ''), 5,000 rows paged, a chart of a GROUP BY (one bar per group) and its
// CSV download, a plan
// (operators with their rows), an error at its line and column, a slow
// query cancelled (the server's /metrics count it and nothing runs after),
// and a narrow window. Every wait has a timeout; the whole check gives up
// after 28 s. Exit code 0 when the page behaves, 1 with a message otherwise.
"use strict";

const path = require("path");
const puppeteer = require("puppeteer-core");

const kStepMs = 8000;
const kOverallMs = 28000;

function parseArgs(argv) {
  const out = { chromium: process.env.QUIVER_CHROMIUM || "/usr/bin/chromium" };
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--") || i + 1 >= argv.length) throw new Error("bad argument " + argv[i]);
    out[argv[i].slice(2)] = argv[i + 1];
  }
  for (const k of ["port", "token", "shots", "sql"]) {
    if (!out[k]) throw new Error("missing --" + k);
  }
  if (out.expect !== undefined) out.expect = JSON.parse(out.expect);
  return out;
}

function same(what, got, want) {
  const g = JSON.stringify(got), w = JSON.stringify(want);
  if (g !== w) throw new Error(what + ": the page shows\n  " + g + "\nexpected\n  " + w);
}

function check(what, ok, detail) {
  if (!ok) throw new Error(what + (detail !== undefined ? ": " + JSON.stringify(detail) : ""));
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const base = "http://127.0.0.1:" + args.port;
  const auth = { Authorization: "Bearer " + args.token };

  // The server's own answers, to compare the page with.
  async function server(sql, extra) {
    const r = await fetch(base + "/v1/query?int64_as_string=true", {
      method: "POST",
      headers: Object.assign({ "Content-Type": "application/json" }, auth),
      body: JSON.stringify({ sql }),
      signal: AbortSignal.timeout(kStepMs),
    });
    const body = await r.json();
    if (!extra && r.status !== 200) throw new Error("POST /v1/query " + sql + ": " + r.status + " " + JSON.stringify(body));
    return { status: r.status, body };
  }
  async function metric(name) {
    const r = await fetch(base + "/metrics", { headers: auth, signal: AbortSignal.timeout(kStepMs) });
    const text = await r.text();
    const line = text.split("\n").find((l) => l.startsWith(name + " "));
    return line === undefined ? NaN : Number(line.slice(name.length + 1));
  }

  const browser = await puppeteer.launch({
    executablePath: args.chromium,
    headless: true,
    args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    timeout: kStepMs,
    protocolTimeout: kStepMs,
  });
  const steps = [];
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.setDefaultTimeout(kStepMs);
    const problems = [];
    page.on("pageerror", (e) => problems.push("uncaught exception in the page: " + e.message));
    page.on("console", (m) => {
      // 4xx answers and aborted fetches are logged as failed loads; the page
      // shows those itself.
      if (m.type() === "error" && !/Failed to load resource|AbortError/.test(m.text())) {
        problems.push("console error: " + m.text());
      }
    });
    // No request leaves for another host: the page has everything it needs.
    const hosts = new Set();
    page.on("request", (r) => hosts.add(new URL(r.url()).host));
    const shot = async (name) => {
      steps.push(name);
      await page.screenshot({ path: path.join(args.shots, name + ".png"), fullPage: false });
    };
    const text = (sel) => page.$eval(sel, (e) => e.textContent);
    const setSql = async (sql) => {
      await page.$eval("#sql", (e) => { e.value = ""; e.focus(); });
      await page.type("#sql", sql);
    };
    const waitDone = () => page.waitForFunction(() => {
      return !document.getElementById("run").disabled &&
        (document.getElementById("error").textContent !== "" || / ms total/.test(document.getElementById("status").textContent));
    });
    const noError = async () => {
      const e = await text("#error");
      if (e) throw new Error("the page shows an error: " + e);
    };
    const grid = () => page.$eval("#result-table", (t) => {
      const head = [...t.querySelectorAll("thead th")].slice(1).map((th) => th.firstChild.textContent);
      const types = [...t.querySelectorAll("thead th .type")].map((s) => s.textContent);
      const rows = [...t.querySelectorAll("tbody tr")].map((tr) => [...tr.children].slice(1).map((c) => c.textContent));
      const classes = [...t.querySelectorAll("tbody tr")].map((tr) => [...tr.children].slice(1).map((c) => c.className));
      const first = t.querySelector("tbody td.rownum");
      return { head, types, rows, classes, first: first && first.textContent };
    });

    // 1. Without the token the table list shows the server's refusal.
    const resp = await page.goto(base + "/", { waitUntil: "load" });
    check("GET / answers 200", resp && resp.status() === 200, resp && resp.status());
    await page.waitForFunction(() => /unauthenticated/.test(document.getElementById("tables").textContent));
    await page.type("#token", args.token);
    await page.keyboard.press("Tab");  // change event: the list reloads with the token
    await page.waitForSelector("#tables .table-name[data-table=trips]");
    const pool = await text("#pool");
    check("the pool line names the txn", /txn \d+/.test(pool), pool);
    await shot("01-tables");

    // 2. Keyboard only: Tab from the token box reaches the tables; Enter on
    // `trips` shows its schema with statistics and its first rows.
    await page.focus("#reload");
    const order = [];
    for (let i = 0; i < 5 && order[order.length - 1] !== "trips"; ++i) {
      await page.keyboard.press("Tab");
      order.push(await page.evaluate(() => document.activeElement.dataset.table));
    }
    same("Tab walks the tables in order", order, ["big", "texts", "trips"]);
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => {
      const h = document.querySelector("#schema h2");
      return h && h.textContent === "trips" && document.querySelectorAll("#schema-table tbody tr").length > 0;
    });
    await waitDone();
    await noError();
    const schema = await page.$$eval("#schema-table tbody tr", (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    const byName = Object.fromEntries(schema.map((r) => [r[0], r]));
    same("schema columns", schema.map((r) => r[0]), ["id", "fare", "city", "note", "big"]);
    same("id: type, nullable, min, max, nulls", byName.id.slice(1, 6), ["int64", "no", "0", "4", "0"]);
    same("fare nulls", byName.fare[5], "1");
    check("a distinct estimate for id", Math.abs(Number(byName.id[6]) - 5) <= 1, byName.id);
    check("id is sorted", byName.id[7] === "yes", byName.id);
    const meta = await text("#schema .meta");
    check("the table line has rows, chunks, bytes, txn and last change", /5 rows · 1 chunks · .* · last change txn \d+ at \d{4}-/.test(meta), meta);
    const browse = await grid();
    check("browsing shows the first rows", browse.rows.length === 5, [browse, await text("#status")]);
    await shot("02-browse");

    // 3. A typed query, run with the button: the cells equal the server's.
    const want = (await server(args.sql)).body;
    const wantRows = want.rows.map((r) => r.map((v) => (v === null ? "NULL" : String(v))));
    if (args.expect) same("/v1/query rows vs --expect", wantRows, args.expect);
    await setSql(args.sql);
    await page.click("#run");
    await waitDone();
    await noError();
    const shown = await grid();
    same("result header", shown.head, want.columns.map((c) => c.name));
    same("result types", shown.types, want.columns.map((c) => c.type));
    same("result rows", shown.rows, wantRows);
    const nullAt = want.rows.findIndex((r) => r[1] === null);
    check("NULL is drawn as NULL", nullAt >= 0 && shown.classes[nullAt][1] === "null", shown.classes);
    const emptyAt = want.rows.findIndex((r) => r[3] === "");
    check("an empty string is not NULL", emptyAt >= 0 && shown.classes[emptyAt][3] === "empty" && shown.rows[emptyAt][3] === "", shown.classes);
    check("numbers are right-aligned", shown.classes[0][0] === "num" && shown.classes[0][4] === "num", shown.classes[0]);
    const status = await text("#status");
    check("the status line counts rows and scans", status.startsWith(wantRows.length + " rows") && / rows scanned/.test(status) && /chunks pruned/.test(status), status);
    check("the URL holds the query", decodeURIComponent(await page.evaluate(() => location.hash)) === "#q=" + args.sql);
    await shot("03-query");

    // 4. 5,000 rows, a page of 1,000 at a time.
    await setSql("SELECT id, city, fare FROM big ORDER BY id");
    await page.keyboard.down("Control");
    await page.keyboard.press("Enter");
    await page.keyboard.up("Control");
    await waitDone();
    await noError();
    check("5,000 rows", (await text("#status")).startsWith("5,000 rows"), await text("#status"));
    check("page 1", (await text("#page-info")).startsWith("rows 1–1000 of 5000"), await text("#page-info"));
    for (let i = 0; i < 4; ++i) await page.click("#next");
    const last = await grid();
    check("the last page starts at row 4001 with id 4000", last.first === "4001" && last.rows[0][0] === "4000" && last.rows.length === 1000, [last.first, last.rows[0]]);
    check("no page after the last", await page.$eval("#next", (b) => b.disabled));
    await shot("04-paging");

    // 5. A chart of a GROUP BY: one bar per group.
    const groupSql = "SELECT city, count(*) AS n FROM big GROUP BY city ORDER BY city";
    const groups = (await server(groupSql)).body.rows.length;
    await setSql(groupSql);
    await page.click("#run");
    await waitDone();
    await noError();
    await page.click("#tab-chart");
    await page.waitForSelector("#chart svg");
    const bars = await page.$$eval("#chart svg rect.bar", (r) => r.length);
    check("one bar per group", bars === groups && groups > 1, [bars, groups]);
    check("x is the city, y the count", (await page.$eval("#chart-x", (s) => s.selectedOptions[0].textContent)).startsWith("city") &&
      (await page.$eval("#chart-y", (s) => s.selectedOptions[0].textContent)).startsWith("n "));
    await shot("05-chart");

    // The download buttons fetch the whole result in that format (the CSV
    // the server gives for the same query); Parquet only if it is listed.
    await page.evaluate(() => {
      window.blobs = [];
      const make = URL.createObjectURL;
      URL.createObjectURL = (b) => { window.blobs.push(b); return make(b); };
    });
    await page.click("#downloads [data-format=csv]");
    await page.waitForFunction(() => window.blobs.length === 1);
    const csv = await page.evaluate(() => window.blobs[0].text());
    const wantCsv = await (await fetch(base + "/v1/query?format=csv", {
      method: "POST", headers: Object.assign({ "Content-Type": "application/json" }, auth),
      body: JSON.stringify({ sql: groupSql }) })).text();
    same("the CSV download", csv, wantCsv);
    const listed = (await (await fetch(base + "/v1/openapi.json", { headers: auth })).text())
      .includes('"parquet"');
    const parquetShown = !(await page.$eval("#downloads [data-format=parquet]", (b) => b.hidden));
    check("a Parquet button exactly when the server lists the parquet format",
      parquetShown === listed, [parquetShown, listed]);
    if (listed) {
      await page.click("#downloads [data-format=parquet]");
      await page.waitForFunction(() => window.blobs.length === 2);
      const magic = await page.evaluate(async () => {
        const u = new Uint8Array(await window.blobs[1].arrayBuffer());
        return String.fromCharCode(...u.slice(0, 4)) + String.fromCharCode(...u.slice(-4));
      });
      check("the Parquet download is a Parquet file (PAR1 at both ends)", magic === "PAR1PAR1", magic);
    }

    // 6. The plan: a tree of operators with their rows.
    await setSql("SELECT city, count(*) FROM big WHERE id >= 1000 GROUP BY city");
    await page.click("#explain");
    await page.waitForSelector("#plan .plan-node");
    const nodes = await page.$$eval("#plan .plan-node", (ns) => ns.map((n) => ({
      op: n.querySelector(".op").textContent,
      rows: (n.querySelector(":scope > .figures .rows") || {}).textContent,
    })));
    const ops = nodes.map((n) => n.op);
    check("the plan's operators", ops[0] === "hash group by" && ops.includes("filter") && ops.includes("scan"), ops);
    same("rows out of the group by", nodes[0].rows, groups + " rows");
    same("rows out of the filter", nodes[ops.indexOf("filter")].rows, "4,000 rows");
    await shot("06-plan");

    // 7. An error on line 3 is shown there, with the editor's cursor on it.
    const bad = "SELECT id\nFROM trips\nWHERE id = = 2";
    const err = (await server(bad, true)).body.error;
    check("the server names the position", err && err.line === 3, err);
    await page.click("#tab-grid");
    await setSql(bad);
    await page.keyboard.down("Control");
    await page.keyboard.press("Enter");
    await page.keyboard.up("Control");
    await page.waitForFunction(() => document.getElementById("error").dataset.line !== undefined);
    const at = await page.$eval("#error", (e) => ({ line: e.dataset.line, column: e.dataset.column, text: e.textContent }));
    same("error line and column", [at.line, at.column], [String(err.line), String(err.column)]);
    check("the error names its code", /^invalid_argument: /.test(at.text), at.text);
    const caret = await page.$eval("#sql", (e) => e.selectionStart);
    same("the cursor is at the error", caret, err.offset);
    await shot("07-error");

    // 8. A slow query, cancelled with Esc: the server stops it.
    const cancelledBefore = await metric('quiver_queries_cancelled_total{reason="client_request"}');
    await setSql("SELECT count(*) FROM texts WHERE s LIKE '%" + "a".repeat(499) + "_b%'");
    const started = Date.now();
    await page.click("#run");
    for (;;) {  // until the server runs it
      const r = await fetch(base + "/v1/queries", { headers: auth });
      if ((await r.json()).some((q) => q.id.startsWith("web-"))) break;
      check("the slow query starts within the step", Date.now() - started < kStepMs);
      await new Promise((done) => setTimeout(done, 20));  // poll interval
    }
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => /^cancelled after/.test(document.getElementById("status").textContent));
    for (;;) {  // the server counts it cancelled and runs nothing
      const n = await metric('quiver_queries_cancelled_total{reason="client_request"}');
      const running = await metric("quiver_queries_running");
      if (n === cancelledBefore + 1 && running === 0) break;
      check("the server stops the query within the step", Date.now() - started < kStepMs, [n, running]);
      await new Promise((done) => setTimeout(done, 20));  // poll interval
    }
    check("no error is shown for a cancel", (await text("#error")) === "", await text("#error"));
    await shot("08-cancel");

    // 9. A narrow window: the table list goes above the editor, nothing
    // overflows sideways.
    await page.setViewport({ width: 420, height: 860 });
    const layout = await page.evaluate(() => ({
      navBottom: document.getElementById("side").getBoundingClientRect().bottom,
      mainTop: document.querySelector("main").getBoundingClientRect().top,
      width: document.documentElement.scrollWidth,
    }));
    check("narrow: the tables above the editor", layout.navBottom <= layout.mainTop + 1, layout);
    check("narrow: no sideways scroll", layout.width <= 421, layout);
    await shot("09-narrow");

    const others = [...hosts].filter((h) => h !== "127.0.0.1:" + args.port);
    check("no request to another host", others.length === 0, others);
    if (problems.length) throw new Error(problems.join("\n"));
    console.log("web_page_check: " + steps.length + " steps, screenshots in " + args.shots);
  } catch (e) {
    e.message = "after steps [" + steps.join(", ") + "]: " + e.message;
    throw e;
  } finally {
    await browser.close();
  }
}

const overall = setTimeout(() => {
  console.error("web_page_check: gave up after " + kOverallMs + " ms");
  process.exit(1);
}, kOverallMs);
main().then(() => {
  clearTimeout(overall);
  process.exit(0);
}, (e) => {
  console.error("web_page_check: " + (e && e.stack ? e.stack : e));
  process.exit(1);
});
