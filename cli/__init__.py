"""The `advkit` command line (imported as advkit.cli)."""
