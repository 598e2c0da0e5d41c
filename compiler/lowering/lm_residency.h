// Values kept in LM between layers (the schedule's `residents`, chosen by spill_opt and
// auto_recompute_sa): which tiles a scheduling unit (a chain or a lone node) reads from LM or
// leaves there, and how far its scratch LM may reach. Shared by schedule (to check a choice
// fits) and emit (to build it), so both agree.
#pragma once

#include "compiler/lowering/instr_gen.h"
#include "compiler/lowering/layer_plan.h"

#include "llvm/Support/Error.h"

#include <map>
#include <vector>

namespace pfcomp::lowering {

// True if `next`'s input `input` is exactly `prev`'s output tile in LM: same iteration space,
// element type and LM tile shape, every axis following its own, no reduction over it. `next`
// can then read it where `prev` left it. Both plans are cut with the same tile.
bool readsOutputTile(const LayerPlan &prev, const LayerPlan &next, int input);

// LM bytes of one time step's output tile of `plan` (64-byte aligned).
int64_t outputTileBytes(const LayerPlan &plan);

class LmResidency {
 public:
  explicit LmResidency(const ir::Graph &graph);
  // Does the unit of these nodes read or leave any value in LM?
  bool involves(const std::vector<const ir::Node *> &nodes) const;
  // Sets the links' lm_inputs / lm_output / store for the unit (links[k] runs nodes[k]) and
  // returns the bound its scratch LM must stay under (-1: none).
  int64_t decorate(const std::vector<const ir::Node *> &nodes, std::vector<ChainLink> &links) const;
  // Where values kept in LM begin while the unit runs (-1: none).
  int64_t scratchLimit(const std::vector<const ir::Node *> &nodes) const;

 private:
  struct Live {
    const ir::Schedule::Resident *resident;
    int first = 0, last = 0;  // schedule positions of the producer and the last reader
  };
  std::map<std::string, int> position_;
  std::map<std::string, Live> byValue_;
};

}  // namespace pfcomp::lowering
