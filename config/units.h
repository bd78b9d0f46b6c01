// Byte sizes as people write and read them: "1G", "512M", "1.00 GiB".
#pragma once

#include <cstdint>
#include <string>

#include "config/status.h"

namespace quiver {

// Parses sizes like "1G", "512M", "64KiB", "1.5g", "4096" (binary units).
Result<uint64_t> ParseSize(const std::string& text);
// Formats bytes for people: "100 B", "1.00 GiB".
std::string FormatBytes(uint64_t bytes);

}  // namespace quiver
