// quiverd's per-chunk resources, for engines that read a table's chunks in
// parallel (Dask, tools/python/quiver/dask.py) and write partitions back:
//   GET    /v1/tables/{name}/chunks?where=&txn=&scan=       the chunk list
//   GET    /v1/tables/{name}/chunks?chunks=i..j&txn=N&where=&select=&scan=
//                                                            chunk data (Arrow)
//   POST   /v1/tables/{name}/scans?ttl_ms=                    a scan lease
//   DELETE /v1/tables/{name}/scans/{id}
//   POST   /v1/tables/{name}/stages/{id}                      commit a stage
//   DELETE /v1/tables/{name}/stages/{id}
// and the ScanLeases and StagedAppends they keep (server_state_internal.h).
//
// A chunk request names the txn its listing showed. It is served from the
// lease holding that version pinned, or from the current state when the
// table has not changed since; otherwise it is refused (409 table_changed)
// rather than answered from another version.
#include <charconv>
#include <random>
#include <set>

#include "http/server_state_internal.h"
#include "store/chunk_access.h"

namespace quiver::http {

// ---------------------------------------------------------------------------
// ScanLeases
// ---------------------------------------------------------------------------

Result<ScanLeases::Lease> ScanLeases::Create(const std::string& table,
                                             std::shared_ptr<const store::Snapshot> snap,
                                             int64_t ttl_ms) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard<std::mutex> g(mu_);
  if (leases_.size() >= kMaxLeases) {
    return Status::ResourceExhausted("too many scan leases (" + std::to_string(kMaxLeases) +
                                     " live); release finished scans with DELETE "
                                     "/v1/tables/{name}/scans/{id} or wait for them to expire");
  }
  char id[40];
  snprintf(id, sizeof(id), "%016llx%04llx", static_cast<unsigned long long>(rng()),
           static_cast<unsigned long long>(next_++ & 0xffff));
  Lease l{id, table, std::move(snap), ttl_ms, Clock::now() + std::chrono::milliseconds(ttl_ms)};
  leases_[l.id] = l;
  return l;
}

std::optional<ScanLeases::Lease> ScanLeases::Use(const std::string& table, const std::string& id) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = leases_.find(id);
  if (it == leases_.end() || it->second.table != table) return std::nullopt;
  auto now = Clock::now();
  if (now >= it->second.expires) return std::nullopt;  // the sweep drops it
  it->second.expires = now + std::chrono::milliseconds(it->second.ttl_ms);
  return it->second;
}

std::shared_ptr<const store::Snapshot> ScanLeases::FindTxn(const std::string& table, uint64_t txn) {
  std::lock_guard<std::mutex> g(mu_);
  auto now = Clock::now();
  for (const auto& [id, l] : leases_) {
    if (l.table == table && l.snap->txn() == txn && now < l.expires) return l.snap;
  }
  return nullptr;
}

bool ScanLeases::Release(const std::string& table, const std::string& id) {
  std::shared_ptr<const store::Snapshot> drop;  // unpinned outside the lock
  std::lock_guard<std::mutex> g(mu_);
  auto it = leases_.find(id);
  if (it == leases_.end() || it->second.table != table) return false;
  drop = std::move(it->second.snap);
  leases_.erase(it);
  return true;
}

size_t ScanLeases::Sweep(Clock::time_point now) {
  std::vector<std::shared_ptr<const store::Snapshot>> drop;
  std::lock_guard<std::mutex> g(mu_);
  for (auto it = leases_.begin(); it != leases_.end();) {
    if (now >= it->second.expires) {
      drop.push_back(std::move(it->second.snap));
      it = leases_.erase(it);
    } else {
      ++it;
    }
  }
  return drop.size();
}

size_t ScanLeases::size() const {
  std::lock_guard<std::mutex> g(mu_);
  return leases_.size();
}

// ---------------------------------------------------------------------------
// StagedAppends
// ---------------------------------------------------------------------------

Status StagedAppends::Add(const std::string& table, const std::string& id, const std::string& key,
                          Part part) {
  uint64_t bytes = part.body ? part.body->size() : 0;
  std::lock_guard<std::mutex> g(mu_);
  auto it = stages_.find(id);
  if (it == stages_.end()) {
    if (stages_.size() >= kMaxStages) {
      return Status::ResourceExhausted("too many open stages (" + std::to_string(kMaxStages) +
                                       "); commit or drop some first");
    }
    it = stages_.emplace(id, Stage{table, {}, 0}).first;
  } else if (it->second.table != table) {
    return Status::Invalid("stage \"" + id + "\" belongs to table \"" + it->second.table +
                           "\", not \"" + table + "\"");
  }
  Stage& s = it->second;
  uint64_t replaced = 0;
  if (auto p = s.parts.find(key); p != s.parts.end() && p->second.body) {
    replaced = p->second.body->size();
  }
  if (bytes_ - replaced + bytes > kMaxBytes) {
    return Status::ResourceExhausted("staged appends would hold " +
                                     std::to_string(bytes_ - replaced + bytes) +
                                     " bytes, over the limit of " + std::to_string(kMaxBytes) +
                                     "; commit the stage in smaller jobs");
  }
  bytes_ = bytes_ - replaced + bytes;
  s.bytes = s.bytes - replaced + bytes;
  s.parts[key] = std::move(part);
  return Status::OK();
}

std::optional<StagedAppends::Stage> StagedAppends::Take(const std::string& table,
                                                        const std::string& id) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = stages_.find(id);
  if (it == stages_.end() || it->second.table != table) return std::nullopt;
  Stage s = std::move(it->second);
  stages_.erase(it);
  bytes_ -= s.bytes;
  return s;
}

void StagedAppends::Restore(const std::string& id, Stage stage) {
  std::lock_guard<std::mutex> g(mu_);
  bytes_ += stage.bytes;
  stages_[id] = std::move(stage);
}

namespace {

bool ParseU64(const std::string& v, uint64_t* out) {
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), *out);
  return ec == std::errc() && p == v.data() + v.size() && !v.empty();
}

// "i..j" (inclusive) or "i".
bool ParseRange(const std::string& v, uint64_t* first, uint64_t* last) {
  size_t dots = v.find("..");
  if (dots == std::string::npos) {
    if (!ParseU64(v, first)) return false;
    *last = *first;
    return true;
  }
  return ParseU64(v.substr(0, dots), first) && ParseU64(v.substr(dots + 2), last) &&
         *first <= *last;
}

json ChunkStatsJson(const Schema& schema, const store::ChunkInfo& ch) {
  json stats = json::object();
  for (size_t k = 0; k < schema.num_fields() && k < ch.stats.size(); ++k) {
    const Field& f = schema.field(k);
    const ColumnStats& s = ch.stats[k];
    json j = {{"nulls", s.null_count},
              {"min", StatValueJson(f.type, s, true)},
              {"max", StatValueJson(f.type, s, false)}};
    if (s.kind == ColumnStats::Kind::kBytes && (s.has_min || s.has_max)) {
      j["min_exact"] = s.min_exact;
      j["max_exact"] = s.max_exact;
    }
    if (s.kind == ColumnStats::Kind::kDouble) j["nan"] = s.has_nan;
    if (s.sorted) j["sorted"] = true;
    stats[f.name] = std::move(j);
  }
  return stats;
}

// The version a chunk request of `table` at `txn` reads: the lease `scan`
// names, a live lease of that txn, or the current state when the table has
// not changed since. Null after an error response.
std::shared_ptr<const store::Snapshot> ResolveVersion(ServerState& st, Call& c,
                                                      const std::string& table, uint64_t txn,
                                                      const std::string& scan) {
  std::string lost;  // why the named lease could not serve
  if (!scan.empty()) {
    auto lease = st.leases.Use(table, scan);
    if (lease && lease->snap->txn() != txn) {
      SetInvalid(c.res, "scan lease \"" + scan + "\" holds txn " +
                            std::to_string(lease->snap->txn()) + ", not txn " +
                            std::to_string(txn));
      return nullptr;
    }
    if (lease) return lease->snap;
    lost = "scan lease \"" + scan.substr(0, 64) + "\" was released or expired, and ";
  }
  if (auto pinned = st.leases.FindTxn(table, txn)) return pinned;
  auto snap = st.store->GetSnapshot();
  if (!snap.ok()) return SetStatusError(c.res, snap.status()), nullptr;
  uint64_t now = (*snap)->txn();
  if (txn > now) {
    SetInvalid(c.res, "txn " + std::to_string(txn) + " is in the future (the pool is at txn " +
                          std::to_string(now) + ")");
    return nullptr;
  }
  auto t = (*snap)->table(table);
  if (t.ok() && (*t)->modified_txn() <= txn) return *snap;
  st.metrics.chunk_version_gone++;
  std::string what = t.ok() ? "it was modified in txn " + std::to_string((*t)->modified_txn())
                            : "it no longer exists";
  SetError(c.res, 409, "table_changed",
           lost + "table \"" + table + "\" changed since txn " + std::to_string(txn) + " (" + what +
               "); list its chunks again, or hold a scan lease (POST /v1/tables/" + table +
               "/scans) while reading a version",
           {{"txn", txn}, {"current_txn", now}});
  return nullptr;
}

void ListChunks(ServerState& st, Call& c, const std::string& name) {
  std::string scan = c.req.get_param_value("scan");
  std::shared_ptr<const store::Snapshot> snap;
  if (!scan.empty() || c.req.has_param("txn")) {
    uint64_t txn = 0;
    if (c.req.has_param("txn") && !ParseU64(c.req.get_param_value("txn"), &txn)) {
      return SetInvalid(c.res, "txn=" + c.req.get_param_value("txn").substr(0, 64) +
                                   ": expected a transaction id");
    }
    if (!c.req.has_param("txn")) {
      auto lease = st.leases.Use(name, scan);
      if (!lease) {
        st.metrics.chunk_version_gone++;
        return SetError(c.res, 409, "scan_gone",
                        "scan lease \"" + scan.substr(0, 64) + "\" of table \"" + name +
                            "\" was released or expired; start a new scan (POST /v1/tables/" +
                            name + "/scans)");
      }
      txn = lease->snap->txn();
    }
    snap = ResolveVersion(st, c, name, txn, scan);
    if (!snap) return;
  } else {
    auto now = st.store->GetSnapshot();
    if (!now.ok()) return SetStatusError(c.res, now.status());
    snap = *now;
  }
  auto t = snap->table(name);
  if (!t.ok()) return TableNotFound(c, *snap, t.status());
  query::ExprPtr where;
  if (c.req.has_param("where")) {
    query::TextPosition pos;
    auto w = query::ParseFilter(c.req.get_param_value("where"), &pos);
    if (!w.ok()) {
      json extra = PositionJson(pos);
      extra["parameter"] = "where";
      return SetStatusError(c.res, Status(w.status().code(), "where: " + w.status().message()),
                            extra);
    }
    where = *w;
  }
  auto keep = store::PruneChunks(**t, where);
  if (!keep.ok()) return SetStatusError(c.res, keep.status().WithContext("where"));
  const Schema& schema = *(*t)->schema();
  json chunks = json::array();
  int64_t pruned = 0;
  for (size_t i = 0; i < keep->size(); ++i) {
    const store::ChunkInfo& ch = (*t)->chunks()[i];
    if (!(*keep)[i]) {
      if (ch.rows > 0) ++pruned;
      continue;
    }
    chunks.push_back({{"index", i},
                      {"rows", ch.rows},
                      {"offset", ch.offset},
                      {"length", ch.length},
                      {"created_txn", ch.created_txn},
                      {"stats", ChunkStatsJson(schema, ch)}});
  }
  st.metrics.chunk_lists++;
  st.metrics.chunk_list_pruned += uint64_t(pruned);
  c.res.set_header("X-Quiver-Txn", std::to_string(snap->txn()));
  SendJson(st, c,
           {{"table", name},
            {"txn", snap->txn()},
            {"rows", (*t)->num_rows()},
            {"total", (*t)->num_chunks()},
            {"pruned", pruned},
            {"chunks", chunks}});
}

void ChunkData(ServerState& st, Call& c, const std::string& name) {
  uint64_t first = 0, last = 0, txn = 0;
  std::string range = c.req.get_param_value("chunks");
  if (!ParseRange(range, &first, &last)) {
    return SetInvalid(c.res, "chunks=" + range.substr(0, 64) +
                                 ": expected a chunk index or an inclusive range i..j (i <= j)");
  }
  if (!c.req.has_param("txn") || !ParseU64(c.req.get_param_value("txn"), &txn)) {
    return SetInvalid(c.res,
                      "chunk data needs txn=N, the txn of the chunk listing (or scan) it came from");
  }
  auto snap = ResolveVersion(st, c, name, txn, c.req.get_param_value("scan"));
  if (!snap) return;
  auto t = snap->table(name);
  if (!t.ok()) return TableNotFound(c, *snap, t.status());
  auto slice = store::SliceSnapshot(snap, **t, size_t(first), size_t(last - first + 1));
  if (!slice.ok()) return SetStatusError(c.res, slice.status());
  query::Query q;
  q.table = name;
  query::TextPosition pos;
  for (const char* p : {"select", "where"}) {
    if (!c.req.has_param(p)) continue;
    std::string v = c.req.get_param_value(p);
    Status bad;
    if (std::string_view(p) == "select") {
      auto s = query::ParseSelectList(v, &pos);
      if (s.ok()) q.select = std::move(*s);
      bad = s.status();
    } else {
      auto w = query::ParseFilter(v, &pos);
      if (w.ok()) q.where = std::move(*w);
      bad = w.status();
    }
    if (!bad.ok()) {
      json extra = PositionJson(pos);
      extra["parameter"] = p;
      return SetStatusError(c.res, Status(bad.code(), std::string(p) + ": " + bad.message()),
                            extra);
    }
  }
  st.metrics.chunk_requests++;
  st.metrics.chunks_served += last - first + 1;
  RunPinnedQuery(st, c, q, *slice);
}

}  // namespace

// GET /v1/tables/{name}/chunks
void GetChunks(ServerState& st, Call& c, const std::string& name) {
  static const std::set<std::string> kKnown = {"where", "chunks", "txn", "scan",
                                               "select", "format"};
  for (const auto& [k, v] : c.req.params) {
    if (!kKnown.count(k)) {
      return SetInvalid(c.res, "unknown parameter \"" + k +
                                   "\" (known: where, chunks, txn, scan, select, format)");
    }
  }
  if (c.req.has_param("chunks")) return ChunkData(st, c, name);
  if (c.req.has_param("select")) {
    return SetInvalid(c.res, "select= applies to chunk data: add chunks=i..j&txn=N");
  }
  ListChunks(st, c, name);
}

// POST /v1/tables/{name}/scans?ttl_ms=
void CreateScan(ServerState& st, Call& c, const std::string& name) {
  int64_t ttl = ScanLeases::kDefaultTtlMs;
  if (c.req.has_param("ttl_ms")) {
    uint64_t v = 0;
    if (!ParseU64(c.req.get_param_value("ttl_ms"), &v) || v == 0 ||
        v > uint64_t(ScanLeases::kMaxTtlMs)) {
      return SetInvalid(c.res, "ttl_ms=" + c.req.get_param_value("ttl_ms").substr(0, 64) +
                                   ": expected milliseconds from 1 to " +
                                   std::to_string(ScanLeases::kMaxTtlMs));
    }
    ttl = int64_t(v);
  }
  st.metrics.scans_expired += st.leases.Sweep(Clock::now());
  auto snap = st.store->GetSnapshot();
  if (!snap.ok()) return SetStatusError(c.res, snap.status());
  auto t = (*snap)->table(name);
  if (!t.ok()) return TableNotFound(c, **snap, t.status());
  auto lease = st.leases.Create(name, *snap, ttl);
  if (!lease.ok()) return SetStatusError(c.res, lease.status());
  st.metrics.scans_created++;
  c.res.set_header("Location", "/v1/tables/" + name + "/scans/" + lease->id);
  SendJson(st, c,
           {{"id", lease->id},
            {"table", name},
            {"txn", (*snap)->txn()},
            {"ttl_ms", ttl},
            {"rows", (*t)->num_rows()},
            {"chunks", (*t)->num_chunks()}},
           201);
}

// DELETE /v1/tables/{name}/scans/{id}
void ReleaseScan(ServerState& st, Call& c, const std::string& name, const std::string& id) {
  if (!st.leases.Release(name, id)) {
    return SetError(c.res, 404, "not_found",
                    "no scan lease \"" + id.substr(0, 64) + "\" of table \"" + name +
                        "\" (released already, or expired)");
  }
  SendJson(st, c, {{"released", id}, {"table", name}});
}

// POST /v1/tables/{name}/stages/{id}: every staged part in one transaction,
// recorded under the idempotency key "stage:{id}" (a retried commit is
// answered with the first one's txn).
void CommitStage(ServerState& st, Call& c, const std::string& name, const std::string& id) {
  const std::string key = "stage:" + id;
  auto snap = st.store->GetSnapshot();
  if (!snap.ok()) return SetStatusError(c.res, snap.status());
  auto t = (*snap)->table(name);
  if (!t.ok()) return TableNotFound(c, **snap, t.status());
  if (const store::CommitKey* k = (*t)->FindCommitKey(key)) {
    st.metrics.appends_replayed++;
    return SendJson(st, c, {{"table", name}, {"stage", id}, {"rows", k->rows},
                            {"txn", k->txn}, {"replayed", true}});
  }
  auto stage = st.stages.Take(name, id);
  if (!stage) {
    return SetError(c.res, 404, "not_found",
                    "no stage \"" + id.substr(0, 64) + "\" of table \"" + name +
                        "\" (nothing was staged under it, it was dropped, or the server "
                        "restarted since)");
  }
  store::WriteOptions opts;
  opts.idempotency_key = key;
  auto w = st.store->BeginWrite(name, opts);
  Status s = w.ok() ? Status::OK() : w.status();
  int64_t rows = 0;
  for (const auto& [part, p] : stage->parts) {
    for (const RecordBatch& b : p.batches) {
      if (s.ok()) s = (*w)->Append(b);
    }
    rows += p.rows;
  }
  Result<uint64_t> txn = s.ok() ? (*w)->Commit() : Result<uint64_t>(s);
  if (!txn.ok()) {
    size_t parts = stage->parts.size();
    st.stages.Restore(id, std::move(*stage));
    return SetStatusError(c.res, txn.status(),
                          {{"stage", id}, {"parts", parts}, {"note", "the stage is kept"}});
  }
  st.metrics.rows_appended += uint64_t(rows);
  c.rows = rows;
  SendJson(st, c,
           {{"table", name},
            {"stage", id},
            {"parts", stage->parts.size()},
            {"rows", rows},
            {"txn", *txn},
            {"replayed", false}});
}

// DELETE /v1/tables/{name}/stages/{id}
void DropStage(ServerState& st, Call& c, const std::string& name, const std::string& id) {
  auto stage = st.stages.Take(name, id);
  if (!stage) {
    return SetError(c.res, 404, "not_found",
                    "no stage \"" + id.substr(0, 64) + "\" of table \"" + name + "\"");
  }
  SendJson(st, c, {{"dropped", id}, {"table", name}, {"parts", stage->parts.size()}});
}

}  // namespace quiver::http
