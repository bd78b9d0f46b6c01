// Parquet encodings (encoding_internal.h).
#include <algorithm>
#include <cstring>

#include "columnar/parquet/encoding_internal.h"

namespace quiver::parquet {
namespace {

// Reads a ULEB-128 varint from [*p, end); false when it is truncated or
// longer than 10 bytes.
bool ReadUleb128(const uint8_t** p, const uint8_t* end, uint64_t* v) {
  uint64_t r = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (*p >= end) return false;
    uint8_t b = *(*p)++;
    r |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *v = r;
      return true;
    }
    if (shift == 63) return false;
  }
  return false;
}

uint64_t Load64(const uint8_t* d, size_t size, size_t byte) {
  uint64_t w = 0;
  if (byte + 8 <= size) {
    std::memcpy(&w, d + byte, 8);
  } else if (byte < size) {
    std::memcpy(&w, d + byte, size - byte);
  }
  return w;
}

// `bw` (0..64) bits starting at bit `bit` of d[0, size), LSB first; bits
// past the end read as 0 (callers check the length first).
uint64_t ReadBits(const uint8_t* d, size_t size, uint64_t bit, int bw) {
  if (bw == 0) return 0;
  size_t byte = size_t(bit >> 3);
  int shift = int(bit & 7);
  uint64_t w = Load64(d, size, byte) >> shift;
  if (shift + bw > 64 && byte + 8 < size) w |= uint64_t(d[byte + 8]) << (64 - shift);
  return bw == 64 ? w : w & ((uint64_t(1) << bw) - 1);
}

int64_t ZigZag(uint64_t v) { return int64_t(v >> 1) ^ -int64_t(v & 1); }

// Appends `bw` bits of v at the bit accumulator.
class BitWriter {
 public:
  explicit BitWriter(std::string* out) : out_(out) {}
  void Put(uint64_t v, int bw) {
    for (int done = 0; done < bw;) {
      int take = std::min(bw - done, 64 - filled_);
      uint64_t part = take == 64 ? v : (v >> done) & ((uint64_t(1) << take) - 1);
      acc_ |= filled_ == 64 ? 0 : part << filled_;
      filled_ += take;
      done += take;
      if (filled_ == 64) FlushWord();
    }
  }
  // Writes the pending bits, padded with zeros to a byte.
  void Finish() {
    int bytes = (filled_ + 7) / 8;
    for (int i = 0; i < bytes; ++i) out_->push_back(char((acc_ >> (8 * i)) & 0xff));
    acc_ = 0;
    filled_ = 0;
  }

 private:
  void FlushWord() {
    for (int i = 0; i < 8; ++i) out_->push_back(char((acc_ >> (8 * i)) & 0xff));
    acc_ = 0;
    filled_ = 0;
  }
  std::string* out_;
  uint64_t acc_ = 0;
  int filled_ = 0;
};

constexpr uint64_t kMaxRunHeader = uint64_t(1) << 40;

}  // namespace

int BitWidth(uint64_t max_value) {
  int w = 0;
  while (max_value) {
    ++w;
    max_value >>= 1;
  }
  return w;
}

void AppendUleb128(uint64_t v, std::string* out) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out->push_back(char(v ? b | 0x80 : b));
  } while (v);
}

// ---------------------------------------------------------------------------
// RLE / bit-packing hybrid
// ---------------------------------------------------------------------------

Status RleDecoder::NextRun() {
  if (bit_width_ < 0 || bit_width_ > 32) {
    return Status::Invalid("RLE bit width " + std::to_string(bit_width_) + " is out of range");
  }
  if (p_ >= end_) return Status::Invalid("RLE/bit-packed data ends before its values do");
  uint64_t header = 0;
  if (!ReadUleb128(&p_, end_, &header) || header >= kMaxRunHeader) {
    return Status::Invalid("damaged RLE/bit-packed run header");
  }
  if (header & 1) {
    uint64_t groups = header >> 1;
    if (groups == 0) return Status::Invalid("empty bit-packed run");
    size_t bytes = size_t(groups) * size_t(bit_width_);
    // The last run of a page may be cut short: only the values read count.
    packed_bytes_ = std::min(bytes, size_t(end_ - p_));
    packed_data_ = p_;
    packed_bit_ = 0;
    p_ += packed_bytes_;
    left_ = int64_t(groups * 8);
    packed_ = true;
  } else {
    uint64_t count = header >> 1;
    if (count == 0) return Status::Invalid("empty RLE run");
    int bytes = (bit_width_ + 7) / 8;
    if (end_ - p_ < bytes) return Status::Invalid("RLE run value is cut short");
    uint32_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= uint32_t(p_[i]) << (8 * i);
    p_ += bytes;
    repeated_ = v;
    left_ = int64_t(count);
    packed_ = false;
  }
  return Status::OK();
}

Result<bool> RleDecoder::SkipRepeated(int64_t n, uint32_t value) {
  if (left_ == 0) QUIVER_RETURN_NOT_OK(NextRun());
  if (packed_ || repeated_ != value || left_ < n) return false;
  left_ -= n;
  return true;
}

size_t BitPackedBytes(int64_t n, int bit_width) {
  return size_t((uint64_t(n) * uint64_t(bit_width) + 7) / 8);
}

Status DecodeBitPacked(const uint8_t* data, size_t size, int bit_width, int64_t n, uint32_t* out) {
  if (bit_width < 0 || bit_width > 32) return Status::Invalid("BIT_PACKED bit width " + std::to_string(bit_width));
  if (n < 0) return Status::Invalid("BIT_PACKED negative value count");
  const size_t need = BitPackedBytes(n, bit_width);
  if (need > size) {
    return Status::Invalid("BIT_PACKED values need " + std::to_string(need) + " bytes for " + std::to_string(n) +
                           " values of " + std::to_string(bit_width) + " bits, only " + std::to_string(size) +
                           " are left");
  }
  // A 64-bit window filled from the top, most significant bit first.
  uint64_t window = 0;
  int bits = 0;
  size_t pos = 0;
  const uint64_t mask = bit_width == 0 ? 0 : (~uint64_t(0) >> (64 - bit_width));
  for (int64_t i = 0; i < n; ++i) {
    while (bits < bit_width) {
      window = (window << 8) | data[pos++];
      bits += 8;
    }
    bits -= bit_width;
    out[i] = uint32_t((window >> bits) & mask);
  }
  return Status::OK();
}

Status RleDecoder::Get(uint32_t* out, int64_t n) {
  while (n > 0) {
    if (left_ == 0) QUIVER_RETURN_NOT_OK(NextRun());
    int64_t k = std::min(n, left_);
    if (!packed_) {
      std::fill(out, out + k, repeated_);
    } else {
      if (packed_bit_ + uint64_t(k) * uint64_t(bit_width_) > uint64_t(packed_bytes_) * 8) {
        return Status::Invalid("bit-packed run is cut short");
      }
      const int bw = bit_width_;
      const uint64_t mask = bw == 32 ? 0xffffffffu : (uint64_t(1) << bw) - 1;
      int64_t i = 0;
      // Whole 8-byte loads while they stay inside the run, then the tail.
      const uint64_t fast_end = packed_bytes_ >= 8 ? (uint64_t(packed_bytes_) - 8) * 8 : 0;
      uint64_t bit = packed_bit_;
      for (; i < k && bit < fast_end; ++i, bit += uint64_t(bw)) {
        uint64_t w;
        std::memcpy(&w, packed_data_ + (bit >> 3), 8);
        out[i] = uint32_t((w >> (bit & 7)) & mask);
      }
      for (; i < k; ++i, bit += uint64_t(bw)) {
        out[i] = uint32_t((Load64(packed_data_, packed_bytes_, size_t(bit >> 3)) >> (bit & 7)) & mask);
      }
      packed_bit_ = bit;
    }
    out += k;
    n -= k;
    left_ -= k;
  }
  return Status::OK();
}

void EncodeRle(const uint32_t* v, int64_t n, int bit_width, std::string* out) {
  std::vector<uint32_t> literals;
  auto flush_literals = [&] {
    if (literals.empty()) return;
    size_t groups = (literals.size() + 7) / 8;
    literals.resize(groups * 8, 0);
    AppendUleb128(uint64_t(groups) << 1 | 1, out);
    BitWriter bits(out);
    for (uint32_t x : literals) bits.Put(x, bit_width);
    bits.Finish();
    literals.clear();
  };
  const int value_bytes = (bit_width + 7) / 8;
  int64_t i = 0;
  while (i < n) {
    int64_t j = i + 1;
    while (j < n && v[j] == v[i]) ++j;
    int64_t run = j - i;
    if (run >= 8 && !literals.empty() && literals.size() % 8 != 0) {
      // Complete the literal group with values of the run.
      int64_t fill = int64_t(8 - literals.size() % 8);
      literals.insert(literals.end(), size_t(fill), v[i]);
      i += fill;
      run -= fill;
    }
    if (run >= 8) {
      flush_literals();
      AppendUleb128(uint64_t(run) << 1, out);
      for (int b = 0; b < value_bytes; ++b) out->push_back(char((v[i] >> (8 * b)) & 0xff));
    } else {
      literals.insert(literals.end(), v + i, v + j);
    }
    i = j;
  }
  flush_literals();
}

// ---------------------------------------------------------------------------
// DELTA_BINARY_PACKED
// ---------------------------------------------------------------------------

Status DecodeDeltaBinaryPacked(const uint8_t* data, size_t size, int64_t expected,
                               std::vector<int64_t>* out, size_t* used) {
  const uint8_t* p = data;
  const uint8_t* end = data + size;
  uint64_t block = 0, minis = 0, total = 0, first = 0;
  if (!ReadUleb128(&p, end, &block) || !ReadUleb128(&p, end, &minis) ||
      !ReadUleb128(&p, end, &total) || !ReadUleb128(&p, end, &first)) {
    return Status::Invalid("DELTA_BINARY_PACKED header is cut short");
  }
  if (block == 0 || block % 128 != 0 || block > (1 << 20) || minis == 0 || block % minis != 0 ||
      (block / minis) % 32 != 0) {
    return Status::Invalid("DELTA_BINARY_PACKED header is damaged (block size " +
                           std::to_string(block) + ", " + std::to_string(minis) + " miniblocks)");
  }
  if (expected >= 0 && total != uint64_t(expected)) {
    return Status::Invalid("DELTA_BINARY_PACKED holds " + std::to_string(total) +
                           " values, the page " + std::to_string(expected));
  }
  if (total > (uint64_t(1) << 31)) return Status::Invalid("DELTA_BINARY_PACKED count too large");
  const uint64_t per_mini = block / minis;
  out->resize(size_t(total));
  int64_t* o = out->data();
  uint64_t i = 0, last = uint64_t(ZigZag(first));
  if (total > 0) o[i++] = int64_t(last);
  std::vector<uint8_t> widths(static_cast<size_t>(minis));
  while (i < total) {
    uint64_t zz = 0;
    if (!ReadUleb128(&p, end, &zz)) return Status::Invalid("DELTA_BINARY_PACKED block is cut short");
    const uint64_t min_delta = uint64_t(ZigZag(zz));
    if (uint64_t(end - p) < minis) return Status::Invalid("DELTA_BINARY_PACKED widths cut short");
    std::memcpy(widths.data(), p, size_t(minis));
    p += minis;
    for (uint64_t m = 0; m < minis && i < total; ++m) {
      const int bw = widths[size_t(m)];
      if (bw > 64) return Status::Invalid("DELTA_BINARY_PACKED bit width over 64");
      const size_t bytes = size_t(per_mini) * size_t(bw) / 8;
      const size_t avail = std::min(bytes, size_t(end - p));
      const uint64_t take = std::min(per_mini, total - i);
      if (take * uint64_t(bw) > uint64_t(avail) * 8) {
        return Status::Invalid("DELTA_BINARY_PACKED miniblock is cut short");
      }
      for (uint64_t j = 0; j < take; ++j) {
        last += min_delta + ReadBits(p, avail, j * uint64_t(bw), bw);
        o[i++] = int64_t(last);
      }
      p += avail;
    }
  }
  *used = size_t(p - data);
  return Status::OK();
}

void EncodeDeltaBinaryPacked(const int64_t* v, int64_t n, bool int32, std::string* out) {
  constexpr int kBlock = 128, kMinis = 4, kPerMini = 32;
  AppendUleb128(kBlock, out);
  AppendUleb128(kMinis, out);
  AppendUleb128(uint64_t(n), out);
  auto zigzag = [](int64_t x) { return (uint64_t(x) << 1) ^ uint64_t(x >> 63); };
  AppendUleb128(n > 0 ? zigzag(v[0]) : 0, out);
  std::vector<int64_t> deltas;
  for (int64_t start = 1; start < n; start += kBlock) {
    int64_t count = std::min<int64_t>(kBlock, n - start);
    deltas.assign(size_t(count), 0);
    for (int64_t k = 0; k < count; ++k) {
      uint64_t d = uint64_t(v[start + k]) - uint64_t(v[start + k - 1]);
      deltas[size_t(k)] = int32 ? int64_t(int32_t(uint32_t(d))) : int64_t(d);
    }
    int64_t min_delta = *std::min_element(deltas.begin(), deltas.end());
    AppendUleb128(zigzag(min_delta), out);
    uint8_t widths[kMinis] = {0, 0, 0, 0};
    for (int m = 0; m < kMinis; ++m) {
      uint64_t mx = 0;
      for (int64_t k = m * kPerMini; k < std::min<int64_t>(count, (m + 1) * kPerMini); ++k) {
        mx = std::max(mx, uint64_t(deltas[size_t(k)]) - uint64_t(min_delta));
      }
      widths[m] = uint8_t(BitWidth(int32 ? uint32_t(mx) : mx));
    }
    out->append(reinterpret_cast<const char*>(widths), kMinis);
    for (int m = 0; m < kMinis && m * kPerMini < count; ++m) {
      BitWriter bits(out);
      for (int64_t k = m * kPerMini; k < (m + 1) * kPerMini; ++k) {
        uint64_t x = k < count ? uint64_t(deltas[size_t(k)]) - uint64_t(min_delta) : 0;
        bits.Put(int32 ? uint32_t(x) : x, widths[m]);
      }
      bits.Finish();
    }
  }
}

// ---------------------------------------------------------------------------
// Byte arrays and BYTE_STREAM_SPLIT
// ---------------------------------------------------------------------------

Status DecodePlainByteArrays(const uint8_t* data, size_t size, int64_t n,
                             std::vector<uint32_t>* lengths, std::string* bytes) {
  size_t pos = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (size - pos < 4) return Status::Invalid("PLAIN byte array length is cut short");
    uint32_t len;
    std::memcpy(&len, data + pos, 4);
    pos += 4;
    if (len > size - pos) return Status::Invalid("PLAIN byte array runs past its page");
    lengths->push_back(len);
    bytes->append(reinterpret_cast<const char*>(data + pos), len);
    pos += len;
  }
  return Status::OK();
}

namespace {

// The lengths of a DELTA_LENGTH_BYTE_ARRAY stream and where its data starts.
Status DecodeLengths(const uint8_t* data, size_t size, int64_t n, std::vector<int64_t>* lens,
                     size_t* used, const char* what) {
  Status s = DecodeDeltaBinaryPacked(data, size, n, lens, used);
  if (!s.ok()) return Status::Invalid(std::string(what) + ": " + s.message());
  for (int64_t l : *lens) {
    if (l < 0 || l > int64_t(size)) return Status::Invalid(std::string(what) + ": bad length");
  }
  return Status::OK();
}

}  // namespace

Status DecodeDeltaLengthByteArrays(const uint8_t* data, size_t size, int64_t n,
                                   std::vector<uint32_t>* lengths, std::string* bytes) {
  std::vector<int64_t> lens;
  size_t pos = 0;
  QUIVER_RETURN_NOT_OK(DecodeLengths(data, size, n, &lens, &pos, "DELTA_LENGTH_BYTE_ARRAY"));
  for (int64_t l : lens) {
    if (uint64_t(l) > size - pos) {
      return Status::Invalid("DELTA_LENGTH_BYTE_ARRAY value runs past its page");
    }
    lengths->push_back(uint32_t(l));
    bytes->append(reinterpret_cast<const char*>(data + pos), size_t(l));
    pos += size_t(l);
  }
  return Status::OK();
}

Status DecodeDeltaByteArrays(const uint8_t* data, size_t size, int64_t n,
                             std::vector<uint32_t>* lengths, std::string* bytes) {
  std::vector<int64_t> prefixes, suffixes;
  size_t pos = 0, used = 0;
  QUIVER_RETURN_NOT_OK(DecodeLengths(data, size, n, &prefixes, &used, "DELTA_BYTE_ARRAY"));
  pos += used;
  QUIVER_RETURN_NOT_OK(
      DecodeLengths(data + pos, size - pos, n, &suffixes, &used, "DELTA_BYTE_ARRAY"));
  pos += used;
  size_t prev_start = bytes->size(), prev_len = 0;
  for (int64_t i = 0; i < n; ++i) {
    size_t pre = size_t(prefixes[size_t(i)]), suf = size_t(suffixes[size_t(i)]);
    if (pre > prev_len) return Status::Invalid("DELTA_BYTE_ARRAY prefix longer than the value before");
    if (suf > size - pos) return Status::Invalid("DELTA_BYTE_ARRAY suffix runs past its page");
    size_t start = bytes->size();
    bytes->reserve(start + pre + suf);  // no reallocation below: the prefix stays put
    bytes->append(bytes->data() + prev_start, pre);
    bytes->append(reinterpret_cast<const char*>(data + pos), suf);
    pos += suf;
    lengths->push_back(uint32_t(pre + suf));
    prev_start = start;
    prev_len = pre + suf;
  }
  return Status::OK();
}

Status DecodeByteStreamSplit(const uint8_t* data, size_t size, int64_t n, int width,
                             uint8_t* out) {
  if (n < 0 || width <= 0 || uint64_t(n) * uint64_t(width) > size) {
    return Status::Invalid("BYTE_STREAM_SPLIT data is cut short");
  }
  const size_t count = size_t(n);
  for (int k = 0; k < width; ++k) {
    const uint8_t* stream = data + size_t(k) * count;
    for (size_t i = 0; i < count; ++i) out[i * size_t(width) + size_t(k)] = stream[i];
  }
  return Status::OK();
}

}  // namespace quiver::parquet
