"""Entry point: `kinxpro-desktop` and `python -m kinxpro_desktop`. The one sys.exit.

The process is hardened first (no core dumps: they would hold keys, tokens and buyer data).
"""

from __future__ import annotations

import sys


def main() -> None:
    from kinxpro_desktop.hardening import harden_process

    harden_process()
    try:
        from kinxpro_desktop.cli import main as cli_main

        code = cli_main()
    except KeyboardInterrupt:  # a second Ctrl-C while the first one was being handled
        print("kinxpro-desktop: interrupted.", file=sys.stderr)
        code = 130
    sys.exit(code)


if __name__ == "__main__":
    main()
