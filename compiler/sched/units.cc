#include "compiler/sched/units.h"

#include <map>
#include <string>

namespace pfcomp::sched {

std::vector<Unit> schedulingUnits(const ir::Graph &g) {
  std::map<std::string, const ir::Node *> byName;
  for (const ir::Node &n : g.nodes()) byName[n.name()] = &n;
  std::map<std::string, int> groupOf;
  for (int i = 0; i < g.schedule().groups_size(); ++i)
    for (const std::string &n : g.schedule().groups(i).nodes()) groupOf[n] = i;
  std::vector<Unit> units;
  for (const std::string &name : g.schedule().order()) {
    auto it = groupOf.find(name);
    if (it == groupOf.end()) {
      units.push_back({byName.at(name)});
    } else if (g.schedule().groups(it->second).nodes(0) == name) {
      Unit u;
      for (const std::string &m : g.schedule().groups(it->second).nodes()) u.push_back(byName.at(m));
      units.push_back(u);
    }
  }
  return units;
}

}  // namespace pfcomp::sched
