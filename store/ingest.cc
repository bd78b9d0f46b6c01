// The ingest path of store/ingest.h.
#include "store/ingest.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "columnar/csv.h"
#include "columnar/ipc.h"
#include "columnar/ndjson.h"
#include "columnar/parquet/reader.h"

namespace quiver::store {
namespace {

constexpr size_t kRawBufferBytes = 1 << 20;

std::string Lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The whole (decompressed) input in memory, for the formats that need
// random access (Arrow IPC, Parquet).
Result<std::shared_ptr<std::string>> ReadAll(InputReader& in, const InputOptions& o,
                                             const TextCallbacks& cb) {
  auto bytes = std::make_shared<std::string>();
  if (in.raw_total() > 0) bytes->reserve(size_t(in.raw_total()));
  std::string buf(kRawBufferBytes, '\0');
  for (;;) {
    if (o.cancelled && o.cancelled()) return Status::Cancelled("interrupted");
    QUIVER_ASSIGN_OR_RETURN(size_t n, in.Read(buf.data(), buf.size()));
    if (n == 0) break;
    bytes->append(buf.data(), n);
    if (cb.on_progress) cb.on_progress(int64_t(bytes->size()), 0);
  }
  return bytes;
}

// Parquet: the whole input, then its row groups (decoded in parallel).
Status ReadParquetInput(InputReader& in, const InputOptions& o, const TextCallbacks& cb,
                        TextReadStats* stats) {
  const std::string& source = in.name();
  if (!o.overrides.empty() && !o.table_schema) {
    return Status::Invalid("column types do not apply to Parquet input (" + source +
                           " carries its schema)");
  }
  QUIVER_ASSIGN_OR_RETURN(auto bytes, ReadAll(in, o, cb));
  const int64_t size = int64_t(bytes->size());
  parquet::ReadOptions po;
  po.source_name = source;
  po.schema = o.table_schema;
  po.num_threads = o.num_threads;
  po.cancelled = o.cancelled;
  TextCallbacks pcb = cb;
  pcb.on_schema = [&](const std::shared_ptr<const Schema>& s) -> Status {
    if (o.table_schema) QUIVER_RETURN_NOT_OK(CheckInputSchema(o.table, *o.table_schema, *s, source));
    return cb.on_schema ? cb.on_schema(o.table_schema ? o.table_schema : s) : Status::OK();
  };
  pcb.on_batch = [&](RecordBatch b) -> Status {
    if (o.table_schema) b.schema = o.table_schema;  // same layout, checked above
    return cb.on_batch(std::move(b));
  };
  // Progress counts the row groups' bytes after the read of the whole file.
  pcb.on_progress = [&](int64_t bytes_done, int64_t rows) {
    if (cb.on_progress) cb.on_progress(std::min(size, bytes_done), rows);
  };
  return parquet::ReadParquet(std::move(bytes), po, pcb, stats);
}

// Arrow IPC: the whole input, then its batches.
Status ReadArrowInput(InputReader& in, const InputOptions& o, const TextCallbacks& cb,
                      TextReadStats* stats) {
  const std::string& source = in.name();
  if (!o.overrides.empty() && !o.table_schema) {
    return Status::Invalid("column types do not apply to Arrow input (" + source +
                           " carries its schema)");
  }
  QUIVER_ASSIGN_OR_RETURN(std::shared_ptr<std::string> bytes, ReadAll(in, o, cb));
  stats->bytes = int64_t(bytes->size());
  auto ipc = ReadIpc(bytes);
  if (!ipc.ok()) return ipc.status().WithContext(source);
  std::shared_ptr<const Schema> schema = o.table_schema;
  if (schema) {
    QUIVER_RETURN_NOT_OK(CheckInputSchema(o.table, *schema, *ipc->schema, source));
  } else {
    schema = ipc->schema;
  }
  if (cb.on_schema) QUIVER_RETURN_NOT_OK(cb.on_schema(schema));
  for (RecordBatch& b : ipc->batches) {
    if (b.num_rows == 0) continue;
    if (o.cancelled && o.cancelled()) return Status::Cancelled("interrupted");
    b.schema = schema;  // same layout, checked above
    stats->rows += b.num_rows;
    ++stats->batches;
    QUIVER_RETURN_NOT_OK(cb.on_batch(std::move(b)));
    if (cb.on_progress) cb.on_progress(stats->bytes, stats->rows);
  }
  return Status::OK();
}

void FillTextOptions(const InputReader& in, const InputOptions& o, TextReadOptions* t) {
  t->source_name = in.name();
  t->schema = o.table_schema;
  if (!o.table_schema) t->overrides = o.overrides;
  t->batch_rows = o.batch_rows;
  t->num_threads = o.num_threads;
  t->on_error = o.on_error;
  t->cancelled = o.cancelled;
}

}  // namespace

std::optional<InputFormat> InputFormatFromName(const std::string& name) {
  std::string n = Lower(name);
  if (n == "csv") return InputFormat::kCsv;
  if (n == "tsv" || n == "tab") return InputFormat::kTsv;
  if (n == "ndjson" || n == "jsonl" || n == "json") return InputFormat::kNdjson;
  if (n == "arrow" || n == "arrows" || n == "ipc" || n == "feather") return InputFormat::kArrow;
  if (n == "parquet" || n == "pq") return InputFormat::kParquet;
  return std::nullopt;
}

std::optional<InputFormat> InputFormatFromPath(const std::string& path) {
  std::string p = Lower(path);
  for (const char* z : {".gz", ".zst", ".zstd", ".gzip"}) {
    if (EndsWith(p, z)) {
      p.resize(p.size() - std::strlen(z));
      break;
    }
  }
  auto dot = p.find_last_of('.');
  auto slash = p.find_last_of('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return std::nullopt;
  return InputFormatFromName(p.substr(dot + 1));
}

Result<InputFormat> InputFormatFromMediaType(const std::string& media) {
  if (media == "application/vnd.apache.arrow.stream" ||
      media == "application/vnd.apache.arrow.file") {
    return InputFormat::kArrow;
  }
  if (media == "application/x-ndjson" || media == "application/ndjson" ||
      media == "application/jsonl" || media == "application/json-seq") {
    return InputFormat::kNdjson;
  }
  if (media == "application/vnd.apache.parquet" || media == "application/x-parquet") {
    return InputFormat::kParquet;
  }
  if (media == "text/csv") return InputFormat::kCsv;
  if (media == "text/tab-separated-values") return InputFormat::kTsv;
  return Status::NotSupported(
      "rows are sent as application/x-ndjson, text/csv, text/tab-separated-values, "
      "application/vnd.apache.arrow.stream or application/vnd.apache.parquet, not \"" +
      media + "\"");
}

InputFormat SniffInputFormat(std::string_view head) {
  if (head.rfind("ARROW1", 0) == 0 || head.rfind("\xff\xff\xff\xff", 0) == 0) {
    return InputFormat::kArrow;
  }
  if (parquet::HasParquetMagic(head)) return InputFormat::kParquet;
  size_t i = head.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  while (i < head.size() && std::isspace(static_cast<unsigned char>(head[i]))) ++i;
  if (i < head.size() && head[i] == '{') return InputFormat::kNdjson;
  return InputFormat::kCsv;
}

// ---------------------------------------------------------------------------
// InputReader
// ---------------------------------------------------------------------------

Result<std::unique_ptr<InputReader>> InputReader::Open(std::string name, RawRead raw,
                                                       int64_t raw_total) {
  std::unique_ptr<InputReader> in(new InputReader());
  in->name_ = std::move(name);
  in->raw_ = std::move(raw);
  in->raw_total_ = raw_total;
  // Magic bytes decide the compression.
  in->raw_buf_.resize(kRawBufferBytes);
  while (in->raw_len_ < 4) {
    QUIVER_ASSIGN_OR_RETURN(size_t n, in->RawReadCounted(in->raw_buf_.data() + in->raw_len_,
                                                         in->raw_buf_.size() - in->raw_len_));
    if (n == 0) break;
    in->raw_len_ += n;
  }
  in->codec_ = CodecFromMagic(std::string_view(in->raw_buf_.data(), in->raw_len_));
  if (in->codec_ != Codec::kIdentity) {
    QUIVER_ASSIGN_OR_RETURN(in->decoder_, Decompressor::Make(in->codec_));
  }
  return in;
}

Result<std::unique_ptr<InputReader>> InputReader::FromBytes(std::string name,
                                                            std::string_view bytes) {
  std::string_view rest = bytes;
  int64_t total = int64_t(bytes.size());
  return Open(
      std::move(name),
      [rest](char* buf, size_t n) mutable -> Result<size_t> {
        size_t k = std::min(n, rest.size());
        std::memcpy(buf, rest.data(), k);
        rest.remove_prefix(k);
        return k;
      },
      total);
}

Result<size_t> InputReader::RawReadCounted(char* buf, size_t n) {
  QUIVER_ASSIGN_OR_RETURN(size_t k, raw_(buf, n));
  raw_read_ += int64_t(k);
  return k;
}

Result<bool> InputReader::FillRaw() {
  if (raw_pos_ < raw_len_) return true;
  QUIVER_ASSIGN_OR_RETURN(size_t n, RawReadCounted(raw_buf_.data(), raw_buf_.size()));
  raw_pos_ = 0;
  raw_len_ = n;
  return n > 0;
}

Result<size_t> InputReader::ReadDecoded(char* out, size_t n) {
  if (!decoder_) {
    if (raw_pos_ < raw_len_) {
      size_t k = std::min(n, raw_len_ - raw_pos_);
      std::memcpy(out, raw_buf_.data() + raw_pos_, k);
      raw_pos_ += k;
      return k;
    }
    return RawReadCounted(out, n);
  }
  for (;;) {
    QUIVER_ASSIGN_OR_RETURN(bool more, FillRaw());
    if (!more) {
      if (decoder_->AtFrameEnd()) return size_t(0);
      return Status::IOError(name_ + (codec_ == Codec::kGzip
                                          ? ": truncated gzip data (the stream ends early)"
                                          : ": truncated zstd data (the frame ends early)"));
    }
    std::string_view raw(raw_buf_.data() + raw_pos_, raw_len_ - raw_pos_);
    const size_t before = raw.size();
    auto k = decoder_->Run(&raw, out, n);
    raw_pos_ = raw_len_ - raw.size();
    if (!k.ok()) {
      std::string where;
      if (codec_ == Codec::kGzip) {
        where = " near compressed byte " + std::to_string(raw_read_ - int64_t(raw_len_ - raw_pos_));
      }
      return Status::IOError(name_ + ": " + k.status().message() + where);
    }
    if (*k > 0) return *k;
    if (raw.size() == before) {
      return Status::IOError(name_ + ": damaged " + CodecName(codec_) + " data (no progress)");
    }
  }
}

Result<size_t> InputReader::Read(char* out, size_t n) {
  if (!peek_.empty()) {
    size_t k = std::min(n, peek_.size() - peek_pos_);
    std::memcpy(out, peek_.data() + peek_pos_, k);
    peek_pos_ += k;
    if (peek_pos_ == peek_.size()) {
      peek_.clear();
      peek_pos_ = 0;
    }
    return k;
  }
  return ReadDecoded(out, n);
}

Result<std::string> InputReader::Peek(size_t n) {
  std::string p(n, '\0');
  size_t got = 0;
  while (got < n) {
    QUIVER_ASSIGN_OR_RETURN(size_t k, Read(p.data() + got, n - got));
    if (k == 0) break;
    got += k;
  }
  p.resize(got);
  peek_ = p + peek_.substr(peek_pos_);
  peek_pos_ = 0;
  return p;
}

// ---------------------------------------------------------------------------
// Schema check and reading
// ---------------------------------------------------------------------------

Status CheckInputSchema(const std::string& table, const Schema& table_schema, const Schema& input,
                        const std::string& source) {
  const std::string t = table.empty() ? "the table" : "table \"" + table + "\"";
  for (size_t i = 0; i < std::max(table_schema.num_fields(), input.num_fields()); ++i) {
    if (i >= input.num_fields()) {
      return Status::TypeError(source + " has no field \"" + table_schema.field(i).name +
                               "\" (field " + std::to_string(i + 1) + " of " + t + ")");
    }
    if (i >= table_schema.num_fields()) {
      return Status::TypeError(source + " has an extra field \"" + input.field(i).name +
                               "\" (field " + std::to_string(i + 1) + "); " + t + " has " +
                               std::to_string(table_schema.num_fields()) + " fields");
    }
    const Field& a = table_schema.field(i);
    const Field& b = input.field(i);
    if (a.name != b.name) {
      return Status::TypeError("field " + std::to_string(i + 1) + " of " + source + " is \"" +
                               b.name + "\", but " + t + " has \"" + a.name + "\" there");
    }
    if (!(a.type == b.type)) {
      return Status::TypeError("field \"" + a.name + "\" of " + source + " is " +
                               b.type.ToString() + ", but " + t + " stores " + a.type.ToString());
    }
  }
  return Status::OK();
}

Status ReadInput(InputReader& in, const InputOptions& o, const TextCallbacks& cb,
                 TextReadStats* stats) {
  TextReadStats local;
  if (stats == nullptr) stats = &local;
  if (o.format == InputFormat::kArrow) return ReadArrowInput(in, o, cb, stats);
  if (o.format == InputFormat::kParquet) return ReadParquetInput(in, o, cb, stats);
  ReadFn read = [&in](char* buf, size_t n) { return in.Read(buf, n); };
  // Empty batches are not passed on (as for Arrow input).
  TextCallbacks text_cb = cb;
  text_cb.on_batch = [&cb](RecordBatch b) {
    return b.num_rows == 0 ? Status::OK() : cb.on_batch(std::move(b));
  };
  if (o.format == InputFormat::kNdjson) {
    NdjsonOptions t;
    FillTextOptions(in, o, &t);
    return ReadNdjsonStream(read, t, text_cb, stats);
  }
  CsvOptions t;
  FillTextOptions(in, o, &t);
  t.delimiter = o.delimiter ? *o.delimiter : (o.format == InputFormat::kTsv ? '\t' : ',');
  t.header = o.header;
  t.null_values = o.null_values;
  return ReadCsvStream(read, t, text_cb, stats);
}

}  // namespace quiver::store
