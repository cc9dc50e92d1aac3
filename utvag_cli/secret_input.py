"""Reading the destination and the address without them ever being an argument value.

An argument value is in the shell history and, while the command runs, in every user's
process list (`ps`). So `utvag during relocate` reads both from a file named by path
(`--address-file`), or from stdin: prompted without echo on a terminal, or two lines from
a pipe. Line 1 is the destination municipality code, line 2 the address. Errors name
the field and never repeat what was read; the old options are refused the same way
(`NeverOnCommandLine`). The commands that once asked for the caller's municipality code
(`during destination`, `during belongings-delivered`, `after transfer`) ask for nothing:
the case service takes the municipality from the login (`FromTheLogin` refuses the old
option without repeating it).
"""

from __future__ import annotations

import argparse
import getpass
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

MAX_ADDRESS = 300
Prompt = Callable[[str], str]


class SecretInputError(ValueError):
    """Unusable input; the message names the field (never the value)."""


def read_destination_and_address(*, address_file: str | None, stdin: TextIO,
                                 prompt: Prompt = getpass.getpass) -> tuple[str, str]:
    """(destination municipality code, address), validated."""
    if address_file is not None:
        try:
            lines = Path(address_file).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise SecretInputError(f"address-file: cannot read it ({type(exc).__name__})") \
                from None
        destination, address = (lines + ["", ""])[:2]
    elif stdin.isatty():
        destination = prompt("destination municipality code (not shown): ")
        address = prompt("address (not shown): ")
    else:
        destination, address = stdin.readline(), stdin.readline()
    return _checked(destination, address)


def _checked(destination: str, address: str) -> tuple[str, str]:
    destination, address = destination.strip(), address.strip()
    if not re.fullmatch(r"\d{4}", destination):
        raise SecretInputError("destination: a 4-digit municipality code on the first line "
                               "(stdin or --address-file)")
    if not 1 <= len(address) <= MAX_ADDRESS:
        raise SecretInputError(f"address: 1-{MAX_ADDRESS} characters on the second line "
                               "(stdin or --address-file)")
    return destination, address


class NeverOnCommandLine(argparse.Action):
    """An option that would put the destination on the command line: refused (exit 2)
    without repeating the value."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        field = (option_string or "").lstrip("-")
        parser.error(f"{field}: never on the command line (shell history, process list); "
                     "give it on stdin (see --help)")


class FromTheLogin(argparse.Action):
    """An option whose value now comes from the login (the municipality, the agency):
    refused (exit 2) without repeating the value."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        field = (option_string or "").lstrip("-")
        parser.error(f"{field}: never on the command line; the case service takes it from "
                     "your login (`utvag login`)")
