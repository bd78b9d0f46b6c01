// Loads quiverd's web page (GET /) in headless Chromium and uses it as a
// person would: waits for the table list, opens a table, types a query into
// the query box, runs it with the Run button and checks the result table the
// page draws. Then runs a bad query with Ctrl+Enter and checks the error the
// page shows. Used by tests/http/web_page_test.cc.
//
//   node web_page_check.js --port PORT --table NAME --sql "SELECT ..."
//        [--expect '[["1", "a"], ...]'] [--chromium /usr/bin/chromium]
//
// The cells shown must equal the rows of the same query fetched by this
// script from POST /v1/query (int64_as_string, so that 64-bit integers are
// exact), and --expect (the cell texts, NULL for a null) when given. Every
// wait has a timeout and the whole check gives up after 25 s. Exit code 0
// when the page behaves, 1 with a message on stderr otherwise.
"use strict";

const puppeteer = require("puppeteer-core");

const kStepMs = 10000;
const kOverallMs = 25000;

function parseArgs(argv) {
  const out = { chromium: process.env.QUIVER_CHROMIUM || "/usr/bin/chromium" };
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--") || i + 1 >= argv.length) throw new Error("bad argument " + argv[i]);
    out[argv[i].slice(2)] = argv[i + 1];
  }
  for (const k of ["port", "table", "sql"]) {
    if (!out[k]) throw new Error("missing --" + k);
  }
  if (out.expect !== undefined) out.expect = JSON.parse(out.expect);
  return out;
}

// How the page renders one JSON value in a cell.
function cellText(v) {
  return v === null ? "NULL" : String(v);
}

function sameRows(what, got, want) {
  const g = JSON.stringify(got), w = JSON.stringify(want);
  if (g !== w) throw new Error(what + ": the page shows\n  " + g + "\nexpected\n  " + w);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const base = "http://127.0.0.1:" + args.port;

  // The server's answer, to compare the page against.
  const r = await fetch(base + "/v1/query?int64_as_string=true", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ sql: args.sql }),
    signal: AbortSignal.timeout(kStepMs),
  });
  const want = await r.json();
  if (r.status !== 200) throw new Error("POST /v1/query: " + r.status + " " + JSON.stringify(want));
  const wantHeader = want.columns.map((c) => c.name);
  const wantRows = want.rows.map((row) => row.map(cellText));
  if (args.expect) sameRows("/v1/query rows vs --expect", wantRows, args.expect);

  const browser = await puppeteer.launch({
    executablePath: args.chromium,
    headless: true,
    args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    timeout: kStepMs,
    protocolTimeout: kStepMs,
  });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(kStepMs);
    const problems = [];
    page.on("pageerror", (e) => problems.push("uncaught exception in the page: " + e.message));
    page.on("console", (m) => {
      // A 4xx answer is logged by Chromium as a failed resource load; the
      // page shows those errors itself (checked below).
      if (m.type() === "error" && !/Failed to load resource/.test(m.text())) {
        problems.push("console error: " + m.text());
      }
    });

    const resp = await page.goto(base + "/", { waitUntil: "load" });
    if (!resp || resp.status() !== 200) throw new Error("GET / answered " + (resp && resp.status()));

    // The table list renders from /v1/tables.
    await page.waitForFunction(
        (name) => [...document.querySelectorAll("#tables .table-name > span")].some((s) => s.textContent === name),
        {}, args.table);
    const pool = await page.$eval("#pool", (e) => e.textContent);
    if (!/txn \d+/.test(pool)) throw new Error("the pool line reads \"" + pool + "\"");

    // Opening the table shows its schema and fills the query box.
    const names = await page.$$("#tables .table-name");
    let opened = false;
    for (const n of names) {
      if ((await n.$eval("span", (s) => s.textContent)) === args.table) {
        await n.click();
        opened = true;
        break;
      }
    }
    if (!opened) throw new Error("table " + args.table + " is not clickable");
    await page.waitForFunction((name) => {
      const h = document.querySelector("#schema h2");
      return h && h.textContent === name;
    }, {}, args.table);
    const fields = await page.$$eval("#schema table.grid tr", (trs) => trs.length - 1);
    if (fields < 1) throw new Error("the schema of " + args.table + " shows no columns");
    const filled = await page.$eval("#sql", (e) => e.value);
    if (!filled.includes(args.table)) throw new Error("the query box reads \"" + filled + "\"");

    // Type the query into the box (replacing what is there) and run it.
    await page.click("#sql", { clickCount: 3 });
    await page.$eval("#sql", (e) => e.select());
    await page.keyboard.press("Backspace");
    await page.type("#sql", args.sql);
    const typed = await page.$eval("#sql", (e) => e.value);
    if (typed !== args.sql) throw new Error("the query box reads \"" + typed + "\" after typing");
    await page.click("#run");
    await page.waitForFunction(() => {
      const s = document.getElementById("status").textContent;
      return document.getElementById("error").textContent !== "" ||
          (document.getElementById("result-table") && / rows/.test(s));
    });
    const error = await page.$eval("#error", (e) => e.textContent);
    if (error) throw new Error("the page shows an error: " + error);
    const shown = await page.$eval("#result-table", (t) => {
      const rows = [...t.querySelectorAll("tr")].map((tr) => [...tr.children].map((c) => c.textContent));
      return { header: rows[0], rows: rows.slice(1) };
    });
    sameRows("result header", shown.header, wantHeader);
    sameRows("result rows", shown.rows, wantRows);
    const status = await page.$eval("#status", (e) => e.textContent);
    if (!status.startsWith(wantRows.length + " rows")) throw new Error("the status line reads \"" + status + "\"");

    // A bad query, run with Ctrl+Enter, shows the server's error and its code.
    await page.$eval("#sql", (e) => e.select());
    await page.keyboard.press("Backspace");
    await page.type("#sql", "SELECT FROM");
    await page.keyboard.down("Control");
    await page.keyboard.press("Enter");
    await page.keyboard.up("Control");
    await page.waitForFunction(() => document.getElementById("error").textContent !== "");
    const bad = await page.$eval("#error", (e) => e.textContent);
    if (!/^invalid_argument: /.test(bad)) throw new Error("a bad query shows \"" + bad + "\"");

    if (problems.length) throw new Error(problems.join("\n"));
    console.log("web_page_check: " + args.table + " listed; " + wantRows.length +
                " rows shown for: " + args.sql);
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
