/* Weft's additions to the standard C API (wasm.h): the settings an engine is
 * made with (memory strategy, tier, code cache, compile threads, limits,
 * fuel), interruption, the engine's memory report, and the text of the last
 * error, which the standard's functions can only report as NULL or false.
 * Everything here is optional: a program that uses only wasm.h runs with
 * Weft's defaults (guard memories, tiered compilation, no cache).
 */
#ifndef WEFT_H
#define WEFT_H

#include "wasm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The engine build, as `weft --version` prints it; cache files and serialized
 * modules are tied to it. */
WASM_API_EXTERN const char* weft_version(void);

/* Why the last failing call on this thread failed, with the place in the
 * module when the input is to blame ("0x1a: in function 3: type mismatch:
 * ..."), or "" when nothing failed yet. Valid until the next failing call on
 * this thread. Set by wasm_module_new, wasm_module_validate,
 * wasm_module_deserialize, wasm_instance_new, wasm_memory_new, wasm_table_new,
 * wasm_global_new, wasm_func_new, wasm_engine_new_with_config and the setters
 * below. */
WASM_API_EXTERN const char* weft_error_message(void);

/* A v128 value type, as import and export types report it. wasm_val_t cannot
 * hold one: calling a function with v128 parameters or results through
 * wasm_func_call traps with a message saying so. */
enum weft_valkind_enum { WEFT_V128 = 4 };

/* ---- Engine settings (on a wasm_config_t, before wasm_engine_new_with_config) */

/* How linear memory accesses are kept inside the memory (DESIGN 7):
 * GUARD (the default) reserves 8 GiB per memory and lets the hardware fault;
 * BOUNDS_CHECKED compares every access with the memory's length. */
typedef uint8_t weft_memory_strategy_t;
enum weft_memory_strategy_enum { WEFT_MEMORY_GUARD, WEFT_MEMORY_BOUNDS_CHECKED };
WASM_API_EXTERN void weft_config_memory_strategy(wasm_config_t*, weft_memory_strategy_t);

/* Which compiler a module gets: TIERED (the default) runs baseline code at
 * once and switches each function to optimized code as background threads
 * finish it; BASELINE and OPTIMIZING use one compiler for everything. */
typedef uint8_t weft_tier_t;
enum weft_tier_enum { WEFT_TIER_TIERED, WEFT_TIER_BASELINE, WEFT_TIER_OPTIMIZING };
WASM_API_EXTERN void weft_config_tier(wasm_config_t*, weft_tier_t);

/* Keep compiled code in {directory} and map it from there next time instead
 * of compiling; NULL or "" (the default) turns it off. A cache that cannot be
 * used (missing, not trusted, damaged) is a warning on stderr, never a
 * failure: the module is compiled. */
WASM_API_EXTERN void weft_config_cache_directory(wasm_config_t*, const char* directory);

/* Threads compiling a module (and tier-up in the background); 0, the
 * default, is one per hardware thread. */
WASM_API_EXTERN void weft_config_compile_threads(wasm_config_t*, uint32_t threads);

/* Limits, enforced as instantiation errors or failed growth. */
WASM_API_EXTERN void weft_config_max_memory_pages(wasm_config_t*, uint64_t pages);      /* per memory; default 65536 */
WASM_API_EXTERN void weft_config_max_table_elements(wasm_config_t*, uint32_t elements); /* per table; default 10^7 */
WASM_API_EXTERN void weft_config_resource_budget(wasm_config_t*, uint64_t bytes);       /* all memories and tables; 0: none */
WASM_API_EXTERN void weft_config_max_instances(wasm_config_t*, uint32_t instances);     /* alive at once; 0: no limit */
WASM_API_EXTERN void weft_config_max_wasm_stack(wasm_config_t*, uint64_t bytes);        /* 0: the thread's stack */

/* The memories of deleted instances kept, zeroed, for the next instances
 * (no mmap, munmap or page faults for them): up to {slots} (default 16; 0:
 * none), each zeroed by memset up to {keep_resident_bytes} (default 1 MiB)
 * and given back to the host past that. */
WASM_API_EXTERN void weft_config_memory_pool(wasm_config_t*, uint32_t slots, uint64_t keep_resident_bytes);

/* Deterministic budgets: code counts the operators it runs, and an instance
 * that has used up its fuel traps "out of fuel". Each instance starts with
 * {initial_fuel}. */
WASM_API_EXTERN void weft_config_consume_fuel(wasm_config_t*, bool enabled, uint64_t initial_fuel);

/* ---- Running instances -------------------------------------------------------- */

/* Interruption, from any thread: wasm code running in any instance of the
 * engine (or in the one instance) traps "interrupted" at its next loop
 * header, function entry or return from a host function, until cleared. */
WASM_API_EXTERN void weft_engine_interrupt(wasm_engine_t*);
WASM_API_EXTERN void weft_engine_clear_interrupt(wasm_engine_t*);
WASM_API_EXTERN void weft_instance_interrupt(wasm_instance_t*);
WASM_API_EXTERN void weft_instance_clear_interrupt(wasm_instance_t*);

/* Fuel left in an instance (0 without weft_config_consume_fuel). Change it
 * only while no call into the instance runs. */
WASM_API_EXTERN uint64_t weft_instance_fuel(const wasm_instance_t*);
WASM_API_EXTERN void weft_instance_set_fuel(wasm_instance_t*, uint64_t fuel);

/* Whether a trap is an interruption or running out of fuel (the host may then
 * resume work elsewhere), rather than a fault of the program. */
WASM_API_EXTERN bool weft_trap_is_interrupt(const wasm_trap_t*);
WASM_API_EXTERN bool weft_trap_is_out_of_fuel(const wasm_trap_t*);
/* Whether the trap wasm_instance_new gave stands for an error that kept the
 * instance from being made (imports that do not match, a limit), rather
 * than a trap of the module's own code (a segment or the start function). */
WASM_API_EXTERN bool weft_trap_is_instantiation_error(const wasm_trap_t*);

/* ---- Memory report (DESIGN 9) ---------------------------------------------------
 * Bytes by kind over everything the engine has alive: a module's code and
 * metadata once however many instances share them; per instance only what it
 * owns. */
typedef struct weft_memory_report_t {
  uint64_t code;
  uint64_t metadata;
  uint64_t instance_data;
  uint64_t linear_memory;          /* committed */
  uint64_t linear_memory_reserved; /* address space */
  uint64_t tables;
  uint32_t modules;
  uint32_t instances;
  uint32_t pooled_memories;       /* zeroed memories kept for the next instances */
  uint64_t pooled_memory_bytes;   /* of which resident */
} weft_memory_report_t;

WASM_API_EXTERN void weft_engine_memory_report(const wasm_engine_t*, weft_memory_report_t* out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* WEFT_H */
