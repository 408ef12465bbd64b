# SigbindModule.cmake — sigbind_add_module(): builds a C-face extension module <name>.abi3.so on the sigbind runtime.
# Used in this tree and, installed, by find_package(sigbind): the target `sigbind_runtime` (or the
# imported `sigbind::runtime`) must exist when it is called.
# sigbind_add_module(<name> SOURCES <files...> [OUTPUT_DIRECTORY <dir>] [NO_SIGNATURE_CHECK]):
# a C-face extension module, <name>.abi3.so, built on the static runtime (one binary for CPython >= 3.7).
# Every .c source's tables are checked against their signature strings at build time
# (sigbind_check_signatures below) unless NO_SIGNATURE_CHECK is given; the same scan writes the
# module's type stub <name>.pyi next to <name>.abi3.so.
set(_SIGBIND_MODULE_CMAKE_DIR "${CMAKE_CURRENT_LIST_DIR}")
if(POLICY CMP0116)
  cmake_policy(SET CMP0116 NEW) # the checker's depfile, as Ninja wants it (recorded with the functions below)
endif()

function(sigbind_add_module name)
  cmake_parse_arguments(ARG "NO_SIGNATURE_CHECK" "OUTPUT_DIRECTORY" "SOURCES" ${ARGN})
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
  if(NOT ARG_NO_SIGNATURE_CHECK)
    sigbind_check_signatures(${name} ${ARG_SOURCES})
  endif()
endfunction()

# sigbind_check_signatures(<target> <sources...>): the build-time agreement of C and signatures
# (include/sigbind.h, "Build-time checks"). Per .c source: the preprocessor runs it with
# SIGBIND_SCAN (the target's include directories and definitions), sigbind-sigcheck
# (src/cface/sigcheck.c) parses every entry's signature and writes <source>.sigcheck.c, which
# includes the source and asserts each entry's C type; the OBJECT library <target>_sigcheck
# compiles those files (never linked) and <target> depends on it, so a mismatch fails the build.
function(sigbind_check_signatures name)
  if(TARGET sigbind_sigcheck)
    set(_tool $<TARGET_FILE:sigbind_sigcheck>)
    set(_tool_dep sigbind_sigcheck)
  else()
    set(_installed "${_SIGBIND_MODULE_CMAKE_DIR}/sigbind-sigcheck")
    if(NOT EXISTS "${_installed}")
      message(WARNING "sigbind: sigbind-sigcheck not found next to SigbindModule.cmake: "
                      "${name}'s tables are not checked against their signatures")
      return()
    endif()
    # A copy with the execute bit (a wheel's installer may drop it from the installed one).
    set(_tool "${CMAKE_BINARY_DIR}/sigbind-tools/sigbind-sigcheck")
    if(NOT EXISTS "${_tool}" OR "${_installed}" IS_NEWER_THAN "${_tool}")
      file(COPY "${_installed}" DESTINATION "${CMAKE_BINARY_DIR}/sigbind-tools"
           FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
    endif()
    set(_tool_dep "${_tool}")
  endif()
  set(_incs "$<TARGET_PROPERTY:${name},INCLUDE_DIRECTORIES>")
  set(_defs "$<TARGET_PROPERTY:${name},COMPILE_DEFINITIONS>")
  set(_dir ${CMAKE_CURRENT_BINARY_DIR}/${name}.sigcheck)
  set(_outs "")
  set(_scans "")
  foreach(_src IN LISTS ARGN)
    get_filename_component(_abs "${_src}" ABSOLUTE)
    if(NOT _abs MATCHES "\\.c$")
      continue()
    endif()
    get_filename_component(_base "${_src}" NAME_WE)
    set(_i ${_dir}/${_base}.i)
    set(_out ${_dir}/${_base}.sigcheck.c)
    set(_depfile_args "")
    set(_depfile "")
    if(CMAKE_GENERATOR MATCHES "Ninja" OR CMAKE_VERSION VERSION_GREATER_EQUAL 3.20)
      set(_depfile_args -MD -MT ${_out} -MF ${_i}.d)
      set(_depfile DEPFILE ${_i}.d)
    endif()
    add_custom_command(OUTPUT ${_out}
      BYPRODUCTS ${_i}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${_dir}
      COMMAND ${CMAKE_C_COMPILER} -E -DSIGBIND_SCAN ${_depfile_args}
              "$<$<BOOL:${_defs}>:-D$<JOIN:${_defs},;-D>>" "$<$<BOOL:${_incs}>:-I$<JOIN:${_incs},;-I>>"
              ${_abs} -o ${_i}
      COMMAND ${_tool} ${_i} ${_abs} ${_out}
      DEPENDS ${_abs} ${_tool_dep}
      ${_depfile}
      COMMAND_EXPAND_LISTS VERBATIM
      COMMENT "sigbind: checking the tables of ${_src} against their signatures")
    list(APPEND _outs ${_out})
    list(APPEND _scans ${_i})
  endforeach()
  if(NOT _outs)
    return()
  endif()
  # The type stub: the same scans, all sources at once (README.md "Type stubs"), written next to
  # the module as <name>.pyi.
  set(_stub ${_dir}/${name}.pyi)
  add_custom_command(OUTPUT ${_stub}
    COMMAND ${_tool} --stub ${_stub} ${_scans}
    DEPENDS ${_outs} ${_tool_dep}
    VERBATIM
    COMMENT "sigbind: writing the type stub ${name}.pyi")
  add_custom_target(${name}_stub DEPENDS ${_stub})
  add_dependencies(${name} ${name}_stub)
  # A new stub relinks the module, so the copy below follows it (also when only the tool changed).
  set_property(TARGET ${name} APPEND PROPERTY LINK_DEPENDS ${_stub})
  add_custom_command(TARGET ${name} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E copy_if_different ${_stub} $<TARGET_FILE_DIR:${name}>/${name}.pyi
    VERBATIM)
  add_library(${name}_sigcheck OBJECT ${_outs})
  if(TARGET sigbind_runtime)
    target_link_libraries(${name}_sigcheck PRIVATE sigbind_runtime)
  else()
    target_link_libraries(${name}_sigcheck PRIVATE sigbind::runtime)
  endif()
  target_include_directories(${name}_sigcheck PRIVATE ${_incs})
  target_compile_definitions(${name}_sigcheck PRIVATE ${_defs})
  target_compile_options(${name}_sigcheck PRIVATE "$<TARGET_PROPERTY:${name},COMPILE_OPTIONS>"
                         -Werror=incompatible-pointer-types)
  set_target_properties(${name}_sigcheck PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON)
  add_dependencies(${name} ${name}_sigcheck)
endfunction()
