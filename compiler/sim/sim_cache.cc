#include "compiler/sim/sim_cache.h"

#include "support/atomic_file.h"
#include "support/error.h"
#include "support/version.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA256.h"

#include <map>

namespace pfcomp::sim {

SimCache::SimCache(std::string dir, const device::Hardware &hw, std::string mode) : dir_(std::move(dir)) {
  // Every descriptor number that feeds the cost model is part of the key.
  // "program 2": placed tiles and double-buffered LM changed what a tiling costs.
  context_ = llvm::formatv("program 2|{0}|{1}|{2}|{3}|{4},{5},{6},{7},{8}|{9},{10},{11}|{12},{13},{14}|{15},{16},{17},{18}|{19},{20}|{21},{22}",
                           kToolVersion, mode, hw.name, hw.clock_hz, hw.groups, hw.l2b_per_group,
                           hw.l1b_per_l2b, hw.mab_per_l1b, hw.pe_per_mab, hw.lm0, hw.lm1, hw.l1bm,
                           hw.flop_per_mab_cycle_f64, hw.flop_per_mab_cycle_f32, hw.flop_per_mab_cycle_f16,
                           hw.bw_dram_per_group, hw.bw_group_to_l2b, hw.bw_l2b_to_l1b, hw.bw_l1b_to_pe,
                           hw.transfer_latency, hw.compute_latency, hw.vec_per_pe_cycle_f32,
                           hw.vec_per_pe_cycle_f64)
                 .str();
  // best and full also run default's search since they may end worse alone (tiling_search.cc).
  if (mode == "best" || mode == "full") context_ += "|no worse than default";
}

std::string SimCache::key(const ir::Node &node, const ir::Graph &graph) const {
  std::map<std::string, const ir::Value *> values;
  for (const auto &v : graph.values()) values[v.name()] = &v;
  ir::Node signature = node;
  signature.clear_name();
  signature.clear_cost();
  // Value names do not matter, only what the operands are (appended below, in order).
  for (auto &in : *signature.mutable_inputs()) in = in.empty() ? "" : "in";
  for (auto &out : *signature.mutable_outputs()) out = out.empty() ? "" : "out";
  std::string text = context_ + "|" + signature.SerializeAsString();
  std::vector<std::string> operands(node.inputs().begin(), node.inputs().end());
  operands.insert(operands.end(), node.outputs().begin(), node.outputs().end());
  for (size_t i = 0; i < operands.size(); ++i) {
    auto it = values.find(operands[i]);
    if (it == values.end()) continue;
    const ir::Value &v = *it->second;
    text += llvm::formatv("|{0}:{1}:{2}", static_cast<int>(v.dtype()), static_cast<int>(v.kind()),
                          llvm::join(llvm::map_range(v.shape(), [](int64_t d) { return std::to_string(d); }), "x"))
                .str();
    // Gather's constant indices decide its layers.
    if (node.op_type() == "Gather" && i == 1 && v.kind() == ir::Value::PARAM) text += "|" + v.data();
  }
  auto digest = llvm::SHA256::hash(llvm::arrayRefFromStringRef(text));
  return llvm::toHex(llvm::ArrayRef<uint8_t>(digest.data(), digest.size()), /*LowerCase=*/true);
}

std::optional<ir::NodeCost> SimCache::lookup(const std::string &key) const {
  if (dir_.empty()) return std::nullopt;
  llvm::SmallString<256> path(dir_);
  llvm::sys::path::append(path, key.substr(0, 2), key + ".nodecost");
  auto bytes = readWholeFile(path);
  if (!bytes) {
    llvm::consumeError(bytes.takeError());
    return std::nullopt;
  }
  ir::NodeCost cost;
  if (!cost.ParseFromString(*bytes)) return std::nullopt;  // a damaged entry is simulated again
  return cost;
}

llvm::Error SimCache::store(const std::string &key, const ir::NodeCost &cost) const {
  if (dir_.empty()) return llvm::Error::success();
  llvm::SmallString<256> path(dir_);
  llvm::sys::path::append(path, key.substr(0, 2));
  if (std::error_code ec = llvm::sys::fs::create_directories(path))
    return makeError(ErrorCode::Io, "cannot create cache folder {0}: {1}", path, ec.message());
  llvm::sys::path::append(path, key + ".nodecost");
  return writeFileAtomically(path, cost.SerializeAsString());
}

}  // namespace pfcomp::sim
