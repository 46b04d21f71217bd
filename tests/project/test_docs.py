"""README: every relative link resolves, and every benchmark's results are linked."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_readme_relative_links_resolve():
    links = LINK.findall((ROOT / "README.md").read_text())
    targets = [t.split("#")[0] for t in links if not re.match(r"[a-z]+:", t)]
    assert len(targets) > 10  # the notebooks and the benchmark results, at least
    missing = sorted({t for t in targets if t and not (ROOT / t).exists()})
    assert not missing, f"README links to files that do not exist: {missing}"


def test_readme_links_every_benchmark_result():
    readme = (ROOT / "README.md").read_text()
    scripts = sorted(p.stem for p in (ROOT / "benchmarks").glob("*.py") if not p.name.startswith("_"))
    unlinked = [s for s in scripts if f"benchmarks/results/{s}.md" not in readme]
    assert not unlinked, f"README does not link the results of {unlinked}"
