// Column-at-a-time cells and the rows made of them (see text_cells.h).
#include "columnar/text_cells.h"

#include <algorithm>
#include <cstring>

#include "columnar/half_float.h"
#include "columnar/text_put_internal.h"

namespace quiver::text_internal {

namespace {

// Rows per run: the cells of a run stay in cache while they are interleaved.
constexpr int64_t kRunRows = 2048;

// Bytes readable past a source and writable past a destination of
// CopyPadded.
constexpr size_t kSlack = 32;

// Copies n bytes from src to p; both may be read/written kSlack bytes past n.
inline char* CopyPadded(char* p, const char* src, size_t n) {
  if (n <= 16) {
    std::memcpy(p, src, 16);
  } else if (n <= 32) {
    std::memcpy(p, src, 32);
  } else {
    std::memcpy(p, src, n);
  }
  return p + n;
}

// The cells of a fixed-width rendering: `emit(p, row)` writes at most
// `max_bytes` at p and returns the end; a null row is `null_text`.
template <typename Emit>
void FixedCells(const ArrayView& v, int64_t begin, int64_t end, size_t max_bytes,
                std::string_view null_text, Cells* out, Emit emit) {
  const size_t old = out->size;
  const size_t need = old + size_t(end - begin) * std::max(max_bytes, null_text.size());
  if (out->bytes.size() < need) out->bytes.resize(need);  // never shrunk: zeroed once
  char* const base = out->bytes.data();
  char* p = base + old;
  const bool nulls = v.validity != nullptr;
  for (int64_t r = begin; r < end; ++r) {
    if (nulls && v.IsNull(r)) {
      p = PutText(p, null_text);
    } else {
      p = emit(p, r);
    }
    out->ends.push_back(size_t(p - base));
  }
  out->size = size_t(p - base);
  out->longest = std::max(out->longest, std::max(max_bytes, null_text.size()));
}

// Integers of type T, optionally quoted. A value equal to the one before
// copies its text (filtered and sorted results repeat values in runs).
template <typename T>
void IntegerCells(const ArrayView& v, int64_t begin, int64_t end, bool quote,
                  std::string_view null_text, Cells* out) {
  const T* values = v.data<T>();
  char last[24];  // the text of `last_value`, `last_size` bytes
  size_t last_size = 0;
  T last_value{};
  FixedCells(v, begin, end, sizeof last, null_text, out, [&](char* p, int64_t r) {
    if (values[r] == last_value && last_size > 0) {
      std::memcpy(p, last, sizeof last);
      return p + last_size;
    }
    char* start = p;
    if (quote) *p++ = '"';
    p = PutInteger(p, values[r]);
    if (quote) *p++ = '"';
    last_value = values[r];
    last_size = size_t(p - start);
    std::memcpy(last, start, last_size);
    return p;
  });
}

// PutDate remembering the last day: the rows of a batch often fall on a
// few days.
class DatePrinter {
 public:
  char* Put(char* p, int64_t days) {
    if (days != last_days_ || size_ == 0) {
      size_ = size_t(PutDate(text_, days) - text_);
      last_days_ = days;
    }
    if (size_ <= 16) {
      std::memcpy(p, text_, 16);  // the caller's room is kMaxPutBytes
    } else {
      std::memcpy(p, text_, size_);
    }
    return p + size_;
  }

 private:
  int64_t last_days_ = 0;
  size_t size_ = 0;  // 0: nothing remembered yet
  char text_[32] = {};
};

// Dates (kDigits < 0) and timestamps, quoted in JSON.
template <int kDigits>
void TemporalCells(const ArrayView& v, int64_t begin, int64_t end, const CellStyle& style,
                   std::string_view null_text, Cells* out) {
  DatePrinter dates;
  auto put_date = [&](char* p, int64_t days) { return dates.Put(p, days); };
  FixedCells(v, begin, end, kMaxPutBytes, null_text, out, [&](char* p, int64_t r) {
    if (style.json) *p++ = '"';
    if constexpr (kDigits < 0) {
      p = dates.Put(p, v.Value<int32_t>(r));
    } else {
      p = PutTimestampWith<kDigits>(p, v.Value<int64_t>(r), put_date);
    }
    if (style.json) *p++ = '"';
    return p;
  });
}

// Any column, one value at a time with the general renderers.
void GeneralCells(const ArrayView& v, int64_t begin, int64_t end, const CellStyle& style,
                  Cells* out) {
  std::string scratch;
  out->bytes.resize(out->size);
  for (int64_t r = begin; r < end; ++r) {
    if (style.json) {
      AppendJsonValue(&out->bytes, v, r, style.int64_as_string);
    } else if (v.IsNull(r)) {
      // an empty field
    } else if (IsStringLike(v)) {
      AppendCsvField(&out->bytes, StringAt(v, r), style.delimiter, style.first_column);
    } else if (IsBytesColumn(v)) {
      std::string_view bytes = v.StringValue(r);
      if (bytes.empty()) {
        out->bytes += "\"\"";
      } else {
        AppendBase64(&out->bytes, bytes);
      }
    } else if (v.type->is_nested()) {
      scratch.clear();
      AppendJsonValue(&scratch, v, r, false);
      AppendCsvField(&out->bytes, scratch, style.delimiter, style.first_column);
    } else {
      AppendPlain(&out->bytes, v, r);
    }
    out->longest = std::max(out->longest, out->bytes.size() - (out->ends.empty() ? 0 : out->ends.back()));
    out->ends.push_back(out->bytes.size());
  }
  out->size = out->bytes.size();
}

// A string value as a JSON string or a CSV field.
void AppendStringCell(std::string* out, std::string_view s, const CellStyle& style) {
  if (style.json) {
    AppendJsonString(out, s);
  } else {
    AppendCsvField(out, s, style.delimiter, style.first_column);
  }
}

// utf8 columns, and dictionary columns whose dictionary is not much larger
// than the batch (each distinct value formatted once, in *dict).
void StringCells(const ArrayView& v, int64_t begin, int64_t end, const CellStyle& style,
                 DictCells* dict, Cells* out) {
  const std::string_view null_text = style.json ? "null" : "";
  const bool nulls = v.validity != nullptr;
  const bool cached = v.type->is_dictionary() && dict != nullptr &&
                      v.dictionary->length <= std::max<int64_t>(v.length, kRunRows) * 2;
  if (cached && dict->start.empty()) {
    dict->start.assign(size_t(v.dictionary->length), -1);
    dict->size.assign(size_t(v.dictionary->length), 0);
  }
  out->bytes.resize(out->size);
  for (int64_t r = begin; r < end; ++r) {
    if (nulls && v.IsNull(r)) {
      out->bytes += null_text;
    } else if (!cached) {
      AppendStringCell(&out->bytes, StringAt(v, r), style);
    } else {
      const size_t k = size_t(v.DictIndex(r));
      if (k >= dict->start.size()) {  // not a valid index: as the general renderer does
        AppendStringCell(&out->bytes, StringAt(v, r), style);
        out->longest = std::max(out->longest, out->bytes.size() - (out->ends.empty() ? 0 : out->ends.back()));
        out->ends.push_back(out->bytes.size());
        continue;
      }
      if (dict->start[k] < 0) {
        dict->start[k] = int64_t(dict->bytes.size());
        AppendStringCell(&dict->bytes, v.dictionary->StringValue(int64_t(k)), style);
        dict->size[k] = uint32_t(dict->bytes.size() - size_t(dict->start[k]));
      }
      out->bytes.append(dict->bytes, size_t(dict->start[k]), dict->size[k]);
    }
    out->longest = std::max(out->longest, out->bytes.size() - (out->ends.empty() ? 0 : out->ends.back()));
    out->ends.push_back(out->bytes.size());
  }
  out->size = out->bytes.size();
}

}  // namespace

void AppendCells(const ArrayView& v, int64_t begin, int64_t end, const CellStyle& style,
                 DictCells* dict, Cells* out) {
  const std::string_view null_text = style.json ? "null" : "";
  const DataType& t = *v.type;
  if (t.is_nested() || IsBytesColumn(v)) return GeneralCells(v, begin, end, style, out);
  if (IsStringLike(v)) return StringCells(v, begin, end, style, dict, out);
  const bool quote64 = style.json && style.int64_as_string;
  switch (t.id) {
    case TypeId::kInt8:
      return IntegerCells<int8_t>(v, begin, end, false, null_text, out);
    case TypeId::kInt16:
      return IntegerCells<int16_t>(v, begin, end, false, null_text, out);
    case TypeId::kInt32:
    case TypeId::kIntervalYearMonth:
      return IntegerCells<int32_t>(v, begin, end, false, null_text, out);
    case TypeId::kInt64:
      return IntegerCells<int64_t>(v, begin, end, quote64, null_text, out);
    case TypeId::kDuration:
      return IntegerCells<int64_t>(v, begin, end, false, null_text, out);
    case TypeId::kUInt8:
      return IntegerCells<uint8_t>(v, begin, end, false, null_text, out);
    case TypeId::kUInt16:
      return IntegerCells<uint16_t>(v, begin, end, false, null_text, out);
    case TypeId::kUInt32:
      return IntegerCells<uint32_t>(v, begin, end, false, null_text, out);
    case TypeId::kUInt64:
      return IntegerCells<uint64_t>(v, begin, end, quote64, null_text, out);
    case TypeId::kFloat64:
      return FixedCells(v, begin, end, kMaxPutBytes, null_text, out, [&](char* p, int64_t r) {
        return PutFloating(p, v.Value<double>(r), style.json);
      });
    case TypeId::kFloat32:
      return FixedCells(v, begin, end, kMaxPutBytes, null_text, out, [&](char* p, int64_t r) {
        return PutFloating(p, v.Value<float>(r), style.json);
      });
    case TypeId::kFloat16:
      return FixedCells(v, begin, end, kMaxPutBytes, null_text, out, [&](char* p, int64_t r) {
        return PutFloating(p, HalfToFloat(v.Value<uint16_t>(r)), style.json);
      });
    case TypeId::kBool:
      return FixedCells(v, begin, end, 5, null_text, out, [&](char* p, int64_t r) {
        return PutText(p, v.BoolValue(r) ? "true" : "false");
      });
    case TypeId::kDate32:
      return TemporalCells<-1>(v, begin, end, style, null_text, out);
    case TypeId::kTimestamp:
      switch (t.unit) {
        case TimeUnit::kSecond:
          return TemporalCells<0>(v, begin, end, style, null_text, out);
        case TimeUnit::kMilli:
          return TemporalCells<3>(v, begin, end, style, null_text, out);
        case TimeUnit::kMicro:
          return TemporalCells<6>(v, begin, end, style, null_text, out);
        case TimeUnit::kNano:
          return TemporalCells<9>(v, begin, end, style, null_text, out);
      }
      return GeneralCells(v, begin, end, style, out);
    default:
      return GeneralCells(v, begin, end, style, out);
  }
}

// ---------------------------------------------------------------------------
// CellWriter
// ---------------------------------------------------------------------------

Status CellWriter::WriteCells(const RecordBatch& batch) {
  QUIVER_RETURN_NOT_OK(CheckBatch(batch));
  ColumnViews views(batch);
  cells_.resize(views.size());
  dicts_.resize(views.size());
  for (DictCells& d : dicts_) d.Reset();
  for (int64_t begin = 0; begin < batch.num_rows; begin += kRunRows) {
    const int64_t end = std::min(batch.num_rows, begin + kRunRows);
    for (size_t c = 0; c < views.size(); ++c) {
      cells_[c].Clear();
      AppendCells(views[c], begin, end, styles_[c], &dicts_[c], &cells_[c]);
      Cells& cells = cells_[c];
      if (cells.bytes.size() < cells.size + kSlack) cells.bytes.resize(cells.size + kSlack);  // for CopyPadded
    }
    QUIVER_RETURN_NOT_OK(WriteRows(end - begin));
  }
  return Status::OK();
}

// Interleaves the cells into rows, copied in place into buf_, which grows
// about flush_bytes at a time (every byte is zeroed once by the resize).
// Sources and buf_ carry kSlack bytes past their ends, so that short pieces
// are copied with a fixed-size (inlined) copy that may write a little past
// the piece.
Status CellWriter::WriteRows(int64_t rows) {
  const size_t ncols = cells_.size();
  auto padded = [](const std::string& s) { return s + std::string(kSlack, '\0'); };
  const std::string first_prefix = padded(shape_.first_prefix), prefix = padded(shape_.prefix),
                    open = padded(shape_.open), separator = padded(shape_.separator),
                    close = padded(shape_.close);
  std::vector<std::string> keys;
  for (const std::string& k : shape_.keys) keys.push_back(padded(k));
  size_t per_row = shape_.open.size() + shape_.close.size() +
                   (ncols > 0 ? (ncols - 1) * shape_.separator.size() : 0);
  for (const std::string& k : shape_.keys) per_row += k.size();
  size_t remaining = (per_row + shape_.prefix.size()) * size_t(rows);  // bytes still to write
  for (const Cells& c : cells_) remaining += c.size;
  if (rows_ == 0 && rows > 0) remaining -= shape_.prefix.size() - shape_.first_prefix.size();
  auto put = [](char* at, const std::string& piece) {
    return CopyPadded(at, piece.data(), piece.size() - kSlack);
  };
  // No row is longer than `longest`: the fixed bytes and each column's
  // longest cell.
  size_t longest = per_row + shape_.prefix.size();
  for (const Cells& cells : cells_) longest += cells.longest;
  size_t used = buf_.size();
  for (int64_t r = 0; r < rows; ++r) {
    const std::string& row_prefix = rows_ == 0 ? first_prefix : prefix;
    if (buf_.size() < used + std::min(longest, remaining) + kSlack) {
      buf_.resize(used + std::min(std::max(longest, options_.flush_bytes), remaining) + kSlack);
    }
    char* const row_start = buf_.data() + used;
    char* p = row_start;
    p = put(p, row_prefix);
    p = put(p, open);
    for (size_t c = 0; c < ncols; ++c) {
      if (c > 0) p = put(p, separator);
      if (!keys.empty()) p = put(p, keys[c]);
      const Cells& cells = cells_[c];
      const size_t from = r == 0 ? 0 : cells.ends[size_t(r) - 1], to = cells.ends[size_t(r)];
      p = CopyPadded(p, cells.bytes.data() + from, to - from);
    }
    p = put(p, close);
    ++rows_;
    used += size_t(p - row_start);
    remaining -= size_t(p - row_start);
    if (used >= options_.flush_bytes) {
      buf_.resize(used);
      QUIVER_RETURN_NOT_OK(Flush());
      used = 0;
    }
  }
  buf_.resize(used);
  return Status::OK();
}

}  // namespace quiver::text_internal
