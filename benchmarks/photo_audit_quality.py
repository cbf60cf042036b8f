"""How well the photo audit's flags tell good photos from bad, on real photographs nobody on
the team made and degraded copies of them: precision and recall per flag, the share flagged
per degradation, and duplicates found and wrongly paired.

    python -m benchmarks.photo_audit_quality

The set is built in tests/audits/audit_corpus.py from photographs that scikit-image,
scikit-learn and matplotlib ship (and scikit-image's Labeled Faces in the Wild subset),
loaded at run time. Each sample is measured as import measures it and judged by the
audit's own rules (audits/photo_rules.py, thresholds in audits/thresholds.json).
"""

import argparse
import time

from benchmarks.photo_audit_figures import print_figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args()
    started = time.perf_counter()
    print_figures()
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
