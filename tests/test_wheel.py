"""What ``pip install promcluster`` gets: the wheel built from the checkout holds every file the
package reads at run time, and the first-start commands work from it installed (not editable) in
a fresh virtual environment, far from the checkout."""

import csv
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "promcluster"
BUILD_FILES = ("pyproject.toml", "README.md")
NAMES = ["Щебень гранитный", "Хлеб пшеничный"]
CLASSES = ["08.12", "10.71"]  # the OKPD2 class expected among each name's suggestions
WHERE = "import promcluster; print(promcluster.__file__)"


def package_data() -> set[str]:
    """The wheel paths of the non-Python files under src/promcluster; hidden files (the stamp
    ``make assets`` leaves in static/vendor) and byte code are not part of the package."""
    found = set()
    for path in PACKAGE.rglob("*"):
        parts = path.relative_to(PACKAGE).parts
        hidden = any(p.startswith(".") or p == "__pycache__" for p in parts)
        if path.is_file() and not hidden and path.suffix not in {".py", ".pyc"}:
            found.add("/".join(("promcluster", *parts)))
    return found


def run(args: list[str | Path], **options) -> subprocess.CompletedProcess[str]:
    """Run a command to completion; fail the test with its output when it exits non-zero."""
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=600, **options
    )
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a copy of the checkout (setuptools leaves build/ and *.egg-info
    beside the sources it builds, so the checkout itself stays untouched), by this
    environment's setuptools (>= 70.1, which builds wheels without the ``wheel`` package)."""
    tree = tmp_path_factory.mktemp("tree")
    for name in BUILD_FILES:
        shutil.copy2(ROOT / name, tree / name)
    shutil.copytree(
        ROOT / "src", tree / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    out = tmp_path_factory.mktemp("dist")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-cache-dir"]
    run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", out, tree])
    (built,) = out.glob("promcluster-*.whl")
    return built


def test_the_wheel_holds_every_file_the_package_reads(wheel):
    with zipfile.ZipFile(wheel) as archive:
        held = set(archive.namelist())
    assert package_data() - held == set()


def fresh_environment(wheel: Path, where: Path) -> Path:
    """A new virtual environment with the wheel installed without its dependencies; those are
    taken from this interpreter's site-packages, added by a ``.pth`` line (the ``.pth`` files in
    there are not run, so the editable install of the checkout stays invisible)."""
    run([sys.executable, "-m", "venv", "--without-pip", where])
    python = where / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--python", python]
    run([*pip, "install", "--no-deps", "--no-index", "--no-cache-dir", wheel])
    site = run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
    ours = dict.fromkeys(sysconfig.get_path(p) for p in ("purelib", "platlib"))
    (Path(site.stdout.strip()) / "dependencies.pth").write_text("\n".join(ours) + "\n")
    return where


def test_a_fresh_install_migrates_loads_and_classifies(wheel, tmp_path):
    venv = fresh_environment(wheel, tmp_path / "venv")
    work = tmp_path / "work"
    work.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PROMCLUSTER_") and k not in {"PYTHONPATH", "PYTHONHOME"}
    }
    env["PROMCLUSTER_DATABASE_URL"] = f"sqlite:///{work / 'promcluster.db'}"
    options = {"cwd": work, "env": env}

    where = run([venv / "bin" / "python", "-c", WHERE], **options)
    assert Path(where.stdout.strip()).resolve().is_relative_to(venv.resolve()), where.stdout

    def promcluster(*args: str | Path) -> str:
        return " ".join(run([venv / "bin" / "promcluster", *args], **options).stdout.split())

    assert "База данных в актуальном состоянии" in promcluster("db", "upgrade")
    assert "добавлено" in promcluster("load", "reference")
    assert "Демонстрационные данные" in promcluster("load", "demo")

    names = work / "names.csv"
    names.write_text("\n".join(["Наименование", *NAMES]) + "\n", encoding="utf-8")
    said = promcluster("classify", names, "--column", "Наименование", "-o", work / "codes.csv")
    assert "Строк: 2, без подсказок: 0" in said
    with (work / "codes.csv").open(encoding="utf-8", newline="") as f:
        lines = list(csv.DictReader(f))
    for row, cls in enumerate(CLASSES):
        codes = [line["code"] for line in lines if line["row"] == str(row)]
        assert any(code.startswith(cls + ".") for code in codes), (NAMES[row], codes)
