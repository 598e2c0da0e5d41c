// codegen-dashboard: browse one codegen_dir (or compare two) in a web browser, offline.
//   codegen-dashboard serve CODEGEN_DIR [CODEGEN_DIR2] [--port 8327] [--host 127.0.0.1]
#include "tools/dashboard/codegen_dir.h"
#include "tools/dashboard/server.h"
#include "support/error.h"
#include "support/version.h"

#include <CLI/CLI.hpp>

#include <iostream>

using namespace pfcomp;

int main(int argc, char **argv) {
  CLI::App app{"codegen-dashboard: Summary, Graph, Node, Logs, Timeline, HTML tools and Compare "
               "pages for codegen_dirs written by pfcomp"};
  app.set_version_flag("--version", kToolVersion);
  app.require_subcommand(1);
  std::vector<std::string> dirPaths;
  dashboard::ServeOptions options;
  CLI::App *serveCmd = app.add_subcommand("serve", "serve the dashboard of CODEGEN_DIR [CODEGEN_DIR2]");
  serveCmd->add_option("codegen_dir", dirPaths, "codegen_dir (a second one turns on Compare)")
      ->required()
      ->expected(1, 2);
  serveCmd->add_option("--port", options.port, "TCP port (0: any free port)")
      ->check(CLI::Range(0, 65535));
  serveCmd->add_option("--host", options.host, "address to bind (default loopback only)");
  CLI11_PARSE(app, argc, argv);

  std::vector<dashboard::CodegenDir> dirs;
  for (const std::string &p : dirPaths)
    dirs.push_back(exitOnError("codegen-dashboard", dashboard::CodegenDir::open(p)));
  llvm::Error err = dashboard::serve(dirs, options, [&](const std::string &url) {
    std::cout << "codegen-dashboard: serving";
    for (const std::string &p : dirPaths) std::cout << " " << p;
    std::cout << " at " << url << std::endl;  // flushed: tests wait for this line
  });
  return err ? reportErrorAndExit("codegen-dashboard", std::move(err)) : 0;
}
