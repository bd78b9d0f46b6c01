// Arrow IPC: chunks (the store's on-pool form of a record batch), the IPC
// stream format and the IPC file format (Feather v2).
//
// A chunk is a self-contained run of encapsulated Arrow IPC messages: one
// DictionaryBatch per dictionary-encoded column (in column order, dictionary
// id = field index), then the RecordBatch. Each message is
//   0xFFFFFFFF, int32 metadata length, Message flatbuffer (zero-padded), body
// and Quiver pads the metadata so that every message and every body buffer
// starts on a 64-byte boundary relative to the chunk start. Appending a
// chunk's bytes to a stream that starts with SchemaMessage() therefore makes
// a valid Arrow IPC stream (dictionaries are replacements, allowed in streams).
//
// Readers take (pointer, length, owner): batches they return wrap the input
// bytes without copying (Buffer::Wrap) and hold `owner` to keep them alive.
// A null `owner` makes the reader copy every buffer instead. Buffers whose
// address is not 8-byte aligned are copied. Every length, offset, buffer
// count, bitmap size, string offset and dictionary index is validated once
// when a batch is opened; damage yields Status::Corruption naming what and the
// byte offset. Unsupported but valid input (big-endian, compressed bodies,
// types Quiver does not store, metadata versions before V4 or after V5)
// yields Status::NotSupported. String contents are not checked to be UTF-8.
//
// Thread-safety: encoders and readers are single-threaded objects; the
// batches they return are immutable and may be shared.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "columnar/array.h"
#include "columnar/types.h"
#include "config/status.h"

namespace quiver {

// ---------------------------------------------------------------------------
// Chunks
// ---------------------------------------------------------------------------

// Encodes one RecordBatch into chunk bytes. Make() validates the batch and
// builds the metadata; size() is then exact, and WriteTo() fills
// caller-provided memory (e.g. a freshly allocated pool extent, 64-byte
// aligned) with exactly size() bytes, including zeroed padding. The encoder
// holds references to the batch's buffers until it is destroyed.
class ChunkEncoder {
 public:
  static Result<ChunkEncoder> Make(const RecordBatch& batch);
  ChunkEncoder(ChunkEncoder&&) noexcept;
  ChunkEncoder& operator=(ChunkEncoder&&) noexcept;
  ~ChunkEncoder();

  int64_t size() const;
  Status WriteTo(uint8_t* dst, int64_t capacity) const;

  struct Impl;

 private:
  explicit ChunkEncoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A byte range [offset, offset + length) within a chunk.
struct ByteRange {
  int64_t offset = 0;
  int64_t length = 0;
};

// A chunk opened for reading one column at a time. Open() checks the
// chunk's structure — message framing, metadata, buffer counts and bounds —
// without reading any buffer's contents; Column(i) then validates and
// returns column i alone (with its dictionary), so a reader pays only for
// the columns it uses. The ranges tile the chunk: the messages' prefixes and
// metadata, and per column its buffers (each extended over the padding up
// to the next buffer), then its dictionary's buffers.
//
// The reader points into `data`, which must outlive it; it holds no owner.
class ChunkReader {
 public:
  static Result<ChunkReader> Open(std::shared_ptr<const Schema> schema, const uint8_t* data,
                                  int64_t size);
  ChunkReader(ChunkReader&&) noexcept;
  ChunkReader& operator=(ChunkReader&&) noexcept;
  ~ChunkReader();

  int64_t num_rows() const;
  const std::vector<ByteRange>& metadata_ranges() const;
  const std::vector<ByteRange>& column_ranges(size_t i) const;
  // Column i, validated like OpenChunk validates it; buffers wrap the chunk
  // bytes and hold `owner` (null: copied).
  Result<std::shared_ptr<ArrayData>> Column(size_t i,
                                            const std::shared_ptr<const void>& owner) const;

  struct Impl;

 private:
  explicit ChunkReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// One-shot forms of ChunkEncoder (EncodeInto builds the metadata again).
Result<int64_t> EncodedSize(const RecordBatch& batch);
Status EncodeInto(const RecordBatch& batch, uint8_t* dst, int64_t size);
Result<std::string> EncodeChunk(const RecordBatch& batch);

// Validates the chunk at [data, data+size) (exactly the bytes written by
// WriteTo) against `schema` and returns a batch whose buffers point into it.
Result<RecordBatch> OpenChunk(std::shared_ptr<const Schema> schema, const uint8_t* data,
                              int64_t size, std::shared_ptr<const void> owner);

// ---------------------------------------------------------------------------
// Streams and files
// ---------------------------------------------------------------------------

// Where writers put bytes (a socket, a file, a string).
class OutputSink {
 public:
  virtual ~OutputSink() = default;
  virtual Status Write(const uint8_t* data, int64_t size) = 0;
};

// Appends to a caller-owned std::string.
class StringSink : public OutputSink {
 public:
  explicit StringSink(std::string* out) : out_(out) {}
  Status Write(const uint8_t* data, int64_t size) override {
    out_->append(reinterpret_cast<const char*>(data), size_t(size));
    return Status::OK();
  }

 private:
  std::string* out_;
};

// The encapsulated Schema message that starts an IPC stream (64-byte padded).
Result<std::string> SchemaMessage(const Schema& schema);
// The end-of-stream marker: 0xFFFFFFFF 0x00000000.
std::string EndOfStreamMarker();

// Writes an Arrow IPC stream: schema message, then per batch the dictionaries
// that changed since the previous batch, then the batch; Close() writes the
// end-of-stream marker. The sink must outlive the writer.
class StreamWriter {
 public:
  static Result<std::unique_ptr<StreamWriter>> Open(OutputSink* sink,
                                                    std::shared_ptr<const Schema> schema);
  Status WriteBatch(const RecordBatch& batch);
  // Appends chunk bytes (as written by ChunkEncoder for this schema)
  // verbatim, or re-encoded when the schema has large_utf8 / large_binary
  // fields (chunks hold them with 32-bit offsets).
  Status WriteChunk(const uint8_t* data, int64_t size);
  Status Close();

 private:
  StreamWriter() = default;
  OutputSink* sink_ = nullptr;
  std::shared_ptr<const Schema> schema_;
  std::vector<const ArrayData*> last_dictionaries_;
  bool closed_ = false;
};

// Reads an Arrow IPC stream held in memory: with or without continuation
// markers (the pre-0.15 format), with dictionary batches (replacement and
// delta). A stream that ends without the end-of-stream marker ends cleanly at
// the last complete message.
class StreamReader {
 public:
  static Result<std::unique_ptr<StreamReader>> Open(const uint8_t* data, int64_t size,
                                                    std::shared_ptr<const void> owner);
  ~StreamReader();
  const std::shared_ptr<const Schema>& schema() const;
  // Reads the next record batch into *batch; false at end of stream.
  Result<bool> Next(RecordBatch* batch);

  struct Impl;

 private:
  explicit StreamReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Writes the Arrow IPC file format: "ARROW1\0\0", the stream, a Footer with
// Block records, its length and "ARROW1". Dictionaries are unified across
// batches (indices re-encoded) because files do not allow replacements, and
// written at Close(); a dictionary that outgrows its index type fails.
class FileWriter {
 public:
  static Result<std::unique_ptr<FileWriter>> Open(OutputSink* sink,
                                                  std::shared_ptr<const Schema> schema);
  ~FileWriter();
  Status WriteBatch(const RecordBatch& batch);
  Status Close();

  struct Impl;

 private:
  explicit FileWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Reads an Arrow IPC file held in memory.
class FileReader {
 public:
  static Result<std::unique_ptr<FileReader>> Open(const uint8_t* data, int64_t size,
                                                  std::shared_ptr<const void> owner);
  ~FileReader();
  const std::shared_ptr<const Schema>& schema() const;
  int num_batches() const;
  Result<RecordBatch> ReadBatch(int i);

  struct Impl;

 private:
  explicit FileReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Whole-table helpers for tests, tools and exports.
struct IpcTable {
  std::shared_ptr<const Schema> schema;
  std::vector<RecordBatch> batches;
};
Result<std::string> WriteIpcStream(const Schema& schema, const std::vector<RecordBatch>& batches);
Result<std::string> WriteIpcFile(const Schema& schema, const std::vector<RecordBatch>& batches);
// Reads a stream or a file (told apart by the ARROW1 magic). The batches
// share ownership of `bytes`.
Result<IpcTable> ReadIpc(std::shared_ptr<const std::string> bytes);

}  // namespace quiver
