// A streamed query result (larger than the first buffer, sent chunked) has
// exactly the bytes the result writer produces in process for the same
// batches, in every text format: the response path adds and loses nothing
// (fixture: server_fixture.h).
#include <httplib.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "columnar/text_format.h"
#include "http/server_fixture.h"
#include "store/exec.h"

using namespace quiver;
using namespace quiver::server_test;

namespace {

// The document the writer makes for `sql`, run in process.
std::string InProcess(store::Store& s, const std::string& sql, ResultFormat f, TextFormatOptions o) {
  auto snap = s.GetSnapshot();
  REQUIRE(snap.ok());
  auto res = store::ExecuteSql(*snap, sql);
  INFO(sql);
  REQUIRE(res.ok());
  std::string out;
  auto w = ResultWriter::Make(f, [&](std::string_view b) {
    out.append(b);
    return Status::OK();
  }, o);
  REQUIRE(w->Begin(*res->schema).ok());
  for (const RecordBatch& b : res->batches) REQUIRE(w->Write(b).ok());
  REQUIRE(w->End({}).ok());
  return out;
}

// JSON's trailer ends with elapsed_ms, which differs between runs.
std::string WithoutElapsed(const std::string& doc) { return doc.substr(0, doc.find(",\"elapsed_ms\":")); }

}  // namespace

TEST_CASE("Streamed json, ndjson, csv and tsv results are the writer's bytes", "[http]") {
  Fixture f;
  auto c = f.Client();
  const std::string sql =
      "SELECT v, v * 1.5 AS f, CAST(v AS VARCHAR) AS s, CASE WHEN v % 7 = 0 THEN NULL ELSE v END AS n "
      "FROM big";
  struct Case {
    const char* query;
    ResultFormat format;
    bool int64_as_string, records;
  };
  for (const Case& k : {Case{"format=json", ResultFormat::kJson, false, false},
                        Case{"int64_as_string=true", ResultFormat::kJson, true, false},
                        Case{"orient=records", ResultFormat::kJson, false, true},
                        Case{"format=ndjson&int64_as_string=true", ResultFormat::kNdjson, true, false},
                        Case{"format=csv", ResultFormat::kCsv, false, false},
                        Case{"format=tsv", ResultFormat::kTsv, false, false}}) {
    INFO(k.query);
    auto r = c.Post(std::string("/v1/query?") + k.query, sql, "application/sql");
    REQUIRE(r);
    REQUIRE(r->status == 200);
    CHECK(r->get_header_value("Transfer-Encoding") == "chunked");  // streamed, not one buffer
    TextFormatOptions o;
    o.int64_as_string = k.int64_as_string;
    o.records = k.records;
    std::string want = InProcess(*f.served, sql, k.format, o);
    REQUIRE(want.size() > 256 * 1024);
    CHECK(WithoutElapsed(r->body) == WithoutElapsed(want));
  }
}
