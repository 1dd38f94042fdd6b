"""What a feedback page costs: `nbgrader generate_feedback` with this course's exporter and with nbconvert's.

Grades N copies of the example students (alice, bao, chidi in turn) once in a scratch course, then
runs `nbgrader generate_feedback --force` over them `--repeat` times with each exporter, alternating:
the course's own (nbgrader_config.py: coursekit.feedback_page.FeedbackPageExporter) and nbconvert's
HTMLExporter, which GenerateFeedback uses when nothing is configured. Prints the CPU seconds of each
command (the command's start-up included) and per page, and their ratio. Both must write the same
pages, as a browser reads them.

    python -m devtools.bench_feedback [--students 3] [--repeat 3]
"""

import argparse
import resource
import statistics
import tempfile
from pathlib import Path

from bs4 import BeautifulSoup

from coursekit.spec import ASSIGNMENT, NOTEBOOKS

from .bench_checkouts import course_of, run
from .scratch import REPO

# exporter -> the arguments that choose it (none: nbgrader_config.py's choice)
EXPORTERS = {"FeedbackPageExporter": [],
             "HTMLExporter": ["--GenerateFeedback.exporter_class=nbconvert.exporters.HTMLExporter"]}


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def feedback(course, extra):
    """CPU seconds of one `nbgrader generate_feedback --force`, and the pages it wrote, parsed."""
    before = children_cpu()
    run(REPO, course, "generate_feedback", ASSIGNMENT, "--force", *extra)
    spent = children_cpu() - before
    pages = {path.relative_to(course): str(BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser"))
             for path in sorted(course.glob(f"feedback/*/{ASSIGNMENT}/*.html"))}
    return spent, pages


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    spent = {name: [] for name in EXPORTERS}
    with tempfile.TemporaryDirectory() as tmp:
        course = course_of(REPO, Path(tmp) / "course", args.students)
        for nb in NOTEBOOKS:
            run(REPO, course, "autograde", ASSIGNMENT, f"--notebook={nb}")
        written = {}
        for round_ in range(args.repeat):
            for name in (list(EXPORTERS) if round_ % 2 == 0 else list(EXPORTERS)[::-1]):
                seconds, written[name] = feedback(course, EXPORTERS[name])
                spent[name].append(seconds)
    pages = len(written["HTMLExporter"])
    assert pages == args.students * len(NOTEBOOKS), f"{pages} pages written"
    assert written["FeedbackPageExporter"] == written["HTMLExporter"], "the two exporters wrote different pages"
    print(f"nbgrader generate_feedback, {pages} pages, median of {args.repeat} runs (CPU, start-up included):")
    median = {name: statistics.median(values) for name, values in spent.items()}
    for name, seconds in median.items():
        print(f"  {name:22} {seconds:6.2f} s   {seconds / pages:5.2f} s per page")
    print(f"  ratio {median['FeedbackPageExporter'] / median['HTMLExporter']:.2f}; the same pages")


if __name__ == "__main__":
    main()
