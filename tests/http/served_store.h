// An in-process quiverd Server over a Store, on a free 127.0.0.1 port, stopped
// when it goes out of scope: the part the HTTP fixtures share. Declare it
// after the Store it serves, so that it stops before the Store closes.
#pragma once

#include <httplib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>

#include "http/server.h"
#include "store/store.h"

namespace quiver::testing {

class ServedStore {
 public:
  ServedStore() = default;
  ServedStore(const ServedStore&) = delete;
  ServedStore& operator=(const ServedStore&) = delete;
  ~ServedStore() {
    if (server_) {
      server_->Shutdown(std::chrono::milliseconds(0));
      server_->Wait();
    }
  }

  // Serves `store` (not owned) with `config`; the port is always a free one.
  void Start(store::Store* store, http::ServerConfig config) {
    config.port = 0;
    auto srv = http::Server::Create(store, config);
    REQUIRE(srv.ok());
    server_ = std::move(*srv);
    REQUIRE(server_->Start().ok());
  }

  int port() const { return server_->port(); }

  httplib::Client Client() const {
    httplib::Client c("127.0.0.1", port());
    c.set_read_timeout(10, 0);
    return c;
  }

 private:
  std::unique_ptr<http::Server> server_;
};

}  // namespace quiver::testing
