// Throughput of the expression functions (kernels/function.h) on one morsel-
// sized column, against a plain unchecked C++ loop as the floor.
//
//   function_bench [--rows=N] [google benchmark flags]
//
// Each benchmark binds the function once and runs Exec over `rows` rows
// (default 1M: 8 MB per int64 column, the size of a large morsel); items/s
// is rows per second on one thread.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "columnar/builder.h"
#include "kernels/aggregate.h"
#include "kernels/function.h"

namespace qk = quiver::kernels;
using qk::Datum;
using qk::Scalar;
using quiver::ArrayData;
using quiver::DataType;
using quiver::TypeId;

namespace {

int64_t g_rows = 1'000'000;

struct Data {
  Datum i64a, i64b, i32, f64, bools, nullable, dict;
  Datum price_dec, price_f64, qty;  // decimal(12, 2) and float64 prices, int64 quantities
};
Data* g_data = nullptr;

Datum Build(DataType type, const std::function<void(quiver::ArrayBuilder&, int64_t)>& fill) {
  quiver::ArrayBuilder b(type);
  b.Reserve(g_rows);
  for (int64_t i = 0; i < g_rows; ++i) fill(b, i);
  return Datum::Own(b.Finish().value());
}

void BuildData() {
  g_data = new Data();
  std::mt19937_64 rng(7);
  auto r = [&] { return int64_t(rng() % 1000000) - 500000; };
  g_data->i64a = Build(DataType(TypeId::kInt64), [&](auto& b, int64_t) { b.AppendInt(r()); });
  g_data->i64b = Build(DataType(TypeId::kInt64), [&](auto& b, int64_t) { b.AppendInt(r() | 1); });
  g_data->i32 = Build(DataType(TypeId::kInt32), [&](auto& b, int64_t) { b.AppendInt(r()); });
  g_data->f64 =
      Build(DataType(TypeId::kFloat64), [&](auto& b, int64_t) { b.AppendDouble(double(r()) / 7); });
  g_data->bools =
      Build(DataType(TypeId::kBool), [&](auto& b, int64_t) { b.AppendBool(rng() & 1); });
  g_data->nullable = Build(DataType(TypeId::kInt64), [&](auto& b, int64_t) {
    if (rng() % 10 == 0) {
      b.AppendNull();
    } else {
      b.AppendInt(r());
    }
  });
  const char* names[] = {"Manhattan",     "Brooklyn", "Queens",  "Bronx",
                         "Staten Island", "EWR",      "Unknown", "N/A"};
  g_data->dict = Build(DataType::Dictionary(TypeId::kInt32),
                       [&](auto& b, int64_t) { b.AppendString(names[rng() % 8]); });
  std::vector<int64_t> cents(static_cast<size_t>(g_rows));
  for (auto& c : cents) c = int64_t(rng() % 2000000) - 1000000;
  g_data->price_dec = Build(DataType::Decimal(12, 2),
                            [&](auto& b, int64_t i) { b.AppendDecimal(cents[size_t(i)]); });
  g_data->price_f64 = Build(DataType(TypeId::kFloat64),
                            [&](auto& b, int64_t i) { b.AppendDouble(double(cents[size_t(i)]) / 100); });
  g_data->qty = Build(DataType(TypeId::kInt64), [&](auto& b, int64_t) { b.AppendInt(int64_t(rng() % 100)); });
}

void Run(benchmark::State& state, const std::string& name, const std::vector<Datum>& args) {
  std::vector<DataType> types;
  std::vector<const Scalar*> consts;
  for (const Datum& a : args) {
    types.push_back(a.type);
    consts.push_back(a.is_scalar ? &a.scalar : nullptr);
  }
  auto fn = qk::BindFunction(name, types, consts);
  if (!fn.ok()) {
    state.SkipWithError(fn.status().message().c_str());
    return;
  }
  for (auto _ : state) {
    auto out = (*fn)->Exec(args, g_rows);
    if (!out.ok()) {
      state.SkipWithError(out.status().message().c_str());
      return;
    }
    benchmark::DoNotOptimize(out->view.values);
  }
  state.SetItemsProcessed(state.iterations() * g_rows);
}

Datum Lit(Scalar s, TypeId t) { return Datum::Of(std::move(s), DataType(t)); }

void BM_PlainLoopInt64Add(benchmark::State& state) {  // the floor: unchecked, no validity
  const int64_t* a = g_data->i64a.view.data<int64_t>();
  const int64_t* b = g_data->i64b.view.data<int64_t>();
  for (auto _ : state) {
    auto buf = quiver::Buffer::Allocate(g_rows * 8);
    int64_t* out = reinterpret_cast<int64_t*>(buf->mutable_data());
    for (int64_t i = 0; i < g_rows; ++i) out[i] = a[i] + b[i];
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * g_rows);
}
void BM_AddInt64(benchmark::State& s) { Run(s, "+", {g_data->i64a, g_data->i64b}); }
void BM_AddInt64Nullable(benchmark::State& s) { Run(s, "+", {g_data->nullable, g_data->i64b}); }
void BM_AddInt64Scalar(benchmark::State& s) {
  Run(s, "+", {g_data->i64a, Lit(Scalar::Int64(3), TypeId::kInt64)});
}
void BM_AddInt32Int64(benchmark::State& s) { Run(s, "+", {g_data->i32, g_data->i64b}); }
void BM_MulInt64(benchmark::State& s) { Run(s, "*", {g_data->i64a, g_data->i64b}); }
void BM_IntDivInt64(benchmark::State& s) { Run(s, "//", {g_data->i64a, g_data->i64b}); }
void BM_DivToFloat(benchmark::State& s) { Run(s, "/", {g_data->i64a, g_data->i64b}); }
void BM_AddFloat64(benchmark::State& s) { Run(s, "+", {g_data->f64, g_data->f64}); }
void BM_LtInt64Scalar(benchmark::State& s) {
  Run(s, "<", {g_data->i64a, Lit(Scalar::Int64(0), TypeId::kInt64)});
}
void BM_EqInt64Float64(benchmark::State& s) { Run(s, "=", {g_data->i64a, g_data->f64}); }
void BM_EqDictScalar(benchmark::State& s) {
  Run(s, "=", {g_data->dict, Lit(Scalar::String("Queens"), TypeId::kUtf8)});
}
void BM_AndBool(benchmark::State& s) { Run(s, "and", {g_data->bools, g_data->bools}); }
void BM_CaseWhen(benchmark::State& s) {
  Run(s, "case_when", {g_data->bools, g_data->i64a, Lit(Scalar::Int64(0), TypeId::kInt64)});
}
void BM_Coalesce(benchmark::State& s) { Run(s, "coalesce", {g_data->nullable, g_data->i64a}); }
void BM_Abs(benchmark::State& s) { Run(s, "abs", {g_data->i64a}); }
void BM_CastInt64ToFloat64(benchmark::State& state) {
  auto fn = qk::BindCast(DataType(TypeId::kInt64), DataType(TypeId::kFloat64)).value();
  for (auto _ : state) benchmark::DoNotOptimize(fn->Exec({g_data->i64a}, g_rows)->view.values);
  state.SetItemsProcessed(state.iterations() * g_rows);
}
void BM_CastInt64ToUtf8(benchmark::State& state) {
  auto fn = qk::BindCast(DataType(TypeId::kInt64), DataType(TypeId::kUtf8)).value();
  for (auto _ : state) benchmark::DoNotOptimize(fn->Exec({g_data->i64a}, g_rows)->view.values);
  state.SetItemsProcessed(state.iterations() * g_rows);
}

// sum(price * qty) as a query runs it: the product per morsel of 64K rows,
// then the sum. Run with --rows=10000000 for issue 16's measurement.
void SumProduct(benchmark::State& state, const Datum& price) {
  const Datum& qty = g_data->qty;
  auto fn = qk::BindFunction("*", {price.type, qty.type}, {nullptr, nullptr}).value();
  constexpr int64_t kMorsel = 65536;
  for (auto _ : state) {
    qk::AggState sum(fn->result_type(), qk::AggState::kSum);
    for (int64_t at = 0; at < g_rows; at += kMorsel) {
      const int64_t n = std::min(kMorsel, g_rows - at);
      quiver::ArrayView p = price.view, q = qty.view;
      p.offset += at;
      q.offset += at;
      p.length = q.length = n;
      auto out = fn->Exec({Datum::Borrow(p), Datum::Borrow(q)}, n);
      if (!out.ok() || !sum.Update(out->view).ok()) {
        state.SkipWithError("sum(price * qty) failed");
        return;
      }
    }
    benchmark::DoNotOptimize(sum.Finalize(qk::AggKind::kSum).value());
  }
  state.SetItemsProcessed(state.iterations() * g_rows);
}
void BM_SumMulDecimal(benchmark::State& s) { SumProduct(s, g_data->price_dec); }
void BM_SumMulFloat64(benchmark::State& s) { SumProduct(s, g_data->price_f64); }
void BM_MulDecimalInt64(benchmark::State& s) { Run(s, "*", {g_data->price_dec, g_data->qty}); }
void BM_AddDecimalScales(benchmark::State& s) {
  Run(s, "+", {g_data->price_dec, Datum::Of(Scalar::Decimal(5, 2, 1), DataType::Decimal(2, 1))});
}

}  // namespace

BENCHMARK(BM_SumMulDecimal);
BENCHMARK(BM_SumMulFloat64);
BENCHMARK(BM_MulDecimalInt64);
BENCHMARK(BM_AddDecimalScales);
BENCHMARK(BM_PlainLoopInt64Add);
BENCHMARK(BM_AddInt64);
BENCHMARK(BM_AddInt64Nullable);
BENCHMARK(BM_AddInt64Scalar);
BENCHMARK(BM_AddInt32Int64);
BENCHMARK(BM_MulInt64);
BENCHMARK(BM_IntDivInt64);
BENCHMARK(BM_DivToFloat);
BENCHMARK(BM_AddFloat64);
BENCHMARK(BM_LtInt64Scalar);
BENCHMARK(BM_EqInt64Float64);
BENCHMARK(BM_EqDictScalar);
BENCHMARK(BM_AndBool);
BENCHMARK(BM_CaseWhen);
BENCHMARK(BM_Coalesce);
BENCHMARK(BM_Abs);
BENCHMARK(BM_CastInt64ToFloat64);
BENCHMARK(BM_CastInt64ToUtf8);

int main(int argc, char** argv) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--rows=", 7) == 0) {
      g_rows = std::atoll(argv[i] + 7);
    } else {
      rest.push_back(argv[i]);
    }
  }
  int n = int(rest.size());
  benchmark::Initialize(&n, rest.data());
  BuildData();
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
