// The Parquet reader and writer together, and the reader on damaged files
// (columnar/parquet/reader.h, writer.h).
#include <catch2/catch.hpp>

#include "columnar/builder.h"
#include "columnar/columnar_test_util.h"
#include "columnar/decimal.h"
#include "columnar/parquet/reader.h"
#include "columnar/parquet/writer.h"

using namespace quiver;
using quiver::testing::AllTypesBatch;
using quiver::testing::AllTypesSchema;
using quiver::testing::ValueJson;

namespace {

std::vector<RecordBatch> Batches() {
  return {AllTypesBatch(0, 400), AllTypesBatch(400, 0), AllTypesBatch(400, 377),
          SliceBatch(AllTypesBatch(0, 300), 17, 201).value()};
}

Result<std::vector<RecordBatch>> ReadAllBatches(const std::string& file,
                                                parquet::ReadOptions o = {},
                                                std::shared_ptr<const Schema>* schema = nullptr) {
  std::vector<RecordBatch> out;
  TextCallbacks cb;
  cb.on_schema = [&](const std::shared_ptr<const Schema>& s) {
    if (schema) *schema = s;
    return Status::OK();
  };
  cb.on_batch = [&](RecordBatch b) {
    out.push_back(std::move(b));
    return Status::OK();
  };
  QUIVER_RETURN_NOT_OK(parquet::ReadParquet(std::make_shared<std::string>(file), o, cb, nullptr));
  return out;
}

// Column c of the batches, each value as canonical JSON (dictionaries
// decoded); timestamps scaled to `scale` times their stored value.
nlohmann::json Column(const std::vector<RecordBatch>& batches, size_t c, int64_t scale = 1) {
  nlohmann::json col = nlohmann::json::array();
  for (const RecordBatch& b : batches) {
    ColumnViews v(b);
    for (int64_t i = 0; i < b.num_rows; ++i) {
      if (scale != 1 && v[c].IsValid(i)) {
        col.push_back(std::to_string(v[c].Value<int64_t>(i) * scale));
      } else {
        col.push_back(ValueJson(v[c], i));
      }
    }
  }
  return col;
}

}  // namespace

TEST_CASE("Parquet written by Quiver reads back with every value, for every codec", "[parquet]") {
  auto schema = AllTypesSchema();
  const auto batches = Batches();
  for (const char* codec : {"zstd", "snappy", "gzip", "lz4", "brotli", "none"}) {
    INFO("codec " << codec);
    parquet::WriteOptions wo;
    wo.compression = parquet::ParseCompression(codec).value();
    wo.row_group_rows = 300;  // several row groups, some made of two batches
    wo.page_rows = 64;        // several pages per chunk
    wo.page_checksums = true;
    auto file = parquet::WriteParquet(schema, batches, wo);
    REQUIRE(file.ok());
    std::shared_ptr<const Schema> got_schema;
    parquet::ReadOptions ro;
    ro.num_threads = 3;
    auto got = ReadAllBatches(*file, ro, &got_schema);
    INFO(got.status().ToString());
    REQUIRE(got.ok());
    REQUIRE(got_schema->num_fields() == schema->num_fields());
    int64_t rows = 0;
    for (const auto& b : *got) rows += b.num_rows;
    CHECK(rows == 400 + 377 + 201);
    for (size_t c = 0; c < schema->num_fields(); ++c) {
      const Field& want = schema->field(c);
      const Field& have = got_schema->field(c);
      INFO("column " << want.name << " " << have.type.ToString());
      CHECK(have.name == want.name);
      CHECK(have.nullable == want.nullable);
      // Parquet has no seconds and keeps only "adjusted to UTC", not the
      // zone's name: the ARROW:schema in the footer restores both. The
      // dictionary index width is not restored (int32 holds any merged
      // dictionary).
      if (want.type.is_dictionary()) {
        CHECK(have.type == DataType::Dictionary(TypeId::kInt32));
      } else {
        CHECK(have.type == want.type);
      }
      CHECK(Column(*got, c) == Column(batches, c));
    }
  }
}

TEST_CASE("Parquet reader projects columns and reads into a table's string types", "[parquet]") {
  auto schema = AllTypesSchema();
  auto file = parquet::WriteParquet(schema, {AllTypesBatch(0, 50)}).value();
  parquet::ReadOptions o;
  o.columns = {"id", "s", "dict8"};
  // The table stores "s" as a dictionary and "dict8" as plain utf8.
  o.schema = std::make_shared<Schema>(std::vector<Field>{
      {"s", DataType::Dictionary(TypeId::kInt32), true, {}}, {"dict8", DataType(TypeId::kUtf8), true, {}}});
  std::shared_ptr<const Schema> got_schema;
  auto got = ReadAllBatches(file, o, &got_schema);
  REQUIRE(got.ok());
  REQUIRE(got_schema->num_fields() == 3);
  CHECK(got_schema->field(0).name == "id");
  CHECK(got_schema->field(1).type == DataType::Dictionary(TypeId::kInt32));
  CHECK(got_schema->field(2).type == DataType(TypeId::kUtf8));
  std::vector<RecordBatch> want = {AllTypesBatch(0, 50)};
  CHECK(Column(*got, 0) == Column(want, 21));
  CHECK(Column(*got, 1) == Column(want, 11));
  CHECK(Column(*got, 2) == Column(want, 18));
  // A table with a narrower dictionary index gets it when the dictionary fits.
  o.schema = std::make_shared<Schema>(
      std::vector<Field>{{"s", DataType::Dictionary(TypeId::kInt8), true, {}}});
  auto narrow = ReadAllBatches(file, o, &got_schema);
  REQUIRE(narrow.ok());
  CHECK(got_schema->field(1).type == DataType::Dictionary(TypeId::kInt8));
  CHECK(Column(*narrow, 1) == Column(want, 11));
  o.columns = {"nope"};
  auto missing = ReadAllBatches(file, o);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message().find("no column \"nope\"") != std::string::npos);
}

TEST_CASE("Parquet reader refuses damaged files with an error, never a crash", "[parquet]") {
  auto schema = AllTypesSchema();
  parquet::WriteOptions wo;
  wo.page_checksums = true;
  const std::string file = parquet::WriteParquet(schema, {AllTypesBatch(0, 200)}, wo).value();
  parquet::ReadOptions o;
  o.source_name = "t.parquet";

  auto err = [&](const std::string& bytes) {
    auto r = ReadAllBatches(bytes, o);
    REQUIRE_FALSE(r.ok());
    return r.status().message();
  };
  CHECK(err("a,b\n1,2\n") .find("not a Parquet file") != std::string::npos);
  CHECK(err(file.substr(0, file.size() - 1)).find("no PAR1 magic at its end") != std::string::npos);
  std::string big_footer = file;
  big_footer[big_footer.size() - 5] = char(0x7f);
  CHECK(err(big_footer).find("footer length") != std::string::npos);

  // A flipped byte inside the first page body: its CRC no longer matches.
  std::string flipped = file;
  flipped[40] = char(flipped[40] ^ 0x5a);
  std::string msg = err(flipped);
  INFO(msg);
  CHECK(msg.find("t.parquet: column \"b\", row group 0, page 0 at byte 4") == 0);

  // Every prefix length and a flipped byte at every position: an error or
  // a successful read, never undefined behaviour (ASan/UBSan in CI).
  for (size_t cut = 0; cut < file.size(); cut += 61) {
    std::string t = file.substr(0, cut) + "PAR1";
    (void)ReadAllBatches(t, o);
  }
  parquet::WriteOptions plain;
  plain.compression = parquet::Compression::kNone;
  const std::string raw = parquet::WriteParquet(schema, {AllTypesBatch(0, 20)}, plain).value();
  for (size_t i = 4; i + 8 < raw.size(); i += 5) {
    std::string t = raw;
    t[i] = char(t[i] ^ (i % 2 ? 0xff : 0x01));
    (void)ReadAllBatches(t, o);
  }
}

TEST_CASE("Parquet writer refuses a null in a non-nullable column", "[parquet]") {
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"x", DataType(TypeId::kInt64), false, {}}});
  RecordBatchBuilder b(schema);
  b.column(0).AppendInt(1);
  b.column(0).AppendNull();
  auto batch = b.Finish().value();
  auto r = parquet::WriteParquet(schema, {batch});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("not nullable") != std::string::npos);
}

TEST_CASE("Parquet decimal128 and decimal256 round-trip exactly; intervals and date64 times of day are refused",
          "[parquet]") {
  auto schema = std::make_shared<Schema>(std::vector<Field>{
      {"d", DataType::Decimal(38, 3), true, {}}, {"w", DataType::Decimal(60, 7), true, {}}});
  RecordBatchBuilder b(schema);
  const std::vector<std::string> wide = {"-12345678901234567890123456789012345678901234567890.1234567",
                                         "0.0000001", "-0.0000001", "99999999999999999999999999999999999999999999999999.9999999"};
  for (int64_t i = 0; i < 40; ++i) {
    const __int128 x = (__int128(i) * 0x7fffffffffffffffLL * 997 - 3) * (i % 3 == 0 ? -1 : 1);
    if (i % 7 == 3) b.column(0).AppendNull(); else b.column(0).AppendDecimal(i == 1 ? -MaxDecimal128(38) : x);
    uint8_t w[32];
    if (i % 5 == 4) {
      b.column(1).AppendNull();
    } else {
      REQUIRE(ParseDecimal256(wide[size_t(i) % wide.size()], 60, 7, w).ok());
      b.column(1).AppendBytes(w);
    }
  }
  auto batch = b.Finish().value();
  auto file = parquet::WriteParquet(schema, {batch});
  REQUIRE(file.ok());
  std::shared_ptr<const Schema> back;
  auto got = ReadAllBatches(*file, {}, &back);
  INFO(got.status().ToString());
  REQUIRE(got.ok());
  CHECK(back->field(0).type == DataType::Decimal(38, 3));
  CHECK(back->field(1).type == DataType::Decimal(60, 7));
  for (size_t c = 0; c < 2; ++c) CHECK(Column(*got, c) == Column({batch}, c));
  CHECK(Column(*got, 1)[0] == wide[0]);

  auto iv = std::make_shared<Schema>(std::vector<Field>{{"span", DataType(TypeId::kIntervalDayTime), true, {}}});
  RecordBatchBuilder ib(iv);
  ib.column(0).AppendNull();
  auto r = parquet::WriteParquet(iv, {ib.Finish().value()});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kNotSupported);
  CHECK(r.status().message().find("column \"span\" is interval[day_time], which Parquet cannot hold exactly") !=
        std::string::npos);
  auto d64 = std::make_shared<Schema>(std::vector<Field>{{"at", DataType(TypeId::kDate64), true, {}}});
  RecordBatchBuilder db(d64);
  db.column(0).AppendInt(86400000);
  db.column(0).AppendInt(86400001);
  r = parquet::WriteParquet(d64, {db.Finish().value()});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("date64 value 86400001 (row 1) is not a whole day") != std::string::npos);
  CHECK(r.status().message().find("column \"at\"") != std::string::npos);
}
