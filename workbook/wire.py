"""What crosses between the grader and the processes it runs in its sandbox, defined once.

The grader (``instructor.grading``) and the processes inside its sandbox (the kernel factory, the
probe cells in a student's kernel) import these definitions from here: the sandbox exposes this
package and nothing of the grader's. Each message is plain JSON with a version; a reader that
gets something else (a damaged or forged message) gets None, never an exception.

- :class:`KernelRequest` / :class:`KernelAnswer`: one line each way between the grader and its
  kernel factory (``instructor/grading/sandbox/factory_main.py``): fork a kernel for this job;
  here is its pid.
- :class:`ProbeReport`: what a probe cell found in a student's kernel, printed on one line.

The hand-out of a hidden check's value has its own module, :mod:`workbook.handout`.
"""

import json
from dataclasses import asdict, dataclass, field

__all__ = ["VERSION", "KernelAnswer", "KernelRequest", "ProbeReport"]

VERSION = 1


def _load(line, limit):
    """A JSON object of this version from ``line``, or None."""
    if not isinstance(line, str) or len(line) > limit:
        return None
    try:
        data = json.loads(line)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.pop("version", None) != VERSION:
        return None
    return data


@dataclass(frozen=True)
class KernelRequest:
    """Fork a kernel for one job. Paths are as the factory sees them.

    ``connection`` is the kernel's connection file (written by the factory into the kernel's
    own ``conn/`` folder, inside its private ``/tmp``); ``contain``: give the kernel namespaces,
    a private capped ``/tmp`` and ``uid`` of its own; ``keep``: folders under ``/tmp`` to bind
    again over that private ``/tmp`` (a Python environment installed there).
    """

    argv: list
    cwd: str
    env: dict
    log: str
    job: str
    limits: dict
    connection: dict
    uid: int | None = None
    contain: bool = False
    keep: list = field(default_factory=list)

    def to_line(self):
        return json.dumps({"version": VERSION, **asdict(self)}) + "\n"

    @classmethod
    def from_line(cls, line):
        data = _load(line, 1 << 20)
        try:
            return cls(**data) if data is not None else None
        except TypeError:
            return None


@dataclass(frozen=True)
class KernelAnswer:
    """The forked kernel's pid, in the factory's pid namespace (None: it could not start)."""

    pid: int | None

    def to_line(self):
        return json.dumps({"version": VERSION, "pid": self.pid}) + "\n"

    @classmethod
    def from_line(cls, line):
        data = _load(line, 1024)
        if data is None or not isinstance(data.get("pid"), int | None) \
                or isinstance(data.get("pid"), bool):
            return None
        return cls(data["pid"])


@dataclass(frozen=True)
class ProbeReport:
    """What one probe cell found: messages for the instructor, none when all is well."""

    MARK = "workbook-probe"
    LIMIT = 64 * 1024

    findings: tuple = ()

    def to_line(self):
        data = {"version": VERSION, "findings": [str(f)[:500] for f in self.findings]}
        return f"{self.MARK} {json.dumps(data)}"

    @classmethod
    def from_text(cls, text):
        """The report in a probe cell's printed ``text``, or None if it is not there intact."""
        if not isinstance(text, str):
            return None
        data = _load(text.partition(cls.MARK + " ")[2].strip(), cls.LIMIT)
        findings = data.get("findings") if data is not None else None
        if not isinstance(findings, list) or not all(isinstance(f, str) for f in findings):
            return None
        return cls(tuple(findings))
