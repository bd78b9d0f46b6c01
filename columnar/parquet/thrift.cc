// Thrift's compact protocol over memory buffers, for thrift_internal.h.
#include <thrift/TConfiguration.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <climits>
#include <memory>

#include "columnar/parquet/thrift_internal.h"

namespace quiver::parquet {
namespace {

using apache::thrift::protocol::TCompactProtocolT;
using apache::thrift::transport::TMemoryBuffer;

template <typename T>
Status Decode(const char* what, const uint8_t* data, size_t size, T* out, size_t* used) {
  if (size > size_t(INT_MAX)) return Status::Invalid(std::string(what) + " is larger than 2 GiB");
  try {
    // The message-size limit bounds every read; strings and lists cannot be
    // longer than the bytes that are there.
    auto config = std::make_shared<apache::thrift::TConfiguration>(
        int(size) + 1, int(size) + 1, /*recursionLimit=*/64);
    auto buffer = std::make_shared<TMemoryBuffer>(const_cast<uint8_t*>(data), uint32_t(size),
                                                  TMemoryBuffer::OBSERVE, config);
    TCompactProtocolT<TMemoryBuffer> protocol(buffer, int32_t(size), int32_t(size));
    out->read(&protocol);
    *used = size - buffer->available_read();
    return Status::OK();
  } catch (const std::exception& e) {
    return Status::Invalid(std::string("damaged ") + what + " (" + e.what() + ")");
  }
}

template <typename T>
Status Encode(const T& in, std::string* out) {
  try {
    auto buffer = std::make_shared<TMemoryBuffer>();
    TCompactProtocolT<TMemoryBuffer> protocol(buffer);
    in.write(&protocol);
    uint8_t* p = nullptr;
    uint32_t n = 0;
    buffer->getBuffer(&p, &n);
    out->append(reinterpret_cast<const char*>(p), n);
    return Status::OK();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("encoding Parquet metadata: ") + e.what());
  }
}

}  // namespace

Status DecodeFileMetaData(const uint8_t* data, size_t size, format::FileMetaData* out,
                          size_t* used) {
  return Decode("file metadata (footer)", data, size, out, used);
}

Status DecodePageHeader(const uint8_t* data, size_t size, format::PageHeader* out, size_t* used) {
  return Decode("page header", data, size, out, used);
}

Status EncodeFileMetaData(const format::FileMetaData& in, std::string* out) {
  return Encode(in, out);
}

Status EncodePageHeader(const format::PageHeader& in, std::string* out) { return Encode(in, out); }

}  // namespace quiver::parquet
