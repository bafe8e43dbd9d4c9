"""The kernel factory: one Python that imports ipykernel and the notebook's modules once, then
forks a fresh kernel per student.

Starting a kernel and importing numpy and matplotlib costs about a second of CPU; a fork costs
milliseconds. The factory runs inside the worker's bubblewrap sandbox (see
:class:`instructor.grading.sandbox.factory.Factory`), as root *of that sandbox*. Each forked
kernel then gets namespaces of its own (:func:`contain`: pid, network, IPC, mounts with a
private, capped ``/tmp`` holding its whole job folder, sockets included), becomes its job's own
unprivileged uid, with no capabilities and no way to regain them, takes its resource limits,
and moves into its job folder. The grader writes one :class:`workbook.wire.KernelRequest` per
line on stdin; the factory answers each with a :class:`workbook.wire.KernelAnswer` on stdout.

Run as ``python -c "$(cat factory_main.py)" MODULE ...`` (the modules to import ahead): the
sandbox mounts nothing of the instructor package, so this file imports only the standard
library, ipykernel and the students' package (``workbook.wire``).
"""

import ctypes
import importlib
import json
import os
import random
import resource
import signal
import sys
import traceback

from workbook.wire import KernelAnswer, KernelRequest

PR_SET_NO_NEW_PRIVS = 38
MIB = 1024 * 1024
CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWPID, CLONE_NEWNET = 0x20000, 0x8000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
libc = ctypes.CDLL(None, use_errno=True)
# What a kernel imports as it starts, beyond ipykernel.kernelapp (its debugger, IPython's
# history and extensions): imported once here, these take a kernel's start from 120 ms of CPU
# to 35 ms, measured. None of them starts a thread.
KERNEL_MODULES = ("ipykernel.debugger", "IPython.extensions.storemagic", "pdb", "psutil",
                  "sqlite3", "tornado.queues",
                  # before any student code: rewritten test cells find its class first
                  "workbook.handout")


def main(preload):
    import ipykernel.kernelapp  # noqa: F401  (the point: imported once, before any fork)

    for module in (*KERNEL_MODULES, *preload):
        _try_import(module)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)   # forked kernels are reaped at once
    print("ready", flush=True)
    for line in sys.stdin:
        request = KernelRequest.from_line(line)
        if request is None:
            print(KernelAnswer(None).to_line(), end="", flush=True)
            continue
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(reader)
                become_kernel(request, writer)
            except BaseException:   # the kernel could not start: say why, in the kernel log
                traceback.print_exc()
            finally:
                os._exit(1)
        os.close(writer)
        with os.fdopen(reader) as answer:   # the kernel's pid, in this namespace
            kernel = answer.read().strip()
        print(KernelAnswer(int(kernel) if kernel.isdigit() else pid).to_line(), end="",
              flush=True)


def _try_import(module):
    try:
        importlib.import_module(module)
    except Exception:  # noqa: BLE001, S110  (the notebook's own import will report it)
        pass


def _call(name, *args):
    if getattr(libc, name)(*args) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{name}{args}: {os.strerror(errno)}")


def contain(request, writer):
    """Give the kernel namespaces of its own; returns in the kernel, pid 1 of its namespace.

    - a pid namespace: when the kernel dies, everything it started dies with it;
    - a network namespace with nothing in it, and an IPC namespace;
    - a mount namespace with its own ``/proc`` and its own ``/tmp``, a tmpfs of
      ``limits.file_mb`` holding its whole job folder: ``work/`` and ``home/`` (the grader
      writes the job's files into them through ``/proc/<pid>/root``) and ``conn/``, its
      connection file and sockets. Other kernels' folders are out of sight, and everything
      the kernel can write is inside that cap.

    The process that calls this exits; the kernel's pid (in the factory's namespace) is
    written to ``writer``.
    """
    job = request.job
    home = os.path.join(job, "home", "matplotlib")
    fonts = {}
    for name in os.listdir(home):
        with open(os.path.join(home, name), "rb") as handle:
            fonts[name] = handle.read()
    _call("unshare", CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID)
    ready, done = os.pipe()
    child = os.fork()            # the first process of the new pid namespace
    if child:                    # tell its pid once its folders are in place, then go
        os.close(done)
        os.read(ready, 1)
        os.write(writer, str(child).encode())
        os._exit(0)
    os.close(writer)
    os.close(ready)
    _call("mount", None, b"/", None, MS_REC | MS_PRIVATE, None)
    _call("mount", b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
    # Opened in this namespace, to be bound again over the new /tmp: the Python environment
    # when it lives under /tmp (a course cloned there).
    kept = {path: os.open(path, os.O_PATH | os.O_DIRECTORY) for path in request.keep}
    size = f"size={request.limits['file_mb']}m,mode=1777".encode()
    _call("mount", b"tmpfs", b"/tmp", b"tmpfs", MS_NOSUID | MS_NODEV, size)
    uid = request.uid
    for folder in ("work", "home/matplotlib", "conn"):
        os.makedirs(os.path.join(job, folder), mode=0o700)
    os.chmod(os.path.dirname(job), 0o711)   # as on the grader's side: no listing
    for folder in (job, f"{job}/work", f"{job}/home", home, f"{job}/conn"):
        os.chown(folder, uid, uid)
    for name, data in fonts.items():
        with open(os.path.join(home, name), "wb") as handle:
            handle.write(data)
    _write_connection(request, uid)
    for path, fd in kept.items():
        os.makedirs(path, mode=0o755, exist_ok=True)
        _call("mount", f"/proc/self/fd/{fd}".encode(), path.encode(), None, MS_BIND | MS_REC, None)
        _call("mount", None, path.encode(), None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, None)
        os.close(fd)
    os.close(done)


def _write_connection(request, uid):
    """The kernel's connection file, in its own ``conn/``, readable by its uid only."""
    path = request.argv[request.argv.index("-f") + 1]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(request.connection, handle)
    os.chown(path, uid, uid)


def become_kernel(request, writer):
    """In the forked child: take the job's namespaces, limits, uid, folder and environment;
    tell the factory the kernel's pid (on ``writer``); run ipykernel."""
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    if request.contain:   # from here on, the job folder is the kernel's own, in its /tmp
        contain(request, writer)
    else:
        os.write(writer, str(os.getpid()).encode())
        os.close(writer)
    log = os.open(request.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    limits = request.limits
    for name, value in [("RLIMIT_AS", limits["memory_mb"] * MIB),
                        ("RLIMIT_CPU", limits["cpu_seconds"]),
                        ("RLIMIT_NPROC", limits["processes"]),
                        ("RLIMIT_FSIZE", limits["file_mb"] * MIB), ("RLIMIT_CORE", 0)]:
        resource.setrlimit(getattr(resource, name), (value, value))
    os.chdir(request.cwd)
    os.environ.clear()
    os.environ.update(request.env)
    uid = request.uid
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)    # as a non-root uid, every capability is gone
    _call("prctl", PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    # A fresh process would not share its random state with the other students' kernels.
    random.seed()
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    from ipykernel import kernelapp

    sys.argv = ["ipykernel_launcher", *request.argv]
    kernelapp.launch_new_instance()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
