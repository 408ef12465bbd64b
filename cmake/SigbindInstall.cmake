# SigbindInstall.cmake — what `cmake --install` puts in the prefix: headers, libsigbind.a, the CMake package, sigbind.pc, sigbind.abi3.so.
#
# Installed tree (paths relative to the prefix; lib is CMAKE_INSTALL_LIBDIR):
#   include/sigbind.h, include/sigbind_cc.h     the public C API
#   lib/libsigbind.a                            sigbind_runtime + sigbind_core in one static archive
#   lib/cmake/sigbind/sigbindConfig.cmake       find_package(sigbind CONFIG): sigbind::runtime, sigbind_add_module()
#   lib/cmake/sigbind/sigbindConfigVersion.cmake
#   lib/cmake/sigbind/sigbindTargets*.cmake     the exported target sigbind::runtime
#   lib/cmake/sigbind/SigbindModule.cmake       sigbind_add_module(), included by the config
#   lib/cmake/sigbind/SigbindEmbed.cmake        sigbind_add_executable(), included by the config
#   lib/sigbind/link-only/libpython3.so         the stable-ABI link stand-in for programs (never loaded)
#   lib/pkgconfig/sigbind.pc                    pkg-config --cflags --libs sigbind
#   lib/pkgconfig/sigbind-embed.pc              pkg-config --cflags --libs sigbind-embed (programs)
#   lib/python/sigbind.abi3.so                  the Python face (PYTHONPATH=<prefix>/lib/python; proper
#                                               Python packaging is the wheel issue's)
#
# libffi is not copied: consumers link the libffi_pic.a this build used (its path is recorded;
# the config looks for it again when it is gone: SIGBIND_FFI_LIBRARY), and compile against the
# Python headers the runtime was compiled against (recorded; SIGBIND_PYTHON_INCLUDE overrides it
# in the consumer, `--define-variable=pythoninclude=...` in pkg-config). Both files are relocatable.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(SIGBIND_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/sigbind" CACHE STRING
    "Where the CMake package of sigbind is installed (relative to the prefix)")
set(SIGBIND_INSTALL_PYTHONDIR "${CMAKE_INSTALL_LIBDIR}/python" CACHE STRING
    "Where sigbind.abi3.so is installed (relative to the prefix)")
foreach(_sb_dir CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_LIBDIR SIGBIND_INSTALL_CMAKEDIR SIGBIND_INSTALL_PYTHONDIR)
  if(IS_ABSOLUTE "${${_sb_dir}}")
    message(FATAL_ERROR "sigbind: ${_sb_dir} must be relative to the prefix (the installed package is relocatable)")
  endif()
endforeach()

# ---------------------------------------------------------------- libsigbind.a: runtime + core, one archive
# The objects are the ones already compiled for sigbind_runtime and sigbind_core (PIC, hidden
# visibility, Py_LIMITED_API=0x03070000); this target only archives them.
add_library(sigbind_static STATIC $<TARGET_OBJECTS:sigbind_runtime> $<TARGET_OBJECTS:sigbind_core>)
add_library(sigbind::runtime ALIAS sigbind_static)
set_target_properties(sigbind_static PROPERTIES OUTPUT_NAME sigbind EXPORT_NAME runtime LINKER_LANGUAGE C)
target_include_directories(sigbind_static INTERFACE
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_include_directories(sigbind_static SYSTEM INTERFACE "$<BUILD_INTERFACE:${SIGBIND_PYTHON_INCLUDE}>")
target_compile_definitions(sigbind_static INTERFACE Py_LIMITED_API=0x03070000)
# Installed, the Python headers and libffi come through two imported targets the config makes
# first (sigbind::python_headers, sigbind::ffi), so both paths can be overridden by the consumer.
target_link_libraries(sigbind_static INTERFACE
  $<INSTALL_INTERFACE:sigbind::python_headers>
  $<BUILD_INTERFACE:${FFI_PIC_LIBRARY}> $<INSTALL_INTERFACE:sigbind::ffi>
  m ${CMAKE_DL_LIBS} Threads::Threads)
# glibc <= 2.17 (manylinux2014): the memfd_create wrap and libdl/libpthread (CMakeLists.txt, include/sigbind_cc.h).
target_link_options(sigbind_static INTERFACE ${SIGBIND_GLIBC_LINK_OPTIONS})
list(JOIN SIGBIND_GLIBC_LINK_OPTIONS " " _sb_pc_glibc)
if(_sb_pc_glibc)
  string(APPEND _sb_pc_glibc " ")  # before -lsigbind: -u must come before the archive
endif()
set(_sb_pc_extra_libs "")
if(SIGBIND_SANITIZE)
  # The archived objects call the sanitizer runtimes: whoever links them needs them too.
  target_link_options(sigbind_static INTERFACE -fsanitize=address,undefined)
  string(APPEND _sb_pc_extra_libs " -fsanitize=address,undefined")
endif()

# ---------------------------------------------------------------- files
install(FILES ${PROJECT_SOURCE_DIR}/include/sigbind.h ${PROJECT_SOURCE_DIR}/include/sigbind_cc.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT Development)
install(TARGETS sigbind_static EXPORT sigbindTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT Development)
install(EXPORT sigbindTargets NAMESPACE sigbind:: FILE sigbindTargets.cmake
        DESTINATION ${SIGBIND_INSTALL_CMAKEDIR} COMPONENT Development)
install(TARGETS sigbind_py LIBRARY DESTINATION ${SIGBIND_INSTALL_PYTHONDIR} COMPONENT Python)
# The link stand-in for embedding programs, in a directory of its own: it must never be found
# at run time in place of a real libpython3.so.
install(TARGETS sigbind_python3_stub LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/sigbind/link-only
        COMPONENT Development)

# ---------------------------------------------------------------- the CMake package
# The config finds its prefix from its own location (relocatable), then defines the two
# overridable imported targets, includes the exported sigbind::runtime and SigbindModule.cmake.
set(_sb_prog_opts "${SIGBIND_GLIBC_PROGRAM_LINK_OPTIONS}")
file(RELATIVE_PATH _sb_cfg_to_prefix "/_prefix_/${SIGBIND_INSTALL_CMAKEDIR}" "/_prefix_")
file(RELATIVE_PATH _sb_python_rel "/_prefix_" "/_prefix_/${SIGBIND_INSTALL_PYTHONDIR}")
file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/cmake/sigbindConfig.cmake @ONLY CONTENT [=[
# sigbindConfig.cmake — find_package(sigbind CONFIG): the imported target sigbind::runtime and sigbind_add_module().
# Generated by sigbind's cmake/SigbindInstall.cmake. Variables a consumer may set (cache):
#   SIGBIND_PYTHON_INCLUDE  CPython headers (>= 3.7) to compile modules against
#                           (default: the ones sigbind's runtime was compiled against)
#   SIGBIND_FFI_LIBRARY     libffi_pic.a to link (default: the one sigbind was built with,
#                           searched again when that file is gone)
# Defines: sigbind::runtime, sigbind_add_module(<name> SOURCES ...), SIGBIND_INCLUDE_DIR,
#          SIGBIND_PYTHON_MODULE_DIR (the directory holding sigbind.abi3.so).
get_filename_component(_sigbind_prefix "${CMAKE_CURRENT_LIST_DIR}/@_sb_cfg_to_prefix@" ABSOLUTE)

include(CMakeFindDependencyMacro)
find_dependency(Threads)

if(NOT SIGBIND_PYTHON_INCLUDE)
  set(SIGBIND_PYTHON_INCLUDE "@SIGBIND_PYTHON_INCLUDE@" CACHE PATH
      "CPython (>= 3.7) include directory for sigbind extension modules" FORCE)
endif()
set(_sigbind_has_python_h FALSE)
foreach(_sigbind_dir IN LISTS SIGBIND_PYTHON_INCLUDE)
  if(EXISTS "${_sigbind_dir}/Python.h")
    set(_sigbind_has_python_h TRUE)
  endif()
endforeach()
if(NOT _sigbind_has_python_h)
  set(sigbind_FOUND FALSE)
  set(sigbind_NOT_FOUND_MESSAGE
      "no Python.h in SIGBIND_PYTHON_INCLUDE='${SIGBIND_PYTHON_INCLUDE}': set it to the include directory of a CPython >= 3.7 (e.g. /usr/include/python3.11)")
  return()
endif()

if(NOT DEFINED SIGBIND_FFI_LIBRARY AND EXISTS "@FFI_PIC_LIBRARY@")
  set(SIGBIND_FFI_LIBRARY "@FFI_PIC_LIBRARY@" CACHE FILEPATH "libffi_pic.a linked into sigbind extension modules")
endif()
find_library(SIGBIND_FFI_LIBRARY NAMES libffi_pic.a ffi_pic DOC "libffi_pic.a linked into sigbind extension modules")
if(NOT SIGBIND_FFI_LIBRARY OR NOT EXISTS "${SIGBIND_FFI_LIBRARY}")
  set(sigbind_FOUND FALSE)
  set(sigbind_NOT_FOUND_MESSAGE
      "libffi_pic.a not found (sigbind was built with @FFI_PIC_LIBRARY@): apt-get install libffi-dev, or set SIGBIND_FFI_LIBRARY")
  return()
endif()

if(NOT TARGET sigbind::python_headers)
  add_library(sigbind::python_headers INTERFACE IMPORTED)
  set_target_properties(sigbind::python_headers PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${SIGBIND_PYTHON_INCLUDE}")
endif()
if(NOT TARGET sigbind::ffi)
  add_library(sigbind::ffi STATIC IMPORTED)
  set_target_properties(sigbind::ffi PROPERTIES IMPORTED_LOCATION "${SIGBIND_FFI_LIBRARY}")
endif()
include("${CMAKE_CURRENT_LIST_DIR}/sigbindTargets.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/SigbindModule.cmake")
# Embedding programs: sigbind_add_executable() links the libpython3.so stand-in installed here.
if(NOT TARGET sigbind::python3_stub)
  add_library(sigbind::python3_stub SHARED IMPORTED)
  set_target_properties(sigbind::python3_stub PROPERTIES
    IMPORTED_LOCATION "${_sigbind_prefix}/@CMAKE_INSTALL_LIBDIR@/sigbind/link-only/libpython3.so"
    IMPORTED_SONAME "libpython3.so")
endif()
set(SIGBIND_GLIBC_PROGRAM_LINK_OPTIONS "@_sb_prog_opts@")
include("${CMAKE_CURRENT_LIST_DIR}/SigbindEmbed.cmake")

set(SIGBIND_INCLUDE_DIR "${_sigbind_prefix}/@CMAKE_INSTALL_INCLUDEDIR@")
set(SIGBIND_PYTHON_MODULE_DIR "${_sigbind_prefix}/@_sb_python_rel@")
if(NOT sigbind_FIND_QUIETLY)
  message(STATUS "sigbind @PROJECT_VERSION@: ${_sigbind_prefix} (Python headers ${SIGBIND_PYTHON_INCLUDE})")
endif()
]=])
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/sigbindConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/sigbindConfig.cmake ${PROJECT_BINARY_DIR}/cmake/sigbindConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/SigbindModule.cmake ${PROJECT_SOURCE_DIR}/cmake/SigbindEmbed.cmake
        DESTINATION ${SIGBIND_INSTALL_CMAKEDIR} COMPONENT Development)

# ---------------------------------------------------------------- pkg-config
# ${pcfiledir} keeps it relocatable. Static archive: the libraries it needs are in Libs, not Libs.private.
file(RELATIVE_PATH _sb_pc_to_prefix "/_prefix_/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/_prefix_")
string(REGEX REPLACE "/$" "" _sb_pc_to_prefix "${_sb_pc_to_prefix}")
list(JOIN SIGBIND_PYTHON_INCLUDE " -I" _sb_pc_pyinc)
file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/pkgconfig/sigbind.pc @ONLY CONTENT [=[
# sigbind.pc — C-face extension modules on the sigbind runtime: cc -shared -fPIC mod.c $(pkg-config --cflags --libs sigbind)
# Override the Python headers with --define-variable=pythoninclude=DIR, libffi with --define-variable=ffilib=PATH.
prefix=${pcfiledir}/@_sb_pc_to_prefix@
includedir=${prefix}/@CMAKE_INSTALL_INCLUDEDIR@
libdir=${prefix}/@CMAKE_INSTALL_LIBDIR@
pythonmoduledir=${prefix}/@_sb_python_rel@
pythoninclude=@_sb_pc_pyinc@
ffilib=@FFI_PIC_LIBRARY@

Name: sigbind
Description: C functions as Python callables by signature string, on CPython's stable ABI (>= 3.7)
Version: @PROJECT_VERSION@
Cflags: -I${includedir} -I${pythoninclude} -DPy_LIMITED_API=0x03070000
Libs: -L${libdir} @_sb_pc_glibc@-lsigbind ${ffilib} -lm -ldl -pthread@_sb_pc_extra_libs@
]=])
install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/sigbind.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT Development)

# sigbind-embed.pc: programs embedding Python (cc prog.c $(pkg-config --cflags --libs sigbind-embed)):
# sigbind's flags plus the start-up options and the libpython3.so stand-in, which must come after
# libsigbind.a on the link line (so no `Requires: sigbind`, whose Libs pkg-config would put last).
list(JOIN SIGBIND_GLIBC_PROGRAM_LINK_OPTIONS " " _sb_pc_prog)
file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/pkgconfig/sigbind-embed.pc @ONLY CONTENT [=[
# sigbind-embed.pc — C programs embedding Python through sigbind: cc prog.c $(pkg-config --cflags --libs sigbind-embed)
# Run with LD_LIBRARY_PATH=<a CPython's lib directory holding libpython3.so> (no rpath is recorded).
prefix=${pcfiledir}/@_sb_pc_to_prefix@
includedir=${prefix}/@CMAKE_INSTALL_INCLUDEDIR@
libdir=${prefix}/@CMAKE_INSTALL_LIBDIR@
pythoninclude=@_sb_pc_pyinc@
ffilib=@FFI_PIC_LIBRARY@

Name: sigbind-embed
Description: C programs embedding CPython (>= 3.7, stable ABI, libpython3.so) with sigbind
Version: @PROJECT_VERSION@
Cflags: -fPIC -I${includedir} -I${pythoninclude} -DPy_LIMITED_API=0x03070000
Libs: @_sb_pc_prog@ -Wl,-z,now -L${libdir} @_sb_pc_glibc@-lsigbind ${ffilib} -L${libdir}/sigbind/link-only -lpython3 -lm -ldl -pthread@_sb_pc_extra_libs@
]=])
install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/sigbind-embed.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT Development)
