# The layering rule (DESIGN 8, CMakeLists.txt): what each source folder may
# include. Run at configure time (a violation fails the build) and as a test.
#   cmake -DSOURCE_DIR=... -P check_layers.cmake
# Folder -> the project folders it must not include from.
set(forbidden_support "format/;validation/;abi/;compiler/;runtime/;driver/;host/;wast/;cli/")
set(forbidden_format "validation/;abi/;compiler/;runtime/;driver/;host/;wast/;cli/")
set(forbidden_validation "abi/;compiler/;runtime/;driver/;host/;wast/;cli/")
set(forbidden_abi "compiler/;runtime/;driver/;host/;wast/;cli/")
set(forbidden_compiler "runtime/;driver/;host/;wast/;cli/")
set(forbidden_runtime "compiler/;driver/;host/;wast/;cli/")
set(forbidden_driver "host/;wast/;cli/")
set(forbidden_host "compiler/;driver/;wast/;cli/")
set(forbidden_capi "compiler/;host/;wast/;cli/")

set(violations 0)
foreach(layer support format validation abi compiler runtime driver host capi)
  file(GLOB_RECURSE files "${SOURCE_DIR}/src/${layer}/*.h" "${SOURCE_DIR}/src/${layer}/*.cpp")
  foreach(file IN LISTS files)
    file(STRINGS "${file}" includes REGEX "^#include \"")
    foreach(line IN LISTS includes)
      foreach(bad IN LISTS forbidden_${layer})
        if(line MATCHES "^#include \"${bad}")
          file(RELATIVE_PATH shown "${SOURCE_DIR}" "${file}")
          message("layering: ${shown} (${layer}) includes ${line}")
          math(EXPR violations "${violations} + 1")
        endif()
      endforeach()
    endforeach()
  endforeach()
endforeach()

# The baseline's function compiler is arch-neutral (issue 10, item 5): outside
# an architecture's folder (x64/) no file names an instruction set. Files
# reach a backend only through compiler/baseline/macro_assembler.h.
file(GLOB neutral_files "${SOURCE_DIR}/src/compiler/baseline/*.h" "${SOURCE_DIR}/src/compiler/baseline/*.cpp")
foreach(file IN LISTS neutral_files)
  get_filename_component(name "${file}" NAME)
  if(name STREQUAL "macro_assembler.h")
    continue()
  endif()
  file(STRINGS "${file}" arch_lines REGEX "asmjit/x86|x86::|/x64/")
  foreach(line IN LISTS arch_lines)
    file(RELATIVE_PATH shown "${SOURCE_DIR}" "${file}")
    message("layering: ${shown} (arch-neutral baseline) names an architecture: ${line}")
    math(EXPR violations "${violations} + 1")
  endforeach()
endforeach()

if(violations GREATER 0)
  message(FATAL_ERROR "${violations} violation(s) of the layers")
endif()
