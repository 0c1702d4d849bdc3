"""Auto-lock: lock the window after a stretch without user input, or when the app is suspended.

Input is noticed by an event filter on the whole application (keys, mouse, wheel, touch, tablet,
input methods), so typing in a dialog counts as much as scrolling the reader. Idle time is
measured on a clock that keeps running while the computer sleeps (``CLOCK_BOOTTIME`` on Linux,
the wall clock elsewhere) and checked by a short periodic timer, not by one long ``QTimer``:
Qt's timers run on a monotonic clock that stops during suspend on Linux, so a laptop closed four
minutes into a five-minute wait would wake up hours later still showing the library. With this
clock the first check after waking (or the first key pressed, which is then swallowed) locks it.

The system locking the session is not reported by Qt on any desktop platform. On Linux it is a
D-Bus signal (logind's ``Lock``, the screensaver's ``ActiveChanged``), and the build leaves
QtDBus out; on Windows it needs ``WTSRegisterSessionNotification``, on macOS an ``NSWorkspace``
notification, neither reachable through Qt. What Qt does report is used: the application being
suspended (``Qt.ApplicationState.ApplicationSuspended``). A locked session gets no input, so the
idle lock still closes the library within its interval.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication

CHECK_MS = 1000
"""How often idle time is checked: a lock comes at most this late."""

INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
        QEvent.Type.TabletMove,
        QEvent.Type.InputMethod,
    }
)
"""What counts as someone at the keyboard. Releases are left out: they follow a press."""


class Lockable(Protocol):
    """The part of the main window the idle lock needs."""

    def lock(self) -> None: ...

    def is_locked(self) -> bool: ...


def clock_counting_sleep() -> float:
    """Seconds on a clock that keeps counting while the computer is suspended."""
    boottime = getattr(time, "CLOCK_BOOTTIME", None)
    if boottime is not None:
        return time.clock_gettime(boottime)
    return time.time()


class IdleLock(QObject):
    """Calls ``window.lock()`` after ``interval_ms`` without input, only while running.

    The owner starts it when the library opens and stops it when it locks. The interval comes
    from :meth:`set_minutes` (the reader's setting) unless a test fixed it in milliseconds
    (:meth:`set_interval_ms`); :attr:`clock` is injectable so expiry can be tested without
    waiting.
    """

    def __init__(
        self,
        window: Lockable,
        parent: QObject | None = None,
        *,
        interval_ms: int | None = None,
        check_ms: int = CHECK_MS,
        clock: Callable[[], float] = clock_counting_sleep,
    ) -> None:
        super().__init__(parent)
        self._window = window
        self._fixed_ms = interval_ms
        self._minutes = 5
        self._check_ms = check_ms
        self.clock = clock
        """Seconds, counting suspend; tests put a clock they move by hand."""
        self._last_input = clock()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        if isinstance(app, QGuiApplication):
            app.applicationStateChanged.connect(self._state_changed)

    # Configuration

    def interval_ms(self) -> int:
        return self._fixed_ms if self._fixed_ms is not None else self._minutes * 60_000

    def set_minutes(self, minutes: int) -> None:
        """The reader's setting; takes effect at the next check, the idle time so far counts."""
        self._minutes = max(1, minutes)
        self._retime()

    def set_interval_ms(self, interval_ms: int | None) -> None:
        """Fix the interval in milliseconds (tests); None goes back to the reader's setting."""
        self._fixed_ms = interval_ms
        self._retime()

    # Running

    def start(self) -> None:
        self._last_input = self.clock()
        self._retime()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def is_running(self) -> bool:
        return self._timer.isActive()

    def idle_ms(self) -> float:
        """Milliseconds since the last input (since :meth:`start` if there was none)."""
        now = self.clock()
        # A clock set back would make the idle time negative: count from now instead.
        self._last_input = min(self._last_input, now)
        return (now - self._last_input) * 1000

    def note_input(self) -> None:
        self._last_input = self.clock()

    def check(self) -> bool:
        """Lock if the interval has passed without input; returns whether it locked."""
        if not self._timer.isActive():
            return False
        if self._window.is_locked():
            self.stop()
            return False
        if self.idle_ms() < self.interval_ms():
            return False
        self.stop()
        self._window.lock()
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's API
        if event.type() in INPUT_EVENTS and self._timer.isActive():
            # The first input after a long sleep locks instead of reaching the library.
            if self.check():
                return True
            self.note_input()
        return False

    def _state_changed(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationSuspended and self._timer.isActive():
            self.stop()
            self._window.lock()

    def _retime(self) -> None:
        self._timer.setInterval(max(1, min(self._check_ms, self.interval_ms())))


__all__ = ["CHECK_MS", "INPUT_EVENTS", "IdleLock", "Lockable", "clock_counting_sleep"]
