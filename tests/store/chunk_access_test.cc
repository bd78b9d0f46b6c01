// store/chunk_access.h: pruning one table's chunks with the executor's pruner,
// sliced snapshots that a query reads as the whole table, and idempotency
// keys kept in the catalog.
#include "store/chunk_access.h"

#include <catch2/catch.hpp>

#include "columnar/builder.h"
#include "store/exec.h"
#include "test_util.h"
#include "trips_data.h"

using namespace quiver;
using namespace quiver::store;
using quiver::testing::TempDir;

namespace {

std::unique_ptr<Store> Create(const std::string& path) {
  auto s = Store::Create(path, 64ull << 20);
  REQUIRE(s.ok());
  return std::move(s).value();
}

std::shared_ptr<const Schema> FloatSchema() {
  return std::make_shared<Schema>(std::vector<Field>{{"x", DataType(TypeId::kFloat64), true, {}},
                                                     {"s", DataType(TypeId::kUtf8), true, {}}});
}

// One chunk of (x, s) rows; a null optional is a NULL.
RecordBatch Floats(const std::vector<std::optional<double>>& xs,
                   const std::vector<std::optional<std::string>>& ss) {
  RecordBatchBuilder b(FloatSchema());
  for (size_t i = 0; i < xs.size(); ++i) {
    if (xs[i]) b.column(0).AppendDouble(*xs[i]);
    else b.column(0).AppendNull();
    if (ss[i]) b.column(1).AppendString(*ss[i]);
    else b.column(1).AppendNull();
  }
  auto r = b.Finish();
  REQUIRE(r.ok());
  return std::move(r).value();
}

std::vector<uint8_t> Prune(const TableView& t, const std::string& where) {
  auto e = query::ParseFilter(where);
  REQUIRE(e.ok());
  auto keep = PruneChunks(t, *e);
  INFO(where << ": " << keep.status().ToString());
  REQUIRE(keep.ok());
  return *keep;
}

}  // namespace

TEST_CASE("PruneChunks keeps exactly the chunks a condition may match, as the executor does",
          "[store][chunks]") {
  TempDir dir;
  auto store = Create(dir.file("p.pool"));
  REQUIRE(store->CreateTable("f", *FloatSchema()).ok());
  const double nan = std::nan("");
  std::vector<RecordBatch> chunks = {
      Floats({1.0, 2.0}, {std::string("apple"), std::string("banana")}),
      Floats({nan, nan}, {std::nullopt, std::nullopt}),        // only NaN, only NULL
      Floats({std::nullopt, std::nullopt}, {std::string(300, 'z'), std::string("zz")}),
      Floats({10.0, nan}, {std::string("m"), std::string("n")}),
  };
  for (const auto& c : chunks) REQUIRE(store->Write("f", {c}).ok());
  auto snap = store->GetSnapshot();
  REQUIRE(snap.ok());
  const TableView& t = **(*snap)->table("f");
  REQUIRE(t.num_chunks() == 4);
  // A chunk of only NaN has no min/max: the pruner keeps it (conservative).
  CHECK(Prune(t, "x > 5") == std::vector<uint8_t>{0, 1, 0, 1});
  CHECK(Prune(t, "x <> 1") == std::vector<uint8_t>{1, 1, 0, 1});  // NaN <> 1 is TRUE
  CHECK(Prune(t, "x is null") == std::vector<uint8_t>{0, 0, 1, 0});
  CHECK(Prune(t, "x = null") == std::vector<uint8_t>{0, 0, 0, 0});   // never TRUE
  CHECK(Prune(t, "not (x > 5)") == std::vector<uint8_t>{1, 1, 1, 1}); // cannot rule out
  CHECK(Prune(t, "s >= 'zzz'") == std::vector<uint8_t>{0, 0, 1, 0});  // inexact max kept
  CHECK(Prune(t, "s = 'banana' or x > 9") == std::vector<uint8_t>{1, 1, 0, 1});
  CHECK(Prune(t, "s = 'banana'") == std::vector<uint8_t>{1, 0, 0, 0});  // all-NULL chunk 1
  CHECK(Prune(t, "1 = 2") == std::vector<uint8_t>{0, 0, 0, 0});
  auto all = PruneChunks(t, nullptr);
  REQUIRE(all.ok());
  CHECK(*all == std::vector<uint8_t>{1, 1, 1, 1});
  // Whatever is pruned, a query finds no row there.
  for (const char* where : {"x > 5", "x <> 1", "s >= 'zzz'", "x is null"}) {
    auto keep = Prune(t, where);
    for (size_t i = 0; i < keep.size(); ++i) {
      if (keep[i]) continue;
      auto slice = SliceSnapshot(*snap, t, i, 1);
      REQUIRE(slice.ok());
      auto q = query::ParseSql(std::string("SELECT count(*) FROM f WHERE ") + where);
      REQUIRE(q.ok());
      auto r = ExecuteQuery(*slice, *q);
      REQUIRE(r.ok());
      INFO(where << ", chunk " << i);
      CHECK(r->batches[0].columns[0]->View().Value<int64_t>(0) == 0);
    }
  }
  auto bad = query::ParseFilter("nope > 1");
  REQUIRE(bad.ok());
  auto err = PruneChunks(t, *bad);
  REQUIRE_FALSE(err.ok());
  CHECK(err.status().code() == StatusCode::kNotFound);
  CHECK(err.status().message().find("nope") != std::string::npos);
}

TEST_CASE("A sliced snapshot shows a run of chunks as the whole table", "[store][chunks]") {
  TempDir dir;
  auto store = Create(dir.file("p.pool"));
  REQUIRE(store->CreateTable("trips", *testing::TripsSchema()).ok());
  for (int c = 0; c < 4; ++c) REQUIRE(store->Write("trips", {testing::MakeTrips(c * 100, 100)}).ok());
  auto snap = store->GetSnapshot();
  REQUIRE(snap.ok());
  const TableView& t = **(*snap)->table("trips");
  auto slice = SliceSnapshot(*snap, t, 1, 2);
  REQUIRE(slice.ok());
  CHECK((*slice)->txn() == (*snap)->txn());
  const TableView& s = **(*slice)->table("trips");
  CHECK(s.num_chunks() == 2);
  CHECK(s.num_rows() == 200);
  CHECK(s.chunks()[0].offset == t.chunks()[1].offset);
  auto q = query::ParseSql("SELECT min(id), max(id), count(*) FROM trips WHERE fare IS NOT NULL");
  REQUIRE(q.ok());
  auto r = ExecuteQuery(*slice, *q);
  REQUIRE(r.ok());
  CHECK(r->batches[0].columns[0]->View().Value<int64_t>(0) == 100);
  CHECK(r->batches[0].columns[1]->View().Value<int64_t>(0) == 299);
  // Chunk bytes of the slice are the pool's own.
  auto a = s.ChunkBytes(1);
  auto b = t.ChunkBytes(2);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->first == b->first);
  CHECK(!(*slice)->table("other").ok());
  auto out = SliceSnapshot(*snap, t, 3, 2);
  REQUIRE_FALSE(out.ok());
  CHECK(out.status().message().find("has 4 chunks") != std::string::npos);
}

TEST_CASE("An append with an idempotency key is applied once, and the key survives reopening",
          "[store][chunks]") {
  TempDir dir;
  const std::string path = dir.file("p.pool");
  {
    auto store = Create(path);
    REQUIRE(store->CreateTable("trips", *testing::TripsSchema()).ok());
    WriteOptions o;
    o.idempotency_key = "job-1:0";
    auto txn = store->Write("trips", {testing::MakeTrips(0, 10)}, o);
    REQUIRE(txn.ok());
    auto again = store->Write("trips", {testing::MakeTrips(0, 10)}, o);
    REQUIRE_FALSE(again.ok());
    CHECK(again.status().code() == StatusCode::kAlreadyExists);
    CHECK(again.status().message().find("txn " + std::to_string(*txn)) != std::string::npos);
    o.idempotency_key = std::string(300, 'k');
    CHECK(store->Write("trips", {testing::MakeTrips(0, 10)}, o).status().code() ==
          StatusCode::kInvalidArgument);
  }
  auto store = Store::Open(path);
  REQUIRE(store.ok());
  auto snap = (*store)->GetSnapshot();
  REQUIRE(snap.ok());
  const TableView& t = **(*snap)->table("trips");
  CHECK(t.num_rows() == 10);
  const CommitKey* k = t.FindCommitKey("job-1:0");
  REQUIRE(k != nullptr);
  CHECK(k->rows == 10);
  CHECK(t.FindCommitKey("job-1:1") == nullptr);
  // Only the most recent kMaxCommitKeys are kept. (Relaxed commits: a
  // thousand fsyncs would only test the disk.)
  for (size_t i = 0; i < kMaxCommitKeys + 3; ++i) {
    WriteOptions o;
    o.durability = pmem::Durability::kRelaxed;
    o.idempotency_key = "k" + std::to_string(i);
    REQUIRE((*store)->Write("trips", {testing::MakeTrips(0, 1)}, o).ok());
  }
  auto now = (*store)->GetSnapshot();
  REQUIRE(now.ok());
  const TableView& t2 = **(*now)->table("trips");
  CHECK(t2.commit_keys().size() == kMaxCommitKeys);
  CHECK(t2.FindCommitKey("job-1:0") == nullptr);
  CHECK(t2.FindCommitKey("k3") != nullptr);
  CHECK(t2.commit_keys().back().key == "k" + std::to_string(kMaxCommitKeys + 2));
}
