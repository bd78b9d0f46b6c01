/* arrow_c_walk.h: a small consumer of the Arrow C Data Interface written from
 * its specification (https://arrow.apache.org/docs/format/CDataInterface.html
 * and the columnar format), independent of Quiver's code: it renders row i
 * of an exported ArrowArray as JSON text by reading only the format strings,
 * buffers, offsets and children. The C API tests (C++ and C) use it to check
 * what quiver_chunk_export and quiver_table_export_stream give.
 *
 * Rendering: null; booleans true/false; integers, dates, times, timestamps
 * and durations as their stored integer; floats with %.17g; utf8 as a JSON
 * string; binary and fixed_size_binary as a string of hex digits; lists,
 * large lists and fixed-size lists as arrays; structs as objects keyed by
 * child name; maps as arrays of {"key": ..., "value": ...} objects (their
 * entries struct). Other formats render as "?<format>" and count as an error.
 *
 * It also checks each buffer it reads against an optional address range
 * (the mapping of the pool), counting buffers outside it.
 *
 * Header-only, C11 and C++ alike; every function is static inline.
 */
#ifndef QUIVER_TESTS_ARROW_C_WALK_H_
#define QUIVER_TESTS_ARROW_C_WALK_H_

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/capi/quiver.h"

typedef struct acw_out {
  char* text;  /* NUL-terminated, malloc'ed */
  size_t size, cap;
  int errors;  /* unsupported formats or bad structure met */
  /* When lo < hi: every non-NULL buffer read must lie in [lo, hi), or the
   * one all-zero block `zeros` (empty buffers); others are counted here. */
  const uint8_t* lo;
  const uint8_t* hi;
  int outside;
} acw_out;

static inline void acw_put(acw_out* o, const char* s, size_t n) {
  if (o->size + n + 1 > o->cap) {
    size_t cap = o->cap ? o->cap * 2 : 256;
    while (cap < o->size + n + 1) cap *= 2;
    char* t = (char*)realloc(o->text, cap);
    if (t == NULL) {
      o->errors++;
      return;
    }
    o->text = t;
    o->cap = cap;
  }
  memcpy(o->text + o->size, s, n);
  o->size += n;
  o->text[o->size] = '\0';
}
static inline void acw_puts(acw_out* o, const char* s) { acw_put(o, s, strlen(s)); }
static inline void acw_reset(acw_out* o) {
  o->size = 0;
  if (o->text) o->text[0] = '\0';
}

static inline const void* acw_buffer(acw_out* o, const struct ArrowArray* a, int64_t k) {
  if (k >= a->n_buffers) {
    o->errors++;
    return NULL;
  }
  const uint8_t* p = (const uint8_t*)a->buffers[k];
  if (p != NULL && o->lo < o->hi && (p < o->lo || p >= o->hi)) o->outside++;
  return p;
}

static inline int acw_bit(const uint8_t* bits, int64_t i) { return (bits[i >> 3] >> (i & 7)) & 1; }

static inline int acw_is_null(acw_out* o, const struct ArrowSchema* s, const struct ArrowArray* a,
                       int64_t i) {
  if (strcmp(s->format, "n") == 0) return 1;
  if (a->n_buffers == 0) return 0;
  const uint8_t* v = (const uint8_t*)acw_buffer(o, a, 0);
  if (v == NULL) {
    if (a->null_count != 0) o->errors++; /* the spec: NULL only without nulls */
    return 0;
  }
  return !acw_bit(v, a->offset + i);
}

static inline void acw_string(acw_out* o, const uint8_t* p, int64_t n) {
  acw_puts(o, "\"");
  for (int64_t k = 0; k < n; ++k) {
    char c = (char)p[k];
    if (c == '"' || c == '\\') {
      char esc[2] = {'\\', c};
      acw_put(o, esc, 2);
    } else if ((unsigned char)c < 0x20) {
      char esc[8];
      snprintf(esc, sizeof esc, "\\u%04x", (unsigned)(unsigned char)c);
      acw_puts(o, esc);
    } else {
      acw_put(o, &c, 1);
    }
  }
  acw_puts(o, "\"");
}

static inline void acw_hex(acw_out* o, const uint8_t* p, int64_t n) {
  acw_puts(o, "\"");
  for (int64_t k = 0; k < n; ++k) {
    char h[3];
    snprintf(h, sizeof h, "%02x", p[k]);
    acw_put(o, h, 2);
  }
  acw_puts(o, "\"");
}

static inline void acw_value(acw_out* o, const struct ArrowSchema* s, const struct ArrowArray* a,
                      int64_t i);

/* Rows [begin, end) of child 0 as a JSON array. */
static inline void acw_child_range(acw_out* o, const struct ArrowSchema* s, const struct ArrowArray* a,
                            int64_t begin, int64_t end) {
  if (a->n_children != 1 || s->n_children != 1 || end < begin ||
      end > a->children[0]->length) {
    o->errors++;
    acw_puts(o, "null");
    return;
  }
  acw_puts(o, "[");
  for (int64_t j = begin; j < end; ++j) {
    if (j > begin) acw_puts(o, ",");
    acw_value(o, s->children[0], a->children[0], j);
  }
  acw_puts(o, "]");
}

static inline void acw_int(acw_out* o, int64_t v) {
  char t[32];
  snprintf(t, sizeof t, "%" PRId64, v);
  acw_puts(o, t);
}

static inline void acw_value(acw_out* o, const struct ArrowSchema* s, const struct ArrowArray* a,
                      int64_t i) {
  const char* f = s->format;
  if (i < 0 || i >= a->length) {
    o->errors++;
    acw_puts(o, "null");
    return;
  }
  if (acw_is_null(o, s, a, i)) {
    acw_puts(o, "null");
    return;
  }
  int64_t j = a->offset + i; /* position in this array's buffers */
  if (f[0] == '+') {
    if (strcmp(f, "+l") == 0 || strcmp(f, "+m") == 0) {
      const int32_t* off = (const int32_t*)acw_buffer(o, a, 1);
      if (off) acw_child_range(o, s, a, off[j], off[j + 1]);
    } else if (strcmp(f, "+L") == 0) {
      const int64_t* off = (const int64_t*)acw_buffer(o, a, 1);
      if (off) acw_child_range(o, s, a, off[j], off[j + 1]);
    } else if (strncmp(f, "+w:", 3) == 0) {
      int64_t n = atoll(f + 3);
      acw_child_range(o, s, a, j * n, (j + 1) * n);
    } else if (strcmp(f, "+s") == 0) {
      if (a->n_children != s->n_children) o->errors++;
      acw_puts(o, "{");
      for (int64_t k = 0; k < a->n_children && k < s->n_children; ++k) {
        if (k) acw_puts(o, ",");
        acw_string(o, (const uint8_t*)s->children[k]->name, (int64_t)strlen(s->children[k]->name));
        acw_puts(o, ":");
        acw_value(o, s->children[k], a->children[k], j);
      }
      acw_puts(o, "}");
    } else {
      o->errors++;
      acw_puts(o, "\"?");
      acw_puts(o, f);
      acw_puts(o, "\"");
    }
    return;
  }
  const void* v = acw_buffer(o, a, 1);
  if (v == NULL) {
    acw_puts(o, "null");
    return;
  }
  if (s->dictionary != NULL) { /* the value is an index into the dictionary */
    int64_t k = -1;
    if (strcmp(f, "c") == 0) k = ((const int8_t*)v)[j];
    if (strcmp(f, "s") == 0) k = ((const int16_t*)v)[j];
    if (strcmp(f, "i") == 0) k = ((const int32_t*)v)[j];
    if (strcmp(f, "l") == 0) k = ((const int64_t*)v)[j];
    if (a->dictionary == NULL || k < 0 || k >= a->dictionary->length) {
      o->errors++;
      acw_puts(o, "null");
      return;
    }
    acw_value(o, s->dictionary, a->dictionary, k);
    return;
  }
  char t[64];
  if (strcmp(f, "b") == 0) {
    acw_puts(o, acw_bit((const uint8_t*)v, j) ? "true" : "false");
  } else if (strcmp(f, "c") == 0) {
    acw_int(o, ((const int8_t*)v)[j]);
  } else if (strcmp(f, "s") == 0) {
    acw_int(o, ((const int16_t*)v)[j]);
  } else if (strcmp(f, "i") == 0 || strcmp(f, "tdD") == 0 || strncmp(f, "tts", 3) == 0 ||
             strncmp(f, "ttm", 3) == 0) {
    acw_int(o, ((const int32_t*)v)[j]);
  } else if (strcmp(f, "l") == 0 || strcmp(f, "tdm") == 0 || strncmp(f, "ttu", 3) == 0 ||
             strncmp(f, "ttn", 3) == 0 || strncmp(f, "ts", 2) == 0 || strncmp(f, "tD", 2) == 0) {
    acw_int(o, ((const int64_t*)v)[j]);
  } else if (strcmp(f, "C") == 0) {
    acw_int(o, ((const uint8_t*)v)[j]);
  } else if (strcmp(f, "S") == 0) {
    acw_int(o, ((const uint16_t*)v)[j]);
  } else if (strcmp(f, "I") == 0) {
    acw_int(o, ((const uint32_t*)v)[j]);
  } else if (strcmp(f, "L") == 0) {
    snprintf(t, sizeof t, "%" PRIu64, ((const uint64_t*)v)[j]);
    acw_puts(o, t);
  } else if (strcmp(f, "f") == 0) {
    snprintf(t, sizeof t, "%.17g", (double)((const float*)v)[j]);
    acw_puts(o, t);
  } else if (strcmp(f, "g") == 0) {
    snprintf(t, sizeof t, "%.17g", ((const double*)v)[j]);
    acw_puts(o, t);
  } else if (strcmp(f, "u") == 0 || strcmp(f, "z") == 0) {
    const int32_t* off = (const int32_t*)v;
    const uint8_t* data = (const uint8_t*)acw_buffer(o, a, 2);
    if (data == NULL || off[j + 1] < off[j]) {
      o->errors++;
      acw_puts(o, "null");
    } else if (f[0] == 'u') {
      acw_string(o, data + off[j], off[j + 1] - off[j]);
    } else {
      acw_hex(o, data + off[j], off[j + 1] - off[j]);
    }
  } else if (strncmp(f, "w:", 2) == 0) {
    int64_t w = atoll(f + 2);
    acw_hex(o, (const uint8_t*)v + j * w, w);
  } else {
    o->errors++;
    acw_puts(o, "\"?");
    acw_puts(o, f);
    acw_puts(o, "\"");
  }
}

#endif /* QUIVER_TESTS_ARROW_C_WALK_H_ */
