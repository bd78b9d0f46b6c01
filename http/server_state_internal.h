// The state quiverd's handlers share, and the handlers themselves: free
// functions over one ServerState, grouped by resource (router.cc,
// query_routes.cc, table_routes.cc, metrics.cc, request_log.cc; server.cc
// keeps start/stop, the watchdog and the registry of running queries).
// Private to http/; the only header besides server.h that includes
// cpp-httplib.
//
// Ownership: the Server owns its ServerState; the state borrows the Store.
// Thread-safety: handlers run on the server's worker threads at once; the
// fields below say what guards them.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "columnar/text_format.h"
#include "config/status.h"
#include "http/compress_internal.h"
#include "http/connection_loop_internal.h"
#include "http/server.h"
#include "http/server_internal.h"
#include "store/exec.h"
#include "store/query.h"
#include "store/store.h"

namespace quiver::http {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// Output produced inside the handler before a response is streamed.
inline constexpr size_t kStreamBytes = 256 * 1024;
// Where the pre-routing hook keeps the client's Accept-Encoding.
inline constexpr const char* kAcceptEncodingStash = "X-Quiver-Accept-Encoding";

double MsSince(Clock::time_point t);

// The socket of the connection this worker thread is serving (-1 when
// none); set by the connection loop's serve function (server.cc).
int& ServingSocket();
// The same connection's chunk writer (connection_loop_internal.h), or null
// when the request is not served by the connection loop.
class ChunkWriter;
ChunkWriter*& ServingChunks();

// Why a running query was cancelled.
enum class CancelReason : int {
  kNone = 0,
  kTimeout = 1,
  kShutdown = 2,
  kClientGone = 3,
  kClientRequest = 4,  // DELETE /v1/queries/{id}
};
// The label of a reason in /metrics: timeout, shutdown, client_gone, client_request.
const char* CancelReasonName(CancelReason r);

// The cancel flag of one running query, set by the watchdog (timeout,
// shutdown), by the response writer (client gone) or by DELETE
// /v1/queries/{id}. Thread-safe.
struct QueryCtx {
  std::atomic<bool> cancel{false};
  std::atomic<CancelReason> reason{CancelReason::kNone};
  Clock::time_point deadline = Clock::time_point::max();
  int64_t timeout_ms = 0;
  // The client's name for the query (X-Quiver-Query-Id), or empty; set
  // before the query is registered, read-only afterwards.
  std::string id;
  // The socket of the client waiting for the answer, while its worker
  // serves the request (-1 after): the watchdog cancels the query once the
  // client has closed it (kClientGone), before any answer is written.
  // Guarded by ServerState::mu.
  int client_fd = -1;
  Clock::time_point started = Clock::now();

  // The first reason given wins.
  void Cancel(CancelReason why);
  // The Cancelled status that names the reason.
  Status CancelledStatus() const;
};

// Request log lines, written to stderr in batches: from the watchdog every
// 20 ms, from a request thread once kFlushBytes pile up, and from
// Server::Wait() at the end. One write(2) per request cost a tenth of the
// point-query throughput. Thread-safe.
class RequestLog {
 public:
  static constexpr size_t kFlushBytes = 64 * 1024;
  // Adds one line (without its newline); may flush.
  void Add(const std::string& line);
  void Flush();

 private:
  std::mutex mu_;        // guards buf_
  std::mutex write_mu_;  // keeps batches in order on stderr
  std::string buf_;
};

// The query slots (max_concurrent_queries) and the queue in front of them:
// a query waits up to admission_wait_ms for a slot, at most
// admission_queue queries wait, and only past those is a query refused
// (503). Waiters are woken one per released slot; a new query does not
// overtake waiting ones. Thread-safe (admission.cc).
class Admission {
 public:
  enum class Outcome { kAdmitted, kQueueFull, kTimedOut };
  Outcome Acquire(const ServerConfig& cfg);
  void Release();  // after kAdmitted
  int running() const;
  int waiting() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int running_ = 0;
  int waiting_ = 0;
};

// Scan leases (chunk_routes.cc): each holds one table version pinned for a
// distributed reader (POST /v1/tables/{name}/scans), so that chunk requests
// of that txn keep being served while the writer goes on. A lease expires
// ttl after its last use (every chunk request naming it renews it) and is
// released by DELETE or expiry; both drop the pin at once so that the writer
// may reuse the space the version held. At most kMaxLeases live at a time.
// Thread-safe.
class ScanLeases {
 public:
  static constexpr size_t kMaxLeases = 256;
  static constexpr int64_t kDefaultTtlMs = 300'000;
  static constexpr int64_t kMaxTtlMs = 86'400'000;
  struct Lease {
    std::string id;
    std::string table;
    std::shared_ptr<const store::Snapshot> snap;
    int64_t ttl_ms = kDefaultTtlMs;
    Clock::time_point expires;
  };
  // A new lease of `table` in `snap`; ResourceExhausted past kMaxLeases.
  Result<Lease> Create(const std::string& table, std::shared_ptr<const store::Snapshot> snap,
                       int64_t ttl_ms);
  // The live lease `id` of `table`, renewed; nullopt when there is none.
  std::optional<Lease> Use(const std::string& table, const std::string& id);
  // A live lease of `table` at `txn` (not renewed), or null.
  std::shared_ptr<const store::Snapshot> FindTxn(const std::string& table, uint64_t txn);
  bool Release(const std::string& table, const std::string& id);
  // Drops expired leases; returns how many.
  size_t Sweep(Clock::time_point now);
  size_t size() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, Lease> leases_;  // by id
  uint64_t next_ = 1;
};

// Appends staged under a client's staging id (POST .../rows?stage=ID), held
// in memory until POST /v1/tables/{name}/stages/{id} writes them all in one
// transaction (or DELETE drops them); the stage's parts are keyed by their
// idempotency key, so that a retried part replaces itself instead of adding
// rows. A stage lives in this process only: a restart loses it, and its
// commit then fails (nothing was visible). Thread-safe.
class StagedAppends {
 public:
  static constexpr uint64_t kMaxBytes = 1ull << 30;  // over all stages
  static constexpr size_t kMaxStages = 64;
  struct Part {
    std::shared_ptr<const std::string> body;  // owns what the batches point into
    std::vector<RecordBatch> batches;
    int64_t rows = 0;
  };
  struct Stage {
    std::string table;
    std::map<std::string, Part> parts;  // by key
    uint64_t bytes = 0;
  };
  // Adds (or replaces) part `key` of stage `id` of `table`.
  Status Add(const std::string& table, const std::string& id, const std::string& key, Part part);
  // Removes stage `id` of `table` and returns it (nullopt if unknown).
  std::optional<Stage> Take(const std::string& table, const std::string& id);
  // Puts a taken stage back (its commit failed and may be retried).
  void Restore(const std::string& id, Stage stage);

 private:
  std::mutex mu_;
  std::map<std::string, Stage> stages_;  // by id
  uint64_t bytes_ = 0;
};

// Everything the handlers share.
struct ServerState {
  store::Store* store = nullptr;  // borrowed
  ServerConfig cfg;               // read-only once started
  Clock::time_point started = Clock::now();
  Metrics metrics;
  ConnectionCounters connections;  // kept by the connection loop
  RequestLog log;
  std::atomic<bool> shutting_down{false};
  Admission admission;
  ScanLeases leases;
  StagedAppends stages;

  // Guarded by mu: requests in flight, the registry of running queries and
  // the shutdown deadline. cv wakes Server::Wait() and the watchdog.
  std::mutex mu;
  std::condition_variable cv;
  int inflight = 0;
  bool accept_done = false;
  std::set<std::shared_ptr<QueryCtx>> queries;
  bool cancel_pending = false;
  Clock::time_point cancel_at;

  // The registry (server.cc). A query registered after the shutdown grace
  // has run out starts cancelled.
  std::shared_ptr<QueryCtx> RegisterQuery(std::string id = "", int client_fd = -1);
  // The request is done with its socket: the watchdog stops watching it.
  void ForgetClient(QueryCtx& q);
  void UnregisterQuery(const std::shared_ptr<QueryCtx>& q);
  // Cancels the running queries the client named `id`; how many.
  int CancelQueries(const std::string& id, CancelReason why);
  void EnterRequest();
  void LeaveRequest();
};

// One request from dispatch to its last byte.
struct Call {
  const httplib::Request& req;
  httplib::Response& res;
  std::string route;
  Clock::time_point start = Clock::now();
  bool streaming = false;  // the stream's releaser finishes the request
  int64_t rows = -1;
};

// --- responses (router.cc) ---------------------------------------------------

void SetError(httplib::Response& res, int status, std::string_view code, const std::string& message,
              const json& extra = nullptr);
// The error for a Status, its HTTP status from HttpStatusFor.
void SetStatusError(httplib::Response& res, const Status& s, const json& extra = nullptr);
// A 400 invalid_argument (SetStatusError of Status::Invalid).
void SetInvalid(httplib::Response& res, const std::string& message, const json& extra = nullptr);
// Sends a finished body, compressed when it is large enough and accepted.
void SendBody(ServerState& st, Call& c, std::string body, const char* content_type,
              int status = 200);
void SendJson(ServerState& st, Call& c, const json& j, int status = 200);
// The Accept-Encoding the client sent (moved aside by the pre-routing hook).
Encoding AcceptedEncoding(const httplib::Request& req);
// Parses a JSON request body; a syntax error becomes a 400 with its position.
bool ParseJsonBody(const std::string& body, json* out, httplib::Response& res);
json PositionJson(const query::TextPosition& p);
// The Content-Type without parameters, lower case.
std::string MediaType(const httplib::Request& req);
// 404 for an unknown table, with the tables that exist.
void TableNotFound(Call& c, const store::Snapshot& snap, const Status& s);
// False (and a 400) when `name` is not a valid table name.
bool ValidName(Call& c, const std::string& name);

// --- routing (router.cc) -----------------------------------------------------

// Installs the pre-routing hook, the handlers of every method and path and
// the error handler on `svr`.
void InstallHandlers(ServerState* st, httplib::Server* svr);

// --- request log (request_log.cc) ---------------------------------------------

// Counts the request in the metrics (unless `stream_error`) and adds its log
// line when log_requests is on.
void LogRequest(ServerState& st, const std::string& method, const std::string& target,
                const std::string& route, const std::string& remote, int status,
                Clock::time_point start, uint64_t bytes, int64_t rows,
                const Status* stream_error = nullptr);
// Logs a request answered without streaming and ends it.
void FinishCall(ServerState& st, Call& c);

// --- resources ---------------------------------------------------------------

// query_routes.cc
void PostQuery(ServerState& st, Call& c, const std::string& table);  // "" for /v1/query
// Runs `q` on `snap` (a pinned or sliced version) with the output format the
// request asks for (Arrow IPC stream when it names none).
void RunPinnedQuery(ServerState& st, Call& c, const query::Query& q,
                    std::shared_ptr<const store::Snapshot> snap);
void GetRows(ServerState& st, Call& c, const std::string& table);
void GetSql(ServerState& st, Call& c);
void ListQueries(ServerState& st, Call& c);
void CancelQuery(ServerState& st, Call& c, const std::string& id);
// table_routes.cc
void Health(ServerState& st, Call& c);
void ListTables(ServerState& st, Call& c);
void DescribeTable(ServerState& st, Call& c, const std::string& name);
void CreateTable(ServerState& st, Call& c);
void AppendRows(ServerState& st, Call& c, const std::string& name);
void DropTable(ServerState& st, Call& c, const std::string& name);
// A column's min or max in chunk statistics as JSON (dates and timestamps as
// text, binary as base64), null when unknown.
json StatValueJson(const DataType& type, const ColumnStats& s, bool is_min);
// chunk_routes.cc
void GetChunks(ServerState& st, Call& c, const std::string& table);  // list or data
void CreateScan(ServerState& st, Call& c, const std::string& table);
void ReleaseScan(ServerState& st, Call& c, const std::string& table, const std::string& id);
void CommitStage(ServerState& st, Call& c, const std::string& table, const std::string& id);
void DropStage(ServerState& st, Call& c, const std::string& table, const std::string& id);
// admin_routes.cc
void AdminBackup(ServerState& st, Call& c);  // POST /v1/admin/backup
// metrics.cc
void ServeMetrics(ServerState& st, Call& c);
void AddQueryStats(Metrics& m, const store::QueryStats& s);

}  // namespace quiver::http
