"""How fast is ``Workflow.fire`` on the shared machine, and what does each proposal cost?

Run from the repository root::

    PYTHONPATH=. python benchmarks/fire_transitions.py

Prints figures only; it asserts nothing, since timings depend on the machine it runs on.
The engine is meant to keep no per-proposal state, so "retained per subject" should be ~0.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from dataclasses import dataclass

from transitions import Machine

from workflows import get_workflow

FIRES = 100_000
SUBJECTS = 10_000


@dataclass
class Proposal:
    state: str
    records: int = 1
    open_opinions: int = 0

    def has_deliberation_record(self) -> bool:
        return self.records > 0

    def open_opinion_requests(self) -> int:
        return self.open_opinions


# A question-and-answer loop: both triggers check a required input, so every fire runs the
# whole path (lookup, role, inputs, machine).
LOOP = [
    ("request_info", "liaison", {"question": "実施場所はどこですか"}),
    ("provide_info", "proposer", {"answer": "駅前広場です"}),
]


def microseconds_per_fire() -> float:
    workflow = get_workflow("proposal")
    subjects = [Proposal("in_review") for _ in range(100)]
    start = time.perf_counter()
    for i in range(FIRES):
        trigger, role, inputs = LOOP[(i // len(subjects)) % 2]
        workflow.fire(subjects[i % len(subjects)], trigger, role=role, inputs=inputs)
    return (time.perf_counter() - start) / FIRES * 1e6


def microseconds_per_bare_machine_trigger() -> float:
    """The floor: the shared ``transitions`` machine alone, no checks."""
    workflow = get_workflow("proposal")
    machine = workflow._engine._machine  # private on purpose: this is a measurement
    subject = Proposal("in_review")
    events = [machine.events["request_info"], machine.events["provide_info"]]
    start = time.perf_counter()
    for i in range(FIRES):
        events[i % 2].trigger(subject)
    return (time.perf_counter() - start) / FIRES * 1e6


def bytes_retained_per_subject() -> float:
    """Memory still held after firing on many subjects, beyond the subjects themselves."""
    workflow = get_workflow("proposal")
    subjects = [Proposal("submitted") for _ in range(SUBJECTS)]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for subject in subjects:
        workflow.fire(subject, "accept", role="liaison")
        workflow.fire(subject, "withdraw", role="proposer", inputs={"reason": "都合により"})
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    return grown / SUBJECTS


def bytes_per_machine_per_subject() -> float:
    """For contrast: what the rejected design (a new Machine per proposal) costs."""
    workflow = get_workflow("proposal")
    states = list(workflow.states)
    transitions = [
        {"trigger": t.trigger, "source": list(t.sources), "dest": t.dest}
        for t in workflow.transitions
    ]
    count = 1_000
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    machines = [
        Machine(
            model=Proposal("submitted"),
            states=states,
            transitions=transitions,
            initial="submitted",
            auto_transitions=False,
        )
        for _ in range(count)
    ]
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del machines
    return (after - before) / count


def main() -> None:
    print(f"Workflow.fire, shared machine, {FIRES:,} fires: {microseconds_per_fire():.2f} µs/fire")
    print(
        f"bare machine.events[t].trigger, {FIRES:,} fires: "
        f"{microseconds_per_bare_machine_trigger():.2f} µs/fire"
    )
    print(
        f"memory retained per subject after firing ({SUBJECTS:,} subjects): "
        f"{bytes_retained_per_subject():.1f} bytes"
    )
    print(
        f"for contrast, a new Machine per subject: "
        f"{bytes_per_machine_per_subject() / 1024:.1f} KiB each"
    )


if __name__ == "__main__":
    main()
