"""Fitted models kept on disk for the other worker processes (``promcluster.artefacts``)."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from promcluster import artefacts


@pytest.fixture
def kept(tmp_path: Path):
    artefacts.use(tmp_path)
    yield tmp_path
    artefacts.use(None)


class Fits:
    """A model fitted by counting: how many times it was fitted."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> dict:
        self.count += 1
        return {"weights": [1.0, 2.0], "fit": self.count}


def test_without_a_directory_every_call_fits_and_nothing_is_written(tmp_path: Path):
    artefacts.use(None)
    fit = Fits()
    assert artefacts.fitted("model", lambda: ["a"], fit)["fit"] == 1
    assert artefacts.fitted("model", lambda: ["a"], fit)["fit"] == 2
    assert list(tmp_path.iterdir()) == []


def test_the_same_inputs_load_what_was_fitted(kept: Path):
    fit = Fits()
    first = artefacts.fitted("model", lambda: ["rows", b"bytes"], fit)
    again = artefacts.fitted("model", lambda: ["rows", b"bytes"], fit)
    assert fit.count == 1 and again == first and again is not first
    assert len(list(kept.glob("model-*.pickle"))) == 1


def test_changed_inputs_fit_again_and_replace_the_old_file(kept: Path):
    fit = Fits()
    artefacts.fitted("model", lambda: ["ab", "c"], fit)
    [old] = kept.glob("model-*.pickle")
    assert artefacts.fitted("model", lambda: ["a", "bc"], fit)["fit"] == 2  # parts are delimited
    [new] = kept.glob("model-*.pickle")
    assert new != old and not old.exists()
    artefacts.fitted("other", lambda: ["a", "bc"], fit)
    assert len(list(kept.glob("*.pickle"))) == 2  # another name is left alone


def test_an_unreadable_file_is_fitted_again_and_replaced(kept: Path):
    fit = Fits()
    artefacts.fitted("model", lambda: ["x"], fit)
    [path] = kept.glob("model-*.pickle")
    path.write_bytes(b"not a pickle")
    assert artefacts.fitted("model", lambda: ["x"], fit)["fit"] == 2
    assert artefacts.fitted("model", lambda: ["x"], fit)["fit"] == 2  # the new file is read
    assert not list(kept.glob("*.tmp"))


def test_a_directory_is_created_when_missing(tmp_path: Path):
    artefacts.use(tmp_path / "var" / "cache")
    try:
        artefacts.fitted("model", lambda: ["x"], Fits())
        assert len(list((tmp_path / "var" / "cache").glob("model-*.pickle"))) == 1
    finally:
        artefacts.use(None)


def test_processes_starting_together_fit_once(tmp_path: Path):
    """Three processes ask at once: one fits (slowly), the others wait for it and load."""
    script = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from promcluster import artefacts

        def fit():
            with open({str(tmp_path / "fits.log")!r}, "a") as log:
                log.write("fit\\n")
            time.sleep(1)
            return list(range(1000))

        artefacts.use(Path({str(tmp_path / "cache")!r}))
        assert artefacts.fitted("shared", lambda: ["inputs"], fit) == list(range(1000))
        """
    )
    processes = [
        subprocess.Popen([sys.executable, "-c", script], env={"PYTHONPATH": ":".join(sys.path)})
        for _ in range(3)
    ]
    assert [p.wait(60) for p in processes] == [0, 0, 0]
    assert (tmp_path / "fits.log").read_text() == "fit\n"
