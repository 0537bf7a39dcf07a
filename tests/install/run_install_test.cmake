# Installs a built cadre into a scratch prefix and checks that an outside project
# can use it: find_package(cadre CONFIG) with cadre::c and cadre::cadre, and a
# plain compile with the flags pkg-config gives for cadre.pc. Run by ctest
# (tests/capi/CMakeLists.txt, test capi_install):
#
#   cmake -DCADRE_BUILD_DIR=... -DCADRE_CONSUMER_DIR=.../tests/install -DCADRE_WORK_DIR=...
#         -DCADRE_VERSION=0.1.0 [-DCADRE_CONFIG=Debug] [-DCADRE_SANITIZE=address,undefined]
#         -P run_install_test.cmake
#
# CADRE_SANITIZE is the build's: a sanitized libcadre only loads into a sanitized
# program, so the consumers are built with the same -fsanitize.
cmake_minimum_required(VERSION 3.22)

foreach(var CADRE_BUILD_DIR CADRE_CONSUMER_DIR CADRE_WORK_DIR CADRE_VERSION)
  if(NOT ${var})
    message(FATAL_ERROR "run_install_test.cmake: ${var} is not set")
  endif()
endforeach()

set(prefix ${CADRE_WORK_DIR}/prefix)
set(build ${CADRE_WORK_DIR}/build)
file(REMOVE_RECURSE ${CADRE_WORK_DIR})
file(MAKE_DIRECTORY ${CADRE_WORK_DIR})

function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "install test: ${step} failed (${rc})\n  command: ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "install test: ${step}: ok")
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

# 1. Install.
set(config_args)
if(CADRE_CONFIG)
  set(config_args --config ${CADRE_CONFIG})
endif()
run("cmake --install" ${CMAKE_COMMAND} --install ${CADRE_BUILD_DIR} --prefix ${prefix} ${config_args})

# 2. The installed layout.
file(GLOB_RECURSE cadre_config ${prefix}/*/cadreConfig.cmake)
file(GLOB_RECURSE cadre_pc ${prefix}/*/cadre.pc)
file(GLOB_RECURSE cadre_so ${prefix}/*/libcadre.so)
foreach(expected include/cadre/cadre.h include/cadre/workspace.h)
  if(NOT EXISTS ${prefix}/${expected})
    message(FATAL_ERROR "install test: ${prefix}/${expected} was not installed")
  endif()
endforeach()
foreach(var cadre_config cadre_pc cadre_so)
  list(LENGTH ${var} n)
  if(NOT n EQUAL 1)
    message(FATAL_ERROR "install test: expected one ${var} under ${prefix}, found: '${${var}}'")
  endif()
endforeach()
get_filename_component(libdir ${cadre_so} DIRECTORY)
get_filename_component(pcdir ${cadre_pc} DIRECTORY)

# 3. find_package(cadre CONFIG) from an outside project, C and C++.
set(build_type Release)
if(CADRE_CONFIG)
  set(build_type ${CADRE_CONFIG})
endif()
set(compilers)
if(CMAKE_C_COMPILER)
  list(APPEND compilers -DCMAKE_C_COMPILER=${CMAKE_C_COMPILER})
endif()
if(CMAKE_CXX_COMPILER)
  list(APPEND compilers -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER})
endif()
set(sanitize_flags)
if(CADRE_SANITIZE)
  set(sanitize_flags -fsanitize=${CADRE_SANITIZE})
  list(APPEND compilers "-DCMAKE_C_FLAGS=${sanitize_flags}" "-DCMAKE_CXX_FLAGS=${sanitize_flags}"
       "-DCMAKE_EXE_LINKER_FLAGS=${sanitize_flags}")
endif()
run("configure the consumer" ${CMAKE_COMMAND} -S ${CADRE_CONSUMER_DIR} -B ${build}
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=${build_type} -DCADRE_EXPECTED_VERSION=${CADRE_VERSION}
    ${compilers})
run("build the consumer" ${CMAKE_COMMAND} --build ${build} --config ${build_type})
run("run consumer_c" ${build}/consumer_c)
message(STATUS "  ${run_output}")
run("run consumer_cxx" ${build}/consumer_cxx)
message(STATUS "  ${run_output}")

# 4. pkg-config: what a Makefile host does. The .pc file names the prefix it was
# configured for; pkg-config's --define-variable points it at the scratch prefix.
find_program(PKG_CONFIG_EXECUTABLE NAMES pkg-config pkgconf)
if(NOT PKG_CONFIG_EXECUTABLE)
  message(STATUS "install test: pkg-config not found; pkg-config check skipped")
  return()
endif()
set(pc ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${pcdir} ${PKG_CONFIG_EXECUTABLE} --define-variable=prefix=${prefix})
run("pkg-config --modversion" ${pc} --modversion cadre)
string(STRIP "${run_output}" pc_version)
if(NOT pc_version STREQUAL CADRE_VERSION)
  message(FATAL_ERROR "install test: cadre.pc says version '${pc_version}', the project is ${CADRE_VERSION}")
endif()
run("pkg-config --cflags --libs" ${pc} --cflags --libs cadre)
string(STRIP "${run_output}" pc_flags)
separate_arguments(pc_flags UNIX_COMMAND "${pc_flags}")
set(cc ${CMAKE_C_COMPILER})
if(NOT cc)
  set(cc cc)
endif()
run("compile with pkg-config flags" ${cc} -std=c99 -Wall -Wextra -pedantic -Werror ${sanitize_flags}
    ${CADRE_CONSUMER_DIR}/main.c ${pc_flags} -Wl,-rpath,${libdir} -o ${CADRE_WORK_DIR}/consumer_pkgconfig)
run("run consumer_pkgconfig" ${CADRE_WORK_DIR}/consumer_pkgconfig)
message(STATUS "  ${run_output}")
