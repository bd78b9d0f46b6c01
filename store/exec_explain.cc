// EXPLAIN ANALYZE's operator tree (store/explain_internal.h): the probe,
// the measuring cursor, and the text and JSON forms.
#include <chrono>
#include <functional>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "store/exec_internal.h"
#include "store/explain_internal.h"

namespace quiver::store::internal {

ExplainCounter* ExplainProbe::Add(const void* key) {
  if (ExplainCounter* c = Find(key)) return c;
  counters_.emplace_back();
  counters_.back().key = key;
  return &counters_.back();
}

ExplainCounter* ExplainProbe::Find(const void* key) {
  for (ExplainCounter& c : counters_) {
    if (c.key == key) return &c;
  }
  return nullptr;
}

ExplainProbe*& CurrentExplainProbe() {
  thread_local ExplainProbe* probe = nullptr;
  return probe;
}

int64_t ExplainNowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

namespace {

void AddArrayBytes(const ArrayData& a, std::set<const void*>* seen, int64_t* total) {
  for (const auto& b : a.buffers) {
    // A buffer shared by several columns (or a dictionary shared by every
    // batch of a column) counts once.
    if (b && seen->insert(b.get()).second) *total += b->size();
  }
  if (a.dictionary) AddArrayBytes(*a.dictionary, seen, total);
}

class AnalyzedCursor : public QueryCursor {
 public:
  AnalyzedCursor(std::unique_ptr<QueryCursor> inner, ExplainNodePtr node,
                 std::function<void(const QueryCursor&)> finish)
      : inner_(std::move(inner)), node_(std::move(node)), finish_(std::move(finish)) {
    if (node_->rows < 0) node_->rows = 0;
    if (node_->bytes_out < 0) node_->bytes_out = 0;
    if (node_->time_ms < 0) node_->time_ms = 0;
  }
  const std::shared_ptr<const Schema>& schema() const override { return inner_->schema(); }
  Result<std::optional<RecordBatch>> Next() override {
    const auto t0 = Clock::now();
    auto next = inner_->Next();
    node_->time_ms += MsSince(t0);
    if (next.ok() && next->has_value()) {
      node_->rows += (*next)->num_rows;
      std::set<const void*> seen;
      int64_t bytes = 0;
      for (const auto& c : (*next)->columns) {
        if (c) AddArrayBytes(*c, &seen, &bytes);
      }
      node_->bytes_out += bytes;
    } else if (next.ok() && finish_) {
      finish_(*inner_);
      finish_ = nullptr;
    }
    return next;
  }
  const QueryStats& stats() const override { return inner_->stats(); }
  bool truncated() const override { return inner_->truncated(); }
  const query::BoundQuery& bound() const override { return inner_->bound(); }

 private:
  std::unique_ptr<QueryCursor> inner_;
  ExplainNodePtr node_;
  std::function<void(const QueryCursor&)> finish_;
};

std::string Figures(const ExplainNode& n) {
  std::string out;
  char buf[64];
  auto add = [&](const std::string& s) { out += (out.empty() ? "" : ", ") + s; };
  if (n.rows >= 0) add(std::to_string(n.rows) + " rows");
  if (n.time_ms >= 0) {
    std::snprintf(buf, sizeof(buf), "%.3f ms", n.time_ms);
    add(buf);
  }
  if (n.cpu_ms >= 0) {
    std::snprintf(buf, sizeof(buf), "%.3f ms cpu", n.cpu_ms);
    add(buf);
  }
  if (n.bytes_read >= 0) add(std::to_string(n.bytes_read) + " bytes read");
  if (n.bytes_out >= 0) add(std::to_string(n.bytes_out) + " bytes out");
  return out;
}

nlohmann::json NodeJson(const ExplainNode& n) {
  auto num = [](auto v) -> nlohmann::json {
    if (v < 0) return nullptr;
    return v;
  };
  nlohmann::json children = nlohmann::json::array();
  for (const auto& c : n.children) children.push_back(NodeJson(*c));
  return {{"op", n.op},
          {"detail", n.detail},
          {"rows", num(n.rows)},
          {"time_ms", num(n.time_ms)},
          {"cpu_ms", num(n.cpu_ms)},
          {"bytes_read", num(n.bytes_read)},
          {"bytes_out", num(n.bytes_out)},
          {"children", children}};
}

}  // namespace

int64_t BatchBytes(const RecordBatch& batch) {
  std::set<const void*> seen;
  int64_t total = 0;
  for (const auto& c : batch.columns) {
    if (c) AddArrayBytes(*c, &seen, &total);
  }
  return total;
}

std::unique_ptr<QueryCursor> MakeAnalyzedCursor(std::unique_ptr<QueryCursor> inner,
                                                ExplainNodePtr node,
                                                std::function<void(const QueryCursor&)> finish) {
  return std::make_unique<AnalyzedCursor>(std::move(inner), std::move(node), std::move(finish));
}

void AppendExplainText(const ExplainNode& node, int depth, std::vector<std::string>* lines) {
  std::string line(size_t(depth) * 2, ' ');
  line += node.op;
  if (!node.detail.empty()) line += " " + node.detail;
  std::string figures = Figures(node);
  if (!figures.empty()) line += ": " + figures;
  lines->push_back(std::move(line));
  for (const auto& c : node.children) AppendExplainText(*c, depth + 1, lines);
}

std::string ExplainJson(const ExplainNode& root, const std::vector<std::string>& text,
                        bool analyze) {
  nlohmann::json j = {{"analyze", analyze}, {"plan", NodeJson(root)}, {"text", text}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace quiver::store::internal
