// One column chunk of the Parquet writer (column_writer_internal.h).
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string_view>
#include <unordered_map>

#include "columnar/decimal.h"
#include "columnar/parquet/codec_internal.h"
#include "columnar/parquet/column_writer_internal.h"
#include "columnar/parquet/encoding_internal.h"
#include "columnar/parquet/schema_internal.h"

namespace quiver::parquet {
namespace {

using PT = format::Type;
using Enc = format::Encoding;

// Min/max of the values written, in the column's sort order, kept as the
// PLAIN bytes of the physical value.
class Stats {
 public:
  void Signed(int64_t v, int width) { Keep(v < imin_, v > imax_, v, width, &imin_, &imax_); }
  void Unsigned(uint64_t v, int width) { Keep(v < umin_, v > umax_, v, width, &umin_, &umax_); }
  // NaN is left out; a zero bound is written as -0 for the minimum and +0
  // for the maximum, as the specification asks (the two compare equal).
  void Float(double v, bool is_float) {
    if (std::isnan(v)) return;
    if (!have_ || v < fmin_) SetBytes(&min_, v == 0 ? -0.0 : v, is_float), fmin_ = v;
    if (!have_ || v > fmax_) SetBytes(&max_, v == 0 ? 0.0 : v, is_float), fmax_ = v;
    have_ = true;
  }
  void Bytes(std::string_view v) {
    if (!have_ || v < std::string_view(min_)) min_ = std::string(v);
    if (!have_ || v > std::string_view(max_)) max_ = std::string(v);
    have_ = true;
  }
  // A decimal as its little-endian bytes; bounds are kept as the
  // big-endian bytes Parquet writes, ordered as the numbers.
  void Decimal(const uint8_t* le, int width, std::string_view be) {
    std::string key = DecimalSortKey(le, width);
    if (!have_ || key < kmin_) kmin_ = key, min_ = std::string(be);
    if (!have_ || key > kmax_) kmax_ = std::move(key), max_ = std::string(be);
    have_ = true;
  }
  void Fill(int64_t nulls, format::Statistics* s) const {
    s->__set_null_count(nulls);
    // Long strings make big footers; readers treat missing bounds as unknown.
    if (have_ && min_.size() <= 256 && max_.size() <= 256) {
      s->__set_min_value(min_);
      s->__set_max_value(max_);
    }
  }

 private:
  template <typename T>
  void Keep(bool lower, bool higher, T v, int width, T* lo, T* hi) {
    if (!have_ || lower) *lo = v, min_.assign(reinterpret_cast<const char*>(&v), size_t(width));
    if (!have_ || higher) *hi = v, max_.assign(reinterpret_cast<const char*>(&v), size_t(width));
    have_ = true;
  }
  static void SetBytes(std::string* s, double v, bool is_float) {
    if (is_float) {
      float f = float(v);
      s->assign(reinterpret_cast<const char*>(&f), 4);
    } else {
      s->assign(reinterpret_cast<const char*>(&v), 8);
    }
  }
  bool have_ = false;
  int64_t imin_ = 0, imax_ = 0;
  uint64_t umin_ = 0, umax_ = 0;
  double fmin_ = 0, fmax_ = 0;
  std::string min_, max_;
  std::string kmin_, kmax_;  // decimals: DecimalSortKey of the bounds
};

template <typename T>
void Put(std::string* out, T v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof v);
}

// PLAIN bytes of the non-null values of rows row(k) of v, k in [0, n).
template <typename Row>
Status PlainValues(const ArrayView& v, int64_t n, Row row, Stats* st, std::string* out) {
  const DataType& t = *v.type;
  int64_t bits = 0;
  uint8_t acc = 0;
  for (int64_t k = 0; k < n; ++k) {
    const int64_t i = row(k);
    if (v.IsNull(i)) continue;
    switch (t.id) {
      case TypeId::kBool: {
        bool x = v.BoolValue(i);
        acc = uint8_t(acc | (uint8_t(x) << (bits & 7)));
        if ((++bits & 7) == 0) out->push_back(char(acc)), acc = 0;
        st->Unsigned(x, 1);
        break;
      }
      case TypeId::kInt8:
        Put(out, int32_t(v.Value<int8_t>(i))), st->Signed(v.Value<int8_t>(i), 4);
        break;
      case TypeId::kInt16:
        Put(out, int32_t(v.Value<int16_t>(i))), st->Signed(v.Value<int16_t>(i), 4);
        break;
      case TypeId::kInt32:
      case TypeId::kDate32:
        Put(out, v.Value<int32_t>(i)), st->Signed(v.Value<int32_t>(i), 4);
        break;
      case TypeId::kUInt8:
        Put(out, int32_t(v.Value<uint8_t>(i))), st->Unsigned(v.Value<uint8_t>(i), 4);
        break;
      case TypeId::kUInt16:
        Put(out, int32_t(v.Value<uint16_t>(i))), st->Unsigned(v.Value<uint16_t>(i), 4);
        break;
      case TypeId::kUInt32:
        Put(out, v.Value<uint32_t>(i)), st->Unsigned(v.Value<uint32_t>(i), 4);
        break;
      case TypeId::kInt64:
        Put(out, v.Value<int64_t>(i)), st->Signed(v.Value<int64_t>(i), 8);
        break;
      case TypeId::kUInt64:
        Put(out, v.Value<uint64_t>(i)), st->Unsigned(v.Value<uint64_t>(i), 8);
        break;
      case TypeId::kTimestamp: {
        int64_t x = v.Value<int64_t>(i);
        if (t.unit == TimeUnit::kSecond && __builtin_mul_overflow(x, int64_t(1000000), &x)) {
          return Status::Overflow("timestamp[s] value " + std::to_string(v.Value<int64_t>(i)) +
                                  " does not fit Parquet's microseconds");
        }
        Put(out, x), st->Signed(x, 8);
        break;
      }
      case TypeId::kFloat32:
        Put(out, v.Value<float>(i)), st->Float(v.Value<float>(i), true);
        break;
      case TypeId::kFloat64:
        Put(out, v.Value<double>(i)), st->Float(v.Value<double>(i), false);
        break;
      case TypeId::kUtf8:
      case TypeId::kBinary: {
        std::string_view s = v.StringValue(i);
        Put(out, uint32_t(s.size()));
        out->append(s);
        st->Bytes(s);
        break;
      }
      case TypeId::kFixedSizeBinary: {  // FIXED_LEN_BYTE_ARRAY, no length prefix
        std::string_view s = v.StringValue(i);
        out->append(s);
        st->Bytes(s);
        break;
      }
      case TypeId::kNone:
        return Status::NotSupported("a column without a type cannot be written to Parquet");
      case TypeId::kList:
      case TypeId::kFixedSizeList:
      case TypeId::kStruct:
      case TypeId::kMap:  // refused earlier by the schema mapping
        return Status::NotSupported("nested column of type " + t.ToString() + " in a Parquet leaf");
      case TypeId::kNull:  // never reached: every row is null
        break;
      case TypeId::kDecimal128:
      case TypeId::kDecimal256: {  // FIXED_LEN_BYTE_ARRAY, big-endian
        const int w = ByteWidth(t.id);
        const uint8_t* le = v.values + (v.offset + i) * w;
        char be[32];
        for (int k = 0; k < w; ++k) be[k] = char(le[w - 1 - k]);
        out->append(be, size_t(w));
        st->Decimal(le, w, std::string_view(be, size_t(w)));
        break;
      }
      case TypeId::kDate64: {  // DATE: whole days only
        const int64_t ms = v.Value<int64_t>(i);
        if (ms % 86400000 != 0) {
          return Status::NotSupported("date64 value " + std::to_string(ms) + " (row " +
                                      std::to_string(i) +
                                      ") is not a whole day; Parquet's DATE holds days");
        }
        Put(out, int32_t(ms / 86400000)), st->Signed(ms / 86400000, 4);
        break;
      }
      case TypeId::kTime32: {  // TIME(MILLIS): seconds are written as milliseconds
        const int64_t x = int64_t(v.Value<int32_t>(i)) * (t.unit == TimeUnit::kSecond ? 1000 : 1);
        if (x != int32_t(x)) {
          return Status::Overflow("time32[s] value " + std::to_string(v.Value<int32_t>(i)) +
                                  " does not fit Parquet's TIME(MILLIS)");
        }
        Put(out, int32_t(x)), st->Signed(x, 4);
        break;
      }
      case TypeId::kTime64:
      case TypeId::kDuration:
        Put(out, v.Value<int64_t>(i)), st->Signed(v.Value<int64_t>(i), 8);
        break;
      case TypeId::kFloat16:  // FIXED_LEN_BYTE_ARRAY(2) FLOAT16; no bounds kept
        Put(out, v.Value<uint16_t>(i));
        break;
      case TypeId::kIntervalYearMonth:
      case TypeId::kIntervalDayTime:
      case TypeId::kIntervalMonthDayNano:
        return Status::NotSupported("a " + t.ToString() +
                                    " column cannot be written to Parquet (no interval type "
                                    "holds it exactly)");
    }
  }
  if (bits & 7) out->push_back(char(acc));
  return Status::OK();
}

PT::type PhysicalFor(const DataType& t) {
  switch (t.id) {
    case TypeId::kBool:
      return PT::BOOLEAN;
    case TypeId::kInt64:
    case TypeId::kUInt64:
    case TypeId::kTimestamp:
    case TypeId::kTime64:
    case TypeId::kDuration:
      return PT::INT64;
    case TypeId::kDecimal128:
    case TypeId::kDecimal256:
    case TypeId::kFloat16:
    case TypeId::kFixedSizeBinary:
      return PT::FIXED_LEN_BYTE_ARRAY;
    case TypeId::kFloat32:
      return PT::FLOAT;
    case TypeId::kFloat64:
      return PT::DOUBLE;
    case TypeId::kUtf8:
    case TypeId::kBinary:
      return PT::BYTE_ARRAY;
    default:
      return PT::INT32;
  }
}

class ChunkWriter {
 public:
  ChunkWriter(const Field& f, const ColumnWriteOptions& o, int64_t base, std::string* out)
      : field_(f), o_(o), base_(base), out_(out) {}

  Status Write(const std::vector<const ArrayView*>& pieces, format::ColumnChunk* chunk);
  Status WriteLeaf(const LeafColumn& leaf, format::ColumnChunk* chunk);

 private:
  Status Page(format::PageType::type type, const std::string& body, int32_t num_values,
              Enc::type encoding);
  Status WriteDictionary(const std::vector<const ArrayView*>& pieces);
  // A string leaf whose values repeat: its dictionary page, and in *codes
  // each piece's present values as dictionary indices. False (nothing
  // written) when the leaf is not a string or its values hardly repeat.
  Result<bool> WriteLeafDictionary(const LeafColumn& leaf, std::vector<std::vector<uint32_t>>* codes);
  void Finish(bool dict, int64_t values, int64_t nulls, const std::vector<std::string>& path,
              format::ColumnChunk* chunk);

  const Field& field_;
  const ColumnWriteOptions& o_;
  const int64_t base_;
  std::string* out_;
  std::string scratch_;
  int64_t uncompressed_ = 0;
  int64_t dictionary_offset_ = -1, data_offset_ = -1;
  // Dictionary columns: the merged dictionary and each piece's index map.
  std::vector<std::vector<uint32_t>> remap_;
  int bit_width_ = 0;
  Stats stats_;
};

Status ChunkWriter::Page(format::PageType::type type, const std::string& body, int32_t num_values,
                         Enc::type encoding) {
  if (body.size() > size_t(std::numeric_limits<int32_t>::max())) {
    return Status::Invalid("Parquet page of column \"" + field_.name + "\" over 2 GiB");
  }
  scratch_.clear();
  QUIVER_RETURN_NOT_OK(CompressPage(o_.codec, body, o_.level, &scratch_));
  format::PageHeader h;
  h.__set_type(type);
  h.__set_uncompressed_page_size(int32_t(body.size()));
  h.__set_compressed_page_size(int32_t(scratch_.size()));
  if (o_.page_checksums) {
    h.__set_crc(int32_t(crc32(0, reinterpret_cast<const Bytef*>(scratch_.data()), uInt(scratch_.size()))));
  }
  if (type == format::PageType::DICTIONARY_PAGE) {
    format::DictionaryPageHeader d;
    d.__set_num_values(num_values);
    d.__set_encoding(Enc::PLAIN);
    h.__set_dictionary_page_header(d);
  } else {
    format::DataPageHeader d;
    d.__set_num_values(num_values);
    d.__set_encoding(encoding);
    d.__set_definition_level_encoding(Enc::RLE);
    d.__set_repetition_level_encoding(Enc::RLE);
    h.__set_data_page_header(d);
  }
  const size_t start = out_->size();
  QUIVER_RETURN_NOT_OK(EncodePageHeader(h, out_));
  const int64_t at = base_ + int64_t(start);
  if (type == format::PageType::DICTIONARY_PAGE) {
    dictionary_offset_ = at;
  } else if (data_offset_ < 0) {
    data_offset_ = at;
  }
  uncompressed_ += int64_t(out_->size() - start) + int64_t(body.size());
  out_->append(scratch_);
  return Status::OK();
}

Status ChunkWriter::WriteDictionary(const std::vector<const ArrayView*>& pieces) {
  std::unordered_map<std::string_view, uint32_t> index;
  std::string body;
  for (const ArrayView* v : pieces) {
    const ArrayView& d = *v->dictionary;
    std::vector<uint32_t> map(size_t(d.length));
    for (int64_t k = 0; k < d.length; ++k) {
      std::string_view s = d.IsNull(k) ? std::string_view() : d.StringValue(k);
      auto [it, added] = index.emplace(s, uint32_t(index.size()));
      if (added) {
        Put(&body, uint32_t(s.size()));
        body.append(s);
      }
      map[size_t(k)] = it->second;
    }
    remap_.push_back(std::move(map));
  }
  bit_width_ = BitWidth(index.empty() ? 0 : index.size() - 1);
  // Statistics over the values the rows use.
  for (size_t p = 0; p < pieces.size(); ++p) {
    const ArrayView& v = *pieces[p];
    std::vector<bool> used(size_t(v.dictionary->length), false);
    for (int64_t i = 0; i < v.length; ++i) {
      if (v.IsValid(i)) used[size_t(v.DictIndex(i))] = true;
    }
    for (size_t k = 0; k < used.size(); ++k) {
      if (used[k]) stats_.Bytes(v.dictionary->StringValue(int64_t(k)));
    }
  }
  return Page(format::PageType::DICTIONARY_PAGE, body, int32_t(index.size()), Enc::PLAIN);
}

Status ChunkWriter::Write(const std::vector<const ArrayView*>& pieces, format::ColumnChunk* chunk) {
  const DataType& t = field_.type;
  const bool dict = t.is_dictionary();
  if (dict) QUIVER_RETURN_NOT_OK(WriteDictionary(pieces));
  int64_t rows = 0, nulls = 0;
  std::vector<uint32_t> defs, idx;
  std::string body, levels;
  for (size_t p = 0; p < pieces.size(); ++p) {
    const ArrayView& v = *pieces[p];
    for (int64_t a = 0; a < v.length; a += o_.page_rows) {
      const int64_t b = std::min(v.length, a + o_.page_rows);
      body.clear();
      if (field_.nullable) {
        defs.resize(size_t(b - a));
        for (int64_t i = a; i < b; ++i) defs[size_t(i - a)] = v.IsValid(i);
        levels.clear();
        EncodeRle(defs.data(), b - a, 1, &levels);
        Put(&body, uint32_t(levels.size()));
        body += levels;
      }
      for (int64_t i = a; i < b; ++i) nulls += v.IsNull(i);
      if (!field_.nullable && v.null_count > 0) {
        return Status::Invalid("column \"" + field_.name + "\" is not nullable but holds nulls");
      }
      if (dict) {
        idx.clear();
        for (int64_t i = a; i < b; ++i) {
          if (v.IsValid(i)) idx.push_back(remap_[p][size_t(v.DictIndex(i))]);
        }
        body.push_back(char(bit_width_));
        EncodeRle(idx.data(), int64_t(idx.size()), bit_width_, &body);
      } else {
        Status s = PlainValues(v, b - a, [a](int64_t k) { return a + k; }, &stats_, &body);
        if (!s.ok()) return Status(s.code(), "column \"" + field_.name + "\": " + s.message());
      }
      QUIVER_RETURN_NOT_OK(Page(format::PageType::DATA_PAGE, body, int32_t(b - a),
                                dict ? Enc::RLE_DICTIONARY : Enc::PLAIN));
    }
    rows += v.length;
  }
  Finish(dict, rows, nulls, {field_.name}, chunk);
  return Status::OK();
}

void ChunkWriter::Finish(bool dict, int64_t values, int64_t nulls, const std::vector<std::string>& path,
                         format::ColumnChunk* chunk) {
  format::ColumnMetaData m;
  m.__set_type(dict ? PT::BYTE_ARRAY : PhysicalFor(field_.type));
  m.__set_encodings(dict ? std::vector<Enc::type>{Enc::PLAIN, Enc::RLE, Enc::RLE_DICTIONARY}
                         : std::vector<Enc::type>{Enc::PLAIN, Enc::RLE});
  m.__set_path_in_schema(path);
  m.__set_codec(o_.codec);
  m.__set_num_values(values);
  m.__set_total_uncompressed_size(uncompressed_);
  m.__set_total_compressed_size(int64_t(out_->size()));
  if (data_offset_ < 0) data_offset_ = base_;  // no pages: an empty chunk
  m.__set_data_page_offset(data_offset_);
  if (dictionary_offset_ >= 0) m.__set_dictionary_page_offset(dictionary_offset_);
  format::Statistics s;
  stats_.Fill(nulls, &s);
  m.__set_statistics(s);
  chunk->__set_file_offset(dictionary_offset_ >= 0 ? dictionary_offset_ : data_offset_);
  chunk->__set_meta_data(m);
}

// A nested string leaf is dictionary-encoded when each distinct value
// occurs at least twice on average, within the size that readers handle
// comfortably in one dictionary page.
constexpr int64_t kLeafDictionaryMaxEntries = int64_t(1) << 20;
constexpr size_t kLeafDictionaryMaxBytes = size_t(16) << 20;

Result<bool> ChunkWriter::WriteLeafDictionary(const LeafColumn& leaf, std::vector<std::vector<uint32_t>>* codes) {
  const TypeId id = leaf.field.type.id;
  if (leaf.field.type.is_dictionary() || (id != TypeId::kUtf8 && id != TypeId::kBinary)) return false;
  std::unordered_map<std::string_view, uint32_t> index;
  std::string body;
  int64_t present = 0;
  auto plain = [&] {
    stats_ = Stats();  // the plain pages gather the bounds themselves
    codes->clear();
    return false;
  };
  for (const LeafPiece& p : leaf.pieces) {
    std::vector<uint32_t> c;
    c.reserve(p.rows.size());
    for (int64_t row : p.rows) {
      const std::string_view s = p.values->StringValue(row);
      auto [it, added] = index.emplace(s, uint32_t(index.size()));
      if (added) {
        if (int64_t(index.size()) > kLeafDictionaryMaxEntries || body.size() + s.size() > kLeafDictionaryMaxBytes) {
          return plain();
        }
        Put(&body, uint32_t(s.size()));
        body.append(s);
        stats_.Bytes(s);
      }
      c.push_back(it->second);
    }
    present += int64_t(p.rows.size());
    codes->push_back(std::move(c));
  }
  if (index.empty() || int64_t(index.size()) * 2 > present) return plain();
  bit_width_ = BitWidth(index.size() - 1);
  QUIVER_RETURN_NOT_OK(Page(format::PageType::DICTIONARY_PAGE, body, int32_t(index.size()), Enc::PLAIN));
  return true;
}

// Levels as a v1 page writes them: the hybrid at the level's bit width,
// after its 4-byte length.
void PutLevels(const uint8_t* levels, int64_t n, int max, std::vector<uint32_t>* scratch, std::string* out) {
  scratch->assign(levels, levels + n);
  std::string rle;
  EncodeRle(scratch->data(), n, BitWidth(uint64_t(max)), &rle);
  Put(out, uint32_t(rle.size()));
  out->append(rle);
}

// Pages of whole rows (a page starts where the repetition level is 0), of
// about page_rows rows each.
Status ChunkWriter::WriteLeaf(const LeafColumn& leaf, format::ColumnChunk* chunk) {
  int64_t entries = 0, nulls = 0;
  std::vector<uint32_t> scratch;
  std::string body;
  std::vector<std::vector<uint32_t>> codes;
  QUIVER_ASSIGN_OR_RETURN(const bool dict, WriteLeafDictionary(leaf, &codes));
  for (size_t piece = 0; piece < leaf.pieces.size(); ++piece) {
    const LeafPiece& p = leaf.pieces[piece];
    const int64_t n = int64_t(p.rep.size());
    size_t value = 0;  // the next of p.rows
    for (int64_t a = 0; a < n;) {
      int64_t b = a, rows = 0;
      while (b < n && !(p.rep[size_t(b)] == 0 && rows == o_.page_rows)) rows += p.rep[size_t(b++)] == 0;
      body.clear();
      if (leaf.max_rep > 0) PutLevels(p.rep.data() + a, b - a, leaf.max_rep, &scratch, &body);
      if (leaf.max_def > 0) PutLevels(p.def.data() + a, b - a, leaf.max_def, &scratch, &body);
      int64_t present = 0;
      for (int64_t i = a; i < b; ++i) present += p.def[size_t(i)] == leaf.max_def;
      nulls += (b - a) - present;
      if (dict) {
        body.push_back(char(bit_width_));
        EncodeRle(codes[piece].data() + value, present, bit_width_, &body);
      } else {
        const int64_t* rows_at = p.rows.data() + value;
        Status s = PlainValues(*p.values, present, [rows_at](int64_t k) { return rows_at[k]; }, &stats_, &body);
        if (!s.ok()) return Status(s.code(), "column \"" + field_.name + "\": " + s.message());
      }
      value += size_t(present);
      if (b - a > std::numeric_limits<int32_t>::max()) return Status::Invalid("Parquet page of over 2^31 values");
      QUIVER_RETURN_NOT_OK(
          Page(format::PageType::DATA_PAGE, body, int32_t(b - a), dict ? Enc::RLE_DICTIONARY : Enc::PLAIN));
      entries += b - a;
      a = b;
    }
  }
  Finish(dict, entries, nulls, leaf.path, chunk);
  return Status::OK();
}

}  // namespace

Status WriteColumnChunk(const Field& field, const std::vector<const ArrayView*>& pieces,
                        const ColumnWriteOptions& options, int64_t file_offset, std::string* out,
                        format::ColumnChunk* chunk) {
  ChunkWriter w(field, options, file_offset, out);
  return w.Write(pieces, chunk);
}

Status WriteLeafChunk(const LeafColumn& leaf, const ColumnWriteOptions& options, int64_t file_offset,
                      std::string* out, format::ColumnChunk* chunk) {
  ChunkWriter w(leaf.field, options, file_offset, out);
  return w.WriteLeaf(leaf, chunk);
}

}  // namespace quiver::parquet
