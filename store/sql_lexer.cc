// The SQL lexer: tokens with their byte offsets, and positions for errors.
#include <cctype>
#include <optional>
#include <vector>

#include "store/sql_parser_internal.h"

namespace quiver::query::internal {
namespace {

bool IsIdentStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool IsIdentChar(unsigned char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }

}  // namespace

TextPosition PositionOf(std::string_view text, size_t offset) {
  TextPosition pos;
  pos.offset = offset;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++pos.line;
      pos.column = 1;
    } else if ((c & 0xC0) != 0x80) {  // count code points, not bytes
      ++pos.column;
    }
  }
  return pos;
}

Status SyntaxError(std::string_view text, size_t offset, const std::string& problem,
                   TextPosition* error_pos) {
  TextPosition pos = PositionOf(text, offset);
  if (error_pos) *error_pos = pos;
  return Status::Invalid("syntax error at line " + std::to_string(pos.line) + ", column " +
                         std::to_string(pos.column) + ": " + problem);
}

Status Lex(std::string_view text, std::vector<Token>* tokens, TextPosition* error_pos) {
  size_t i = 0, n = text.size();
  auto at = [&](size_t k) -> unsigned char {
    return k < n ? static_cast<unsigned char>(text[k]) : 0;
  };
  auto error = [&](size_t offset, const std::string& problem) {
    return SyntaxError(text, offset, problem, error_pos);
  };
  while (true) {
    // Whitespace and comments (-- to end of line, /* ... */).
    while (i < n) {
      unsigned char c = at(i);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        ++i;
      } else if (c == '-' && at(i + 1) == '-') {
        while (i < n && text[i] != '\n') ++i;
      } else if (c == '/' && at(i + 1) == '*') {
        size_t end = text.find("*/", i + 2);
        if (end == std::string_view::npos) return error(i, "unterminated comment");
        i = end + 2;
      } else {
        break;
      }
    }
    Token t;
    t.offset = i;
    if (i >= n) {
      t.kind = Tok::kEnd;
      tokens->push_back(std::move(t));
      return Status::OK();
    }
    unsigned char c = at(i);
    size_t start = i;
    if (IsIdentStart(c)) {
      while (i < n && IsIdentChar(at(i))) ++i;
      t.kind = Tok::kIdent;
      t.text = std::string(text.substr(start, i - start));
    } else if (c == '"' || c == '\'') {
      const char q = static_cast<char>(c);
      ++i;
      std::string value;
      bool closed = false;
      while (i < n) {
        if (text[i] == q) {
          if (at(i + 1) == c) {
            value += q;
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        value += text[i++];
      }
      if (!closed) {
        return error(start, q == '"' ? "unterminated quoted identifier"
                                     : "unterminated string literal");
      }
      if (q == '"' && value.empty()) return error(start, "empty quoted identifier");
      t.kind = q == '"' ? Tok::kQuotedIdent : Tok::kString;
      t.text = std::move(value);
    } else if (IsDigit(c) || (c == '.' && IsDigit(at(i + 1)))) {
      while (i < n && IsDigit(at(i))) ++i;
      if (at(i) == '.') {
        ++i;
        while (i < n && IsDigit(at(i))) ++i;
      }
      if (at(i) == 'e' || at(i) == 'E') {
        size_t k = i + 1;
        if (at(k) == '+' || at(k) == '-') ++k;
        if (IsDigit(at(k))) {
          i = k;
          while (i < n && IsDigit(at(i))) ++i;
        }
      }
      // "12abc" or "1.2.3" is one bad token, not a number and a name.
      if (i < n && (IsIdentChar(at(i)) || at(i) == '.')) {
        while (i < n && (IsIdentChar(at(i)) || at(i) == '.')) ++i;
        return error(start, "invalid number '" + std::string(text.substr(start, i - start)) + "'");
      }
      t.kind = Tok::kNumber;
      t.text = std::string(text.substr(start, i - start));
    } else {
      static constexpr std::string_view kTwo[] = {"<=", ">=", "<>", "!=", "==", "||", "::", "//"};
      static constexpr std::string_view kOne = ",()*=<>;-+./%[]";
      t.kind = Tok::kSymbol;
      bool matched = false;
      for (std::string_view two : kTwo) {
        if (text.substr(i, 2) == two) {
          t.text = std::string(two);
          i += 2;
          matched = true;
          break;
        }
      }
      if (!matched) {
        if (kOne.find(static_cast<char>(c)) == std::string_view::npos) {
          std::string what;
          if (c >= 0x20 && c < 0x7f) {
            what = "unexpected character '" + std::string(1, static_cast<char>(c)) + "'";
          } else {
            static const char kHex[] = "0123456789abcdef";
            what = std::string("unexpected byte 0x") + kHex[c >> 4] + kHex[c & 15];
          }
          return error(start, what);
        }
        t.text = std::string(1, static_cast<char>(c));
        ++i;
      }
    }
    t.raw = text.substr(start, i - start);
    tokens->push_back(std::move(t));
  }
}

}  // namespace quiver::query::internal

namespace quiver::query {

std::optional<TextPosition> FindIdentifier(std::string_view text, std::string_view name) {
  std::vector<internal::Token> tokens;
  if (!internal::Lex(text, &tokens, nullptr).ok()) return std::nullopt;
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& ch : out) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    return out;
  };
  const internal::Token* folded = nullptr;
  for (const internal::Token& t : tokens) {
    if (t.kind != internal::Tok::kIdent && t.kind != internal::Tok::kQuotedIdent) continue;
    if (t.text == name) return internal::PositionOf(text, t.offset);
    if (!folded && lower(t.text) == lower(name)) folded = &t;
  }
  if (folded) return internal::PositionOf(text, folded->offset);
  return std::nullopt;
}

}  // namespace quiver::query
