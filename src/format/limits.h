// Implementation limits: the sizes beyond which Weft refuses a module with an
// "implementation limit" error rather than trying to allocate for it. The
// numbers follow those the major engines publish (the JS-API limits that V8,
// SpiderMonkey and JavaScriptCore agreed on), so a module one of them accepts,
// Weft accepts too; nesting depth is Weft's own, to bound validator memory.
#pragma once

#include <cstdint>

namespace weft::limits {

constexpr uint64_t kMaxModuleBytes = 1024u * 1024 * 1024;
constexpr uint32_t kMaxTypes = 1000000;
constexpr uint32_t kMaxFunctions = 1000000;
constexpr uint32_t kMaxImports = 100000;
constexpr uint32_t kMaxExports = 100000;
constexpr uint32_t kMaxGlobals = 1000000;
constexpr uint32_t kMaxTables = 100000;
constexpr uint32_t kMaxMemories = 1;  // multi-memory is not supported yet
constexpr uint32_t kMaxDataSegments = 100000;
constexpr uint32_t kMaxElementSegments = 10000000;
constexpr uint32_t kMaxElementSegmentSize = 10000000;
constexpr uint32_t kMaxTableSize = 10000000;
constexpr uint32_t kMaxParams = 1000;
constexpr uint32_t kMaxResults = 1000;
constexpr uint32_t kMaxFunctionBodyBytes = 7654321;
constexpr uint32_t kMaxLocals = 50000;
constexpr uint32_t kMaxBrTableTargets = 65520;
constexpr uint32_t kMaxControlDepth = 65536;
constexpr uint32_t kMaxNameLength = 100000;

}  // namespace weft::limits
