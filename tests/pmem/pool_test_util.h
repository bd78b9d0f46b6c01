// Helpers shared by the pool tests (tests/pmem/pool_*_test.cc).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <memory>
#include <string>

#include "pmem/pool.h"

namespace quiver::testing {

constexpr uint64_t kMiB = 1ull << 20;

inline std::unique_ptr<pmem::Pool> MustCreate(const std::string& path, uint64_t cap = 8 * kMiB,
                                              pmem::PoolOptions o = {}) {
  auto p = pmem::Pool::Create(path, cap, std::move(o));
  INFO(p.status().ToString());
  REQUIRE(p.ok());
  return std::move(p).value();
}

// Commits one extent holding `text` as the root; returns the extent.
inline pmem::Extent CommitText(pmem::Pool& pool, const std::string& text) {
  auto txn = pool.Begin();
  REQUIRE(txn.ok());
  auto e = (*txn)->Allocate(text.size());
  REQUIRE(e.ok());
  std::memcpy((*txn)->Data(*e), text.data(), text.size());
  pmem::Extent root{e->offset, text.size()};
  REQUIRE((*txn)->Commit(root).ok());
  return root;
}

inline std::string RootText(const pmem::Snapshot& s) {
  auto p = s.Read(s.root().offset, s.root().length);
  REQUIRE(p.ok());
  return std::string(reinterpret_cast<const char*>(*p), s.root().length);
}

inline void CorruptBytes(const std::string& path, uint64_t offset, const std::string& bytes) {
  int fd = open(path.c_str(), O_RDWR);
  REQUIRE(fd >= 0);
  REQUIRE(pwrite(fd, bytes.data(), bytes.size(), off_t(offset)) == ssize_t(bytes.size()));
  close(fd);
}

}  // namespace quiver::testing
