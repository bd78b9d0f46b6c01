// One column chunk into Arrow data (column_reader_internal.h).
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>
#include <unordered_map>

#include "columnar/half_float.h"
#include "columnar/parquet/codec_internal.h"
#include "columnar/parquet/column_reader_internal.h"
#include "columnar/parquet/encoding_internal.h"
#include "columnar/parquet/value_decoder_internal.h"

namespace quiver::parquet {
namespace {

using PT = format::Type;
using Enc = format::Encoding;

// v as `width` (16 or 32) little-endian two's-complement bytes.
void SignExtend(int64_t v, uint8_t* d, size_t width) {
  std::memcpy(d, &v, 8);
  std::memset(d + 8, v < 0 ? 0xff : 0, width - 8);
}

// A big-endian two's-complement integer of n bytes as `width` little-endian
// bytes; false when it does not fit (n = 0 is zero).
bool BigEndianToLittle(const uint8_t* s, size_t n, uint8_t* d, size_t width) {
  const uint8_t fill = n > 0 && (s[0] & 0x80) ? 0xff : 0;
  for (; n > width; ++s, --n) {
    if (*s != fill) return false;  // more than sign bytes above the width
  }
  if (n == width && width > 0 && ((s[0] & 0x80) ? 0xff : 0) != fill) return false;
  for (size_t i = 0; i < n; ++i) d[i] = s[n - 1 - i];
  std::memset(d + n, fill, width - n);
  return true;
}

constexpr int64_t kJulianEpoch = 2440588;  // Julian day number of 1970-01-01
constexpr int64_t kNanosPerDay = int64_t(86400) * 1000000000;

class ChunkReader {
 public:
  // `levels` (a leaf of a nested column) receives the chunk's levels; the
  // array is then the leaf's slots (ColumnSpec::slot_def).
  ChunkReader(const ColumnSpec& spec, const DataType& type, const ChunkSource& src, LeafLevels* levels)
      : spec_(spec), type_(type), src_(src), levels_(levels),
        rows_(levels && src.chunk->__isset.meta_data ? src.chunk->meta_data.num_values : src.num_rows) {}

  Result<std::shared_ptr<ArrayData>> Read();

 private:
  enum class Out { kFixed, kBool, kVar, kDict };

  std::string Where() const {
    return "column \"" + spec_.name + "\", row group " + std::to_string(src_.row_group) +
           ", page " + std::to_string(page_) + " at byte " + std::to_string(page_offset_);
  }
  Status Fail(const std::string& what) const { return Status::Invalid(Where() + ": " + what); }
  Status Wrap(const Status& s) const {
    return s.ok() ? s : Status(s.code(), Where() + ": " + s.message());
  }

  Status Setup();
  Status ReadPage(const format::PageHeader& h, const uint8_t* body, size_t size);
  Result<const uint8_t*> Decompress(const uint8_t* data, size_t size, size_t decoded);
  Status ReadDictionary(const format::PageHeader& h, const uint8_t* body, size_t size);
  // The levels of a data page: v1 (`prefixed`) from the page's start, each
  // RLE section with its 4-byte length (a BIT_PACKED one has none: its size
  // follows from the value count); v2 repetition levels in [data, data +
  // rep_size), then definition levels of def_size bytes, always RLE.
  struct LevelBytes {
    const uint8_t* data;
    size_t rep_size, def_size;
    bool prefixed;
    Enc::type rep_enc = Enc::RLE, def_enc = Enc::RLE;
  };
  Status ReadData(int64_t n, Enc::type enc, LevelBytes levels, const uint8_t* values, size_t values_size);
  // Nested leaves: decodes a page's n level entries, appends them to
  // *levels_, and says which of them are the leaf's slots (*n_slots, with
  // *def_ptr marking the present ones, or null when all are).
  Status ReadNestedLevels(int64_t n, LevelBytes lv, const uint8_t** values, size_t* values_size,
                          int64_t* n_slots, int64_t* present, const uint32_t** def_ptr);
  Status DecodeLevels(const char* what, int max, int64_t n, bool prefixed, Enc::type enc,
                      const uint8_t** data, size_t* size, std::vector<uint32_t>* out);
  Status Emit(int64_t n_rows, const uint32_t* defs);
  // Sets the validity bits of rows [row_, row_ + n) (nullable columns).
  void MarkValid(int64_t n);
  Status EmitFixed(int64_t n_rows, const uint32_t* defs);
  Status EmitDictPlain(int64_t n_rows, const uint32_t* defs);
  Status EmitBigEndianDecimals(int64_t n_rows, const uint32_t* defs);
  Result<std::shared_ptr<ArrayData>> Finish();

  const ColumnSpec& spec_;
  const DataType& type_;
  const ChunkSource& src_;
  LeafLevels* const levels_;
  // Rows of the row group, or a nested leaf's level entries (an upper bound
  // of its slots); row_ counts the slots written.
  const int64_t rows_;
  int64_t entries_ = 0;  // nested leaves: level entries read
  int phys_width_ = 0;
  Out out_ = Out::kFixed;
  int out_width_ = 0;

  int page_ = 0;
  size_t page_offset_ = 0;
  int64_t row_ = 0;
  int64_t null_count_ = 0;

  // The output.
  std::shared_ptr<Buffer> validity_, values_;
  std::vector<int32_t> offsets_;
  std::string data_;

  // The page's values and the dictionary, decoded.
  std::unique_ptr<ValueDecoder> dec_;
  std::unordered_map<std::string, int32_t> dict_lookup_;  // built on a non-dictionary page

  std::unique_ptr<uint8_t[]> page_buf_;  // not zero-filled: fully written by the codec
  size_t page_buf_size_ = 0;
  std::vector<uint32_t> defs_, reps_, slot_defs_;
  bool overflow_ = false;
};

Status ChunkReader::Setup() {
  phys_width_ = PhysicalWidth(spec_.physical, spec_.type_length);
  dec_ = std::make_unique<ValueDecoder>(spec_, type_.is_dictionary());
  if (type_.is_dictionary()) {
    out_ = Out::kDict;
    // Every row's index is written by Emit (0 for a null row); rows never
    // reached are zeroed by Finish.
    values_ = Buffer::AllocateUninitialized(rows_ * 4);
  } else if (spec_.convert == Convert::kBool) {
    out_ = Out::kBool;
    values_ = Buffer::Allocate(BytesForBits(rows_));
  } else if (spec_.convert == Convert::kBytes) {
    out_ = Out::kVar;
    offsets_.assign(size_t(rows_) + 1, 0);
  } else {
    out_ = Out::kFixed;
    out_width_ = ByteWidth(type_);
    // As for indices: Emit writes every row, zeros for a null one.
    values_ = Buffer::AllocateUninitialized(rows_ * out_width_);
  }
  if (spec_.max_def > spec_.slot_def) validity_ = Buffer::Allocate(BytesForBits(rows_));
  return Status::OK();
}

Result<const uint8_t*> ChunkReader::Decompress(const uint8_t* data, size_t size, size_t decoded) {
  const auto codec = src_.chunk->meta_data.codec;
  if (codec == format::CompressionCodec::UNCOMPRESSED) {
    if (size != decoded) return Fail("uncompressed page of " + std::to_string(size) +
                                     " bytes says it holds " + std::to_string(decoded));
    return data;
  }
  if (decoded > src_.max_page_bytes) {
    return Fail("page claims " + std::to_string(decoded) + " decoded bytes (limit " +
                std::to_string(src_.max_page_bytes) + ")");
  }
  if (page_buf_size_ < decoded + 8) {
    page_buf_size_ = std::max(decoded + 8, page_buf_size_ * 2);
    page_buf_.reset(new uint8_t[page_buf_size_]);
  }
  Status s = DecompressPage(codec, std::string_view(reinterpret_cast<const char*>(data), size),
                            page_buf_.get(), decoded);
  if (!s.ok()) return Wrap(s);
  return page_buf_.get();
}

Status ChunkReader::ReadDictionary(const format::PageHeader& h, const uint8_t* body, size_t size) {
  if (!h.__isset.dictionary_page_header) return Fail("dictionary page without its header");
  const auto& d = h.dictionary_page_header;
  if (d.num_values < 0 || h.uncompressed_page_size < 0) return Fail("negative dictionary size");
  QUIVER_ASSIGN_OR_RETURN(const uint8_t* p, Decompress(body, size, size_t(h.uncompressed_page_size)));
  return Wrap(dec_->ReadDictionary(d.encoding, p, size_t(h.uncompressed_page_size), d.num_values));
}

Status ChunkReader::ReadData(int64_t n, Enc::type enc, LevelBytes lv, const uint8_t* values,
                             size_t values_size) {
  int64_t present = n;
  const uint32_t* def_ptr = nullptr;
  if (levels_) {
    QUIVER_RETURN_NOT_OK(ReadNestedLevels(n, lv, &values, &values_size, &n, &present, &def_ptr));
  } else if (n < 0 || n > rows_ - row_) {
    return Fail("page holds " + std::to_string(n) + " values, more than the " +
                std::to_string(rows_ - row_) + " rows left in the row group");
  } else if (spec_.max_def > 0 && lv.def_enc == Enc::BIT_PACKED) {
    const uint8_t* p = lv.data;
    size_t size = lv.def_size;
    QUIVER_RETURN_NOT_OK(DecodeLevels("definition", spec_.max_def, n, true, lv.def_enc, &p, &size, &defs_));
    values = p;
    values_size = size;
    present = 0;
    for (int64_t i = 0; i < n; ++i) present += defs_[size_t(i)];
    if (present < n) def_ptr = defs_.data();
  } else if (spec_.max_def > 0) {
    const uint8_t* defs = lv.data + lv.rep_size;
    size_t defs_size = lv.def_size;
    if (lv.prefixed) {
      if (defs_size < 4) return Fail("definition levels without their length");
      uint32_t len;
      std::memcpy(&len, defs, 4);
      if (len > defs_size - 4) return Fail("definition levels run past the page");
      values = defs + 4 + len;
      values_size = defs_size - 4 - len;
      defs += 4;
      defs_size = len;
    }
    RleDecoder dec(defs, defs_size, 1);
    auto all_valid = n > 0 ? dec.SkipRepeated(n, 1) : Result<bool>(true);
    QUIVER_RETURN_NOT_OK(Wrap(all_valid.status()));
    if (!*all_valid) {
      defs_.resize(size_t(n));
      QUIVER_RETURN_NOT_OK(Wrap(dec.Get(defs_.data(), n)));
      present = 0;
      uint32_t max_level = 0;
      for (int64_t i = 0; i < n; ++i) {
        max_level = std::max(max_level, defs_[size_t(i)]);
        present += defs_[size_t(i)];
      }
      if (max_level > 1) return Fail("definition level above the column's maximum");
      if (present < n) def_ptr = defs_.data();
    }
  }
  if (def_ptr == nullptr && enc == Enc::PLAIN && out_ == Out::kFixed &&
      spec_.convert == Convert::kCopy && out_width_ > 0) {
    // The common case without nulls: the page's bytes are the column's.
    const size_t bytes = size_t(n) * size_t(out_width_);
    if (values_size < bytes) return Fail("PLAIN values are cut short");
    if (bytes) std::memcpy(values_->mutable_data() + size_t(row_) * size_t(out_width_), values, bytes);
    MarkValid(n);
    row_ += n;
    return Status::OK();
  }
  if (def_ptr == nullptr && out_ == Out::kDict && IsDictionaryEncoding(enc)) {
    // Indices straight into the column (int32 and uint32 may alias).
    uint32_t* out = reinterpret_cast<uint32_t*>(values_->mutable_data()) + row_;
    QUIVER_RETURN_NOT_OK(Wrap(dec_->DecodeIndices(values, values_size, n, out)));
    MarkValid(n);
    row_ += n;
    return Status::OK();
  }
  QUIVER_RETURN_NOT_OK(Wrap(dec_->Decode(enc, values, values_size, present)));
  return Emit(n, def_ptr);
}

Status ChunkReader::ReadPage(const format::PageHeader& h, const uint8_t* body, size_t size) {
  if (h.uncompressed_page_size < 0) return Fail("negative page size");
  switch (h.type) {
    case format::PageType::DICTIONARY_PAGE:
      return ReadDictionary(h, body, size);
    case format::PageType::DATA_PAGE: {
      if (!h.__isset.data_page_header) return Fail("data page without its header");
      const auto& d = h.data_page_header;
      auto level_encoding = [](Enc::type e) { return e == Enc::RLE || e == Enc::BIT_PACKED; };
      if (spec_.max_rep > 0 && !level_encoding(d.repetition_level_encoding)) {
        return Fail(std::string("repetition levels encoded as ") +
                    EncodingName(d.repetition_level_encoding) + " are not supported");
      }
      if (spec_.max_def > 0 && !level_encoding(d.definition_level_encoding)) {
        return Fail(std::string("definition levels encoded as ") +
                    EncodingName(d.definition_level_encoding) + " are not supported");
      }
      const size_t decoded = size_t(h.uncompressed_page_size);
      QUIVER_ASSIGN_OR_RETURN(const uint8_t* p, Decompress(body, size, decoded));
      return ReadData(d.num_values, d.encoding,
                      LevelBytes{p, 0, decoded, true, d.repetition_level_encoding, d.definition_level_encoding},
                      p, decoded);
    }
    case format::PageType::DATA_PAGE_V2: {
      if (!h.__isset.data_page_header_v2) return Fail("data page v2 without its header");
      const auto& d = h.data_page_header_v2;
      if (d.definition_levels_byte_length < 0 || d.repetition_levels_byte_length < 0 ||
          size_t(d.definition_levels_byte_length) + size_t(d.repetition_levels_byte_length) > size ||
          size_t(d.definition_levels_byte_length) + size_t(d.repetition_levels_byte_length) >
              size_t(h.uncompressed_page_size)) {
        return Fail("data page v2 level lengths exceed the page");
      }
      if (!levels_ && d.repetition_levels_byte_length != 0) return Fail("repetition levels in a flat column");
      if (!levels_ && d.num_rows != d.num_values) return Fail("data page v2 rows differ from its values");
      const size_t rep_size = size_t(d.repetition_levels_byte_length);
      const size_t levels = rep_size + size_t(d.definition_levels_byte_length);
      const uint8_t* values = body + levels;
      size_t values_size = size - levels;
      const size_t decoded = size_t(h.uncompressed_page_size) - levels;
      if (!d.__isset.is_compressed || d.is_compressed) {
        QUIVER_ASSIGN_OR_RETURN(values, Decompress(values, values_size, decoded));
        values_size = decoded;
      } else if (values_size != decoded) {
        return Fail("uncompressed data page v2 sizes disagree");
      }
      return ReadData(d.num_values, d.encoding, LevelBytes{body, rep_size, levels - rep_size, false},
                      values, values_size);
    }
    default:
      return Status::OK();  // index pages and unknown page types are skipped
  }
}

Status ChunkReader::DecodeLevels(const char* what, int max, int64_t n, bool prefixed, Enc::type enc,
                                 const uint8_t** data, size_t* size, std::vector<uint32_t>* out) {
  const uint8_t* p = *data;
  size_t len = *size;
  if (prefixed && enc == Enc::BIT_PACKED) {
    // No length: n values of the level's bit width, the last byte padded.
    len = BitPackedBytes(n, BitWidth(uint64_t(max)));
    if (len > *size) {
      return Fail(std::string(what) + " levels (BIT_PACKED) need " + std::to_string(len) + " bytes for " +
                  std::to_string(n) + " values, the page has " + std::to_string(*size));
    }
    *data = p + len;
    *size -= len;
  } else if (prefixed) {
    uint32_t l = 0;
    if (*size < 4) return Fail(std::string(what) + " levels without their length");
    std::memcpy(&l, p, 4);
    if (l > *size - 4) return Fail(std::string(what) + " levels run past the page");
    p += 4;
    len = l;
    *data = p + l;
    *size -= 4 + size_t(l);
  }
  out->resize(size_t(n));
  if (max == 0) {
    std::fill(out->begin(), out->end(), 0);
    return Status::OK();
  }
  Status s;
  if (enc == Enc::BIT_PACKED) {
    s = DecodeBitPacked(p, len, BitWidth(uint64_t(max)), n, out->data());
  } else {
    RleDecoder dec(p, len, BitWidth(uint64_t(max)));
    s = dec.Get(out->data(), n);
  }
  if (!s.ok()) return Fail(std::string(what) + " levels: " + s.message());
  uint32_t top = 0;
  for (uint32_t v : *out) top = std::max(top, v);
  if (top > uint32_t(max)) {
    return Fail(std::string(what) + " level " + std::to_string(top) + " above the column's maximum " +
                std::to_string(max));
  }
  return Status::OK();
}

Status ChunkReader::ReadNestedLevels(int64_t n, LevelBytes lv, const uint8_t** values,
                                     size_t* values_size, int64_t* n_slots, int64_t* present,
                                     const uint32_t** def_ptr) {
  if (n < 0 || n > rows_ - entries_) {
    return Fail("page holds " + std::to_string(n) + " values, more than the " +
                std::to_string(rows_ - entries_) + " left in the column chunk");
  }
  if (lv.prefixed) {
    const uint8_t* p = lv.data;
    size_t size = lv.def_size;
    QUIVER_RETURN_NOT_OK(
        DecodeLevels("repetition", spec_.max_rep, n, spec_.max_rep > 0, lv.rep_enc, &p, &size, &reps_));
    QUIVER_RETURN_NOT_OK(
        DecodeLevels("definition", spec_.max_def, n, spec_.max_def > 0, lv.def_enc, &p, &size, &defs_));
    *values = p;
    *values_size = size;
  } else {
    const uint8_t* r = lv.data;
    const uint8_t* d = lv.data + lv.rep_size;
    size_t rs = lv.rep_size, ds = lv.def_size;
    QUIVER_RETURN_NOT_OK(DecodeLevels("repetition", spec_.max_rep, n, false, Enc::RLE, &r, &rs, &reps_));
    QUIVER_RETURN_NOT_OK(DecodeLevels("definition", spec_.max_def, n, false, Enc::RLE, &d, &ds, &defs_));
  }
  if (entries_ == 0 && n > 0 && reps_[0] != 0) {
    return Fail("the column chunk's first repetition level is " + std::to_string(reps_[0]) +
                ", not 0 (a row must start it)");
  }
  slot_defs_.clear();
  *present = 0;
  const uint32_t slot = uint32_t(spec_.slot_def), full = uint32_t(spec_.max_def);
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t d = defs_[size_t(i)];
    levels_->rep.push_back(uint8_t(reps_[size_t(i)]));
    levels_->def.push_back(uint8_t(d));
    if (d >= slot) {
      slot_defs_.push_back(d == full);
      *present += d == full;
    }
  }
  entries_ += n;
  *n_slots = int64_t(slot_defs_.size());
  *def_ptr = *present == *n_slots ? nullptr : slot_defs_.data();
  return Status::OK();
}

Result<std::shared_ptr<ArrayData>> ChunkReader::Read() {
  if (levels_ && (rows_ < 0 || rows_ > src_.max_entries)) {
    return Fail("the column chunk claims " + std::to_string(rows_) + " values (limit " +
                std::to_string(src_.max_entries) + ")");
  }
  QUIVER_RETURN_NOT_OK(Setup());
  size_t pos = 0, len = 0;
  QUIVER_RETURN_NOT_OK(ChunkRange(spec_, *src_.chunk, src_.file_size, src_.row_group, &pos, &len));
  const size_t end = pos + len;
  while ((levels_ ? entries_ : row_) < rows_) {
    page_offset_ = pos;
    if (pos >= end) {
      return Fail("the column chunk ends after " + std::to_string(levels_ ? entries_ : row_) + " of " +
                  std::to_string(rows_) + (levels_ ? " values" : " rows"));
    }
    format::PageHeader h;
    size_t used = 0;
    QUIVER_RETURN_NOT_OK(Wrap(DecodePageHeader(src_.file + pos, end - pos, &h, &used)));
    if (h.compressed_page_size < 0 || size_t(h.compressed_page_size) > end - pos - used) {
      return Fail("the page (" + std::to_string(h.compressed_page_size) +
                  " bytes) runs past its column chunk");
    }
    const uint8_t* body = src_.file + pos + used;
    const size_t size = size_t(h.compressed_page_size);
    if (h.__isset.crc) {
      uint32_t crc = uint32_t(crc32(0, body, uInt(size)));
      if (crc != uint32_t(h.crc)) return Fail("page CRC mismatch (the page is damaged)");
    }
    QUIVER_RETURN_NOT_OK(ReadPage(h, body, size));
    if (overflow_) return Fail("INT96 timestamp out of the range of timestamp[ns]");
    pos += used + size;
    ++page_;
  }
  return Finish();
}

// ---------------------------------------------------------------------------
// Emitting a page's values into the output rows [row_, row_ + n_rows)
// ---------------------------------------------------------------------------

void ChunkReader::MarkValid(int64_t n) {
  if (!validity_) return;
  uint8_t* v = validity_->mutable_data();
  int64_t i = row_;
  const int64_t end = row_ + n;
  for (; i < end && (i & 7); ++i) SetBit(v, i);
  if (end - i >= 8) {
    std::memset(v + (i >> 3), 0xff, size_t((end - i) >> 3));
    i += (end - i) & ~int64_t(7);
  }
  for (; i < end; ++i) SetBit(v, i);
}

Status ChunkReader::Emit(int64_t n_rows, const uint32_t* defs) {
  if (validity_ && !defs) {
    MarkValid(n_rows);
  } else if (validity_) {
    uint8_t* v = validity_->mutable_data();
    for (int64_t i = 0; i < n_rows; ++i) {
      if (defs[i]) {
        SetBit(v, row_ + i);
      } else {
        ++null_count_;
      }
    }
  }
  switch (out_) {
    case Out::kFixed:
      if (defs && out_width_ > 0) {
        // The converters below write present rows only; a null row's value
        // bytes are zeros (the buffer is not zero-filled).
        uint8_t* out = values_->mutable_data() + size_t(row_) * size_t(out_width_);
        for (int64_t i = 0; i < n_rows; ++i) {
          if (!defs[i]) std::memset(out + size_t(i) * size_t(out_width_), 0, size_t(out_width_));
        }
      }
      QUIVER_RETURN_NOT_OK(EmitFixed(n_rows, defs));
      break;
    case Out::kBool: {
      uint8_t* out = values_->mutable_data();
      for (int64_t i = 0, k = 0; i < n_rows; ++i) {
        if (!defs || defs[i]) {
          if (dec_->fixed()[size_t(k++)]) SetBit(out, row_ + i);
        }
      }
      break;
    }
    case Out::kVar: {
      if (data_.size() + dec_->bytes().size() > size_t(std::numeric_limits<int32_t>::max())) {
        return Fail("more than 2 GiB of values in one column of one row group");
      }
      data_.append(dec_->bytes());
      int32_t* o = offsets_.data() + row_;
      for (int64_t i = 0, k = 0; i < n_rows; ++i) {
        int32_t len = 0;
        if (!defs || defs[i]) len = int32_t(dec_->lens()[size_t(k++)]);
        o[i + 1] = o[i] + len;
      }
      break;
    }
    case Out::kDict:
      if (!dec_->page_is_indices()) {
        QUIVER_RETURN_NOT_OK(EmitDictPlain(n_rows, defs));
        break;
      }
      {
        int32_t* out = reinterpret_cast<int32_t*>(values_->mutable_data()) + row_;
        for (int64_t i = 0, k = 0; i < n_rows; ++i) {
          out[i] = (!defs || defs[i]) ? int32_t(dec_->idx()[size_t(k++)]) : 0;
        }
      }
      break;
  }
  row_ += n_rows;
  return Status::OK();
}

// A plain (fallback) page of a column kept as a dictionary: each value is
// found in, or added to, the dictionary.
Status ChunkReader::EmitDictPlain(int64_t n_rows, const uint32_t* defs) {
  std::vector<uint32_t>& dict_lens = dec_->dict_lens();
  std::vector<int64_t>& dict_offsets = dec_->dict_offsets();
  std::string& dict_bytes = dec_->dict_bytes();
  int64_t dict_count = dec_->dict_count();
  const std::vector<uint32_t>& lens = dec_->lens();
  const std::string& bytes = dec_->bytes();
  if (dict_lookup_.empty()) {
    dict_offsets.resize(size_t(dict_count) + 1);
    for (int64_t k = 0; k < dict_count; ++k) {
      dict_lookup_.emplace(dict_bytes.substr(size_t(dict_offsets[size_t(k)]), dict_lens[size_t(k)]),
                           int32_t(k));
    }
  }
  int32_t* out = reinterpret_cast<int32_t*>(values_->mutable_data()) + row_;
  size_t pos = 0;
  for (int64_t i = 0, k = 0; i < n_rows; ++i) {
    if (defs && !defs[i]) {
      out[i] = 0;
      continue;
    }
    const uint32_t len = lens[size_t(k++)];
    std::string v = bytes.substr(pos, len);
    pos += len;
    auto it = dict_lookup_.find(v);
    if (it == dict_lookup_.end()) {
      if (dict_count >= std::numeric_limits<int32_t>::max()) return Fail("dictionary too large");
      it = dict_lookup_.emplace(v, int32_t(dict_count)).first;
      dict_lens.push_back(len);
      dict_bytes.append(v);
      dict_offsets.resize(size_t(dict_count) + 1);
      dict_offsets.push_back(dict_offsets[size_t(dict_count)] + len);
      dec_->set_dict_count(++dict_count);
    }
    out[i] = it->second;
  }
  return Status::OK();
}

Status ChunkReader::EmitFixed(int64_t n_rows, const uint32_t* defs) {
  if (type_.id == TypeId::kNull) {  // UNKNOWN: "always null"
    for (int64_t i = 0; i < n_rows; ++i) {
      if (!defs || defs[i]) {
        return Fail("a column annotated UNKNOWN (always null) holds a value at row " +
                    std::to_string(row_ + i) + " of the row group");
      }
    }
    return Status::OK();
  }
  const size_t in_w = size_t(phys_width_);
  const size_t out_w = size_t(out_width_);
  uint8_t* out = values_->mutable_data() + size_t(row_) * out_w;
  const uint8_t* in = dec_->fixed().data();
  auto scatter = [&](auto convert) {
    for (int64_t i = 0, k = 0; i < n_rows; ++i) {
      if (!defs || defs[i]) convert(in + size_t(k++) * in_w, out + size_t(i) * out_w);
    }
  };
  switch (spec_.convert) {
    case Convert::kCopy:
      if (in_w != out_w) return Fail("internal: width mismatch");
      if (!defs) {
        if (n_rows) std::memcpy(out, in, size_t(n_rows) * out_w);
      } else if (out_w == 4) {
        scatter([](const uint8_t* s, uint8_t* d) { std::memcpy(d, s, 4); });
      } else if (out_w == 8) {
        scatter([](const uint8_t* s, uint8_t* d) { std::memcpy(d, s, 8); });
      } else {  // fixed_size_binary
        scatter([out_w](const uint8_t* s, uint8_t* d) { std::memcpy(d, s, out_w); });
      }
      break;
    case Convert::kNarrow8:
      scatter([](const uint8_t* s, uint8_t* d) { *d = *s; });
      break;
    case Convert::kNarrow16:
      scatter([](const uint8_t* s, uint8_t* d) { std::memcpy(d, s, 2); });
      break;
    case Convert::kInt96:
      scatter([this](const uint8_t* s, uint8_t* d) {
        uint64_t nanos;
        int32_t day;
        std::memcpy(&nanos, s, 8);
        std::memcpy(&day, s + 8, 4);
        int64_t v = 0;
        if (__builtin_mul_overflow(int64_t(day) - kJulianEpoch, kNanosPerDay, &v) ||
            nanos > uint64_t(kNanosPerDay) || __builtin_add_overflow(v, int64_t(nanos), &v)) {
          overflow_ = true;
        }
        std::memcpy(d, &v, 8);
      });
      break;
    case Convert::kDivide: {
      const int64_t div = spec_.divisor;
      scatter([div](const uint8_t* s, uint8_t* d) {
        int64_t v;
        std::memcpy(&v, s, 8);
        int64_t q = v / div - ((v % div) < 0 ? 1 : 0);
        std::memcpy(d, &q, 8);
      });
      break;
    }
    case Convert::kHalf:
      scatter([](const uint8_t* s, uint8_t* d) {
        uint16_t h;
        std::memcpy(&h, s, 2);
        float f = HalfToFloat(h);
        std::memcpy(d, &f, 4);
      });
      break;
    case Convert::kDecimalInt:
      if (in_w == 4) {
        scatter([out_w](const uint8_t* s, uint8_t* d) {
          int32_t v;
          std::memcpy(&v, s, 4);
          SignExtend(int64_t(v), d, out_w);
        });
      } else {
        scatter([out_w](const uint8_t* s, uint8_t* d) {
          int64_t v;
          std::memcpy(&v, s, 8);
          SignExtend(v, d, out_w);
        });
      }
      break;
    case Convert::kDecimalBE:
      return EmitBigEndianDecimals(n_rows, defs);
    default:
      return Fail("internal: unexpected conversion");
  }
  return Status::OK();
}

// DECIMAL values as big-endian two's complement: FIXED_LEN_BYTE_ARRAY ones in
// the decoder's fixed(), BYTE_ARRAY ones in its lens()/bytes(). A value wider than the column
// (possible in BYTE_ARRAY) is accepted when its extra bytes only repeat the
// sign.
Status ChunkReader::EmitBigEndianDecimals(int64_t n_rows, const uint32_t* defs) {
  const size_t out_w = size_t(out_width_);
  uint8_t* out = values_->mutable_data() + size_t(row_) * out_w;
  const bool var = spec_.physical == PT::BYTE_ARRAY;
  const size_t fixed_w = size_t(phys_width_);
  size_t pos = 0;
  for (int64_t i = 0, k = 0; i < n_rows; ++i, ++k) {
    if (defs && !defs[i]) {
      --k;
      continue;
    }
    const uint8_t* v = var ? reinterpret_cast<const uint8_t*>(dec_->bytes().data()) + pos
                           : dec_->fixed().data() + size_t(k) * fixed_w;
    const size_t len = var ? dec_->lens()[size_t(k)] : fixed_w;
    pos += var ? len : 0;
    if (!BigEndianToLittle(v, len, out + size_t(i) * out_w, out_w)) {
      return Fail("DECIMAL value of " + std::to_string(len) + " bytes does not fit " +
                  type_.ToString() + " (row " + std::to_string(row_ + i) + " of the row group)");
    }
  }
  return Status::OK();
}

Result<std::shared_ptr<ArrayData>> ChunkReader::Finish() {
  auto a = std::make_shared<ArrayData>();
  a->type = type_;
  a->length = row_;
  a->null_count = null_count_;
  a->buffers.push_back(null_count_ > 0 ? validity_ : nullptr);
  if (type_.id == TypeId::kNull) {
    a->null_count = row_;
    a->buffers = {NullBitmap(row_)};
    return a;
  }
  if ((out_ == Out::kFixed || out_ == Out::kDict) && values_ && row_ < rows_) {
    // Rows the pages never reached (values_ is not zero-filled).
    const int64_t w = out_ == Out::kDict ? 4 : out_width_;
    std::memset(values_->mutable_data() + row_ * w, 0, size_t((rows_ - row_) * w));
  }
  if (out_ == Out::kVar) {
    a->buffers.push_back(Buffer::Copy(offsets_.data(), int64_t(offsets_.size() * 4)));
    a->buffers.push_back(Buffer::Copy(data_.data(), int64_t(data_.size())));
  } else {
    a->buffers.push_back(values_);
  }
  if (out_ == Out::kDict) {
    const int64_t dict_count = dec_->dict_count();
    const std::vector<uint32_t>& dict_lens = dec_->dict_lens();
    const std::string& dict_bytes = dec_->dict_bytes();
    auto d = std::make_shared<ArrayData>();
    d->type = type_.value_type();
    d->length = dict_count;
    std::vector<int32_t> offs(size_t(dict_count) + 1, 0);
    for (int64_t k = 0; k < dict_count; ++k) offs[size_t(k) + 1] = offs[size_t(k)] + int32_t(dict_lens[size_t(k)]);
    if (dict_bytes.size() > size_t(std::numeric_limits<int32_t>::max())) {
      return Fail("dictionary larger than 2 GiB");
    }
    d->buffers = {nullptr, Buffer::Copy(offs.data(), int64_t(offs.size() * 4)),
                  Buffer::Copy(dict_bytes.data(), int64_t(dict_bytes.size()))};
    a->dictionary = d;
  }
  return a;
}

}  // namespace

Status ChunkRange(const ColumnSpec& spec, const format::ColumnChunk& chunk, size_t data_end,
                  int row_group, size_t* start, size_t* length) {
  const std::string where =
      "column \"" + spec.name + "\", row group " + std::to_string(row_group) + ": ";
  if (chunk.__isset.file_path && !chunk.file_path.empty()) {
    return Status::NotSupported(where + "column data in another file (" + chunk.file_path +
                                ") is not supported");
  }
  if (!chunk.__isset.meta_data) return Status::Invalid(where + "no column metadata");
  const auto& m = chunk.meta_data;
  if (m.type != spec.physical) {
    return Status::Invalid(where + "metadata says " + PhysicalTypeName(m.type) +
                           ", the schema " + PhysicalTypeName(spec.physical));
  }
  int64_t s = m.data_page_offset;
  if (m.__isset.dictionary_page_offset && m.dictionary_page_offset > 0 &&
      m.dictionary_page_offset < s) {
    s = m.dictionary_page_offset;
  }
  if (s < 4 || m.total_compressed_size < 0 || uint64_t(s) > data_end ||
      uint64_t(m.total_compressed_size) > data_end - uint64_t(s)) {
    return Status::Invalid(where + "column chunk at byte " + std::to_string(s) + " (" +
                           std::to_string(m.total_compressed_size) +
                           " bytes) lies outside the file's data");
  }
  *start = size_t(s);
  *length = size_t(m.total_compressed_size);
  return Status::OK();
}

Result<std::shared_ptr<ArrayData>> ReadColumnChunk(const ColumnSpec& spec, const DataType& type,
                                                   const ChunkSource& src, LeafLevels* levels) {
  ChunkReader r(spec, type, src, levels);
  return r.Read();
}

}  // namespace quiver::parquet
