"""Word -> PDF with LibreOffice in headless mode.

- One user profile per LibreOffice process (`-env:UserInstallation`): parallel runs
  sharing a profile fail (research notes docs_anchors.md §0.10 and §6).
- Many documents per call: start-up costs about a second, each further document about
  a quarter of one (measurements.md §5).
- A PDF counts only if it exists and is not empty; a failed batch is retried once in a
  fresh profile, document by document, so one bad file does not sink the others.
- LibreOffice replaces fonts it does not have without saying so (TH Sarabun New becomes
  Laksaman on Debian); check the fonts of a PDF with `pdffonts` when layout matters.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from clinic.exceptions import ClinicError

START_TIMEOUT = 120.0
PER_DOCUMENT_TIMEOUT = 20.0


def find_soffice() -> str:
    """The LibreOffice executable: $CLINIC_SOFFICE, else soffice or libreoffice on PATH."""
    override = os.environ.get("CLINIC_SOFFICE")
    if override:
        if shutil.which(override):
            return override
        raise ClinicError(f"CLINIC_SOFFICE names '{override}', which cannot be run")
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise ClinicError(
        "--pdf needs LibreOffice, which is not installed (no 'soffice' on PATH). Install it "
        "(Debian/Ubuntu: apt-get install libreoffice-writer-nogui) or fill without --pdf; "
        "nothing was written"
    )


def _run_batch(soffice: str, documents: Sequence[Path], work: Path) -> dict[Path, Path]:
    """Convert documents in one LibreOffice process; the PDFs that came out."""
    profile = work / "profile"
    out = work / "out"
    out.mkdir(parents=True, exist_ok=True)
    command = [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--invisible",
        "--nologo",
        "--norestore",
        "--nodefault",
        "--nolockcheck",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out),
        *(str(d) for d in documents),
    ]
    env = dict(os.environ, HOME=str(work))
    timeout = START_TIMEOUT + PER_DOCUMENT_TIMEOUT * len(documents)
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # our own process group only
        process.wait()
    produced = {}
    for document in documents:
        candidate = out / (document.stem + ".pdf")
        if candidate.is_file() and candidate.stat().st_size > 0:
            produced[document] = candidate
    return produced


def _convert_batch(
    soffice: str, documents: Sequence[Path], out_dir: Path, force: bool
) -> dict[Path, Path | ClinicError]:
    from clinic.forms.fill import write_new

    results: dict[Path, Path | ClinicError] = {}
    with tempfile.TemporaryDirectory(prefix="clinic-pdf-") as tmp:
        produced = _run_batch(soffice, documents, Path(tmp) / "first")
        missing = [d for d in documents if d not in produced]
        for index, document in enumerate(missing):  # retry alone, in a fresh profile
            produced.update(_run_batch(soffice, [document], Path(tmp) / f"retry{index}"))
        for document in documents:
            if document not in produced:
                results[document] = ClinicError("LibreOffice did not produce a PDF", path=document)
                continue
            target = out_dir / (document.stem + ".pdf")
            try:
                write_new(target, produced[document].read_bytes(), force)
            except ClinicError as error:
                results[document] = error
                continue
            results[document] = target
    return results


def convert(
    documents: Sequence[Path],
    out_dir: Path,
    *,
    soffice: str | None = None,
    jobs: int = 1,
    force: bool = False,
) -> dict[Path, Path | ClinicError]:
    """Convert .docx files to PDFs in out_dir (same name, .pdf): a PDF path or the error,
    by document. `jobs` LibreOffice processes run side by side, each with its profile."""
    soffice = soffice or find_soffice()
    if not documents:
        return {}
    jobs = max(1, min(jobs, len(documents)))
    size = -(-len(documents) // jobs)
    batches = [list(documents[i : i + size]) for i in range(0, len(documents), size)]
    results: dict[Path, Path | ClinicError] = {}
    if len(batches) == 1:
        results.update(_convert_batch(soffice, batches[0], out_dir, force))
        return results
    with ThreadPoolExecutor(len(batches)) as pool:
        for part in pool.map(lambda b: _convert_batch(soffice, b, out_dir, force), batches):
            results.update(part)
    return results
