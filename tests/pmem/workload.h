// A pattern workload over a Pool, shared by the crash, power-loss and reader
// tests. Each transaction frees some live extents, allocates new ones, fills
// each with words derived from (txn, offset), and commits a root blob that
// lists every live extent. Verify() proves a state is exactly one committed
// state: every listed extent holds its pattern and none overlap.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "pmem/pool.h"

namespace quiver::testing {

struct LiveExtent {
  uint64_t offset;
  uint64_t length;
  uint64_t txn;  // the txn that wrote it
};

constexpr uint64_t kRootMagic = 0x544f4f524b524f57ull;  // "WORKROOT"

inline uint64_t PatternWord(uint64_t txn, uint64_t offset, uint64_t i) {
  uint64_t z = txn * 0x9E3779B97F4A7C15ull + offset * 0xBF58476D1CE4E5B9ull + i;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

inline void FillPattern(uint8_t* p, uint64_t txn, uint64_t offset, uint64_t length) {
  for (uint64_t i = 0; i < length / 8; ++i) {
    uint64_t w = PatternWord(txn, offset, i);
    std::memcpy(p + i * 8, &w, 8);
  }
}

// Decodes a root blob into its extents; an error string if malformed.
inline std::string DecodeRoot(const uint8_t* p, uint64_t len, std::vector<LiveExtent>* out) {
  out->clear();
  if (len == 0) return "";
  if (len < 16) return "root blob too short";
  uint64_t magic, count;
  std::memcpy(&magic, p, 8);
  std::memcpy(&count, p + 8, 8);
  if (magic != kRootMagic) return "root blob has a bad magic";
  if (count > (len - 16) / sizeof(LiveExtent)) return "root blob count too large";
  out->resize(count);
  std::memcpy(out->data(), p + 16, count * sizeof(LiveExtent));
  return "";
}

// Verifies every extent of a state; "" if the state is intact.
inline std::string VerifyState(const uint8_t* base, uint64_t mapped, pmem::Extent root) {
  if (root.length == 0) return "";
  if (root.offset > mapped || root.length > mapped - root.offset) return "root beyond mapping";
  std::vector<LiveExtent> live;
  std::string err = DecodeRoot(base + root.offset, root.length, &live);
  if (!err.empty()) return err;
  std::sort(live.begin(), live.end(),
            [](const LiveExtent& a, const LiveExtent& b) { return a.offset < b.offset; });
  for (size_t k = 0; k < live.size(); ++k) {
    const LiveExtent& e = live[k];
    if (e.offset > mapped || e.length > mapped - e.offset) return "extent beyond mapping";
    if (k > 0 && live[k - 1].offset + live[k - 1].length > e.offset) return "extents overlap";
    for (uint64_t i = 0; i < e.length / 8; ++i) {
      uint64_t w;
      std::memcpy(&w, base + e.offset + i * 8, 8);
      if (w != PatternWord(e.txn, e.offset, i)) {
        return "extent at " + std::to_string(e.offset) + " (txn " + std::to_string(e.txn) +
               ") differs at word " + std::to_string(i);
      }
    }
  }
  return "";
}

// Runs one random transaction on `pool`; returns the committed txn id or an
// error. `max_live` bounds the live set so the pool recycles space.
inline Result<uint64_t> WorkloadStep(pmem::Pool& pool, std::mt19937_64& rng, size_t max_live = 24,
                                     uint64_t max_extent = 48 * 1024,
                                     pmem::Durability durability = pmem::Durability::kSync,
                                     size_t max_allocs = 3, uint64_t min_extent = 8) {
  QUIVER_ASSIGN_OR_RETURN(auto txn, pool.Begin());
  pmem::Extent old_root = txn->base_root();
  std::vector<LiveExtent> live;
  if (!old_root.empty()) {
    QUIVER_ASSIGN_OR_RETURN(const uint8_t* p, txn->Read(old_root.offset, old_root.length));
    std::string err = DecodeRoot(p, old_root.length, &live);
    if (!err.empty()) return Status::Corruption(err);
    QUIVER_RETURN_NOT_OK(txn->Free(old_root));
  }
  size_t frees = live.empty() ? 0 : rng() % std::min<size_t>(live.size() + 1, 4);
  if (live.size() > max_live) frees = live.size() - max_live + 1;
  for (size_t i = 0; i < frees && !live.empty(); ++i) {
    size_t k = rng() % live.size();
    QUIVER_RETURN_NOT_OK(txn->Free({live[k].offset, live[k].length}));
    live.erase(live.begin() + long(k));
  }
  size_t allocs = 1 + rng() % max_allocs;
  for (size_t i = 0; i < allocs; ++i) {
    uint64_t size = min_extent + (rng() % max_extent);
    QUIVER_ASSIGN_OR_RETURN(pmem::Extent e, txn->Allocate(size));
    FillPattern(txn->Data(e), txn->txn_id(), e.offset, e.length);
    live.push_back({e.offset, e.length, txn->txn_id()});
  }
  uint64_t root_len = 16 + live.size() * sizeof(LiveExtent);
  QUIVER_ASSIGN_OR_RETURN(pmem::Extent root, txn->Allocate(root_len));
  uint8_t* rp = txn->Data(root);
  uint64_t count = live.size();
  std::memcpy(rp, &kRootMagic, 8);
  std::memcpy(rp + 8, &count, 8);
  std::memcpy(rp + 16, live.data(), count * sizeof(LiveExtent));
  uint64_t id = txn->txn_id();
  QUIVER_RETURN_NOT_OK(txn->Commit({root.offset, root_len}, durability));
  return id;
}

// The live extents (and the root) of a state, for Pool::Check.
inline std::vector<pmem::Extent> LiveExtents(const uint8_t* base, pmem::Extent root) {
  std::vector<pmem::Extent> out;
  if (root.empty()) return out;
  std::vector<LiveExtent> live;
  if (!DecodeRoot(base + root.offset, root.length, &live).empty()) return out;
  for (auto& e : live) out.push_back({e.offset, e.length});
  out.push_back(root);
  return out;
}

}  // namespace quiver::testing
