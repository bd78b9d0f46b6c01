// quiverd's connection loop: the poller that owns idle and half-sent
// connections, the workers that serve complete requests, and the Stream
// over a connection that cpp-httplib's request parser reads and writes
// through (see connection_loop_internal.h).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "http/connection_loop_internal.h"

namespace quiver::http {

using Clock = std::chrono::steady_clock;

struct ConnectionLoop::Conn {
  int fd = -1;
  std::string buf;  // bytes received and not yet consumed: buf[off..]
  size_t off = 0;
  size_t scanned = 0;     // buf[off..scanned) holds no header terminator
  size_t header_end = 0;  // when known: the end of the header block in buf
  size_t ready_at = 0;    // when known: dispatch once buf holds this much
  bool request_started = false;
  Clock::time_point deadline;

  size_t buffered() const { return buf.size() - off; }
  void Consume(size_t n) {
    off += n;
    if (off == buf.size()) {
      buf.clear();
      off = scanned = 0;
    }
  }
  // True when the buffered bytes hold a whole header block and, for a small
  // body, the body too (so that a client trickling a small body holds no
  // worker). Large bodies, chunked ones past their first kPollerBody bytes
  // and requests that expect a 100 Continue are read by the worker.
  bool RequestReady() {
    if (header_end == 0) {
      size_t from = std::max(off, scanned >= 3 ? scanned - 3 : size_t(0));
      size_t at = buf.find("\r\n\r\n", from);
      if (at == std::string::npos) {
        scanned = buf.size();
        return false;
      }
      header_end = at + 4;
      const size_t body = BodyToBuffer(std::string_view(buf).substr(off, header_end - off));
      ready_at = body == SIZE_MAX ? SIZE_MAX : header_end + body;
    }
    if (buf.size() >= ready_at) return true;
    return ready_at == SIZE_MAX && EndsChunked();
  }
  // Resets the per-request state once a worker has served the request.
  void NextRequest() {
    header_end = ready_at = 0;
    scanned = off;
  }

 private:
  static constexpr size_t kPollerBody = 256 * 1024;

  // The body bytes to buffer before dispatch (SIZE_MAX: a chunked body,
  // up to its end marker or kPollerBody bytes).
  static size_t BodyToBuffer(std::string_view head) {
    std::string lower(head);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char ch) { return char(std::tolower(ch)); });
    if (lower.find("\nexpect:") != std::string::npos) return 0;
    if (lower.find("\ntransfer-encoding:") != std::string::npos) return SIZE_MAX;
    size_t at = lower.find("\ncontent-length:");
    if (at == std::string::npos) return 0;
    size_t n = 0;
    for (at += 16; at < lower.size() && lower[at] == ' '; ++at) {
    }
    for (; at < lower.size() && std::isdigit(static_cast<unsigned char>(lower[at])); ++at) {
      n = n * 10 + size_t(lower[at] - '0');
      if (n > kPollerBody) return 0;
    }
    return n;
  }
  // True once the chunked body in the buffer is complete (its last chunk and
  // trailers arrived; what follows may be a pipelined request), malformed
  // (the worker's parser answers it), or kPollerBody bytes long.
  bool EndsChunked() const {
    if (buf.size() - header_end >= kPollerBody) return true;
    size_t at = header_end;
    for (;;) {
      size_t eol = buf.find("\r\n", at);
      if (eol == std::string::npos) return false;
      size_t n = 0, digits = 0;
      for (; at + digits < eol && std::isxdigit(static_cast<unsigned char>(buf[at + digits]));
           ++digits) {
        const char ch = char(std::tolower(static_cast<unsigned char>(buf[at + digits])));
        n = n * 16 + size_t(ch <= '9' ? ch - '0' : ch - 'a' + 10);
        if (n > kPollerBody) return true;
      }
      if (digits == 0) return true;
      if (n == 0) {  // the last chunk: trailer lines, then an empty one
        for (size_t line = eol + 2;;) {
          size_t end = buf.find("\r\n", line);
          if (end == std::string::npos) return false;
          if (end == line) return true;
          line = end + 2;
        }
      }
      at = eol + 2 + n + 2;
      if (at > buf.size()) return false;
    }
  }
};

namespace {

constexpr size_t kReadChunk = 16 * 1024;

int MsUntil(Clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - Clock::now()).count();
  return int(std::clamp<int64_t>(ms, 0, 1 << 30));
}

// Waits up to `ms` for `events` on `fd`; true when it is ready (or in error,
// which the next read or write reports).
bool WaitFd(int fd, short events, int ms) {
  pollfd p{fd, events, 0};
  for (;;) {
    int n = ::poll(&p, 1, ms);
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

// A short fixed response sent without blocking (best effort), before a
// close: over the connection cap, a header block too large or too slow.
void SendFixed(int fd, int status, const char* reason, const std::string& message) {
  std::string body = "{\"error\":{\"code\":\"" +
                     std::string(status == 503   ? "unavailable"
                                 : status == 408 ? "request_timeout"
                                 : status == 413 ? "payload_too_large"
                                                 : "header_too_large") +
                     "\",\"message\":\"" + message + "\"}}\n";
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " + reason +
                     "\r\nContent-Type: application/json\r\nConnection: close\r\n" +
                     (status == 503 ? "Retry-After: 1\r\n" : "") +
                     "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  std::string all = head + body;
  (void)!::send(fd, all.data(), all.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

void CloseFd(int fd) {
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
}

// cpp-httplib's view of a connection while a worker serves it: reads come
// from the bytes the poller buffered, then from the socket within the
// request's deadlines; writes wait at most write_timeout for progress.
class ConnStream : public httplib::Stream, public ChunkWriter {
 public:
  ConnStream(ConnectionLoop::Conn& c, const ConnectionLimits& limits, ConnectionCounters* counters)
      : c_(c),
        limits_(limits),
        counters_(counters),
        read_deadline_(Clock::now() + limits.request_timeout),
        header_bytes_(c.header_end - c.off),
        // Chunk framing may add to the body's bytes on the wire.
        max_wire_bytes_(header_bytes_ + limits.max_body_bytes + limits.max_body_bytes / 8 +
                        64 * 1024) {}

  // True once the body was cut at max_body_bytes (the 413 is sent).
  bool cut() const { return cut_; }

  bool is_readable() const override {
    // A held write goes out before waiting for the client (which may be
    // waiting for it: a 100 Continue); cpp-httplib's interface is const.
    if (!const_cast<ConnStream*>(this)->Flush()) return false;
    return c_.buffered() > 0 || WaitFd(c_.fd, POLLIN, ReadWaitMs());
  }
  bool is_writable() const override {
    return WaitFd(c_.fd, POLLOUT, int(limits_.write_timeout.count()));
  }

  ssize_t read(char* ptr, size_t size) override {
    if (cut_ || !Flush()) return -1;
    if (read_ >= max_wire_bytes_) return Cut();
    size = std::min(size, max_wire_bytes_ - read_);
    if (c_.buffered() == 0) {
      if (!WaitFd(c_.fd, POLLIN, ReadWaitMs())) return -1;
      size_t want = std::max(size, kReadChunk);
      c_.buf.resize(want);
      ssize_t n;
      do {
        n = ::recv(c_.fd, c_.buf.data(), want, 0);
      } while (n < 0 && errno == EINTR);
      if (n <= 0) {
        c_.buf.clear();
        if (n < 0 && errno == EAGAIN) return -1;
        return n;
      }
      c_.buf.resize(size_t(n));
      c_.off = c_.scanned = 0;
    }
    size_t n = std::min(size, c_.buffered());
    std::memcpy(ptr, c_.buf.data() + c_.off, n);
    c_.Consume(n);
    read_ += n;
    return ssize_t(n);
  }

  // The response's first write (cpp-httplib's status line and headers) is
  // held and goes out with the next one in a single sendmsg, or at Flush:
  // a small response is one segment, which the client takes in one read
  // (two sends cost a second syscall here and often a second wake-up
  // there). Later writes go out at once, so a stream is never held back.
  ssize_t write(const char* ptr, size_t size) override {
    if (cut_) return -1;  // the 413 went out; cpp-httplib's own error does not
    if (!wrote_ && size <= kHoldBytes) {
      wrote_ = true;
      held_.assign(ptr, size);
      return ssize_t(size);
    }
    wrote_ = true;
    if (held_.empty()) return SendSome(ptr, size);
    const std::string_view part(ptr, size);
    return SendAll(&part, 1) ? ssize_t(size) : -1;
  }

  bool WriteChunk(std::string_view bytes) override {
    if (cut_) return false;
    if (bytes.empty()) return true;
    char line[24];
    const int n = std::snprintf(line, sizeof line, "%zx\r\n", bytes.size());
    const std::string_view parts[3] = {std::string_view(line, size_t(n)), bytes, "\r\n"};
    wrote_ = true;
    return SendAll(parts, 3);
  }

  // Sends what write holds; false when the connection failed.
  bool Flush() { return held_.empty() || SendAll(nullptr, 0); }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    Name(::getpeername, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    Name(::getsockname, ip, port);
  }
  socket_t socket() const override { return c_.fd; }

 private:
  static constexpr size_t kHoldBytes = 16 * 1024;

  // One send of up to `size` bytes, waiting at most write_timeout for room.
  ssize_t SendSome(const char* ptr, size_t size) {
    for (;;) {
      ssize_t n = ::send(c_.fd, ptr, size, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
      if (!WaitFd(c_.fd, POLLOUT, int(limits_.write_timeout.count()))) return -1;
    }
  }
  // Sends the held bytes and then parts[0, count), all of them.
  bool SendAll(const std::string_view* parts, int count) {
    constexpr int kMaxParts = 4;
    std::string_view all[kMaxParts];
    int n = 0;
    if (!held_.empty()) all[n++] = held_;
    for (int i = 0; i < count && n < kMaxParts; ++i) all[n++] = parts[i];
    int first = 0;  // all[first..n) is still to send
    while (first < n) {
      iovec iov[kMaxParts];
      for (int i = first; i < n; ++i)
        iov[i - first] = {const_cast<char*>(all[i].data()), all[i].size()};
      msghdr m{};
      m.msg_iov = iov;
      m.msg_iovlen = size_t(n - first);
      const ssize_t sent = ::sendmsg(c_.fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (sent >= 0) {
        size_t left = size_t(sent);  // past the parts it finished
        while (first < n && left >= all[first].size()) left -= all[first++].size();
        if (first < n) all[first].remove_prefix(left);
        continue;
      }
      if (errno == EINTR) continue;
      if ((errno != EAGAIN && errno != EWOULDBLOCK) ||
          !WaitFd(c_.fd, POLLOUT, int(limits_.write_timeout.count()))) {
        held_.clear();
        return false;
      }
    }
    held_.clear();
    return true;
  }

  int ReadWaitMs() const {
    return std::min(int(limits_.read_timeout.count()), MsUntil(read_deadline_));
  }
  template <typename F>
  void Name(F f, std::string& ip, int& port) const {
    sockaddr_storage a{};
    socklen_t len = sizeof a;
    ip.clear();
    port = 0;
    if (f(c_.fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) return;
    char text[INET6_ADDRSTRLEN] = {};
    if (a.ss_family == AF_INET) {
      auto* in = reinterpret_cast<sockaddr_in*>(&a);
      ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
      port = ntohs(in->sin_port);
    } else if (a.ss_family == AF_INET6) {
      auto* in = reinterpret_cast<sockaddr_in6*>(&a);
      ::inet_ntop(AF_INET6, &in->sin6_addr, text, sizeof text);
      port = ntohs(in->sin6_port);
    }
    ip = text;
  }

  // A body (chunked, or over the length cpp-httplib drains) longer than
  // max_body_bytes: answer 413 and stop reading; the connection closes.
  ssize_t Cut() {
    counters_->body_too_large++;
    SendFixed(
        c_.fd, 413, "Payload Too Large",
        "request body over max_body_bytes = " + std::to_string(limits_.max_body_bytes) + " bytes");
    cut_ = true;
    return -1;
  }

  ConnectionLoop::Conn& c_;
  const ConnectionLimits& limits_;
  ConnectionCounters* counters_;
  Clock::time_point read_deadline_;
  size_t header_bytes_;
  size_t max_wire_bytes_;
  size_t read_ = 0;
  bool cut_ = false;
  bool wrote_ = false;  // the response's first write came
  std::string held_;    // that write, until the next or Flush
};

}  // namespace

ConnectionLoop::ConnectionLoop(ConnectionLimits limits, ServeFn serve, ConnectionCounters* counters)
    : limits_(limits), serve_(std::move(serve)), counters_(counters) {}

ConnectionLoop::~ConnectionLoop() {
  Stop();
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

Status ConnectionLoop::Start() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) {
    return Status::IOError(std::string("cannot create the connection poller: ") +
                           std::strerror(errno));
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  poller_ = std::thread([this] { PollLoop(); });
  for (int i = 0; i < limits_.workers; ++i) workers_.emplace_back([this] { WorkerLoop(); });
  return Status::OK();
}

void ConnectionLoop::Wake() {
  uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
}

void ConnectionLoop::Adopt(int fd) {
  if (stopping_.load() || counters_->open.load() >= limits_.max_connections) {
    counters_->refused++;
    SendFixed(fd, 503, "Service Unavailable",
              "too many open connections (max_connections = " +
                  std::to_string(limits_.max_connections) + "); retry later");
    CloseFd(fd);
    return;
  }
  counters_->open++;
  counters_->accepted++;
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  {
    std::lock_guard<std::mutex> g(mu_);
    adopted_.push_back(fd);
  }
  Wake();
}

void ConnectionLoop::Park(Conn* c) {
  c->request_started = c->buffered() > 0;
  c->deadline = Clock::now() + (c->request_started ? limits_.header_timeout : limits_.idle_timeout);
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP;
  ev.data.fd = c->fd;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c->fd, &ev);
}

void ConnectionLoop::Close(Conn* c) {
  int fd = c->fd;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  CloseFd(fd);
  parked_.erase(fd);
  counters_->open--;  // last: a connection counts until its memory is gone
}

void ConnectionLoop::Dispatch(Conn* c) {
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c->fd, nullptr);
  auto it = parked_.find(c->fd);
  std::unique_ptr<Conn> owned = std::move(it->second);
  parked_.erase(it);
  {
    std::lock_guard<std::mutex> g(mu_);
    ready_.push_back(std::move(owned));
  }
  work_cv_.notify_one();
}

void ConnectionLoop::ReadHeaders(Conn* c) {
  while (!c->RequestReady()) {
    if (c->header_end == 0 && c->buffered() >= limits_.max_header_bytes) {
      counters_->header_too_large++;
      SendFixed(c->fd, 431, "Request Header Fields Too Large",
                "the request's header block is over " + std::to_string(limits_.max_header_bytes) +
                    " bytes");
      return Close(c);
    }
    size_t at = c->buf.size();
    c->buf.resize(at + kReadChunk);
    ssize_t n = ::recv(c->fd, c->buf.data() + at, kReadChunk, 0);
    c->buf.resize(at + size_t(std::max<ssize_t>(n, 0)));
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (n <= 0) return Close(c);  // the client closed (or the socket failed)
    if (!c->request_started) {
      c->request_started = true;
      c->deadline = Clock::now() + limits_.header_timeout;
    }
  }
  Dispatch(c);
}

void ConnectionLoop::PollLoop() {
  epoll_event evs[64];
  auto next_sweep = Clock::now();
  while (!stopping_.load()) {
    int n = ::epoll_wait(epoll_fd_, evs, 64, 50);
    for (int i = 0; i < n; ++i) {
      int fd = evs[i].data.fd;
      if (fd == wake_fd_) {
        uint64_t v;
        (void)!::read(wake_fd_, &v, sizeof v);
        continue;
      }
      auto it = parked_.find(fd);
      if (it != parked_.end()) ReadHeaders(it->second.get());
    }
    std::vector<int> adopted;
    std::vector<std::unique_ptr<Conn>> returned;
    {
      std::lock_guard<std::mutex> g(mu_);
      adopted.swap(adopted_);
      returned.swap(returned_);
    }
    for (int fd : adopted) {
      auto c = std::make_unique<Conn>();
      c->fd = fd;
      Conn* raw = c.get();
      parked_[fd] = std::move(c);
      Park(raw);
    }
    for (auto& c : returned) {
      Conn* raw = c.get();
      parked_[raw->fd] = std::move(c);
      raw->NextRequest();
      if (raw->RequestReady()) {
        Dispatch(raw);  // a pipelined request is already buffered
      } else {
        Park(raw);
      }
    }
    auto now = Clock::now();
    if (now < next_sweep) continue;
    next_sweep = now + std::chrono::milliseconds(50);
    std::vector<Conn*> expired;
    for (auto& [fd, c] : parked_) {
      if (now >= c->deadline) expired.push_back(c.get());
    }
    for (Conn* c : expired) {
      if (c->request_started) {
        counters_->header_timeouts++;
        SendFixed(c->fd, 408, "Request Timeout",
                  "the request did not arrive within read_timeout_ms");
      } else {
        counters_->idle_closed++;
      }
      Close(c);
    }
  }
  std::vector<Conn*> all;
  for (auto& [fd, c] : parked_) all.push_back(c.get());
  for (Conn* c : all) Close(c);
}

void ConnectionLoop::CloseAfterServe(std::unique_ptr<Conn> c) {
  CloseFd(c->fd);
  c.reset();
  counters_->open--;
}

// After a response, a worker waits this long for the client's next request
// on the same connection before handing it back to the poller: a client in
// a request loop answers within a round trip, and the hand-over (two thread
// wake-ups and three epoll calls) would halve the point-query rate. A
// worker serves at most kMaxInARow requests of one connection in a row.
constexpr auto kLinger = std::chrono::milliseconds(2);
constexpr int kMaxInARow = 64;

bool ConnectionLoop::NextRequestSoon(Conn* c) {
  c->NextRequest();
  auto until = Clock::now() + kLinger;
  while (!c->RequestReady()) {
    if (c->header_end == 0 && c->buffered() >= limits_.max_header_bytes) return false;
    if (!WaitFd(c->fd, POLLIN, std::max(1, MsUntil(until)))) return false;
    size_t at = c->buf.size();
    c->buf.resize(at + kReadChunk);
    ssize_t n = ::recv(c->fd, c->buf.data() + at, kReadChunk, MSG_DONTWAIT);
    c->buf.resize(at + size_t(std::max<ssize_t>(n, 0)));
    if (n <= 0) return false;  // the poller sees an end of stream, or waits
    if (Clock::now() >= until && !c->RequestReady()) return false;
  }
  return true;
}

void ConnectionLoop::WorkerLoop() {
  for (;;) {
    std::unique_ptr<Conn> c;
    {
      std::unique_lock<std::mutex> lk(mu_);
      work_cv_.wait(lk, [this] { return !ready_.empty() || stopping_.load(); });
      if (stopping_.load()) return;  // Stop() closes what is still queued
      c = std::move(ready_.front());
      ready_.pop_front();
    }
    bool keep = true;
    for (int served = 0; keep; ++served) {
      ConnStream stream(*c, limits_, counters_);
      keep = serve_(stream, stopping_.load()) && !stream.cut() && !stopping_.load();
      if (!stream.Flush()) keep = false;
      if (!keep || served + 1 >= kMaxInARow || !NextRequestSoon(c.get())) break;
    }
    if (!keep) {
      CloseAfterServe(std::move(c));
      continue;
    }
    {
      std::lock_guard<std::mutex> g(mu_);
      returned_.push_back(std::move(c));
    }
    Wake();
  }
}

void ConnectionLoop::Stop() {
  if (stopping_.exchange(true)) return;
  if (wake_fd_ >= 0) Wake();
  work_cv_.notify_all();
  if (poller_.joinable()) poller_.join();
  for (auto& t : workers_) t.join();
  workers_.clear();
  // Nothing runs now: close what was handed over but never taken.
  for (int fd : adopted_) {
    CloseFd(fd);
    counters_->open--;
  }
  adopted_.clear();
  for (auto& c : returned_) CloseAfterServe(std::move(c));
  returned_.clear();
  for (auto& c : ready_) CloseAfterServe(std::move(c));
  ready_.clear();
}

}  // namespace quiver::http
