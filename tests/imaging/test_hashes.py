"""Perceptual hashes: pinned golden values, and the invariances the photo search relies on."""

import pytest
from PIL import Image, ImageOps

from imaging.decode import decode_bytes
from imaging.hashes import (
    compute_hashes,
    hamming,
    to_signed,
    to_unsigned,
    trim_uniform_border,
)
from tests.imaging.photo_corpus import encode, load, real_photos

# Pinned with imagehash 4.3 and Pillow 13. If an upgrade changes these, every stored hash
# must be recomputed (bump imaging.analysis.ANALYSIS_VERSION), so the test must fail loudly.
GOLDEN = {
    "skimage/astronaut.png": (
        0xC2924C5532BDDFC8,
        0xCD8DD91D897293A7,
        0x97C7191867E88A9D,
        0x4C4E64476EB1361A,
    ),
    "skimage/camera.png": (
        0xBFF1C1C0434E8CBC,
        0x509A3C7FBC756CEC,
        0xEAA49495161BD9E9,
        0xD4A68301C251C9C8,
    ),
    "sklearn/china.jpg": (
        0x9DB8C2C7445DBB24,
        0xBFBF3A383C3870E0,
        0xC8EDB7921328EE70,
        0x0202A3E3C3E3F1F8,
    ),
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_hashes_of_real_photos_are_pinned(name: str) -> None:
    hashes = compute_hashes(decode_bytes(real_photos()[name]).image)
    assert (hashes.phash, hashes.dhash, hashes.phash_mirror, hashes.dhash_mirror) == GOLDEN[name]


@pytest.mark.parametrize("name", sorted(real_photos()))
def test_the_mirror_hash_is_the_hash_of_the_mirror_image(name: str) -> None:
    image = decode_bytes(real_photos()[name]).image
    hashes, flipped = compute_hashes(image), compute_hashes(ImageOps.mirror(image))
    assert (flipped.phash, flipped.dhash) == (hashes.phash_mirror, hashes.dhash_mirror)


@pytest.mark.parametrize("colour", [(0, 0, 0), (255, 255, 255), (90, 140, 200)])
def test_a_uniform_border_is_trimmed_before_hashing(colour: tuple[int, int, int]) -> None:
    image = load(real_photos()["skimage/astronaut.png"])
    framed = ImageOps.expand(image, border=40, fill=colour)
    assert trim_uniform_border(framed).size == image.size
    assert hamming(compute_hashes(framed).phash, compute_hashes(image).phash) <= 2


def test_a_photo_without_a_frame_is_not_cropped() -> None:
    image = load(real_photos()["skimage/coffee.png"])
    assert trim_uniform_border(image).size == image.size
    assert trim_uniform_border(Image.new("RGB", (50, 50), (10, 10, 10))).size == (50, 50)


@pytest.mark.parametrize("angle", [-2, 2])
def test_a_small_rotation_stays_close(angle: int) -> None:
    image = load(real_photos()["skimage/astronaut.png"])
    turned = image.rotate(angle, resample=Image.Resampling.BICUBIC)
    assert hamming(compute_hashes(turned).phash, compute_hashes(image).phash) <= 12


def test_jpeg_draft_mode_leaves_the_hashes_all_but_unchanged() -> None:
    # Camera-sized JPEGs (the sample photos scaled up 4x): the only ones draft mode shrinks.
    worst = 0
    for name in ("skimage/astronaut.png", "skimage/coffee.png", "sklearn/china.jpg"):
        image = load(real_photos()[name])
        big = encode(image.resize((image.width * 4, image.height * 4), Image.Resampling.BICUBIC))
        draft, full = decode_bytes(big, draft=True), decode_bytes(big, draft=False)
        assert draft.draft_used and not full.draft_used
        a, b = compute_hashes(draft.image), compute_hashes(full.image)
        worst = max(worst, hamming(a.phash, b.phash) + hamming(a.dhash, b.dhash))
    assert worst <= 4


def test_hashes_round_trip_through_signed_64_bit_storage() -> None:
    for value in (0, 1, 2**63 - 1, 2**63, 2**64 - 1):
        stored = to_signed(value)
        assert -(2**63) <= stored < 2**63
        assert to_unsigned(stored) == value


def test_hashes_are_imagehash_s_to_the_bit_mirror_images_included() -> None:
    import imagehash
    from PIL import ImageOps

    from imaging.decode import decode_bytes
    from imaging.hashes import compute_hashes, trim_uniform_border
    from tests.imaging.photo_corpus import real_photos

    for name, data in real_photos().items():
        image = decode_bytes(data).image
        trimmed = trim_uniform_border(image).convert("L")
        mirrored = ImageOps.mirror(trimmed)
        reference = [
            int(str(imagehash.phash(trimmed)), 16),
            int(str(imagehash.dhash(trimmed)), 16),
            int(str(imagehash.phash(mirrored)), 16),
            int(str(imagehash.dhash(mirrored)), 16),
        ]
        ours = compute_hashes(image)
        assert [ours.phash, ours.dhash, ours.phash_mirror, ours.dhash_mirror] == reference, name
