"""Every private part of nbgrader, nbclient, jupyter_client and SQLAlchemy the course relies on.

Upgrading a pinned version starts here: each entry names what we override, call or read, where,
and the signature we were written against. ``tests/test_private_apis.py`` checks every entry
against the installed packages and fails by name when one is gone or has changed.
"""

import importlib
import inspect
from dataclasses import dataclass

__all__ = ["PRIVATE_APIS", "PrivateApi", "problems"]


@dataclass(frozen=True)
class PrivateApi:
    """``target`` (``module:Class.attribute``) as the course uses it.

    ``how`` is ``override``, ``call`` or ``reads`` (an attribute the library sets, which our
    code reads or replaces); ``signature`` the parameters we rely on (None: not a callable, or
    any); ``source`` words its code must still hold (what we read from it).
    """

    target: str
    how: str
    used_in: str
    signature: tuple | None = None
    source: tuple = ()

    def resolve(self):
        module, _, path = self.target.partition(":")
        found = importlib.import_module(module)
        for part in path.split("."):
            found = getattr(found, part)
        return found


PRIVATE_APIS = (
    # jupyter_client: kernels forked by our factory, reached over ipc sockets
    PrivateApi("jupyter_client.manager:AsyncKernelManager._async_launch_kernel", "override",
               "instructor/grading/sandbox/kernel.py", ("self", "kernel_cmd", "kw")),
    PrivateApi("jupyter_client.manager:AsyncKernelManager._reconcile_connection_info", "call",
               "instructor/grading/sandbox/kernel.py", ("self", "info")),
    PrivateApi("jupyter_client.manager:AsyncKernelManager.provisioner", "reads",
               "instructor/grading/sandbox/kernel.py (process, pid, pgid set by us)"),
    PrivateApi("jupyter_client.provisioning.local_provisioner:LocalProvisioner.pre_launch",
               "reads", "instructor/grading/sandbox/kernel.py (connection_info)",
               source=("self.connection_info = km.get_connection_info()",)),
    PrivateApi("jupyter_client.asynchronous:AsyncKernelClient._handle_kernel_info_reply",
               "call", "instructor/grading/sandbox/kernel.py", ("self", "msg")),
    PrivateApi("jupyter_client.asynchronous:AsyncKernelClient._async_is_alive", "call",
               "instructor/grading/sandbox/kernel.py", ("self",)),
    # nbclient, through nbgrader's Execute: a dead kernel, a timeout, output budgets
    PrivateApi("nbclient.client:NotebookClient._async_handle_timeout", "override",
               "instructor/grading/execute.py", ("self", "timeout", "cell")),
    PrivateApi("nbclient.client:NotebookClient._update_display_id", "override",
               "instructor/grading/execute.py", ("self", "display_id", "msg")),
    PrivateApi("nbclient.client:NotebookClient.output", "override",
               "instructor/grading/execute.py", ("self", "outs", "msg", "display_id",
                                                 "cell_index")),
    PrivateApi("nbclient.client:NotebookClient._cleanup_kernel", "call",
               "instructor/grading/execute.py"),
    # nbgrader
    PrivateApi("nbgrader.preprocessors:ClearHiddenTests._remove_hidden_test_region", "call",
               "instructor/nbgrader_hooks.py (release_form)", ("self", "cell")),
    PrivateApi("nbgrader.preprocessors:AssignLatePenalties._check_late_penalty", "call",
               "instructor/grading/saving.py", ("self", "notebook", "penalty")),
    PrivateApi("nbgrader.preprocessors:AssignLatePenalties.init_plugin", "call",
               "instructor/grading/saving.py", ("self",),
               source=("self.plugin_inst = self.plugin_class(parent=self)",)),
    PrivateApi("nbgrader.preprocessors:SaveAutoGrades._add_score", "reads",
               "instructor/grading/saving.py (self.gradebook: our prefetched gradebook)",
               ("self", "cell", "resources"),
               source=("self.gradebook.find_grade", "self.gradebook.db.commit()")),
    PrivateApi("nbgrader.preprocessors:SaveAutoGrades._add_comment", "reads",
               "instructor/grading/saving.py (self.gradebook: our prefetched gradebook)",
               ("self", "cell", "resources"), source=("self.gradebook.find_comment",)),
    PrivateApi("nbgrader.preprocessors:OverwriteCells.preprocess", "reads",
               "instructor/nbgrader_hooks.py (self.gradebook, replaced by RememberedCells)",
               ("self", "nb", "resources"), source=("self.gradebook = Gradebook",)),
    PrivateApi("nbgrader.preprocessors:Execute.preprocess", "override",
               "instructor/grading/execute.py", ("self", "nb", "resources", "km")),
    PrivateApi("nbgrader.converters:Autograde.sanitize_preprocessors", "reads",
               "instructor/grading/steps.py (its default, when the course sets none)"),
    PrivateApi("nbgrader.converters:Autograde.autograde_preprocessors", "reads",
               "instructor/grading/steps.py (its default, split at Execute)"),
    # SQLAlchemy: one transaction per student (nbgrader commits after every change)
    PrivateApi("sqlalchemy.orm:Session.commit", "override",
               "instructor/grading/saving.py (deferred_commits: an instance attribute)",
               ("self",)),
)


def _parameters(found):
    try:
        return tuple(inspect.signature(found).parameters)
    except (TypeError, ValueError):
        return None


def problems():
    """What no longer holds, one message per entry, naming it."""
    found = []
    for api in PRIVATE_APIS:
        try:
            target = api.resolve()
        except (ImportError, AttributeError) as error:
            found.append(f"{api.target} ({api.how}, {api.used_in}) is gone: {error}")
            continue
        if api.signature is not None:
            have = _parameters(target)
            if have is None or have[:len(api.signature)] != api.signature:
                found.append(f"{api.target} ({api.used_in}) takes {have}, not {api.signature}")
        if api.source:
            code = inspect.getsource(target)
            missing = [words for words in api.source if words not in code]
            if missing:
                found.append(f"{api.target} ({api.used_in}) no longer holds {missing}")
    return found
