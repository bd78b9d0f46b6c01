// capi_make_pool: writes the pools that the C, Python and C API tests read,
// through the C++ store (the same writer quiverd uses), and the large table
// of tools/bench/capi_open.sh.
//
//   capi_make_pool create PATH [ROWS]     new pool: "trips" rows [0, ROWS) (default 1000)
//                                         in one chunk, and "types"; prints the txn
//   capi_make_pool append PATH START N    appends "trips" rows [START, START+N) as a
//                                         new chunk; prints the txn after Commit returns
//   capi_make_pool nested PATH ROWS       new pool with table "nested" (capi_nested_data.h),
//                                         rows [0, ROWS) in chunks of at most 40 rows
//   capi_make_pool big PATH ROWS [CSV CSV_ROWS]
//                                         new pool with table "big": a int64 = i,
//                                         b float64 = i * 0.25, c int64 = i % 1000,
//                                         d float64 = (i % 1000) / 8; optionally the
//                                         first CSV_ROWS rows as CSV
// Exit code 0 on success, 2 with a message on stderr otherwise.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "capi_data.h"
#include "capi_nested_data.h"
#include "columnar/builder.h"
#include "store/store.h"

using namespace quiver;

namespace {

int Die(const Status& s) {
  std::fprintf(stderr, "capi_make_pool: %s\n", s.ToString().c_str());
  return 2;
}

int Create(const std::string& path, int64_t rows) {
  auto store = store::Store::Create(path, 64ull << 20);
  if (!store.ok()) return Die(store.status());
  store::WriteOptions o;
  o.create_schema = capi_test::TripsSchema();
  auto trips = capi_test::MakeTrips(0, rows);
  if (!trips.ok()) return Die(trips.status());
  auto t1 = (*store)->Write("trips", {*trips}, o);
  if (!t1.ok()) return Die(t1.status());
  o.create_schema = capi_test::TypesSchema();
  auto types = capi_test::MakeTypes();
  if (!types.ok()) return Die(types.status());
  auto t2 = (*store)->Write("types", {*types}, o);
  if (!t2.ok()) return Die(t2.status());
  std::printf("%" PRIu64 "\n", *t2);
  return 0;
}

int Append(const std::string& path, int64_t start, int64_t n) {
  auto store = store::Store::Open(path);
  if (!store.ok()) return Die(store.status());
  auto batch = capi_test::MakeTrips(start, n);
  if (!batch.ok()) return Die(batch.status());
  auto txn = (*store)->Write("trips", {*batch});
  if (!txn.ok()) return Die(txn.status());
  std::printf("%" PRIu64 "\n", *txn);
  std::fflush(stdout);
  return 0;
}

int Nested(const std::string& path, int64_t rows) {
  auto store = store::Store::Create(path, 64ull << 20);
  if (!store.ok()) return Die(store.status());
  store::WriteOptions o;
  o.create_schema = capi_test::NestedSchema();
  auto w = (*store)->BeginWrite("nested", o);
  if (!w.ok()) return Die(w.status());
  for (int64_t start = 0; start < rows; start += 40) {
    auto batch = capi_test::MakeNested(start, std::min<int64_t>(40, rows - start));
    if (!batch.ok()) return Die(batch.status());
    Status s = (*w)->Append(*batch);
    if (!s.ok()) return Die(s);
  }
  auto txn = (*w)->Commit();
  if (!txn.ok()) return Die(txn.status());
  std::printf("%" PRIu64 "\n", *txn);
  return 0;
}

int Big(const std::string& path, int64_t rows, const std::string& csv, int64_t csv_rows) {
  auto schema = std::make_shared<Schema>(std::vector<Field>{
      {"a", DataType(TypeId::kInt64), false, {}},
      {"b", DataType(TypeId::kFloat64), false, {}},
      {"c", DataType(TypeId::kInt64), false, {}},
      {"d", DataType(TypeId::kFloat64), false, {}},
  });
  uint64_t bytes = uint64_t(rows) * 32;
  auto store = store::Store::Create(path, bytes + bytes / 8 + (64ull << 20));
  if (!store.ok()) return Die(store.status());
  store::WriteOptions o;
  o.create_schema = schema;
  auto w = (*store)->BeginWrite("big", o);
  if (!w.ok()) return Die(w.status());
  const int64_t kBatch = 1 << 20;
  for (int64_t start = 0; start < rows; start += kBatch) {
    int64_t n = std::min(kBatch, rows - start);
    RecordBatchBuilder b(schema);
    for (size_t c = 0; c < 4; ++c) b.column(c).Reserve(n);
    for (int64_t i = start; i < start + n; ++i) {
      b.column(0).AppendInt(i);
      b.column(1).AppendDouble(double(i) * 0.25);
      b.column(2).AppendInt(i % 1000);
      b.column(3).AppendDouble(double(i % 1000) / 8);
    }
    auto batch = b.Finish();
    if (!batch.ok()) return Die(batch.status());
    Status s = (*w)->Append(*batch);
    if (!s.ok()) return Die(s);
  }
  auto txn = (*w)->Commit();
  if (!txn.ok()) return Die(txn.status());
  if (!csv.empty()) {
    FILE* f = std::fopen(csv.c_str(), "w");
    if (f == nullptr) return Die(Status::IOError("cannot write " + csv));
    std::fprintf(f, "a,b,c,d\n");
    for (int64_t i = 0; i < csv_rows; ++i) {
      std::fprintf(f, "%" PRId64 ",%.17g,%" PRId64 ",%.17g\n", i, double(i) * 0.25, i % 1000,
                   double(i % 1000) / 8);
    }
    std::fclose(f);
  }
  std::printf("%" PRIu64 "\n", *txn);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "create" && (argc == 3 || argc == 4)) {
    return Create(argv[2], argc == 4 ? std::atoll(argv[3]) : 1000);
  }
  if (mode == "append" && argc == 5)
    return Append(argv[2], std::atoll(argv[3]), std::atoll(argv[4]));
  if (mode == "nested" && argc == 4) return Nested(argv[2], std::atoll(argv[3]));
  if (mode == "big" && (argc == 4 || argc == 6)) {
    return Big(argv[2], std::atoll(argv[3]), argc == 6 ? argv[4] : "",
               argc == 6 ? std::atoll(argv[5]) : 0);
  }
  std::fprintf(stderr,
               "usage: capi_make_pool create PATH [ROWS] | append PATH START N | "
               "nested PATH ROWS | big PATH ROWS [CSV CSV_ROWS]\n");
  return 1;
}
