// Test helper: a whole result written by a ResultWriter, as the bytes it
// sends to its sink (tests/columnar text format tests).
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "columnar/text_format.h"

namespace quiver::testing {

inline std::string Render(ResultFormat format, const Schema& schema,
                          const std::vector<RecordBatch>& batches, TextFormatOptions options = {},
                          ResultTrailer trailer = {}) {
  std::string out;
  auto w = ResultWriter::Make(
      format,
      [&](std::string_view s) {
        out.append(s);
        return Status::OK();
      },
      options);
  REQUIRE(w->Begin(schema).ok());
  for (const auto& b : batches) {
    Status s = w->Write(b);
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  REQUIRE(w->End(trailer).ok());
  return out;
}

}  // namespace quiver::testing
