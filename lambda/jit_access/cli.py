"""The `jit-access` command. Each group of subcommands registers itself with `add_commands(subparsers)`
and sets `func` (taking the parsed arguments, returning the exit status); this module only wires them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _add_local(subparsers: argparse._SubParsersAction) -> None:
    local = subparsers.add_parser(
        "local",
        help="run the whole stack on this machine (embedded AWS, Slack stand-in, gateway)",
        description="The local stack: the real module applied with Terraform against an embedded AWS, a "
        "Slack stand-in and a gateway, all on 127.0.0.1. State in ./.jit-access-local/.",
    )
    commands = local.add_subparsers(dest="local_command", required=True)
    for name, text in (
        ("up", "start the stack (says so and exits 0 when it already runs)"),
        ("down", "stop every process of the stack and forget its Terraform state"),
        ("status", "show which processes run and answer (exit 0 all up, 1 down, 2 partly up)"),
    ):
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument(
            "--dir", type=Path, default=None, help="directory holding .jit-access-local/ (default: current)"
        )
        if name == "up":
            command.add_argument(
                "--example-dir",
                type=Path,
                default=None,
                help="the Terraform root to apply (default: examples/local)",
            )
        command.set_defaults(func=_run_local)


def _run_local(args: argparse.Namespace) -> int:
    from jit_access.local import stack  # the local stack's dependencies load only when it is used

    if args.local_command == "up":
        return stack.up(directory=args.dir, example_dir=args.example_dir)
    if args.local_command == "down":
        return stack.down(directory=args.dir)
    return stack.status(directory=args.dir)


def build_parser() -> argparse.ArgumentParser:
    from jit_access import audit, policy

    parser = argparse.ArgumentParser(
        prog="jit-access",
        description="Just-in-time AWS access through IAM Identity Center, approved in Slack.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    policy.add_commands(subparsers)
    audit.add_commands(subparsers)
    _add_local(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
