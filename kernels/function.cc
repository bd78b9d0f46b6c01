// Datum, the function registry and BindFunction (kernels/function.h).
#include "kernels/function.h"

#include <algorithm>
#include <cctype>
#include <mutex>

#include "kernels/aggregate.h"
#include "kernels/function_internal.h"

namespace quiver::kernels {
namespace {

// An owned column and the home of its views (the dictionary's view must live
// somewhere for ArrayView::dictionary to point at).
struct OwnedColumn {
  std::shared_ptr<ArrayData> data;
  ColumnViews views;
  explicit OwnedColumn(std::shared_ptr<ArrayData> d) : data(std::move(d)), views({data}) {}
};

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
  auto owned = std::make_shared<OwnedColumn>(std::move(data));
  Datum d;
  d.type = owned->data->type;
  d.view = owned->views[0];
  d.keep = owned;
  return d;
}

Result<std::shared_ptr<ArrayData>> ToArray(const Datum& d, int64_t rows) {
  if (d.is_scalar) {
    return ScalarsToArray(std::vector<Scalar>(size_t(rows), d.scalar), d.type);
  }
  if (auto owned = std::static_pointer_cast<const OwnedColumn>(d.keep);
      owned != nullptr && owned->data->length == rows) {
    return owned->data;
  }
  std::vector<Scalar> values;
  values.reserve(size_t(rows));
  for (int64_t i = 0; i < rows; ++i) values.push_back(ValueAt(d.view, i));
  return ScalarsToArray(values, d.type);
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
  (void)try_cast;
  return Status::NotSupported("CAST from " + from.ToString() + " to " + to.ToString());
}

std::vector<std::string> FunctionNames() { return Registry().Names(); }

}  // namespace quiver::kernels
