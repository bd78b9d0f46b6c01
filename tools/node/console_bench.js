// The timing half of tools/bench/console_bench.sh: opens the console in
// headless Chromium, runs `SELECT * FROM trips` (ROWS rows) and reports when
// the first rows were shown and when the last arrived, then the plan of an
// aggregate and the time the same query takes on its own.
//
//   node console_bench.js PORT ROWS
"use strict";

const puppeteer = require("puppeteer-core");

async function main() {
  const [port, rows] = process.argv.slice(2).map(Number);
  const base = "http://127.0.0.1:" + port;
  const browser = await puppeteer.launch({
    executablePath: process.env.QUIVER_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(300000);
    await page.goto(base + "/", { waitUntil: "load" });
    await page.waitForSelector("#tables .table-name");
    for (const sql of ["SELECT * FROM trips", "SELECT * FROM trips"]) {  // the second warm
      await page.$eval("#sql", (e, s) => { e.value = s; }, sql);
      const t = await page.evaluate(() => new Promise((done) => {
        const t0 = performance.now();
        let first = null;
        const obs = new MutationObserver(() => {
          const s = document.getElementById("status").textContent;
          if (first === null && document.querySelector("#result-table tbody tr")) first = performance.now() - t0;
          if (/ ms total/.test(s)) {
            obs.disconnect();
            done({ first, total: performance.now() - t0, status: s });
          }
        });
        obs.observe(document.body, { subtree: true, childList: true, characterData: true });
        document.getElementById("run").click();
      }));
      console.log(`${rows} rows: first rows shown after ${t.first.toFixed(0)} ms, all in ` +
                  `${t.total.toFixed(0)} ms (${(rows / t.total).toFixed(0)} rows/ms) — ${t.status}`);
    }
    const agg = "SELECT vendor, count(*), avg(fare) FROM trips WHERE distance > 10 GROUP BY vendor";
    const time = async (sql) => {
      const t0 = performance.now();
      const r = await fetch(base + "/v1/query", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sql }) });
      const body = await r.json();
      return { ms: performance.now() - t0, body };
    };
    const plain = [], analyzed = [];
    for (let i = 0; i < 7; ++i) {
      plain.push((await time(agg)).ms);
      analyzed.push((await time("EXPLAIN ANALYZE (FORMAT JSON) " + agg)).ms);
    }
    const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
    console.log(`${agg}: ${med(plain).toFixed(2)} ms; EXPLAIN ANALYZE of it ${med(analyzed).toFixed(2)} ms ` +
                `(medians of 7, HTTP round trip included)`);
  } finally {
    await browser.close();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
