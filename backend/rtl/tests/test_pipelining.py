"""IR in, IR out: the pipelining stages (completion carrier, local constants, throughput buffers)."""

from __future__ import annotations

import re

import pytest

from backend.rtl import circt_side
from backend.rtl.circt_side.completion_carrier import completion_carrier
from backend.rtl.circt_side.wire_completion import wire_completion
from backend.rtl.circt_side.sink_constants import sink_constants
from backend.rtl.circt_side.source_constants import source_constants
from backend.rtl.circt_side.throughput_buffers import CARRIER_SLACK, throughput_buffers
from backend.rtl.circt_side.context import circt_context, parse_in_circt

# out[i] = max(in[i], 0) over 8 elements: one loop, reads `in`, writes `out` once per iteration.
ELEMENTWISE = """
func.func @main(%in: memref<8xi32>, %out: memref<8xi32>) {
  %c0_i32 = arith.constant 0 : i32
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c1 = arith.constant 1 : index
  cf.br ^head(%c0 : index)
^head(%i: index):
  %more = arith.cmpi slt, %i, %c8 : index
  cf.cond_br %more, ^body, ^exit
^body:
  %v = memref.load %in[%i] : memref<8xi32>
  %r = arith.maxsi %v, %c0_i32 : i32
  memref.store %r, %out[%i] : memref<8xi32>
  %next = arith.addi %i, %c1 : index
  cf.br ^head(%next : index)
^exit:
  return
}
"""
# acc[0] += in[i]: the next iteration reads what this one wrote.
REDUCTION = ELEMENTWISE.replace("%out: memref<8xi32>", "%acc: memref<1xi32>").replace(
    """  %v = memref.load %in[%i] : memref<8xi32>
  %r = arith.maxsi %v, %c0_i32 : i32
  memref.store %r, %out[%i] : memref<8xi32>""",
    """  %v = memref.load %in[%i] : memref<8xi32>
  %a = memref.load %acc[%c0] : memref<1xi32>
  %r = arith.addi %v, %a : i32
  memref.store %r, %acc[%c0] : memref<1xi32>""")
# two stores to `out` in one iteration: their order on one port is not the program's.
TWO_STORES = ELEMENTWISE.replace(
    "  memref.store %r, %out[%i] : memref<8xi32>",
    "  memref.store %r, %out[%i] : memref<8xi32>\n  memref.store %v, %out[%c0] : memref<8xi32>")


def rewrite(text: str, transform) -> tuple[object, str]:
    context = circt_context()
    module = parse_in_circt(text, context)
    with context:
        result = transform(module)
        module.operation.verify()
        return result, str(module)


def marks(text: str) -> list[int]:
    """The carrier increments, in block order."""
    return [int(m) for m in re.findall(r"arith.constant (\d+) : i7", text) if m != "0"]


def test_independent_loop_releases_its_accesses_and_the_exit_waits() -> None:
    released, text = rewrite(ELEMENTWISE, completion_carrier)
    assert released == 1
    assert marks(text) == [1, 2]  # body: completed; exit: sequence point
    assert re.search(r"\^bb\d\(%\w+: index, %\w+: i7\)", text), "the loop header carries the token"


@pytest.mark.parametrize("program", [REDUCTION, TWO_STORES], ids=["read-after-write", "two-stores"])
def test_dependent_loop_keeps_its_accesses_on_the_control_path(program: str) -> None:
    released, text = rewrite(program, completion_carrier)
    assert released == 0
    assert marks(text) == [2]


# acc[i] = acc[i] + sum_k in[i*4 + k], the accumulator scalar-replaced: loaded before the k loop,
# kept in a block argument, stored after it. Iterations of i touch distinct acc[i].
ACCUMULATE = """
func.func @main(%in: memref<8xi32>, %acc: memref<2xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  cf.br ^outer(%c0 : index)
^outer(%i: index):
  %more_i = arith.cmpi slt, %i, %c2 : index
  cf.cond_br %more_i, ^pre, ^exit
^pre:
  %a0 = memref.load %acc[%i] : memref<2xi32>
  cf.br ^inner(%c0, %a0 : index, i32)
^inner(%k: index, %a: i32):
  %more_k = arith.cmpi slt, %k, %c4 : index
  cf.cond_br %more_k, ^body, ^post
^body:
  %row = arith.muli %i, %c4 : index
  %at = arith.addi %row, %k : index
  %v = memref.load %in[%at] : memref<8xi32>
  %sum = arith.addi %a, %v : i32
  %next_k = arith.addi %k, %c1 : index
  cf.br ^inner(%next_k, %sum : index, i32)
^post:
  memref.store %a, %acc[%i] : memref<2xi32>
  %next_i = arith.addi %i, %c1 : index
  cf.br ^outer(%next_i : index)
^exit:
  return
}
"""


def test_scalar_replaced_accumulator_is_independent() -> None:
    released, text = rewrite(ACCUMULATE, completion_carrier)
    assert released == 3  # the accumulator's load and store blocks, and the body's load
    assert marks(text) == [1, 1, 1, 2]


@pytest.mark.parametrize("change", [
    ("%acc[%i] : memref<2xi32>\n  cf.br", "%acc[%c0] : memref<2xi32>\n  cf.br"),  # every i: the same acc[0]
    ("memref.store %a, %acc[%i]", "memref.store %i_value, %acc[%i]"),  # stored value not from the load
    ("%more_i = arith.cmpi slt, %i, %c2", "%more_i = arith.cmpi sle, %i, %c2"),  # i not read as an induction variable
], ids=["same-address", "no-data-dependence", "unknown-loop"])
def test_accumulator_that_may_alias_keeps_the_order(change: tuple[str, str]) -> None:
    program = ACCUMULATE.replace(*change)
    if "%i_value" in program:
        program = program.replace("^post:\n", "^post:\n  %i_value = arith.index_cast %i : index to i32\n")
    if "%acc[%c0] : memref<2xi32>\n  cf.br" in program:
        program = program.replace("memref.store %a, %acc[%i]", "memref.store %a, %acc[%c0]")
    released, _ = rewrite(program, completion_carrier)
    assert released == 0


def lowered(text: str, *transforms) -> str:
    """`text` through the carrier threading and the handshake lowering, then `transforms`."""
    _, text = rewrite(text, completion_carrier)
    text = circt_side.run_pipeline(text, "builtin.module(lower-cf-to-handshake)")
    for transform in transforms:
        _, text = rewrite(text, transform)
    return text


def test_done_tokens_trigger_the_carrier_not_the_loop_control() -> None:
    before = lowered(ELEMENTWISE)
    after = lowered(ELEMENTWISE, wire_completion)
    joins_with_dones = r"join %\w+, %\d+#1, %\d+ : none, none, none"
    assert re.search(joins_with_dones, before), "CIRCT joins both done tokens into the body's control"
    assert not re.search(joins_with_dones, after)
    trigger = re.search(r"constant (%\w+) \{value = 1 : i7\}", after).group(1)
    assert re.search(rf"{trigger} = join %\d+#1, %\d+ : none, none", after), "the increment waits for both dones"


def test_sequence_point_makes_the_block_control_wait_for_the_carrier() -> None:
    after = lowered(ELEMENTWISE, wire_completion)
    mark = re.search(r"(%\w+) = constant (%\w+) \{value = 2 : i7\}", after)
    added = re.search(rf"(%\w+) = arith.addi %\w+, {mark.group(1)} : i7", after).group(1)
    waited = re.search(rf"(%\w+) = join {mark.group(2)}, {added} : none, i7", after).group(1)
    assert re.search(rf"return {waited} : none", after), "the function's done waits for every access"


def test_constants_are_cloned_into_their_blocks_then_sourced() -> None:
    clones, text = rewrite(ELEMENTWISE, sink_constants)
    assert clones >= 3  # c8 into the header, c0_i32 and c1 into the body
    body = text[text.index("memref.load") - 200 : text.index("memref.store")]
    assert "arith.constant 0 : i32" in body
    handshake = lowered(text, wire_completion, source_constants)
    for trigger in re.findall(r"= constant (%\w+) \{value = \d+ : (?!i7)", handshake):
        assert re.search(rf"{trigger} = source", handshake), f"constant triggered by {trigger}, not a source"


# out[i, j] = in[i, j] for a 2x4 memory, linearised: the inner loop's header has two predecessors.
NESTED = """
func.func @main(%in: memref<8xi32>, %out: memref<8xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  cf.br ^outer(%c0 : index)
^outer(%i: index):
  %more_i = arith.cmpi slt, %i, %c2 : index
  cf.cond_br %more_i, ^inner(%c0 : index), ^exit
^inner(%j: index):
  %more_j = arith.cmpi slt, %j, %c4 : index
  cf.cond_br %more_j, ^body, ^latch
^body:
  %row = arith.muli %i, %c4 : index
  %k = arith.addi %row, %j : index
  %v = memref.load %in[%k] : memref<8xi32>
  memref.store %v, %out[%k] : memref<8xi32>
  %next_j = arith.addi %j, %c1 : index
  cf.br ^inner(%next_j : index)
^latch:
  %next_i = arith.addi %i, %c1 : index
  cf.br ^outer(%next_i : index)
^exit:
  return
}
"""


def test_throughput_buffers() -> None:
    handshake = lowered(NESTED, wire_completion, source_constants)
    buffered = circt_side.run_pipeline(handshake, circt_side.module_pipeline(circt_side.buffer_passes("cycles", 1)))
    changed, text = rewrite(buffered, throughput_buffers)
    assert changed > 0
    index = re.search(r"%\w+, (%\w+) = control_merge", text).group(1)
    assert re.search(rf"buffer \[\d\] seq {index}\b", buffered), "CIRCT buffers the merge index"
    assert not re.search(rf"buffer \[\d\] seq {index}\b", text), "the merge index feeds the muxes directly"
    store = re.search(r"= store \[(%\w+)\] (%\w+), (%\w+) :", text)
    assert store, "one store"
    for operand in store.groups():
        assert re.search(rf"{operand} = buffer \[1\] seq", text), f"store operand {operand} is buffered"
    select = re.search(r"= mux (%\w+) \[[^\]]*\] : index, i7", text).group(1)
    assert re.search(rf"{select} = buffer \[{CARRIER_SLACK}\] seq", text), "slack on the carrier's select"


# After extmem-to-hw a lone store's done token is a function argument, and the carrier's increment
# reads it directly (a model whose loads all folded away: `x ^ x`, found by the fuzzer).
DONE_AS_ARGUMENT = """
handshake.func @main(%done: none, %start: none, ...) -> (none, i7) {
  %mark = constant %done {value = 1 : i7} : i7
  return %start, %mark : none, i7
}
"""


def test_a_done_token_that_is_an_argument_gets_the_carrier_slack() -> None:
    changed, text = rewrite(DONE_AS_ARGUMENT, throughput_buffers)
    assert changed == 1
    buffered = re.search(rf"(%\w+) = buffer \[{CARRIER_SLACK}\] seq %arg0 : none", text)
    assert buffered and re.search(rf"constant {buffered.group(1)} {{value = 1 : i7}}", text)
