// Parquet groups and repeated fields as Arrow nested types
// (schema_internal.h: MapNestedColumn, RefineNestedColumn), following the
// LIST and MAP rules of Parquet's LogicalTypes.md, backward-compatibility
// rules for the older two-level lists included.
#include <utility>

#include "columnar/parquet/schema_internal.h"

namespace quiver::parquet {
namespace {

using FR = format::FieldRepetitionType;
using CT = format::ConvertedType;
using Kind = LevelNode::Kind;

bool IsGroup(const format::SchemaElement& e) { return e.__isset.num_children && e.num_children > 0; }
bool IsRepeated(const format::SchemaElement& e) {
  return e.__isset.repetition_type && e.repetition_type == FR::REPEATED;
}
bool IsOptional(const format::SchemaElement& e) {
  return e.__isset.repetition_type && e.repetition_type == FR::OPTIONAL;
}
bool IsListGroup(const format::SchemaElement& e) {
  return (e.__isset.logicalType && e.logicalType.__isset.LIST) ||
         (e.__isset.converted_type && e.converted_type == CT::LIST);
}
bool IsMapGroup(const format::SchemaElement& e) {
  return (e.__isset.logicalType && e.logicalType.__isset.MAP) ||
         (e.__isset.converted_type &&
          (e.converted_type == CT::MAP || e.converted_type == CT::MAP_KEY_VALUE));
}

constexpr int kMaxDepth = 64;

// Walks one top-level column's subtree, building its LevelNode tree and
// leaf specs. Always consumes the whole subtree (so the leaves after it
// keep their indices); the first shape Quiver cannot read is kept in
// `unsupported`.
class NestedMapper {
 public:
  NestedMapper(const std::vector<format::SchemaElement>& schema, size_t* i, int first_leaf)
      : schema_(schema), i_(*i), first_leaf_(first_leaf) {}

  // The node of schema[i_], with a slot at definition level `slot`, under
  // a parent valid at level `def`; `as_element`: the element a repeated
  // field stands for (its repetition is the list's, so it reads as REQUIRED).
  Status Node(const std::string& path, int slot, int def, int rep, bool as_element, int depth,
              LevelNode* out);

  std::vector<ColumnSpec> leaves;
  Status unsupported;

 private:
  Status Next(const format::SchemaElement** e) {
    if (i_ >= schema_.size()) return Status::Invalid("the schema ends inside a group");
    *e = &schema_[i_++];
    if (IsGroup(**e) && size_t((*e)->num_children) > schema_.size() - i_) {
      return Status::Invalid("group \"" + (*e)->name + "\" claims more children than the schema has");
    }
    return Status::OK();
  }
  // The name of the next element ("" past the end: Next reports that).
  std::string NameAt() const { return i_ < schema_.size() ? schema_[i_].name : std::string(); }
  void Refuse(const std::string& what, const std::string& path) {
    if (unsupported.ok()) {
      unsupported = Status::NotSupported("unsupported Parquet nesting in column \"" + path + "\": " + what);
    }
  }
  Status List(const format::SchemaElement& e, const std::string& path, int def, int rep, int depth,
              LevelNode* out);
  Status Map(const format::SchemaElement& e, const std::string& path, int def, int rep, int depth,
             LevelNode* out);
  // Consumes the remaining `n` children of a group whose shape is refused.
  Status Skip(int n, const std::string& path, int def, int rep, int depth) {
    for (int k = 0; k < n; ++k) {
      LevelNode ignored;
      QUIVER_RETURN_NOT_OK(Node(path, def, def, rep, false, depth + 1, &ignored));
    }
    return Status::OK();
  }

  const std::vector<format::SchemaElement>& schema_;
  size_t& i_;
  const int first_leaf_;
};

Status NestedMapper::Node(const std::string& path, int slot, int def, int rep, bool as_element,
                          int depth, LevelNode* out) {
  if (depth > kMaxDepth) return Status::Invalid("the schema nests more than 64 levels deep");
  const format::SchemaElement* e;
  QUIVER_RETURN_NOT_OK(Next(&e));
  out->name = e->name;
  out->def = slot;
  out->valid_def = def;
  out->rep = rep;
  if (IsRepeated(*e) && !as_element) {
    // A repeated field outside a LIST/MAP group: a required list of
    // required elements, the field itself.
    out->kind = Kind::kList;
    out->nullable = false;
    --i_;
    out->children.resize(1);
    return Node(path, def + 1, def + 1, rep + 1, true, depth + 1, &out->children[0]);
  }
  out->nullable = !as_element && IsOptional(*e);
  out->valid_def = def + out->nullable;
  if (IsGroup(*e) && IsListGroup(*e)) return List(*e, path, def, rep, depth, out);
  if (IsGroup(*e) && IsMapGroup(*e)) return Map(*e, path, def, rep, depth, out);
  if (IsGroup(*e)) {
    out->kind = Kind::kStruct;
    out->children.resize(size_t(e->num_children));
    for (auto& c : out->children) {
      QUIVER_RETURN_NOT_OK(Node(path + "." + NameAt(), slot, out->valid_def, rep, false, depth + 1, &c));
    }
    return Status::OK();
  }
  out->kind = Kind::kLeaf;
  ColumnSpec c;
  c.name = path;
  c.leaf = first_leaf_ + int(leaves.size());
  c.max_def = def + out->nullable;
  c.max_rep = rep;
  c.slot_def = slot;
  if (!e->__isset.type) {
    c.unsupported = Status::Invalid("column \"" + path + "\" has no physical type");
  } else {
    c.physical = e->type;
    c.type_length = e->__isset.type_length ? e->type_length : 0;
    c.unsupported = MapLeafType(*e, &c);
  }
  if (!c.unsupported.ok() && unsupported.ok()) unsupported = c.unsupported;
  out->leaf = int(leaves.size());
  leaves.push_back(std::move(c));
  return Status::OK();
}

// A LIST-annotated group: one repeated child. LogicalTypes.md: the repeated
// field is the element itself (required elements) when it is a primitive,
// a group of several fields, or a one-field group named "array" or
// "<list>_tuple" (the two-level forms); otherwise (three levels) its one
// child is the element.
Status NestedMapper::List(const format::SchemaElement& e, const std::string& path, int def, int rep,
                          int depth, LevelNode* out) {
  out->kind = Kind::kList;
  out->children.resize(1);
  const int child_def = def + out->nullable + 1;
  const format::SchemaElement& r = schema_[i_];
  if (e.num_children != 1 || !IsRepeated(r)) {
    Refuse("a LIST group must hold one repeated field", path);
    return Skip(e.num_children, path, def, rep, depth);
  }
  const bool two_level = !IsGroup(r) || r.num_children > 1 || r.name == "array" ||
                         r.name == e.name + "_tuple";
  if (two_level) {
    return Node(path + "." + r.name, child_def, child_def, rep + 1, true, depth + 1, &out->children[0]);
  }
  ++i_;  // the repeated group; its one child is the element
  return Node(path + "." + r.name + "." + NameAt(), child_def, child_def, rep + 1, false, depth + 2,
              &out->children[0]);
}

// A MAP (or MAP_KEY_VALUE) group: one repeated group of a key and a value.
Status NestedMapper::Map(const format::SchemaElement& e, const std::string& path, int def, int rep,
                         int depth, LevelNode* out) {
  out->kind = Kind::kMap;
  out->children.resize(1);
  LevelNode& entries = out->children[0];
  entries.kind = Kind::kStruct;
  entries.name = "entries";
  entries.def = entries.valid_def = def + out->nullable + 1;
  entries.rep = rep + 1;
  const format::SchemaElement& r = schema_[i_];
  if (e.num_children != 1 || !IsRepeated(r) || !IsGroup(r) || r.num_children != 2) {
    Refuse("a MAP group must hold one repeated group of a key and a value", path);
    return Skip(e.num_children, path, def, rep, depth);
  }
  ++i_;
  const std::string kv = path + "." + r.name;
  entries.children.resize(2);
  for (int k = 0; k < 2; ++k) {
    QUIVER_RETURN_NOT_OK(Node(kv + "." + NameAt(), entries.def, entries.def, entries.rep, false,
                              depth + 2, &entries.children[size_t(k)]));
  }
  entries.children[0].name = "key";
  entries.children[1].name = "value";
  if (entries.children[0].nullable) Refuse("the map's key is OPTIONAL (Arrow map keys are never null)", path);
  return Status::OK();
}

// Arrow types and first leaves, bottom-up.
void Finish(LevelNode* n, const std::vector<ColumnSpec>& leaves) {
  for (auto& c : n->children) Finish(&c, leaves);
  if (n->kind == Kind::kLeaf) {
    // A node a refused LIST or MAP left unfilled has no leaf (the column is
    // unsupported: its type only names it in the message).
    const bool known = n->leaf >= 0 && size_t(n->leaf) < leaves.size();
    n->first_leaf = known ? n->leaf : -1;
    n->type = known ? leaves[size_t(n->leaf)].type : DataType(TypeId::kNull);
    return;
  }
  if (n->children.empty()) {  // a group without fields
    n->first_leaf = -1;
    n->type = DataType::Struct({});
    return;
  }
  n->first_leaf = n->children[0].first_leaf;
  std::vector<Field> fields;
  for (const auto& c : n->children) fields.push_back(Field{c.name, c.type, c.nullable, {}});
  switch (n->kind) {
    case Kind::kStruct:
      n->type = DataType::Struct(std::move(fields));
      break;
    case Kind::kList:
      n->type = n->fixed_size >= 0 ? DataType::FixedSizeList(std::move(fields[0]), n->fixed_size)
                                   : DataType::List(std::move(fields[0]), n->large);
      break;
    case Kind::kMap:
      n->type = DataType(TypeId::kMap);
      fields[0].nullable = false;
      n->type.children = std::make_shared<const std::vector<Field>>(std::move(fields));
      n->type.keys_sorted = n->keys_sorted;
      break;
    case Kind::kLeaf:
      break;
  }
}

// Takes what the Arrow type `a` says and Parquet does not: list flavours,
// the list's element name, map key order, and the leaves' refinements.
void Refine(const DataType& a, LevelNode* n, std::vector<ColumnSpec>* leaves) {
  switch (n->kind) {
    case Kind::kLeaf:
      RefineWithArrowType(a, &(*leaves)[size_t(n->leaf)]);
      return;
    case Kind::kList:
      if (a.id != TypeId::kList && a.id != TypeId::kFixedSizeList) return;
      n->large = a.id == TypeId::kList && a.large_offsets;
      if (a.id == TypeId::kFixedSizeList) n->fixed_size = a.list_size;
      n->children[0].name = a.child(0).name;
      Refine(a.child(0).type, &n->children[0], leaves);
      return;
    case Kind::kMap:
      if (a.id != TypeId::kMap) return;
      n->keys_sorted = a.keys_sorted;
      Refine(a.child(0).type, &n->children[0], leaves);
      return;
    case Kind::kStruct:
      if (a.id != TypeId::kStruct || a.num_children() != n->children.size()) return;
      for (size_t k = 0; k < n->children.size(); ++k) {
        if (a.child(k).name != n->children[k].name) return;
      }
      for (size_t k = 0; k < n->children.size(); ++k) Refine(a.child(k).type, &n->children[k], leaves);
      return;
  }
}

format::SchemaElement Group(const std::string& name, FR::type repetition, int children) {
  format::SchemaElement e;
  e.__set_name(name);
  e.__set_repetition_type(repetition);
  e.__set_num_children(children);
  return e;
}

// `f` written as `name`: a leaf, or a group (LIST with a repeated "list"
// group of one "element", MAP with a repeated "key_value" group of "key"
// and "value", a plain group for a struct).
Status AppendElements(const Field& f, const std::string& name, int depth, std::vector<std::string>* path,
                      std::vector<format::SchemaElement>* out,
                      std::vector<std::vector<std::string>>* leaf_paths) {
  if (depth > kMaxDepth) return Status::NotSupported("column \"" + f.name + "\" nests too deeply for Parquet");
  const FR::type repetition = f.nullable ? FR::OPTIONAL : FR::REQUIRED;
  path->push_back(name);
  const DataType& t = f.type;
  switch (t.id) {
    case TypeId::kList:
    case TypeId::kFixedSizeList: {
      format::SchemaElement e = Group(name, repetition, 1);
      format::LogicalType lt;
      lt.__set_LIST(format::ListType());
      e.__set_logicalType(lt);
      e.__set_converted_type(CT::LIST);
      out->push_back(std::move(e));
      out->push_back(Group("list", FR::REPEATED, 1));
      path->push_back("list");
      QUIVER_RETURN_NOT_OK(AppendElements(t.child(0), "element", depth + 1, path, out, leaf_paths));
      path->pop_back();
      break;
    }
    case TypeId::kMap: {
      format::SchemaElement e = Group(name, repetition, 1);
      format::LogicalType lt;
      lt.__set_MAP(format::MapType());
      e.__set_logicalType(lt);
      e.__set_converted_type(CT::MAP);
      out->push_back(std::move(e));
      out->push_back(Group("key_value", FR::REPEATED, 2));
      path->push_back("key_value");
      Field key = t.child(0).type.child(0), value = t.child(0).type.child(1);
      key.nullable = false;
      QUIVER_RETURN_NOT_OK(AppendElements(key, "key", depth + 1, path, out, leaf_paths));
      QUIVER_RETURN_NOT_OK(AppendElements(value, "value", depth + 1, path, out, leaf_paths));
      path->pop_back();
      break;
    }
    case TypeId::kStruct:
      if (t.num_children() == 0) {
        return Status::NotSupported("column \"" + f.name + "\" is a struct without fields, which Parquet cannot hold");
      }
      out->push_back(Group(name, repetition, int(t.num_children())));
      for (const Field& c : *t.children) {
        QUIVER_RETURN_NOT_OK(AppendElements(c, c.name, depth + 1, path, out, leaf_paths));
      }
      break;
    default: {
      Field leaf = f;
      leaf.name = name;
      QUIVER_ASSIGN_OR_RETURN(format::SchemaElement e, ParquetElementFor(leaf));
      out->push_back(std::move(e));
      leaf_paths->push_back(*path);
      break;
    }
  }
  path->pop_back();
  return Status::OK();
}

}  // namespace

Result<ColumnSpec> MapNestedColumn(const std::vector<format::SchemaElement>& schema, size_t* i,
                                   int* leaves) {
  ColumnSpec top;
  top.name = schema[*i].name;
  top.leaf = *leaves;
  NestedMapper m(schema, i, *leaves);
  auto column = std::make_shared<NestedColumn>();
  QUIVER_RETURN_NOT_OK(m.Node(top.name, 0, 0, 0, false, 0, &column->root));
  *leaves += int(m.leaves.size());
  column->leaves = std::move(m.leaves);
  Finish(&column->root, column->leaves);
  top.type = column->root.type;
  top.max_def = column->root.nullable;
  top.unsupported = m.unsupported;
  top.nested = std::move(column);
  return top;
}

void RefineNestedColumn(const DataType& a, ColumnSpec* c) {
  auto column = std::make_shared<NestedColumn>(*c->nested);
  Refine(a, &column->root, &column->leaves);
  Finish(&column->root, column->leaves);
  c->type = column->root.type;
  c->nested = std::move(column);
}

Status AppendParquetElements(const Field& f, std::vector<format::SchemaElement>* elements,
                             std::vector<std::vector<std::string>>* leaf_paths) {
  std::vector<std::string> path;
  return AppendElements(f, f.name, 0, &path, elements, leaf_paths);
}

}  // namespace quiver::parquet
