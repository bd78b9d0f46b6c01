// Hash group-by: aggregates per group of one or more key columns.
//
// GroupByState is a partial table: each thread Consumes its chunks into its
// own state (rows where the filter mask is TRUE, or every row), the states of
// all threads are Merged into one, and Finalize turns it into columns. Keys
// may be integers (any width), bool, date32, timestamp, floats, utf8/binary
// and dictionary<utf8> (dictionary keys are resolved once per dictionary
// entry, not per row); NULL is a group of its own. Aggregates are those of
// kernels/aggregate.h with the same result types and overflow rule, and
// those of kernels/grouped_agg.h.
//
// Groups come out in the order they were first seen (by this state, then by
// the merged ones); a query that needs an order sorts the result.
//
// Thread-safety: not synchronised; one state per thread, then Merge.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "columnar/array.h"
#include "config/status.h"
#include "kernels/aggregate.h"
#include "kernels/grouped_agg.h"
#include "kernels/mask.h"

namespace quiver::kernels {

struct AggregateSpec {
  AggKind kind = AggKind::kCountStar;
  int value = -1;  // index into the value columns; unused for kCountStar
  // A grouped aggregate of kernels/grouped_agg.h instead of `kind`, with its
  // quantile fraction.
  GroupedAggKind grouped = GroupedAggKind::kNone;
  double param = 0.5;
  // Rows come through their own mask in Consume (FILTER (WHERE ...)); a
  // filtered kCountStar counts those rows instead of the group's.
  bool filtered = false;
};

class GroupByState {
 public:
  // Checks that every aggregate applies to its value column's type.
  static Result<GroupByState> Make(std::vector<DataType> key_types,
                                   std::vector<DataType> value_types,
                                   std::vector<AggregateSpec> aggregates);

  GroupByState(GroupByState&&) = default;
  GroupByState& operator=(GroupByState&&) = default;

  // Adds the rows of one batch. keys and values are equal-length columns of
  // the types given to Make; filter (if any) selects the TRUE rows.
  // agg_filters (empty, or one per aggregate, null = none) further restricts
  // the rows an aggregate folds (its FILTER); the groups still come from
  // every row `filter` selects.
  Status Consume(const std::vector<ArrayView>& keys, const std::vector<ArrayView>& values,
                 const Mask* filter = nullptr, const std::vector<const Mask*>& agg_filters = {});
  // Folds in another partial table built with the same Make arguments.
  Status Merge(const GroupByState& other);

  int64_t num_groups() const { return int64_t(group_keys_.size()); }
  // Bytes held by the grouped aggregates' states (hash sets, value lists).
  size_t GroupedAggBytes() const;
  // One column per key (dictionary keys as utf8), then one per aggregate, each
  // num_groups() long. Overflow if an integer sum does not fit its type.
  Result<std::vector<std::shared_ptr<ArrayData>>> Finalize() const;

 private:
  struct Agg {
    AggKind kind;
    int value;
    DataType type;
    std::vector<int64_t> count;
    std::vector<__int128> int_sum;
    std::vector<double> float_sum;
    std::vector<long double> num_min, num_max;  // exact for every int64/uint64/double
    std::vector<std::string> str_min, str_max;
    std::vector<uint8_t> has, nan;
    bool decimal_overflow = false;  // a decimal128 sum left 128 bits in some group
    bool filtered = false;
    std::unique_ptr<GroupedAgg> grouped;  // when the spec names one
  };

  GroupByState() = default;
  enum class Mode { kGeneric, kSingleInt, kSingleDict };

  int32_t AddGroup(std::string encoded);
  int32_t FindOrAddEncoded(const std::string& encoded);
  int32_t FindOrAddInt(int64_t v);
  int32_t FindOrAddNullInt();
  // Group ids of n rows: rows[0..n), or base..base+n when rows is null.
  Status GroupIds(const std::vector<ArrayView>& keys, const int32_t* rows, int64_t base, int64_t n,
                  std::vector<int32_t>* gids);
  void Resize(size_t groups);
  void UpdateAgg(Agg* a, const ArrayView& col, const int32_t* rows, int64_t base, int64_t n,
                 const int32_t* gids);

  std::vector<DataType> key_types_;
  std::vector<DataType> value_types_;
  Mode mode_ = Mode::kGeneric;
  std::vector<std::string> group_keys_;  // encoded, one per group
  std::vector<int64_t> group_rows_;      // count(*)
  std::unordered_map<std::string, int32_t> generic_;
  // kSingleInt: open addressing on the key's 64-bit pattern.
  std::vector<int64_t> int_slots_;
  std::vector<int32_t> int_gids_;  // -1 = empty
  int32_t null_gid_ = -1;
  // kSingleDict: group of each dictionary entry in the current Consume.
  std::vector<int32_t> dict_gids_;
  int32_t dict_null_gid_ = -1;
  std::vector<Agg> aggs_;
};

}  // namespace quiver::kernels
