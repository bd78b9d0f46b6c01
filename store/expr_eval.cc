// Computed columns: value expressions evaluated over a chunk, vectorised
// (see store/plan_internal.h and kernels/function.h).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <utility>
#include <variant>

#include "kernels/aggregate.h"
#include "kernels/take.h"
#include "store/exec_internal.h"
#include "store/explain_internal.h"

namespace quiver::store::internal {

using query::BoundExpr;
using query::ExprKind;

void CollectColumns(const BoundExpr& e, std::vector<int>* out) {
  if (e.kind == ExprKind::kColumn) out->push_back(e.column);
  for (const auto& a : e.args) {
    if (a) CollectColumns(*a, out);
  }
}

namespace {

using Range = std::pair<__int128, __int128>;

// The values of an integer type, or nullopt for any other.
std::optional<Range> TypeRange(const DataType& t) {
  if (t.is_dictionary()) return std::nullopt;
  switch (t.id) {
    case TypeId::kInt8: return Range{INT8_MIN, INT8_MAX};
    case TypeId::kInt16: return Range{INT16_MIN, INT16_MAX};
    case TypeId::kInt32: return Range{INT32_MIN, INT32_MAX};
    case TypeId::kInt64: return Range{INT64_MIN, INT64_MAX};
    case TypeId::kUInt8: return Range{0, UINT8_MAX};
    case TypeId::kUInt16: return Range{0, UINT16_MAX};
    case TypeId::kUInt32: return Range{0, UINT32_MAX};
    case TypeId::kUInt64: return Range{0, __int128(UINT64_MAX)};
    default: return std::nullopt;
  }
}

// The range of integer expression e over any row, when every operation in
// it provably stays within its result type (so it cannot overflow); nullopt
// when that is not known (another function, a non-integer, a division).
std::optional<Range> SafeIntRange(const BoundExpr& e) {
  const std::optional<Range> type = TypeRange(e.type);
  if (!type) return std::nullopt;
  if (e.kind == ExprKind::kColumn) return type;
  if (e.kind == ExprKind::kLiteral) {
    if (const auto* v = std::get_if<int64_t>(&e.literal.value)) return Range{*v, *v};
    if (const auto* v = std::get_if<uint64_t>(&e.literal.value)) return Range{*v, *v};
    return std::nullopt;
  }
  if (e.kind != ExprKind::kCall || e.args.size() != 2 || e.is_case) return std::nullopt;
  const bool add = e.fn_name == "+", sub = e.fn_name == "-", mul = e.fn_name == "*";
  if (!add && !sub && !mul) return std::nullopt;
  const std::optional<Range> a = SafeIntRange(*e.args[0]), b = SafeIntRange(*e.args[1]);
  if (!a || !b) return std::nullopt;
  // Operands within 2^64 in magnitude (each fits its type): no sum or
  // difference below overflows 128 bits, nor a product of two within 2^63.
  auto big = [](const Range& x) {
    const __int128 m = __int128(1) << 63;
    return x.first < -m || x.second > m;
  };
  if (mul && (big(*a) || big(*b))) return std::nullopt;
  Range r;
  if (add) {
    r = {a->first + b->first, a->second + b->second};
  } else if (sub) {
    r = {a->first - b->second, a->second - b->first};
  } else {
    const __int128 p[4] = {a->first * b->first, a->first * b->second, a->second * b->first,
                           a->second * b->second};
    r = {*std::min_element(p, p + 4), *std::max_element(p, p + 4)};
  }
  if (r.first < type->first || r.second > type->second) return std::nullopt;
  return r;
}

// A condition's three-valued mask as a bool column (NULL where unknown).
std::shared_ptr<ArrayData> MaskToBool(const kernels::Mask& m) {
  const int64_t n = m.length;
  const int64_t bytes = BytesForBits(n);
  auto out = std::make_shared<ArrayData>();
  out->type = DataType(TypeId::kBool);
  out->length = n;
  auto values = Buffer::Allocate(bytes);
  std::memcpy(values->mutable_data(), m.is_true.data(), size_t(bytes));
  std::shared_ptr<Buffer> validity;
  if (m.has_nulls()) {
    validity = Buffer::Allocate(bytes);
    std::memcpy(validity->mutable_data(), m.is_known.data(), size_t(bytes));
    int64_t known = 0;
    for (int64_t i = 0; i < n; ++i) known += GetBit(validity->data(), i);
    out->null_count = n - known;
  }
  out->buffers = {std::move(validity), std::move(values)};
  return out;
}

// The rows `rows` of the columns `e` reads, as views in place of the
// originals (the other columns are left as they are: `e` does not read them).
class RowSubset {
 public:
  static Result<std::unique_ptr<RowSubset>> Make(const BoundExpr& e, const std::vector<ArrayView>& views,
                                                 const SelectionVector& rows) {
    std::vector<int> cols;
    CollectColumns(e, &cols);
    return Make(cols, views, rows);
  }
  // The columns a condition over morsel `c` reads, its pending computed
  // columns left pending (computed on the subset when asked for).
  static Result<std::unique_ptr<RowSubset>> Make(const BoundExpr& e, const Morsel& c,
                                                 const SelectionVector& rows) {
    std::vector<int> cols, ready;
    ColumnsOf(e, c, &cols);
    for (int k : cols) {
      if (!c.Pending(k)) ready.push_back(k);
    }
    return Make(ready, c.views, rows);
  }
  static Result<std::unique_ptr<RowSubset>> Make(std::vector<int> cols, const std::vector<ArrayView>& views,
                                                 const SelectionVector& rows) {
    auto s = std::unique_ptr<RowSubset>(new RowSubset);
    std::sort(cols.begin(), cols.end());
    cols.erase(std::unique(cols.begin(), cols.end()), cols.end());
    for (int c : cols) {
      QUIVER_ASSIGN_OR_RETURN(auto col, kernels::Take(views[size_t(c)], rows));
      s->taken_.push_back(std::move(col));
    }
    s->columns_ = ColumnViews(s->taken_);
    s->views_ = views;
    for (size_t k = 0; k < cols.size(); ++k) s->views_[size_t(cols[k])] = s->columns_[k];
    return s;
  }
  const std::vector<ArrayView>& views() const { return views_; }

 private:
  RowSubset() = default;
  std::vector<std::shared_ptr<ArrayData>> taken_;
  ColumnViews columns_;
  std::vector<ArrayView> views_;
};

// CASE evaluated branch by branch, each WHEN on the rows no earlier WHEN
// took and each THEN (and the ELSE) on the rows that take it, as DuckDB
// does: an error in a branch a row does not reach is not raised. The bound
// case_when kernel assembles each piece (it brings every branch to the
// result type), given TRUE for the piece's branch, FALSE for the others and
// NULL for their values.
Result<kernels::Datum> EvalCaseByBranch(const BoundExpr& e, const std::vector<ArrayView>& views,
                                        int64_t rows) {
  const size_t pairs = e.args.size() / 2;
  const bool has_else = e.args.size() % 2 == 1;
  SelectionVector remaining(static_cast<size_t>(rows));
  for (int64_t i = 0; i < rows; ++i) remaining[size_t(i)] = int32_t(i);
  std::vector<kernels::Scalar> out(static_cast<size_t>(rows));
  // Evaluates branch `branch` (pairs = the ELSE) on `sel` into `out`.
  auto piece = [&](size_t branch, const SelectionVector& sel) -> Status {
    std::vector<kernels::Datum> args;
    for (size_t k = 0; k < e.args.size(); ++k) {
      const bool is_else = has_else && k + 1 == e.args.size();
      const bool cond = !is_else && k % 2 == 0;
      const size_t b = is_else ? pairs : k / 2;
      if (cond) {
        args.push_back(kernels::Datum::Of(kernels::Scalar::Bool(b == branch), DataType(TypeId::kBool)));
      } else if (b != branch) {
        args.push_back(kernels::Datum::Of(kernels::Scalar::Null(), e.args[k]->type));
      } else {
        QUIVER_ASSIGN_OR_RETURN(auto sub, RowSubset::Make(*e.args[k], views, sel));
        QUIVER_ASSIGN_OR_RETURN(kernels::Datum v, EvalValue(*e.args[k], sub->views(), int64_t(sel.size())));
        QUIVER_ASSIGN_OR_RETURN(auto col, kernels::ToArray(v, int64_t(sel.size())));
        args.push_back(kernels::Datum::Own(std::move(col)));
      }
    }
    QUIVER_ASSIGN_OR_RETURN(kernels::Datum d, e.fn->Exec(args, int64_t(sel.size())));
    QUIVER_ASSIGN_OR_RETURN(auto col, kernels::ToArray(d, int64_t(sel.size())));
    ColumnViews v({col});
    for (size_t j = 0; j < sel.size(); ++j) out[size_t(sel[j])] = kernels::ValueAt(v[0], int64_t(j));
    return Status::OK();
  };
  for (size_t p = 0; p < pairs && !remaining.empty(); ++p) {
    QUIVER_ASSIGN_OR_RETURN(auto sub, RowSubset::Make(*e.args[2 * p], views, remaining));
    QUIVER_ASSIGN_OR_RETURN(kernels::Datum c, EvalValue(*e.args[2 * p], sub->views(), int64_t(remaining.size())));
    QUIVER_ASSIGN_OR_RETURN(auto col, kernels::ToArray(c, int64_t(remaining.size())));
    const ArrayView cv = col->View();
    SelectionVector taken, rest;
    for (size_t j = 0; j < remaining.size(); ++j) {
      (!cv.IsNull(int64_t(j)) && cv.BoolValue(int64_t(j)) ? taken : rest).push_back(remaining[j]);
    }
    if (!taken.empty()) QUIVER_RETURN_NOT_OK(piece(p, taken));
    remaining = std::move(rest);
  }
  if (has_else && !remaining.empty()) QUIVER_RETURN_NOT_OK(piece(pairs, remaining));
  QUIVER_ASSIGN_OR_RETURN(auto result, kernels::ScalarsToArray(out, e.type));
  return kernels::Datum::Own(std::move(result));
}

}  // namespace

Result<kernels::Datum> EvalValue(const BoundExpr& e, const std::vector<ArrayView>& views,
                                 int64_t rows) {
  switch (e.kind) {
    case ExprKind::kColumn:
      return kernels::Datum::Borrow(views[size_t(e.column)]);
    case ExprKind::kLiteral:
      return kernels::Datum::Of(ToKernelScalar(e.literal), e.type);
    case ExprKind::kCall: {
      auto eager = [&]() -> Result<kernels::Datum> {
        std::vector<kernels::Datum> args;
        args.reserve(e.args.size());
        for (const auto& a : e.args) {
          QUIVER_ASSIGN_OR_RETURN(kernels::Datum d, EvalValue(*a, views, rows));
          args.push_back(std::move(d));
        }
        return e.fn->Exec(args, rows);
      };
      Result<kernels::Datum> r = eager();
      // A CASE runs vectorised over every row first; only when that fails
      // (an error in some branch) is it evaluated branch by branch, which
      // raises the error only if a row takes that branch.
      if (!r.ok() && e.is_case) return EvalCaseByBranch(e, views, rows);
      return r;
    }
    default: {  // a condition used as a value
      Morsel m{views, rows};
      QUIVER_ASSIGN_OR_RETURN(kernels::Mask mask, Eval(e, m));
      return kernels::Datum::Own(MaskToBool(mask));
    }
  }
}

Result<std::shared_ptr<ArrayData>> EvalColumn(const BoundExpr& e,
                                              const std::vector<ArrayView>& views, int64_t rows) {
  QUIVER_ASSIGN_OR_RETURN(kernels::Datum d, EvalValue(e, views, rows));
  QUIVER_ASSIGN_OR_RETURN(std::shared_ptr<ArrayData> col, kernels::ToArray(d, rows));
  if (!(col->type == e.type) && e.type.id != TypeId::kNone) {
    // A kernel answered in another layout than it promised (a dictionary
    // for its value type): convert, so the column matches the schema.
    ColumnViews v({col});
    std::vector<kernels::Scalar> values;
    values.reserve(size_t(col->length));
    for (int64_t i = 0; i < col->length; ++i) values.push_back(kernels::ValueAt(v[0], i));
    QUIVER_ASSIGN_OR_RETURN(col, kernels::ScalarsToArray(values, e.type));
  }
  return col;
}

Result<std::shared_ptr<ArrayData>> EvalColumnOn(const BoundExpr& e, const std::vector<ArrayView>& views,
                                                int64_t rows, const SelectionVector& sel) {
  if (int64_t(sel.size()) == rows) return EvalColumn(e, views, rows);
  QUIVER_ASSIGN_OR_RETURN(auto sub, RowSubset::Make(e, views, sel));
  QUIVER_ASSIGN_OR_RETURN(auto compact, EvalColumn(e, sub->views(), int64_t(sel.size())));
  Result<std::shared_ptr<ArrayData>> full = kernels::Scatter(compact, sel, rows);
  if (full.ok() || full.status().code() != StatusCode::kNotSupported) return full;
  // A nested result cannot be spread out: the whole morsel, as before.
  return EvalColumn(e, views, rows);
}

bool CannotFail(const BoundExpr& e) {
  std::vector<int> read;
  CollectColumns(e, &read);
  return read.empty() || SafeIntRange(e).has_value();
}

void ColumnsOf(const BoundExpr& e, const Morsel& c, std::vector<int>* out) {
  if (e.kind == ExprKind::kColumn) {
    out->push_back(e.column);
    if (c.Pending(e.column)) ColumnsOf(*(*c.computed)[size_t(e.column) - c.num_source], c, out);
  }
  for (const auto& a : e.args) {
    if (a) ColumnsOf(*a, c, out);
  }
}

Status FillPending(const BoundExpr& e, Morsel* c, DeferredColumns* hold) {
  std::vector<int> cols;
  ColumnsOf(e, *c, &cols);
  std::sort(cols.begin(), cols.end());
  // Ascending: a computed column reads only the source and earlier ones.
  for (int k : cols) {
    if (!c->Pending(k)) continue;
    const BoundExpr& x = *(*c->computed)[size_t(k) - c->num_source];
    QUIVER_ASSIGN_OR_RETURN(std::shared_ptr<ArrayData> col, EvalColumn(x, c->views, c->length));
    hold->views.push_back(std::make_unique<ColumnViews>(std::vector<std::shared_ptr<ArrayData>>{col}));
    hold->columns.push_back(std::move(col));
    c->views[size_t(k)] = (*hold->views.back())[0];
  }
  return Status::OK();
}

Result<kernels::Mask> EvalOn(const BoundExpr& e, const Morsel& c, const SelectionVector& sel, bool fill) {
  QUIVER_ASSIGN_OR_RETURN(auto sub, RowSubset::Make(e, c, sel));
  Morsel part_rows{sub->views(), int64_t(sel.size()), nullptr, c.cancel, c.first_row, c.computed, c.num_source};
  QUIVER_ASSIGN_OR_RETURN(kernels::Mask part, Eval(e, part_rows));
  const int64_t n = c.rows();
  kernels::Mask out = fill ? kernels::Mask::AllTrue(n) : kernels::Mask::AllFalse(n);
  if (part.has_nulls()) out.is_known = kernels::Mask::AllTrue(n).is_true;
  for (size_t j = 0; j < sel.size(); ++j) {
    const size_t w = size_t(sel[j] >> 6);
    const uint64_t bit = uint64_t(1) << (sel[j] & 63);
    const bool t = part.IsTrue(int64_t(j));
    out.is_true[w] = t ? out.is_true[w] | bit : out.is_true[w] & ~bit;
    if (part.IsNull(int64_t(j))) out.is_known[w] &= ~bit;
  }
  out.Normalize();
  return out;
}

Status AddComputedColumns(const std::vector<query::BoundExprPtr>& computed, RecordBatch* batch,
                          const std::vector<bool>* skip, bool leave_failed) {
  // EXPLAIN ANALYZE's probe (store/explain_internal.h): rows and time.
  ExplainCounter* probe = computed.empty() ? nullptr : ExplainCounterFor(computed[0].get());
  const int64_t t0 = probe ? ExplainNowNanos() : 0;
  bool any = false;
  for (size_t i = 0; i < computed.size(); ++i) {
    if (skip != nullptr && i < skip->size() && (*skip)[i]) {
      batch->columns.push_back(nullptr);  // not read, as a source column not read
      continue;
    }
    any = true;
    ColumnViews views(batch->columns);
    if (leave_failed) {
      // A column reading one left pending, or failing itself, is left
      // pending: Eval computes it on the rows the WHERE asks about.
      std::vector<int> reads;
      CollectColumns(*computed[i], &reads);
      bool ready = true;
      for (int c : reads) ready = ready && batch->columns[size_t(c)] != nullptr;
      Result<std::shared_ptr<ArrayData>> col =
          ready ? EvalColumn(*computed[i], views.views(), batch->num_rows) : Status::OK();
      batch->columns.push_back(ready && col.ok() ? std::move(*col) : nullptr);
      continue;
    }
    QUIVER_ASSIGN_OR_RETURN(std::shared_ptr<ArrayData> col,
                            EvalColumn(*computed[i], views.views(), batch->num_rows));
    batch->columns.push_back(std::move(col));
  }
  if (probe && any) {
    probe->nanos += ExplainNowNanos() - t0;
    probe->rows += batch->num_rows;
  }
  return Status::OK();
}

}  // namespace quiver::store::internal
