// Private helpers shared by the Arrow flatbuffer readers and writers in
// columnar/. This is the only header that includes the flatc-generated code;
// nothing outside columnar/ may include it.
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "columnar/array.h"
#include "columnar/fbs/File_generated.h"
#include "columnar/fbs/Message_generated.h"
#include "columnar/fbs/Schema_generated.h"
#include "columnar/types.h"
#include "config/status.h"

namespace quiver::ipc_internal {

namespace fb = ::org::apache::arrow::flatbuf;

constexpr uint32_t kContinuation = 0xFFFFFFFFu;
// Every message Quiver writes starts, and every body buffer lies, on a 64-byte
// boundary relative to the message start.
constexpr int64_t kMessageAlignment = 64;

// Which Schema a writer builds. kWire is what Arrow IPC output declares;
// kStorage is the catalog's, which describes chunk bodies as they lie in the
// pool: large_utf8 / large_binary (held with 32-bit offsets) are written
// there as utf8 / binary with the field metadata kLargeOffsetsKey = "true",
// which ReadSchema turns back into DataType::large_offsets (and removes).
enum class SchemaForm : uint8_t { kWire, kStorage };
inline constexpr const char* kLargeOffsetsKey = "quiver:large_offsets";

flatbuffers::Offset<fb::Schema> BuildSchema(flatbuffers::FlatBufferBuilder& fbb,
                                            const Schema& schema, SchemaForm form = SchemaForm::kWire);
// How a field's values lie on the wire when that differs from how Quiver
// holds them: 64-bit offsets (LargeUtf8/LargeBinary) or views
// (Utf8View/BinaryView: 16-byte views into variadic data buffers). Readers
// convert both to utf8/binary with 32-bit offsets.
enum WireForm : uint8_t { kWireAsHeld = 0, kWireLargeOffsets = 1, kWireView = 2 };

// Converts a verified Schema table. With `wire`, LargeUtf8 and LargeBinary
// fields (also as dictionary values), Utf8View and BinaryView ones are
// accepted as utf8/binary and their WireForm recorded per field, so that
// readers convert them; without it they are rejected as unsupported.
Result<std::shared_ptr<const Schema>> ReadSchema(const fb::Schema* schema,
                                                 std::vector<uint8_t>* wire = nullptr);

// True when `t` or a type nested in it declares 64-bit offsets (large_utf8,
// large_binary, large_list).
bool HasLargeOffsets(const DataType& t);

// Returns the name of an Arrow flatbuffer type (e.g. "LargeUtf8").
const char* ArrowTypeName(fb::Type t);

inline uint32_t LoadU32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline int32_t LoadI32(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline void StoreU32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }

// Number of set bits in bits [offset, offset+length).
int64_t CountSetBits(const uint8_t* bits, int64_t offset, int64_t length);

}  // namespace quiver::ipc_internal
