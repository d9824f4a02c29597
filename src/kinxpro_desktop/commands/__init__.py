"""Headless subcommand groups: each module exposes ``add_parser(subparsers, common)`` (light
imports only) and ``run(started, args, endpoint, creds)``, which calls the same services as
the window."""
