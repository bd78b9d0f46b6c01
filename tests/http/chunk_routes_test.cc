// quiverd's per-chunk routes in-process: the chunk listing and its pruning,
// chunk data by range and txn (the pool's bytes unfiltered, filtered and
// projected on request), scan leases, idempotent and staged appends, and the
// errors of each.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "columnar/builder.h"
#include "columnar/ipc.h"
#include "http/server.h"
#include "store/store.h"
#include "http/served_store.h"
#include "test_util.h"

using namespace quiver;
using json = nlohmann::json;
using quiver::testing::TempDir;

namespace {

std::shared_ptr<const Schema> TSchema() {
  return std::make_shared<Schema>(std::vector<Field>{{"id", DataType(TypeId::kInt64), false, {}},
                                                     {"x", DataType(TypeId::kFloat64), true, {}},
                                                     {"s", DataType(TypeId::kUtf8), true, {}}});
}

RecordBatch Rows(int64_t start, int64_t n) {
  RecordBatchBuilder b(TSchema());
  for (int64_t i = start; i < start + n; ++i) {
    b.column(0).AppendInt(i);
    if (i % 4 == 0) b.column(1).AppendNull();
    else b.column(1).AppendDouble(double(i) / 2);
    b.column(2).AppendString("s" + std::to_string(i));
  }
  auto r = b.Finish();
  REQUIRE(r.ok());
  return std::move(r).value();
}

// A writable server over a pool with table t: chunks [0,100), [100,200),
// [200,300).
struct Server {
  TempDir dir;
  std::unique_ptr<store::Store> store;
  quiver::testing::ServedStore quiverd;
  Server() {
    auto s = store::Store::Create(dir.file("p.pool"), 64 << 20);
    REQUIRE(s.ok());
    store = std::move(*s);
    REQUIRE(store->CreateTable("t", *TSchema()).ok());
    for (int c = 0; c < 3; ++c) REQUIRE(store->Write("t", {Rows(c * 100, 100)}).ok());
    http::ServerConfig cfg;
    cfg.threads = 4;
    cfg.log_requests = false;
    cfg.writes_enabled = true;
    quiverd.Start(store.get(), cfg);
  }
  httplib::Client Client() const { return quiverd.Client(); }
};

json Get(httplib::Client& c, const std::string& path, int status = 200) {
  auto r = c.Get(path.c_str());
  REQUIRE(r);
  INFO(path << " -> " << r->body.substr(0, 1000));
  REQUIRE(r->status == status);
  return json::parse(r->body);
}

json Post(httplib::Client& c, const std::string& path, const std::string& body,
          const std::string& ctype, int status, httplib::Headers h = {}) {
  auto r = c.Post(path.c_str(), h, body, ctype.c_str());
  REQUIRE(r);
  INFO(path << " -> " << r->body.substr(0, 1000));
  REQUIRE(r->status == status);
  return json::parse(r->body);
}

IpcTable Arrow(httplib::Client& c, const std::string& path) {
  auto r = c.Get(path.c_str());
  REQUIRE(r);
  INFO(path << " -> " << r->body.substr(0, 300));
  REQUIRE(r->status == 200);
  auto t = ReadIpc(std::make_shared<const std::string>(r->body));
  REQUIRE(t.ok());
  return std::move(*t);
}

int64_t NumRows(const IpcTable& t) {
  int64_t n = 0;
  for (const auto& b : t.batches) n += b.num_rows;
  return n;
}

}  // namespace

TEST_CASE("The chunk listing prunes with where= and gives each chunk's statistics",
          "[http][chunks]") {
  Server s;
  auto c = s.Client();
  json all = Get(c, "/v1/tables/t/chunks");
  CHECK(all["total"] == 3);
  CHECK(all["pruned"] == 0);
  REQUIRE(all["chunks"].size() == 3);
  const json& c1 = all["chunks"][1];
  CHECK(c1["index"] == 1);
  CHECK(c1["rows"] == 100);
  CHECK(c1["stats"]["id"]["min"] == 100);
  CHECK(c1["stats"]["id"]["max"] == 199);
  CHECK(c1["stats"]["id"]["sorted"] == true);
  CHECK(c1["stats"]["x"]["nulls"] == 25);
  CHECK(c1["stats"]["s"]["min"] == "s100");
  json some = Get(c, "/v1/tables/t/chunks?where=id%20%3E%3D%20150%20and%20x%20is%20not%20null");
  CHECK(some["pruned"] == 1);
  REQUIRE(some["chunks"].size() == 2);
  CHECK(some["chunks"][0]["index"] == 1);
  CHECK(some["txn"] == all["txn"]);
  json bad = Get(c, "/v1/tables/t/chunks?where=nope%20%3E%201", 404);
  CHECK(bad["error"]["message"].get<std::string>().find("nope") != std::string::npos);
  Get(c, "/v1/tables/t/chunks?where=id%20%3E", 400);
  Get(c, "/v1/tables/t/chunks?bogus=1", 400);
  Get(c, "/v1/tables/nope/chunks", 404);
}

TEST_CASE("Chunk data comes by range and txn: the pool's bytes, or filtered and projected",
          "[http][chunks]") {
  Server s;
  auto c = s.Client();
  uint64_t txn = Get(c, "/v1/tables/t/chunks")["txn"];
  const std::string at = "&txn=" + std::to_string(txn);
  IpcTable whole = Arrow(c, "/v1/tables/t/chunks?chunks=1..2" + at);
  CHECK(NumRows(whole) == 200);
  REQUIRE(whole.schema->num_fields() == 3);
  CHECK(whole.batches[0].columns[0]->View().Value<int64_t>(0) == 100);
  // Unfiltered: the body is the chunks' own bytes after the schema message.
  {
    auto snap = s.store->GetSnapshot();
    REQUIRE(snap.ok());
    auto bytes = (**(*snap)->table("t")).ChunkBytes(2);
    REQUIRE(bytes.ok());
    auto r = c.Get(("/v1/tables/t/chunks?chunks=2" + at).c_str());
    REQUIRE(r);
    CHECK(r->body.find(std::string(reinterpret_cast<const char*>(bytes->first), bytes->second)) !=
          std::string::npos);
  }
  IpcTable some = Arrow(c, "/v1/tables/t/chunks?chunks=0..2&select=s&where=x%20%3E%20140" + at);
  REQUIRE(some.schema->num_fields() == 1);
  CHECK(some.schema->field(0).name == "s");
  int64_t want = 0;
  for (int64_t i = 0; i < 300; ++i) want += (i % 4 != 0 && double(i) / 2 > 140) ? 1 : 0;
  CHECK(NumRows(some) == want);
  json js = Get(c, "/v1/tables/t/chunks?chunks=0&format=json&select=id&where=id%20%3C%203" + at);
  CHECK(js["rows"] == json::parse("[[0],[1],[2]]"));
  Get(c, "/v1/tables/t/chunks?chunks=2..3" + at, 400);
  Get(c, "/v1/tables/t/chunks?chunks=2..1" + at, 400);
  Get(c, "/v1/tables/t/chunks?chunks=0", 400);  // no txn
  Get(c, "/v1/tables/t/chunks?chunks=0&txn=999999", 400);
}

TEST_CASE("A scan lease keeps its version readable; without one a changed table is a 409",
          "[http][chunks]") {
  Server s;
  auto c = s.Client();
  json lease = Post(c, "/v1/tables/t/scans?ttl_ms=60000", "", "text/plain", 201);
  uint64_t txn = lease["txn"];
  std::string id = lease["id"];
  uint64_t old_txn = Get(c, "/v1/tables/t/chunks")["txn"];
  CHECK(old_txn == txn);
  // An append leaves the version's chunks in place: still served without a lease.
  REQUIRE(s.store->Write("t", {Rows(300, 10)}).ok());
  CHECK(NumRows(Arrow(c, "/v1/tables/t/chunks?chunks=0..2&txn=" + std::to_string(txn))) == 300);
  // Compaction rewrites them: only the lease still serves txn.
  auto done = s.store->Compact("t", 1000);
  REQUIRE(done.ok());
  REQUIRE(done->txn > 0);
  const std::string q = "/v1/tables/t/chunks?chunks=0..2&txn=" + std::to_string(txn);
  CHECK(NumRows(Arrow(c, q + "&scan=" + id)) == 300);
  CHECK(NumRows(Arrow(c, q)) == 300);  // a live lease of that txn serves it too
  json listing = Get(c, "/v1/tables/t/chunks?scan=" + id);
  CHECK(listing["txn"] == txn);
  CHECK(listing["chunks"].size() == 3);
  auto del = c.Delete(("/v1/tables/t/scans/" + id).c_str());
  REQUIRE(del);
  CHECK(del->status == 200);
  json gone = Get(c, q, 409);
  CHECK(gone["error"]["code"] == "table_changed");
  CHECK(gone["error"]["message"].get<std::string>().find("changed since txn " +
                                                         std::to_string(txn)) != std::string::npos);
  json gone2 = Get(c, q + "&scan=" + id, 409);
  CHECK(gone2["error"]["message"].get<std::string>().find("released or expired") !=
        std::string::npos);
  CHECK(Get(c, "/v1/tables/t/chunks?scan=" + id, 409)["error"]["code"] == "scan_gone");
  auto again = c.Delete(("/v1/tables/t/scans/" + id).c_str());
  REQUIRE(again);
  CHECK(again->status == 404);
  Post(c, "/v1/tables/t/scans?ttl_ms=0", "", "text/plain", 400);
  Post(c, "/v1/tables/nope/scans", "", "text/plain", 404);
  // Bounded: past the limit a lease is refused (503), not queued.
  for (size_t i = 0; i < 256; ++i) Post(c, "/v1/tables/t/scans", "", "text/plain", 201);
  Post(c, "/v1/tables/t/scans", "", "text/plain", 503);
}

TEST_CASE("An append retried with its idempotency key is not applied twice; stages commit once",
          "[http][chunks]") {
  Server s;
  auto c = s.Client();
  const std::string rows = "{\"id\": 1000, \"x\": 1.5, \"s\": \"a\"}\n{\"id\": 1001}\n";
  json first = Post(c, "/v1/tables/t/rows", rows, "application/x-ndjson", 200,
                    {{"Idempotency-Key", "job:1"}});
  CHECK(first["replayed"] == false);
  json retry = Post(c, "/v1/tables/t/rows", rows, "application/x-ndjson", 200,
                    {{"Idempotency-Key", "job:1"}});
  CHECK(retry["replayed"] == true);
  CHECK(retry["txn"] == first["txn"]);
  CHECK(retry["rows"] == 2);
  CHECK(Get(c, "/v1/tables/t/chunks")["rows"] == 302);
  // Staged: nothing visible until the commit, which is one transaction.
  for (int p = 0; p < 3; ++p) {
    std::string body = "{\"id\": " + std::to_string(2000 + p) + "}\n";
    Post(c, "/v1/tables/t/rows?stage=S1", body, "application/x-ndjson", 202,
         {{"Idempotency-Key", "S1:" + std::to_string(p)}});
  }
  Post(c, "/v1/tables/t/rows?stage=S1", "{\"id\": 2002}\n{\"id\": 2003}\n", "application/x-ndjson",
       202, {{"Idempotency-Key", "S1:2"}});  // a retried part replaces itself
  Post(c, "/v1/tables/t/rows?stage=S1", "{\"id\": 1}\n", "application/x-ndjson", 400);  // no key
  CHECK(Get(c, "/v1/tables/t/chunks")["rows"] == 302);
  json commit = Post(c, "/v1/tables/t/stages/S1", "", "text/plain", 200);
  CHECK(commit["rows"] == 4);
  CHECK(commit["parts"] == 3);
  json listing = Get(c, "/v1/tables/t/chunks?where=id%20%3E%3D%202000");
  CHECK(listing["rows"] == 306);
  for (const auto& ch : listing["chunks"]) CHECK(ch["created_txn"] == commit["txn"]);
  json replay = Post(c, "/v1/tables/t/stages/S1", "", "text/plain", 200);
  CHECK(replay["replayed"] == true);
  CHECK(replay["txn"] == commit["txn"]);
  Post(c, "/v1/tables/t/stages/NOPE", "", "text/plain", 404);
  Post(c, "/v1/tables/t/rows?stage=S2", "{\"id\": 5}\n", "application/x-ndjson", 202,
       {{"Idempotency-Key", "S2:0"}});
  auto drop = c.Delete("/v1/tables/t/stages/S2");
  REQUIRE(drop);
  CHECK(drop->status == 200);
  Post(c, "/v1/tables/t/stages/S2", "", "text/plain", 404);
  // The keys live in the catalog: a reopened store still knows them.
  auto snap = s.store->GetSnapshot();
  REQUIRE(snap.ok());
  CHECK((**(*snap)->table("t")).FindCommitKey("job:1") != nullptr);
  CHECK((**(*snap)->table("t")).FindCommitKey("stage:S1") != nullptr);
}
