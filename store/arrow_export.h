// The unfiltered Arrow export of a table: an Arrow IPC stream made of the
// schema message, each chunk's bytes as they lie in the pool (no decoding,
// no re-encoding; except for tables with large_utf8 / large_binary
// columns, whose chunks are re-encoded with 64-bit offsets) and the
// end-of-stream marker. The one place that builds
// it: `quiver export` writes it with WriteArrowStream, quiverd pulls it piece
// by piece (ArrowStreamParts) so that each chunk goes to the socket straight
// from the mapping.
//
// Thread-safe as far as its arguments are: the table view (and the snapshot
// that holds it) must stay alive while the parts are used.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "columnar/ipc.h"
#include "config/status.h"
#include "store/store.h"

namespace quiver::store {

// The stream's pieces in order. Chunk pieces point into the mapping.
class ArrowStreamParts {
 public:
  static Result<ArrowStreamParts> Make(const TableView& table);
  // The next piece, or nullopt after the end-of-stream marker.
  Result<std::optional<std::string_view>> Next();
  // Chunks handed out so far.
  size_t chunks_done() const { return next_chunk_; }

 private:
  const TableView* table_ = nullptr;
  std::string schema_message_, end_;
  // Tables with large_utf8 / large_binary columns: their chunks (32-bit
  // offsets) are re-encoded one at a time into piece_ by writer_.
  std::unique_ptr<std::string> piece_;  // on the heap: the sink points to it across moves
  std::unique_ptr<StringSink> sink_;
  std::unique_ptr<StreamWriter> writer_;
  enum class Stage { kSchema, kChunks, kEnd, kDone } stage_ = Stage::kSchema;
  size_t next_chunk_ = 0;
};

// Writes the stream to `sink`. `after_chunk(i)`, if set, is called after
// chunk i is written (progress; returning an error, e.g. Cancelled, stops the
// export with it, without the end-of-stream marker).
Status WriteArrowStream(const TableView& table, OutputSink* sink,
                        const std::function<Status(size_t chunk)>& after_chunk = {});

}  // namespace quiver::store
