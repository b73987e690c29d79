// Boolean selects back into and/or, after LLVM's pipeline. The optimizer
// writes `a || b` as `select a, true, b` whenever it cannot prove that b is
// never poison, and a value that flows around a loop (a phi) is beyond its
// proof. The code generator then makes a conditional move of it, where for
// an `or` it makes two branches; in conditionals (`(x*x+11) % 3 == 0 |
// (x*(x+2)+17) % 5 == 0` deciding x's next value) that put both remainders
// on the loop's critical path.
//
// Wasm values are never poison; only flags LLVM adds (nsw, exact...) or
// operations it speculates can make one. So a b built only from operations
// that cannot create poison, through phis and selects of such values, is
// never poison, and the select is exactly an or (an and).
#pragma once

namespace llvm {
class Function;
}

namespace weft {

// Rewrites `select a, true, b` as `or a, b` and `select a, b, false` as
// `and a, b` for i1 values when b provably is never poison; whether any was
// rewritten.
bool selectsToLogic(llvm::Function& function);

}  // namespace weft
