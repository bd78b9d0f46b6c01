#!/usr/bin/python3
"""Measurements for tools/bench/capi_open.sh, each run in a fresh process.

  capi_open.py first PATH TABLE COL     open the pool, print the first value;
                                        times: import, open -> first value
  capi_open.py sum PATH TABLE COL       RSS before/after summing COL chunk by
                                        chunk (zero-copy views) and the sum
  capi_open.py csv CSV COL              pandas.read_csv(CSV) then sum COL; RSS and times
Prints one line of key=value pairs.
"""
import os
import sys
import time

T_START = time.time()


def rss():
    """(VmRSS, RssAnon, RssFile) in MiB from /proc/self/status."""
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssAnon", "RssFile"):
                out[k] = int(v.split()[0]) / 1024.0
    return out.get("VmRSS", 0), out.get("RssAnon", 0), out.get("RssFile", 0)


def fmt_rss(tag, r):
    return "%s_rss_mib=%.0f %s_anon_mib=%.0f %s_file_mib=%.0f" % (tag, r[0], tag, r[1], tag, r[2])


def main():
    mode = sys.argv[1]
    if mode == "first":
        path, table, col = sys.argv[2:5]
        t0 = time.time()
        import numpy  # noqa: F401
        import quiver
        t1 = time.time()
        db = quiver.open(path)
        value = db[table].chunks[0][col][0]
        t2 = time.time()
        # QUIVER_T0: when the shell started this process (date +%s.%N).
        exec_t0 = float(os.environ.get("QUIVER_T0", T_START))
        print("process_start_to_first_value_s=%.4f (python start %.4f, import numpy+quiver %.4f, "
              "open to first value %.4f) first_value=%r txn=%d" % (
                  t2 - exec_t0, T_START - exec_t0, t1 - t0, t2 - t1, value, db.txn))
    elif mode == "sum":
        path, table, col = sys.argv[2:5]
        import numpy as np
        import quiver
        db = quiver.open(path)
        t = db[table]
        before = rss()
        t0 = time.time()
        total = 0.0
        for c in t.chunks:
            total += float(np.sum(c[col]))
        t1 = time.time()
        after = rss()
        gbs = t.num_rows * 8 / (t1 - t0) / 1e9
        print("rows=%d sum=%.17g sum_s=%.3f GB_per_s=%.2f %s %s" % (
            t.num_rows, total, t1 - t0, gbs, fmt_rss("before", before), fmt_rss("after", after)))
    elif mode == "csv":
        csv, col = sys.argv[2:4]
        import pandas as pd
        before = rss()
        t0 = time.time()
        df = pd.read_csv(csv)
        t1 = time.time()
        total = float(df[col].sum())
        t2 = time.time()
        after = rss()
        print("rows=%d read_csv_s=%.2f sum_s=%.3f sum=%.17g csv_bytes=%d %s %s" % (
            len(df), t1 - t0, t2 - t1, total, os.path.getsize(csv), fmt_rss("before", before),
            fmt_rss("after", after)))
    else:
        sys.exit("usage: capi_open.py first|sum|csv ...")


if __name__ == "__main__":
    main()
