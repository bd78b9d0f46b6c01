// Per-group aggregates beyond kernels/aggregate.h: COUNT(DISTINCT),
// approximate distinct counts (HyperLogLog), variance and standard deviation,
// exact quantiles (median, quantile_cont, quantile_disc), bool_and / bool_or
// and any_value.
//
// A GroupedAgg holds the state of one aggregate for groups 0..n-1 (the
// ungrouped path uses one group). Each worker Updates its own state with the
// rows of a batch and the group id of each row; the states are Merged (with a
// map from the other state's group ids to this one's) and Finalize produces
// one value per group. GroupByState (kernels/group_by.h) drives it for
// GROUP BY; store/op_aggregate.cc drives it with one group.
//
// Semantics (DuckDB's):
//  - NULLs are skipped by every aggregate; a group without a non-NULL value
//    gives NULL (COUNT(DISTINCT) and approx_count_distinct give 0).
//  - COUNT(DISTINCT x): exact. Strings compare by bytes, a dictionary column
//    by value (not index); float -0.0 equals 0.0 and every NaN is one value.
//  - approx_count_distinct: HyperLogLog with p = 12 (4096 one-byte registers,
//    standard error 1.04 / sqrt(4096) = 1.6%) over XXH3 64-bit hashes of the
//    same canonical values COUNT(DISTINCT) compares; a group holds its
//    distinct hashes exactly until it has more than kHllSparseMax of them,
//    so small groups are exact (up to hash collisions).
//  - var_samp / var_pop / stddev_samp / stddev_pop of numeric columns:
//    float64; Welford's update and Chan et al.'s pairwise merge. var_samp and
//    stddev_samp of fewer than two values are NULL. Float results may differ
//    in the last bits with the split of rows between workers.
//  - median = quantile_cont(x, 0.5) for numbers, dates and timestamps and
//    quantile_disc(x, 0.5) for strings. quantile_cont(x, q) interpolates
//    linearly between the values at ranks floor((n-1)q) and ceil((n-1)q): a
//    float64 for numbers, a timestamp[us] for date32, the input type for a
//    timestamp (rounded to the nearest unit). quantile_disc(x, q) returns the
//    input value at rank max(ceil(n q), 1) - 1. NaN sorts above every number.
//  - bool_and / bool_or of bool columns; any_value: the first non-NULL value
//    a worker saw (which one is unspecified across workers).
//  - list (array_agg): every value of the group, NULLs included, as a
//    list<input type>; a group's values in the order its rows were read by
//    each worker, the workers' in merge order (no order is promised, as in
//    PostgreSQL and DuckDB without ORDER BY in the aggregate).
//  - string_agg(x, sep) of a string column: the group's non-NULL values
//    joined by sep, in the same order as list; NULL for a group without
//    one.
//
// Memory: MemoryBytes() counts the bytes a state holds (hash sets, value
// lists, registers), so that a per-query memory limit can include them.
//
// Thread-safety: not synchronised; one state per worker, then Merge.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "columnar/array.h"
#include "config/status.h"
#include "kernels/scalar.h"

namespace quiver::kernels {

enum class GroupedAggKind : uint8_t {
  kNone,
  kCountDistinct,
  kApproxCountDistinct,
  kVarSamp,
  kVarPop,
  kStddevSamp,
  kStddevPop,
  kMedian,
  kQuantileCont,
  kQuantileDisc,
  kBoolAnd,
  kBoolOr,
  kAnyValue,
  kList,
  kStringAgg,
};
// "count_distinct", "approx_count_distinct", "var_samp", ...
const char* GroupedAggKindName(GroupedAggKind k);

// The result type of `kind` over an input column type; TypeError if the
// aggregate does not apply (its message says what the aggregate accepts).
Result<DataType> GroupedAggResultType(GroupedAggKind kind, const DataType& input);
// What `kind` accepts, for messages: "a numeric column", "a bool column", ...
const char* GroupedAggAccepts(GroupedAggKind kind);

// Groups up to this many distinct hashes exactly before HyperLogLog.
constexpr size_t kHllSparseMax = 256;
// HyperLogLog precision: 2^12 registers.
constexpr int kHllPrecision = 12;

class GroupedAgg {
 public:
  // A state for groups of `input` values. `param` is the quantile fraction
  // (quantile_cont / quantile_disc), in [0, 1]; `sep` string_agg's
  // separator. TypeError as GroupedAggResultType; InvalidArgument for a
  // fraction outside [0, 1].
  static Result<std::unique_ptr<GroupedAgg>> Make(GroupedAggKind kind, const DataType& input,
                                                  double param = 0.5, std::string_view sep = ",");
  virtual ~GroupedAgg() = default;

  // An empty state with the same kind, input type and parameter.
  virtual std::unique_ptr<GroupedAgg> NewEmpty() const = 0;
  // Makes room for groups [0, groups); never shrinks.
  virtual void Resize(size_t groups) = 0;
  // Folds in n rows of `col` (of the input type): row k is rows[k], or
  // base + k when rows is null; it belongs to group gids[k], or to group 0
  // when gids is null. Every group id must be below the last Resize.
  virtual void Update(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n,
                      const int32_t* gids) = 0;
  // Folds group g of `other` (same kind and input type) into group map[g]
  // of this state (map null: into group g; map[g] < 0: skipped). Resize
  // first.
  virtual void Merge(const GroupedAgg& other, const int32_t* map) = 0;
  // Runs fn(0), ..., fn(n - 1), on several threads at once when it can; the
  // first error stops it.
  using TaskRunner = std::function<Status(int64_t n, const std::function<Status(int64_t)>& fn)>;
  // Merge, its work split into tasks for `run` where the state allows
  // (COUNT(DISTINCT) of numbers: one task per partition of its set).
  virtual Status MergeParallel(const GroupedAgg& other, const int32_t* map,
                               const TaskRunner& /*run*/) {
    Merge(other, map);
    return Status::OK();
  }
  // One value per group, `groups` long, of result_type().
  virtual Result<std::shared_ptr<ArrayData>> Finalize(size_t groups) const = 0;
  // Group g's result on its own, for states that keep one per group (a
  // counter, a sketch): an output in another group order then reads them
  // instead of folding the whole state into a renumbered copy (for
  // COUNT(DISTINCT), a re-insert of every distinct value). nullopt: not
  // kept (the fold it is).
  virtual std::optional<Scalar> GroupResult(size_t /*g*/) const { return std::nullopt; }
  // Bytes held by the state's tables and lists.
  virtual size_t MemoryBytes() const = 0;

  GroupedAggKind kind() const { return kind_; }
  const DataType& input_type() const { return input_; }
  const DataType& result_type() const { return result_; }

 protected:
  GroupedAgg(GroupedAggKind kind, DataType input, DataType result)
      : kind_(kind), input_(std::move(input)), result_(std::move(result)) {}

 private:
  GroupedAggKind kind_;
  DataType input_;
  DataType result_;
};

}  // namespace quiver::kernels
