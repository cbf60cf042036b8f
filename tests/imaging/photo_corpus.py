"""Real photographs that nobody on the team made, loaded at run time from installed packages
(scikit-image's and scikit-learn's sample data), and the transforms a photo suffers between
custody suite, scanner and witness phone."""

import io
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

from imaging.hashes import PerceptualHashes, hamming

# Natural photographs among scikit-image's samples (diagrams, text and synthetic images are
# left out: a mugshot library holds photographs).
_SKIMAGE_PHOTOS = (
    "astronaut.png",
    "camera.png",
    "chelsea.png",
    "coffee.png",
    "hubble_deep_field.jpg",
    "rocket.jpg",
    "motorcycle_left.png",
    "moon.png",
    "brick.png",
    "grass.png",
    "gravel.png",
    "coins.png",
    "retina.jpg",
    "ihc.png",
    "page.png",
    "horse.png",
    "clock_motion.png",
)


def _package_folder(module: str) -> Path:
    import importlib

    file = importlib.import_module(module).__file__
    assert file is not None
    return Path(file).parent


@cache
def real_photos() -> dict[str, bytes]:
    """Name -> encoded file, exactly as the packages ship them."""
    photos = {}
    skimage_data = _package_folder("skimage.data")
    for name in _SKIMAGE_PHOTOS:
        photos[f"skimage/{name}"] = (skimage_data / name).read_bytes()
    sklearn_images = _package_folder("sklearn.datasets") / "images"
    for name in ("china.jpg", "flower.jpg"):
        photos[f"sklearn/{name}"] = (sklearn_images / name).read_bytes()
    return photos


@cache
def face_photos() -> dict[str, bytes]:
    """100 real faces and 100 non-face patches from Labeled Faces in the Wild (scikit-image's
    `lfw_subset`, 25 x 25 grey), scaled up to 100 x 100 and encoded as PNG."""
    import skimage.data

    photos = {}
    for index, pixels in enumerate(skimage.data.lfw_subset()):  # type: ignore[no-untyped-call]
        image = Image.fromarray((pixels * 255).astype(np.uint8), "L").resize(
            (100, 100), Image.Resampling.BICUBIC
        )
        out = io.BytesIO()
        image.save(out, format="PNG")
        photos[f"lfw/{'face' if index < 100 else 'other'}-{index:03d}"] = out.getvalue()
    return photos


def load(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


def encode(image: Image.Image, quality: int = 92) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


Transform = Callable[[Image.Image, random.Random], Image.Image]


def _jpeg(image: Image.Image, rng: random.Random) -> Image.Image:
    return load(encode(image, quality=rng.randint(40, 90)))


def _resize(image: Image.Image, rng: random.Random) -> Image.Image:
    scale = rng.choice([0.25, 0.4, 0.6, 1.5, 2.0])
    size = (max(8, round(image.width * scale)), max(8, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BICUBIC)


def _crop(image: Image.Image, rng: random.Random) -> Image.Image:
    share = rng.uniform(0.01, 0.05)
    dx, dy = round(image.width * share), round(image.height * share)
    left, top = rng.randint(0, dx), rng.randint(0, dy)
    return image.crop((left, top, image.width - (dx - left), image.height - (dy - top)))


def _brightness(image: Image.Image, rng: random.Random) -> Image.Image:
    return ImageEnhance.Brightness(image).enhance(rng.choice([0.8, 0.9, 1.1, 1.2]))


def _contrast(image: Image.Image, rng: random.Random) -> Image.Image:
    return ImageEnhance.Contrast(image).enhance(rng.choice([0.8, 0.9, 1.1, 1.2]))


def _rotate(image: Image.Image, rng: random.Random) -> Image.Image:
    angle = rng.choice([-3, -2, -1, 1, 2, 3])
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False)


def _mirror(image: Image.Image, _rng: random.Random) -> Image.Image:
    return ImageOps.mirror(image)


def _border(image: Image.Image, rng: random.Random) -> Image.Image:
    width = max(2, round(min(image.size) * rng.uniform(0.03, 0.12)))
    colour = rng.choice([(0, 0, 0), (255, 255, 255), (128, 128, 128)])
    return ImageOps.expand(image, border=width, fill=colour)


TRANSFORMS: dict[str, Transform] = {
    "jpeg q40-90": _jpeg,
    "resize 25-200%": _resize,
    "crop <=5%": _crop,
    "brightness +-20%": _brightness,
    "contrast +-20%": _contrast,
    "rotate +-3deg": _rotate,
    "mirror": _mirror,
    "border": _border,
}


def transformed_variants(
    photos: dict[str, bytes], seed: int = 7
) -> Iterator[tuple[str, str, bytes]]:
    """(photo name, transform name, transformed JPEG) for every photo and transform; the
    result is re-encoded at high quality as a phone or scanner would save it."""
    rng = random.Random(seed)
    for name, data in photos.items():
        original = load(data)
        for transform_name, transform in TRANSFORMS.items():
            yield name, transform_name, encode(transform(original, rng))


def quadrants(photos: dict[str, bytes]) -> dict[str, bytes]:
    """Four distinct pictures cut from each photo: more distinct real images."""
    parts = {}
    for name, data in photos.items():
        image = load(data)
        half_w, half_h = image.width // 2, image.height // 2
        for i, (left, top) in enumerate([(0, 0), (half_w, 0), (0, half_h), (half_w, half_h)]):
            parts[f"{name}#q{i}"] = encode(image.crop((left, top, left + half_w, top + half_h)))
    return parts


@dataclass(frozen=True)
class Robustness:
    """Distances measured for one corpus: same photo transformed, and distinct photos."""

    same: list[tuple[str, int]]  # (transform, distance) for each transformed copy
    distinct: list[int]  # distance for each pair of distinct pictures

    def recall(self, radius: int, transform: str | None = None) -> float:
        chosen = [d for t, d in self.same if transform in (None, t)]
        return sum(d <= radius for d in chosen) / len(chosen)

    def false_match_rate(self, radius: int) -> float:
        return sum(d <= radius for d in self.distinct) / len(self.distinct)


def combined_distance(a: PerceptualHashes, b: PerceptualHashes) -> int:
    """The photo index's distance: pHash + dHash bits, the mirror image counted too."""
    return min(
        hamming(a.phash, b.phash) + hamming(a.dhash, b.dhash),
        hamming(a.phash, b.phash_mirror) + hamming(a.dhash, b.dhash_mirror),
    )


def measure_robustness(copies_per_transform: int = 3, seed: int = 3) -> Robustness:
    """Real photos and their quadrants, each transformed `copies_per_transform` times per
    transform; distinct pairs among those pictures and 200 LFW faces and patches."""
    from imaging.decode import decode_bytes
    from imaging.hashes import compute_hashes

    real = real_photos()
    pictures = {**real, **quadrants(real)}
    distinct_set = {**pictures, **face_photos()}
    hashes = {name: compute_hashes(decode_bytes(data).image) for name, data in distinct_set.items()}
    rng = random.Random(seed)
    same = []
    for name, data in pictures.items():
        original = load(data)
        for transform_name, transform in TRANSFORMS.items():
            for _ in range(copies_per_transform):
                copy = compute_hashes(decode_bytes(encode(transform(original, rng))).image)
                same.append((transform_name, combined_distance(copy, hashes[name])))
    names = list(hashes)
    distinct = [
        combined_distance(hashes[a], hashes[b])
        for a, b in itertools.combinations(names, 2)
        # a quadrant and the photo it was cut from are not distinct pictures
        if a.split("#")[0] != b.split("#")[0]
    ]
    return Robustness(same, distinct)


@dataclass(frozen=True)
class FaceCase:
    name: str
    image: Image.Image
    face: tuple[int, int, int, int] | None  # (left, top, width, height) of the real face


def _frame(patch: np.ndarray, rng: random.Random) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """A 240 x 300 portrait-shaped frame with the patch, scaled to 110-150 pixels, set in it
    off-centre on a plain, unevenly lit backdrop, as a custody photo is framed."""
    side = rng.randint(110, 150)
    face = Image.fromarray((patch * 255).astype(np.uint8), "L").resize(
        (side, side), Image.Resampling.BICUBIC
    )
    shade = np.linspace(rng.uniform(120, 200), rng.uniform(120, 200), 240)[None, :]
    noise = np.random.default_rng(rng.randrange(1 << 30)).normal(0, 4, (300, 240))
    frame = Image.fromarray(np.clip(shade + noise, 0, 255).astype(np.uint8), "L")
    left, top = rng.randint(10, 240 - side - 10), rng.randint(20, 300 - side - 20)
    frame.paste(face, (left, top))
    return frame.convert("RGB"), (left, top, side, side)


@cache
def face_cases() -> tuple[FaceCase, ...]:
    """Real faces and real non-faces for measuring face detectors: the 100 Labeled Faces in
    the Wild crops of scikit-image's `lfw_subset` and its 100 non-face patches, each framed
    as a portrait; two real portraits (scikit-image's astronaut, matplotlib's Grace Hopper);
    and the sample photographs that hold no face."""
    import matplotlib
    import skimage.data

    rng = random.Random(11)
    cases = []
    for index, patch in enumerate(skimage.data.lfw_subset()):  # type: ignore[no-untyped-call]
        image, box = _frame(patch, rng)
        is_face = index < 100
        cases.append(FaceCase(f"lfw/{index:03d}", image, box if is_face else None))
    hopper = Path(matplotlib.__file__).parent / "mpl-data" / "sample_data" / "grace_hopper.jpg"
    portraits = {
        # Boxes measured by eye on the shipped files, generous: a detection overlapping
        # them is the face.
        "skimage/astronaut.png": (real_photos()["skimage/astronaut.png"], (150, 20, 140, 180)),
        "matplotlib/grace_hopper.jpg": (hopper.read_bytes(), (150, 90, 230, 300)),
    }
    for name, (data, box) in portraits.items():
        cases.append(FaceCase(name, load(data), box))
    for name, data in real_photos().items():
        if name not in portraits and name != "skimage/camera.png":  # the cameraman has a face
            cases.append(FaceCase(name, load(data), None))
    return tuple(cases)
