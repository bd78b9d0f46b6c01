// Power loss at every persist point of table operations: create, append
// (sync and relaxed), replace, truncate, rename, drop and compact of tables
// with dictionary chunks, and reopening the store. Each durable image (and
// variants with random dirty pages written back early) must open as reader
// and writer, pass Store::Check(deep), and hold exactly the tables of a
// committed txn no older than the last acknowledged durable one: the bytes
// of every chunk equal those recorded when that txn was committed. Both
// engines (msync pages, cache-flush lines).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <unordered_map>

#include "columnar/builder.h"
#include "power_loss_driver.h"
#include "sim_device.h"
#include "store/store.h"
#include "test_util.h"

using namespace quiver;
using namespace quiver::store;
using quiver::testing::SimDevice;
using quiver::testing::TempDir;

namespace {

std::shared_ptr<const Schema> TableSchema() {
  return std::make_shared<Schema>(std::vector<Field>{
      {"id", DataType(TypeId::kInt64), false, {}},
      {"fare", DataType(TypeId::kFloat64), true, {}},
      {"city", DataType::Dictionary(TypeId::kInt32), true, {}},
      {"note", DataType(TypeId::kUtf8), true, {}},
  });
}

RecordBatch MakeRows(int64_t start, int64_t n) {
  RecordBatchBuilder b(TableSchema());
  for (int64_t i = start; i < start + n; ++i) {
    b.column(0).AppendInt(i);
    if (i % 7 == 0) {
      b.column(1).AppendNull();
    } else {
      b.column(1).AppendDouble(double(i) / 4);
    }
    b.column(2).AppendString("city_" + std::to_string(i % 9));
    if (i % 5 == 0) {
      b.column(3).AppendNull();
    } else {
      b.column(3).AppendString("note " + std::to_string(i * 31));
    }
  }
  auto r = b.Finish();
  REQUIRE(r.ok());
  return std::move(r).value();
}

// Exact content of a state: every table's name, rows and chunk bytes; every
// chunk must also decode (validation).
Result<uint64_t> Digest(const Snapshot& snap) {
  std::string acc;
  for (const TableView& t : snap.tables()) {
    acc += t.name() + "#" + std::to_string(t.num_rows()) + "#";
    for (size_t i = 0; i < t.num_chunks(); ++i) {
      QUIVER_ASSIGN_OR_RETURN(auto bytes, t.ChunkBytes(i));
      acc += std::to_string(testing::QuickHash(std::string_view(
                 reinterpret_cast<const char*>(bytes.first), size_t(bytes.second)))) +
             ",";
      QUIVER_RETURN_NOT_OK(t.ReadChunk(i).status());
    }
  }
  return testing::QuickHash(acc);
}

class StorePowerLoss {
 public:
  StorePowerLoss(SimDevice::Engine engine, const TempDir& dir, uint64_t seed)
      : sim_(engine), rng_(seed) {
    path_ = dir.file("pool");
    image_ = dir.file("image");
    sim_.on_effect = [this](const char* what) {
      std::string w = what;
      if (w == "persist" || w == "fsync" || w == "fsync directory") Images();
    };
  }

  void Run(int ops) {
    op_ = "create pool";
    auto s = Store::Create(path_, 2ull << 20, Options());
    REQUIRE(s.ok());
    store_ = std::move(s).value();
    created_ = true;
    Acked(true);
    for (int i = 0; i < ops; ++i) Step();
    store_.reset();
    for (auto& [txn, digest] : pending_) {
      auto it = digests_.find(txn);
      if (it == digests_.end() || it->second != digest) {
        Bad("an image at txn " + std::to_string(txn) + " holds a state never committed");
      }
    }
  }

  uint64_t images() const { return images_; }
  const std::vector<std::string>& failures() const { return failures_; }
  void Report() const {
    std::cout << "store power loss (" << sim_.engine_name() << "): " << images_ << " images ("
              << repeats_ << " repeats), " << failures_.size() << " bad; by operation:";
    for (auto& [op, n] : by_op_) std::cout << " " << op << " " << n << ";";
    std::cout << "\n";
  }

 private:
  StoreOptions Options() {
    StoreOptions o;
    o.pool.device = &sim_;
    o.auto_grow_step = 1ull << 20;
    o.max_chunk_rows = 300;
    return o;
  }

  std::string AnyTable() {
    auto snap = store_->GetSnapshot();
    REQUIRE(snap.ok());
    const auto& tables = (*snap)->tables();
    if (tables.empty()) return "";
    return tables[rng_() % tables.size()].name();
  }

  // Records the state just acknowledged (durable when `sync`).
  void Acked(bool sync) {
    auto snap = store_->GetSnapshot();
    REQUIRE(snap.ok());
    auto d = Digest(**snap);
    REQUIRE(d.ok());
    // An operation that changed nothing (a compaction with nothing to merge)
    // committed nothing, so it made nothing durable either.
    bool committed = (*snap)->txn() != newest_;
    newest_ = (*snap)->txn();
    digests_[newest_] = *d;
    if (sync && (committed || op_ == "reopen")) floor_ = newest_;  // Open persists
  }

  void Step() {
    uint64_t r = rng_() % 100;
    std::string t = AnyTable();
    bool sync = true;
    if (t.empty() || r < 12) {
      op_ = "create table";
      REQUIRE(store_->CreateTable("t" + std::to_string(next_id_++), *TableSchema(), false).ok());
    } else if (r < 45) {
      sync = rng_() % 3 != 0;
      op_ = sync ? "append" : "append (relaxed)";
      WriteOptions w;
      w.durability = sync ? pmem::Durability::kSync : pmem::Durability::kRelaxed;
      int64_t n = 1 + int64_t(rng_() % 700);
      REQUIRE(store_->Write(t, {MakeRows(int64_t(rng_() % 100000), n)}, w).ok());
    } else if (r < 55) {
      op_ = "replace";
      WriteOptions w;
      w.mode = WriteMode::kReplace;
      REQUIRE(
          store_->Write(t, {MakeRows(int64_t(rng_() % 1000), 1 + int64_t(rng_() % 400))}, w).ok());
    } else if (r < 62) {
      op_ = "truncate";
      REQUIRE(store_->TruncateTable(t).ok());
    } else if (r < 70) {
      op_ = "rename";
      REQUIRE(store_->RenameTable(t, "t" + std::to_string(next_id_++)).ok());
    } else if (r < 78) {
      op_ = "drop";
      REQUIRE(store_->DropTable(t).ok());
    } else if (r < 92) {
      op_ = "compact";
      REQUIRE(store_->Compact("", 900).ok());
    } else {
      op_ = "reopen";
      store_.reset();
      auto s = Store::Open(path_, Options());
      REQUIRE(s.ok());
      store_ = std::move(s).value();
    }
    Acked(sync || op_ == "reopen");
    Images();
  }

  void Images() {
    auto c = sim_.Take(path_);
    if (!c) return Check(std::nullopt);
    Check(c->durable);
    for (double p : {0.2, 1.0}) Check(sim_.WithWriteback(*c, rng_, p));
  }

  void Bad(const std::string& why) {
    if (failures_.size() < 20) {
      failures_.push_back(std::string(sim_.engine_name()) + ", " + op_ + ": " + why);
    }
  }

  void CheckTxn(uint64_t txn, uint64_t digest) {
    if (txn < floor_ || txn > newest_ + 1) {
      return Bad("opens at txn " + std::to_string(txn) + ", durable floor " +
                 std::to_string(floor_) + ", newest acknowledged " + std::to_string(newest_));
    }
    auto it = digests_.find(txn);
    if (it == digests_.end()) {
      pending_.push_back({txn, digest});  // the commit in flight
    } else if (it->second != digest) {
      Bad("txn " + std::to_string(txn) + " does not hold what was committed");
    }
  }

  void Check(const std::optional<std::string>& img) {
    ++images_;
    ++by_op_[op_];
    if (!img) {
      if (created_) Bad("no pool after a power loss");
      return;
    }
    uint64_t key = testing::QuickHash(*img);
    if (auto seen = verified_.find(key); seen != verified_.end()) {
      ++repeats_;
      return CheckTxn(seen->second.first, seen->second.second);
    }
    testing::WriteSparse(image_, *img);
    unlink((image_ + ".lock").c_str());
    uint64_t txn = 0, digest = 0;
    {
      StoreOptions ro;
      ro.read_only = true;
      auto s = Store::Open(image_, ro);
      if (!s.ok()) return Bad("open read-only: " + s.status().ToString());
      auto snap = (*s)->GetSnapshot();
      if (!snap.ok()) return Bad("snapshot: " + snap.status().ToString());
      auto d = Digest(**snap);
      if (!d.ok()) return Bad("read: " + d.status().ToString());
      txn = (*snap)->txn();
      digest = *d;
    }
    CheckTxn(txn, digest);
    StoreCheck check = Store::Check(image_, /*deep=*/true);
    if (!check.healthy()) {
      return Bad("check --deep: " +
                 (check.problems.empty() ? check.pool.issues.at(0).problem : check.problems.at(0)));
    }
    {
      auto w = Store::Open(image_);
      if (!w.ok()) return Bad("open as writer: " + w.status().ToString());
      if (!(*w)->Write("probe", {MakeRows(0, 10)},
                       [] {
                         WriteOptions o;
                         o.create_schema = TableSchema();
                         return o;
                       }())
               .ok()) {
        return Bad("append after reopen failed");
      }
    }
    StoreOptions ro;
    ro.read_only = true;
    auto again = Store::Open(image_, ro);
    if (!again.ok()) return Bad("reopen after append: " + again.status().ToString());
    auto snap = (*again)->GetSnapshot();
    if (!snap.ok() || !(*snap)->table("probe").ok()) return Bad("append after reopen not visible");
    verified_[key] = {txn, digest};
  }

  SimDevice sim_;
  std::mt19937_64 rng_;
  std::string path_, image_, op_;
  std::unique_ptr<Store> store_;
  bool created_ = false;
  int next_id_ = 0;
  uint64_t floor_ = 0, newest_ = 0, images_ = 0, repeats_ = 0;
  std::map<uint64_t, uint64_t> digests_;  // txn -> content digest
  std::vector<std::pair<uint64_t, uint64_t>> pending_;
  std::unordered_map<uint64_t, std::pair<uint64_t, uint64_t>> verified_;
  std::map<std::string, uint64_t> by_op_;
  std::vector<std::string> failures_;
};

}  // namespace

TEST_CASE("Every power-loss image of table operations opens to a committed durable state",
          "[store][crash]") {
  testing::RunPowerLoss<StorePowerLoss>("store power-loss test", "QUIVER_STORE_POWER_LOSS_OPS", 500,
                                        6);
}
