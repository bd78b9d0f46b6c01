// Computed columns: value expressions evaluated over a chunk, vectorised
// (see store/plan_internal.h and kernels/function.h).
#include <cstring>

#include "store/exec_internal.h"
#include "store/explain_internal.h"

namespace quiver::store::internal {

using query::BoundExpr;
using query::ExprKind;

namespace {

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

}  // namespace

Result<kernels::Datum> EvalValue(const BoundExpr& e, const std::vector<ArrayView>& views,
                                 int64_t rows) {
  switch (e.kind) {
    case ExprKind::kColumn:
      return kernels::Datum::Borrow(views[size_t(e.column)]);
    case ExprKind::kLiteral:
      return kernels::Datum::Of(ToKernelScalar(e.literal), e.type);
    case ExprKind::kCall: {
      std::vector<kernels::Datum> args;
      args.reserve(e.args.size());
      for (const auto& a : e.args) {
        QUIVER_ASSIGN_OR_RETURN(kernels::Datum d, EvalValue(*a, views, rows));
        args.push_back(std::move(d));
      }
      return e.fn->Exec(args, rows);
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

Status AddComputedColumns(const std::vector<query::BoundExprPtr>& computed, RecordBatch* batch,
                          const std::vector<bool>* skip) {
  // EXPLAIN ANALYZE's probe (store/explain_internal.h): rows and time.
  ExplainCounter* probe = computed.empty() ? nullptr : ExplainCounterFor(computed[0].get());
  const int64_t t0 = probe ? ExplainNowNanos() : 0;
  for (size_t i = 0; i < computed.size(); ++i) {
    if (skip != nullptr && i < skip->size() && (*skip)[i]) {
      batch->columns.push_back(nullptr);  // not read, as a source column not read
      continue;
    }
    ColumnViews views(batch->columns);
    QUIVER_ASSIGN_OR_RETURN(std::shared_ptr<ArrayData> col,
                            EvalColumn(*computed[i], views.views(), batch->num_rows));
    batch->columns.push_back(std::move(col));
  }
  if (probe) {
    probe->nanos += ExplainNowNanos() - t0;
    probe->rows += batch->num_rows;
  }
  return Status::OK();
}

}  // namespace quiver::store::internal
