# cmake -DIN=build/bin/cas -DOUT=build/install/bin/cas -DDEBUG_DIR=build/install/debug/cas
#       -P split_debug.cmake
# Makes the installed (release) form of a program: OUT is IN without debug information and
# symbols, with a .gnu_debuglink to its debug file; the debug file is written as
# DEBUG_DIR/.build-id/NN/REST.debug (the path gdb and debuginfod look up by build id).
# DEBUG_DIR is emptied first, so that it never holds a stale program's debug file.
foreach(var IN ITEMS IN OUT DEBUG_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "split_debug.cmake: ${var} is not set")
  endif()
endforeach()
find_program(READELF readelf REQUIRED)
find_program(OBJCOPY objcopy REQUIRED)

execute_process(COMMAND ${READELF} -n ${IN} OUTPUT_VARIABLE notes RESULT_VARIABLE rc)
string(REGEX MATCH "Build ID: ([0-9a-f]+)" found "${notes}")
if(NOT rc EQUAL 0 OR NOT found)
  message(FATAL_ERROR "${IN} has no GNU build id (link with -Wl,--build-id)")
endif()
set(build_id ${CMAKE_MATCH_1})
string(SUBSTRING ${build_id} 0 2 head)
string(SUBSTRING ${build_id} 2 -1 rest)

file(REMOVE_RECURSE ${DEBUG_DIR})
set(debug_file ${DEBUG_DIR}/.build-id/${head}/${rest}.debug)
get_filename_component(debug_folder ${debug_file} DIRECTORY)
file(MAKE_DIRECTORY ${debug_folder})
get_filename_component(out_folder ${OUT} DIRECTORY)
file(MAKE_DIRECTORY ${out_folder})

execute_process(COMMAND ${OBJCOPY} --only-keep-debug --compress-debug-sections ${IN} ${debug_file}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "objcopy --only-keep-debug ${IN} failed")
endif()
execute_process(COMMAND ${OBJCOPY} --strip-all --remove-section=.comment
                        --add-gnu-debuglink=${debug_file} ${IN} ${OUT}.tmp
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "objcopy --strip-all ${IN} failed")
endif()
file(CHMOD ${debug_file} PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
file(CHMOD ${OUT}.tmp PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                                  WORLD_READ WORLD_EXECUTE)
file(RENAME ${OUT}.tmp ${OUT})
