// Reads one column chunk (of one row group) of a flat column into Arrow
// data: page headers, CRCs, decompression, levels, every value encoding and
// the conversion to the column's Arrow type (schema_internal.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "columnar/array.h"
#include "columnar/parquet/schema_internal.h"
#include "columnar/parquet/thrift_internal.h"
#include "config/status.h"

namespace quiver::parquet {

struct ChunkSource {
  const uint8_t* file = nullptr;  // the whole file, alive during the call
  size_t file_size = 0;
  const format::ColumnChunk* chunk = nullptr;
  int64_t num_rows = 0;  // of the row group
  int row_group = 0;     // for messages
  // Pages claiming more decoded bytes than this are refused (bounds the
  // memory a damaged header can make the reader allocate).
  size_t max_page_bytes = size_t(1) << 30;
  // Level entries a nested leaf's chunk may claim (bounds its buffers).
  int64_t max_entries = int64_t(1) << 31;
};

// The repetition and definition levels of a nested leaf's column chunk, one
// entry per value or null (levels never exceed 255: nesting is bounded).
struct LeafLevels {
  std::vector<uint8_t> rep, def;
};

// `type` is spec.type, or its dictionary-encoded form
// (DataType::Dictionary(kInt32, kUtf8)) for a utf8 column kept as a
// dictionary. Errors name the column, the row group, the page and its byte
// offset in the file. With `levels` (a leaf of a nested column) the chunk's
// levels go to *levels and the array holds the leaf's slots (entries whose
// definition level reaches spec.slot_def), not rows.
Result<std::shared_ptr<ArrayData>> ReadColumnChunk(const ColumnSpec& spec, const DataType& type,
                                                   const ChunkSource& src, LeafLevels* levels = nullptr);

// A top-level nested column of one row group: every leaf's chunk read and
// reassembled from its levels into spec.type. Errors name the leaf's path,
// the row group and what is inconsistent.
Result<std::shared_ptr<ArrayData>> ReadNestedColumn(const ColumnSpec& spec, const format::RowGroup& rg,
                                                    const ChunkSource& src);

// The byte range [*start, *start + *length) of a chunk's pages, checked
// against the file (data ends at `data_end`, where the footer starts).
Status ChunkRange(const ColumnSpec& spec, const format::ColumnChunk& chunk, size_t data_end,
                  int row_group, size_t* start, size_t* length);

}  // namespace quiver::parquet
