"""A candidate's evidence as a waterfall: each piece of evidence a bar starting where the
previous ones left the score, so that the bars end at the candidate's score. SVG made here;
the same numbers are in the table beside it for those who do not see the picture."""

from html import escape

from search.scoring import Evidence

ROW, LABEL, BAR_WIDTH = 18, 120, 260


def waterfall_svg(explanation: list[Evidence], score: float) -> str:
    running, ends = 0.0, [0.0]
    for evidence in explanation:
        running += evidence.contribution
        ends.append(running)
    low, high = min(*ends, score), max(*ends, score)
    span = (high - low) or 1.0

    def x(value: float) -> float:
        return LABEL + (value - low) / span * BAR_WIDTH

    rows, start = [], 0.0
    for index, evidence in enumerate(explanation):
        end = start + evidence.contribution
        left, right = sorted((x(start), x(end)))
        css = "gain" if evidence.contribution >= 0 else "loss"
        y = index * ROW
        rows.append(
            f'<text class="label" x="{LABEL - 6}" y="{y + 13}">{escape(evidence.attribute)}</text>'
            f'<rect class="{css}" x="{left:.1f}" y="{y + 3}" width="{max(right - left, 1.5):.1f}"'
            f' height="{ROW - 6}"><title>{escape(evidence.attribute)}: '
            f"{evidence.contribution:+.1f} bits</title></rect>"
        )
        start = end
    y = len(explanation) * ROW
    rows.append(
        f'<text class="label" x="{LABEL - 6}" y="{y + 13}">score</text>'
        f'<line class="total" x1="{x(score):.1f}" x2="{x(score):.1f}" y1="0" y2="{y + ROW}"/>'
        f'<line class="zero" x1="{x(0):.1f}" x2="{x(0):.1f}" y1="0" y2="{y + ROW}"/>'
    )
    height = (len(explanation) + 1) * ROW
    return (
        f'<svg class="waterfall" viewBox="0 0 {LABEL + BAR_WIDTH + 10} {height}" role="img" '
        f'aria-label="evidence adding up to {score:.1f} bits" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(rows)}</svg>'
    )
