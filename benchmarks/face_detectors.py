"""Face detectors whose models ship in registry packages, measured on real faces: recall,
false faces and time per photo, all in one run (so the ratios hold on a noisy machine).

    python -m benchmarks.face_detectors [--repeat 3]

The set (tests/imaging/photo_corpus.face_cases): 100 real faces from Labeled Faces in the
Wild (scikit-image's `lfw_subset`) framed as portraits, two real portraits, and as
non-faces the subset's 100 non-face patches framed the same way plus 16 sample photographs
holding no face. Each detector sees the same grey image visor detects on (at most
`DETECTION_SIDE` pixels on the long side) and the same smallest face size. A face is found
when a detection's centre falls inside the real face's box. Time is CPU time of this one
process (one core): on a machine shared with other work it moves far less than wall time.
"""

import argparse
import time

import numpy as np

from imaging.face_detectors import (
    DlibHog,
    FaceBox,
    FaceDetector,
    OpenCvCascade,
    SkimageLbp,
    default_detector,
    opencv_haar,
    opencv_lbp,
)
from imaging.faces import DETECTION_SIDE, coarse_then_fine, detection_image, minimum_face_side
from tests.imaging.photo_corpus import FaceCase, face_cases


class CoarseThenFine:
    """The chosen cascade as visor runs it (imaging/faces.py): large windows first, small ones
    only when the large ones are not conclusive."""

    def __init__(self, cascade: OpenCvCascade) -> None:
        self.name = f"{cascade.name}, coarse then fine (as visor runs it)"
        self._cascade = cascade

    def detect(self, grey: np.ndarray, min_side: int) -> list[FaceBox]:
        return coarse_then_fine(self._cascade, grey, min_side)


def _found(boxes: list[FaceBox], case: FaceCase, scale: float) -> bool:
    assert case.face is not None
    left, top, width, height = case.face
    for box in boxes:
        x = (box.left + box.width / 2) * scale
        y = (box.top + box.height / 2) * scale
        if left <= x <= left + width and top <= y <= top + height:
            return True
    return False


def measure(detector: FaceDetector, cases: tuple[FaceCase, ...], repeat: int) -> dict[str, float]:
    prepared = [(case, detection_image(case.image)) for case in cases]
    found = false_faces = extra = 0
    started = time.process_time()
    for _ in range(repeat):
        for _case, grey in prepared:
            detector.detect(grey, minimum_face_side(grey))
    seconds = (time.process_time() - started) / (repeat * len(prepared))
    for case, grey in prepared:
        boxes = detector.detect(grey, minimum_face_side(grey))
        if case.face is None:
            false_faces += bool(boxes)
        else:
            scale = max(case.image.size) / max(grey.shape)
            found += _found(boxes, case, scale)
            extra += len(boxes) > 1
    faces = sum(case.face is not None for case in cases)
    return {
        "recall": found / faces,
        "false_faces": false_faces / (len(cases) - faces),
        "multiple": extra / faces,
        "ms": seconds * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cases = face_cases()
    faces = sum(case.face is not None for case in cases)
    print(
        f"{faces} real faces, {len(cases) - faces} pictures without a face; "
        f"detection at {DETECTION_SIDE} px long side, one thread\n"
    )
    print(
        "| detector | recall | false faces | faces seen twice | CPU ms per photo "
        "| photos/s per core |"
    )
    print("|---|---|---|---|---|---|")
    chosen = default_detector().name
    chosen_cascade = default_detector()
    assert isinstance(chosen_cascade, OpenCvCascade)
    detectors: list[FaceDetector] = [
        opencv_haar(),
        CoarseThenFine(chosen_cascade),
        opencv_haar(scale_factor=1.1),
        opencv_haar("haarcascade_frontalface_default.xml"),
        opencv_lbp(),
        SkimageLbp(),
        DlibHog(),
        DlibHog(upsample=1),
    ]
    for detector in detectors:
        result = measure(detector, cases, args.repeat)
        mark = " (chosen)" if detector.name == chosen else ""
        print(
            f"| {detector.name}{mark} | {result['recall']:.3f} | {result['false_faces']:.3f} | "
            f"{result['multiple']:.3f} | {result['ms']:.1f} | {1000 / result['ms']:.0f} |"
        )
    print(
        "\nMediaPipe (the `mediapipe` package) and OpenCV's YuNet ship no model file: both "
        "load one fetched from the web, so neither can be measured here."
    )


if __name__ == "__main__":
    main()
