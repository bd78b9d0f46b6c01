// libFuzzer target for quiverd's request path: the input is the raw bytes a
// client sends on one connection (request line, headers, body; several
// requests when pipelined). They go through a socketpair into the same
// connection loop and handlers quiverd runs (the poller that buffers header
// blocks, cpp-httplib's request parser on a worker, the router, every
// route), so nothing binds a port. The served pool, made once per process in
// /dev/shm, holds table "t" (two chunks: int64, utf8, dictionary, float64,
// bool, timestamp, date32 columns, with NULLs) and table "u"; writes are
// enabled with the write token "fuzz-token".
//
// Requirements, beyond "no crash, no sanitizer report": the server closes
// the connection within 10 s of the client's end of input (no hang), and
// what it sends is a sequence of well-formed HTTP/1.1 responses (status
// line, headers, a body framed by Content-Length or chunked encoding) whose
// statuses are 1xx, 2xx, 4xx, 503 or 507; a 500 aborts the run with the
// response printed. An input that changed the pool (or staged rows, or
// leased a scan) is followed by a fresh pool and server, so that every input
// starts from the same state.
// Built only with -DQUIVER_FUZZ=ON and clang (http/CMakeLists.txt);
// tests/columnar/run_fuzz.sh runs it in CI:
//   build-fuzz/http/http_fuzz tests/http/http_fuzz_corpus
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>

#include "columnar/builder.h"
#include "http/connection_loop_internal.h"
#include "http/server_state_internal.h"
#include "store/store.h"

namespace {

using quiver::DataType;
using quiver::TypeId;
namespace qh = quiver::http;
namespace st = quiver::store;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "http_fuzz: %s\n", what.c_str());
  std::abort();
}

void Must(const quiver::Status& s, const char* what) {
  if (!s.ok()) Die(std::string(what) + ": " + s.ToString());
}

// cpp-httplib's server with its request processing reachable by the loop
// (what quiverd's HttpServer does in http/server.cc, without the socket).
class FuzzServer : public httplib::Server {
 public:
  // cpp-httplib stops streaming responses once its listening socket is
  // gone; this one never listens, so it holds a stand-in descriptor.
  FuzzServer() : stand_in_(open("/dev/null", O_RDONLY | O_CLOEXEC)) { svr_sock_ = stand_in_; }
  ~FuzzServer() override {
    svr_sock_ = INVALID_SOCKET;
    close(stand_in_);
  }
  bool Serve(httplib::Stream& strm, bool close_connection) {
    bool closed = false;
    bool ok = process_request(strm, close_connection, closed, nullptr);
    return ok && !closed;
  }

 private:
  int stand_in_;
};

std::shared_ptr<const quiver::Schema> SchemaT() {
  std::vector<quiver::Field> f = {
      {"id", DataType(TypeId::kInt64), false, {}},
      {"name", DataType(TypeId::kUtf8), true, {}},
      {"city", DataType::Dictionary(TypeId::kInt8), true, {}},
      {"fare", DataType(TypeId::kFloat64), true, {}},
      {"paid", DataType(TypeId::kBool), true, {}},
      {"ts", DataType::Timestamp(quiver::TimeUnit::kMilli), true, {}},
      {"day", DataType(TypeId::kDate32), true, {}},
  };
  return std::make_shared<const quiver::Schema>(std::move(f));
}

quiver::RecordBatch RowsT(int first, int n) {
  quiver::RecordBatchBuilder b(SchemaT());
  const char* cities[] = {"Oslo", "Lima", "Pune", "Åre"};
  for (int i = first; i < first + n; ++i) {
    b.column(0).AppendInt(i);
    if (i % 6 == 0)
      b.column(1).AppendNull();
    else
      b.column(1).AppendString("n" + std::to_string(i));
    if (i % 9 == 0)
      b.column(2).AppendNull();
    else
      b.column(2).AppendString(cities[i % 4]);
    if (i % 7 == 0)
      b.column(3).AppendNull();
    else
      b.column(3).AppendDouble(i * 1.25);
    b.column(4).AppendBool(i % 2 == 0);
    b.column(5).AppendInt(1'700'000'000'000LL + i * 60'000LL);
    b.column(6).AppendInt(19'700 + i % 30);
  }
  auto batch = b.Finish();
  if (!batch.ok()) Die(batch.status().ToString());
  return *batch;
}

// The pool, the server state and the connection loop serving it.
struct Harness {
  std::string path;
  std::unique_ptr<st::Store> store;
  std::unique_ptr<qh::ServerState> state;
  std::unique_ptr<FuzzServer> server;
  std::unique_ptr<qh::ConnectionLoop> loop;
  uint64_t txn = 0;

  explicit Harness(const std::string& dir) : path(dir + "/served.pool") {
    unlink(path.c_str());
    unlink((path + ".lock").c_str());
    st::StoreOptions so;
    so.max_chunk_rows = 32;
    so.auto_grow_step = 8ull << 20;
    auto s = st::Store::Create(path, 8ull << 20, so);
    if (!s.ok()) Die(s.status().ToString());
    store = std::move(*s);
    st::WriteOptions w;
    w.create_schema = SchemaT();
    Must(store->Write("t", {RowsT(0, 50)}, w).status(), "write t");
    w.create_schema = std::make_shared<const quiver::Schema>(
        std::vector<quiver::Field>{{"k", DataType(TypeId::kUtf8), true, {}}});
    quiver::RecordBatchBuilder b(w.create_schema);
    b.column(0).AppendString("x");
    b.column(0).AppendNull();
    Must(store->Write("u", {*b.Finish()}, w).status(), "write u");
    txn = (*store->GetSnapshot())->txn();

    state = std::make_unique<qh::ServerState>();
    state->store = store.get();
    qh::ServerConfig& cfg = state->cfg;
    cfg.writes_enabled = true;
    cfg.write_token = "fuzz-token";
    cfg.log_requests = false;
    cfg.query_threads = 1;
    cfg.max_body_bytes = 1 << 20;
    cfg.max_header_bytes = 16 * 1024;
    cfg.max_in_list = 100;
    cfg.max_result_rows = 1000;
    cfg.read_timeout_ms = 1000;
    cfg.request_timeout_ms = 2000;
    cfg.compress_min_bytes = 256;
    Must(qh::ValidateServerConfig(cfg), "config");
    server = std::make_unique<FuzzServer>();
    server->set_payload_max_length(size_t(cfg.max_body_bytes));
    qh::InstallHandlers(state.get(), server.get());
    qh::ConnectionLimits limits;
    limits.workers = 2;
    limits.max_connections = 8;
    limits.max_header_bytes = cfg.max_header_bytes;
    limits.max_body_bytes = cfg.max_body_bytes;
    limits.header_timeout = limits.read_timeout = std::chrono::milliseconds(cfg.read_timeout_ms);
    limits.request_timeout = std::chrono::milliseconds(cfg.request_timeout_ms);
    limits.idle_timeout = std::chrono::milliseconds(1000);
    limits.write_timeout = std::chrono::milliseconds(2000);
    FuzzServer* srv = server.get();
    loop = std::make_unique<qh::ConnectionLoop>(
        limits, [srv](httplib::Stream& s, bool close) { return srv->Serve(s, close); },
        &state->connections);
    Must(loop->Start(), "loop");
  }
  ~Harness() {
    loop.reset();  // joins the workers first: nothing runs on the state after
    server.reset();
    state.reset();
    store.reset();
  }
  // True when the last input left anything behind.
  bool Dirty() {
    auto snap = store->GetSnapshot();
    return !snap.ok() || (*snap)->txn() != txn || state->leases.size() != 0;
  }
};

std::string& Dir() {
  static std::string dir;
  return dir;
}

std::unique_ptr<Harness>& TheHarness() {
  static std::unique_ptr<Harness> h;
  if (!h) {
    if (Dir().empty()) {
      char dir[] = "/dev/shm/quiver-http-fuzz-XXXXXX";
      if (mkdtemp(dir) == nullptr) std::abort();
      Dir() = dir;
      std::atexit([] {
        TheHarness().reset();
        std::system(("rm -rf " + Dir()).c_str());
      });
    }
    h = std::make_unique<Harness>(Dir());
  }
  return h;
}

// Sends `request`, closes the sending side and returns every byte the
// server sent until it closed the connection.
std::string RoundTrip(Harness& h, std::string_view request) {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) Die("socketpair");
  int client = fds[0];
  h.loop->Adopt(fds[1]);
  size_t sent = 0;
  std::string out;
  char buf[16384];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  bool writing = true;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      Die("hang: the server did not close the connection within 10 s of the request's end (" +
          std::to_string(out.size()) + " bytes received)");
    }
    if (writing && sent == request.size()) {
      shutdown(client, SHUT_WR);
      writing = false;
    }
    pollfd p{client, short(POLLIN | (writing ? POLLOUT : 0)), 0};
    if (poll(&p, 1, int(left)) <= 0) continue;
    if (writing && (p.revents & POLLOUT)) {
      ssize_t n =
          send(client, request.data() + sent, request.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) sent += size_t(n);
      if (n < 0 && errno != EAGAIN) writing = false;  // the server closed: it may answer
    }
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = recv(client, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        out.append(buf, size_t(n));
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        break;
      }
    }
  }
  close(client);
  // Until the server has dropped the connection (its memory too), so that
  // the input ends with nothing of it running: libFuzzer counts mallocs
  // against frees per input and runs a leak check when they differ.
  while (h.state->connections.open.load() != 0) {
    if (std::chrono::steady_clock::now() > deadline) Die("hang: the connection stays open");
    std::this_thread::yield();
  }
  return out;
}

[[noreturn]] void Bad(const std::string& why, std::string_view out, size_t at) {
  std::string shown(out.substr(at > 200 ? at - 200 : 0, 1200));
  Die("malformed response at byte " + std::to_string(at) + ": " + why + "\n---\n" + shown +
      "\n---");
}

// Checks that `out` is a sequence of well-formed responses with allowed
// statuses.
void CheckResponses(std::string_view out) {
  size_t at = 0;
  while (at < out.size()) {
    size_t head_end = out.find("\r\n\r\n", at);
    if (head_end == std::string_view::npos) Bad("no end of the header block", out, at);
    std::string_view head = out.substr(at, head_end + 2 - at);
    if (head.substr(0, 9) != "HTTP/1.1 " || head.size() < 14 || head[12] != ' ') {
      Bad("bad status line", out, at);
    }
    int status = 0;
    for (int k = 9; k < 12; ++k) {
      if (head[k] < '0' || head[k] > '9') Bad("bad status code", out, at);
      status = status * 10 + (head[k] - '0');
    }
    bool allowed = (status >= 100 && status < 300) || (status >= 400 && status < 500) ||
                   status == 503 || status == 507;
    if (!allowed) Bad("status " + std::to_string(status), out, at);
    // Header lines: "Name: value", the names lower-cased for lookups.
    std::string lower(head);
    for (char& ch : lower) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    size_t line = head.find("\r\n") + 2;
    while (line < head.size()) {
      size_t eol = head.find("\r\n", line);
      size_t colon = head.find(':', line);
      if (colon == std::string_view::npos || colon >= eol || colon == line) {
        Bad("bad header line", out, at + line);
      }
      line = eol + 2;
    }
    at = head_end + 4;
    if (status < 200 || status == 204 || status == 304) continue;
    size_t cl = lower.find("\r\ncontent-length:");
    if (lower.find("\r\ntransfer-encoding: chunked") != std::string::npos) {
      for (;;) {
        size_t eol = out.find("\r\n", at);
        if (eol == std::string_view::npos) Bad("cut chunk size line", out, at);
        size_t n = std::strtoull(std::string(out.substr(at, eol - at)).c_str(), nullptr, 16);
        at = eol + 2;
        if (n == 0) {
          // Trailers (none expected), then the final CRLF.
          if (out.substr(at, 2) != "\r\n") Bad("no CRLF after the last chunk", out, at);
          at += 2;
          break;
        }
        if (n > out.size() - at || out.substr(at + n, 2) != "\r\n") Bad("cut chunk", out, at);
        at += n + 2;
      }
    } else if (cl != std::string::npos) {
      size_t n = std::strtoull(lower.c_str() + cl + 17, nullptr, 10);
      // A response to HEAD announces a body it does not send: the next
      // response (or the end) follows its header block at once.
      if (n > 0 && (at == out.size() || out.substr(at, 9) == "HTTP/1.1 ")) continue;
      if (n > out.size() - at) Bad("body shorter than its Content-Length", out, at);
      at += n;
    } else {
      at = out.size();  // a body that runs to the end of the connection
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::unique_ptr<Harness>& h = TheHarness();
  std::string_view request(reinterpret_cast<const char*>(data), size);
  std::string out = RoundTrip(*h, request);
  // QUIVER_HTTP_FUZZ_PRINT=1 shows what the server answered (to read seeds).
  static const bool print = std::getenv("QUIVER_HTTP_FUZZ_PRINT") != nullptr;
  if (print) std::fprintf(stderr, "%s\n", out.c_str());
  CheckResponses(out);
  if (h->Dirty() || request.find("stage") != std::string_view::npos) h.reset();
  return 0;
}
