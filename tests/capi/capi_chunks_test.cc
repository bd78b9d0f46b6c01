// The C API's per-chunk part (C API version 2): chunk statistics and places,
// quiver_table_prune, and Arrow IPC bytes decoded into chunk views.
#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

#include "capi_data.h"
#include "columnar/ipc.h"
#include "store/capi/quiver.h"
#include "store/store.h"
#include "test_util.h"

using namespace quiver;
using quiver::testing::TempDir;

namespace {

// A pool whose "trips" holds rows [0, 100), [100, 200), [200, 300) as three
// chunks.
void MakePool(const std::string& path) {
  auto s = store::Store::Create(path, 64ull << 20);
  REQUIRE(s.ok());
  store::WriteOptions o;
  o.create_schema = capi_test::TripsSchema();
  for (int c = 0; c < 3; ++c) {
    auto b = capi_test::MakeTrips(c * 100, 100);
    REQUIRE(b.ok());
    REQUIRE((*s)->Write("trips", {*b}, o).ok());
  }
}

struct Reader {
  quiver_db* db = nullptr;
  quiver_snapshot* snap = nullptr;
  const quiver_table* t = nullptr;
  explicit Reader(const std::string& path) {
    REQUIRE(quiver_open(path.c_str(), &db) == QUIVER_OK);
    REQUIRE(quiver_snapshot_get(db, &snap) == QUIVER_OK);
    REQUIRE(quiver_snapshot_table(snap, "trips", &t) == QUIVER_OK);
  }
  ~Reader() {
    quiver_snapshot_release(snap);
    quiver_close(db);
  }
};

std::vector<uint8_t> Prune(const quiver_table* t, const char* where) {
  std::vector<uint8_t> keep(quiver_table_num_chunks(t), 9);
  int rc = quiver_table_prune(t, where, keep.data());
  INFO(where << ": " << quiver_last_error());
  REQUIRE(rc == QUIVER_OK);
  return keep;
}

}  // namespace

TEST_CASE("Chunk statistics and places come through the C API", "[capi][chunks]") {
  TempDir dir;
  MakePool(dir.file("p.pool"));
  Reader r(dir.file("p.pool"));
  REQUIRE(quiver_table_num_chunks(r.t) == 3);
  quiver_column_stats st;
  REQUIRE(quiver_table_chunk_stats(r.t, 1, 0, &st) == QUIVER_OK);  // id of chunk 1
  CHECK(st.rows == 100);
  CHECK(st.kind == QUIVER_STATS_INT);
  CHECK(st.has_min == 1);
  CHECK(st.min_int == 100);
  CHECK(st.max_int == 199);
  CHECK(st.null_count == 0);
  CHECK(st.sorted == 1);
  REQUIRE(quiver_table_chunk_stats(r.t, 0, 1, &st) == QUIVER_OK);  // fare: every 7th null
  CHECK(st.kind == QUIVER_STATS_DOUBLE);
  CHECK(st.null_count == 15);
  CHECK(st.min_double == 0.5);
  CHECK(st.max_double == 49.5);
  REQUIRE(quiver_table_chunk_stats(r.t, 2, 3, &st) == QUIVER_OK);  // note
  CHECK(st.kind == QUIVER_STATS_BYTES);
  CHECK(std::string(reinterpret_cast<const char*>(st.min_bytes), size_t(st.min_bytes_size)) ==
        "n200");
  CHECK(quiver_table_chunk_stats(r.t, 3, 0, &st) == QUIVER_EINVALID);
  CHECK(std::string(quiver_last_error()).find("has 3 chunks") != std::string::npos);
  CHECK(quiver_table_chunk_stats(r.t, 0, 99, &st) == QUIVER_EINVALID);

  uint64_t off0 = 0, off1 = 0, len = 0, txn = 0;
  REQUIRE(quiver_table_chunk_place(r.t, 0, &off0, nullptr, nullptr) == QUIVER_OK);
  REQUIRE(quiver_table_chunk_place(r.t, 1, &off1, &len, &txn) == QUIVER_OK);
  CHECK(off1 > off0);
  CHECK(len > 0);
  CHECK(txn <= quiver_table_modified_txn(r.t));
  CHECK(quiver_table_modified_txn(r.t) == quiver_snapshot_txn(r.snap));
}

TEST_CASE("quiver_table_prune is the executor's pruning, and names bad conditions",
          "[capi][chunks]") {
  TempDir dir;
  MakePool(dir.file("p.pool"));
  Reader r(dir.file("p.pool"));
  CHECK(Prune(r.t, "id >= 150") == std::vector<uint8_t>{0, 1, 1});
  // 'n250' lies between chunk 0's note bounds "n1" and "n98" as text.
  CHECK(Prune(r.t, "id < 0 or note = 'n250'") == std::vector<uint8_t>{1, 0, 1});
  CHECK(Prune(r.t, "city in ('nowhere')") == std::vector<uint8_t>{0, 0, 0});  // dictionary
  CHECK(Prune(r.t, "city = 'city_3'") == std::vector<uint8_t>{1, 1, 1});
  CHECK(Prune(r.t, nullptr) == std::vector<uint8_t>{1, 1, 1});
  CHECK(Prune(r.t, "") == std::vector<uint8_t>{1, 1, 1});
  std::vector<uint8_t> keep(3);
  CHECK(quiver_table_prune(r.t, "id >", keep.data()) == QUIVER_EINVALID);
  CHECK(std::string(quiver_last_error()).find("column") != std::string::npos);
  CHECK(quiver_table_prune(r.t, "nope = 1", keep.data()) == QUIVER_ENOTFOUND);
  CHECK(std::string(quiver_last_error()).find("nope") != std::string::npos);
  CHECK(quiver_table_prune(r.t, "id = 'x'", keep.data()) == QUIVER_ETYPE);
  CHECK(quiver_table_prune(r.t, "id = 1", nullptr) == QUIVER_EINVALID);
}

TEST_CASE("Arrow IPC bytes decode into the same column views as pool chunks", "[capi][chunks]") {
  auto b0 = capi_test::MakeTrips(0, 50);
  auto b1 = capi_test::MakeTrips(50, 30);
  REQUIRE(b0.ok());
  REQUIRE(b1.ok());
  auto bytes = WriteIpcStream(*capi_test::TripsSchema(), {*b0, *b1});
  REQUIRE(bytes.ok());
  for (size_t shift : {size_t(0), size_t(3)}) {  // aligned, and a misaligned copy
    std::vector<uint64_t> storage(bytes->size() / 8 + 2);
    uint8_t* data = reinterpret_cast<uint8_t*>(storage.data()) + shift;
    std::memcpy(data, bytes->data(), bytes->size());
    quiver_ipc* ipc = nullptr;
    int rc = quiver_ipc_decode(data, bytes->size(), &ipc);
    INFO(quiver_last_error());
    REQUIRE(rc == QUIVER_OK);
    CHECK(quiver_ipc_num_fields(ipc) == 6);
    CHECK(quiver_ipc_num_batches(ipc) == 2);
    CHECK(quiver_ipc_num_rows(ipc) == 80);
    quiver_field f;
    REQUIRE(quiver_ipc_field(ipc, 4, &f) == QUIVER_OK);
    CHECK(std::string(f.name) == "ts");
    CHECK(f.type == QUIVER_TYPE_TIMESTAMP);
    CHECK(std::string(f.timezone) == "UTC");
    quiver_chunk* c = nullptr;
    REQUIRE(quiver_ipc_batch(ipc, 1, &c) == QUIVER_OK);
    quiver_ipc_release(ipc);  // the chunk keeps what it needs
    CHECK(quiver_chunk_num_rows(c) == 30);
    const quiver_column *id, *city;
    REQUIRE(quiver_chunk_column(c, 0, &id) == QUIVER_OK);
    REQUIRE(quiver_chunk_column(c, 2, &city) == QUIVER_OK);
    const auto* ids = static_cast<const int64_t*>(id->values);
    CHECK(ids[id->offset] == 50);
    CHECK(ids[id->offset + 29] == 79);
    const uint8_t* p = static_cast<const uint8_t*>(id->values);
    if (shift == 0) {
      CHECK((p >= data && p < data + bytes->size()));  // a view of the caller's bytes
    }
    REQUIRE(city->dictionary != nullptr);
    CHECK(city->dictionary->length == 5);
    ArrowArray arr;
    ArrowSchema sch;
    REQUIRE(quiver_chunk_export(c, &arr, &sch) == QUIVER_OK);
    CHECK(arr.length == 30);
    arr.release(&arr);
    sch.release(&sch);
    quiver_chunk_release(c);
  }
  // Damaged bytes are refused with what was wrong.
  std::string bad = *bytes;
  bad.resize(bad.size() / 2);
  bad[bad.size() - 40] ^= 0x5a;
  std::vector<uint64_t> storage(bad.size() / 8 + 1);
  std::memcpy(storage.data(), bad.data(), bad.size());
  quiver_ipc* ipc = nullptr;
  int rc = quiver_ipc_decode(storage.data(), bad.size(), &ipc);
  if (rc == QUIVER_OK) {  // a cut stream ends at its last complete message
    CHECK(quiver_ipc_num_rows(ipc) <= 80);
    quiver_ipc_release(ipc);
  } else {
    CHECK(std::string(quiver_last_error()).find("Arrow IPC bytes") != std::string::npos);
  }
  const char junk[] = "not arrow at all, just text that is long enough";
  CHECK(quiver_ipc_decode(junk, sizeof(junk), &ipc) != QUIVER_OK);
  CHECK(std::string(quiver_last_error()).find("Arrow IPC bytes") != std::string::npos);
  CHECK(quiver_ipc_decode(nullptr, 4, &ipc) == QUIVER_EINVALID);
}
