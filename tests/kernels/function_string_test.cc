// String and regular-expression functions (kernels/fn_string.cc,
// fn_string_pad.cc, fn_regex.cc). Expected values are DuckDB 1.5's answers.
#include <random>
#include <thread>

#include "kernels/dispatch.h"
#include "kernels/group_key_table_internal.h"
#include "kernels/result_memo_internal.h"
#include "tests/kernels/function_text_test_util.h"

using namespace fntest;
using quiver::StatusCode;

namespace {

// A column of the usual awkward values: ASCII, non-ASCII, empty, NULL.
std::shared_ptr<ArrayData> Words() {
  return Strings({"Hello", "héllo wörld", "", std::nullopt, "ÀÉÎ"});
}

}  // namespace

TEST_CASE("length, octet_length, lower, upper and reverse count and map code points", "[kernels]") {
  const Datum w = Col(Words());
  CHECK(Eval("length", {w}) == Strs{"5", "11", "0", "NULL", "3"});
  CHECK(Eval("char_length", {w}) == Strs{"5", "11", "0", "NULL", "3"});
  CHECK(Eval("octet_length", {w}) == Strs{"5", "13", "0", "NULL", "6"});
  CHECK(Eval("strlen", {w}) == Strs{"5", "13", "0", "NULL", "6"});
  CHECK(Eval("lower", {w}) == Strs{"hello", "héllo wörld", "", "NULL", "àéî"});
  CHECK(Eval("upper", {w}) == Strs{"HELLO", "HÉLLO WÖRLD", "", "NULL", "ÀÉÎ"});
  CHECK(Eval("reverse", {w}) == Strs{"olleH", "dlröw olléh", "", "NULL", "ÎÉÀ"});
  // Greek, Cyrillic and Latin Extended-A; ß has no one-character upper case.
  CHECK(Eval1("upper", {Lit("αβγ жё łž straße")}) == "ΑΒΓ ЖЁ ŁŽ STRAßE");
  CHECK(Eval1("lower", {Lit("ΑΒΓ ЖЁ ŁŽ Ÿ")}) == "αβγ жё łž ÿ");
  // All-constant arguments give a scalar; a NULL scalar gives NULL.
  auto r = Call("length", {Lit("abc")});
  REQUIRE(r.ok());
  CHECK(r->is_scalar);
  CHECK(r->scalar.int64_value() == 3);
  CHECK(Eval1("length", {Null()}) == "NULL");
  CHECK(Eval1("upper", {NullOf(DataType(TypeId::kUtf8))}) == "NULL");
}

TEST_CASE("length and octet_length over long columns match a per-row count, ASCII or not, sliced",
          "[kernels]") {
  // Long enough for the whole-buffer ASCII check's blocks; non-ASCII bytes
  // in one row only, in the hidden prefix only, nowhere, or in most rows
  // (characters of 1 to 4 bytes anywhere, across the 64-byte blocks of the
  // continuation-byte masks).
  std::mt19937_64 rng(42);
  const char* const kChars[] = {"a", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9d\x84\x9e", "z"};
  for (int variant = 0; variant < 4; ++variant) {
    std::vector<OptStr> rows;
    for (int i = 0; i < 700; ++i) {
      if (i % 11 == 3) {
        rows.push_back(std::nullopt);
        continue;
      }
      std::string s(size_t(rng() % 40), 'a');
      if (variant == 1 && i == 600) s += "é€𝄞";
      if (variant == 2 && i < 5) s += "ö";
      if (variant == 3) {
        s.clear();
        for (size_t k = rng() % 90; k > 0; --k) s += kChars[rng() % 5];
      }
      rows.push_back(s);
    }
    const int64_t off = 9;
    const Datum col = Col(Sliced(Strings(rows), off));
    Strs chars, bytes;
    for (size_t i = size_t(off); i < rows.size(); ++i) {
      if (!rows[i]) {
        chars.push_back("NULL");
        bytes.push_back("NULL");
        continue;
      }
      int64_t cp = 0;
      for (unsigned char c : *rows[i]) cp += (c & 0xC0) != 0x80;
      chars.push_back(std::to_string(cp));
      bytes.push_back(std::to_string(rows[i]->size()));
    }
    // Every kernel target marks the continuation bytes its own way
    // (KernelTable::utf8_continuation_masks).
    for (quiver::kernels::Target target : quiver::kernels::SupportedTargets()) {
      quiver::kernels::ScopedKernelTarget scoped(target);
      INFO("variant " << variant << ", target " << int(target));
      CHECK(Eval("length", {col}) == chars);
      CHECK(Eval("octet_length", {col}) == bytes);
    }
  }
}

TEST_CASE("substring follows DuckDB's rules for start <= 0 and negative lengths", "[kernels]") {
  // DuckDB: substring('hello', s, l) over a column of starts and lengths.
  struct Case {
    int64_t start, len;
    const char* want;
  };
  const Case cases[] = {{1, 2, "he"},   {0, 2, "h"},   {0, 1, ""},      {-2, 3, "lo"},
                        {-7, 3, "hel"}, {-4, -1, "h"}, {2, -7, "h"},    {3, -1, "e"},
                        {1, 0, ""},     {6, 2, ""},    {-1, -3, "ell"}, {2, 7, "ello"},
                        {-3, -1, "e"},  {0, -1, ""},   {-5, 1, "h"}};
  for (const Case& c : cases) {
    INFO(c.start << ", " << c.len);
    CHECK(Eval1("substring", {Lit("hello"), Lit(c.start), Lit(c.len)}) == c.want);
  }
  const int64_t starts[] = {-7, -4, -1, 0, 1, 2, 5, 6};
  const char* want[] = {"hello", "ello", "o", "hello", "hello", "ello", "o", ""};
  for (size_t i = 0; i < 8; ++i) {
    CHECK(Eval1("substr", {Lit("hello"), Lit(starts[i])}) == want[i]);
  }
  // Code points, not bytes; per-row starts; NULLs.
  CHECK(Eval("substring", {Col(Words()), Lit(int64_t(2)), Lit(int64_t(3))}) ==
        Strs{"ell", "éll", "", "NULL", "ÉÎ"});
  CHECK(Eval("substring", {Lit("héllo"), Col(Ints({1, 2, std::nullopt, -2}))}) ==
        Strs{"héllo", "éllo", "NULL", "lo"});
  CHECK(Eval1("substring", {Lit("héllo"), Lit(int64_t(2)), Null()}) == "NULL");
}

TEST_CASE("strpos, instr, starts_with, ends_with and contains", "[kernels]") {
  const Datum w = Col(Words());
  CHECK(Eval("strpos", {w, Lit("l")}) == Strs{"3", "3", "0", "NULL", "0"});
  CHECK(Eval("instr", {w, Lit("wö")}) == Strs{"0", "7", "0", "NULL", "0"});
  CHECK(Eval1("strpos", {Lit("hello"), Lit("")}) == "1");
  CHECK(Eval("strpos", {Lit("abcabc"), Col(Strings({"c", "z", std::nullopt}))}) ==
        Strs{"3", "0", "NULL"});
  CHECK(Eval("starts_with", {w, Lit("hé")}) == Strs{"false", "true", "false", "NULL", "false"});
  CHECK(Eval("ends_with", {w, Lit("rld")}) == Strs{"false", "true", "false", "NULL", "false"});
  CHECK(Eval("suffix", {w, Lit("")}) == Strs{"true", "true", "true", "NULL", "true"});
  CHECK(Eval("contains", {w, Lit("ll")}) == Strs{"true", "true", "false", "NULL", "false"});
  CHECK(Eval1("contains", {Lit("abc"), Null()}) == "NULL");
  // A column against a constant: one search over the column's bytes (a
  // match must not cross rows: "llo" + "héllo" holds "ohé").
  CHECK(Eval("contains", {w, Lit("")}) == Strs{"true", "true", "true", "NULL", "true"});
  CHECK(Eval("contains", {w, Lit("oh")}) == Strs{"false", "false", "false", "NULL", "false"});
  CHECK(Eval("contains", {Col(Sliced(Words(), 1)), Lit("ö")}) == Strs{"true", "false", "NULL", "false"});
  CHECK(Eval("contains", {w, Col(Strings({"l", "x", "", "a", std::nullopt}))}) ==
        Strs{"true", "false", "true", "NULL", "NULL"});
}

TEST_CASE("concat skips NULLs, concat_ws separates the non-NULL arguments", "[kernels]") {
  const Datum a = Col(Strings({"a", std::nullopt, "", "é"}));
  const Datum b = Col(Strings({"x", "y", std::nullopt, std::nullopt}));
  CHECK(Eval("concat", {a, Lit("-"), b}) == Strs{"a-x", "-y", "-", "é-"});
  CHECK(Eval("concat", {a, b}) == Strs{"ax", "y", "", "é"});
  CHECK(Eval1("concat", {Null()}) == "");
  CHECK(Eval("concat_ws", {Lit(","), a, Null(), b}) == Strs{"a,x", "y", "", "é"});
  CHECK(Eval1("concat_ws", {Null(), Lit("a")}) == "NULL");
  CHECK(Eval("concat_ws", {Col(Strings({"+", std::nullopt, "|", "|"})), a, b}) ==
        Strs{"a+x", "NULL", "", "é"});
}

TEST_CASE("trim, ltrim and rtrim remove spaces or a set of characters", "[kernels]") {
  CHECK(Eval1("trim", {Lit("  ab  ")}) == "ab");
  CHECK(Eval1("ltrim", {Lit("  ab  ")}) == "ab  ");
  CHECK(Eval1("rtrim", {Lit("  ab  ")}) == "  ab");
  CHECK(Eval1("trim", {Lit(" \tab\t ")}) == "\tab\t");
  CHECK(Eval1("trim", {Lit("xxabxx"), Lit("x")}) == "ab");
  CHECK(Eval1("ltrim", {Lit("xyab"), Lit("yx")}) == "ab");
  CHECK(Eval1("trim", {Lit("éaé"), Lit("é")}) == "a");
  CHECK(Eval1("trim", {Lit("ab"), Null()}) == "NULL");
  CHECK(Eval("trim", {Col(Strings({" a ", "", std::nullopt, "   "}))}) ==
        Strs{"a", "", "NULL", ""});
}

TEST_CASE("replace, left, right, split_part and repeat", "[kernels]") {
  CHECK(Eval1("replace", {Lit("aaa"), Lit("a"), Lit("bb")}) == "bbbbbb");
  CHECK(Eval1("replace", {Lit("abc"), Lit(""), Lit("x")}) == "abc");
  CHECK(Eval("replace", {Col(Words()), Lit("l"), Lit("L")}) ==
        Strs{"HeLLo", "héLLo wörLd", "", "NULL", "ÀÉÎ"});
  CHECK(Eval1("left", {Lit("hello"), Lit(int64_t(-2))}) == "hel");
  CHECK(Eval1("right", {Lit("hello"), Lit(int64_t(-2))}) == "llo");
  CHECK(Eval1("left", {Lit("héllo"), Lit(int64_t(2))}) == "hé");
  CHECK(Eval1("right", {Lit("héllo"), Lit(int64_t(4))}) == "éllo");
  CHECK(Eval1("right", {Lit("hello"), Lit(int64_t(10))}) == "hello");
  CHECK(Eval1("left", {Lit("hello"), Lit(int64_t(-10))}) == "");
  CHECK(Eval1("split_part", {Lit("a,b,c"), Lit(","), Lit(int64_t(-1))}) == "c");
  CHECK(Eval1("split_part", {Lit("a,b,c"), Lit(","), Lit(int64_t(0))}) == "");
  CHECK(Eval1("split_part", {Lit("a,b,c"), Lit(","), Lit(int64_t(4))}) == "");
  CHECK(Eval1("split_part", {Lit("abc"), Lit(""), Lit(int64_t(2))}) == "b");
  CHECK(Eval1("split_part", {Lit(""), Lit(","), Lit(int64_t(1))}) == "");
  CHECK(Eval1("split_part", {Lit("a::bé::c"), Lit("::"), Lit(int64_t(2))}) == "bé");
  CHECK(Eval1("repeat", {Lit("ab"), Lit(int64_t(3))}) == "ababab");
  CHECK(Eval1("repeat", {Lit("ab"), Lit(int64_t(-1))}) == "");
  CHECK(Eval1("repeat", {Lit("ab"), Null()}) == "NULL");
}

TEST_CASE("lpad and rpad pad cyclically, cut long strings, reject an empty pad", "[kernels]") {
  CHECK(Eval1("lpad", {Lit("abc"), Lit(int64_t(5)), Lit("xy")}) == "xyabc");
  CHECK(Eval1("rpad", {Lit("abc"), Lit(int64_t(6)), Lit("xy")}) == "abcxyx");
  CHECK(Eval1("lpad", {Lit("abcdef"), Lit(int64_t(3)), Lit("x")}) == "abc");
  CHECK(Eval1("rpad", {Lit("abcdef"), Lit(int64_t(3)), Lit("x")}) == "abc");
  CHECK(Eval1("lpad", {Lit("abc"), Lit(int64_t(-1)), Lit("x")}) == "");
  CHECK(Eval1("lpad", {Lit("é"), Lit(int64_t(3)), Lit("ü")}) == "üüé");
  CHECK(Eval1("lpad", {Lit("abc"), Lit(int64_t(3)), Lit("")}) == "abc");
  auto bad = Call("lpad", {Lit("abc"), Lit(int64_t(5)), Lit("")});
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK(bad.status().message() == "lpad: the padding string is empty");
}

TEST_CASE("string functions on dictionary columns and sliced views", "[kernels]") {
  const std::vector<OptStr> values = {"Queens",        "Bronx", std::nullopt, "Queens",
                                      "Staten Ísland", "",      "Bronx"};
  const Datum dict = Col(Strings(values, true));
  REQUIRE(dict.type.is_dictionary());
  CHECK(Eval("upper", {dict}) ==
        Strs{"QUEENS", "BRONX", "NULL", "QUEENS", "STATEN ÍSLAND", "", "BRONX"});
  CHECK(Eval("length", {dict}) == Strs{"6", "5", "NULL", "6", "13", "0", "5"});
  CHECK(Eval("contains", {dict, Lit("n")}) ==
        Strs{"true", "true", "NULL", "true", "true", "false", "true"});
  CHECK(Eval("substring", {dict, Lit(int64_t(2)), Lit(int64_t(3))}) ==
        Strs{"uee", "ron", "NULL", "uee", "tat", "", "ron"});
  CHECK(Eval("regexp_replace", {dict, Lit("[aeiou]"), Lit("_"), Lit("g")}) ==
        Strs{"Q___ns", "Br_nx", "NULL", "Q___ns", "St_t_n Ísl_nd", "", "Br_nx"});
  // A per-row argument with a dictionary column takes the per-row path.
  CHECK(Eval("left", {dict, Col(Ints({1, 2, 3, 4, 5, 6, 7}))}) ==
        Strs{"Q", "Br", "NULL", "Quee", "State", "", "Bronx"});
  // Rows from offset 2 of a plain column and of a dictionary column.
  const Strs tail = {"NULL", "QUEENS", "STATEN ÍSLAND", "", "BRONX"};
  CHECK(Eval("upper", {Col(Sliced(Strings(values), 2))}) == tail);
  CHECK(Eval("upper", {Col(Sliced(Strings(values, true), 2))}) == tail);
  CHECK(Eval("concat", {Col(Sliced(Strings(values, true), 2)), Lit("!")}) ==
        Strs{"!", "Queens!", "Staten Ísland!", "!", "Bronx!"});
  CHECK(Eval("like", {Col(Sliced(Strings(values, true), 3)), Lit("%n%")}) ==
        Strs{"true", "true", "false", "true"});
}

TEST_CASE("regexp_matches, regexp_full_match, regexp_replace and regexp_extract", "[kernels]") {
  const Datum w = Col(Words());
  CHECK(Eval("regexp_matches", {w, Lit("l+o")}) == Strs{"true", "true", "false", "NULL", "false"});
  CHECK(Eval1("regexp_matches", {Lit("abc"), Lit("B")}) == "false");
  CHECK(Eval1("regexp_matches", {Lit("abc"), Lit("B"), Lit("i")}) == "true");
  CHECK(Eval1("regexp_matches", {Lit("a\nb"), Lit("a.b")}) == "false");
  CHECK(Eval1("regexp_matches", {Lit("a\nb"), Lit("a.b"), Lit("s")}) == "true");
  CHECK(Eval1("regexp_full_match", {Lit("abc"), Lit("a.c")}) == "true");
  CHECK(Eval1("regexp_full_match", {Lit("abcd"), Lit("a.c")}) == "false");
  CHECK(Eval1("regexp_replace", {Lit("abab"), Lit("b"), Lit("x")}) == "axab");
  CHECK(Eval1("regexp_replace", {Lit("abab"), Lit("b"), Lit("x"), Lit("g")}) == "axax");
  CHECK(Eval1("regexp_replace", {Lit("abab"), Lit("(a)(b)"), Lit("\\2\\1"), Lit("g")}) == "baba");
  CHECK(Eval1("regexp_replace", {Lit("abc"), Lit("b"), Lit("\\9")}) == "abc");
  CHECK(Eval1("regexp_replace", {Lit("ABab"), Lit("b"), Lit("-"), Lit("gi")}) == "A-a-");
  // ClickBench Q29's pattern.
  CHECK(
      Eval("regexp_replace",
           {Col(Strings({"https://www.example.com/a/b", "http://x.org/", "no url", std::nullopt})),
            Lit("^https?://(?:www\\.)?([^/]+)/.*$"), Lit("\\1")}) ==
      Strs{"example.com", "x.org", "no url", "NULL"});
  CHECK(Eval1("regexp_extract", {Lit("abc123"), Lit("[0-9]+")}) == "123");
  CHECK(Eval1("regexp_extract", {Lit("abc"), Lit("[0-9]+")}) == "");
  CHECK(Eval1("regexp_extract", {Lit("abc123"), Lit("([a-z]+)([0-9]+)"), Lit(int64_t(2))}) ==
        "123");
  CHECK(Eval1("regexp_extract", {Lit("abc"), Lit("b"), Lit(int64_t(3))}) == "");
  CHECK(Eval1("regexp_extract", {Lit("héllo"), Lit("é(l+)"), Lit(int64_t(1))}) == "ll");
  CHECK(Eval1("regexp_matches", {Lit("abc"), Null()}) == "NULL");
}

TEST_CASE("regex errors: invalid patterns, options, non-constant patterns", "[kernels]") {
  auto bad = Bind("regexp_matches", {Col(Words()), Lit("(")});
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK(bad.status().message() == "regexp_matches: invalid pattern '(': missing ): (");
  auto opt = Bind("regexp_matches", {Col(Words()), Lit("a"), Lit("z")});
  CHECK(opt.status().message() == "regexp_matches: unknown regex option 'z'");
  auto g = Bind("regexp_matches", {Col(Words()), Lit("a"), Lit("g")});
  CHECK(g.status().code() == StatusCode::kInvalidArgument);
  auto var = Bind("regexp_replace", {Col(Words()), Col(Words()), Lit("x")});
  CHECK(var.status().code() == StatusCode::kInvalidArgument);
  CHECK(var.status().message() == "regexp_replace: the pattern must be a constant");
  auto type = Bind("regexp_matches", {Lit(int64_t(1)), Lit("a")});
  CHECK(type.status().code() == StatusCode::kTypeError);
  CHECK(type.status().message() ==
        "no function matches regexp_matches(int64, utf8); candidates: regexp_matches(utf8, utf8), "
        "regexp_matches(utf8, utf8, utf8)");
}

TEST_CASE("like and ilike match SQL patterns, per row or constant", "[kernels]") {
  const Datum w = Col(Words());
  CHECK(Eval("like", {w, Lit("h%o%")}) == Strs{"false", "true", "false", "NULL", "false"});
  CHECK(Eval("ilike", {w, Lit("h%O%")}) == Strs{"true", "true", "false", "NULL", "false"});
  CHECK(Eval("ilike", {w, Lit("àé_")}) == Strs{"false", "false", "false", "NULL", "true"});
  CHECK(Eval1("like", {Lit("a_c"), Lit("a\\_c")}) == "true");
  CHECK(Eval1("like", {Lit("abc"), Lit("a\\_c")}) == "false");
  CHECK(Eval("like", {Lit("abc"), Col(Strings({"a%", "_b_", "b%", std::nullopt}))}) ==
        Strs{"true", "true", "false", "NULL"});
}

TEST_CASE("string functions report unknown names and wrong argument types", "[kernels]") {
  auto unknown = Bind("lenght", {Lit("a")});
  CHECK(unknown.status().code() == StatusCode::kNotFound);
  auto wrong = Bind("substring", {Lit("a"), Lit("b")});
  CHECK(wrong.status().code() == StatusCode::kTypeError);
  CHECK(wrong.status().message() ==
        "no function matches substring(utf8, utf8); candidates: substring(utf8, int), "
        "substring(utf8, int, int)");
  CHECK(Bind("length", {}).status().code() == StatusCode::kTypeError);
}

TEST_CASE("regexp_replace and regexp_extract over repeated and distinct values match per-value calls",
          "[kernels]") {
  // Repeated values reuse an earlier row's result; a column of distinct
  // values turns that off after its first rows. Either way every row must
  // equal the function of its own value alone (a constant call).
  std::mt19937_64 rng(7);
  const std::vector<std::string> hosts = {"https://www.a.ru/x/", "http://b.com/", "http://c.org",
                                          "", "ftp://d/", "https://e.net/é/ö"};
  for (bool distinct : {false, true}) {
    std::vector<OptStr> rows;
    for (int i = 0; i < 3000; ++i) {
      if (i % 13 == 5) {
        rows.push_back(std::nullopt);
        continue;
      }
      std::string s = hosts[size_t(rng() % hosts.size())];
      if (distinct) s += std::to_string(i);
      rows.push_back(s);
    }
    const Datum col = Col(Sliced(Strings(rows), 3));
    const std::string pattern = "^https?://(?:www\\.)?([^/]+)/.*$";
    const Strs replaced = Eval("regexp_replace", {col, Lit(pattern.c_str()), Lit("\\1")});
    const Strs extracted = Eval("regexp_extract", {col, Lit(pattern.c_str()), Lit(int64_t(1))});
    REQUIRE(replaced.size() == rows.size() - 3);
    REQUIRE(extracted.size() == rows.size() - 3);
    for (size_t i = 3; i < rows.size(); i += distinct ? 7 : 1) {
      INFO("row " << i << " distinct " << distinct);
      const Datum v = rows[i] ? Lit(rows[i]->c_str()) : NullOf(DataType(TypeId::kUtf8));
      CHECK(replaced[i - 3] == Eval1("regexp_replace", {v, Lit(pattern.c_str()), Lit("\\1")}));
      CHECK(extracted[i - 3] == Eval1("regexp_extract", {v, Lit(pattern.c_str()), Lit(int64_t(1))}));
    }
  }
}

TEST_CASE("regexp_replace bound once keeps results across batches and threads, each row its own value's",
          "[kernels]") {
  // The results are reused across the batches one thread runs through one
  // bound function (ResultCache): later batches repeat earlier values, mixed
  // with new ones, and two threads run batches through the same function at
  // once. Every row must equal the function of its own value alone.
  const std::string pattern = "^https?://(?:www\\.)?([^/]+)/.*$";
  std::vector<Datum> args0 = {Col(Strings({std::string("x")})), Lit(pattern.c_str()), Lit("<\\1>")};
  auto fn = Bind("regexp_replace", args0);
  REQUIRE(fn.ok());
  auto batch = [](int thread, int b) {
    std::vector<OptStr> rows;
    std::mt19937_64 rng(uint64_t(thread * 100 + b));
    for (int i = 0; i < 700; ++i) {
      const uint64_t x = rng() % 400;  // values repeat within and across batches
      if (x % 29 == 3) {
        rows.push_back(std::nullopt);
      } else if (x % 5 == 0) {
        rows.push_back("no scheme " + std::to_string(x));
      } else {
        rows.push_back((x % 2 ? "https://www." : "http://") + std::string("h") + std::to_string(x) + ".org/p/" +
                       std::to_string(x * 7) + (b % 2 ? "/é" : ""));
      }
    }
    return rows;
  };
  auto expect = [&](const OptStr& v) {
    if (!v) return std::string("NULL");
    const size_t scheme = v->find("://");
    if (scheme == std::string::npos) return *v;
    std::string host = v->substr(scheme + 3);
    if (host.rfind("www.", 0) == 0) host = host.substr(4);
    return "<" + host.substr(0, host.find('/')) + ">";
  };
  std::vector<std::string> errors(2);
  auto run = [&](int thread) {
    for (int b = 0; b < 12; ++b) {
      const std::vector<OptStr> rows = batch(thread, b);
      const std::vector<Datum> args = {Col(Strings(rows)), Lit(pattern.c_str()), Lit("<\\1>")};
      auto out = (*fn)->Exec(args, int64_t(rows.size()));
      if (!out.ok()) {
        errors[size_t(thread)] = out.status().ToString();
        return;
      }
      for (size_t i = 0; i < rows.size(); ++i) {
        const std::string got = Render(quiver::kernels::ValueAt(out->view, int64_t(i)));
        if (got != expect(rows[i])) {
          errors[size_t(thread)] = "batch " + std::to_string(b) + " row " + std::to_string(i) + ": " + got +
                                   " for " + rows[i].value_or("NULL");
          return;
        }
      }
    }
  };
  std::thread other(run, 1);
  run(0);
  other.join();
  CHECK(errors[0] == "");
  CHECK(errors[1] == "");
}

TEST_CASE("A result cache stops adding when full, switches off without repeats and tries again",
          "[kernels]") {
  using quiver::kernels::internal::ResultCache;
  auto hash = [](const std::string& s) {
    return quiver::kernels::internal::HashBytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  };
  ResultCache c(64 * 100);  // 6400 bytes, 100 entries
  c.StartBatch();
  std::string_view v;
  for (int i = 0; i < 1000; ++i) {
    const std::string k = "key" + std::to_string(i);
    if (!c.Find(k, hash(k), &v)) c.Add(k, hash(k), "value" + std::to_string(i));
  }
  CHECK(c.entries() == 100);
  for (int i = 0; i < 1000; i += 37) {
    const std::string k = "key" + std::to_string(i);
    if (i < 100) {
      REQUIRE(c.Find(k, hash(k), &v));
      CHECK(v == "value" + std::to_string(i));
    } else {
      CHECK(!c.Find(k, hash(k), &v));
    }
  }
  // 2048 lookups with fewer than one in eight found: off for 16 batches.
  ResultCache d(1 << 20);
  d.StartBatch();
  for (int i = 0; i < 2048; ++i) {
    const std::string k = "d" + std::to_string(i);
    if (!d.Find(k, hash(k), &v)) d.Add(k, hash(k), "x");
  }
  CHECK(!d.enabled());
  for (int b = 0; b < 15; ++b) {
    d.StartBatch();
    CHECK(!d.enabled());
  }
  d.StartBatch();
  CHECK(d.enabled());
  const std::string k = "d7";
  REQUIRE(d.Find(k, hash(k), &v));  // what it held is kept
  CHECK(v == "x");
}
