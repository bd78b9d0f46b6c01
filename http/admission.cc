// quiverd's admission of queries: max_concurrent_queries slots, and a
// bounded queue in front of them (see Admission in server_state_internal.h).
#include "http/server_state_internal.h"

namespace quiver::http {

Admission::Outcome Admission::Acquire(const ServerConfig& cfg) {
  std::unique_lock<std::mutex> lk(mu_);
  if (running_ < cfg.max_concurrent_queries && waiting_ == 0) {
    ++running_;
    return Outcome::kAdmitted;
  }
  if (waiting_ >= cfg.admission_queue || cfg.admission_wait_ms == 0) return Outcome::kQueueFull;
  ++waiting_;
  bool got = cv_.wait_for(lk, std::chrono::milliseconds(cfg.admission_wait_ms),
                          [&] { return running_ < cfg.max_concurrent_queries; });
  --waiting_;
  if (!got) return Outcome::kTimedOut;
  ++running_;
  return Outcome::kAdmitted;
}

void Admission::Release() {
  {
    std::lock_guard<std::mutex> g(mu_);
    --running_;
  }
  cv_.notify_one();
}

int Admission::running() const {
  std::lock_guard<std::mutex> g(mu_);
  return running_;
}

int Admission::waiting() const {
  std::lock_guard<std::mutex> g(mu_);
  return waiting_;
}

}  // namespace quiver::http
