// quiver ls | schema | head | sql | query | export: reading a pool's tables.
//
// Every command here opens the pool read-only (a reader: it never takes
// the writer lock, so it runs while quiverd or an ingest writes) and reads
// one pinned snapshot. Results stream: a batch is rendered and written
// before the next is read, so memory stays at about one chunk whatever the
// result size (the table format alone buffers, to align its columns).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>

#include "columnar/builder.h"
#include "columnar/ipc.h"
#include "columnar/output_stream.h"
#include "columnar/schema.h"
#include "columnar/text_format.h"
#include "config/units.h"
#include "pmem/pool.h"
#include "store/arrow_export.h"
#include "store/exec.h"
#include "store/query.h"
#include "store/store.h"
#include "tools/cli/cli.h"
#include "tools/cli/store_util.h"

namespace quiver::cli {
namespace {

using Clock = std::chrono::steady_clock;
using quiver::FormatBytes;

// ---------------------------------------------------------------------------
// Output: an OutputStream (columnar/output_stream.h) into a file descriptor
// ---------------------------------------------------------------------------

// Writes everything to `fd`, retrying short writes; `name` is for messages.
TextSink FdDestination(int fd, std::string name) {
  return [fd, name](std::string_view bytes) -> Status {
    while (!bytes.empty()) {
      ssize_t n = ::write(fd, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::IOError("write to " + name + ": " + std::strerror(errno));
      }
      bytes.remove_prefix(size_t(n));
    }
    return Status::OK();
  };
}

bool StdoutIsTerminal() { return isatty(STDOUT_FILENO) == 1; }

// Set by SIGINT/SIGTERM during an export, so that it stops, removes its
// partial file and exits.
std::atomic<bool> g_interrupted{false};
extern "C" void OnInterrupt(int) { g_interrupted.store(true); }

// ---------------------------------------------------------------------------
// Argument helpers
// ---------------------------------------------------------------------------

// Parses a non-negative integer option; false (with *error set) otherwise.
bool ParseCount(const std::string& name, const std::string& text, int64_t* out,
                std::string* error) {
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < 0 || errno == ERANGE) {
    *error = name + " needs a non-negative integer, not \"" + text + "\"";
    return false;
  }
  *out = v;
  return true;
}

// The output format: --format, else table on a terminal and csv otherwise.
Result<ResultFormat> FormatArg(const Args& args) {
  if (args.Has("format")) return ParseResultFormat(args.Get("format"));
  return StdoutIsTerminal() ? ResultFormat::kTable : ResultFormat::kCsv;
}

// Prints a parse error with the text and a caret under the position:
//   quiver sql: syntax error at line 1, column 10: expected FROM, found 'FORM'
//     SELECT a FORM t
//              ^
int ParseFail(const std::string& cmd, const std::string& label, std::string_view text,
              const Status& s, const query::TextPosition& pos) {
  std::cerr << "quiver " << cmd << ": " << label << s.message() << "\n";
  size_t offset = std::min(pos.offset, text.size());
  size_t start = 0;
  if (offset > 0) {
    size_t nl = text.rfind('\n', offset - 1);
    if (nl != std::string_view::npos) start = nl + 1;
  }
  size_t end = text.find('\n', offset);
  if (end == std::string_view::npos) end = text.size();
  std::string line(text.substr(start, end - start));
  for (char& c : line) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';  // tabs and CRs keep the caret aligned
  }
  size_t column = 0;  // code points before the error
  for (size_t i = start; i < offset; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  }
  std::cerr << "  " << line << "\n  " << std::string(column, ' ') << "^\n";
  return kExitData;
}

// ---------------------------------------------------------------------------
// Running a query into a writer
// ---------------------------------------------------------------------------

struct Progress {
  bool enabled = false;
  Clock::time_point start = Clock::now();
  Clock::time_point last = start;
  bool shown = false;
  int64_t rows = 0;
  const OutputStream* out = nullptr;

  double Seconds() const { return std::chrono::duration<double>(Clock::now() - start).count(); }
  void Update(int64_t more_rows) {
    rows += more_rows;
    if (!enabled) return;
    auto now = Clock::now();
    if (now - last < std::chrono::milliseconds(200)) return;
    last = now;
    double mb = double(out->bytes_out()) / 1e6;
    std::fprintf(stderr, "\r\033[K  %lld rows, %.1f MB, %.1f MB/s", (long long)rows, mb,
                 mb / std::max(Seconds(), 1e-9));
    std::fflush(stderr);
    shown = true;
  }
  void Clear() {
    if (shown) std::fputs("\r\033[K", stderr);
    shown = false;
  }
};

// Streams the cursor's batches into `w`. On an error after Begin the
// writer's error marker ends the output (unless `mark_errors` is false).
Status StreamCursor(store::QueryCursor& cursor, ResultWriter& w, Progress* progress,
                    bool mark_errors) {
  Status s = w.Begin(*cursor.schema());
  while (s.ok()) {
    if (g_interrupted.load()) {
      s = Status::Cancelled("interrupted");
      break;
    }
    auto batch = cursor.Next();
    if (!batch.ok()) {
      s = batch.status();
      break;
    }
    if (!batch->has_value()) break;
    s = w.Write(**batch);
    if (progress) progress->Update((*batch)->num_rows);
  }
  if (!s.ok()) {
    if (mark_errors) w.Fail(s).IgnoreError();
    return s;
  }
  ResultTrailer trailer;
  trailer.truncated = cursor.truncated();
  trailer.elapsed_ms = cursor.stats().elapsed_ms;
  return w.End(trailer);
}

// Runs `q` on the pool and prints the result on stdout.
int RunToStdout(const std::string& cmd, const std::string& pool, const query::Query& q,
                ResultFormat format) {
  if (IsBinaryFormat(format) && StdoutIsTerminal()) {
    return UsageError(cmd, "refusing to write Arrow IPC bytes to a terminal (redirect stdout)");
  }
  auto store = OpenStore(pool, true);
  if (!store.ok()) return Fail(cmd, store.status(), ErrorSource::kPool);
  auto snap = (*store)->GetSnapshot();
  if (!snap.ok()) return Fail(cmd, snap.status(), ErrorSource::kStore);
  auto cursor = store::OpenQuery(*snap, q);
  if (!cursor.ok()) return Fail(cmd, cursor.status(), ErrorSource::kStore);
  auto out = OutputStream::Make(FdDestination(STDOUT_FILENO, "stdout"));
  if (!out.ok()) return Fail(cmd, out.status(), ErrorSource::kStore);
  auto w = ResultWriter::Make(format, (*out)->AsTextSink());
  // The table format shows nothing of a failed result: the message goes to
  // stderr alone. The streaming formats end with their error marker.
  Status s = StreamCursor(**cursor, *w, nullptr, format != ResultFormat::kTable);
  if (!s.ok()) return Fail(cmd, s, ErrorSource::kStore);
  return kExitOk;
}

// ---------------------------------------------------------------------------
// ls, schema
// ---------------------------------------------------------------------------

// Prints `batch` as an aligned table on stdout.
Status PrintTable(const RecordBatch& batch) {
  auto w = ResultWriter::Make(ResultFormat::kTable, FdDestination(STDOUT_FILENO, "stdout"));
  QUIVER_RETURN_NOT_OK(w->Begin(*batch.schema));
  QUIVER_RETURN_NOT_OK(w->Write(batch));
  return w->End({});
}

int Ls(const std::vector<std::string>& argv) {
  const std::string cmd = "ls";
  auto args = Args::Parse(argv, {"json"}, {});
  if (!args.ok()) return UsageError(cmd, args.status().message());
  if (args->positional().size() != 1) return UsageError(cmd, "expected exactly one POOL");
  auto store = OpenStore(args->positional()[0], true);
  if (!store.ok()) return Fail(cmd, store.status(), ErrorSource::kPool);
  auto snap = (*store)->GetSnapshot();
  if (!snap.ok()) return Fail(cmd, snap.status(), ErrorSource::kStore);
  std::vector<const store::TableView*> tables;
  for (const auto& t : (*snap)->tables()) tables.push_back(&t);
  std::sort(tables.begin(), tables.end(), [](auto* a, auto* b) { return a->name() < b->name(); });
  if (args->Has("json")) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto* t : tables) {
      list.push_back({{"name", t->name()},
                      {"rows", t->num_rows()},
                      {"chunks", t->num_chunks()},
                      {"bytes", t->bytes()},
                      {"columns", t->schema()->num_fields()},
                      {"created", FormatTimestamp(int64_t(t->created_ns() / 1000000000ull),
                                                  TimeUnit::kSecond)},
                      {"modified", FormatTimestamp(int64_t(t->modified_ns() / 1000000000ull),
                                                   TimeUnit::kSecond)}});
    }
    nlohmann::json doc = {{"txn", (*snap)->txn()}, {"tables", list}};
    std::cout << doc.dump(2) << "\n";
    return kExitOk;
  }
  auto schema =
      std::make_shared<Schema>(std::vector<Field>{{"name", DataType(TypeId::kUtf8), false, {}},
                                                  {"rows", DataType(TypeId::kInt64), false, {}},
                                                  {"chunks", DataType(TypeId::kInt64), false, {}},
                                                  {"bytes", DataType(TypeId::kUInt64), false, {}}});
  RecordBatchBuilder b(schema);
  for (const auto* t : tables) {
    b.column(0).AppendString(t->name());
    b.column(1).AppendInt(t->num_rows());
    b.column(2).AppendInt(int64_t(t->num_chunks()));
    b.column(3).AppendUInt(t->bytes());
  }
  auto batch = b.Finish();
  Status s = batch.ok() ? PrintTable(*batch) : batch.status();
  if (!s.ok()) return Fail(cmd, s, ErrorSource::kStore);
  return kExitOk;
}

int SchemaCmd(const std::vector<std::string>& argv) {
  const std::string cmd = "schema";
  auto args = Args::Parse(argv, {"json", "datashape"}, {});
  if (!args.ok()) return UsageError(cmd, args.status().message());
  if (args->positional().size() != 2) return UsageError(cmd, "expected POOL TABLE");
  if (args->Has("json") && args->Has("datashape")) {
    return UsageError(cmd, "--json and --datashape exclude each other");
  }
  auto store = OpenStore(args->positional()[0], true);
  if (!store.ok()) return Fail(cmd, store.status(), ErrorSource::kPool);
  auto snap = (*store)->GetSnapshot();
  if (!snap.ok()) return Fail(cmd, snap.status(), ErrorSource::kStore);
  auto table = (*snap)->table(args->positional()[1]);
  if (!table.ok()) return Fail(cmd, table.status(), ErrorSource::kStore);
  const Schema& schema = *(*table)->schema();
  if (args->Has("json")) {
    std::cout << SchemaToJson(schema, 2) << "\n";
    return kExitOk;
  }
  if (args->Has("datashape")) {
    std::cout << SchemaToDatashape(schema) << "\n";
    return kExitOk;
  }
  auto out = std::make_shared<Schema>(
      std::vector<Field>{{"column", DataType(TypeId::kUtf8), false, {}},
                         {"type", DataType(TypeId::kUtf8), false, {}},
                         {"nullable", DataType(TypeId::kBool), false, {}}});
  RecordBatchBuilder b(out);
  for (const Field& f : schema.fields()) {
    b.column(0).AppendString(f.name);
    b.column(1).AppendString(f.type.ToString());
    b.column(2).AppendBool(f.nullable);
  }
  auto batch = b.Finish();
  Status s = batch.ok() ? PrintTable(*batch) : batch.status();
  if (!s.ok()) return Fail(cmd, s, ErrorSource::kStore);
  return kExitOk;
}

// ---------------------------------------------------------------------------
// head, sql, query
// ---------------------------------------------------------------------------

int Head(const std::vector<std::string>& argv) {
  const std::string cmd = "head";
  auto args = Args::Parse(argv, {}, {"n", "format"});
  if (!args.ok()) return UsageError(cmd, args.status().message());
  if (args->positional().size() != 2) return UsageError(cmd, "expected POOL TABLE");
  int64_t n = 10;
  std::string error;
  if (args->Has("n") && !ParseCount("-n", args->Get("n"), &n, &error)) {
    return UsageError(cmd, error);
  }
  auto format = FormatArg(*args);
  if (!format.ok()) return UsageError(cmd, format.status().message());
  query::Query q;
  q.table = args->positional()[1];
  q.limit = n;
  return RunToStdout(cmd, args->positional()[0], q, *format);
}

int Sql(const std::vector<std::string>& argv) {
  const std::string cmd = "sql";
  auto args = Args::Parse(argv, {}, {"format"});
  if (!args.ok()) return UsageError(cmd, args.status().message());
  if (args->positional().size() != 2) return UsageError(cmd, "expected POOL \"SELECT ...\"");
  auto format = FormatArg(*args);
  if (!format.ok()) return UsageError(cmd, format.status().message());
  const std::string& text = args->positional()[1];
  query::TextPosition pos;
  auto q = query::ParseSql(text, &pos);
  if (!q.ok()) return ParseFail(cmd, "", text, q.status(), pos);
  return RunToStdout(cmd, args->positional()[0], *q, *format);
}

// Fills q from --select, --where, --group-by, --order-by, --limit, --offset.
// Returns an exit code, or -1 when all parsed.
int QueryArgs(const std::string& cmd, const Args& args, query::Query* q) {
  query::TextPosition pos;
  if (args.Has("select")) {
    std::string text = args.Get("select");
    auto r = query::ParseSelectList(text, &pos);
    if (!r.ok()) return ParseFail(cmd, "--select: ", text, r.status(), pos);
    q->select = std::move(*r);
  }
  if (args.Has("where")) {
    std::string text = args.Get("where");
    auto r = query::ParseFilter(text, &pos);
    if (!r.ok()) return ParseFail(cmd, "--where: ", text, r.status(), pos);
    q->where = std::move(*r);
  }
  if (args.Has("group-by")) {
    std::string text = args.Get("group-by");
    auto r = query::ParseColumnList(text, &pos);
    if (!r.ok()) return ParseFail(cmd, "--group-by: ", text, r.status(), pos);
    q->group_by = std::move(*r);
  }
  if (args.Has("order-by")) {
    std::string text = args.Get("order-by");
    auto r = query::ParseOrderBy(text, &pos);
    if (!r.ok()) return ParseFail(cmd, "--order-by: ", text, r.status(), pos);
    q->order_by = std::move(*r);
  }
  std::string error;
  for (const char* name : {"limit", "offset"}) {
    if (!args.Has(name)) continue;
    int64_t v = 0;
    if (!ParseCount(std::string("--") + name, args.Get(name), &v, &error)) {
      return UsageError(cmd, error);
    }
    (std::string(name) == "limit" ? q->limit : q->offset) = v;
  }
  return -1;
}

int QueryCmd(const std::vector<std::string>& argv) {
  const std::string cmd = "query";
  auto args = Args::Parse(argv, {},
                          {"where", "select", "group-by", "order-by", "limit", "offset", "format"});
  if (!args.ok()) return UsageError(cmd, args.status().message());
  if (args->positional().size() != 2) return UsageError(cmd, "expected POOL TABLE");
  auto format = FormatArg(*args);
  if (!format.ok()) return UsageError(cmd, format.status().message());
  query::Query q;
  q.table = args->positional()[1];
  int code = QueryArgs(cmd, *args, &q);
  if (code >= 0) return code;
  return RunToStdout(cmd, args->positional()[0], q, *format);
}

// ---------------------------------------------------------------------------
// export
// ---------------------------------------------------------------------------

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The format named by a file's extension (.zst stripped), or csv.
ResultFormat FormatFromName(std::string name) {
  if (EndsWith(name, ".zst")) name.resize(name.size() - 4);
  if (EndsWith(name, ".tsv")) return ResultFormat::kTsv;
  if (EndsWith(name, ".ndjson") || EndsWith(name, ".jsonl")) return ResultFormat::kNdjson;
  if (EndsWith(name, ".json")) return ResultFormat::kJson;
  if (EndsWith(name, ".arrows")) return ResultFormat::kArrow;
  if (EndsWith(name, ".arrow") || EndsWith(name, ".feather")) return ResultFormat::kArrowFile;
  if (EndsWith(name, ".parquet")) return ResultFormat::kParquet;
  return ResultFormat::kCsv;
}

// Writes the whole table, reading its chunks directly (no executor): the
// Arrow stream gets the chunk bytes as they lie in the pool.
Status ExportFullScan(const store::TableView& table, ResultFormat format,
                      const TextFormatOptions& text, OutputStream* sink, Progress* progress) {
  if (format == ResultFormat::kArrow) {
    return store::WriteArrowStream(table, sink, [&](size_t i) {
      progress->Update(table.chunks()[i].rows);
      return g_interrupted.load() ? Status::Cancelled("interrupted") : Status::OK();
    });
  }
  auto w = ResultWriter::Make(format, sink->AsTextSink(), text);
  Status s = w->Begin(*table.schema());
  for (size_t i = 0; s.ok() && i < table.num_chunks(); ++i) {
    if (g_interrupted.load()) {
      s = Status::Cancelled("interrupted");
      break;
    }
    auto batch = table.ReadChunk(i);
    s = batch.ok() ? w->Write(*batch) : batch.status();
    progress->Update(table.chunks()[i].rows);
  }
  if (!s.ok()) {
    w->Fail(s).IgnoreError();
    return s;
  }
  return w->End({});
}

int Export(const std::vector<std::string>& argv) {
  const std::string cmd = "export";
  auto args = Args::Parse(argv, {"zstd", "quiet"},
                          {"format", "where", "select", "o", "output", "compression"});
  if (!args.ok()) return UsageError(cmd, args.status().message());
  if (args->positional().size() != 2) return UsageError(cmd, "expected POOL TABLE");
  std::string output = args->Has("o") ? args->Get("o") : args->Get("output");
  if (output.empty()) return UsageError(cmd, "expected -o FILE (or -o - for stdout)");
  const bool to_stdout = output == "-";
  ResultFormat format = FormatFromName(to_stdout ? "" : output);
  if (args->Has("format")) {
    auto f = ParseResultFormat(args->Get("format"));
    if (!f.ok()) return UsageError(cmd, f.status().message());
    format = *f;
  }
  if (format == ResultFormat::kTable) {
    return UsageError(cmd,
                      "export writes csv, tsv, json, ndjson, arrow, arrow-file or parquet, not table");
  }
  TextFormatOptions text;
  if (args->Has("compression")) {
    if (format != ResultFormat::kParquet) {
      return UsageError(cmd, "--compression applies to --format parquet (use --zstd otherwise)");
    }
    text.compression = args->Get("compression");
  }
  const bool zstd = args->Has("zstd") || EndsWith(output, ".zst");
  if (zstd && format == ResultFormat::kParquet) {
    return UsageError(cmd, "parquet is compressed inside the file: use --compression, not --zstd");
  }
  if (to_stdout && (zstd || IsBinaryFormat(format)) && StdoutIsTerminal()) {
    return UsageError(cmd, "refusing to write binary output to a terminal (redirect stdout)");
  }
  query::Query q;
  q.table = args->positional()[1];
  int code = QueryArgs(cmd, *args, &q);
  if (code >= 0) return code;

  auto store = OpenStore(args->positional()[0], true);
  if (!store.ok()) return Fail(cmd, store.status(), ErrorSource::kPool);
  auto snap = (*store)->GetSnapshot();
  if (!snap.ok()) return Fail(cmd, snap.status(), ErrorSource::kStore);
  auto table = (*snap)->table(q.table);
  if (!table.ok()) return Fail(cmd, table.status(), ErrorSource::kStore);
  std::unique_ptr<store::QueryCursor> cursor;
  const bool full_scan = store::IsFullScan(q);
  if (!full_scan) {
    store::QueryOptions options;
    options.cancel = &g_interrupted;
    auto c = store::OpenQuery(*snap, q, options);
    if (!c.ok()) return Fail(cmd, c.status(), ErrorSource::kStore);
    cursor = std::move(*c);
  }

  // Into FILE.tmp, renamed over FILE only once everything is written.
  const std::string tmp = output + ".tmp";
  int fd = STDOUT_FILENO;
  if (!to_stdout) {
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
      std::cerr << "quiver " << cmd << ": cannot create " << tmp << ": " << std::strerror(errno)
                << "\n";
      return kExitData;
    }
  }
  g_interrupted.store(false);
  auto old_int = std::signal(SIGINT, OnInterrupt);
  auto old_term = std::signal(SIGTERM, OnInterrupt);

  // A zstd frame (level 3, with a checksum), not flushed between writes.
  CompressOptions zstd_options;
  zstd_options.level = 3;
  zstd_options.flush_each_write = false;
  zstd_options.checksum = true;
  auto stream = OutputStream::Make(FdDestination(fd, to_stdout ? "stdout" : tmp),
                                   zstd ? Codec::kZstd : Codec::kIdentity, zstd_options);
  Status s = stream.status();
  OutputStream* sink = stream.ok() ? stream->get() : nullptr;
  Progress progress;
  progress.enabled = StderrIsTerminal() && !args->Has("quiet");
  progress.out = sink;

  if (s.ok() && full_scan) {
    s = ExportFullScan(**table, format, text, sink, &progress);
  } else if (s.ok()) {
    auto w = ResultWriter::Make(format, sink->AsTextSink(), text);
    s = StreamCursor(*cursor, *w, &progress, true);
  }
  if (s.ok()) s = sink->Finish();
  if (s.ok() && !to_stdout && ::fsync(fd) != 0) {
    s = Status::IOError("fsync " + tmp + ": " + std::strerror(errno));
  }
  if (!to_stdout && ::close(fd) != 0 && s.ok()) {
    s = Status::IOError("close " + tmp + ": " + std::strerror(errno));
  }
  if (s.ok() && !to_stdout && ::rename(tmp.c_str(), output.c_str()) != 0) {
    s = Status::IOError("rename " + tmp + " to " + output + ": " + std::strerror(errno));
  }
  progress.Clear();
  std::signal(SIGINT, old_int);
  std::signal(SIGTERM, old_term);
  if (!s.ok()) {
    if (!to_stdout) ::unlink(tmp.c_str());
    std::cerr << "quiver " << cmd << ": " << s.message()
              << (to_stdout ? "" : " (nothing written to " + output + ")") << "\n";
    return ExitCodeFor(s, ErrorSource::kStore);
  }
  if (!args->Has("quiet")) {
    double secs = progress.Seconds();
    char rate[64];
    std::snprintf(rate, sizeof rate, "%.2f s, %.1f MB/s", secs,
                  double(sink->bytes_out()) / 1e6 / std::max(secs, 1e-9));
    std::cerr << "exported " << progress.rows << (progress.rows == 1 ? " row" : " rows") << " of "
              << q.table << " to " << (to_stdout ? "stdout" : output) << " ("
              << ResultFormatName(format) << (zstd ? ", zstd" : "") << ", "
              << FormatBytes(sink->bytes_out()) << ") in " << rate << "\n";
  }
  return kExitOk;
}

// ---------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------

const char kFormatsHelp[] =
    "Formats (--format): table (aligned columns for people; the default when stdout\n"
    "is a terminal), csv (the default otherwise), tsv, json, ndjson, arrow (an Arrow\n"
    "IPC stream). Values: NULL is an empty CSV field, `NULL` in the table and null in\n"
    "JSON; floats print the shortest text that reads back exactly; dates YYYY-MM-DD;\n"
    "timestamps ISO 8601 in UTC (2023-11-14T22:13:20.123Z); binary as base64.\n";

const bool kRegistered = [] {
  Register({"ls", "list the tables of a pool",
            "Usage: quiver ls POOL [--json]\n\n"
            "Lists the tables (name, rows, chunks, bytes), sorted by name, as of the latest\n"
            "committed state. --json adds column counts and creation/modification times.\n",
            Ls});
  Register({"schema", "show a table's columns and types",
            "Usage: quiver schema POOL TABLE [--json | --datashape]\n\n"
            "Prints the columns (name, type, nullable) as a table, or the schema as JSON\n"
            "(the form quiverd serves) or datashape text (var * {id: int64, fare: ?float64}).\n",
            SchemaCmd});
  Register({"head", "show the first rows of a table",
            std::string("Usage: quiver head POOL TABLE [-n N] [--format FORMAT]\n\n"
                        "Prints the first N rows (default 10) in table order.\n\n") +
                kFormatsHelp,
            Head});
  Register(
      {"sql", "run a SQL query",
       std::string("Usage: quiver sql POOL \"SELECT ... FROM TABLE ...\" [--format FORMAT]\n\n"
                   "Runs one SELECT (WHERE, GROUP BY with COUNT/SUM/MIN/MAX/AVG, ORDER BY,\n"
                   "LIMIT, OFFSET) on a snapshot of the pool and prints the result on stdout.\n"
                   "A syntax error is shown with a caret under its position; exit 2 for a bad\n"
                   "query or an unknown table or column.\n\n") +
           kFormatsHelp,
       Sql});
  Register(
      {"query", "run a query given as options",
       std::string(
           "Usage: quiver query POOL TABLE [--select LIST] [--where CONDITION]\n"
           "                    [--group-by COLUMNS] [--order-by KEYS] [--limit N]\n"
           "                    [--offset N] [--format FORMAT]\n\n"
           "The pieces of a SQL query, each in its SQL spelling, e.g.\n"
           "  quiver query p.pool trips --where \"fare > 30 and city in ('a', 'b')\" \\\n"
           "      --select \"city, count(*) as n\" --group-by city --order-by \"n desc\"\n\n") +
           kFormatsHelp,
       QueryCmd});
  Register({"export", "write a table (or a query on it) to a file",
            "Usage: quiver export POOL TABLE -o FILE|- [--format FORMAT] [--where CONDITION]\n"
            "                     [--select LIST] [--zstd] [--compression CODEC] [--quiet]\n\n"
            "Streams the rows to FILE (- for stdout) without holding the table in memory.\n"
            "FORMAT is csv, tsv, json, ndjson, arrow (IPC stream), arrow-file (Feather\n"
            "v2) or parquet; without --format it follows FILE's extension (.csv .tsv .json\n"
            ".ndjson .jsonl .arrows .arrow .feather .parquet, default csv). --zstd\n"
            "compresses the output (implied by a .zst suffix); parquet compresses its\n"
            "pages with --compression zstd (default), snappy, gzip, lz4, brotli or none,\n"
            "in row groups of about a million rows. An unfiltered arrow export copies the\n"
            "chunks' bytes as they lie in the pool. The file is written as FILE.tmp and\n"
            "renamed at the end, so a failed or interrupted export leaves no partial FILE.\n"
            "Progress is shown when stderr is a terminal; a summary line follows (--quiet:\n"
            "neither).\n",
            Export});
  return true;
}();

}  // namespace
}  // namespace quiver::cli
