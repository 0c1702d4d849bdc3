"""Knowing that a connection appeared from the kernel's own routing tables, with no request.

The tables below are copied from real machines: a laptop on Wi-Fi, the same laptop after the
Wi-Fi dropped, an IPv6-only mobile hotspot and a WireGuard tunnel.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldreader.sync.connectivity import (
    ConnectionWatch,
    Connectivity,
    connection_state,
    default_route_interfaces,
)

ROUTE_HEADER = (
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT"
    "                                                       \n"
)
WIFI_V4 = ROUTE_HEADER + (
    "wlp2s0\t00000000\t0102A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0                         \n"
    "wlp2s0\t0002A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0                         \n"
    "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0                          \n"
)
NO_DEFAULT_V4 = ROUTE_HEADER + (
    "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0                          \n"
)
# Only the kernel's own routes: link-local, multicast, and the "unreachable" default on lo.
NO_DEFAULT_V6 = (
    "fe800000000000000000000000000000 40 00000000000000000000000000000000 00 "
    "00000000000000000000000000000000 00000100 00000001 00000000 00000001   docker0\n"
    "00000000000000000000000000000001 80 00000000000000000000000000000000 00 "
    "00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo\n"
    "ff000000000000000000000000000000 08 00000000000000000000000000000000 00 "
    "00000000000000000000000000000000 00000100 00000003 00000000 00000001   docker0\n"
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
    "00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n"
)
HOTSPOT_V6 = NO_DEFAULT_V6 + (
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
    "fe80000000000000021a11fffe2b3c4d 00000400 00000003 00000000 00000003     usb0\n"
)
WIREGUARD_V4 = ROUTE_HEADER + (
    "wg0\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0                              \n"
)


def test_a_default_route_through_wifi() -> None:
    assert default_route_interfaces(WIFI_V4, NO_DEFAULT_V6) == {"wlp2s0"}


def test_no_default_route_and_the_kernels_unreachable_route_is_not_one() -> None:
    assert default_route_interfaces(NO_DEFAULT_V4, NO_DEFAULT_V6) == set()


def test_an_ipv6_only_hotspot_counts() -> None:
    assert default_route_interfaces(NO_DEFAULT_V4, HOTSPOT_V6) == {"usb0"}


def test_a_route_that_is_not_up_or_rejects_is_no_way_out() -> None:
    down = ROUTE_HEADER + "eth0\t00000000\t0101A8C0\t0002\t0\t0\t100\t00000000\t0\t0\t0\n"
    reject = ROUTE_HEADER + "eth0\t00000000\t00000000\t0201\t0\t0\t100\t00000000\t0\t0\t0\n"
    narrow = ROUTE_HEADER + "eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t000000FF\t0\t0\t0\n"
    for table in (down, reject, narrow):
        assert default_route_interfaces(table, None) == set()


def test_damaged_or_missing_tables_give_nothing_rather_than_fail() -> None:
    garbage = ROUTE_HEADER + "eth0 00000000\nwlan0\t00000000\t0\tzz\t0\t0\t0\t00000000\n\n"
    assert default_route_interfaces(garbage, "short line\n\n") == set()
    assert default_route_interfaces(None, None) == set()
    assert default_route_interfaces("", "") == set()


def system(
    tmp_path: Path,
    route: str | None,
    ipv6_route: str | None,
    states: dict[str, str],
) -> dict[str, Path]:
    """A fake ``/proc`` and ``/sys/class/net`` under ``tmp_path``."""
    proc, sys_net = tmp_path / "proc", tmp_path / "sys-class-net"
    (proc / "net").mkdir(parents=True)
    sys_net.mkdir()
    if route is not None:
        (proc / "net" / "route").write_text(route)
    if ipv6_route is not None:
        (proc / "net" / "ipv6_route").write_text(ipv6_route)
    for iface, state in states.items():
        (sys_net / iface).mkdir()
        (sys_net / iface / "operstate").write_text(state + "\n")
    return {"proc": proc, "sys_net": sys_net}


@pytest.mark.parametrize(
    ("route", "ipv6", "states", "expected"),
    [
        (WIFI_V4, NO_DEFAULT_V6, {"wlp2s0": "up", "docker0": "down"}, "online"),
        (WIFI_V4, NO_DEFAULT_V6, {"wlp2s0": "dormant"}, "offline"),  # associating, no link
        (WIFI_V4, NO_DEFAULT_V6, {"wlp2s0": "down"}, "offline"),
        (WIFI_V4, NO_DEFAULT_V6, {}, "offline"),  # the interface vanished
        (NO_DEFAULT_V4, NO_DEFAULT_V6, {"docker0": "up"}, "offline"),
        (NO_DEFAULT_V4, HOTSPOT_V6, {"usb0": "up"}, "online"),
        (WIREGUARD_V4, None, {"wg0": "unknown"}, "online"),  # tunnels report "unknown"
        (None, HOTSPOT_V6, {"usb0": "lowerlayerdown"}, "offline"),
        (None, None, {}, "unknown"),  # the tables cannot be read: no guess
    ],
)
def test_connection_state_reads_routes_and_interface_states(
    tmp_path: Path,
    route: str | None,
    ipv6: str | None,
    states: dict[str, str],
    expected: Connectivity,
) -> None:
    paths = system(tmp_path, route, ipv6, states)
    assert connection_state(**paths, platform="linux") == expected


def test_an_interface_name_that_would_leave_the_folder_is_ignored(tmp_path: Path) -> None:
    sneaky = ROUTE_HEADER + "..\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
    paths = system(tmp_path, sneaky, None, {})
    (tmp_path / "operstate").write_text("up\n")  # what "../operstate" would reach
    assert connection_state(**paths, platform="linux") == "offline"


def test_other_systems_are_unknown_and_read_nothing(tmp_path: Path) -> None:
    paths = system(tmp_path, WIFI_V4, None, {"wlp2s0": "up"})
    for platform in ("win32", "darwin", "freebsd14"):
        assert connection_state(**paths, platform=platform) == "unknown"


def test_this_machine_gives_an_answer_without_failing() -> None:
    assert connection_state() in ("online", "offline", "unknown")


class Sequence:
    """The states a watch will see, one per look."""

    def __init__(self, *states: Connectivity) -> None:
        self.states = list(states)

    def __call__(self) -> Connectivity:
        return self.states.pop(0)


def test_a_connection_appears_only_from_offline_to_online() -> None:
    watch = ConnectionWatch(Sequence("offline", "offline", "online", "online", "offline", "online"))
    assert watch.reset() == "offline"
    assert [watch.appeared() for _ in range(5)] == [False, True, False, False, True]


def test_being_online_at_unlock_is_not_a_connection_appearing() -> None:
    watch = ConnectionWatch(Sequence("online", "online"))
    watch.reset()
    assert not watch.appeared()


def test_unknown_is_never_a_transition() -> None:
    watch = ConnectionWatch(Sequence("offline", "unknown", "online", "unknown", "online"))
    watch.reset()
    assert [watch.appeared() for _ in range(4)] == [False, False, False, False]
