"""Reads calendar data in a child process, so that nothing a file does can exhaust the worker.

`busy.py` refuses what it can recognise (repetitions more often than hourly, too
many events or occurrences), but a calendar is someone else's text and the
libraries underneath are large. So the parsing and expansion run in a child: the
parent hands the texts over on stdin and reads the busy periods back as JSON from
stdout. The child limits its own memory and CPU time (resource.setrlimit) before it
reads anything; the parent stops waiting after a wall-clock limit and kills it. A
child that stops for any reason is the calendar's failure, never the worker's.

No Django here, and none of the worker's environment (secrets) goes to the child.
Run as `python -m booking.calendars.busy_process CPU_SECONDS MEMORY_BYTES`.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from booking.domain import busy

# CPU time of one read. A 10 MB calendar of real appointments (35,000 events of
# history) takes some 13 s here, an ordinary one well under 2 s.
CPU_SECONDS = 20
# Waiting time of one read. The CPU limit is the one that counts; this one covers a
# child that hangs without using CPU, and leaves room for a machine that is busy.
WALL_SECONDS = 60
# Address space of the child. The 10 MB calendar above needs some 450 MB, Python
# and the libraries 80 MB; the hostile files of the review grew past 400 MB and
# kept on growing.
MEMORY_BYTES = 768 * 1024 * 1024

_ROOT = Path(__file__).resolve().parents[2]
_REFUSALS = {"unreadable": busy.CalendarUnreadable, "too_often": busy.RepeatsTooOften, "too_many": busy.TooManyEvents}


class TooHeavy(busy.OverLimit):
    """Reading stopped at the time or memory limit."""


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = CPU_SECONDS
    wall_seconds: float = WALL_SECONDS
    memory_bytes: int = MEMORY_BYTES


def read_periods(
    texts: Sequence[bytes | str],
    *,
    start: datetime,
    end: datetime,
    tz: str,
    all_busy: bool,
    is_own: busy.UidPattern,
    limits: Limits | None = None,
) -> list[busy.Period]:
    """busy.busy_periods(busy.parse(texts), ...) in a bounded child process.

    Raises what busy.py raises (CalendarUnreadable, RepeatsTooOften, TooManyEvents),
    and TooHeavy when the child ran out of time or memory.
    """
    limits = limits or Limits()
    request = {
        "texts": [base64.b64encode(t.encode() if isinstance(t, str) else t).decode() for t in texts],
        "start": start.isoformat(),
        "end": end.isoformat(),
        "tz": tz,
        "all_busy": all_busy,
        "own": [is_own.prefix, is_own.suffix],
    }
    try:
        done = subprocess.run(  # noqa: S603 - our own module, with our own interpreter
            [sys.executable, "-m", "booking.calendars.busy_process", str(limits.cpu_seconds), str(limits.memory_bytes)],
            input=json.dumps(request).encode(),
            stdout=subprocess.PIPE,
            # Its error output may quote the calendar (other people's health data): never kept.
            stderr=subprocess.DEVNULL,
            timeout=limits.wall_seconds,
            cwd=_ROOT,
            env={"PATH": os.environ.get("PATH", os.defpath), "LANG": "C.UTF-8"},
            check=False,
        )
    except subprocess.TimeoutExpired:  # run() has killed the child
        raise TooHeavy("wall clock") from None
    if done.returncode != 0:
        raise TooHeavy(f"exit {done.returncode}")
    try:
        answer = json.loads(done.stdout)
        refused = answer.get("refused")
        periods = [
            busy.Period(datetime.fromisoformat(s), datetime.fromisoformat(e)) for s, e in answer.get("periods", [])
        ]
    except (ValueError, TypeError, AttributeError):  # no whole answer
        raise TooHeavy("no answer") from None
    if refused:
        raise _REFUSALS.get(refused, TooHeavy)(refused)
    return periods


def _limit_self(cpu_seconds: int, memory_bytes: int) -> None:
    import resource
    import signal

    # At the soft CPU limit the kernel sends SIGXCPU (SIGKILL follows at the hard one).
    # Its default action dumps core, which would put the calendar on disk: exit instead.
    signal.signal(signal.SIGXCPU, lambda *_: os._exit(4))

    def lower(kind: int, soft: int, hard: int) -> None:
        _, current = resource.getrlimit(kind)
        if current != resource.RLIM_INFINITY:  # never above what the service already allows
            soft, hard = min(soft, current), min(hard, current)
        resource.setrlimit(kind, (soft, hard))

    lower(resource.RLIMIT_CORE, 0, 0)
    lower(resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 1)
    lower(resource.RLIMIT_AS, memory_bytes, memory_bytes)
    lower(resource.RLIMIT_FSIZE, 0, 0)  # it writes no files


def _answer(request: dict) -> dict:
    try:
        calendar = busy.parse(base64.b64decode(text) for text in request["texts"])
        periods = busy.busy_periods(
            calendar,
            start=datetime.fromisoformat(request["start"]),
            end=datetime.fromisoformat(request["end"]),
            # The parent names the practice zone (wallclock.practice_tz); this process has no settings.
            tz=ZoneInfo(request["tz"]),
            all_busy=request["all_busy"],
            is_own=busy.UidPattern(*request["own"]),
        )
    except busy.CalendarUnreadable:
        return {"refused": "unreadable"}
    except busy.RepeatsTooOften:
        return {"refused": "too_often"}
    except busy.TooManyEvents:
        return {"refused": "too_many"}
    return {"periods": [[p.start.isoformat(), p.end.isoformat()] for p in periods]}


def main(argv: list[str]) -> int:
    _limit_self(int(argv[0]), int(argv[1]))
    try:
        answer = _answer(json.loads(sys.stdin.buffer.read()))
    except MemoryError:
        return 3
    sys.stdout.write(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
