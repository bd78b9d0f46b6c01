// The pieces the CLI and quiverd share: the ingest path (store/ingest.h),
// compression (columnar/compress.h), the output stream
// (columnar/output_stream.h) and the unfiltered Arrow export
// (store/arrow_export.h).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "columnar/compress.h"
#include "columnar/csv.h"
#include "columnar/ipc.h"
#include "columnar/output_stream.h"
#include "columnar/schema_spec.h"
#include "store/arrow_export.h"
#include "store/ingest.h"
#include "store/store.h"
#include "test_util.h"

using namespace quiver;

namespace {

std::string ReadAll(store::InputReader& in, Status* status) {
  std::string out;
  char buf[7];  // small reads cross every boundary
  for (;;) {
    auto n = in.Read(buf, sizeof buf);
    if (!n.ok()) {
      *status = n.status();
      return out;
    }
    if (*n == 0) return out;
    out.append(buf, *n);
  }
}

std::string Decoded(const std::string& bytes, Status* status) {
  auto in = store::InputReader::FromBytes("in", bytes);
  REQUIRE(in.ok());
  return ReadAll(**in, status);
}

std::shared_ptr<const Schema> SchemaOf(const std::string& spec) {
  auto fields = ParseSchemaText(spec);
  REQUIRE(fields.ok());
  return std::make_shared<Schema>(*fields);
}

}  // namespace

TEST_CASE("InputReader decodes gzip (several members) and zstd by magic bytes", "[tools][ingest]") {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "row " + std::to_string(i) + "\n";
  Status s;
  CHECK(Decoded(text, &s) == text);
  CHECK(s.ok());
  auto gz1 = Compress(Codec::kGzip, text.substr(0, 100));
  auto gz2 = Compress(Codec::kGzip, text.substr(100));
  REQUIRE(gz1.ok());
  REQUIRE(gz2.ok());
  CHECK(Decoded(*gz1 + *gz2, &s) == text);
  CHECK(s.ok());
  auto zs = Compress(Codec::kZstd, text);
  REQUIRE(zs.ok());
  CHECK(CodecFromMagic(*zs) == Codec::kZstd);
  CHECK(Decoded(*zs, &s) == text);
  CHECK(s.ok());

  // Truncated and damaged streams name the input.
  Decoded(gz2->substr(0, gz2->size() / 2), &s);
  CHECK(s.code() == StatusCode::kIOError);
  CHECK(s.message() == "in: truncated gzip data (the stream ends early)");
  Decoded(zs->substr(0, zs->size() - 3), &s);
  CHECK(s.message() == "in: truncated zstd data (the frame ends early)");
  std::string bad = *gz2;
  bad[20] = char(~bad[20]);
  bad[21] = char(~bad[21]);
  s = Status::OK();
  Decoded(bad, &s);
  CHECK(s.message().rfind("in: damaged gzip data (", 0) == 0);
}

TEST_CASE("InputReader::Peek returns bytes that Read returns again", "[tools][ingest]") {
  auto z = Compress(Codec::kZstd, "{\"a\": 1}\n");
  REQUIRE(z.ok());
  auto in = store::InputReader::FromBytes("in", *z);
  REQUIRE(in.ok());
  auto head = (*in)->Peek(4);
  REQUIRE(head.ok());
  CHECK(*head == "{\"a\"");
  CHECK(store::SniffInputFormat(*head) == store::InputFormat::kNdjson);
  Status s;
  CHECK(ReadAll(**in, &s) == "{\"a\": 1}\n");
}

TEST_CASE("Input formats from names, paths and media types", "[tools][ingest]") {
  CHECK(store::InputFormatFromPath("/d/trips.TSV.gz") == store::InputFormat::kTsv);
  CHECK(store::InputFormatFromPath("x.jsonl.zst") == store::InputFormat::kNdjson);
  CHECK(store::InputFormatFromPath("x.feather") == store::InputFormat::kArrow);
  CHECK_FALSE(store::InputFormatFromPath("dir.csv/file").has_value());
  CHECK(*store::InputFormatFromMediaType("text/csv") == store::InputFormat::kCsv);
  CHECK(*store::InputFormatFromMediaType("application/vnd.apache.arrow.file") ==
        store::InputFormat::kArrow);
  CHECK(store::InputFormatFromMediaType("text/plain").status().code() == StatusCode::kNotSupported);
  CHECK(store::SniffInputFormat("ARROW1\0\0") == store::InputFormat::kArrow);
  CHECK(store::SniffInputFormat("a,b\n") == store::InputFormat::kCsv);
}

TEST_CASE("One schema rule for appending an input to a table", "[tools][ingest]") {
  auto table = SchemaOf("id:int64,name:utf8");
  CHECK(store::CheckInputSchema("t", *table, *SchemaOf("id:int64,name:utf8"), "f").ok());
  Status s = store::CheckInputSchema("t", *table, *SchemaOf("id:int64"), "f");
  CHECK(s.code() == StatusCode::kTypeError);
  CHECK(s.message() == "f has no field \"name\" (field 2 of table \"t\")");
  s = store::CheckInputSchema("t", *table, *SchemaOf("id:int64,nick:utf8"), "f");
  CHECK(s.message() == "field 2 of f is \"nick\", but table \"t\" has \"name\" there");
  s = store::CheckInputSchema("", *table, *SchemaOf("id:float64,name:utf8"), "body");
  CHECK(s.message() == "field \"id\" of body is float64, but the table stores int64");
}

TEST_CASE("ReadInput reads an Arrow body into the table's schema, or names the difference",
          "[tools][ingest]") {
  CsvOptions o;
  auto csv = ReadCsv("id,name\n1,a\n2,b\n", o);
  REQUIRE(csv.ok());
  auto ipc = WriteIpcStream(*csv->schema, csv->batches);
  REQUIRE(ipc.ok());
  auto in = store::InputReader::FromBytes("body", *ipc);
  REQUIRE(in.ok());
  store::InputOptions io;
  io.format = store::InputFormat::kArrow;
  io.table = "t";
  io.table_schema = csv->schema;
  int64_t rows = 0;
  TextCallbacks cb;
  cb.on_schema = [&](const std::shared_ptr<const Schema>& s) {
    CHECK(s == csv->schema);
    return Status::OK();
  };
  cb.on_batch = [&](RecordBatch b) {
    CHECK(b.schema == csv->schema);
    rows += b.num_rows;
    return Status::OK();
  };
  REQUIRE(store::ReadInput(**in, io, cb, nullptr).ok());
  CHECK(rows == 2);

  auto other = SchemaOf("id:int64,label:utf8");
  io.table_schema = other;
  auto in2 = store::InputReader::FromBytes("body", *ipc);
  REQUIRE(in2.ok());
  Status s = store::ReadInput(**in2, io, cb, nullptr);
  CHECK(s.code() == StatusCode::kTypeError);
  CHECK(s.message() == "field 2 of body is \"name\", but table \"t\" has \"label\" there");
}

TEST_CASE("OutputStream passes bytes through or compresses them, counting both sides",
          "[tools][output]") {
  std::string out;
  auto plain = OutputStream::Make([&](std::string_view b) {
    out.append(b);
    return Status::OK();
  });
  REQUIRE(plain.ok());
  REQUIRE((*plain)->Write("abc").ok());
  REQUIRE((*plain)->AsTextSink()("def").ok());
  REQUIRE((*plain)->Finish().ok());
  CHECK(out == "abcdef");
  CHECK((*plain)->bytes_out() == 6);

  std::string z;
  CompressOptions co;
  co.flush_each_write = false;
  co.checksum = true;
  auto zs = OutputStream::Make(
      [&](std::string_view b) {
        z.append(b);
        return Status::OK();
      },
      Codec::kZstd, co);
  REQUIRE(zs.ok());
  std::string text(100000, 'x');
  REQUIRE((*zs)->Write(text).ok());
  REQUIRE((*zs)->Finish().ok());
  CHECK((*zs)->bytes_in() == text.size());
  CHECK((*zs)->bytes_out() == z.size());
  auto back = Decompress(Codec::kZstd, z);
  REQUIRE(back.ok());
  CHECK(*back == text);

  // A failing destination stops the stream with its error.
  auto failing = OutputStream::Make([](std::string_view) { return Status::IOError("disk full"); });
  REQUIRE(failing.ok());
  CHECK((*failing)->Write("a").message() == "disk full");
  CHECK((*failing)->Write("b").message() == "disk full");
}

TEST_CASE("WriteArrowStream is a readable Arrow stream of the table's chunks", "[tools][output]") {
  testing::TempDir dir;
  auto st = store::Store::Create(dir.file("p"), 64 << 20);
  REQUIRE(st.ok());
  CsvOptions o;
  auto csv = ReadCsv("id,name\n1,a\n2,b\n3,c\n", o);
  REQUIRE(csv.ok());
  store::WriteOptions wo;
  wo.create_schema = csv->schema;
  REQUIRE((*st)->Write("t", csv->batches, wo).ok());
  REQUIRE((*st)->Write("t", csv->batches, wo).ok());
  auto snap = (*st)->GetSnapshot();
  REQUIRE(snap.ok());
  auto t = (*snap)->table("t");
  REQUIRE(t.ok());
  auto bytes = std::make_shared<std::string>();
  StringSink sink(bytes.get());
  std::vector<size_t> seen;
  REQUIRE(store::WriteArrowStream(**t, &sink, [&](size_t i) {
            seen.push_back(i);
            return Status::OK();
          }).ok());
  CHECK(seen == std::vector<size_t>{0, 1});
  auto back = ReadIpc(bytes);
  REQUIRE(back.ok());
  int64_t rows = 0;
  for (const auto& b : back->batches) rows += b.num_rows;
  CHECK(rows == 6);
  CHECK(SchemaToSpec(*back->schema) == SchemaToSpec(*csv->schema));
}
