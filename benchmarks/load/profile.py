"""Where the web workers spend their time under load: py-spy samples gunicorn's processes
for a while, and the samples are summed by the view that handled the request, with the
busiest view's top functions.

py-spy reads the workers' stacks from outside (ptrace), without pausing them
(``--nonblocking``) and without a line of profiling code in the app. It samples only the
thread holding each worker's GIL (``--gil``): the samples are Python's time on the CPU;
waiting for PostgreSQL or a socket is left out (PostgreSQL's own CPU is in the step's CPU
line). The stacks are kept as py-spy's collapsed text (``profile.folded``), which
speedscope (speedscope.app) and flame-graph tools open as they are.
"""

from __future__ import annotations

import linecache
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

RATE = 100
"""Samples a second, per thread."""
TOP = 25
_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>.*):(?P<line>\d+)\)$")
_LIBRARY = re.compile(r"^.*/(site-packages|lib/python3\.\d+)/")
_DISPATCH = "Flask.dispatch_request"
"""Flask's method that calls the view (py-spy names functions by their qualified name)."""


class ProfileUnavailable(RuntimeError):
    """py-spy is missing or may not read the processes (ptrace not allowed)."""


def py_spy() -> str:
    found = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if found is None:
        raise ProfileUnavailable("py-spy is not installed (pip install -e '.[load]')")
    return found


def record(pid: int, seconds: int, folded: Path) -> Path:
    """Samples process ``pid`` and its children for ``seconds`` into ``folded``."""
    command = [py_spy(), "record", "--pid", str(pid), "--subprocesses", "--nonblocking", "--gil",
               "--duration", str(seconds), "--rate", str(RATE), "--format", "raw",
               "--full-filenames", "--output", str(folded)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0 or not folded.exists():
        raise ProfileUnavailable(f"py-spy could not sample process {pid} (exit status "
                                 f"{done.returncode}): {done.stderr.strip()[-500:]}")
    return folded


@dataclass(frozen=True)
class Frame:
    function: str
    file: str
    line: int

    @classmethod
    def parse(cls, text: str) -> Frame | None:
        """A frame as py-spy writes it, ``function (file:line)``; None for its process and
        thread labels."""
        match = _FRAME.match(text)
        if match is None:
            return None
        return cls(match["function"], match["file"], int(match["line"]))

    def __str__(self) -> str:
        """The function and its file: a function's lines are summed together."""
        return f"{self.function} ({_short(self.file)})"


def stacks(folded: str) -> list[tuple[list[Frame], int]]:
    """py-spy's collapsed stacks (outermost frame first) with their sample counts."""
    parsed = []
    for line in folded.splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            frames = [f for f in map(Frame.parse, stack.split(";")) if f is not None]
            parsed.append((frames, int(count)))
    return parsed


def view_of(frames: list[Frame]) -> Frame | None:
    """The view a stack runs in: the first frame under Flask's ``dispatch_request`` that is
    not a decorator's wrapper (``@wraps``, as ``requires`` puts around views)."""
    below = [i for i, f in enumerate(frames) if f.function == _DISPATCH]
    if not below:
        return None
    for frame in frames[below[-1] + 1:]:
        if not _is_wrapper(frame):
            return frame
    return None


def _is_wrapper(frame: Frame) -> bool:
    """Whether the frame's function is decorated ``@wraps(...)``, read from its source."""
    for number in range(frame.line, 0, -1):
        text = linecache.getline(frame.file, number).strip()
        if text.startswith(("def ", "async def ")):
            decorators = []
            for above in range(number - 1, 0, -1):
                line = linecache.getline(frame.file, above).strip()
                if not line.startswith("@"):
                    break
                decorators.append(line)
            return any("wraps(" in d for d in decorators)
    return False


def summary(folded: str, seconds: int) -> str:
    """The samples by view, then the busiest view's functions: where its time goes
    (inclusive) and which functions themselves use it (own)."""
    sampled = stacks(folded)
    total = sum(count for _, count in sampled)
    if not total:
        return "py-spy took no samples of a busy thread"
    by_view: Counter[str] = Counter()
    for frames, count in sampled:
        view = view_of(frames)
        by_view[str(view) if view else "(outside a view: gunicorn, Flask, hooks)"] += count
    lines = [f"py-spy, {seconds} s at {RATE} samples/s, web workers: {total:,} samples of "
             "the thread holding the GIL (Python on the CPU)", "", "by view:"]
    lines += [f"  {count:>7,} {count / total:>6.1%}  {view}"
              for view, count in by_view.most_common()]
    busiest = next((v for v, _ in by_view.most_common() if not v.startswith("(")), None)
    if busiest is None:
        return "\n".join(lines)
    in_view = [(frames, count) for frames, count in sampled if str(view_of(frames)) == busiest]
    view_total = sum(count for _, count in in_view)
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for frames, count in in_view:
        start = next(i for i, f in enumerate(frames) if str(f) == busiest)
        for name in {str(f) for f in frames[start:]}:
            inclusive[name] += count
        own[str(frames[-1])] += count
    lines += ["", f"busiest view, {busiest}: {view_total:,} samples", "",
              f"  top {TOP} by time inside (the function and what it calls):"]
    lines += [f"  {count:>7,} {count / view_total:>6.1%}  {name}"
              for name, count in inclusive.most_common(TOP)]
    lines += ["", f"  top {TOP} by own time:"]
    lines += [f"  {count:>7,} {count / view_total:>6.1%}  {name}"
              for name, count in own.most_common(TOP)]
    return "\n".join(lines)


def _short(file: str) -> str:
    """A file's path from the project, site-packages or the standard library on."""
    root = str(Path(__file__).resolve().parents[2]) + "/"
    return _LIBRARY.sub("", file.removeprefix(root))
