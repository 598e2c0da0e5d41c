// gpfn3-smi: manage the emulated gpfn3 devices shared by every process on this machine.
//   gpfn3-smi list [--json]
//   gpfn3-smi reset [--timeout S] <device>
//   gpfn3-smi clear [-seed N | -pattern U64 | -zero] [--force] <device>
#include "smi/device_commands.h"
#include "support/error.h"
#include "support/version.h"

#include "llvm/Support/raw_ostream.h"

#include <CLI/CLI.hpp>

#include <cstring>

using namespace pfcomp;

namespace {

// The MLSDK spelling uses single-dash long options (-seed 1); CLI11 wants --seed.
std::vector<std::string> normaliseArgs(int argc, char **argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    for (const char *name : {"seed", "pattern", "zero", "force", "json", "timeout", "hardware"}) {
      std::string single = std::string("-") + name;
      if (a == single || a.rfind(single + "=", 0) == 0) a = "-" + a;
    }
    args.push_back(a);
  }
  std::reverse(args.begin(), args.end());  // CLI11's vector overload takes them reversed
  return args;
}

}  // namespace

int main(int argc, char **argv) {
  CLI::App app{"gpfn3-smi: list, reset and clear the emulated gpfn3 devices (" + std::string(kToolVersion) + ")"};
  app.require_subcommand(1);
  smi::ListOptions list;
  smi::ResetOptions reset;
  smi::ClearOptions clear;
  uint64_t seed = 0;
  std::string pattern;

  CLI::App *listCmd = app.add_subcommand("list", "one line per device: INDEX: NAME");
  listCmd->add_flag("--json", list.json, "index, name, state (idle/locked), holder pid, memory sizes as JSON");
  listCmd->add_option("--hardware", list.hardware, "hardware descriptor JSON (default: $PFCOMP_HARDWARE or built-in)");

  CLI::App *resetCmd = app.add_subcommand("reset", "reset a device; a program running on it stops with E507");
  resetCmd->add_option("device", reset.device, "device index or name")->required();
  resetCmd->add_option("--timeout", reset.timeout_s, "seconds to wait for the running program to stop")->capture_default_str();
  resetCmd->add_option("--hardware", reset.hardware, "hardware descriptor JSON");

  CLI::App *clearCmd = app.add_subcommand("clear", "fill all device memory (random by default); masks end all ones");
  clearCmd->add_option("device", clear.device, "device index or name")->required();
  CLI::Option *seedOpt = clearCmd->add_option("--seed", seed, "random bytes from this seed (reproducible)");
  CLI::Option *patternOpt = clearCmd->add_option("--pattern", pattern, "repeat this 64-bit value (hex 0x... or decimal)");
  clearCmd->add_flag("--zero", clear.zero, "all zeros (punches holes: fast on any size)");
  clearCmd->add_flag("--force", clear.force, "clear even when a program holds the device");
  clearCmd->add_option("--hardware", clear.hardware, "hardware descriptor JSON");

  try {
    app.parse(normaliseArgs(argc, argv));
  } catch (const CLI::ParseError &e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    llvm::errs() << "gpfn3-smi: error: [" << errorCodeName(ErrorCode::BadOptionValue) << "] " << e.what() << "\n";
    return 2;
  }
  llvm::Error err = llvm::Error::success();
  if (listCmd->parsed()) {
    err = smi::listDevices(list, llvm::outs());
  } else if (resetCmd->parsed()) {
    err = smi::resetDevice(reset, llvm::outs());
  } else {
    if (seedOpt->count()) clear.seed = seed;
    if (patternOpt->count()) clear.pattern = pattern;
    err = smi::clearDevice(clear, llvm::outs());
  }
  llvm::outs().flush();
  return err ? reportErrorAndExit("gpfn3-smi", std::move(err)) : 0;
}
