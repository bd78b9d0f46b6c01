// quiver ingest: CSV, TSV, NDJSON and Arrow IPC files into a table, in one
// all-or-nothing transaction. Formats, decompression and the schema rule are
// the ingest path of store/ingest.h (shared with quiverd's append endpoint);
// this file is the command line, the files, progress and the transaction.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "columnar/schema.h"
#include "columnar/schema_spec.h"
#include "pmem/pool.h"
#include "store/ingest.h"
#include "store/store.h"
#include "tools/cli/cli.h"
#include "tools/cli/progress.h"

namespace quiver::cli {
namespace {

volatile sig_atomic_t g_interrupted = 0;

void OnSignal(int) { g_interrupted = 1; }

void InstallSignalHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocked read returns EINTR
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
}

// ---------------------------------------------------------------------------
// Input files: a file descriptor read in short polls (so that a signal is
// seen even when it lands on a parser thread), decoded by store::InputReader.
// ---------------------------------------------------------------------------

class InputFile {
 public:
  static Result<std::unique_ptr<InputFile>> Open(const std::string& path) {
    std::unique_ptr<InputFile> f(new InputFile());
    std::string name = path == "-" ? "<stdin>" : path;
    int64_t total = -1;
    if (path == "-") {
      f->fd_ = STDIN_FILENO;
    } else {
      f->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (f->fd_ < 0) return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
      f->owns_fd_ = true;
      struct stat st {};
      if (fstat(f->fd_, &st) == 0 && S_ISREG(st.st_mode)) total = st.st_size;
      if (fstat(f->fd_, &st) == 0 && S_ISDIR(st.st_mode)) {
        return Status::IOError(path + " is a directory");
      }
    }
    int fd = f->fd_;
    auto raw = [fd, name](char* buf, size_t n) { return ReadFd(fd, name, buf, n); };
    QUIVER_ASSIGN_OR_RETURN(f->reader_, store::InputReader::Open(name, raw, total));
    return f;
  }
  ~InputFile() {
    if (owns_fd_) ::close(fd_);
  }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  store::InputReader& reader() { return *reader_; }

 private:
  InputFile() = default;

  static Result<size_t> ReadFd(int fd, const std::string& name, char* buf, size_t n) {
    for (;;) {
      if (g_interrupted) return Status::Cancelled("interrupted");
      pollfd pfd{fd, POLLIN, 0};
      int pr = ::poll(&pfd, 1, 100);
      if (pr == 0) continue;
      if (pr < 0 && errno == EINTR) continue;
      ssize_t r = ::read(fd, buf, n);
      if (r >= 0) return size_t(r);
      if (errno == EINTR) continue;
      return Status::IOError("cannot read " + name + ": " + std::strerror(errno));
    }
  }

  int fd_ = -1;
  bool owns_fd_ = false;
  std::unique_ptr<store::InputReader> reader_;
};

// ---------------------------------------------------------------------------
// Progress
// ---------------------------------------------------------------------------

// ProgressMode, Progress and Thousands: tools/cli/progress.h.

// ---------------------------------------------------------------------------
// The command line
// ---------------------------------------------------------------------------

struct IngestPlan {
  std::string pool;
  std::string table;
  std::vector<std::string> files;
  std::optional<store::InputFormat> format;  // --format
  store::InputOptions input;                 // format and table schema set per file
  bool append = false, replace = false, quiet = false;
  std::string reject_file;
  pmem::Durability durability = pmem::Durability::kSync;
  ProgressMode progress = ProgressMode::kNone;
};

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

// An integer option in [lo, hi].
Result<int64_t> IntOption(const Args& args, const std::string& name, int64_t fallback, int64_t lo,
                          int64_t hi, const std::string& range) {
  if (!args.Has(name)) return fallback;
  int64_t v = lo - 1;
  try {
    v = std::stoll(args.Get(name));
  } catch (...) {
  }
  if (v < lo || v > hi) return Status::Invalid("--" + name + " must be " + range);
  return v;
}

// One of `names` (mapped to `values`), or `fallback` when absent.
template <typename T>
Result<T> Choice(const Args& args, const std::string& name, const std::vector<std::string>& names,
                 const std::vector<T>& values, T fallback, const std::string& message) {
  if (!args.Has(name)) return fallback;
  for (size_t i = 0; i < names.size(); ++i) {
    if (args.Get(name) == names[i]) return values[i];
  }
  return Status::Invalid(message);
}

Result<std::vector<Field>> SchemaOption(const Args& args) {
  if (!args.Has("schema") && !args.Has("schema-file")) return std::vector<Field>{};
  std::string text = args.Get("schema");
  if (args.Has("schema-file")) {
    std::ifstream f(args.Get("schema-file"), std::ios::binary);
    if (!f) return Status::Invalid("cannot read --schema-file " + args.Get("schema-file"));
    std::stringstream ss;
    ss << f.rdbuf();
    text = ss.str();
  }
  auto fields = ParseSchemaText(text);
  if (!fields.ok()) return Status::Invalid("--schema: " + fields.status().message());
  return std::move(*fields);
}

// Every error returned is a usage error.
Result<IngestPlan> ParsePlan(const std::vector<std::string>& argv) {
  QUIVER_ASSIGN_OR_RETURN(
      Args args,
      Args::Parse(argv, {"no-header", "append", "replace", "quiet"},
                  {"format", "schema", "schema-file", "delimiter", "null-values", "on-error",
                   "reject-file", "chunk-rows", "durability", "threads", "progress"}));
  const auto& pos = args.positional();
  if (pos.size() < 3) return Status::Invalid("expected POOL TABLE FILE...");
  IngestPlan p;
  p.pool = pos[0];
  p.table = pos[1];
  p.files.assign(pos.begin() + 2, pos.end());
  p.append = args.Has("append");
  p.replace = args.Has("replace");
  p.quiet = args.Has("quiet");
  if (p.append && p.replace) return Status::Invalid("--append and --replace exclude each other");
  if (args.Has("schema") && args.Has("schema-file")) {
    return Status::Invalid("give --schema or --schema-file, not both");
  }
  QUIVER_RETURN_NOT_OK(store::ValidateTableName(p.table));
  if (args.Has("format")) {
    p.format = store::InputFormatFromName(args.Get("format"));
    if (!p.format) {
      return Status::Invalid("unknown --format \"" + args.Get("format") +
                             "\" (csv, tsv, ndjson, arrow, parquet)");
    }
  }
  store::InputOptions& in = p.input;
  in.table = p.table;
  QUIVER_ASSIGN_OR_RETURN(in.overrides, SchemaOption(args));
  if (args.Has("delimiter")) {
    std::string d = args.Get("delimiter");
    if (d == "\\t" || d == "tab") d = "\t";
    if (d.size() != 1 || d == "\"" || d == "\n" || d == "\r") {
      return Status::Invalid("--delimiter must be one character other than a quote or line end");
    }
    in.delimiter = d[0];
  }
  in.header = !args.Has("no-header");
  if (args.Has("null-values")) in.null_values = SplitList(args.Get("null-values"));
  QUIVER_ASSIGN_OR_RETURN(
      in.on_error, Choice(args, "on-error", {"abort", "skip"}, {OnError::kAbort, OnError::kSkip},
                          OnError::kAbort, "--on-error must be abort or skip"));
  p.reject_file = args.Get("reject-file");
  if (args.Has("reject-file") && in.on_error != OnError::kSkip) {
    return Status::Invalid("--reject-file needs --on-error skip");
  }
  QUIVER_ASSIGN_OR_RETURN(in.batch_rows,
                          IntOption(args, "chunk-rows", 65536, 1, int64_t(1) << 30, "1..2^30"));
  QUIVER_ASSIGN_OR_RETURN(int64_t threads, IntOption(args, "threads", 0, 1, 1024, "1..1024"));
  in.num_threads = int(threads);
  in.cancelled = [] { return g_interrupted != 0; };
  QUIVER_ASSIGN_OR_RETURN(p.durability,
                          Choice(args, "durability", {"sync", "relaxed"},
                                 {pmem::Durability::kSync, pmem::Durability::kRelaxed},
                                 pmem::Durability::kSync, "--durability must be sync or relaxed"));
  ProgressMode automatic = StderrIsTerminal() ? ProgressMode::kBar : ProgressMode::kNone;
  QUIVER_ASSIGN_OR_RETURN(
      p.progress, Choice(args, "progress", {"auto", "bar", "lines", "none"},
                         {automatic, ProgressMode::kBar, ProgressMode::kLines, ProgressMode::kNone},
                         automatic, "--progress must be auto, bar, lines or none"));
  int stdin_count = 0;
  for (const auto& f : p.files) stdin_count += f == "-";
  if (stdin_count > 1) return Status::Invalid("stdin ('-') can be read only once");
  return p;
}

// --schema against an existing table: each named field must be there with
// that type.
Status CheckOverrides(const IngestPlan& p, const Schema& target) {
  for (const Field& ov : p.input.overrides) {
    int k = target.FieldIndex(ov.name);
    if (k < 0) {
      return Status::TypeError("--schema names field \"" + ov.name + "\", which table \"" +
                               p.table + "\" does not have (" + SchemaToDatashape(target) + ")");
    }
    if (!(target.field(size_t(k)).type == ov.type)) {
      return Status::TypeError("--schema gives field \"" + ov.name + "\" type " +
                               ov.type.ToString() + ", but table \"" + p.table + "\" stores " +
                               target.field(size_t(k)).type.ToString());
    }
  }
  return Status::OK();
}

// ---------------------------------------------------------------------------
// One ingest: the files into one TableWriter
// ---------------------------------------------------------------------------

// An error and where it came from (which decides the exit code).
struct Failure {
  Status status;
  ErrorSource source;
};

class Ingest {
 public:
  Ingest(const IngestPlan& plan, store::Store* store, std::shared_ptr<const Schema> target)
      : plan_(plan),
        store_(store),
        target_(std::move(target)),
        table_exists_(target_ != nullptr),
        progress_(plan.progress) {}

  // Reads every file into the writer; nothing is committed.
  std::optional<Failure> ReadFiles() {
    if (!plan_.reject_file.empty()) {
      rejects_ =
          std::make_unique<std::ofstream>(plan_.reject_file, std::ios::binary | std::ios::trunc);
      if (!*rejects_) {
        return Failure{Status::Invalid("cannot write --reject-file " + plan_.reject_file),
                       ErrorSource::kUsage};
      }
    }
    for (const std::string& f : plan_.files) {
      std::optional<Failure> failure = ReadFile(f);
      if (!failure && g_interrupted) {
        failure = Failure{Status::Cancelled("interrupted"), ErrorSource::kInput};
      }
      if (failure) {
        progress_.Clear();
        if (writer_) writer_->Abort();
        return failure;
      }
    }
    if (!writer_) {
      // Cannot happen: every reader reports a schema, also for empty input.
      return Failure{Status::Invalid("no input"), ErrorSource::kInput};
    }
    return std::nullopt;
  }

  // Commits and prints the summary.
  std::optional<Failure> Commit() {
    if (g_interrupted) {
      writer_->Abort();
      return Failure{Status::Cancelled("interrupted"), ErrorSource::kInput};
    }
    int64_t rows = writer_->rows_written();
    int64_t chunks = writer_->chunks_written();
    auto txn = writer_->Commit();
    progress_.Clear();
    if (!txn.ok()) return Failure{txn.status().WithContext("commit failed"), ErrorSource::kPool};
    if (!plan_.quiet) PrintSummary(rows, chunks);
    return std::nullopt;
  }

 private:
  std::optional<Failure> ReadFile(const std::string& path) {
    auto file = InputFile::Open(path);
    if (!file.ok()) return Failure{file.status(), ErrorSource::kInput};
    store::InputReader& in = (*file)->reader();
    store::InputOptions o = plan_.input;
    if (plan_.format) {
      o.format = *plan_.format;
    } else if (auto f = path != "-" ? store::InputFormatFromPath(path) : std::nullopt) {
      o.format = *f;
    } else {
      auto head = in.Peek(64);
      if (!head.ok()) return Failure{head.status(), ErrorSource::kInput};
      o.format = store::SniffInputFormat(*head);
    }
    const bool typed = o.format == store::InputFormat::kArrow || o.format == store::InputFormat::kParquet;
    if (typed && !o.overrides.empty() && !table_exists_) {
      return Failure{Status::Invalid(std::string("--schema does not apply to ") +
                                     (o.format == store::InputFormat::kArrow ? "Arrow" : "Parquet") +
                                     " input (" + in.name() + " carries its schema)"),
                     ErrorSource::kUsage};
    }
    if (table_exists_) o.overrides.clear();
    o.table_schema = target_;
    std::optional<Failure> store_failure;
    TextReadStats stats;
    Status s = store::ReadInput(in, o, Callbacks(in, &store_failure), &stats);
    total_bytes_ += stats.bytes;
    if (store_failure) return store_failure;
    if (!s.ok()) return Failure{s, ErrorSource::kInput};
    return std::nullopt;
  }

  TextCallbacks Callbacks(store::InputReader& in, std::optional<Failure>* store_failure) {
    TextCallbacks cb;
    cb.on_schema = [this, store_failure](const std::shared_ptr<const Schema>& s) -> Status {
      if (!target_) target_ = s;
      Status st = Begin(s);
      if (!st.ok()) *store_failure = Failure{st, ErrorSource::kStore};
      return st;
    };
    cb.on_batch = [this, store_failure](RecordBatch b) -> Status {
      if (g_interrupted) return Status::Cancelled("interrupted");
      Status st = writer_->Append(b);
      if (!st.ok()) *store_failure = Failure{st, ErrorSource::kStore};
      return st;
    };
    const std::string source = in.name();
    cb.on_reject = [this, source](const RejectedRow& r) {
      ++rejected_;
      if (first_rejects_.size() < 3) first_rejects_.push_back(r.reason);
      if (rejects_) {
        nlohmann::ordered_json j = {{"file", source},
                                    {"line", r.line},
                                    {"byte", r.byte_offset},
                                    {"reason", r.reason},
                                    {"raw", r.raw}};
        *rejects_ << j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
                  << "\n";
      }
    };
    cb.on_progress = [this, &in](int64_t bytes, int64_t) {
      progress_.Update(in.raw_read(), in.raw_total(), total_bytes_ + bytes,
                       writer_ ? writer_->rows_written() : 0,
                       writer_ ? writer_->chunks_written() : 0);
    };
    return cb;
  }

  Status Begin(const std::shared_ptr<const Schema>& schema) {
    if (writer_) return Status::OK();
    store::WriteOptions wo;
    wo.mode = plan_.replace ? store::WriteMode::kReplace : store::WriteMode::kAppend;
    wo.durability = plan_.durability;
    if (!table_exists_) wo.create_schema = schema;
    QUIVER_ASSIGN_OR_RETURN(writer_, store_->BeginWrite(plan_.table, wo));
    return Status::OK();
  }

  void PrintSummary(int64_t rows, int64_t chunks) {
    double secs = progress_.Seconds();
    char line[512];
    std::snprintf(
        line, sizeof line,
        "ingested %s rows into \"%s\" (%lld chunks%s) in %.2f s: %.1f MB/s, %.0f rows/s%s\n",
        Thousands(rows).c_str(), plan_.table.c_str(), (long long)chunks,
        plan_.replace ? ", replacing its rows" : "", secs,
        secs > 0 ? double(total_bytes_) / 1e6 / secs : 0.0, secs > 0 ? double(rows) / secs : 0.0,
        rejected_ ? (", " + Thousands(rejected_) + " rows skipped").c_str() : "");
    std::cerr << line;
    for (const auto& r : first_rejects_) std::cerr << "  skipped: " << r << "\n";
    if (rejected_ > int64_t(first_rejects_.size()) && !rejects_) {
      std::cerr << "  (use --reject-file to keep every skipped row)\n";
    }
  }

  const IngestPlan& plan_;
  store::Store* store_;
  std::shared_ptr<const Schema> target_;
  const bool table_exists_;
  Progress progress_;
  std::unique_ptr<store::TableWriter> writer_;
  std::unique_ptr<std::ofstream> rejects_;
  int64_t total_bytes_ = 0, rejected_ = 0;
  std::vector<std::string> first_rejects_;
};

// Prints a failed ingest and returns its exit code.
int Report(const std::string& cmd, const IngestPlan& plan, const Failure& f) {
  if (f.status.code() == StatusCode::kCancelled) {
    std::cerr << "quiver " << cmd << ": interrupted; nothing was written to table \"" << plan.table
              << "\"\n";
    return kExitInterrupted;
  }
  if (f.source == ErrorSource::kUsage) return UsageError(cmd, f.status.message());
  int code = Fail(cmd, f.status, f.source);
  std::cerr << "quiver " << cmd << ": nothing was written to table \"" << plan.table << "\"\n";
  return code;
}

const char* kUsage =
    "Usage: quiver ingest POOL TABLE FILE... [options]\n"
    "\n"
    "Loads CSV, TSV, NDJSON, Arrow IPC (stream or file) or Parquet into TABLE in one\n"
    "transaction: nothing is visible until every file is read and committed, and a\n"
    "failure, Ctrl-C or kill leaves the table and the pool exactly as before.\n"
    "FILE '-' reads stdin. gzip and zstd input is decompressed (detected by its magic\n"
    "bytes). The table is created when it does not exist.\n"
    "\n"
    "Options:\n"
    "  --format csv|tsv|ndjson|arrow|parquet   default: from the extension (.csv .tsv\n"
    "                        .ndjson .jsonl .json .arrow .arrows .feather .parquet,\n"
    "                        before .gz/.zst),\n"
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
    "  --threads N           parser / Parquet row-group threads (default: all cores)\n"
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
  auto plan = ParsePlan(argv);
  if (!plan.ok()) return UsageError(cmd, plan.status().message());
  InstallSignalHandlers();

  store::StoreOptions so;
  so.max_chunk_rows = plan->input.batch_rows;
  auto st = store::Store::Open(plan->pool, so);
  if (!st.ok()) return Fail(cmd, st.status(), ErrorSource::kPool);
  store::Store& store = **st;
  std::shared_ptr<const Schema> target;
  {
    auto snap = store.GetSnapshot();  // not pinned during the ingest
    if (!snap.ok()) return Fail(cmd, snap.status(), ErrorSource::kStore);
    if (auto t = (*snap)->table(plan->table); t.ok()) {
      if (!plan->append && !plan->replace) {
        return UsageError(cmd,
                          "table \"" + plan->table +
                              "\" exists: pass --append to add rows or --replace to replace them");
      }
      target = (*t)->schema();
      Status s = CheckOverrides(*plan, *target);
      if (!s.ok()) return Fail(cmd, s, ErrorSource::kInput);
    }
  }

  Ingest ingest(*plan, &store, target);
  std::optional<Failure> failure = ingest.ReadFiles();
  if (!failure) failure = ingest.Commit();
  return failure ? Report(cmd, *plan, *failure) : kExitOk;
}

const bool kRegistered = [] {
  Register({"ingest", "load CSV, TSV, NDJSON, Arrow or Parquet files into a table (all-or-nothing)", kUsage,
            RunIngest});
  return true;
}();

}  // namespace
}  // namespace quiver::cli
