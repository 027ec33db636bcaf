# Warning and sanitizer flags, applied PRIVATE to quickstock's own targets only.
function(quickstock_add_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE
      -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow
      -Wold-style-cast -Wnon-virtual-dtor)
    if(QUICKSTOCK_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  elseif(MSVC)
    target_compile_options(${target} PRIVATE /W4 $<$<BOOL:${QUICKSTOCK_WERROR}>:/WX>)
  endif()
endfunction()

function(quickstock_add_sanitizers target)
  if(QUICKSTOCK_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=${QUICKSTOCK_SANITIZE}
      -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_link_options(${target} PUBLIC -fsanitize=${QUICKSTOCK_SANITIZE})
  endif()
endfunction()
