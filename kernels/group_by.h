// Hash group-by: aggregates per group of one or more key columns.
//
// GroupByState is a partial table: each thread Consumes its chunks into its
// own state (rows where the filter mask is TRUE, or every row), the states of
// all threads are Merged into one, and Finalize turns it into columns. Keys
// may be integers (any width), bool, date32/64, time32/64, timestamp,
// duration, floats (float16 included), decimals, intervals, utf8/binary and
// dictionary<utf8> (dictionary keys are resolved once per dictionary entry,
// not per row); NULL is a group of its own. Aggregates are those of
// kernels/aggregate.h with the same result types and overflow rule (exact
// decimal128 sums: overflow is an error), and those of kernels/grouped_agg.h.
//
// Group order: each group remembers the ordinal of the first row that made
// it (Consume's `first_row` + the row's position in the batch). Finalize
// puts groups in the order they were first seen by this state (then by the
// merged ones); FinalizeAll orders the groups of all partial tables by that
// first ordinal, so a caller that numbers its rows in table order gets the
// same order whatever the number of threads. A query that needs an order
// sorts the result.
//
// Keys live in an open-addressing table (group_key_table_internal.h): a
// single integer key in the slot; two or more integer keys of 16 bytes or
// less in all packed into one 128-bit key in the slot; two or more keys
// that are integers and strings (utf8, binary, dictionary), with 32 bits
// per string, of 16 bytes or less, packed the same way, each string as its
// id in a table of that column's strings (interned: kernels/group_by_intern.cc);
// any other key encoded into bytes kept in one arena (a single utf8 or
// binary key probes with its string, hashed as is, without an encoded copy).
//
// Thread-safety: not synchronised; one state per thread, then Merge or
// FinalizeAll.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "columnar/array.h"
#include "columnar/builder.h"
#include "config/status.h"
#include "kernels/aggregate.h"
#include "kernels/group_key_table_internal.h"
#include "kernels/grouped_agg.h"
#include "kernels/sort.h"
#include "kernels/mask.h"
#include "kernels/partition_lists_internal.h"

namespace quiver::kernels {

struct AggregateSpec {
  AggKind kind = AggKind::kCountStar;
  int value = -1;  // index into the value columns; unused for kCountStar
  // A grouped aggregate of kernels/grouped_agg.h instead of `kind`, with its
  // quantile fraction.
  GroupedAggKind grouped = GroupedAggKind::kNone;
  double param = 0.5;
  std::string sep = ",";  // string_agg's separator
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
  // the types given to Make; filter (if any) selects the TRUE rows. Row i of
  // the batch has ordinal first_row + i (see the group order above).
  // agg_filters (empty, or one per aggregate, null = none) further restricts
  // the rows an aggregate folds (its FILTER); the groups still come from
  // every row `filter` selects.
  Status Consume(const std::vector<ArrayView>& keys, const std::vector<ArrayView>& values,
                 const Mask* filter = nullptr, int64_t first_row = 0,
                 const std::vector<const Mask*>& agg_filters = {});
  // Folds in another partial table built with the same Make arguments.
  Status Merge(const GroupByState& other);

  // Admits at most n groups (n >= 0): once the table holds n, a row whose
  // key is not among them is skipped (counted by rows_skipped(), folded into
  // no aggregate); the admitted groups still get every row of theirs. For
  // GROUP BY ... LIMIT n without an order, where any n groups will do: one
  // table fed the rows in table order holds the first n groups of the table,
  // each complete. Several tables need two passes (FirstGroups).
  void AdmitAtMost(int64_t n) {
    admit_limit_ = n;
    for (StringIds& s : strs_) s.empty_id = -1;  // it may be -2, left out
  }
  int64_t rows_skipped() const { return rows_skipped_; }
  // The rows Consume will likely be offered in all (the caller's share of a
  // scan, before any filter). A table that fills with new groups at a high
  // rate (most rows a new group, measured over its first kPresizeGroups
  // groups) then reserves room once for the groups that rate predicts,
  // instead of growing — and copying and faulting in — step by step.
  void ExpectRows(int64_t rows) { expect_rows_ = rows; }
  // The first n groups of the rows in first-ordinal order, as a table of
  // their keys and first ordinals with no rows that admits no other key
  // (copy it per thread with KeysOnly and Consume every row again: the
  // groups come out complete). `parts` are partial tables, each fed with
  // AdmitAtMost(n) its rows in increasing ordinal order, that together saw
  // every row up to the last row of the first n groups' first rows (rows
  // after that may have been left out). Why that suffices: a group among
  // the first n was admitted by the table that saw its first row, else that
  // table held n groups whose first rows come before it. Consumes *parts.
  static Result<GroupByState> FirstGroups(std::vector<GroupByState>* parts, int64_t n);
  // This table's keys and first ordinals, with no rows, admitting no other
  // key (unsplit tables only).
  GroupByState KeysOnly() const;
  // Radix mode's thresholds (kRadixGroups, kRadixExpectedGroups and
  // kRadixBytes below by default), for tests that exercise it on small
  // inputs. Set before the first Consume.
  struct RadixLimits {
    int64_t head_groups;      // the groups at which the mode is decided
    int64_t expected_groups;  // taken when ExpectedGroups() passes this
    int64_t list_bytes;       // the lists' bytes in all (each is folded when full)
  };
  void SetRadixLimits(const RadixLimits& l) { radix_limits_ = l; }
  // Makes a radix table (see kRadixGroups) a split table holding all its
  // rows. Merge and Finalize need it done (they fail otherwise); FinalizeAll
  // does it itself, partition by partition in parallel.
  Status Seal();

  int64_t num_groups() const {
    int64_t n = int64_t(group_rows_.size()) + RadixGroups();
    for (const GroupByState& p : parts_) n += p.num_groups();
    return n;
  }
  // Bytes this table holds (vector capacities, the key arena and the grouped
  // aggregates' states; the bytes of MIN/MAX strings are estimated), for a
  // query's memory limit.
  int64_t memory_bytes() const;
  // Bytes held by the grouped aggregates' states alone (hash sets, value lists).
  size_t GroupedAggBytes() const;
  // One column per key (dictionary keys as utf8), then one per aggregate, each
  // num_groups() long. Overflow if an integer sum does not fit its type.
  Result<std::vector<std::shared_ptr<ArrayData>>> Finalize() const;

  // Runs fn(i) for i in [0, n), possibly on several threads at once; returns
  // the first error.
  using Runner = GroupedAgg::TaskRunner;
  // Merges partial tables (same Make arguments) and finalizes them as one:
  // with three or more tables holding many groups, the groups are split
  // into hash partitions and each partition is merged by one call of
  // `run`'s fn (so partitions merge in parallel); otherwise the smaller
  // tables fold into the larger by lookups, ranges of groups in parallel
  // (FoldTables). Groups come out in first-ordinal order. Consumes *parts.
  // *groups gets the number of groups; *merged_bytes the bytes the merged
  // tables held.
  //
  // `limit` (optional): the caller keeps only the first k groups of an order
  // by some output columns (ORDER BY ... LIMIT on the result). Then only
  // those columns are built for every group; the groups the top-k keeps
  // (ties by first ordinal, as TopK breaks them) get every column, still in
  // first-ordinal order, and *groups is their number — with many groups
  // most of the output is never built.
  struct OutputLimit {
    std::vector<size_t> columns;  // output columns the order reads (and others)
    std::vector<SortKey> keys;    // SortKey::column indexes `columns`
    int64_t k = 0;
    // When set: gets `columns` of every group (in no particular order) when
    // the top-k ran; left empty when it did not (every group was output).
    std::vector<std::shared_ptr<ArrayData>>* built = nullptr;
  };
  static Result<std::vector<std::shared_ptr<ArrayData>>> FinalizeAll(
      std::vector<GroupByState>* parts, const Runner& run, int64_t* groups, int64_t* merged_bytes,
      const OutputLimit* limit = nullptr);

 private:
  struct Agg {
    AggKind kind;
    int value;
    DataType type;
    internal::ScratchVector<int64_t> count;
    internal::ScratchVector<__int128> int_sum;
    internal::ScratchVector<double> float_sum;
    internal::ScratchVector<long double> num_min, num_max;  // exact for every int64/uint64/double
    std::vector<std::string> str_min, str_max;
    internal::ScratchVector<uint8_t> has, nan;
    bool sum_overflow = false;  // a decimal128 sum left 128 bits in some group
    bool filtered = false;
    std::unique_ptr<GroupedAgg> grouped;  // when the spec names one
  };
  // A group of one of several tables, in output order.
  struct GroupRef {
    uint32_t part;
    int32_t gid;
  };

  GroupByState() = default;
  // kPacked: two or more integer keys of at most 16 bytes in all, packed
  // into one internal::PackedKey per row (pack_: where each key lies).
  // kInterned: as kPacked, with string keys among them, each packed as its
  // 32-bit id in strs_ (ids are per table: merges translate them).
  // kSingleString: one utf8/binary key, encoded as kGeneric's but hashed as
  // the string itself (HashBytes of its bytes; NULL: kNullStringHash), so
  // rows probe with their string, no encoded copy.
  enum class Mode { kGeneric, kSingleInt, kSingleDict, kPacked, kInterned, kSingleString };
  static constexpr uint64_t kNullStringHash = 0x6e756c6c6b657921ull;
  // kInterned: the strings of one string key column, ids in first-seen
  // order (internal::GroupKeyTable::FindOrAddString).
  struct StringIds {
    explicit StringIds(size_t c) : col(c) {}
    size_t col;  // the key column
    internal::GroupKeyTable strings{internal::KeyKind::kBytes};
    // The id of each entry of the dictionary of the current ConsumeRows
    // (-1: not looked up yet, -2: absent), reset by ConsumeRows.
    std::vector<int32_t> dict_ids;
    int32_t empty_id = -1;  // the id of '' (-2: left out), -1 until known
    std::vector<int32_t> ids;  // scratch: the id of each row of a batch
    std::vector<int32_t> of_other;  // MapStringsOf: this table's id of each id of the other's
  };

  // Partial tables with more than kSplitGroups groups in all split, when
  // merged, into 2^kPartitionBits tables by the top bits of the key's hash
  // (parts_), so that they merge partition by partition, in parallel; a
  // split table routes new rows to its partitions. Tables do not split
  // while consuming: measured here, routing rows to 64 small tables cost
  // twice the CPU of probing one large table with prefetching. Single
  // dictionary keys never split (few groups, per-entry caches).
  static constexpr int64_t kSplitGroups = int64_t(1) << 15;
  // ExpectRows: the groups after which the rate of new groups is measured,
  // and the rate (new groups per row offered) above which the table
  // reserves for the rows expected.
  static constexpr int64_t kPresizeGroups = 4096;
  // Groups past which the per-group counts outgrow the L2 cache and
  // ConsumeRows prefetches them.
  static constexpr int64_t kFarGroups = int64_t(1) << 16;
  static constexpr double kPresizeRate = 0.75;
  void Presize();
  // Before a large table's slot array doubles: the groups it will likely
  // hold, from the rate of new groups since the last growth (it falls as
  // keys repeat), times the rows still to come; when that is more than
  // double, it grows to that at once (at most 4x), skipping rehashes.
  void GrowAhead();
  // Room in the key table for `groups` groups (Presize, GrowAhead).
  void ReserveKeys(int64_t groups);
  int64_t grown_rows_ = 0;    // rows_fed_ at the last GrowAhead
  int64_t grown_groups_ = 0;  // groups then
  size_t grown_slots_ = 0;    // the slots then (once per slot array)
  static constexpr int kPartitionBits = 6;
  // Rows per batch inside Consume: the group ids of a batch stay in cache.
  static constexpr int64_t kBatchRows = 4096;
  bool split() const { return !parts_.empty(); }
  // Radix mode (kernels/group_by_radix.cc). A table of single-integer or
  // packed keys whose aggregates are all COUNT(*), expected to hold many
  // groups, stops admitting keys (it is then the head table): its rows of
  // other keys are appended, key and ordinal, to the list of their
  // partition (Split's), and looked up a partition at a time later, in a
  // table that fits in the cache — by FinalizeAll straight into the merged
  // partition, by Seal, or into radix_parts_[p] once list p is full (each
  // holds its share of kRadixBytes). The mode is decided once, when the table passes
  // kRadixGroups groups (its head then fits in the L2 cache), and taken
  // when ExpectedGroups passes kRadixExpectedGroups (a table of fewer, in
  // this machine's L3 cache, was faster probed: ClickBench's GROUP BY
  // UserID at 1M rows, 95K groups, took 20-30% more CPU in radix mode, and
  // 17-21% less at 10M rows, 887K groups).
  static constexpr int64_t kRadixGroups = 8192;
  static constexpr int64_t kRadixExpectedGroups = int64_t(1) << 19;
  // The groups this table will likely hold once it has seen the rows of
  // ExpectRows: the rate of new groups so far, extrapolated (an upper
  // bound when keys repeat more as the scan goes on).
  double ExpectedGroups() const;
  bool RadixPays() const {
    return RadixApplies() && ExpectedGroups() > double(radix_limits_.expected_groups);
  }
  RadixLimits radix_limits_{kRadixGroups, kRadixExpectedGroups, kRadixBytes};
  bool radix_decided_ = false;
  static constexpr int64_t kRadixBytes = int64_t(64) << 20;
  struct BufferedInt {
    int64_t key;
    int64_t row;  // its ordinal
  };
  struct BufferedPacked {
    internal::PackedKey key;
    int64_t row;
  };
  bool RadixApplies() const;
  void StartRadix();
  // Consume's rows in radix mode.
  void BufferRows(const std::vector<ArrayView>& keys, const int32_t* rows, int64_t n,
                  int64_t first_row);
  // Looks up partition p's listed rows of `from` in this table (a partition
  // of the same shape), adding their keys; `from`'s list is left empty.
  void AddBuffered(GroupByState* from, size_t p);
  // Moves partition p's listed rows into radix_parts_[p] (a full list).
  void FoldList(size_t p);
  // Splits the head into parts_, keeping the lists and radix_parts_.
  void SplitHead();
  // Partition p of radix_parts_ and of the lists into *to.
  Status FoldRadixInto(GroupByState* to, size_t p, bool release);
  void EndRadix();
  int64_t RadixBytes() const;   // the lists' and radix_parts_' bytes
  int64_t RadixGroups() const;  // radix_parts_' groups
  bool radix_ = false;
  // The lists, one per partition, of kRadixBytes in all (fewer when
  // ExpectRows says fewer rows will come); a full one is folded (FoldList).
  internal::PartitionLists<BufferedInt> radix_ints_;
  internal::PartitionLists<BufferedPacked> radix_packed_;
  std::vector<GroupByState> radix_parts_;  // per partition, once lists were folded
  void Split();
  uint64_t PartitionHashOfGroup(int32_t g) const;
  Status ConsumeRows(const std::vector<ArrayView>& keys, const std::vector<ArrayView>& values,
                     const int32_t* rows, int64_t n, int64_t first_row,
                     const std::vector<const Mask*>& agg_filters);
  Status ConsumePartitioned(const std::vector<ArrayView>& keys,
                            const std::vector<ArrayView>& values, const int32_t* rows, int64_t n,
                            int64_t first_row, const std::vector<const Mask*>& agg_filters);
  // Encodes rows' keys into enc_ (row k at [enc_off_[k], enc_off_[k + 1]); enc_
  // may be longer) and hashes them into hashes_.
  void EncodeKeys(const std::vector<ArrayView>& keys, const int32_t* rows, int64_t base, int64_t n);
  // The output of `tables` (unsplit), groups in first-ordinal order: every
  // group, or with `kept` (one flag per group of each table) those flagged.
  static Result<std::vector<std::shared_ptr<ArrayData>>> OrderedOutput(
      const std::vector<const GroupByState*>& tables, const Runner& run, const OutputLimit* limit,
      int64_t* groups, const std::vector<std::vector<uint8_t>>* kept = nullptr);
  // FinalizeAll's merge of unsplit tables, without moving or inserting a
  // key: the tables are ordered largest first, and each group of a later
  // table whose key an earlier table holds is folded into that table's group
  // (the first such table); the other groups stay where they are and are
  // output from there. (*kept)[w][g] says whether group g of table w is
  // output. Lookups only: no table grows, none is copied, and the groups of
  // a table fold in parallel, range by range (each key folds into a
  // different group, so no two writes meet). Measured on 2 cores, inserting
  // the smaller table into the larger one (growth, copies, page faults) or
  // re-inserting both into hash partitions cost far more CPU.
  static Status FoldTables(std::vector<GroupByState>* in, const Runner& run,
                           std::vector<std::vector<uint8_t>>* kept);
  // Finalize of an unsplit table, with FinalizeAll's `limit` (*groups: the
  // groups output).
  Result<std::vector<std::shared_ptr<ArrayData>>> FinalizeOne(const OutputLimit* limit,
                                                              int64_t* groups) const;
  // Every output column of groups `order` of `tables`, after keeping only
  // those `limit` keeps (order shrinks then), in first-ordinal order
  // (`in_first_order`: order is in it already; else it is sorted).
  static Result<std::vector<std::shared_ptr<ArrayData>>> OutputColumns(
      const std::vector<const GroupByState*>& tables, std::vector<GroupRef>* order,
      const Runner& run, const OutputLimit* limit, bool in_first_order);
  // Shrinks *order to the groups `limit` keeps, in first-ordinal order.
  // KeepTopK when the order is COUNT(*) alone and no column is wanted back
  // (limit.built): the k first groups by count (then first ordinal) with a
  // bounded heap over the tables' counts, building no column. Returns false
  // (order untouched) when the order is another.
  static bool KeepTopCounts(const std::vector<const GroupByState*>& tables,
                            std::vector<GroupRef>* order, const OutputLimit& limit);
  static Status KeepTopK(const std::vector<const GroupByState*>& tables,
                         std::vector<GroupRef>* order, const Runner& run, const OutputLimit& limit,
                         bool in_first_order);

  // An empty table of the same shape.
  GroupByState EmptyLike() const;
  // An empty table of the same shape holding groups `groups` of this one
  // (keys and first ordinals, in that order), admitting no other key.
  GroupByState KeysOf(const std::vector<int32_t>& groups) const;
  // Whether a new key gets a group (AdmitAtMost).
  bool admitting() const { return admit_limit_ < 0 || table_.size() < admit_limit_; }
  int32_t NullIntGroup();
  // The group of other's group og in this table, added when new.
  int32_t FindOrAddGroupOf(const GroupByState& other, int32_t og);
  // The group of other's group og in this table, or -1 when absent.
  int32_t FindGroupOf(const GroupByState& other, int32_t og) const;
  // FindGroupOf for other's groups [begin, end), into out[0, end - begin).
  void FindGroupsOf(const GroupByState& other, int32_t begin, int32_t end, int32_t* out) const;
  // Hints what MergeGroup and OutputColumn read of group g into the cache.
  void PrefetchGroup(size_t g) const;
  // Folds other's group og into this table's group g (not the grouped
  // aggregates: MergeGrouped). overflow[i] is set when aggregate i's
  // decimal128 sum leaves 128 bits (the caller folds it and other's
  // sum_overflow into this table's with FoldOverflow: groups may merge on
  // several threads at once).
  void MergeGroup(size_t g, const GroupByState& other, size_t og, uint8_t* overflow);
  // Marks each aggregate's sum_overflow when other's or overflow[i] is.
  void FoldOverflow(const GroupByState& other, const uint8_t* overflow);
  // Folds other's grouped-aggregate states into this table's: other's group
  // og into group map[og] (map[og] < 0: skipped). Resize first. With
  // `run`, each state's merge is split over its threads where it can be.
  Status MergeGrouped(const GroupByState& other, const int32_t* map,
                      const Runner* run = nullptr);
  bool has_grouped() const;
  // The output column of grouped aggregate ai for groups `order` of `parts`.
  static Result<std::shared_ptr<ArrayData>> GroupedOutput(
      const std::vector<const GroupByState*>& parts, const std::vector<GroupRef>& order, size_t ai);
  // Consume's fast path for a single dictionary key of few entries
  // (kernels/group_by_small.cc): whether it applies to these columns, and
  // the Consume (after Consume's checks and rows_offered_).
  bool SmallDictApplies(const std::vector<ArrayView>& keys, const std::vector<ArrayView>& values,
                        const std::vector<const Mask*>& agg_filters) const;
  Status ConsumeSmallDict(const ArrayView& key, const std::vector<ArrayView>& values,
                          const Mask* filter, int64_t first_row);
  // Group ids of n rows: rows[0..n), or base..base+n when rows is null.
  Status GroupIds(const std::vector<ArrayView>& keys, const int32_t* rows, int64_t base, int64_t n,
                  std::vector<int32_t>* gids);
  static std::shared_ptr<ArrayData> IntKeyColumn(const std::vector<const GroupByState*>& parts,
                                                 const std::vector<GroupRef>& order, size_t c);
  void IntGroupIds(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n,
                   int32_t* out);
  // IntGroupIds through direct_ when every value of the batch lies in its
  // range (no NULLs, no AdmitAtMost); false (nothing done) otherwise.
  template <typename T>
  bool DirectGroupIds(const T* data, const int32_t* rows, int64_t base, int64_t n, int32_t* out);
  Status DictGroupIds(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n,
                      int32_t* out);
  void EncodedGroupIds(const std::vector<ArrayView>& keys, const int32_t* rows, int64_t base,
                       int64_t n, int32_t* out);
  // kPacked: packs rows' keys into packed_ and hashes them into hashes_.
  void PackKeys(const std::vector<ArrayView>& keys, const int32_t* rows, int64_t base, int64_t n);
  void PackedGroupIds(const std::vector<ArrayView>& keys, const int32_t* rows, int64_t base,
                      int64_t n, int32_t* out);
  // kPacked, kInterned: packs the integer keys of rows into packed_ (no hash).
  void PackIntKeys(const std::vector<ArrayView>& keys, const int32_t* rows, int64_t base,
                   int64_t n);
  // kInterned (group_by_intern.cc): the string ids of rows into each
  // StringIds::ids (-1 NULL, -2 a string AdmitAtMost keeps out).
  Status InternRows(const std::vector<ArrayView>& keys, const int32_t* rows, int64_t base,
                    int64_t n);
  void StringGroupIds(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n,
                      int32_t* out);
  // kSingleString: the hashes of rows' strings into hashes_.
  void StringHashes(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n);
  Status InternedGroupIds(const std::vector<ArrayView>& keys, const int32_t* rows, int64_t base,
                          int64_t n, int32_t* out);
  // kInterned: hashes of rows' keys into hashes_ that depend on the strings,
  // not their ids (the same in every table), as PartitionHashOfGroup's.
  Status InternedRowHashes(const std::vector<ArrayView>& keys, const int32_t* rows, int64_t base,
                           int64_t n);
  uint64_t InternedGroupHash(int32_t g) const;
  // kInterned: other's group og's key with its string ids translated to
  // this table's, added when new (AddKeyOf), or false when a string is
  // absent (FindKeyOf); FindOrAddGroupOf and FindGroupOf with them.
  internal::PackedKey AddKeyOf(const GroupByState& other, int32_t og);
  bool FindKeyOf(const GroupByState& other, int32_t og, internal::PackedKey* key) const;
  // Their one walk: other's key with the id of each string key j replaced
  // by mine(j, id), or false when that is -1 (group_by_intern.cc).
  template <typename Mine>
  bool TranslateKeyOf(const GroupByState& other, int32_t og, internal::PackedKey* key, Mine&& mine) const;
  int32_t AddInternedGroupOf(const GroupByState& other, int32_t og);
  int32_t FindInternedGroupOf(const GroupByState& other, int32_t og) const;
  // kInterned: maps other's string ids to this table's once, for
  // FindGroupOf(*other, ...) to translate keys by array lookups (FoldTables
  // looks up every group of a table); null: forgets the map.
  void MapStringsOf(const GroupByState* other);
  // Hints the slot FindGroupOf(other, og) starts probing at into the cache.
  void PrefetchGroupOf(const GroupByState& other, int32_t og) const;
  // kInterned: key column c of group g, appended to b.
  void AppendInternedKey(ArrayBuilder* b, size_t c, int32_t g) const;
  int64_t InternBytes() const;
  void Resize(size_t groups);
  // Capacity for `groups` groups (no reallocation while merging).
  void Reserve(size_t groups);
  void UpdateAgg(Agg* a, const ArrayView& col, const int32_t* rows, int64_t base, int64_t n,
                 const int32_t* gids);
  void UpdateDecimalAgg(Agg* a, const ArrayView& col, const int32_t* rows, int64_t base,
                        int64_t n, const int32_t* gids);
  // Output column `c` (keys, then aggregates) of groups `order` of `parts`.
  static Result<std::shared_ptr<ArrayData>> OutputColumn(
      const std::vector<const GroupByState*>& parts, const std::vector<GroupRef>& order, size_t c);

  std::vector<DataType> key_types_;
  std::vector<DataType> value_types_;
  Mode mode_ = Mode::kGeneric;
  internal::GroupKeyTable table_{internal::KeyKind::kBytes};
  std::vector<internal::PackField> pack_;  // kPacked, kInterned: one per key
  std::vector<StringIds> strs_;            // kInterned: one per string key
  const GroupByState* strings_of_ = nullptr;  // MapStringsOf's table
  internal::ScratchVector<int64_t> group_rows_;   // count(*)
  internal::ScratchVector<int64_t> group_first_;  // ordinal of the first row, -1 until set
  int32_t null_gid_ = -1;             // kSingleInt: the NULL key's group
  // kSingleInt keys in a window around the first batch's range (when that
  // is small): direct_[v - direct_base_] is v's group + 1 (0: not looked up
  // yet), an array read instead of a hash and a probe (DirectGroupIds).
  static constexpr int64_t kDirectRange = int64_t(1) << 16;
  std::vector<int32_t> direct_;
  int64_t direct_base_ = 0;
  bool direct_tried_ = false;  // the first batch decided whether direct_ is used
  int64_t admit_limit_ = -1;          // AdmitAtMost; -1: no limit
  int64_t rows_skipped_ = 0;
  int64_t expect_rows_ = 0;           // ExpectRows
  int64_t rows_offered_ = 0;          // rows given to Consume, filtered or not
  int64_t rows_taken_ = 0;            // of those, the rows the filter kept
  int64_t rows_fed_ = 0;              // rows ConsumeRows has looked up so far
  bool presized_ = false;             // the ExpectRows reservation was decided
  // kSingleDict: group of each dictionary entry in the current Consume.
  std::vector<int32_t> dict_gids_;
  int32_t dict_null_gid_ = -1;
  // Scratch of EncodedGroupIds, kept to avoid reallocating per batch.
  std::vector<uint8_t> enc_;
  std::vector<uint32_t> enc_off_;
  std::vector<uint32_t> enc_at_;  // EncodeKeys: each row's write position
  std::vector<uint64_t> hashes_;
  std::vector<internal::PackedKey> packed_;  // scratch of PackKeys
  std::vector<Agg> aggs_;
  // ConsumeSmallDict: the group of each slot of the last dictionary it saw
  // (-1: not looked up yet), and that dictionary's entries, to recognise it
  // by content in the next Consume (chunks share dictionaries; a view's
  // addresses alone could be reused by another dictionary).
  struct SmallDictCache {
    TypeId index = TypeId::kNull;
    int64_t entries = -1;
    std::vector<int32_t> ends;    // entry i ends at byte ends[i] of `bytes`
    std::vector<uint8_t> valid;   // per entry
    std::string bytes;
    std::vector<int32_t> gids;    // per slot
  };
  SmallDictCache small_dict_;
  // Split tables: the partitions (this table's own groups are then empty).
  std::vector<GroupByState> parts_;
  std::vector<std::vector<int32_t>> part_rows_;  // scratch of ConsumePartitioned
};

}  // namespace quiver::kernels
