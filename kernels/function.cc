// Datum, the function registry and BindFunction (kernels/function.h).
#include "kernels/function.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <limits>
#include <mutex>

#include "kernels/aggregate.h"
#include "kernels/column_internal.h"
#include "kernels/fn_decimal_internal.h"
#include "kernels/function_internal.h"
#include "kernels/take.h"

namespace quiver::kernels {
namespace {

// An owned column and the home of its views (the dictionary's view must live
// somewhere for ArrayView::dictionary to point at).
struct OwnedColumn {
  std::shared_ptr<ArrayData> data;
  ColumnViews views;
  explicit OwnedColumn(std::shared_ptr<ArrayData> d) : data(std::move(d)), views({data}) {}
};
// The deleter of OwnedColumn pointers: std::get_deleter finds it, so ToArray
// can tell a Datum::Own column from any other owner a caller put in `keep`.
struct OwnedColumnDeleter {
  void operator()(OwnedColumn* c) const { delete c; }
};

// The column behind `d` when it is a whole Datum::Own column, else null.
const OwnedColumn* OwnedOf(const Datum& d) {
  if (d.keep == nullptr || std::get_deleter<OwnedColumnDeleter>(d.keep) == nullptr) return nullptr;
  const auto* owned = static_cast<const OwnedColumn*>(d.keep.get());
  const ArrayView& whole = owned->views[0];
  if (d.view.values != whole.values || d.view.offset != whole.offset ||
      d.view.length != whole.length) {
    return nullptr;
  }
  return owned;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const internal::FunctionRegistry& Registry() {
  static internal::FunctionRegistry* registry = [] {
    auto* r = new internal::FunctionRegistry();
    internal::RegisterArithmetic(*r);
    internal::RegisterLogic(*r);
    internal::RegisterMath(*r);
    internal::RegisterCast(*r);
    internal::RegisterString(*r);
    internal::RegisterRegex(*r);
    internal::RegisterDate(*r);
    internal::RegisterNested(*r);
    internal::RegisterSortKeys(*r);
    return r;
  }();
  return *registry;
}

std::string TypeList(std::string_view name, const std::vector<DataType>& types) {
  std::string s(name);
  s += '(';
  for (size_t i = 0; i < types.size(); ++i) {
    if (i) s += ", ";
    s += types[i].ToString();
  }
  return s + ')';
}

// `s` repeated `rows` times, filled by type (no vector of Scalars).
Result<std::shared_ptr<ArrayData>> BroadcastScalar(const Scalar& s, const DataType& in_type,
                                                   int64_t rows) {
  DataType type = in_type.value_type();
  if (s.is_null()) return internal::NullColumn(type, rows);
  if (IsVarLength(type.id)) {
    const std::string& v = s.string_value();
    if (int64_t(v.size()) * rows > std::numeric_limits<int32_t>::max()) {
      return Status::ResourceExhausted("more than 2 GiB of string data in one column");
    }
    auto offsets = Buffer::Allocate((rows + 1) * 4);
    int32_t* o = internal::MutableValues<int32_t>(offsets);
    auto data = Buffer::Allocate(int64_t(v.size()) * rows);
    for (int64_t i = 0; i < rows; ++i) {
      o[i] = int32_t(i * int64_t(v.size()));
      if (!v.empty()) std::memcpy(data->mutable_data() + o[i], v.data(), v.size());
    }
    o[rows] = int32_t(rows * int64_t(v.size()));
    return internal::MakeColumn(type, rows, {nullptr, offsets, data});
  }
  if (type.id == TypeId::kBool) {
    auto bits = Buffer::Allocate(BytesForBits(rows));
    if (s.bool_value()) std::memset(bits->mutable_data(), 0xff, size_t(BytesForBits(rows)));
    return internal::MakeColumn(type, rows, {nullptr, bits});
  }
  if (type.id == TypeId::kDecimal128) {
    internal::DecimalInput in;
    QUIVER_RETURN_NOT_OK(in.Load(Datum::Of(s, type), rows, type.scale, type.precision));
    auto buf = Buffer::Allocate(rows * 16);
    for (int64_t i = 0; i < rows; ++i) StoreDecimal128(buf->mutable_data() + i * 16, in.scalar());
    return internal::MakeColumn(type, rows, {nullptr, buf});
  }
  return internal::VisitFixedWidth(
      type.id,
      [&](auto tag) -> Result<std::shared_ptr<ArrayData>> {
        using T = decltype(tag);
        T v = s.kind() == Scalar::Kind::kDouble   ? T(s.double_value())
              : s.kind() == Scalar::Kind::kUInt64 ? T(s.uint64_value())
              : s.kind() == Scalar::Kind::kBool   ? T(s.bool_value())
                                                  : T(s.int64_value());
        auto buf = internal::AllocateValues<T>(rows);
        std::fill_n(internal::MutableValues<T>(buf), rows, v);
        return internal::MakeColumn(type, rows, {nullptr, buf});
      },
      [&]() -> Result<std::shared_ptr<ArrayData>> {
        return Status::NotSupported("cannot build a column of " + type.ToString());
      });
}

// A compact owned copy of `rows` rows of a view, buffer by buffer.
Result<std::shared_ptr<ArrayData>> CopyView(const ArrayView& v, const DataType& type,
                                            int64_t rows) {
  if (type.id == TypeId::kNull) return internal::MakeColumn(type, rows, {NullBitmap(rows)});
  if (type.is_nested()) {
    ArrayView head = v;
    head.length = rows;
    return CopyArray(head);
  }
  std::shared_ptr<Buffer> validity;
  if (internal::HasNulls(v)) {
    validity = Buffer::Allocate(Mask::WordsFor(rows) * 8);
    CopyBitmap(v.validity, v.offset, rows, internal::MutableValues<uint64_t>(validity));
  }
  if (type.is_dictionary()) {
    if (v.dictionary == nullptr) return Status::Invalid("dictionary column without dictionary");
    const int w = ByteWidth(type.dict_index);
    auto idx = Buffer::Copy(v.values + v.offset * w, rows * w);
    QUIVER_ASSIGN_OR_RETURN(auto dict,
                            CopyView(*v.dictionary, type.value_type(), v.dictionary->length));
    auto out = internal::MakeColumn(type, rows, {validity, idx});
    out->dictionary = std::move(dict);
    return out;
  }
  if (IsVarLength(type.id)) {
    const int32_t* o = v.offsets + v.offset;
    auto offsets = Buffer::Allocate((rows + 1) * 4);
    int32_t* no = internal::MutableValues<int32_t>(offsets);
    for (int64_t i = 0; i <= rows; ++i) no[i] = o[i] - o[0];
    auto data = Buffer::Copy(v.values + o[0], o[rows] - o[0]);
    return internal::MakeColumn(type, rows, {validity, offsets, data});
  }
  if (type.id == TypeId::kBool) {
    auto bits = Buffer::Allocate(Mask::WordsFor(rows) * 8);
    CopyBitmap(v.values, v.offset, rows, internal::MutableValues<uint64_t>(bits));
    return internal::MakeColumn(type, rows, {validity, bits});
  }
  const int w = ByteWidth(type);
  if (w == 0) return Status::NotSupported("cannot copy a column of " + type.ToString());
  return internal::MakeColumn(type, rows,
                              {validity, Buffer::Copy(v.values + v.offset * w, rows * w)});
}

}  // namespace

Datum Datum::Of(Scalar s, DataType t) {
  Datum d;
  d.type = std::move(t);
  d.is_scalar = true;
  d.scalar = std::move(s);
  return d;
}

Datum Datum::Borrow(const ArrayView& v) {
  Datum d;
  d.type = *v.type;
  d.view = v;
  return d;
}

Datum Datum::Own(std::shared_ptr<ArrayData> data) {
  std::shared_ptr<OwnedColumn> owned(new OwnedColumn(std::move(data)), OwnedColumnDeleter());
  Datum d;
  d.type = owned->data->type;
  d.view = owned->views[0];
  d.keep = owned;
  return d;
}

Result<std::shared_ptr<ArrayData>> ToArray(const Datum& d, int64_t rows) {
  if (d.is_scalar) return BroadcastScalar(d.scalar, d.type, rows);
  if (const OwnedColumn* owned = OwnedOf(d); owned != nullptr && owned->data->length == rows) {
    return owned->data;
  }
  return CopyView(d.view, d.type, rows);
}

namespace internal {

void FunctionRegistry::Add(FunctionDef def) {
  std::string name = def.name;
  defs_.emplace(std::move(name), std::move(def));
}

void FunctionRegistry::Alias(std::string alias, std::string_view name) {
  aliases_.emplace(std::move(alias), std::string(name));
}

const FunctionDef* FunctionRegistry::Find(std::string_view lower_name) const {
  std::string key(lower_name);
  if (auto a = aliases_.find(key); a != aliases_.end()) key = a->second;
  auto it = defs_.find(key);
  return it == defs_.end() ? nullptr : &it->second;
}

std::vector<std::string> FunctionRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, def] : defs_) names.push_back(name);
  for (const auto& [alias, name] : aliases_) names.push_back(alias);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace internal

Result<BoundFunctionPtr> BindFunction(std::string_view name, const std::vector<DataType>& types,
                                      const std::vector<const Scalar*>& constants) {
  const internal::FunctionDef* def = Registry().Find(Lower(name));
  if (def == nullptr) {
    return Status::NotFound("unknown function '" + std::string(name) + "'");
  }
  QUIVER_ASSIGN_OR_RETURN(BoundFunctionPtr bound, def->bind(types, constants));
  if (bound == nullptr) {
    return Status::TypeError("no function matches " + TypeList(name, types) +
                             "; candidates: " + def->signatures);
  }
  return bound;
}

Result<BoundFunctionPtr> BindCast(const DataType& from, const DataType& to, bool try_cast) {
  return internal::BindCastImpl(from, to, try_cast);
}

std::vector<std::string> FunctionNames() { return Registry().Names(); }

}  // namespace quiver::kernels
