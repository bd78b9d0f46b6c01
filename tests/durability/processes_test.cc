// Processes together (issue 13, item 7): a writer process loops over
// create/append/replace/truncate/rename/drop/compact/grow through the C++
// Store API and records, after every commit, the digest of its model of the
// pool (digest.h) with the txn; four C-API reader processes
// (durability_reader.c, libquiver.so) pin, read every column, recompute the
// digest and compare it with the writer's for that txn, refresh, repeat;
// meanwhile quiverd answers count/sum queries whose X-Quiver-Txn is checked
// against the writer's record too. Zero mismatches; at the end no pins are
// left and `pool info` accounts for every allocated byte (chunks + catalog +
// free list), before and after dropping every table.
//
// QUIVER_SOAK_SECONDS sets the run time (60 by default; see
// tools/bench/durability_soak.sh for the 10-minute soak).
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cinttypes>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "columnar/builder.h"
#include "digest.h"
#include "durability_util.h"
#include "pmem/layout.h"
#include "store/store.h"
#include "test_util.h"
#include "tools/cli_test_util.h"

using namespace quiver;
using json = nlohmann::json;
using quiver::testing::Quiver;
using quiver::testing::TempDir;

namespace {

// ---------------------------------------------------------------------------
// The data: row k of any table is a function of k alone, so the writer's
// model of a table is the list of its k.
// ---------------------------------------------------------------------------

std::shared_ptr<const Schema> RowSchema() {
  static auto schema = std::make_shared<Schema>(std::vector<Field>{
      {"id", DataType(TypeId::kInt64), false, {}},
      {"x", DataType(TypeId::kFloat64), true, {}},
      {"s", DataType(TypeId::kUtf8), true, {}},
      {"city", DataType::Dictionary(TypeId::kInt32), true, {}},
  });
  return schema;
}

bool XIsNull(int64_t k) { return k % 7 == 3; }
double X(int64_t k) { return double(k) * 0.25 - 1000; }
bool SIsNull(int64_t k) { return k % 5 == 1; }
std::string S(int64_t k) { return "s" + std::to_string(k * 7919 % 100003); }
bool CityIsNull(int64_t k) { return k % 11 == 4; }
std::string City(int64_t k) { return "city_" + std::to_string(k % 13); }

RecordBatch MakeBatch(int64_t first_k, int64_t n) {
  RecordBatchBuilder b(RowSchema());
  for (int64_t k = first_k; k < first_k + n; ++k) {
    b.column(0).AppendInt(k);
    if (XIsNull(k))
      b.column(1).AppendNull();
    else
      b.column(1).AppendDouble(X(k));
    if (SIsNull(k))
      b.column(2).AppendNull();
    else
      b.column(2).AppendString(S(k));
    if (CityIsNull(k))
      b.column(3).AppendNull();
    else
      b.column(3).AppendString(City(k));
  }
  auto r = b.Finish();
  if (!r.ok()) std::abort();
  return std::move(r).value();
}

using Model = std::map<std::string, std::vector<int64_t>>;  // table -> its k in order

uint64_t MixString(uint64_t h, const std::string& s) { return qd_bytes(h, s.data(), s.size()); }

// digest.h's rule over the model.
uint64_t ModelDigest(const Model& m) {
  uint64_t h = QD_SEED;
  for (const auto& [name, ks] : m) {
    h = qd_table(h, name.c_str(), int64_t(ks.size()), 4);
    for (int64_t k : ks) h = qd_i64(h, k);
    for (int64_t k : ks) h = XIsNull(k) ? qd_null(h) : qd_f64(h, X(k));
    for (int64_t k : ks) h = SIsNull(k) ? qd_null(h) : MixString(h, S(k));
    for (int64_t k : ks) h = CityIsNull(k) ? qd_null(h) : MixString(h, City(k));
  }
  return h;
}

// ---------------------------------------------------------------------------
// The writer process.
// ---------------------------------------------------------------------------

// Appends "TXN DIGEST name:rows:sum_of_id ...\n" in one write (O_APPEND), so a
// reader sees whole lines or a partial last line it waits on.
void Record(int fd, uint64_t txn, const Model& m) {
  std::ostringstream o;
  o << txn << " " << std::hex << ModelDigest(m) << std::dec;
  for (const auto& [name, ks] : m) {
    int64_t sum = 0;
    for (int64_t k : ks) sum += k;
    o << " " << name << ":" << ks.size() << ":" << sum;
  }
  o << "\n";
  std::string line = o.str();
  if (write(fd, line.data(), line.size()) != ssize_t(line.size())) std::abort();
}

// `writer POOL DIGESTS SECONDS SEED`: prints "writer commits N ops M ..." and
// exits 0, or prints the failed operation and exits 1.
int WriterMain(const std::vector<std::string>& args) {
  if (args.size() != 4) return 98;
  store::StoreOptions opts;
  opts.auto_grow_step = 8 << 20;
  opts.max_chunk_rows = 3000;  // several chunks per append, so compact has work
  auto opened = store::Store::Open(args[0], opts);
  if (!opened.ok()) {
    std::cout << "writer: open: " << opened.status().ToString() << std::endl;
    return 1;
  }
  store::Store& st = **opened;
  int fd = open(args[1].c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return 97;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(std::stoll(args[2]));
  std::mt19937_64 rng(std::stoull(args[3]));
  Model model;
  int64_t next_k = 0;
  std::map<std::string, int64_t> counts;
  uint64_t last_txn = 0, commits = 0;
  auto record = [&]() -> bool {
    auto snap = st.GetSnapshot();
    if (!snap.ok()) return false;
    uint64_t txn = (*snap)->txn();
    if (txn != last_txn) ++commits;
    last_txn = txn;
    Record(fd, txn, model);
    return true;
  };
  if (!record()) return 1;
  auto fail = [&](const std::string& op, const Status& s) {
    std::cout << "writer: " << op << ": " << s.ToString() << std::endl;
    return 1;
  };
  auto rows = [&](int64_t n, std::vector<int64_t>* ks) {
    std::vector<RecordBatch> out;
    for (int64_t done = 0; done < n;) {
      int64_t part = std::min<int64_t>(n - done, 1 + int64_t(rng() % 2500));
      out.push_back(MakeBatch(next_k, part));
      for (int64_t i = 0; i < part; ++i) ks->push_back(next_k + i);
      next_k += part;
      done += part;
    }
    return out;
  };
  while (std::chrono::steady_clock::now() < deadline) {
    std::string t = "t" + std::to_string(rng() % 5);
    bool exists = model.count(t) > 0;
    int op = int(rng() % 100);
    std::string name;
    Status s;
    if (!exists || op < 40) {  // append (creating the table if needed)
      name = "append";
      if (!exists) {
        s = st.CreateTable(t, *RowSchema());
        if (!s.ok()) return fail("create " + t, s);
        model[t];
        if (!record()) return 1;
      }
      std::vector<int64_t> ks;
      auto batches = rows(1 + int64_t(rng() % 6000), &ks);
      store::WriteOptions wo;
      // A few relaxed appends: durability is not this test's subject, but
      // the mix must keep readers and the free list right.
      if (rng() % 8 == 0) wo.durability = pmem::Durability::kRelaxed;
      if (model[t].size() > 40000) wo.mode = store::WriteMode::kReplace;
      auto r = st.Write(t, batches, wo);
      if (!r.ok()) return fail("append to " + t, r.status());
      if (wo.mode == store::WriteMode::kReplace) model[t].clear();
      model[t].insert(model[t].end(), ks.begin(), ks.end());
    } else if (op < 55) {
      name = "replace";
      std::vector<int64_t> ks;
      store::WriteOptions wo;
      wo.mode = store::WriteMode::kReplace;
      auto r = st.Write(t, rows(int64_t(rng() % 8000), &ks), wo);
      if (!r.ok()) return fail("replace " + t, r.status());
      model[t] = ks;
    } else if (op < 62) {
      name = "drop";
      s = st.DropTable(t);
      model.erase(t);
    } else if (op < 67) {
      name = "truncate";
      s = st.TruncateTable(t);
      model[t].clear();
    } else if (op < 72) {
      name = "rename";
      // To a free name among t0..t7 (appends use t0..t4, so one is free).
      std::string to;
      for (uint64_t i = rng() % 8, tries = 0; tries < 8; ++tries, i = (i + 1) % 8) {
        to = "t" + std::to_string(i);
        if (model.count(to) == 0) break;
      }
      if (model.count(to) > 0) continue;
      s = st.RenameTable(t, to);
      model[to] = std::move(model[t]);
      model.erase(t);
    } else if (op < 90) {
      name = "compact";
      auto r = st.Compact("", 1 + int64_t(rng() % 12000));
      if (!r.ok()) s = r.status();
    } else {
      name = "grow";
      uint64_t cap = st.pool().Info().capacity;
      if (cap > (1ull << 30)) continue;
      s = st.pool().Grow(cap + (4 << 20));
    }
    if (!s.ok()) return fail(name + " " + t, s);
    ++counts[name];
    if (!record()) return 1;
  }
  std::cout << "writer commits " << commits << " next_k " << next_k;
  for (const auto& [op, n] : counts) std::cout << " " << op << " " << n;
  std::cout << std::endl;
  close(fd);
  return 0;
}
QUIVER_CHILD_ROLE("durability-writer", WriterMain);

// ---------------------------------------------------------------------------
// The test process: the writer's records, quiverd's queries, the accounting.
// ---------------------------------------------------------------------------

// table -> (rows, sum of id) per txn, as the writer recorded.
struct Records {
  std::map<uint64_t, std::map<std::string, std::pair<int64_t, int64_t>>> by_txn;
  size_t offset = 0;
  void Load(const std::string& path) {
    std::string all = quiver::testing::ReadFileBytes(path);
    while (true) {
      size_t nl = all.find('\n', offset);
      if (nl == std::string::npos) return;
      std::istringstream line(all.substr(offset, nl - offset));
      offset = nl + 1;
      uint64_t txn;
      std::string digest, item;
      line >> txn >> digest;
      auto& tables = by_txn[txn];
      tables.clear();
      while (line >> item) {
        auto a = item.find(':'), b = item.rfind(':');
        tables[item.substr(0, a)] = {std::stoll(item.substr(a + 1, b - a - 1)),
                                     std::stoll(item.substr(b + 1))};
      }
    }
  }
};

struct QueryStats {
  uint64_t queries = 0, verified = 0, mismatches = 0, absent = 0, errors = 0;
};

// Runs count/sum queries against quiverd until `done`, each checked against
// the writer's record for the txn it was answered from.
void QueryLoop(int port, const std::string& digests, const std::atomic<bool>& done,
               QueryStats* out) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(30, 0);
  Records rec;
  std::mt19937 rng(7);
  while (!done.load()) {
    std::string t = "t" + std::to_string(rng() % 8);
    auto r = c.Get("/v1/sql?q=SELECT%20count(*)%2C%20sum(id)%20FROM%20" + t);
    ++out->queries;
    if (!r) {
      ++out->errors;
      continue;
    }
    if (r->status == 404) {
      ++out->absent;  // the table does not exist at that moment
      continue;
    }
    if (r->status != 200 || !r->has_header("X-Quiver-Txn")) {
      std::cerr << "quiverd answered " << r->status << ": " << r->body << "\n";
      ++out->errors;
      continue;
    }
    uint64_t txn = std::stoull(r->get_header_value("X-Quiver-Txn"));
    int64_t n = -1, sum = -1;
    try {
      json row = json::parse(r->body)["rows"][0];
      n = row[0].get<int64_t>();
      sum = row[1].is_null() ? 0 : row[1].get<int64_t>();
    } catch (const std::exception& e) {
      std::cerr << "quiverd answered " << r->body << ": " << e.what() << "\n";
      ++out->errors;
      continue;
    }
    rec.Load(digests);
    auto it = rec.by_txn.find(txn);
    if (it == rec.by_txn.end()) continue;  // recorded a moment later: not checked
    auto want = it->second.find(t);
    if (want == it->second.end() || want->second != std::make_pair(n, sum)) {
      std::cerr << "quiverd txn " << txn << " " << t << ": count " << n << " sum " << sum
                << " differ from the writer's record\n";
      ++out->mismatches;
    } else {
      ++out->verified;
    }
  }
}

uint64_t PageUp(uint64_t n) {
  return (n + pmem::kPageSize - 1) / pmem::kPageSize * pmem::kPageSize;
}

// What `pool info` says is used, and what the live state accounts for: the
// metadata pages, the catalog, an out-of-line free list and every chunk.
struct Accounting {
  uint64_t used = 0, live = 0, capacity = 0, free = 0, txn = 0;
  size_t readers = 0, tables = 0;
};

Accounting Account(const std::string& path) {
  Accounting a;
  store::StoreOptions ro;
  ro.read_only = true;
  auto s = store::Store::Open(path, ro);
  REQUIRE(s.ok());
  auto snap = (*s)->GetSnapshot();
  REQUIRE(snap.ok());
  pmem::PoolInfo info = (*s)->pool().Info();
  REQUIRE(info.txn_id == (*snap)->txn());
  a.used = info.used_bytes;
  a.capacity = info.capacity;
  a.free = info.free_bytes;
  a.txn = info.txn_id;
  a.tables = (*snap)->tables().size();
  a.live = pmem::kDataStart + PageUp(info.root.length);
  std::string head = quiver::testing::ReadFileBytes(path).substr(0, pmem::kDataStart);
  bool found = false;
  for (uint64_t off : pmem::kMetaOffset) {
    pmem::MetaSlot m;
    std::memcpy(&m, head.data() + off, sizeof m);
    if (m.txn_id != info.txn_id) continue;
    a.live += PageUp(m.freelist_length);
    found = true;
  }
  REQUIRE(found);
  for (const store::TableView& t : (*snap)->tables()) {
    for (const store::ChunkInfo& c : t.chunks()) a.live += PageUp(c.length);
  }
  return a;
}

// Child processes killed and reaped if the test stops early (a failed
// REQUIRE), so that none outlives it; Forget() those already waited for.
struct Children {
  std::vector<pid_t> pids;
  ~Children() {
    for (pid_t p : pids) {
      kill(p, SIGKILL);
      quiver::testing::WaitChild(p);
    }
  }
  void Forget(pid_t p) { pids.erase(std::remove(pids.begin(), pids.end(), p), pids.end()); }
};

std::string Figure(const char* what, uint64_t n) {
  return std::string(what) + " " + std::to_string(n);
}

}  // namespace

#ifdef DURABILITY_READER_BIN
TEST_CASE("Processes together: writer, four C-API readers and quiverd agree on every snapshot",
          "[durability]") {
  const char* env = std::getenv("QUIVER_SOAK_SECONDS");
  const int seconds = env != nullptr && *env ? std::atoi(env) : 60;
  TempDir dir;
  const std::string pool = dir.file("p"), digests = dir.file("digests"), stop = dir.file("stop");
  REQUIRE(store::Store::Create(pool, 32 << 20).ok());
  quiver::testing::WriteFileBytes(dir.file("quiverd.json"), R"({"log_requests": false})");
  quiver::testing::Quiverd d(pool, dir.file("quiverd.json"), dir.file("quiverd.err"));

  // The writer first (it records the initial state), then the readers.
  Children children;
  int writer_out = -1;
  pid_t writer = quiver::testing::SpawnChild(
      "durability-writer", {pool, digests, std::to_string(seconds), "20261130"}, &writer_out);
  children.pids.push_back(writer);
  std::vector<std::pair<pid_t, int>> readers;
  for (int i = 0; i < 4; ++i) {
    int out = -1;
    const pid_t pid =
        quiver::testing::SpawnProgram(DURABILITY_READER_BIN, {pool, digests, stop}, &out);
    children.pids.push_back(pid);
    readers.emplace_back(pid, out);
  }
  std::atomic<bool> done{false};
  QueryStats qs;
  std::thread queries(QueryLoop, d.port(), digests, std::cref(done), &qs);

  std::string writer_line;
  quiver::testing::ReadLine(writer_out, &writer_line);
  close(writer_out);
  int writer_rc = quiver::testing::WaitChild(writer);
  children.Forget(writer);
  quiver::testing::WriteFileBytes(stop, "stop\n");
  done = true;
  queries.join();
  std::vector<std::string> reader_lines;
  std::vector<int> reader_rcs;
  for (auto& [pid, fd] : readers) {
    std::string line;
    quiver::testing::ReadLine(fd, &line);
    close(fd);
    reader_lines.push_back(line);
    reader_rcs.push_back(quiver::testing::WaitChild(pid));
    children.Forget(pid);
  }
  std::cerr << "durability soak (" << seconds << " s): " << writer_line << "\n";
  for (const auto& l : reader_lines) std::cerr << "  " << l << "\n";
  std::cerr << "  quiverd queries " << qs.queries << " verified " << qs.verified << " mismatches "
            << qs.mismatches << " absent " << qs.absent << " errors " << qs.errors << "\n";

  INFO(writer_line);
  REQUIRE(writer_rc == 0);
  for (size_t i = 0; i < readers.size(); ++i) {
    INFO(reader_lines[i]);
    CHECK(reader_rcs[i] == 0);
    CHECK(reader_lines[i].find(" mismatches 0 unrecorded 0 errors 0") != std::string::npos);
    // Every reader saw the pool change under it.
    CHECK(reader_lines[i].find(" distinct 0 ") == std::string::npos);
    CHECK(reader_lines[i].find(" distinct 1 ") == std::string::npos);
  }
  CHECK(qs.mismatches == 0);
  CHECK(qs.errors == 0);
  CHECK(qs.verified > 0);

  // No pins left but quiverd's own (its cached latest snapshot), then none.
  json info = json::parse(Quiver("pool info " + pool + " --json").out);
  for (const auto& r : info["readers"]) CHECK(r["pid"].get<int>() == d.pid());
  CHECK(d.Stop() == 0);
  info = json::parse(Quiver("pool info " + pool + " --json").out);
  CHECK(info["readers"].empty());

  // Every allocated byte is live or on the free list.
  Accounting a = Account(pool);
  std::cerr << "  " << Figure("txn", a.txn) << " " << Figure("tables", a.tables) << " "
            << Figure("used", a.used) << " " << Figure("live", a.live) << " "
            << Figure("capacity", a.capacity) << "\n";
  CHECK(a.used == a.live);
  CHECK(a.used + a.free == a.capacity);
  {
    auto w = store::Store::Open(pool);
    REQUIRE(w.ok());
    auto snap = (*w)->GetSnapshot();
    REQUIRE(snap.ok());
    std::vector<std::string> names;
    for (const auto& t : (*snap)->tables()) names.push_back(t.name());
    snap->reset();
    for (const auto& n : names) REQUIRE((*w)->DropTable(n).ok());
    REQUIRE((*w)->Compact().ok());
  }
  Accounting e = Account(pool);
  std::cerr << "  after dropping every table: " << Figure("used", e.used) << " "
            << Figure("live", e.live) << " " << Figure("free", e.free) << "\n";
  CHECK(e.tables == 0);
  CHECK(e.used == e.live);
  CHECK(e.free == e.capacity - e.live);
  auto check = Quiver("pool check " + pool + " --deep");
  INFO(check.out);
  CHECK(check.code == 0);
}
#endif
