"""The build's kernel: private sockets, and a quiet shutdown."""

from __future__ import annotations

import signal

from usg_research.run.kernel import KERNEL, LocalKernelManager


def test_shutdown_sends_no_interrupt_and_the_kernel_stops(monkeypatch) -> None:
    """jupyter_client interrupts every kernel before shutting it down; ipykernel then logs
    "KeyboardInterrupt caught in kernel" into the build's console. The build's manager does not."""
    sent: list[int] = []
    km = LocalKernelManager(kernel_name=KERNEL)
    original = km._async_signal_kernel

    async def record(signum: int) -> None:
        sent.append(signum)
        await original(signum)

    monkeypatch.setattr(km, "_async_signal_kernel", record)
    km.start_kernel()
    try:
        assert km.transport == "ipc" and km.is_alive()
        km.interrupt_kernel()  # an interrupt asked for while running still goes through
        assert sent == [signal.SIGINT]
    finally:
        km.shutdown_kernel()
    assert sent == [signal.SIGINT] and not km.is_alive()
