import pytest
from PIL import Image, ImageEnhance, ImageFilter, ImageOps

from imaging.decode import decode_bytes
from imaging.quality import measure_quality
from tests.imaging.photo_corpus import face_photos, load, real_photos


@pytest.mark.parametrize("name", sorted(real_photos()))
def test_blur_lowers_sharpness_whatever_the_resolution(name: str) -> None:
    image = decode_bytes(real_photos()[name]).image
    blurred = image.filter(ImageFilter.GaussianBlur(3))
    sharp, soft = measure_quality(image, False), measure_quality(blurred, False)
    assert soft.sharpness < sharp.sharpness / 3
    doubled = image.resize((image.width * 2, image.height * 2), Image.Resampling.LANCZOS)
    # Measured at a fixed size, so resolution alone barely moves it.
    assert measure_quality(doubled, False).sharpness > sharp.sharpness / 3


def test_exposure_metrics_see_dark_and_washed_out_photos() -> None:
    image = decode_bytes(real_photos()["skimage/astronaut.png"]).image
    normal = measure_quality(image, False)
    dark = measure_quality(ImageEnhance.Brightness(image).enhance(0.15), False)
    washed = measure_quality(ImageEnhance.Brightness(image).enhance(3.0), False)
    flat = measure_quality(ImageEnhance.Contrast(image).enhance(0.2), False)
    assert dark.brightness < 30 < normal.brightness
    assert dark.clipped_shadows > normal.clipped_shadows + 0.05
    assert washed.clipped_highlights > 0.3 > normal.clipped_highlights
    assert flat.contrast < normal.contrast / 3


def test_faces_are_found_in_face_photos_and_not_elsewhere() -> None:
    astronaut = measure_quality(decode_bytes(real_photos()["skimage/astronaut.png"]).image, True)
    assert astronaut.faces is not None and astronaut.faces.count == 1
    assert 0.01 < astronaut.faces.largest_area_share < 0.2
    assert astronaut.faces.largest_centre_x is not None and astronaut.faces.largest_centre_x < 0.6
    for name in ("skimage/coffee.png", "skimage/rocket.jpg", "sklearn/flower.jpg"):
        faces = measure_quality(decode_bytes(real_photos()[name]).image, True).faces
        assert faces is not None and faces.count == 0, name
    assert (
        measure_quality(decode_bytes(real_photos()["skimage/coffee.png"]).image, False).faces
        is None
    )


def test_most_real_faces_are_found_and_most_non_faces_are_not() -> None:
    def found(data: bytes) -> bool:
        framed = ImageOps.expand(load(data), border=30, fill=(128, 128, 128))
        faces = measure_quality(framed, True).faces
        return faces is not None and faces.count > 0

    photos = face_photos()
    faces = [found(d) for n, d in photos.items() if "/face-" in n]
    others = [found(d) for n, d in photos.items() if "/other-" in n]
    assert sum(faces) / len(faces) >= 0.9  # measured 0.94
    assert sum(others) / len(others) <= 0.05  # measured 0.02
