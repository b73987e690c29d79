#include "support/error.h"

#include <cstdio>

namespace weft {

const char* errorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Malformed: return "malformed";
    case ErrorKind::Invalid: return "invalid";
    case ErrorKind::Unsupported: return "unsupported";
    case ErrorKind::LimitExceeded: return "implementation limit";
  }
  return "error";
}

std::string Error::describe() const {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "0x%llx: ", static_cast<unsigned long long>(offset));
  std::string text = buffer;
  if (functionIndex) text += "in function " + std::to_string(*functionIndex) + ": ";
  text += message;
  return text;
}

}  // namespace weft
