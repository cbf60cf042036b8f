"""Face detectors whose models ship inside registry packages (nothing is downloaded), behind
one Protocol so that `benchmarks/face_detectors.py` measures exactly what the product runs.

`imaging.faces` uses OpenCV's Haar cascade `frontalface_alt2`: of the detectors measured it
found the most faces on real photographs with no false face, fast enough for the ingestion
goal (docs/photos.md has the figures). The others are kept for the benchmark:

- the LBP frontal-face cascade shipped in scikit-image, run by scikit-image (what visor used
  before) and by OpenCV (the same model, OpenCV's engine: about five times faster);
- dlib's HOG + linear SVM frontal-face detector (`dlib-bin`, a development dependency).

MediaPipe's detector and OpenCV's YuNet were looked at too: neither package ships its model
(both load a file fetched from the web), so neither can run here.
"""

import bisect
from functools import cache
from pathlib import Path
from typing import NamedTuple, Protocol

import numpy as np


class FaceBox(NamedTuple):
    left: int
    top: int
    width: int
    height: int


class FaceDetector(Protocol):
    name: str

    def detect(self, grey: np.ndarray, min_side: int) -> list[FaceBox]:
        """Faces in an 8-bit grey image, each at least `min_side` pixels across."""
        ...


def _skimage_lbp_model() -> Path:
    import skimage

    return Path(skimage.__file__).parent / "data" / "lbpcascade_frontalface_opencv.xml"


class OpenCvCascade:
    def __init__(self, name: str, model_xml: str, scale_factor: float = 1.2, neighbours: int = 4):
        import cv2

        self.name = name
        self.scale_factor = scale_factor
        self.neighbours = neighbours
        cv2.setNumThreads(1)  # one photo worker is one core
        self._cascade = cv2.CascadeClassifier()
        storage = cv2.FileStorage(model_xml, cv2.FILE_STORAGE_READ | cv2.FILE_STORAGE_MEMORY)
        if not self._cascade.read(storage.getNode("cascade")):
            raise RuntimeError(f"cannot read the {name} cascade")

    def detect(self, grey: np.ndarray, min_side: int) -> list[FaceBox]:
        found = self._cascade.detectMultiScale(
            grey,
            scaleFactor=self.scale_factor,
            minNeighbors=self.neighbours,
            minSize=(min_side, min_side),
        )
        return [FaceBox(int(x), int(y), int(w), int(h)) for x, y, w, h in found]

    def candidates(self, grey: np.ndarray, min_side: int, max_side: int = 0) -> list[FaceBox]:
        """Every window the cascade accepts, ungrouped, at the scales whose window is from
        `min_side` to `max_side` pixels (0: no upper bound). OpenCV scans each scale of one
        ladder (1, 1.2, 1.44... times the model's window) on its own resizing of `grey`, so
        the candidates of two disjoint ranges are those of their union, and `group` of them
        is what `detect` over the union returns (tests/imaging/test_faces.py)."""
        found = self._cascade.detectMultiScale(
            grey,
            scaleFactor=self.scale_factor,
            minNeighbors=0,  # OpenCV does not group when asked for no neighbours
            minSize=(min_side, min_side),
            maxSize=(max_side, max_side),
        )
        # OpenCV clips what it returns to the image, but groups the windows unclipped: a
        # window reaching past the edge (by rounding, at most half a scale step) gets its
        # side back, the ladder's first window at least as large as what is left of it.
        ladder = self._window_ladder(max(grey.shape))
        boxes = []
        for x, y, w, h in found:
            side = ladder[bisect.bisect_left(ladder, max(int(w), int(h)))]
            boxes.append(FaceBox(int(x), int(y), side, side))
        return boxes

    def _window_ladder(self, longest: int) -> list[int]:
        """Window sides of OpenCV's scales, as cascadedetect.cpp computes them (a double
        factor multiplied up from 1, each side cvRound of the model's side times it)."""
        model = int(self._cascade.getOriginalWindowSize()[0])
        ladder: list[int] = []
        factor = 1.0
        while not ladder or ladder[-1] <= longest:
            ladder.append(round(model * factor))  # cvRound: to nearest, halves to even
            factor *= self.scale_factor
        return ladder

    def group(self, candidates: list[FaceBox], shape: tuple[int, ...]) -> list[FaceBox]:
        """The faces `detect` makes of these candidates in an image of `shape` (rows,
        columns): OpenCV's grouping as detectMultiScale runs it (at least `neighbours` + 1
        similar windows a face, 0.2 tolerance, small faces inside larger ones dropped),
        then clipped to the image."""
        import cv2

        if not candidates:
            return []
        # 0.2 is detectMultiScale's GROUP_EPS (OpenCV's objdetect/src/cascadedetect.cpp).
        rects = [list(box) for box in candidates]
        grouped, _weights = cv2.groupRectangles(rects, self.neighbours, 0.2)
        rows, columns = shape[:2]
        faces = []
        for x, y, w, h in np.reshape(grouped, (-1, 4)).tolist():
            left, top = max(x, 0), max(y, 0)
            right, bottom = min(x + w, columns), min(y + h, rows)
            if right > left and bottom > top:
                faces.append(FaceBox(left, top, right - left, bottom - top))
        return faces


def opencv_haar(
    model: str = "haarcascade_frontalface_alt2.xml", scale_factor: float = 1.2
) -> OpenCvCascade:
    import cv2

    path = Path(cv2.data.haarcascades) / model  # type: ignore[attr-defined]
    name = f"OpenCV Haar {model.removesuffix('.xml').removeprefix('haarcascade_')}"
    if scale_factor != 1.2:
        name += f", scale step {scale_factor}"
    return OpenCvCascade(name, path.read_text(), scale_factor)


def opencv_lbp() -> OpenCvCascade:
    # scikit-image's copy misspells one tag ("featuhreParams"), which OpenCV's reader needs.
    text = _skimage_lbp_model().read_text().replace("featuhreParams", "featureParams")
    return OpenCvCascade("OpenCV LBP (scikit-image's model)", text)


class SkimageLbp:
    name = "scikit-image LBP"

    def __init__(self) -> None:
        from skimage.feature import Cascade

        self._cascade = Cascade(str(_skimage_lbp_model()))

    def detect(self, grey: np.ndarray, min_side: int) -> list[FaceBox]:
        side = min(grey.shape)
        found = self._cascade.detect_multi_scale(
            img=grey.astype(np.float64) / 255.0,
            scale_factor=1.2,
            step_ratio=1,
            min_size=(min_side, min_side),
            max_size=(side, side),
            min_neighbor_number=4,
        )
        return [FaceBox(d["c"], d["r"], d["width"], d["height"]) for d in found]


class DlibHog:
    name = "dlib HOG"

    def __init__(self, upsample: int = 0) -> None:
        import dlib

        self.upsample = upsample
        self._detector = dlib.get_frontal_face_detector()
        if upsample:
            self.name = f"dlib HOG, upsampled {upsample}x"

    def detect(self, grey: np.ndarray, min_side: int) -> list[FaceBox]:
        found = self._detector(np.ascontiguousarray(grey), self.upsample)
        # HOG's window is 80 pixels (40 upsampled once): it cannot be told a smaller minimum.
        return [FaceBox(r.left(), r.top(), r.width(), r.height()) for r in found]


@cache
def default_detector() -> FaceDetector:
    return opencv_haar()
