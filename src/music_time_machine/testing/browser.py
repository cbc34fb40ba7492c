"""A stand-in browser for the demo and tests: follows the authorize URL through its redirects."""

from __future__ import annotations

import socket


def follow(url: str) -> None:
    """Do what a browser does with the authorize URL: the fake approves and redirects to our listener."""
    import requests

    requests.get(url, timeout=10).raise_for_status()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
