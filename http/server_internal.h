// Pieces of quiverd shared between http/*.cc files. Private to http/.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/array.h"
#include "config/status.h"

namespace quiver::http {

// The web console's files (http/web/), compiled in by http/web/embed.cmake:
// index.html is served at /, the others at /web/<name>.
struct WebAsset {
  const char* name;
  const char* content_type;
  std::string_view bytes;
};
const std::vector<WebAsset>& WebAssets();
// The file `name` of the console, or null.
const WebAsset* FindWebAsset(std::string_view name);
// The OpenAPI 3.0 document served at /v1/openapi.json.
std::string OpenApiDocument();

// The one table from Status code to HTTP status (every error response takes
// its status from here, defined in router.cc): InvalidArgument 400, NotFound 404,
// AlreadyExists 409, TypeError/Overflow/NotSupported 422, PermissionDenied
// 403, Locked 409, ResourceExhausted/Cancelled 503, OutOfSpace 507, the
// rest (I/O, corruption, internal) 500.
int HttpStatusFor(StatusCode code);

// Request counters and latency histograms, rendered in Prometheus text form.
class Metrics {
 public:
  void Request(const std::string& route, int status, double seconds);
  std::atomic<uint64_t> queries{0};
  std::atomic<uint64_t> queries_rejected{0};
  std::atomic<uint64_t> queries_cancelled{0};  // by any reason
  // By CancelReason (index 0 unused): timeout, shutdown, client_gone,
  // client_request.
  std::atomic<uint64_t> queries_cancelled_by[5] = {};
  std::atomic<uint64_t> rows_scanned{0};
  std::atomic<uint64_t> rows_returned{0};
  std::atomic<uint64_t> chunks_scanned{0};
  std::atomic<uint64_t> chunks_pruned{0};
  std::atomic<uint64_t> rows_appended{0};
  std::atomic<uint64_t> bytes_sent{0};
  std::atomic<uint64_t> auth_failures{0};  // requests refused 401/403 for their token
  // Per-chunk access (chunk_routes.cc).
  std::atomic<uint64_t> chunk_lists{0};          // GET .../chunks without chunks=
  std::atomic<uint64_t> chunk_list_pruned{0};    // chunks a listing's where= pruned
  std::atomic<uint64_t> chunk_requests{0};       // GET .../chunks?chunks=i..j
  std::atomic<uint64_t> chunks_served{0};        // chunks those requests covered
  std::atomic<uint64_t> chunk_version_gone{0};   // refused: table changed since txn N
  std::atomic<uint64_t> scans_created{0};
  std::atomic<uint64_t> scans_expired{0};
  std::atomic<uint64_t> appends_replayed{0};     // retried appends answered, not applied
  // Counters and histograms; the caller appends gauges.
  std::string Render() const;

  static constexpr int kBuckets = 13;
  static const double kBucketBounds[kBuckets];

 private:
  struct Histogram {
    uint64_t buckets[kBuckets] = {};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
};

}  // namespace quiver::http
