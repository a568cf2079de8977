"""The command line: fast help, one-line errors with exit code 2, asset listing."""

import subprocess
import sys
import time

from advkit.cli.main import cli
from click.testing import CliRunner


def test_help_is_fast_and_imports_nothing_heavy():
    code = "import sys, advkit.cli.main as m; assert 'torch' not in sys.modules and 'transformers' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "advkit.cli", "--help"], check=True, capture_output=True)
    assert time.perf_counter() - began < 5  # in practice ~0.2 s; generous for a loaded CI machine


def test_subcommand_help():
    runner = CliRunner()
    for command in (["train", "--help"], ["eval", "--help"], ["pretrain-mlm", "--help"], ["assets", "list"]):
        result = runner.invoke(cli, command)
        assert result.exit_code == 0, result.output
    assert "minilm" in runner.invoke(cli, ["assets", "list"]).output


def test_user_errors_are_one_line_and_exit_2():
    result = subprocess.run(
        [sys.executable, "-m", "advkit.cli", "eval", "--victim", "/no/such/victim"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and result.stderr.startswith("advkit: error: no victim at")
    result = subprocess.run(
        [sys.executable, "-m", "advkit.cli", "assets", "fetch", "nope"], capture_output=True, text=True
    )
    assert result.returncode == 2 and "unknown asset 'nope'" in result.stderr
