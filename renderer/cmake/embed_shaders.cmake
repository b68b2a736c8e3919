# Turns GLSL sources into a header of string literals (run with cmake -P).
# Inputs: OUTPUT (header path), SOURCES ('|'-separated list of .glsl/.vert/.frag files).
# Each file becomes `inline constexpr const char <name>[]` with name = file name, '.' -> '_'.
string(REPLACE "|" ";" SOURCES "${SOURCES}")
set(content "#pragma once\n// Generated from shaders/ by renderer/cmake/embed_shaders.cmake. Do not edit.\n\nnamespace renderer::shaders {\n\n")
foreach(source IN LISTS SOURCES)
  get_filename_component(name "${source}" NAME)
  string(MAKE_C_IDENTIFIER "${name}" identifier)
  file(READ "${source}" text)
  string(FIND "${text}" ")glsl\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${source} contains the raw-string delimiter )glsl\"")
  endif()
  string(APPEND content "inline constexpr const char ${identifier}[] = R\"glsl(${text})glsl\";\n\n")
endforeach()
string(APPEND content "}  // namespace renderer::shaders\n")
# Only touch the header when it changed, so unrelated builds do not recompile.
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
endif()
if(NOT "${old}" STREQUAL "${content}")
  file(WRITE "${OUTPUT}" "${content}")
endif()
