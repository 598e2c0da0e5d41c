#include "runtime/device/hardware.h"

#include "support/atomic_file.h"
#include "support/error.h"

#include <nlohmann/json.hpp>

#include <cstdlib>

namespace pfcomp::device {
namespace {

const char kBuiltin[] =
#include "runtime/device/hardware/mncore2.json.inc"
    ;

}  // namespace

const char *builtinHardwareJson() { return kBuiltin; }

llvm::Expected<Hardware> parseHardware(llvm::StringRef text, llvm::StringRef source) {
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded())
    return makeError(ErrorCode::HardwareDescriptor, "{0}: not valid JSON", source);
  std::string missing;
  auto num = [&](const char *section, const char *key) -> double {
    const nlohmann::json *node = &j;
    if (section) {
      if (!j.contains(section) || !j[section].is_object()) {
        missing = section;
        return 0;
      }
      node = &j[section];
    }
    if (!node->contains(key) || !(*node)[key].is_number() || (*node)[key].get<double>() <= 0) {
      if (missing.empty()) missing = std::string(section ? section : "") + "." + key;
      return 0;
    }
    return (*node)[key].get<double>();
  };
  Hardware hw;
  hw.name = j.value("name", "unnamed");
  hw.clock_hz = num(nullptr, "clock_hz");
  hw.groups = num("tree", "groups");
  hw.l2b_per_group = num("tree", "l2b_per_group");
  hw.l1b_per_l2b = num("tree", "l1b_per_l2b");
  hw.mab_per_l1b = num("tree", "mab_per_l1b");
  hw.pe_per_mab = num("tree", "pe_per_mab");
  hw.dram_per_group = num("memory_bytes", "dram_per_group");
  hw.pdm_per_group = num("memory_bytes", "pdm_per_group");
  hw.l2bm = num("memory_bytes", "l2bm");
  hw.l1bm = num("memory_bytes", "l1bm");
  hw.lm0 = num("memory_bytes", "lm0");
  hw.lm1 = num("memory_bytes", "lm1");
  hw.grf0 = num("memory_bytes", "grf0");
  hw.grf1 = num("memory_bytes", "grf1");
  hw.flop_per_mab_cycle_f64 = num("flop_per_mab_cycle", "f64");
  hw.flop_per_mab_cycle_f32 = num("flop_per_mab_cycle", "f32");
  hw.flop_per_mab_cycle_f16 = num("flop_per_mab_cycle", "f16");
  hw.vec_per_pe_cycle_f64 = num("pe_vector_elems_per_cycle", "f64");
  hw.vec_per_pe_cycle_f32 = num("pe_vector_elems_per_cycle", "f32");
  hw.vec_per_pe_cycle_f16 = num("pe_vector_elems_per_cycle", "f16");
  hw.bw_dram_per_group = num("bandwidth_bytes_per_cycle", "dram_per_group");
  hw.bw_group_to_l2b = num("bandwidth_bytes_per_cycle", "group_to_l2b");
  hw.bw_l2b_to_l1b = num("bandwidth_bytes_per_cycle", "l2b_to_l1b");
  hw.bw_l1b_to_pe = num("bandwidth_bytes_per_cycle", "l1b_to_pe");
  hw.transfer_latency = num("latency_cycles", "transfer");
  hw.compute_latency = num("latency_cycles", "compute");
  hw.bw_host_link = num("host_link", "bytes_per_cycle");
  hw.host_link_latency = num("host_link", "latency_cycles");
  if (!missing.empty())
    return makeError(ErrorCode::HardwareDescriptor, "{0}: missing or non-positive field '{1}'",
                     source, missing);
  return hw;
}

llvm::Expected<Hardware> loadHardware(llvm::StringRef path) {
  auto text = readWholeFile(path);
  if (!text)
    return makeError(ErrorCode::HardwareDescriptor, "cannot read hardware descriptor {0}", path);
  return parseHardware(*text, path);
}

llvm::Expected<Hardware> resolveHardware(llvm::StringRef path) {
  if (!path.empty()) return loadHardware(path);
  if (const char *env = std::getenv("PFCOMP_HARDWARE"); env && *env) return loadHardware(env);
  return parseHardware(kBuiltin, "<built-in mncore2>");
}

}  // namespace pfcomp::device
