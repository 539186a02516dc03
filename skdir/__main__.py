"""Command line entry point: ``python -m skdir`` / ``skdir``.

Run ``skdir --help`` for the commands; with no arguments it runs the quick
shot-wise benchmark on the bundled abalone data. The entry point is
:func:`skdir.cli.main`.
"""

import sys

from .cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
