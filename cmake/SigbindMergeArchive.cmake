# SigbindMergeArchive.cmake — cmake -P script: adds the members of another static archive (libffi_pic.a) to libsigbind.a, so the installed runtime carries libffi inside.
# Usage: cmake -DAR=<ar> -DARCHIVE=<libsigbind.a> -DEXTRA=<libffi_pic.a> -P SigbindMergeArchive.cmake
foreach(_v AR ARCHIVE EXTRA)
  if(NOT ${_v})
    message(FATAL_ERROR "SigbindMergeArchive.cmake: ${_v} not given")
  endif()
endforeach()
set(_merged "${ARCHIVE}.merged")
set(_script "${ARCHIVE}.mri")
file(REMOVE "${_merged}")
# An ar MRI script keeps every member of both archives (ar's own `ar x` would lose members that
# share a name).
file(WRITE "${_script}" "create ${_merged}\naddlib ${ARCHIVE}\naddlib ${EXTRA}\nsave\nend\n")
execute_process(COMMAND "${AR}" -M INPUT_FILE "${_script}" RESULT_VARIABLE _rc ERROR_VARIABLE _err)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "SigbindMergeArchive.cmake: ${AR} -M failed (${_rc}): ${_err}")
endif()
file(RENAME "${_merged}" "${ARCHIVE}")
file(REMOVE "${_script}")
