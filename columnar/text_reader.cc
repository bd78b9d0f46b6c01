#include <algorithm>
#include <cstring>
#include <deque>
#include <future>
#include <limits>
#include <mutex>
#include <thread>

#include "columnar/text_reader_internal.h"

namespace quiver::internal {

std::string Where(const TextReadOptions& options, int64_t line) {
  return options.source_name + ":" + std::to_string(line) + ": ";
}

int64_t CountLineEnds(const char* b, const char* e) {
  int64_t n = 0;
  for (const char* p = b; p < e; ++p) {
    if (*p == '\n') {
      ++n;
    } else if (*p == '\r' && (p + 1 == e || p[1] != '\n')) {
      ++n;
    }
  }
  return n;
}

namespace {

constexpr size_t kMinBufferBytes = 4 << 20;
constexpr int64_t kMaxBlockBytes = int64_t(64) << 20;

// Input bytes, not zero-filled. Buffers are recycled through a free list
// when the last block that points into one is done, so steady-state reading
// neither allocates nor page-faults.
struct RawBuffer {
  std::unique_ptr<char[]> data;
  size_t size = 0;
  size_t cap = 0;
};

class BufferPool : public std::enable_shared_from_this<BufferPool> {
 public:
  std::shared_ptr<RawBuffer> Get(size_t min_cap) {
    std::unique_ptr<RawBuffer> b;
    {
      std::lock_guard<std::mutex> l(mu_);
      while (!free_.empty()) {
        std::unique_ptr<RawBuffer> c = std::move(free_.back());
        free_.pop_back();
        if (c->cap >= min_cap) {
          b = std::move(c);
          break;
        }
      }
    }
    if (!b) {
      b = std::make_unique<RawBuffer>();
      b->cap = std::max(min_cap, kMinBufferBytes);
      b->data.reset(new char[b->cap]);
    }
    b->size = 0;
    std::weak_ptr<BufferPool> pool = weak_from_this();
    return std::shared_ptr<RawBuffer>(b.release(), [pool](RawBuffer* r) {
      std::unique_ptr<RawBuffer> owned(r);
      if (auto p = pool.lock()) {
        std::lock_guard<std::mutex> l(p->mu_);
        if (p->free_.size() < 16) p->free_.push_back(std::move(owned));
      }
    });
  }

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<RawBuffer>> free_;
};

// Cuts the input into blocks of whole rows. Rows end at LF, CRLF or a lone
// CR; with quote_aware, not inside double quotes.
class Splitter {
 public:
  Splitter(const ReadFn& read, bool quote_aware)
      : read_(read), quote_aware_(quote_aware), pool_(std::make_shared<BufferPool>()) {
    buf_ = pool_->Get(kMinBufferBytes);
  }

  // The next block of at most max_rows rows (and not much more than
  // max_bytes, but at least one row); false at the end of the input.
  Result<bool> Next(int64_t max_rows, int64_t max_bytes, TextBlock* out) {
    if (first_) {
      first_ = false;
      while (!eof_ && buf_->size < 3) QUIVER_RETURN_NOT_OK(Fill());
      if (buf_->size >= 3 && std::memcmp(buf_->data.get(), "\xEF\xBB\xBF", 3) == 0) {
        start_ = pos_ = row_end_ = 3;
        next_byte_ = 3;
      }
    }
    for (;;) {
      const char* d = buf_->data.get();
      const size_t size = buf_->size;
      while (pos_ < size) {
        // Fast path: a whole line without CR (or ending in CRLF), its quotes
        // counted with memchr.
        const char* nl = static_cast<const char*>(std::memchr(d + pos_, '\n', size - pos_));
        const size_t seg_end = nl ? size_t(nl - d) : size;
        const char* cr = static_cast<const char*>(std::memchr(d + pos_, '\r', seg_end - pos_));
        if (nl && (cr == nullptr || cr + 1 == nl)) {
          if (quote_aware_) {
            const char* q = d + pos_;
            while ((q = static_cast<const char*>(std::memchr(q, '"', size_t(nl - q)))) != nullptr) {
              in_quotes_ = !in_quotes_;
              ++q;
            }
          }
          pos_ = seg_end + 1;
          ++lines_;
          if (!in_quotes_) {
            ++rows_;
            row_end_ = pos_;
            lines_at_row_end_ = lines_;
            if (rows_ >= max_rows || int64_t(row_end_ - start_) >= max_bytes) {
              Cut(row_end_, lines_at_row_end_, out);
              return true;
            }
          }
          continue;
        }
        // Slow path, byte by byte up to the next LF (or the end of the
        // data): lone CRs, and the last bytes without a LF.
        const size_t stop = nl ? seg_end + 1 : size;
        bool wait = false;
        while (pos_ < stop) {
          char c = d[pos_];
          if (c == '"' && quote_aware_) {
            in_quotes_ = !in_quotes_;
          } else if (c == '\n' || c == '\r') {
            if (c == '\r') {
              if (pos_ + 1 == size && !eof_) {
                wait = true;  // maybe CRLF: wait for the next byte
                break;
              }
              if (pos_ + 1 < size && d[pos_ + 1] == '\n') {
                ++pos_;
                continue;
              }
            }
            ++lines_;
            if (!in_quotes_) {
              ++rows_;
              row_end_ = pos_ + 1;
              lines_at_row_end_ = lines_;
              if (rows_ >= max_rows || int64_t(row_end_ - start_) >= max_bytes) {
                ++pos_;
                Cut(row_end_, lines_at_row_end_, out);
                return true;
              }
            }
          }
          ++pos_;
        }
        if (wait) break;
      }
      if (pos_ >= size && eof_) {
        if (size > start_) {
          // Rows up to the last line end, plus an unterminated last row.
          Cut(size, lines_, out);
          return true;
        }
        return false;
      }
      QUIVER_RETURN_NOT_OK(Fill());
    }
  }

  int64_t bytes_consumed() const { return next_byte_; }

 private:
  void Cut(size_t end, int64_t lines, TextBlock* out) {
    out->owner = buf_;
    out->data = std::string_view(buf_->data.get() + start_, end - start_);
    out->first_line = next_line_;
    out->first_byte = next_byte_;
    next_line_ += lines;
    next_byte_ += int64_t(end - start_);
    lines_ -= lines;
    rows_ = 0;
    start_ = end;
    row_end_ = end;
    lines_at_row_end_ = 0;
    largest_block_ = std::max(largest_block_, out->data.size());
  }

  Status Fill() {
    const size_t tail = buf_->size - start_;
    // Room for a whole block of the size seen so far plus a read.
    const size_t want = std::max(kMinBufferBytes, 2 * std::max(largest_block_, tail + (1 << 20)));
    if (start_ > 0 || buf_->cap - buf_->size < (1 << 16)) {
      // Blocks handed out keep the old buffer; the unconsumed tail moves.
      auto fresh = pool_->Get(std::max(want, tail + (1 << 20)));
      std::memcpy(fresh->data.get(), buf_->data.get() + start_, tail);
      fresh->size = tail;
      pos_ -= start_;
      row_end_ -= start_;
      start_ = 0;
      buf_ = std::move(fresh);
    }
    auto n = read_(buf_->data.get() + buf_->size, buf_->cap - buf_->size);
    if (!n.ok()) return n.status();
    buf_->size += *n;
    if (*n == 0) eof_ = true;
    return Status::OK();
  }

  const ReadFn& read_;
  bool quote_aware_;
  std::shared_ptr<BufferPool> pool_;
  std::shared_ptr<RawBuffer> buf_;
  size_t start_ = 0, pos_ = 0, row_end_ = 0, largest_block_ = 0;
  bool in_quotes_ = false, eof_ = false, first_ = true;
  int64_t rows_ = 0, lines_ = 0, lines_at_row_end_ = 0;
  int64_t next_line_ = 1, next_byte_ = 0;
};

}  // namespace

Status RunTextReader(const ReadFn& read, const TextReadOptions& options, TextFormat& format,
                     const TextCallbacks& callbacks, TextReadStats* stats) {
  Splitter splitter(read, format.quote_aware());
  TextBlock block;
  if (format.has_header()) {
    QUIVER_ASSIGN_OR_RETURN(bool got, splitter.Next(1, std::numeric_limits<int64_t>::max(), &block));
    if (!got) block = TextBlock{};
    QUIVER_RETURN_NOT_OK(format.ReadHeader(block));
  }
  const int64_t batch_rows = std::max<int64_t>(1, options.batch_rows);
  int64_t first_rows = options.schema ? batch_rows : std::max(batch_rows, options.sample_rows);
  int64_t first_bytes = options.schema ? kMaxBlockBytes : std::max<int64_t>(1, options.sample_bytes);
  QUIVER_ASSIGN_OR_RETURN(bool have, splitter.Next(first_rows, first_bytes, &block));
  TextBlock sample = have ? block : TextBlock{};
  if (!have) sample.first_byte = splitter.bytes_consumed();
  QUIVER_ASSIGN_OR_RETURN(auto schema, format.Resolve(sample));
  if (callbacks.on_schema) QUIVER_RETURN_NOT_OK(callbacks.on_schema(schema));

  int threads = options.num_threads > 0 ? options.num_threads
                                        : int(std::max(1u, std::thread::hardware_concurrency()));
  struct Pending {
    std::future<BlockResult> result;
    int64_t end_byte;
  };
  std::deque<Pending> inflight;
  auto deliver = [&](BlockResult r, int64_t end_byte) -> Status {
    if (!r.status.ok()) return r.status;
    for (const RejectedRow& rej : r.rejected) {
      ++stats->rejected;
      if (callbacks.on_reject) callbacks.on_reject(rej);
    }
    stats->bytes = end_byte;
    if (r.batch.num_rows > 0) {
      stats->rows += r.batch.num_rows;
      ++stats->batches;
      if (callbacks.on_batch) QUIVER_RETURN_NOT_OK(callbacks.on_batch(std::move(r.batch)));
    }
    if (callbacks.on_progress) callbacks.on_progress(stats->bytes, stats->rows);
    return Status::OK();
  };
  // Workers only read `format` and their block; results are taken in order.
  // On an error the remaining futures are waited for when `inflight` dies.
  while (have) {
    if (options.cancelled && options.cancelled()) return Status::Cancelled("cancelled");
    int64_t end_byte = block.first_byte + int64_t(block.data.size());
    if (threads <= 1) {
      QUIVER_RETURN_NOT_OK(deliver(format.Parse(block), end_byte));
    } else {
      const TextFormat* f = &format;
      inflight.push_back(
          {std::async(std::launch::async, [f, block] { return f->Parse(block); }), end_byte});
      while (int(inflight.size()) > threads) {
        Pending p = std::move(inflight.front());
        inflight.pop_front();
        QUIVER_RETURN_NOT_OK(deliver(p.result.get(), p.end_byte));
      }
    }
    QUIVER_ASSIGN_OR_RETURN(have, splitter.Next(batch_rows, kMaxBlockBytes, &block));
  }
  while (!inflight.empty()) {
    if (options.cancelled && options.cancelled()) return Status::Cancelled("cancelled");
    Pending p = std::move(inflight.front());
    inflight.pop_front();
    QUIVER_RETURN_NOT_OK(deliver(p.result.get(), p.end_byte));
  }
  stats->bytes = splitter.bytes_consumed();
  return Status::OK();
}

Result<TextTable> ReadTextWhole(std::string_view data, const TextReadOptions& options,
                                TextFormat& format) {
  size_t offset = 0;
  ReadFn read = [&](char* buf, size_t n) -> Result<size_t> {
    size_t k = std::min(n, data.size() - offset);
    std::memcpy(buf, data.data() + offset, k);
    offset += k;
    return k;
  };
  TextTable table;
  TextCallbacks cb;
  cb.on_schema = [&](const std::shared_ptr<const Schema>& s) {
    table.schema = s;
    return Status::OK();
  };
  cb.on_batch = [&](RecordBatch b) {
    table.batches.push_back(std::move(b));
    return Status::OK();
  };
  cb.on_reject = [&](const RejectedRow& r) { table.rejected.push_back(r); };
  TextReadStats stats;
  QUIVER_RETURN_NOT_OK(RunTextReader(read, options, format, cb, &stats));
  return table;
}

}  // namespace quiver::internal
