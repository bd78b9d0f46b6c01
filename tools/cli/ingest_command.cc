// quiver ingest: CSV, TSV, NDJSON and Arrow IPC files into a table, in one
// all-or-nothing transaction.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "columnar/csv.h"
#include "columnar/ipc.h"
#include "columnar/ndjson.h"
#include "columnar/schema.h"
#include "columnar/schema_spec.h"
#include "pmem/pool.h"
#include "store/store.h"
#include "tools/cli/cli.h"

namespace quiver::cli {
namespace {

constexpr int kExitInterrupted = 130;  // 128 + SIGINT, as shells report it

volatile sig_atomic_t g_interrupted = 0;

void OnSignal(int) { g_interrupted = 1; }

void InstallSignalHandlers() {
  struct sigaction sa{};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocked read returns EINTR
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
}

// ---------------------------------------------------------------------------
// Input: a file or stdin, gzip / zstd decompressed by magic bytes.
// ---------------------------------------------------------------------------

class Input {
 public:
  static Result<std::unique_ptr<Input>> Open(const std::string& path) {
    std::unique_ptr<Input> in(new Input());
    in->name_ = path == "-" ? "<stdin>" : path;
    if (path == "-") {
      in->fd_ = STDIN_FILENO;
    } else {
      in->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (in->fd_ < 0) return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
      in->owns_fd_ = true;
      struct stat st{};
      if (fstat(in->fd_, &st) == 0 && S_ISREG(st.st_mode)) in->raw_total_ = st.st_size;
      if (fstat(in->fd_, &st) == 0 && S_ISDIR(st.st_mode)) {
        return Status::IOError(path + " is a directory");
      }
    }
    // Magic bytes decide the compression, whatever the name says.
    in->raw_buf_.resize(1 << 20);
    while (in->raw_len_ < 4) {
      QUIVER_ASSIGN_OR_RETURN(size_t n, in->RawRead(in->raw_buf_.data() + in->raw_len_,
                                                    in->raw_buf_.size() - in->raw_len_));
      if (n == 0) break;
      in->raw_len_ += n;
    }
    const auto* m = reinterpret_cast<const unsigned char*>(in->raw_buf_.data());
    if (in->raw_len_ >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
      in->codec_ = Codec::kGzip;
      in->zs_ = std::make_unique<z_stream>();
      std::memset(in->zs_.get(), 0, sizeof(z_stream));
      if (inflateInit2(in->zs_.get(), 15 + 32) != Z_OK) return Status::Internal("inflateInit2 failed");
    } else if (in->raw_len_ >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
      in->codec_ = Codec::kZstd;
      in->zd_ = ZSTD_createDCtx();
      if (in->zd_ == nullptr) return Status::Internal("ZSTD_createDCtx failed");
    }
    return in;
  }

  ~Input() {
    if (owns_fd_) ::close(fd_);
    if (zs_) inflateEnd(zs_.get());
    if (zd_) ZSTD_freeDCtx(zd_);
  }

  const std::string& name() const { return name_; }
  const char* codec_name() const {
    return codec_ == Codec::kGzip ? "gzip" : codec_ == Codec::kZstd ? "zstd" : "none";
  }
  int64_t raw_read() const { return raw_read_; }
  int64_t raw_total() const { return raw_total_; }

  // Decompressed bytes; 0 at the end.
  Result<size_t> Read(char* out, size_t n) {
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
    switch (codec_) {
      case Codec::kNone: return ReadPlain(out, n);
      case Codec::kGzip: return ReadGzip(out, n);
      case Codec::kZstd: return ReadZstd(out, n);
    }
    return size_t(0);
  }

  // The first bytes of the decompressed input (for format sniffing); they
  // are read again by Read.
  Result<std::string> Peek(size_t n) {
    std::string p;
    p.resize(n);
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

 private:
  enum class Codec { kNone, kGzip, kZstd };
  Input() = default;

  Result<size_t> RawRead(char* buf, size_t n) {
    for (;;) {
      if (g_interrupted) return Status::Cancelled("interrupted");
      // A signal may land on a parser thread instead of this one, so a
      // blocking read would not see EINTR: wait in short polls instead.
      pollfd pfd{fd_, POLLIN, 0};
      int pr = ::poll(&pfd, 1, 100);
      if (pr == 0) continue;
      if (pr < 0 && errno == EINTR) continue;
      ssize_t r = ::read(fd_, buf, n);
      if (r >= 0) {
        raw_read_ += r;
        return size_t(r);
      }
      if (errno == EINTR) continue;
      return Status::IOError("cannot read " + name_ + ": " + std::strerror(errno));
    }
  }

  // Refills raw_buf_ when it is used up; false at the end of the raw input.
  Result<bool> FillRaw() {
    if (raw_pos_ < raw_len_) return true;
    QUIVER_ASSIGN_OR_RETURN(size_t n, RawRead(raw_buf_.data(), raw_buf_.size()));
    raw_pos_ = 0;
    raw_len_ = n;
    return n > 0;
  }

  Result<size_t> ReadPlain(char* out, size_t n) {
    if (raw_pos_ < raw_len_) {
      size_t k = std::min(n, raw_len_ - raw_pos_);
      std::memcpy(out, raw_buf_.data() + raw_pos_, k);
      raw_pos_ += k;
      return k;
    }
    return RawRead(out, n);
  }

  Result<size_t> ReadGzip(char* out, size_t n) {
    z_stream& zs = *zs_;
    zs.next_out = reinterpret_cast<Bytef*>(out);
    zs.avail_out = uInt(n);
    while (zs.avail_out == n) {
      if (stream_end_) {
        // Another gzip member may follow (concatenated .gz files).
        QUIVER_ASSIGN_OR_RETURN(bool more, FillRaw());
        if (!more) return size_t(0);
        inflateReset(&zs);
        stream_end_ = false;
      }
      if (zs.avail_in == 0) {
        if (raw_pos_ >= raw_len_) {
          QUIVER_ASSIGN_OR_RETURN(bool more, FillRaw());
          if (!more) return Status::IOError(name_ + ": truncated gzip data (the stream ends early)");
        }
        zs.next_in = reinterpret_cast<Bytef*>(raw_buf_.data() + raw_pos_);
        zs.avail_in = uInt(raw_len_ - raw_pos_);
      }
      uInt before = zs.avail_in;
      int r = inflate(&zs, Z_NO_FLUSH);
      raw_pos_ += before - zs.avail_in;
      if (r == Z_STREAM_END) {
        stream_end_ = true;
        zs.avail_in = 0;
      } else if (r != Z_OK && r != Z_BUF_ERROR) {
        return Status::IOError(name_ + ": damaged gzip data (" + (zs.msg ? zs.msg : "inflate failed") +
                               ") near compressed byte " + std::to_string(raw_read_ - int64_t(raw_len_ - raw_pos_)));
      }
    }
    return n - zs.avail_out;
  }

  Result<size_t> ReadZstd(char* out, size_t n) {
    ZSTD_outBuffer ob{out, n, 0};
    while (ob.pos == 0) {
      if (raw_pos_ >= raw_len_) {
        QUIVER_ASSIGN_OR_RETURN(bool more, FillRaw());
        if (!more) {
          if (zstd_pending_ != 0) return Status::IOError(name_ + ": truncated zstd data (the frame ends early)");
          return size_t(0);
        }
      }
      ZSTD_inBuffer ib{raw_buf_.data() + raw_pos_, raw_len_ - raw_pos_, 0};
      size_t r = ZSTD_decompressStream(zd_, &ob, &ib);
      raw_pos_ += ib.pos;
      if (ZSTD_isError(r)) {
        return Status::IOError(name_ + ": damaged zstd data (" + ZSTD_getErrorName(r) + ")");
      }
      zstd_pending_ = r;
    }
    return ob.pos;
  }

  std::string name_;
  int fd_ = -1;
  bool owns_fd_ = false;
  int64_t raw_total_ = -1;
  int64_t raw_read_ = 0;
  Codec codec_ = Codec::kNone;
  std::string raw_buf_;
  size_t raw_pos_ = 0, raw_len_ = 0;
  std::unique_ptr<z_stream> zs_;
  bool stream_end_ = false;
  ZSTD_DCtx* zd_ = nullptr;
  size_t zstd_pending_ = 0;
  std::string peek_;
  size_t peek_pos_ = 0;
};

// ---------------------------------------------------------------------------
// Progress
// ---------------------------------------------------------------------------

enum class ProgressMode { kNone, kBar, kLines };

std::string Thousands(int64_t v) {
  std::string s = std::to_string(v);
  for (int i = int(s.size()) - 3; i > (s[0] == '-' ? 1 : 0); i -= 3) s.insert(size_t(i), ",");
  return s;
}

class Progress {
 public:
  explicit Progress(ProgressMode mode) : mode_(mode), start_(Clock::now()) {}

  double Seconds() const {
    return std::chrono::duration<double>(Clock::now() - start_).count();
  }

  // raw_done/raw_total: bytes of the current file (for the percentage);
  // bytes: decompressed bytes parsed over all files.
  void Update(int64_t raw_done, int64_t raw_total, int64_t bytes, int64_t rows, int64_t chunks) {
    if (mode_ == ProgressMode::kLines) {
      std::fprintf(stderr, "progress: rows=%lld chunks=%lld bytes=%lld\n", (long long)rows,
                   (long long)chunks, (long long)bytes);
      std::fflush(stderr);
      return;
    }
    if (mode_ != ProgressMode::kBar) return;
    double t = Seconds();
    if (t - last_ < 0.1) return;
    last_ = t;
    double mbs = t > 0 ? double(bytes) / 1e6 / t : 0;
    double rps = t > 0 ? double(rows) / t : 0;
    char line[256];
    if (raw_total > 0) {
      double frac = std::min(1.0, double(raw_done) / double(raw_total));
      int width = 24, filled = int(frac * width);
      std::string bar(size_t(filled), '#');
      bar.append(size_t(width - filled), '.');
      double eta = frac > 0 ? t * (1 - frac) / frac : 0;
      std::snprintf(line, sizeof line,
                    "\r[%s] %5.1f%% %9.1f MB %14s rows %10.0f rows/s %7.1f MB/s ETA %d:%02d ",
                    bar.c_str(), frac * 100, double(bytes) / 1e6, Thousands(rows).c_str(), rps, mbs,
                    int(eta) / 60, int(eta) % 60);
    } else {
      std::snprintf(line, sizeof line, "\r%9.1f MB %14s rows %10.0f rows/s %7.1f MB/s ",
                    double(bytes) / 1e6, Thousands(rows).c_str(), rps, mbs);
    }
    std::fputs(line, stderr);
    std::fflush(stderr);
    drawn_ = true;
  }

  void Clear() {
    if (drawn_) std::fputs("\r\033[K", stderr);
    drawn_ = false;
  }

 private:
  using Clock = std::chrono::steady_clock;
  ProgressMode mode_;
  Clock::time_point start_;
  double last_ = -1;
  bool drawn_ = false;
};

// ---------------------------------------------------------------------------
// The command
// ---------------------------------------------------------------------------

enum class Format { kCsv, kTsv, kNdjson, kArrow };

std::string Lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::optional<Format> FormatFromName(const std::string& name) {
  std::string n = Lower(name);
  if (n == "csv") return Format::kCsv;
  if (n == "tsv" || n == "tab") return Format::kTsv;
  if (n == "ndjson" || n == "jsonl" || n == "json") return Format::kNdjson;
  if (n == "arrow" || n == "arrows" || n == "ipc" || n == "feather") return Format::kArrow;
  return std::nullopt;
}

std::optional<Format> FormatFromPath(const std::string& path) {
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
  return FormatFromName(p.substr(dot + 1));
}

// Content sniffing when neither --format nor the name tells.
Format SniffFormat(const std::string& head) {
  if (head.rfind("ARROW1", 0) == 0 || head.rfind("\xff\xff\xff\xff", 0) == 0) return Format::kArrow;
  size_t i = head.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  while (i < head.size() && std::isspace(static_cast<unsigned char>(head[i]))) ++i;
  if (i < head.size() && head[i] == '{') return Format::kNdjson;
  return Format::kCsv;
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t c = s.find(',', start);
    out.push_back(s.substr(start, c == std::string::npos ? std::string::npos : c - start));
    if (c == std::string::npos) break;
    start = c + 1;
  }
  return out;
}

// Where an error came from decides the exit code.
struct Failure {
  Status status;
  bool from_store = false;
};

// Compares an input schema with the table's, naming the first difference.
Status CheckSameSchema(const std::string& table, const Schema& table_schema, const Schema& input,
                       const std::string& source) {
  for (size_t i = 0; i < std::max(table_schema.num_fields(), input.num_fields()); ++i) {
    if (i >= input.num_fields()) {
      return Status::TypeError(source + " has no field \"" + table_schema.field(i).name + "\" (field " +
                               std::to_string(i + 1) + " of table \"" + table + "\")");
    }
    if (i >= table_schema.num_fields()) {
      return Status::TypeError(source + " has an extra field \"" + input.field(i).name + "\" (field " +
                               std::to_string(i + 1) + "); table \"" + table + "\" has " +
                               std::to_string(table_schema.num_fields()) + " fields");
    }
    const Field& a = table_schema.field(i);
    const Field& b = input.field(i);
    if (a.name != b.name) {
      return Status::TypeError("field " + std::to_string(i + 1) + " of " + source + " is \"" + b.name +
                               "\", but table \"" + table + "\" has \"" + a.name + "\" there");
    }
    if (!(a.type == b.type)) {
      return Status::TypeError("field \"" + a.name + "\" of " + source + " is " + b.type.ToString() +
                               ", but table \"" + table + "\" stores " + a.type.ToString());
    }
  }
  return Status::OK();
}

const char* kUsage =
    "Usage: quiver ingest POOL TABLE FILE... [options]\n"
    "\n"
    "Loads CSV, TSV, NDJSON or Arrow IPC (stream or file) into TABLE in one\n"
    "transaction: nothing is visible until every file is read and committed, and a\n"
    "failure, Ctrl-C or kill leaves the table and the pool exactly as before.\n"
    "FILE '-' reads stdin. gzip and zstd input is decompressed (detected by its magic\n"
    "bytes). The table is created when it does not exist.\n"
    "\n"
    "Options:\n"
    "  --format csv|tsv|ndjson|arrow   default: from the extension (.csv .tsv .ndjson\n"
    "                        .jsonl .json .arrow .arrows .feather, before .gz/.zst),\n"
    "                        else from the content\n"
    "  --schema \"a:int64,b:utf8\"  types for the named columns (the others are\n"
    "                        inferred); with --no-header, one entry per column names\n"
    "                        them in order\n"
    "  --schema-file F       the same text, a JSON schema or datashape text in a file\n"
    "  --delimiter C         CSV field delimiter (default ',' ; '\\t' for tsv)\n"
    "  --no-header           the first CSV row is data; columns are f0, f1, ...\n"
    "  --null-values LIST    comma-separated texts read as null (default: only the\n"
    "                        empty field). A quoted \"\" is an empty string in a\n"
    "                        string column\n"
    "  --append | --replace  add to an existing table, or replace its rows (its\n"
    "                        schema is kept); one is required when TABLE exists\n"
    "  --on-error abort|skip abort (default) at the first bad row, or skip bad rows\n"
    "  --reject-file F       with skip: write each skipped row to F as one JSON line\n"
    "                        {\"file\",\"line\",\"byte\",\"reason\",\"raw\"}\n"
    "  --chunk-rows N        rows per chunk (default 65536)\n"
    "  --durability sync|relaxed   relaxed skips the flush at commit (bulk loads;\n"
    "                        safe against a crash of the process, not of the machine)\n"
    "  --threads N           parser threads (default: all cores)\n"
    "  --progress auto|bar|lines|none   auto: a bar when stderr is a terminal;\n"
    "                        lines: one line per chunk (for scripts)\n"
    "  --quiet               no summary line\n"
    "\n"
    "Inference (without --schema) looks at the first 10000 rows: int64 (no leading\n"
    "zeros, fits 64 bits), float64, bool (true/false), date32 (YYYY-MM-DD),\n"
    "timestamp[us, tz=UTC] (YYYY-MM-DD HH:MM[:SS[.f]] or with T, optional Z/+hh:mm;\n"
    "no offset means UTC), else utf8, dictionary-encoded when few distinct values.\n"
    "A later value that does not fit is an error naming its line and column.\n"
    "\n"
    "Exit codes: 0 ok, 1 usage, 2 data error (nothing written), 3 pool error,\n"
    "130 interrupted (nothing written).\n";

int RunIngest(const std::vector<std::string>& argv) {
  const std::string cmd = "ingest";
  auto args = Args::Parse(argv, {"no-header", "append", "replace", "quiet"},
                          {"format", "schema", "schema-file", "delimiter", "null-values", "on-error",
                           "reject-file", "chunk-rows", "durability", "threads", "progress"});
  if (!args.ok()) return UsageError(cmd, args.status().message());
  const auto& pos = args->positional();
  if (pos.size() < 3) return UsageError(cmd, "expected POOL TABLE FILE...");
  const std::string pool_path = pos[0];
  const std::string table = pos[1];
  std::vector<std::string> files(pos.begin() + 2, pos.end());
  if (args->Has("append") && args->Has("replace")) return UsageError(cmd, "--append and --replace exclude each other");
  if (args->Has("schema") && args->Has("schema-file")) return UsageError(cmd, "give --schema or --schema-file, not both");
  Status name_ok = store::ValidateTableName(table);
  if (!name_ok.ok()) return UsageError(cmd, name_ok.message());

  std::optional<Format> forced;
  if (args->Has("format")) {
    forced = FormatFromName(args->Get("format"));
    if (!forced) return UsageError(cmd, "unknown --format \"" + args->Get("format") + "\" (csv, tsv, ndjson, arrow)");
  }
  std::vector<Field> overrides;
  if (args->Has("schema") || args->Has("schema-file")) {
    std::string text = args->Get("schema");
    if (args->Has("schema-file")) {
      std::ifstream f(args->Get("schema-file"), std::ios::binary);
      if (!f) return UsageError(cmd, "cannot read --schema-file " + args->Get("schema-file"));
      std::stringstream ss;
      ss << f.rdbuf();
      text = ss.str();
    }
    auto fields = ParseSchemaText(text);
    if (!fields.ok()) return UsageError(cmd, "--schema: " + fields.status().message());
    overrides = std::move(*fields);
  }
  std::optional<char> delimiter;
  if (args->Has("delimiter")) {
    std::string d = args->Get("delimiter");
    if (d == "\\t" || d == "tab") d = "\t";
    if (d.size() != 1 || d == "\"" || d == "\n" || d == "\r") {
      return UsageError(cmd, "--delimiter must be one character other than a quote or line end");
    }
    delimiter = d[0];
  }
  std::vector<std::string> null_values = {""};
  if (args->Has("null-values")) null_values = SplitList(args->Get("null-values"));
  OnError on_error = OnError::kAbort;
  if (args->Has("on-error")) {
    std::string v = args->Get("on-error");
    if (v == "skip") {
      on_error = OnError::kSkip;
    } else if (v != "abort") {
      return UsageError(cmd, "--on-error must be abort or skip");
    }
  }
  if (args->Has("reject-file") && on_error != OnError::kSkip) {
    return UsageError(cmd, "--reject-file needs --on-error skip");
  }
  int64_t chunk_rows = 65536;
  if (args->Has("chunk-rows")) {
    try {
      chunk_rows = std::stoll(args->Get("chunk-rows"));
    } catch (...) {
      chunk_rows = 0;
    }
    if (chunk_rows < 1 || chunk_rows > (int64_t(1) << 30)) return UsageError(cmd, "--chunk-rows must be 1..2^30");
  }
  int threads = 0;
  if (args->Has("threads")) {
    try {
      threads = std::stoi(args->Get("threads"));
    } catch (...) {
      threads = -1;
    }
    if (threads < 1 || threads > 1024) return UsageError(cmd, "--threads must be 1..1024");
  }
  pmem::Durability durability = pmem::Durability::kSync;
  if (args->Has("durability")) {
    std::string d = args->Get("durability");
    if (d == "relaxed") {
      durability = pmem::Durability::kRelaxed;
    } else if (d != "sync") {
      return UsageError(cmd, "--durability must be sync or relaxed");
    }
  }
  ProgressMode progress_mode = StderrIsTerminal() ? ProgressMode::kBar : ProgressMode::kNone;
  if (args->Has("progress")) {
    std::string p = args->Get("progress");
    if (p == "bar") {
      progress_mode = ProgressMode::kBar;
    } else if (p == "lines") {
      progress_mode = ProgressMode::kLines;
    } else if (p == "none") {
      progress_mode = ProgressMode::kNone;
    } else if (p != "auto") {
      return UsageError(cmd, "--progress must be auto, bar, lines or none");
    }
  }
  int stdin_count = 0;
  for (const auto& f : files) stdin_count += f == "-";
  if (stdin_count > 1) return UsageError(cmd, "stdin ('-') can be read only once");

  InstallSignalHandlers();

  // The pool: its errors are exit code 3.
  store::StoreOptions so;
  so.max_chunk_rows = chunk_rows;
  auto st = store::Store::Open(pool_path, so);
  if (!st.ok()) {
    std::cerr << "quiver " << cmd << ": " << st.status().message() << "\n";
    return kExitPool;
  }
  store::Store& store = **st;
  std::shared_ptr<const Schema> target;
  {
    auto snap = store.GetSnapshot();
    if (!snap.ok()) return Fail(cmd, snap.status());
    auto t = (*snap)->table(table);
    if (t.ok()) {
      if (!args->Has("append") && !args->Has("replace")) {
        return UsageError(cmd, "table \"" + table + "\" exists: pass --append to add rows or --replace to replace them");
      }
      target = (*t)->schema();
    }
  }
  const bool table_exists = target != nullptr;
  if (table_exists) {
    for (const Field& ov : overrides) {
      int k = target->FieldIndex(ov.name);
      if (k < 0) {
        std::cerr << "quiver " << cmd << ": --schema names field \"" << ov.name << "\", which table \""
                  << table << "\" does not have (" << SchemaToDatashape(*target) << ")\n";
        return kExitData;
      }
      if (!(target->field(size_t(k)).type == ov.type)) {
        std::cerr << "quiver " << cmd << ": --schema gives field \"" << ov.name << "\" type "
                  << ov.type.ToString() << ", but table \"" << table << "\" stores "
                  << target->field(size_t(k)).type.ToString() << "\n";
        return kExitData;
      }
    }
  }

  std::unique_ptr<store::TableWriter> writer;
  std::optional<Failure> failure;
  auto begin = [&](const std::shared_ptr<const Schema>& schema) -> Status {
    if (writer) return Status::OK();
    store::WriteOptions wo;
    wo.mode = args->Has("replace") ? store::WriteMode::kReplace : store::WriteMode::kAppend;
    wo.durability = durability;
    if (!table_exists) wo.create_schema = schema;
    auto w = store.BeginWrite(table, wo);
    if (!w.ok()) {
      failure = Failure{w.status(), true};
      return w.status();
    }
    writer = std::move(*w);
    return Status::OK();
  };
  auto append = [&](const RecordBatch& b) -> Status {
    if (g_interrupted) return Status::Cancelled("interrupted");
    Status s = writer->Append(b);
    if (!s.ok()) failure = Failure{s, true};
    return s;
  };

  std::unique_ptr<std::ofstream> rejects;
  if (args->Has("reject-file")) {
    rejects = std::make_unique<std::ofstream>(args->Get("reject-file"), std::ios::binary | std::ios::trunc);
    if (!*rejects) return UsageError(cmd, "cannot write --reject-file " + args->Get("reject-file"));
  }

  Progress progress(progress_mode);
  int64_t total_bytes = 0, rejected = 0;
  std::vector<std::string> first_rejects;
  int64_t rows_before_file = 0;

  auto run_file = [&](const std::string& path) -> Status {
    QUIVER_ASSIGN_OR_RETURN(auto in, Input::Open(path));
    std::optional<Format> format = forced;
    if (!format && path != "-") format = FormatFromPath(path);
    if (!format) {
      QUIVER_ASSIGN_OR_RETURN(std::string head, in->Peek(64));
      format = SniffFormat(head);
    }
    const std::string source = in->name();
    if (*format == Format::kArrow) {
      if (!overrides.empty() && !table_exists) {
        return Status::Invalid("--schema does not apply to Arrow input (" + source + " carries its schema)");
      }
      auto bytes = std::make_shared<std::string>();
      std::string buf(1 << 20, '\0');
      for (;;) {
        QUIVER_ASSIGN_OR_RETURN(size_t n, in->Read(buf.data(), buf.size()));
        if (n == 0) break;
        bytes->append(buf.data(), n);
        progress.Update(in->raw_read(), in->raw_total(), total_bytes + int64_t(bytes->size()),
                        writer ? writer->rows_written() : 0, writer ? writer->chunks_written() : 0);
      }
      total_bytes += int64_t(bytes->size());
      auto ipc = ReadIpc(bytes);
      if (!ipc.ok()) return ipc.status().WithContext(source);
      if (target) {
        QUIVER_RETURN_NOT_OK(CheckSameSchema(table, *target, *ipc->schema, source));
      } else {
        target = ipc->schema;
      }
      QUIVER_RETURN_NOT_OK(begin(target));
      for (RecordBatch& b : ipc->batches) {
        b.schema = target;  // same layout, checked above
        QUIVER_RETURN_NOT_OK(append(b));
        progress.Update(in->raw_read(), in->raw_total(), total_bytes, writer->rows_written(),
                        writer->chunks_written());
      }
      return Status::OK();
    }
    TextCallbacks cb;
    cb.on_schema = [&](const std::shared_ptr<const Schema>& s) -> Status {
      if (!target) target = s;
      return begin(s);
    };
    cb.on_batch = [&](RecordBatch b) { return append(b); };
    cb.on_reject = [&](const RejectedRow& r) {
      ++rejected;
      if (first_rejects.size() < 3) first_rejects.push_back(r.reason);
      if (rejects) {
        nlohmann::ordered_json j = {{"file", source}, {"line", r.line}, {"byte", r.byte_offset},
                            {"reason", r.reason}, {"raw", r.raw}};
        *rejects << j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
      }
    };
    cb.on_progress = [&](int64_t bytes, int64_t) {
      progress.Update(in->raw_read(), in->raw_total(), total_bytes + bytes,
                      writer ? writer->rows_written() : 0, writer ? writer->chunks_written() : 0);
    };
    ReadFn read = [&](char* buf, size_t n) { return in->Read(buf, n); };
    TextReadStats stats;
    auto fill = [&](TextReadOptions& o) {
      o.source_name = source;
      o.schema = target;
      if (!table_exists) o.overrides = overrides;
      o.batch_rows = chunk_rows;
      o.num_threads = threads;
      o.on_error = on_error;
      o.cancelled = [] { return g_interrupted != 0; };
    };
    Status s;
    if (*format == Format::kNdjson) {
      NdjsonOptions o;
      fill(o);
      s = ReadNdjsonStream(read, o, cb, &stats);
    } else {
      CsvOptions o;
      fill(o);
      o.delimiter = delimiter ? *delimiter : (*format == Format::kTsv ? '\t' : ',');
      o.header = !args->Has("no-header");
      o.null_values = null_values;
      s = ReadCsvStream(read, o, cb, &stats);
    }
    total_bytes += stats.bytes;
    return s;
  };

  for (const std::string& f : files) {
    Status s = run_file(f);
    if (!s.ok() || g_interrupted) {
      progress.Clear();
      if (writer) writer->Abort();
      if (g_interrupted || s.code() == StatusCode::kCancelled) {
        std::cerr << "quiver " << cmd << ": interrupted; nothing was written to table \"" << table << "\"\n";
        return kExitInterrupted;
      }
      if (failure && failure->from_store && failure->status.message() == s.message()) {
        int code = Fail(cmd, s);
        std::cerr << "quiver " << cmd << ": nothing was written to table \"" << table << "\"\n";
        return code == kExitUsage ? kExitData : code;
      }
      std::cerr << "quiver " << cmd << ": " << s.message() << "\n";
      std::cerr << "quiver " << cmd << ": nothing was written to table \"" << table << "\"\n";
      return s.code() == StatusCode::kInvalidArgument && s.message().rfind("--", 0) == 0 ? kExitUsage : kExitData;
    }
    (void)rows_before_file;
  }
  if (!writer) {
    // No input produced a schema (cannot happen: each reader reports one).
    std::cerr << "quiver " << cmd << ": no input\n";
    return kExitData;
  }
  if (g_interrupted) {
    writer->Abort();
    std::cerr << "quiver " << cmd << ": interrupted; nothing was written to table \"" << table << "\"\n";
    return kExitInterrupted;
  }
  int64_t rows = writer->rows_written();
  int64_t chunks = writer->chunks_written();
  auto txn = writer->Commit();
  progress.Clear();
  if (!txn.ok()) {
    std::cerr << "quiver " << cmd << ": commit failed: " << txn.status().message() << "\n";
    return kExitPool;
  }
  double secs = progress.Seconds();
  if (!args->Has("quiet")) {
    char line[512];
    std::snprintf(line, sizeof line,
                  "ingested %s rows into \"%s\" (%lld chunks%s) in %.2f s: %.1f MB/s, %.0f rows/s%s\n",
                  Thousands(rows).c_str(), table.c_str(), (long long)chunks,
                  args->Has("replace") ? ", replacing its rows" : "", secs,
                  secs > 0 ? double(total_bytes) / 1e6 / secs : 0.0, secs > 0 ? double(rows) / secs : 0.0,
                  rejected ? (", " + Thousands(rejected) + " rows skipped").c_str() : "");
    std::cerr << line;
    for (const auto& r : first_rejects) std::cerr << "  skipped: " << r << "\n";
    if (rejected > int64_t(first_rejects.size()) && !rejects) {
      std::cerr << "  (use --reject-file to keep every skipped row)\n";
    }
  }
  return kExitOk;
}

const bool kRegistered = [] {
  Register({"ingest", "load CSV, TSV, NDJSON or Arrow files into a table (all-or-nothing)", kUsage,
            RunIngest});
  return true;
}();

}  // namespace
}  // namespace quiver::cli
