// Interop with an independent Parquet implementation, DuckDB (npm
// @duckdb/node-api through tools/node/duckdb_sql.js): DuckDB writes files of
// every type, encoding and codec it can write and Quiver reads every value
// DuckDB reads; Quiver writes files and DuckDB reads every value back.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "columnar/builder.h"
#include "columnar/columnar_test_util.h"
#include "columnar/parquet/reader.h"
#include "columnar/parquet/writer.h"
#include "test_util.h"

using namespace quiver;
using quiver::testing::AllTypesBatch;
using quiver::testing::AllTypesSchema;
using quiver::testing::ValueJson;

namespace {

std::string RepoRoot() {
  std::string f = __FILE__;  // <root>/tests/parquet/duckdb_interop_test.cc
  for (int i = 0; i < 3; ++i) f = f.substr(0, f.find_last_of('/'));
  return f;
}

std::string NodeModules() { return RepoRoot() + "/.deps/node/node_modules"; }

bool DuckDbAvailable() {
  struct stat st;
  if (::stat((NodeModules() + "/@duckdb/node-api/package.json").c_str(), &st) == 0 &&
      std::system("node --version > /dev/null 2>&1") == 0) {
    return true;
  }
  WARN("SKIPPED: @duckdb/node-api is not installed in " + NodeModules() +
       "; run tools/node/install.sh to enable the DuckDB Parquet interop tests");
  return false;
}

// Runs tools/node/duckdb_sql.js on `spec`; returns its JSON output.
nlohmann::json RunDuckDb(const quiver::testing::TempDir& dir, const nlohmann::json& spec) {
  const std::string in = dir.file("spec.json"), out = dir.file("out.json");
  quiver::testing::WriteFileBytes(in, spec.dump());
  std::string cmd = "NODE_PATH='" + NodeModules() + "' node '" + RepoRoot() +
                    "/tools/node/duckdb_sql.js' '" + in + "' > '" + out + "' 2> '" + out + ".err'";
  int rc = std::system(cmd.c_str());
  INFO("command: " << cmd << "\nstderr: " << quiver::testing::ReadFileBytes(out + ".err"));
  REQUIRE(rc == 0);
  return nlohmann::json::parse(quiver::testing::ReadFileBytes(out));
}

std::vector<RecordBatch> ReadFile(const std::string& path, std::shared_ptr<const Schema>* schema) {
  auto bytes = std::make_shared<std::string>(quiver::testing::ReadFileBytes(path));
  std::vector<RecordBatch> out;
  TextCallbacks cb;
  cb.on_schema = [&](const std::shared_ptr<const Schema>& s) {
    *schema = s;
    return Status::OK();
  };
  cb.on_batch = [&](RecordBatch b) {
    out.push_back(std::move(b));
    return Status::OK();
  };
  parquet::ReadOptions o;
  o.source_name = path;
  Status s = parquet::ReadParquet(bytes, o, cb, nullptr);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return out;
}

// Column c as canonical JSON; timestamps as strings of their value in
// `unit` (truncated when finer than it).
nlohmann::json Column(const std::vector<RecordBatch>& batches, size_t c,
                      TimeUnit unit = TimeUnit::kNano) {
  nlohmann::json col = nlohmann::json::array();
  for (const RecordBatch& b : batches) {
    ColumnViews v(b);
    const DataType& t = *v[c].type;
    for (int64_t i = 0; i < b.num_rows; ++i) {
      if (t.id == TypeId::kTimestamp && v[c].IsValid(i)) {
        const int64_t x = v[c].Value<int64_t>(i);
        const int64_t from = UnitsPerSecond(t.unit), to = UnitsPerSecond(unit);
        col.push_back(std::to_string(to >= from ? x * (to / from) : x / (from / to)));
      } else {
        col.push_back(ValueJson(v[c], i));
      }
    }
  }
  return col;
}

}  // namespace

TEST_CASE("Parquet files DuckDB writes (every codec, v1 and v2 pages) read with DuckDB's values",
          "[parquet][interop]") {
  if (!DuckDbAvailable()) return;
  quiver::testing::TempDir dir;
  // Every type DuckDB writes that Quiver holds, with nulls; low-cardinality
  // strings for dictionary pages, high-cardinality ones for plain / delta.
  const std::string create =
      "CREATE TABLE t AS SELECT i::BIGINT AS id, "
      "CASE WHEN i % 5 = 0 THEN NULL ELSE i % 3 = 0 END AS bo, "
      "(i % 200 - 100)::TINYINT AS i8, (i * 37 % 60000 - 30000)::SMALLINT AS i16, "
      "CASE WHEN i % 7 = 0 THEN NULL ELSE (i * 104729 % 2000000000 - 1000000000)::INTEGER END AS i32, "
      "(i * -7919 * 1000003)::BIGINT AS i64, (i % 256)::UTINYINT AS u8, (i * 13 % 65536)::USMALLINT AS u16, "
      "(i * 2654435761 % 4294967296)::UINTEGER AS u32, (i * 11400714819 % 18446744073709551615)::UBIGINT AS u64, "
      "CASE WHEN i % 11 = 0 THEN NULL ELSE (i / 8.0 - 100.25)::FLOAT END AS f32, "
      "(i * 0.001 - 3.5e3)::DOUBLE AS f64, "
      "CASE WHEN i % 4 = 0 THEN NULL ELSE 'w' || (i % 5) END AS lo, "
      "CASE WHEN i % 9 = 0 THEN NULL ELSE md5(i::VARCHAR) || repeat('x', i % 13) END AS hi, "
      "('e' || (i % 3))::ENUM('e0', 'e1', 'e2') AS en, "
      "CASE WHEN i % 6 = 0 THEN NULL ELSE ('\\x' || lpad(to_hex(i % 4096), 4, '0'))::BLOB END AS bl, "
      "DATE '1969-12-01' + (i * 37 % 40000)::INTEGER AS dt, "
      "TIMESTAMP '2001-02-03 04:05:06.789012' + INTERVAL (i * 977) MICROSECOND AS ts, "
      "(TIMESTAMP '1999-12-31 23:59:59' + INTERVAL (i * 1001) MILLISECOND)::TIMESTAMP_MS AS ts_ms, "
      "(TIMESTAMP '2020-01-01' + INTERVAL (i) SECOND)::TIMESTAMP_S AS ts_s, "
      "'2024-05-06 07:08:09.123456789'::TIMESTAMP_NS + INTERVAL (i * 3) MICROSECOND AS ts_ns, "
      "TIMESTAMPTZ '2010-01-01 00:00:00+00' + INTERVAL (i * 61) SECOND AS tz, "
      "CASE WHEN i % 8 = 0 THEN NULL ELSE md5(i::VARCHAR)::UUID END AS uu "
      "FROM range(2500) r(i)";
  const std::vector<std::string> codecs = {"zstd", "snappy", "gzip", "uncompressed", "lz4_raw", "brotli"};
  nlohmann::json spec;
  spec["setup"] = {create};
  // Brotli (slow to write) once; the page versions are codec-independent.
  auto versions = [](const std::string& codec) {
    return codec == "brotli" ? std::vector<std::string>{"v2"} : std::vector<std::string>{"v1", "v2"};
  };
  for (const auto& codec : codecs) {
    for (const std::string& version : versions(codec)) {
      spec["setup"].push_back("COPY t TO '" + dir.file(codec + "_" + version + ".parquet") +
                              "' (FORMAT parquet, COMPRESSION " + codec + ", PARQUET_VERSION " +
                              version + ", ROW_GROUP_SIZE 1000)");
    }
  }
  spec["query"] =
      "SELECT id::VARCHAR, bo, i8, i16, i32, i64::VARCHAR, u8, u16, u32, u64::VARCHAR, f32, f64, lo, hi, "
      "en::VARCHAR, lower(hex(bl)), date_diff('day', DATE '1970-01-01', dt)::INTEGER, "
      "epoch_ns(ts)::VARCHAR, epoch_ns(ts_ms)::VARCHAR, epoch_ns(ts_s)::VARCHAR, "
      "epoch_ns(ts_ns)::VARCHAR, epoch_ns(tz)::VARCHAR, replace(uu::VARCHAR, '-', '') "
      "FROM t ORDER BY id";
  nlohmann::json want = RunDuckDb(dir, spec);
  const size_t ncols = want["values"].size();
  REQUIRE(ncols == 23);
  for (const auto& codec : codecs) {
    for (const std::string& version : versions(codec)) {
      const std::string name = codec + "_" + version;
      INFO("file " << name);
      std::shared_ptr<const Schema> schema;
      auto batches = ReadFile(dir.file(name + ".parquet"), &schema);
      REQUIRE(schema->num_fields() == ncols);
      CHECK(schema->field(size_t(schema->FieldIndex("tz"))).type ==
            DataType::Timestamp(TimeUnit::kMicro, "UTC"));
      CHECK(schema->field(size_t(schema->FieldIndex("lo"))).type.is_dictionary());
      CHECK(schema->field(size_t(schema->FieldIndex("u64"))).type == DataType(TypeId::kUInt64));
      for (size_t c = 0; c < ncols; ++c) {
        INFO("column " << schema->field(c).name << " " << schema->field(c).type.ToString());
        CHECK(Column(batches, c) == want["values"][c]);
      }
    }
  }
}

TEST_CASE("DuckDB reads every value of Parquet files Quiver writes", "[parquet][interop]") {
  if (!DuckDbAvailable()) return;
  quiver::testing::TempDir dir;
  auto schema = AllTypesSchema();
  std::vector<RecordBatch> batches = {AllTypesBatch(0, 3000), AllTypesBatch(3000, 1234)};
  const std::vector<std::string> codecs = {"zstd", "snappy", "gzip", "none", "lz4", "brotli"};
  nlohmann::json spec;
  spec["queries"] = nlohmann::json::array();
  for (const auto& codec : codecs) {
    parquet::WriteOptions o;
    o.compression = parquet::ParseCompression(codec).value();
    o.row_group_rows = 2500;
    o.page_rows = 1000;
    o.page_checksums = codec == "gzip";
    auto file = parquet::WriteParquet(schema, batches, o);
    REQUIRE(file.ok());
    quiver::testing::WriteFileBytes(dir.file(codec + ".parquet"), *file);
    spec["queries"].push_back(
        "SELECT b, i8, i16, i32, i64::VARCHAR, u8, u16, u32, u64::VARCHAR, f32, f64, s, lower(hex(bin)), "
        "date_diff('day', DATE '1970-01-01', d)::INTEGER, epoch_us(ts_s)::VARCHAR, "
        "epoch_us(ts_ms)::VARCHAR, epoch_us(ts_us)::VARCHAR, epoch_us(ts_ns)::VARCHAR, "
        "dict8, dict16, dict32, id::VARCHAR FROM read_parquet('" +
        dir.file(codec + ".parquet") + "')");
  }
  nlohmann::json got = RunDuckDb(dir, spec);
  REQUIRE(got["results"].size() == codecs.size());
  for (size_t k = 0; k < codecs.size(); ++k) {
    INFO("codec " << codecs[k]);
    const auto& values = got["results"][k]["values"];
    REQUIRE(values.size() == schema->num_fields());
    for (size_t c = 0; c < schema->num_fields(); ++c) {
      INFO("column " << schema->field(c).name);
      // Compared in microseconds: DuckDB holds instants (timestamps adjusted
      // to UTC, as ts_ns is) in microseconds.
      CHECK(values[c] == Column(batches, c, TimeUnit::kMicro));
    }
  }
}
