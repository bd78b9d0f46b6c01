// The Parquet file writer (writer.h).
#include "columnar/parquet/writer.h"

#include <algorithm>
#include <cctype>

#include "columnar/builder.h"
#include "columnar/ipc.h"
#include "columnar/parquet/column_writer_internal.h"
#include "columnar/parquet/schema_internal.h"
#include "columnar/parquet/thrift_internal.h"

namespace quiver::parquet {
namespace {

format::CompressionCodec::type CodecFor(Compression c) {
  switch (c) {
    case Compression::kNone:
      return format::CompressionCodec::UNCOMPRESSED;
    case Compression::kSnappy:
      return format::CompressionCodec::SNAPPY;
    case Compression::kGzip:
      return format::CompressionCodec::GZIP;
    case Compression::kLz4Raw:
      return format::CompressionCodec::LZ4_RAW;
    case Compression::kBrotli:
      return format::CompressionCodec::BROTLI;
    case Compression::kZstd:
      break;
  }
  return format::CompressionCodec::ZSTD;
}

}  // namespace

Result<Compression> ParseCompression(std::string_view name) {
  std::string n(name);
  for (char& c : n) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (n == "none" || n == "uncompressed") return Compression::kNone;
  if (n == "snappy") return Compression::kSnappy;
  if (n == "gzip") return Compression::kGzip;
  if (n == "zstd") return Compression::kZstd;
  if (n == "lz4" || n == "lz4_raw") return Compression::kLz4Raw;
  if (n == "brotli") return Compression::kBrotli;
  return Status::Invalid("unknown Parquet compression \"" + std::string(name) +
                         "\" (zstd, snappy, gzip, lz4, brotli, none)");
}

struct ParquetWriter::Impl {
  std::shared_ptr<const Schema> schema;
  WriteOptions options;
  TextSink sink;
  Status error;
  bool closed = false;
  int64_t offset = 0;  // bytes handed to the sink
  int64_t rows = 0;
  std::vector<format::SchemaElement> elements;
  std::vector<std::vector<std::string>> leaf_paths;
  std::vector<format::RowGroup> row_groups;
  std::vector<RecordBatch> pending;
  int64_t pending_rows = 0;

  Status Emit(std::string_view bytes) {
    if (!error.ok()) return error;
    error = sink(bytes);
    offset += int64_t(bytes.size());
    return error;
  }
  Status Fail(Status s) {
    if (error.ok()) error = s;
    return s;
  }
  Status FlushRowGroup();
  Status Footer();
};

Status ParquetWriter::Impl::FlushRowGroup() {
  if (pending.empty()) return Status::OK();
  std::vector<ColumnViews> views;
  for (const RecordBatch& b : pending) views.emplace_back(b);
  ColumnWriteOptions co;
  co.codec = CodecFor(options.compression);
  co.level = options.compression_level;
  co.page_rows = std::max<int64_t>(1, options.page_rows);
  co.page_checksums = options.page_checksums;
  format::RowGroup rg;
  rg.__set_file_offset(offset);
  int64_t compressed = 0, uncompressed = 0;
  for (size_t c = 0; c < schema->num_fields(); ++c) {
    std::vector<const ArrayView*> pieces;
    for (const ColumnViews& v : views) pieces.push_back(&v[c]);
    auto add = [&](const std::string& bytes, format::ColumnChunk chunk) {
      compressed += chunk.meta_data.total_compressed_size;
      uncompressed += chunk.meta_data.total_uncompressed_size;
      rg.columns.push_back(std::move(chunk));
      return Emit(bytes);
    };
    if (schema->field(c).type.is_nested()) {
      auto leaves = ShredNestedColumn(schema->field(c), pieces);
      if (!leaves.ok()) return Fail(leaves.status());
      for (const LeafColumn& leaf : *leaves) {
        std::string bytes;
        format::ColumnChunk chunk;
        Status s = WriteLeafChunk(leaf, co, offset, &bytes, &chunk);
        if (!s.ok()) return Fail(s);
        QUIVER_RETURN_NOT_OK(add(bytes, std::move(chunk)));
      }
      continue;
    }
    std::string bytes;
    format::ColumnChunk chunk;
    Status s = WriteColumnChunk(schema->field(c), pieces, co, offset, &bytes, &chunk);
    if (!s.ok()) return Fail(s);
    QUIVER_RETURN_NOT_OK(add(bytes, std::move(chunk)));
  }
  rg.__set_num_rows(pending_rows);
  rg.__set_total_byte_size(uncompressed);
  rg.__set_total_compressed_size(compressed);
  rg.__set_ordinal(int16_t(std::min<size_t>(row_groups.size(), 32767)));
  row_groups.push_back(std::move(rg));
  rows += pending_rows;
  pending.clear();
  pending_rows = 0;
  return Status::OK();
}

Status ParquetWriter::Impl::Footer() {
  format::FileMetaData m;
  m.__set_version(2);
  m.__set_schema(elements);
  m.__set_num_rows(rows);
  m.__set_row_groups(row_groups);
  m.__set_created_by(options.created_by);
  auto ipc_schema = SchemaMessage(*schema);
  if (!ipc_schema.ok()) return Fail(ipc_schema.status());
  format::KeyValue kv;
  kv.__set_key("ARROW:schema");
  std::string b64;
  AppendBase64(&b64, *ipc_schema);
  kv.__set_value(b64);
  m.__set_key_value_metadata({kv});
  std::vector<format::ColumnOrder> orders(leaf_paths.size());
  for (auto& o : orders) o.__set_TYPE_ORDER(format::TypeDefinedOrder());
  m.__set_column_orders(orders);
  std::string footer;
  Status s = EncodeFileMetaData(m, &footer);
  if (!s.ok()) return Fail(s);
  uint32_t len = uint32_t(footer.size());
  footer.append(reinterpret_cast<const char*>(&len), 4);
  footer.append("PAR1");
  return Emit(footer);
}

ParquetWriter::ParquetWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ParquetWriter::~ParquetWriter() = default;

Result<std::unique_ptr<ParquetWriter>> ParquetWriter::Open(std::shared_ptr<const Schema> schema,
                                                           WriteOptions options, TextSink sink) {
  auto impl = std::make_unique<Impl>();
  format::SchemaElement root;
  root.__set_name("schema");
  root.__set_num_children(int32_t(schema->num_fields()));
  impl->elements.push_back(root);
  for (const Field& f : schema->fields()) {
    QUIVER_RETURN_NOT_OK(AppendParquetElements(f, &impl->elements, &impl->leaf_paths));
  }
  impl->schema = std::move(schema);
  impl->options = std::move(options);
  impl->sink = std::move(sink);
  QUIVER_RETURN_NOT_OK(impl->Emit("PAR1"));
  return std::unique_ptr<ParquetWriter>(new ParquetWriter(std::move(impl)));
}

Status ParquetWriter::WriteBatch(const RecordBatch& batch) {
  Impl& m = *impl_;
  if (!m.error.ok()) return m.error;
  if (m.closed) return Status::Invalid("the Parquet writer is closed");
  if (batch.columns.size() != m.schema->num_fields()) {
    return m.Fail(Status::Invalid("batch has " + std::to_string(batch.columns.size()) +
                                  " columns, the schema " + std::to_string(m.schema->num_fields())));
  }
  if (batch.num_rows == 0) return Status::OK();
  // A batch larger than a row group is cut into row-group-sized slices.
  const int64_t limit = std::max<int64_t>(1, m.options.row_group_rows);
  for (int64_t start = 0; start < batch.num_rows; start += limit) {
    const int64_t n = std::min(limit, batch.num_rows - start);
    RecordBatch part = batch;
    if (start > 0 || n < batch.num_rows) {
      auto slice = SliceBatch(batch, start, n);
      if (!slice.ok()) return m.Fail(slice.status());
      part = std::move(*slice);
    }
    if (m.pending_rows > 0 && m.pending_rows + n > limit) QUIVER_RETURN_NOT_OK(m.FlushRowGroup());
    m.pending.push_back(std::move(part));
    m.pending_rows += n;
    if (m.pending_rows >= limit) QUIVER_RETURN_NOT_OK(m.FlushRowGroup());
  }
  return Status::OK();
}

Status ParquetWriter::Close() {
  Impl& m = *impl_;
  if (!m.error.ok()) return m.error;
  if (m.closed) return Status::OK();
  QUIVER_RETURN_NOT_OK(m.FlushRowGroup());
  m.closed = true;
  return m.Footer();
}

int64_t ParquetWriter::rows_written() const { return impl_->rows; }
int64_t ParquetWriter::bytes_written() const { return impl_->offset; }

Result<std::string> WriteParquet(std::shared_ptr<const Schema> schema,
                                 const std::vector<RecordBatch>& batches, WriteOptions options) {
  std::string out;
  QUIVER_ASSIGN_OR_RETURN(auto w, ParquetWriter::Open(std::move(schema), std::move(options),
                                                      [&out](std::string_view b) {
                                                        out.append(b);
                                                        return Status::OK();
                                                      }));
  for (const RecordBatch& b : batches) QUIVER_RETURN_NOT_OK(w->WriteBatch(b));
  QUIVER_RETURN_NOT_OK(w->Close());
  return out;
}

}  // namespace quiver::parquet
