"""Whether this computer has a way to the internet, without asking the internet.

Automatic sync starts when a connection appears. The usual way to find out ("can I reach
example.com?") is itself a request the person did not ask for, seen by the network and by
whoever runs the server; someone who turned automatic sync on agreed to sync, not to be
probed every half minute. So this module only reads what the operating system already knows
about its own routes:

* Linux: a default route (IPv4 ``/proc/net/route`` or IPv6 ``/proc/net/ipv6_route``) through
  an interface that is up (``/sys/class/net/<name>/operstate``).
* Anywhere else: "unknown", and automatic sync stays off rather than guessing.

A default route is a promise of a way out, not proof of one (a captive portal, a dead
upstream): the sync that follows says what really happened, as any sync does.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Final, Literal

Connectivity = Literal["online", "offline", "unknown"]

_RTF_UP: Final = 0x0001
_RTF_REJECT: Final = 0x0200
_UP_STATES: Final = frozenset({"up", "unknown"})
"""``unknown`` is what tunnels and point-to-point links report (tun, WireGuard, a mobile
modem's ppp0) while they carry traffic; ``down``, ``dormant`` and ``lowerlayerdown`` do not."""
_MAX_TABLE_BYTES: Final = 1 << 20


def default_route_interfaces(route_v4: str | None, route_v6: str | None) -> set[str]:
    """The interfaces that carry a usable default route, from the two kernel tables' text.

    Either table may be None (not readable). Loopback is never a way out, and the kernel's own
    "unreachable" default (a reject route on ``lo``) is not one either.
    """
    found: set[str] = set()
    for line in (route_v4 or "").splitlines()[1:]:  # the first line is the header
        fields = line.split()
        if len(fields) < 8:
            continue
        iface, destination, flags, mask = fields[0], fields[1], fields[3], fields[7]
        if destination == "00000000" and mask == "00000000" and _usable(flags, iface):
            found.add(iface)
    for line in (route_v6 or "").splitlines():
        fields = line.split()
        if len(fields) < 10:
            continue
        destination, prefix, flags, iface = fields[0], fields[1], fields[8], fields[9]
        if destination == "0" * 32 and prefix == "00" and _usable(flags, iface):
            found.add(iface)
    return found


def _usable(flags: str, iface: str) -> bool:
    try:
        value = int(flags, 16)
    except ValueError:
        return False
    return bool(value & _RTF_UP) and not value & _RTF_REJECT and iface != "lo"


def connection_state(
    *,
    proc: Path = Path("/proc"),
    sys_net: Path = Path("/sys/class/net"),
    platform: str = sys.platform,
) -> Connectivity:
    """ "online" when a default route leaves through an interface that is up, "offline" when
    none does, "unknown" where the routes cannot be read (another system, a locked-down
    sandbox). Reads a few small kernel files; sends nothing."""
    if not platform.startswith("linux"):
        return "unknown"
    route_v4 = _read(proc / "net" / "route")
    route_v6 = _read(proc / "net" / "ipv6_route")
    if route_v4 is None and route_v6 is None:
        return "unknown"
    for iface in default_route_interfaces(route_v4, route_v6):
        if not _is_interface_name(iface):
            continue
        state = _read(sys_net / iface / "operstate")
        if state is not None and state.strip() in _UP_STATES:
            return "online"
    return "offline"


def _is_interface_name(name: str) -> bool:
    """A kernel interface name that is safe as one path component."""
    return 0 < len(name) <= 15 and name not in (".", "..") and "/" not in name and "\0" not in name


def _read(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            return handle.read(_MAX_TABLE_BYTES).decode("ascii", errors="replace")
    except OSError:
        return None


class ConnectionWatch:
    """Tells when a connection *appears*: the last state was "offline" and this one "online".

    "unknown" on either side is never a transition: automatic sync must not start because a
    table could not be read once.
    """

    def __init__(self, probe: Callable[[], Connectivity] = connection_state) -> None:
        self._probe = probe
        self.state: Connectivity = "unknown"

    def reset(self) -> Connectivity:
        """Take the current state as the starting point (after unlocking): being online
        already is not a connection appearing."""
        self.state = self._probe()
        return self.state

    def appeared(self) -> bool:
        """Look again; True if the computer went from offline to online since the last look."""
        before, self.state = self.state, self._probe()
        return before == "offline" and self.state == "online"


__all__ = ["ConnectionWatch", "Connectivity", "connection_state", "default_route_interfaces"]
