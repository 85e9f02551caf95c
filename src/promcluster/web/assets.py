"""Copy the front-end libraries installed by npm into ``static/vendor`` (run by ``make assets``),
so pages never load anything from a CDN."""

import shutil
import sys
from importlib import resources
from pathlib import Path

STATIC = Path(str(resources.files("promcluster.web") / "static"))

VENDOR = STATIC / "vendor"
FILES = {
    "leaflet/dist/leaflet.js": "leaflet/leaflet.js",
    "leaflet/dist/leaflet.css": "leaflet/leaflet.css",
    "leaflet/dist/images": "leaflet/images",
    "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
    "cytoscape/dist/cytoscape.min.js": "cytoscape/cytoscape.min.js",
    "swagger-ui-dist/swagger-ui-bundle.js": "swagger-ui/swagger-ui-bundle.js",
    "swagger-ui-dist/swagger-ui.css": "swagger-ui/swagger-ui.css",
}


def copy_assets(node_modules: Path) -> list[Path]:
    """Copy every file of ``FILES`` from ``node_modules``; fail loudly on a missing one."""
    copied = []
    for source, target in FILES.items():
        src, dst = node_modules / source, VENDOR / target
        if not src.exists():
            raise SystemExit(f"missing {src}: run `npm ci` first")
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copyfile(src, dst)
        copied.append(dst)
    return copied


if __name__ == "__main__":
    for path in copy_assets(Path(sys.argv[1] if len(sys.argv) > 1 else "node_modules")):
        print(path.relative_to(STATIC))
