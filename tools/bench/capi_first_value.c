/* capi_first_value: open-to-first-value through the C API alone (no Python),
 * for tools/bench/capi_open.sh. Prints the time from process start (the
 * shell's QUIVER_T0, seconds since the epoch) and from main() to the first
 * value of column COL of chunk 0 of TABLE.
 *
 *   QUIVER_T0=$(date +%s.%N) capi_first_value PATH TABLE COL
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "store/capi/quiver.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int die(const char* what) {
  fprintf(stderr, "%s: %s\n", what, quiver_last_error());
  return 1;
}

int main(int argc, char** argv) {
  double t_main = now();
  if (argc != 4) {
    fprintf(stderr, "usage: capi_first_value PATH TABLE COL\n");
    return 1;
  }
  const char* t0_env = getenv("QUIVER_T0");
  double t0 = t0_env ? atof(t0_env) : t_main;
  quiver_db* db = NULL;
  quiver_snapshot* snap = NULL;
  const quiver_table* t = NULL;
  quiver_chunk* chunk = NULL;
  const quiver_column* col = NULL;
  if (quiver_open(argv[1], &db) != QUIVER_OK) return die("open");
  if (quiver_snapshot_get(db, &snap) != QUIVER_OK) return die("snapshot");
  if (quiver_snapshot_table(snap, argv[2], &t) != QUIVER_OK) return die("table");
  int c = quiver_table_field_index(t, argv[3]);
  if (c < 0 || quiver_table_chunk(t, 0, &chunk) != QUIVER_OK) return die("chunk");
  if (quiver_chunk_column(chunk, (size_t)c, &col) != QUIVER_OK) return die("column");
  double v = ((const double*)col->values)[col->offset + 1];
  double t_end = now();
  printf("C: process_start_to_first_value_s=%.4f main_to_first_value_s=%.4f value=%g\n", t_end - t0,
         t_end - t_main, v);
  quiver_chunk_release(chunk);
  quiver_snapshot_release(snap);
  quiver_close(db);
  return 0;
}
