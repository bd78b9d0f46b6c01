// What quiverd gives the web console (http/web/), in process: the embedded
// files, NDJSON framed with its columns and stats (meta=true), the scan
// figures in headers, cancelling a running query by its client-chosen id
// (DELETE /v1/queries/{id}, counted in /metrics), and table statistics
// (last change, sorted, distinct estimates, exact 64-bit bounds).
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <future>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "columnar/builder.h"
#include "http/server.h"
#include "http/server_internal.h"
#include "store/store.h"
#include "http/served_store.h"
#include "test_util.h"

using namespace quiver;
using json = nlohmann::json;
using quiver::testing::TempDir;

namespace {

// Table `t`: 4 chunks of 2,500 rows; id = 0..9999 (sorted), k = id % 40,
// u = 2^63 + id (uint64).
struct Console {
  TempDir dir;
  std::unique_ptr<store::Store> served;
  quiver::testing::ServedStore quiverd;

  // `more` adds tables to the pool before it is served.
  explicit Console(std::function<void(http::ServerConfig&)> tweak = nullptr,
                   std::function<void(store::Store&)> more = nullptr) {
    std::string path = dir.file("console.pool");
    {
      auto w = store::Store::Create(path, 32 << 20);
      REQUIRE(w.ok());
      auto schema = std::make_shared<Schema>(std::vector<Field>{
          {"id", DataType(TypeId::kInt64), false, {}},
          {"k", DataType(TypeId::kInt64), false, {}},
          {"u", DataType(TypeId::kUInt64), false, {}},
      });
      REQUIRE((*w)->CreateTable("t", *schema).ok());
      std::vector<RecordBatch> batches;
      for (int c = 0; c < 4; ++c) {
        RecordBatchBuilder b(schema);
        for (int64_t i = c * 2500; i < (c + 1) * 2500; ++i) {
          b.column(0).AppendInt(i);
          b.column(1).AppendInt(i % 40);
          b.column(2).AppendUInt((uint64_t(1) << 63) + uint64_t(i));
        }
        auto r = b.Finish();
        REQUIRE(r.ok());
        batches.push_back(std::move(*r));
      }
      REQUIRE((*w)->Write("t", batches).ok());
      if (more) more(**w);
    }
    store::StoreOptions ro;
    ro.read_only = true;
    auto s = store::Store::Open(path, ro);
    REQUIRE(s.ok());
    served = std::move(*s);
    http::ServerConfig config;
    config.threads = 4;
    config.log_requests = false;
    if (tweak) tweak(config);
    quiverd.Start(served.get(), config);
  }
  httplib::Client Client() const { return quiverd.Client(); }
};

std::vector<json> Lines(const std::string& body) {
  std::vector<json> out;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(json::parse(line));
  }
  return out;
}

// The value of a counter line `name value` in /metrics text.
double Metric(httplib::Client& c, const std::string& name) {
  auto r = c.Get("/metrics");
  REQUIRE(r);
  std::string text = "\n" + r->body;
  size_t at = text.find("\n" + name + " ");
  REQUIRE(at != std::string::npos);
  return std::stod(text.substr(at + name.size() + 2));
}

}  // namespace

TEST_CASE("The console's files are compiled in, served without the token, and small", "[http]") {
  Console q([](http::ServerConfig& c) { c.read_token = "tok"; });
  auto c = q.Client();
  auto index = c.Get("/");
  REQUIRE(index);
  CHECK(index->status == 200);
  CHECK(index->get_header_value("Content-Type") == "text/html; charset=utf-8");
  // Every script and style the page names is served, with its type.
  std::regex ref(R"re((?:src|href)="(/web/[^"]+)")re");
  std::set<std::string> refs;
  for (auto it = std::sregex_iterator(index->body.begin(), index->body.end(), ref);
       it != std::sregex_iterator(); ++it) {
    refs.insert((*it)[1]);
  }
  CHECK(refs.size() >= 3);
  for (const std::string& path : refs) {
    auto r = c.Get(path);
    REQUIRE(r);
    INFO(path);
    CHECK(r->status == 200);
    CHECK(r->body == std::string(http::FindWebAsset(path.substr(5))->bytes));
    std::string want = path.size() > 3 && path.substr(path.size() - 3) == ".js" ? "text/javascript"
                                                                               : "text/css";
    CHECK(r->get_header_value("Content-Type").rfind(want, 0) == 0);
  }
  size_t total = 0;
  for (const http::WebAsset& a : http::WebAssets()) total += a.bytes.size();
  CHECK(total < 100 * 1024);
  CHECK(c.Get("/web/nothing.js")->status == 404);
  // The data is not static: it needs the token.
  CHECK(c.Get("/v1/tables")->status == 401);
}

TEST_CASE("meta=true frames NDJSON with its columns and what the scan did", "[http]") {
  Console q;
  auto c = q.Client();
  // ids are sorted: WHERE id >= 7500 prunes the first three chunks.
  auto r = c.Post("/v1/query?format=ndjson&meta=true&int64_as_string=true",
                  json{{"sql", "SELECT id, u FROM t WHERE id >= 7500 ORDER BY id"}}.dump(),
                  "application/json");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  std::vector<json> lines = Lines(r->body);
  REQUIRE(lines.size() == 2500 + 2);
  CHECK(lines.front() ==
        json::parse(R"({"columns": [{"name": "id", "type": "int64"}, {"name": "u", "type": "uint64"}]})"));
  CHECK(lines[1] == json::parse(R"({"id": "7500", "u": "9223372036854783308"})"));
  const json& stats = lines.back()["stats"];
  CHECK(stats["rows"] == 2500);
  CHECK(stats["rows_scanned"] == 2500);
  CHECK(stats["chunks_total"] == 4);
  CHECK(stats["chunks_pruned"] == 3);
  CHECK(stats["truncated"] == false);
  CHECK(stats["elapsed_ms"].get<double>() >= 0);
  // The buffered response says the same in headers; JSON gets "stats".
  auto j = c.Post("/v1/query?meta=true", json{{"sql", "SELECT count(*) FROM t WHERE id < 100"}}.dump(),
                  "application/json");
  REQUIRE(j);
  CHECK(j->get_header_value("X-Quiver-Rows-Scanned") == "2500");
  CHECK(j->get_header_value("X-Quiver-Chunks-Pruned") == "3");
  CHECK(json::parse(j->body)["stats"]["rows_scanned"] == 2500);
  // Without meta, NDJSON is rows only.
  auto plain = c.Post("/v1/query?format=ndjson", json{{"sql", "SELECT id FROM t LIMIT 2"}}.dump(),
                      "application/json");
  REQUIRE(plain);
  CHECK(Lines(plain->body) == std::vector<json>{json{{"id", 0}}, json{{"id", 1}}});
}

TEST_CASE("DELETE /v1/queries/{id} cancels the running query sent with that id", "[http]") {
  std::promise<void> holding, release;
  auto release_f = release.get_future().share();
  Console q([&](http::ServerConfig& c) {
    c.test_hook = [&, release_f](std::string_view point) {
      if (point == "query_started") {
        holding.set_value();
        release_f.wait();
      }
      return Status::OK();
    };
  });
  std::promise<httplib::Result> answer;
  std::thread client([&] {
    auto c = q.Client();
    answer.set_value(c.Post("/v1/query", {{"X-Quiver-Query-Id", "job-7"}},
                            json{{"sql", "SELECT count(*) FROM t"}}.dump(), "application/json"));
  });
  holding.get_future().wait();
  auto c = q.Client();
  auto running = c.Get("/v1/queries");
  REQUIRE(running);
  json list = json::parse(running->body);
  REQUIRE(list.size() == 1);
  CHECK(list[0]["id"] == "job-7");
  CHECK(list[0]["cancelled"].is_null());
  CHECK(c.Delete("/v1/queries/other")->status == 404);
  CHECK(c.Delete("/v1/queries/bad%20id")->status == 400);
  auto d = c.Delete("/v1/queries/job-7");
  REQUIRE(d);
  CHECK(d->status == 200);
  CHECK(json::parse(d->body) == json({{"id", "job-7"}, {"cancelled", 1}}));
  release.set_value();
  client.join();
  httplib::Result r = answer.get_future().get();
  REQUIRE(r);
  CHECK(r->status == 503);
  json err = json::parse(r->body)["error"];
  CHECK(err["code"] == "cancelled");
  CHECK(err["message"].get<std::string>().find("DELETE /v1/queries/job-7") != std::string::npos);
  CHECK(Metric(c, "quiver_queries_cancelled_total{reason=\"client_request\"}") == 1);
  CHECK(Metric(c, "quiver_queries_cancelled_total{reason=\"timeout\"}") == 0);
  CHECK(json::parse(c.Get("/v1/queries")->body).empty());
  // An id that is not a name is refused before the query runs.
  auto bad = c.Post("/v1/query", {{"X-Quiver-Query-Id", "a b"}},
                    json{{"sql", "SELECT 1"}}.dump(), "application/json");
  REQUIRE(bad);
  CHECK(bad->status == 400);
}

TEST_CASE("Table statistics for the console: last change, sorted, distinct, exact bounds",
          "[http]") {
  Console q;
  auto c = q.Client();
  json tables = json::parse(c.Get("/v1/tables")->body);
  REQUIRE(tables.size() == 1);
  CHECK(tables[0]["modified_txn"].get<int64_t>() > 0);
  CHECK(tables[0]["modified"].get<std::string>().find('T') != std::string::npos);
  json t = json::parse(c.Get("/v1/tables/t?distinct=true&int64_as_string=true")->body);
  const json& id = t["columns"][0];
  const json& k = t["columns"][1];
  const json& u = t["columns"][2];
  CHECK(id["sorted"] == true);
  CHECK(k["sorted"] == false);
  CHECK(id["min"] == "0");
  CHECK(id["max"] == "9999");
  CHECK(u["min"] == "9223372036854775808");
  CHECK(u["max"] == "9223372036854785807");
  // HyperLogLog: within 3 % of the truth.
  CHECK(std::abs(id["distinct_estimate"].get<double>() - 10000) <= 300);
  CHECK(std::abs(k["distinct_estimate"].get<double>() - 40) <= 2);
  // Without the parameters: numbers, and no scan for estimates.
  json plain = json::parse(c.Get("/v1/tables/t")->body);
  CHECK(plain["columns"][0]["max"] == 9999);
  CHECK_FALSE(plain["columns"][0].contains("distinct_estimate"));
}

TEST_CASE("Table and chunk statistics of decimal, date64, time, float16 and interval columns",
          "[http]") {
  Console q(nullptr, [](store::Store& w) {
    auto schema = std::make_shared<Schema>(std::vector<Field>{
        {"dec", DataType::Decimal(12, 2), true, {}},
        {"wide", DataType::Decimal(50, 3), true, {}},
        {"d64", DataType(TypeId::kDate64), true, {}},
        {"t64", DataType::WithUnit(TypeId::kTime64, TimeUnit::kMicro), true, {}},
        {"h", DataType(TypeId::kFloat16), true, {}},
        {"iv", DataType(TypeId::kIntervalDayTime), true, {}},
    });
    REQUIRE(w.CreateTable("ty", *schema).ok());
    std::vector<RecordBatch> batches;
    for (int c = 0; c < 2; ++c) {
      RecordBatchBuilder b(schema);
      for (int64_t i = c * 100; i < (c + 1) * 100; ++i) {
        b.column(0).AppendDecimal(__int128(i) * 37 - 525);  // -5.25 .. 67.38
        b.column(1).AppendDecimal(-__int128(i) * 1000000000000000000LL * 1000000000);
        b.column(2).AppendInt((i + 1) * int64_t(86400000));
        b.column(3).AppendInt((i + 1) * int64_t(1000000));
        const uint16_t half = 0x3c00;
        b.column(4).AppendBytes(&half);
        const int32_t iv[2] = {int32_t(i % 10), 0};
        b.column(5).AppendBytes(iv);
      }
      batches.push_back(b.Finish().value());
    }
    REQUIRE(w.Write("ty", batches).ok());
  });
  auto c = q.Client();
  json t = json::parse(c.Get("/v1/tables/ty?distinct=true")->body);
  INFO(t.dump());
  const json& cols = t["columns"];
  CHECK(cols[0]["type"] == "decimal128(12, 2)");
  CHECK(cols[0]["min"] == "-5.25");
  CHECK(cols[0]["max"] == "68.38");
  CHECK(cols[1]["min"] == "-199000000000000000000000000.000");
  CHECK(cols[1]["max"] == "0.000");
  CHECK(cols[2]["min"] == "1970-01-02");
  CHECK(cols[2]["max"] == "1970-07-20");
  CHECK(cols[3]["min"] == "00:00:01.000000");
  CHECK(cols[3]["max"] == "00:03:20.000000");
  CHECK(cols[4]["min"].is_null());  // float16 keeps no bounds
  CHECK(std::abs(cols[0]["distinct_estimate"].get<double>() - 200) <= 6);
  CHECK(std::abs(cols[5]["distinct_estimate"].get<double>() - 10) <= 1);
  json chunks = json::parse(c.Get("/v1/tables/ty/chunks")->body);
  INFO(chunks.dump());
  CHECK(chunks["chunks"][1]["stats"]["dec"]["min"] == "31.75");
  CHECK(chunks["chunks"][1]["stats"]["t64"]["max"] == "00:03:20.000000");
}

TEST_CASE("Decimal expressions come back over HTTP as their exact text with their types",
          "[http]") {
  Console q(nullptr, [](store::Store& w) {
    auto schema = std::make_shared<Schema>(std::vector<Field>{
        {"id", DataType(TypeId::kInt64), false, {}},
        {"price", DataType::Decimal(12, 2), true, {}},
        {"qty", DataType(TypeId::kInt64), true, {}},
    });
    REQUIRE(w.CreateTable("d", *schema).ok());
    RecordBatchBuilder b(schema);
    const __int128 prices[] = {1234, -5, 999999999999, 10};  // 12.34, -0.05, 9999999999.99, 0.10
    const int64_t qty[] = {3, 7, 100000000, 0};
    for (int i = 0; i < 4; ++i) {
      b.column(0).AppendInt(i);
      b.column(1).AppendDecimal(prices[i]);
      b.column(2).AppendInt(qty[i]);
    }
    REQUIRE(w.Write("d", {b.Finish().value()}).ok());
  });
  auto c = q.Client();
  auto r = c.Post("/v1/query",
             json{{"sql", "SELECT price * qty AS v, price * 0.05 AS w, CAST(price AS DECIMAL(14,3)) "
                          "AS c, round(price, 1) AS r, price / 4 AS f FROM d ORDER BY id"}}
                 .dump(),
             "application/json");
  REQUIRE(r);
  INFO(r->body);
  REQUIRE(r->status == 200);
  json j = json::parse(r->body);
  CHECK(j["columns"][0]["type"] == "decimal128(31, 2)");
  CHECK(j["columns"][1]["type"] == "decimal128(15, 4)");
  CHECK(j["columns"][2]["type"] == "decimal128(14, 3)");
  CHECK(j["columns"][3]["type"] == "decimal128(12, 1)");
  CHECK(j["columns"][4]["type"] == "float64");
  CHECK(j["rows"][0] == json::array({"37.02", "0.6170", "12.340", "12.3", 3.085}));
  CHECK(j["rows"][1] == json::array({"-0.35", "-0.0025", "-0.050", "-0.1", -0.0125}));
  CHECK(j["rows"][2][0] == "999999999999000000.00");  // past a double's 15-17 digits
  CHECK(j["rows"][3][0] == "0.00");
  auto sum = c.Post("/v1/query", json{{"sql", "SELECT sum(price * qty) FROM d"}}.dump(),
                    "application/json");
  REQUIRE(sum);
  CHECK(json::parse(sum->body)["rows"][0][0] == "999999999999000036.67");
  auto bad = c.Post("/v1/query", json{{"sql", "SELECT price * 9999999999 * 9999999999 * 9999999999 FROM d"}}.dump(),
                    "application/json");
  REQUIRE(bad);
  CHECK(bad->status == 422);
  CHECK(bad->body.find("decimal overflow") != std::string::npos);
}

TEST_CASE("An unknown name in SQL text is reported at its line and column", "[http]") {
  Console q;
  auto c = q.Client();
  auto r = c.Post("/v1/query", json{{"sql", "SELECT id,\n  'nope', Nope\nFROM t"}}.dump(),
                  "application/json");
  REQUIRE(r);
  CHECK(r->status == 404);
  json e = json::parse(r->body)["error"];
  INFO(e.dump());
  CHECK(e["message"].get<std::string>().rfind("unknown column \"Nope\"", 0) == 0);
  // The name, not the string literal 'nope' before it.
  CHECK(e["line"] == 2);
  CHECK(e["column"] == 11);
  CHECK(e["offset"] == 21);
  auto f = c.Get("/v1/sql?q=SELECT%20lowr(id)%20FROM%20t");
  REQUIRE(f);
  json fe = json::parse(f->body)["error"];
  INFO(fe.dump());
  CHECK(fe["column"] == 8);
  auto t = c.Post("/v1/query", "SELECT 1 FROM\n\n   nosuch", "application/sql");
  REQUIRE(t);
  json te = json::parse(t->body)["error"];
  INFO(te.dump());
  CHECK(te["line"] == 3);
  CHECK(te["column"] == 4);
}

TEST_CASE("A client that closes its connection while its query runs cancels it in the server",
          "[http]") {
  std::promise<void> holding, release;
  auto release_f = release.get_future().share();
  std::atomic<int> calls{0};
  Console q([&](http::ServerConfig& c) {
    c.test_hook = [&, release_f](std::string_view point) {
      if (point == "query_started" && calls.fetch_add(1) == 0) {
        holding.set_value();
        release_f.wait();  // the query "runs" until the test lets it go
      }
      return Status::OK();
    };
  });
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(q.quiverd.port()));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  std::string body = json{{"sql", "SELECT count(*) FROM t"}}.dump();
  std::string req = "POST /v1/query HTTP/1.1\r\nHost: x\r\nX-Quiver-Query-Id: gone-1\r\n"
                    "Content-Type: application/json\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body;
  REQUIRE(send(fd, req.data(), req.size(), MSG_NOSIGNAL) == ssize_t(req.size()));
  holding.get_future().wait();
  close(fd);  // what a browser's AbortController does
  auto c = q.Client();
  // The watchdog (every 20 ms) sees the closed socket before any answer.
  json list;
  for (;;) {
    list = json::parse(c.Get("/v1/queries")->body);
    REQUIRE(list.size() == 1);
    if (!list[0]["cancelled"].is_null()) break;
    std::this_thread::yield();
  }
  CHECK(list[0]["cancelled"] == "client_gone");
  release.set_value();
  while (!json::parse(c.Get("/v1/queries")->body).empty()) std::this_thread::yield();
  CHECK(Metric(c, "quiver_queries_cancelled_total{reason=\"client_gone\"}") == 1);
  // A client that stays gets its answer as before.
  auto r = c.Post("/v1/query", json{{"sql", "SELECT count(*) FROM t"}}.dump(), "application/json");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(json::parse(r->body)["rows"] == json({{10000}}));
}
