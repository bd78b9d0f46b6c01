/* durability_reader: one of the C-API reader processes of the durability
 * test (tests/durability/processes_test.cc). Uses only quiver.h.
 *
 *   durability_reader POOL DIGESTS STOP
 *
 * Until the file STOP exists: pins the latest snapshot (quiver_snapshot_refresh),
 * reads every value of every column of every table, computes the digest of
 * digest.h, and compares it with the one the writer recorded for that txn in
 * DIGESTS (lines "TXN DIGEST ...", appended after each commit; a txn not
 * there yet is waited for). Prints one line
 *   reader PID snapshots N distinct D mismatches M unrecorded U errors E
 * and exits 0 when M, U and E are 0. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "digest.h"
#include "store/capi/quiver.h"

/* The writer's records, read incrementally from DIGESTS. */
typedef struct {
  uint64_t txn, digest;
} record;
static record* records = NULL;
static size_t n_records = 0, cap_records = 0;
static long digests_offset = 0;

static void load_records(const char* path) {
  FILE* f = fopen(path, "r");
  if (f == NULL) return;
  fseek(f, digests_offset, SEEK_SET);
  char line[4096];
  for (;;) {
    long at = ftell(f);
    if (fgets(line, sizeof line, f) == NULL) break;
    size_t len = strlen(line);
    if (len == 0 || line[len - 1] != '\n') { /* a line still being written */
      digests_offset = at;
      fclose(f);
      return;
    }
    record r;
    if (sscanf(line, "%" SCNu64 " %" SCNx64, &r.txn, &r.digest) == 2) {
      if (n_records == cap_records) {
        cap_records = cap_records ? 2 * cap_records : 1024;
        records = (record*)realloc(records, cap_records * sizeof(record));
        if (records == NULL) abort();
      }
      records[n_records++] = r;
    }
    digests_offset = ftell(f);
  }
  fclose(f);
}

/* 1 and *digest when txn is recorded, 0 when not (yet), -1 when a later txn
 * is recorded but this one is not (the writer never recorded it). */
static int find_record(uint64_t txn, uint64_t* digest) {
  for (size_t i = n_records; i-- > 0;) {
    if (records[i].txn == txn) {
      *digest = records[i].digest;
      return 1;
    }
  }
  return n_records > 0 && records[n_records - 1].txn > txn ? -1 : 0;
}

static int valid_at(const quiver_column* c, int64_t r) {
  if (c->validity == NULL) return 1;
  int64_t j = c->offset + r;
  return (c->validity[j >> 3] >> (j & 7)) & 1;
}

static uint64_t string_at(uint64_t h, const quiver_column* c, int64_t r) {
  const int32_t* o = c->offsets + c->offset + r;
  return qd_bytes(h, c->data + o[0], (size_t)(o[1] - o[0]));
}

/* Mixes value r of column c into h; 0 on success, -1 for a type this test
 * does not write. */
static int mix_value(uint64_t* h, const quiver_column* c, int64_t r) {
  if (!valid_at(c, r)) {
    *h = qd_null(*h);
    return 0;
  }
  if (c->dictionary != NULL) {
    int64_t j = c->offset + r, idx;
    switch (c->index_type) {
      case QUIVER_TYPE_INT8:
        idx = ((const int8_t*)c->values)[j];
        break;
      case QUIVER_TYPE_INT16:
        idx = ((const int16_t*)c->values)[j];
        break;
      case QUIVER_TYPE_INT32:
        idx = ((const int32_t*)c->values)[j];
        break;
      default:
        return -1;
    }
    *h = string_at(*h, c->dictionary, idx);
    return 0;
  }
  switch (c->type) {
    case QUIVER_TYPE_INT64:
      *h = qd_i64(*h, ((const int64_t*)c->values)[c->offset + r]);
      return 0;
    case QUIVER_TYPE_FLOAT64:
      *h = qd_f64(*h, ((const double*)c->values)[c->offset + r]);
      return 0;
    case QUIVER_TYPE_UTF8:
      *h = string_at(*h, c, r);
      return 0;
    default:
      return -1;
  }
}

/* The digest of every table of the snapshot; 0 on success. */
static int snapshot_digest(const quiver_snapshot* s, uint64_t* out) {
  uint64_t h = QD_SEED;
  for (size_t t = 0; t < quiver_snapshot_num_tables(s); ++t) {
    const quiver_table* tab;
    if (quiver_snapshot_table_at(s, t, &tab) != QUIVER_OK) return -1;
    size_t n_chunks = quiver_table_num_chunks(tab), n_fields = quiver_table_num_fields(tab);
    h = qd_table(h, quiver_table_name(tab), quiver_table_num_rows(tab), (int64_t)n_fields);
    quiver_chunk** chunks = (quiver_chunk**)calloc(n_chunks + 1, sizeof(quiver_chunk*));
    int rc = 0;
    for (size_t i = 0; i < n_chunks && rc == 0; ++i) {
      if (quiver_table_chunk(tab, i, &chunks[i]) != QUIVER_OK) rc = -1;
    }
    for (size_t f = 0; f < n_fields && rc == 0; ++f) {
      for (size_t i = 0; i < n_chunks && rc == 0; ++i) {
        const quiver_column* c;
        if (quiver_chunk_column(chunks[i], f, &c) != QUIVER_OK) {
          rc = -1;
          break;
        }
        for (int64_t r = 0; r < c->length && rc == 0; ++r) rc = mix_value(&h, c, r);
      }
    }
    for (size_t i = 0; i < n_chunks; ++i) quiver_chunk_release(chunks[i]);
    free(chunks);
    if (rc != 0) return rc;
  }
  *out = h;
  return 0;
}

static void pause_briefly(void) {
  struct timespec ts = {0, 200000}; /* polling the writer's side file */
  nanosleep(&ts, NULL);
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: durability_reader POOL DIGESTS STOP\n");
    return 2;
  }
  const char *pool = argv[1], *digests = argv[2], *stop = argv[3];
  quiver_db* db;
  if (quiver_open(pool, &db) != QUIVER_OK) {
    fprintf(stderr, "reader: open %s: %s\n", pool, quiver_last_error());
    return 1;
  }
  quiver_snapshot* snap = NULL;
  uint64_t snapshots = 0, distinct = 0, mismatches = 0, unrecorded = 0, errors = 0;
  uint64_t last_txn = 0;
  while (access(stop, F_OK) != 0) {
    int rc = snap == NULL ? quiver_snapshot_get(db, &snap) : quiver_snapshot_refresh(&snap, NULL);
    if (rc != QUIVER_OK) {
      fprintf(stderr, "reader: snapshot: %s\n", quiver_last_error());
      ++errors;
      break;
    }
    uint64_t txn = quiver_snapshot_txn(snap), got, want = 0;
    if (snapshot_digest(snap, &got) != 0) {
      fprintf(stderr, "reader: txn %" PRIu64 ": %s\n", txn, quiver_last_error());
      if (++errors > 20) break;
      continue;
    }
    int found;
    for (;;) {
      load_records(digests);
      found = find_record(txn, &want);
      if (found != 0) break;
      if (access(stop, F_OK) == 0) { /* the writer is done: last chance */
        load_records(digests);
        found = find_record(txn, &want);
        break;
      }
      pause_briefly();
    }
    ++snapshots;
    if (txn != last_txn) ++distinct;
    last_txn = txn;
    if (found != 1) {
      fprintf(stderr, "reader: txn %" PRIu64 " was never recorded by the writer\n", txn);
      ++unrecorded;
    } else if (got != want) {
      fprintf(stderr,
              "reader: txn %" PRIu64 ": digest %016" PRIx64 ", the writer recorded %016" PRIx64
              "\n",
              txn, got, want);
      ++mismatches;
    }
  }
  quiver_snapshot_release(snap);
  quiver_close(db);
  free(records);
  printf("reader %d snapshots %" PRIu64 " distinct %" PRIu64 " mismatches %" PRIu64
         " unrecorded %" PRIu64 " errors %" PRIu64 "\n",
         (int)getpid(), snapshots, distinct, mismatches, unrecorded, errors);
  return mismatches || unrecorded || errors ? 1 : 0;
}
