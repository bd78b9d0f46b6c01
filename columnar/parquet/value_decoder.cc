// Value decoders of the column reader (value_decoder_internal.h).
#include "columnar/parquet/value_decoder_internal.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "columnar/array.h"
#include "columnar/parquet/encoding_internal.h"

namespace quiver::parquet {

using PT = format::Type;
using Enc = format::Encoding;

bool IsDictionaryEncoding(Enc::type e) {
  return e == Enc::PLAIN_DICTIONARY || e == Enc::RLE_DICTIONARY;
}

const char* EncodingName(Enc::type e) {
  switch (e) {
    case Enc::PLAIN:
      return "PLAIN";
    case Enc::PLAIN_DICTIONARY:
      return "PLAIN_DICTIONARY";
    case Enc::RLE:
      return "RLE";
    case Enc::BIT_PACKED:
      return "BIT_PACKED";
    case Enc::DELTA_BINARY_PACKED:
      return "DELTA_BINARY_PACKED";
    case Enc::DELTA_LENGTH_BYTE_ARRAY:
      return "DELTA_LENGTH_BYTE_ARRAY";
    case Enc::DELTA_BYTE_ARRAY:
      return "DELTA_BYTE_ARRAY";
    case Enc::RLE_DICTIONARY:
      return "RLE_DICTIONARY";
    case Enc::BYTE_STREAM_SPLIT:
      return "BYTE_STREAM_SPLIT";
  }
  return "unknown encoding";
}

Status ValueDecoder::ReadDictionary(Enc::type enc, const uint8_t* p, size_t bytes, int64_t count) {
  if (have_dict_) return Status::Invalid("a second dictionary page");
  if (enc != Enc::PLAIN && enc != Enc::PLAIN_DICTIONARY) {
    return Status::Invalid(std::string("dictionary page encoded as ") + EncodingName(enc));
  }
  if (spec_.physical == PT::BOOLEAN) return Status::Invalid("dictionary page in a BOOLEAN column");
  const size_t n = size_t(count);
  if (spec_.physical == PT::BYTE_ARRAY) {
    QUIVER_RETURN_NOT_OK(DecodePlainByteArrays(p, bytes, int64_t(n), &dict_lens_, &dict_bytes_));
    dict_offsets_.resize(n + 1);
    dict_offsets_[0] = 0;
    for (size_t i = 0; i < n; ++i) dict_offsets_[i + 1] = dict_offsets_[i] + dict_lens_[i];
  } else {
    const size_t w = size_t(phys_width_);
    if (n > bytes / std::max<size_t>(w, 1)) return Status::Invalid("dictionary page is cut short");
    dict_fixed_.assign(p, p + n * w);
  }
  dict_count_ = int64_t(n);
  have_dict_ = true;
  return Status::OK();
}

Status ValueDecoder::DecodeIndices(const uint8_t* data, size_t size, int64_t n, uint32_t* out) {
  if (!have_dict_) return Status::Invalid("dictionary-encoded page without a dictionary page");
  if (size < 1) return Status::Invalid("dictionary indices are missing");
  const int bw = data[0];
  if (bw > 32) return Status::Invalid("dictionary index bit width " + std::to_string(bw));
  RleDecoder dec(data + 1, size - 1, bw);
  QUIVER_RETURN_NOT_OK(dec.Get(out, n));
  uint32_t max_index = 0;
  for (int64_t i = 0; i < n; ++i) max_index = std::max(max_index, out[i]);
  if (n > 0 && max_index >= uint64_t(dict_count_)) {
    return Status::Invalid("dictionary index " + std::to_string(max_index) + " out of range (" +
                           std::to_string(dict_count_) + " values)");
  }
  return Status::OK();
}

// Fixed-width physical values (not booleans) into fixed_.
Status ValueDecoder::DecodeFixed(Enc::type enc, const uint8_t* data, size_t size, int64_t n) {
  const size_t w = size_t(phys_width_);
  fixed_.resize(size_t(n) * w);
  switch (enc) {
    case Enc::PLAIN:
      if (size < size_t(n) * w) return Status::Invalid("PLAIN values are cut short");
      if (n) std::memcpy(fixed_.data(), data, size_t(n) * w);
      return Status::OK();
    case Enc::BYTE_STREAM_SPLIT:
      if (spec_.physical == PT::INT96) break;
      return DecodeByteStreamSplit(data, size, n, int(w), fixed_.data());
    case Enc::DELTA_BINARY_PACKED: {
      if (spec_.physical != PT::INT32 && spec_.physical != PT::INT64) break;
      size_t used = 0;
      QUIVER_RETURN_NOT_OK(DecodeDeltaBinaryPacked(data, size, n, &deltas_, &used));
      for (int64_t i = 0; i < n; ++i) {
        if (w == 4) {
          int32_t v = int32_t(uint32_t(uint64_t(deltas_[size_t(i)])));
          std::memcpy(fixed_.data() + size_t(i) * 4, &v, 4);
        } else {
          std::memcpy(fixed_.data() + size_t(i) * 8, &deltas_[size_t(i)], 8);
        }
      }
      return Status::OK();
    }
    case Enc::DELTA_BYTE_ARRAY: {
      if (spec_.physical != PT::FIXED_LEN_BYTE_ARRAY) break;
      lens_.clear();
      bytes_.clear();
      QUIVER_RETURN_NOT_OK(DecodeDeltaByteArrays(data, size, n, &lens_, &bytes_));
      for (uint32_t l : lens_) {
        if (l != w) {
          return Status::Invalid("DELTA_BYTE_ARRAY value of the wrong length for FIXED_LEN_BYTE_ARRAY");
        }
      }
      if (n) std::memcpy(fixed_.data(), bytes_.data(), size_t(n) * w);
      return Status::OK();
    }
    default:
      break;
  }
  return Status::Invalid(std::string("encoding ") + EncodingName(enc) + " is not supported for " +
                         PhysicalTypeName(spec_.physical));
}

Status ValueDecoder::Decode(Enc::type enc, const uint8_t* data, size_t size, int64_t n) {
  page_is_indices_ = false;
  if (IsDictionaryEncoding(enc)) {
    idx_.resize(size_t(n));
    QUIVER_RETURN_NOT_OK(DecodeIndices(data, size, n, idx_.data()));
    page_is_indices_ = true;
    if (!keep_indices_) GatherFromDictionary(n);
    return Status::OK();
  }
  if (spec_.physical == PT::BOOLEAN) {
    fixed_.resize(size_t(n));
    if (enc == Enc::PLAIN) {
      if (uint64_t(size) * 8 < uint64_t(n)) return Status::Invalid("PLAIN booleans are cut short");
      for (int64_t i = 0; i < n; ++i) fixed_[size_t(i)] = GetBit(data, i);
      return Status::OK();
    }
    if (enc == Enc::RLE) {
      if (size < 4) return Status::Invalid("RLE booleans without their length");
      uint32_t len;
      std::memcpy(&len, data, 4);
      if (len > size - 4) return Status::Invalid("RLE booleans run past the page");
      idx_.resize(size_t(n));
      RleDecoder dec(data + 4, len, 1);
      QUIVER_RETURN_NOT_OK(dec.Get(idx_.data(), n));
      for (int64_t i = 0; i < n; ++i) fixed_[size_t(i)] = uint8_t(idx_[size_t(i)]);
      return Status::OK();
    }
    return Status::Invalid(std::string("encoding ") + EncodingName(enc) +
                           " is not supported for BOOLEAN");
  }
  if (spec_.physical == PT::BYTE_ARRAY) {
    lens_.clear();
    bytes_.clear();
    switch (enc) {
      case Enc::PLAIN:
        return DecodePlainByteArrays(data, size, n, &lens_, &bytes_);
      case Enc::DELTA_LENGTH_BYTE_ARRAY:
        return DecodeDeltaLengthByteArrays(data, size, n, &lens_, &bytes_);
      case Enc::DELTA_BYTE_ARRAY:
        return DecodeDeltaByteArrays(data, size, n, &lens_, &bytes_);
      default:
        return Status::Invalid(std::string("encoding ") + EncodingName(enc) +
                               " is not supported for BYTE_ARRAY");
    }
  }
  return DecodeFixed(enc, data, size, n);
}

void ValueDecoder::GatherFromDictionary(int64_t n) {
  if (spec_.physical == PT::BYTE_ARRAY) {
    lens_.resize(size_t(n));
    bytes_.clear();
    for (int64_t i = 0; i < n; ++i) {
      uint32_t k = idx_[size_t(i)];
      lens_[size_t(i)] = dict_lens_[k];
      bytes_.append(dict_bytes_, size_t(dict_offsets_[k]), dict_lens_[k]);
    }
    return;
  }
  const size_t w = size_t(phys_width_);
  fixed_.resize(size_t(n) * w);
  auto gather = [&](auto width) {
    constexpr size_t kW = decltype(width)::value;
    for (int64_t i = 0; i < n; ++i) {
      std::memcpy(fixed_.data() + size_t(i) * kW, dict_fixed_.data() + size_t(idx_[size_t(i)]) * kW, kW);
    }
  };
  if (w == 4) {
    gather(std::integral_constant<size_t, 4>());
  } else if (w == 8) {
    gather(std::integral_constant<size_t, 8>());
  } else {
    for (int64_t i = 0; i < n; ++i) {
      std::memcpy(fixed_.data() + size_t(i) * w, dict_fixed_.data() + size_t(idx_[size_t(i)]) * w, w);
    }
  }
}

}  // namespace quiver::parquet
