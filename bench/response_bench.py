"""Tumour-response engine: forms → evaluation for many synthetic subjects (no store, no Qt).

    python bench/response_bench.py [--subjects 300] [--seed 11] [--json out.json]

Builds each study's demo subjects in memory (``npc_crf.demo.plan_subjects``) and
times ``subject_response`` (read the forms, evaluate RECIST 1.1 and iRECIST,
compare with the investigator). The lesion tracker adds the store read
(one ``SubjectSnapshot``) and painting on top of this.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time
from pathlib import Path

from npc_crf.core.paths import bundled_forms_dir
from npc_crf.demo import plan_subjects
from npc_crf.forms.loader import load_studies
from npc_crf.forms.subject_data import MemorySubject
from npc_crf.services.response import subject_response


def subjects_of(study_oid: str, count: int, seed: int) -> list[MemorySubject]:
    """The demo plan's subjects as in-memory form data."""
    return [plan.memory_subject() for plan in plan_subjects(study_oid, count, seed)]


def main() -> None:
    """Measure and print one line per study."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    today = dt.date(2026, 11, 21)
    results = {}
    for study in load_studies(bundled_forms_dir()):
        times, timepoints = [], 0
        for subject in subjects_of(study.oid, args.subjects, args.seed):
            start = time.perf_counter()
            result = subject_response(study, "X", subject, today)
            times.append((time.perf_counter() - start) * 1000)
            timepoints += len(result.timepoints) if result else 0
        times.sort()
        row = {
            "subjects": len(times),
            "timepoints": timepoints,
            "median_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[int(len(times) * 0.95)], 2),
            "max_ms": round(times[-1], 2),
        }
        results[study.oid] = row
        print(study.oid, row)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
