"""What every benchmark result records: the command, the commit, the machine, the time."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys
from typing import Any


def run_info() -> dict[str, Any]:
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = bool(
        subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True
        ).stdout.strip()
    )
    return {
        "command": " ".join([os.path.basename(sys.executable), *sys.argv]),
        "commit": commit + ("+dirty" if dirty else ""),
        "machine": {
            "platform": platform.platform(),
            "processor": platform.machine(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
