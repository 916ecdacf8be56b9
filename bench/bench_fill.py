"""Benchmark of `clinic fill` (issue 5). Prints figures; asserts nothing.

    python bench/bench_fill.py [--rounds 40] [--cases 1000] [--pdf-docs 20] [--skip-pdf]

1. Per document: clinic's whole path for one case (read + validate the YAML, render in
   the sandbox, reproducible save, SHA-256, durable no-clobber write, documents log)
   against a bare docxtpl render + save of the same templates with the same values,
   measured alternately in the same run. Target: <= 1.25x.
2. 1,000 cases filled with a progress bar, in a fresh process that reports its peak
   memory (ru_maxrss). Target: < 200 MB.
3. PDF for 20 documents through LibreOffice (one profile, one call). Target: <= 0.4 s
   per document. Skipped, with the reason, when soffice is not installed.

Work files go to bench/_work/ (ignored by git) unless --work is given.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

CASE = """\
form: birth-registration
case_id: {case_id}
child: {{given_name: {child}, name_my: စမ်းသပ် ကလေး, sex: {sex}, born_on: {born},
        born_at_time: "{hour:02d}:{minute:02d}", place_of_birth: Example District Hospital,
        district: Mae Sot, province: Tak}}
mother: {{name: {mother}, nationality: Myanmar, born_on: 1998-04-17,
         document: {{type: pink_card, number: "0000000000019"}}}}
father: {{name: {father}, nationality: Myanmar, document: {{type: passport, number: MA000001}}}}
informant: {{relationship: mother}}
notified_on: {notified}
interpreter: {{name: Test Interpreter, language: my}}
"""


def write_cases(folder: Path, count: int, seed: int = 5) -> list[Path]:
    """Synthetic, varied cases (invented people): the values differ from case to case."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        born_day = rng.randint(1, 20)
        text = CASE.format(
            case_id=f"BENCH-{i:05d}",
            child=f"Test Child {i}",
            sex=rng.choice(["female", "male"]),
            born=f"2026-10-{born_day:02d}",
            hour=rng.randint(0, 23),
            minute=rng.randint(0, 59),
            mother=f"Test Mother {i}",
            father=f"Test Father {i}",
            notified=f"2026-10-{born_day + rng.randint(1, 10):02d}",
        )
        path = folder / f"case-{i:05d}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


# --- 1. per document -------------------------------------------------------------------


def per_document(work: Path, rounds: int) -> dict[str, float]:
    from docxtpl import DocxTemplate
    from jinja2 import Environment

    from clinic.forms.casefile import read_case
    from clinic.forms.expressions import FILTERS
    from clinic.forms.fill import fill_case

    cases = write_cases(work / "cases-a", rounds + 1)
    out_clinic = work / "out-clinic"
    out_bare = work / "out-bare"
    for folder in (out_clinic, out_bare):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    first = read_case(cases[0])
    form = first.form
    # The templates clinic fills for these cases (on time, notified by the mother).
    specs = [t for t in form.templates if t.name in ("request", "declaration", "checklist")]
    bare_env = Environment()  # docxtpl's default: no sandbox, no autoescape
    bare_env.filters.update(FILTERS)  # the templates use clinic's filters

    def bare(case_path: Path, index: int) -> float:
        context = read_case(case_path).context()  # values ready: not timed
        start = time.perf_counter()
        for spec in specs:
            tpl = DocxTemplate(spec.path)
            tpl.render(context, jinja_env=bare_env)
            tpl.save(out_bare / f"{index}-{spec.name}.docx")
        return (time.perf_counter() - start) / len(specs)

    def ours(case_path: Path) -> float:
        start = time.perf_counter()
        result = fill_case(form, case_path, out_clinic, force=True)
        elapsed = time.perf_counter() - start
        assert result.ok and len(result.documents) == len(specs), result.errors
        return elapsed / len(result.documents)

    bare(cases[0], 0)  # warm both paths (imports, first compile)
    ours(cases[0])
    bare_times, our_times = [], []
    for index, case_path in enumerate(cases[1:], 1):
        if index % 2:
            bare_times.append(bare(case_path, index))
            our_times.append(ours(case_path))
        else:
            our_times.append(ours(case_path))
            bare_times.append(bare(case_path, index))
    bare_median = statistics.median(bare_times)
    our_median = statistics.median(our_times)
    print(
        f"1. Per document (median of {len(our_times)} cases x {len(specs)} templates, alternating)"
    )
    print(f"   bare docxtpl render + save   {_ms(bare_median)}")
    print(
        f"   clinic fill (validate, sandboxed render, reproducible save, fsync'd write, "
        f"log) {_ms(our_median)}"
    )
    print(f"   ratio {our_median / bare_median:.2f}x  (target <= 1.25x)")
    return {
        "bare_ms": bare_median * 1000,
        "clinic_ms": our_median * 1000,
        "ratio": our_median / bare_median,
    }


# --- 2. one thousand cases -------------------------------------------------------------


def thousand_child(work: Path, count: int, jobs: int) -> None:
    """Runs in a fresh process: fill `count` cases with a progress bar, print JSON."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from clinic import paths
    from clinic.forms.fill import fill

    paths.set_home(work / "home")
    cases = write_cases(work / "cases-1000", count, seed=11)
    out = work / "out-1000"
    shutil.rmtree(out, ignore_errors=True)
    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    )
    start = time.perf_counter()
    with progress:
        task = progress.add_task("filling", total=len(cases))
        report = fill(
            "birth-registration",
            cases,
            out,
            jobs=jobs,
            force=True,
            progress=lambda _: progress.advance(task),
        )
    elapsed = time.perf_counter() - start
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "cases": len(report.results),
                "failed": len(report.failed),
                "documents": len(report.documents),
                "seconds": elapsed,
                "peak_mb_self": self_kb / 1024,
                "peak_mb_largest_worker": children_kb / 1024,
            }
        )
    )


def thousand(work: Path, count: int, jobs: int) -> dict[str, float]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child-thousand",
        "--cases",
        str(count),
        "--jobs",
        str(jobs),
        "--work",
        str(work),
    ]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    peak = max(figures["peak_mb_self"], figures["peak_mb_largest_worker"])
    print(
        f"2. {figures['cases']} cases, --jobs {jobs}: {figures['documents']} documents in "
        f"{figures['seconds']:.1f} s ({figures['seconds'] / figures['documents'] * 1000:.1f} "
        f"ms per document), {figures['failed']} failed"
    )
    print(
        f"   peak memory {peak:.0f} MB (process {figures['peak_mb_self']:.0f} MB, largest "
        f"worker {figures['peak_mb_largest_worker']:.0f} MB)  (target < 200 MB)"
    )
    figures["peak_mb"] = peak
    return figures


# --- 3. PDF ----------------------------------------------------------------------------


def pdf_documents(work: Path, count: int, jobs: int) -> dict[str, float] | None:
    from clinic.forms import pdf
    from clinic.forms.fill import fill

    if shutil.which("soffice") is None and not os.environ.get("CLINIC_SOFFICE"):
        print("3. PDF: skipped (LibreOffice 'soffice' is not installed)")
        return None
    cases = write_cases(work / "cases-pdf", -(-count // 3), seed=17)
    out = work / "out-pdf"
    shutil.rmtree(out, ignore_errors=True)
    report = fill("birth-registration", cases, out, force=True)
    documents = [d.path for d in report.documents][:count]
    start = time.perf_counter()
    results = pdf.convert(documents, out, jobs=jobs, force=True)
    elapsed = time.perf_counter() - start
    failed = [d for d, r in results.items() if not isinstance(r, Path)]
    print(
        f"3. PDF for {len(documents)} documents, {jobs} LibreOffice process(es): "
        f"{elapsed:.1f} s, {elapsed / len(documents):.2f} s per document "
        f"(target <= 0.4 s), {len(failed)} failed"
    )
    return {
        "documents": len(documents),
        "seconds": elapsed,
        "per_document": elapsed / len(documents),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=40, help="cases timed in part 1")
    parser.add_argument("--cases", type=int, default=1000, help="cases filled in part 2")
    parser.add_argument("--jobs", type=int, default=1, help="--jobs for part 2")
    parser.add_argument("--pdf-docs", type=int, default=20, help="documents in part 3")
    parser.add_argument("--pdf-jobs", type=int, default=1, help="LibreOffice processes")
    parser.add_argument("--skip-pdf", action="store_true")
    parser.add_argument("--work", type=Path, default=HERE / "_work" / "fill")
    parser.add_argument("--child-thousand", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.child_thousand:
        thousand_child(args.work, args.cases, args.jobs)
        return 0
    from clinic import paths

    args.work.mkdir(parents=True, exist_ok=True)
    paths.set_home(args.work / "home")
    print(f"clinic fill benchmark - python {sys.version.split()[0]}, {os.cpu_count()} CPU(s)")
    per_document(args.work, args.rounds)
    thousand(args.work, args.cases, args.jobs)
    if not args.skip_pdf:
        pdf_documents(args.work, args.pdf_docs, args.pdf_jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
