// Writing record batches as an Apache Parquet file, streamed to a sink.
//
// Layout: "PAR1", row groups, the footer (Thrift compact FileMetaData), its
// length, "PAR1". Batches are gathered into row groups of about
// WriteOptions::row_group_rows rows (a row group never splits a batch's
// rows across two pages of different row groups, and holds at least one
// batch). Each column chunk is a sequence of data pages v1 (PLAIN values,
// RLE definition levels for nullable fields); a dictionary column gets one
// dictionary page per chunk (its batches' dictionaries merged) and
// RLE_DICTIONARY pages, and so does a utf8/binary leaf of a nested column
// whose values repeat (column_writer.cc: WriteLeafDictionary). Every chunk carries statistics (min, max, null
// count). The footer's key-value metadata holds the Arrow schema
// ("ARROW:schema", the base64 IPC schema message, as Arrow's writers do), so
// Arrow readers restore Quiver's exact types (dictionaries, time zones).
// Type mapping: schema_internal.h (ParquetElementFor).
//
// Thread-safety: a writer is a single-threaded object. Bytes go to the sink
// in file order as row groups complete; an error (from the sink or a value
// that cannot be written) ends the writer: every later call returns it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/array.h"
#include "columnar/text_format.h"
#include "config/status.h"

namespace quiver::parquet {

enum class Compression { kNone, kSnappy, kGzip, kZstd, kLz4Raw, kBrotli };

// "none"/"uncompressed", "snappy", "gzip", "zstd", "lz4"/"lz4_raw", "brotli".
Result<Compression> ParseCompression(std::string_view name);

struct WriteOptions {
  Compression compression = Compression::kZstd;
  int compression_level = 0;  // 0: the codec's default
  int64_t row_group_rows = int64_t(1) << 20;
  int64_t page_rows = int64_t(1) << 16;
  // A CRC-32 of each page in its header (readers verify it).
  bool page_checksums = false;
  std::string created_by = "quiver";
};

class ParquetWriter {
 public:
  // Writes the leading magic. NotSupported for a type Parquet cannot hold.
  static Result<std::unique_ptr<ParquetWriter>> Open(std::shared_ptr<const Schema> schema,
                                                     WriteOptions options, TextSink sink);
  ~ParquetWriter();
  ParquetWriter(const ParquetWriter&) = delete;
  ParquetWriter& operator=(const ParquetWriter&) = delete;

  // The batch's columns must be alive until the row group holding it is
  // written (the next call that fills a row group, or Close).
  Status WriteBatch(const RecordBatch& batch);
  // Writes what is buffered and the footer.
  Status Close();

  int64_t rows_written() const;
  int64_t bytes_written() const;

 private:
  struct Impl;
  explicit ParquetWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A whole file in memory.
Result<std::string> WriteParquet(std::shared_ptr<const Schema> schema,
                                 const std::vector<RecordBatch>& batches, WriteOptions options = {});

}  // namespace quiver::parquet
