"""The photo audit's evaluation figures, printed as Markdown tables."""

from tests.audits.evaluation import CODES, by_group, duplicate_evaluation, judge, tally


def print_figures() -> None:
    judged = judge()
    print(f"{len(judged)} samples\n")
    print("| flag | judged on | flagged right | flagged wrongly | missed | precision | recall |")
    print("|---|---|---|---|---|---|---|")
    for code, t in tally(judged).items():
        print(
            f"| `{code}` | {t.judged} | {t.true_positives} | {t.false_positives} | "
            f"{t.false_negatives} | {t.precision:.3f} | {t.recall:.3f} |"
        )
    print("\nshare of each group that raises each flag:\n")
    print("| group | n | " + " | ".join(CODES) + " |")
    print("|---|---|" + "---|" * len(CODES))
    for group, items in sorted(by_group(judged).items()):
        shares = [sum(code in j.raised for j in items) / len(items) for code in CODES]
        print(f"| {group} | {len(items)} | " + " | ".join(f"{s:.2f}" for s in shares) + " |")
    result = duplicate_evaluation()
    print(
        f"\n`duplicate`: {result.copies_found} of {result.copies} transformed copies paired "
        f"with their original (recall {result.copies_found / result.copies:.3f}); "
        f"{result.distinct_paired} of {result.distinct_pairs} pairs of distinct pictures paired "
        f"({result.distinct_paired / result.distinct_pairs:.5f})"
    )
