// quiverd's metrics: request counters and latency histograms (Metrics), and
// GET /metrics, which adds the pool's gauges, in Prometheus text form.
#include <sstream>

#include "http/server_state_internal.h"

namespace quiver::http {

const double Metrics::kBucketBounds[Metrics::kBuckets] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

void Metrics::Request(const std::string& route, int status, double seconds) {
  std::lock_guard<std::mutex> g(mu_);
  ++requests_[{route, status}];
  Histogram& h = latency_[route];
  for (int i = 0; i < kBuckets; ++i) {
    if (seconds <= kBucketBounds[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::Render() const {
  std::ostringstream o;
  {
    std::lock_guard<std::mutex> g(mu_);
    o << "# HELP quiver_http_requests_total HTTP requests by route and status.\n"
         "# TYPE quiver_http_requests_total counter\n";
    for (const auto& [k, n] : requests_) {
      o << "quiver_http_requests_total{route=\"" << k.first << "\",status=\"" << k.second << "\"} "
        << n << "\n";
    }
    o << "# HELP quiver_http_request_duration_seconds Time to the response (first byte of a "
         "stream).\n# TYPE quiver_http_request_duration_seconds histogram\n";
    for (const auto& [route, h] : latency_) {
      for (int i = 0; i < kBuckets; ++i) {
        o << "quiver_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\""
          << kBucketBounds[i] << "\"} " << h.buckets[i] << "\n";
      }
      o << "quiver_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\"+Inf\"} "
        << h.count << "\n";
      o << "quiver_http_request_duration_seconds_sum{route=\"" << route << "\"} " << h.sum << "\n";
      o << "quiver_http_request_duration_seconds_count{route=\"" << route << "\"} " << h.count
        << "\n";
    }
  }
  auto counter = [&](const char* name, const char* help, uint64_t v) {
    o << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n"
      << name << " " << v << "\n";
  };
  counter("quiver_queries_total", "Queries started.", queries.load());
  counter("quiver_queries_rejected_total", "Queries refused: admission queue full or no slot within admission_wait_ms.",
          queries_rejected.load());
  o << "# HELP quiver_queries_cancelled_total Queries cancelled, by reason (timeout, shutdown, "
       "client_gone, client_request: DELETE /v1/queries/{id}).\n"
       "# TYPE quiver_queries_cancelled_total counter\n";
  for (CancelReason r : {CancelReason::kTimeout, CancelReason::kShutdown, CancelReason::kClientGone,
                         CancelReason::kClientRequest}) {
    o << "quiver_queries_cancelled_total{reason=\"" << CancelReasonName(r) << "\"} "
      << queries_cancelled_by[int(r)].load() << "\n";
  }
  counter("quiver_rows_scanned_total", "Rows of the chunks queries read.", rows_scanned.load());
  counter("quiver_rows_returned_total", "Rows queries returned.", rows_returned.load());
  counter("quiver_chunks_scanned_total", "Chunks queries read.", chunks_scanned.load());
  counter("quiver_chunks_pruned_total", "Chunks skipped by their statistics.",
          chunks_pruned.load());
  counter("quiver_rows_appended_total", "Rows appended over HTTP.", rows_appended.load());
  counter("quiver_http_auth_failures_total",
          "Requests refused (401/403) for a missing or wrong bearer token.", auth_failures.load());
  counter("quiver_chunk_lists_total", "Chunk listings (GET /v1/tables/{name}/chunks).",
          chunk_lists.load());
  counter("quiver_chunk_list_pruned_total",
          "Chunks that listings left out because their statistics rule out where=.",
          chunk_list_pruned.load());
  counter("quiver_chunk_requests_total", "Chunk data requests (GET .../chunks?chunks=i..j).",
          chunk_requests.load());
  counter("quiver_chunks_served_total", "Chunks covered by chunk data requests.",
          chunks_served.load());
  counter("quiver_chunk_version_gone_total",
          "Chunk requests refused because the table changed since their txn.",
          chunk_version_gone.load());
  counter("quiver_scans_created_total", "Scan leases created.", scans_created.load());
  counter("quiver_scans_expired_total", "Scan leases dropped at expiry.", scans_expired.load());
  counter("quiver_appends_replayed_total",
          "Appends whose idempotency key was already applied (answered, not applied again).",
          appends_replayed.load());
  counter("quiver_http_response_bytes_total", "Response body bytes sent (after compression).",
          bytes_sent.load());
  return o.str();
}

void AddQueryStats(Metrics& m, const store::QueryStats& s) {
  m.rows_scanned += uint64_t(s.rows_scanned);
  m.rows_returned += uint64_t(s.rows_returned);
  m.chunks_scanned += uint64_t(s.chunks_scanned);
  m.chunks_pruned += uint64_t(s.chunks_pruned);
}

// GET /metrics
void ServeMetrics(ServerState& st, Call& c) {
  std::string text = st.metrics.Render();
  pmem::PoolInfo info = st.store->pool().Info();
  auto gauge = [&](const char* name, const char* help, double v) {
    text += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n" + name +
            " " + std::to_string(v) + "\n";
  };
  auto snap = st.store->GetSnapshot();
  gauge("quiver_pool_used_bytes", "Bytes of the pool in use (extents and metadata).",
        double(info.used_bytes));
  gauge("quiver_pool_capacity_bytes", "Capacity of the pool.", double(info.capacity));
  gauge("quiver_pool_txn", "Current committed transaction id.",
        double(snap.ok() ? (*snap)->txn() : info.txn_id));
  gauge("quiver_pool_reader_pins", "Reader slots pinned in the pool (all processes).",
        double(info.readers.size()));
  gauge("quiver_scans_active", "Scan leases holding a table version pinned.",
        double(st.leases.size()));
  gauge("quiver_queries_running", "Queries running now.", double(st.admission.running()));
  gauge("quiver_queries_waiting", "Queries waiting for a slot (admission queue).",
        double(st.admission.waiting()));
  const ConnectionCounters& cn = st.connections;
  gauge("quiver_http_connections_open", "Client connections open now.", double(cn.open.load()));
  auto count = [&](const char* name, const char* help, uint64_t v) {
    text += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n" +
            name + " " + std::to_string(v) + "\n";
  };
  count("quiver_http_connections_accepted_total", "Client connections accepted.",
        cn.accepted.load());
  count("quiver_http_connections_refused_total",
        "Connections refused with 503 over max_connections.", cn.refused.load());
  count("quiver_http_header_timeouts_total",
        "Connections closed (408) whose request headers did not arrive within read_timeout_ms.",
        cn.header_timeouts.load());
  count("quiver_http_headers_too_large_total",
        "Connections closed (431) whose request headers were over max_header_bytes.",
        cn.header_too_large.load());
  count("quiver_http_bodies_too_large_total",
        "Request bodies cut (413) while read, past max_body_bytes.", cn.body_too_large.load());
  count("quiver_http_idle_closed_total", "Keep-alive connections closed after idle_timeout_ms.",
        cn.idle_closed.load());
  gauge("quiver_uptime_seconds", "Seconds since the server started.",
        std::chrono::duration<double>(Clock::now() - st.started).count());
  SendBody(st, c, std::move(text), "text/plain; version=0.0.4");
}

}  // namespace quiver::http
