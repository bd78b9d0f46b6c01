// Writes one column chunk (one column of one row group) of the Parquet
// writer (writer.h): dictionary page, data pages, statistics.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "columnar/array.h"
#include "columnar/parquet/thrift_internal.h"
#include "config/status.h"

namespace quiver::parquet {

struct ColumnWriteOptions {
  format::CompressionCodec::type codec = format::CompressionCodec::ZSTD;
  int level = 0;
  int64_t page_rows = 65536;
  bool page_checksums = false;  // a CRC-32 in every page header
};

// Appends the chunk of `field` made of `pieces` (the column in consecutive
// batches, views with their dictionaries wired) to *out, which starts at
// byte `file_offset` of the file, and fills *chunk's metadata.
Status WriteColumnChunk(const Field& field, const std::vector<const ArrayView*>& pieces,
                        const ColumnWriteOptions& options, int64_t file_offset, std::string* out,
                        format::ColumnChunk* chunk);

}  // namespace quiver::parquet
