/* capi_read: a C11 program that uses only quiver.h. It opens the pool made
 * by `capi_make_pool create PATH ROWS`, reads table "trips" through the
 * Arrow C Stream Interface and checks every value against the formula in
 * capi_data.h, then checks the Arrow formats and a few values of "types".
 *
 *   capi_read PATH [ROWS]      exit 0 when everything matches
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/capi/quiver.h"

static int failures = 0;

#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                            \
      fprintf(stderr, "\n");                                                   \
      if (++failures > 20) exit(1);                                            \
    }                                                                          \
  } while (0)

static int valid(const struct ArrowArray* a, int64_t i) {
  const uint8_t* bits = (const uint8_t*)a->buffers[0];
  int64_t j = a->offset + i;
  return bits == NULL || ((bits[j >> 3] >> (j & 7)) & 1);
}

static void check_trips_batch(const struct ArrowArray* batch, int64_t* row) {
  CHECK(batch->n_children == 6, "%" PRId64 " children", batch->n_children);
  CHECK(batch->n_buffers == 1 && batch->buffers[0] == NULL, "struct validity");
  const struct ArrowArray* id = batch->children[0];
  const struct ArrowArray* fare = batch->children[1];
  const struct ArrowArray* city = batch->children[2];
  const struct ArrowArray* note = batch->children[3];
  const struct ArrowArray* ts = batch->children[4];
  const struct ArrowArray* flag = batch->children[5];
  CHECK(city->dictionary != NULL && city->dictionary->n_buffers == 3, "city dictionary");
  CHECK(note->n_buffers == 3, "note buffers");
  /* Arrow's rule: a NULL validity buffer only when there are no nulls. */
  CHECK(fare->null_count == 0 || fare->buffers[0] != NULL, "fare validity");
  CHECK(note->null_count == 0 || note->buffers[0] != NULL, "note validity");
  CHECK(id->null_count == 0, "id nulls");
  const int64_t* ids = (const int64_t*)id->buffers[1] + id->offset;
  const double* fares = (const double*)fare->buffers[1] + fare->offset;
  const int32_t* cities = (const int32_t*)city->buffers[1] + city->offset;
  const int32_t* doff = (const int32_t*)city->dictionary->buffers[1] + city->dictionary->offset;
  const char* ddata = (const char*)city->dictionary->buffers[2];
  const int32_t* noff = (const int32_t*)note->buffers[1] + note->offset;
  const char* ndata = (const char*)note->buffers[2];
  const int64_t* tss = (const int64_t*)ts->buffers[1] + ts->offset;
  const uint8_t* flags = (const uint8_t*)flag->buffers[1];
  int64_t fare_nulls = 0, note_nulls = 0;
  for (int64_t k = 0; k < batch->length; ++k) {
    int64_t i = *row + k;
    char want[32];
    CHECK(ids[k] == i, "id[%" PRId64 "] = %" PRId64, i, ids[k]);
    if (i % 7 == 0) {
      CHECK(!valid(fare, k), "fare[%" PRId64 "] should be null", i);
      ++fare_nulls;
    } else {
      CHECK(valid(fare, k) && fares[k] == (double)i * 0.5, "fare[%" PRId64 "] = %g", i, fares[k]);
    }
    snprintf(want, sizeof want, "city_%d", (int)(i % 5));
    int32_t c = cities[k];
    CHECK(c >= 0 && c < city->dictionary->length, "city index %d", c);
    CHECK((size_t)(doff[c + 1] - doff[c]) == strlen(want) &&
              memcmp(ddata + doff[c], want, strlen(want)) == 0,
          "city[%" PRId64 "]", i);
    if (i % 3 == 0) {
      CHECK(!valid(note, k), "note[%" PRId64 "] should be null", i);
      ++note_nulls;
    } else {
      snprintf(want, sizeof want, "n%" PRId64, i);
      CHECK(valid(note, k) && (size_t)(noff[k + 1] - noff[k]) == strlen(want) &&
                memcmp(ndata + noff[k], want, strlen(want)) == 0,
            "note[%" PRId64 "]", i);
    }
    CHECK(tss[k] == 1700000000000LL + i * 1000, "ts[%" PRId64 "]", i);
    int64_t bit = flag->offset + k;
    CHECK(((flags[bit >> 3] >> (bit & 7)) & 1) == (i % 2 == 0), "flag[%" PRId64 "]", i);
  }
  CHECK(fare->null_count == fare_nulls, "fare null_count %" PRId64 " vs %" PRId64, fare->null_count,
        fare_nulls);
  CHECK(note->null_count == note_nulls, "note null_count");
  *row += batch->length;
}

static void check_trips_schema(const struct ArrowSchema* s) {
  CHECK(strcmp(s->format, "+s") == 0, "format %s", s->format);
  CHECK(s->n_children == 6, "children");
  const char* names[] = {"id", "fare", "city", "note", "ts", "flag"};
  const char* formats[] = {"l", "g", "i", "u", "tsm:UTC", "b"};
  for (int i = 0; i < 6; ++i) {
    CHECK(strcmp(s->children[i]->name, names[i]) == 0, "name %s", s->children[i]->name);
    CHECK(strcmp(s->children[i]->format, formats[i]) == 0, "format %s", s->children[i]->format);
  }
  CHECK((s->children[0]->flags & ARROW_FLAG_NULLABLE) == 0, "id not nullable");
  CHECK((s->children[1]->flags & ARROW_FLAG_NULLABLE) != 0, "fare nullable");
  CHECK(s->children[2]->dictionary != NULL && strcmp(s->children[2]->dictionary->format, "u") == 0,
        "city dictionary");
  /* fare's metadata: {"unit": "USD"} in Arrow's binary encoding. */
  const char* m = s->children[1]->metadata;
  CHECK(m != NULL, "fare metadata");
  if (m != NULL) {
    int32_t n, kl, vl;
    memcpy(&n, m, 4);
    memcpy(&kl, m + 4, 4);
    memcpy(&vl, m + 8 + kl, 4);
    CHECK(n == 1 && kl == 4 && memcmp(m + 8, "unit", 4) == 0 && vl == 3 &&
              memcmp(m + 12 + kl, "USD", 3) == 0,
          "fare metadata contents");
  }
}

static void check_types(const quiver_table* t) {
  static const char* const formats[] = {
      "b",    "c",       "s", "i", "l", "C",   "S",    "I",
      "L",    "f",       "g", "u", "z", "tdD", "tss:", "tsm:Europe/Paris",
      "tsu:", "tsn:UTC", "c", "s"};
  struct ArrowSchema schema;
  CHECK(quiver_table_export_schema(t, &schema) == QUIVER_OK, "%s", quiver_last_error());
  CHECK(schema.n_children == 20, "types columns %" PRId64, schema.n_children);
  for (int64_t i = 0; i < schema.n_children && i < 20; ++i) {
    CHECK(strcmp(schema.children[i]->format, formats[i]) == 0, "column %" PRId64 ": %s", i,
          schema.children[i]->format);
  }
  schema.release(&schema);
  CHECK(schema.release == NULL, "schema released");

  quiver_chunk* chunk = NULL;
  CHECK(quiver_table_chunk(t, 0, &chunk) == QUIVER_OK, "%s", quiver_last_error());
  struct ArrowArray arr;
  CHECK(quiver_chunk_export(chunk, &arr, NULL) == QUIVER_OK, "%s", quiver_last_error());
  quiver_chunk_release(chunk); /* the exported array keeps the snapshot alive */
  CHECK(arr.length == 3, "types rows");
  for (int64_t c = 0; c < arr.n_children; ++c) {
    CHECK(arr.children[c]->null_count == 1 && !valid(arr.children[c], 1),
          "column %" PRId64 " null row", c);
  }
  CHECK(((const int8_t*)arr.children[1]->buffers[1])[2] == -2, "i8");
  CHECK(((const int64_t*)arr.children[4]->buffers[1])[0] == 4, "i64");
  CHECK(((const uint64_t*)arr.children[8]->buffers[1])[2] == 10, "u64");
  CHECK(((const float*)arr.children[9]->buffers[1])[2] == -3.0f, "f32");
  CHECK(((const int32_t*)arr.children[13]->buffers[1])[2] == 19002, "date32");
  const int32_t* so = (const int32_t*)arr.children[11]->buffers[1];
  CHECK(so[1] - so[0] == 6 &&
            memcmp((const char*)arr.children[11]->buffers[2] + so[0], "h\xc3\xa9llo", 6) == 0,
        "utf8");
  /* Move one child out and release the parent first: the child stays valid. */
  struct ArrowArray moved = *arr.children[4];
  arr.children[4]->release = NULL;
  arr.release(&arr);
  CHECK(((const int64_t*)moved.buffers[1])[2] == -8, "moved child still readable");
  moved.release(&moved);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: capi_read PATH [ROWS]\n");
    return 1;
  }
  int64_t rows = argc > 2 ? atoll(argv[2]) : 1000;
  CHECK(quiver_version() == QUIVER_C_API_VERSION, "version %d", quiver_version());

  quiver_db* db = NULL;
  if (quiver_open(argv[1], &db) != QUIVER_OK) {
    fprintf(stderr, "quiver_open: %s (%s)\n", quiver_last_error(),
            quiver_status_name(quiver_last_error_code()));
    return 1;
  }
  quiver_snapshot* snap = NULL;
  CHECK(quiver_snapshot_get(db, &snap) == QUIVER_OK, "%s", quiver_last_error());
  quiver_close(db); /* the snapshot outlives the db handle */
  CHECK(quiver_snapshot_num_tables(snap) == 2, "tables");

  const quiver_table* trips = NULL;
  CHECK(quiver_snapshot_table(snap, "trips", &trips) == QUIVER_OK, "%s", quiver_last_error());
  CHECK(quiver_table_num_rows(trips) == rows, "rows %" PRId64, quiver_table_num_rows(trips));

  struct ArrowArrayStream stream;
  CHECK(quiver_table_export_stream(trips, &stream) == QUIVER_OK, "%s", quiver_last_error());
  struct ArrowSchema schema;
  CHECK(stream.get_schema(&stream, &schema) == 0, "get_schema");
  check_trips_schema(&schema);
  schema.release(&schema);
  /* The stream holds its own pin: release the snapshot handle now. */
  const quiver_table* types = NULL;
  CHECK(quiver_snapshot_table(snap, "types", &types) == QUIVER_OK, "%s", quiver_last_error());
  check_types(types);
  quiver_snapshot_release(snap);

  int64_t row = 0;
  for (;;) {
    struct ArrowArray batch;
    int rc = stream.get_next(&stream, &batch);
    CHECK(rc == 0, "get_next: %s", stream.get_last_error(&stream));
    if (rc != 0 || batch.release == NULL) break;
    check_trips_batch(&batch, &row);
    batch.release(&batch);
  }
  CHECK(row == rows, "read %" PRId64 " rows, want %" PRId64, row, rows);
  stream.release(&stream);
  CHECK(stream.release == NULL, "stream released");

  if (failures) {
    fprintf(stderr, "capi_read: %d checks failed\n", failures);
    return 1;
  }
  printf("capi_read: %" PRId64 " rows of trips and every type checked\n", row);
  return 0;
}
