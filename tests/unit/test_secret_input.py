"""Reading the destination and the address: a no-echo prompt on a terminal, two lines
from a pipe; errors name the field and never repeat the value."""

from __future__ import annotations

import io

import pytest

from utvag_cli.secret_input import (
    SecretInputError,
    read_destination_and_address,
)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_is_prompted_without_echo_for_both() -> None:
    prompts: list[str] = []
    answers = iter(["2584", "Hemligvägen 17"])

    def no_echo(text: str) -> str:
        prompts.append(text)
        return next(answers)

    got = read_destination_and_address(address_file=None, stdin=Terminal(), prompt=no_echo)
    assert got == ("2584", "Hemligvägen 17")
    assert prompts == ["destination municipality code (not shown): ", "address (not shown): "]


def test_the_default_prompt_is_getpass() -> None:
    import getpass

    assert read_destination_and_address.__kwdefaults__["prompt"] is getpass.getpass


def test_a_pipe_gives_two_lines() -> None:
    pipe = io.StringIO(" 2584 \nHemligvägen 17, 981 31\nignored\n")
    assert read_destination_and_address(address_file=None, stdin=pipe) == (
        "2584", "Hemligvägen 17, 981 31")


@pytest.mark.parametrize(("text", "field"), [("", "destination"), ("2584\n", "address"),
                                             ("25840\nHemligvägen 17\n", "destination"),
                                             ("2584\n" + "x" * 301 + "\n", "address")])
def test_unusable_input_names_the_field_only(text: str, field: str) -> None:
    with pytest.raises(SecretInputError) as refused:
        read_destination_and_address(address_file=None, stdin=io.StringIO(text))
    assert str(refused.value).startswith(f"{field}:")
    assert "Hemlig" not in str(refused.value) and "25840" not in str(refused.value)
