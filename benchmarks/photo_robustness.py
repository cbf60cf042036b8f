"""Photo-search robustness on real photographs: recall of transformed copies and the rate of
false matches between distinct pictures, per radius and per transform.

    python -m benchmarks.photo_robustness [--copies 3]

The corpus is scikit-image's and scikit-learn's sample photographs, their quadrants (more
distinct pictures) and 200 Labeled-Faces-in-the-Wild crops, loaded from the installed
packages (tests/imaging/photo_corpus.py). The distance is the photo index's: pHash + dHash
bits of the 128-bit code, the mirror image counted.
"""

import argparse

from search.photo_search import DEFAULT_RADIUS
from tests.imaging.photo_corpus import TRANSFORMS, measure_robustness


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=3, help="copies per photo and transform")
    args = parser.parse_args()
    result = measure_robustness(args.copies)
    print(f"{len(result.same)} transformed copies, {len(result.distinct)} distinct pairs\n")
    print("| radius | recall | false-match rate | false matches |")
    print("|---|---|---|---|")
    for radius in (12, 16, 20, 22, 24, 26, 28, 30, 32):
        false = result.false_match_rate(radius)
        mark = " (default)" if radius == DEFAULT_RADIUS else ""
        print(
            f"| {radius}{mark} | {result.recall(radius):.4f} | {false:.5f} | "
            f"{round(false * len(result.distinct))} |"
        )
    print(f"\nrecall per transform at the default radius {DEFAULT_RADIUS}:\n")
    print("| transform | recall |")
    print("|---|---|")
    for transform in TRANSFORMS:
        print(f"| {transform} | {result.recall(DEFAULT_RADIUS, transform):.4f} |")


if __name__ == "__main__":
    main()
