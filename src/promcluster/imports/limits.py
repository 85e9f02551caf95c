"""What one import may cost: rows read, bytes unpacked, cell length, error report kept.

The figures come from the settings (``PROMCLUSTER_IMPORT_*``); the reader, the row checks and
the service take them as one value, so the CLI, the web server and the tests agree.
"""

from dataclasses import dataclass

from promcluster.config import Settings, get_settings

# An XLSX packs a dozen parts; thousands of members are not a workbook but an attack.
MAX_ARCHIVE_MEMBERS = 1000
# Members smaller than this unpacked are never refused for their ratio (a tiny XML part of
# repeated tags compresses a hundredfold and is harmless).
RATIO_FLOOR_BYTES = 1024 * 1024
# Columns past this one are not read (Excel allows 16,384; an import file has a few dozen).
MAX_COLUMNS = 1024
# Recognised and ignored header titles kept in the run.
MAX_IGNORED_COLUMNS = 100


@dataclass(frozen=True)
class ImportLimits:
    """The limits of one import run (see docs/SECURITY.md and docs/IMPORT.md)."""

    max_rows: int = 2_000_000
    max_unpacked_bytes: int = 1024 * 1024 * 1024
    max_compression_ratio: int = 200
    max_cell_chars: int = 4000
    report_max_rows: int = 10_000
    report_value_chars: int = 200

    @classmethod
    def of(cls, settings: Settings | None = None) -> "ImportLimits":
        """The limits configured in ``settings`` (the process settings by default)."""
        s = settings or get_settings()
        return cls(
            max_rows=s.import_max_rows,
            max_unpacked_bytes=s.import_max_unpacked_bytes,
            max_compression_ratio=s.import_max_compression_ratio,
            max_cell_chars=s.import_max_cell_chars,
            report_max_rows=s.import_report_max_rows,
            report_value_chars=s.import_report_value_chars,
        )


def clipped(value: str | None, chars: int) -> str | None:
    """``value`` cut to ``chars`` characters, an ellipsis marking the cut."""
    if value is None or len(value) <= chars:
        return value
    return value[: max(chars - 1, 0)] + "…"
