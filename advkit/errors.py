"""The one exception a user can cause. The CLI prints its message on one line and exits 2."""


class AdvkitError(Exception):
    """A problem the user can fix: a bad path, an unknown name, a malformed file. The message says how."""
