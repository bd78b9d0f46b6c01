// ClickBench over HTTP (tools/bench/clickbench.sh): each query of a .sql file
// (one per line) sent to quiverd's POST /v1/query over one kept-alive
// connection (TCP_NODELAY), a warm-up then RUNS timed runs; prints one JSON
// line per query (median ms, status, bytes) and keeps the last response body
// as DIR/qN.json for the runner to compare with DuckDB's rows.
//
// What is timed: from the request until the whole response body is in this
// client (a chunked body decoded into one string); nothing is parsed.
// Why a client of its own, reading 1 MiB at a time: Node's socket read path
// (the runner's former client, a plain socket) took 16-55 ms to receive Q20's 11.9 MB
// answer at 10M rows, and cpp-httplib's client (4 KiB reads) 51 ms, where
// curl takes 16-18 ms; Node also added 0.2-0.5 ms to every small answer. The
// runner counted all of that as quiverd's time.
//
//   clickbench_http HOST:PORT QUERIES.sql DIR [--runs 3] [--queries 1,2,...]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "clickbench_args.h"

namespace {

constexpr const char* kPath = "/v1/query?int64_as_string=true";

double Median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  return xs.empty() ? 0 : xs[xs.size() / 2];
}

struct Response {
  int status = 0;
  std::string body;
};

// One kept-alive HTTP/1.1 connection; a request at a time. Throws
// std::runtime_error on a transport or framing error.
class Connection {
 public:
  Connection(const std::string& host, int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(port));
    if (inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1) {
      throw std::runtime_error("not an IPv4 address: " + host);
    }
    if (connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      throw std::runtime_error("connect " + host + ":" + std::to_string(port) + ": " +
                               std::strerror(errno));
    }
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    buf_.resize(kRead);
  }
  ~Connection() { close(fd_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The response into *res; its body's memory is reused from the last
  // request (a fresh 12 MB string is 3,000 page faults to time).
  void Request(const std::string& method, const std::string& path, const std::string& body,
               Response* res) {
    std::string req = method + " " + path + " HTTP/1.1\r\nHost: quiverd\r\n";
    if (method == "POST") {
      req += "Content-Type: application/sql\r\nContent-Length: " + std::to_string(body.size()) +
             "\r\n";
    }
    req += "\r\n" + body;
    for (size_t at = 0; at < req.size();) {
      const ssize_t w = send(fd_, req.data() + at, req.size() - at, MSG_NOSIGNAL);
      if (w <= 0) throw std::runtime_error(std::string("send: ") + std::strerror(errno));
      at += size_t(w);
    }
    res->body.clear();
    const std::string status = Line();
    if (status.compare(0, 5, "HTTP/") != 0 || status.size() < 12) {
      throw std::runtime_error("bad status line: " + status);
    }
    res->status = std::stoi(status.substr(9, 3));
    int64_t length = -1;
    bool chunked = false;
    for (std::string h = Line(); !h.empty(); h = Line()) {
      std::string name = h.substr(0, h.find(':'));
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      const std::string value = h.substr(std::min(h.size(), name.size() + 1));
      if (name == "content-length") length = std::stoll(value);
      if (name == "transfer-encoding" && value.find("chunked") != std::string::npos) chunked = true;
    }
    if (chunked) {
      for (;;) {
        const int64_t n = std::stoll(Line(), nullptr, 16);
        if (n == 0) {
          while (!Line().empty()) {}  // trailers
          break;
        }
        Take(size_t(n), &res->body);
        std::string crlf;
        Take(2, &crlf);
      }
    } else if (length >= 0) {
      Take(size_t(length), &res->body);
    } else {
      throw std::runtime_error("a response without Content-Length or chunked framing");
    }
  }

 private:
  static constexpr size_t kRead = 1 << 20;

  // Reads more bytes into [begin_, end_); throws at the end of the stream.
  void Fill() {
    if (begin_ == end_) begin_ = end_ = 0;
    if (end_ == buf_.size()) {  // move what is left to the front
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    const ssize_t r = recv(fd_, buf_.data() + end_, buf_.size() - end_, 0);
    if (r <= 0) throw std::runtime_error(r == 0 ? "connection closed" : std::strerror(errno));
    end_ += size_t(r);
  }
  std::string Line() {
    for (size_t from = begin_;;) {
      const char* p = static_cast<const char*>(
          std::memchr(buf_.data() + from, '\n', end_ - from));
      if (p != nullptr) {
        const size_t nl = size_t(p - buf_.data());
        std::string l(buf_.data() + begin_, nl - begin_);
        if (!l.empty() && l.back() == '\r') l.pop_back();
        begin_ = nl + 1;
        return l;
      }
      if (end_ - begin_ >= kRead) throw std::runtime_error("a header line over 1 MiB");
      const size_t seen = end_ - begin_;
      Fill();
      from = begin_ + seen;
    }
  }
  void Take(size_t n, std::string* out) {
    while (n > 0) {
      if (begin_ == end_) Fill();
      const size_t k = std::min(n, end_ - begin_);
      out->append(buf_.data() + begin_, k);
      begin_ += k;
      n -= k;
    }
  }

  int fd_ = -1;
  std::vector<char> buf_;
  size_t begin_ = 0, end_ = 0;
};

double MsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: clickbench_http HOST:PORT QUERIES.sql DIR [--runs 3] "
                         "[--queries 1,2,...]\n");
    return 2;
  }
  const std::string addr = argv[1];
  const size_t colon = addr.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "clickbench_http: expected HOST:PORT, got %s\n", addr.c_str());
    return 2;
  }
  const quiver::bench::ClickBenchArgs args = quiver::bench::ParseClickBenchArgs(argc, argv, 4);
  const auto queries = quiver::bench::ReadClickBenchQueries(argv[2], args.only);
  if (!queries) {
    std::perror(argv[2]);
    return 1;
  }
  const std::string dir = argv[3];
  try {
    Connection conn(addr.substr(0, colon), std::stoi(addr.substr(colon + 1)));
    // The round trip of a request that does no work: the floor of every
    // timing below.
    Response last;
    std::vector<double> health;
    for (int i = 0; i < 220; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      conn.Request("GET", "/v1/health", "", &last);
      if (i >= 20) health.push_back(MsSince(t0));
    }
    std::fprintf(stderr, "GET /v1/health round trip, median of 200: %.3f ms\n", Median(health));
    for (const auto& [n, line] : *queries) {
      std::vector<double> times;
      conn.Request("POST", kPath, line, &last);  // the warm-up
      for (int r = 0; r < args.runs; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        conn.Request("POST", kPath, line, &last);
        times.push_back(MsSince(t0));
      }
      const std::string file = dir + "/q" + std::to_string(n) + ".json";
      std::ofstream body(file, std::ios::binary);
      body << last.body;
      if (!body) {
        std::fprintf(stderr, "clickbench_http: cannot write %s\n", file.c_str());
        return 1;
      }
      const nlohmann::json out = {{"query", n},         {"status", last.status},
                                  {"bytes", last.body.size()}, {"median_ms", Median(times)},
                                  {"body", file}};
      std::printf("%s\n", out.dump().c_str());
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "clickbench_http: %s\n", e.what());
    return 1;
  }
  return 0;
}
