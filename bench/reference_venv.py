"""The virtualenv the reference scripts run in (scikit-learn, numpy, scipy), made on first use.

A script calls `run_inside(__file__, "sklearn", "numpy")` before importing them: outside the
virtualenv it creates it (at ${SKLEARN_VENV:-~/.cache/modeldesk-sklearn-venv}), installs what
is missing, and re-executes the script with the virtualenv's python.
"""
import os
import subprocess
import sys
from pathlib import Path

VENV = Path(
    os.environ.get("SKLEARN_VENV", Path.home() / ".cache" / "modeldesk-sklearn-venv")
)
PIP_NAMES = {"sklearn": "scikit-learn"}


def run_inside(script, *modules):
    """Re-exec `script` with the virtualenv's python unless already there."""
    python = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    probe = subprocess.run(
        [str(python), "-c", "import " + ", ".join(modules)], capture_output=True
    )
    if probe.returncode != 0:
        packages = [PIP_NAMES.get(m, m) for m in modules]
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", *packages], check=True
        )
    os.execv(str(python), [str(python), str(Path(script).resolve()), *sys.argv[1:]])
