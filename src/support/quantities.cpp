#include "support/quantities.h"

#include <cctype>

namespace weft {
namespace {

// The leading digits of {text} (at least one, at most what fits in 64 bits);
// {text} keeps the rest.
std::optional<uint64_t> leadingNumber(std::string_view& text) {
  uint64_t value = 0;
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
    uint64_t digit = static_cast<uint64_t>(text[digits] - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  text.remove_prefix(digits);
  return value;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

std::optional<uint64_t> scaled(uint64_t value, uint64_t unit) {
  if (unit != 0 && value > UINT64_MAX / unit) return std::nullopt;
  return value * unit;
}

}  // namespace

std::optional<uint64_t> parseCount(std::string_view text) {
  std::optional<uint64_t> number = leadingNumber(text);
  return number && text.empty() ? number : std::nullopt;
}

std::optional<uint64_t> parseByteSize(std::string_view text) {
  std::optional<uint64_t> number = leadingNumber(text);
  if (!number) return std::nullopt;
  static constexpr struct {
    std::string_view a, b;
    uint64_t bytes;
  } kUnits[] = {{"", "b", 1},
                {"k", "kib", uint64_t{1} << 10},
                {"m", "mib", uint64_t{1} << 20},
                {"g", "gib", uint64_t{1} << 30},
                {"t", "tib", uint64_t{1} << 40}};
  for (const auto& unit : kUnits)
    if (equalsIgnoringCase(text, unit.a) || equalsIgnoringCase(text, unit.b)) return scaled(*number, unit.bytes);
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> parseDuration(std::string_view text) {
  std::optional<uint64_t> number = leadingNumber(text);
  if (!number) return std::nullopt;
  uint64_t perUnit = 0;
  if (text == "ms") perUnit = 1;
  else if (text == "s") perUnit = 1000;
  else if (text == "m") perUnit = 60 * 1000;
  else if (text == "h") perUnit = 60 * 60 * 1000;
  else return std::nullopt;
  std::optional<uint64_t> ms = scaled(*number, perUnit);
  // std::chrono::milliseconds holds a signed 64-bit count.
  if (!ms || *ms > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return std::chrono::milliseconds(static_cast<int64_t>(*ms));
}

}  // namespace weft
