// quiverd's request handling: routing, auth, limits, queries, writes.
//
// Request flow. A pre-routing hook refuses bodies that are too large or
// have no length before they are read (411/413), and moves Accept-Encoding
// aside so that cpp-httplib does not compress on its own (we do, with zstd
// too, above a threshold). One handler then matches every method and path:
// it routes, answers 405 with Allow, checks tokens, and runs the endpoint.
//
// Queries. Each takes a slot (max_concurrent_queries, else 503), the latest
// snapshot, and a cancel flag watched by the watchdog thread (timeout,
// shutdown) and by the response writer (client gone). The first
// kStreamBytes of output are produced inside the handler: an error up to
// there is a proper HTTP error, and a result that ends there is sent with a
// Content-Length. A larger result is streamed (chunked) and an error after
// that point ends the stream with the format's error marker
// (columnar/text_format.h). The response's state holds the snapshot, so its
// pin lasts until the last byte is written.
//
// Shutdown. The listening socket is shut down, so the accept loop ends;
// requests in flight (streams included) finish; those still running after
// the grace period are cancelled; new requests on open connections get 503.
// When nothing is in flight, open keep-alive connections are released.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "columnar/ipc.h"
#include "columnar/schema.h"
#include "columnar/text_format.h"
#include "http/compress_internal.h"
#include "http/ingest_internal.h"
#include "http/server.h"
#include "http/server_internal.h"
#include "store/exec.h"
#include "store/query.h"

namespace quiver::http {

namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// Output produced inside the handler before a response is streamed.
constexpr size_t kStreamBytes = 256 * 1024;
// A body up to this much over max_body_bytes is read and dropped before
// the 413 goes out (clients that send the whole body first then see it).
constexpr uint64_t kDrainBytes = 16 << 20;
// Where the pre-routing hook keeps the client's Accept-Encoding.
constexpr const char* kAcceptEncodingStash = "X-Quiver-Accept-Encoding";

double MsSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

std::string IsoTime(uint64_t ns) {
  std::string s;
  AppendTimestamp(&s, int64_t(ns), TimeUnit::kNano);
  return s;
}

json ErrorBody(std::string_view code, const std::string& message, const json& extra = nullptr) {
  json e = {{"code", code}, {"message", message}};
  if (extra.is_object()) {
    for (auto it = extra.begin(); it != extra.end(); ++it) e[it.key()] = it.value();
  }
  return json{{"error", e}};
}

void SetJson(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n",
                  "application/json");
}

void SetError(httplib::Response& res, int status, std::string_view code, const std::string& message,
              const json& extra = nullptr) {
  SetJson(res, status, ErrorBody(code, message, extra));
}

void SetStatusError(httplib::Response& res, const Status& s, const json& extra = nullptr) {
  SetError(res, HttpStatusFor(s.code()), StatusCodeName(s.code()), s.message(), extra);
}

json PositionJson(const query::TextPosition& p) {
  return {{"line", p.line}, {"column", p.column}, {"offset", p.offset}};
}

// Line and column (1-based, columns in bytes) of a byte offset in `text`.
query::TextPosition PositionOf(std::string_view text, size_t offset) {
  query::TextPosition p;
  p.offset = offset;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++p.column;
    }
  }
  return p;
}

// Parses a JSON request body; a syntax error becomes a 400 with its position.
bool ParseJsonBody(const std::string& body, json* out, httplib::Response& res) {
  try {
    *out = json::parse(body);
    return true;
  } catch (const json::parse_error& e) {
    size_t off = e.byte > 0 ? e.byte - 1 : 0;
    SetError(res, 400, "invalid_argument",
             "request body is not valid JSON: " + std::string(e.what()),
             PositionJson(PositionOf(body, off)));
    return false;
  }
}

std::string MediaType(const httplib::Request& req) {
  std::string ct = req.get_header_value("Content-Type");
  auto semi = ct.find(';');
  if (semi != std::string::npos) ct.resize(semi);
  while (!ct.empty() && ct.back() == ' ') ct.pop_back();
  std::transform(ct.begin(), ct.end(), ct.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return ct;
}

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char d = 0;
  for (size_t i = 0; i < a.size(); ++i) d |= static_cast<unsigned char>(a[i] ^ b[i]);
  return d == 0;
}

// Statistics of one column over all chunks of a table, as JSON values.
json ColumnStatsJson(const store::TableView& t, size_t col) {
  const Field& f = t.schema()->field(col);
  ColumnStats merged;
  bool any = false;
  int64_t nulls = 0;
  for (const store::ChunkInfo& c : t.chunks()) {
    if (col >= c.stats.size()) continue;
    const ColumnStats& s = c.stats[col];
    nulls += s.null_count;
    if (!s.has_min && !s.has_max) continue;
    if (!any) {
      merged = s;
      any = true;
      continue;
    }
    switch (s.kind) {
      case ColumnStats::Kind::kInt:
        if (s.has_min && (!merged.has_min || s.min_int < merged.min_int)) merged.min_int = s.min_int, merged.has_min = true;
        if (s.has_max && (!merged.has_max || s.max_int > merged.max_int)) merged.max_int = s.max_int, merged.has_max = true;
        break;
      case ColumnStats::Kind::kUInt:
        if (s.has_min && (!merged.has_min || s.min_uint < merged.min_uint)) merged.min_uint = s.min_uint, merged.has_min = true;
        if (s.has_max && (!merged.has_max || s.max_uint > merged.max_uint)) merged.max_uint = s.max_uint, merged.has_max = true;
        break;
      case ColumnStats::Kind::kDouble:
        if (s.has_min && (!merged.has_min || s.min_double < merged.min_double)) merged.min_double = s.min_double, merged.has_min = true;
        if (s.has_max && (!merged.has_max || s.max_double > merged.max_double)) merged.max_double = s.max_double, merged.has_max = true;
        break;
      case ColumnStats::Kind::kBytes:
        if (s.has_min && (!merged.has_min || s.min_bytes < merged.min_bytes)) {
          merged.min_bytes = s.min_bytes, merged.has_min = true, merged.min_exact = s.min_exact;
        }
        if (s.has_max && (!merged.has_max || s.max_bytes > merged.max_bytes)) {
          merged.max_bytes = s.max_bytes, merged.has_max = true, merged.max_exact = s.max_exact;
        }
        break;
    }
  }
  auto render = [&](bool is_min) -> json {
    if (!any || !(is_min ? merged.has_min : merged.has_max)) return nullptr;
    const DataType& type = f.type;
    std::string s;
    switch (merged.kind) {
      case ColumnStats::Kind::kInt: {
        int64_t v = is_min ? merged.min_int : merged.max_int;
        if (type.id == TypeId::kBool) return v != 0;
        if (type.id == TypeId::kDate32) return (AppendDate32(&s, v), s);
        if (type.id == TypeId::kTimestamp) return (AppendTimestamp(&s, v, type.unit), s);
        return v;
      }
      case ColumnStats::Kind::kUInt: return is_min ? merged.min_uint : merged.max_uint;
      case ColumnStats::Kind::kDouble: return is_min ? merged.min_double : merged.max_double;
      case ColumnStats::Kind::kBytes: {
        const std::string& b = is_min ? merged.min_bytes : merged.max_bytes;
        if (type.id == TypeId::kBinary) return (AppendBase64(&s, b), s);
        return (AppendValidUtf8(&s, b), s);
      }
    }
    return nullptr;
  };
  json j = {{"name", f.name}, {"type", f.type.ToString()}, {"nulls", nulls},
            {"min", render(true)}, {"max", render(false)}};
  if (merged.kind == ColumnStats::Kind::kBytes && any) {
    j["min_exact"] = merged.min_exact;
    j["max_exact"] = merged.max_exact;
  }
  return j;
}

json FieldsJson(const Schema& schema) {
  json fields = json::array();
  for (const Field& f : schema.fields()) {
    fields.push_back({{"name", f.name}, {"type", f.type.ToString()}, {"nullable", f.nullable}});
  }
  return fields;
}

// A connection-level flag for each running query.
struct QueryCtx {
  std::atomic<bool> cancel{false};
  // Why it was cancelled: 1 timeout, 2 shutdown, 3 client gone.
  std::atomic<int> reason{0};
  Clock::time_point deadline = Clock::time_point::max();
  int64_t timeout_ms = 0;

  void Cancel(int why) {
    int expected = 0;
    reason.compare_exchange_strong(expected, why);
    cancel.store(true);
  }
  Status CancelledStatus() const {
    switch (reason.load()) {
      case 1: return Status::Cancelled("query cancelled after query_timeout_ms=" + std::to_string(timeout_ms));
      case 2: return Status::Cancelled("query cancelled: the server is shutting down");
      case 3: return Status::Cancelled("query cancelled: the client went away");
    }
    return Status::Cancelled("query cancelled");
  }
};

// cpp-httplib's server with a way to stop accepting without cutting off
// responses in flight (Server::stop() ends running streams at once).
class HttpServer : public httplib::Server {
 public:
  void StopAccepting() {
    socket_t s = svr_sock_.load();
    if (s != INVALID_SOCKET) ::shutdown(s, SHUT_RDWR);
  }
  // cpp-httplib listens with a backlog of 5: a burst of connections (32
  // clients starting at once) then waits for SYN retransmits, a second
  // each. Calling listen() again on Linux raises the backlog.
  void RaiseBacklog() {
    socket_t s = svr_sock_.load();
    if (s != INVALID_SOCKET) ::listen(s, SOMAXCONN);
  }
  // After the accept loop has ended (and closed the socket): lets idle
  // keep-alive connections end.
  void ReleaseConnections() { svr_sock_.store(INVALID_SOCKET); }
};

}  // namespace

// ---------------------------------------------------------------------------

struct Server::Impl {
  store::Store* store = nullptr;
  ServerConfig cfg;
  std::unique_ptr<HttpServer> svr;
  std::thread listen_thread;
  int port = -1;
  Clock::time_point started = Clock::now();
  Metrics metrics;
  std::atomic<bool> shutting_down{false};
  std::atomic<int> queries_running{0};

  std::mutex mu;
  std::condition_variable cv;
  int inflight = 0;
  bool accept_done = false;
  bool listen_returned = false;
  bool joined = false;
  std::set<std::shared_ptr<QueryCtx>> queries;
  bool cancel_pending = false;
  Clock::time_point cancel_at;
  bool watchdog_stop = false;
  std::thread watchdog;

  // The task queue that tells us when the accept loop has ended.
  class Queue : public httplib::TaskQueue {
   public:
    Queue(size_t n, Impl* impl) : pool_(n), impl_(impl) {}
    void enqueue(std::function<void()> fn) override { pool_.enqueue(std::move(fn)); }
    void shutdown() override {
      {
        std::lock_guard<std::mutex> g(impl_->mu);
        impl_->accept_done = true;
      }
      impl_->cv.notify_all();
      pool_.shutdown();
    }

   private:
    httplib::ThreadPool pool_;
    Impl* impl_;
  };

  // One request from dispatch to its last byte.
  struct Call {
    const httplib::Request& req;
    httplib::Response& res;
    std::string route;
    Clock::time_point start = Clock::now();
    bool streaming = false;  // Finish is called by the stream's releaser
    int64_t rows = -1;
  };

  // State of a streamed (or prefetched) query response.
  struct Stream {
    Impl* impl = nullptr;
    std::string route, method, target, remote;
    Clock::time_point start;
    std::shared_ptr<const store::Snapshot> snap;
    std::shared_ptr<QueryCtx> qctx;
    std::unique_ptr<store::QueryCursor> cursor;
    std::unique_ptr<ResultWriter> writer;
    std::unique_ptr<Compressor> comp;
    std::string pending;
    bool done = false;      // the writer has ended (End or Fail)
    bool failed = false;
    bool sent_done = false;
    bool binary = false;
    uint64_t bytes_out = 0;
    // Full-scan Arrow: chunk bytes straight from the mapping.
    const store::TableView* table = nullptr;
    size_t next_chunk = 0;
    bool full_scan = false;
    // Set once the response is streamed: a result cut by max_result_rows
    // then ends with the error marker in formats without a trailer.
    bool streaming = false;
    bool json_format = false;
    int64_t max_rows = 0;

    ~Stream() {
      if (impl) impl->queries_running.fetch_sub(1);
      if (impl && qctx) impl->Unregister(qctx);
    }

    // Produces output into `pending` until it holds `limit` bytes or the
    // result is complete.
    Status Pump(size_t limit) {
      while (!done && pending.size() < limit) {
        // The watchdog cancels running queries every few ms; between batches
        // the deadline is checked here as well.
        if (Clock::now() >= qctx->deadline) qctx->Cancel(1);
        if (qctx->cancel.load()) return qctx->CancelledStatus();
        if (full_scan) {
          if (next_chunk == table->num_chunks()) {
            pending += EndOfStreamMarker();
            done = true;
            break;
          }
          QUIVER_ASSIGN_OR_RETURN(auto bytes, table->ChunkBytes(next_chunk));
          ++next_chunk;
          pending.append(reinterpret_cast<const char*>(bytes.first), size_t(bytes.second));
          continue;
        }
        auto next = cursor->Next();
        if (!next.ok()) {
          if (next.status().code() == StatusCode::kCancelled && qctx->cancel.load()) {
            return qctx->CancelledStatus();
          }
          return next.status();
        }
        if (!next->has_value()) {
          if (streaming && !json_format && cursor->truncated()) {
            return Status::ResourceExhausted(
                "result cut at max_result_rows = " + std::to_string(max_rows) +
                " rows; add a LIMIT or raise max_result_rows");
          }
          ResultTrailer trailer;
          trailer.truncated = cursor->truncated();
          trailer.elapsed_ms = MsSince(start);
          QUIVER_RETURN_NOT_OK(writer->End(trailer));
          done = true;
          break;
        }
        QUIVER_RETURN_NOT_OK(writer->Write(**next));
      }
      return Status::OK();
    }

    bool Send(httplib::DataSink& sink, std::string_view bytes) {
      if (comp) {
        std::string z;
        if (!comp->Write(bytes, &z).ok()) return false;
        bytes_out += z.size();
        return z.empty() || sink.write(z.data(), z.size());
      }
      bytes_out += bytes.size();
      return sink.write(bytes.data(), bytes.size());
    }

    // One step of the chunked content provider.
    bool Produce(httplib::DataSink& sink) {
      if (!pending.empty()) {
        std::string out;
        out.swap(pending);
        if (!Send(sink, out)) {
          qctx->Cancel(3);
          return false;
        }
        return true;
      }
      if (done) {
        if (comp) {
          std::string z;
          if (comp->Finish(&z).ok() && !z.empty()) {
            bytes_out += z.size();
            if (!sink.write(z.data(), z.size())) return false;
          }
        }
        sent_done = true;
        sink.done();
        return true;
      }
      // Large full-scan chunks go out from the mapping without a copy.
      if (full_scan && !comp && next_chunk < table->num_chunks() && !qctx->cancel.load()) {
        auto bytes = table->ChunkBytes(next_chunk);
        if (bytes.ok()) {
          ++next_chunk;
          bytes_out += bytes->second;
          if (!sink.write(reinterpret_cast<const char*>(bytes->first), size_t(bytes->second))) {
            qctx->Cancel(3);
            return false;
          }
          return true;
        }
      }
      Status s = impl->cfg.test_hook ? impl->cfg.test_hook("stream") : Status::OK();
      if (s.ok()) s = Pump(kStreamBytes);
      if (!s.ok()) {
        failed = true;
        impl->Log(method, target, route, remote, 200, start, bytes_out, -1, &s);
        if (binary) return false;  // cut off: no end-of-stream marker
        writer->Fail(s).IgnoreError();
        done = true;
      }
      return true;
    }
  };

  // --- query registry and watchdog -----------------------------------------

  std::shared_ptr<QueryCtx> Register() {
    auto q = std::make_shared<QueryCtx>();
    if (cfg.query_timeout_ms > 0) {
      q->timeout_ms = cfg.query_timeout_ms;
      q->deadline = Clock::now() + std::chrono::milliseconds(cfg.query_timeout_ms);
    }
    std::lock_guard<std::mutex> g(mu);
    if (shutting_down.load() && cancel_pending && Clock::now() >= cancel_at) q->Cancel(2);
    queries.insert(q);
    return q;
  }
  void Unregister(const std::shared_ptr<QueryCtx>& q) {
    std::lock_guard<std::mutex> g(mu);
    queries.erase(q);
  }

  void WatchdogLoop() {
    std::unique_lock<std::mutex> lk(mu);
    auto refreshed = Clock::now();
    while (!watchdog_stop) {
      cv.wait_for(lk, std::chrono::milliseconds(20));
      auto now = Clock::now();
      bool cancel_all = cancel_pending && now >= cancel_at;
      for (const auto& q : queries) {
        if (cancel_all) q->Cancel(2);
        else if (now >= q->deadline) q->Cancel(1);
      }
      lk.unlock();
      FlushLog();
      // The store's cached snapshot pins the state the last request saw; an
      // idle server would hold it forever and keep the writer (quiver ingest
      // --replace, compact) from reusing what later commits free. Move it to
      // the latest state a few times a second (cheap when nothing changed).
      if (now - refreshed >= std::chrono::milliseconds(250)) {
        refreshed = now;
        (void)store->GetSnapshot();
      }
      lk.lock();
    }
  }

  // --- bookkeeping ------------------------------------------------------------

  // Request log lines wait here and go to stderr in batches: from the
  // watchdog every 20 ms, from a request thread once kLogFlushBytes pile up,
  // and from Wait() at the end. One write(2) per request cost a tenth of
  // the point-query throughput.
  static constexpr size_t kLogFlushBytes = 64 * 1024;
  std::mutex log_mu;        // guards log_buf
  std::mutex log_write_mu;  // keeps batches in order on stderr
  std::string log_buf;

  void FlushLog() {
    std::lock_guard<std::mutex> w(log_write_mu);
    std::string out;
    {
      std::lock_guard<std::mutex> g(log_mu);
      out.swap(log_buf);
    }
    if (!out.empty()) std::fwrite(out.data(), 1, out.size(), stderr);
  }

  void EnterRequest() {
    std::lock_guard<std::mutex> g(mu);
    ++inflight;
  }
  // Only Wait() waits for the in-flight count, and only once the accept
  // loop has ended: waking the cv's waiters (Wait() and the watchdog) on
  // every request would cost two context switches per request.
  void LeaveRequest() {
    bool wake;
    {
      std::lock_guard<std::mutex> g(mu);
      wake = --inflight == 0 && accept_done;
    }
    if (wake) cv.notify_all();
  }

  void Log(const std::string& method, const std::string& target, const std::string& route,
           const std::string& remote, int status, Clock::time_point start, uint64_t bytes,
           int64_t rows, const Status* stream_error = nullptr) {
    double ms = MsSince(start);
    if (!stream_error) metrics.Request(route, status, ms / 1000.0);
    if (!cfg.log_requests) return;
    char line[256];
    time_t now = time(nullptr);
    tm tm{};
    gmtime_r(&now, &tm);
    char ts[32];
    std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    std::snprintf(line, sizeof line, " %d %llu bytes %.2f ms", status,
                  static_cast<unsigned long long>(bytes), ms);
    std::string msg = std::string(ts) + " " + remote + " " + method + " " +
                      target.substr(0, 512) + line;
    if (rows >= 0) msg += " rows " + std::to_string(rows);
    if (stream_error) msg += " stream error: " + stream_error->ToString();
    bool flush;
    {
      std::lock_guard<std::mutex> g(log_mu);
      log_buf += "quiverd: ";
      log_buf += msg;
      log_buf += '\n';
      flush = log_buf.size() >= kLogFlushBytes;
    }
    if (flush) FlushLog();
  }

  void Finish(Call& c) {
    if (c.streaming) return;
    metrics.bytes_sent += c.res.body.size();
    Log(c.req.method, c.req.target, c.route, c.req.remote_addr, c.res.status, c.start,
        c.res.body.size(), c.rows);
    LeaveRequest();
  }

  // --- helpers ----------------------------------------------------------------

  bool CheckAuth(Call& c, bool write) {
    const std::string& want = write ? cfg.write_token : cfg.read_token;
    if (want.empty()) return true;
    std::string h = c.req.get_header_value("Authorization");
    const std::string prefix = "Bearer ";
    if (h.empty()) {
      c.res.set_header("WWW-Authenticate", "Bearer realm=\"quiverd\"");
      SetError(c.res, 401, "unauthenticated",
               std::string("this endpoint needs a bearer token (Authorization: Bearer <") +
                   (write ? "write_token" : "read_token") + ">)");
      return false;
    }
    std::string token = h.rfind(prefix, 0) == 0 ? h.substr(prefix.size()) : std::string();
    bool ok = ConstantTimeEquals(token, want) ||
              (!write && !cfg.write_token.empty() && ConstantTimeEquals(token, cfg.write_token));
    if (!ok) {
      SetError(c.res, 403, "permission_denied", "the bearer token is not valid for this endpoint");
      return false;
    }
    return true;
  }

  bool CheckWritable(Call& c) {
    if (!cfg.writes_enabled || store->read_only()) {
      SetError(c.res, 403, "permission_denied",
               "writes are disabled on this server (set \"writes_enabled\": true in the config)");
      return false;
    }
    return CheckAuth(c, /*write=*/true);
  }

  Result<std::shared_ptr<const store::Snapshot>> Snap() { return store->GetSnapshot(); }

  // 404 for an unknown table, with the tables that exist.
  void TableNotFound(Call& c, const store::Snapshot& snap, const Status& s) {
    json names = json::array();
    for (const store::TableView& t : snap.tables()) names.push_back(t.name());
    SetError(c.res, 404, "not_found", s.message(), {{"tables", names}});
  }

  bool ValidName(Call& c, const std::string& name) {
    Status s = store::ValidateTableName(name);
    if (!s.ok()) {
      SetError(c.res, 400, "invalid_argument", s.message());
      return false;
    }
    return true;
  }

  // --- output options -----------------------------------------------------------

  struct Output {
    ResultFormat format = ResultFormat::kJson;
    TextFormatOptions text;
  };

  bool ParseOutput(Call& c, Output* out, const json* body = nullptr) {
    std::string fmt = c.req.get_param_value("format");
    if (fmt.empty() && body && body->contains("format") && (*body)["format"].is_string()) {
      fmt = (*body)["format"].get<std::string>();
    }
    if (!fmt.empty()) {
      if (fmt == "jsonl") fmt = "ndjson";
      if (fmt == "arrows" || fmt == "arrow-stream") fmt = "arrow";
      auto f = ParseResultFormat(fmt);
      if (!f.ok()) {
        SetError(c.res, 400, "invalid_argument", "format=" + fmt + ": " + f.status().message());
        return false;
      }
      out->format = *f;
    } else if (c.req.has_header("Accept")) {
      std::string accept = c.req.get_header_value("Accept");
      struct { const char* media; ResultFormat f; } kinds[] = {
          {"application/vnd.apache.arrow.stream", ResultFormat::kArrow},
          {"application/vnd.apache.arrow.file", ResultFormat::kArrowFile},
          {"application/x-ndjson", ResultFormat::kNdjson},
          {"application/ndjson", ResultFormat::kNdjson},
          {"application/jsonl", ResultFormat::kNdjson},
          {"text/csv", ResultFormat::kCsv},
          {"text/tab-separated-values", ResultFormat::kTsv},
          {"application/json", ResultFormat::kJson},
          {"text/plain", ResultFormat::kTable},
      };
      // The first media range in the header that we produce wins.
      size_t best = std::string::npos;
      bool found = false;
      for (const auto& k : kinds) {
        size_t at = accept.find(k.media);
        if (at != std::string::npos && at < best) {
          best = at;
          out->format = k.f;
          found = true;
        }
      }
      if (!found && !accept.empty() && accept.find("*/*") == std::string::npos &&
          accept.find("application/*") == std::string::npos &&
          accept.find("text/*") == std::string::npos) {
        SetError(c.res, 406, "not_acceptable",
                 "cannot produce \"" + accept +
                     "\"; results come as application/json, application/x-ndjson, text/csv, "
                     "text/tab-separated-values, text/plain or "
                     "application/vnd.apache.arrow.stream (or ask with format=)");
        return false;
      }
    }
    std::string orient = c.req.get_param_value("orient");
    if (orient.empty() && body && body->contains("orient") && (*body)["orient"].is_string()) {
      orient = (*body)["orient"].get<std::string>();
    }
    if (orient == "records") {
      out->text.records = true;
    } else if (!orient.empty() && orient != "values" && orient != "rows") {
      SetError(c.res, 400, "invalid_argument", "orient=" + orient + ": expected records or values");
      return false;
    }
    std::string i64 = c.req.get_param_value("int64_as_string");
    out->text.int64_as_string = i64 == "1" || i64 == "true";
    std::string header = c.req.get_param_value("header");
    if (header == "0" || header == "false") out->text.header = false;
    return true;
  }

  Encoding AcceptedEncoding(const httplib::Request& req) {
    return ChooseEncoding(req.get_header_value(kAcceptEncodingStash));
  }

  // Sends a finished body, compressed when it is large enough and accepted.
  void SendBody(Call& c, std::string body, const char* content_type, int status = 200) {
    Encoding e = AcceptedEncoding(c.req);
    if (e != Encoding::kIdentity && body.size() >= cfg.compress_min_bytes) {
      auto z = Compress(e, body);
      if (z.ok()) {
        body = std::move(*z);
        c.res.set_header("Content-Encoding", EncodingName(e));
      }
    }
    c.res.set_header("Vary", "Accept-Encoding");
    c.res.status = status;
    c.res.set_content(std::move(body), content_type);
  }

  void SendJson(Call& c, const json& j, int status = 200) {
    SendBody(c, j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n", "application/json",
             status);
  }

  // --- queries --------------------------------------------------------------------

  void RunQuery(Call& c, const query::Query& q, const Output& out) {
    int running = queries_running.fetch_add(1) + 1;
    if (running > cfg.max_concurrent_queries) {
      queries_running.fetch_sub(1);
      metrics.queries_rejected++;
      c.res.set_header("Retry-After", "1");
      SetError(c.res, 503, "resource_exhausted",
               "too many queries running (max_concurrent_queries = " +
                   std::to_string(cfg.max_concurrent_queries) + "); retry later");
      return;
    }
    metrics.queries++;
    auto st = std::make_shared<Stream>();
    st->impl = this;  // from here the Stream releases the slot
    st->route = c.route;
    st->method = c.req.method;
    st->target = c.req.target;
    st->remote = c.req.remote_addr;
    st->start = c.start;
    st->binary = IsBinaryFormat(out.format);
    st->json_format = out.format == ResultFormat::kJson;
    st->max_rows = cfg.max_result_rows;
    st->qctx = Register();  // the timeout runs from here
    if (cfg.test_hook) {
      Status h = cfg.test_hook("query_started");
      if (!h.ok()) return SetStatusError(c.res, h);
    }

    auto snap = Snap();
    if (!snap.ok()) return SetStatusError(c.res, snap.status());
    st->snap = *snap;
    auto table = st->snap->table(q.table);
    if (!table.ok()) return TableNotFound(c, *st->snap, table.status());

    std::shared_ptr<const Schema> schema;
    if (out.format == ResultFormat::kArrow && store::IsFullScan(q) &&
        (*table)->num_rows() <= cfg.max_result_rows) {
      // The table's chunks are already the answer in Arrow IPC form.
      st->full_scan = true;
      st->table = *table;
      auto msg = SchemaMessage(*(*table)->schema());
      if (!msg.ok()) return SetStatusError(c.res, msg.status());
      st->pending = std::move(*msg);
      schema = (*table)->schema();
    } else {
      store::QueryOptions opts;
      opts.threads = cfg.query_threads;
      opts.max_rows = cfg.max_result_rows;
      opts.cancel = &st->qctx->cancel;
      auto cursor = store::OpenQuery(st->snap, q, opts);
      if (!cursor.ok()) {
        Status s = cursor.status();
        if (s.code() == StatusCode::kCancelled) s = st->qctx->CancelledStatus();
        return SetStatusError(c.res, s);
      }
      st->cursor = std::move(*cursor);
      schema = st->cursor->schema();
      Stream* raw = st.get();
      st->writer = ResultWriter::Make(
          out.format,
          [raw](std::string_view bytes) {
            raw->pending.append(bytes);
            return Status::OK();
          },
          out.text);
      Status b = st->writer->Begin(*schema);
      if (!b.ok()) return SetStatusError(c.res, b);
    }

    Status s = st->Pump(kStreamBytes);
    if (!s.ok()) return SetStatusError(c.res, s);  // nothing sent yet: a real HTTP error
    const char* ctype = ResultFormatContentType(out.format);
    c.res.set_header("X-Quiver-Txn", std::to_string(st->snap->txn()));
    if (st->done) {
      // The whole result fits one buffer.
      if (st->cursor) {
        c.rows = st->cursor->stats().rows_returned;
        if (st->cursor->truncated()) c.res.set_header("X-Quiver-Truncated", "true");
        AddStats(st->cursor->stats());
      } else {
        c.rows = st->table->num_rows();
      }
      std::string body;
      body.swap(st->pending);
      SendBody(c, std::move(body), ctype);
      return;
    }
    // Streamed: chunked transfer encoding, compressed as a stream.
    Encoding e = AcceptedEncoding(c.req);
    if (e != Encoding::kIdentity && cfg.compress_min_bytes <= kStreamBytes) {
      auto comp = Compressor::Make(e);
      if (comp.ok()) {
        st->comp = std::move(*comp);
        c.res.set_header("Content-Encoding", EncodingName(e));
      }
    }
    c.res.set_header("Vary", "Accept-Encoding");
    c.res.status = 200;
    c.streaming = true;
    st->streaming = true;
    c.res.set_chunked_content_provider(
        ctype, [st](size_t, httplib::DataSink& sink) { return st->Produce(sink); },
        [st](bool success) {
          Impl* self = st->impl;
          if (!success) st->qctx->Cancel(3);
          int64_t rows = -1;
          if (st->cursor) {
            self->AddStats(st->cursor->stats());
            rows = st->cursor->stats().rows_returned;
          } else if (st->table) {
            rows = st->table->num_rows();
          }
          self->metrics.bytes_sent += st->bytes_out;
          if (!st->failed) {
            self->Log(st->method, st->target, st->route, st->remote, success ? 200 : 499,
                      st->start, st->bytes_out, rows);
          } else {
            self->metrics.Request(st->route, 200, MsSince(st->start) / 1000.0);
          }
          // Release the snapshot, cursor and slot before the request counts
          // as finished (Shutdown waits for this).
          st->cursor.reset();
          st->snap.reset();
          self->LeaveRequest();
        });
  }

  void AddStats(const store::QueryStats& s) {
    metrics.rows_scanned += uint64_t(s.rows_scanned);
    metrics.rows_returned += uint64_t(s.rows_returned);
    metrics.chunks_scanned += uint64_t(s.chunks_scanned);
    metrics.chunks_pruned += uint64_t(s.chunks_pruned);
  }

  // A 400 for a parse error, with its position (and the parameter it was in).
  void ParseError(Call& c, const Status& s, const query::TextPosition& pos,
                  const std::string& parameter = "") {
    json extra = PositionJson(pos);
    if (!parameter.empty()) extra["parameter"] = parameter;
    SetError(c.res, HttpStatusFor(s.code()), StatusCodeName(s.code()),
             (parameter.empty() ? "" : parameter + ": ") + s.message(), extra);
  }

  // POST /v1/query and POST /v1/tables/{name}/query.
  void PostQuery(Call& c, const std::string& table) {
    std::string media = MediaType(c.req);
    Output out;
    if (media == "application/sql" || (media == "text/plain" && table.empty())) {
      if (!ParseOutput(c, &out)) return;
      query::TextPosition pos;
      auto q = query::ParseSql(c.req.body, &pos);
      if (!q.ok()) return ParseError(c, q.status(), pos);
      return RunQuery(c, *q, out);
    }
    if (media != "application/json" && !media.empty()) {
      return SetError(c.res, 415, "unsupported_media_type",
                      "a query is sent as Content-Type: application/json (or application/sql "
                      "for SQL text), not " + media);
    }
    json body;
    if (!ParseJsonBody(c.req.body, &body, c.res)) return;
    if (!body.is_object()) {
      return SetError(c.res, 400, "invalid_argument",
                      "the request body must be a JSON object: {\"sql\": \"SELECT ...\"} or "
                      "the JSON query model with \"table\"");
    }
    if (!ParseOutput(c, &out, &body)) return;
    body.erase("format");
    body.erase("orient");
    if (body.contains("sql")) {
      if (!table.empty()) {
        return SetError(c.res, 400, "invalid_argument",
                        "POST /v1/tables/{name}/query takes the JSON query model; send SQL to "
                        "/v1/query");
      }
      if (!body["sql"].is_string()) {
        return SetError(c.res, 400, "invalid_argument", "\"sql\" must be a string");
      }
      if (body.size() != 1) {
        return SetError(c.res, 400, "invalid_argument",
                        "a query body has either \"sql\" or the JSON model, not both");
      }
      std::string sql = body["sql"].get<std::string>();
      query::TextPosition pos;
      auto q = query::ParseSql(sql, &pos);
      if (!q.ok()) return ParseError(c, q.status(), pos, "sql");
      return RunQuery(c, *q, out);
    }
    if (!table.empty()) {
      if (body.contains("table") && body["table"] != table) {
        return SetError(c.res, 400, "invalid_argument",
                        "the body names table " + body["table"].dump() + " but the URL names \"" +
                            table + "\"");
      }
      body["table"] = table;
    } else if (!body.contains("table")) {
      return SetError(c.res, 400, "invalid_argument",
                      "the query needs \"table\" (or send {\"sql\": \"SELECT ...\"})");
    }
    auto q = query::ParseJsonQuery(body.dump());
    if (!q.ok()) return SetStatusError(c.res, q.status());
    RunQuery(c, *q, out);
  }

  // GET /v1/tables/{name}/rows?select=&where=&group_by=&order_by=&limit=&offset=
  void GetRows(Call& c, const std::string& table) {
    static const std::set<std::string> kKnown = {"select", "where", "group_by", "order_by",
                                                 "limit", "offset", "format", "orient",
                                                 "int64_as_string", "header"};
    for (const auto& [k, v] : c.req.params) {
      if (!kKnown.count(k)) {
        return SetError(c.res, 400, "invalid_argument",
                        "unknown parameter \"" + k +
                            "\" (known: select, where, group_by, order_by, limit, offset, "
                            "format, orient, int64_as_string, header)");
      }
    }
    Output out;
    if (!ParseOutput(c, &out)) return;
    query::Query q;
    q.table = table;
    query::TextPosition pos;
    if (c.req.has_param("select")) {
      auto s = query::ParseSelectList(c.req.get_param_value("select"), &pos);
      if (!s.ok()) return ParseError(c, s.status(), pos, "select");
      q.select = std::move(*s);
    }
    if (c.req.has_param("where")) {
      auto w = query::ParseFilter(c.req.get_param_value("where"), &pos);
      if (!w.ok()) return ParseError(c, w.status(), pos, "where");
      q.where = std::move(*w);
    }
    if (c.req.has_param("group_by")) {
      auto g = query::ParseColumnList(c.req.get_param_value("group_by"), &pos);
      if (!g.ok()) return ParseError(c, g.status(), pos, "group_by");
      q.group_by = std::move(*g);
    }
    if (c.req.has_param("order_by")) {
      auto o = query::ParseOrderBy(c.req.get_param_value("order_by"), &pos);
      if (!o.ok()) return ParseError(c, o.status(), pos, "order_by");
      q.order_by = std::move(*o);
    }
    for (const char* name : {"limit", "offset"}) {
      if (!c.req.has_param(name)) continue;
      std::string v = c.req.get_param_value(name);
      int64_t n = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || p != v.data() + v.size() || n < 0) {
        return SetError(c.res, 400, "invalid_argument",
                        std::string(name) + "=" + v.substr(0, 64) +
                            ": expected a non-negative integer below 2^63");
      }
      (std::string_view(name) == "limit" ? q.limit : q.offset) = n;
    }
    RunQuery(c, q, out);
  }

  // GET /v1/sql?q=SELECT ...
  void GetSql(Call& c) {
    if (!c.req.has_param("q")) {
      return SetError(c.res, 400, "invalid_argument", "missing parameter q (the SQL text)");
    }
    Output out;
    if (!ParseOutput(c, &out)) return;
    query::TextPosition pos;
    auto q = query::ParseSql(c.req.get_param_value("q"), &pos);
    if (!q.ok()) return ParseError(c, q.status(), pos, "q");
    RunQuery(c, *q, out);
  }

  // --- catalog endpoints ------------------------------------------------------

  void Health(Call& c) {
    auto snap = Snap();
    if (!snap.ok()) return SetStatusError(c.res, snap.status());
    pmem::PoolInfo info = store->pool().Info();
    json j = {{"status", shutting_down.load() ? "shutting_down" : "ok"},
              {"pool", store->path()},
              {"uuid", info.uuid},
              {"txn", (*snap)->txn()},
              {"engine", info.engine()},
              {"read_only", store->read_only()},
              {"writes_enabled", cfg.writes_enabled},
              {"uptime", std::chrono::duration<double>(Clock::now() - started).count()}};
    SendJson(c, j, shutting_down.load() ? 503 : 200);
  }

  json TableSummary(const store::TableView& t) {
    return {{"name", t.name()},
            {"rows", t.num_rows()},
            {"chunks", t.num_chunks()},
            {"bytes", t.bytes()},
            {"datashape", SchemaToDatashape(*t.schema())}};
  }

  void ListTables(Call& c) {
    auto snap = Snap();
    if (!snap.ok()) return SetStatusError(c.res, snap.status());
    json arr = json::array();
    for (const store::TableView& t : (*snap)->tables()) arr.push_back(TableSummary(t));
    c.res.set_header("X-Quiver-Txn", std::to_string((*snap)->txn()));
    SendJson(c, arr);
  }

  json TableDetail(const store::Snapshot& snap, const store::TableView& t) {
    json j = TableSummary(t);
    j["fields"] = FieldsJson(*t.schema());
    j["schema"] = json::parse(SchemaToJson(*t.schema()));
    json cols = json::array();
    for (size_t i = 0; i < t.schema()->num_fields(); ++i) cols.push_back(ColumnStatsJson(t, i));
    j["columns"] = cols;
    json chunks = json::array();
    for (size_t i = 0; i < t.chunks().size(); ++i) {
      const store::ChunkInfo& ch = t.chunks()[i];
      chunks.push_back({{"index", i}, {"rows", ch.rows}, {"offset", ch.offset},
                        {"length", ch.length}, {"txn", ch.created_txn}});
    }
    j["chunk_list"] = chunks;
    j["created"] = IsoTime(t.created_ns());
    j["modified"] = IsoTime(t.modified_ns());
    j["modified_txn"] = t.modified_txn();
    char abs[4096];
    std::string pool = store->path();
    if (realpath(pool.c_str(), abs) != nullptr) pool = abs;
    j["zero_copy"] = {{"pool", pool},
                      {"uuid", store->pool().Info().uuid},
                      {"txn", snap.txn()},
                      {"table", t.name()},
                      {"note", "map the pool read-only and pin txn (store/store.h, Store::Open "
                               "with read_only); chunk offsets are bytes from the file start"}};
    return j;
  }

  void DescribeTable(Call& c, const std::string& name) {
    auto snap = Snap();
    if (!snap.ok()) return SetStatusError(c.res, snap.status());
    auto t = (*snap)->table(name);
    if (!t.ok()) return TableNotFound(c, **snap, t.status());
    c.res.set_header("X-Quiver-Txn", std::to_string((*snap)->txn()));
    SendJson(c, TableDetail(**snap, **t));
  }

  // --- writes -------------------------------------------------------------------

  void CreateTable(Call& c) {
    std::string media = MediaType(c.req);
    if (media != "application/json") {
      return SetError(c.res, 415, "unsupported_media_type",
                      "create a table with Content-Type: application/json and "
                      "{\"name\": ..., \"schema\": {...} or \"datashape\": \"...\"}");
    }
    json body;
    if (!ParseJsonBody(c.req.body, &body, c.res)) return;
    if (!body.is_object() || !body.contains("name") || !body["name"].is_string()) {
      return SetError(c.res, 400, "invalid_argument",
                      "expected {\"name\": \"t\", \"schema\": {\"fields\": [...]}} or "
                      "{\"name\": \"t\", \"datashape\": \"var * {...}\"}");
    }
    for (auto it = body.begin(); it != body.end(); ++it) {
      if (it.key() != "name" && it.key() != "schema" && it.key() != "datashape" &&
          it.key() != "if_not_exists") {
        return SetError(c.res, 400, "invalid_argument",
                        "unknown key \"" + it.key() +
                            "\" (known: name, schema, datashape, if_not_exists)");
      }
    }
    std::string name = body["name"].get<std::string>();
    if (!ValidName(c, name)) return;
    Result<std::shared_ptr<const Schema>> schema = Status::Invalid("");
    if (body.contains("schema") == body.contains("datashape")) {
      return SetError(c.res, 400, "invalid_argument", "give exactly one of \"schema\" and \"datashape\"");
    }
    if (body.contains("schema")) {
      schema = SchemaFromJson(body["schema"].dump());
    } else if (body["datashape"].is_string()) {
      schema = SchemaFromDatashape(body["datashape"].get<std::string>());
    } else {
      return SetError(c.res, 400, "invalid_argument", "\"datashape\" must be a string");
    }
    if (!schema.ok()) {
      return SetError(c.res, 422, StatusCodeName(schema.status().code()),
                      "schema: " + schema.status().message());
    }
    bool if_not_exists = body.value("if_not_exists", false);
    Status s = store->CreateTable(name, **schema, if_not_exists);
    if (!s.ok()) {
      if (s.code() == StatusCode::kInvalidArgument) {
        return SetError(c.res, 422, "invalid_argument", s.message());
      }
      return SetStatusError(c.res, s);
    }
    auto snap = Snap();
    if (!snap.ok()) return SetStatusError(c.res, snap.status());
    auto t = (*snap)->table(name);
    if (!t.ok()) return SetStatusError(c.res, t.status());
    json j = TableDetail(**snap, **t);
    j["txn"] = (*snap)->txn();
    c.res.set_header("Location", "/v1/tables/" + name);
    SendJson(c, j, 201);
  }

  void AppendRows(Call& c, const std::string& name) {
    auto snap = Snap();
    if (!snap.ok()) return SetStatusError(c.res, snap.status());
    auto t = (*snap)->table(name);
    std::shared_ptr<const Schema> schema;
    bool create = c.req.get_param_value("create") == "true" || c.req.get_param_value("create") == "1";
    if (t.ok()) {
      schema = (*t)->schema();
    } else if (!create || MediaType(c.req).find("arrow") == std::string::npos) {
      return TableNotFound(c, **snap, t.status());
    }
    auto batches = ParseRowsBody(MediaType(c.req), c.req.body, schema);
    if (!batches.ok()) {
      const Status& s = batches.status();
      int http = s.code() == StatusCode::kNotSupported ? 415 : 422;
      if (s.code() == StatusCode::kNotFound) http = 404;
      return SetError(c.res, http, http == 415 ? "unsupported_media_type" : StatusCodeName(s.code()),
                      s.message());
    }
    store::WriteOptions opts;
    opts.mode = store::WriteMode::kAppend;
    opts.durability = pmem::Durability::kSync;
    if (!t.ok()) opts.create_schema = batches->schema;
    int64_t rows = 0;
    for (const RecordBatch& b : batches->batches) rows += b.num_rows;
    auto txn = store->Write(name, batches->batches, opts);
    if (!txn.ok()) {
      const Status& s = txn.status();
      if (s.code() == StatusCode::kInvalidArgument) return SetError(c.res, 422, "invalid_argument", s.message());
      return SetStatusError(c.res, s);
    }
    metrics.rows_appended += uint64_t(rows);
    c.rows = rows;
    SendJson(c, {{"table", name}, {"rows", rows}, {"txn", *txn}, {"created", !t.ok()}},
             t.ok() ? 200 : 201);
  }

  void DropTable(Call& c, const std::string& name) {
    Status s = store->DropTable(name);
    if (!s.ok()) {
      if (s.code() == StatusCode::kNotFound) {
        auto snap = Snap();
        if (snap.ok()) return TableNotFound(c, **snap, s);
      }
      return SetStatusError(c.res, s);
    }
    auto snap = Snap();
    if (!snap.ok()) return SetStatusError(c.res, snap.status());
    SendJson(c, {{"dropped", name}, {"txn", (*snap)->txn()}});
  }

  void ServeMetrics(Call& c) {
    std::string text = metrics.Render();
    pmem::PoolInfo info = store->pool().Info();
    auto gauge = [&](const char* name, const char* help, double v) {
      text += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n" + name +
              " " + std::to_string(v) + "\n";
    };
    auto snap = Snap();
    gauge("quiver_pool_used_bytes", "Bytes of the pool in use (extents and metadata).",
          double(info.used_bytes));
    gauge("quiver_pool_capacity_bytes", "Capacity of the pool.", double(info.capacity));
    gauge("quiver_pool_txn", "Current committed transaction id.",
          double(snap.ok() ? (*snap)->txn() : info.txn_id));
    gauge("quiver_pool_reader_pins", "Reader slots pinned in the pool (all processes).",
          double(info.readers.size()));
    gauge("quiver_queries_running", "Queries running now.", double(queries_running.load()));
    gauge("quiver_uptime_seconds", "Seconds since the server started.",
          std::chrono::duration<double>(Clock::now() - started).count());
    SendBody(c, std::move(text), "text/plain; version=0.0.4");
  }

  // --- routing --------------------------------------------------------------------

  enum class Kind { kNone, kIndex, kHealth, kOpenApi, kMetrics, kTables, kTable, kRows,
                    kTableQuery, kQuery, kSql };

  struct Route {
    Kind kind = Kind::kNone;
    std::string label;
    std::string table;
    const char* allow = "";
  };

  static std::vector<std::string> Split(const std::string& path) {
    std::vector<std::string> parts;
    size_t i = 1;
    while (i <= path.size()) {
      size_t j = path.find('/', i);
      if (j == std::string::npos) j = path.size();
      parts.push_back(path.substr(i, j - i));
      i = j + 1;
    }
    return parts;
  }

  static Route Match(const std::string& path) {
    Route r;
    if (path == "/" || path == "/index.html") return {Kind::kIndex, "/", "", "GET, HEAD"};
    if (path == "/metrics") return {Kind::kMetrics, "/metrics", "", "GET, HEAD"};
    auto p = Split(path);
    if (p.size() < 2 || p[0] != "v1") return r;
    if (p.size() == 2) {
      if (p[1] == "health") return {Kind::kHealth, "/v1/health", "", "GET, HEAD"};
      if (p[1] == "openapi.json") return {Kind::kOpenApi, "/v1/openapi.json", "", "GET, HEAD"};
      if (p[1] == "tables") return {Kind::kTables, "/v1/tables", "", "GET, HEAD, POST"};
      if (p[1] == "query") return {Kind::kQuery, "/v1/query", "", "POST"};
      if (p[1] == "sql") return {Kind::kSql, "/v1/sql", "", "GET, HEAD"};
      return r;
    }
    if (p[1] != "tables") return r;
    if (p.size() == 3) return {Kind::kTable, "/v1/tables/{name}", p[2], "GET, HEAD, DELETE"};
    if (p.size() == 4 && p[3] == "rows") {
      return {Kind::kRows, "/v1/tables/{name}/rows", p[2], "GET, HEAD, POST"};
    }
    if (p.size() == 4 && p[3] == "query") {
      return {Kind::kTableQuery, "/v1/tables/{name}/query", p[2], "POST"};
    }
    return r;
  }

  void AddCors(Call& c) {
    if (cfg.cors_origins.empty()) return;
    std::string origin = c.req.get_header_value("Origin");
    bool any = std::find(cfg.cors_origins.begin(), cfg.cors_origins.end(), "*") != cfg.cors_origins.end();
    if (any) {
      c.res.set_header("Access-Control-Allow-Origin", "*");
    } else if (!origin.empty() &&
               std::find(cfg.cors_origins.begin(), cfg.cors_origins.end(), origin) != cfg.cors_origins.end()) {
      c.res.set_header("Access-Control-Allow-Origin", origin);
      c.res.set_header("Vary", "Origin");
    }
  }

  void Dispatch(const httplib::Request& req, httplib::Response& res) {
    Call c{req, res, "other"};
    EnterRequest();
    Route r = Match(req.path);
    if (r.kind != Kind::kNone) c.route = r.label;
    try {
      Handle(c, r);
    } catch (const std::exception& e) {
      // nlohmann-json and the standard library may throw on odd input; no
      // exception leaves the HTTP layer.
      if (!c.streaming) SetError(res, 500, "internal", std::string("internal error: ") + e.what());
    }
    Finish(c);
  }

  void Handle(Call& c, const Route& r) {
    AddCors(c);
    const std::string& m = c.req.method;
    if (shutting_down.load() && r.kind != Kind::kHealth) {
      c.res.set_header("Connection", "close");
      c.res.set_header("Retry-After", "1");
      return SetError(c.res, 503, "unavailable", "the server is shutting down");
    }
    if (r.kind == Kind::kNone) {
      return SetError(c.res, 404, "not_found",
                      "no endpoint " + c.req.path.substr(0, 256) +
                          " (see GET /v1/openapi.json for the API)");
    }
    std::string allow = r.allow;
    if (m == "OPTIONS") {
      c.res.set_header("Allow", allow + ", OPTIONS");
      if (!cfg.cors_origins.empty()) {
        c.res.set_header("Access-Control-Allow-Methods", allow + ", OPTIONS");
        c.res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept");
        c.res.set_header("Access-Control-Max-Age", "600");
      }
      c.res.status = 204;
      return;
    }
    std::string method = m == "HEAD" ? "GET" : m;
    if (allow.find(method) == std::string::npos) {
      c.res.set_header("Allow", allow + ", OPTIONS");
      return SetError(c.res, 405, "method_not_allowed",
                      m + " is not allowed on " + r.label + " (allowed: " + allow + ")");
    }
    bool write = method == "POST" && (r.kind == Kind::kTables || r.kind == Kind::kRows);
    write = write || method == "DELETE";
    if (!r.table.empty() && !ValidName(c, r.table)) return;
    if (write) {
      if (!CheckWritable(c)) return;
    } else if (r.kind != Kind::kHealth && r.kind != Kind::kIndex && r.kind != Kind::kOpenApi) {
      if (!CheckAuth(c, /*write=*/false)) return;
    }
    switch (r.kind) {
      case Kind::kIndex:
        c.res.set_header("Cache-Control", "no-cache");
        return SendBody(c, std::string(WebPageHtml()), "text/html; charset=utf-8");
      case Kind::kHealth: return Health(c);
      case Kind::kOpenApi: return SendBody(c, OpenApiDocument(), "application/json");
      case Kind::kMetrics: return ServeMetrics(c);
      case Kind::kTables: return method == "GET" ? ListTables(c) : CreateTable(c);
      case Kind::kTable: return method == "GET" ? DescribeTable(c, r.table) : DropTable(c, r.table);
      case Kind::kRows: return method == "GET" ? GetRows(c, r.table) : AppendRows(c, r.table);
      case Kind::kTableQuery: return PostQuery(c, r.table);
      case Kind::kQuery: return PostQuery(c, "");
      case Kind::kSql: return GetSql(c);
      case Kind::kNone: break;
    }
  }

  // Refuses bodies before they are read; hides Accept-Encoding from httplib.
  httplib::Server::HandlerResponse PreRoute(const httplib::Request& req, httplib::Response& res) {
    // cpp-httplib compresses some content types by itself (gzip, brotli)
    // without a size threshold; we compress instead. The Request object is
    // not const where httplib owns it, so changing its headers is defined.
    auto& mreq = const_cast<httplib::Request&>(req);
    std::string ae = mreq.get_header_value("Accept-Encoding");
    mreq.headers.erase("Accept-Encoding");
    mreq.headers.erase(kAcceptEncodingStash);
    if (!ae.empty()) mreq.headers.emplace(kAcceptEncodingStash, ae);
    if (BodyCheck(req, res)) return httplib::Server::HandlerResponse::Unhandled;
    Call c{req, res, Match(req.path).label};
    if (c.route.empty()) c.route = "other";
    EnterRequest();
    Finish(c);
    return httplib::Server::HandlerResponse::Handled;
  }

  // True when the body may be read; else fills a 411/413 response.
  bool BodyCheck(const httplib::Request& req, httplib::Response& res, bool expect_continue = false) {
    bool has_body = req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
    if (!has_body) return true;
    bool chunked = req.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos;
    if (!req.has_header("Content-Length") && !chunked) {
      res.set_header("Connection", "close");
      SetError(res, 411, "length_required", "a request body needs a Content-Length (or chunked encoding)");
      return false;
    }
    if (req.has_header("Content-Length")) {
      std::string v = req.get_header_value("Content-Length");
      uint64_t n = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || p != v.data() + v.size()) {
        res.set_header("Connection", "close");
        SetError(res, 400, "invalid_argument", "Content-Length is not a number");
        return false;
      }
      // A body a little over the limit is read and discarded by httplib
      // (payload_max_length), so that the client, still sending it, gets the
      // 413; a far larger one is refused at once and the connection closed.
      if (n > cfg.max_body_bytes + (expect_continue ? 0 : kDrainBytes)) {
        res.set_header("Connection", "close");
        SetError(res, 413, "payload_too_large",
                 "request body of " + v + " bytes is over the limit of " +
                     std::to_string(cfg.max_body_bytes) + " bytes (max_body_bytes)");
        return false;
      }
    }
    return true;
  }
};

// ---------------------------------------------------------------------------

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists: return 409;
    case StatusCode::kLocked: return 409;
    case StatusCode::kTypeError:
    case StatusCode::kOverflow:
    case StatusCode::kNotSupported: return 422;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kResourceExhausted:
    case StatusCode::kCancelled: return 503;
    case StatusCode::kOutOfSpace: return 507;
    case StatusCode::kIOError:
    case StatusCode::kCorruption:
    case StatusCode::kDataLoss:
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

Result<std::unique_ptr<Server>> Server::Create(store::Store* store, ServerConfig config) {
  QUIVER_RETURN_NOT_OK(ValidateServerConfig(config));
  if (config.writes_enabled && store->read_only()) {
    return Status::Invalid("writes_enabled needs the pool opened as its writer, not read-only");
  }
  auto impl = std::make_unique<Impl>();
  impl->store = store;
  impl->cfg = std::move(config);
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  if (impl_->svr) {
    Shutdown(std::chrono::milliseconds(0));
    Wait();
  }
}

Status Server::Start() {
  Impl* im = impl_.get();
  if (im->svr) return Status::Invalid("server already started");
  auto svr = std::make_unique<HttpServer>();
  const ServerConfig& cfg = im->cfg;
  size_t threads = size_t(cfg.threads);
  svr->new_task_queue = [im, threads] { return new Impl::Queue(threads, im); };
  svr->set_tcp_nodelay(true);
  svr->set_payload_max_length(size_t(cfg.max_body_bytes));
  svr->set_read_timeout(std::chrono::milliseconds(cfg.read_timeout_ms));
  svr->set_keep_alive_timeout(5);
  // httplib closes a keep-alive connection after 5 requests by default.
  svr->set_keep_alive_max_count(100000);
  svr->set_pre_routing_handler(
      [im](const httplib::Request& req, httplib::Response& res) { return im->PreRoute(req, res); });
  svr->set_expect_100_continue_handler([im](const httplib::Request& req, httplib::Response& res) {
    return im->BodyCheck(req, res, /*expect_continue=*/true) ? 100 : res.status;
  });
  auto h = [im](const httplib::Request& req, httplib::Response& res) { im->Dispatch(req, res); };
  svr->Get(".*", h);
  svr->Post(".*", h);
  svr->Put(".*", h);
  svr->Patch(".*", h);
  svr->Delete(".*", h);
  svr->Options(".*", h);
  // Errors httplib produces itself (a body over the limit while reading, a
  // malformed request) get our JSON error body too.
  svr->set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty() || res.content_provider_) return httplib::Server::HandlerResponse::Unhandled;
    std::string code = res.status == 413 ? "payload_too_large" : res.status == 404 ? "not_found" : "bad_request";
    SetError(res, res.status, code,
             res.status == 413 ? "request body over max_body_bytes"
                               : "HTTP " + std::to_string(res.status) + " (malformed request)");
    return httplib::Server::HandlerResponse::Handled;
  }));
  int port = cfg.port;
  if (port == 0) {
    port = svr->bind_to_any_port(cfg.host);
    if (port < 0) return Status::IOError("cannot bind " + cfg.host + " to a free port");
  } else if (!svr->bind_to_port(cfg.host, port)) {
    return Status::IOError("cannot listen on " + cfg.host + ":" + std::to_string(port) +
                           " (address in use, or not an address of this machine)");
  }
  svr->RaiseBacklog();
  im->port = port;
  im->svr = std::move(svr);
  im->watchdog = std::thread([im] { im->WatchdogLoop(); });
  im->listen_thread = std::thread([im] {
    im->svr->listen_after_bind();
    {
      std::lock_guard<std::mutex> g(im->mu);
      im->listen_returned = true;
      im->accept_done = true;
    }
    im->cv.notify_all();
  });
  return Status::OK();
}

int Server::port() const { return impl_->port; }

void Server::Shutdown(std::chrono::milliseconds grace) {
  Impl* im = impl_.get();
  if (!im->svr) return;
  {
    std::lock_guard<std::mutex> g(im->mu);
    if (!im->shutting_down.exchange(true)) {
      im->cancel_pending = true;
      im->cancel_at = Clock::now() + grace;
    } else if (Clock::now() + grace < im->cancel_at) {
      im->cancel_at = Clock::now() + grace;
    }
    if (grace.count() == 0) {
      for (const auto& q : im->queries) q->Cancel(2);
    }
  }
  im->cv.notify_all();
  im->svr->StopAccepting();
}

void Server::Wait() {
  Impl* im = impl_.get();
  if (!im->svr) return;
  {
    std::unique_lock<std::mutex> lk(im->mu);
    if (im->joined) return;
    im->cv.wait(lk, [im] { return im->accept_done && im->inflight == 0; });
  }
  im->svr->ReleaseConnections();
  if (im->listen_thread.joinable()) im->listen_thread.join();
  {
    std::lock_guard<std::mutex> g(im->mu);
    im->watchdog_stop = true;
    im->joined = true;
  }
  im->cv.notify_all();
  if (im->watchdog.joinable()) im->watchdog.join();
  im->FlushLog();
}

// ---------------------------------------------------------------------------
// Metrics

const double Metrics::kBucketBounds[Metrics::kBuckets] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                         0.05,   0.1,   0.25,   0.5,   1,    2.5, 10};

void Metrics::Request(const std::string& route, int status, double seconds) {
  std::lock_guard<std::mutex> g(mu_);
  ++requests_[{route, status}];
  Histogram& h = latency_[route];
  for (int i = 0; i < kBuckets; ++i) {
    if (seconds <= kBucketBounds[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::Render() const {
  std::ostringstream o;
  {
    std::lock_guard<std::mutex> g(mu_);
    o << "# HELP quiver_http_requests_total HTTP requests by route and status.\n"
         "# TYPE quiver_http_requests_total counter\n";
    for (const auto& [k, n] : requests_) {
      o << "quiver_http_requests_total{route=\"" << k.first << "\",status=\"" << k.second
        << "\"} " << n << "\n";
    }
    o << "# HELP quiver_http_request_duration_seconds Time to the response (first byte of a "
         "stream).\n# TYPE quiver_http_request_duration_seconds histogram\n";
    for (const auto& [route, h] : latency_) {
      for (int i = 0; i < kBuckets; ++i) {
        o << "quiver_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\""
          << kBucketBounds[i] << "\"} " << h.buckets[i] << "\n";
      }
      o << "quiver_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\"+Inf\"} "
        << h.count << "\n";
      o << "quiver_http_request_duration_seconds_sum{route=\"" << route << "\"} " << h.sum << "\n";
      o << "quiver_http_request_duration_seconds_count{route=\"" << route << "\"} " << h.count
        << "\n";
    }
  }
  auto counter = [&](const char* name, const char* help, uint64_t v) {
    o << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n"
      << name << " " << v << "\n";
  };
  counter("quiver_queries_total", "Queries started.", queries.load());
  counter("quiver_queries_rejected_total", "Queries refused over max_concurrent_queries.",
          queries_rejected.load());
  counter("quiver_rows_scanned_total", "Rows of the chunks queries read.", rows_scanned.load());
  counter("quiver_rows_returned_total", "Rows queries returned.", rows_returned.load());
  counter("quiver_chunks_scanned_total", "Chunks queries read.", chunks_scanned.load());
  counter("quiver_chunks_pruned_total", "Chunks skipped by their statistics.", chunks_pruned.load());
  counter("quiver_rows_appended_total", "Rows appended over HTTP.", rows_appended.load());
  counter("quiver_http_response_bytes_total", "Response body bytes sent (after compression).",
          bytes_sent.load());
  return o.str();
}

}  // namespace quiver::http
