// quiverd's table resources: GET /v1/health, GET and POST /v1/tables,
// GET and DELETE /v1/tables/{name}, POST /v1/tables/{name}/rows.
#include <stdlib.h>

#include "columnar/decimal.h"
#include "columnar/schema.h"
#include "http/ingest_internal.h"
#include "http/server_state_internal.h"
#include "kernels/kernels.h"
#include "store/exec.h"
#include "store/ingest.h"

namespace quiver::http {

namespace {

// Statistics of one column over all chunks of a table, as JSON values.
json ColumnStatsJson(const store::TableView& t, size_t col) {
  const Field& f = t.schema()->field(col);
  ColumnStats merged;
  bool any = false;
  int64_t nulls = 0;
  for (const store::ChunkInfo& c : t.chunks()) {
    if (col >= c.stats.size()) continue;
    const ColumnStats& s = c.stats[col];
    nulls += s.null_count;
    if (!s.has_min && !s.has_max) continue;
    if (!any) {
      merged = s;
      any = true;
      continue;
    }
    switch (s.kind) {
      case ColumnStats::Kind::kInt:
        if (s.has_min && (!merged.has_min || s.min_int < merged.min_int))
          merged.min_int = s.min_int, merged.has_min = true;
        if (s.has_max && (!merged.has_max || s.max_int > merged.max_int))
          merged.max_int = s.max_int, merged.has_max = true;
        break;
      case ColumnStats::Kind::kUInt:
        if (s.has_min && (!merged.has_min || s.min_uint < merged.min_uint))
          merged.min_uint = s.min_uint, merged.has_min = true;
        if (s.has_max && (!merged.has_max || s.max_uint > merged.max_uint))
          merged.max_uint = s.max_uint, merged.has_max = true;
        break;
      case ColumnStats::Kind::kDouble:
        if (s.has_min && (!merged.has_min || s.min_double < merged.min_double))
          merged.min_double = s.min_double, merged.has_min = true;
        if (s.has_max && (!merged.has_max || s.max_double > merged.max_double))
          merged.max_double = s.max_double, merged.has_max = true;
        break;
      case ColumnStats::Kind::kBytes:
        if (s.has_min && (!merged.has_min || s.min_bytes < merged.min_bytes)) {
          merged.min_bytes = s.min_bytes, merged.has_min = true, merged.min_exact = s.min_exact;
        }
        if (s.has_max && (!merged.has_max || s.max_bytes > merged.max_bytes)) {
          merged.max_bytes = s.max_bytes, merged.has_max = true, merged.max_exact = s.max_exact;
        }
        break;
    }
  }
  auto render = [&](bool is_min) -> json {
    return any ? StatValueJson(f.type, merged, is_min) : json(nullptr);
  };
  json j = {{"name", f.name},
            {"type", f.type.ToString()},
            {"nulls", nulls},
            {"min", render(true)},
            {"max", render(false)}};
  if (merged.kind == ColumnStats::Kind::kBytes && any) {
    j["min_exact"] = merged.min_exact;
    j["max_exact"] = merged.max_exact;
  }
  // Sorted: every chunk's statistics say so and the chunks follow each
  // other in order (integer columns only; the flag is off in old pools).
  bool sorted = merged.kind == ColumnStats::Kind::kInt && !t.chunks().empty();
  bool nan = false;
  int64_t prev_max = 0;
  bool first = true;
  for (const store::ChunkInfo& c : t.chunks()) {
    if (col >= c.stats.size()) {
      sorted = false;
      continue;
    }
    const ColumnStats& s = c.stats[col];
    nan = nan || s.has_nan;
    if (!sorted || s.row_count == 0) continue;
    if (!s.sorted || (!first && s.has_min && s.min_int < prev_max)) sorted = false;
    if (s.has_max) prev_max = s.max_int;
    first = false;
  }
  j["sorted"] = sorted;
  if (merged.kind == ColumnStats::Kind::kDouble) j["has_nan"] = nan;
  return j;
}

// Estimates of distinct values per column (approx_count_distinct, a
// HyperLogLog in the executor; about 1 % off), one scan of the table. It
// runs as a query: it takes a slot (max_concurrent_queries), and the
// watchdog cancels it past query_timeout_ms or when the client goes. A
// column whose type the aggregate does not take gets null; all are null
// when no slot is free or the scan is cancelled.
json DistinctEstimates(ServerState& st, const std::shared_ptr<const store::Snapshot>& snap,
                       const store::TableView& t) {
  const Schema& schema = *t.schema();
  json out = json::array();
  if (st.admission.Acquire(st.cfg) != Admission::Outcome::kAdmitted) {
    return json::array_t(schema.num_fields(), nullptr);
  }
  std::shared_ptr<QueryCtx> qctx = st.RegisterQuery("", ServingSocket());
  struct Done {
    ServerState& st;
    std::shared_ptr<QueryCtx>& q;
    ~Done() {
      st.UnregisterQuery(q);
      st.admission.Release();
    }
  } done{st, qctx};
  auto run = [&](const std::vector<size_t>& cols) -> Result<std::vector<int64_t>> {
    query::Query q;
    q.table = t.name();
    for (size_t i : cols) {
      q.select.emplace_back(query::AggFunc::kApproxCountDistinct, schema.field(i).name);
    }
    store::QueryOptions o;
    o.threads = st.cfg.query_threads;
    o.cancel = &qctx->cancel;
    QUIVER_ASSIGN_OR_RETURN(store::QueryResult r, store::ExecuteQuery(snap, q, o));
    std::vector<int64_t> v;
    for (const auto& b : r.batches) {
      if (b.num_rows == 0) continue;
      const ColumnViews views(b);
      for (size_t c = 0; c < cols.size(); ++c) {
        kernels::Scalar x = kernels::ValueAt(views[c], 0);
        using K = kernels::Scalar::Kind;
        v.push_back(x.kind() == K::kUInt64 ? int64_t(x.uint64_value())
                    : x.kind() == K::kInt64 ? x.int64_value()
                                            : 0);
      }
    }
    if (v.size() != cols.size()) return Status::Internal("no row from approx_count_distinct");
    return v;
  };
  std::vector<size_t> all(schema.num_fields());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  auto together = run(all);
  for (size_t i = 0; i < all.size(); ++i) {
    if (together.ok()) {
      out.push_back((*together)[i]);
      continue;
    }
    if (qctx->cancel.load()) {  // timed out or the client went: no more scans
      out.push_back(nullptr);
      continue;
    }
    auto one = run({i});  // some column's type: ask the others one by one
    out.push_back(one.ok() ? json((*one)[0]) : json(nullptr));
  }
  return out;
}

}  // namespace

json StatValueJson(const DataType& type, const ColumnStats& merged, bool is_min) {
  if (!(is_min ? merged.has_min : merged.has_max)) return nullptr;
  std::string s;
  switch (merged.kind) {
    case ColumnStats::Kind::kInt: {
      int64_t v = is_min ? merged.min_int : merged.max_int;
      if (type.id == TypeId::kBool) return v != 0;
      if (type.id == TypeId::kDate32) return (AppendDate32(&s, v), s);
      if (type.id == TypeId::kTimestamp) return (AppendTimestamp(&s, v, type.unit), s);
      if (type.id == TypeId::kDate64) {
        if (v % 86400000 == 0) return (AppendDate32(&s, v / 86400000), s);
        return (AppendTimestamp(&s, v, TimeUnit::kMilli), s);
      }
      if (type.id == TypeId::kTime32 || type.id == TypeId::kTime64) {
        return (AppendTimeOfDay(&s, v, type.unit), s);
      }
      return v;
    }
    case ColumnStats::Kind::kUInt:
      return is_min ? merged.min_uint : merged.max_uint;
    case ColumnStats::Kind::kDouble:
      return is_min ? merged.min_double : merged.max_double;
    case ColumnStats::Kind::kBytes: {
      const std::string& b = is_min ? merged.min_bytes : merged.max_bytes;
      if (type.id == TypeId::kBinary || type.id == TypeId::kFixedSizeBinary) return (AppendBase64(&s, b), s);
      if (type.is_decimal()) {
        uint8_t le[32];
        if (b.size() != size_t(ByteWidth(type.id))) return nullptr;
        DecimalFromSortKey(b, le);
        return type.id == TypeId::kDecimal128 ? FormatDecimal128(LoadDecimal128(le), type.scale)
                                              : FormatDecimal256(le, type.scale);
      }
      return (AppendValidUtf8(&s, b), s);
    }
  }
  return nullptr;
}

namespace {

json FieldsJson(const Schema& schema) {
  json fields = json::array();
  for (const Field& f : schema.fields()) {
    fields.push_back({{"name", f.name}, {"type", f.type.ToString()}, {"nullable", f.nullable}});
  }
  return fields;
}

json TableSummary(const store::TableView& t) {
  return {{"name", t.name()},
          {"rows", t.num_rows()},
          {"chunks", t.num_chunks()},
          {"bytes", t.bytes()},
          {"modified", FormatTimestamp(int64_t(t.modified_ns()), TimeUnit::kNano)},
          {"modified_txn", t.modified_txn()},
          {"datashape", SchemaToDatashape(*t.schema())}};
}

json TableDetail(store::Store& store, const store::Snapshot& snap, const store::TableView& t) {
  json j = TableSummary(t);
  j["fields"] = FieldsJson(*t.schema());
  j["schema"] = json::parse(SchemaToJson(*t.schema()));
  json cols = json::array();
  for (size_t i = 0; i < t.schema()->num_fields(); ++i) cols.push_back(ColumnStatsJson(t, i));
  j["columns"] = cols;
  json chunks = json::array();
  for (size_t i = 0; i < t.chunks().size(); ++i) {
    const store::ChunkInfo& ch = t.chunks()[i];
    chunks.push_back({{"index", i},
                      {"rows", ch.rows},
                      {"offset", ch.offset},
                      {"length", ch.length},
                      {"txn", ch.created_txn}});
  }
  j["chunk_list"] = chunks;
  j["created"] = FormatTimestamp(int64_t(t.created_ns()), TimeUnit::kNano);
  j["modified"] = FormatTimestamp(int64_t(t.modified_ns()), TimeUnit::kNano);
  j["modified_txn"] = t.modified_txn();
  char abs[4096];
  std::string pool = store.path();
  if (realpath(pool.c_str(), abs) != nullptr) pool = abs;
  j["zero_copy"] = {{"pool", pool},
                    {"uuid", store.pool().Info().uuid},
                    {"txn", snap.txn()},
                    {"table", t.name()},
                    {"note",
                     "map the pool read-only and pin txn (store/store.h, Store::Open "
                     "with read_only); chunk offsets are bytes from the file start"}};
  return j;
}

// The media types ParseRowsBody reads (http/ingest_internal.h); another is a
// 415 before the body is looked at.

// Arrow and Parquet bodies carry their schema, so they may create a table
// (?create=true).
bool BodyCarriesSchema(const std::string& media) {
  auto f = store::InputFormatFromMediaType(media);
  return f.ok() && (*f == store::InputFormat::kArrow || *f == store::InputFormat::kParquet);
}

}  // namespace

void Health(ServerState& st, Call& c) {
  auto snap = st.store->GetSnapshot();
  if (!snap.ok()) return SetStatusError(c.res, snap.status());
  pmem::PoolInfo info = st.store->pool().Info();
  bool stopping = st.shutting_down.load();
  json j = {{"status", stopping ? "shutting_down" : "ok"},
            {"pool", st.store->path()},
            {"uuid", info.uuid},
            {"txn", (*snap)->txn()},
            {"engine", info.engine()},
            {"read_only", st.store->read_only()},
            {"writes_enabled", st.cfg.writes_enabled},
            {"uptime", std::chrono::duration<double>(Clock::now() - st.started).count()}};
  SendJson(st, c, j, stopping ? 503 : 200);
}

void ListTables(ServerState& st, Call& c) {
  auto snap = st.store->GetSnapshot();
  if (!snap.ok()) return SetStatusError(c.res, snap.status());
  json arr = json::array();
  for (const store::TableView& t : (*snap)->tables()) arr.push_back(TableSummary(t));
  c.res.set_header("X-Quiver-Txn", std::to_string((*snap)->txn()));
  SendJson(st, c, arr);
}

void DescribeTable(ServerState& st, Call& c, const std::string& name) {
  auto snap = st.store->GetSnapshot();
  if (!snap.ok()) return SetStatusError(c.res, snap.status());
  auto t = (*snap)->table(name);
  if (!t.ok()) return TableNotFound(c, **snap, t.status());
  c.res.set_header("X-Quiver-Txn", std::to_string((*snap)->txn()));
  json j = TableDetail(*st.store, **snap, **t);
  // int64_as_string=true: 64-bit integer statistics as strings, for
  // JavaScript (whose numbers hold 53 bits), as the query routes do.
  std::string i64 = c.req.get_param_value("int64_as_string");
  if (i64 == "1" || i64 == "true") {
    for (auto& col : j["columns"]) {
      for (const char* k : {"min", "max"}) {
        if (col[k].is_number_integer()) col[k] = col[k].dump();
      }
    }
  }
  std::string distinct = c.req.get_param_value("distinct");
  if (distinct == "1" || distinct == "true") {
    json est = DistinctEstimates(st, *snap, **t);
    for (size_t i = 0; i < est.size(); ++i) j["columns"][i]["distinct_estimate"] = est[i];
  }
  SendJson(st, c, j);
}

void CreateTable(ServerState& st, Call& c) {
  std::string media = MediaType(c.req);
  if (media != "application/json") {
    return SetError(c.res, 415, "unsupported_media_type",
                    "create a table with Content-Type: application/json and "
                    "{\"name\": ..., \"schema\": {...} or \"datashape\": \"...\"}");
  }
  json body;
  if (!ParseJsonBody(c.req.body, &body, c.res)) return;
  if (!body.is_object() || !body.contains("name") || !body["name"].is_string()) {
    return SetInvalid(c.res,
                      "expected {\"name\": \"t\", \"schema\": {\"fields\": [...]}} or "
                      "{\"name\": \"t\", \"datashape\": \"var * {...}\"}");
  }
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (it.key() != "name" && it.key() != "schema" && it.key() != "datashape" &&
        it.key() != "if_not_exists") {
      return SetInvalid(c.res, "unknown key \"" + it.key() +
                                   "\" (known: name, schema, datashape, if_not_exists)");
    }
  }
  std::string name = body["name"].get<std::string>();
  if (!ValidName(c, name)) return;
  if (body.contains("schema") == body.contains("datashape")) {
    return SetInvalid(c.res, "give exactly one of \"schema\" and \"datashape\"");
  }
  if (body.contains("datashape") && !body["datashape"].is_string()) {
    return SetInvalid(c.res, "\"datashape\" must be a string");
  }
  auto schema = body.contains("schema") ? SchemaFromJson(body["schema"].dump())
                                        : SchemaFromDatashape(body["datashape"].get<std::string>());
  if (!schema.ok()) {
    const Status& s = schema.status();
    return SetStatusError(c.res, Status(s.code(), "schema: " + s.message()));
  }
  bool if_not_exists = body.value("if_not_exists", false);
  Status s = st.store->CreateTable(name, **schema, if_not_exists);
  if (!s.ok()) return SetStatusError(c.res, s);
  auto snap = st.store->GetSnapshot();
  if (!snap.ok()) return SetStatusError(c.res, snap.status());
  auto t = (*snap)->table(name);
  if (!t.ok()) return SetStatusError(c.res, t.status());
  json j = TableDetail(*st.store, **snap, **t);
  j["txn"] = (*snap)->txn();
  c.res.set_header("Location", "/v1/tables/" + name);
  SendJson(st, c, j, 201);
}

// POST /v1/tables/{name}/rows. With an Idempotency-Key header (or key=) the
// append is recorded under the key in its own transaction, and a retry of a
// key already applied is answered 200 with "replayed": true and the original
// txn, not applied again. With stage=ID the rows are held under that staging
// id until POST /v1/tables/{name}/stages/{id} commits every part at once.
void AppendRows(ServerState& st, Call& c, const std::string& name) {
  auto snap = st.store->GetSnapshot();
  if (!snap.ok()) return SetStatusError(c.res, snap.status());
  auto t = (*snap)->table(name);
  std::shared_ptr<const Schema> schema;
  bool create = c.req.get_param_value("create") == "true" || c.req.get_param_value("create") == "1";
  std::string key = c.req.get_header_value("Idempotency-Key");
  if (key.empty()) key = c.req.get_param_value("key");
  std::string stage = c.req.get_param_value("stage");
  if (key.size() > 200 || stage.size() > 200) {
    return SetInvalid(c.res, "an idempotency key or staging id has at most 200 bytes");
  }
  if (!stage.empty() && (key.empty() || !t.ok())) {
    return SetInvalid(c.res, t.ok() ? "a staged append (stage=) needs an idempotency key "
                                      "(Idempotency-Key header or key=) naming the part"
                                    : "a staged append needs the table to exist: create it first");
  }
  if (t.ok()) {
    schema = (*t)->schema();
    // A part of a stage already committed is answered as replayed too.
    const std::string probe = stage.empty() ? key : "stage:" + stage;
    if (const store::CommitKey* k = probe.empty() ? nullptr : (*t)->FindCommitKey(probe)) {
      st.metrics.appends_replayed++;
      return SendJson(st, c, {{"table", name}, {"rows", k->rows}, {"txn", k->txn},
                              {"created", false}, {"replayed", true}});
    }
  } else if (!create || !BodyCarriesSchema(MediaType(c.req))) {
    return TableNotFound(c, **snap, t.status());
  }
  std::string media = MediaType(c.req);
  if (auto format = store::InputFormatFromMediaType(media); !format.ok()) {
    return SetError(c.res, 415, "unsupported_media_type", format.status().message());
  }
  std::shared_ptr<const std::string> body =
      stage.empty() ? std::shared_ptr<const std::string>(&c.req.body, [](const std::string*) {})
                    : std::make_shared<const std::string>(c.req.body);
  auto batches = ParseRowsBody(media, *body, schema);
  if (!batches.ok()) {
    // Corruption names a damaged pool (500); a damaged Arrow body is the
    // client's invalid argument.
    const Status& e = batches.status();
    if (e.code() == StatusCode::kCorruption) {
      return SetInvalid(c.res, "the body is not a valid Arrow IPC stream or file: " + e.message());
    }
    return SetStatusError(c.res, e);
  }
  int64_t rows = 0;
  for (const RecordBatch& b : batches->batches) rows += b.num_rows;
  if (!stage.empty()) {
    StagedAppends::Part part{body, std::move(batches->batches), rows};
    Status s = st.stages.Add(name, stage, key, std::move(part));
    if (!s.ok()) return SetStatusError(c.res, s);
    c.rows = rows;
    return SendJson(st, c, {{"table", name}, {"rows", rows}, {"stage", stage}, {"key", key}},
                    202);
  }
  store::WriteOptions opts;
  opts.mode = store::WriteMode::kAppend;
  opts.durability = pmem::Durability::kSync;
  opts.idempotency_key = key;
  if (!t.ok()) opts.create_schema = batches->schema;
  auto txn = st.store->Write(name, batches->batches, opts);
  if (!txn.ok() && txn.status().code() == StatusCode::kAlreadyExists && !key.empty()) {
    // The same key raced in through another connection and won.
    auto now = st.store->GetSnapshot();
    auto nt = now.ok() ? (*now)->table(name) : Result<const store::TableView*>(now.status());
    if (const store::CommitKey* k = nt.ok() ? (*nt)->FindCommitKey(key) : nullptr) {
      st.metrics.appends_replayed++;
      return SendJson(st, c, {{"table", name}, {"rows", k->rows}, {"txn", k->txn},
                              {"created", false}, {"replayed", true}});
    }
  }
  if (!txn.ok()) return SetStatusError(c.res, txn.status());
  st.metrics.rows_appended += uint64_t(rows);
  c.rows = rows;
  SendJson(st, c,
           {{"table", name}, {"rows", rows}, {"txn", *txn}, {"created", !t.ok()},
            {"replayed", false}},
           t.ok() ? 200 : 201);
}

void DropTable(ServerState& st, Call& c, const std::string& name) {
  Status s = st.store->DropTable(name);
  if (!s.ok()) {
    if (s.code() == StatusCode::kNotFound) {
      auto snap = st.store->GetSnapshot();
      if (snap.ok()) return TableNotFound(c, **snap, s);
    }
    return SetStatusError(c.res, s);
  }
  auto snap = st.store->GetSnapshot();
  if (!snap.ok()) return SetStatusError(c.res, snap.status());
  SendJson(st, c, {{"dropped", name}, {"txn", (*snap)->txn()}});
}

}  // namespace quiver::http
