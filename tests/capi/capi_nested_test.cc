// Nested columns (list, large_list, fixed_size_list, struct, map) through
// the C API: child schemas and child arrays of the Arrow C Data Interface,
// read back by the spec-only consumer arrow_c_walk.h against the rows'
// formula (capi_nested_data.h); quiver_column children and
// quiver_table_subfield / quiver_ipc_subfield.
#include <catch2/catch.hpp>
#include <cstring>
#include <string>

#include "arrow_c_walk.h"
#include "capi_nested_data.h"
#include "columnar/ipc.h"
#include "store/capi/quiver.h"
#include "store/store.h"
#include "test_util.h"

using namespace quiver;
using quiver::testing::TempDir;

namespace {

constexpr int kNestedColumns = 7;

// A pool with table "nested": rows [0, 40) and [40, 100) as two chunks.
std::unique_ptr<store::Store> MakeNestedPool(const std::string& path) {
  auto s = store::Store::Create(path, 64ull << 20);
  INFO(s.status().ToString());
  REQUIRE(s.ok());
  store::WriteOptions o;
  o.create_schema = capi_test::NestedSchema();
  for (auto [start, n] : {std::pair<int64_t, int64_t>{0, 40}, {40, 60}}) {
    auto b = capi_test::MakeNested(start, n);
    INFO(b.status().ToString());
    REQUIRE(b.ok());
    auto txn = (*s)->Write("nested", {*b}, o);
    o.create_schema = nullptr;
    INFO(txn.status().ToString());
    REQUIRE(txn.ok());
  }
  return std::move(*s);
}

struct Opened {
  quiver_db* db = nullptr;
  quiver_snapshot* snap = nullptr;
  const quiver_table* t = nullptr;
  explicit Opened(const std::string& path) {
    REQUIRE(quiver_open(path.c_str(), &db) == QUIVER_OK);
    REQUIRE(quiver_snapshot_get(db, &snap) == QUIVER_OK);
    REQUIRE(quiver_snapshot_table(snap, "nested", &t) == QUIVER_OK);
  }
  ~Opened() {
    quiver_snapshot_release(snap);
    quiver_close(db);
  }
};

std::string Format(const ArrowSchema* s) { return s->format; }

// Row `row` of column `col` of an exported struct array, as the walker
// renders it; REQUIREs a well-formed export whose buffers lie in
// [lo, hi).
std::string Walk(const ArrowSchema& schema, const ArrowArray& batch, int col, int64_t row,
                 const void* lo, uint64_t size) {
  acw_out o{};
  o.lo = static_cast<const uint8_t*>(lo);
  o.hi = o.lo + size;
  acw_value(&o, schema.children[col], batch.children[col], row);
  std::string text = o.text ? o.text : "";
  free(o.text);
  INFO(text);
  REQUIRE(o.errors == 0);
  REQUIRE(o.outside == 0);
  return text;
}

}  // namespace

TEST_CASE("Nested columns export their child schemas through the C Data Interface", "[capi]") {
  TempDir dir;
  auto writer = MakeNestedPool(dir.file("p"));
  Opened p(dir.file("p"));
  ArrowSchema s;
  REQUIRE(quiver_table_export_schema(p.t, &s) == QUIVER_OK);
  REQUIRE(s.n_children == kNestedColumns);
  ArrowSchema** c = s.children;
  CHECK(Format(c[0]) == "l");
  CHECK(c[0]->n_children == 0);
  // list<item: utf8>
  CHECK(Format(c[1]) == "+l");
  REQUIRE(c[1]->n_children == 1);
  CHECK(std::string(c[1]->children[0]->name) == "item");
  CHECK(Format(c[1]->children[0]) == "u");
  CHECK((c[1]->children[0]->flags & ARROW_FLAG_NULLABLE) != 0);
  // struct<x: int32 not null, y: float64, name: utf8>, with field metadata
  CHECK(Format(c[2]) == "+s");
  REQUIRE(c[2]->n_children == 3);
  CHECK(std::string(c[2]->children[0]->name) == "x");
  CHECK(Format(c[2]->children[0]) == "i");
  CHECK((c[2]->children[0]->flags & ARROW_FLAG_NULLABLE) == 0);
  CHECK(Format(c[2]->children[1]) == "g");
  CHECK(std::string(c[2]->children[2]->name) == "name");
  REQUIRE(c[2]->metadata != nullptr);
  int32_t kl = 0;
  std::memcpy(&kl, c[2]->metadata + 4, 4);
  CHECK(std::string(c[2]->metadata + 8, size_t(kl)) == "kind");
  // fixed_size_list<item: float32>[3]
  CHECK(Format(c[3]) == "+w:3");
  REQUIRE(c[3]->n_children == 1);
  CHECK(Format(c[3]->children[0]) == "f");
  // map<utf8, int64>, keys sorted: entries struct <key not null, value>
  CHECK(Format(c[4]) == "+m");
  CHECK((c[4]->flags & ARROW_FLAG_MAP_KEYS_SORTED) != 0);
  REQUIRE(c[4]->n_children == 1);
  const ArrowSchema* entries = c[4]->children[0];
  CHECK(std::string(entries->name) == "entries");
  CHECK(Format(entries) == "+s");
  CHECK((entries->flags & ARROW_FLAG_NULLABLE) == 0);
  REQUIRE(entries->n_children == 2);
  CHECK(std::string(entries->children[0]->name) == "key");
  CHECK(Format(entries->children[0]) == "u");
  CHECK((entries->children[0]->flags & ARROW_FLAG_NULLABLE) == 0);
  CHECK(std::string(entries->children[1]->name) == "value");
  CHECK(Format(entries->children[1]) == "l");
  CHECK((entries->children[1]->flags & ARROW_FLAG_NULLABLE) != 0);
  // large_list<item: int16>: given as a list, its offsets being 32-bit in the pool
  CHECK(Format(c[5]) == "+l");
  CHECK(Format(c[5]->children[0]) == "s");
  // list<list<int32>>
  CHECK(Format(c[6]) == "+l");
  REQUIRE(c[6]->children[0]->n_children == 1);
  CHECK(Format(c[6]->children[0]) == "+l");
  CHECK(Format(c[6]->children[0]->children[0]) == "i");
  CHECK((c[1]->flags & ARROW_FLAG_MAP_KEYS_SORTED) == 0);

  // A grandchild moved out lives on after the whole tree is released.
  ArrowSchema key = *c[4]->children[0]->children[0];
  c[4]->children[0]->children[0]->release = nullptr;
  s.release(&s);
  CHECK(s.release == nullptr);
  CHECK(std::string(key.name) == "key");
  key.release(&key);
}

TEST_CASE("Nested chunk arrays read back as the rows written, zero-copy from the mapping",
          "[capi]") {
  TempDir dir;
  auto writer = MakeNestedPool(dir.file("p"));
  Opened p(dir.file("p"));
  const void* base = nullptr;
  uint64_t size = 0;
  quiver_snapshot_mapping(p.snap, &base, &size);
  REQUIRE(quiver_table_num_chunks(p.t) == 2);
  int64_t row = 0;
  for (size_t k = 0; k < 2; ++k) {
    quiver_chunk* chunk = nullptr;
    REQUIRE(quiver_table_chunk(p.t, k, &chunk) == QUIVER_OK);
    ArrowArray a;
    ArrowSchema s;
    REQUIRE(quiver_chunk_export(chunk, &a, &s) == QUIVER_OK);
    quiver_chunk_release(chunk);  // the array holds the pin by itself
    REQUIRE(a.n_children == kNestedColumns);
    // Buffers per the spec: list and map 2, struct and fixed_size_list 1.
    CHECK(a.children[1]->n_buffers == 2);
    CHECK(a.children[2]->n_buffers == 1);
    CHECK(a.children[2]->n_children == 3);
    CHECK(a.children[3]->n_buffers == 1);
    CHECK(a.children[4]->n_buffers == 2);
    CHECK(a.children[4]->children[0]->n_buffers == 1);
    CHECK(a.children[4]->children[0]->n_children == 2);
    CHECK(a.children[2]->null_count == (k == 0 ? 6 : 10));  // rows i % 6 == 5
    for (int64_t i = 0; i < a.length; ++i, ++row) {
      for (int col = 0; col < kNestedColumns; ++col) {
        INFO("row " << row << " column " << s.children[col]->name);
        CHECK(Walk(s, a, col, i, base, size) == capi_test::ExpectedNested(row, col));
      }
    }
    // A child array moved out keeps the snapshot pinned and readable after
    // its parent, the chunk and (below) the snapshot handle are gone.
    if (k == 1) {
      ArrowArray attrs = *a.children[4];
      a.children[4]->release = nullptr;
      a.release(&a);
      quiver_snapshot_release(p.snap);
      p.snap = nullptr;
      acw_out o{};
      acw_value(&o, s.children[4], &attrs, 4);  // row 44: two entries
      CHECK(std::string(o.text) == capi_test::ExpectedNested(44, 4));
      CHECK(o.errors == 0);
      free(o.text);
      attrs.release(&attrs);
    } else {
      a.release(&a);
    }
    s.release(&s);
  }
  CHECK(row == 100);
}

TEST_CASE("The C stream interface gives nested columns chunk by chunk", "[capi]") {
  TempDir dir;
  auto writer = MakeNestedPool(dir.file("p"));
  Opened p(dir.file("p"));
  const void* base = nullptr;
  uint64_t size = 0;
  quiver_snapshot_mapping(p.snap, &base, &size);
  ArrowArrayStream stream;
  REQUIRE(quiver_table_export_stream(p.t, &stream) == QUIVER_OK);
  ArrowSchema s;
  REQUIRE(stream.get_schema(&stream, &s) == 0);
  int64_t row = 0;
  for (;;) {
    ArrowArray a;
    REQUIRE(stream.get_next(&stream, &a) == 0);
    if (a.release == nullptr) break;
    for (int64_t i = 0; i < a.length; ++i, ++row) {
      for (int col = 1; col < kNestedColumns; ++col) {
        CHECK(Walk(s, a, col, i, base, size) == capi_test::ExpectedNested(row, col));
      }
    }
    a.release(&a);
  }
  CHECK(row == 100);
  s.release(&s);
  stream.release(&stream);
}

namespace {

// Row i of a quiver_column as the walker renders it, read through the C
// API's own description (quiver_column children, quiver_table_subfield for
// child names): a second reader of the same bytes.
std::string Render(const quiver_table* t, std::vector<size_t>& path, const quiver_column& c,
                   int64_t i) {
  int64_t j = c.offset + i;
  if (c.validity != nullptr && ((c.validity[j >> 3] >> (j & 7)) & 1) == 0) return "null";
  char text[64];
  switch (c.type) {
    case QUIVER_TYPE_INT16:
      return std::to_string(static_cast<const int16_t*>(c.values)[j]);
    case QUIVER_TYPE_INT32:
      return std::to_string(static_cast<const int32_t*>(c.values)[j]);
    case QUIVER_TYPE_INT64:
      return std::to_string(static_cast<const int64_t*>(c.values)[j]);
    case QUIVER_TYPE_FLOAT32:
      std::snprintf(text, sizeof text, "%.17g", double(static_cast<const float*>(c.values)[j]));
      return text;
    case QUIVER_TYPE_FLOAT64:
      std::snprintf(text, sizeof text, "%.17g", static_cast<const double*>(c.values)[j]);
      return text;
    case QUIVER_TYPE_UTF8:
      return "\"" +
             std::string(reinterpret_cast<const char*>(c.data) + c.offsets[j],
                         size_t(c.offsets[j + 1] - c.offsets[j])) +
             "\"";
    case QUIVER_TYPE_LIST:
    case QUIVER_TYPE_MAP:
    case QUIVER_TYPE_FIXED_SIZE_LIST: {
      REQUIRE(c.num_children == 1);
      int64_t begin = c.type == QUIVER_TYPE_FIXED_SIZE_LIST ? j * c.list_size : c.offsets[j];
      int64_t end = c.type == QUIVER_TYPE_FIXED_SIZE_LIST ? (j + 1) * c.list_size : c.offsets[j + 1];
      std::string out = "[";
      path.push_back(0);
      for (int64_t k = begin; k < end; ++k) {
        out += (k > begin ? "," : "") + Render(t, path, c.children[0], k);
      }
      path.pop_back();
      return out + "]";
    }
    case QUIVER_TYPE_STRUCT: {
      std::string out = "{";
      for (int64_t k = 0; k < c.num_children; ++k) {
        path.push_back(size_t(k));
        quiver_field f;
        REQUIRE(quiver_table_subfield(t, path.data(), path.size(), &f, nullptr) == QUIVER_OK);
        out += (k ? ",\"" : "\"") + std::string(f.name) + "\":" + Render(t, path, c.children[k], j);
        path.pop_back();
      }
      return out + "}";
    }
    default:
      FAIL("unexpected type " << c.type);
      return "";
  }
}

}  // namespace

TEST_CASE("quiver_column gives nested columns' children, offsets and list sizes", "[capi]") {
  TempDir dir;
  auto writer = MakeNestedPool(dir.file("p"));
  Opened p(dir.file("p"));
  quiver_chunk* chunk = nullptr;
  REQUIRE(quiver_table_chunk(p.t, 1, &chunk) == QUIVER_OK);
  const quiver_column* cols[kNestedColumns];
  for (int k = 0; k < kNestedColumns; ++k) REQUIRE(quiver_chunk_column(chunk, size_t(k), &cols[k]) == QUIVER_OK);
  CHECK(cols[0]->num_children == 0);
  CHECK(cols[0]->children == nullptr);
  CHECK(cols[1]->type == QUIVER_TYPE_LIST);
  CHECK(cols[1]->values == nullptr);
  CHECK(cols[1]->offsets != nullptr);
  CHECK(cols[2]->type == QUIVER_TYPE_STRUCT);
  CHECK(cols[2]->num_children == 3);
  CHECK(cols[2]->offsets == nullptr);
  CHECK(cols[3]->type == QUIVER_TYPE_FIXED_SIZE_LIST);
  CHECK(cols[3]->list_size == 3);
  CHECK(cols[3]->children[0].length == 60 * 3);
  CHECK(cols[4]->type == QUIVER_TYPE_MAP);
  CHECK(cols[4]->children[0].type == QUIVER_TYPE_STRUCT);
  CHECK(cols[4]->children[0].children[1].type == QUIVER_TYPE_INT64);
  CHECK(cols[5]->type == QUIVER_TYPE_LIST);
  CHECK(cols[5]->children[0].type == QUIVER_TYPE_INT16);
  CHECK(cols[6]->children[0].children[0].type == QUIVER_TYPE_INT32);
  for (int64_t i = 0; i < 60; ++i) {
    for (int col = 0; col < kNestedColumns; ++col) {
      std::vector<size_t> path{size_t(col)};
      INFO("row " << 40 + i << " column " << col);
      CHECK(Render(p.t, path, *cols[col], i) == capi_test::ExpectedNested(40 + i, col));
    }
  }
  quiver_chunk_release(chunk);
}

TEST_CASE("quiver_table_subfield describes child fields and names bad paths", "[capi]") {
  TempDir dir;
  auto writer = MakeNestedPool(dir.file("p"));
  Opened p(dir.file("p"));
  quiver_field f;
  quiver_field_params params;
  size_t tags[] = {1};
  REQUIRE(quiver_table_subfield(p.t, tags, 1, &f, &params) == QUIVER_OK);
  CHECK(std::string(f.name) == "tags");
  CHECK(f.type == QUIVER_TYPE_LIST);
  CHECK(params.num_children == 1);
  CHECK(params.large == 0);
  REQUIRE(quiver_table_field(p.t, 3, &f) == QUIVER_OK);
  CHECK(f.type == QUIVER_TYPE_FIXED_SIZE_LIST);
  size_t vec[] = {3};
  REQUIRE(quiver_table_subfield(p.t, vec, 1, nullptr, &params) == QUIVER_OK);
  CHECK(params.list_size == 3);
  size_t attrs[] = {4};
  REQUIRE(quiver_table_subfield(p.t, attrs, 1, &f, &params) == QUIVER_OK);
  CHECK(f.type == QUIVER_TYPE_MAP);
  CHECK(params.keys_sorted == 1);
  size_t value[] = {4, 0, 1};
  REQUIRE(quiver_table_subfield(p.t, value, 3, &f, &params) == QUIVER_OK);
  CHECK(std::string(f.name) == "value");
  CHECK(f.type == QUIVER_TYPE_INT64);
  CHECK(f.nullable == 1);
  CHECK(params.num_children == 0);
  size_t key[] = {4, 0, 0};
  REQUIRE(quiver_table_subfield(p.t, key, 3, &f, nullptr) == QUIVER_OK);
  CHECK(std::string(f.name) == "key");
  CHECK(f.nullable == 0);
  size_t big[] = {5};
  REQUIRE(quiver_table_subfield(p.t, big, 1, &f, &params) == QUIVER_OK);
  CHECK(params.large == 1);
  size_t inner[] = {6, 0, 0};
  REQUIRE(quiver_table_subfield(p.t, inner, 3, &f, nullptr) == QUIVER_OK);
  CHECK(f.type == QUIVER_TYPE_INT32);

  size_t flat_child[] = {0, 0};
  CHECK(quiver_table_subfield(p.t, flat_child, 2, &f, nullptr) == QUIVER_EINVALID);
  CHECK(std::string(quiver_last_error()) == "field \"id\" is int64, which has no children");
  size_t past[] = {2, 3};
  CHECK(quiver_table_subfield(p.t, past, 2, &f, nullptr) == QUIVER_EINVALID);
  CHECK(std::string(quiver_last_error()) ==
        "child index 3 out of range: field \"pt\" has 3 children");
  size_t deep_past[] = {4, 0, 2};
  CHECK(quiver_table_subfield(p.t, deep_past, 3, &f, nullptr) == QUIVER_EINVALID);
  CHECK(std::string(quiver_last_error()).find("field \"attrs.entries\" has 2 children") !=
        std::string::npos);
  size_t no_column[] = {7};
  CHECK(quiver_table_subfield(p.t, no_column, 1, &f, nullptr) == QUIVER_EINVALID);
  CHECK(quiver_table_subfield(p.t, nullptr, 1, &f, nullptr) == QUIVER_EINVALID);
  CHECK(quiver_table_subfield(p.t, tags, 0, &f, nullptr) == QUIVER_EINVALID);
  CHECK(quiver_table_subfield(nullptr, tags, 1, &f, nullptr) == QUIVER_EINVALID);
}

TEST_CASE("Nested columns of Arrow IPC bytes decode to the same C views and exports", "[capi]") {
  auto b = capi_test::MakeNested(0, 30);
  REQUIRE(b.ok());
  auto bytes = WriteIpcStream(*capi_test::NestedSchema(), {*b});
  REQUIRE(bytes.ok());
  quiver_ipc* ipc = nullptr;
  REQUIRE(quiver_ipc_decode(bytes->data(), bytes->size(), &ipc) == QUIVER_OK);
  quiver_field f;
  quiver_field_params params;
  size_t vec_item[] = {3, 0};
  REQUIRE(quiver_ipc_subfield(ipc, vec_item, 2, &f, &params) == QUIVER_OK);
  CHECK(std::string(f.name) == "item");
  CHECK(f.type == QUIVER_TYPE_FLOAT32);
  size_t big[] = {5};
  REQUIRE(quiver_ipc_subfield(ipc, big, 1, &f, &params) == QUIVER_OK);
  CHECK(params.large == 1);
  quiver_chunk* c = nullptr;
  REQUIRE(quiver_ipc_batch(ipc, 0, &c) == QUIVER_OK);
  quiver_ipc_release(ipc);
  ArrowArray a;
  ArrowSchema s;
  REQUIRE(quiver_chunk_export(c, &a, &s) == QUIVER_OK);
  quiver_chunk_release(c);
  for (int64_t i = 0; i < 30; ++i) {
    for (int col = 0; col < kNestedColumns; ++col) {
      INFO("row " << i << " column " << col);
      CHECK(Walk(s, a, col, i, nullptr, 0) == capi_test::ExpectedNested(i, col));
    }
  }
  a.release(&a);
  s.release(&s);
}
