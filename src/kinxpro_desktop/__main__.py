"""Entry point: `kinxpro-desktop` and `python -m kinxpro_desktop`. The one sys.exit."""

from __future__ import annotations

import sys


def main() -> None:
    from kinxpro_desktop.cli import main as cli_main

    sys.exit(cli_main())


if __name__ == "__main__":
    main()
