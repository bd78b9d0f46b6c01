"""The Python half of tools/bench/dask_bench.sh (a file, not stdin: Dask's
worker processes re-import the main module)."""
import statistics, sys, time, warnings
import numpy as np, pandas as pd
import dask, dask.dataframe as dd
from dask.distributed import Client, LocalCluster
import quiver.dask as qd

warnings.filterwarnings("ignore")

X, Y = 1700000000000 + 86400000 * 3, 1700000000000 + 86400000 * 5
POINT = 0
COLS = {"Q1": ["fare"], "Q2": ["fare", "distance", "passengers"], "Q3": ["vendor", "fare"],
        "Q4": None, "Q5": ["id", "fare", "city"], "Q6": ["city", "distance", "ts"]}
FILTERS = {"Q1": [("fare", ">", 30)],
           "Q2": [("distance", ">=", 2), ("distance", "<=", 5), ("passengers", ">=", 2)],
           "Q4": None, "Q5": [("city", "==", "city_0042")],
           "Q6": [("ts", ">=", X), ("ts", "<=", Y)]}


def answer(q, df, filtered):
    """Q1..Q6 on a (dask or pandas) frame; `filtered`: rows already filtered."""
    lazy = hasattr(df, "compute")
    done = (lambda x: x.compute()) if lazy else (lambda x: x)
    f = FILTERS.get(q)
    if f and not filtered:
        m = None
        for c, op, v in f:
            t = {">": df[c] > v, ">=": df[c] >= v, "<=": df[c] <= v, "==": df[c] == v}[op]
            m = t if m is None else m & t
        df = df[m]
    if q == "Q1":
        return int(done(df.fare.count()))
    if q == "Q2":
        return round(float(done(df.fare.sum())), 4)
    if q == "Q3":
        g = done(df.groupby("vendor", observed=True).fare.agg(["count", "mean"]))
        g.index = g.index.astype(str)  # categorical order is each chunk's dictionary order
        g = g.sort_index()
        return [(str(k), int(r["count"]), round(float(r["mean"]), 6)) for k, r in g.iterrows()]
    if q == "Q4":
        return sorted(int(i) for i in done(df.id))
    if q == "Q5":
        part = df[["id", "fare"]].head(1000, npartitions=-1) if lazy else df[["id", "fare"]].head(1000)
        return len(part)
    if q == "Q6":
        g = done(df.groupby("city", observed=True).distance.max())
        g = g.reset_index()
        g["city"] = g.city.astype(str)
        g = g.sort_values(["distance", "city"], ascending=[False, True]).head(10)
        return [(str(c), float(d)) for c, d in zip(g.city, g.distance)]


def quiver_local(q):
    return dd.concat([qd.read_table(p + ".pool", "trips", columns=COLS[q], filters=FILTERS.get(q))
                      for p in (a, b)])


def quiver_http(q):
    return qd.read_table([url_a, url_b], "trips", columns=COLS[q], filters=FILTERS.get(q))


def csv(q):
    return dd.read_csv([a + ".csv", b + ".csv"], usecols=None if COLS[q] is None else
                       sorted(set(COLS[q]) | {c for c, _, _ in FILTERS.get(q, [])}),
                       blocksize="64MB")


def timed(fn):
    ts, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        ts.append((time.perf_counter() - t0) * 1000)
    return statistics.median(ts), out


def main():
    global rows, runs, a, b, url_a, url_b, POINT
    rows, runs, a, b, url_a, url_b = int(sys.argv[1]), int(sys.argv[2]), *sys.argv[3:7]
    POINT = rows // 2 + 12345
    FILTERS["Q4"] = [("id", "==", POINT)]
    results = {}
    t0 = time.perf_counter()
    pdf = pd.concat([pd.read_csv(a + ".csv"), pd.read_csv(b + ".csv")], ignore_index=True)
    load_ms = (time.perf_counter() - t0) * 1000
    for q in COLS:
        results[(q, "pandas", 1)] = timed(lambda: answer(q, pdf, False))
    del pdf
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None, silence_logs=50) as cluster, Client(cluster):
            for q in COLS:
                results[(q, "quiver-local", workers)] = timed(lambda: answer(q, quiver_local(q), True))
                results[(q, "quiver-http", workers)] = timed(lambda: answer(q, quiver_http(q), True))
                results[(q, "csv", workers)] = timed(lambda: answer(q, csv(q), False))

    print("trips: %d rows as two shards of %d; median of %d runs, ms (graph build + compute);"
          % (rows, rows // 2, runs))
    print("pandas: one process over a DataFrame in memory (pd.read_csv of both files took %.0f ms)" % load_ms)
    head = "%-4s %10s" % ("", "pandas")
    for w in (1, 2):
        head += " %13s %12s %10s" % ("quiver-local/%d" % w, "quiver-http/%d" % w, "csv/%d" % w)
    print(head + "  answers")
    for q in COLS:
        ref = results[(q, "pandas", 1)][1]
        line = "%-4s %10.0f" % (q, results[(q, "pandas", 1)][0])
        agree = True
        for w in (1, 2):
            for eng in ("quiver-local", "quiver-http", "csv"):
                ms, out = results[(q, eng, w)]
                agree &= out == ref
                line += " %13.0f" % ms if eng == "quiver-local" else (" %12.0f" % ms if eng == "quiver-http" else " %10.0f" % ms)
        print(line + ("  agree" if agree else "  DIFFER"))
        if not agree:
            for k, v in results.items():
                if k[0] == q:
                    print("   ", k, v[1])


if __name__ == "__main__":
    main()
