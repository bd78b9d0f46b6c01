// The function registry behind kernels/function.h, shared by the files that
// define functions. Not an API for other layers.
//
// Files (each registers its functions from one Register* function):
//   function.cc        Datum, ToArray, the registry, BindFunction, BindCast
//   fn_arith.cc        + - * / // % neg, || (concat operator)
//   fn_logic.cc        comparisons as values, and/or/not, is_distinct_from,
//                      in_list, case_when
//   fn_math.cc         abs round floor ceil trunc sqrt power exp ln log10 log
//                      mod sign greatest least coalesce nullif
//   fn_cast.cc         cast / try_cast
//   fn_string.cc       length lower upper substring position concat trim ...
//   fn_regex.cc        regexp_matches regexp_replace regexp_extract (RE2), like
//   fn_date.cc         date_trunc extract/date_part date_diff strftime
//                      make_date add_interval current_date now
//
// Thread-safety: the registry is filled once (on first use, under a
// std::call_once) and read-only afterwards.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kernels/function.h"

namespace quiver::kernels::internal {

// Binds one function for argument types. Returns nullptr (and no error) when
// the types match none of its signatures, so that the registry reports the
// signatures; returns an error for a bad constant argument.
using BindFn = std::function<Result<BoundFunctionPtr>(const std::vector<DataType>& types,
                                                      const std::vector<const Scalar*>& constants)>;

struct FunctionDef {
  std::string name;        // lower-case
  std::string signatures;  // for errors: "round(numeric), round(numeric, int)"
  BindFn bind;
};

class FunctionRegistry {
 public:
  // Adds a function; a second definition of a name is a programmer error.
  void Add(FunctionDef def);
  // Another name for an existing function (substr -> substring).
  void Alias(std::string alias, std::string_view name);
  const FunctionDef* Find(std::string_view lower_name) const;
  std::vector<std::string> Names() const;

 private:
  std::unordered_map<std::string, FunctionDef> defs_;
  std::unordered_map<std::string, std::string> aliases_;
};

void RegisterArithmetic(FunctionRegistry& r);
void RegisterLogic(FunctionRegistry& r);
void RegisterMath(FunctionRegistry& r);
void RegisterCast(FunctionRegistry& r);
void RegisterString(FunctionRegistry& r);
void RegisterRegex(FunctionRegistry& r);
void RegisterDate(FunctionRegistry& r);

}  // namespace quiver::kernels::internal
