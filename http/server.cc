// quiverd's lifecycle: Server::Create/Start/Shutdown/Wait, the watchdog
// thread and the registry of running queries. The handlers are free
// functions over ServerState (http/server_state_internal.h): routing in
// router.cc, queries in query_routes.cc, tables in table_routes.cc, metrics
// in metrics.cc, the request log in request_log.cc.
//
// Shutdown. The listening socket is shut down, so the accept loop ends;
// requests in flight (streams included) finish; those still running after
// the grace period are cancelled; new requests on open connections get 503.
// When nothing is in flight, open keep-alive connections are closed.
#include "http/server.h"

#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "http/connection_loop_internal.h"
#include "http/server_state_internal.h"

namespace quiver::http {

namespace {

// cpp-httplib's server with a way to stop accepting without cutting off
// responses in flight (Server::stop() ends running streams at once), and
// with our connection loop (http/connection_loop_internal.h) in place of
// its thread-per-connection model: the accept loop hands each socket to
// the loop, whose workers run cpp-httplib's request parser and router.
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
  Status StartLoop(const ConnectionLimits& limits, ConnectionCounters* counters) {
    loop_ = std::make_unique<ConnectionLoop>(
        limits,
        [this](httplib::Stream& strm, bool close_connection) {
          bool closed = false;
          ServingSocket() = strm.socket();
          ServingChunks() = dynamic_cast<ChunkWriter*>(&strm);
          bool ok = process_request(strm, close_connection, closed, nullptr);
          ServingChunks() = nullptr;
          ServingSocket() = -1;
          return ok && !closed;
        },
        counters);
    return loop_->Start();
  }
  // After the accept loop has ended and nothing is in flight: closes the
  // open (keep-alive) connections and joins the loop's threads.
  void ReleaseConnections() {
    if (loop_) loop_->Stop();
  }

 private:
  // Called by the accept loop (through Queue::enqueue, on its thread).
  bool process_and_close_socket(socket_t sock) override {
    loop_->Adopt(sock);
    return true;
  }
  std::unique_ptr<ConnectionLoop> loop_;
};

// The accept loop's task queue: runs the hand-over to the connection loop
// at once, and tells us when the accept loop has ended.
class Queue : public httplib::TaskQueue {
 public:
  explicit Queue(ServerState* st) : st_(st) {}
  void enqueue(std::function<void()> fn) override { fn(); }
  void shutdown() override {
    {
      std::lock_guard<std::mutex> g(st_->mu);
      st_->accept_done = true;
    }
    st_->cv.notify_all();
  }

 private:
  ServerState* st_;
};

ConnectionLimits LimitsOf(const ServerConfig& cfg) {
  ConnectionLimits l;
  l.workers = cfg.threads;
  l.max_connections = cfg.max_connections;
  l.max_header_bytes = cfg.max_header_bytes;
  l.max_body_bytes = cfg.max_body_bytes;
  l.header_timeout = std::chrono::milliseconds(cfg.read_timeout_ms);
  l.read_timeout = std::chrono::milliseconds(cfg.read_timeout_ms);
  l.idle_timeout = std::chrono::milliseconds(cfg.idle_timeout_ms);
  l.request_timeout = std::chrono::milliseconds(cfg.request_timeout_ms);
  l.write_timeout = std::chrono::milliseconds(cfg.write_timeout_ms);
  return l;
}

}  // namespace

double MsSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// --- running queries ----------------------------------------------------------

void QueryCtx::Cancel(CancelReason why) {
  CancelReason expected = CancelReason::kNone;
  reason.compare_exchange_strong(expected, why);
  cancel.store(true);
}

Status QueryCtx::CancelledStatus() const {
  switch (reason.load()) {
    case CancelReason::kTimeout:
      return Status::Cancelled("query cancelled after query_timeout_ms=" +
                               std::to_string(timeout_ms));
    case CancelReason::kShutdown:
      return Status::Cancelled("query cancelled: the server is shutting down");
    case CancelReason::kClientGone:
      return Status::Cancelled("query cancelled: the client went away");
    case CancelReason::kClientRequest:
      return Status::Cancelled("query cancelled by request (DELETE /v1/queries/" + id + ")");
    case CancelReason::kNone:
      break;
  }
  return Status::Cancelled("query cancelled");
}

const char* CancelReasonName(CancelReason r) {
  switch (r) {
    case CancelReason::kTimeout: return "timeout";
    case CancelReason::kShutdown: return "shutdown";
    case CancelReason::kClientGone: return "client_gone";
    case CancelReason::kClientRequest: return "client_request";
    case CancelReason::kNone: break;
  }
  return "none";
}

int& ServingSocket() {
  thread_local int fd = -1;
  return fd;
}

ChunkWriter*& ServingChunks() {
  thread_local ChunkWriter* w = nullptr;
  return w;
}

std::shared_ptr<QueryCtx> ServerState::RegisterQuery(std::string id, int client_fd) {
  auto q = std::make_shared<QueryCtx>();
  q->id = std::move(id);
  q->client_fd = client_fd;
  if (cfg.query_timeout_ms > 0) {
    q->timeout_ms = cfg.query_timeout_ms;
    q->deadline = Clock::now() + std::chrono::milliseconds(cfg.query_timeout_ms);
  }
  std::lock_guard<std::mutex> g(mu);
  if (shutting_down.load() && cancel_pending && Clock::now() >= cancel_at) {
    q->Cancel(CancelReason::kShutdown);
  }
  queries.insert(q);
  return q;
}

void ServerState::UnregisterQuery(const std::shared_ptr<QueryCtx>& q) {
  CancelReason why = q->reason.load();
  if (why != CancelReason::kNone) {
    metrics.queries_cancelled++;
    metrics.queries_cancelled_by[int(why)]++;
  }
  std::lock_guard<std::mutex> g(mu);
  queries.erase(q);
}

void ServerState::ForgetClient(QueryCtx& q) {
  std::lock_guard<std::mutex> g(mu);
  q.client_fd = -1;
}

int ServerState::CancelQueries(const std::string& id, CancelReason why) {
  std::lock_guard<std::mutex> g(mu);
  int n = 0;
  for (const auto& q : queries) {
    if (!id.empty() && q->id == id) {
      q->Cancel(why);
      ++n;
    }
  }
  return n;
}

void ServerState::EnterRequest() {
  std::lock_guard<std::mutex> g(mu);
  ++inflight;
}

// Only Wait() waits for the in-flight count, and only once the accept loop
// has ended: waking the cv's waiters (Wait() and the watchdog) on every
// request would cost two context switches per request.
void ServerState::LeaveRequest() {
  bool wake;
  {
    std::lock_guard<std::mutex> g(mu);
    wake = --inflight == 0 && accept_done;
  }
  if (wake) cv.notify_all();
}

// ---------------------------------------------------------------------------

// True when the peer of `fd` has closed the connection (an orderly close
// reads as 0 bytes; a reset as an error). A pipelined next request is data:
// the client is still there. MSG_PEEK takes nothing from the socket.
bool ClientClosed(int fd) {
  char b;
  ssize_t n = ::recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0) return false;
  if (n == 0) return true;
  return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
}

struct Server::Impl {
  ServerState state;
  std::unique_ptr<HttpServer> svr;
  std::thread listen_thread;
  std::thread watchdog;
  int port = -1;
  // Guarded by state.mu.
  bool listen_returned = false;
  bool joined = false;
  bool watchdog_stop = false;

  // Cancels queries past their deadline (or all, once the shutdown grace
  // has run out) and flushes the request log. (The Store's cached snapshot
  // holds no pin once the last request lets go: an idle server pins nothing.)
  void WatchdogLoop() {
    ServerState& st = state;
    std::unique_lock<std::mutex> lk(st.mu);
    while (!watchdog_stop) {
      st.cv.wait_for(lk, std::chrono::milliseconds(20));
      auto now = Clock::now();
      bool cancel_all = st.cancel_pending && now >= st.cancel_at;
      for (const auto& q : st.queries) {
        if (cancel_all)
          q->Cancel(CancelReason::kShutdown);
        else if (now >= q->deadline)
          q->Cancel(CancelReason::kTimeout);
        else if (q->client_fd >= 0 && !q->cancel.load() && ClientClosed(q->client_fd))
          q->Cancel(CancelReason::kClientGone);
      }
      lk.unlock();
      st.log.Flush();
      st.metrics.scans_expired += st.leases.Sweep(now);
      lk.lock();
    }
  }
};

Result<std::unique_ptr<Server>> Server::Create(store::Store* store, ServerConfig config) {
  QUIVER_RETURN_NOT_OK(ValidateServerConfig(config));
  if (config.writes_enabled && store->read_only()) {
    return Status::Invalid("writes_enabled needs the pool opened as its writer, not read-only");
  }
  auto impl = std::make_unique<Impl>();
  impl->state.store = store;
  impl->state.cfg = std::move(config);
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
  ServerState* st = &im->state;
  const ServerConfig& cfg = st->cfg;
  svr->new_task_queue = [st] { return new Queue(st); };
  svr->set_payload_max_length(size_t(cfg.max_body_bytes));
  // What cpp-httplib's Keep-Alive header tells clients: the connection loop
  // closes a connection idle for idle_timeout_ms and sets no request count
  // (cpp-httplib's default header said max=5, and some clients reconnect
  // after five requests).
  svr->set_keep_alive_timeout(std::max<time_t>(1, time_t(cfg.idle_timeout_ms / 1000)));
  svr->set_keep_alive_max_count(1'000'000);
  InstallHandlers(st, svr.get());
  int port = cfg.port;
  if (port == 0) {
    port = svr->bind_to_any_port(cfg.host);
    if (port < 0) return Status::IOError("cannot bind " + cfg.host + " to a free port");
  } else if (!svr->bind_to_port(cfg.host, port)) {
    return Status::IOError("cannot listen on " + cfg.host + ":" + std::to_string(port) +
                           " (address in use, or not an address of this machine)");
  }
  svr->RaiseBacklog();
  QUIVER_RETURN_NOT_OK(svr->StartLoop(LimitsOf(cfg), &st->connections));
  im->port = port;
  im->svr = std::move(svr);
  im->watchdog = std::thread([im] { im->WatchdogLoop(); });
  im->listen_thread = std::thread([im] {
    im->svr->listen_after_bind();
    {
      std::lock_guard<std::mutex> g(im->state.mu);
      im->listen_returned = true;
      im->state.accept_done = true;
    }
    im->state.cv.notify_all();
  });
  return Status::OK();
}

int Server::port() const { return impl_->port; }

void Server::Shutdown(std::chrono::milliseconds grace) {
  Impl* im = impl_.get();
  if (!im->svr) return;
  ServerState& st = im->state;
  {
    std::lock_guard<std::mutex> g(st.mu);
    if (!st.shutting_down.exchange(true)) {
      st.cancel_pending = true;
      st.cancel_at = Clock::now() + grace;
    } else if (Clock::now() + grace < st.cancel_at) {
      st.cancel_at = Clock::now() + grace;
    }
    if (grace.count() == 0) {
      for (const auto& q : st.queries) q->Cancel(CancelReason::kShutdown);
    }
  }
  st.cv.notify_all();
  im->svr->StopAccepting();
}

void Server::Wait() {
  Impl* im = impl_.get();
  if (!im->svr) return;
  ServerState& st = im->state;
  {
    std::unique_lock<std::mutex> lk(st.mu);
    if (im->joined) return;
    st.cv.wait(lk, [&st] { return st.accept_done && st.inflight == 0; });
  }
  im->svr->ReleaseConnections();
  if (im->listen_thread.joinable()) im->listen_thread.join();
  {
    std::lock_guard<std::mutex> g(st.mu);
    im->watchdog_stop = true;
    im->joined = true;
  }
  st.cv.notify_all();
  if (im->watchdog.joinable()) im->watchdog.join();
  st.log.Flush();
}

}  // namespace quiver::http
