// The contract between the generic harness and one design.
//
// harness.cpp (the run loop and the Python module) is compiled once into the
// simulator runtime (backend/sim/runtime.py); each design adds only ports.cpp,
// generated from its port manifest (backend/sim/ports_source.py), which defines
// `design()` below. Ports are plain pointers into the Verilated top, so the run
// loop reads and writes them directly: no call per channel per cycle.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

class VerilatedContext;

namespace tcsim {

// One port of the Verilated top: its storage and sizeof. Verilator stores a port
// of up to 8/16/32/64 bits in that many bits, wider ones as 32-bit words, low first.
struct Signal {
  void* data = nullptr;  // null for a zero-width port
  unsigned bytes = 0;
};

struct Channel {  // one valid/ready handshake; valid and ready are single bits
  const char* name;
  Signal valid, ready;
};

struct LoadPort {  // the circuit sends `addr` (payload `address`); the harness answers on `data` (payload `value`)
  int memory;
  Channel addr, data;
  Signal address;
  int address_width;
  Signal value;
};

struct StorePort {  // one packed {address (high bits), data (low bits)} request, one `done` token back
  int memory;
  Channel request, done;
  Signal packed;
  int addr_width, data_width;
};

// One AXI4-Stream port of a stream top: `handshake` is {tvalid, tready}, named after tdata. An input
// (a slave of the harness) fills memory `memory` element by element, an output empties the circuit into it.
struct StreamPort {
  int memory;
  Channel handshake;
  Signal data, last;
  int width;
};

struct Memory {
  const char* name;
  uint64_t depth;
  int width;
};

// One Verilated top with its ports bound.
class Model {
 public:
  virtual ~Model() = default;
  virtual void eval() = 0;
  virtual void final() = 0;
  Channel start{}, done{};  // unbound (null Signals) on a stream top, whose streams replace them
  Signal clock, reset;
  std::vector<LoadPort> loads;
  std::vector<StorePort> stores;
  std::vector<StreamPort> stream_inputs, stream_outputs;
};

struct Design {
  const char* top;
  bool traceable;  // verilated with --trace
  std::vector<Memory> memories;
  std::unique_ptr<Model> (*make)(VerilatedContext& context);
};

const Design& design();  // defined by the generated ports.cpp

}  // namespace tcsim
