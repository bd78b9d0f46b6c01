// quiverd's connection loop on a raw socket: the bytes a client receives
// when a response's header block is held for the write after it
// (http/connection_loop.cc): an interim 100 Continue, a header-only answer,
// a kept-alive connection and pipelined requests each get every byte,
// without the client sending more first.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "http/server_fixture.h"

using namespace quiver;
using namespace quiver::server_test;

namespace {

// A client socket that reads with a deadline: a byte the server holds back
// fails the test after 10 s instead of hanging it.
class RawConn {
 public:
  explicit RawConn(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  }
  ~RawConn() { close(fd_); }

  void Send(const std::string& bytes) {
    REQUIRE(write(fd_, bytes.data(), bytes.size()) == ssize_t(bytes.size()));
  }
  // Reads until `buf_` holds `marker` (after `from`); returns its end.
  size_t ReadUntil(const std::string& marker, size_t from = 0) {
    for (;;) {
      const size_t at = buf_.find(marker, from);
      if (at != std::string::npos) return at + marker.size();
      ReadSome();
    }
  }
  const std::string& received() const { return buf_; }
  // One response with a Content-Length (HEAD: none is read), taken off the
  // buffer: its header block and body.
  std::pair<std::string, std::string> Response(bool head = false) {
    const size_t end = ReadUntil("\r\n\r\n");
    std::string headers = buf_.substr(0, end);
    size_t length = 0;
    const size_t at = headers.find("Content-Length: ");
    if (at != std::string::npos && !head) length = std::stoul(headers.substr(at + 16));
    while (buf_.size() < end + length) ReadSome();
    std::string body = buf_.substr(end, length);
    buf_.erase(0, end + length);
    return {headers, body};
  }

 private:
  // Appends what arrives next; nothing for 10 s fails (a held byte).
  void ReadSome() {
    pollfd p{fd_, POLLIN, 0};
    REQUIRE(poll(&p, 1, 10000) == 1);
    char chunk[4096];
    const ssize_t n = read(fd_, chunk, sizeof chunk);
    REQUIRE(n > 0);
    buf_.append(chunk, size_t(n));
  }

  int fd_ = -1;
  std::string buf_;
};

std::string QueryRequest(const std::string& body, const std::string& extra = "") {
  return "POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + extra +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

TEST_CASE("Every byte of a response reaches a raw client without it sending more", "[http]") {
  Fixture f;
  const std::string sql = R"({"sql": "SELECT COUNT(*) AS n FROM trips"})";
  SECTION("Expect: 100-continue gets the interim answer before the body is sent") {
    RawConn c(f.quiverd.port());
    std::string request = QueryRequest(sql, "Expect: 100-continue\r\n");
    const size_t split = request.find("\r\n\r\n") + 4;
    c.Send(request.substr(0, split));
    auto interim = c.Response();
    CHECK(interim.first.rfind("HTTP/1.1 100 Continue\r\n", 0) == 0);
    c.Send(request.substr(split));
    auto r = c.Response();
    CHECK(r.first.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(json::parse(r.second)["rows"][0][0] == 1000);
  }
  SECTION("a HEAD answer, which is a header block only") {
    RawConn c(f.quiverd.port());
    c.Send("HEAD /v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
    auto r = c.Response(/*head=*/true);
    CHECK(r.first.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(r.second.empty());
  }
  SECTION("three requests in turn on one kept-alive connection, then two pipelined") {
    RawConn c(f.quiverd.port());
    for (int i = 0; i < 3; ++i) {
      c.Send(QueryRequest(sql));
      auto r = c.Response();
      CHECK(r.first.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
      CHECK(json::parse(r.second)["rows"][0][0] == 1000);
    }
    c.Send(QueryRequest(sql) + QueryRequest(R"({"sql": "SELECT MAX(id) FROM trips"})"));
    CHECK(json::parse(c.Response().second)["rows"][0][0] == 1000);
    CHECK(json::parse(c.Response().second)["rows"][0][0] == 999);
  }
  SECTION("a streamed (chunked) answer ends with its last chunk") {
    RawConn c(f.quiverd.port());
    c.Send("GET /v1/tables/big/rows?format=ndjson HTTP/1.1\r\nHost: x\r\n\r\n");
    const size_t head = c.ReadUntil("\r\n\r\n");
    CHECK(c.received().find("Transfer-Encoding: chunked\r\n") < head);
    const size_t end = c.ReadUntil("\r\n0\r\n\r\n", head);  // the last, empty chunk
    CHECK(c.received().rfind("59999") < end);  // the last row
  }
}
