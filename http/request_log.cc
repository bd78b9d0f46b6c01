// quiverd's request log: one line per request ("quiverd: TIME REMOTE METHOD
// TARGET STATUS N bytes MS ms [rows N]"), gathered in memory and written
// to stderr in batches.
#include <cstdio>
#include <ctime>

#include "http/server_state_internal.h"

namespace quiver::http {

void RequestLog::Add(const std::string& line) {
  bool flush;
  {
    std::lock_guard<std::mutex> g(mu_);
    buf_ += "quiverd: ";
    buf_ += line;
    buf_ += '\n';
    flush = buf_.size() >= kFlushBytes;
  }
  if (flush) Flush();
}

void RequestLog::Flush() {
  std::lock_guard<std::mutex> w(write_mu_);
  std::string out;
  {
    std::lock_guard<std::mutex> g(mu_);
    out.swap(buf_);
  }
  if (!out.empty()) std::fwrite(out.data(), 1, out.size(), stderr);
}

void LogRequest(ServerState& st, const std::string& method, const std::string& target,
                const std::string& route, const std::string& remote, int status,
                Clock::time_point start, uint64_t bytes, int64_t rows, const Status* stream_error) {
  double ms = MsSince(start);
  if (!stream_error) st.metrics.Request(route, status, ms / 1000.0);
  if (!st.cfg.log_requests) return;
  char line[256];
  time_t now = time(nullptr);
  tm tm{};
  gmtime_r(&now, &tm);
  char ts[32];
  std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::snprintf(line, sizeof line, " %d %llu bytes %.2f ms", status,
                static_cast<unsigned long long>(bytes), ms);
  std::string msg =
      std::string(ts) + " " + remote + " " + method + " " + target.substr(0, 512) + line;
  if (rows >= 0) msg += " rows " + std::to_string(rows);
  if (stream_error) msg += " stream error: " + stream_error->ToString();
  st.log.Add(msg);
}

void FinishCall(ServerState& st, Call& c) {
  if (c.streaming) return;
  st.metrics.bytes_sent += c.res.body.size();
  LogRequest(st, c.req.method, c.req.target, c.route, c.req.remote_addr, c.res.status, c.start,
             c.res.body.size(), c.rows);
  st.LeaveRequest();
}

}  // namespace quiver::http
