// What exec (exec.cc) must know of the rest of the program.
#pragma once

namespace sl {

// fd 0-2 is the program's own from now on (it set its flags, or put another
// file there): exec leaves it as it is.
void StdioChangedByProgram(int fd);

}  // namespace sl
