/* digest.h: the digest of a pool state that the durability test's writer
 * records for every transaction it commits and that its C-API readers
 * recompute from the snapshot they pin (tests/durability). C99 and C++.
 *
 * Order-sensitive: for every table in name order its name, row count and
 * column count, then column by column every value in row order across the
 * chunks: null, int64, float64 bits, or a string's length and bytes (a
 * dictionary-encoded column contributes its decoded strings). One rule, used
 * by both sides, so a wrong, missing, extra or reordered value changes it.
 */
#ifndef QUIVER_TESTS_DURABILITY_DIGEST_H_
#define QUIVER_TESTS_DURABILITY_DIGEST_H_

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define QD_SEED 0x243F6A8885A308D3ull
#define QD_NULL 0x6E756C6C6E756C6Cull

static inline uint64_t qd_mix(uint64_t h, uint64_t x) {
  h ^= x + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  h *= 0xFF51AFD7ED558CCDull;
  return h ^ (h >> 33);
}

static inline uint64_t qd_bytes(uint64_t h, const void* p, size_t n) {
  const unsigned char* b = (const unsigned char*)p;
  uint64_t f = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) f = (f ^ b[i]) * 1099511628211ull;
  return qd_mix(qd_mix(h, (uint64_t)n), f);
}

static inline uint64_t qd_null(uint64_t h) { return qd_mix(h, QD_NULL); }
static inline uint64_t qd_i64(uint64_t h, int64_t v) { return qd_mix(h, (uint64_t)v); }
static inline uint64_t qd_f64(uint64_t h, double v) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  return qd_mix(h, bits);
}
/* A table's header: name, rows, columns. */
static inline uint64_t qd_table(uint64_t h, const char* name, int64_t rows, int64_t columns) {
  return qd_i64(qd_i64(qd_bytes(h, name, strlen(name)), rows), columns);
}

#endif /* QUIVER_TESTS_DURABILITY_DIGEST_H_ */
