// The fixture and helpers of the in-process quiverd suites (server_test.cc,
// server_write_test.cc): a pool with `trips` and `big`, a server over it,
// and JSON helpers.
#pragma once

#include <httplib.h>

#include <catch2/catch.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "columnar/builder.h"
#include "http/server.h"
#include "store/store.h"
#include "http/served_store.h"
#include "test_util.h"

namespace quiver::server_test {

using json = nlohmann::json;
using quiver::testing::ServedStore;
using quiver::testing::TempDir;

inline std::shared_ptr<const Schema> TripsSchema() {
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
inline RecordBatch MakeTrips(int64_t start, int64_t n) {
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
  ServedStore quiverd;
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
    quiverd.Start(served.get(), config);
  }

  httplib::Client Client() const { return quiverd.Client(); }
};

inline json Body(const httplib::Result& r) {
  REQUIRE(r);
  INFO(r->body.substr(0, 2000));
  return json::parse(r->body);
}

inline void RequireError(const httplib::Result& r, int status, const std::string& code) {
  REQUIRE(r);
  INFO(r->body);
  CHECK(r->status == status);
  json j = json::parse(r->body);
  REQUIRE(j.contains("error"));
  CHECK(j["error"]["code"] == code);
  CHECK(j["error"]["message"].is_string());
}

// The JSON rows of a query, as [[...], ...].
inline json Rows(httplib::Client& c, const std::string& sql) {
  auto r = c.Post("/v1/query", json{{"sql", sql}}.dump(), "application/json");
  REQUIRE(r);
  INFO(r->body.substr(0, 2000));
  REQUIRE(r->status == 200);
  return json::parse(r->body)["rows"];
}

// Percent-encodes a URL parameter value.
inline std::string Enc(const std::string& s) {
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

}  // namespace quiver::server_test
