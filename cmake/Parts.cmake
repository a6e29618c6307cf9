# Compiler warnings shared by every target of the project.
add_library(bs_warnings INTERFACE)
target_compile_options(bs_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
  -Woverloaded-virtual -Wimplicit-fallthrough -Wformat=2)
if(BLOCKSTACK_WERROR)
  target_compile_options(bs_warnings INTERFACE -Werror)
endif()

# bs_part(<name> SOURCES ... [DEPS ...] [PRIVATE_DEPS ...])
# One static library per folder under src/, named bs_<name> ("bitcoin/rpc" -> bs_bitcoin_rpc).
# DEPS are what the part's headers expose (its users see them); PRIVATE_DEPS are
# used by its sources only. Which part may use which: cmake/layers.txt.
function(bs_part name)
  cmake_parse_arguments(P "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  string(REPLACE "/" "_" target "bs_${name}")
  add_library(${target} STATIC ${P_SOURCES})
  target_include_directories(${target} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>
                                              $<INSTALL_INTERFACE:include/blockstack>)
  target_link_libraries(${target} PUBLIC ${P_DEPS} PRIVATE ${P_PRIVATE_DEPS} bs_warnings)
endfunction()

# bs_unit_test(<name> SOURCES ... DEPS ...): one GoogleTest binary, its tests registered with CTest.
function(bs_unit_test name)
  cmake_parse_arguments(P "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${P_SOURCES})
  target_link_libraries(${name} PRIVATE ${P_DEPS} GTest::gtest GTest::gtest_main bs_warnings bs_testutil)
  # `unit_tests` builds every unit test and only what they link (scripts/test.sh).
  if(NOT TARGET unit_tests)
    add_custom_target(unit_tests)
  endif()
  add_dependencies(unit_tests ${name})
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
    PROPERTIES TIMEOUT 120 ENVIRONMENT "BLOCKSTACK_TEST_DATA=${PROJECT_SOURCE_DIR}/test/data")
endfunction()
