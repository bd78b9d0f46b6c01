// The executor against a reference engine: a 1M-row table with every type,
// NULLs, low- and high-cardinality strings, dates and timestamps is loaded
// into Quiver and into SQLite (Debian's sqlite3 shell, in memory, with
// PRAGMA case_sensitive_like=ON), and more than 50 queries run in both.
// Every value is compared (floats with a relative tolerance of 1e-9), in
// order where ORDER BY fixes it, as a sorted multiset otherwise.
//
// SQLite has no timestamp or date type: those columns are stored as their
// integer counts and the SQLite spelling of such a query uses the number
// (e.g. ts >= 1700006400000000 for ts >= '2023-11-15 00:00:00'). SQLite
// sorts NULLs first in ascending order, so its spelling makes Quiver's
// default (NULLS LAST ascending, FIRST descending) explicit.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>

#include "columnar/builder.h"
#include "kernels/kernels.h"
#include "store/exec.h"
#include "test_util.h"

using namespace quiver;
using namespace quiver::store;
using quiver::testing::TempDir;

namespace {

constexpr int64_t kRows = 1000000;
constexpr char kNull[] = "<NULL>";

uint64_t Mix(uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

int64_t DaysFromCivil(int y, int m, int d) {
  std::tm t{};
  t.tm_year = y - 1900;
  t.tm_mon = m - 1;
  t.tm_mday = d;
  return int64_t(timegm(&t)) / 86400;
}

int64_t Micros(int y, int m, int d, int hh = 0, int mm = 0, int ss = 0, int us = 0) {
  return (DaysFromCivil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss) * 1000000ll + us;
}

const int64_t kTsBase = Micros(2023, 11, 1);
const int64_t kTsSpan = 40ll * 86400 * 1000000;

// One generated row; std::nullopt-like NULLs are flagged per column.
struct Row {
  int64_t id;
  bool grp_null; int64_t grp;
  int64_t qty;
  bool n32_null; int64_t n32;
  uint64_t u32;
  float f32;
  bool price_null; double price;
  bool flag_null; bool flag;
  bool name_null; std::string name;
  bool vendor_null; std::string vendor;
  std::string city;
  int64_t day;
  bool ts_null; int64_t ts;
};

Row Generate(int64_t i) {
  const uint64_t h = Mix(uint64_t(i));
  Row r;
  r.id = i;
  r.grp_null = h % 50 == 0;
  r.grp = int64_t(i % 7) - 3;
  r.qty = int64_t(h % 2000) - 1000;
  r.n32_null = h % 20 == 1;
  r.n32 = int64_t((h >> 8) % 100000);
  r.u32 = (h >> 20) % 4000000000ull;
  r.f32 = float((h >> 12) % 10000) / 8;
  r.price_null = h % 20 == 2;
  r.price = double((h >> 16) % 640000) / 64.0 - 2000;
  r.flag_null = h % 30 == 3;
  r.flag = (h >> 3) & 1;
  r.name_null = h % 40 == 5;
  r.name = "k" + std::to_string((h >> 24) % 200000) + ((h >> 40) % 13 == 0 ? "_x" : "");
  r.vendor_null = h % 100 == 7;
  r.vendor = "v" + std::to_string((h >> 33) % 8);
  char city[16];
  std::snprintf(city, sizeof city, "city_%04d", int((h >> 36) % 1000));
  r.city = city;
  r.day = 19000 + int64_t((h >> 30) % 1000);
  r.ts_null = h % 25 == 4;
  r.ts = kTsBase + int64_t((h >> 10) % uint64_t(kTsSpan));
  return r;
}

std::shared_ptr<const Schema> RefSchema() {
  return std::make_shared<Schema>(std::vector<Field>{
      {"id", DataType(TypeId::kInt64), false, {}},
      {"grp", DataType(TypeId::kInt8), true, {}},
      {"qty", DataType(TypeId::kInt16), false, {}},
      {"n32", DataType(TypeId::kInt32), true, {}},
      {"u32", DataType(TypeId::kUInt32), false, {}},
      {"f32", DataType(TypeId::kFloat32), false, {}},
      {"price", DataType(TypeId::kFloat64), true, {}},
      {"flag", DataType(TypeId::kBool), true, {}},
      {"name", DataType(TypeId::kUtf8), true, {}},
      {"vendor", DataType::Dictionary(TypeId::kInt8), true, {}},
      {"city", DataType::Dictionary(TypeId::kInt16), false, {}},
      {"day", DataType(TypeId::kDate32), false, {}},
      {"ts", DataType::Timestamp(TimeUnit::kMicro), true, {}},
  });
}

std::string Double17(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string SqlString(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

// Loads the rows into Quiver (in 64K-row chunks) and writes the SQLite
// script that loads the same rows.
void Load(Store* store, const std::string& sql_path) {
  std::ofstream sql(sql_path);
  sql << "PRAGMA case_sensitive_like=ON;\n"
         "CREATE TABLE t(id INTEGER, grp INTEGER, qty INTEGER, n32 INTEGER, u32 INTEGER, f32 REAL,"
         " price REAL, flag INTEGER, name TEXT, vendor TEXT, city TEXT, day INTEGER, ts INTEGER);\n"
         "BEGIN;\n";
  auto schema = RefSchema();
  WriteOptions w;
  w.create_schema = schema;
  auto writer = store->BeginWrite("t", w);
  REQUIRE(writer.ok());
  constexpr int64_t kBatch = 1 << 16;
  for (int64_t start = 0; start < kRows; start += kBatch) {
    RecordBatchBuilder b(schema);
    const int64_t end = std::min(kRows, start + kBatch);
    for (int64_t i = start; i < end; ++i) {
      const Row r = Generate(i);
      if (i % 500 == 0) sql << (i == 0 ? "" : ";\n") << "INSERT INTO t VALUES ";
      else sql << ",";
      auto col = [&](size_t c) -> ArrayBuilder& { return b.column(c); };
      col(0).AppendInt(r.id);
      if (r.grp_null) col(1).AppendNull(); else col(1).AppendInt(r.grp);
      col(2).AppendInt(r.qty);
      if (r.n32_null) col(3).AppendNull(); else col(3).AppendInt(r.n32);
      col(4).AppendUInt(r.u32);
      col(5).AppendDouble(r.f32);
      if (r.price_null) col(6).AppendNull(); else col(6).AppendDouble(r.price);
      if (r.flag_null) col(7).AppendNull(); else col(7).AppendBool(r.flag);
      if (r.name_null) col(8).AppendNull(); else col(8).AppendString(r.name);
      if (r.vendor_null) col(9).AppendNull(); else col(9).AppendString(r.vendor);
      col(10).AppendString(r.city);
      col(11).AppendInt(r.day);
      if (r.ts_null) col(12).AppendNull(); else col(12).AppendInt(r.ts);
      sql << "(" << r.id << "," << (r.grp_null ? "NULL" : std::to_string(r.grp)) << "," << r.qty << ","
          << (r.n32_null ? "NULL" : std::to_string(r.n32)) << "," << r.u32 << "," << Double17(r.f32) << ","
          << (r.price_null ? "NULL" : Double17(r.price)) << "," << (r.flag_null ? "NULL" : (r.flag ? "1" : "0"))
          << "," << (r.name_null ? "NULL" : SqlString(r.name)) << ","
          << (r.vendor_null ? "NULL" : SqlString(r.vendor)) << "," << SqlString(r.city) << "," << r.day << ","
          << (r.ts_null ? "NULL" : std::to_string(r.ts)) << ")";
    }
    auto batch = b.Finish();
    REQUIRE(batch.ok());
    REQUIRE((*writer)->Append(*batch).ok());
  }
  sql << ";\nCOMMIT;\n";
  REQUIRE((*writer)->Commit().ok());
}

struct RefQuery {
  std::string quiver;
  std::string sqlite;  // empty: the same text
  bool ordered;        // compare in order (ORDER BY fixes it)
};

std::string Ts(int y, int m, int d, int hh = 0, int mm = 0, int ss = 0, int us = 0) {
  return std::to_string(Micros(y, m, d, hh, mm, ss, us));
}

std::vector<RefQuery> Queries() {
  const std::string ts_lo = Ts(2023, 11, 15), ts_hi = Ts(2023, 12, 1, 12, 30, 0, 500000);
  const std::string in_range = "ts BETWEEN '2023-11-15 00:00:00' AND '2023-12-01 12:30:00.5'";
  const std::string in_range_n = "ts BETWEEN " + ts_lo + " AND " + ts_hi;
  return {
      {"SELECT count(*) FROM t", "", true},
      {"SELECT count(*), count(grp), count(n32), count(price), count(flag), count(name), count(vendor), "
       "count(ts) FROM t", "", true},
      {"SELECT sum(id), sum(grp), sum(qty), sum(n32), sum(u32), sum(f32), sum(price) FROM t", "", true},
      {"SELECT min(id), max(id), min(grp), max(grp), min(qty), max(qty), min(n32), max(n32), min(u32), "
       "max(u32) FROM t", "", true},
      {"SELECT min(f32), max(f32), min(price), max(price), avg(price), avg(qty), avg(f32) FROM t", "", true},
      {"SELECT min(name), max(name), min(vendor), max(vendor), min(city), max(city), min(day), max(day), "
       "min(ts), max(ts) FROM t", "", true},
      {"SELECT count(*) FROM t WHERE price > 100", "", true},
      {"SELECT count(*) FROM t WHERE price >= 100.5 AND price < 2000", "", true},
      {"SELECT count(*) FROM t WHERE price BETWEEN -500 AND 500", "", true},
      {"SELECT count(*) FROM t WHERE price NOT BETWEEN -500 AND 500", "", true},
      {"SELECT count(*) FROM t WHERE grp = 2", "", true},
      {"SELECT count(*) FROM t WHERE grp <> 2", "", true},
      {"SELECT count(*) FROM t WHERE grp IN (1, 3, -3)", "", true},
      {"SELECT count(*) FROM t WHERE grp NOT IN (1, 3, -3)", "", true},
      {"SELECT count(*) FROM t WHERE grp IN (1, NULL)", "", true},
      {"SELECT count(*) FROM t WHERE grp NOT IN (1, NULL)", "", true},
      {"SELECT count(*) FROM t WHERE grp IS NULL", "", true},
      {"SELECT count(*) FROM t WHERE grp IS NOT NULL AND n32 IS NULL", "", true},
      {"SELECT count(*) FROM t WHERE qty < 0 OR n32 > 50000", "", true},
      {"SELECT count(*) FROM t WHERE NOT (qty < 0 OR n32 > 50000)", "", true},
      {"SELECT count(*) FROM t WHERE NOT (n32 > 50000)", "", true},
      {"SELECT count(*) FROM t WHERE flag", "", true},
      {"SELECT count(*) FROM t WHERE NOT flag", "", true},
      {"SELECT count(*) FROM t WHERE flag = FALSE OR flag IS NULL", "", true},
      {"SELECT count(*) FROM t WHERE u32 > 3000000000", "", true},
      {"SELECT count(*) FROM t WHERE f32 < 100.5 AND f32 > 10", "", true},
      {"SELECT count(*) FROM t WHERE qty > 10.5", "", true},
      {"SELECT count(*) FROM t WHERE grp < 1000 AND grp > -1000", "", true},
      {"SELECT count(*), sum(qty) FROM t WHERE id >= 500000 AND id < 500100", "", true},
      {"SELECT count(*) FROM t WHERE name = 'k123'", "", true},
      {"SELECT count(*) FROM t WHERE name LIKE 'k12%'", "", true},
      {"SELECT count(*) FROM t WHERE name LIKE '%_x'", "", true},
      {"SELECT count(*) FROM t WHERE name LIKE 'k1_3%'", "", true},
      {"SELECT count(*) FROM t WHERE name NOT LIKE '%9%'", "", true},
      {"SELECT count(*) FROM t WHERE name LIKE 'K1%'", "", true},
      {"SELECT count(*) FROM t WHERE name > 'k5' AND name <= 'k7'", "", true},
      {"SELECT count(*) FROM t WHERE vendor = 'v3'", "", true},
      {"SELECT count(*) FROM t WHERE vendor IN ('v1', 'v2') AND city <> 'city_0007'", "", true},
      {"SELECT count(*) FROM t WHERE vendor IS NULL OR vendor >= 'v6'", "", true},
      {"SELECT count(*) FROM t WHERE city LIKE 'city_00%'", "", true},
      {"SELECT count(*) FROM t WHERE day >= '2023-01-01'",
       "SELECT count(*) FROM t WHERE day >= " + std::to_string(DaysFromCivil(2023, 1, 1)), true},
      {"SELECT count(*) FROM t WHERE " + in_range, "SELECT count(*) FROM t WHERE " + in_range_n, true},
      {"SELECT count(*) FROM t WHERE ts < '2023-11-20'",
       "SELECT count(*) FROM t WHERE ts < " + Ts(2023, 11, 20), true},
      {"SELECT id, price, name FROM t WHERE id BETWEEN 1000 AND 1100",
       "SELECT id, price, name FROM t WHERE id BETWEEN 1000 AND 1100 ORDER BY id", true},
      {"SELECT id, qty, vendor FROM t WHERE qty = 999 ORDER BY id", "", true},
      {"SELECT id, price FROM t WHERE price IS NOT NULL ORDER BY price DESC, id LIMIT 20", "", true},
      {"SELECT id, n32 FROM t ORDER BY n32, id LIMIT 15",
       "SELECT id, n32 FROM t ORDER BY n32 NULLS LAST, id LIMIT 15", true},
      {"SELECT id, n32 FROM t ORDER BY n32 DESC, id LIMIT 15",
       "SELECT id, n32 FROM t ORDER BY n32 DESC NULLS FIRST, id LIMIT 15", true},
      {"SELECT id, name FROM t WHERE vendor = 'v5' ORDER BY name DESC NULLS LAST, id LIMIT 10 OFFSET 100", "",
       true},
      {"SELECT id, ts FROM t WHERE grp = 0 ORDER BY ts NULLS FIRST, id LIMIT 25", "", true},
      {"SELECT vendor, count(*), sum(qty), avg(price), min(name), max(ts) FROM t GROUP BY vendor", "", false},
      {"SELECT grp, count(*) AS n, sum(price) FROM t GROUP BY grp ORDER BY grp",
       "SELECT grp, count(*) AS n, sum(price) FROM t GROUP BY grp ORDER BY grp NULLS LAST", true},
      {"SELECT city, max(price) AS m FROM t WHERE " + in_range + " GROUP BY city ORDER BY m DESC, city LIMIT 10",
       "SELECT city, max(price) AS m FROM t WHERE " + in_range_n +
           " GROUP BY city ORDER BY m DESC NULLS FIRST, city LIMIT 10",
       true},
      {"SELECT vendor, flag, count(*) FROM t GROUP BY vendor, flag", "", false},
      {"SELECT day, count(*) FROM t WHERE day < '2022-06-01' GROUP BY day ORDER BY 2 DESC, 1 LIMIT 5",
       "SELECT day, count(*) FROM t WHERE day < " + std::to_string(DaysFromCivil(2022, 6, 1)) +
           " GROUP BY day ORDER BY 2 DESC, 1 LIMIT 5",
       true},
      {"SELECT count(*), min(id), max(id) FROM t WHERE id > 999990 OR id < 5", "", true},
      {"SELECT * FROM t WHERE id IN (7, 77, 777, 7777, 77777, 777777) ORDER BY id", "", true},
      {"SELECT avg(u32), sum(u32) FROM t WHERE vendor = 'v0' AND flag", "", true},
      {"SELECT name, count(*) AS c FROM t WHERE name LIKE 'k1000%' GROUP BY name ORDER BY c DESC, name LIMIT 5",
       "", true},
      {"SELECT count(*) FROM t WHERE qty = grp", "", true},
      {"SELECT count(*) FROM t WHERE price > qty", "", true},
      {"SELECT id FROM t WHERE price > 1000 LIMIT 10", "SELECT id FROM t WHERE price > 1000 ORDER BY id LIMIT 10",
       true},
      {"SELECT vendor, avg(f32), count(name) FROM t WHERE name IS NOT NULL AND city IN ('city_0001', "
       "'city_0999') GROUP BY vendor ORDER BY vendor DESC",
       "SELECT vendor, avg(f32), count(name) FROM t WHERE name IS NOT NULL AND city IN ('city_0001', "
       "'city_0999') GROUP BY vendor ORDER BY vendor DESC NULLS FIRST",
       true},
      {"SELECT flag, min(price), max(price) FROM t WHERE (grp = 1 OR grp = 2) AND NOT flag IS NULL GROUP BY flag",
       "", false},
  };
}

// The value of row i as SQLite's shell prints it (numbers compared by value
// later for float columns).
std::string Render(const ArrayView& v, int64_t i) {
  kernels::Scalar s = kernels::ValueAt(v, i);
  switch (s.kind()) {
    case kernels::Scalar::Kind::kNull: return kNull;
    case kernels::Scalar::Kind::kBool: return s.bool_value() ? "1" : "0";
    case kernels::Scalar::Kind::kUInt64: return std::to_string(s.uint64_value());
    case kernels::Scalar::Kind::kDouble: return Double17(s.double_value());
    case kernels::Scalar::Kind::kString: return s.string_value();
    default: return std::to_string(s.int64_value());
  }
}

using Table = std::vector<std::vector<std::string>>;

Table QuiverRows(const QueryResult& r) {
  Table out;
  for (const auto& b : r.batches) {
    const ColumnViews views(b);
    for (int64_t i = 0; i < b.num_rows; ++i) {
      std::vector<std::string> row;
      for (const auto& v : views.views()) row.push_back(Render(v, i));
      out.push_back(std::move(row));
    }
  }
  return out;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t at = 0;
  for (;;) {
    size_t next = s.find(sep, at);
    if (next == std::string::npos) {
      out.push_back(s.substr(at));
      return out;
    }
    out.push_back(s.substr(at, next - at));
    at = next + 1;
  }
}

bool SameValue(const std::string& a, const std::string& b, bool is_float) {
  if (a == b) return true;
  if (!is_float || a == kNull || b == kNull) return false;
  const double x = std::strtod(a.c_str(), nullptr), y = std::strtod(b.c_str(), nullptr);
  return std::fabs(x - y) <= 1e-9 * std::max({1.0, std::fabs(x), std::fabs(y)});
}

}  // namespace

TEST_CASE("Queries agree with SQLite on a 1M-row table of every type") {
  REQUIRE(std::system("command -v sqlite3 >/dev/null 2>&1") == 0);  // tools/setup.sh installs it
  TempDir dir;
  StoreOptions o;
  o.max_chunk_rows = 1 << 16;
  auto store = Store::Create(dir.path() + "/ref.pool", 1ull << 30, o);
  REQUIRE(store.ok());
  const std::string script = dir.path() + "/load.sql";
  Load(store->get(), script);

  const std::vector<RefQuery> queries = Queries();
  REQUIRE(queries.size() >= 50);
  {
    std::ofstream sql(script, std::ios::app);
    sql << ".mode list\n.separator \"\\037\" \"\\036\"\n.nullvalue " << kNull << "\n";
    for (const auto& q : queries) sql << ".print @@Q@@\n" << (q.sqlite.empty() ? q.quiver : q.sqlite) << ";\n";
  }
  const std::string out_path = dir.path() + "/out.txt", err_path = dir.path() + "/err.txt";
  const std::string cmd = "sqlite3 -bail < '" + script + "' > '" + out_path + "' 2> '" + err_path + "'";
  const int rc = std::system(cmd.c_str());
  std::string err = quiver::testing::ReadFileBytes(err_path);
  INFO(err);
  REQUIRE(rc == 0);
  std::string out = quiver::testing::ReadFileBytes(out_path);
  std::vector<std::string> sections;
  const std::string marker = "@@Q@@\n";
  for (size_t at = out.find(marker); at != std::string::npos;) {
    size_t next = out.find(marker, at + marker.size());
    sections.push_back(out.substr(at + marker.size(), (next == std::string::npos ? out.size() : next) -
                                                         at - marker.size()));
    at = next;
  }
  REQUIRE(sections.size() == queries.size());

  auto snap = (*store)->GetSnapshot();
  REQUIRE(snap.ok());
  int64_t compared_rows = 0;
  for (size_t qi = 0; qi < queries.size(); ++qi) {
    const RefQuery& q = queries[qi];
    INFO("query " << qi + 1 << ": " << q.quiver);
    auto r = ExecuteSql(*snap, q.quiver);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    Table mine = QuiverRows(*r);
    Table theirs;
    std::string text = sections[qi];
    if (!text.empty() && text.back() == '\036') text.pop_back();
    if (!text.empty()) {
      for (const auto& row : Split(text, '\036')) theirs.push_back(Split(row, '\037'));
    }
    if (!q.ordered) {
      std::sort(mine.begin(), mine.end());
      std::sort(theirs.begin(), theirs.end());
    }
    REQUIRE(mine.size() == theirs.size());
    for (size_t i = 0; i < mine.size(); ++i) {
      REQUIRE(mine[i].size() == theirs[i].size());
      for (size_t c = 0; c < mine[i].size(); ++c) {
        const TypeId t = r->schema->field(c).type.id;
        const bool is_float = t == TypeId::kFloat32 || t == TypeId::kFloat64;
        INFO("row " << i << " column " << r->schema->field(c).name << ": quiver " << mine[i][c] << ", sqlite "
                    << theirs[i][c]);
        CHECK(SameValue(mine[i][c], theirs[i][c], is_float));
      }
    }
    compared_rows += int64_t(mine.size());
  }
  CHECK(compared_rows > 100);
}
