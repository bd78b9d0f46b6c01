// quiverd in-process: writes, limits, compression, metrics and shutdown; and the
// real quiverd binary stopped with SIGTERM (fixture: server_fixture.h).
#include "http/server.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "columnar/builder.h"
#include "columnar/ipc.h"
#include "http/compress_internal.h"
#include "http/server_internal.h"
#include "http/server_fixture.h"

using namespace quiver;
using namespace quiver::server_test;

TEST_CASE("Writes: create, append NDJSON, CSV and Arrow all-or-nothing, drop", "[http]") {
  Fixture f([](http::ServerConfig& c) { c.writes_enabled = true; });
  auto c = f.Client();
  auto r = c.Post("/v1/tables", R"({"name": "events", "datashape": "var * {id: int64, name: ?string}"})",
                  "application/json");
  REQUIRE(r);
  INFO(r->body);
  REQUIRE(r->status == 201);
  RequireError(c.Post("/v1/tables", R"({"name": "events", "datashape": "var * {id: int64}"})", "application/json"),
               409, "already_exists");
  // A schema that does not parse is invalid_argument, 400 like everywhere else.
  RequireError(c.Post("/v1/tables", R"({"name": "bad", "datashape": "var * {id: nosuchtype}"})", "application/json"),
               400, "invalid_argument");

  auto a = c.Post("/v1/tables/events/rows", "{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2}\n",
                  "application/x-ndjson");
  REQUIRE(a);
  INFO(a->body);
  REQUIRE(a->status == 200);
  json aj = json::parse(a->body);
  CHECK(aj["rows"] == 2);
  CHECK(aj["txn"].get<uint64_t>() > 0);
  auto b = c.Post("/v1/tables/events/rows", "id,name\n3,c\n4,\n", "text/csv");
  REQUIRE(b);
  INFO(b->body);
  CHECK(b->status == 200);
  CHECK(json::parse(b->body)["txn"].get<uint64_t>() > aj["txn"].get<uint64_t>());

  // A bad third row: nothing of the body is appended.
  auto bad = c.Post("/v1/tables/events/rows", "{\"id\": 5}\n{\"id\": 6}\n{\"id\": \"x\"}\n",
                    "application/x-ndjson");
  RequireError(bad, 422, "type_error");
  RequireError(c.Post("/v1/tables/events/rows", "x", "application/xml"), 415, "unsupported_media_type");
  // A body that does not parse as its Content-Type is invalid_argument (400),
  // a value of the wrong type type_error (422).
  RequireError(c.Post("/v1/tables/events/rows", "{\"id\": 5\n", "application/x-ndjson"), 400,
               "invalid_argument");
  RequireError(c.Post("/v1/tables/events/rows", "not arrow", "application/vnd.apache.arrow.stream"),
               400, "invalid_argument");
  RequireError(c.Post("/v1/tables/nope/rows", "{}\n", "application/x-ndjson"), 404, "not_found");

  // Arrow: the table's schema, and ?create=true for a new table.
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"id", DataType(TypeId::kInt64), false, {}},
                                                            {"name", DataType(TypeId::kUtf8), true, {}}});
  RecordBatchBuilder bb(schema);
  bb.column(0).AppendInt(7);
  bb.column(1).AppendString("g");
  auto batch = bb.Finish();
  REQUIRE(batch.ok());
  auto ipc = WriteIpcStream(*schema, {*batch});
  REQUIRE(ipc.ok());
  auto ar = c.Post("/v1/tables/events/rows", *ipc, "application/vnd.apache.arrow.stream");
  REQUIRE(ar);
  INFO(ar->body);
  CHECK(ar->status == 200);
  auto cr = c.Post("/v1/tables/copy/rows?create=true", *ipc, "application/vnd.apache.arrow.stream");
  REQUIRE(cr);
  CHECK(cr->status == 201);
  RequireError(c.Post("/v1/tables/trips/rows", *ipc, "application/vnd.apache.arrow.stream"), 422,
               "type_error");

  CHECK(Rows(c, "SELECT id, name FROM events ORDER BY id") ==
        json({{1, "a"}, {2, nullptr}, {3, "c"}, {4, nullptr}, {7, "g"}}));
  CHECK(Rows(c, "SELECT * FROM copy") == json({{7, "g"}}));

  auto d = c.Delete("/v1/tables/events");
  REQUIRE(d);
  CHECK(d->status == 200);
  RequireError(c.Get("/v1/tables/events"), 404, "not_found");
  RequireError(c.Delete("/v1/tables/events"), 404, "not_found");
}

TEST_CASE("A commit by another writer is visible to the next request", "[http]") {
  Fixture f;
  auto c = f.Client();
  CHECK(Body(c.Get("/v1/tables/trips"))["rows"] == 1000);
  uint64_t txn = Body(c.Get("/v1/health"))["txn"];
  REQUIRE(f.writer->Write("trips", {MakeTrips(1000, 10)}).ok());
  CHECK(Body(c.Get("/v1/tables/trips"))["rows"] == 1010);
  CHECK(Body(c.Get("/v1/health"))["txn"].get<uint64_t>() > txn);
  CHECK(Rows(c, "SELECT count(*) FROM trips") == json({{1010}}));
}

TEST_CASE("An idle server moves its pin on, so the writer can reuse freed space", "[http]") {
  Fixture f;
  auto c = f.Client();
  CHECK(Body(c.Get("/v1/tables/trips"))["rows"] == 1000);  // the server now pins this state
  REQUIRE(f.writer->TruncateTable("trips").ok());            // frees the table's chunks
  // No request follows: the server must let go of the old state by itself
  // (bounded polling of the condition, at most 10 s).
  bool reusable = false;
  for (int i = 0; i < 1000 && !reusable; ++i) {
    reusable = f.writer->pool().Info().free_list_pending == 0;
    if (!reusable) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(reusable);
}

TEST_CASE("Over max_concurrent_queries a query gets 503 with Retry-After", "[http]") {
  std::promise<void> holding, release;
  auto release_f = release.get_future().share();
  std::atomic<int> calls{0};
  Fixture f([&](http::ServerConfig& c) {
    c.max_concurrent_queries = 1;
    c.test_hook = [&, release_f](std::string_view point) {
      if (point == "query_started" && calls.fetch_add(1) == 0) {
        holding.set_value();
        release_f.wait();
      }
      return Status::OK();
    };
  });
  std::thread first([&] {
    auto c = f.Client();
    CHECK(Rows(c, "SELECT count(*) FROM trips") == json({{1000}}));
  });
  holding.get_future().wait();
  auto c = f.Client();
  auto r = c.Get("/v1/sql?q=" + Enc("SELECT count(*) FROM trips"));
  RequireError(r, 503, "resource_exhausted");
  CHECK(r->get_header_value("Retry-After") == "1");
  CHECK(c.Get("/v1/health")->status == 200);  // not a query
  release.set_value();
  first.join();
  CHECK(Rows(c, "SELECT count(*) FROM trips") == json({{1000}}));
}

TEST_CASE("A query over max_concurrent_queries waits for a slot instead of a 503", "[http]") {
  std::promise<void> holding, release;
  auto release_f = release.get_future().share();
  std::atomic<int> calls{0};
  Fixture f([&](http::ServerConfig& c) {
    c.max_concurrent_queries = 1;
    c.admission_wait_ms = 60'000;
    c.admission_queue = 1;
    c.test_hook = [&, release_f](std::string_view point) {
      if (point == "query_started" && calls.fetch_add(1) == 0) {
        holding.set_value();
        release_f.wait();
      }
      return Status::OK();
    };
  });
  std::thread first([&] {
    auto c = f.Client();
    CHECK(Rows(c, "SELECT count(*) FROM trips") == json({{1000}}));
  });
  holding.get_future().wait();
  std::thread second([&] {  // queued behind the first
    auto c = f.Client();
    CHECK(Rows(c, "SELECT count(*) FROM trips WHERE id < 10") == json({{10}}));
  });
  auto c = f.Client();
  auto waiting = [&] {
    auto m = c.Get("/metrics");
    REQUIRE(m);
    return m->body.find("\nquiver_queries_waiting 1.") != std::string::npos;
  };
  while (!waiting()) std::this_thread::yield();
  // The queue (admission_queue = 1) is full: a third query is refused.
  auto r = c.Get("/v1/sql?q=" + Enc("SELECT count(*) FROM trips"));
  RequireError(r, 503, "resource_exhausted");
  CHECK(json::parse(r->body)["error"]["message"].get<std::string>().find("admission_queue") !=
        std::string::npos);
  release.set_value();
  first.join();
  second.join();
}

TEST_CASE("Queries over the size limits get a 400 limit_exceeded", "[http]") {
  Fixture f([](http::ServerConfig& c) {
    c.max_sql_bytes = 4096;
    c.max_in_list = 100;
    c.max_expr_depth = 8;
    c.max_result_columns = 3;
  });
  auto c = f.Client();
  std::string in = "SELECT count(*) FROM trips WHERE id IN (0";
  for (int i = 1; i < 101; ++i) in += "," + std::to_string(i);
  in += ")";
  RequireError(c.Post("/v1/query", json{{"sql", in}}.dump(), "application/json"), 400,
               "limit_exceeded");
  json list = json::array();
  for (int i = 0; i < 101; ++i) list.push_back(i);
  json model = {{"table", "trips"},
                {"where", {{"op", "in"}, {"args", json::array({{{"col", "id"}}, list})}}}};
  RequireError(c.Post("/v1/query", model.dump(), "application/json"), 400, "limit_exceeded");
  std::string deep = "id = 1";
  for (int i = 0; i < 8; ++i) deep = "NOT (" + deep + ")";
  RequireError(c.Get("/v1/sql?q=" + Enc("SELECT count(*) FROM trips WHERE " + deep)), 400,
               "limit_exceeded");
  RequireError(c.Get("/v1/sql?q=" + Enc("SELECT id, id, id, id FROM trips")), 400,
               "limit_exceeded");
  RequireError(c.Post("/v1/query", "SELECT 1 FROM trips WHERE id = 1" + std::string(5000, ' '),
                      "application/sql"),
               400, "limit_exceeded");
  CHECK(Rows(c, "SELECT count(*) FROM trips WHERE id IN (1, 2, 3)") == json({{3}}));
}

TEST_CASE("A query past query_timeout_ms is cancelled with a 503", "[http]") {
  Fixture f([](http::ServerConfig& c) {
    c.query_timeout_ms = 5;
    c.test_hook = [](std::string_view point) {
      if (point == "query_started") {
        // Let the query's deadline pass before it runs.
        auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(10);
        while (std::chrono::steady_clock::now() < until) std::this_thread::yield();
      }
      return Status::OK();
    };
  });
  auto c = f.Client();
  auto r = c.Get("/v1/sql?q=" + Enc("SELECT * FROM trips"));
  RequireError(r, 503, "cancelled");
  CHECK(json::parse(r->body)["error"]["message"].get<std::string>().find("query_timeout_ms") !=
        std::string::npos);
}

TEST_CASE("A slow client is dropped after read_timeout_ms while others are served", "[http]") {
  Fixture f([](http::ServerConfig& c) { c.read_timeout_ms = 200; });
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(f.quiverd.port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  const char partial[] = "GET /v1/tab";
  REQUIRE(write(fd, partial, sizeof partial - 1) == ssize_t(sizeof partial - 1));
  auto c = f.Client();
  CHECK(c.Get("/v1/tables")->status == 200);
  auto start = std::chrono::steady_clock::now();
  char buf[256];
  while (read(fd, buf, sizeof buf) > 0) {
  }  // EOF when the server gives up on us
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(waited < 5);
  close(fd);
}

TEST_CASE("zstd and gzip responses decode to the plain body, streamed or not", "[http]") {
  Fixture f;
  auto c = f.Client();
  c.set_decompress(false);
  for (const std::string& path : {std::string("/v1/tables/trips/rows?limit=200"),
                                  std::string("/v1/tables/big/rows?format=ndjson"),
                                  std::string("/v1/openapi.json")}) {
    auto plain = c.Get(path, {{"Accept-Encoding", "identity"}});
    REQUIRE(plain);
    REQUIRE(plain->status == 200);
    CHECK(!plain->has_header("Content-Encoding"));
    REQUIRE(plain->body.size() > 4096);
    for (auto [name, enc] : {std::pair{"zstd", http::Encoding::kZstd}, std::pair{"gzip", http::Encoding::kGzip}}) {
      auto z = c.Get(path, {{"Accept-Encoding", name}});
      REQUIRE(z);
      CHECK(z->get_header_value("Content-Encoding") == name);
      CHECK(z->body.size() < plain->body.size());
      auto d = http::Decompress(enc, z->body);
      REQUIRE(d.ok());
      if (path.find("rows?limit") != std::string::npos) {
        // elapsed_ms differs between runs: compare the rows.
        CHECK(json::parse(*d)["rows"] == json::parse(plain->body)["rows"]);
      } else {
        CHECK(*d == plain->body);
      }
    }
  }
  // Small bodies stay plain.
  auto small = c.Get("/v1/health", {{"Accept-Encoding", "zstd, gzip"}});
  CHECK(!small->has_header("Content-Encoding"));
  CHECK(http::ChooseEncoding("gzip;q=0, zstd;q=0") == http::Encoding::kIdentity);
  CHECK(http::ChooseEncoding("br, gzip") == http::Encoding::kGzip);
  CHECK(http::ChooseEncoding("*") == http::Encoding::kZstd);
}

TEST_CASE("An error after streaming began ends the stream with the format's error marker",
          "[http]") {
  std::atomic<int> streamed{0};
  Fixture f([&](http::ServerConfig& c) {
    c.test_hook = [&](std::string_view point) {
      if (point == "stream" && streamed.fetch_add(1) == 0) {
        return Status::Corruption("injected: chunk 2 is damaged");
      }
      return Status::OK();
    };
  });
  auto c = f.Client();
  auto last_line = [](const std::string& body) {
    size_t end = body.size() - (body.back() == '\n' ? 1 : 0);
    size_t start = body.rfind('\n', end - 1);
    return body.substr(start == std::string::npos ? 0 : start + 1, end - (start + 1));
  };
  SECTION("ndjson") {
    auto r = c.Get("/v1/tables/big/rows?format=ndjson");
    REQUIRE(r);
    CHECK(r->status == 200);
    json e = json::parse(last_line(r->body));
    CHECK(e["error"]["code"] == "corruption");
  }
  SECTION("csv") {
    auto r = c.Get("/v1/tables/big/rows?format=csv");
    REQUIRE(r);
    INFO(r->body.substr(r->body.size() > 300 ? r->body.size() - 300 : 0));
    CHECK(last_line(r->body).rfind("#error: corruption: ", 0) == 0);
  }
  SECTION("json") {
    auto r = c.Get("/v1/tables/big/rows");
    REQUIRE(r);
    json j = json::parse(r->body);  // still a complete document
    CHECK(j["error"]["code"] == "corruption");
    CHECK(!j.contains("truncated"));
  }
  SECTION("arrow: the stream is cut off") {
    auto r = c.Get("/v1/tables/big/rows?format=arrow&where=" + Enc("v >= 0"));
    CHECK(!r);  // the chunked body never completes
  }
}

TEST_CASE("Metrics count requests, rows and pool state in Prometheus text", "[http]") {
  Fixture f;
  auto c = f.Client();
  REQUIRE(Rows(c, "SELECT * FROM trips WHERE id < 3").size() == 3);
  c.Get("/v1/tables/nope");
  auto m = c.Get("/metrics");
  REQUIRE(m);
  CHECK(m->status == 200);
  const std::string& t = m->body;
  CHECK(t.find("quiver_http_requests_total{route=\"/v1/query\",status=\"200\"} 1") != std::string::npos);
  CHECK(t.find("quiver_http_requests_total{route=\"/v1/tables/{name}\",status=\"404\"} 1") != std::string::npos);
  CHECK(t.find("quiver_http_request_duration_seconds_bucket{route=\"/v1/query\",le=\"+Inf\"} 1") !=
        std::string::npos);
  CHECK(t.find("quiver_rows_returned_total 3") != std::string::npos);
  CHECK(t.find("quiver_pool_capacity_bytes") != std::string::npos);
  CHECK(t.find("quiver_pool_reader_pins") != std::string::npos);
  CHECK(t.find("quiver_pool_txn") != std::string::npos);
  auto m2 = c.Get("/metrics");
  CHECK(m2->body.find("quiver_http_requests_total{route=\"/metrics\",status=\"200\"} 1") != std::string::npos);
}

TEST_CASE("The web page and the OpenAPI document are served", "[http]") {
  Fixture f;
  auto c = f.Client();
  auto page = c.Get("/");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->get_header_value("Content-Type").rfind("text/html", 0) == 0);
  CHECK(page->body.find("/web/app.js") != std::string::npos);  // the console (console_test.cc)
  json doc = Body(c.Get("/v1/openapi.json"));
  CHECK(doc["openapi"].get<std::string>().rfind("3.", 0) == 0);
  for (const char* p : {"/v1/health", "/v1/tables", "/v1/tables/{name}", "/v1/tables/{name}/rows",
                        "/v1/tables/{name}/query", "/v1/query", "/v1/sql", "/v1/openapi.json", "/metrics", "/",
                        "/v1/queries", "/v1/queries/{id}", "/web/{file}"}) {
    CHECK(doc["paths"].contains(p));
  }
  auto opt = c.Options("/v1/tables");
  REQUIRE(opt);
  CHECK(opt->status == 204);
  CHECK(opt->get_header_value("Allow") == "GET, HEAD, POST, OPTIONS");
}

TEST_CASE("CORS: allowed origins get Access-Control headers and preflights", "[http]") {
  Fixture f([](http::ServerConfig& c) { c.cors_origins = {"https://dash.example"}; });
  auto c = f.Client();
  auto ok = c.Get("/v1/tables", {{"Origin", "https://dash.example"}});
  CHECK(ok->get_header_value("Access-Control-Allow-Origin") == "https://dash.example");
  auto other = c.Get("/v1/tables", {{"Origin", "https://evil.example"}});
  CHECK(!other->has_header("Access-Control-Allow-Origin"));
  auto pre = c.Options("/v1/query", {{"Origin", "https://dash.example"},
                                     {"Access-Control-Request-Method", "POST"}});
  REQUIRE(pre);
  CHECK(pre->status == 204);
  CHECK(pre->get_header_value("Access-Control-Allow-Methods") == "POST, OPTIONS");
  CHECK(pre->get_header_value("Access-Control-Allow-Headers").find("Authorization") != std::string::npos);
}

TEST_CASE("The config file is parsed with errors that name the key", "[http]") {
  auto c = http::ParseServerConfig(R"({"listen": "0.0.0.0:9000", "threads": 4, "cors": "*",
                                       "max_result_rows": 10, "writes_enabled": true, "write_token": "t"})");
  REQUIRE(c.ok());
  CHECK(c->host == "0.0.0.0");
  CHECK(c->port == 9000);
  CHECK(c->threads == 4);
  CHECK(c->cors_origins == std::vector<std::string>{"*"});
  auto bad = http::ParseServerConfig(R"({"max_rows": 1})");
  REQUIRE(!bad.ok());
  CHECK(bad.status().message().find("max_rows") != std::string::npos);
  CHECK(!http::ParseServerConfig(R"({"threads": "x"})").ok());
  CHECK(!http::ParseServerConfig(R"({"listen": "localhost"})").ok());
  // max_query_memory: bytes or a size with a unit; 4 GiB by default.
  CHECK(http::ParseServerConfig("{}")->max_query_memory == int64_t(4) << 30);
  CHECK(http::ParseServerConfig(R"({"max_query_memory": "2G"})")->max_query_memory == int64_t(2) << 30);
  CHECK(http::ParseServerConfig(R"({"max_query_memory": 1048576})")->max_query_memory == 1048576);
  CHECK(!http::ParseServerConfig(R"({"max_query_memory": -1})").ok());
  CHECK(!http::ParseServerConfig(R"({"max_query_memory": "lots"})").ok());
}

#ifdef QUIVERD_BIN
TEST_CASE("quiverd serves a pool, sees quiver ingest commits, and exits 0 on SIGTERM", "[http]") {
  TempDir dir;
  std::string path = dir.file("d.pool");
  std::string err_file = dir.file("quiverd.err");
  {
    auto w = store::Store::Create(path, 16 << 20);
    REQUIRE(w.ok());
    REQUIRE((*w)->CreateTable("trips", *TripsSchema()).ok());
    REQUIRE((*w)->Write("trips", {MakeTrips(0, 100)}).ok());
  }
  int out = -1;
  const pid_t pid = quiver::testing::SpawnProgram(
      QUIVERD_BIN, {"--pool", path, "--listen", "127.0.0.1:0"}, &out, nullptr, err_file);
  std::string line;
  REQUIRE(quiver::testing::ReadLine(out, &line));
  INFO(line);
  auto at = line.find("http://127.0.0.1:");
  REQUIRE(at != std::string::npos);
  int port = std::stoi(line.substr(at + 17));
  httplib::Client c("127.0.0.1", port);
  auto r = c.Get("/v1/sql?q=" + Enc("SELECT count(*) AS n FROM trips"));
  REQUIRE(r);
  CHECK(json::parse(r->body)["rows"] == json({{100}}));
#ifdef QUIVER_CLI
  // `quiver ingest` in another process commits; the next request sees it.
  std::string rows = dir.file("more.ndjson");
  quiver::testing::WriteFileBytes(rows, "{\"id\": 100, \"fare\": 1.5}\n{\"id\": 101}\n");
  std::string cmd = std::string(QUIVER_CLI) + " ingest '" + path + "' trips '" + rows + "' --append > /dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  r = c.Get("/v1/sql?q=" + Enc("SELECT count(*) AS n, max(id) FROM trips"));
  REQUIRE(r);
  CHECK(json::parse(r->body)["rows"] == json({{102, 101}}));
#endif
  kill(pid, SIGTERM);
  CHECK(quiver::testing::WaitChild(pid) == 0);
  close(out);
  // The request log is written in batches: every request's line is there
  // at exit, before the final "stopped".
  std::string log = quiver::testing::ReadFileBytes(err_file);
  INFO(log);
  size_t requests = 0;
  for (size_t at = 0; (at = log.find(" GET /v1/sql?q=", at)) != std::string::npos; ++at) ++requests;
#ifdef QUIVER_CLI
  CHECK(requests == 2);
#else
  CHECK(requests == 1);
#endif
  CHECK(log.rfind(" GET /v1/sql?q=") < log.find("quiverd: stopped"));
}
#endif
