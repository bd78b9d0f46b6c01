// The real quiverd binary against misbehaving clients (issue 15): slow-loris
// sockets, idle keep-alive connections, trickled bodies, a client that
// stops reading a streamed scan, a 1 GB chunked body, more connections than
// the cap, and malformed requests. Each must leave /v1/health and queries
// answering, and end in a 4xx/503, never a crash or a hang.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <vector>

#include "columnar/builder.h"
#include "store/store.h"
#include "test_util.h"

#ifdef QUIVERD_BIN

using namespace quiver;
using quiver::testing::TempDir;
using Clock = std::chrono::steady_clock;

namespace {

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// How many times longer a timed step may take than on a normal build:
// QUIVER_TIME_SLACK, which tools/test.sh sets for the sanitizer suite (ASan
// slows every step between two cancellation checks, and the checks with
// them). 1 when unset.
double TimeSlack() {
  const char* s = std::getenv("QUIVER_TIME_SLACK");
  const double v = s ? std::atof(s) : 1.0;
  return v >= 1.0 ? v : 1.0;
}

// quiverd over a pool with `nums` (2M int64 rows, 16 MB: more than socket
// buffers hold), started with `config` (JSON), stopped with SIGTERM.
struct Quiverd {
  TempDir dir;
  pid_t pid = -1;
  int port = 0;

  explicit Quiverd(const std::string& config) {
    std::string path = dir.file("a.pool");
    {
      auto w = store::Store::Create(path, 128 << 20);
      REQUIRE(w.ok());
      auto schema =
          std::make_shared<Schema>(std::vector<Field>{{"id", DataType(TypeId::kInt64), true, {}}});
      REQUIRE((*w)->CreateTable("nums", *schema).ok());
      std::vector<RecordBatch> batches;
      for (int c = 0; c < 8; ++c) {
        RecordBatchBuilder b(schema);
        for (int64_t i = 0; i < 250'000; ++i) b.column(0).AppendInt(c * 250'000 + i);
        auto r = b.Finish();
        REQUIRE(r.ok());
        batches.push_back(std::move(*r));
      }
      REQUIRE((*w)->Write("nums", batches).ok());
      auto text_schema =
          std::make_shared<Schema>(std::vector<Field>{{"s", DataType(TypeId::kUtf8), true, {}}});
      REQUIRE((*w)->CreateTable("texts", *text_schema).ok());
      RecordBatchBuilder b(text_schema);
      for (int i = 0; i < 16'000; ++i) b.column(0).AppendString(std::string(1000, 'a'));
      auto r = b.Finish();
      REQUIRE(r.ok());
      REQUIRE((*w)->Write("texts", {std::move(*r)}).ok());
    }
    std::string cfg = dir.file("q.json");
    quiver::testing::WriteFileBytes(cfg, config);
    int out[2];
    REQUIRE(pipe(out) == 0);
    pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      dup2(out[1], 1);
      close(out[0]);
      close(out[1]);
      FILE* err = std::fopen(dir.file("quiverd.err").c_str(), "w");
      if (err == nullptr) _exit(126);
      dup2(fileno(err), 2);
      execl(QUIVERD_BIN, "quiverd", "--pool", path.c_str(), "--listen", "127.0.0.1:0", "--config",
            cfg.c_str(), nullptr);
      _exit(127);
    }
    close(out[1]);
    std::string line;
    REQUIRE(quiver::testing::ReadLine(out[0], &line));
    close(out[0]);
    auto at = line.find("http://127.0.0.1:");
    REQUIRE(at != std::string::npos);
    port = std::stoi(line.substr(at + 17));
  }
  ~Quiverd() {
    kill(pid, SIGTERM);
    CHECK(quiver::testing::WaitChild(pid) == 0);
  }

  int Connect(int rcvbuf = 0) const {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    timeval tv{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    return fd;
  }

  // Sends `raw` on a new connection; the response's head (status line and
  // headers), or "" when the server closed without answering.
  std::string Raw(const std::string& raw) const {
    int fd = Connect();
    size_t sent = 0;
    while (sent < raw.size()) {
      ssize_t n = send(fd, raw.data() + sent, raw.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += size_t(n);
    }
    std::string got;
    char buf[4096];
    ssize_t n;
    while (got.find("\r\n\r\n") == std::string::npos && (n = recv(fd, buf, sizeof buf, 0)) > 0) {
      got.append(buf, size_t(n));
    }
    close(fd);
    return got.substr(0, got.find("\r\n\r\n"));
  }

  httplib::Client Client() const {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(10, 0);
    return c;
  }

  // Health and a query, each answered within 1 s.
  void RequireResponsive() const {
    auto c = Client();
    auto t = Clock::now();
    auto h = c.Get("/v1/health");
    REQUIRE(h);
    CHECK(h->status == 200);
    CHECK(SecondsSince(t) < 1.0 * TimeSlack());
    t = Clock::now();
    auto q = c.Get("/v1/sql?q=SELECT%20count(*)%20FROM%20nums");
    REQUIRE(q);
    CHECK(q->status == 200);
    CHECK(SecondsSince(t) < 1.0 * TimeSlack());
  }

  double Gauge(const std::string& name) const {
    auto r = Client().Get("/metrics");
    REQUIRE(r);
    auto at = r->body.find("\n" + name + " ");
    REQUIRE(at != std::string::npos);
    return std::stod(r->body.substr(at + name.size() + 2));
  }
};

int HttpCode(const std::string& head) {
  return head.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(head.substr(9, 3)) : 0;
}

}  // namespace

TEST_CASE("threads x 4 slow-loris sockets and idle keep-alives leave quiverd answering in 1 s",
          "[http][abuse]") {
  Quiverd q(R"({"threads": 4, "log_requests": false})");
  std::vector<int> socks;
  for (int i = 0; i < 16; ++i) {  // half-sent headers
    int fd = q.Connect();
    const std::string part = "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    REQUIRE(send(fd, part.data(), part.size(), MSG_NOSIGNAL) == ssize_t(part.size()));
    socks.push_back(fd);
  }
  for (int i = 0; i < 16; ++i) {  // a trickled body, and an idle keep-alive connection
    int fd = q.Connect();
    const std::string part = "POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{";
    REQUIRE(send(fd, part.data(), part.size(), MSG_NOSIGNAL) == ssize_t(part.size()));
    socks.push_back(fd);
    fd = q.Connect();
    const std::string get = "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n";
    REQUIRE(send(fd, get.data(), get.size(), MSG_NOSIGNAL) == ssize_t(get.size()));
    char buf[4096];
    REQUIRE(recv(fd, buf, sizeof buf, 0) > 0);
    socks.push_back(fd);
  }
  q.RequireResponsive();
  CHECK(q.Gauge("quiver_http_connections_open") >= 48);
  for (int fd : socks) close(fd);
}

TEST_CASE("threads x 4 chunked bodies trickled in hold no worker", "[http][abuse]") {
  // A small chunked body is buffered by the poller like a small
  // Content-Length one. It was not: the poller's "buffer until the chunked
  // body ends" mark overflowed (header end + SIZE_MAX), so each such request
  // went to a worker at once, and four held every worker for
  // read_timeout_ms (found reading connection_loop.cc for http_fuzz).
  Quiverd q(R"({"threads": 4, "log_requests": false})");
  std::vector<int> socks;
  for (int i = 0; i < 16; ++i) {
    int fd = q.Connect();
    const std::string part =
        "POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/sql\r\n"
        "Transfer-Encoding: chunked\r\n\r\n6\r\nSELECT";
    REQUIRE(send(fd, part.data(), part.size(), MSG_NOSIGNAL) == ssize_t(part.size()));
    socks.push_back(fd);
  }
  q.RequireResponsive();
  // The bodies still complete and are answered.
  const std::string rest = "\r\n17\r\n count(*) FROM nums    \r\n0\r\n\r\n";
  for (int fd : socks) {
    REQUIRE(send(fd, rest.data(), rest.size(), MSG_NOSIGNAL) == ssize_t(rest.size()));
    char buf[64] = {};
    REQUIRE(recv(fd, buf, sizeof buf - 1, 0) > 0);
    CHECK(HttpCode(buf) == 200);
    close(fd);
  }
  // A request pipelined behind a whole chunked body is answered at once
  // (the poller once waited for the buffer to end with the last chunk).
  auto t = Clock::now();
  int fd = q.Connect();
  const std::string two =
      "POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/sql\r\n"
      "Transfer-Encoding: chunked\r\n\r\n19\r\nSELECT count(*) FROM nums\r\n0\r\n\r\n"
      "GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  REQUIRE(send(fd, two.data(), two.size(), MSG_NOSIGNAL) == ssize_t(two.size()));
  std::string got;
  char buf[4096];
  for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) got.append(buf, size_t(n));
  close(fd);
  CHECK(HttpCode(got) == 200);
  CHECK(got.find("HTTP/1.1 200", 1) != std::string::npos);  // the second answer
  CHECK(got.find("\"status\"") != std::string::npos);       // health's body
  CHECK(SecondsSince(t) < 1.0 * TimeSlack());
}

TEST_CASE("Headers not finished within read_timeout_ms get a 408 and the connection closes",
          "[http][abuse]") {
  Quiverd q(R"({"threads": 2, "read_timeout_ms": 300, "log_requests": false})");
  auto t = Clock::now();
  std::string head = q.Raw("GET /v1/health HTTP/1.1\r\nHost: x\r\n");
  CHECK(HttpCode(head) == 408);
  CHECK(SecondsSince(t) < 3.0);
  q.RequireResponsive();
}

TEST_CASE("A client that stops reading an Arrow scan is cut off and its pin released",
          "[http][abuse]") {
  Quiverd q(R"({"threads": 2, "write_timeout_ms": 300, "log_requests": false})");
  CHECK(q.Gauge("quiver_pool_reader_pins") == 0);
  for (const char* target : {"/v1/sql?q=SELECT%20*%20FROM%20nums&format=arrow",
                             "/v1/sql?q=SELECT%20*%20FROM%20nums%20WHERE%20id%20%3E%3D%200"
                             "&format=arrow"}) {
    INFO(target);
    int fd = q.Connect(/*rcvbuf=*/4096);
    std::string req = std::string("GET ") + target + " HTTP/1.1\r\nHost: x\r\n\r\n";
    REQUIRE(send(fd, req.data(), req.size(), MSG_NOSIGNAL) == ssize_t(req.size()));
    char one;
    REQUIRE(recv(fd, &one, 1, 0) == 1);
    CHECK(q.Gauge("quiver_pool_reader_pins") == 1);
    auto t = Clock::now();
    while (q.Gauge("quiver_pool_reader_pins") != 0 && SecondsSince(t) < 10) {
      std::this_thread::yield();
    }
    CHECK(q.Gauge("quiver_pool_reader_pins") == 0);
    CHECK(SecondsSince(t) < 3.0);  // write_timeout_ms = 0.3 s, plus the test's polling
    close(fd);
  }
  q.RequireResponsive();
}

TEST_CASE("A pathological LIKE over long strings stops within twice query_timeout_ms",
          "[http][abuse]") {
  // Uncancelled the query runs ~8 s here (one chunk, one thread); a second
  // of timeout leaves room for a test running beside it on a 2-core machine.
  Quiverd q(R"({"threads": 2, "query_timeout_ms": 1000, "log_requests": false})");
  // '_' keeps it off the contains/ends-with shortcuts; the matcher then
  // retries from each of ~500 positions, ~500 steps each, on 16,000 rows.
  std::string pattern = "%25" + std::string(499, 'a') + "_b%25";
  auto t = Clock::now();
  auto r = q.Client().Get("/v1/sql?q=SELECT%20count(*)%20FROM%20texts%20WHERE%20s%20LIKE%20'" +
                          pattern + "'");
  double secs = SecondsSince(t);
  REQUIRE(r);
  CHECK(r->status == 503);
  CHECK(r->body.find("query_timeout_ms") != std::string::npos);
  CHECK(secs < 2.0 * TimeSlack());
  q.RequireResponsive();
}

TEST_CASE("A 1 GB chunked body is cut at max_body_bytes with a 413", "[http][abuse]") {
  Quiverd q(R"({"threads": 2, "max_body_bytes": 1048576, "log_requests": false})");
  int fd = q.Connect();
  std::string head =
      "POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  REQUIRE(send(fd, head.data(), head.size(), MSG_NOSIGNAL) == ssize_t(head.size()));
  std::string chunk = "10000\r\n" + std::string(65536, ' ') + "\r\n";
  uint64_t sent = 0;
  while (sent < (uint64_t(1) << 30)) {
    if (send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL) != ssize_t(chunk.size())) break;
    sent += 65536;
  }
  CHECK(sent < (uint64_t(64) << 20));  // the server stopped reading long before 1 GB
  char buf[4096];
  ssize_t n = recv(fd, buf, sizeof buf, 0);
  REQUIRE(n > 0);
  CHECK(HttpCode(std::string(buf, size_t(n))) == 413);
  close(fd);
  q.RequireResponsive();
}

TEST_CASE("Over max_connections a connection gets 503 with Retry-After", "[http][abuse]") {
  Quiverd q(R"({"threads": 2, "max_connections": 4, "log_requests": false})");
  std::vector<int> socks;
  for (int i = 0; i < 4; ++i) socks.push_back(q.Connect());
  // The server counts a connection once its accept loop has taken it.
  auto t = Clock::now();
  std::string head;
  while (HttpCode(head = q.Raw("GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")) != 503 &&
         SecondsSince(t) < 5) {
  }
  CHECK(HttpCode(head) == 503);
  CHECK(head.find("Retry-After: 1") != std::string::npos);
  for (int fd : socks) close(fd);
  t = Clock::now();
  while (HttpCode(q.Raw("GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")) != 200 &&
         SecondsSince(t) < 5) {
  }
  q.RequireResponsive();
}

TEST_CASE("Malformed requests get a 4xx, never a crash or a hang", "[http][abuse]") {
  Quiverd q(R"({"threads": 2, "log_requests": false})");
  std::string params;
  for (int i = 0; i < 10000; ++i) params += (i ? "&p" : "p") + std::to_string(i) + "=1";
  std::string headers;
  for (int i = 0; i < 10000; ++i) headers += "X-H" + std::to_string(i) + ": 1\r\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"bad UTF-8 table name", "GET /v1/tables/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"percent-encoded bad UTF-8", "GET /v1/tables/%ff%c0%af HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"dot-dot", "GET /v1/tables/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"encoded dot-dot", "GET /v1/%2e%2e/%2e%2e/metrics HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"NUL", "GET /v1/tables/a%00b HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"10,000 parameters", "GET /v1/tables/nums/rows?" + params + " HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"1 MB header",
       "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(1 << 20, 'a') + "\r\n\r\n"},
      {"10,000 headers", "GET /v1/health HTTP/1.1\r\n" + headers + "\r\n"},
      {"garbage", std::string("\x01\x02 garbage\r\n\r\n", 14)},
      {"bad Content-Length", "POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"},
  };
  for (const auto& [name, raw] : cases) {
    INFO(name);
    std::string head = q.Raw(raw);
    INFO(head);
    CHECK(HttpCode(head) >= 400);
    CHECK(HttpCode(head) < 500);
  }
  q.RequireResponsive();
}

#endif  // QUIVERD_BIN
