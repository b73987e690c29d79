/* The standard C API (include/wasm.h) and Weft's additions (include/weft.h),
 * tested from C (built as C11, never as C++): every object kind, the
 * ownership conventions (the ASan build's leak check fails a test that leaks
 * anything it was given), host functions with environments and finalizers,
 * traps with their trace, a module shared to another thread, a serialize /
 * deserialize round trip, and reflection of import and export types.
 *   capi_test WASM_DIR TEST      (one CTest test per TEST)
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weft.h"

static int failures = 0;

#define CHECK(condition)                                                             \
  do {                                                                               \
    if (!(condition)) {                                                              \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition);  \
      ++failures;                                                                    \
    }                                                                                \
  } while (0)

/* Fatal: later steps need this one. */
#define REQUIRE(condition)                                                           \
  do {                                                                               \
    if (!(condition)) {                                                              \
      fprintf(stderr, "%s:%d: required: %s (weft: %s)\n", __FILE__, __LINE__,       \
              #condition, weft_error_message());                                     \
      exit(1);                                                                       \
    }                                                                                \
  } while (0)

static const char* wasm_dir;

static void load_binary(const char* name, wasm_byte_vec_t* out) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.wasm", wasm_dir, name);
  FILE* file = fopen(path, "rb");
  REQUIRE(file != NULL);
  fseek(file, 0, SEEK_END);
  long size = ftell(file);
  fseek(file, 0, SEEK_SET);
  wasm_byte_vec_new_uninitialized(out, (size_t)size);
  REQUIRE(fread(out->data, 1, (size_t)size, file) == (size_t)size);
  fclose(file);
}

static wasm_module_t* compile(wasm_store_t* store, const char* name) {
  wasm_byte_vec_t binary;
  load_binary(name, &binary);
  wasm_module_t* module = wasm_module_new(store, &binary);
  wasm_byte_vec_delete(&binary);
  REQUIRE(module != NULL);
  return module;
}

static bool name_is(const wasm_name_t* name, const char* text) {
  return name->size == strlen(text) && memcmp(name->data, text, name->size) == 0;
}

static bool message_contains(const wasm_trap_t* trap, const char* text) {
  wasm_message_t message;
  wasm_trap_message(trap, &message);
  bool found = message.size > 0 && message.data[message.size - 1] == '\0' && strstr(message.data, text) != NULL;
  if (!found) fprintf(stderr, "trap message \"%.*s\" lacks \"%s\"\n", (int)message.size, message.data, text);
  wasm_byte_vec_delete(&message);
  return found;
}

/* The export named {name} among {exports} (borrowed), or NULL. */
static wasm_extern_t* find_export(const wasm_module_t* module, const wasm_extern_vec_t* exports, const char* name) {
  wasm_exporttype_vec_t types;
  wasm_module_exports(module, &types);
  wasm_extern_t* found = NULL;
  for (size_t i = 0; i < types.size && i < exports->size; ++i)
    if (name_is(wasm_exporttype_name(types.data[i]), name)) found = exports->data[i];
  wasm_exporttype_vec_delete(&types);
  return found;
}

/* ---- types and vectors --------------------------------------------------------- */

static void test_types(void) {
  wasm_functype_t* f = wasm_functype_new_2_1(wasm_valtype_new_i32(), wasm_valtype_new_f64(), wasm_valtype_new_funcref());
  CHECK(wasm_functype_params(f)->size == 2);
  CHECK(wasm_valtype_kind(wasm_functype_params(f)->data[1]) == WASM_F64);
  CHECK(wasm_valtype_kind(wasm_functype_results(f)->data[0]) == WASM_FUNCREF);
  CHECK(wasm_valtype_is_ref(wasm_functype_results(f)->data[0]));
  CHECK(wasm_valtype_is_num(wasm_functype_params(f)->data[0]));
  wasm_functype_t* f2 = wasm_functype_copy(f);
  CHECK(f2 != f && wasm_functype_params(f2)->size == 2 && wasm_functype_params(f2)->data[0] != wasm_functype_params(f)->data[0]);

  wasm_externtype_t* as_extern = wasm_functype_as_externtype(f);
  CHECK(wasm_externtype_kind(as_extern) == WASM_EXTERN_FUNC);
  CHECK(wasm_externtype_as_functype(as_extern) == f);
  CHECK(wasm_externtype_as_globaltype(as_extern) == NULL);
  CHECK(wasm_externtype_as_memorytype_const(wasm_functype_as_externtype_const(f)) == NULL);

  wasm_globaltype_t* g = wasm_globaltype_new(wasm_valtype_new_i64(), WASM_VAR);
  CHECK(wasm_valtype_kind(wasm_globaltype_content(g)) == WASM_I64);
  CHECK(wasm_globaltype_mutability(g) == WASM_VAR);

  wasm_limits_t table_limits = {3, wasm_limits_max_default};
  wasm_tabletype_t* t = wasm_tabletype_new(wasm_valtype_new_externref(), &table_limits);
  CHECK(wasm_valtype_kind(wasm_tabletype_element(t)) == WASM_EXTERNREF);
  CHECK(wasm_tabletype_limits(t)->min == 3 && wasm_tabletype_limits(t)->max == wasm_limits_max_default);

  wasm_limits_t memory_limits = {1, 2};
  wasm_memorytype_t* m = wasm_memorytype_new(&memory_limits);
  CHECK(wasm_memorytype_limits(m)->max == 2);

  /* Import and export types take their names and types over. */
  wasm_name_t module_name, name;
  wasm_name_new_from_string(&module_name, "env");
  wasm_name_new_from_string(&name, "mem");
  wasm_importtype_t* import = wasm_importtype_new(&module_name, &name, wasm_memorytype_as_externtype(m));
  CHECK(name_is(wasm_importtype_module(import), "env") && name_is(wasm_importtype_name(import), "mem"));
  CHECK(wasm_externtype_kind(wasm_importtype_type(import)) == WASM_EXTERN_MEMORY);
  wasm_importtype_t* import2 = wasm_importtype_copy(import);
  CHECK(name_is(wasm_importtype_name(import2), "mem"));

  wasm_name_t export_name;
  wasm_name_new_from_string_nt(&export_name, "g");
  CHECK(export_name.size == 2 && export_name.data[1] == '\0');
  wasm_exporttype_t* exp = wasm_exporttype_new(&export_name, wasm_globaltype_as_externtype(g));
  wasm_exporttype_t* exp2 = wasm_exporttype_copy(exp);
  CHECK(wasm_externtype_kind(wasm_exporttype_type(exp2)) == WASM_EXTERN_GLOBAL);

  /* A vector of types owns them; copying copies them. */
  wasm_externtype_t* items[2] = {wasm_tabletype_as_externtype(t), wasm_functype_as_externtype(f2)};
  wasm_externtype_vec_t vec, vec2;
  wasm_externtype_vec_new(&vec, 2, items);
  wasm_externtype_vec_copy(&vec2, &vec);
  CHECK(vec2.size == 2 && vec2.data[0] != vec.data[0]);
  CHECK(wasm_externtype_kind(vec2.data[0]) == WASM_EXTERN_TABLE);
  wasm_externtype_vec_delete(&vec);
  wasm_externtype_vec_delete(&vec2);
  CHECK(vec.size == 0 && vec.data == NULL);

  wasm_byte_vec_t empty;
  wasm_byte_vec_new_empty(&empty);
  CHECK(empty.size == 0);
  wasm_byte_vec_delete(&empty);

  wasm_val_t values[2] = {WASM_I32_VAL(-5), WASM_F64_VAL(2.5)};
  wasm_val_vec_t vals, vals2;
  wasm_val_vec_new(&vals, 2, values);
  wasm_val_vec_copy(&vals2, &vals);
  CHECK(vals2.data[0].kind == WASM_I32 && vals2.data[0].of.i32 == -5 && vals2.data[1].of.f64 == 2.5);
  wasm_val_vec_delete(&vals);
  wasm_val_vec_delete(&vals2);

  wasm_functype_delete(f);
  wasm_importtype_delete(import);
  wasm_importtype_delete(import2);
  wasm_exporttype_delete(exp);
  wasm_exporttype_delete(exp2);
}

/* ---- reflection of a compiled module --------------------------------------------- */

static void test_reflect(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = compile(store, "capi_calls");

  wasm_importtype_vec_t imports;
  wasm_module_imports(module, &imports);
  REQUIRE(imports.size == 4);
  CHECK(name_is(wasm_importtype_module(imports.data[0]), "host") && name_is(wasm_importtype_name(imports.data[0]), "add"));
  const wasm_functype_t* add = wasm_externtype_as_functype_const(wasm_importtype_type(imports.data[0]));
  REQUIRE(add != NULL);
  CHECK(wasm_functype_params(add)->size == 2 && wasm_functype_results(add)->size == 1);
  const wasm_globaltype_t* counter = wasm_externtype_as_globaltype_const(wasm_importtype_type(imports.data[2]));
  REQUIRE(counter != NULL);
  CHECK(wasm_globaltype_mutability(counter) == WASM_VAR && wasm_valtype_kind(wasm_globaltype_content(counter)) == WASM_I32);
  const wasm_globaltype_t* limit = wasm_externtype_as_globaltype_const(wasm_importtype_type(imports.data[3]));
  REQUIRE(limit != NULL);
  CHECK(wasm_globaltype_mutability(limit) == WASM_CONST && wasm_valtype_kind(wasm_globaltype_content(limit)) == WASM_I64);
  wasm_importtype_vec_delete(&imports);

  wasm_exporttype_vec_t exports;
  wasm_module_exports(module, &exports);
  CHECK(exports.size == 13);
  bool saw_memory = false, saw_table = false, saw_answer = false;
  for (size_t i = 0; i < exports.size; ++i) {
    const wasm_name_t* name = wasm_exporttype_name(exports.data[i]);
    const wasm_externtype_t* type = wasm_exporttype_type(exports.data[i]);
    if (name_is(name, "memory")) {
      saw_memory = true;
      const wasm_memorytype_t* m = wasm_externtype_as_memorytype_const(type);
      CHECK(m && wasm_memorytype_limits(m)->min == 1 && wasm_memorytype_limits(m)->max == 3);
    } else if (name_is(name, "table")) {
      saw_table = true;
      const wasm_tabletype_t* t = wasm_externtype_as_tabletype_const(type);
      CHECK(t && wasm_tabletype_limits(t)->min == 2 && wasm_tabletype_limits(t)->max == 10);
      CHECK(t && wasm_valtype_kind(wasm_tabletype_element(t)) == WASM_FUNCREF);
    } else if (name_is(name, "answer")) {
      saw_answer = true;
      CHECK(wasm_externtype_kind(type) == WASM_EXTERN_GLOBAL);
    }
  }
  CHECK(saw_memory && saw_table && saw_answer);
  wasm_exporttype_vec_delete(&exports);

  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

/* ---- host functions, calls, globals, memory, table ------------------------------------ */

static int env_finalized = 0;
static int add_calls = 0;

static wasm_trap_t* host_add(void* env, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  int* calls = (int*)env;
  ++*calls;
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = args->data[0].of.i32 + args->data[1].of.i32;
  return NULL;
}

static void finalize_env(void* env) {
  CHECK(env == &add_calls);
  ++env_finalized;
}

static wasm_store_t* fail_store;
static wasm_trap_t* host_fail(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  (void)results;
  char text[64];
  snprintf(text, sizeof text, "host refused %d", args->data[0].of.i32);
  wasm_message_t message;
  wasm_name_new_from_string_nt(&message, text);
  wasm_trap_t* trap = wasm_trap_new(fail_store, &message);
  wasm_byte_vec_delete(&message);
  return trap;
}

/* Instantiates capi_calls with fresh host objects; everything is the caller's. */
typedef struct {
  wasm_func_t* add;
  wasm_func_t* fail;
  wasm_global_t* counter;
  wasm_global_t* limit;
  wasm_instance_t* instance;
  wasm_extern_vec_t exports;
} calls_instance;

static void instantiate_calls(wasm_store_t* store, wasm_module_t* module, calls_instance* out) {
  wasm_functype_t* add_type =
      wasm_functype_new_2_1(wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32());
  out->add = wasm_func_new_with_env(store, add_type, host_add, &add_calls, finalize_env);
  wasm_functype_delete(add_type);
  wasm_functype_t* fail_type = wasm_functype_new_1_0(wasm_valtype_new_i32());
  fail_store = store;
  out->fail = wasm_func_new(store, fail_type, host_fail);
  wasm_functype_delete(fail_type);
  wasm_globaltype_t* counter_type = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_VAR);
  wasm_val_t zero = WASM_I32_VAL(0);
  out->counter = wasm_global_new(store, counter_type, &zero);
  wasm_globaltype_delete(counter_type);
  wasm_globaltype_t* limit_type = wasm_globaltype_new(wasm_valtype_new_i64(), WASM_CONST);
  wasm_val_t big = WASM_I64_VAL(INT64_C(-9000000000));
  out->limit = wasm_global_new(store, limit_type, &big);
  wasm_globaltype_delete(limit_type);
  REQUIRE(out->add && out->fail && out->counter && out->limit);

  wasm_extern_t* externs[] = {wasm_func_as_extern(out->add), wasm_func_as_extern(out->fail),
                              wasm_global_as_extern(out->counter), wasm_global_as_extern(out->limit)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_trap_t* trap = NULL;
  out->instance = wasm_instance_new(store, module, &imports, &trap);
  REQUIRE(out->instance != NULL && trap == NULL);
  wasm_instance_exports(out->instance, &out->exports);
}

static void release_calls(calls_instance* it) {
  wasm_extern_vec_delete(&it->exports);
  wasm_instance_delete(it->instance);
  wasm_func_delete(it->add);
  wasm_func_delete(it->fail);
  wasm_global_delete(it->counter);
  wasm_global_delete(it->limit);
}

static int32_t call_i32_i32(wasm_func_t* func, int32_t a, int32_t b, wasm_trap_t** trap) {
  wasm_val_t args[2] = {WASM_I32_VAL(a), WASM_I32_VAL(b)};
  wasm_val_t results[1] = {WASM_INIT_VAL};
  wasm_val_vec_t arg_vec = WASM_ARRAY_VEC(args), result_vec = WASM_ARRAY_VEC(results);
  *trap = wasm_func_call(func, &arg_vec, &result_vec);
  return *trap ? 0 : results[0].of.i32;
}

static void test_calls(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = compile(store, "capi_calls");
  calls_instance it;
  instantiate_calls(store, module, &it);
  CHECK(it.exports.size == 13);

  wasm_func_t* through = wasm_extern_as_func(find_export(module, &it.exports, "add_through_host"));
  REQUIRE(through != NULL);
  CHECK(wasm_func_param_arity(through) == 2 && wasm_func_result_arity(through) == 1);
  wasm_trap_t* trap = NULL;
  CHECK(call_i32_i32(through, 40, 2, &trap) == 42 && trap == NULL);
  CHECK(call_i32_i32(through, -7, 3, &trap) == -4 && trap == NULL);
  CHECK(add_calls == 2);
  /* wasm counted the calls in the host's global. */
  wasm_val_t counted;
  wasm_global_get(it.counter, &counted);
  CHECK(counted.kind == WASM_I32 && counted.of.i32 == 2);

  /* The host function called directly from C. */
  CHECK(call_i32_i32(it.add, 5, 6, &trap) == 11 && trap == NULL);

  /* Every numeric kind through one call. */
  wasm_func_t* all_kinds = wasm_extern_as_func(find_export(module, &it.exports, "all_kinds"));
  wasm_val_t args4[4] = {WASM_I32_VAL(1), WASM_I64_VAL(INT64_C(1) << 40), WASM_F32_VAL(0.5f), WASM_F64_VAL(0.25)};
  wasm_val_t result4[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args4_vec = WASM_ARRAY_VEC(args4), result4_vec = WASM_ARRAY_VEC(result4);
  trap = wasm_func_call(all_kinds, &args4_vec, &result4_vec);
  CHECK(trap == NULL && result4[0].kind == WASM_F64 && result4[0].of.f64 == 1.0 + 1099511627776.0 + 0.75);

  /* Wrong argument kinds and counts are traps, not crashes. */
  wasm_val_t wrong[2] = {WASM_I64_VAL(1), WASM_I32_VAL(2)};
  wasm_val_t room[1] = {WASM_INIT_VAL};
  wasm_val_vec_t wrong_vec = WASM_ARRAY_VEC(wrong), room_vec = WASM_ARRAY_VEC(room);
  trap = wasm_func_call(through, &wrong_vec, &room_vec);
  REQUIRE(trap != NULL);
  CHECK(message_contains(trap, "argument 0"));
  wasm_trap_delete(trap);
  wasm_val_vec_t one_arg = {1, wrong + 1};
  trap = wasm_func_call(through, &one_arg, &room_vec);
  REQUIRE(trap != NULL);
  CHECK(message_contains(trap, "2 arguments expected"));
  wasm_trap_delete(trap);

  /* Globals: an immutable export, a mutable one read and written from both sides. */
  wasm_global_t* answer = wasm_extern_as_global(find_export(module, &it.exports, "answer"));
  wasm_val_t value;
  wasm_global_get(answer, &value);
  CHECK(value.kind == WASM_I32 && value.of.i32 == 42);
  wasm_val_t ignored = WASM_I32_VAL(7);
  wasm_global_set(answer, &ignored);
  wasm_global_get(answer, &value);
  CHECK(value.of.i32 == 42);
  wasm_globaltype_t* answer_type = wasm_global_type(answer);
  CHECK(wasm_globaltype_mutability(answer_type) == WASM_CONST);
  wasm_globaltype_delete(answer_type);

  wasm_global_t* scale = wasm_extern_as_global(find_export(module, &it.exports, "scale"));
  wasm_val_t three = WASM_F64_VAL(3.0);
  wasm_global_set(scale, &three);
  wasm_func_t* scaled = wasm_extern_as_func(find_export(module, &it.exports, "scaled"));
  wasm_val_t two[1] = {WASM_F64_VAL(2.0)};
  wasm_val_t six[1] = {WASM_INIT_VAL};
  wasm_val_vec_t two_vec = WASM_ARRAY_VEC(two), six_vec = WASM_ARRAY_VEC(six);
  CHECK(wasm_func_call(scaled, &two_vec, &six_vec) == NULL && six[0].of.f64 == 6.0);

  wasm_func_t* limit = wasm_extern_as_func(find_export(module, &it.exports, "limit"));
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  wasm_val_t limit_result[1] = {WASM_INIT_VAL};
  wasm_val_vec_t limit_vec = WASM_ARRAY_VEC(limit_result);
  CHECK(wasm_func_call(limit, &none, &limit_vec) == NULL && limit_result[0].of.i64 == INT64_C(-9000000000));

  /* Memory: the data segment is there, host writes are seen by wasm, growth
   * stops at the maximum. */
  wasm_memory_t* memory = wasm_extern_as_memory(find_export(module, &it.exports, "memory"));
  REQUIRE(memory != NULL);
  CHECK(wasm_memory_size(memory) == 1 && wasm_memory_data_size(memory) == MEMORY_PAGE_SIZE);
  CHECK(memcmp(wasm_memory_data(memory) + 16, "weft", 4) == 0);
  int32_t stored = 0x12345678;
  memcpy(wasm_memory_data(memory) + 100, &stored, 4);
  wasm_func_t* load = wasm_extern_as_func(find_export(module, &it.exports, "load"));
  wasm_val_t at[1] = {WASM_I32_VAL(100)};
  wasm_val_t loaded[1] = {WASM_INIT_VAL};
  wasm_val_vec_t at_vec = WASM_ARRAY_VEC(at), loaded_vec = WASM_ARRAY_VEC(loaded);
  CHECK(wasm_func_call(load, &at_vec, &loaded_vec) == NULL && loaded[0].of.i32 == 0x12345678);
  CHECK(wasm_memory_grow(memory, 2));
  CHECK(wasm_memory_size(memory) == 3);
  CHECK(!wasm_memory_grow(memory, 1));
  CHECK(!wasm_memory_grow(memory, 0xffffffffu));
  /* A load past the end traps, at the new end. */
  at[0].of.i32 = 3 * 65536 - 2;
  trap = wasm_func_call(load, &at_vec, &loaded_vec);
  REQUIRE(trap != NULL);
  CHECK(message_contains(trap, "out of bounds"));
  wasm_trap_delete(trap);
  wasm_memorytype_t* memory_type = wasm_memory_type(memory);
  CHECK(wasm_memorytype_limits(memory_type)->min == 3 && wasm_memorytype_limits(memory_type)->max == 3);
  wasm_memorytype_delete(memory_type);

  /* Table: its element is the module's function; the host puts its own there. */
  wasm_table_t* table = wasm_extern_as_table(find_export(module, &it.exports, "table"));
  REQUIRE(table != NULL);
  CHECK(wasm_table_size(table) == 2);
  wasm_ref_t* slot0 = wasm_table_get(table, 0);
  REQUIRE(slot0 != NULL);
  wasm_func_t* twice = wasm_ref_as_func(slot0);
  REQUIRE(twice != NULL);
  CHECK(wasm_func_same(twice, wasm_extern_as_func(find_export(module, &it.exports, "twice"))));
  wasm_val_t nine[1] = {WASM_I32_VAL(9)};
  wasm_val_t eighteen[1] = {WASM_INIT_VAL};
  wasm_val_vec_t nine_vec = WASM_ARRAY_VEC(nine), eighteen_vec = WASM_ARRAY_VEC(eighteen);
  CHECK(wasm_func_call(twice, &nine_vec, &eighteen_vec) == NULL && eighteen[0].of.i32 == 18);
  CHECK(wasm_table_get(table, 1) == NULL);   /* null element */
  CHECK(wasm_table_get(table, 99) == NULL);  /* out of bounds */
  CHECK(!wasm_table_set(table, 99, NULL));

  wasm_func_t* call_slot = wasm_extern_as_func(find_export(module, &it.exports, "call_slot"));
  CHECK(call_i32_i32(call_slot, 0, 21, &trap) == 42 && trap == NULL);
  trap = NULL;
  call_i32_i32(call_slot, 1, 21, &trap); /* null slot */
  REQUIRE(trap != NULL);
  CHECK(message_contains(trap, "uninitialized element"));
  wasm_trap_delete(trap);
  /* A host function of another signature in slot 1: the indirect call traps;
   * the module's own function copied there works. */
  CHECK(wasm_table_set(table, 1, wasm_func_as_ref(it.add)));
  trap = NULL;
  call_i32_i32(call_slot, 1, 21, &trap);
  REQUIRE(trap != NULL);
  CHECK(message_contains(trap, "indirect call type mismatch"));
  wasm_trap_delete(trap);
  CHECK(wasm_table_set(table, 1, wasm_func_as_ref(twice)));
  CHECK(call_i32_i32(call_slot, 1, 5, &trap) == 10 && trap == NULL);
  wasm_ref_delete(slot0);  /* twice's handle */
  CHECK(wasm_table_grow(table, 3, NULL));
  CHECK(wasm_table_size(table) == 5);
  CHECK(!wasm_table_grow(table, 6, NULL));
  /* A foreign object is not a function: it cannot go in a funcref table. */
  wasm_foreign_t* foreign = wasm_foreign_new(store);
  CHECK(!wasm_table_set(table, 0, wasm_foreign_as_ref(foreign)));
  wasm_foreign_delete(foreign);

  release_calls(&it);
  wasm_module_delete(module);
  CHECK(env_finalized == 0 || env_finalized == 1);
  wasm_store_delete(store);
  /* The host function is gone with its store: its environment was finalized once. */
  CHECK(env_finalized == 1);
  wasm_engine_delete(engine);
}

/* ---- traps ------------------------------------------------------------------------------- */

static void test_traps(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = compile(store, "capi_calls");
  calls_instance it;
  instantiate_calls(store, module, &it);

  /* A trap two frames deep: its origin is the inner function, its trace
   * names both, with their instance and offsets. */
  wasm_func_t* divide = wasm_extern_as_func(find_export(module, &it.exports, "divide"));
  wasm_val_t zero[1] = {WASM_I32_VAL(0)};
  wasm_val_t result[1] = {WASM_INIT_VAL};
  wasm_val_vec_t zero_vec = WASM_ARRAY_VEC(zero), result_vec = WASM_ARRAY_VEC(result);
  wasm_trap_t* trap = wasm_func_call(divide, &zero_vec, &result_vec);
  REQUIRE(trap != NULL);
  CHECK(message_contains(trap, "unreachable"));
  CHECK(!weft_trap_is_interrupt(trap) && !weft_trap_is_out_of_fuel(trap));
  wasm_frame_t* origin = wasm_trap_origin(trap);
  REQUIRE(origin != NULL);
  /* Functions: 2 imports, then twice(2), add_through_host(3), call_fail(4), inner(5), divide(6). */
  CHECK(wasm_frame_func_index(origin) == 5);
  CHECK(wasm_frame_func_offset(origin) > 0);
  CHECK(wasm_frame_module_offset(origin) > wasm_frame_func_offset(origin));
  CHECK(wasm_instance_same(wasm_frame_instance(origin), it.instance));
  wasm_frame_vec_t trace;
  wasm_trap_trace(trap, &trace);
  REQUIRE(trace.size == 2);
  CHECK(wasm_frame_func_index(trace.data[0]) == 5 && wasm_frame_func_index(trace.data[1]) == 6);
  CHECK(wasm_frame_module_offset(trace.data[0]) == wasm_frame_module_offset(origin));
  wasm_frame_t* copy = wasm_frame_copy(trace.data[1]);
  CHECK(wasm_frame_func_index(copy) == 6 && wasm_frame_instance(copy) != NULL);
  wasm_frame_delete(copy);
  wasm_frame_vec_delete(&trace);
  wasm_frame_delete(origin);
  wasm_trap_t* trap_copy = wasm_trap_copy(trap);
  CHECK(wasm_trap_same(trap, trap_copy));
  wasm_trap_delete(trap_copy);
  size_t origin_function_offset = 0, origin_module_offset = 0;
  origin = wasm_trap_origin(trap);
  origin_function_offset = wasm_frame_func_offset(origin);
  origin_module_offset = wasm_frame_module_offset(origin);
  wasm_frame_delete(origin);
  wasm_trap_t* kept = trap;  /* looked at again once its instance is gone */

  /* The second way down: integer divide by zero is no trap here (100 / 5). */
  wasm_val_t five[1] = {WASM_I32_VAL(5)};
  wasm_val_vec_t five_vec = WASM_ARRAY_VEC(five);
  CHECK(wasm_func_call(divide, &five_vec, &result_vec) == NULL && result[0].of.i32 == 20);

  /* A host function's trap reaches the caller with its message. */
  wasm_func_t* call_fail = wasm_extern_as_func(find_export(module, &it.exports, "call_fail"));
  wasm_val_t seven[1] = {WASM_I32_VAL(7)};
  wasm_val_vec_t seven_vec = WASM_ARRAY_VEC(seven), no_results = WASM_EMPTY_VEC;
  trap = wasm_func_call(call_fail, &seven_vec, &no_results);
  REQUIRE(trap != NULL);
  CHECK(message_contains(trap, "host refused 7"));
  wasm_trap_delete(trap);

  /* A trap made by the host has no frames. */
  wasm_message_t text;
  wasm_name_new_from_string_nt(&text, "made by hand");
  trap = wasm_trap_new(store, &text);
  wasm_byte_vec_delete(&text);
  CHECK(message_contains(trap, "made by hand"));
  CHECK(wasm_trap_origin(trap) == NULL);
  wasm_frame_vec_t no_frames;
  wasm_trap_trace(trap, &no_frames);
  CHECK(no_frames.size == 0);
  wasm_frame_vec_delete(&no_frames);
  wasm_trap_delete(trap);

  release_calls(&it);
  /* The trap outlives the instance: its frames keep their places, and have
   * no instance rather than a dangling one. */
  origin = wasm_trap_origin(kept);
  REQUIRE(origin != NULL);
  CHECK(wasm_frame_instance(origin) == NULL);
  CHECK(wasm_frame_func_index(origin) == 5);
  CHECK(wasm_frame_func_offset(origin) == origin_function_offset);
  CHECK(wasm_frame_module_offset(origin) == origin_module_offset);
  wasm_frame_delete(origin);
  wasm_trap_delete(kept);

  /* Instantiation whose start function traps: no instance, the trap. */
  wasm_module_t* start_trap = compile(store, "capi_start_trap");
  wasm_extern_vec_t no_imports = WASM_EMPTY_VEC;
  trap = NULL;
  CHECK(wasm_instance_new(store, start_trap, &no_imports, &trap) == NULL);
  REQUIRE(trap != NULL);
  CHECK(message_contains(trap, "integer divide by zero"));
  CHECK(!weft_trap_is_instantiation_error(trap));
  wasm_trap_delete(trap);
  /* Without a trap out-parameter it is just NULL. */
  CHECK(wasm_instance_new(store, start_trap, &no_imports, NULL) == NULL);
  wasm_module_delete(start_trap);

  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

/* ---- references and host info ----------------------------------------------------------------- */

static int foreign_finalized = 0;
static void finalize_foreign(void* info) {
  CHECK(info == &foreign_finalized);
  ++foreign_finalized;
}
static int instance_finalized = 0;
static void finalize_instance(void* info) {
  (void)info;
  ++instance_finalized;
}

static wasm_trap_t* host_seven(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  (void)args;
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = 77;
  return NULL;
}

static void test_refs(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = compile(store, "capi_refs");
  wasm_extern_vec_t no_imports = WASM_EMPTY_VEC;
  wasm_instance_t* instance = wasm_instance_new(store, module, &no_imports, NULL);
  REQUIRE(instance != NULL);
  wasm_instance_set_host_info_with_finalizer(instance, NULL, finalize_instance);
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);

  /* A foreign object with host info goes into wasm (a table, a global) and
   * comes back as the same object with the same host info. */
  wasm_foreign_t* foreign = wasm_foreign_new(store);
  wasm_foreign_set_host_info_with_finalizer(foreign, &foreign_finalized, finalize_foreign);
  wasm_func_t* keep = wasm_extern_as_func(find_export(module, &exports, "keep"));
  wasm_val_t keep_args[2] = {WASM_REF_VAL(wasm_foreign_as_ref(foreign)), WASM_I32_VAL(2)};
  wasm_val_vec_t keep_vec = WASM_ARRAY_VEC(keep_args), none = WASM_EMPTY_VEC;
  CHECK(wasm_func_call(keep, &keep_vec, &none) == NULL);

  wasm_func_t* fetch = wasm_extern_as_func(find_export(module, &exports, "fetch"));
  wasm_val_t index[1] = {WASM_I32_VAL(2)};
  wasm_val_t fetched[1] = {WASM_INIT_VAL};
  wasm_val_vec_t index_vec = WASM_ARRAY_VEC(index), fetched_vec = WASM_ARRAY_VEC(fetched);
  CHECK(wasm_func_call(fetch, &index_vec, &fetched_vec) == NULL);
  REQUIRE(fetched[0].kind == WASM_EXTERNREF && fetched[0].of.ref != NULL);
  CHECK(wasm_ref_same(fetched[0].of.ref, wasm_foreign_as_ref(foreign)));
  CHECK(wasm_ref_get_host_info(fetched[0].of.ref) == &foreign_finalized);
  CHECK(wasm_ref_as_foreign(fetched[0].of.ref) != NULL);
  CHECK(wasm_ref_as_func(fetched[0].of.ref) == NULL);
  wasm_val_delete(&fetched[0]);
  /* An empty slot is a null reference. */
  index[0].of.i32 = 1;
  CHECK(wasm_func_call(fetch, &index_vec, &fetched_vec) == NULL);
  CHECK(fetched[0].kind == WASM_EXTERNREF && fetched[0].of.ref == NULL);
  /* Through the exported global and table, from the host's side. */
  wasm_global_t* last = wasm_extern_as_global(find_export(module, &exports, "last"));
  wasm_val_t last_value;
  wasm_global_get(last, &last_value);
  CHECK(last_value.kind == WASM_EXTERNREF && wasm_ref_same(last_value.of.ref, wasm_foreign_as_ref(foreign)));
  wasm_val_delete(&last_value);
  wasm_table_t* things = wasm_extern_as_table(find_export(module, &exports, "things"));
  wasm_ref_t* thing = wasm_table_get(things, 2);
  CHECK(thing && wasm_ref_same(thing, wasm_foreign_as_ref(foreign)));
  wasm_ref_delete(thing);
  /* Copies share host info; a change shows through every handle. */
  wasm_foreign_t* foreign_copy = wasm_foreign_copy(foreign);
  CHECK(wasm_foreign_same(foreign, foreign_copy));
  CHECK(wasm_foreign_get_host_info(foreign_copy) == &foreign_finalized);
  wasm_foreign_delete(foreign_copy);
  /* wasm still holds it: deleting the handle runs no finalizer. */
  wasm_foreign_delete(foreign);
  CHECK(foreign_finalized == 0);

  /* A foreign object no one passed to wasm is finalized with its last handle. */
  wasm_foreign_t* lonely = wasm_foreign_new(store);
  wasm_foreign_set_host_info_with_finalizer(lonely, &foreign_finalized, finalize_foreign);
  wasm_foreign_delete(lonely);
  CHECK(foreign_finalized == 1);

  /* funcrefs: one of the module's functions, and a host function through a table. */
  wasm_func_t* seven_ref = wasm_extern_as_func(find_export(module, &exports, "seven_ref"));
  wasm_val_t got[1] = {WASM_INIT_VAL};
  wasm_val_vec_t got_vec = WASM_ARRAY_VEC(got);
  CHECK(wasm_func_call(seven_ref, &none, &got_vec) == NULL);
  REQUIRE(got[0].kind == WASM_FUNCREF && got[0].of.ref != NULL);
  wasm_func_t* seven = wasm_ref_as_func(got[0].of.ref);
  REQUIRE(seven != NULL);
  wasm_val_t seven_result[1] = {WASM_INIT_VAL};
  wasm_val_vec_t seven_vec = WASM_ARRAY_VEC(seven_result);
  CHECK(wasm_func_call(seven, &none, &seven_vec) == NULL && seven_result[0].of.i32 == 7);
  wasm_val_delete(&got[0]);

  wasm_functype_t* seven_type = wasm_functype_new_0_1(wasm_valtype_new_i32());
  wasm_func_t* host = wasm_func_new(store, seven_type, host_seven);
  wasm_functype_delete(seven_type);
  wasm_table_t* funcs = wasm_extern_as_table(find_export(module, &exports, "funcs"));
  CHECK(wasm_table_set(funcs, 1, wasm_func_as_ref(host)));
  wasm_func_delete(host);  /* the table keeps it */
  wasm_func_t* call_func = wasm_extern_as_func(find_export(module, &exports, "call_func"));
  wasm_val_t slot[1] = {WASM_I32_VAL(1)};
  wasm_val_t called[1] = {WASM_INIT_VAL};
  wasm_val_vec_t slot_vec = WASM_ARRAY_VEC(slot), called_vec = WASM_ARRAY_VEC(called);
  CHECK(wasm_func_call(call_func, &slot_vec, &called_vec) == NULL && called[0].of.i32 == 77);
  wasm_ref_t* host_again = wasm_table_get(funcs, 1);
  REQUIRE(host_again != NULL);
  wasm_functype_t* host_type = wasm_func_type(wasm_ref_as_func(host_again));
  CHECK(wasm_functype_params(host_type)->size == 0 && wasm_functype_results(host_type)->size == 1);
  wasm_functype_delete(host_type);
  wasm_ref_delete(host_again);

  /* An externref argument of the wrong kind (a function where a funcref is
   * expected is fine; a foreign where a funcref is expected is not). */
  wasm_foreign_t* not_func = wasm_foreign_new(store);
  wasm_val_t bad_set = {.kind = WASM_FUNCREF, .of = {.ref = wasm_foreign_as_ref(not_func)}};
  wasm_global_t* last_global = last;
  wasm_global_set(last_global, &bad_set); /* wrong kind for an externref global: ignored */
  wasm_global_get(last_global, &last_value);
  CHECK(last_value.kind == WASM_EXTERNREF && last_value.of.ref != NULL &&
        wasm_ref_get_host_info(last_value.of.ref) == &foreign_finalized);
  wasm_val_delete(&last_value);
  wasm_foreign_delete(not_func);

  /* Refs of every kind convert to wasm_ref_t and back. */
  wasm_ref_t* as_ref = wasm_instance_as_ref(instance);
  CHECK(wasm_ref_as_instance(as_ref) == instance);
  CHECK(wasm_ref_as_module(as_ref) == NULL);
  CHECK(wasm_ref_as_module_const(wasm_module_as_ref_const(module)) == module);
  CHECK(wasm_ref_as_extern(wasm_table_as_ref(funcs)) == wasm_table_as_extern(funcs));

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  /* The store still holds what wasm was given (the foreign, the instance's
   * functions): finalizers run when it goes. */
  wasm_module_delete(module);
  wasm_store_delete(store);
  CHECK(foreign_finalized == 2);
  CHECK(instance_finalized == 1);
  wasm_engine_delete(engine);
}

/* ---- a module shared with another thread ------------------------------------------------------ */

typedef struct {
  wasm_engine_t* engine;
  wasm_shared_module_t* shared;
  int32_t result;
} thread_work;

static void* instantiate_elsewhere(void* argument) {
  thread_work* work = (thread_work*)argument;
  wasm_store_t* store = wasm_store_new(work->engine);
  wasm_module_t* module = wasm_module_obtain(store, work->shared);
  REQUIRE(module != NULL);
  wasm_extern_vec_t no_imports = WASM_EMPTY_VEC;
  wasm_instance_t* instance = wasm_instance_new(store, module, &no_imports, NULL);
  REQUIRE(instance != NULL);
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_func_t* spin = wasm_extern_as_func(find_export(module, &exports, "spin"));
  wasm_val_t args[1] = {WASM_I32_VAL(1000)};
  wasm_val_t results[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args_vec = WASM_ARRAY_VEC(args), results_vec = WASM_ARRAY_VEC(results);
  wasm_trap_t* trap = wasm_func_call(spin, &args_vec, &results_vec);
  work->result = trap ? -1 : results[0].of.i32;
  if (trap) wasm_trap_delete(trap);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  return NULL;
}

static void test_threads(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = compile(store, "capi_loop");
  thread_work work[3];
  pthread_t threads[3];
  for (int i = 0; i < 3; ++i) {
    work[i].engine = engine;
    work[i].shared = wasm_module_share(module);
    work[i].result = 0;
    REQUIRE(pthread_create(&threads[i], NULL, instantiate_elsewhere, &work[i]) == 0);
  }
  for (int i = 0; i < 3; ++i) {
    pthread_join(threads[i], NULL);
    CHECK(work[i].result == 1000);
    wasm_shared_module_delete(work[i].shared);
  }
  /* One compiled module: the engine counts it once, however many stores used it. */
  weft_memory_report_t report;
  weft_engine_memory_report(engine, &report);
  CHECK(report.modules == 1 && report.instances == 0 && report.code > 0);

  /* Another engine cannot take it. */
  wasm_engine_t* other = wasm_engine_new();
  wasm_store_t* other_store = wasm_store_new(other);
  wasm_shared_module_t* shared = wasm_module_share(module);
  CHECK(wasm_module_obtain(other_store, shared) == NULL);
  CHECK(strstr(weft_error_message(), "another engine") != NULL);
  wasm_shared_module_delete(shared);
  wasm_store_delete(other_store);
  wasm_engine_delete(other);

  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

/* ---- serialization ----------------------------------------------------------------------------- */

static void test_serialize(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = compile(store, "capi_loop");
  wasm_byte_vec_t serialized;
  wasm_module_serialize(module, &serialized);
  REQUIRE(serialized.size > 0);
  CHECK(memcmp(serialized.data, "WEFTCODE", 8) == 0);
  wasm_module_delete(module);

  wasm_module_t* loaded = wasm_module_deserialize(store, &serialized);
  REQUIRE(loaded != NULL);
  wasm_exporttype_vec_t exports_types;
  wasm_module_exports(loaded, &exports_types);
  CHECK(exports_types.size == 2);
  wasm_exporttype_vec_delete(&exports_types);
  wasm_extern_vec_t no_imports = WASM_EMPTY_VEC;
  wasm_instance_t* instance = wasm_instance_new(store, loaded, &no_imports, NULL);
  REQUIRE(instance != NULL);
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_val_t args[1] = {WASM_I32_VAL(12345)};
  wasm_val_t results[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args_vec = WASM_ARRAY_VEC(args), results_vec = WASM_ARRAY_VEC(results);
  CHECK(wasm_func_call(wasm_extern_as_func(exports.data[0]), &args_vec, &results_vec) == NULL);
  CHECK(results[0].of.i32 == 12345);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(loaded);

  /* Damaged bytes are refused with a reason, never run. */
  serialized.data[serialized.size - 1] ^= 0x5a;
  CHECK(wasm_module_deserialize(store, &serialized) == NULL);
  CHECK(strlen(weft_error_message()) > 0);
  wasm_byte_vec_t truncated = {16, serialized.data};
  CHECK(wasm_module_deserialize(store, &truncated) == NULL);
  wasm_byte_vec_t nothing = WASM_EMPTY_VEC;
  CHECK(wasm_module_deserialize(store, &nothing) == NULL);
  wasm_byte_vec_delete(&serialized);

  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

/* ---- bad input -------------------------------------------------------------------------------- */

static void test_errors(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);

  /* Not a module: NULL, and the reason with its offset. */
  const char junk[] = "\0asm\x01\0\0\0\x01\x05\x01\x60\x7f";
  wasm_byte_vec_t bad = {sizeof junk - 1, (wasm_byte_t*)junk};
  CHECK(!wasm_module_validate(store, &bad));
  CHECK(wasm_module_new(store, &bad) == NULL);
  CHECK(strstr(weft_error_message(), "0x") != NULL);
  wasm_byte_vec_t nothing = WASM_EMPTY_VEC;
  CHECK(wasm_module_new(store, &nothing) == NULL);

  wasm_byte_vec_t binary;
  load_binary("capi_calls", &binary);
  CHECK(wasm_module_validate(store, &binary));
  wasm_module_t* module = wasm_module_new(store, &binary);
  wasm_byte_vec_delete(&binary);
  REQUIRE(module != NULL);

  /* Too few imports, and imports of the wrong kind or type: NULL and a trap
   * saying why. */
  wasm_extern_vec_t none = WASM_EMPTY_VEC;
  wasm_trap_t* trap = NULL;
  CHECK(wasm_instance_new(store, module, &none, &trap) == NULL);
  REQUIRE(trap != NULL);
  CHECK(message_contains(trap, "4 imports"));
  CHECK(weft_trap_is_instantiation_error(trap));
  wasm_trap_delete(trap);

  wasm_limits_t limits = {1, 1};
  wasm_memorytype_t* memory_type = wasm_memorytype_new(&limits);
  wasm_memory_t* memory = wasm_memory_new(store, memory_type);
  wasm_memorytype_delete(memory_type);
  REQUIRE(memory != NULL);
  wasm_extern_t* wrong[4] = {wasm_memory_as_extern(memory), wasm_memory_as_extern(memory),
                             wasm_memory_as_extern(memory), wasm_memory_as_extern(memory)};
  wasm_extern_vec_t wrong_vec = WASM_ARRAY_VEC(wrong);
  trap = NULL;
  CHECK(wasm_instance_new(store, module, &wrong_vec, &trap) == NULL);
  REQUIRE(trap != NULL);
  CHECK(message_contains(trap, "incompatible import type"));
  wasm_trap_delete(trap);
  wasm_extern_t* holes[4] = {NULL, NULL, NULL, NULL};
  wasm_extern_vec_t holes_vec = WASM_ARRAY_VEC(holes);
  CHECK(wasm_instance_new(store, module, &holes_vec, NULL) == NULL);

  /* Objects the engine cannot make: NULL with a reason. */
  wasm_limits_t inverted = {5, 2};
  wasm_memorytype_t* inverted_type = wasm_memorytype_new(&inverted);
  CHECK(wasm_memory_new(store, inverted_type) == NULL);
  CHECK(strstr(weft_error_message(), "maximum") != NULL);
  wasm_memorytype_delete(inverted_type);
  wasm_limits_t huge = {70000, wasm_limits_max_default};
  wasm_memorytype_t* huge_type = wasm_memorytype_new(&huge);
  CHECK(wasm_memory_new(store, huge_type) == NULL);
  wasm_memorytype_delete(huge_type);
  wasm_limits_t big_table = {0xfffffff0u, wasm_limits_max_default};
  wasm_tabletype_t* big_table_type = wasm_tabletype_new(wasm_valtype_new_funcref(), &big_table);
  CHECK(wasm_table_new(store, big_table_type, NULL) == NULL);
  wasm_tabletype_delete(big_table_type);
  wasm_limits_t small = {1, 1};
  wasm_tabletype_t* i32_table = wasm_tabletype_new(wasm_valtype_new_i32(), &small);
  CHECK(wasm_table_new(store, i32_table, NULL) == NULL);
  wasm_tabletype_delete(i32_table);
  wasm_globaltype_t* i32_global = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_CONST);
  wasm_val_t f64_value = WASM_F64_VAL(1.0);
  CHECK(wasm_global_new(store, i32_global, &f64_value) == NULL);
  wasm_globaltype_delete(i32_global);

  /* A host function result of the wrong kind traps in the caller. */
  wasm_memory_delete(memory);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

static wasm_trap_t* host_wrong_result(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  (void)args;
  results->data[0].kind = WASM_F32;
  results->data[0].of.f32 = 1.0f;
  return NULL;
}

static void test_host_result_kind(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_functype_t* type = wasm_functype_new_0_1(wasm_valtype_new_i32());
  wasm_func_t* func = wasm_func_new(store, type, host_wrong_result);
  wasm_functype_delete(type);
  wasm_val_t result[1] = {WASM_INIT_VAL};
  wasm_val_vec_t none = WASM_EMPTY_VEC, result_vec = WASM_ARRAY_VEC(result);
  wasm_trap_t* trap = wasm_func_call(func, &none, &result_vec);
  REQUIRE(trap != NULL);
  CHECK(message_contains(trap, "result 0"));
  wasm_trap_delete(trap);
  /* Too little room for the results. */
  wasm_val_vec_t no_room = WASM_EMPTY_VEC;
  trap = wasm_func_call(func, &none, &no_room);
  REQUIRE(trap != NULL);
  CHECK(message_contains(trap, "room for 1 results"));
  wasm_trap_delete(trap);
  wasm_func_delete(func);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

/* ---- weft.h: settings, interruption, fuel, the memory report ----------------------------------- */

static void test_weft_settings(void) {
  const weft_memory_strategy_t strategies[2] = {WEFT_MEMORY_GUARD, WEFT_MEMORY_BOUNDS_CHECKED};
  const weft_tier_t tiers[2] = {WEFT_TIER_BASELINE, WEFT_TIER_OPTIMIZING};
  for (int s = 0; s < 2; ++s) {
    for (int t = 0; t < 2; ++t) {
      wasm_config_t* config = wasm_config_new();
      weft_config_memory_strategy(config, strategies[s]);
      weft_config_tier(config, tiers[t]);
      weft_config_compile_threads(config, 1);
      weft_config_consume_fuel(config, true, 1000);
      wasm_engine_t* engine = wasm_engine_new_with_config(config);
      wasm_store_t* store = wasm_store_new(engine);
      wasm_module_t* module = compile(store, "capi_loop");
      wasm_extern_vec_t no_imports = WASM_EMPTY_VEC;
      wasm_instance_t* instance = wasm_instance_new(store, module, &no_imports, NULL);
      REQUIRE(instance != NULL);
      CHECK(weft_instance_fuel(instance) == 1000);
      wasm_extern_vec_t exports;
      wasm_instance_exports(instance, &exports);
      wasm_func_t* spin = wasm_extern_as_func(exports.data[0]);

      /* Enough fuel for 10 rounds, not for a million. */
      wasm_val_t args[1] = {WASM_I32_VAL(10)};
      wasm_val_t results[1] = {WASM_INIT_VAL};
      wasm_val_vec_t args_vec = WASM_ARRAY_VEC(args), results_vec = WASM_ARRAY_VEC(results);
      CHECK(wasm_func_call(spin, &args_vec, &results_vec) == NULL && results[0].of.i32 == 10);
      CHECK(weft_instance_fuel(instance) < 1000);
      args[0].of.i32 = 1000000;
      wasm_trap_t* trap = wasm_func_call(spin, &args_vec, &results_vec);
      REQUIRE(trap != NULL);
      CHECK(weft_trap_is_out_of_fuel(trap));
      wasm_trap_delete(trap);
      weft_instance_set_fuel(instance, UINT64_C(1) << 40);

      /* Interrupted before the call: it traps at once, as an interruption. */
      weft_instance_interrupt(instance);
      trap = wasm_func_call(spin, &args_vec, &results_vec);
      REQUIRE(trap != NULL);
      CHECK(weft_trap_is_interrupt(trap));
      wasm_trap_delete(trap);
      weft_instance_clear_interrupt(instance);
      weft_engine_interrupt(engine);
      trap = wasm_func_call(spin, &args_vec, &results_vec);
      REQUIRE(trap != NULL);
      CHECK(weft_trap_is_interrupt(trap));
      wasm_trap_delete(trap);
      weft_engine_clear_interrupt(engine);
      CHECK(wasm_func_call(spin, &args_vec, &results_vec) == NULL && results[0].of.i32 == 1000000);

      weft_memory_report_t report;
      weft_engine_memory_report(engine, &report);
      CHECK(report.modules == 1 && report.instances == 1 && report.code > 0 && report.metadata > 0);
      wasm_extern_vec_delete(&exports);
      wasm_instance_delete(instance);
      weft_engine_memory_report(engine, &report);
      CHECK(report.instances == 0);
      wasm_module_delete(module);
      wasm_store_delete(store);
      wasm_engine_delete(engine);
    }
  }
  CHECK(strlen(weft_version()) > 0);

  /* Limits: an engine that allows one instance refuses the second. */
  wasm_config_t* config = wasm_config_new();
  weft_config_max_instances(config, 1);
  weft_config_max_memory_pages(config, 2);
  wasm_engine_t* engine = wasm_engine_new_with_config(config);
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = compile(store, "capi_loop");
  wasm_extern_vec_t no_imports = WASM_EMPTY_VEC;
  wasm_instance_t* first = wasm_instance_new(store, module, &no_imports, NULL);
  CHECK(first != NULL);
  wasm_trap_t* trap = NULL;
  CHECK(wasm_instance_new(store, module, &no_imports, &trap) == NULL);
  REQUIRE(trap != NULL);
  wasm_trap_delete(trap);
  wasm_limits_t three = {3, wasm_limits_max_default};
  wasm_memorytype_t* three_pages = wasm_memorytype_new(&three);
  CHECK(wasm_memory_new(store, three_pages) == NULL);
  wasm_memorytype_delete(three_pages);
  wasm_instance_delete(first);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

/* The memory pool: an instance's memory, written and deleted, comes back to
 * the next instance zeroed (one slot, so it is the same memory). */
static void test_memory_pool(void) {
  static const uint8_t exports_memory[] = {
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01,
      0x07, 0x0a, 0x01, 0x06, 'm',  'e',  'm',  'o',  'r',  'y',  0x02, 0x00};
  wasm_config_t* config = wasm_config_new();
  weft_config_memory_pool(config, 1, 4096);
  wasm_engine_t* engine = wasm_engine_new_with_config(config);
  wasm_store_t* store = wasm_store_new(engine);
  wasm_byte_vec_t binary;
  wasm_byte_vec_new(&binary, sizeof exports_memory, (const wasm_byte_t*)exports_memory);
  wasm_module_t* module = wasm_module_new(store, &binary);
  wasm_byte_vec_delete(&binary);
  REQUIRE(module != NULL);
  wasm_extern_vec_t no_imports = WASM_EMPTY_VEC;
  for (int round = 0; round < 3; ++round) {
    wasm_instance_t* instance = wasm_instance_new(store, module, &no_imports, NULL);
    REQUIRE(instance != NULL);
    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    REQUIRE(exports.size == 1);
    wasm_memory_t* memory = wasm_extern_as_memory(exports.data[0]);
    REQUIRE(memory != NULL && wasm_memory_data_size(memory) == 65536);
    byte_t* data = wasm_memory_data(memory);
    size_t nonzero = 0;
    for (size_t i = 0; i < 65536; ++i) nonzero += data[i] != 0;
    CHECK(nonzero == 0);
    memset(data, 0x77, 65536);
    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
    weft_memory_report_t report;
    weft_engine_memory_report(engine, &report);
    CHECK(report.pooled_memories == 1);
    CHECK(report.pooled_memory_bytes == 65536); /* the 4096-byte window, in whole wasm pages */
  }
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: capi_test WASM_DIR TEST\n");
    return 2;
  }
  wasm_dir = argv[1];
  const char* name = argv[2];
  static const struct {
    const char* name;
    void (*run)(void);
  } tests[] = {
      {"types", test_types},   {"reflect", test_reflect},     {"calls", test_calls},
      {"traps", test_traps},   {"refs", test_refs},           {"threads", test_threads},
      {"serialize", test_serialize}, {"errors", test_errors}, {"host_result_kind", test_host_result_kind},
      {"weft_settings", test_weft_settings}, {"memory_pool", test_memory_pool},
  };
  for (size_t i = 0; i < sizeof tests / sizeof tests[0]; ++i) {
    if (strcmp(tests[i].name, name) == 0) {
      tests[i].run();
      if (failures) fprintf(stderr, "%s: %d check(s) failed\n", name, failures);
      return failures ? 1 : 0;
    }
  }
  fprintf(stderr, "capi_test: no test named %s\n", name);
  return 2;
}
