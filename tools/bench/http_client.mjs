// A minimal HTTP/1.1 client for the benchmark runners: one kept-alive
// socket (TCP_NODELAY), one request at a time, the response body as the
// buffers that arrived (Content-Length or chunked; no decoding).
//
// Why not node:http: on this machine its client costs about 0.3 ms per
// request on top of the socket round trip (GET /v1/health: 0.46 ms median
// through node:http, 0.15 ms through this client, against quiverd and
// against a trivial node:http server alike), which the runner would count
// as the server's time. clickbench.mjs prints both for the same request.
import net from 'node:net';

export class HttpClient {
  constructor(host, port) {
    this.host = host;
    this.port = Number(port);
    this.sock = null;
    this.q = [];  // received buffers not consumed yet (never copied into one)
    this.wake = null;
    this.closed = true;
  }

  async connect() {
    const s = net.connect({ host: this.host, port: this.port, noDelay: true });
    await new Promise((resolve, reject) => {
      s.once('connect', resolve);
      s.once('error', reject);
    });
    s.on('data', (d) => {
      this.q.push(d);
      if (this.wake) this.wake();
    });
    const gone = () => {
      this.closed = true;
      if (this.wake) this.wake();
    };
    s.on('close', gone);
    s.on('error', gone);
    this.sock = s;
    this.q = [];
    this.closed = false;
  }

  // Waits until more bytes arrive; throws when the connection closed first.
  async more() {
    if (this.closed) throw new Error('connection closed by the server');
    await new Promise((resolve) => { this.wake = resolve; });
    this.wake = null;
  }

  // The next n bytes, appended to `out` as the pieces they arrived in.
  async take(n, out = []) {
    while (n > 0) {
      while (this.q.length === 0) await this.more();
      const p = this.q[0];
      if (p.length <= n) {
        out.push(p);
        this.q.shift();
        n -= p.length;
      } else {
        out.push(p.subarray(0, n));
        this.q[0] = p.subarray(n);
        n = 0;
      }
    }
    return out;
  }

  async line() {
    for (;;) {
      if (this.q.length) {
        const i = this.q[0].indexOf('\r\n');
        if (i >= 0) {
          const l = this.q[0].subarray(0, i).toString('latin1');
          this.q[0] = this.q[0].subarray(i + 2);
          if (this.q[0].length === 0) this.q.shift();
          return l;
        }
        if (this.q.length > 1) {  // a line split between two pieces
          this.q.splice(0, 2, Buffer.concat([this.q[0], this.q[1]]));
          continue;
        }
      }
      await this.more();
    }
  }

  // {status, headers (lower-case names), parts (body buffers)}.
  async request(method, path, headers = {}, body = '') {
    if (this.closed) await this.connect();
    const payload = Buffer.from(body);
    let head = `${method} ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    if (payload.length || method === 'POST') head += `Content-Length: ${payload.length}\r\n`;
    this.sock.write(payload.length ? Buffer.concat([Buffer.from(head + '\r\n'), payload]) : head + '\r\n');
    const status = Number((await this.line()).split(' ')[1]);
    const hdrs = {};
    for (let l = await this.line(); l !== ''; l = await this.line()) {
      const c = l.indexOf(':');
      hdrs[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
    }
    const parts = [];
    if ((hdrs['transfer-encoding'] || '').toLowerCase() === 'chunked') {
      for (;;) {
        const size = parseInt(await this.line(), 16);
        if (size === 0) {
          while ((await this.line()) !== '');  // trailers
          break;
        }
        await this.take(size, parts);
        await this.take(2);
      }
    } else if (hdrs['content-length'] !== undefined) {
      await this.take(Number(hdrs['content-length']), parts);
    } else {
      while (!this.closed) await this.more().catch(() => {});
      parts.push(...this.q);
      this.q = [];
    }
    if ((hdrs.connection || '').toLowerCase() === 'close') this.close();
    return { status, headers: hdrs, parts };
  }

  close() {
    if (this.sock) this.sock.destroy();
    this.closed = true;
  }
}
