// Functions on nested columns (list, fixed_size_list, struct, map):
//   struct_extract(s, 'name')     the member `name` of each struct (NULL where s is)
//   list_extract(x, k)            element k (1-based; negative counts from the end)
//                                 of a list or fixed-size list, NULL out of range;
//                                 the value of key k in a map; member k of a struct
//                                 (k a string constant). SQL's x[k] and DuckDB's
//                                 list_element / element_at.
//   array_length(x), cardinality(x)  values in a list or map (int64)
// Results are new arrays (kernels::Take of the children): nested columns are
// rare in filters, and a copy keeps every result's validity its own.
#include <limits>
#include <numeric>

#include "kernels/function_internal.h"
#include "kernels/take.h"

namespace quiver::kernels::internal {

namespace {

using Types = std::vector<DataType>;
using Consts = std::vector<const Scalar*>;
using Args = std::vector<Datum>;

bool IsListLike(const DataType& t) { return t.id == TypeId::kList || t.id == TypeId::kFixedSizeList; }

// A column of `rows` NULLs of any type (buffers zeroed, children empty or as
// long as the layout needs).
std::shared_ptr<ArrayData> NullArray(const DataType& type, int64_t rows) {
  auto out = std::make_shared<ArrayData>();
  out->type = type;
  out->length = rows;
  out->null_count = rows;
  out->buffers.push_back(NullBitmap(rows));
  if (type.id == TypeId::kNull) return out;
  if (type.id == TypeId::kList || type.id == TypeId::kMap) {
    out->buffers.push_back(Buffer::Allocate((rows + 1) * 4));
    out->children.push_back(NullArray(type.child(0).type, 0));
  } else if (type.is_nested()) {
    const int64_t per = type.id == TypeId::kFixedSizeList ? type.list_size : 1;
    for (size_t k = 0; k < type.num_children(); ++k) out->children.push_back(NullArray(type.child(k).type, rows * per));
  } else if (IsVarLength(type.id)) {
    out->buffers.push_back(Buffer::Allocate((rows + 1) * 4));
    out->buffers.push_back(Buffer::Allocate(0));
  } else if (type.is_dictionary()) {
    out->buffers.push_back(Buffer::Allocate(rows * ByteWidth(type.dict_index)));
    out->dictionary = NullArray(type.value_type(), 0);
  } else {
    out->buffers.push_back(Buffer::Allocate(type.id == TypeId::kBool ? BytesForBits(rows) : rows * ByteWidth(type)));
  }
  return out;
}

// Rows `pick` of `child` (-1: NULL) as a new column.
Result<Datum> Gather(const ArrayView& child, const DataType& type, const std::vector<int64_t>& pick) {
  const int64_t rows = int64_t(pick.size());
  SelectionVector sel(pick.size());
  bool any = false;
  for (size_t i = 0; i < pick.size(); ++i) {
    sel[i] = pick[i] < 0 ? 0 : int32_t(pick[i]);
    any |= pick[i] >= 0;
  }
  if (!any) return Datum::Own(NullArray(type, rows));
  QUIVER_ASSIGN_OR_RETURN(auto out, Take(child, sel));
  int64_t nulls = 0;
  auto bits = Buffer::Allocate(BytesForBits(rows));
  for (int64_t i = 0; i < rows; ++i) {
    const bool valid = pick[size_t(i)] >= 0 && (out->buffers[0] == nullptr || GetBit(out->buffers[0]->data(), i));
    if (valid) SetBit(bits->mutable_data(), i);
    nulls += !valid;
  }
  out->buffers[0] = nulls ? std::move(bits) : nullptr;
  if (type.id == TypeId::kNull) out->buffers[0] = NullBitmap(rows), nulls = rows;
  out->null_count = nulls;
  return Datum::Own(std::move(out));
}

Result<BoundFunctionPtr> BindStructExtract(const DataType& s, const Scalar* name, const char* fn) {
  if (name == nullptr || name->kind() != Scalar::Kind::kString) {
    return Status::Invalid(std::string(fn) + ": the member name must be a string constant");
  }
  for (size_t k = 0; k < s.num_children(); ++k) {
    if (s.child(k).name != name->string_value()) continue;
    const DataType type = s.child(k).type;
    return MakeBound(type, [k, type](const Args& args, int64_t rows) -> Result<Datum> {
      const ArrayView& v = args[0].view;
      std::vector<int64_t> pick(static_cast<size_t>(rows));
      for (int64_t i = 0; i < rows; ++i) pick[size_t(i)] = v.IsValid(i) ? v.offset + i : -1;
      return Gather(v.children[k], type, pick);
    });
  }
  std::string names;
  for (size_t k = 0; k < s.num_children(); ++k) names += (k ? ", " : "") + s.child(k).name;
  return Status::NotFound(std::string(fn) + ": " + s.ToString() + " has no member '" + name->string_value() +
                          "' (members: " + names + ")");
}

// Element k (1-based, negative from the end) of each list.
Result<Datum> ExecListExtract(const Args& args, int64_t rows, const DataType& type) {
  const ArrayView& v = args[0].view;
  NumericInput<int64_t> k;
  QUIVER_RETURN_NOT_OK(k.Load(args[1], rows));
  const bool k_nulls = args[1].is_scalar ? args[1].scalar.is_null() : false;
  const DataType& lt = args[0].type;
  std::vector<int64_t> pick(size_t(rows), -1);
  for (int64_t i = 0; i < rows; ++i) {
    if (!v.IsValid(i) || k_nulls || (!args[1].is_scalar && args[1].view.IsNull(i))) continue;
    int64_t begin, end;
    if (lt.id == TypeId::kFixedSizeList) {
      begin = (v.offset + i) * lt.list_size;
      end = begin + lt.list_size;
    } else {
      begin = v.offsets[v.offset + i];
      end = v.offsets[v.offset + i + 1];
    }
    const int64_t n = end - begin, at = k[i];
    if (at >= 1 && at <= n) pick[size_t(i)] = begin + at - 1;
    if (at <= -1 && -at <= n) pick[size_t(i)] = end + at;
  }
  return Gather(v.children[0], type, pick);
}

// The value of key k in each map (the first entry with that key).
Result<Datum> ExecMapExtract(const Args& args, int64_t rows, const DataType& type) {
  const ArrayView& v = args[0].view;
  const ArrayView& entries = v.children[0];
  const ArrayView& keys = entries.children[0];
  const bool string_keys = IsVarLength(keys.type->id);
  std::vector<int64_t> pick(size_t(rows), -1);
  NumericInput<int64_t> ik;
  if (!string_keys) QUIVER_RETURN_NOT_OK(ik.Load(args[1], rows));
  StringInput sk(args[1]);
  for (int64_t i = 0; i < rows; ++i) {
    if (!v.IsValid(i) || (args[1].is_scalar ? args[1].scalar.is_null() : args[1].view.IsNull(i))) continue;
    for (int64_t e = v.offsets[v.offset + i]; e < v.offsets[v.offset + i + 1]; ++e) {
      const int64_t row = entries.offset + e;
      if (keys.IsNull(row)) continue;
      bool eq;
      if (string_keys) {
        eq = keys.StringValue(row) == sk[i];
      } else {
        switch (keys.type->id) {
          case TypeId::kInt8: eq = keys.Value<int8_t>(row) == ik[i]; break;
          case TypeId::kInt16: eq = keys.Value<int16_t>(row) == ik[i]; break;
          case TypeId::kInt32: eq = keys.Value<int32_t>(row) == ik[i]; break;
          case TypeId::kInt64: eq = keys.Value<int64_t>(row) == ik[i]; break;
          case TypeId::kUInt8: eq = int64_t(keys.Value<uint8_t>(row)) == ik[i]; break;
          case TypeId::kUInt16: eq = int64_t(keys.Value<uint16_t>(row)) == ik[i]; break;
          case TypeId::kUInt32: eq = int64_t(keys.Value<uint32_t>(row)) == ik[i]; break;
          default: eq = ik[i] >= 0 && keys.Value<uint64_t>(row) == uint64_t(ik[i]); break;
        }
      }
      if (eq) {
        pick[size_t(i)] = row;
        break;
      }
    }
  }
  return Gather(entries.children[1], type, pick);
}

Result<BoundFunctionPtr> BindListExtract(const Types& t, const Consts& c) {
  if (t.size() != 2) return BoundFunctionPtr();
  const DataType& x = t[0];
  if (x.id == TypeId::kStruct) return BindStructExtract(x, c[1], "list_extract");
  if (IsListLike(x)) {
    if (!IsInteger(t[1].id) && t[1].id != TypeId::kNone) return BoundFunctionPtr();
    const DataType type = x.child(0).type;
    return MakeBound(type, [type](const Args& args, int64_t rows) { return ExecListExtract(args, rows, type); });
  }
  if (x.id == TypeId::kMap) {
    const DataType& key = x.child(0).type.child(0).type;
    const bool ok = IsVarLength(key.id) ? (t[1].id == TypeId::kUtf8 || t[1].id == TypeId::kBinary || t[1].id == TypeId::kNone)
                                        : (IsInteger(key.id) && (IsInteger(t[1].id) || t[1].id == TypeId::kNone));
    if (!ok) return BoundFunctionPtr();
    const DataType type = x.child(0).type.child(1).type;
    return MakeBound(type, [type](const Args& args, int64_t rows) { return ExecMapExtract(args, rows, type); });
  }
  return BoundFunctionPtr();
}

Result<BoundFunctionPtr> BindLength(const Types& t, const Consts&) {
  if (t.size() != 1 || !(IsListLike(t[0]) || t[0].id == TypeId::kMap)) return BoundFunctionPtr();
  return MakeBound(DataType(TypeId::kInt64), [](const Args& args, int64_t rows) -> Result<Datum> {
    const ArrayView& v = args[0].view;
    const DataType& lt = args[0].type;
    auto values = Buffer::Allocate(rows * 8);
    auto* out = reinterpret_cast<int64_t*>(values->mutable_data());
    std::shared_ptr<Buffer> validity;
    int64_t nulls = 0;
    if (v.validity != nullptr && v.null_count != 0) {
      validity = Buffer::Allocate(BytesForBits(rows));
      for (int64_t i = 0; i < rows; ++i) {
        if (v.IsValid(i)) SetBit(validity->mutable_data(), i);
        nulls += v.IsNull(i);
      }
    }
    for (int64_t i = 0; i < rows; ++i) {
      out[i] = lt.id == TypeId::kFixedSizeList ? lt.list_size
                                               : int64_t(v.offsets[v.offset + i + 1]) - v.offsets[v.offset + i];
    }
    auto col = MakeColumn(DataType(TypeId::kInt64), rows, {nulls ? validity : nullptr, values});
    col->null_count = nulls;
    return Datum::Own(std::move(col));
  });
}

}  // namespace

void RegisterNested(FunctionRegistry& r) {
  r.Add({"struct_extract", "struct_extract(struct, member name)",
         [](const Types& t, const Consts& c) -> Result<BoundFunctionPtr> {
           if (t.size() != 2 || t[0].id != TypeId::kStruct) return BoundFunctionPtr();
           return BindStructExtract(t[0], c[1], "struct_extract");
         }});
  r.Add({"list_extract",
         "list_extract(list, integer), list_extract(map, key), list_extract(struct, member name); also x[k]",
         BindListExtract});
  r.Alias("list_element", "list_extract");
  r.Alias("element_at", "list_extract");
  r.Add({"array_length", "array_length(list), array_length(map)", BindLength});
  r.Alias("cardinality", "array_length");
}

}  // namespace quiver::kernels::internal
