# gg_add_windows_event_messages(target): compiles service/windows_events.mc
# with windmc and links the message table into `target`, so the event log
# shows the agent's event text instead of "the description for Event ID 1
# cannot be found". Windows targets only; needs RC (windres/rc) enabled.
function(gg_add_windows_event_messages target)
  get_filename_component(root "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/.." ABSOLUTE)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/gg_windows_events)
  if(NOT CMAKE_MC_COMPILER)
    find_program(CMAKE_MC_COMPILER NAMES x86_64-w64-mingw32-windmc windmc mc
                 REQUIRED)
  endif()
  add_custom_command(
    OUTPUT ${out}/windows_events.rc ${out}/windows_events.h
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out}
    COMMAND ${CMAKE_MC_COMPILER} -r ${out} -h ${out} ${root}/service/windows_events.mc
    DEPENDS ${root}/service/windows_events.mc
    COMMENT "Compiling the event-log message table")
  target_sources(${target} PRIVATE ${out}/windows_events.rc)
  set_source_files_properties(${out}/windows_events.rc PROPERTIES
    INCLUDE_DIRECTORIES ${out})
endfunction()
