"""Rasa and the action server listen on this machine only."""

from pathlib import Path
from urllib.parse import urlparse

LISTEN = "0A"  # the TCP state "listening" in /proc/net/tcp


def listening_addresses(port: int) -> set:
    """Local addresses with a socket listening on `port`, as /proc/net/tcp{,6} spell them."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, at = local.rsplit(":", 1)
            if state == LISTEN and int(at, 16) == port:
                found.add(address)
    return found


def test_the_action_server_and_rasa_listen_on_127_0_0_1_only(assistant):
    for port in (assistant.action_port, urlparse(assistant.url).port):
        assert listening_addresses(port) == {"0100007F"}, f"port {port} listens beyond 127.0.0.1"
