// quiverd in-process: endpoints, formats, errors and limits of reads, talked to
// with cpp-httplib's client over 127.0.0.1 (fixture: server_fixture.h).
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

TEST_CASE("HttpStatusFor is the one table from Status code to HTTP status (README)", "[http]") {
  CHECK(http::HttpStatusFor(StatusCode::kInvalidArgument) == 400);
  CHECK(http::HttpStatusFor(StatusCode::kPermissionDenied) == 403);
  CHECK(http::HttpStatusFor(StatusCode::kNotFound) == 404);
  CHECK(http::HttpStatusFor(StatusCode::kAlreadyExists) == 409);
  CHECK(http::HttpStatusFor(StatusCode::kLocked) == 409);
  CHECK(http::HttpStatusFor(StatusCode::kTypeError) == 422);
  CHECK(http::HttpStatusFor(StatusCode::kOverflow) == 422);
  CHECK(http::HttpStatusFor(StatusCode::kNotSupported) == 422);
  CHECK(http::HttpStatusFor(StatusCode::kResourceExhausted) == 503);
  CHECK(http::HttpStatusFor(StatusCode::kCancelled) == 503);
  CHECK(http::HttpStatusFor(StatusCode::kOutOfSpace) == 507);
  CHECK(http::HttpStatusFor(StatusCode::kIOError) == 500);
  CHECK(http::HttpStatusFor(StatusCode::kCorruption) == 500);
  CHECK(http::HttpStatusFor(StatusCode::kInternal) == 500);
}

TEST_CASE("GET /v1/health reports the pool, its uuid, txn and engine", "[http]") {
  Fixture f;
  auto c = f.Client();
  auto r = c.Get("/v1/health");
  json j = Body(r);
  CHECK(r->status == 200);
  CHECK(j["status"] == "ok");
  CHECK(j["pool"] == f.path);
  CHECK(j["uuid"].get<std::string>().size() == 36);
  CHECK(j["txn"].get<uint64_t>() > 0);
  CHECK((j["engine"] == "mmap" || j["engine"] == "pmem"));
  CHECK(j["uptime"].get<double>() >= 0);
}

TEST_CASE("A kept-alive connection is told the idle timeout and no five-request limit", "[http]") {
  Fixture f;
  auto c = f.Client();
  c.set_keep_alive(true);
  for (int i = 0; i < 7; ++i) {
    auto r = c.Get("/v1/health");
    REQUIRE(r);
    CHECK(r->status == 200);
    // idle_timeout_ms is 5000 by default; cpp-httplib's own header said max=5.
    CHECK(r->get_header_value("Keep-Alive") == "timeout=5, max=1000000");
  }
}

TEST_CASE("GET /v1/tables and /v1/tables/{name} describe tables, statistics and zero-copy access",
          "[http]") {
  Fixture f;
  auto c = f.Client();
  json list = Body(c.Get("/v1/tables"));
  REQUIRE(list.is_array());
  REQUIRE(list.size() == 2);
  json trips = list[0]["name"] == "trips" ? list[0] : list[1];
  CHECK(trips["rows"] == 1000);
  CHECK(trips["chunks"] == 4);
  CHECK(trips["bytes"].get<uint64_t>() > 0);
  CHECK(trips["datashape"].get<std::string>().find("id: int64") != std::string::npos);

  json t = Body(c.Get("/v1/tables/trips"));
  REQUIRE(t["fields"].size() == 8);
  CHECK(t["fields"][0] == json({{"name", "id"}, {"type", "int64"}, {"nullable", false}}));
  CHECK(t["fields"][4]["type"] == "timestamp[ms]");
  CHECK(t["columns"][0]["min"] == 0);
  CHECK(t["columns"][0]["max"] == 999);
  CHECK(t["columns"][1]["nulls"] == 143);  // multiples of 7 in 0..999
  CHECK(t["columns"][4]["min"] == "2026-01-01T00:00:00.000Z");
  CHECK(t["columns"][7]["max"] == (uint64_t(1) << 63) + 999);
  CHECK(t["chunk_list"].size() == 4);
  CHECK(t["zero_copy"]["uuid"].get<std::string>().size() == 36);
  CHECK(t["zero_copy"]["txn"].get<uint64_t>() > 0);
  CHECK(t["schema"]["fields"].size() == 8);
}

TEST_CASE("Every query endpoint gives the same rows", "[http]") {
  Fixture f;
  auto c = f.Client();
  json expected = Rows(c, "SELECT id, fare, city FROM trips WHERE id < 20 AND fare > 3 ORDER BY id DESC LIMIT 5");
  REQUIRE(expected.size() == 5);
  CHECK(expected[0] == json({19, 9.5, "city_4"}));

  json model = {{"table", "trips"},
                {"select", {"id", "fare", "city"}},
                {"where", "id < 20 and fare > 3"},
                {"order_by", "id desc"},
                {"limit", 5}};
  CHECK(Body(c.Post("/v1/query", model.dump(), "application/json"))["rows"] == expected);
  model.erase("table");
  CHECK(Body(c.Post("/v1/tables/trips/query", model.dump(), "application/json"))["rows"] == expected);
  CHECK(Body(c.Get("/v1/tables/trips/rows?select=id,fare,city&where=" + Enc("id < 20 and fare > 3") +
                   "&order_by=" + Enc("id desc") + "&limit=5"))["rows"] == expected);
  CHECK(Body(c.Get("/v1/sql?q=" + Enc("SELECT id, fare, city FROM trips WHERE id < 20 AND fare > 3 "
                                      "ORDER BY id DESC LIMIT 5")))["rows"] == expected);
  CHECK(Body(c.Post("/v1/query",
                    "SELECT id, fare, city FROM trips WHERE id < 20 AND fare > 3 ORDER BY id DESC LIMIT 5",
                    "application/sql"))["rows"] == expected);

  // Aggregates through the URL.
  json agg = Body(c.Get("/v1/tables/trips/rows?select=" + Enc("city, count(*) as n") +
                        "&group_by=city&order_by=city"));
  REQUIRE(agg["rows"].size() == 5);
  CHECK(agg["rows"][0] == json({"city_0", 200}));
  CHECK(agg["columns"][1] == json({{"name", "n"}, {"type", "int64"}}));
}

TEST_CASE("JSON, NDJSON, CSV and Arrow results carry the same values", "[http]") {
  Fixture f;
  auto c = f.Client();
  const std::string q = "/v1/sql?q=" + Enc("SELECT * FROM trips WHERE id < 8 ORDER BY id");
  json j = Body(c.Get(q));
  REQUIRE(j["row_count"] == 8);
  CHECK(j["truncated"] == false);
  CHECK(j["elapsed_ms"].is_number());
  REQUIRE(j["columns"].size() == 8);
  CHECK(j["columns"][2] == json({{"name", "city"}, {"type", "utf8"}}));
  const json& rows = j["rows"];
  // Renderings: NULL, exact uint64 beyond 2^53, ISO timestamps and dates.
  CHECK(rows[0][1].is_null());
  CHECK(rows[1][3] == "a, \"quoted\" note");
  CHECK(rows[3][3].is_null());
  CHECK(rows[1][4] == "2026-01-01T00:00:01.000Z");
  CHECK(rows[1][5] == "2026-01-02");
  CHECK(rows[1][6] == false);
  CHECK(rows[1][7].get<uint64_t>() == (uint64_t(1) << 63) + 1);

  SECTION("orient=records") {
    json r = Body(c.Get(q + "&orient=records"));
    CHECK(r["rows"][2]["city"] == "city_2");
    CHECK(r["rows"][2]["fare"] == 1.0);
  }
  SECTION("ndjson by format= and by Accept") {
    for (int by_accept = 0; by_accept < 2; ++by_accept) {
      auto r = by_accept ? c.Get(q, {{"Accept", "application/x-ndjson"}}) : c.Get(q + "&format=ndjson");
      REQUIRE(r);
      CHECK(r->get_header_value("Content-Type") == "application/x-ndjson");
      std::istringstream in(r->body);
      std::string line;
      int i = 0;
      while (std::getline(in, line)) {
        json obj = json::parse(line);
        for (size_t k = 0; k < j["columns"].size(); ++k) {
          CHECK(obj[j["columns"][k]["name"].get<std::string>()] == rows[i][k]);
        }
        ++i;
      }
      CHECK(i == 8);
    }
  }
  SECTION("csv") {
    auto r = c.Get(q, {{"Accept", "text/csv"}});
    REQUIRE(r);
    CHECK(r->get_header_value("Content-Type").rfind("text/csv", 0) == 0);
    std::istringstream in(r->body);
    std::string line;
    std::getline(in, line);
    CHECK(line == "id,fare,city,note,ts,day,ok,big");
    std::getline(in, line);
    CHECK(line == "0,,city_0,,2026-01-01T00:00:00.000Z,2026-01-01,true,9223372036854775808");
    std::getline(in, line);
    CHECK(line == "1,0.5,city_1,\"a, \"\"quoted\"\" note\",2026-01-01T00:00:01.000Z,2026-01-02,false,9223372036854775809");
  }
  SECTION("arrow") {
    auto r = c.Get(q + "&format=arrow");
    REQUIRE(r);
    CHECK(r->get_header_value("Content-Type") == "application/vnd.apache.arrow.stream");
    auto bytes = std::make_shared<std::string>(r->body);
    auto reader = StreamReader::Open(reinterpret_cast<const uint8_t*>(bytes->data()),
                                     int64_t(bytes->size()), bytes);
    REQUIRE(reader.ok());
    CHECK((*reader)->schema()->num_fields() == 8);
    RecordBatch b;
    int64_t n = 0;
    for (;;) {
      auto more = (*reader)->Next(&b);
      REQUIRE(more.ok());
      if (!*more) break;
      ArrayView id = b.columns[0]->View();
      ArrayView fare = b.columns[1]->View();
      ArrayView big = b.columns[7]->View();
      for (int64_t i = 0; i < b.num_rows; ++i, ++n) {
        CHECK(id.Value<int64_t>(i) == rows[n][0].get<int64_t>());
        if (rows[n][1].is_null()) CHECK(fare.IsNull(i));
        else CHECK(fare.Value<double>(i) == rows[n][1].get<double>());
        CHECK(big.Value<uint64_t>(i) == rows[n][7].get<uint64_t>());
      }
    }
    CHECK(n == 8);
  }
}

TEST_CASE("An unfiltered Arrow scan is the schema message, the pool's chunk bytes and the end marker",
          "[http]") {
  Fixture f;
  auto c = f.Client();
  for (const char* table : {"trips", "big"}) {
    auto r = c.Get(std::string("/v1/tables/") + table + "/rows?format=arrow");
    REQUIRE(r);
    REQUIRE(r->status == 200);
    auto snap = f.served->GetSnapshot();
    REQUIRE(snap.ok());
    auto t = (*snap)->table(table);
    REQUIRE(t.ok());
    auto expected = SchemaMessage(*(*t)->schema());
    REQUIRE(expected.ok());
    for (size_t i = 0; i < (*t)->num_chunks(); ++i) {
      auto b = (*t)->ChunkBytes(i);
      REQUIRE(b.ok());
      expected->append(reinterpret_cast<const char*>(b->first), size_t(b->second));
    }
    *expected += EndOfStreamMarker();
    CHECK(r->body.size() == expected->size());
    CHECK(r->body == *expected);
  }
}

TEST_CASE("Arrow output read by npm apache-arrow equals the JSON output", "[http]") {
  std::string root = __FILE__;  // <root>/tests/http/server_test.cc
  for (int i = 0; i < 3; ++i) root = root.substr(0, root.find_last_of('/'));
  std::string modules = root + "/.deps/node/node_modules";
  if (access((modules + "/apache-arrow/package.json").c_str(), R_OK) != 0 ||
      std::system("node --version > /dev/null 2>&1") != 0) {
    WARN("SKIPPED: apache-arrow is not installed; run tools/node/install.sh");
    return;
  }
  Fixture f;
  auto c = f.Client();
  // The zero-copy full scan and a filtered, projected query.
  for (const std::string& where : {std::string(), std::string("&where=") + Enc("(id < 300 and city <> 'city_2') or fare is null")}) {
    INFO("where: " << where);
    auto arrow = c.Get("/v1/tables/trips/rows?format=arrow" + where);
    REQUIRE(arrow);
    REQUIRE(arrow->status == 200);
    json want = Body(c.Get("/v1/tables/trips/rows?int64_as_string=true" + where));
    std::string file = f.dir.file("out.arrows");
    quiver::testing::WriteFileBytes(file, arrow->body);
    std::string cmd = "NODE_PATH='" + modules + "' node '" + root + "/tools/node/read_ipc.js' '" + file +
                      "' > '" + file + ".json'";
    REQUIRE(std::system(cmd.c_str()) == 0);
    json got = json::parse(quiver::testing::ReadFileBytes(file + ".json"));
    // Columns as JS read them, concatenated over batches.
    std::vector<json> cols(8, json::array());
    for (const json& b : got["batches"]) {
      for (size_t k = 0; k < 8; ++k) {
        for (const json& v : b["columns"][k]) cols[k].push_back(v);
      }
    }
    REQUIRE(cols[0].size() == want["rows"].size());
    for (size_t i = 0; i < want["rows"].size(); ++i) {
      const json& row = want["rows"][i];
      for (size_t k : {0, 1, 2, 3, 6, 7}) {  // id, fare, city, note, ok, big
        INFO("row " << i << " column " << k);
        CHECK(cols[k][i] == row[k]);
      }
    }
  }
}

TEST_CASE("Errors have the right status and a JSON body; never a 200 with an error", "[http]") {
  Fixture f([](http::ServerConfig& c) {
    c.max_body_bytes = 1 << 20;
    c.max_result_rows = 50000;
  });
  auto c = f.Client();

  SECTION("a SQL syntax error gives its line, column and offset") {
    auto r = c.Post("/v1/query", json{{"sql", "SELECT id\nFORM trips"}}.dump(), "application/json");
    RequireError(r, 400, "invalid_argument");
    json e = json::parse(r->body)["error"];
    CHECK(e["line"] == 2);
    CHECK(e["column"] == 1);
    CHECK(e["offset"] == 10);
    auto g = c.Get("/v1/tables/trips/rows?where=" + Enc("id >"));
    RequireError(g, 400, "invalid_argument");
    CHECK(json::parse(g->body)["error"]["parameter"] == "where");
  }
  SECTION("malformed JSON gives the offset") {
    auto r = c.Post("/v1/query", "{\"sql\": ", "application/json");
    RequireError(r, 400, "invalid_argument");
    CHECK(json::parse(r->body)["error"].contains("offset"));
    RequireError(c.Post("/v1/query", "[1]", "application/json"), 400, "invalid_argument");
    RequireError(c.Post("/v1/query", R"({"table": "trips", "limit": "x"})", "application/json"), 400,
                 "invalid_argument");
  }
  SECTION("unknown tables and columns are 404 and name what exists") {
    auto r = c.Get("/v1/tables/nope");
    RequireError(r, 404, "not_found");
    json e = json::parse(r->body)["error"];
    CHECK(e["tables"] == json({"big", "trips"}));
    RequireError(c.Get("/v1/sql?q=" + Enc("SELECT * FROM nope")), 404, "not_found");
    auto col = c.Get("/v1/tables/trips/rows?select=nope");
    RequireError(col, 404, "not_found");
    CHECK(json::parse(col->body)["error"]["message"].get<std::string>().find("fare") != std::string::npos);
    RequireError(c.Get("/v1/nothing"), 404, "not_found");
  }
  SECTION("table names with .., / and NUL are refused") {
    RequireError(c.Get("/v1/tables/..%2Fetc"), 404, "not_found");  // decodes to two segments
    RequireError(c.Get("/v1/tables/.."), 400, "invalid_argument");
    RequireError(c.Get("/v1/tables/a%00b"), 400, "invalid_argument");
    RequireError(c.Get("/v1/tables/a.b/rows"), 400, "invalid_argument");
  }
  SECTION("a type mismatch is 422") {
    RequireError(c.Get("/v1/tables/trips/rows?where=" + Enc("id = 'x'")), 422, "type_error");
  }
  SECTION("limits: a huge limit is capped with truncated, an absurd one refused") {
    json j = Body(c.Get("/v1/tables/big/rows?limit=1000000000000&format=json"));
    CHECK(j["row_count"] == 50000);
    CHECK(j["truncated"] == true);
    RequireError(c.Get("/v1/tables/trips/rows?limit=99999999999999999999"), 400, "invalid_argument");
    RequireError(c.Get("/v1/tables/trips/rows?limit=-1"), 400, "invalid_argument");
    RequireError(c.Get("/v1/tables/trips/rows?filter=x"), 400, "invalid_argument");
  }
  SECTION("a streamed result cut by max_result_rows ends with the error marker") {
    auto r = c.Get("/v1/tables/big/rows?format=ndjson");  // streamed: over 256 KiB
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body.find("\"resource_exhausted\"") != std::string::npos);
    json j = Body(c.Get("/v1/tables/big/rows"));
    CHECK(j["truncated"] == true);
    CHECK(j["row_count"] == 50000);
  }
  SECTION("405 with Allow, 406, 411, 413, 415") {
    auto r = c.Delete("/v1/query");
    RequireError(r, 405, "method_not_allowed");
    CHECK(r->get_header_value("Allow") == "POST, OPTIONS");
    RequireError(c.Put("/v1/tables/trips", "x", "text/plain"), 405, "method_not_allowed");
    RequireError(c.Get("/v1/tables/trips/rows", {{"Accept", "image/png"}}), 406, "not_acceptable");
    RequireError(c.Get("/v1/sql?q=x&format=xml"), 400, "invalid_argument");
    RequireError(c.Post("/v1/query", "sql=1", "application/x-www-form-urlencoded"), 415,
                 "unsupported_media_type");
    std::string big((1 << 20) + 1, ' ');
    RequireError(c.Post("/v1/query", big, "application/json"), 413, "payload_too_large");
  }
}

TEST_CASE("A small result cut by max_result_rows says so in a header (and in JSON)", "[http]") {
  Fixture f([](http::ServerConfig& c) { c.max_result_rows = 100; });
  auto c = f.Client();
  auto csv = c.Get("/v1/tables/trips/rows?format=csv");
  REQUIRE(csv);
  CHECK(csv->get_header_value("X-Quiver-Truncated") == "true");
  json j = Body(c.Get("/v1/tables/trips/rows"));
  CHECK(j["row_count"] == 100);
  CHECK(j["truncated"] == true);
  CHECK(!c.Get("/v1/tables/trips/rows?limit=5&format=csv")->has_header("X-Quiver-Truncated"));
}

TEST_CASE("A 1 GB Content-Length is refused before the body is read, and no length is 411",
          "[http]") {
  Fixture f;
  // A raw socket: send only the headers.
  auto send_raw = [&](const std::string& request) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(f.quiverd.port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(write(fd, request.data(), request.size()) == ssize_t(request.size()));
    std::string reply;
    char buf[4096];
    for (;;) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) break;
      reply.append(buf, size_t(n));
      if (reply.find("\r\n\r\n") != std::string::npos &&
          reply.find("}\n", reply.find("\r\n\r\n")) != std::string::npos) {
        break;
      }
    }
    close(fd);
    return reply;
  };
  std::string r = send_raw(
      "POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 1073741824\r\n\r\n");
  CHECK(r.rfind("HTTP/1.1 413", 0) == 0);
  CHECK(r.find("payload_too_large") != std::string::npos);
  r = send_raw("POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\r\n");
  CHECK(r.rfind("HTTP/1.1 411", 0) == 0);
}

TEST_CASE("Tokens protect reads and writes; writes are off unless enabled", "[http]") {
  SECTION("read-only server refuses writes") {
    Fixture f;
    auto c = f.Client();
    RequireError(c.Delete("/v1/tables/trips"), 403, "permission_denied");
    RequireError(c.Post("/v1/tables", R"({"name":"x","datashape":"var * {a: int64}"})", "application/json"),
                 403, "permission_denied");
  }
  SECTION("tokens") {
    Fixture f([](http::ServerConfig& c) {
      c.writes_enabled = true;
      c.write_token = "w-secret";
      c.read_token = "r-secret";
    });
    auto c = f.Client();
    auto r = c.Get("/v1/tables");
    RequireError(r, 401, "unauthenticated");
    CHECK(r->get_header_value("WWW-Authenticate").rfind("Bearer", 0) == 0);
    RequireError(c.Get("/v1/tables", {{"Authorization", "Bearer wrong"}}), 403, "permission_denied");
    CHECK(c.Get("/v1/tables", {{"Authorization", "Bearer r-secret"}})->status == 200);
    CHECK(c.Get("/v1/tables", {{"Authorization", "Bearer w-secret"}})->status == 200);
    CHECK(c.Get("/v1/health")->status == 200);  // for load balancers
    RequireError(c.Get("/v1/openapi.json"), 401, "unauthenticated");
    RequireError(c.Get("/metrics", {{"Authorization", "Bearer wrong"}}), 403, "permission_denied");
    RequireError(c.Delete("/v1/tables/trips", {{"Authorization", "Bearer r-secret"}}), 403,
                 "permission_denied");
    auto m = c.Get("/metrics", {{"Authorization", "Bearer r-secret"}});
    REQUIRE(m);
    CHECK(m->body.find("\nquiver_http_auth_failures_total 5\n") != std::string::npos);
    auto d = c.Delete("/v1/tables/trips", {{"Authorization", "Bearer w-secret"}});
    REQUIRE(d);
    CHECK(d->status == 200);
    CHECK(json::parse(d->body)["dropped"] == "trips");
  }
  SECTION("writes enabled beyond loopback without a token refuse to start") {
    http::ServerConfig cfg;
    cfg.host = "0.0.0.0";
    cfg.writes_enabled = true;
    CHECK(!http::ValidateServerConfig(cfg).ok());
    cfg.write_token = "t";
    CHECK(http::ValidateServerConfig(cfg).ok());
  }
}
