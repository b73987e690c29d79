// The standard C API's headers as a C++17 host sees them: wasm.h and weft.h
// compile under -std=c++17 (short-hand macros included) and the calls work.
//   capi_cpp17_test WASM_DIR
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "wasm.h"
#include "weft.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  std::ifstream file(std::string(argv[1]) + "/capi_loop.wasm", std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (bytes.empty()) {
    std::fprintf(stderr, "capi_loop.wasm missing\n");
    return 1;
  }
  wasm_config_t* config = wasm_config_new();
  weft_config_tier(config, WEFT_TIER_BASELINE);
  wasm_engine_t* engine = wasm_engine_new_with_config(config);
  wasm_store_t* store = wasm_store_new(engine);
  wasm_byte_vec_t binary;
  wasm_byte_vec_new(&binary, bytes.size(), bytes.data());
  wasm_module_t* module = wasm_module_new(store, &binary);
  wasm_byte_vec_delete(&binary);
  if (!module) {
    std::fprintf(stderr, "compile failed: %s\n", weft_error_message());
    return 1;
  }
  wasm_extern_vec_t imports = WASM_EMPTY_VEC;
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, nullptr);
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_val_t args[1] = {WASM_I32_VAL(77)};
  wasm_val_t results[1] = {WASM_INIT_VAL};
  wasm_val_vec_t argVec = WASM_ARRAY_VEC(args), resultVec = WASM_ARRAY_VEC(results);
  wasm_trap_t* trap = wasm_func_call(wasm_extern_as_func(exports.data[0]), &argVec, &resultVec);
  int status = trap == nullptr && results[0].kind == WASM_I32 && results[0].of.i32 == 77 ? 0 : 1;
  if (status) std::fprintf(stderr, "spin(77) did not return 77\n");
  if (trap) wasm_trap_delete(trap);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return status;
}
