// The host's side of the wasm calling convention (abi/calling_convention.h):
// a call's argument registers, stack arguments and result registers as one
// struct that the entry stub loads registers from and stores results into,
// and that the host-call stub fills from the registers a wasm caller set.
// Marshalling to and from the embedding API's 8-byte slots is here too, so
// the stubs stay type-agnostic and the convention's rules come from one place
// (call_abi::ArgumentAssigner / ResultAssigner).
#pragma once

#include <cstddef>
#include <cstdint>

#include "abi/calling_convention.h"
#include "format/types.h"

namespace weft {

struct alignas(16) WasmCallFrame {
  uint64_t integer[call_abi::kIntegerArgRegisters] = {};  // rsi, rdx, rcx, r8, r9
  uint64_t padding = 0;
  alignas(16) uint8_t floats[call_abi::kFloatArgRegisters][16] = {};  // xmm0-xmm7
  const uint8_t* stack = nullptr;  // the stack arguments
  uint64_t stackBytes = 0;         // entry: how many to copy to [rsp] (a multiple of 16)
  uint64_t resultInteger = 0;      // rax after the call
  uint64_t padding2 = 0;
  alignas(16) uint8_t resultFloat[16] = {};  // xmm0 after the call
};
namespace call_frame {
constexpr int32_t kInteger = offsetof(WasmCallFrame, integer);
constexpr int32_t kFloats = offsetof(WasmCallFrame, floats);
constexpr int32_t kStack = offsetof(WasmCallFrame, stack);
constexpr int32_t kStackBytes = offsetof(WasmCallFrame, stackBytes);
constexpr int32_t kResultInteger = offsetof(WasmCallFrame, resultInteger);
constexpr int32_t kResultFloat = offsetof(WasmCallFrame, resultFloat);
constexpr int32_t kSize = sizeof(WasmCallFrame);
}  // namespace call_frame

// Bytes a call of {type} needs for its stack arguments and its results buffer.
uint32_t stackArgumentBytes(const FuncType& type);
uint32_t resultsBufferBytes(const FuncType& type);

// Host calling wasm: {slots} (the embedding API's, params in order) into
// {frame}, with {stackArea} of stackArgumentBytes() for the stack arguments
// and {resultsBuffer} of resultsBufferBytes() (16-aligned); then back.
void argumentsIntoFrame(const FuncType& type, const uint64_t* slots, WasmCallFrame& frame, uint8_t* stackArea,
                        uint8_t* resultsBuffer);
void resultsFromFrame(const FuncType& type, const WasmCallFrame& frame, const uint8_t* resultsBuffer,
                      uint64_t* slots);

// Wasm calling the host: the frame the host-call stub filled into {slots},
// and {slots} (results in order) back where the wasm caller expects them.
void argumentsFromFrame(const FuncType& type, const WasmCallFrame& frame, uint64_t* slots);
void resultsIntoFrame(const FuncType& type, const uint64_t* slots, WasmCallFrame& frame);

}  // namespace weft
