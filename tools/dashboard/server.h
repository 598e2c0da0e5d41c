// The dashboard's HTTP server: read-only pages, JSON APIs and the files of one or two
// codegen_dirs, over cpp-httplib.
#pragma once

#include "tools/dashboard/codegen_dir.h"

#include "llvm/Support/Error.h"

#include <functional>
#include <string>
#include <vector>

namespace pfcomp::dashboard {

struct ServeOptions {
  std::string host = "127.0.0.1";  // loopback unless asked otherwise
  int port = 8327;                 // 0 = any free port (the URL printed tells which)
};

// Serves `dirs` until the process is stopped. `onListening` receives the URL once the port is
// bound. Fails with E604 when the address cannot be bound.
llvm::Error serve(const std::vector<CodegenDir> &dirs, const ServeOptions &options,
                  const std::function<void(const std::string &url)> &onListening);

}  // namespace pfcomp::dashboard
