# Turns a text file (any bytes: UTF-8 included) into a C++ source defining `std::string_view ninja::api::openapi_document()`.
file(READ ${INPUT} CONTENT HEX)
string(LENGTH "${CONTENT}" HEX_LENGTH)
math(EXPR BYTE_COUNT "${HEX_LENGTH} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," BYTES "${CONTENT}")
file(WRITE ${OUTPUT} "// Generated from ${INPUT}; do not edit.\n#include <string_view>\n"
  "namespace ninja::api {\nnamespace {\nconstexpr unsigned char kBytes[] = {${BYTES} 0};\n}\n"
  "std::string_view openapi_document() { return {reinterpret_cast<const char*>(kBytes), ${BYTE_COUNT}}; }\n}\n")
