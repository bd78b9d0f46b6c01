#include <catch2/catch.hpp>

#include "columnar/builder.h"
#include "columnar/ipc.h"
#include "columnar/ipc_internal.h"
#include "columnar/schema.h"
#include "columnar_test_util.h"

using namespace quiver;
using quiver::testing::AllTypesBatch;
using quiver::testing::AllTypesSchema;
using quiver::testing::BatchesJson;
namespace fb = quiver::ipc_internal::fb;

namespace {

std::vector<RecordBatch> SeveralBatches() {
  return {AllTypesBatch(0, 100), AllTypesBatch(100, 0), AllTypesBatch(100, 37),
          SliceBatch(AllTypesBatch(0, 64), 5, 50).value()};
}

Result<IpcTable> Read(const std::string& bytes) {
  return ReadIpc(std::make_shared<const std::string>(bytes));
}

// Frames a finished Message flatbuffer (continuation, length, padding to 8)
// followed by `body`.
std::string Frame(flatbuffers::FlatBufferBuilder& fbb, const std::string& body = {}) {
  std::string meta(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
  meta.resize((meta.size() + 7) / 8 * 8, '\0');
  std::string out(8, '\0');
  ipc_internal::StoreU32(reinterpret_cast<uint8_t*>(out.data()), 0xFFFFFFFFu);
  ipc_internal::StoreU32(reinterpret_cast<uint8_t*>(out.data()) + 4, uint32_t(meta.size()));
  return out + meta + body;
}

std::string Int32SchemaMessage(fb::MetadataVersion version = fb::MetadataVersion::V5) {
  flatbuffers::FlatBufferBuilder fbb;
  auto field = fb::CreateField(fbb, fbb.CreateString("x"), true, fb::Type::Int, fb::CreateInt(fbb, 32, true).Union());
  auto schema = fb::CreateSchema(fbb, fb::Endianness::Little, fbb.CreateVector(std::vector{field}));
  fbb.Finish(fb::CreateMessage(fbb, version, fb::MessageHeader::Schema, schema.Union(), 0));
  return Frame(fbb);
}

// A RecordBatch message for one int32 column of 2 rows {7, 9}.
std::string Int32BatchMessage(bool compressed, int buffers = 2, int64_t values_len = 8) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<fb::FieldNode> nodes{fb::FieldNode(2, 0)};
  std::vector<fb::Buffer> bufs{fb::Buffer(0, 0), fb::Buffer(0, values_len)};
  bufs.resize(size_t(buffers), fb::Buffer(0, 0));
  auto comp = compressed ? fb::CreateBodyCompression(fbb, fb::CompressionType::ZSTD) : 0;
  auto rb = fb::CreateRecordBatch(fbb, 2, fbb.CreateVectorOfStructs(nodes), fbb.CreateVectorOfStructs(bufs), comp);
  fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::RecordBatch, rb.Union(), 8));
  std::string body(8, '\0');
  int32_t v[2] = {7, 9};
  std::memcpy(body.data(), v, 8);
  return Frame(fbb, body);
}

}  // namespace

TEST_CASE("IPC stream round-trips several batches of every type", "[columnar]") {
  auto batches = SeveralBatches();
  auto bytes = WriteIpcStream(*AllTypesSchema(), batches);
  REQUIRE(bytes.ok());
  CHECK(bytes->substr(bytes->size() - 8) == EndOfStreamMarker());
  auto t = Read(*bytes);
  REQUIRE(t.ok());
  CHECK(SchemaEquals(*t->schema, *AllTypesSchema()));
  CHECK(BatchesJson(*t->schema, t->batches) == BatchesJson(*AllTypesSchema(), batches));
}

TEST_CASE("IPC file round-trips several batches with unified dictionaries", "[columnar]") {
  auto batches = SeveralBatches();
  auto bytes = WriteIpcFile(*AllTypesSchema(), batches);
  REQUIRE(bytes.ok());
  CHECK(bytes->substr(0, 6) == "ARROW1");
  CHECK(bytes->substr(bytes->size() - 6) == "ARROW1");
  auto t = Read(*bytes);
  REQUIRE(t.ok());
  CHECK(SchemaEquals(*t->schema, *AllTypesSchema()));
  CHECK(BatchesJson(*t->schema, t->batches) == BatchesJson(*AllTypesSchema(), batches));
  // Every batch shares the one dictionary of each dictionary column.
  CHECK(t->batches[0].columns[18]->dictionary == t->batches[2].columns[18]->dictionary);
}

TEST_CASE("IPC stream with no batches holds only the schema", "[columnar]") {
  auto bytes = WriteIpcStream(*AllTypesSchema(), {});
  REQUIRE(bytes.ok());
  auto t = Read(*bytes);
  REQUIRE(t.ok());
  CHECK(t->batches.empty());
  auto file = WriteIpcFile(*AllTypesSchema(), {});
  REQUIRE(file.ok());
  auto tf = Read(*file);
  REQUIRE(tf.ok());
  CHECK(tf->batches.empty());
}

TEST_CASE("Schema message followed by chunk bytes is a valid stream", "[columnar]") {
  auto schema = AllTypesSchema();
  std::string out;
  StringSink sink(&out);
  auto w = StreamWriter::Open(&sink, schema);
  REQUIRE(w.ok());
  std::vector<RecordBatch> batches = {AllTypesBatch(0, 10), AllTypesBatch(10, 20)};
  for (const auto& b : batches) {
    std::string chunk = EncodeChunk(b).value();
    REQUIRE((*w)->WriteChunk(reinterpret_cast<const uint8_t*>(chunk.data()), int64_t(chunk.size())).ok());
  }
  REQUIRE((*w)->WriteBatch(AllTypesBatch(30, 5)).ok());
  REQUIRE((*w)->Close().ok());
  batches.push_back(AllTypesBatch(30, 5));
  auto t = Read(out);
  REQUIRE(t.ok());
  CHECK(BatchesJson(*schema, t->batches) == BatchesJson(*schema, batches));
  CHECK(out.substr(0, SchemaMessage(*schema).value().size()) == SchemaMessage(*schema).value());
}

TEST_CASE("Stream reader accepts the legacy format without continuation markers", "[columnar]") {
  auto batches = SeveralBatches();
  std::string modern = WriteIpcStream(*AllTypesSchema(), batches).value();
  // Rewrite every message prefix from 0xFFFFFFFF <len> to <len>.
  std::string legacy;
  size_t pos = 0;
  while (pos < modern.size()) {
    int32_t len = ipc_internal::LoadI32(reinterpret_cast<const uint8_t*>(modern.data()) + pos + 4);
    if (len == 0) {
      legacy.append(4, '\0');
      break;
    }
    auto meta = reinterpret_cast<const uint8_t*>(modern.data()) + pos + 8;
    int64_t body = fb::GetMessage(meta)->bodyLength();
    legacy.append(modern, pos + 4, size_t(4 + len + body));
    pos += size_t(8 + len + body);
  }
  auto t = Read(legacy);
  REQUIRE(t.ok());
  CHECK(BatchesJson(*t->schema, t->batches) == BatchesJson(*AllTypesSchema(), batches));
}

TEST_CASE("Stream reader rejects compressed bodies, future versions and unsupported types", "[columnar]") {
  auto compressed = Read(Int32SchemaMessage() + Int32BatchMessage(true));
  CHECK(compressed.status().code() == StatusCode::kNotSupported);
  CHECK_THAT(compressed.status().message(), Catch::Contains("BodyCompression ZSTD"));

  auto plain = Read(Int32SchemaMessage() + Int32BatchMessage(false));
  REQUIRE(plain.ok());
  CHECK(plain->batches.at(0).columns[0]->View().Value<int32_t>(1) == 9);

  auto future = Read(Int32SchemaMessage(fb::MetadataVersion(5)));
  CHECK(future.status().code() == StatusCode::kNotSupported);
  CHECK_THAT(future.status().message(), Catch::Contains("future Arrow metadata version V6"));
  CHECK(Read(Int32SchemaMessage(fb::MetadataVersion::V3)).status().code() == StatusCode::kNotSupported);

  flatbuffers::FlatBufferBuilder fbb;
  auto field = fb::CreateField(fbb, fbb.CreateString("x"), true, fb::Type::Decimal, fb::CreateDecimal(fbb, 10, 2, 64).Union());
  auto schema = fb::CreateSchema(fbb, fb::Endianness::Little, fbb.CreateVector(std::vector{field}));
  fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::Schema, schema.Union(), 0));
  auto decimal = Read(Frame(fbb));
  CHECK(decimal.status().code() == StatusCode::kNotSupported);
  CHECK(decimal.status().message() == "unsupported Arrow type Decimal64 in field 'x'");

  flatbuffers::FlatBufferBuilder wide;
  auto wf = fb::CreateField(wide, wide.CreateString("x"), true, fb::Type::Decimal, fb::CreateDecimal(wide, 39, 2, 128).Union());
  auto ws = fb::CreateSchema(wide, fb::Endianness::Little, wide.CreateVector(std::vector{wf}));
  wide.Finish(fb::CreateMessage(wide, fb::MetadataVersion::V5, fb::MessageHeader::Schema, ws.Union(), 0));
  auto too_wide = Read(Frame(wide));
  CHECK(too_wide.status().code() == StatusCode::kNotSupported);
  CHECK_THAT(too_wide.status().message(), Catch::Contains("decimal128(39, 2) in field 'x'"));

  flatbuffers::FlatBufferBuilder big;
  auto bs = fb::CreateSchema(big, fb::Endianness::Big);
  big.Finish(fb::CreateMessage(big, fb::MetadataVersion::V5, fb::MessageHeader::Schema, bs.Union(), 0));
  CHECK(Read(Frame(big)).status().code() == StatusCode::kNotSupported);
}

TEST_CASE("Stream reader rejects wrong buffer counts and buffers outside the body", "[columnar]") {
  auto extra = Read(Int32SchemaMessage() + Int32BatchMessage(false, 3));
  CHECK(extra.status().code() == StatusCode::kCorruption);
  CHECK_THAT(extra.status().message(), Catch::Contains("has 3 buffers, schema needs 2"));
  auto outside = Read(Int32SchemaMessage() + Int32BatchMessage(false, 2, 16));
  CHECK(outside.status().code() == StatusCode::kCorruption);
  CHECK_THAT(outside.status().message(), Catch::Contains("lies outside the body"));
  auto short_values = Read(Int32SchemaMessage() + Int32BatchMessage(false, 2, 4));
  CHECK_THAT(short_values.status().message(), Catch::Contains("values buffer of 4 bytes, needs 8"));
  CHECK(Read("").status().code() == StatusCode::kCorruption);
  CHECK(Read(Int32SchemaMessage().substr(0, 20)).status().code() == StatusCode::kCorruption);
}

TEST_CASE("Stream reader applies delta dictionaries and replacements", "[columnar]") {
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"d", DataType::Dictionary(TypeId::kInt16), true, {}}});
  RecordBatchBuilder b(schema);
  for (const char* s : {"a", "b", "a"}) b.column(0).AppendString(s);
  RecordBatch first = b.Finish().value();
  for (const char* s : {"z", "y"}) b.column(0).AppendString(s);
  RecordBatch second = b.Finish().value();  // a new dictionary: a replacement
  std::string stream = WriteIpcStream(*schema, {first, second}).value();
  auto t = Read(stream);
  REQUIRE(t.ok());
  CHECK(BatchesJson(*schema, t->batches) == BatchesJson(*schema, {first, second}));

  // Hand-made delta: dictionary {a}, delta {b}, batch with indices 1, 0.
  auto dict_message = [](const std::string& value, bool delta) {
    flatbuffers::FlatBufferBuilder fbb;
    std::vector<fb::FieldNode> nodes{fb::FieldNode(1, 0)};
    std::vector<fb::Buffer> bufs{fb::Buffer(0, 0), fb::Buffer(0, 8), fb::Buffer(8, int64_t(value.size()))};
    auto rb = fb::CreateRecordBatch(fbb, 1, fbb.CreateVectorOfStructs(nodes), fbb.CreateVectorOfStructs(bufs));
    auto db = fb::CreateDictionaryBatch(fbb, 0, rb, delta);
    fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::DictionaryBatch, db.Union(), 16));
    std::string body(16, '\0');
    int32_t offs[2] = {0, int32_t(value.size())};
    std::memcpy(body.data(), offs, 8);
    std::memcpy(body.data() + 8, value.data(), value.size());
    return Frame(fbb, body);
  };
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<fb::FieldNode> nodes{fb::FieldNode(2, 0)};
  std::vector<fb::Buffer> bufs{fb::Buffer(0, 0), fb::Buffer(0, 4)};
  auto rb = fb::CreateRecordBatch(fbb, 2, fbb.CreateVectorOfStructs(nodes), fbb.CreateVectorOfStructs(bufs));
  fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::RecordBatch, rb.Union(), 8));
  std::string body(8, '\0');
  int16_t idx[2] = {1, 0};
  std::memcpy(body.data(), idx, 4);
  std::string schema_msg = SchemaMessage(*schema).value();
  auto d = Read(schema_msg + dict_message("a", false) + dict_message("b", true) + Frame(fbb, body));
  REQUIRE(d.ok());
  ArrayView v = d->batches.at(0).columns[0]->View();
  ArrayView dv = d->batches.at(0).columns[0]->dictionary->View();
  CHECK(dv.StringValue(v.DictIndex(0)) == "b");
  CHECK(dv.StringValue(v.DictIndex(1)) == "a");
}

TEST_CASE("Truncated or damaged streams and files return errors", "[columnar]") {
  auto batches = SeveralBatches();
  for (bool file : {false, true}) {
    std::string bytes = file ? WriteIpcFile(*AllTypesSchema(), batches).value()
                             : WriteIpcStream(*AllTypesSchema(), batches).value();
    int errors = 0;
    for (size_t n = 0; n < bytes.size(); n += 97) {
      auto r = Read(bytes.substr(0, n));
      if (!r.ok()) ++errors;
    }
    CHECK(errors > 0);
    uint32_t seed = 7;
    for (int iter = 0; iter < 400; ++iter) {
      std::string damaged = bytes;
      seed = seed * 1103515245u + 12345u;
      damaged[(seed >> 8) % damaged.size()] ^= char(1 + (seed >> 3) % 255);
      auto r = Read(damaged);
      if (r.ok()) (void)BatchesJson(*r->schema, r->batches);
    }
  }
  auto file = WriteIpcFile(*AllTypesSchema(), batches).value();
  auto r = Read(file.substr(0, file.size() - 3));
  REQUIRE_FALSE(r.ok());
}

namespace {

// A stream with one utf8 column of 2 rows whose offsets, data and validity
// are given raw.
std::string Utf8Stream(std::vector<int32_t> offsets, const std::string& data, int64_t null_count,
                       uint8_t validity_byte) {
  Schema schema({{"s", DataType(TypeId::kUtf8), true, {}}});
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<fb::FieldNode> nodes{fb::FieldNode(2, null_count)};
  std::vector<fb::Buffer> bufs{fb::Buffer(0, 1), fb::Buffer(8, 12), fb::Buffer(24, int64_t(data.size()))};
  auto rb = fb::CreateRecordBatch(fbb, 2, fbb.CreateVectorOfStructs(nodes), fbb.CreateVectorOfStructs(bufs));
  fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::RecordBatch, rb.Union(), 32));
  std::string body(32, '\0');
  body[0] = char(validity_byte);
  std::memcpy(body.data() + 8, offsets.data(), 12);
  std::memcpy(body.data() + 24, data.data(), data.size());
  return SchemaMessage(schema).value() + Frame(fbb, body);
}

}  // namespace

TEST_CASE("Stream reader checks string offsets and validity bitmaps", "[columnar]") {
  auto good = Read(Utf8Stream({0, 3, 5}, "abcde", 0, 0));
  REQUIRE(good.ok());
  CHECK(good->batches[0].columns[0]->View().StringValue(1) == "de");

  auto decreasing = Read(Utf8Stream({0, 3, 2}, "abcde", 0, 0));
  CHECK(decreasing.status().code() == StatusCode::kCorruption);
  CHECK_THAT(decreasing.status().message(), Catch::StartsWith("column 's' string offsets decrease at row 1 (3 > 2) at offset "));

  auto beyond = Read(Utf8Stream({0, 3, 9}, "abcde", 0, 0));
  CHECK_THAT(beyond.status().message(), Catch::Contains("last string offset 9 exceeds the data buffer of 5 bytes"));

  auto negative = Read(Utf8Stream({-1, 3, 5}, "abcde", 0, 0));
  CHECK_THAT(negative.status().message(), Catch::Contains("first string offset -1 is negative"));

  auto nulls = Read(Utf8Stream({0, 3, 5}, "abcde", 1, 0b01));
  REQUIRE(nulls.ok());
  CHECK(nulls->batches[0].columns[0]->View().IsNull(1));

  auto miscounted = Read(Utf8Stream({0, 3, 5}, "abcde", 1, 0b11));
  CHECK_THAT(miscounted.status().message(), Catch::Contains("null count 1 disagrees with the validity bitmap (0)"));
  auto too_many = Read(Utf8Stream({0, 3, 5}, "abcde", 3, 0));
  CHECK_THAT(too_many.status().message(), Catch::Contains("null count 3 of 2 rows"));
}

TEST_CASE("Stream reader converts LargeUtf8 columns to utf8", "[columnar]") {
  flatbuffers::FlatBufferBuilder sb;
  auto field = fb::CreateField(sb, sb.CreateString("s"), true, fb::Type::LargeUtf8, fb::CreateLargeUtf8(sb).Union());
  auto schema = fb::CreateSchema(sb, fb::Endianness::Little, sb.CreateVector(std::vector{field}));
  sb.Finish(fb::CreateMessage(sb, fb::MetadataVersion::V5, fb::MessageHeader::Schema, schema.Union(), 0));
  auto batch = [](std::vector<int64_t> offsets) {
    flatbuffers::FlatBufferBuilder fbb;
    std::vector<fb::FieldNode> nodes{fb::FieldNode(2, 0)};
    std::vector<fb::Buffer> bufs{fb::Buffer(0, 0), fb::Buffer(0, 24), fb::Buffer(24, 8)};
    auto rb = fb::CreateRecordBatch(fbb, 2, fbb.CreateVectorOfStructs(nodes), fbb.CreateVectorOfStructs(bufs));
    fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::RecordBatch, rb.Union(), 32));
    std::string body(32, '\0');
    std::memcpy(body.data(), offsets.data(), 24);
    std::memcpy(body.data() + 24, "xxabcdef", 8);
    return Frame(fbb, body);
  };
  auto t = Read(Frame(sb) + batch({2, 5, 8}));
  REQUIRE(t.ok());
  CHECK(t->schema->field(0).type == DataType(TypeId::kUtf8));
  ArrayView v = t->batches.at(0).columns[0]->View();
  CHECK(v.StringValue(0) == "abc");
  CHECK(v.StringValue(1) == "def");
  auto bad = Read(Frame(sb) + batch({2, 9, 8}));
  CHECK(bad.status().code() == StatusCode::kCorruption);
}

TEST_CASE("fixed_size_binary, null and large_utf8 columns round-trip through IPC streams, files and chunks", "[columnar]") {
  auto schema = std::make_shared<Schema>(std::vector<Field>{
      {"k", DataType::FixedSizeBinary(3), true, {}},
      {"z", DataType(TypeId::kNull), true, {}},
      {"s", *ParseTypeName("large_utf8"), true, {}}});
  RecordBatchBuilder b(schema);
  for (int i = 0; i < 20; ++i) {
    if (i % 4 == 1) {
      b.column(0).AppendNull();
    } else {
      b.column(0).AppendString(std::string{char(i), '\0', char(255 - i)});
    }
    b.column(1).AppendNull();
    b.column(2).AppendString(std::string(size_t(i % 5), char('a' + i % 3)));
  }
  auto batch = b.Finish();
  REQUIRE(batch.ok());
  auto check = [&](const std::shared_ptr<const Schema>& s, const RecordBatch& got) {
    CHECK(s->field(0).type == DataType::FixedSizeBinary(3));
    CHECK(s->field(1).type == DataType(TypeId::kNull));
    CHECK(s->field(2).type.large_offsets);
    ColumnViews v(got), w(*batch);
    REQUIRE(got.num_rows == 20);
    for (int64_t i = 0; i < 20; ++i) {
      CHECK(v[0].IsValid(i) == w[0].IsValid(i));
      if (w[0].IsValid(i)) CHECK(v[0].StringValue(i) == w[0].StringValue(i));
      CHECK(v[1].IsNull(i));
      CHECK(v[2].StringValue(i) == w[2].StringValue(i));
    }
    CHECK(got.columns[1]->null_count == 20);
  };
  for (auto* write : {&WriteIpcStream, &WriteIpcFile}) {
    auto bytes = (*write)(*schema, {*batch});
    REQUIRE(bytes.ok());
    // The large column goes out with 64-bit offsets; the reader narrows them.
    auto t = Read(*bytes);
    REQUIRE(t.ok());
    REQUIRE(t->batches.size() == 1);
    check(t->schema, t->batches[0]);
  }
  // Chunks keep 32-bit offsets and no buffers for the null column.
  auto chunk = EncodeChunk(*batch);
  REQUIRE(chunk.ok());
  auto opened = OpenChunk(schema, reinterpret_cast<const uint8_t*>(chunk->data()), int64_t(chunk->size()), nullptr);
  REQUIRE(opened.ok());
  check(schema, *opened);
  CHECK(opened->columns[2]->buffers[1]->size() >= 21 * 4);
  // A schema message followed by the chunk, written by the stream writer,
  // is re-encoded with 64-bit offsets.
  std::string out;
  StringSink sink(&out);
  auto w = StreamWriter::Open(&sink, schema);
  REQUIRE(w.ok());
  REQUIRE((*w)->WriteChunk(reinterpret_cast<const uint8_t*>(chunk->data()), int64_t(chunk->size())).ok());
  REQUIRE((*w)->Close().ok());
  auto t = Read(out);
  REQUIRE(t.ok());
  check(t->schema, t->batches.at(0));
}

TEST_CASE("Stream reader converts Utf8View columns to utf8 and checks every view", "[columnar]") {
  flatbuffers::FlatBufferBuilder sb;
  auto field = fb::CreateField(sb, sb.CreateString("v"), true, fb::Type::Utf8View, fb::CreateUtf8View(sb).Union());
  auto schema = fb::CreateSchema(sb, fb::Endianness::Little, sb.CreateVector(std::vector{field}));
  sb.Finish(fb::CreateMessage(sb, fb::MetadataVersion::V5, fb::MessageHeader::Schema, schema.Union(), 0));
  // Row 0 inline ("abc"), row 1 out of line: 14 bytes at `offset` of data
  // buffer `index` (the batch has one, of 16 bytes).
  auto batch = [](int32_t index, int32_t offset, std::vector<int64_t> counts = {1}) {
    flatbuffers::FlatBufferBuilder fbb;
    std::vector<fb::FieldNode> nodes{fb::FieldNode(2, 0)};
    std::vector<fb::Buffer> bufs{fb::Buffer(0, 0), fb::Buffer(0, 32), fb::Buffer(32, 16)};
    auto rb = fb::CreateRecordBatch(fbb, 2, fbb.CreateVectorOfStructs(nodes), fbb.CreateVectorOfStructs(bufs), 0,
                                    fbb.CreateVector(counts));
    fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::RecordBatch, rb.Union(), 48));
    std::string body(48, '\0');
    const int32_t len0 = 3, len1 = 14;
    std::memcpy(body.data(), &len0, 4);
    std::memcpy(body.data() + 4, "abc", 3);
    std::memcpy(body.data() + 16, &len1, 4);
    std::memcpy(body.data() + 20, "xyab", 4);
    std::memcpy(body.data() + 24, &index, 4);
    std::memcpy(body.data() + 28, &offset, 4);
    std::memcpy(body.data() + 32, "xyabcdefghijklmn", 16);
    return Frame(fbb, body);
  };
  auto t = Read(Frame(sb) + batch(0, 2));
  INFO(t.status().ToString());
  REQUIRE(t.ok());
  CHECK(t->schema->field(0).type == DataType(TypeId::kUtf8));
  ArrayView v = t->batches.at(0).columns[0]->View();
  CHECK(v.StringValue(0) == "abc");
  CHECK(v.StringValue(1) == "abcdefghijklmn");
  auto bad_index = Read(Frame(sb) + batch(1, 2));
  CHECK(bad_index.status().code() == StatusCode::kCorruption);
  CHECK_THAT(bad_index.status().message(), Catch::Contains("column 'v' row 1: view of 14 bytes in data buffer 1 of 1"));
  auto beyond = Read(Frame(sb) + batch(0, 3));
  CHECK_THAT(beyond.status().message(), Catch::Contains("row 1: view of 14 bytes at offset 3 beyond data buffer 0 of 16 bytes"));
  auto no_count = Read(Frame(sb) + batch(0, 2, {}));
  CHECK(no_count.status().code() == StatusCode::kCorruption);
}
