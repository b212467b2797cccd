import sys
from pathlib import Path

# The package lives in lambda/ (the Lambda project); make it importable without installing.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "lambda"))
