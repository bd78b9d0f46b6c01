// Nested columns reassembled from their leaves' levels
// (column_reader_internal.h: ReadNestedColumn). Each leaf's chunk is read
// into its slots (values and nulls) and its levels; then, top-down, every
// node of the column's LevelNode tree takes its slots, validity and list
// offsets from the levels of its leftmost leaf (schema_internal.h says
// which level entries are a node's slots). Lengths that leaves disagree on,
// and repetition levels that continue a null or empty list, are errors.
#include <algorithm>
#include <cstring>

#include "columnar/concat.h"
#include "columnar/parquet/column_reader_internal.h"

namespace quiver::parquet {
namespace {

using Kind = LevelNode::Kind;

// An array of `n` nulls of any type (fixed_size_list padding).
std::shared_ptr<ArrayData> NullArray(const DataType& type, bool nullable, int64_t n) {
  auto a = std::make_shared<ArrayData>();
  a->type = type;
  a->length = n;
  a->null_count = nullable ? n : 0;
  a->buffers.push_back(nullable ? Buffer::Allocate(BytesForBits(n)) : nullptr);
  switch (type.id) {
    case TypeId::kList:
    case TypeId::kMap:
      a->buffers.push_back(Buffer::Allocate((n + 1) * 4));
      a->children.push_back(NullArray(type.child(0).type, type.child(0).nullable, 0));
      break;
    case TypeId::kFixedSizeList:
      a->children.push_back(NullArray(type.child(0).type, type.child(0).nullable, n * type.list_size));
      break;
    case TypeId::kStruct:
      for (const Field& f : *type.children) a->children.push_back(NullArray(f.type, f.nullable, n));
      break;
    case TypeId::kUtf8:
    case TypeId::kBinary:
      a->buffers.push_back(Buffer::Allocate((n + 1) * 4));
      a->buffers.push_back(Buffer::Allocate(0));
      break;
    case TypeId::kBool:
      a->buffers.push_back(Buffer::Allocate(BytesForBits(n)));
      break;
    case TypeId::kNull:
      a->null_count = n;
      a->buffers = {NullBitmap(n)};
      break;
    default:
      a->buffers.push_back(Buffer::Allocate(n * std::max(1, ByteWidth(type))));
      break;
  }
  return a;
}

class Assembler {
 public:
  Assembler(const ColumnSpec& spec, int row_group, std::vector<std::shared_ptr<ArrayData>> leaves,
            std::vector<LeafLevels> levels)
      : spec_(spec), row_group_(row_group), leaves_(std::move(leaves)), levels_(std::move(levels)) {}

  Result<std::shared_ptr<ArrayData>> Build(const LevelNode& n);

 private:
  Status Fail(const LevelNode& n, const std::string& what) const {
    return Status::Invalid("column \"" + spec_.nested->leaves[size_t(n.first_leaf)].name +
                           "\", row group " + std::to_string(row_group_) + ": " + what);
  }
  Result<std::shared_ptr<ArrayData>> BuildList(const LevelNode& n, std::shared_ptr<ArrayData> a);
  Result<std::shared_ptr<ArrayData>> ToFixedSize(const LevelNode& n, std::shared_ptr<ArrayData> a);

  const ColumnSpec& spec_;
  const int row_group_;
  std::vector<std::shared_ptr<ArrayData>> leaves_;
  std::vector<LeafLevels> levels_;
};

Result<std::shared_ptr<ArrayData>> Assembler::Build(const LevelNode& n) {
  if (n.kind == Kind::kLeaf) return leaves_[size_t(n.leaf)];
  const LeafLevels& lv = levels_[size_t(n.first_leaf)];
  const size_t entries = lv.rep.size();
  auto a = std::make_shared<ArrayData>();
  a->type = n.type;
  // The node's slots and their validity.
  int64_t slots = 0;
  for (size_t i = 0; i < entries; ++i) slots += lv.def[i] >= n.def && lv.rep[i] <= n.rep;
  a->length = slots;
  std::shared_ptr<Buffer> validity = Buffer::Allocate(BytesForBits(slots));
  for (size_t i = 0, k = 0; i < entries; ++i) {
    if (lv.def[i] < n.def || lv.rep[i] > n.rep) continue;
    if (lv.def[i] >= n.valid_def) {
      SetBit(validity->mutable_data(), int64_t(k));
    } else {
      ++a->null_count;
    }
    ++k;
  }
  a->buffers.push_back(a->null_count > 0 ? validity : nullptr);
  if (n.kind != Kind::kStruct) return BuildList(n, std::move(a));
  for (const LevelNode& c : n.children) {
    QUIVER_ASSIGN_OR_RETURN(auto child, Build(c));
    if (child->length != slots) {
      return Fail(c, "its levels give " + std::to_string(child->length) + " values where the struct \"" +
                         n.name + "\" has " + std::to_string(slots));
    }
    a->children.push_back(std::move(child));
  }
  return a;
}

// A list's (or map's) offsets: a slot of the list opens with its first
// element when its definition level reaches the element; entries repeated
// at the element's level add elements to the open list.
Result<std::shared_ptr<ArrayData>> Assembler::BuildList(const LevelNode& n, std::shared_ptr<ArrayData> a) {
  const LevelNode& child = n.children[0];
  const LeafLevels& lv = levels_[size_t(n.first_leaf)];
  std::vector<int32_t> offsets;
  offsets.reserve(size_t(a->length) + 1);
  int64_t elements = 0;
  bool open = false;
  for (size_t i = 0; i < lv.rep.size(); ++i) {
    const int r = lv.rep[i], d = lv.def[i];
    if (r <= n.rep) {
      open = d >= child.def;
      if (d >= n.def) offsets.push_back(int32_t(elements));
      elements += open;
    } else if (r == child.rep) {
      if (!open || d < child.def) {
        return Fail(n, "level entry " + std::to_string(i) + " (repetition " + std::to_string(r) +
                           ", definition " + std::to_string(d) + ") continues a null or empty list");
      }
      ++elements;
    }
    if (elements > INT32_MAX) return Fail(n, "more than 2^31 list elements in one row group");
  }
  offsets.push_back(int32_t(elements));
  QUIVER_ASSIGN_OR_RETURN(auto values, Build(child));
  if (values->length != elements) {
    return Fail(child, "its levels give " + std::to_string(values->length) + " values where the list \"" +
                           n.name + "\" has " + std::to_string(elements));
  }
  a->buffers.push_back(Buffer::Copy(offsets.data(), int64_t(offsets.size() * 4)));
  a->children.push_back(std::move(values));
  if (n.fixed_size >= 0) return ToFixedSize(n, std::move(a));
  return a;
}

// A list read as fixed_size_list (the Arrow schema says so): every list
// must hold list_size elements; a null list written without elements gets
// list_size null ones.
Result<std::shared_ptr<ArrayData>> Assembler::ToFixedSize(const LevelNode& n, std::shared_ptr<ArrayData> a) {
  const int32_t* off = a->buffers[1]->data_as<int32_t>();
  const int64_t size = n.fixed_size;
  const Field& item = n.type.child(0);
  std::shared_ptr<ArrayData> filler;
  std::vector<ArraySlice> parts;
  const ArrayData& values = *a->children[0];
  for (int64_t i = 0; i < a->length; ++i) {
    const int64_t len = off[i + 1] - off[i];
    const bool null = a->buffers[0] && !GetBit(a->buffers[0]->data(), i);
    if (len == size) {
      if (!parts.empty() && parts.back().data == &values && parts.back().begin + parts.back().length == off[i]) {
        parts.back().length += len;
      } else {
        parts.push_back({&values, off[i], len});
      }
    } else if (null && len == 0) {
      if (!filler) filler = NullArray(item.type, item.nullable, size);
      parts.push_back({filler.get(), 0, size});
    } else {
      return Fail(n, "row " + std::to_string(i) + " holds a list of " + std::to_string(len) +
                         " values; the column is fixed_size_list[" + std::to_string(size) + "]");
    }
  }
  QUIVER_ASSIGN_OR_RETURN(auto child, ConcatenateArrays(item.type, parts));
  a->buffers.resize(1);
  a->children = {std::move(child)};
  return a;
}

}  // namespace

Result<std::shared_ptr<ArrayData>> ReadNestedColumn(const ColumnSpec& spec, const format::RowGroup& rg,
                                                    const ChunkSource& src) {
  const NestedColumn& column = *spec.nested;
  std::vector<std::shared_ptr<ArrayData>> leaves;
  std::vector<LeafLevels> levels(column.leaves.size());
  for (size_t k = 0; k < column.leaves.size(); ++k) {
    const ColumnSpec& leaf = column.leaves[k];
    ChunkSource s = src;
    s.chunk = &rg.columns[size_t(leaf.leaf)];
    QUIVER_ASSIGN_OR_RETURN(auto a, ReadColumnChunk(leaf, leaf.type, s, &levels[k]));
    leaves.push_back(std::move(a));
  }
  Assembler assembler(spec, src.row_group, std::move(leaves), std::move(levels));
  QUIVER_ASSIGN_OR_RETURN(auto a, assembler.Build(column.root));
  if (a->length != src.num_rows) {
    return Status::Invalid("column \"" + spec.name + "\", row group " + std::to_string(src.row_group) +
                           ": its levels give " + std::to_string(a->length) + " rows, the row group has " +
                           std::to_string(src.num_rows));
  }
  return a;
}

}  // namespace quiver::parquet
