/* capi_dump: prints a table of a pool as read through the Arrow C stream
 * interface of libquiver.so (quiver_table_export_stream), one JSON array of
 * column values per row, rendered by the spec-only consumer arrow_c_walk.h.
 * Used by tests/tools/nested_interop.mjs to compare what apache-arrow wrote
 * with what a C consumer of the export sees.
 *
 *   capi_dump POOL TABLE
 *
 * First line: the schema, {"schema": [{"name": ..., "type": T}, ...]} where
 * T is a flat column's format string and a nested one's
 * [format, {"name", "nullable", "type": T} per child, "keys_sorted" if the
 * map flag is set]. Then one line per row.
 * Exit code 0; 2 with a message on stderr when a call fails, the export is
 * malformed (a format the walker does not know, a NULL validity buffer with
 * nulls) or a buffer lies outside the pool mapping.
 */
#include <stdio.h>
#include <stdlib.h>

#include "arrow_c_walk.h"
#include "store/capi/quiver.h"

static int die(const char* what) {
  fprintf(stderr, "capi_dump: %s: %s\n", what, quiver_last_error());
  return 2;
}

/* The schema of a field as JSON: its format, or [format, name, children...]
 * for a nested one. */
static void schema_json(acw_out* o, const struct ArrowSchema* s) {
  if (s->n_children == 0) {
    acw_string(o, (const uint8_t*)s->format, (int64_t)strlen(s->format));
    return;
  }
  acw_puts(o, "[");
  acw_string(o, (const uint8_t*)s->format, (int64_t)strlen(s->format));
  for (int64_t k = 0; k < s->n_children; ++k) {
    acw_puts(o, ",{\"name\":");
    acw_string(o, (const uint8_t*)s->children[k]->name, (int64_t)strlen(s->children[k]->name));
    acw_puts(o, ",\"nullable\":");
    acw_puts(o, (s->children[k]->flags & ARROW_FLAG_NULLABLE) ? "true" : "false");
    acw_puts(o, ",\"type\":");
    schema_json(o, s->children[k]);
    acw_puts(o, "}");
  }
  if (s->flags & ARROW_FLAG_MAP_KEYS_SORTED) acw_puts(o, ",\"keys_sorted\"");
  acw_puts(o, "]");
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: capi_dump POOL TABLE\n");
    return 1;
  }
  quiver_db* db = NULL;
  quiver_snapshot* snap = NULL;
  const quiver_table* t = NULL;
  if (quiver_open(argv[1], &db) != QUIVER_OK) return die("quiver_open");
  if (quiver_snapshot_get(db, &snap) != QUIVER_OK) return die("quiver_snapshot_get");
  if (quiver_snapshot_table(snap, argv[2], &t) != QUIVER_OK) return die("quiver_snapshot_table");
  const void* base = NULL;
  uint64_t size = 0;
  quiver_snapshot_mapping(snap, &base, &size);

  struct ArrowArrayStream stream;
  struct ArrowSchema schema;
  if (quiver_table_export_stream(t, &stream) != QUIVER_OK) return die("export_stream");
  if (stream.get_schema(&stream, &schema) != 0) return die("get_schema");
  acw_out o;
  memset(&o, 0, sizeof o);
  o.lo = (const uint8_t*)base;
  o.hi = (const uint8_t*)base + size;
  acw_puts(&o, "{\"schema\":[");
  for (int64_t c = 0; c < schema.n_children; ++c) {
    if (c) acw_puts(&o, ",");
    acw_puts(&o, "{\"name\":");
    acw_string(&o, (const uint8_t*)schema.children[c]->name, (int64_t)strlen(schema.children[c]->name));
    acw_puts(&o, ",\"type\":");
    schema_json(&o, schema.children[c]);
    acw_puts(&o, "}");
  }
  acw_puts(&o, "]}");
  printf("%s\n", o.text);
  int64_t rows = 0;
  for (;;) {
    struct ArrowArray batch;
    if (stream.get_next(&stream, &batch) != 0) return die("get_next");
    if (batch.release == NULL) break;
    for (int64_t i = 0; i < batch.length; ++i, ++rows) {
      acw_reset(&o);
      acw_puts(&o, "[");
      for (int64_t c = 0; c < batch.n_children; ++c) {
        if (c) acw_puts(&o, ",");
        acw_value(&o, schema.children[c], batch.children[c], i);
      }
      acw_puts(&o, "]");
      printf("%s\n", o.text);
    }
    batch.release(&batch);
  }
  schema.release(&schema);
  stream.release(&stream);
  quiver_snapshot_release(snap);
  quiver_close(db);
  free(o.text);
  fprintf(stderr, "capi_dump: %lld rows, %d errors, %d buffers outside the mapping\n",
          (long long)rows, o.errors, o.outside);
  return o.errors == 0 && o.outside == 0 ? 0 : 2;
}
