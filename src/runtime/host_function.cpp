// Host functions: creation, and the dispatch the host-call stub runs.
#include <algorithm>
#include <exception>
#include <iterator>

#include "runtime/engine.h"
#include "runtime/func.h"
#include "runtime/instance.h"
#include "runtime/trap_handler.h"
#include "runtime/wasm_call_frame.h"

namespace weft {

Func makeHostFunction(Engine& engine, FuncType type, HostCallback callback) {
  auto host = std::make_shared<HostFunction>();
  host->code = hostCallStub();
  host->record.entry = &host->code;
  host->record.vmctx = host.get();
  host->record.sigId = engine.signatureId(type);
  host->type = type;
  host->callback = std::move(callback);
  Func func;
  func.ref = &host->record;
  func.type = std::move(type);
  func.owner = host;
  return func;
}

namespace {

// The callback's outcome for arguments in {slots}; results written back to them.
HostOutcome runCallback(HostFunction& host, Caller& caller, uint64_t* slots) {
  const FuncType& type = host.type;
  std::vector<Value> args(type.params.size());
  for (size_t i = 0, unit = 0; i < args.size(); ++i) {
    ValType t = type.params[i];
    args[i] = {t, slots[unit]};
    if (t == ValType::V128) args[i].high = slots[++unit];
    ++unit;
  }
  std::vector<Value> results(type.results.size());
  for (size_t i = 0; i < results.size(); ++i) results[i].type = type.results[i];
  HostOutcome outcome = host.callback(caller, args, results);
  if (outcome.trap) return outcome;
  for (size_t i = 0, unit = 0; i < results.size(); ++i) {
    if (results[i].type != type.results[i])
      return HostOutcome::trapWith(std::string("host function returned ") + valTypeName(results[i].type) +
                                   " for a result of type " + valTypeName(type.results[i]));
    slots[unit++] = results[i].bits;
    if (results[i].type == ValType::V128) slots[unit++] = results[i].high;
  }
  return outcome;
}

}  // namespace

// Runs on the wasm thread between wasm frames: everything it creates is gone
// before it returns, so a trap raised by the stub afterwards leaks nothing.
uint32_t hostDispatch(void* hostContext, WasmCallFrame* frame, void* callerVmctx) {
  auto* host = static_cast<HostFunction*>(hostContext);
  const FuncType& type = host->type;
  Caller caller(callerVmctx ? Instance::fromVmctx(callerVmctx) : nullptr);
  HostOutcome outcome;
  try {
    size_t units = 0, resultUnits = 0;
    for (ValType t : type.params) units += argumentSlotUnits(t);
    for (ValType t : type.results) resultUnits += argumentSlotUnits(t);
    uint64_t inlineSlots[16];
    std::vector<uint64_t> heapSlots;
    uint64_t* slots = inlineSlots;
    if (std::max(units, resultUnits) > std::size(inlineSlots)) {
      heapSlots.resize(std::max(units, resultUnits));
      slots = heapSlots.data();
    }
    argumentsFromFrame(type, *frame, slots);
    outcome = runCallback(*host, caller, slots);
    if (!outcome.trap) resultsIntoFrame(type, slots, *frame);
  } catch (const std::exception& e) {
    outcome = HostOutcome::trapWith(std::string("host function threw: ") + e.what());
  } catch (...) {
    outcome = HostOutcome::trapWith("host function threw an exception");
  }
  if (outcome.trap) {
    setPendingHostTrap(std::move(*outcome.trap));
    return static_cast<uint32_t>(TrapKind::HostTrap);
  }
  return 0;
}

}  // namespace weft
