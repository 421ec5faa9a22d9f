// Generic Verilator harness for a CIRCT handshake design, compiled once into the runtime.
//
// The design's part (ports.cpp, see harness.h) makes the Verilated top and lists
// its ports; nothing in this file knows a particular model. By default (no stall
// pattern) memories answer every load one cycle after the address handshake (a FIFO
// of answers, so any number in flight), accept every store immediately and return
// its `done` token the next cycle; every ready the harness drives is high.
// A stall pattern (seed, ready_low, max_latency; backend/sim/simulator.py StallPattern)
// drives each of those readies (load addr, store request, done) low with probability
// ready_low per cycle, delays the start valid by as many cycles (once high it stays high
// until accepted), and answers each load / returns each store `done` after a latency drawn
// uniformly from 1..max_latency cycles, still in order (the head of the FIFO becomes valid
// only when its time has come). A splitmix64 generator seeded by `seed`: same seed, same cycles.
// Several memory images (one per inference) run back to back without reset: a memory top gets
// start again after each done, on the next image; a stream top's input streams move on to the
// next image as soon as the last element of the current one is taken, so a circuit that can take
// inference k+1 while finishing k is fed as a stream. Each inference's cycles, the cycle its first
// input was taken and the cycle it completed, and its memories are returned.
//
// A stream top (its ports.cpp binds stream_inputs and stream_outputs and leaves start and done
// unbound) has no start or done of its own: each input stream offers its memory's elements in
// order, tlast with the last, tvalid held with the same data until the transfer (a stall pattern
// delays raising it, as it delays start); each output stream's tready is high (low with
// probability ready_low per cycle) and its transfers fill its memory in order. An inference ends
// when every output has sent its memory's depth; a tlast on any other element, or one element
// too many, is an error. Loads and stores (parameters with ports) are answered as above.
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

// A null signal (start and done of a stream top) reads low and ignores writes.
bool flag(const Signal& s) { return s.data != nullptr && *static_cast<const uint8_t*>(s.data) != 0; }
void set(const Signal& s, bool v) {
  if (s.data != nullptr) *static_cast<uint8_t*>(s.data) = v;
}

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

struct Answer { uint64_t value, due; };  // due: the first cycle the answer may be valid
struct LoadState { std::deque<Answer> answers; uint64_t addr_fired = 0, data_fired = 0; };
struct StoreState { std::deque<uint64_t> pending; uint64_t request_fired = 0, done_fired = 0; };  // due cycles
// `count`: elements transferred in this inference; `fired`: in all of them; `offered`: an input's tvalid is up.
struct StreamState { uint64_t count = 0, fired = 0, inference = 0; bool offered = false; };  // count: of this inference

// splitmix64 (Steele, Lea, Flood 2014): small, fast, and the same numbers on every platform.
struct Stalls {
  uint64_t state;
  double ready_low;
  uint64_t max_latency;
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // A ready the harness drives this cycle: no random number is drawn when nothing stalls.
  bool ready() { return ready_low <= 0.0 || static_cast<double>(next() >> 11) * 0x1.0p-53 >= ready_low; }
  uint64_t latency() { return max_latency <= 1 ? 1 : 1 + next() % max_latency; }
};

std::string channel_state(const Channel& c, uint64_t fired, bool tb_drives_valid) {
  std::ostringstream s;
  s << c.name << ": valid=" << flag(c.valid) << (tb_drives_valid ? "(tb)" : "") << " ready=" << flag(c.ready)
    << (tb_drives_valid ? "" : "(tb)") << " transfers=" << fired;
  return s.str();
}

py::dict run(std::vector<std::vector<std::vector<uint64_t>>> sets, uint64_t cycle_limit, std::string vcd_path,
             uint64_t seed, double ready_low, uint64_t max_latency) {
  if (ready_low < 0.0 || ready_low >= 1.0) throw std::runtime_error("ready_low must be in [0, 1)");
  if (max_latency < 1) throw std::runtime_error("max_latency must be at least 1");
  if (sets.empty()) throw std::runtime_error("at least one inference's memories are needed");
  const uint64_t inferences = sets.size();
  Stalls stalls{seed, ready_low, max_latency};
  const Design& d = design();
  for (auto& set_ : sets) {
    if (set_.size() != d.memories.size()) throw std::runtime_error("expected " + std::to_string(d.memories.size()) + " memories");
    for (size_t i = 0; i < set_.size(); ++i) {
      if (set_[i].size() != d.memories[i].depth) throw std::runtime_error(std::string("memory ") + d.memories[i].name + " has wrong size");
      for (auto& v : set_[i]) v &= mask(d.memories[i].width);
    }
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
  for (auto& s : m.stream_inputs) set(s.handshake.valid, false);
  for (auto& s : m.stream_outputs) set(s.handshake.ready, false);
  set(m.clock, false); set(m.reset, true);
  for (int i = 0; i < 4; ++i) { clock_to(true); clock_to(false); }
  set(m.reset, false);

  bool started = false, finished = false, start_offered = false;
  uint64_t cycles = 0, last_activity = 0, start_fired = 0, done_fired = 0, inference_start = 0;
  std::vector<uint64_t> inference_cycles;  // each since the previous one completed (the first: since reset)
  std::vector<int64_t> first_inputs(inferences, -1);  // the cycle each inference's first input was taken
  uint64_t current = 0;  // the oldest inference not completed: memory ports and results use its memories
  std::vector<bool> addr_ready(m.loads.size()), request_ready(m.stores.size());
  const bool stream = !m.stream_inputs.empty() || !m.stream_outputs.empty();
  std::vector<StreamState> inputs(m.stream_inputs.size()), outputs(m.stream_outputs.size());
  std::vector<bool> output_ready(m.stream_outputs.size());
  std::string error;
  while (!finished && cycles - inference_start < cycle_limit && error.empty()) {
    auto& mems = sets[current];
    bool done_ready = false;
    if (stream) {
      for (size_t i = 0; i < m.stream_inputs.size(); ++i) {
        const StreamPort& s = m.stream_inputs[i];
        StreamState& state = inputs[i];
        const uint64_t depth = d.memories[s.memory].depth;
        const bool pending = state.inference < inferences;
        if (pending && !state.offered) state.offered = stalls.ready();  // once offered, held until taken
        set(s.handshake.valid, pending && state.offered);
        write_value(s.data, pending ? sets[state.inference][s.memory][state.count] : 0);
        set(s.last, state.count + 1 == depth);
      }
      for (size_t i = 0; i < m.stream_outputs.size(); ++i) {
        output_ready[i] = stalls.ready();
        set(m.stream_outputs[i].handshake.ready, output_ready[i]);
      }
    } else {
      if (!started && !start_offered) start_offered = stalls.ready();  // once offered, held until accepted
      set(m.start.valid, !started && start_offered);
      done_ready = stalls.ready();
      set(m.done.ready, done_ready);
    }
    for (size_t i = 0; i < m.loads.size(); ++i) {
      auto& answers = loads[i].answers;
      bool due = !answers.empty() && answers.front().due <= cycles;
      addr_ready[i] = stalls.ready();
      set(m.loads[i].addr.ready, addr_ready[i]);
      set(m.loads[i].data.valid, due);
      write_value(m.loads[i].value, due ? answers.front().value : 0);
    }
    for (size_t i = 0; i < m.stores.size(); ++i) {
      request_ready[i] = stalls.ready();
      set(m.stores[i].request.ready, request_ready[i]);
      set(m.stores[i].done.valid, !stores[i].pending.empty() && stores[i].pending.front() <= cycles);
    }
    // Two evaluations a cycle: the new inputs with the clock low (the circuit is
    // posedge-only, so the falling edge needs no evaluation of its own), then the rising edge.
    clock_to(false);
    bool active = false;
    for (size_t i = 0; i < m.loads.size(); ++i) {
      const LoadPort& l = m.loads[i];
      LoadState& state = loads[i];
      if (!state.answers.empty() && state.answers.front().due <= cycles && flag(l.data.ready)) {
        state.answers.pop_front(); ++state.data_fired; active = true;
      }
      if (addr_ready[i] && flag(l.addr.valid)) {
        uint64_t a = read_field(l.address, 0, l.address_width);
        const Memory& mem = d.memories[l.memory];
        if (a >= mem.depth) { error = std::string("load from ") + l.addr.name + " at address " + std::to_string(a) + " beyond depth " + std::to_string(mem.depth); break; }
        state.answers.push_back(Answer{mems[l.memory][a], cycles + stalls.latency()}); ++state.addr_fired; active = true;
      }
    }
    for (size_t i = 0; i < m.stores.size() && error.empty(); ++i) {
      const StorePort& s = m.stores[i];
      StoreState& state = stores[i];
      if (!state.pending.empty() && state.pending.front() <= cycles && flag(s.done.ready)) {
        state.pending.pop_front(); ++state.done_fired; active = true;
      }
      if (request_ready[i] && flag(s.request.valid)) {
        uint64_t a = read_field(s.packed, s.data_width, s.addr_width), v = read_field(s.packed, 0, s.data_width);
        const Memory& mem = d.memories[s.memory];
        if (a >= mem.depth) { error = std::string("store to ") + s.request.name + " at address " + std::to_string(a) + " beyond depth " + std::to_string(mem.depth); break; }
        mems[s.memory][a] = v & mask(mem.width); state.pending.push_back(cycles + stalls.latency()); ++state.request_fired; active = true;
      }
    }
    bool done_now;
    if (stream) {
      for (size_t i = 0; i < m.stream_inputs.size(); ++i) {
        StreamState& state = inputs[i];
        if (state.offered && flag(m.stream_inputs[i].handshake.ready)) {
          if (first_inputs[state.inference] < 0) first_inputs[state.inference] = static_cast<int64_t>(cycles);
          ++state.count; ++state.fired; state.offered = false; active = true;
          if (state.count == d.memories[m.stream_inputs[i].memory].depth) { state.count = 0; ++state.inference; }
        }
      }
      for (size_t i = 0; i < m.stream_outputs.size() && error.empty(); ++i) {
        const StreamPort& s = m.stream_outputs[i];
        StreamState& state = outputs[i];
        if (!output_ready[i] || !flag(s.handshake.valid)) continue;
        const Memory& mem = d.memories[s.memory];
        const std::string at = std::string(s.handshake.name) + " element " + std::to_string(state.count);
        if (state.inference >= inferences) { error = at + ": more elements than " + std::to_string(inferences) + " inference(s) of depth " + std::to_string(mem.depth); break; }
        const bool last = state.count + 1 == mem.depth;
        if (flag(s.last) != last) { error = at + " of " + std::to_string(mem.depth) + ": tlast " + (last ? "low" : "high"); break; }
        sets[state.inference][s.memory][state.count] = read_field(s.data, 0, s.width) & mask(mem.width);
        ++state.count; ++state.fired; active = true;
        if (state.count == mem.depth) { state.count = 0; ++state.inference; }
      }
      done_now = error.empty();
      for (size_t i = 0; i < outputs.size(); ++i) done_now = done_now && outputs[i].inference > current;
    } else {
      if (!started && start_offered && flag(m.start.ready)) {
        started = true; ++start_fired; active = true; first_inputs[current] = static_cast<int64_t>(cycles);
      }
      done_now = done_ready && flag(m.done.valid);
    }
    if (active) last_activity = cycles;
    clock_to(true);
    ++cycles;
    if (done_now) {
      ++done_fired;
      inference_cycles.push_back(cycles - inference_start);
      if (++current == inferences) {
        finished = true;
      } else {  // the next inference's memories; a memory top is offered start again, without reset
        started = start_offered = false;
        inference_start = cycles;
      }
    }
  }
  std::string status = finished ? "done" : (error.empty() ? "timeout" : "error");
  if (!finished && error.empty()) {
    std::ostringstream s;
    s << "ran " << cycles - inference_start << " cycles (limit " << cycle_limit << ")";
    if (!inference_cycles.empty()) s << " in inference " << inference_cycles.size() + 1 << ", restarted without reset,";
    if (stream) {
      s << " and the result streams never completed; last stream or memory transfer at cycle " << last_activity
        << ". Channel states (stream transfers of the depth, this inference):";
      for (size_t i = 0; i < m.stream_inputs.size(); ++i)
        s << "\n  " << channel_state(m.stream_inputs[i].handshake, inputs[i].count, true) << " of "
          << d.memories[m.stream_inputs[i].memory].depth;
      for (size_t i = 0; i < m.stream_outputs.size(); ++i)
        s << "\n  " << channel_state(m.stream_outputs[i].handshake, outputs[i].count, false) << " of "
          << d.memories[m.stream_outputs[i].memory].depth;
    } else {
      s << " and the done token (" << m.done.name << "_valid) never asserted; start " << (started ? "was accepted" : "was never accepted (start ready stayed low)")
        << "; last memory or control transfer at cycle " << last_activity << ". Channel states:";
      s << "\n  " << channel_state(m.start, start_fired, true) << "\n  " << channel_state(m.done, done_fired, false);
    }
    for (size_t i = 0; i < m.loads.size(); ++i)
      s << "\n  " << channel_state(m.loads[i].addr, loads[i].addr_fired, false) << " | "
        << channel_state(m.loads[i].data, loads[i].data_fired, true) << " answers queued=" << loads[i].answers.size();
    for (size_t i = 0; i < m.stores.size(); ++i)
      s << "\n  " << channel_state(m.stores[i].request, stores[i].request_fired, false) << " | "
        << channel_state(m.stores[i].done, stores[i].done_fired, true) << " done tokens pending=" << stores[i].pending.size();
    error = s.str();
  }
  if (tracer) tracer->close();
  top->final();
  py::dict result;
  result["status"] = status;
  result["cycles"] = inference_cycles.empty() ? cycles - inference_start : inference_cycles.front();
  result["message"] = error;
  result["inference_cycles"] = inference_cycles;
  result["first_inputs"] = std::vector<int64_t>(first_inputs.begin(), first_inputs.begin() + inference_cycles.size());
  result["inference_memories"] = std::vector<std::vector<std::vector<uint64_t>>>(sets.begin(), sets.begin() + inference_cycles.size());
  py::dict transfers;  // per memory port: the benchmark's port-saturation bound reads these
  for (size_t i = 0; i < m.loads.size(); ++i) transfers[py::str(m.loads[i].addr.name)] = loads[i].addr_fired;
  for (size_t i = 0; i < m.stores.size(); ++i) transfers[py::str(m.stores[i].request.name)] = stores[i].request_fired;
  for (size_t i = 0; i < m.stream_inputs.size(); ++i) transfers[py::str(m.stream_inputs[i].handshake.name)] = inputs[i].fired;
  for (size_t i = 0; i < m.stream_outputs.size(); ++i) transfers[py::str(m.stream_outputs[i].handshake.name)] = outputs[i].fired;
  result["transfers"] = transfers;
  return result;
}

}  // namespace

// Every design's PyInit_<module name> (in its ports.cpp) returns this module definition;
// with multi-phase initialisation Python names the module after the file it loaded.
PYBIND11_MODULE(torch_circt_sim, m) {
  m.doc() = "Verilator simulation of a torch-circt design (generated)";
  m.def("run", &run, py::arg("memory_sets"), py::arg("cycle_limit"), py::arg("vcd_path") = "", py::arg("seed") = 0,
        py::arg("ready_low") = 0.0, py::arg("max_latency") = 1);
  m.attr("top") = design().top;
}
