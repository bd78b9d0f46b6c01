// Tests of the C API (store/capi/quiver.h) through libquiver.so: errors,
// buffers, Arrow export and release semantics, snapshot isolation against a
// writer that appends, drops and compacts, reclaimed pins of killed readers,
// and survival of acknowledged rows when the writer is killed.
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <string>

#include "capi_data.h"
#include "store/capi/quiver.h"
#include "store/store.h"
#include "test_util.h"

using namespace quiver;
using quiver::testing::TempDir;

namespace {

std::unique_ptr<store::Store> MakePool(const std::string& path, int64_t rows) {
  auto s = store::Store::Create(path, 64ull << 20);
  INFO(s.status().ToString());
  REQUIRE(s.ok());
  store::WriteOptions o;
  o.create_schema = capi_test::TripsSchema();
  auto b = capi_test::MakeTrips(0, rows);
  REQUIRE(b.ok());
  REQUIRE((*s)->Write("trips", {*b}, o).ok());
  o.create_schema = capi_test::TypesSchema();
  auto t = capi_test::MakeTypes();
  REQUIRE(t.ok());
  REQUIRE((*s)->Write("types", {*t}, o).ok());
  return std::move(*s);
}

quiver_db* MustOpen(const std::string& path) {
  quiver_db* db = nullptr;
  int rc = quiver_open(path.c_str(), &db);
  INFO(quiver_last_error());
  REQUIRE(rc == QUIVER_OK);
  return db;
}

quiver_snapshot* MustSnapshot(quiver_db* db) {
  quiver_snapshot* s = nullptr;
  int rc = quiver_snapshot_get(db, &s);
  INFO(quiver_last_error());
  REQUIRE(rc == QUIVER_OK);
  return s;
}

const quiver_table* MustTable(const quiver_snapshot* s, const char* name) {
  const quiver_table* t = nullptr;
  int rc = quiver_snapshot_table(s, name, &t);
  INFO(quiver_last_error());
  REQUIRE(rc == QUIVER_OK);
  return t;
}

bool Valid(const quiver_column& c, int64_t i) {
  int64_t j = c.offset + i;
  return c.validity == nullptr || ((c.validity[j >> 3] >> (j & 7)) & 1);
}

// Checks trips rows [first, first + n) of every chunk of `t`, in order.
int64_t CheckTripsRows(const quiver_table* t, int64_t first) {
  int64_t row = first;
  for (size_t k = 0; k < quiver_table_num_chunks(t); ++k) {
    quiver_chunk* chunk = nullptr;
    REQUIRE(quiver_table_chunk(t, k, &chunk) == QUIVER_OK);
    const quiver_column *id, *fare, *city, *note;
    REQUIRE(quiver_chunk_column(chunk, 0, &id) == QUIVER_OK);
    REQUIRE(quiver_chunk_column(chunk, 1, &fare) == QUIVER_OK);
    REQUIRE(quiver_chunk_column(chunk, 2, &city) == QUIVER_OK);
    REQUIRE(quiver_chunk_column(chunk, 3, &note) == QUIVER_OK);
    REQUIRE(city->dictionary != nullptr);
    for (int64_t i = 0; i < quiver_chunk_num_rows(chunk); ++i, ++row) {
      REQUIRE(static_cast<const int64_t*>(id->values)[id->offset + i] == row);
      REQUIRE(Valid(*fare, i) == (row % 7 != 0));
      if (row % 7 != 0)
        REQUIRE(static_cast<const double*>(fare->values)[fare->offset + i] == row * 0.5);
      int32_t c = static_cast<const int32_t*>(city->values)[city->offset + i];
      const quiver_column& d = *city->dictionary;
      std::string cs(reinterpret_cast<const char*>(d.data) + d.offsets[c],
                     size_t(d.offsets[c + 1] - d.offsets[c]));
      REQUIRE(cs == "city_" + std::to_string(row % 5));
      REQUIRE(Valid(*note, i) == (row % 3 != 0));
      if (row % 3 != 0) {
        const int32_t* o = note->offsets + note->offset;
        std::string ns(reinterpret_cast<const char*>(note->data) + o[i], size_t(o[i + 1] - o[i]));
        REQUIRE(ns == "n" + std::to_string(row));
      }
    }
    quiver_chunk_release(chunk);
  }
  return row - first;
}

}  // namespace

TEST_CASE("The C API reports the version of its header and how it was built", "[capi]") {
  CHECK(quiver_version() == QUIVER_C_API_VERSION);
  CHECK(QUIVER_C_API_VERSION == 4);
  CHECK(std::string(quiver_version_string()).size() > 0);
  CHECK(std::string(quiver_build_info()).find("c-api 4") != std::string::npos);
  CHECK(std::string(quiver_status_name(QUIVER_ENOTFOUND)) == "not_found");
  CHECK(std::string(quiver_status_name(QUIVER_EDATALOSS)) == "data_loss");
  CHECK(std::string(quiver_status_name(999)) == "unknown");
}

TEST_CASE("quiver_open names a missing path, a file that is not a pool, and bad arguments",
          "[capi]") {
  TempDir dir;
  quiver_db* db = reinterpret_cast<quiver_db*>(1);
  std::string missing = dir.file("nope.pool");
  CHECK(quiver_open(missing.c_str(), &db) == QUIVER_ENOTFOUND);
  CHECK(db == nullptr);
  CHECK(quiver_last_error_code() == QUIVER_ENOTFOUND);
  CHECK(std::string(quiver_last_error()).find(missing) != std::string::npos);

  std::string junk = dir.file("junk.pool");
  testing::WriteFileBytes(junk, std::string(64 * 1024, 'x'));
  int rc = quiver_open(junk.c_str(), &db);
  CHECK(rc == QUIVER_EINVALID);
  INFO(quiver_last_error());
  CHECK(std::string(quiver_last_error()).find(junk) != std::string::npos);
  CHECK(std::string(quiver_last_error()).find("not a Quiver pool") != std::string::npos);
  CHECK(quiver_open(dir.path().c_str(), &db) == QUIVER_EINVALID);
  CHECK(std::string(quiver_last_error()).find("directory") != std::string::npos);

  CHECK(quiver_open(nullptr, &db) == QUIVER_EINVALID);
  CHECK(quiver_open("", &db) == QUIVER_EINVALID);
  CHECK(quiver_open(junk.c_str(), nullptr) == QUIVER_EINVALID);
  CHECK(quiver_snapshot_get(nullptr, nullptr) == QUIVER_EINVALID);
  quiver_close(nullptr);
  quiver_snapshot_release(nullptr);
  quiver_chunk_release(nullptr);
}

TEST_CASE("An unknown table or column index is an error that lists what exists", "[capi]") {
  TempDir dir;
  auto writer = MakePool(dir.file("p"), 10);
  quiver_db* db = MustOpen(dir.file("p"));
  quiver_snapshot* snap = MustSnapshot(db);
  const quiver_table* t = nullptr;
  CHECK(quiver_snapshot_table(snap, "tripz", &t) == QUIVER_ENOTFOUND);
  std::string msg = quiver_last_error();
  CHECK(msg.find("tripz") != std::string::npos);
  CHECK(msg.find("trips") != std::string::npos);
  CHECK(msg.find("types") != std::string::npos);
  CHECK(quiver_snapshot_table_at(snap, 2, &t) == QUIVER_EINVALID);
  t = MustTable(snap, "trips");
  quiver_chunk* chunk = nullptr;
  CHECK(quiver_table_chunk(t, 5, &chunk) == QUIVER_EINVALID);
  CHECK(std::string(quiver_last_error()).find("no chunk 5") != std::string::npos);
  REQUIRE(quiver_table_chunk(t, 0, &chunk) == QUIVER_OK);
  const quiver_column* col = nullptr;
  CHECK(quiver_chunk_column(chunk, 6, &col) == QUIVER_EINVALID);
  quiver_field f;
  CHECK(quiver_table_field(t, 6, &f) == QUIVER_EINVALID);
  CHECK(quiver_table_field_index(t, "nope") == -1);
  CHECK(quiver_table_chunk_rows(t, 1) == -1);
  quiver_chunk_release(chunk);
  quiver_snapshot_release(snap);
  quiver_close(db);
}

TEST_CASE("Tables, fields and schema text are described through the C API", "[capi]") {
  TempDir dir;
  auto writer = MakePool(dir.file("p"), 100);
  quiver_db* db = MustOpen(dir.file("p"));
  CHECK(std::string(quiver_db_path(db)) == dir.file("p"));
  quiver_snapshot* snap = MustSnapshot(db);
  REQUIRE(quiver_snapshot_num_tables(snap) == 2);
  const quiver_table* t = nullptr;
  REQUIRE(quiver_snapshot_table_at(snap, 0, &t) == QUIVER_OK);
  CHECK(std::string(quiver_table_name(t)) == "trips");
  CHECK(quiver_table_num_rows(t) == 100);
  CHECK(quiver_table_num_chunks(t) == 1);
  CHECK(quiver_table_chunk_rows(t, 0) == 100);
  REQUIRE(quiver_table_num_fields(t) == 6);
  quiver_field f;
  REQUIRE(quiver_table_field(t, 4, &f) == QUIVER_OK);
  CHECK(std::string(f.name) == "ts");
  CHECK(f.type == QUIVER_TYPE_TIMESTAMP);
  CHECK(f.time_unit == QUIVER_UNIT_MILLI);
  CHECK(std::string(f.timezone) == "UTC");
  REQUIRE(quiver_table_field(t, 2, &f) == QUIVER_OK);
  CHECK(f.type == QUIVER_TYPE_UTF8);
  CHECK(f.index_type == QUIVER_TYPE_INT32);
  REQUIRE(quiver_table_field(t, 0, &f) == QUIVER_OK);
  CHECK(f.nullable == 0);
  CHECK(quiver_table_field_index(t, "note") == 3);
  CHECK(std::string(quiver_table_schema_datashape(t)).find("fare: ?float64") != std::string::npos);
  CHECK(std::string(quiver_table_schema_json(t)).find("\"fare\"") != std::string::npos);
  quiver_snapshot_release(snap);
  quiver_close(db);
}

TEST_CASE("Arrow formats, flags and metadata cover every Quiver type", "[capi]") {
  TempDir dir;
  auto writer = MakePool(dir.file("p"), 10);
  quiver_db* db = MustOpen(dir.file("p"));
  quiver_snapshot* snap = MustSnapshot(db);
  ArrowSchema s;
  REQUIRE(quiver_table_export_schema(MustTable(snap, "types"), &s) == QUIVER_OK);
  REQUIRE(std::string(s.format) == "+s");
  REQUIRE(s.n_children == 20);
  for (int i = 0; i < 20; ++i) {
    INFO(s.children[i]->name);
    CHECK(std::string(s.children[i]->format) == capi_test::kTypesFormats[i]);
    CHECK((s.children[i]->flags & ARROW_FLAG_NULLABLE) != 0);
    bool dict = i >= 18;
    REQUIRE((s.children[i]->dictionary != nullptr) == dict);
    if (dict) CHECK(std::string(s.children[i]->dictionary->format) == "u");
  }
  s.release(&s);
  CHECK(s.release == nullptr);

  REQUIRE(quiver_table_export_schema(MustTable(snap, "trips"), &s) == QUIVER_OK);
  // Schema metadata {"source": "capi test"}: int32 count, then length-prefixed pairs.
  REQUIRE(s.metadata != nullptr);
  int32_t n, kl;
  std::memcpy(&n, s.metadata, 4);
  std::memcpy(&kl, s.metadata + 4, 4);
  CHECK(n == 1);
  CHECK(std::string(s.metadata + 8, size_t(kl)) == "source");
  CHECK(s.children[0]->metadata == nullptr);
  CHECK(s.children[1]->metadata != nullptr);
  // A child schema moved out lives on after its parent is released.
  ArrowSchema moved = *s.children[4];
  s.children[4]->release = nullptr;
  s.release(&s);
  CHECK(std::string(moved.format) == "tsm:UTC");
  moved.release(&moved);
  quiver_snapshot_release(snap);
  quiver_close(db);
}

TEST_CASE("Column buffers lie in the mapping and are the buffers the Arrow arrays point to",
          "[capi]") {
  TempDir dir;
  auto writer = MakePool(dir.file("p"), 1000);
  quiver_db* db = MustOpen(dir.file("p"));
  quiver_snapshot* snap = MustSnapshot(db);
  const void* base = nullptr;
  uint64_t size = 0;
  quiver_snapshot_mapping(snap, &base, &size);
  auto inside = [&](const void* p) {
    auto b = static_cast<const uint8_t*>(base);
    auto q = static_cast<const uint8_t*>(p);
    return q >= b && q < b + size;
  };
  const quiver_table* t = MustTable(snap, "trips");
  CHECK(CheckTripsRows(t, 0) == 1000);
  quiver_chunk* chunk = nullptr;
  REQUIRE(quiver_table_chunk(t, 0, &chunk) == QUIVER_OK);
  const quiver_column *fare, *note, *city, *id;
  REQUIRE(quiver_chunk_column(chunk, 0, &id) == QUIVER_OK);
  REQUIRE(quiver_chunk_column(chunk, 1, &fare) == QUIVER_OK);
  REQUIRE(quiver_chunk_column(chunk, 2, &city) == QUIVER_OK);
  REQUIRE(quiver_chunk_column(chunk, 3, &note) == QUIVER_OK);
  CHECK(inside(fare->values));
  CHECK(inside(fare->validity));
  CHECK(fare->null_count == 143);  // multiples of 7 in [0, 1000)
  CHECK(id->validity == nullptr);  // no nulls: no bitmap, as Arrow allows
  CHECK(inside(note->offsets));
  CHECK(inside(note->data));
  CHECK(inside(city->dictionary->data));
  CHECK(reinterpret_cast<uintptr_t>(fare->values) % 64 == 0);

  ArrowArray a;
  ArrowSchema s;
  REQUIRE(quiver_chunk_export(chunk, &a, &s) == QUIVER_OK);
  REQUIRE(a.n_children == 6);
  CHECK(a.children[1]->buffers[1] == fare->values);
  CHECK(a.children[1]->buffers[0] == fare->validity);
  CHECK(a.children[1]->null_count == fare->null_count);
  CHECK(a.children[0]->buffers[0] == nullptr);
  CHECK(a.children[3]->buffers[1] == note->offsets);
  CHECK(a.children[3]->buffers[2] == note->data);
  CHECK(a.children[2]->dictionary->buffers[2] == city->dictionary->data);
  a.release(&a);
  s.release(&s);
  quiver_chunk_release(chunk);
  quiver_snapshot_release(snap);
  quiver_close(db);
}

TEST_CASE("Exported arrays, streams and chunks keep the pin until they are released", "[capi]") {
  TempDir dir;
  auto writer = MakePool(dir.file("p"), 100);
  // An idle writer store pins nothing (it caches no snapshot of its own).
  auto readers = [&] { return writer->pool().Info().readers.size(); };
  REQUIRE(readers() == 0);
  quiver_db* db = MustOpen(dir.file("p"));
  quiver_snapshot* snap = MustSnapshot(db);
  uint64_t txn = quiver_snapshot_txn(snap);
  REQUIRE(readers() >= 1);
  const quiver_table* t = MustTable(snap, "trips");
  ArrowArrayStream stream;
  REQUIRE(quiver_table_export_stream(t, &stream) == QUIVER_OK);
  quiver_chunk* chunk = nullptr;
  REQUIRE(quiver_table_chunk(t, 0, &chunk) == QUIVER_OK);
  ArrowArray arr;
  REQUIRE(quiver_chunk_export(chunk, &arr, nullptr) == QUIVER_OK);
  quiver_chunk_release(chunk);
  quiver_snapshot_release(snap);
  quiver_close(db);
  // Everything that pins txn is still alive: the writer cannot reuse it.
  REQUIRE(readers() >= 1);
  for (const auto& r : writer->pool().Info().readers) CHECK(r.txn_id == txn);
  CHECK(static_cast<const int64_t*>(arr.children[0]->buffers[1])[99] == 99);
  arr.release(&arr);
  CHECK(arr.release == nullptr);
  REQUIRE(readers() >= 1);  // the stream still holds it
  ArrowArray batch;
  REQUIRE(stream.get_next(&stream, &batch) == 0);
  REQUIRE(batch.release != nullptr);
  CHECK(batch.length == 100);
  ArrowArray dict = *batch.children[2]->dictionary;  // moved out of its parent
  batch.children[2]->dictionary->release = nullptr;
  batch.release(&batch);
  ArrowArray end;
  REQUIRE(stream.get_next(&stream, &end) == 0);
  CHECK(end.release == nullptr);
  stream.release(&stream);
  REQUIRE(readers() >= 1);  // the moved dictionary still pins
  CHECK(dict.length == 5);
  dict.release(&dict);
  CHECK(readers() == 0);
}

TEST_CASE("Refresh moves a snapshot to the writer's latest commit", "[capi]") {
  TempDir dir;
  auto writer = MakePool(dir.file("p"), 100);
  quiver_db* db = MustOpen(dir.file("p"));
  quiver_snapshot* snap = MustSnapshot(db);
  uint64_t t0 = quiver_snapshot_txn(snap);
  int changed = -1;
  REQUIRE(quiver_snapshot_refresh(&snap, &changed) == QUIVER_OK);
  CHECK(changed == 0);
  auto b = capi_test::MakeTrips(100, 50);
  REQUIRE(b.ok());
  REQUIRE(writer->Write("trips", {*b}).ok());
  CHECK(quiver_table_num_rows(MustTable(snap, "trips")) == 100);
  REQUIRE(quiver_snapshot_refresh(&snap, &changed) == QUIVER_OK);
  CHECK(changed == 1);
  CHECK(quiver_snapshot_txn(snap) == t0 + 1);
  const quiver_table* t = MustTable(snap, "trips");
  CHECK(quiver_table_num_rows(t) == 150);
  CHECK(quiver_table_num_chunks(t) == 2);
  CHECK(CheckTripsRows(t, 0) == 150);
  quiver_snapshot_release(snap);
  quiver_close(db);
}

TEST_CASE(
    "A pinned snapshot reads its data while the writer appends, drops and compacts, "
    "released space is reused",
    "[capi]") {
  TempDir dir;
  const int64_t kRows = 20000;
  auto writer = MakePool(dir.file("p"), kRows);
  quiver_db* db = MustOpen(dir.file("p"));
  quiver_snapshot* snap = MustSnapshot(db);
  const quiver_table* t = MustTable(snap, "trips");

  // The writer appends in small chunks, drops trips, and compacts another table.
  for (int i = 0; i < 3; ++i) {
    auto b = capi_test::MakeTrips(kRows + i * 10, 10);
    REQUIRE(b.ok());
    REQUIRE(writer->Write("trips", {*b}).ok());
  }
  REQUIRE(writer->DropTable("trips").ok());
  store::WriteOptions o;
  o.create_schema = capi_test::TripsSchema();
  for (int i = 0; i < 4; ++i) {
    auto b = capi_test::MakeTrips(i * 10, 10);
    REQUIRE(b.ok());
    REQUIRE(writer->Write("small", {*b}, o).ok());
  }
  auto compacted = writer->Compact("", 1000);
  REQUIRE(compacted.ok());
  CHECK(compacted->chunks_after < compacted->chunks_before);

  // The reader still sees trips as of its txn, byte for byte.
  CHECK(quiver_table_num_rows(t) == kRows);
  CHECK(CheckTripsRows(t, 0) == kRows);
  pmem::PoolInfo pinned = writer->pool().Info();
  CHECK(pinned.free_list_pending > 0);

  // While pinned, a new table of the same size cannot reuse trips' space.
  auto big = capi_test::MakeTrips(0, kRows);
  REQUIRE(big.ok());
  REQUIRE(writer->Write("fill1", {*big}, o).ok());
  pmem::PoolInfo before = writer->pool().Info();
  CHECK(before.high_water > pinned.high_water);

  quiver_snapshot_release(snap);  // the pin goes with it: nothing else holds it
  pmem::PoolInfo released = writer->pool().Info();
  CHECK(released.free_list_pending < pinned.free_list_pending);
  REQUIRE(writer->Write("fill2", {*big}, o).ok());
  pmem::PoolInfo after = writer->pool().Info();
  CHECK(after.high_water == before.high_water);  // trips' old extents were reused
  quiver_close(db);
}

// Child role: opens the pool through the C API, pins a snapshot, holds an
// exported chunk, prints the txn and waits to be killed.
static int PinAndWait(const std::vector<std::string>& args) {
  quiver_db* db = nullptr;
  if (quiver_open(args.at(0).c_str(), &db) != QUIVER_OK) return 2;
  quiver_snapshot* snap = nullptr;
  if (quiver_snapshot_get(db, &snap) != QUIVER_OK) return 3;
  const quiver_table* t = nullptr;
  quiver_chunk* chunk = nullptr;
  if (quiver_snapshot_table(snap, "trips", &t) != QUIVER_OK ||
      quiver_table_chunk(t, 0, &chunk) != QUIVER_OK) {
    return 4;
  }
  std::printf("%llu\n", static_cast<unsigned long long>(quiver_snapshot_txn(snap)));
  std::fflush(stdout);
  char c;
  while (read(STDIN_FILENO, &c, 1) > 0) {
  }
  return 0;
}
QUIVER_CHILD_ROLE("capi-pin-and-wait", PinAndWait);

TEST_CASE("The pin of a C API reader killed with SIGKILL is reclaimed and its space reused",
          "[capi]") {
  TempDir dir;
  const int64_t kRows = 20000;
  auto writer = MakePool(dir.file("p"), kRows);
  int out = -1, in = -1;
  pid_t pid = testing::SpawnChild("capi-pin-and-wait", {dir.file("p")}, &out, &in);
  std::string line;
  REQUIRE(testing::ReadLine(out, &line));
  bool seen = false;
  for (const auto& r : writer->pool().Info().readers) seen |= r.pid == uint32_t(pid);
  CHECK(seen);
  REQUIRE(writer->DropTable("trips").ok());
  pmem::PoolInfo pinned = writer->pool().Info();
  CHECK(pinned.free_list_pending > 0);

  kill(pid, SIGKILL);
  CHECK(testing::WaitChild(pid) == 128 + SIGKILL);
  close(out);
  close(in);
  store::WriteOptions o;
  o.create_schema = capi_test::TripsSchema();
  auto big = capi_test::MakeTrips(0, kRows);
  REQUIRE(big.ok());
  REQUIRE(writer->Write("again", {*big}, o).ok());
  pmem::PoolInfo after = writer->pool().Info();
  CHECK(after.high_water == pinned.high_water);  // the dropped table's extents were reused
  for (const auto& r : after.readers) CHECK(r.pid != uint32_t(pid));
}

// Child role: appends trips rows in batches of 100 and prints the row count
// after each Commit returns, until killed.
static int AppendForever(const std::vector<std::string>& args) {
  auto s = store::Store::Open(args.at(0));
  if (!s.ok()) return 2;
  for (int64_t rows = std::stoll(args.at(1));; rows += 100) {
    auto b = capi_test::MakeTrips(rows, 100);
    if (!b.ok() || !(*s)->Write("trips", {*b}).ok()) return 3;
    std::printf("%lld\n", static_cast<long long>(rows + 100));
    std::fflush(stdout);
  }
}
QUIVER_CHILD_ROLE("capi-append-forever", AppendForever);

// Child role: a fresh process reads trips through the C API and compares
// every buffer byte for byte with the rows the writer built; prints the row
// count (exit 0) or exits non-zero.
static int VerifyTrips(const std::vector<std::string>& args) {
  quiver_db* db = nullptr;
  if (quiver_open(args.at(0).c_str(), &db) != QUIVER_OK) return 2;
  quiver_snapshot* snap = nullptr;
  const quiver_table* t = nullptr;
  if (quiver_snapshot_get(db, &snap) != QUIVER_OK ||
      quiver_snapshot_table(snap, "trips", &t) != QUIVER_OK) {
    return 3;
  }
  int64_t row = 0;
  for (size_t k = 0; k < quiver_table_num_chunks(t); ++k) {
    quiver_chunk* chunk = nullptr;
    if (quiver_table_chunk(t, k, &chunk) != QUIVER_OK) return 4;
    int64_t n = quiver_chunk_num_rows(chunk);
    auto want = capi_test::MakeTrips(row, n);
    if (!want.ok()) return 5;
    for (size_t c = 0; c < quiver_chunk_num_columns(chunk); ++c) {
      const quiver_column* got = nullptr;
      if (quiver_chunk_column(chunk, c, &got) != QUIVER_OK) return 6;
      const ArrayData& w = *want->columns[c];
      if (got->length != n || got->null_count != w.null_count || got->offset != 0) return 7;
      if (got->null_count > 0 &&
          std::memcmp(got->validity, w.buffers[0]->data(), size_t(BytesForBits(n))) != 0) {
        return 8;
      }
      if (got->offsets != nullptr) {
        if (std::memcmp(got->offsets, w.buffers[1]->data(), size_t(n + 1) * 4) != 0) return 9;
        if (std::memcmp(got->data, w.buffers[2]->data(), size_t(got->offsets[n])) != 0) return 10;
      } else {
        int64_t bytes = c == 5 ? BytesForBits(n) : n * (c == 2 ? 4 : 8);
        if (c == 5) {  // bool: compare bits, the padding bits are unspecified
          for (int64_t i = 0; i < n; ++i) {
            if (GetBit(static_cast<const uint8_t*>(got->values), i) !=
                GetBit(w.buffers[1]->data(), i))
              return 11;
          }
        } else if (std::memcmp(got->values, w.buffers[1]->data(), size_t(bytes)) != 0) {
          return 12;
        }
      }
    }
    row += n;
    quiver_chunk_release(chunk);
  }
  std::printf("%lld\n", static_cast<long long>(row));
  quiver_snapshot_release(snap);
  quiver_close(db);
  return 0;
}
QUIVER_CHILD_ROLE("capi-verify-trips", VerifyTrips);

TEST_CASE("Rows acknowledged by a writer killed with SIGKILL are all there, byte-identical",
          "[capi]") {
  TempDir dir;
  { auto writer = MakePool(dir.file("p"), 1000); }
  int out = -1;
  pid_t pid = testing::SpawnChild("capi-append-forever", {dir.file("p"), "1000"}, &out);
  std::string line;
  int64_t acked = 1000;
  for (int i = 0; i < 25; ++i) {
    REQUIRE(testing::ReadLine(out, &line));
    acked = std::stoll(line);
  }
  kill(pid, SIGKILL);  // at once after an acknowledgement
  CHECK(testing::WaitChild(pid) == 128 + SIGKILL);
  // The writer may have committed and acknowledged more batches while this
  // test read the 25th line and sent the signal: those acknowledgements are
  // in the pipe (one write each), and the last is the writer's last.
  while (testing::ReadLine(out, &line)) acked = std::stoll(line);
  close(out);

  int vout = -1;
  pid_t v = testing::SpawnChild("capi-verify-trips", {dir.file("p")}, &vout);
  REQUIRE(testing::ReadLine(vout, &line));
  CHECK(testing::WaitChild(v) == 0);
  close(vout);
  int64_t seen = std::stoll(line);
  INFO("acknowledged " << acked << ", found " << seen);
  CHECK(seen >= acked);
  CHECK(seen <= acked + 100);  // at most the commit in flight
}

TEST_CASE("A table without rows exports its schema and an empty stream", "[capi]") {
  TempDir dir;
  auto writer = MakePool(dir.file("p"), 10);
  REQUIRE(writer->CreateTable("empty", *capi_test::TripsSchema()).ok());
  quiver_db* db = MustOpen(dir.file("p"));
  quiver_snapshot* snap = MustSnapshot(db);
  const quiver_table* t = MustTable(snap, "empty");
  CHECK(quiver_table_num_rows(t) == 0);
  CHECK(quiver_table_num_chunks(t) == 0);
  ArrowArrayStream stream;
  REQUIRE(quiver_table_export_stream(t, &stream) == QUIVER_OK);
  ArrowSchema s;
  REQUIRE(stream.get_schema(&stream, &s) == 0);
  CHECK(s.n_children == 6);
  s.release(&s);
  ArrowArray a;
  REQUIRE(stream.get_next(&stream, &a) == 0);
  CHECK(a.release == nullptr);
  CHECK(stream.get_last_error(&stream) == nullptr);
  stream.release(&stream);
  quiver_snapshot_release(snap);
  quiver_close(db);
}
