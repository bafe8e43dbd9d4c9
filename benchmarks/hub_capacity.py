"""How many students with Assignment 5 open this machine holds on the hub (run as root).

``sudo .venv/bin/python benchmarks/hub_capacity.py [--students 6] [--memory 2G]`` sets the hub
up (installs reused), makes that many throw-away users (``capNN``, removed at the end), starts
the hub with the course's limits, and for each student, all at once: starts their server
through the hub's REST API, starts a kernel in it through the server's REST API (as
JupyterLab does when a notebook is opened), and runs Assignment 5's solution in that kernel,
cell by cell (connected as root to the kernel's own ports). It then reads each student's
control group (memory of their server and kernel, without and with file cache) and the
machine's available memory before and after, and prints how many such students the machine's
memory holds beside the hub, the grading service and the system. Nothing is left behind.
"""

import argparse
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nbformat  # noqa: E402
from jupyter_client import BlockingKernelClient  # noqa: E402

from instructor import hub  # noqa: E402
from instructor.authoring.submissions import solution_cells  # noqa: E402
from instructor.hub.limits import CGROUP, GROUP  # noqa: E402
from instructor.hub.system import ensure_users, run  # noqa: E402
from instructor.vocabulary import grade_id  # noqa: E402

A5, NOTEBOOK = "05_pytorch_digits", "pytorch_digits"


def meminfo():
    """``MemAvailable`` and ``MemTotal`` in MB."""
    found = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
    return {k: int(found[k].split()[0]) >> 10 for k in ("MemAvailable", "MemTotal")}


def api(url, token, path, method="GET", body=None):
    request = urllib.request.Request(
        f"{url}{path}", method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        text = response.read()
    return json.loads(text) if text else None


def cells_to_run():
    """Assignment 5 as a student runs it when done: the release with the solution's answers,
    test cells included (their visible checks), code cells only."""
    answers = solution_cells(hub.REPOSITORY / "source" / A5 / f"{NOTEBOOK}.ipynb")
    nb = nbformat.read(hub.REPOSITORY / "release" / A5 / f"{NOTEBOOK}.ipynb", 4)
    return [answers.get(grade_id(c), c.source) for c in nb.cells
            if c.cell_type == "code" and grade_id(c) != "summary"]


def start_server(url, token, login, timeout=300):
    """Start ``login``'s server (as their login would) and wait until it is ready; seconds."""
    started = time.monotonic()
    api(url, token, f"/hub/api/users/{login}/server", "POST")
    while not api(url, token, f"/hub/api/users/{login}")["servers"].get("", {}).get("ready"):
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"{login}'s server did not start in {timeout} s")
        time.sleep(1)
    return time.monotonic() - started


def student_run(work):
    """Start a kernel in a student's server; run the code; return seconds and errors (in a
    process of its own: one kernel client per process)."""
    url, token, login, code = work
    started = time.monotonic()
    kernel = api(url, token, f"/user/{login}/api/kernels", "POST", {"name": "python3"})
    runtime = Path(f"/home/{login}/.local/share/jupyter/runtime")
    deadline = time.monotonic() + 120
    while not list(runtime.glob(f"kernel-{kernel['id']}*.json")):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{login}'s kernel wrote no connection file")
        time.sleep(0.5)
    connection = next(runtime.glob(f"kernel-{kernel['id']}*.json"))
    client = BlockingKernelClient(connection_file=str(connection))
    client.load_connection_file()
    client.start_channels()
    client.kernel_info()
    client.get_shell_msg(timeout=300)         # the kernel answers: it is ready
    errors = []
    for source in code:
        reply = client.execute_interactive(source, timeout=600, output_hook=lambda msg: None)
        if reply["content"]["status"] != "ok":
            errors.append(reply["content"].get("ename"))
    client.stop_channels()
    return time.monotonic() - started, errors


def group_memory(login):
    """``(processes MB, file cache MB, peak MB)`` of a student's control group."""
    folder = CGROUP / "memory" / GROUP / login
    stat = dict(line.split() for line in (folder / "memory.stat").read_text().splitlines())
    peak = int((folder / "memory.max_usage_in_bytes").read_text()) >> 20
    return int(stat["total_rss"]) >> 20, int(stat["total_cache"]) >> 20, peak


def process_mb(pattern):
    """Resident memory of the processes whose command line holds ``pattern`` (bytes), in MB."""
    total = 0
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and pattern in (proc / "cmdline").read_bytes():
                status = (proc / "status").read_text()
                total += int(status.split("VmRSS:")[1].split()[0]) >> 10
        except (OSError, IndexError):
            continue
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=6)
    parser.add_argument("--memory", default="2G")
    args = parser.parse_args()
    logins = hub.setup()
    students = [f"cap{i:02d}" for i in range(1, args.students + 1)]
    made = [s for s in students if subprocess.run(["id", s], capture_output=True).returncode]
    logins.update(ensure_users(students))
    token = secrets.token_hex(16)
    options = hub.HubOptions(port=hub.free_port(), memory=args.memory, idle_minutes=0,
                             test_token=token)
    server = hub.Hub(options, logins)
    code = cells_to_run()
    before = meminfo()
    try:
        server.start()
        time.sleep(20)          # the grading service warms its kernel factory
        idle = meminfo()
        spawns = [start_server(server.url, token, s) for s in students]   # one by one
        servers = meminfo()
        with ProcessPoolExecutor(len(students)) as pool:
            runs = list(pool.map(student_run, [(server.url, token, s, code) for s in students]))
        after = meminfo()
        groups = {s: group_memory(s) for s in students}
        overhead = {name: process_mb(pattern) for name, pattern in (   # argv is NUL-separated
            ("hub", b"bin/jupyterhub\x00-f"), ("proxy", b"configurable-http-proxy"),
            ("grading service", b"workbook\x00serve"))}
    finally:
        server.stop()
        for login in made:
            run("userdel", "--remove", login)
        known = json.loads((hub.STATE / "passwords.json").read_text())
        (hub.STATE / "passwords.json").write_text(json.dumps(
            {k: v for k, v in known.items() if k not in made}, indent=1))
        users = json.loads((hub.STATE / "users.json").read_text())
        (hub.STATE / "users.json").write_text(json.dumps(sorted(set(users) - set(made))))
    rss = [groups[s][0] for s in students]
    peak = [groups[s][2] for s in students]
    per_student = max(peak)
    used = before["MemAvailable"] - after["MemAvailable"]
    print(json.dumps({"students": len(students), "spawn_seconds": [round(t) for t in spawns],
                      "seconds": [round(t) for t, _ in runs],
                      "errors": [e for _, e in runs], "groups_mb": groups,
                      "overhead_mb": overhead, "meminfo_mb": {"before": before, "idle": idle,
                                                              "servers": servers,
                                                              "after": after}}, indent=1))
    reserve = 2048 + before["MemAvailable"] - idle["MemAvailable"]
    print(f"\n{len(students)} students ran Assignment 5 at once in "
          f"{max(t for t, _ in runs):.0f} s; each student's server and kernel: "
          f"{min(rss)}-{max(rss)} MB of processes, {min(peak)}-{max(peak)} MB at the peak "
          f"with file cache; the machine's available memory fell by {used} MB in all "
          f"({used // len(students)} MB a student).")
    print(f"Memory holds about {(before['MemTotal'] - reserve) // per_student} such students "
          f"at their peak ({before['MemTotal']} MB, {reserve} MB kept for the system, the hub "
          f"and the grading service, which took {before['MemAvailable'] - idle['MemAvailable']}"
          f" MB); at the course's --memory {args.memory}, "
          f"{(before['MemTotal'] - reserve) // (int(args.memory.rstrip('G')) * 1024)} "
          "students at their limit.")


if __name__ == "__main__":
    if os.geteuid() != 0:
        sys.exit("run as root: it makes users and starts the hub")
    main()
