# Merges static archives into one (libweft.a holds every layer of the engine),
# with an ar MRI script: cmake -DAR=ar -DOUTPUT=libweft.a "-DPARTS=a.a;b.a" -P merge_archives.cmake
set(script "create ${OUTPUT}.tmp\n")
foreach(part IN LISTS PARTS)
  string(APPEND script "addlib ${part}\n")
endforeach()
string(APPEND script "save\nend\n")
file(WRITE "${OUTPUT}.mri" "${script}")
file(REMOVE "${OUTPUT}.tmp")
execute_process(COMMAND "${AR}" -M INPUT_FILE "${OUTPUT}.mri" RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "merging archives into ${OUTPUT} failed")
endif()
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
