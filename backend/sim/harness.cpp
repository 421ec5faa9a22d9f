// Generic Verilator harness for a CIRCT handshake design, driven by ports.h.
//
// ports.h is generated from the port manifest (backend/sim/ports_header.py); it
// defines MODULE_NAME, the Verilated class `Vtop`, the memory table and
// bind_ports(), which wires each manifest channel to accessor lambdas. Nothing in
// this file knows a particular model. Memories answer every load one cycle after
// the address handshake (a FIFO of answers, so any number in flight), accept every
// store immediately and return its `done` token the next cycle.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "verilated.h"
#if VM_TRACE
#include "verilated_vcd_c.h"
#endif
#include "Vtop.h"

namespace py = pybind11;

namespace {

template <typename T>
uint64_t read_field(const T& sig, int lo, int width) {
  uint64_t v = static_cast<uint64_t>(sig) >> lo;
  return width >= 64 ? v : (v & ((uint64_t{1} << width) - 1));
}
template <std::size_t N>
uint64_t read_field(const VlWide<N>& sig, int lo, int width) {
  uint64_t v = 0;
  for (int i = 0; i < width; ++i) {
    int bit = lo + i;
    v |= static_cast<uint64_t>((sig[bit / 32] >> (bit % 32)) & 1u) << i;
  }
  return v;
}
template <typename T>
void write_value(T& sig, uint64_t value) { sig = static_cast<T>(value); }

struct Channel {  // one valid/ready channel; `data` may be empty for a token
  std::string name;
  std::function<bool()> valid;
  std::function<bool()> ready;
  std::function<void(bool)> set_valid;
  std::function<void(bool)> set_ready;
  uint64_t fired = 0;
};
struct LoadBind { int mem; Channel addr, data; std::function<uint64_t()> address; std::function<void(uint64_t)> set_data; std::deque<uint64_t> answers; };
struct StoreBind { int mem; Channel request, done; int addr_width, data_width; std::function<uint64_t(int, int)> field; uint64_t pending = 0; };
struct MemInfo { const char* name; uint64_t depth; int width; };
struct Control { Channel start, done; std::function<void(uint8_t)> clock, reset; };

}  // namespace

#include "ports.h"

namespace {

uint64_t mask(int width) { return width >= 64 ? ~uint64_t{0} : ((uint64_t{1} << width) - 1); }

std::string channel_state(const Channel& c, bool drove_valid, bool drove_ready) {
  std::ostringstream s;
  s << c.name << ": valid=" << (drove_valid ? "1(tb)" : (c.valid ? (c.valid() ? "1" : "0") : "?"))
    << " ready=" << (drove_ready ? "1(tb)" : (c.ready ? (c.ready() ? "1" : "0") : "?")) << " transfers=" << c.fired;
  return s.str();
}

py::dict run(std::vector<std::vector<uint64_t>> mems, uint64_t cycle_limit, std::string vcd_path) {
  auto context = std::make_unique<VerilatedContext>();
  auto top = std::make_unique<Vtop>(context.get());
  std::vector<LoadBind> loads;
  std::vector<StoreBind> stores;
  Control ctl;
  bind_ports(top.get(), loads, stores, ctl);
  if (mems.size() != NUM_MEMS) throw std::runtime_error("expected " + std::to_string(NUM_MEMS) + " memories");
  for (size_t i = 0; i < NUM_MEMS; ++i) {
    if (mems[i].size() != MEMS[i].depth) throw std::runtime_error(std::string("memory ") + MEMS[i].name + " has wrong size");
    for (auto& v : mems[i]) v &= mask(MEMS[i].width);
  }
#if VM_TRACE
  std::unique_ptr<VerilatedVcdC> tracer;
  if (!vcd_path.empty()) {
    context->traceEverOn(true);
    tracer = std::make_unique<VerilatedVcdC>();
    top->trace(tracer.get(), 99);
    tracer->open(vcd_path.c_str());
  }
#else
  if (!vcd_path.empty()) throw std::runtime_error("this simulator was built without --trace; rebuild it to write a VCD");
#endif
  uint64_t time = 0;
  auto tick = [&]() {
    ctl.clock(1); top->eval();
#if VM_TRACE
    if (tracer) tracer->dump(time);
#endif
    ++time;
    ctl.clock(0); top->eval();
#if VM_TRACE
    if (tracer) tracer->dump(time);
#endif
    ++time;
  };
  ctl.start.set_valid(false); ctl.done.set_ready(false);
  for (auto& l : loads) { l.addr.set_ready(false); l.data.set_valid(false); }
  for (auto& s : stores) { s.request.set_ready(false); s.done.set_valid(false); }
  ctl.clock(0); ctl.reset(1);
  for (int i = 0; i < 4; ++i) tick();
  ctl.reset(0); top->eval();

  bool started = false, finished = false;
  uint64_t cycles = 0, last_activity = 0;
  std::string error;
  while (!finished && cycles < cycle_limit && error.empty()) {
    ctl.start.set_valid(!started);
    ctl.done.set_ready(true);
    for (auto& l : loads) {
      l.addr.set_ready(true);
      l.data.set_valid(!l.answers.empty());
      l.set_data(l.answers.empty() ? 0 : l.answers.front());
    }
    for (auto& s : stores) { s.request.set_ready(true); s.done.set_valid(s.pending > 0); }
    top->eval();
    bool active = false;
    for (auto& l : loads) {
      if (!l.answers.empty() && l.data.ready()) { l.answers.pop_front(); ++l.data.fired; active = true; }
      if (l.addr.valid()) {
        uint64_t a = l.address();
        if (a >= MEMS[l.mem].depth) { error = "load from " + l.addr.name + " at address " + std::to_string(a) + " beyond depth " + std::to_string(MEMS[l.mem].depth); break; }
        l.answers.push_back(mems[l.mem][a]); ++l.addr.fired; active = true;
      }
    }
    for (auto& s : stores) {
      if (s.pending > 0 && s.done.ready()) { --s.pending; ++s.done.fired; active = true; }
      if (s.request.valid()) {
        uint64_t a = s.field(s.data_width, s.addr_width), d = s.field(0, s.data_width);
        if (a >= MEMS[s.mem].depth) { error = "store to " + s.request.name + " at address " + std::to_string(a) + " beyond depth " + std::to_string(MEMS[s.mem].depth); break; }
        mems[s.mem][a] = d & mask(MEMS[s.mem].width); ++s.pending; ++s.request.fired; active = true;
      }
    }
    if (!started && ctl.start.ready()) { started = true; ++ctl.start.fired; active = true; }
    if (ctl.done.valid()) { finished = true; ++ctl.done.fired; }
    if (active) last_activity = cycles;
    tick();
    ++cycles;
  }
  std::string status = finished ? "done" : (error.empty() ? "timeout" : "error");
  if (!finished && error.empty()) {
    std::ostringstream s;
    s << "ran " << cycles << " cycles (limit " << cycle_limit << ") and the done token (" << ctl.done.name
      << "_valid) never asserted; start " << (started ? "was accepted" : "was never accepted (start ready stayed low)")
      << "; last memory or control transfer at cycle " << last_activity << ". Channel states:";
    s << "\n  " << channel_state(ctl.start, true, false) << "\n  " << channel_state(ctl.done, false, true);
    for (auto& l : loads) s << "\n  " << channel_state(l.addr, false, true) << " | " << channel_state(l.data, !l.answers.empty(), false) << " answers queued=" << l.answers.size();
    for (auto& st : stores) s << "\n  " << channel_state(st.request, false, true) << " | " << channel_state(st.done, st.pending > 0, false) << " done tokens pending=" << st.pending;
    error = s.str();
  }
#if VM_TRACE
  if (tracer) tracer->close();
#endif
  top->final();
  py::dict result;
  result["status"] = status;
  result["cycles"] = cycles;
  result["message"] = error;
  result["memories"] = mems;
  py::dict transfers;  // per memory port: the benchmark's port-saturation bound reads these
  for (auto& l : loads) transfers[py::str(l.addr.name)] = l.addr.fired;
  for (auto& st : stores) transfers[py::str(st.request.name)] = st.request.fired;
  result["transfers"] = transfers;
  return result;
}

}  // namespace

PYBIND11_MODULE(MODULE_NAME, m) {
  m.doc() = "Verilator simulation of a torch-circt design (generated)";
  m.def("run", &run, py::arg("memories"), py::arg("cycle_limit"), py::arg("vcd_path") = "");
  m.attr("top") = TOP_NAME;
}
