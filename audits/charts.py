"""The reports' charts, drawn with matplotlib and returned as inline SVG (no file, no
network): photo age against the policy's limit, sharpness against the blur threshold."""

import io
import re

import matplotlib

matplotlib.use("Agg")  # no display: charts are drawn to memory

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

_INK, _FLAG, _OK = "#222222", "#b3261e", "#4a7bb7"


def _svg(figure: Figure) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg", bbox_inches="tight")
    plt.close(figure)
    svg = out.getvalue()
    # Keep the <svg> element only, without its metadata: the XML prologue, the DOCTYPE and
    # the RDF block name URLs that nothing needs inside an HTML page.
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg[svg.index("<svg") :], flags=re.S)
    return svg


def _strip_ids(svg: str, prefix: str) -> str:
    """Prefix matplotlib's element ids so that two charts on one page never share one."""
    return re.sub(r'(id="|url\(#|href="#)', lambda m: f"{m.group(1)}{prefix}-", svg)


def age_chart(ages_months: list[float], limit_months: int) -> str:
    figure, axes = plt.subplots(figsize=(6.5, 2.6))
    if ages_months:
        top = max(max(ages_months), limit_months) * 1.05
        bins = np.linspace(0, top, 30).tolist()
        axes.hist(
            [a for a in ages_months if a <= limit_months], bins=bins, color=_OK, label="current"
        )
        axes.hist(
            [a for a in ages_months if a > limit_months],
            bins=bins,
            color=_FLAG,
            label="older than the policy",
        )
    axes.axvline(limit_months, color=_INK, linestyle="--", linewidth=1)
    axes.text(
        limit_months,
        axes.get_ylim()[1] * 0.92,
        f" policy: {limit_months} months",
        color=_INK,
        fontsize=8,
    )
    axes.set_xlabel("age of the newest face photo (months)")
    axes.set_ylabel("nominals")
    axes.legend(fontsize=8, frameon=False)
    return _strip_ids(_svg(figure), "age")


def sharpness_chart(sharpness: list[float], blur_below: float) -> str:
    figure, axes = plt.subplots(figsize=(6.5, 2.6))
    values = np.clip(np.array(sharpness, dtype=np.float64), 1, None)
    if values.size:
        bins = np.logspace(0, np.log10(max(float(values.max()), blur_below * 10)), 40).tolist()
        axes.hist(values[values < blur_below], bins=bins, color=_FLAG, label="blurry")
        axes.hist(values[values >= blur_below], bins=bins, color=_OK, label="sharp enough")
    axes.set_xscale("log")
    axes.axvline(blur_below, color=_INK, linestyle="--", linewidth=1)
    axes.text(
        blur_below,
        axes.get_ylim()[1] * 0.92,
        f" threshold {blur_below:.0f}",
        color=_INK,
        fontsize=8,
    )
    axes.set_xlabel("sharpness (variance of the Laplacian at 512 px, log scale)")
    axes.set_ylabel("photos")
    axes.legend(fontsize=8, frameon=False)
    return _strip_ids(_svg(figure), "sharpness")


def bar_chart(counts: dict[str, int], label: str, name: str) -> str:
    figure, axes = plt.subplots(figsize=(6.5, 0.4 + 0.28 * max(1, len(counts))))
    names = list(counts)[::-1]
    axes.barh(names, [counts[n] for n in names], color=_OK)
    axes.set_xlabel(label)
    axes.tick_params(axis="y", labelsize=8)
    return _strip_ids(_svg(figure), name)
