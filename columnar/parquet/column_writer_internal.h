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

// One leaf of a nested column in one batch: its level entries, and the
// leaf's rows that hold the values of the entries whose definition level
// is the maximum (in order).
struct LeafPiece {
  const ArrayView* values = nullptr;
  std::vector<uint8_t> rep, def;
  std::vector<int64_t> rows;
};

// One leaf of a nested column in one row group, shredded.
struct LeafColumn {
  Field field;                    // the leaf's Arrow field (its type is written)
  std::vector<std::string> path;  // path_in_schema
  int max_rep = 0, max_def = 0;
  std::vector<LeafPiece> pieces;
};

// Appends the chunk of a nested column's leaf, as WriteColumnChunk does.
Status WriteLeafChunk(const LeafColumn& leaf, const ColumnWriteOptions& options, int64_t file_offset,
                      std::string* out, format::ColumnChunk* chunk);

// Shreds a nested column (`pieces`: its consecutive batches) into its
// leaves' levels and values (nested_writer.cc), leaves in schema order as
// AppendParquetElements lays them out.
Result<std::vector<LeafColumn>> ShredNestedColumn(const Field& field,
                                                  const std::vector<const ArrayView*>& pieces);

}  // namespace quiver::parquet
