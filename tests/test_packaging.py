"""A plain (non-editable) install carries the ontology, the named queries and the view templates."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_install_works_without_the_source_tree(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", str(ROOT), "-w", str(tmp_path)],
        check=True,
    )
    wheel = next(tmp_path.glob("filmkg-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "kg/_ontology/film.ttl" in names and "kg/_ontology/queries/training.rq" in names
    assert "kg/templates/viz.html.j2" in names and "kg/py.typed" in names
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    # Run from an empty folder with only the wheel's files ahead of the environment's packages.
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = (
        "import kg, kg.ontology, kg.query; "
        "assert kg.__file__.startswith(%r), kg.__file__; "
        "d = kg.ontology.ontology_dir(); assert str(d).startswith(%r), d; "
        "print(len(kg.query.named_queries()), kg.ontology.load_ontology().relation('trained-for').name)"
    ) % (str(target), str(target))
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, check=True, capture_output=True, text=True)
    count, name = out.stdout.split()
    assert int(count) >= 6 and name == "trained-for"
