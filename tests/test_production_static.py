"""Static files under the production settings: WhiteNoise's manifest storage rewrites every URL a CSS or
JavaScript file names and fails on one it cannot find. The vendored Chart.js named a source map that is
not shipped, so `collectstatic` failed under production settings and, with no manifest, every page (the
login page included) answered 500. Tests use plain static storage; this runs the production command.
(`scripts/production_smoke.py`, run by CI, serves the result through gunicorn.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_collectstatic_under_the_production_settings(tmp_path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="accountability.settings.production",
        # Placeholders, as in the Dockerfile's build step: collectstatic connects to neither.
        SECRET_KEY="collectstatic-test-only",
        DATABASE_URL="postgres://build@127.0.0.1:1/build",
        REDIS_URL="redis://127.0.0.1:1/0",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    for name in ("css/app.css", "vendor/chartjs/chart.umd.min.js", "vendor/htmx/htmx.min.js", "js/charts.js"):
        hashed = manifest[name]
        assert hashed != name
        assert (tmp_path / "static" / hashed).is_file()


def test_no_vendored_file_names_a_file_that_is_not_shipped() -> None:
    """The licence header stays; a `sourceMappingURL` may only name a map that is in the folder."""
    for path in (ROOT / "static").rglob("*"):
        if path.suffix not in {".js", ".css"}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for line in text.splitlines():
            if "sourceMappingURL=" in line:
                target = line.split("sourceMappingURL=", 1)[1].strip(" */")
                assert (path.parent / target).is_file(), f"{path.relative_to(ROOT)} names {target}"
    assert "Released under the MIT License" in (ROOT / "static/vendor/chartjs/chart.umd.min.js").read_text()
