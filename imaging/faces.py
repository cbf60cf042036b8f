"""Face finding for face photos, with the LBP frontal-face cascade that ships inside
scikit-image (`skimage/data/lbpcascade_frontalface_opencv.xml`): no model is downloaded."""

from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image
from pydantic import BaseModel

_DETECTION_SIDE = 400  # faces in a custody photo are large; this keeps detection ~50 ms


class FaceFinding(BaseModel):
    count: int
    largest_area_share: float  # largest face's box as a share of the frame, 0..1
    largest_centre_x: float | None  # centre of the largest face, as a share of width
    largest_centre_y: float | None


@cache
def _detector() -> object:
    import skimage
    from skimage.feature import Cascade

    model = Path(skimage.__file__).parent / "data" / "lbpcascade_frontalface_opencv.xml"
    return Cascade(str(model))


def distinct_faces(detections: list[dict[str, int]]) -> list[dict[str, int]]:
    """One box per face: the cascade can report a face again at a neighbouring scale, a box
    nested in or overlapping the first; a box whose centre lies inside a larger kept box is
    the same face (measured on Labeled Faces in the Wild: 29 of 100 single faces counted
    twice or more without this, see docs/audits.md)."""
    kept: list[dict[str, int]] = []
    for box in sorted(detections, key=lambda d: -d["width"] * d["height"]):
        centre_x, centre_y = box["c"] + box["width"] / 2, box["r"] + box["height"] / 2
        if not any(
            k["c"] <= centre_x <= k["c"] + k["width"] and k["r"] <= centre_y <= k["r"] + k["height"]
            for k in kept
        ):
            kept.append(box)
    return kept


def find_faces(image: Image.Image) -> FaceFinding:
    grey = image.convert("L")
    scale = _DETECTION_SIDE / max(grey.size)
    if scale < 1:
        grey = grey.resize((max(1, round(grey.width * scale)), max(1, round(grey.height * scale))))
    pixels = np.asarray(grey, dtype=np.float64) / 255.0
    side = min(pixels.shape)
    if side < 24:
        return FaceFinding(
            count=0, largest_area_share=0.0, largest_centre_x=None, largest_centre_y=None
        )
    detections = _detector().detect_multi_scale(  # type: ignore[attr-defined]
        img=pixels,
        scale_factor=1.2,
        step_ratio=1,
        min_size=(max(24, side // 8), max(24, side // 8)),
        max_size=(side, side),
        min_neighbor_number=4,  # measured: no false faces on the sample photos, 94% of LFW faces
    )
    if not detections:
        return FaceFinding(
            count=0, largest_area_share=0.0, largest_centre_x=None, largest_centre_y=None
        )
    faces = distinct_faces(detections)
    largest = faces[0]
    height, width = pixels.shape
    return FaceFinding(
        count=len(faces),
        largest_area_share=round(largest["width"] * largest["height"] / (width * height), 4),
        largest_centre_x=round((largest["c"] + largest["width"] / 2) / width, 4),
        largest_centre_y=round((largest["r"] + largest["height"] / 2) / height, 4),
    )
