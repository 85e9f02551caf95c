"""Start-up of the web application (issue 22): building it imports none of the libraries that
take seconds to import and that only the models need (scikit-learn, scipy.stats, pandas); the
warm-up thread loads them after the server listens (docs/BENCHMARKS.md, "Start-up (issue 22)")."""

import json
import subprocess
import sys

from factories import TEST_SECRET_KEY

HEAVY = ("sklearn", "scipy.stats", "scipy.spatial", "pandas")
PROBE = """
import json, sys
import promcluster.cli
from promcluster.app import create_app
from promcluster.config import Settings
create_app(Settings(_env_file=None, database_url=sys.argv[1], secret_key=sys.argv[2]))
print(json.dumps([m for m in sys.argv[3:] if m in sys.modules]))
"""


def test_building_the_application_imports_no_model_library(tmp_path):
    url = f"sqlite:///{tmp_path / 'never-opened.db'}"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, url, TEST_SECRET_KEY, *HEAVY],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
