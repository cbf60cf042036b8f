"""The photo flags: stored metrics in, flags out. One definition of each rule, used by the
audit over the register and by the evaluation on real photographs alike."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from audits.findings import Flag, flag
from audits.policy import AuditPolicy, threshold
from imaging.analysis import PhotoAnalysis

PHOTO_QUALITY_CODES = ("blurry", "underexposed", "overexposed", "low_contrast", "low_resolution")
FACE_CODES = ("no_face", "multiple_faces", "face_too_small", "face_off_centre")


@dataclass(frozen=True)
class PhotoMeasurements:
    width: int
    height: int
    sharpness: float
    brightness: float
    clipped_highlights: float
    # Measured since the photo audit; None in analyses stored before it.
    sharpness_least_direction: float | None
    shadow_level: float | None
    highlight_level: float | None
    # None when the photo was not looked at as a face photo.
    face_count: int | None
    face_area_share: float | None
    face_centre_x: float | None
    face_centre_y: float | None

    @property
    def measured_for_audit(self) -> bool:
        return self.highlight_level is not None

    @classmethod
    def from_analysis(cls, analysis: PhotoAnalysis) -> "PhotoMeasurements":
        q, faces = analysis.quality, analysis.quality.faces
        return cls(
            analysis.width,
            analysis.height,
            q.sharpness,
            q.brightness,
            q.clipped_highlights,
            q.sharpness_least_direction,
            q.shadow_level,
            q.highlight_level,
            faces.count if faces else None,
            faces.largest_area_share if faces else None,
            faces.largest_centre_x if faces else None,
            faces.largest_centre_y if faces else None,
        )

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> "PhotoMeasurements":
        """From a `photo_analyses` row."""
        return cls(
            row["width"],
            row["height"],
            row["sharpness"],
            row["brightness"],
            row["clipped_highlights"],
            row["sharpness_least_direction"],
            row["shadow_level"],
            row["highlight_level"],
            row["face_count"],
            row["face_area_share"],
            row["face_centre_x"],
            row["face_centre_y"],
        )


def photo_flags(m: PhotoMeasurements, kind: str) -> list[Flag]:
    """Every quality flag this photo earns; face flags for face photos only."""
    flags = _quality_flags(m)
    if kind == "face" and m.face_count is not None:
        flags += _face_flags(m)
    return flags


def _quality_flags(m: PhotoMeasurements) -> list[Flag]:
    flags: list[Flag] = []
    sharp_below = threshold("blurry", "sharpness_below")
    least_below = threshold("blurry", "least_direction_below")
    if m.sharpness < sharp_below:
        flags.append(flag("blurry", f"sharpness {m.sharpness:.0f}, below {sharp_below:.0f}"))
    elif m.sharpness_least_direction is not None and m.sharpness_least_direction < least_below:
        flags.append(
            flag(
                "blurry",
                f"smeared in one direction (camera shake): sharpness along it "
                f"{m.sharpness_least_direction:.0f}, below {least_below:.0f}",
            )
        )
    if m.highlight_level is not None:
        level, mean = (
            threshold("underexposed", "highlight_level_below"),
            threshold("underexposed", "brightness_below"),
        )
        if m.highlight_level < level and m.brightness < mean:
            flags.append(
                flag(
                    "underexposed",
                    f"dark: nothing brighter than grey {m.highlight_level:.0f} of 255 "
                    f"(99th percentile, below {level:.0f}), mean {m.brightness:.0f}",
                )
            )
    clipped, bright = (
        threshold("overexposed", "clipped_highlights_above"),
        threshold("overexposed", "brightness_above"),
    )
    if m.clipped_highlights > clipped or m.brightness > bright:
        flags.append(
            flag(
                "overexposed",
                f"washed out: {m.clipped_highlights:.0%} of the picture burnt to white "
                f"(over {clipped:.0%}), mean grey {m.brightness:.0f}",
            )
        )
    if m.highlight_level is not None and m.shadow_level is not None:
        tonal_range = m.highlight_level - m.shadow_level
        range_below = threshold("low_contrast", "tonal_range_below")
        if tonal_range < range_below:
            flags.append(
                flag(
                    "low_contrast",
                    f"flat: tones span {tonal_range:.0f} grey levels of 255 "
                    f"(below {range_below:.0f})",
                )
            )
    short_below = threshold("low_resolution", "short_side_below")
    if min(m.width, m.height) < short_below:
        flags.append(
            flag(
                "low_resolution",
                f"{m.width} x {m.height} px: short side below {short_below:.0f} px",
            )
        )
    return flags


def _face_flags(m: PhotoMeasurements) -> list[Flag]:
    if m.face_count == 0:
        return [flag("no_face", "a face photo in which no face was found")]
    flags: list[Flag] = []
    if m.face_count is not None and m.face_count >= threshold(
        "multiple_faces", "face_count_at_least"
    ):
        flags.append(flag("multiple_faces", f"{m.face_count} faces found"))
    small = threshold("face_too_small", "face_area_share_below")
    if m.face_area_share is not None and m.face_area_share < small:
        flags.append(
            flag(
                "face_too_small",
                f"the face fills {m.face_area_share:.1%} of the frame (under {small:.0%})",
            )
        )
    if m.face_centre_x is not None and m.face_centre_y is not None:
        off_x = threshold("face_off_centre", "centre_x_off_by_more_than")
        top, bottom = (
            threshold("face_off_centre", "centre_y_above"),
            threshold("face_off_centre", "centre_y_below"),
        )
        where = []
        if abs(m.face_centre_x - 0.5) > off_x:
            where.append("left" if m.face_centre_x < 0.5 else "right")
        if m.face_centre_y < top:
            where.append("top")
        elif m.face_centre_y > bottom:
            where.append("bottom")
        if where:
            flags.append(
                flag(
                    "face_off_centre",
                    f"face centred at {m.face_centre_x:.0%} across, {m.face_centre_y:.0%} down "
                    f"(towards the {' '.join(where)})",
                )
            )
    return flags


def face_photo_flags(
    has_face_photo: bool, newest_taken: dt.date | None, policy: AuditPolicy, as_of: dt.date
) -> list[Flag]:
    """A nominal's `no_face_photo` or `stale`, from its newest dated face photo."""
    if not has_face_photo:
        return [flag("no_face_photo", "no face photo on the record")]
    months = policy.photo_max_age_months
    if newest_taken is None:
        return [flag("stale", "no face photo says when it was taken, so none can be shown current")]
    if newest_taken < policy.photo_cutoff(as_of):
        age = (as_of.year - newest_taken.year) * 12 + as_of.month - newest_taken.month
        return [
            flag(
                "stale",
                f"newest face photo taken {newest_taken.isoformat()}, about {age} months "
                f"before {as_of.isoformat()} (policy: at most {months})",
            )
        ]
    return []
