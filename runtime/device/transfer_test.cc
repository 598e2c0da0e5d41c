#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "runtime/device/transfer.h"
#include "runtime/device/transfer_gather.h"

#include <cstring>
#include <numeric>
#include <random>
#include <vector>

using namespace pfcomp::device;

namespace {

// A random window over a random buffer: offsets, scales, divisors, reduction terms, steps
// (negative and zero too), an LM axis order and sometimes an fp16 tile, on a layer whose tiles
// may overhang its extent.
Program randomTransfer(std::mt19937 &rng, Instr::Kind kind) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Program p;
  p.set_dram_bytes(1 << 16);
  Layer *layer = p.add_layers();
  layer->set_name("layer");
  const int spaceRank = pick(1, 3);
  for (int a = 0; a < spaceRank; ++a) {
    int space = pick(1, 8), tile = pick(1, 4);
    layer->add_space(space);
    layer->add_out_tile(tile);
    layer->add_grid((space + tile - 1) / tile);
  }
  layer->add_red_chunk(pick(1, 3));
  Buffer *b = p.add_buffers();
  b->set_name("b");
  b->set_dtype(F32);
  const int rank = pick(1, 4);
  int64_t elems = 1;
  for (int a = 0; a < rank; ++a) {
    b->add_shape(pick(1, 9));
    elems *= b->shape(a);
  }
  b->set_dram_offset(64);
  b->set_bytes(elems * 4);
  Instr *in = p.add_instrs();
  in->set_kind(kind);
  in->set_layer(0);
  in->add_red_coords(pick(0, 2));
  Transfer *x = in->mutable_xfer();
  x->set_buffer(0);
  x->set_pad(-1.5);
  x->set_lm_addr(pick(0, 3) * 4);
  if (pick(0, 4) == 0) x->set_lm_dtype(F16);  // mixed precision: converted on the way
  for (int a = 0; a < rank; ++a) {
    AxisMap *m = x->add_axes();
    m->set_follows(pick(-1, spaceRank - 1));
    m->set_scale(pick(-2, 3));
    m->set_offset(pick(-3, 3));
    m->set_size(pick(1, 5));
    m->set_step(kind == Instr::LOAD ? pick(-1, 2) : (pick(0, 1) ? 1 : pick(0, 1) ? 2 : -1));
    if (pick(0, 3) == 0) m->set_div(2);
    if (kind == Instr::LOAD && pick(0, 3) == 0) {
      m->set_red_follows(0);
      m->set_red_scale(pick(1, 2));
    }
  }
  std::vector<int> perm(rank);
  std::iota(perm.begin(), perm.end(), 0);
  std::shuffle(perm.begin(), perm.end(), rng);
  for (int v : perm) x->add_lm_perm(v);
  return p;
}

}  // namespace

TEST_CASE("planned loads and stores move what the element-by-element path moves") {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 3000; ++trial) {
    const Instr::Kind kind = trial % 2 ? Instr::LOAD : Instr::STORE;
    Program p = randomTransfer(rng, kind);
    REQUIRE(!validateTransfer(p, p.instrs(0), 4096));
    const Instr &in = p.instrs(0);
    TileWalker tiles(p.layers(0), in);
    TransferPlan plan(p, in, tiles);
    std::vector<uint8_t> dramA(p.dram_bytes()), dramB, lmA(4096), lmB;
    for (size_t i = 0; i < dramA.size(); i += 4) {
      float v = static_cast<float>(i / 4);
      std::memcpy(&dramA[i], &v, 4);
    }
    for (size_t i = 0; i < lmA.size(); ++i) lmA[i] = static_cast<uint8_t>(i * 7);
    dramB = dramA;
    lmB = lmA;
    int64_t start[16];
    for (int64_t t = 0; t < tiles.numTiles(); ++t) {
      tiles.tileStart(t, start);
      plan.run(start, dramA.data(), lmA.data());
      if (kind == Instr::LOAD) gatherLoad(p, in, start, tiles.redStarts(), dramB.data(), lmB.data());
      else scatterStore(p, in, p.layers(0), start, dramB.data(), lmB.data());
      INFO("trial " << trial << " tile " << t << "\n" << p.DebugString());
      REQUIRE(lmA == lmB);
      REQUIRE(dramA == dramB);
    }
  }
}

TEST_CASE("tile start ranges match walking the tiles") {
  std::mt19937 rng(3);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int trial = 0; trial < 500; ++trial) {
    Layer layer;
    Instr in;
    const int rank = pick(1, 4);
    for (int a = 0; a < rank; ++a) {
      layer.add_grid(pick(1, 5));
      layer.add_out_tile(pick(1, 3));
    }
    TileWalker tiles(layer, in);
    const int64_t first = pick(0, static_cast<int>(tiles.numTiles()) - 1), count = pick(1, 40);
    int64_t lo[16], hi[16], start[16], wlo[16], whi[16];
    tiles.startRange(first, count, lo, hi);
    tiles.tileStart(first, start);
    for (int a = 0; a < rank; ++a) wlo[a] = whi[a] = start[a];
    for (int64_t t = 1; t < count; ++t) {
      tiles.nextTile(start);
      for (int a = 0; a < rank; ++a) wlo[a] = std::min(wlo[a], start[a]), whi[a] = std::max(whi[a], start[a]);
    }
    for (int a = 0; a < rank; ++a) {
      REQUIRE(lo[a] == wlo[a]);
      REQUIRE(hi[a] == whi[a]);
    }
  }
}
