# SigbindModule.cmake — sigbind_add_module(): builds a C-face extension module <name>.abi3.so on the sigbind runtime.
# Used in this tree and, installed, by find_package(sigbind): the target `sigbind_runtime` (or the
# imported `sigbind::runtime`) must exist when it is called.
# sigbind_add_module(<name> SOURCES <files...>): a C-face extension module,
# <name>.abi3.so, built on the static runtime (one binary for CPython >= 3.7).
function(sigbind_add_module name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIRECTORY" "SOURCES" ${ARGN})
  add_library(${name} MODULE ${ARG_SOURCES})
  if(TARGET sigbind_runtime)
    target_link_libraries(${name} PRIVATE sigbind_runtime)
  else()
    target_link_libraries(${name} PRIVATE sigbind::runtime)
  endif()
  # Keep the runtime's and libffi's symbols private to the module.
  target_link_options(${name} PRIVATE -Wl,--exclude-libs,ALL)
  set_target_properties(${name} PROPERTIES PREFIX "" SUFFIX ".abi3.so")
  # Every module and program linking the runtime is listed here (ctest abi3_glibc_audit reads it).
  set_property(GLOBAL APPEND PROPERTY SIGBIND_LINKED_TARGETS ${name})
  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY})
  endif()
endfunction()
