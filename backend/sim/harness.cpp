// Generic Verilator harness for a CIRCT handshake design, compiled once into the runtime.
//
// The design's part (ports.cpp, see harness.h) makes the Verilated top and lists
// its ports; nothing in this file knows a particular model. Memories answer every
// load one cycle after the address handshake (a FIFO of answers, so any number in
// flight), accept every store immediately and return its `done` token the next cycle.
#include "harness.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <sstream>
#include <string>

#include "verilated.h"
#include "verilated_vcd_c.h"

namespace py = pybind11;
using namespace tcsim;

namespace {

uint64_t mask(int width) { return width >= 64 ? ~uint64_t{0} : ((uint64_t{1} << width) - 1); }

bool flag(const Signal& s) { return *static_cast<const uint8_t*>(s.data) != 0; }
void set(const Signal& s, bool v) { *static_cast<uint8_t*>(s.data) = v; }

// Bits [lo, lo + width) of a port, width <= 64.
uint64_t read_field(const Signal& s, int lo, int width) {
  if (s.data == nullptr) return 0;
  if (s.bytes <= 8) {
    uint64_t v = 0;
    std::memcpy(&v, s.data, s.bytes);
    return (v >> lo) & mask(width);
  }
  const auto* words = static_cast<const uint32_t*>(s.data);
  uint64_t v = 0;
  for (int done = 0; done < width;) {
    int bit = lo + done, offset = bit % 32, take = std::min(32 - offset, width - done);
    v |= ((uint64_t{words[bit / 32]} >> offset) & mask(take)) << done;
    done += take;
  }
  return v;
}

void write_value(const Signal& s, uint64_t v) {
  if (s.bytes > 8) std::memset(s.data, 0, s.bytes);
  std::memcpy(s.data, &v, std::min<unsigned>(s.bytes, 8));
}

struct LoadState { std::deque<uint64_t> answers; uint64_t addr_fired = 0, data_fired = 0; };
struct StoreState { uint64_t pending = 0, request_fired = 0, done_fired = 0; };

std::string channel_state(const Channel& c, uint64_t fired, bool tb_drives_valid) {
  std::ostringstream s;
  s << c.name << ": valid=" << flag(c.valid) << (tb_drives_valid ? "(tb)" : "") << " ready=" << flag(c.ready)
    << (tb_drives_valid ? "" : "(tb)") << " transfers=" << fired;
  return s.str();
}

py::dict run(std::vector<std::vector<uint64_t>> mems, uint64_t cycle_limit, std::string vcd_path) {
  const Design& d = design();
  if (mems.size() != d.memories.size()) throw std::runtime_error("expected " + std::to_string(d.memories.size()) + " memories");
  for (size_t i = 0; i < mems.size(); ++i) {
    if (mems[i].size() != d.memories[i].depth) throw std::runtime_error(std::string("memory ") + d.memories[i].name + " has wrong size");
    for (auto& v : mems[i]) v &= mask(d.memories[i].width);
  }
  if (!vcd_path.empty() && !d.traceable) throw std::runtime_error("this simulator was built without --trace; rebuild it to write a VCD");
  auto context = std::make_unique<VerilatedContext>();
  context->traceEverOn(!vcd_path.empty());
  std::unique_ptr<Model> top = d.make(*context);
  std::unique_ptr<VerilatedVcdC> tracer;
  if (!vcd_path.empty()) {
    tracer = std::make_unique<VerilatedVcdC>();
    context->trace(tracer.get(), 99);
    tracer->open(vcd_path.c_str());
  }
  const Model& m = *top;
  uint64_t time = 0;
  auto clock_to = [&](bool level) {
    set(m.clock, level); top->eval();
    if (tracer) tracer->dump(time);
    ++time;
  };
  std::vector<LoadState> loads(m.loads.size());
  std::vector<StoreState> stores(m.stores.size());
  set(m.start.valid, false); set(m.done.ready, false);
  for (auto& l : m.loads) { set(l.addr.ready, false); set(l.data.valid, false); }
  for (auto& s : m.stores) { set(s.request.ready, false); set(s.done.valid, false); }
  set(m.clock, false); set(m.reset, true);
  for (int i = 0; i < 4; ++i) { clock_to(true); clock_to(false); }
  set(m.reset, false);

  bool started = false, finished = false;
  uint64_t cycles = 0, last_activity = 0, start_fired = 0;
  std::string error;
  while (!finished && cycles < cycle_limit && error.empty()) {
    set(m.start.valid, !started);
    set(m.done.ready, true);
    for (size_t i = 0; i < m.loads.size(); ++i) {
      auto& answers = loads[i].answers;
      set(m.loads[i].addr.ready, true);
      set(m.loads[i].data.valid, !answers.empty());
      write_value(m.loads[i].value, answers.empty() ? 0 : answers.front());
    }
    for (size_t i = 0; i < m.stores.size(); ++i) { set(m.stores[i].request.ready, true); set(m.stores[i].done.valid, stores[i].pending > 0); }
    // Two evaluations a cycle: the new inputs with the clock low (the circuit is
    // posedge-only, so the falling edge needs no evaluation of its own), then the rising edge.
    clock_to(false);
    bool active = false;
    for (size_t i = 0; i < m.loads.size(); ++i) {
      const LoadPort& l = m.loads[i];
      LoadState& state = loads[i];
      if (!state.answers.empty() && flag(l.data.ready)) { state.answers.pop_front(); ++state.data_fired; active = true; }
      if (flag(l.addr.valid)) {
        uint64_t a = read_field(l.address, 0, l.address_width);
        const Memory& mem = d.memories[l.memory];
        if (a >= mem.depth) { error = std::string("load from ") + l.addr.name + " at address " + std::to_string(a) + " beyond depth " + std::to_string(mem.depth); break; }
        state.answers.push_back(mems[l.memory][a]); ++state.addr_fired; active = true;
      }
    }
    for (size_t i = 0; i < m.stores.size() && error.empty(); ++i) {
      const StorePort& s = m.stores[i];
      StoreState& state = stores[i];
      if (state.pending > 0 && flag(s.done.ready)) { --state.pending; ++state.done_fired; active = true; }
      if (flag(s.request.valid)) {
        uint64_t a = read_field(s.packed, s.data_width, s.addr_width), v = read_field(s.packed, 0, s.data_width);
        const Memory& mem = d.memories[s.memory];
        if (a >= mem.depth) { error = std::string("store to ") + s.request.name + " at address " + std::to_string(a) + " beyond depth " + std::to_string(mem.depth); break; }
        mems[s.memory][a] = v & mask(mem.width); ++state.pending; ++state.request_fired; active = true;
      }
    }
    if (!started && flag(m.start.ready)) { started = true; ++start_fired; active = true; }
    if (flag(m.done.valid)) finished = true;
    if (active) last_activity = cycles;
    clock_to(true);
    ++cycles;
  }
  std::string status = finished ? "done" : (error.empty() ? "timeout" : "error");
  if (!finished && error.empty()) {
    std::ostringstream s;
    s << "ran " << cycles << " cycles (limit " << cycle_limit << ") and the done token (" << m.done.name
      << "_valid) never asserted; start " << (started ? "was accepted" : "was never accepted (start ready stayed low)")
      << "; last memory or control transfer at cycle " << last_activity << ". Channel states:";
    s << "\n  " << channel_state(m.start, start_fired, true) << "\n  " << channel_state(m.done, 0, false);
    for (size_t i = 0; i < m.loads.size(); ++i)
      s << "\n  " << channel_state(m.loads[i].addr, loads[i].addr_fired, false) << " | "
        << channel_state(m.loads[i].data, loads[i].data_fired, true) << " answers queued=" << loads[i].answers.size();
    for (size_t i = 0; i < m.stores.size(); ++i)
      s << "\n  " << channel_state(m.stores[i].request, stores[i].request_fired, false) << " | "
        << channel_state(m.stores[i].done, stores[i].done_fired, true) << " done tokens pending=" << stores[i].pending;
    error = s.str();
  }
  if (tracer) tracer->close();
  top->final();
  py::dict result;
  result["status"] = status;
  result["cycles"] = cycles;
  result["message"] = error;
  result["memories"] = mems;
  py::dict transfers;  // per memory port: the benchmark's port-saturation bound reads these
  for (size_t i = 0; i < m.loads.size(); ++i) transfers[py::str(m.loads[i].addr.name)] = loads[i].addr_fired;
  for (size_t i = 0; i < m.stores.size(); ++i) transfers[py::str(m.stores[i].request.name)] = stores[i].request_fired;
  result["transfers"] = transfers;
  return result;
}

}  // namespace

// Every design's PyInit_<module name> (in its ports.cpp) returns this module definition;
// with multi-phase initialisation Python names the module after the file it loaded.
PYBIND11_MODULE(torch_circt_sim, m) {
  m.doc() = "Verilator simulation of a torch-circt design (generated)";
  m.def("run", &run, py::arg("memories"), py::arg("cycle_limit"), py::arg("vcd_path") = "");
  m.attr("top") = design().top;
}
