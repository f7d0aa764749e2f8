# Helpers so that a layer declares its library, tests, fuzzers and programs in one line each.
#
#   scone_library(common DEPS OpenSSL::Crypto)
#     -> static library scone_common from every *.cc in the folder that is not a test,
#        fuzzer or program (*_test.cc, *_fuzz.cc, *_main.cc).
#   scone_tests(common)
#     -> one GoogleTest binary <layer>_test from the folder's *_test.cc, registered with CTest
#        (label "unit").
#   scone_fuzzer(quote_fuzz DEPS scone_attestation)
#     -> libFuzzer target from quote_fuzz.cc when SCONE_FUZZ is on.
#   scone_program(scone SRC scone_main.cc DEPS scone_cli)
#   scone_benchmark(verify_bench DEPS scone_attestation)   (in bench/)

set(SCONE_WARNINGS
    -Wall -Wextra -Wpedantic -Werror -Wshadow -Wconversion -Wsign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
    -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)

set(SCONE_SANITIZER_FLAGS "")
if(SCONE_SANITIZE)
  set(SCONE_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all
                            -fno-omit-frame-pointer)
endif()
if(SCONE_FUZZ)
  # Instrument every library for coverage; only fuzz targets link the libFuzzer main.
  list(APPEND SCONE_SANITIZER_FLAGS -fsanitize=fuzzer-no-link)
endif()

function(_scone_common_options target)
  target_compile_options(${target} PRIVATE ${SCONE_WARNINGS} ${SCONE_SANITIZER_FLAGS})
  target_link_options(${target} PRIVATE ${SCONE_SANITIZER_FLAGS})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
endfunction()

function(scone_library layer)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  list(FILTER srcs EXCLUDE REGEX "_(test|fuzz|main)\\.cc$")
  add_library(scone_${layer} STATIC ${srcs})
  _scone_common_options(scone_${layer})
  target_link_libraries(scone_${layer} PUBLIC ${ARG_DEPS})
endfunction()

function(scone_tests layer)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc)
  if(NOT srcs)
    return()  # a layer whose tests are not written yet
  endif()
  add_executable(${layer}_test ${srcs})
  _scone_common_options(${layer}_test)
  target_link_libraries(${layer}_test PRIVATE scone_${layer} ${ARG_DEPS} GTest::gmock
                                              GTest::gtest_main)
  target_compile_definitions(${layer}_test
                             PRIVATE SCONE_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                     SCONE_TESTDATA_DIR="${PROJECT_SOURCE_DIR}/testdata")
  gtest_discover_tests(${layer}_test PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
endfunction()

function(scone_fuzzer name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  if(NOT SCONE_FUZZ)
    return()
  endif()
  add_executable(${name} ${CMAKE_CURRENT_SOURCE_DIR}/${name}.cc)
  _scone_common_options(${name})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
endfunction()

function(scone_program name)
  cmake_parse_arguments(ARG "" "SRC" "DEPS" ${ARGN})
  add_executable(${name} ${CMAKE_CURRENT_SOURCE_DIR}/${ARG_SRC})
  _scone_common_options(${name})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
endfunction()

# scone_benchmark(verify_bench DEPS scone_attestation) -> Google Benchmark program from
# bench/verify_bench.cc, built into build/bin (not a test: timings never gate CI).
function(scone_benchmark name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  add_executable(${name} ${CMAKE_CURRENT_SOURCE_DIR}/${name}.cc)
  _scone_common_options(${name})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} benchmark::benchmark)
  target_compile_definitions(${name} PRIVATE SCONE_TESTDATA_DIR="${PROJECT_SOURCE_DIR}/testdata")
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
endfunction()
