// The runtime's side of the builtins listed in abi/builtins.h: the table that
// every vmctx header points to, filled with functions whose types the compiler
// checks against that list.
#pragma once

namespace weft {

const void* const* builtinTable();

}  // namespace weft
