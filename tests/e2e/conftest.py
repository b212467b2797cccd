"""One local stack for the whole run: the real module applied with `terraform apply` against the embedded
AWS (a minute or more), shared by every end-to-end test. It lives in a temporary directory, so a stack a
developer keeps running in the checkout is left alone.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from jit_access.local import stack as local_stack
from jit_access.local.client import LocalStack


@pytest.fixture(scope="session")
def stack_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    directory = tmp_path_factory.mktemp("local-stack")
    progress = io.StringIO()
    status = local_stack.up(directory=directory, out=progress)
    if status != 0:
        pytest.fail(f"`jit-access local up` failed:\n{progress.getvalue()}", pytrace=False)
    try:
        yield directory
    finally:
        local_stack.down(directory=directory, out=io.StringIO())


@pytest.fixture
def stack(stack_dir: Path) -> LocalStack:
    """The running stack, with the Slack stand-in's record of calls emptied."""
    client = LocalStack.load(stack_dir)
    client.run()  # nothing left over from an earlier test
    client.clear_calls()
    return client
