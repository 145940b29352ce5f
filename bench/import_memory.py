"""Benchmark: the memory an upload costs, for hostile files and for an ordinary large roster (issue 10).

    .venv/bin/python bench/import_memory.py               # the upload's path, with the limits
    .venv/bin/python bench/import_memory.py --unguarded   # also the reader alone, as before

Builds the files once (bench/results/hostile/, not committed): a zip bomb (1 GB of plausible rows that
deflate to a few MB), the issue's 246 KB file with one 240 MB cell, a shared string of 32 KB repeated
in 1,000,000 cells, the zip bomb again with a directory that claims 1 MB, one cell at XFD1048576, a CSV
line of 48 MB, an .xls whose one long text fills 200,000 cells, and the 100,000-row roster of
bench/import_people.py as the ordinary baseline.

Each file runs in a fresh child process (no database needed) through what an upload does before any
step: `reading.check_file`, the stream against the limits, and, when the file passes, the read the
check step then makes (`people.read(..., measured=True)`, python-calamine). The child reports its
resident memory before (Django loaded, the file's bytes in memory: the baseline) and its peak (VmHWM)
after, and the outcome. Then, in one process, the scan and python-calamine's read of the ordinary
roster are timed alternately (--speed times, medians). With --unguarded each file is also handed
straight to the reader (python-calamine, or csv for the CSV), as the code did before issue 10, in a
child whose address space is capped at --cap MB (default 2,048).
Figures: docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "hostile"
sys.path.insert(0, str(ROOT))

MB = 1024 * 1024


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accountability.settings.test")
    import django

    django.setup()


def _long_text_xls() -> bytes:
    import io

    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("花名册")
    text = "问" * 30_000
    for row in range(10_000):
        for column in range(20):
            sheet.write(row, column, text)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def files() -> dict[str, tuple[str, Callable[[], bytes], str]]:
    """name -> (file name, builder, what the reader would unpack)."""
    from tests import hostile_files as hostile

    return {
        "zip bomb": ("bomb.xlsx", lambda: hostile.zip_bomb(1024 * MB), "1 GB of rows"),
        "one 240 MB cell": ("cell.xlsx", lambda: hostile.huge_cell(240 * MB), "240 MB in one cell"),
        "shared-string bomb": (
            "shared.xlsx",
            lambda: hostile.shared_string_bomb(1_000_000, 32_000),
            "32 KB × 1,000,000 cells = 32 GB",
        ),
        "directory lies": (
            "lying.xlsx",
            lambda: hostile.lying_sizes(hostile.zip_bomb(1024 * MB), claimed=MB),
            "1 GB, claims 1 MB",
        ),
        "far cell": ("far.xlsx", lambda: hostile.far_cell("XFD1048576"), "17 billion cells"),
        "CSV long line": ("line.csv", lambda: hostile.csv_long_line(48 * MB), "16 M fields in one row"),
        ".xls long shared text": ("text.xls", _long_text_xls, "90 KB × 200,000 cells = 18 GB"),
    }


def build(name: str) -> Path:
    file_name, builder, _what = files()[name]
    path = RESULTS / file_name
    if not path.exists():
        RESULTS.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        path.write_bytes(builder())
        print(f"   built {file_name} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return path


def roster() -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    from import_people import roster_file

    return roster_file(100_000)


def _memory_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def child(path: str, unguarded: bool, cap_mb: int) -> None:
    """Run in the child: the path of an upload (or, unguarded, python-calamine alone); print the result."""
    _setup()
    import io
    import resource

    from registry.imports import people
    from registry.imports.problems import ImportRefusedError
    from registry.imports.reading import check_file

    content = Path(path).read_bytes()
    name = "名册" + Path(path).suffix
    baseline = _memory_kb("VmRSS")
    with open("/proc/self/clear_refs", "w") as reset:  # the peak from here on
        reset.write("5")
    started = time.perf_counter()
    outcome = "accepted"
    if unguarded:
        resource.setrlimit(resource.RLIMIT_AS, (cap_mb * MB, cap_mb * MB))
        try:
            if name.endswith(".csv"):
                import csv

                rows: list[Any] = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
            else:
                from python_calamine import CalamineWorkbook

                sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
                rows = sheet.to_python(skip_empty_area=False)
            outcome = f"read, {len(rows)} rows"
        except MemoryError:
            outcome = f"MemoryError at the {cap_mb} MB cap"
        except Exception as error:
            outcome = f"error: {type(error).__name__}"
    else:
        try:
            check_file(content, name)
            people.read(content, name, measured=True)
        except ImportRefusedError as problem:
            outcome = f"refused: {problem.code}"
    seconds = time.perf_counter() - started
    peak = max(_memory_kb("VmHWM"), baseline)
    print(
        "RESULT " + json.dumps({"outcome": outcome, "baseline": baseline, "peak": peak, "seconds": seconds})
    )


def speed(path: str, repeat: int) -> None:
    """In the child: the scan and python-calamine's read of the same file, alternately, `repeat` times."""
    _setup()
    import io
    import statistics

    from python_calamine import CalamineWorkbook

    from registry.imports.scanning import measure as scan

    content = Path(path).read_bytes()
    scans, reads = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        scan(content, "名册.xlsx")
        scans.append(time.perf_counter() - started)
        started = time.perf_counter()
        CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python(
            skip_empty_area=False
        )
        reads.append(time.perf_counter() - started)
    scanned, read = statistics.median(scans), statistics.median(reads)
    print(
        f"scan {scanned:.2f} s, python-calamine read {read:.2f} s (medians of {repeat}): "
        f"{scanned / read:.2f}×"
    )


def measure(path: Path, unguarded: bool, cap_mb: int) -> dict[str, Any]:
    completed = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            str(path),
            *(["--unguarded"] if unguarded else []),
            "--cap",
            str(cap_mb),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in completed.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line.removeprefix("RESULT "))
    # Killed: a Rust allocation failure aborts the process (SIGABRT), the kernel may SIGKILL it.
    return {
        "outcome": f"died (signal {-completed.returncode}) at the {cap_mb} MB cap",
        "baseline": 0,
        "peak": 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--unguarded",
        action="store_true",
        help="also the reader alone (python-calamine, csv for a CSV), capped",
    )
    parser.add_argument("--cap", type=int, default=2048, help="address-space cap of the unguarded child, MB")
    parser.add_argument("--speed", type=int, default=3, help="repeats of the scan-against-read timing")
    parser.add_argument("--child")
    parser.add_argument("--child-speed")
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments.child, arguments.unguarded, arguments.cap)
        return
    if arguments.child_speed:
        speed(arguments.child_speed, arguments.speed)
        return
    _setup()
    cases = [(name, build(name), what) for name, (_file, _build, what) in files().items()]
    cases.append(("roster, 100,000 rows (ordinary)", roster(), "70 MB of rows"))
    modes = [False, True] if arguments.unguarded else [False]
    print(
        f"| file | size | would unpack to | {'mode | ' if arguments.unguarded else ''}outcome | baseline MB "
        "| peak MB | peak / baseline | s |"
    )
    print(f"|---|---:|---|{'---|' if arguments.unguarded else ''}---|---:|---:|---:|---:|")
    for name, path, what in cases:
        for unguarded in modes:
            result = measure(path, unguarded, arguments.cap)
            baseline, peak = int(result["baseline"]) / 1024, int(result["peak"]) / 1024
            ratio = f"{peak / baseline:.2f}" if baseline else "—"
            mode = ""
            if arguments.unguarded:
                mode = "reader alone, as before | " if unguarded else "upload path | "
            seconds = f"{float(result['seconds']):.2f}" if "seconds" in result else "—"
            size = path.stat().st_size
            shown = f"{size / MB:.1f} MB" if size >= MB else f"{size / 1024:.0f} KB"
            print(
                f"| {name} | {shown} | {what} | {mode}{result['outcome']} | {baseline:.0f} | "
                f"{peak:.0f} | {ratio} | {seconds} |"
            )
    if arguments.speed:
        print("\nThe ordinary roster, scan against read, in one process:")
        subprocess.run(
            [sys.executable, __file__, "--child-speed", str(roster()), "--speed", str(arguments.speed)],
            cwd=ROOT,
            check=True,
        )


if __name__ == "__main__":
    main()
