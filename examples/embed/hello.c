/* A C host of Weft through the standard C API (wasm.h): a greeting printed
 * by a host callback, a module calling back into the host in a loop, and a
 * trap with its trace. Build: see CMakeLists.txt here, or
 *   cc hello.c $(pkg-config --cflags --libs weft) -o hello
 * Run: ./hello hello.wasm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm.h"
#include "weft.h"

/* What the greeting callback needs: the store (to make a trap in) and the
 * instance's memory (set once the instance exists). */
typedef struct {
  wasm_store_t* store;
  wasm_memory_t* memory;
} greeting_env;

static wasm_trap_t* greet(void* env, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  (void)results;
  greeting_env* greeting = (greeting_env*)env;
  uint32_t at = (uint32_t)args->data[0].of.i32, length = (uint32_t)args->data[1].of.i32;
  if ((uint64_t)at + length > wasm_memory_data_size(greeting->memory)) {
    wasm_message_t message;
    wasm_name_new_from_string_nt(&message, "greeting out of bounds");
    wasm_trap_t* trap = wasm_trap_new(greeting->store, &message);
    wasm_byte_vec_delete(&message);
    return trap;
  }
  printf("%.*s\n", (int)length, wasm_memory_data(greeting->memory) + at);
  return NULL;
}

static wasm_trap_t* square(void* env, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  int* calls = (int*)env;
  ++*calls;
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = args->data[0].of.i32 * args->data[0].of.i32;
  return NULL;
}

static wasm_extern_t* export_named(const wasm_module_t* module, const wasm_extern_vec_t* exports, const char* name) {
  wasm_exporttype_vec_t types;
  wasm_module_exports(module, &types);
  wasm_extern_t* found = NULL;
  for (size_t i = 0; i < types.size; ++i) {
    const wasm_name_t* n = wasm_exporttype_name(types.data[i]);
    if (n->size == strlen(name) && memcmp(n->data, name, n->size) == 0) found = exports->data[i];
  }
  wasm_exporttype_vec_delete(&types);
  return found;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s hello.wasm\n", argv[0]);
    return 2;
  }
  FILE* file = fopen(argv[1], "rb");
  if (!file) {
    perror(argv[1]);
    return 1;
  }
  fseek(file, 0, SEEK_END);
  long size = ftell(file);
  fseek(file, 0, SEEK_SET);
  wasm_byte_vec_t binary;
  wasm_byte_vec_new_uninitialized(&binary, (size_t)size);
  if (fread(binary.data, 1, (size_t)size, file) != (size_t)size) return 1;
  fclose(file);

  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = wasm_module_new(store, &binary);
  wasm_byte_vec_delete(&binary);
  if (!module) {
    fprintf(stderr, "cannot compile %s: %s\n", argv[1], weft_error_message());
    return 1;
  }

  /* The imports, in the module's order: greet, square. */
  wasm_functype_t* greet_type = wasm_functype_new_2_0(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  greeting_env greeting = {store, NULL};
  wasm_func_t* greet_func = wasm_func_new_with_env(store, greet_type, greet, &greeting, NULL);
  wasm_functype_delete(greet_type);
  int square_calls = 0;
  wasm_functype_t* square_type = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t* square_func = wasm_func_new_with_env(store, square_type, square, &square_calls, NULL);
  wasm_functype_delete(square_type);
  wasm_extern_t* imports_array[] = {wasm_func_as_extern(greet_func), wasm_func_as_extern(square_func)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(imports_array);
  wasm_trap_t* trap = NULL;
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, &trap);
  if (!instance) {
    fprintf(stderr, "cannot instantiate: %s\n", weft_error_message());
    if (trap) wasm_trap_delete(trap);
    return 1;
  }
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  greeting.memory = wasm_extern_as_memory(export_named(module, &exports, "memory"));

  /* 1. Hello, through the host callback. */
  wasm_val_vec_t no_args = WASM_EMPTY_VEC, no_results = WASM_EMPTY_VEC;
  trap = wasm_func_call(wasm_extern_as_func(export_named(module, &exports, "hello")), &no_args, &no_results);
  if (trap) return 1;

  /* 2. The module calls back into the host for every square. */
  wasm_val_t n[1] = {WASM_I32_VAL(10)};
  wasm_val_t sum[1] = {WASM_INIT_VAL};
  wasm_val_vec_t n_vec = WASM_ARRAY_VEC(n), sum_vec = WASM_ARRAY_VEC(sum);
  trap = wasm_func_call(wasm_extern_as_func(export_named(module, &exports, "sum_of_squares")), &n_vec, &sum_vec);
  if (trap) return 1;
  printf("sum of squares 1..10 = %d (%d host calls)\n", sum[0].of.i32, square_calls);

  /* 3. A trap: its message, and where it happened. */
  wasm_val_t zero[1] = {WASM_I32_VAL(0)};
  wasm_val_t quotient[1] = {WASM_INIT_VAL};
  wasm_val_vec_t zero_vec = WASM_ARRAY_VEC(zero), quotient_vec = WASM_ARRAY_VEC(quotient);
  trap = wasm_func_call(wasm_extern_as_func(export_named(module, &exports, "thousand_over")), &zero_vec, &quotient_vec);
  if (!trap) return 1;
  wasm_message_t message;
  wasm_trap_message(trap, &message);
  printf("trap: %s\n", message.data);
  wasm_byte_vec_delete(&message);
  wasm_frame_vec_t trace;
  wasm_trap_trace(trap, &trace);
  for (size_t i = 0; i < trace.size; ++i)
    printf("  at function %u, module offset 0x%zx\n", wasm_frame_func_index(trace.data[i]),
           wasm_frame_module_offset(trace.data[i]));
  wasm_frame_vec_delete(&trace);
  wasm_trap_delete(trap);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_func_delete(greet_func);
  wasm_func_delete(square_func);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
