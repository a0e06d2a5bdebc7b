"""The project's Jupyter kernel: this Python, with the environment that makes outputs byte-identical.

Every report notebook names the kernel ``usg-research``. Its kernel spec carries the settings a
notebook cannot set for itself once Python has started: the hash seed, ``SOURCE_DATE_EPOCH`` (dates in
SVG and PDF files), the matplotlib backend, and one fixed OpenBLAS kernel set and thread (an AVX-512
machine and an AVX2 one otherwise differ in the last digits of a matrix inverse). ``usg-research
build``, Jupyter's Run All and ``jupyter nbconvert --execute`` therefore compute the same numbers.
``make env`` installs it (``usg-research kernel``); the build installs it when it is missing.

Examples
--------
>>> spec = kernel_spec()
>>> spec["env"]["OPENBLAS_CORETYPE"], spec["argv"][1:3]
('Haswell', ['-m', 'ipykernel_launcher'])
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from jupyter_client.manager import KernelManager
from traitlets import CaselessStrEnum, default

from ..errors import USGAError

KERNEL = "usg-research"
#: What makes a kernel's outputs the same on every run and every x86-64 machine with AVX2.
KERNEL_ENV = {"PYTHONHASHSEED": "0", "SOURCE_DATE_EPOCH": "1577836800", "MPLBACKEND": "Agg",
              "PYDEVD_DISABLE_FILE_VALIDATION": "1", "OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_NUM_THREADS": "1"}


def kernel_spec() -> dict[str, Any]:
    """The kernel.json of the project kernel (this interpreter)."""
    return {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "usg-research (Python 3)", "language": "python", "env": dict(KERNEL_ENV),
            "metadata": {"debugger": True}}


def ensure_kernel() -> Path:
    """Install the project kernel for this interpreter (its prefix's ``share/jupyter/kernels``) unless an
    identical one is installed; return its folder."""
    try:
        installed = Path(KernelSpecManager().get_kernel_spec(KERNEL).resource_dir)
        if json.loads((installed / "kernel.json").read_text(encoding="utf-8")) == kernel_spec():
            return installed
    except (NoSuchKernel, OSError, ValueError):
        pass
    folder = Path(sys.prefix) / "share" / "jupyter" / "kernels" / KERNEL
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kernel.json").write_text(json.dumps(kernel_spec(), indent=1) + "\n", encoding="utf-8")
    found = Path(KernelSpecManager().get_kernel_spec(KERNEL).resource_dir).resolve()
    if found != folder.resolve():
        raise USGAError(f"another Jupyter kernel named {KERNEL!r} ({found}) hides this environment's; remove it "
                        f"(jupyter kernelspec remove {KERNEL}) and run the build again")
    return folder


class LocalKernelManager(KernelManager):
    """A kernel that talks over Unix sockets in a private folder instead of TCP ports on localhost.

    Two reports built at once start two kernels; with TCP, both can pick the same free port and one
    fails to start ("Address already in use"). Sockets in a folder of their own cannot collide, and
    nothing listens on the network (nor does ipykernel warn that it does). Windows has no such sockets:
    there, TCP as usual. Shutting down, it does not interrupt the kernel first (no error line in the
    console).
    """

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc" if os.name == "posix" else "tcp")

    @default("ip")
    def _private_socket_path(self) -> str:
        if self.transport != "ipc":
            return super()._ip_default()
        return str(Path(tempfile.mkdtemp(prefix="usg-kernel-")) / "socket")

    async def _async_interrupt_kernel(self) -> None:
        """No interrupt while shutting down: jupyter_client interrupts (SIGINT) every kernel before asking it
        to shut down, and a kernel that is between messages then logs "KeyboardInterrupt caught in kernel"
        as an error into the build's console. A report's kernel has finished its cells by then; the
        shutdown request, then SIGTERM and SIGKILL if it does not stop, end it."""
        if self.shutting_down:
            return
        await super()._async_interrupt_kernel()

    def cleanup_resources(self, restart: bool = False) -> None:
        super().cleanup_resources(restart=restart)
        if self.transport == "ipc" and not restart:
            shutil.rmtree(Path(self.ip).parent, ignore_errors=True)
