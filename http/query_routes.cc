// quiverd's query resources: POST /v1/query, POST /v1/tables/{name}/query,
// GET /v1/tables/{name}/rows and GET /v1/sql; output negotiation and the
// streamed response.
//
// Each query takes a slot (max_concurrent_queries, else 503), the latest
// snapshot, and a cancel flag watched by the watchdog thread (timeout,
// shutdown) and by the response writer (client gone). The first
// kStreamBytes of output are produced inside the handler: an error up to
// there is a proper HTTP error, and a result that ends there is sent with a
// Content-Length. A larger result is streamed (chunked) and an error after
// that point ends the stream with the format's error marker
// (columnar/text_format.h). The response's state holds the snapshot, so its
// pin lasts until the last byte is written.
#include <cctype>
#include <algorithm>
#include <charconv>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <utility>

#include "columnar/ipc.h"
#include "columnar/output_stream.h"
#include "http/compress_internal.h"
#include "http/connection_loop_internal.h"
#include "http/server_state_internal.h"
#include "store/arrow_export.h"
#include "store/exec.h"

namespace quiver::http {

namespace {

struct Output {
  ResultFormat format = ResultFormat::kJson;
  TextFormatOptions text;
  // meta=true: NDJSON starts with a {"columns": [...]} line and ends with a
  // {"stats": {...}} line; JSON gets a "stats" member.
  bool meta = false;
};

// What the query did, as the "stats" of meta=true and the X-Quiver-* headers.
json StatsJson(const store::QueryStats& s, bool truncated, double elapsed_ms) {
  return {{"rows", s.rows_returned},        {"rows_scanned", s.rows_scanned},
          {"chunks_total", s.chunks_total}, {"chunks_scanned", s.chunks_scanned},
          {"chunks_pruned", s.chunks_pruned}, {"truncated", truncated},
          {"elapsed_ms", elapsed_ms}};
}

// State of a streamed (or prefetched) query response.
struct Stream {
  ServerState* state = nullptr;
  std::string route, method, target, remote;
  Clock::time_point start;
  std::shared_ptr<const store::Snapshot> snap;
  std::shared_ptr<QueryCtx> qctx;
  std::unique_ptr<store::QueryCursor> cursor;
  std::unique_ptr<ResultWriter> writer;
  // The bytes to the client, compressed as negotiated (set when the
  // response is streamed); it writes into `sink` during Produce.
  std::unique_ptr<OutputStream> out;
  httplib::DataSink* sink = nullptr;
  // Output the writer flushes while Produce pumps goes out at once (no copy
  // into `pending`) when nothing is pending: `direct`; the bytes it sent
  // so; whether such a send failed (the client went away).
  bool direct = false;
  size_t direct_bytes = 0;
  bool send_failed = false;
  std::string pending;
  std::string sending;  // the chunk being sent (Produce), then a spare buffer
  bool done = false;  // the writer has ended (End or Fail)
  bool failed = false;
  bool binary = false;
  // The unfiltered-Arrow shortcut: the table's chunks, as they lie in the
  // mapping, are the answer's record batches.
  const store::TableView* table = nullptr;
  std::optional<store::ArrowStreamParts> parts;  // set for the shortcut
  // Set once the response is streamed: a result cut by max_result_rows
  // then ends with the error marker in formats without a trailer.
  bool streaming = false;
  bool json_format = false;
  bool meta = false;
  ResultFormat format = ResultFormat::kJson;
  int64_t max_rows = 0;

  ~Stream() {
    if (state) state->admission.Release();
    if (state && qctx) state->UnregisterQuery(qctx);
  }

  // Produces output into `pending` until it holds `limit` bytes or the
  // result is complete.
  Status Pump(size_t limit) {
    const size_t direct0 = direct_bytes;
    while (!done && pending.size() + (direct_bytes - direct0) < limit) {
      // The watchdog cancels running queries every few ms; between batches
      // the deadline is checked here as well.
      if (Clock::now() >= qctx->deadline) qctx->Cancel(CancelReason::kTimeout);
      if (qctx->cancel.load()) return qctx->CancelledStatus();
      if (parts) {
        QUIVER_ASSIGN_OR_RETURN(auto piece, parts->Next());
        if (!piece) {
          done = true;
          break;
        }
        pending.append(*piece);
        continue;
      }
      auto next = cursor->Next();
      if (!next.ok()) {
        if (next.status().code() == StatusCode::kCancelled && qctx->cancel.load()) {
          return qctx->CancelledStatus();
        }
        return next.status();
      }
      if (!next->has_value()) {
        if (streaming && !json_format && cursor->truncated()) {
          return Status::ResourceExhausted(
              "result cut at max_result_rows = " + std::to_string(max_rows) +
              " rows; add a LIMIT or raise max_result_rows");
        }
        ResultTrailer trailer;
        trailer.truncated = cursor->truncated();
        trailer.elapsed_ms = MsSince(start);
        json stats = StatsJson(cursor->stats(), trailer.truncated, trailer.elapsed_ms);
        if (meta && format == ResultFormat::kJson) trailer.extra.push_back({"stats", stats.dump()});
        QUIVER_RETURN_NOT_OK(writer->End(trailer));
        if (meta && format == ResultFormat::kNdjson) {
          pending += json({{"stats", stats}}).dump() + "\n";
        }
        done = true;
        break;
      }
      QUIVER_RETURN_NOT_OK(writer->Write(**next));
    }
    return Status::OK();
  }

  bool Send(httplib::DataSink& to, std::string_view bytes) {
    sink = &to;
    bool ok = out->Write(bytes).ok();
    sink = nullptr;
    return ok;
  }

  // The bytes sent so far (after compression).
  uint64_t bytes_out() const { return out ? out->bytes_out() : 0; }

  // One step of the chunked content provider.
  bool Produce(httplib::DataSink& sink_in) {
    if (!pending.empty()) {
      // The two buffers take turns, so that neither grows from empty again.
      sending.swap(pending);
      const bool ok = Send(sink_in, sending);
      sending.clear();
      if (!ok) {
        qctx->Cancel(CancelReason::kClientGone);
        return false;
      }
      return true;
    }
    if (done) {
      sink = &sink_in;
      bool ok = out->Finish().ok();
      sink = nullptr;
      if (!ok) return false;
      sink_in.done();
      return true;
    }
    // Large full-scan chunks go out from the mapping without a copy (at the
    // end, or on an error, Pump below writes the marker or reports it).
    if (parts && out->codec() == Codec::kIdentity && !qctx->cancel.load()) {
      auto piece = parts->Next();
      if (piece.ok() && piece->has_value()) {
        if (!Send(sink_in, **piece)) {
          qctx->Cancel(CancelReason::kClientGone);
          return false;
        }
        return true;
      }
      if (piece.ok()) {
        done = true;
        return true;
      }
    }
    const ServerConfig& cfg = state->cfg;
    Status s = cfg.test_hook ? cfg.test_hook("stream") : Status::OK();
    sink = &sink_in;
    direct = true;
    if (s.ok()) s = Pump(kStreamBytes);
    direct = false;
    sink = nullptr;
    if (send_failed) {
      qctx->Cancel(CancelReason::kClientGone);
      return false;
    }
    if (!s.ok()) {
      failed = true;
      LogRequest(*state, method, target, route, remote, 200, start, bytes_out(), -1, &s);
      if (binary) return false;  // cut off: no end-of-stream marker
      writer->Fail(s).IgnoreError();
      done = true;
    }
    return true;
  }

  // The end of a streamed response (`success`: its last byte went out).
  void Release(bool success) {
    ServerState& st = *state;
    st.ForgetClient(*qctx);
    if (!success) qctx->Cancel(CancelReason::kClientGone);
    int64_t rows = -1;
    if (cursor) {
      AddQueryStats(st.metrics, cursor->stats());
      rows = cursor->stats().rows_returned;
    } else if (table) {
      rows = table->num_rows();
    }
    st.metrics.bytes_sent += bytes_out();
    if (!failed) {
      LogRequest(st, method, target, route, remote, success ? 200 : 499, start, bytes_out(), rows);
    } else {
      st.metrics.Request(route, 200, MsSince(start) / 1000.0);
    }
    // Release the snapshot, cursor and slot before the request counts as
    // finished (Shutdown waits for this).
    cursor.reset();
    snap.reset();
    st.LeaveRequest();
  }
};

// Reads format=, orient=, int64_as_string= and header= (or the body's
// "format" and "orient", or the Accept header). False after a 400 or 406.
bool ParseOutput(Call& c, Output* out, const json* body = nullptr) {
  std::string fmt = c.req.get_param_value("format");
  if (fmt.empty() && body && body->contains("format") && (*body)["format"].is_string()) {
    fmt = (*body)["format"].get<std::string>();
  }
  if (!fmt.empty()) {
    if (fmt == "jsonl") fmt = "ndjson";
    if (fmt == "arrows" || fmt == "arrow-stream") fmt = "arrow";
    auto f = ParseResultFormat(fmt);
    if (!f.ok()) {
      SetInvalid(c.res, "format=" + fmt + ": " + f.status().message());
      return false;
    }
    out->format = *f;
  } else if (c.req.has_header("Accept")) {
    std::string accept = c.req.get_header_value("Accept");
    struct {
      const char* media;
      ResultFormat f;
    } kinds[] = {
        {"application/vnd.apache.arrow.stream", ResultFormat::kArrow},
        {"application/vnd.apache.arrow.file", ResultFormat::kArrowFile},
        {"application/vnd.apache.parquet", ResultFormat::kParquet},
        {"application/x-ndjson", ResultFormat::kNdjson},
        {"application/ndjson", ResultFormat::kNdjson},
        {"application/jsonl", ResultFormat::kNdjson},
        {"text/csv", ResultFormat::kCsv},
        {"text/tab-separated-values", ResultFormat::kTsv},
        {"application/json", ResultFormat::kJson},
        {"text/plain", ResultFormat::kTable},
    };
    // The first media range in the header that we produce wins.
    size_t best = std::string::npos;
    bool found = false;
    for (const auto& k : kinds) {
      size_t at = accept.find(k.media);
      if (at != std::string::npos && at < best) {
        best = at;
        out->format = k.f;
        found = true;
      }
    }
    if (!found && !accept.empty() && accept.find("*/*") == std::string::npos &&
        accept.find("application/*") == std::string::npos &&
        accept.find("text/*") == std::string::npos) {
      SetError(c.res, 406, "not_acceptable",
               "cannot produce \"" + accept +
                   "\"; results come as application/json, application/x-ndjson, text/csv, "
                   "text/tab-separated-values, text/plain, "
                   "application/vnd.apache.arrow.stream or application/vnd.apache.parquet (or "
                   "ask with format=)");
      return false;
    }
  }
  std::string orient = c.req.get_param_value("orient");
  if (orient.empty() && body && body->contains("orient") && (*body)["orient"].is_string()) {
    orient = (*body)["orient"].get<std::string>();
  }
  if (orient == "records") {
    out->text.records = true;
  } else if (!orient.empty() && orient != "values" && orient != "rows") {
    SetInvalid(c.res, "orient=" + orient + ": expected records or values");
    return false;
  }
  std::string i64 = c.req.get_param_value("int64_as_string");
  out->text.int64_as_string = i64 == "1" || i64 == "true";
  std::string header = c.req.get_param_value("header");
  if (header == "0" || header == "false") out->text.header = false;
  std::string meta = c.req.get_param_value("meta");
  out->meta = meta == "1" || meta == "true";
  // format=parquet: the page codec (zstd by default).
  std::string compression = c.req.get_param_value("compression");
  if (compression.empty() && body && body->contains("compression") &&
      (*body)["compression"].is_string()) {
    compression = (*body)["compression"].get<std::string>();
  }
  if (!compression.empty()) out->text.compression = compression;
  return true;
}

// Opens the query `q` into `s` (a slot is already held): the snapshot, the
// table, and either the full-scan shortcut or a cursor and result writer.
// False after an error response.
bool OpenStream(ServerState& st, Call& c, const query::Query& q, const Output& out,
                const std::shared_ptr<Stream>& s, std::shared_ptr<const store::Snapshot> pinned) {
  const ServerConfig& cfg = st.cfg;
  if (pinned) {
    s->snap = std::move(pinned);
  } else {
    auto snap = st.store->GetSnapshot();
    if (!snap.ok()) return SetStatusError(c.res, snap.status()), false;
    s->snap = *snap;
  }
  // A query of one table names it: answer an unknown name with the list of
  // tables (a subquery, WITH name or SELECT without FROM is the executor's).
  Result<const store::TableView*> table = static_cast<const store::TableView*>(nullptr);
  if (q.is_simple()) {
    table = s->snap->table(q.table);
    if (!table.ok()) return TableNotFound(c, *s->snap, table.status()), false;
  }
  if (out.format == ResultFormat::kArrow && store::IsFullScan(q) &&
      (*table)->num_rows() <= cfg.max_result_rows) {
    // The table's chunks are already the answer in Arrow IPC form.
    s->table = *table;
    auto parts = store::ArrowStreamParts::Make(**table);
    if (!parts.ok()) return SetStatusError(c.res, parts.status()), false;
    s->parts = std::move(*parts);
    return true;
  }
  store::QueryOptions opts;
  opts.threads = cfg.query_threads;
  opts.max_rows = cfg.max_result_rows;
  opts.memory_limit_bytes = cfg.max_query_memory;
  opts.cancel = &s->qctx->cancel;
  auto cursor = store::OpenQuery(s->snap, q, opts);
  if (!cursor.ok()) {
    Status e = cursor.status();
    if (e.code() == StatusCode::kCancelled) e = s->qctx->CancelledStatus();
    return SetStatusError(c.res, e), false;
  }
  s->cursor = std::move(*cursor);
  Stream* raw = s.get();
  s->writer = ResultWriter::Make(
      out.format,
      [raw](std::string_view bytes) {
        if (raw->direct && raw->pending.empty()) {
          raw->direct_bytes += bytes.size();
          Status sent = raw->out->Write(bytes);
          if (!sent.ok()) raw->send_failed = true;
          return sent;
        }
        raw->pending.append(bytes);
        return Status::OK();
      },
      out.text);
  if (out.meta && out.format == ResultFormat::kNdjson) {
    json cols = json::array();
    for (const Field& f : s->cursor->schema()->fields()) {
      cols.push_back({{"name", f.name}, {"type", f.type.value_type().ToString()}});  // as in JSON
    }
    s->pending += json({{"columns", cols}}).dump(-1, ' ', false, json::error_handler_t::replace);
    s->pending += "\n";
  }
  Status b = s->writer->Begin(*s->cursor->schema());
  if (!b.ok()) return SetStatusError(c.res, b), false;
  return true;
}

// Sends the rest of `s` with chunked transfer encoding, compressed as a
// stream when accepted.
void StreamResponse(ServerState& st, Call& c, const std::shared_ptr<Stream>& s, const char* ctype) {
  Encoding e = AcceptedEncoding(c.req);
  if (st.cfg.compress_min_bytes > kStreamBytes) e = Encoding::kIdentity;
  Stream* raw = s.get();
  TextSink to_client = [raw](std::string_view bytes) {
    ChunkWriter* chunks = ServingChunks();
    const bool ok = chunks != nullptr ? chunks->WriteChunk(bytes)
                                      : raw->sink->write(bytes.data(), bytes.size());
    return ok ? Status::OK() : Status::Cancelled("the client went away");
  };
  auto out = OutputStream::Make(to_client, e);
  if (!out.ok()) {  // this codec cannot be made here: send it uncompressed
    e = Encoding::kIdentity;
    out = OutputStream::Make(to_client);
  }
  s->out = std::move(*out);
  if (e != Encoding::kIdentity) c.res.set_header("Content-Encoding", EncodingName(e));
  c.res.set_header("Vary", "Accept-Encoding");
  c.res.status = 200;
  c.streaming = true;
  s->streaming = true;
  c.res.set_chunked_content_provider(
      ctype, [s](size_t, httplib::DataSink& sink) { return s->Produce(sink); },
      [s](bool success) { s->Release(success); });
}

// The depth of an expression tree and its longest IN list.
void Measure(const query::Expr& e, int depth, int* max_depth, size_t* max_in) {
  *max_depth = std::max(*max_depth, depth);
  if (e.kind == query::ExprKind::kIn) *max_in = std::max(*max_in, e.args.size() - 1);
  for (const auto& a : e.args) {
    if (a) Measure(*a, depth + 1, max_depth, max_in);
  }
}

// The size limits on a parsed query (README, "Limits"): a 400 past one.
bool WithinLimits(const ServerConfig& cfg, Call& c, const query::Query& q) {
  int depth = 0;
  size_t in = 0;
  if (q.where) Measure(*q.where, 1, &depth, &in);
  std::string over;
  if (in > size_t(cfg.max_in_list)) {
    over = "an IN list of " + std::to_string(in) + " values is over max_in_list = " +
           std::to_string(cfg.max_in_list);
  } else if (depth > cfg.max_expr_depth) {
    over = "the WHERE expression nests " + std::to_string(depth) +
           " levels deep, over max_expr_depth = " + std::to_string(cfg.max_expr_depth);
  } else if (q.select.size() > size_t(cfg.max_result_columns)) {
    over = std::to_string(q.select.size()) + " result columns is over max_result_columns = " +
           std::to_string(cfg.max_result_columns);
  }
  if (over.empty()) return true;
  SetError(c.res, 400, "limit_exceeded", over);
  return false;
}

// False (and a 400) when SQL text is over max_sql_bytes.
bool SqlWithinLimit(const ServerConfig& cfg, Call& c, std::string_view sql) {
  if (sql.size() <= cfg.max_sql_bytes) return true;
  SetError(c.res, 400, "limit_exceeded",
           "SQL text of " + std::to_string(sql.size()) + " bytes is over max_sql_bytes = " +
               std::to_string(cfg.max_sql_bytes));
  return false;
}

// A client's X-Quiver-Query-Id: up to 64 of A-Z a-z 0-9 . _ -
bool ValidQueryId(const std::string& id) {
  if (id.size() > 64) return false;
  for (char ch : id) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '_' && ch != '-') {
      return false;
    }
  }
  return true;
}

void RunQuery(ServerState& st, Call& c, const query::Query& q, const Output& out,
              std::shared_ptr<const store::Snapshot> pinned = nullptr) {
  const ServerConfig& cfg = st.cfg;
  if (!WithinLimits(cfg, c, q)) return;
  if (!ValidQueryId(c.req.get_header_value("X-Quiver-Query-Id"))) {
    return SetInvalid(c.res, "X-Quiver-Query-Id: up to 64 letters, digits, '.', '_' or '-'");
  }
  Admission::Outcome admitted = st.admission.Acquire(cfg);
  if (admitted != Admission::Outcome::kAdmitted) {
    st.metrics.queries_rejected++;
    c.res.set_header("Retry-After", "1");
    SetError(c.res, 503, "resource_exhausted",
             "too many queries running (max_concurrent_queries = " +
                 std::to_string(cfg.max_concurrent_queries) + ", " +
                 (admitted == Admission::Outcome::kQueueFull
                      ? "admission_queue = " + std::to_string(cfg.admission_queue) + " waiting"
                      : "no slot within admission_wait_ms = " +
                            std::to_string(cfg.admission_wait_ms)) +
                 "); retry later");
    return;
  }
  st.metrics.queries++;
  auto s = std::make_shared<Stream>();
  s->state = &st;  // from here the Stream releases the slot
  s->route = c.route;
  s->method = c.req.method;
  s->target = c.req.target;
  s->remote = c.req.remote_addr;
  s->start = c.start;
  s->binary = IsBinaryFormat(out.format);
  s->json_format = out.format == ResultFormat::kJson;
  s->meta = out.meta;
  s->format = out.format;
  s->max_rows = cfg.max_result_rows;
  // The timeout runs from here; the watchdog watches the client's socket.
  s->qctx = st.RegisterQuery(c.req.get_header_value("X-Quiver-Query-Id"), ServingSocket());
  if (cfg.test_hook) {
    Status h = cfg.test_hook("query_started");
    if (!h.ok()) return SetStatusError(c.res, h);
  }
  if (!OpenStream(st, c, q, out, s, std::move(pinned))) return;

  Status p = s->Pump(kStreamBytes);
  if (!p.ok()) return SetStatusError(c.res, p);  // nothing sent yet: a real HTTP error
  const char* ctype = ResultFormatContentType(out.format);
  c.res.set_header("X-Quiver-Txn", std::to_string(s->snap->txn()));
  if (!s->done) return StreamResponse(st, c, s, ctype);
  // The whole result fits one buffer.
  if (s->cursor) {
    const store::QueryStats& qs = s->cursor->stats();
    c.rows = qs.rows_returned;
    if (s->cursor->truncated()) c.res.set_header("X-Quiver-Truncated", "true");
    c.res.set_header("X-Quiver-Rows-Scanned", std::to_string(qs.rows_scanned));
    c.res.set_header("X-Quiver-Chunks-Scanned", std::to_string(qs.chunks_scanned));
    c.res.set_header("X-Quiver-Chunks-Pruned", std::to_string(qs.chunks_pruned));
    AddQueryStats(st.metrics, s->cursor->stats());
  } else {
    c.rows = s->table->num_rows();
  }
  std::string body;
  body.swap(s->pending);
  SendBody(st, c, std::move(body), ctype);
}

// The error for a parse error, with its position (and the parameter it was in).
void ParseError(Call& c, const Status& s, const query::TextPosition& pos,
                const std::string& parameter = "") {
  json extra = PositionJson(pos);
  if (!parameter.empty()) extra["parameter"] = parameter;
  SetStatusError(c.res, Status(s.code(), (parameter.empty() ? "" : parameter + ": ") + s.message()),
                 extra);
}

// An error about a name the SQL text holds ("unknown column \"x\"", unknown
// function or table): the position of that name in the text, as for a parse
// error, so that a client can point at it.
void AddNamePosition(Call& c, std::string_view sql) {
  if (c.streaming || c.res.status < 400 || sql.empty()) return;
  try {
    json body = json::parse(c.res.body);
    json& e = body["error"];
    if (!e.is_object() || e.contains("line") || !e["message"].is_string()) return;
    static const std::regex kName(R"re(^unknown (column|table|function) ["']([^"']+)["'])re");
    std::smatch m;
    const std::string msg = e["message"].get<std::string>();
    if (!std::regex_search(msg, m, kName)) return;
    auto pos = query::FindIdentifier(sql, m[2].str());
    if (!pos) return;
    e["line"] = pos->line;
    e["column"] = pos->column;
    e["offset"] = pos->offset;
    c.res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n",
                      "application/json");
  } catch (const json::exception&) {
    // not our JSON error body: leave it
  }
}

// A {"sql": ...} body.
void PostSqlBody(ServerState& st, Call& c, const std::string& table, json& body,
                 const Output& out) {
  if (!table.empty()) {
    return SetInvalid(c.res,
                      "POST /v1/tables/{name}/query takes the JSON query model; send SQL to "
                      "/v1/query");
  }
  if (!body["sql"].is_string()) return SetInvalid(c.res, "\"sql\" must be a string");
  if (body.size() != 1) {
    return SetInvalid(c.res, "a query body has either \"sql\" or the JSON model, not both");
  }
  std::string sql = body["sql"].get<std::string>();
  if (!SqlWithinLimit(st.cfg, c, sql)) return;
  query::TextPosition pos;
  auto q = query::ParseSql(sql, &pos);
  if (!q.ok()) return ParseError(c, q.status(), pos, "sql");
  RunQuery(st, c, *q, out);
  AddNamePosition(c, sql);
}

}  // namespace

// POST /v1/query and POST /v1/tables/{name}/query.
void PostQuery(ServerState& st, Call& c, const std::string& table) {
  std::string media = MediaType(c.req);
  Output out;
  if (media == "application/sql" || (media == "text/plain" && table.empty())) {
    if (!ParseOutput(c, &out)) return;
    if (!SqlWithinLimit(st.cfg, c, c.req.body)) return;
    query::TextPosition pos;
    auto q = query::ParseSql(c.req.body, &pos);
    if (!q.ok()) return ParseError(c, q.status(), pos);
    RunQuery(st, c, *q, out);
    return AddNamePosition(c, c.req.body);
  }
  if (media != "application/json" && !media.empty()) {
    return SetError(c.res, 415, "unsupported_media_type",
                    "a query is sent as Content-Type: application/json (or application/sql "
                    "for SQL text), not " +
                        media);
  }
  json body;
  if (!ParseJsonBody(c.req.body, &body, c.res)) return;
  if (!body.is_object()) {
    return SetInvalid(c.res,
                      "the request body must be a JSON object: {\"sql\": \"SELECT ...\"} or "
                      "the JSON query model with \"table\"");
  }
  if (!ParseOutput(c, &out, &body)) return;
  body.erase("format");
  body.erase("orient");
  if (body.contains("sql")) return PostSqlBody(st, c, table, body, out);
  if (!table.empty()) {
    if (body.contains("table") && body["table"] != table) {
      return SetInvalid(c.res, "the body names table " + body["table"].dump() +
                                   " but the URL names \"" + table + "\"");
    }
    body["table"] = table;
  } else if (!body.contains("table")) {
    return SetInvalid(c.res, "the query needs \"table\" (or send {\"sql\": \"SELECT ...\"})");
  }
  auto q = query::ParseJsonQuery(body.dump());
  if (!q.ok()) return SetStatusError(c.res, q.status());
  RunQuery(st, c, *q, out);
}

// GET /v1/tables/{name}/rows?select=&where=&group_by=&order_by=&limit=&offset=
void GetRows(ServerState& st, Call& c, const std::string& table) {
  static const std::set<std::string> kKnown = {
      "select", "where",  "group_by",        "order_by", "limit", "offset",
      "format", "orient", "int64_as_string", "header",   "meta"};
  for (const auto& [k, v] : c.req.params) {
    if (!kKnown.count(k)) {
      return SetInvalid(c.res, "unknown parameter \"" + k +
                                   "\" (known: select, where, group_by, order_by, limit, offset, "
                                   "format, orient, int64_as_string, header, meta)");
    }
  }
  Output out;
  if (!ParseOutput(c, &out)) return;
  query::Query q;
  q.table = table;
  query::TextPosition pos;
  if (c.req.has_param("select")) {
    auto s = query::ParseSelectList(c.req.get_param_value("select"), &pos);
    if (!s.ok()) return ParseError(c, s.status(), pos, "select");
    q.select = std::move(*s);
  }
  if (c.req.has_param("where")) {
    auto w = query::ParseFilter(c.req.get_param_value("where"), &pos);
    if (!w.ok()) return ParseError(c, w.status(), pos, "where");
    q.where = std::move(*w);
  }
  if (c.req.has_param("group_by")) {
    auto g = query::ParseColumnList(c.req.get_param_value("group_by"), &pos);
    if (!g.ok()) return ParseError(c, g.status(), pos, "group_by");
    q.group_by = std::move(*g);
  }
  if (c.req.has_param("order_by")) {
    auto o = query::ParseOrderBy(c.req.get_param_value("order_by"), &pos);
    if (!o.ok()) return ParseError(c, o.status(), pos, "order_by");
    q.order_by = std::move(*o);
  }
  for (const char* name : {"limit", "offset"}) {
    if (!c.req.has_param(name)) continue;
    std::string v = c.req.get_param_value(name);
    int64_t n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || p != v.data() + v.size() || n < 0) {
      return SetInvalid(c.res, std::string(name) + "=" + v.substr(0, 64) +
                                   ": expected a non-negative integer below 2^63");
    }
    (std::string_view(name) == "limit" ? q.limit : q.offset) = n;
  }
  RunQuery(st, c, q, out);
}

void RunPinnedQuery(ServerState& st, Call& c, const query::Query& q,
                    std::shared_ptr<const store::Snapshot> snap) {
  Output out;
  out.format = ResultFormat::kArrow;
  if (!ParseOutput(c, &out)) return;
  RunQuery(st, c, q, out, std::move(snap));
}

// GET /v1/sql?q=SELECT ...
void GetSql(ServerState& st, Call& c) {
  if (!c.req.has_param("q")) return SetInvalid(c.res, "missing parameter q (the SQL text)");
  Output out;
  if (!ParseOutput(c, &out)) return;
  if (!SqlWithinLimit(st.cfg, c, c.req.get_param_value("q"))) return;
  query::TextPosition pos;
  const std::string sql = c.req.get_param_value("q");
  auto q = query::ParseSql(sql, &pos);
  if (!q.ok()) return ParseError(c, q.status(), pos, "q");
  RunQuery(st, c, *q, out);
  AddNamePosition(c, sql);
}

// GET /v1/queries: the running queries, [{id, elapsed_ms, cancelled}].
void ListQueries(ServerState& st, Call& c) {
  json arr = json::array();
  {
    std::lock_guard<std::mutex> g(st.mu);
    for (const auto& q : st.queries) {
      json reason = nullptr;
      if (q->reason.load() != CancelReason::kNone) reason = CancelReasonName(q->reason.load());
      arr.push_back({{"id", q->id}, {"elapsed_ms", MsSince(q->started)}, {"cancelled", reason}});
    }
  }
  SendJson(st, c, arr);
}

// DELETE /v1/queries/{id}: cancels the running queries sent with
// X-Quiver-Query-Id: {id}. 200 {"id", "cancelled": n}, 404 when none runs.
void CancelQuery(ServerState& st, Call& c, const std::string& id) {
  if (id.empty() || !ValidQueryId(id)) {
    return SetInvalid(c.res, "a query id is up to 64 letters, digits, '.', '_' or '-'");
  }
  int n = st.CancelQueries(id, CancelReason::kClientRequest);
  if (n == 0) {
    return SetError(c.res, 404, "not_found",
                    "no running query with id \"" + id + "\" (it may have finished)");
  }
  SendJson(st, c, {{"id", id}, {"cancelled", n}});
}

}  // namespace quiver::http
