// quiverd and Parquet: appends with Content-Type application/vnd.apache.parquet
// and results as Parquet (format=parquet, Accept), read back with the
// Parquet reader.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "columnar/builder.h"
#include "columnar/parquet/reader.h"
#include "columnar/parquet/writer.h"
#include "http/server.h"
#include "store/store.h"
#include "test_util.h"

using namespace quiver;
using json = nlohmann::json;

namespace {

std::shared_ptr<const Schema> EventsSchema() {
  return std::make_shared<Schema>(std::vector<Field>{
      {"id", DataType(TypeId::kInt64), true, {}},
      {"kind", DataType::Dictionary(TypeId::kInt32), true, {}},
      {"at", DataType::Timestamp(TimeUnit::kMicro, "UTC"), true, {}},
  });
}

RecordBatch Events(int64_t start, int64_t n) {
  RecordBatchBuilder b(EventsSchema());
  for (int64_t i = start; i < start + n; ++i) {
    b.column(0).AppendInt(i);
    if (i % 4 == 3) {
      b.column(1).AppendNull();
    } else {
      b.column(1).AppendString(i % 2 ? "click" : "view");
    }
    b.column(2).AppendInt(1767225600000000 + i);
  }
  return b.Finish().value();
}

// The rows of a Parquet body as [[id, kind, at], ...] (null for nulls).
json ParquetRows(const std::string& body) {
  auto file = parquet::ParquetFile::Open(std::make_shared<std::string>(body));
  INFO(file.status().ToString());
  REQUIRE(file.ok());
  json rows = json::array();
  for (int g = 0; g < (*file)->num_row_groups(); ++g) {
    auto b = (*file)->ReadRowGroup(g);
    REQUIRE(b.ok());
    ColumnViews v(*b);
    for (int64_t i = 0; i < b->num_rows; ++i) {
      json row = json::array();
      row.push_back(v[0].IsNull(i) ? json() : json(v[0].Value<int64_t>(i)));
      if (v[1].IsNull(i)) {
        row.push_back(nullptr);
      } else {
        row.push_back(std::string(v[1].dictionary->StringValue(v[1].DictIndex(i))));
      }
      row.push_back(v[2].IsNull(i) ? json() : json(v[2].Value<int64_t>(i)));
      rows.push_back(row);
    }
  }
  return rows;
}

}  // namespace

TEST_CASE("quiverd appends Parquet bodies and answers queries as Parquet", "[http][parquet]") {
  quiver::testing::TempDir dir;
  const std::string path = dir.file("p.pool");
  auto created = store::Store::Create(path, 64 << 20);
  REQUIRE(created.ok());
  created->reset();
  auto st = store::Store::Open(path);
  REQUIRE(st.ok());
  http::ServerConfig config;
  config.port = 0;
  config.threads = 4;
  config.log_requests = false;
  config.writes_enabled = true;
  auto srv = http::Server::Create(st->get(), config);
  REQUIRE(srv.ok());
  REQUIRE((*srv)->Start().ok());
  httplib::Client c("127.0.0.1", (*srv)->port());
  c.set_read_timeout(10, 0);
  const char* kType = "application/vnd.apache.parquet";

  auto file = parquet::WriteParquet(EventsSchema(), {Events(0, 10)}).value();
  auto r = c.Post("/v1/tables/events/rows?create=true", file, kType);
  REQUIRE(r);
  INFO(r->body);
  CHECK(r->status == 201);
  r = c.Post("/v1/tables/events/rows", parquet::WriteParquet(EventsSchema(), {Events(10, 5)}).value(), kType);
  REQUIRE(r);
  CHECK(r->status == 200);
  // Damaged: a clear 400, nothing appended.
  r = c.Post("/v1/tables/events/rows", file.substr(0, file.size() - 3), kType);
  REQUIRE(r);
  CHECK(r->status == 400);
  CHECK(json::parse(r->body)["error"]["message"].get<std::string>().find("body: truncated") == 0);

  json want = json::array();
  for (int64_t i = 0; i < 15; ++i) {
    want.push_back({i, i % 4 == 3 ? json() : json(i % 2 ? "click" : "view"), 1767225600000000 + i});
  }
  auto g = c.Get("/v1/tables/events/rows?format=parquet");
  REQUIRE(g);
  CHECK(g->status == 200);
  CHECK(g->get_header_value("Content-Type") == kType);
  CHECK(ParquetRows(g->body) == want);

  auto q = c.Post("/v1/query", httplib::Headers{{"Accept", kType}},
                  json{{"sql", "SELECT * FROM events WHERE id >= 5 ORDER BY id"}}.dump(),
                  "application/json");
  REQUIRE(q);
  CHECK(q->status == 200);
  CHECK(ParquetRows(q->body) == json(want.begin() + 5, want.end()));

  auto bad = c.Get("/v1/tables/events/rows?format=parquet&compression=lzo");
  REQUIRE(bad);
  CHECK(bad->status == 400);
  (*srv)->Shutdown(std::chrono::milliseconds(0));
  (*srv)->Wait();
}
