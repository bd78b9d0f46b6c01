#!/usr/bin/env python3
"""quiverd against misbehaving clients: measures what each abuse does.

    tools/bench/abuse.py PORT [SLOW_SOCKETS] [TABLE]

Runs against a quiverd already listening on 127.0.0.1:PORT whose pool has
TABLE (default `trips`, at least a few MB of rows). For each scenario it
prints one line: what was done, and the latency of /v1/health and of a
query while it happened, or the status the abusive request got. Used for
the before/after figures of issue 15; the assertions live in
tests/http/abuse_test.cc.
"""
import re
import socket
import sys
import time

PORT = int(sys.argv[1])
SLOW = int(sys.argv[2]) if len(sys.argv) > 2 else 64
TABLE = sys.argv[3] if len(sys.argv) > 3 else "trips"


def conn(timeout=30.0):
    s = socket.create_connection(("127.0.0.1", PORT), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def request(raw, timeout=30.0):
    """Sends raw bytes on a new connection; returns (status, seconds, bytes read)."""
    t = time.monotonic()
    try:
        s = conn(timeout)
        s.sendall(raw)
        data = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
            m = re.search(rb"Content-Length: (\d+)\r\n", data)
            h = data.find(b"\r\n\r\n")
            if m and h >= 0 and len(data) >= h + 4 + int(m.group(1)):
                break
        s.close()
        m = re.match(rb"HTTP/1.1 (\d+)", data)
        return (int(m.group(1)) if m else None), time.monotonic() - t, len(data)
    except OSError as e:
        return "error:" + type(e).__name__, time.monotonic() - t, 0


def get(path, timeout=30.0):
    return request(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode(), timeout)


def probe(label):
    h = get("/v1/health")
    q = get(f"/v1/sql?q=SELECT%20count(*)%20FROM%20{TABLE}")
    print(f"  {label}: /v1/health {h[0]} in {h[1]:.3f} s; count(*) {q[0]} in {q[1]:.3f} s",
          flush=True)
    return h, q


def pins():
    s = conn()
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
    m = re.search(rb"\nquiver_pool_reader_pins (\S+)", data)
    return float(m.group(1)) if m else None


def slow_loris(n):
    print(f"slow-loris: {n} sockets send a request line and trickle a header byte a second")
    socks = []
    for _ in range(n):
        try:
            s = conn()
            s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n")
            socks.append(s)
        except OSError:
            break
    time.sleep(0.5)
    probe("at once")
    for s in socks:
        try:
            s.send(b"X")
        except OSError:
            pass
    time.sleep(1.0)
    probe("after 1.5 s")
    for s in socks:
        s.close()


def idle_keepalive(n):
    print(f"idle keep-alive: {n} sockets make one request, then stay open and silent")
    socks = []
    for _ in range(n):
        s = conn()
        s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        s.recv(65536)
        socks.append(s)
    probe("with them open")
    for s in socks:
        s.close()


def body_trickle(n):
    print(f"body trickle: {n} sockets POST a 1000-byte body one byte a second")
    socks = []
    for _ in range(n):
        s = conn()
        s.sendall(b"POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 1000\r\n\r\n{")
        socks.append(s)
    time.sleep(0.5)
    probe("at once")
    for s in socks:
        s.close()


def stalled_reader():
    print("stalled reader: an Arrow scan of the table, 1 byte read, then no reading")
    before = pins()
    s = conn()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(f"GET /v1/sql?q=SELECT%20*%20FROM%20{TABLE}%20WHERE%20id%20%3E%3D%200&format=arrow "
              f"HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    s.recv(1)
    t = time.monotonic()
    during = pins()
    released = None
    while time.monotonic() - t < 60:
        p = pins()
        if p is not None and before is not None and p <= before:
            released = time.monotonic() - t
            break
        time.sleep(0.5)
    print(f"  pins before {before}, while stalled {during}; released after "
          f"{'%.1f s' % released if released is not None else 'more than 60 s'}")
    s.close()


def chunked_body(total):
    print(f"chunked body: POST /v1/query with {total >> 20} MiB in 1 MiB chunks")
    s = conn(60)
    s.sendall(b"POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"100000\r\n" + b" " * (1 << 20) + b"\r\n"
    sent = 0
    t = time.monotonic()
    try:
        while sent < total:
            s.sendall(chunk)
            sent += 1 << 20
        s.sendall(b"0\r\n\r\n")
    except OSError as e:
        print(f"  send stopped after {sent >> 20} MiB: {type(e).__name__}")
    try:
        data = s.recv(65536)
        print(f"  answer {data[:12]!r} after {time.monotonic() - t:.1f} s, {sent >> 20} MiB sent")
    except OSError as e:
        print(f"  no answer ({type(e).__name__}) after {time.monotonic() - t:.1f} s")
    s.close()


def malformed():
    print("malformed requests: status of each (None = no HTTP answer)")
    cases = {
        "bad UTF-8 table name": b"GET /v1/tables/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
        "percent-encoded bad UTF-8": b"GET /v1/tables/%ff%c0%af HTTP/1.1\r\nHost: x\r\n\r\n",
        "dot-dot path": b"GET /v1/tables/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
        "encoded dot-dot": b"GET /v1/%2e%2e/%2e%2e/metrics HTTP/1.1\r\nHost: x\r\n\r\n",
        "NUL in path": b"GET /v1/tables/a%00b HTTP/1.1\r\nHost: x\r\n\r\n",
        "10,000 query parameters": b"GET /v1/tables/trips/rows?" +
        b"&".join(b"p%d=1" % i for i in range(10000)) + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        "1 MB header": b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (1 << 20) +
        b"\r\n\r\n",
        "10,000 headers": b"GET /v1/health HTTP/1.1\r\n" +
        b"".join(b"X-H%d: 1\r\n" % i for i in range(10000)) + b"\r\n",
        "garbage request line": b"\x00\x01\x02 garbage\r\n\r\n",
        "bad Content-Length": b"POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    }
    for name, raw in cases.items():
        st, secs, _ = request(raw + b"", timeout=15)
        print(f"  {name}: {st} in {secs:.2f} s")
    probe("afterwards")


if __name__ == "__main__":
    probe("baseline")
    slow_loris(SLOW)
    idle_keepalive(SLOW)
    body_trickle(SLOW)
    stalled_reader()
    chunked_body(1 << 30)
    malformed()
