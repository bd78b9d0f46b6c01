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
#include "duckdb_test_util.h"
#include "test_util.h"

using namespace quiver;
using quiver::testing::AllTypesBatch;
using quiver::testing::AllTypesSchema;
using quiver::testing::DuckDbAvailable;
using quiver::testing::NodeModules;
using quiver::testing::RepoRoot;
using quiver::testing::RunDuckDb;
using quiver::testing::ValueJson;

namespace {


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
      CHECK(schema->field(size_t(schema->FieldIndex("uu"))).type == DataType::FixedSizeBinary(16));
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

TEST_CASE("DuckDB's DECIMAL (INT32, INT64, FIXED_LEN_BYTE_ARRAY) and TIME read exactly; Quiver's "
          "decimals, times, date64, duration and float16 read back in DuckDB",
          "[parquet][interop]") {
  if (!DuckDbAvailable()) return;
  quiver::testing::TempDir dir;
  // DuckDB stores DECIMAL(p <= 9) as INT32, p <= 18 as INT64, wider ones as
  // FIXED_LEN_BYTE_ARRAY; values at both ends of each precision, and nulls.
  const std::string create =
      "CREATE TABLE d AS SELECT i::BIGINT AS id, "
      "CASE WHEN i % 7 = 0 THEN NULL ELSE (((i * 7919) % 19999 - 9999) / 10.0)::DECIMAL(4, 1) END AS d4, "
      "(((i * 104729) % 1999999999 - 999999999) / 100.0)::DECIMAL(9, 2) AS d9, "
      "CASE WHEN i = 1 THEN -999999999999.999999::DECIMAL(18, 6) "
      "ELSE (((i * 2654435761) % 999999999999 - 499999999999) / 7.0)::DECIMAL(18, 6) END AS d18, "
      "CASE WHEN i % 5 = 0 THEN NULL WHEN i = 2 THEN 9999999999999999999999999999.9999999999::DECIMAL(38, 10) "
      "ELSE ((i::HUGEINT * 1000000007 * 998244353 * 12345) - 50000000000000000000)::DECIMAL(38, 10) "
      "+ (i * 0.0000000001)::DECIMAL(38, 10) END AS d38, "
      "TIME '00:00:00' + INTERVAL (i * 86399999 % 86400000000) MICROSECOND AS tm "
      "FROM range(3000) r(i)";
  nlohmann::json spec;
  spec["setup"] = {create};
  for (const std::string codec : {"zstd", "snappy"}) {
    spec["setup"].push_back("COPY d TO '" + dir.file(codec + ".parquet") + "' (FORMAT parquet, COMPRESSION " +
                            codec + ", ROW_GROUP_SIZE 1000)");
  }
  spec["query"] =
      "SELECT id::VARCHAR, d4::VARCHAR, d9::VARCHAR, d18::VARCHAR, d38::VARCHAR, "
      "(epoch_us(DATE '1970-01-01' + tm))::VARCHAR FROM d ORDER BY id";
  nlohmann::json want = RunDuckDb(dir, spec);
  REQUIRE(want["values"].size() == 6);
  for (const std::string codec : {"zstd", "snappy"}) {
    INFO("codec " << codec);
    std::shared_ptr<const Schema> schema;
    auto batches = ReadFile(dir.file(codec + ".parquet"), &schema);
    REQUIRE(schema->num_fields() == 6);
    CHECK(schema->field(1).type == DataType::Decimal(4, 1));
    CHECK(schema->field(2).type == DataType::Decimal(9, 2));
    CHECK(schema->field(3).type == DataType::Decimal(18, 6));
    CHECK(schema->field(4).type == DataType::Decimal(38, 10));
    CHECK(schema->field(5).type == DataType::WithUnit(TypeId::kTime64, TimeUnit::kMicro));
    for (size_t c = 0; c < 6; ++c) {
      INFO("column " << schema->field(c).name);
      CHECK(Column(batches, c) == want["values"][c]);
    }
  }

  // Quiver writes: decimals as FIXED_LEN_BYTE_ARRAY(16) DECIMAL, times as
  // TIME, date64 as DATE, duration as INT64, float16 as FLOAT16.
  auto out_schema = std::make_shared<Schema>(std::vector<Field>{
      {"dec", DataType::Decimal(20, 4), true, {}},
      {"neg", DataType::Decimal(38, 0), false, {}},
      {"t32", DataType::WithUnit(TypeId::kTime32, TimeUnit::kSecond), true, {}},
      {"t64", DataType::WithUnit(TypeId::kTime64, TimeUnit::kNano), true, {}},
      {"d64", DataType(TypeId::kDate64), true, {}},
      {"dur", DataType::WithUnit(TypeId::kDuration, TimeUnit::kMilli), true, {}},
      {"h", DataType(TypeId::kFloat16), true, {}}});
  std::vector<ArrayBuilder> cols;
  for (const Field& f : out_schema->fields()) cols.emplace_back(f.type);
  for (int64_t i = 0; i < 2000; ++i) {
    const __int128 big = (__int128(i) * 1000000007 * 998244353 - 7) * (i % 2 ? -1 : 1);
    if (i % 9 == 0) cols[0].AppendNull(); else cols[0].AppendDecimal(big % (__int128(1) << 64));
    cols[1].AppendDecimal(i == 0 ? -MaxDecimal128(38) : i == 1 ? MaxDecimal128(38) : big * 1000003);
    if (i % 4 == 0) cols[2].AppendNull(); else cols[2].AppendInt(i * 43 % 86400);
    cols[3].AppendInt(i * 43200000000123 % 86400000000000);
    cols[4].AppendInt((i * 37 % 40000 - 20000) * int64_t(86400000));
    cols[5].AppendInt(i * 1234567 - 1000000000);
    const uint16_t halves[] = {0x3C00, 0xC000, 0x3555, 0x0001};
    if (i % 5 == 0) cols[6].AppendNull(); else cols[6].AppendBytes(&halves[i % 4]);
  }
  RecordBatch b;
  b.schema = out_schema;
  b.num_rows = 2000;
  for (ArrayBuilder& c : cols) b.columns.push_back(c.Finish().value());
  parquet::WriteOptions o;
  o.row_group_rows = 700;
  auto file = parquet::WriteParquet(out_schema, {b}, o);
  INFO(file.status().ToString());
  REQUIRE(file.ok());
  quiver::testing::WriteFileBytes(dir.file("quiver.parquet"), *file);
  nlohmann::json q;
  q["query"] =
      "SELECT dec::VARCHAR, neg::VARCHAR, (epoch_ms(DATE '1970-01-01' + t32) // 1000)::INTEGER, "
      "t64::VARCHAR, "
      "(date_diff('day', DATE '1970-01-01', d64) * 86400000)::VARCHAR, dur::VARCHAR, h::DOUBLE "
      "FROM read_parquet('" + dir.file("quiver.parquet") + "')";
  nlohmann::json got = RunDuckDb(dir, q);
  REQUIRE(got["values"].size() == 7);
  ColumnViews v(b);
  for (size_t c = 0; c < 7; ++c) {
    INFO("column " << out_schema->field(c).name);
    nlohmann::json col = nlohmann::json::array();
    for (int64_t i = 0; i < b.num_rows; ++i) {
      if (c == 3 && v[c].IsValid(i)) {  // TIME_NS as DuckDB prints it: HH:MM:SS[.fraction]
        const int64_t ns = v[c].Value<int64_t>(i);
        char text[40];
        std::snprintf(text, sizeof text, "%02lld:%02lld:%02lld.%09lld", (long long)(ns / 3600000000000),
                      (long long)(ns / 60000000000 % 60), (long long)(ns / 1000000000 % 60),
                      (long long)(ns % 1000000000));
        std::string t = text;
        while (t.back() == '0') t.pop_back();
        if (t.back() == '.') t.pop_back();
        col.push_back(t);
      } else if (c == 6 && v[c].IsValid(i)) {
        const double want_half[] = {1.0, -2.0, 0.333251953125, 5.9604644775390625e-08};
        col.push_back(want_half[i % 4]);
      } else {
        col.push_back(ValueJson(v[c], i));
      }
    }
    CHECK(got["values"][c] == col);
  }
  // Quiver reads its own file back: decimals and times as written, date64
  // as date32 days, float16 as float32 (the Parquet mapping).
  std::shared_ptr<const Schema> back;
  auto again = ReadFile(dir.file("quiver.parquet"), &back);
  CHECK(back->field(0).type == DataType::Decimal(20, 4));
  CHECK(back->field(2).type == DataType::WithUnit(TypeId::kTime32, TimeUnit::kMilli));
  CHECK(back->field(3).type == DataType::WithUnit(TypeId::kTime64, TimeUnit::kNano));
  CHECK(back->field(4).type == DataType(TypeId::kDate32));
  CHECK(back->field(5).type == DataType::WithUnit(TypeId::kDuration, TimeUnit::kMilli));
  CHECK(back->field(6).type == DataType(TypeId::kFloat32));
  for (size_t c : {size_t(0), size_t(1), size_t(3), size_t(5)}) {
    INFO("column " << out_schema->field(c).name);
    nlohmann::json col = nlohmann::json::array();
    for (int64_t i = 0; i < b.num_rows; ++i) col.push_back(ValueJson(v[c], i));
    CHECK(Column(again, c) == col);
  }
}
