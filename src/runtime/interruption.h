// Interruption (epoch style): how a host stops a guest that runs too long.
// The flag lives in each instance's vmctx (VmctxHeader::interruptFlag), which
// compiled code of both tiers compares at every loop header and at the entry
// of every function that calls (every cycle of the code or of calls passes
// one; a function that does neither ends in a time bounded by its length); a
// set flag makes the guest trap "interrupted" there, with its backtrace. Host functions see it when they return (hostDispatch), through a
// process-wide count of set flags, so a host call pays one load when nothing
// is interrupted. Thread-safe: the host sets flags from any thread.
#pragma once

namespace weft::interruption {

// Each returns whether the flag changed.
bool set(void* vmctx);
bool clear(void* vmctx);
bool isSet(const void* vmctx);
// Some vmctx in the process has its flag set.
bool anySet();

}  // namespace weft::interruption
