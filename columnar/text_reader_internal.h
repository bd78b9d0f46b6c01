// The streaming driver behind the CSV and NDJSON readers: cuts the input into
// blocks of whole rows, infers or resolves the schema, parses blocks on
// worker threads and delivers results in input order.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/text_reader.h"

namespace quiver::internal {

// A run of whole rows of the input.
struct TextBlock {
  std::shared_ptr<const void> owner;  // keeps `data` alive
  std::string_view data;
  int64_t first_line = 1;  // line of the first row
  int64_t first_byte = 0;  // input offset of data[0]
};

struct BlockResult {
  Status status;
  RecordBatch batch;
  std::vector<RejectedRow> rejected;
};

// One text format. Set-up calls (ReadHeader, Resolve) happen on the driver's
// thread; Parse is const and runs on worker threads concurrently.
class TextFormat {
 public:
  virtual ~TextFormat() = default;
  // True when the quote character hides line ends (CSV).
  virtual bool quote_aware() const = 0;
  // True when the first row is a header the driver hands to ReadHeader.
  virtual bool has_header() const = 0;
  virtual Status ReadHeader(const TextBlock& row) = 0;
  // Decides the schema (from options.schema, the header, and the sample
  // block when inferring) and prepares Parse.
  virtual Result<std::shared_ptr<const Schema>> Resolve(const TextBlock& sample) = 0;
  virtual BlockResult Parse(const TextBlock& block) const = 0;
};

Status RunTextReader(const ReadFn& read, const TextReadOptions& options, TextFormat& format,
                     const TextCallbacks& callbacks, TextReadStats* stats);

// Reads a whole in-memory input through RunTextReader.
Result<TextTable> ReadTextWhole(std::string_view data, const TextReadOptions& options,
                                TextFormat& format);

// "source:line: " prefix of messages.
std::string Where(const TextReadOptions& options, int64_t line);

// Line ends in [b, e): each '\n', and each '\r' not followed by '\n'.
int64_t CountLineEnds(const char* b, const char* e);

}  // namespace quiver::internal
