"""The README's composition example runs as written."""

import re
from pathlib import Path

from handmade import bow_victim

from advkit.attack import Attack


def test_readme_custom_constraint_example(monkeypatch):
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    block = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "class NoLongerWords" in b)
    namespace = {"victim": bow_victim()}
    exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102 - our own documentation
    attack = namespace["attack"]
    assert isinstance(attack, Attack)
    result = next(iter(attack.run([("a good movie", 1)])))
    assert result.status in ("succeeded", "failed")
    if result.status == "succeeded":
        old, new = result.original.split(), result.perturbed.split()
        assert all(len(b) <= len(a) for a, b in zip(old, new, strict=True))
