// quiverd in-process: every endpoint, format, error, limit and write, talked
// to with cpp-httplib's client over 127.0.0.1; and the real quiverd binary
// stopped with SIGTERM.
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
#include "test_util.h"

using namespace quiver;
using json = nlohmann::json;
using quiver::testing::TempDir;

namespace {

std::shared_ptr<const Schema> TripsSchema() {
  return std::make_shared<Schema>(std::vector<Field>{
      {"id", DataType(TypeId::kInt64), false, {}},
      {"fare", DataType(TypeId::kFloat64), true, {}},
      {"city", DataType::Dictionary(TypeId::kInt32), true, {}},
      {"note", DataType(TypeId::kUtf8), true, {}},
      {"ts", DataType::Timestamp(TimeUnit::kMilli), true, {}},
      {"day", DataType(TypeId::kDate32), true, {}},
      {"ok", DataType(TypeId::kBool), true, {}},
      {"big", DataType(TypeId::kUInt64), true, {}},
  });
}

// Rows [start, start+n): id = i, fare = i/2 (null every 7th), city_<i%5>,
// note "n<i>" (null every 3rd; i = 1 has a comma and a quote), ts = i
// seconds after 2026-01-01, day = 20454 + i % 30, ok = i % 2 == 0,
// big = 2^63 + i.
RecordBatch MakeTrips(int64_t start, int64_t n) {
  RecordBatchBuilder b(TripsSchema());
  for (int64_t i = start; i < start + n; ++i) {
    b.column(0).AppendInt(i);
    if (i % 7 == 0) b.column(1).AppendNull();
    else b.column(1).AppendDouble(double(i) / 2);
    b.column(2).AppendString("city_" + std::to_string(i % 5));
    if (i % 3 == 0) b.column(3).AppendNull();
    else if (i == 1) b.column(3).AppendString("a, \"quoted\" note");
    else b.column(3).AppendString("n" + std::to_string(i));
    b.column(4).AppendInt(1767225600000 + i * 1000);
    b.column(5).AppendInt(20454 + i % 30);
    b.column(6).AppendBool(i % 2 == 0);
    b.column(7).AppendUInt((uint64_t(1) << 63) + uint64_t(i));
  }
  auto r = b.Finish();
  REQUIRE(r.ok());
  return std::move(r).value();
}

// A pool with table `trips` (rows 0..999 in 4 chunks) and `big` (60,000 rows
// of one int64 column `v` in 4 chunks), a writer Store for the test and a
// server over a read-only Store (unless writes are enabled).
struct Fixture {
  TempDir dir;
  std::string path = dir.file("test.pool");
  std::unique_ptr<store::Store> writer;
  std::unique_ptr<store::Store> served;
  std::unique_ptr<http::Server> server;
  http::ServerConfig config;

  explicit Fixture(std::function<void(http::ServerConfig&)> tweak = nullptr) {
    auto w = store::Store::Create(path, 64 << 20);
    REQUIRE(w.ok());
    writer = std::move(*w);
    REQUIRE(writer->CreateTable("trips", *TripsSchema()).ok());
    std::vector<RecordBatch> batches;
    for (int i = 0; i < 4; ++i) batches.push_back(MakeTrips(i * 250, 250));
    REQUIRE(writer->Write("trips", batches).ok());
    auto big_schema = std::make_shared<Schema>(std::vector<Field>{{"v", DataType(TypeId::kInt64), true, {}}});
    REQUIRE(writer->CreateTable("big", *big_schema).ok());
    std::vector<RecordBatch> big;
    for (int c = 0; c < 4; ++c) {
      RecordBatchBuilder b(big_schema);
      for (int64_t i = 0; i < 15000; ++i) b.column(0).AppendInt(c * 15000 + i);
      auto r = b.Finish();
      REQUIRE(r.ok());
      big.push_back(std::move(*r));
    }
    REQUIRE(writer->Write("big", big).ok());

    config.port = 0;
    config.threads = 8;
    config.log_requests = false;
    if (tweak) tweak(config);
    if (config.writes_enabled) {
      writer.reset();
      auto s = store::Store::Open(path);
      REQUIRE(s.ok());
      served = std::move(*s);
    } else {
      store::StoreOptions ro;
      ro.read_only = true;
      auto s = store::Store::Open(path, ro);
      REQUIRE(s.ok());
      served = std::move(*s);
    }
    auto srv = http::Server::Create(served.get(), config);
    REQUIRE(srv.ok());
    server = std::move(*srv);
    REQUIRE(server->Start().ok());
  }
  ~Fixture() {
    server->Shutdown(std::chrono::milliseconds(0));
    server->Wait();
  }

  httplib::Client Client() {
    httplib::Client c("127.0.0.1", server->port());
    c.set_read_timeout(10, 0);
    return c;
  }
};

json Body(const httplib::Result& r) {
  REQUIRE(r);
  INFO(r->body.substr(0, 2000));
  return json::parse(r->body);
}

void RequireError(const httplib::Result& r, int status, const std::string& code) {
  REQUIRE(r);
  INFO(r->body);
  CHECK(r->status == status);
  json j = json::parse(r->body);
  REQUIRE(j.contains("error"));
  CHECK(j["error"]["code"] == code);
  CHECK(j["error"]["message"].is_string());
}

// The JSON rows of a query, as [[...], ...].
json Rows(httplib::Client& c, const std::string& sql) {
  auto r = c.Post("/v1/query", json{{"sql", sql}}.dump(), "application/json");
  REQUIRE(r);
  INFO(r->body.substr(0, 2000));
  REQUIRE(r->status == 200);
  return json::parse(r->body)["rows"];
}

// Percent-encodes a URL parameter value.
std::string Enc(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out += char(ch);
    } else {
      out += '%';
      out += hex[ch >> 4];
      out += hex[ch & 15];
    }
  }
  return out;
}

}  // namespace

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
    addr.sin_port = htons(uint16_t(f.server->port()));
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
  addr.sin_port = htons(uint16_t(f.server->port()));
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
  int out[2];
  REQUIRE(pipe(out) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    close(out[1]);
    FILE* err = std::fopen(err_file.c_str(), "w");
    if (err == nullptr) _exit(126);
    dup2(fileno(err), 2);
    execl(QUIVERD_BIN, "quiverd", "--pool", path.c_str(), "--listen", "127.0.0.1:0", nullptr);
    _exit(127);
  }
  close(out[1]);
  std::string line;
  REQUIRE(quiver::testing::ReadLine(out[0], &line));
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
  close(out[0]);
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
