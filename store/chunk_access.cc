#include "store/chunk_access.h"

#include <optional>
#include <utility>

#include "store/exec_internal.h"
#include "store/query_bind.h"

namespace quiver::store {

namespace {

class SlicedSnapshot : public Snapshot {
 public:
  SlicedSnapshot(std::shared_ptr<const Snapshot> base, TableView slice)
      : base_(std::move(base)) {
    tables_.push_back(std::move(slice));
  }
  uint64_t txn() const override { return base_->txn(); }
  const std::vector<TableView>& tables() const override { return tables_; }
  Result<const TableView*> table(const std::string& name) const override {
    if (name == tables_[0].name()) return &tables_[0];
    return Status::NotFound("unknown table \"" + name + "\"; a chunk request reads table \"" +
                            tables_[0].name() + "\" only");
  }
  const pmem::Snapshot& pool_snapshot() const override { return base_->pool_snapshot(); }

 private:
  std::shared_ptr<const Snapshot> base_;
  std::vector<TableView> tables_;
};

}  // namespace

Result<std::vector<uint8_t>> PruneChunks(const TableView& t, const query::ExprPtr& where) {
  std::vector<uint8_t> keep(t.num_chunks(), 1);
  query::BoundExprPtr bound;
  bool nothing = false;
  if (where) {
    QUIVER_ASSIGN_OR_RETURN(bound, query::BindFilter(*where, *t.schema(), t.name()));
    if (internal::IsConstant(*bound)) {
      nothing = internal::EvalConst(*bound) != internal::Tri::kTrue;
      bound = nullptr;
    }
  }
  std::optional<internal::ChunkPruner> pruner;
  if (bound) pruner.emplace(*bound);
  for (size_t i = 0; i < keep.size(); ++i) {
    const ChunkInfo& c = t.chunks()[i];
    if (c.rows == 0 || nothing) {
      keep[i] = 0;
    } else if (pruner) {
      keep[i] = pruner->MayBeTrue(c.stats, c.rows) ? 1 : 0;
    }
  }
  return keep;
}

Result<std::shared_ptr<const Snapshot>> SliceSnapshot(std::shared_ptr<const Snapshot> base,
                                                      const TableView& t, size_t first,
                                                      size_t count) {
  if (first > t.num_chunks() || count > t.num_chunks() - first) {
    return Status::Invalid("chunks " + std::to_string(first) + ".." +
                           std::to_string(first + count - (count ? 1 : 0)) + " are not all in table \"" +
                           t.name() + "\", which has " + std::to_string(t.num_chunks()) +
                           " chunks (0.." + std::to_string(t.num_chunks() ? t.num_chunks() - 1 : 0) +
                           ")");
  }
  return std::shared_ptr<const Snapshot>(
      std::make_shared<SlicedSnapshot>(std::move(base), t.Slice(first, count)));
}

}  // namespace quiver::store
