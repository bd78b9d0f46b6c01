// Functions registered by RegisterRegex (kernels/function_internal.h):
// regexp_matches, regexp_full_match, regexp_replace, regexp_extract (RE2:
// linear time, no backtracking) and like/ilike (kernels/predicate.h's
// LikeMatch). DuckDB's semantics.
//
// A pattern is compiled once, when the function is bound; it must be a
// constant (a pattern that varies per row is an InvalidArgument "the pattern
// must be a constant"). A like/ilike pattern may vary per row. The compiled
// RE2 is shared by every thread running the function (its matching methods
// are const and thread-safe).
#include <re2/re2.h>

#include "kernels/fn_text_internal.h"
#include "kernels/group_key_table_internal.h"
#include "kernels/predicate.h"
#include "kernels/result_memo_internal.h"

namespace quiver::kernels::internal {
namespace {

using Types = std::vector<DataType>;
using Consts = std::vector<const Scalar*>;
using Args = std::vector<Datum>;

struct RegexOptions {
  bool case_insensitive = false;
  bool dot_nl = false;
  bool global = false;  // regexp_replace only
};

// DuckDB's option letters: 'c' case-sensitive, 'i' case-insensitive, 's' '.'
// matches a newline, 'm'/'n'/'p' newline-sensitive (the default here), 'g'
// every match (regexp_replace only).
Result<RegexOptions> ParseOptions(std::string_view fn, std::string_view flags, bool allow_g) {
  RegexOptions o;
  for (char c : flags) {
    switch (c) {
      case 'c':
        o.case_insensitive = false;
        break;
      case 'i':
        o.case_insensitive = true;
        break;
      case 's':
        o.dot_nl = true;
        break;
      case 'm':
      case 'n':
      case 'p':
        o.dot_nl = false;
        break;
      case 'g':
        if (allow_g) {
          o.global = true;
          break;
        }
        [[fallthrough]];
      default:
        return Status::Invalid(std::string(fn) + ": unknown regex option '" + std::string(1, c) +
                               "'");
    }
  }
  return o;
}

// Compiles constant argument `i` as a pattern, with the options string of
// constant argument `opt_i` (if present). *null_pattern is set for NULL.
Result<std::shared_ptr<const RE2>> Compile(std::string_view fn, const Consts& c, size_t i,
                                           const RegexOptions& o, bool* null_pattern) {
  QUIVER_ASSIGN_OR_RETURN(std::string pattern, ConstantString(fn, "pattern", c, i, null_pattern));
  if (*null_pattern) return std::shared_ptr<const RE2>();
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_case_sensitive(!o.case_insensitive);
  opts.set_dot_nl(o.dot_nl);
  auto re = std::make_shared<const RE2>(pattern, opts);
  if (!re->ok()) {
    return Status::Invalid(std::string(fn) + ": invalid pattern '" + pattern + "': " + re->error());
  }
  return re;
}

// The options argument at `i` (constant) or none when i is past the end.
Result<RegexOptions> Options(std::string_view fn, const Consts& c, size_t i, bool allow_g,
                             bool* null_opts) {
  *null_opts = false;
  if (i >= c.size()) return RegexOptions();
  QUIVER_ASSIGN_OR_RETURN(std::string flags, ConstantString(fn, "options", c, i, null_opts));
  return ParseOptions(fn, flags, allow_g);
}

bool StringArgs(const Types& t, size_t min, size_t max) {
  if (t.size() < min || t.size() > max) return false;
  for (const DataType& type : t) {
    if (!IsStringType(type)) return false;
  }
  return true;
}

// Runs `k` over args[0] as MapStrings does for string results, reusing the
// result of an earlier equal value (this thread's ResultCache of `caches`,
// kept across the query's batches) when that is sound: a plain column whose
// result depends on nothing else (every other argument a scalar). A
// dictionary column already runs once per entry.
template <typename K>
void MapStringsMemo(const Args& args, int64_t rows, StrOut& out, ResultCaches& caches, K&& k) {
  const Datum& a = args[0];
  if (a.is_scalar || a.type.is_dictionary() || !OthersScalar(args, 0) || rows < 64) {
    MapStrings<std::string>(args, 0, rows, out, k);
    return;
  }
  ResultCache& cache = *caches.Mine();
  cache.StartBatch();
  // The hashes first, so that the lookups of rows ahead are in flight.
  std::vector<uint64_t> hashes;
  if (cache.enabled()) {
    const StrIn in(a);
    hashes.resize(size_t(rows));
    for (int64_t i = 0; i < rows; ++i) {
      if (in.IsNull(i)) continue;
      const std::string_view s = in.Get(i);
      hashes[size_t(i)] = HashBytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    }
  }
  constexpr int64_t kAhead = 16;
  MapStrings<std::string>(args, 0, rows, out, [&](int64_t i, std::string_view s, std::string* v) {
    if (!cache.enabled()) return k(i, s, v);
    if (i + kAhead < rows) cache.PrefetchSlot(hashes[size_t(i + kAhead)]);
    if (i + kAhead / 2 < rows) cache.PrefetchKey(hashes[size_t(i + kAhead / 2)]);
    const uint64_t h = hashes[size_t(i)];
    std::string_view hit;
    if (cache.Find(s, h, &hit)) {
      v->append(hit);
      return true;
    }
    const size_t mark = v->size();
    if (!k(i, s, v)) return false;  // a NULL result is not kept
    cache.Add(s, h, std::string_view(*v).substr(mark));
    return true;
  });
}

BoundFunctionPtr BoolRegex(std::shared_ptr<const RE2> re, bool full) {
  return MakeFunction(
      DataType(TypeId::kBool), [re, full](const Args& args, int64_t rows) -> Result<Datum> {
        BoolOut out(rows);
        MapStrings<bool>(args, 0, rows, out, [&](int64_t, std::string_view s, bool* v) {
          *v = full ? RE2::FullMatch(s, *re) : RE2::PartialMatch(s, *re);
          return true;
        });
        return out.Finish();
      });
}

Result<BoundFunctionPtr> BindMatches(std::string_view fn, bool full, const Types& t,
                                     const Consts& c) {
  if (!StringArgs(t, 2, 3)) return BoundFunctionPtr();
  bool null_arg;
  QUIVER_ASSIGN_OR_RETURN(RegexOptions o, Options(fn, c, 2, false, &null_arg));
  if (null_arg) return AllNull(DataType(TypeId::kBool));
  QUIVER_ASSIGN_OR_RETURN(auto re, Compile(fn, c, 1, o, &null_arg));
  if (null_arg) return AllNull(DataType(TypeId::kBool));
  return BoolRegex(std::move(re), full);
}

// regexp_replace(s, pattern, replacement[, options]): the first match (every
// match with 'g') replaced; \0..\9 in the replacement are groups. The
// replacement may vary per row.
Result<BoundFunctionPtr> BindReplace(const Types& t, const Consts& c) {
  if (!StringArgs(t, 3, 4)) return BoundFunctionPtr();
  bool null_arg;
  QUIVER_ASSIGN_OR_RETURN(RegexOptions o, Options("regexp_replace", c, 3, true, &null_arg));
  const DataType utf8(TypeId::kUtf8);
  if (null_arg) return AllNull(utf8);
  QUIVER_ASSIGN_OR_RETURN(auto re, Compile("regexp_replace", c, 1, o, &null_arg));
  if (null_arg) return AllNull(utf8);
  const bool global = o.global;
  auto caches = std::make_shared<ResultCaches>();
  return MakeFunction(utf8, [re, global, caches](const Args& args, int64_t rows) -> Result<Datum> {
    StrOut out(rows);
    std::string tmp;
    re2::StringPiece groups[10];
    // The groups a constant rewrite uses, found once (-1: per row).
    const StrIn rw(args[2]);
    const int const_n = args[2].is_scalar && !rw.IsNull(0) ? 1 + RE2::MaxSubmatch(rw.Get(0)) : -1;
    MapStringsMemo(
        args, rows, out, *caches, [&](int64_t i, std::string_view s, std::string* v) {
          if (rw.IsNull(i)) return false;
          const re2::StringPiece rewrite(rw.Get(i));
          if (global) {
            tmp.assign(s);
            RE2::GlobalReplace(&tmp, *re, rewrite);
            v->append(tmp);
            return true;
          }
          // The first match, rewritten straight into the output; RE2::Replace's
          // rules: a rewrite naming a group the pattern lacks changes nothing.
          const int n = const_n >= 0 ? const_n : 1 + RE2::MaxSubmatch(rewrite);
          if (n > 1 + re->NumberOfCapturingGroups() ||
              !re->Match(s, 0, s.size(), RE2::UNANCHORED, groups, n)) {
            v->append(s);
            return true;
          }
          const size_t begin = size_t(groups[0].data() - s.data());
          v->append(s.substr(0, begin));
          re->Rewrite(v, rewrite, groups, n);
          v->append(s.substr(begin + groups[0].size()));
          return true;
        });
    return out.Finish();
  });
}

// regexp_extract(s, pattern[, group]): the group (0: the whole match) of the
// first match, '' when there is none or the group does not exist.
Result<BoundFunctionPtr> BindExtract(const Types& t, const Consts& c) {
  if (t.size() < 2 || t.size() > 3 || !IsStringType(t[0]) || !IsStringType(t[1]) ||
      (t.size() == 3 && !IsIntType(t[2]))) {
    return BoundFunctionPtr();
  }
  const DataType utf8(TypeId::kUtf8);
  int64_t group = 0;
  if (t.size() == 3) {
    if (c[2] == nullptr) return Status::Invalid("regexp_extract: the group must be a constant");
    if (c[2]->is_null()) return AllNull(utf8);
    group = c[2]->kind() == Scalar::Kind::kUInt64 ? int64_t(c[2]->uint64_value() & INT64_MAX)
                                                  : c[2]->int64_value();
    if (group < 0) return Status::Invalid("regexp_extract: the group must not be negative");
  }
  bool null_arg;
  QUIVER_ASSIGN_OR_RETURN(auto re, Compile("regexp_extract", c, 1, RegexOptions(), &null_arg));
  if (null_arg) return AllNull(utf8);
  if (group > re->NumberOfCapturingGroups()) group = -1;
  auto caches = std::make_shared<ResultCaches>();
  return MakeFunction(utf8, [re, group, caches](const Args& args, int64_t rows) -> Result<Datum> {
    StrOut out(rows);
    std::vector<re2::StringPiece> groups(size_t(group < 0 ? 1 : group + 1));
    MapStringsMemo(args, rows, out, *caches, [&](int64_t, std::string_view s, std::string* v) {
      if (group >= 0 &&
          re->Match(s, 0, s.size(), RE2::UNANCHORED, groups.data(), int(groups.size()))) {
        const re2::StringPiece g = groups[size_t(group)];
        if (g.data() != nullptr) v->append(g.data(), g.size());
      }
      return true;
    });
    return out.Finish();
  });
}

// like(s, pattern) / ilike(s, pattern): SQL LIKE ('%', '_', '\' escapes);
// ilike compares lower-cased text (fn_string_pad.cc's case mapping).
BoundFunctionPtr BindLike(bool ci) {
  return MakeFunction(
      DataType(TypeId::kBool), [ci](const Args& args, int64_t rows) -> Result<Datum> {
        BoolOut out(rows);
        // A constant pattern is lower-cased once, not per row.
        const StrIn p(args[1]);
        const bool const_p = args[1].is_scalar && !p.IsNull(0);
        std::string lower_s, lower_p;
        if (ci && const_p) AppendLower(p.Get(0), &lower_p);
        MapStrings<bool>(args, 0, rows, out, [&](int64_t i, std::string_view s, bool* v) {
          if (p.IsNull(i)) return false;
          if (!ci) {
            *v = LikeMatch(s, p.Get(i));
            return true;
          }
          lower_s.clear();
          AppendLower(s, &lower_s);
          if (!const_p) {
            lower_p.clear();
            AppendLower(p.Get(i), &lower_p);
          }
          *v = LikeMatch(lower_s, lower_p);
          return true;
        });
        return out.Finish();
      });
}

}  // namespace

void RegisterRegex(FunctionRegistry& r) {
  r.Add(
      {"regexp_matches", "regexp_matches(utf8, utf8), regexp_matches(utf8, utf8, utf8)",
       [](const Types& t, const Consts& c) { return BindMatches("regexp_matches", false, t, c); }});
  r.Add({"regexp_full_match", "regexp_full_match(utf8, utf8), regexp_full_match(utf8, utf8, utf8)",
         [](const Types& t, const Consts& c) {
           return BindMatches("regexp_full_match", true, t, c);
         }});
  r.Add({"regexp_replace",
         "regexp_replace(utf8, utf8, utf8), regexp_replace(utf8, utf8, utf8, utf8)", BindReplace});
  r.Add({"regexp_extract", "regexp_extract(utf8, utf8), regexp_extract(utf8, utf8, int)",
         BindExtract});
  auto like = [](bool ci) {
    return [ci](const Types& t, const Consts&) -> Result<BoundFunctionPtr> {
      if (!StringArgs(t, 2, 2)) return BoundFunctionPtr();
      return BindLike(ci);
    };
  };
  r.Add({"like", "like(utf8, utf8)", like(false)});
  r.Add({"ilike", "ilike(utf8, utf8)", like(true)});
}

}  // namespace quiver::kernels::internal
