// quiverd's connection handling: which connections a worker thread serves,
// and for how long any one client may hold on to a connection.
//
// cpp-httplib serves a connection on one worker thread from accept to
// close, including the time it waits for a request's headers and for the
// next keep-alive request. A handful of clients that open sockets and send
// nothing (or a byte a second) then hold every worker, and /v1/health
// waits (issue 15: 16 such sockets made it take 14.7 s). The loop below
// keeps idle and half-sent connections out of the workers:
//
//  - one poller thread (epoll) owns every connection that is not being
//    served; it reads each request's header block into the connection's
//    buffer and hands the connection to a worker only once the block is
//    complete. A header block must arrive within `header_timeout` of its
//    first byte and fit in `max_header_bytes` (else 431 and close); a
//    connection with no request started is closed after `idle_timeout`.
//    A small body (Content-Length up to 256 KiB, or a chunked one that ends
//    within that) is buffered by the poller too, within the same deadline.
//  - `workers` threads each serve one request at a time (cpp-httplib's
//    request parser, router and response writer, through a Stream over the
//    connection): the body must arrive within `request_timeout` of dispatch,
//    with no gap longer than `read_timeout`, and is cut with a 413 once its
//    bytes pass `max_body_bytes` (plus 1/8 for chunk framing); a client that takes no bytes
//    for `write_timeout` loses the connection (a streamed query sees the
//    write fail and is cancelled, which releases its snapshot pin). Then the
//    connection goes back to the poller (keep-alive) or is closed.
//  - at most `max_connections` connections are open; one more gets a 503
//    with Retry-After and is closed at once, on the accepting thread.
//
// Ownership: the loop owns its threads and every socket handed to Adopt.
// Thread-safety: Adopt may be called from any thread; Start and Stop from
// the controlling thread. The serve function runs on the worker threads.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "config/status.h"

namespace quiver::http {

struct ConnectionLimits {
  int workers = 16;
  int max_connections = 512;
  size_t max_header_bytes = 64 * 1024;
  size_t max_body_bytes = 64u << 20;  // on the wire, plus 1/8 for chunk framing
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds idle_timeout{5'000};
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds request_timeout{60'000};
  std::chrono::milliseconds write_timeout{10'000};
};

// What the loop counts (read by /metrics). Thread-safe.
struct ConnectionCounters {
  std::atomic<int64_t> open{0};
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> refused{0};          // over max_connections
  std::atomic<uint64_t> header_timeouts{0};  // header block not complete in time
  std::atomic<uint64_t> idle_closed{0};      // keep-alive connections closed when idle
  std::atomic<uint64_t> header_too_large{0};
  std::atomic<uint64_t> body_too_large{0};  // bodies cut while read (413)
};

// A chunk of a chunked response's body sent straight to the connection:
// its size line, the bytes and the CRLF in one sendmsg (with the response's
// header block if it is still held), without the two copies cpp-httplib's
// DataSink makes of each chunk. An empty chunk sends nothing (the last,
// empty one is the DataSink's done()). False when the connection failed.
class ChunkWriter {
 public:
  virtual ~ChunkWriter() = default;
  virtual bool WriteChunk(std::string_view bytes) = 0;
};

class ConnectionLoop {
 public:
  // Serves one request read from `stream` (its header block is buffered).
  // `close_connection`: answer with Connection: close. Returns true when
  // the connection may serve another request.
  using ServeFn = std::function<bool(httplib::Stream& stream, bool close_connection)>;

  ConnectionLoop(ConnectionLimits limits, ServeFn serve, ConnectionCounters* counters);
  ~ConnectionLoop();  // Stop()
  ConnectionLoop(const ConnectionLoop&) = delete;
  ConnectionLoop& operator=(const ConnectionLoop&) = delete;

  Status Start();
  // Takes ownership of an accepted socket (closes it when over the cap).
  void Adopt(int fd);
  // Closes every connection not being served, lets the workers finish the
  // request they serve, then joins the threads. Idempotent.
  void Stop();

  struct Conn;  // a connection: socket, buffered bytes, deadline

 private:
  void PollLoop();
  void WorkerLoop();
  void Park(Conn* c);         // poller thread: watch for the next request
  void ReadHeaders(Conn* c);  // poller thread: after EPOLLIN
  void Dispatch(Conn* c);     // poller thread: hand to a worker
  void Close(Conn* c);        // poller thread
  void CloseAfterServe(std::unique_ptr<Conn> c);
  bool NextRequestSoon(Conn* c);  // worker thread: the next request, if it comes at once
  void Wake();

  ConnectionLimits limits_;
  ServeFn serve_;
  ConnectionCounters* counters_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread poller_;
  std::vector<std::thread> workers_;

  // Guarded by mu_: sockets handed over (adopted or served) that the poller
  // has not taken yet, and the workers' queue.
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::vector<int> adopted_;
  std::vector<std::unique_ptr<Conn>> returned_;
  std::deque<std::unique_ptr<Conn>> ready_;
  // Poller thread only: the connections it watches, by socket.
  std::unordered_map<int, std::unique_ptr<Conn>> parked_;
};

}  // namespace quiver::http
