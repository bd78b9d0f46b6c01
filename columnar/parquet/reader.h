// Reading Apache Parquet files into Arrow record batches.
//
// A ParquetFile is opened over the whole file in memory (the bytes are
// shared, not copied): Open decodes and checks the footer (Thrift compact
// FileMetaData) and maps the schema to Quiver types (schema_internal.h has
// the one mapping); ReadRowGroup decodes one row group's columns into a
// RecordBatch. ReadParquet drives a whole read with the text readers'
// callbacks (columnar/text_reader.h), decoding row groups on several
// threads and delivering them in file order.
//
// Supported: flat columns (REQUIRED or OPTIONAL leaves under the root) of
// every physical type; the encodings PLAIN, PLAIN_DICTIONARY /
// RLE_DICTIONARY, RLE (levels, booleans), BIT_PACKED (the deprecated
// level encoding of data page v1), DELTA_BINARY_PACKED,
// DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT; the
// codecs UNCOMPRESSED, SNAPPY, GZIP, BROTLI, ZSTD, LZ4_RAW and LZ4 (Hadoop
// framing); data pages v1 and v2; page CRCs (verified when present). A utf8
// column whose chunks are all dictionary-encoded stays a
// dictionary<int32, utf8> column (one dictionary per row group).
// Nested columns (nested_schema.cc, nested_reader.cc): groups as structs,
// LIST (three-level, and the legacy two-level forms and bare repeated
// fields as LogicalTypes.md's backward-compatibility rules read them), MAP
// and MAP_KEY_VALUE as map<key, value>, nested to any depth, reassembled
// from their repetition and definition levels; strings inside them are
// plain utf8 (never dictionaries). A column projection keeps a nested
// column whole. Not yet: INTERVAL and optional map keys — NotSupported
// naming the type and the column, from Open when such a column is selected
// (ReadOptions::columns can leave it out).
//
// Errors: Invalid for a file that is not Parquet or is damaged, naming the
// source, the structure and where (column, row group, page, byte offset);
// NotSupported as above; Cancelled when `cancelled` returns true. A damaged
// file never makes the reader read outside the bytes it was given.
//
// Thread-safety: a ParquetFile is immutable after Open; ReadRowGroup may be
// called from several threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/array.h"
#include "columnar/text_reader.h"
#include "config/status.h"

namespace quiver::parquet {

// True when `head` starts with Parquet's magic "PAR1".
bool HasParquetMagic(std::string_view head);

struct ReadOptions {
  // Named in messages ("trips.parquet: column \"fare\" ...").
  std::string source_name = "<input>";
  // Read only these columns (by name, in this order); empty = all.
  std::vector<std::string> columns;
  // A table schema to read into: a utf8 column becomes a dictionary column
  // or the other way round when the schema says so (by field name).
  std::shared_ptr<const Schema> schema;
  // Row-group decoding threads; 0 = one per hardware thread.
  int num_threads = 0;
  std::function<bool()> cancelled;
  // Limits against damaged headers (the fuzzer lowers them).
  int64_t max_row_group_rows = int64_t(1) << 31;
  size_t max_page_bytes = size_t(1) << 30;
};

class ParquetFile {
 public:
  ~ParquetFile();
  ParquetFile(const ParquetFile&) = delete;
  ParquetFile& operator=(const ParquetFile&) = delete;

  // `bytes` is the whole file; it is kept alive by the ParquetFile.
  static Result<std::unique_ptr<ParquetFile>> Open(std::shared_ptr<const std::string> bytes,
                                                   ReadOptions options = {});

  const std::shared_ptr<const Schema>& schema() const;
  int num_row_groups() const;
  int64_t num_rows() const;
  int64_t row_group_rows(int i) const;
  // The stored (compressed) bytes of row group i's selected columns.
  int64_t row_group_bytes(int i) const;
  // The footer's key-value metadata (e.g. "ARROW:schema").
  const std::vector<KeyValue>& metadata() const;

  // Row group i as a batch of schema().
  Result<RecordBatch> ReadRowGroup(int i) const;

 private:
  struct Impl;
  explicit ParquetFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Reads a whole file: cb.on_schema once, cb.on_batch per non-empty row
// group in order, cb.on_progress(bytes of the row groups done, rows).
Status ReadParquet(std::shared_ptr<const std::string> bytes, const ReadOptions& options,
                   const TextCallbacks& cb, TextReadStats* stats);

}  // namespace quiver::parquet
