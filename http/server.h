// quiverd: the HTTP/JSON service over one pool (cpp-httplib).
//
// A Server answers the /v1 API (health, tables, queries in SQL or the JSON
// model, rows through a URL, writes when enabled), /metrics, the OpenAPI
// document and a small web page at /. Every request takes the Store's latest
// snapshot (Store::GetSnapshot, cheap while nothing changed), so commits by
// another process (`quiver ingest`) are visible to the next request. Results
// are JSON, NDJSON, CSV or an Arrow IPC stream, streamed with chunked
// transfer encoding once they outgrow one buffer, compressed with zstd or
// gzip above a size threshold when the client accepts it.
//
// Ownership: the Server borrows the Store (which must outlive it) and owns
// its listening socket, worker threads and a watchdog thread that cancels
// queries past their timeout. Each response holds its snapshot (and so its
// reader pin) until its last byte is written.
//
// Thread-safety: Start/Shutdown/Wait are called from one controlling
// thread; Shutdown may also be called from a signal-handling thread. The
// handlers run on the server's worker threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/status.h"
#include "store/store.h"

namespace quiver::http {

// The configuration file (JSON) of quiverd; every key is optional. Unknown
// keys are an error (a misspelt limit must not be silently ignored).
struct ServerConfig {
  std::string host = "127.0.0.1";  // "listen": "HOST:PORT"
  int port = 8080;                 // 0 = any free port
  int threads = 16;  // worker threads serving requests (idle connections hold none)
  uint64_t max_body_bytes = 64ull << 20;
  int64_t max_result_rows = 10'000'000;  // rows per response; `truncated: true` past it
  int64_t query_timeout_ms = 30'000;    // 0 = none
  int max_concurrent_queries = 8;       // queries running at once; past it they queue
  int64_t admission_wait_ms = 1'000;    // a queued query waits this long for a slot, then 503
  int admission_queue = 64;             // queries waiting at most; 503 past it
  // Query size limits (400 limit_exceeded past them).
  uint64_t max_sql_bytes = 256 * 1024;  // SQL text
  int max_in_list = 10'000;             // values in one IN list
  int max_expr_depth = 64;              // nesting of the WHERE expression
  int max_result_columns = 1'000;       // items in SELECT
  int query_threads = 0;                // executor threads per query (0 = all cores)
  // Memory one query may hold in hash tables and materialised results
  // (store::QueryOptions::memory_limit_bytes); past it the query fails with
  // resource_exhausted (503). "max_query_memory": bytes or "2G"; 0 = none.
  int64_t max_query_memory = int64_t(4) << 30;
  bool writes_enabled = false;          // the server opens the pool as its writer
  std::string write_token;              // bearer token for writes (required off loopback)
  std::string read_token;               // bearer token for reads; empty = open
  std::vector<std::string> cors_origins;  // "cors": "*" or ["https://a.example"]
  uint64_t compress_min_bytes = 4096;   // compress responses at least this large
  int64_t shutdown_grace_ms = 10'000;   // drain in-flight requests, then cancel them
  // A request's header block must arrive within read_timeout_ms of its
  // first byte, and a body read waits at most this long for more bytes.
  int64_t read_timeout_ms = 10'000;
  int64_t request_timeout_ms = 60'000;  // a whole request body, from its headers
  int64_t idle_timeout_ms = 5'000;      // a keep-alive connection with no request
  int64_t write_timeout_ms = 10'000;    // a client that takes no bytes this long is dropped
  int max_connections = 512;            // open connections; 503 and close past it
  uint64_t max_header_bytes = 64 * 1024;  // request line and headers; 431 past it
  bool log_requests = true;             // one line per request on stderr (batched, within 20 ms)
  // Test hook (not in the file): called at "query_started" (a query holds
  // its slot) and at "stream" (before each piece of a streamed result is
  // produced); an error returned there is treated as the query's error.
  std::function<Status(std::string_view point)> test_hook;
};

// Parses the JSON text of a configuration file. Errors name the key.
Result<ServerConfig> ParseServerConfig(std::string_view json);
Result<ServerConfig> LoadServerConfig(const std::string& path);
// "HOST:PORT" (or ":PORT", or "PORT") into config.host / config.port.
Status ParseListen(std::string_view listen, ServerConfig* config);
// The checks done before binding: a non-loopback address with writes
// enabled needs a write token; limits must be positive.
Status ValidateServerConfig(const ServerConfig& config);

class Server {
 public:
  // `store` is read-only, or the pool's writer when config.writes_enabled.
  static Result<std::unique_ptr<Server>> Create(store::Store* store, ServerConfig config);
  ~Server();  // Shutdown() and Wait() if still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the configured address and starts serving on background threads.
  Status Start();
  // The bound port (useful with port 0).
  int port() const;
  // Stops accepting connections; requests in flight finish, and those still
  // running after `grace` are cancelled. Requests that arrive meanwhile on
  // open connections get 503. Returns at once; Wait() joins.
  void Shutdown(std::chrono::milliseconds grace);
  // Blocks until the server has stopped and every worker has finished.
  void Wait();

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The whole program behind `quiverd` and `quiver serve`:
//   --pool PATH [--listen HOST:PORT] [--config FILE] [--threads N]
// Opens the pool (read-only unless the config enables writes), serves until
// SIGTERM or SIGINT, drains, exits 0. Prints "listening on http://HOST:PORT"
// on stdout once the socket is bound (a readiness line for scripts and
// tests). `prog` names the program in messages. Returns the exit code.
int ServeMain(const std::string& prog, const std::vector<std::string>& args);

}  // namespace quiver::http
