"""A kernel factory: one Python that imports ipykernel and the notebook's modules once, then forks
a fresh kernel per student.

Starting a kernel and importing numpy and matplotlib costs about a second of CPU; a fork costs
milliseconds. The factory runs inside the worker's bubblewrap sandbox (see
:class:`instructor.grading.sandbox.Zygote`), as root *of that sandbox*. Each forked kernel then
becomes its job's own unprivileged uid, with no capabilities and no way to regain them, takes its
resource limits, and moves into its job folder (mode 0700, owned by that uid, so the other
jobs of the worker cannot look in). The worker writes one JSON request per line on stdin; the
factory answers with the kernel's pid (in the sandbox's pid namespace) on stdout.

Run as ``python -c "$(cat zygote.py)" MODULE ...`` (the modules to import ahead): the sandbox
mounts nothing of the instructor package, so this file imports only the standard library and
ipykernel.
"""

import ctypes
import importlib
import json
import os
import random
import resource
import signal
import sys

PR_SET_NO_NEW_PRIVS = 38
MIB = 1024 * 1024


def main(preload):
    import ipykernel.kernelapp  # noqa: F401  (the point: imported once, before any fork)

    for module in preload:
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001, S110  (the notebook's own import will report it)
            pass
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)   # forked kernels are reaped at once
    print("ready", flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            try:
                become_kernel(request)
            finally:
                os._exit(1)
        print(json.dumps({"pid": pid}), flush=True)


def become_kernel(request):
    """In the forked child: take the job's limits, uid, folder and environment, run ipykernel."""
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    limits = request["limits"]
    for name, value in [("RLIMIT_AS", limits["memory_mb"] * MIB),
                        ("RLIMIT_CPU", limits["cpu_seconds"]),
                        ("RLIMIT_NPROC", limits["processes"]),
                        ("RLIMIT_FSIZE", limits["file_mb"] * MIB), ("RLIMIT_CORE", 0)]:
        resource.setrlimit(getattr(resource, name), (value, value))
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    uid = request["uid"]
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)    # as a non-root uid, every capability is gone
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    # A fresh process would not share its random state with the other students' kernels.
    random.seed()
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    from ipykernel import kernelapp

    sys.argv = ["ipykernel_launcher", *request["argv"]]
    kernelapp.launch_new_instance()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
