// The value decoders of the column reader (column_reader_internal.h): one
// page's values, after its levels, in any of Parquet's value encodings
// (PLAIN, PLAIN_DICTIONARY / RLE_DICTIONARY, RLE booleans,
// DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY,
// BYTE_STREAM_SPLIT), and the column chunk's dictionary page.
//
// Decoded values are left in the decoder's buffers in their physical form
// (fixed-width bytes, 0/1 booleans, byte-array lengths and bytes, or
// dictionary indices); the column reader converts them to Arrow values.
// Errors are Invalid / NotSupported without a location: the column reader
// adds the column, row group and page.
//
// A single-threaded object, one per column chunk.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "columnar/parquet/schema_internal.h"
#include "columnar/parquet/thrift_internal.h"
#include "config/status.h"

namespace quiver::parquet {

const char* EncodingName(format::Encoding::type e);
bool IsDictionaryEncoding(format::Encoding::type e);

class ValueDecoder {
 public:
  // `keep_indices`: dictionary pages leave their indices in idx() (for a
  // column kept as a dictionary) instead of gathering the values.
  ValueDecoder(const ColumnSpec& spec, bool keep_indices)
      : spec_(spec), phys_width_(PhysicalWidth(spec.physical, spec.type_length)),
        keep_indices_(keep_indices) {}

  // The dictionary page's values (`n` of them in data[0, size), PLAIN).
  Status ReadDictionary(format::Encoding::type enc, const uint8_t* data, size_t size, int64_t n);
  // n values of a data page (only the non-null ones are stored).
  Status Decode(format::Encoding::type enc, const uint8_t* data, size_t size, int64_t n);
  // Dictionary indices (bit width byte, then the hybrid) into out[0, n),
  // checked against the dictionary's size.
  Status DecodeIndices(const uint8_t* data, size_t size, int64_t n, uint32_t* out);

  int phys_width() const { return phys_width_; }
  // The last page's values: indices (dictionary page kept as indices),
  // fixed-width bytes / 0-1 booleans, or byte-array lengths and bytes.
  bool page_is_indices() const { return page_is_indices_; }
  const std::vector<uint32_t>& idx() const { return idx_; }
  const std::vector<uint8_t>& fixed() const { return fixed_; }
  const std::vector<uint32_t>& lens() const { return lens_; }
  const std::string& bytes() const { return bytes_; }

  // The dictionary (byte arrays), which a column kept as a dictionary
  // extends with the values of its fallback (non-dictionary) pages.
  int64_t dict_count() const { return dict_count_; }
  std::vector<uint32_t>& dict_lens() { return dict_lens_; }
  std::vector<int64_t>& dict_offsets() { return dict_offsets_; }
  std::string& dict_bytes() { return dict_bytes_; }
  void set_dict_count(int64_t n) { dict_count_ = n; }

 private:
  Status DecodeFixed(format::Encoding::type enc, const uint8_t* data, size_t size, int64_t n);
  void GatherFromDictionary(int64_t n);

  const ColumnSpec& spec_;
  const int phys_width_;
  const bool keep_indices_;

  bool have_dict_ = false;
  int64_t dict_count_ = 0;
  std::vector<uint8_t> dict_fixed_;
  std::vector<uint32_t> dict_lens_;
  std::vector<int64_t> dict_offsets_;
  std::string dict_bytes_;

  bool page_is_indices_ = false;
  std::vector<uint32_t> idx_;
  std::vector<uint8_t> fixed_;
  std::vector<uint32_t> lens_;
  std::string bytes_;
  std::vector<int64_t> deltas_;
};

}  // namespace quiver::parquet
