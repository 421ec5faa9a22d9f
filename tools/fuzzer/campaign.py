"""A fuzz campaign: generate programs, run each through every backend, shrink and attribute what fails.

The CPU runs each program alone (a JIT is cheap). On RTL a Verilator build costs
seconds, so programs that passed the frontend run side by side in one circuit
(`union`); only a batch that fails is split into its programs, so every verdict
is still per program. Failures (mismatches and crashes) are shrunk, attributed
and saved as model files; refusals are counted by their stage and op.
"""

from __future__ import annotations

import collections
import concurrent.futures
import multiprocessing
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from common.atomic import atomic_write_text
from tools.fuzzer.attribute import Attribution, attribute
from tools.fuzzer.generate import GeneratorOptions, generate
from tools.fuzzer.program import Program, render, union
from tools.fuzzer.run import LinalgRewrite, Verdict, check_backend, lower_to_linalg, run_program, worst
from tools.fuzzer.shrink import shrink


@dataclass(frozen=True)
class CampaignOptions:
    """Programs `start` .. `start + count - 1` of campaign `seed`. `rtl_batch` programs share one
    circuit; `shrink_budget` bounds the compiles spent shrinking one failure; `jobs` worker processes."""

    count: int = 20
    seed: int = 0
    start: int = 0
    backends: tuple[str, ...] = ("cpu", "rtl")
    rtl_batch: int = 8
    shrink_budget: int = 40
    jobs: int = 1
    generator: GeneratorOptions = field(default_factory=GeneratorOptions)


@dataclass(frozen=True)
class Outcome:
    index: int
    verdicts: tuple[Verdict, ...]

    @property
    def verdict(self) -> Verdict:
        return worst(list(self.verdicts))


@dataclass(frozen=True)
class Finding:
    """A failure, shrunk: `line` is the attributed op's line in `file`, the saved model file."""

    index: int
    verdict: Verdict
    nodes_before: int
    program: Program
    attribution: Attribution | None
    file: Path
    line: int | None

    def describe(self) -> str:
        head = (f"{self.verdict.status.upper()} {self.verdict.backend}: program {self.index} "
                f"({self.nodes_before} ops, shrunk to {len(self.program.nodes)})")
        if self.attribution is not None:
            return f"{head}: first differing op `{self.attribution.node.code}` at {self.file}:{self.line}"
        if self.verdict.status == "mismatch":
            return f"{head}: no single op's value differs on its own; the program is {self.file}"
        return f"{head}: {self.verdict.reason}; the program is {self.file}"


@dataclass
class Summary:
    outcomes: list[Outcome]
    findings: list[Finding]

    def count(self, status: str) -> int:
        return sum(o.verdict.status == status for o in self.outcomes)

    @property
    def refusals(self) -> collections.Counter:
        return collections.Counter(o.verdict.reason for o in self.outcomes if o.verdict.status == "refused")

    def lines(self) -> list[str]:
        lines = [finding.describe() for finding in self.findings]
        first = {}
        for outcome in self.outcomes:
            first.setdefault(outcome.verdict.reason, outcome.index)
        lines += [f"refused {n}x  {reason}  (first: program {first[reason]})" for reason, n in self.refusals.most_common()]
        lines.append(f"crashes: {self.count('crash')}")
        lines.append(f"fuzz: {len(self.outcomes)} programs, {self.count('mismatch')} mismatches, "
                     f"{self.count('refused')} refused")
        return lines

    @property
    def clean(self) -> bool:
        return self.count("mismatch") == 0 and self.count("crash") == 0


def run_campaign(options: CampaignOptions, out: Path, linalg_rewrite: LinalgRewrite | None = None,
                 log: Callable[[str], None] = print) -> Summary:
    """Run the campaign; failures are shrunk, attributed and saved under `out`."""
    indices = list(range(options.start, options.start + options.count))
    chunks = [indices[i:i + options.rtl_batch] for i in range(0, len(indices), options.rtl_batch)]
    outcomes: list[Outcome] = []

    def collect(chunk_outcomes: list[Outcome]) -> None:
        outcomes.extend(chunk_outcomes)
        bad = [o for o in chunk_outcomes if o.verdict.status in ("mismatch", "crash")]
        log(f"[{len(outcomes)}/{len(indices)}] " + ", ".join(f"program {o.index}: {o.verdict.status} on "
                                                             f"{o.verdict.backend}" for o in bad))

    if options.jobs > 1:
        context = multiprocessing.get_context("spawn")  # torch and forked workers do not mix with threads
        with concurrent.futures.ProcessPoolExecutor(options.jobs, mp_context=context) as pool:
            for chunk_outcomes in pool.map(run_chunk, [options] * len(chunks), chunks, [linalg_rewrite] * len(chunks)):
                collect(chunk_outcomes)
    else:
        for chunk in chunks:
            collect(run_chunk(options, chunk, linalg_rewrite))
    findings = []
    for outcome in outcomes:
        for verdict in outcome.verdicts:
            if verdict.status in ("mismatch", "crash"):
                log(f"shrinking program {outcome.index} ({verdict.status} on {verdict.backend})")
                program = generate(options.seed, outcome.index, options.generator)
                path = out / f"fuzz_s{options.seed}_p{outcome.index}_{verdict.backend}.py"
                findings.append(investigate(program, outcome.index, verdict, path, options.shrink_budget,
                                            linalg_rewrite))
    return Summary(outcomes, findings)


def run_chunk(options: CampaignOptions, indices: list[int], linalg_rewrite: LinalgRewrite | None) -> list[Outcome]:
    """Every backend's verdict on each program of the chunk (top level, so a worker process can run it)."""
    programs = {i: generate(options.seed, i, options.generator) for i in indices}
    verdicts: dict[int, list[Verdict]] = {i: [] for i in indices}
    with tempfile.TemporaryDirectory(prefix="torch-circt-fuzz-") as scratch:
        fronts = {}
        for i, program in programs.items():
            front = lower_to_linalg(program, Path(scratch) / f"program_{i}.py")
            if isinstance(front, Verdict):
                verdicts[i] = [replace(front, backend=b) for b in options.backends]
                continue
            fronts[i] = front
            if "cpu" in options.backends:
                verdicts[i].append(check_backend(front, "cpu", linalg_rewrite))
        if "rtl" in options.backends and fronts:
            batch = union([programs[i] for i in fronts], f"fuzz seed {options.seed}, programs {', '.join(map(str, fronts))}")
            shared = run_program(batch, "rtl", Path(scratch) / "batch.py", linalg_rewrite) if len(fronts) > 1 else None
            for i, front in fronts.items():
                if shared is not None and shared.status == "match":
                    verdicts[i].append(Verdict("match", "rtl", f"in one circuit with {len(fronts) - 1} other programs"))
                else:
                    verdicts[i].append(check_backend(front, "rtl", linalg_rewrite))
    return [Outcome(i, tuple(verdicts[i])) for i in indices]


def investigate(program: Program, index: int, verdict: Verdict, path: Path, budget: int,
                linalg_rewrite: LinalgRewrite | None = None) -> Finding:
    """Shrink the failing program, find the first op that differs, save it as the model file `path`."""
    with tempfile.TemporaryDirectory(prefix="torch-circt-fuzz-") as scratch:
        def run(candidate: Program) -> Verdict:
            return run_program(candidate, verdict.backend, Path(scratch) / "candidate.py", linalg_rewrite)

        shrunk, tries = shrink(program, lambda c: run(c).status == verdict.status, budget)
        final = run(shrunk) if tries else verdict
        attribution = attribute(shrunk, run) if verdict.status == "mismatch" else None
    notes = [f"{verdict.status} on {verdict.backend}, shrunk from {len(program.nodes)} ops in {tries} tries:",
             *(f"    {line}" for line in final.detail.splitlines()[:12])]
    if attribution is not None:
        notes.append(f"First differing op ({attribution.how}): {attribution.node.code}")
    text, where = render(shrunk, notes)
    atomic_write_text(path, text)
    line = where[attribution.node.name] if attribution is not None else None
    return Finding(index, verdict, len(program.nodes), shrunk, attribution, path, line)
