import sys
from pathlib import Path

import pytest

# The package lives in lambda/ (the Lambda project); make it importable without installing.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "lambda"))


@pytest.fixture
def service():
    """An AccessService for the demo organisation, on in-memory edges."""
    from .scenario import make_service

    return make_service()
