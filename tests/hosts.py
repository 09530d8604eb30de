"""Separate hosts on one machine: Linux network namespaces joined by a bridge, each with its
own address, made and removed by the test (``ip netns``, ``ip link``; root only).

``Network`` is one bridge on the machine (the services' side: PostgreSQL, Redis, SMTP listen
on its address) and a namespace per host, each joined to the bridge by a veth pair. A host's
programs run inside its namespace (``ip netns exec``) and reach the others only through the
bridge; ``cut`` takes a host's cable out (its veth's bridge end down): nothing it sends
arrives and nothing reaches it, as when a machine falls off the network, and its open TCP
connections get no FIN or RST.
"""

from __future__ import annotations

import contextlib
import os
import random
import subprocess
from dataclasses import dataclass, field


def _ip(*arguments: str, namespace: str | None = None) -> None:
    prefix = ["ip", "netns", "exec", namespace] if namespace else []
    subprocess.run(  # noqa: S603 - iproute2 with our own arguments
        [*prefix, "ip", *arguments], check=True, capture_output=True, text=True, timeout=30
    )


def namespaces_unavailable() -> str:
    """Why this machine cannot make network namespaces here, or "" when it can."""
    if os.geteuid() != 0:
        return "network namespaces need root (ip netns add)"
    probe = f"chengnuo-probe-{os.getpid()}"
    try:
        _ip("netns", "add", probe)
        _ip("link", "set", "lo", "up", namespace=probe)
        # the parts a network is made of, tried inside the probe (they go with it)
        _ip("link", "add", "probe0", "type", "veth", "peer", "name", "probe1", namespace=probe)
        _ip("link", "add", "probebr", "type", "bridge", namespace=probe)
    except (OSError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", "") or str(error)
        return f"ip netns is not permitted here: {detail.strip()}"
    finally:
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            _ip("netns", "del", probe)
    return ""


@dataclass
class Network:
    """A bridge at ``<prefix>.1/24`` and the hosts joined to it."""

    tag: str = field(default_factory=lambda: f"{os.getpid() % 10000:04d}")
    prefix: str = ""
    hosts: dict[str, str] = field(default_factory=dict)  # name → address
    _cables: dict[str, str] = field(default_factory=dict)  # name → bridge end of its veth
    cut_off: set[str] = field(default_factory=set)  # the hosts whose cable was taken out

    def __post_init__(self) -> None:
        if not self.prefix:  # a /24 of 10.x.y.0 nobody else on this machine uses
            self.prefix = f"10.{random.randint(160, 250)}.{random.randint(0, 255)}"  # noqa: S311

    @property
    def bridge(self) -> str:
        return f"cnbr{self.tag}"

    @property
    def gateway(self) -> str:
        """The machine's address on the bridge: where the shared services listen."""
        return f"{self.prefix}.1"

    def namespace(self, name: str) -> str:
        return f"chengnuo-{self.tag}-{name}"

    def create(self) -> None:
        _ip("link", "add", self.bridge, "type", "bridge")
        _ip("addr", "add", f"{self.gateway}/24", "dev", self.bridge)
        _ip("link", "set", self.bridge, "up")

    def host_add(self, name: str) -> str:
        """A new host ``name``: its namespace, a veth to the bridge, an address; the address."""
        number = len(self.hosts) + 11
        namespace, outside, inside = (
            self.namespace(name),
            f"cnv{self.tag}{number}",
            f"cni{self.tag}{number}",
        )
        address = f"{self.prefix}.{number}"
        _ip("netns", "add", namespace)
        _ip("link", "add", outside, "type", "veth", "peer", "name", inside)
        _ip("link", "set", inside, "netns", namespace)
        _ip("link", "set", outside, "master", self.bridge)
        _ip("link", "set", outside, "up")
        _ip("addr", "add", f"{address}/24", "dev", inside, namespace=namespace)
        _ip("link", "set", inside, "up", namespace=namespace)
        _ip("link", "set", "lo", "up", namespace=namespace)
        _ip("route", "add", "default", "via", self.gateway, namespace=namespace)
        self.hosts[name] = address
        self._cables[name] = outside
        return address

    def run_in(self, name: str, command: list[str]) -> list[str]:
        """``command`` as run on host ``name`` (inside its namespace)."""
        return ["ip", "netns", "exec", self.namespace(name), *command]

    def cut(self, name: str) -> None:
        """Take host ``name`` off the network: its cable's bridge end goes down."""
        _ip("link", "set", self._cables[name], "down")
        self.cut_off.add(name)

    def remove(self) -> None:
        """Every namespace (their veths go with them) and the bridge; whatever exists."""
        for name in list(self.hosts):
            with contextlib.suppress(subprocess.CalledProcessError):
                _ip("netns", "del", self.namespace(name))
        with contextlib.suppress(subprocess.CalledProcessError):
            _ip("link", "del", self.bridge)
