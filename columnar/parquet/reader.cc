// The Parquet file reader (reader.h): footer, schema, row groups.
#include "columnar/parquet/reader.h"

#include <algorithm>
#include <climits>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

#include "columnar/parquet/column_reader_internal.h"
#include "columnar/parquet/schema_internal.h"
#include "columnar/parquet/thrift_internal.h"

namespace quiver::parquet {
namespace {

bool IsDictionaryEncoding(format::Encoding::type e) {
  return e == format::Encoding::PLAIN_DICTIONARY || e == format::Encoding::RLE_DICTIONARY;
}

// True when the chunk's data pages are dictionary-encoded (as far as its
// metadata tells; a fallback page is still read correctly).
bool ChunkIsDictionaryEncoded(const format::ColumnChunk& c) {
  if (!c.__isset.meta_data) return false;
  const auto& m = c.meta_data;
  if (m.__isset.encoding_stats && !m.encoding_stats.empty()) {
    for (const auto& s : m.encoding_stats) {
      if (s.page_type != format::PageType::DICTIONARY_PAGE && s.count > 0 &&
          !IsDictionaryEncoding(s.encoding)) {
        return false;
      }
    }
    return true;
  }
  return std::any_of(m.encodings.begin(), m.encodings.end(), IsDictionaryEncoding);
}

// Re-encodes the int32 indices of a dictionary column with the narrower
// index type of `want` (a table's), when its dictionary fits.
Status NarrowIndices(const DataType& want, ArrayData& a) {
  const int width = ByteWidth(want.dict_index);
  const int64_t limit = width == 1 ? 127 : width == 2 ? 32767 : int64_t(INT32_MAX);
  if (a.dictionary->length - 1 > limit) {
    return Status::Invalid("a dictionary of " + std::to_string(a.dictionary->length) +
                           " values does not fit the table's " + want.ToString());
  }
  const int32_t* in = a.buffers[1]->data_as<int32_t>();
  auto out = Buffer::Allocate(a.length * width);
  for (int64_t i = 0; i < a.length; ++i) {
    if (width == 1) {
      out->mutable_data()[i] = uint8_t(int8_t(in[i]));
    } else {
      int16_t v = int16_t(in[i]);
      std::memcpy(out->mutable_data() + i * 2, &v, 2);
    }
  }
  a.buffers[1] = out;
  a.type = want;
  return Status::OK();
}

}  // namespace

bool HasParquetMagic(std::string_view head) { return head.rfind("PAR1", 0) == 0; }

struct ParquetFile::Impl {
  std::shared_ptr<const std::string> bytes;
  ReadOptions options;
  format::FileMetaData meta;
  size_t data_end = 0;  // where the footer starts
  std::vector<ColumnSpec> columns;  // the selected ones, in output order
  std::vector<DataType> types;       // as read (dictionaries with int32 indices)
  std::vector<DataType> out_types;   // as delivered (a table's narrower index)
  std::shared_ptr<const Schema> schema;
  std::vector<KeyValue> metadata;
  int64_t num_rows = 0;

  Status Fail(const std::string& what) const {
    return Status::Invalid(options.source_name + ": " + what);
  }
  Status Context(const Status& s) const {
    return s.ok() ? s : Status(s.code(), options.source_name + ": " + s.message());
  }
  Status ReadFooter();
  Status Select(std::vector<ColumnSpec> all);
};

Status ParquetFile::Impl::ReadFooter() {
  const std::string& b = *bytes;
  if (b.size() < 12 || !HasParquetMagic(b)) {
    return Fail("not a Parquet file (it does not start with the magic bytes PAR1)");
  }
  if (b.compare(b.size() - 4, 4, "PARE") == 0) {
    return Status::NotSupported(options.source_name + ": encrypted Parquet files are not supported");
  }
  if (b.compare(b.size() - 4, 4, "PAR1") != 0) {
    return Fail("truncated or damaged Parquet file (no PAR1 magic at its end, byte " +
                std::to_string(b.size() - 4) + ")");
  }
  uint32_t footer_len;
  std::memcpy(&footer_len, b.data() + b.size() - 8, 4);
  if (footer_len > b.size() - 12) {
    return Fail("the footer length " + std::to_string(footer_len) + " (at byte " +
                std::to_string(b.size() - 8) + ") exceeds the file");
  }
  data_end = b.size() - 8 - footer_len;
  size_t used = 0;
  Status s = DecodeFileMetaData(reinterpret_cast<const uint8_t*>(b.data()) + data_end, footer_len,
                                &meta, &used);
  if (!s.ok()) return Fail(s.message() + " at byte " + std::to_string(data_end));
  for (const auto& kv : meta.key_value_metadata) metadata.push_back({kv.key, kv.value});
  auto mapped = MapParquetSchema(meta.schema);
  if (!mapped.ok()) return Context(mapped.status());
  std::vector<ColumnSpec>& all = mapped->columns;
  for (const auto& kv : meta.key_value_metadata) {
    if (kv.key == "ARROW:schema") ApplyArrowSchema(kv.value, &all);
  }
  for (size_t g = 0; g < meta.row_groups.size(); ++g) {
    const auto& rg = meta.row_groups[g];
    if (rg.columns.size() != size_t(mapped->leaves)) {
      return Fail("row group " + std::to_string(g) + " has " + std::to_string(rg.columns.size()) +
                  " column chunks, the schema " + std::to_string(mapped->leaves) + " leaf columns");
    }
    if (rg.num_rows < 0 || rg.num_rows > options.max_row_group_rows) {
      return Fail("row group " + std::to_string(g) + " claims " + std::to_string(rg.num_rows) +
                  " rows");
    }
    for (const ColumnSpec& c : all) {
      const auto& chunk = rg.columns[size_t(c.leaf)];
      if (c.unsupported.ok() && !c.nested && chunk.__isset.meta_data &&
          chunk.meta_data.num_values != rg.num_rows) {
        return Fail("column \"" + c.name + "\", row group " + std::to_string(g) + ": " +
                    std::to_string(chunk.meta_data.num_values) + " values for " +
                    std::to_string(rg.num_rows) + " rows");
      }
    }
    num_rows += rg.num_rows;
  }
  return Select(std::move(all));
}

Status ParquetFile::Impl::Select(std::vector<ColumnSpec> all) {
  if (options.columns.empty()) {
    columns = std::move(all);
  } else {
    for (const std::string& name : options.columns) {
      auto it = std::find_if(all.begin(), all.end(), [&](const ColumnSpec& c) { return c.name == name; });
      if (it == all.end()) {
        std::string names;
        for (const auto& c : all) names += (names.empty() ? "" : ", ") + c.name;
        return Fail("no column \"" + name + "\" (the file has " + names + ")");
      }
      columns.push_back(*it);
    }
  }
  std::vector<Field> fields;
  for (const ColumnSpec& c : columns) {
    if (!c.unsupported.ok()) return Context(c.unsupported);
    DataType t = c.type;
    if (t.id == TypeId::kUtf8) {
      bool dict = !meta.row_groups.empty();
      for (const auto& rg : meta.row_groups) dict = dict && ChunkIsDictionaryEncoded(rg.columns[size_t(c.leaf)]);
      DataType out = DataType::Dictionary(TypeId::kInt32, TypeId::kUtf8);
      if (options.schema) {
        int k = options.schema->FieldIndex(c.name);
        if (k >= 0 && options.schema->field(size_t(k)).type.id == TypeId::kUtf8) {
          dict = options.schema->field(size_t(k)).type.is_dictionary();
          if (dict) out = DataType::Dictionary(options.schema->field(size_t(k)).type.dict_index);
        }
      }
      if (dict) {
        types.push_back(DataType::Dictionary(TypeId::kInt32, TypeId::kUtf8));
        out_types.push_back(out);
      } else {
        types.push_back(t);
        out_types.push_back(t);
      }
    } else {
      types.push_back(t);
      out_types.push_back(t);
    }
    Field f;
    f.name = c.name;
    f.type = out_types.back();
    f.nullable = c.max_def > 0;
    fields.push_back(std::move(f));
  }
  schema = std::make_shared<const Schema>(std::move(fields));
  return Status::OK();
}

ParquetFile::ParquetFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ParquetFile::~ParquetFile() = default;

Result<std::unique_ptr<ParquetFile>> ParquetFile::Open(std::shared_ptr<const std::string> bytes,
                                                       ReadOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->bytes = std::move(bytes);
  impl->options = std::move(options);
  QUIVER_RETURN_NOT_OK(impl->ReadFooter());
  return std::unique_ptr<ParquetFile>(new ParquetFile(std::move(impl)));
}

const std::shared_ptr<const Schema>& ParquetFile::schema() const { return impl_->schema; }
int ParquetFile::num_row_groups() const { return int(impl_->meta.row_groups.size()); }
int64_t ParquetFile::num_rows() const { return impl_->num_rows; }
int64_t ParquetFile::row_group_rows(int i) const { return impl_->meta.row_groups[size_t(i)].num_rows; }
const std::vector<KeyValue>& ParquetFile::metadata() const { return impl_->metadata; }

Result<RecordBatch> ParquetFile::ReadRowGroup(int i) const {
  const Impl& m = *impl_;
  const auto& rg = m.meta.row_groups[size_t(i)];
  RecordBatch batch;
  batch.schema = m.schema;
  batch.num_rows = rg.num_rows;
  for (size_t c = 0; c < m.columns.size(); ++c) {
    ChunkSource src;
    src.file = reinterpret_cast<const uint8_t*>(m.bytes->data());
    src.file_size = m.data_end;
    src.chunk = &rg.columns[size_t(m.columns[c].leaf)];
    src.num_rows = rg.num_rows;
    src.row_group = i;
    src.max_page_bytes = m.options.max_page_bytes;
    src.max_entries = m.options.max_row_group_rows;
    auto col = m.columns[c].nested ? ReadNestedColumn(m.columns[c], rg, src)
                                   : ReadColumnChunk(m.columns[c], m.types[c], src);
    if (!col.ok()) return m.Context(col.status());
    if (!(m.out_types[c] == m.types[c])) {
      Status s = NarrowIndices(m.out_types[c], **col);
      if (!s.ok()) {
        return m.Context(Status::TypeError("column \"" + m.columns[c].name + "\", row group " +
                                           std::to_string(i) + ": " + s.message()));
      }
    }
    batch.columns.push_back(std::move(*col));
  }
  return batch;
}

int64_t ParquetFile::row_group_bytes(int i) const {
  int64_t n = 0;
  const auto& chunks = impl_->meta.row_groups[size_t(i)].columns;
  for (const ColumnSpec& c : impl_->columns) {
    const size_t leaves = c.nested ? c.nested->leaves.size() : 1;
    for (size_t k = 0; k < leaves; ++k) n += chunks[size_t(c.leaf) + k].meta_data.total_compressed_size;
  }
  return n;
}

namespace {

// Decodes row groups on `threads` threads, at most threads + 2 ahead of the
// consumer, and hands them to `deliver` in order.
Status ReadInOrder(const ParquetFile& file, int threads,
                   const std::function<Status(int, Result<RecordBatch>)>& deliver) {
  const int n = file.num_row_groups();
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::optional<Result<RecordBatch>>> slots(static_cast<size_t>(n));
  int next = 0, delivered = 0;
  bool stop = false;
  const int window = threads + 2;
  auto work = [&] {
    for (;;) {
      int i;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return stop || next >= n || next < delivered + window; });
        if (stop || next >= n) return;
        i = next++;
      }
      Result<RecordBatch> r = file.ReadRowGroup(i);
      std::lock_guard<std::mutex> lock(mu);
      slots[size_t(i)] = std::move(r);
      cv.notify_all();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work);
  Status status;
  for (int i = 0; i < n && status.ok(); ++i) {
    std::optional<Result<RecordBatch>> r;
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return slots[size_t(i)].has_value(); });
      r = std::move(slots[size_t(i)]);
      slots[size_t(i)].reset();
      delivered = i + 1;
      cv.notify_all();
    }
    status = deliver(i, std::move(*r));
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    stop = true;
    cv.notify_all();
  }
  for (auto& t : pool) t.join();
  return status;
}

}  // namespace

Status ReadParquet(std::shared_ptr<const std::string> bytes, const ReadOptions& options,
                   const TextCallbacks& cb, TextReadStats* stats) {
  TextReadStats local;
  if (stats == nullptr) stats = &local;
  const int64_t size = int64_t(bytes->size());
  QUIVER_ASSIGN_OR_RETURN(auto file, ParquetFile::Open(std::move(bytes), options));
  if (cb.on_schema) QUIVER_RETURN_NOT_OK(cb.on_schema(file->schema()));
  int threads = options.num_threads > 0 ? options.num_threads
                                        : int(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::min(threads, std::max(1, file->num_row_groups()));
  int64_t done_bytes = 0;
  auto deliver = [&](int i, Result<RecordBatch> r) -> Status {
    if (!r.ok()) return r.status();
    if (options.cancelled && options.cancelled()) return Status::Cancelled("interrupted");
    done_bytes += file->row_group_bytes(i);
    RecordBatch b = std::move(*r);
    if (b.num_rows > 0) {
      stats->rows += b.num_rows;
      ++stats->batches;
      if (cb.on_batch) QUIVER_RETURN_NOT_OK(cb.on_batch(std::move(b)));
    }
    if (cb.on_progress) cb.on_progress(done_bytes, stats->rows);
    return Status::OK();
  };
  if (threads <= 1) {
    for (int i = 0; i < file->num_row_groups(); ++i) {
      QUIVER_RETURN_NOT_OK(deliver(i, file->ReadRowGroup(i)));
    }
  } else {
    QUIVER_RETURN_NOT_OK(ReadInOrder(*file, threads, deliver));
  }
  stats->bytes = size;
  return Status::OK();
}

}  // namespace quiver::parquet
