"""Create the tests' virtualenv at DIR with the pinned requirements: make_env.py DIR REQS.

A python3 whose venv module has no ensurepip (Debian without python3-venv) gets an empty
virtualenv that the system's pip installs into (`pip --python`).
"""

import subprocess
import sys
import venv


def main(target, requirements):
    install = ["install", "--disable-pip-version-check", "-q", "-r", requirements]
    python = f"{target}/bin/python"
    try:
        venv.create(target, with_pip=True, clear=True)
        subprocess.check_call([python, "-m", "pip", *install])
    except subprocess.CalledProcessError:
        raise
    except Exception as e:
        print(f"venv with pip failed ({e}); using the system's pip", file=sys.stderr)
        venv.create(target, with_pip=False, clear=True)
        subprocess.check_call([sys.executable, "-m", "pip", "--python", python, *install])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
