"""Where a printer configuration may point: the files, ports and hosts an installation allows.

A configuration is data an administrator (or, for network printers, a branch manager) types
in; without limits it makes the printing process write any file (``"transport": "file"``),
open any device, read any image (``logo_path``) or send bytes to any host and port. A
``HardwarePolicy`` confines each of them:

- file printers and logos: inside a configured directory (symlinks and ``..`` resolved
  first), or, for a file printer, a device node matching the port patterns (``/dev/usb/lp0``);
- serial devices: names matching one of the port patterns (shell-style, ``/dev/ttyUSB*``);
  a path must match both as written (normalised) and once its symlinks are resolved;
- network printers: an IP address inside one of the allowed networks, or a host name listed
  as such or resolving only to allowed addresses; the transport checks again the address it
  connects to (a name may resolve elsewhere later).

``None`` for a directory, or no policy at all, leaves that part unconfined (the driver used
as a plain library, and its tests).
"""

from __future__ import annotations

import fnmatch
import ipaddress
import os
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def resolve_host(host: str) -> list[str]:
    """Every address ``host`` resolves to (raises OSError when it does not resolve)."""
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None)})


def _address(text: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(text.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


@dataclass(frozen=True)
class HardwarePolicy:
    file_dir: Path | None = None
    logo_dir: Path | None = None
    port_patterns: tuple[str, ...] = ()
    networks: tuple[IpNetwork, ...] = ()
    hosts: frozenset[str] = frozenset()
    resolve: Callable[[str], list[str]] = field(default=resolve_host, compare=False)

    @classmethod
    def of(
        cls,
        *,
        file_dir: Path | None,
        logo_dir: Path | None,
        port_patterns: Iterable[str],
        allowed_hosts: Iterable[str],
    ) -> HardwarePolicy:
        """A policy from settings: ``allowed_hosts`` mixes networks ("10.0.0.0/8", an address)
        and host names."""
        networks: list[IpNetwork] = []
        hosts: set[str] = set()
        for entry in allowed_hosts:
            try:
                networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError:
                hosts.add(entry.strip().lower())
        return cls(
            file_dir=file_dir,
            logo_dir=logo_dir,
            port_patterns=tuple(port_patterns),
            networks=tuple(networks),
            hosts=frozenset(hosts),
        )

    # -- checks: each returns the problem, or None when allowed ----------------------------
    def file_problem(self, path: str) -> str | None:
        if self.file_dir is None or self._matches_port(path):
            return None
        return self._inside(path, self.file_dir, "a printer file")

    def logo_problem(self, path: str) -> str | None:
        if self.logo_dir is None:
            return None
        return self._inside(path, self.logo_dir, "a logo")

    def port_problem(self, name: str) -> str | None:
        if self._matches_port(name):
            return None
        allowed = ", ".join(self.port_patterns) or "none"
        return f"{name!r} is not an allowed serial port (allowed: {allowed})"

    def host_problem(self, host: str) -> str | None:
        if host.lower() in self.hosts:
            return None
        literal = _address(host)
        if literal is not None:
            if self.address_allowed(literal):
                return None
            return f"{host} is outside the networks printers may be on ({self._networks()})"
        try:
            found = self.resolve(host)
        except OSError as exc:
            return f"host {host!r} does not resolve ({exc}); list it in the allowed hosts"
        refused = [a for a in found if not self.address_allowed(a)]
        if refused or not found:
            return (
                f"host {host!r} resolves to {', '.join(refused) or 'nothing'}, outside the"
                f" networks printers may be on ({self._networks()})"
            )
        return None

    def address_allowed(self, address: str | IpAddress) -> bool:
        ip = _address(address) if isinstance(address, str) else address
        if ip is None:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip.version == net.version and ip in net for net in self.networks)

    def named_host(self, host: str) -> bool:
        """Whether ``host`` is allowed by name (whatever it resolves to)."""
        return host.lower() in self.hosts

    def printer_problems(self, config: Any) -> list[tuple[str, str]]:
        """Every (field, problem) of a typed printer configuration (drivers.escpos.config)."""
        problems: list[tuple[str, str]] = []
        transport = config.transport
        checks: list[tuple[str, str | None]] = []
        if transport == "file":
            checks.append(("path", self.file_problem(config.path)))
        elif transport == "serial":
            checks.append(("device", self.port_problem(config.device)))
        elif transport == "network":
            checks.append(("host", self.host_problem(config.host)))
        if config.logo_path:
            checks.append(("logo_path", self.logo_problem(config.logo_path)))
        problems += [(where, what) for where, what in checks if what]
        return problems

    # -- helpers -----------------------------------------------------------------------
    def _networks(self) -> str:
        return ", ".join(str(n) for n in self.networks) or "none"

    def _matches_port(self, name: str) -> bool:
        if "\x00" in name:
            return False
        names = [name]
        if name.startswith("/"):
            # As written (without "..") and where its symlinks lead: both must match.
            names = [os.path.normpath(name), os.path.realpath(name)]
        return all(any(fnmatch.fnmatchcase(n, p) for p in self.port_patterns) for n in names)

    @staticmethod
    def _inside(path: str, directory: Path, what: str) -> str | None:
        if "\x00" in path:
            return f"{what} path must not contain NUL"
        base = os.path.realpath(directory)
        full = _target(path, directory)
        if os.path.commonpath([base, full]) != base:
            return f"{what} must be inside {base} (got {path!r})"
        return None

    def file_target(self, path: str) -> str:
        """Where a file printer writes: a relative path is inside the printer file directory."""
        if self.file_dir is None or self._matches_port(path):
            return path
        return _target(path, self.file_dir)

    def logo_target(self, path: str) -> str:
        """Where a logo is read: a relative path is inside the logo directory."""
        return path if self.logo_dir is None else _target(path, self.logo_dir)


def _target(path: str, directory: Path) -> str:
    # The same expression checks a path and opens it: what was checked is what is opened.
    return os.path.realpath(os.path.join(os.path.realpath(directory), os.path.expanduser(path)))
