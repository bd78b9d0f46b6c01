// Nested columns shredded into Parquet levels (column_writer_internal.h:
// ShredNestedColumn): Dremel's record shredding over Arrow's validity
// bitmaps and offsets. For each leaf, every top-level row is walked down the
// leaf's path: a null (at any nullable node) or an empty list ends the walk
// with one entry at the definition level reached so far; a list repeats
// the walk for each element, the first at the repetition level it came
// with and the others at the list's own level.
#include "columnar/parquet/column_writer_internal.h"

namespace quiver::parquet {
namespace {

// One node of a leaf's path: the field, and which child leads on.
struct Step {
  const Field* field;
  int child;      // -1 at the leaf
  bool nullable;  // a definition level of its own (never a map's entries)
};

class Shredder {
 public:
  Shredder(const std::vector<Step>& steps, LeafPiece* out) : steps_(steps), out_(out) {}

  // Slot i of `v`, the node of steps_[k]; `def` and `rep` as reached above.
  void Visit(size_t k, const ArrayView& v, int64_t i, int def, int rep, int lists) {
    const Field& f = *steps_[k].field;
    const bool nullable = steps_[k].nullable;
    if (nullable && v.IsNull(i)) return Entry(rep, def);
    def += nullable;
    switch (f.type.id) {
      case TypeId::kStruct:
        return Visit(k + 1, v.children[steps_[k].child], v.offset + i, def, rep, lists);
      case TypeId::kList:
      case TypeId::kMap: {
        const int32_t* o = v.offsets + v.offset;
        return Elements(k, v.children[0], o[i], o[i + 1], def, rep, lists);
      }
      case TypeId::kFixedSizeList: {
        const int64_t size = f.type.list_size;
        return Elements(k, v.children[0], (v.offset + i) * size, (v.offset + i + 1) * size, def, rep, lists);
      }
      default:
        out_->rows.push_back(i);
        return Entry(rep, def);
    }
  }

 private:
  void Entry(int rep, int def) {
    out_->rep.push_back(uint8_t(rep));
    out_->def.push_back(uint8_t(def));
  }
  void Elements(size_t k, const ArrayView& child, int64_t begin, int64_t end, int def, int rep, int lists) {
    if (begin == end) return Entry(rep, def);
    for (int64_t j = begin; j < end; ++j) Visit(k + 1, child, j, def + 1, j == begin ? rep : lists + 1, lists + 1);
  }

  const std::vector<Step>& steps_;
  LeafPiece* out_;
};

// Every leaf's path below `f` (Parquet names as AppendParquetElements
// writes them), with its levels.
void CollectLeaves(const Field& f, std::vector<Step>* steps, std::vector<std::string>* path, int rep,
                   int def, std::vector<std::pair<std::vector<Step>, LeafColumn>>* out) {
  def += f.nullable;
  switch (f.type.id) {
    case TypeId::kStruct:
      for (size_t c = 0; c < f.type.num_children(); ++c) {
        steps->push_back({&f, int(c), f.nullable});
        path->push_back(f.type.child(c).name);
        CollectLeaves(f.type.child(c), steps, path, rep, def, out);
        path->pop_back();
        steps->pop_back();
      }
      return;
    case TypeId::kList:
    case TypeId::kFixedSizeList:
    case TypeId::kMap: {
      const bool map = f.type.id == TypeId::kMap;
      steps->push_back({&f, 0, f.nullable});
      path->push_back(map ? "key_value" : "list");
      if (map) {
        // The entries struct is the repeated group itself: no level of its own.
        steps->emplace_back();
        for (size_t c = 0; c < 2; ++c) {
          steps->back() = {&f.type.child(0), int(c), false};
          path->push_back(c == 0 ? "key" : "value");
          CollectLeaves(f.type.child(0).type.child(c), steps, path, rep + 1, def + 1, out);
          path->pop_back();
        }
        steps->pop_back();
      } else {
        path->push_back("element");
        CollectLeaves(f.type.child(0), steps, path, rep + 1, def + 1, out);
        path->pop_back();
      }
      path->pop_back();
      steps->pop_back();
      return;
    }
    default: {
      steps->push_back({&f, -1, f.nullable});
      LeafColumn leaf;
      leaf.field = f;
      leaf.path = *path;
      leaf.max_rep = rep;
      leaf.max_def = def;
      out->emplace_back(*steps, std::move(leaf));
      steps->pop_back();
      return;
    }
  }
}

}  // namespace

Result<std::vector<LeafColumn>> ShredNestedColumn(const Field& field,
                                                  const std::vector<const ArrayView*>& pieces) {
  std::vector<std::pair<std::vector<Step>, LeafColumn>> leaves;
  std::vector<Step> steps;
  std::vector<std::string> path{field.name};
  CollectLeaves(field, &steps, &path, 0, 0, &leaves);
  std::vector<LeafColumn> out;
  for (auto& [leaf_steps, leaf] : leaves) {
    if (leaf.max_def > 255) return Status::NotSupported("column \"" + field.name + "\" nests too deeply for Parquet levels");
    for (const ArrayView* v : pieces) {
      LeafPiece piece;
      // The leaf's view: follow the steps' children down from the column.
      const ArrayView* at = v;
      for (const Step& s : leaf_steps) {
        if (s.child >= 0) at = &at->children[s.child];
      }
      piece.values = at;
      Shredder shredder(leaf_steps, &piece);
      for (int64_t i = 0; i < v->length; ++i) shredder.Visit(0, *v, i, 0, 0, 0);
      leaf.pieces.push_back(std::move(piece));
    }
    out.push_back(std::move(leaf));
  }
  return out;
}

}  // namespace quiver::parquet
