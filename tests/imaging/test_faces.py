"""Face finding runs the cascade's large windows first and its small ones only when the large
ones are not conclusive: on real photos it must find what one pass over every scale finds."""

from functools import cache

import numpy as np
import pytest
from PIL import Image

from imaging.face_detectors import FaceBox, OpenCvCascade, default_detector
from imaging.faces import FaceFinding, coarse_then_fine, detection_image, find_faces
from imaging.faces import minimum_face_side as smallest_face
from tests.audits.audit_corpus import lfw_mugshots, mugshots, side_by_side, small_in_landscape
from tests.imaging.photo_corpus import face_cases, load, real_photos


def cascade() -> OpenCvCascade:
    detector = default_detector()
    assert isinstance(detector, OpenCvCascade)
    return detector


@cache
def pictures() -> dict[str, np.ndarray]:
    """Grey detection images: real portraits and mugshots, half of the framed LFW faces and
    of their non-face patches, LFW cards, two faces side by side, small faces in landscapes
    and the sample photographs."""
    cases = face_cases()
    # Every other framed LFW face and patch (the test's cost), every other picture.
    chosen = [c for c in cases if not c.name.startswith("lfw/") or int(c.name[4:]) % 2 == 0]
    pictures = {case.name: case.image for case in chosen}
    pictures.update(mugshots())
    cards = list(lfw_mugshots().items())
    pictures.update(cards[:20])
    grace = mugshots()["matplotlib/grace_hopper.jpg#mugshot"]
    astronaut = mugshots()["skimage/astronaut.png#mugshot"]
    pictures["two faces"] = side_by_side(astronaut, grace)
    pictures["two cards"] = side_by_side(cards[0][1], cards[1][1])
    china = load(real_photos()["sklearn/china.jpg"])
    for share in (0.3, 0.45):
        pictures[f"small face {share}"] = small_in_landscape(grace, china, share)
    return {name: detection_image(image) for name, image in pictures.items()}


def one_pass(grey: np.ndarray) -> FaceFinding:
    class OnePass:
        name = "one pass"

        def detect(self, pixels: np.ndarray, min_side: int) -> list[FaceBox]:
            return cascade().detect(pixels, min_side)

    return find_faces(Image.fromarray(grey, "L"), OnePass(), grey)


def test_split_scales_grouped_together_are_one_pass() -> None:
    detector = cascade()
    for name, grey in pictures().items():
        smallest = smallest_face(grey)
        split = 2 * smallest
        fine = detector.candidates(grey, smallest, split - 1)
        coarse = detector.candidates(grey, split)
        assert fine + coarse == detector.candidates(grey, smallest), name
        assert detector.group(fine + coarse, grey.shape) == detector.detect(grey, smallest), name


def test_coarse_then_fine_finds_what_one_pass_finds() -> None:
    findings = {}
    for name, grey in pictures().items():
        finding = find_faces(Image.fromarray(grey, "L"), grey=grey)
        assert finding == one_pass(grey), name
        findings[name] = finding
    # The set holds what the shortcut must get right: no face, one, two, one small.
    assert findings["two faces"].count == 2 and findings["two cards"].count == 2
    assert findings["skimage/coffee.png"].count == 0
    assert 0 < findings["small face 0.3"].largest_area_share < 0.05


class Counting(OpenCvCascade):
    def __init__(self) -> None:
        self.__dict__.update(cascade().__dict__)
        self.passes: list[tuple[int, int]] = []

    def candidates(self, grey: np.ndarray, min_side: int, max_side: int = 0) -> list[FaceBox]:
        self.passes.append((min_side, max_side))
        return super().candidates(grey, min_side, max_side)


@pytest.mark.parametrize("name", ["skimage/astronaut.png#mugshot", "lfw/face-000"])
def test_one_large_face_needs_no_small_windows(name: str) -> None:
    grey = pictures()[name]
    counting = Counting()
    faces = coarse_then_fine(counting, grey, smallest_face(grey))
    assert len(faces) == 1
    assert len(counting.passes) == 1 and counting.passes[0][0] > smallest_face(grey)


@pytest.mark.parametrize("name", ["two faces", "small face 0.3", "skimage/coffee.png"])
def test_two_faces_a_small_one_or_none_scan_the_small_windows_too(name: str) -> None:
    grey = pictures()[name]
    counting = Counting()
    coarse_then_fine(counting, grey, smallest_face(grey))
    assert [low for low, _high in counting.passes][-1] == smallest_face(grey)
