"""A hand-written stream top and its manifest: what the harness and the testbench drive in stream mode,
without the compiler's stream wrapper. `add_one` takes two int8 tensors `a` and `b` (2x3) on two input
streams, in any interleaving, and sends `a + b + 1` widened to int16 on one output stream once both are in.
"""

from __future__ import annotations

import numpy as np

from backend.rtl.manifest import Channel, Memory, PortManifest, StreamPort

SHAPE = (2, 3)
DEPTH = 6
# Both inputs arrive in cycles 1..6 when nothing stalls; the result leaves in cycles 7..12.
UNSTALLED_CYCLES = 12
# The output's tlast as written; replace it to make a design that breaks the AXI4-Stream rule.
GOOD_TLAST = "assign y_tlast = y_n == N - 1;"

ADD_ONE_SV = f"""module add_one (
  input logic clock, input logic reset,
  input logic [7:0] a_tdata, input logic a_tvalid, input logic a_tlast, output logic a_tready,
  input logic [7:0] b_tdata, input logic b_tvalid, input logic b_tlast, output logic b_tready,
  output logic [15:0] result0_tdata, output logic result0_tvalid, output logic result0_tlast,
  input logic result0_tready
);
  localparam int N = {DEPTH};
  logic [7:0] a_q [0:N-1];
  logic [7:0] b_q [0:N-1];
  int a_n, b_n, y_n;
  wire [7:0] a_y = a_q[y_n];
  wire [7:0] b_y = b_q[y_n];
  wire y_tlast;
  {GOOD_TLAST}
  assign a_tready = a_n < N;
  assign b_tready = b_n < N;
  assign result0_tvalid = a_n == N && b_n == N;
  assign result0_tdata = {{{{8{{a_y[7]}}}}, a_y}} + {{{{8{{b_y[7]}}}}, b_y}} + 16'd1;
  assign result0_tlast = y_tlast;
  always_ff @(posedge clock) begin
    if (reset) begin
      a_n <= 0; b_n <= 0; y_n <= 0;
    end else begin
      if (a_tvalid && a_tready) begin a_q[a_n] <= a_tdata; a_n <= a_n + 1; end
      if (b_tvalid && b_tready) begin b_q[b_n] <= b_tdata; b_n <= b_n + 1; end
      if (result0_tvalid && result0_tready) begin
        if (y_n == N - 1) begin a_n <= 0; b_n <= 0; y_n <= 0; end
        else y_n <= y_n + 1;
      end
    end
  end
endmodule
"""


def _stream(name: str, width: int, direction: str) -> StreamPort:
    return StreamPort(f"{name}_tdata", f"{name}_tvalid", f"{name}_tready", f"{name}_tlast", width, direction)


def stream_manifest() -> PortManifest:
    """`add_one`'s manifest as the stream wrapper would write it: start and done name an inner circuit."""
    a = Memory("a", "arg", 0, "int8", 8, True, SHAPE, DEPTH, stream=_stream("a", 8, "in"))
    b = Memory("b", "arg", 1, "int8", 8, True, SHAPE, DEPTH, stream=_stream("b", 8, "in"))
    y = Memory("result0", "result", 0, "int16", 16, True, SHAPE, DEPTH, stream=_stream("result0", 16, "out"))
    return PortManifest("add_one", "clock", "reset", True, Channel(None, "start_valid", "start_ready"),
                        Channel(None, "done_valid", "done_ready"), (a, b, y), loop_bound=DEPTH, interface="stream")


def inputs() -> tuple[np.ndarray, np.ndarray]:
    a = np.array([[1, -1, 127], [-128, 0, 5]], dtype=np.int8)
    b = np.array([[2, -3, 127], [-128, -1, 9]], dtype=np.int8)
    return a, b


def expected(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a.astype(np.int16) + b.astype(np.int16) + 1
