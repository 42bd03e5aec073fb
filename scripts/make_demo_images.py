#!/usr/bin/env python3
"""生成示例项目 examples/annual-2024-demo/images/ 中的图片（确定性：固定随机种子）。

Generates the demo project's images deterministically:

* 15 photo-like JPEGs (about 3000x2000 px, 0.5-1.5 MB each): simple "scenes" built from sky/ground
  gradients, blocks, people-like silhouettes and sensor-like noise, so that they are as large and as
  incompressible as phone photos.  Three of them (training-robot, innovation-contest, rural-service) are
  stored SIDEWAYS with an EXIF Orientation tag that undoes the rotation, like photos from a phone held
  upright: only a viewer (or reportgen) that honours EXIF shows them the right way up.

Charts are not made here: the pack declares them (templates/annual-2024/charts.yaml), narrative inserts
them with {{ chart("id") }}, and every build draws them from the data into the project's build/charts/.

Usage:  python scripts/make_demo_images.py [--out DIR]
Needs Pillow and numpy.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "annual-2024-demo"
ORIENTATION = 0x0112

# ----------------------------------------------------------------------------- helpers


def vgrad(w: int, h: int, stops: list[tuple[float, tuple[int, int, int]]]) -> np.ndarray:
    """Vertical colour gradient through (position 0..1, rgb) stops, as float32 HxWx3."""
    ys = np.linspace(0.0, 1.0, h)
    pos = [p for p, _ in stops]
    col = np.stack([np.interp(ys, pos, [c[i] for _, c in stops]) for i in range(3)], axis=1)
    return np.repeat(col[:, None, :], w, axis=1).astype(np.float32)


def lowfreq(rng: np.random.Generator, w: int, h: int, cells: int, amp: float) -> np.ndarray:
    """Smooth large-scale brightness variation (clouds, uneven light), HxWx1."""
    small = rng.normal(0.0, 1.0, (max(2, h * cells // w), cells)).astype(np.float32)
    img = Image.fromarray(((small - small.min()) / (np.ptp(small) + 1e-6) * 255).astype(np.uint8))
    img = img.resize((w, h), Image.BICUBIC).filter(ImageFilter.GaussianBlur(w / cells / 2))
    return ((np.asarray(img, np.float32) / 255.0 - 0.5) * 2 * amp)[:, :, None]


def shade(c, f: float) -> tuple[int, int, int]:
    return tuple(int(max(0, min(255, v * f))) for v in c)


def jitter(rng: np.random.Generator, c, amount: int = 18) -> tuple[int, int, int]:
    return tuple(int(max(0, min(255, v + rng.integers(-amount, amount + 1)))) for v in c)


SKIN = [(236, 200, 170), (224, 184, 150), (200, 160, 126), (240, 210, 185), (180, 135, 100)]
HAIR = [(25, 20, 18), (40, 30, 25), (60, 45, 35), (20, 20, 22), (90, 70, 50)]


def person(d: ImageDraw.ImageDraw, rng, x: float, feet: float, hgt: float, top, bottom,
           back: bool = False, seated: bool = False, arms_up: bool = False) -> None:
    """A simple human silhouette: head, hair, torso, arms, legs. (x, feet) = bottom centre."""
    skin, hair = SKIN[rng.integers(len(SKIN))], HAIR[rng.integers(len(HAIR))]
    head_r = hgt * 0.065
    sh_w = hgt * 0.13 * rng.uniform(0.9, 1.15)
    neck_y = feet - hgt + head_r * 2.1
    hip_y = neck_y + hgt * (0.30 if not seated else 0.28)
    leg_bottom = feet if not seated else hip_y + hgt * 0.18
    leg_w = sh_w * 0.42
    # legs
    for side in (-1, 1):
        lx = x + side * sh_w * 0.42
        d.rounded_rectangle([lx - leg_w / 2, hip_y - hgt * 0.02, lx + leg_w / 2, leg_bottom],
                            radius=leg_w * 0.3, fill=bottom)
        d.ellipse([lx - leg_w * 0.7, leg_bottom - leg_w * 0.35, lx + leg_w * 0.8, leg_bottom + leg_w * 0.25],
                  fill=(30, 28, 30))
    # torso
    d.rounded_rectangle([x - sh_w, neck_y + head_r * 0.2, x + sh_w, hip_y + hgt * 0.03],
                        radius=sh_w * 0.45, fill=top)
    # arms
    arm_w = sh_w * 0.34
    for side in (-1, 1):
        ax = x + side * (sh_w - arm_w * 0.3)
        if arms_up and side == 1:
            d.rounded_rectangle([ax - arm_w / 2, neck_y - hgt * 0.22, ax + arm_w / 2, neck_y + hgt * 0.08],
                                radius=arm_w * 0.45, fill=shade(top, 0.92))
            d.ellipse([ax - arm_w * 0.6, neck_y - hgt * 0.26, ax + arm_w * 0.6, neck_y - hgt * 0.19], fill=skin)
        else:
            d.rounded_rectangle([ax - arm_w / 2, neck_y + head_r * 0.4, ax + arm_w / 2, hip_y + hgt * 0.02],
                                radius=arm_w * 0.45, fill=shade(top, 0.9))
            d.ellipse([ax - arm_w * 0.55, hip_y - arm_w * 0.2, ax + arm_w * 0.55, hip_y + arm_w * 0.9], fill=skin)
    # neck and head
    d.rectangle([x - head_r * 0.4, neck_y - head_r * 0.4, x + head_r * 0.4, neck_y + head_r * 0.5], fill=skin)
    hc = neck_y - head_r * 1.05
    if back:
        d.ellipse([x - head_r, hc - head_r * 1.1, x + head_r, hc + head_r * 1.05], fill=hair)
    else:
        d.ellipse([x - head_r, hc - head_r * 1.1, x + head_r, hc + head_r * 1.05], fill=skin)
        d.chord([x - head_r * 1.05, hc - head_r * 1.2, x + head_r * 1.05, hc + head_r * 0.5],
                180, 360, fill=hair)


def crowd(d, rng, n: int, w: int, y0: float, y1: float, h0: float, h1: float, tops, bottoms,
          back: bool = False, xmin: float = 0.0, xmax: float | None = None, seated: bool = False) -> None:
    """n people scattered between depth rows y0 (far, height h0) and y1 (near, height h1)."""
    xmax = w if xmax is None else xmax
    feet = np.sort(rng.uniform(y0, y1, n))
    for f in feet:
        t = (f - y0) / max(1.0, y1 - y0)
        person(d, rng, rng.uniform(xmin, xmax), f, h0 + (h1 - h0) * t,
               jitter(rng, tops[rng.integers(len(tops))]), jitter(rng, bottoms[rng.integers(len(bottoms))], 10),
               back=back, seated=seated)


def building(d, rng, x0, y0, x1, y1, wall, win, rows=None, cols=None) -> None:
    d.rectangle([x0, y0, x1, y1], fill=wall)
    d.rectangle([x0, y0, x1, y0 + (y1 - y0) * 0.02], fill=shade(wall, 0.8))
    rows = rows or max(2, int((y1 - y0) / 110))
    cols = cols or max(2, int((x1 - x0) / 90))
    cw, rh = (x1 - x0) / cols, (y1 - y0) / rows
    for r in range(rows):
        for c in range(cols):
            wx, wy = x0 + c * cw + cw * 0.22, y0 + r * rh + rh * 0.25
            d.rectangle([wx, wy, wx + cw * 0.56, wy + rh * 0.5], fill=jitter(rng, win, 22))


def tree(d, rng, x, base, hgt) -> None:
    d.rectangle([x - hgt * 0.03, base - hgt * 0.45, x + hgt * 0.03, base], fill=(80, 60, 40))
    for _ in range(6):
        r = hgt * rng.uniform(0.18, 0.28)
        cx, cy = x + rng.uniform(-0.15, 0.15) * hgt, base - hgt * rng.uniform(0.55, 0.85)
        d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=jitter(rng, (60, 120, 55), 20))


def finish(canvas: np.ndarray, rng, blur: float = 1.2, noise: float = 4.5, vignette: float = 0.25) -> Image.Image:
    """Camera-like finishing: soften edges, uneven light, vignette, grain."""
    h, w, _ = canvas.shape
    img = Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(blur))
    a = np.asarray(img, np.float32)
    a *= 1.0 + lowfreq(rng, w, h, 8, 0.06)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    r2 = ((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2
    a *= (1.0 - vignette * np.clip(r2 / 2, 0, 1))[:, :, None]
    a += rng.normal(0.0, noise, a.shape).astype(np.float32)            # colour grain
    a += rng.normal(0.0, noise * 0.6, (h, w, 1)).astype(np.float32)    # luminance grain
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def base(w, h, rng, stops, texture=0.05):
    a = vgrad(w, h, stops)
    a *= 1.0 + lowfreq(rng, w, h, 24, texture)
    return a


def on(arr: np.ndarray, fn) -> np.ndarray:
    """Run a drawing function on an Image made from arr, return the array."""
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    fn(ImageDraw.Draw(img))
    return np.asarray(img, np.float32)


# ----------------------------------------------------------------------------- scenes
# Each scene: (rng, w, h) -> float array HxWx3. Colours chosen per subject.

UNIFORM = [(30, 45, 90), (35, 50, 100), (25, 40, 80)]
CASUAL = [(200, 60, 60), (60, 110, 180), (230, 230, 225), (70, 70, 75), (220, 180, 60), (90, 150, 100), (240, 140, 60)]
TROUSERS = [(30, 35, 50), (50, 50, 55), (70, 80, 110), (25, 25, 28)]
WORKWEAR = [(40, 80, 160), (35, 75, 150), (45, 90, 170)]
WHITE = [(238, 240, 242), (230, 236, 240), (245, 245, 245)]


def scene_ceremony_flag(rng, w, h):
    a = base(w, h, rng, [(0, (70, 130, 210)), (0.5, (165, 200, 235)), (0.62, (200, 205, 200)), (1, (175, 170, 160))])
    a *= 1 + lowfreq(rng, w, h, 6, 0.05) * (np.linspace(1, 0, h)[:, None, None] > 0.5)

    def draw(d):
        for i, x in enumerate(np.linspace(-100, w, 6)):
            building(d, rng, x, h * 0.30 + (i % 2) * 60, x + w * 0.16, h * 0.62, jitter(rng, (215, 210, 200)), (120, 150, 175))
        px = w * 0.5
        d.rectangle([px - 12, h * 0.08, px + 12, h * 0.62], fill=(210, 210, 215))
        d.polygon([(px + 12, h * 0.09), (px + 470, h * 0.11), (px + 460, h * 0.30), (px + 12, h * 0.28)], fill=(205, 25, 30))
        d.rectangle([px - 180, h * 0.60, px + 180, h * 0.64], fill=(150, 145, 140))
        for row in range(7):
            fy = h * 0.70 + row * h * 0.045
            for col in range(24):
                x = w * 0.06 + col * w * 0.037 + (row % 2) * 20
                person(d, rng, x, fy, h * (0.11 + row * 0.012), jitter(rng, UNIFORM[row % 3], 8), (28, 30, 40), back=True)
        for x in np.linspace(w * 0.1, w * 0.9, 3):
            tree(d, rng, x - 200 if x < w / 2 else x + 350, h * 0.63, h * 0.28)
    return on(a, draw)


def _classroom(rng, w, h, wall, screen, people_tops, adults=False):
    a = base(w, h, rng, [(0, (245, 245, 240)), (0.08, wall), (0.55, shade(wall, 0.92)), (0.56, (170, 150, 125)), (1, (120, 100, 80))])

    def draw(d):
        for x in np.linspace(w * 0.1, w * 0.9, 5):
            d.rectangle([x - 120, 20, x + 120, 50], fill=(255, 255, 250))
        d.rectangle([w * 0.28, h * 0.12, w * 0.72, h * 0.45], fill=(40, 45, 45))
        d.rectangle([w * 0.30, h * 0.14, w * 0.70, h * 0.43], fill=screen)
        for k in range(5):
            d.rectangle([w * 0.33, h * (0.18 + k * 0.045), w * (0.55 + 0.03 * (k % 3)), h * (0.19 + k * 0.045)],
                        fill=shade(screen, 1.25))
        d.rectangle([w * 0.02, h * 0.18, w * 0.14, h * 0.52], fill=(150, 110, 70))
        for x in (w * 0.88, w * 0.95):
            d.rectangle([x, h * 0.12, x + w * 0.05, h * 0.42], fill=(190, 215, 235))
        person(d, rng, w * 0.78, h * 0.66, h * 0.42, jitter(rng, (40, 40, 60)), (30, 30, 35))
        for row in range(5):
            yy = h * (0.62 + row * 0.085)
            d.rectangle([0, yy, w, yy + h * 0.02], fill=(190, 160, 120))
            n = 7 + row
            for c in range(n):
                x = w * (c + 0.5 + rng.uniform(-0.2, 0.2)) / n
                person(d, rng, x, yy + h * (0.12 + row * 0.03), h * (0.24 + row * 0.07),
                       jitter(rng, people_tops[rng.integers(len(people_tops))]), (40, 40, 45), back=True, seated=True)
    return on(a, draw)


def scene_classroom_ideology(rng, w, h):
    return _classroom(rng, w, h, (225, 215, 195), (180, 40, 40), CASUAL)


def scene_teacher_training(rng, w, h):
    return _classroom(rng, w, h, (210, 220, 225), (40, 90, 160), [(60, 60, 70), (200, 200, 205), (90, 100, 120), (150, 60, 60)], True)


def _workshop(rng, w, h, floor, robots=True, stations=4, tops=WORKWEAR):
    a = base(w, h, rng, [(0, (160, 165, 170)), (0.35, (200, 205, 205)), (0.45, (185, 190, 190)), (0.46, floor), (1, shade(floor, 0.8))])

    def draw(d):
        for x in np.linspace(0, w, 12):
            d.rectangle([x, 0, x + 18, h * 0.45], fill=(120, 125, 130))
        for x in np.linspace(w * 0.05, w, 8):
            d.rectangle([x, h * 0.04, x + 200, h * 0.06], fill=(250, 250, 240))
        d.rectangle([0, h * 0.7, w, h * 0.715], fill=(230, 190, 40))
        for i in range(stations):
            cx = w * (i + 0.5) / stations
            d.rectangle([cx - w * 0.09, h * 0.46, cx + w * 0.09, h * 0.62], fill=jitter(rng, (90, 100, 110)))
            d.rectangle([cx - w * 0.08, h * 0.30, cx - w * 0.02, h * 0.46], fill=jitter(rng, (210, 215, 220)))
            d.rectangle([cx - w * 0.075, h * 0.32, cx - w * 0.025, h * 0.38], fill=(40, 120, 170))
            if robots:
                c = (240, 140, 20) if i % 2 else (235, 200, 30)
                bx, by = cx + w * 0.04, h * 0.46
                d.rectangle([bx - 60, by - 70, bx + 60, by], fill=shade(c, 0.7))
                pts = [(bx, by - 70), (bx - 40, by - 320), (bx + 150, by - 420)]
                for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
                    d.line([x0, y0, x1, y1], fill=c, width=70)
                    d.ellipse([x0 - 48, y0 - 48, x0 + 48, y0 + 48], fill=shade(c, 0.85))
                d.ellipse([pts[-1][0] - 38, pts[-1][1] - 38, pts[-1][0] + 38, pts[-1][1] + 38], fill=(60, 60, 60))
        crowd(d, rng, 14, w, h * 0.62, h * 0.98, h * 0.28, h * 0.55, tops, TROUSERS)
    return on(a, draw)


def scene_training_robot(rng, w, h):
    return _workshop(rng, w, h, (130, 140, 130))


def scene_skills_contest(rng, w, h):
    return _workshop(rng, w, h, (95, 120, 105), robots=False, stations=6, tops=[(200, 40, 40), (40, 80, 160), (240, 240, 240)])


def scene_overseas_workshop(rng, w, h):
    return _workshop(rng, w, h, (150, 135, 115), robots=True, stations=3, tops=CASUAL + WORKWEAR)


def scene_nursing_skills(rng, w, h):
    a = base(w, h, rng, [(0, (235, 242, 245)), (0.5, (205, 225, 232)), (0.52, (200, 205, 200)), (1, (165, 170, 165))])

    def draw(d):
        d.rectangle([0, h * 0.08, w, h * 0.12], fill=(150, 200, 210))
        for i in range(3):
            x0 = w * (0.05 + i * 0.33)
            d.rectangle([x0, h * 0.15, x0 + w * 0.25, h * 0.50], fill=(225, 230, 235))
            d.rectangle([x0, h * 0.50, x0 + w * 0.27, h * 0.60], fill=(240, 240, 245))
            d.rectangle([x0 + 20, h * 0.44, x0 + w * 0.10, h * 0.52], fill=(255, 255, 255))
            d.rectangle([x0 + w * 0.08, h * 0.47, x0 + w * 0.26, h * 0.52], fill=(120, 170, 210))
            d.rectangle([x0, h * 0.60, x0 + 20, h * 0.72], fill=(150, 150, 155))
            d.rectangle([x0 + w * 0.27 - 20, h * 0.60, x0 + w * 0.27, h * 0.72], fill=(150, 150, 155))
            d.rectangle([x0 + w * 0.28, h * 0.25, x0 + w * 0.30, h * 0.60], fill=(170, 170, 175))
            d.rectangle([x0 + w * 0.275, h * 0.24, x0 + w * 0.31, h * 0.30], fill=(235, 245, 250))
        crowd(d, rng, 12, w, h * 0.62, h * 0.98, h * 0.35, h * 0.62, WHITE + [(240, 190, 200)], [(235, 235, 240), (200, 210, 230)])
    return on(a, draw)


def scene_job_fair(rng, w, h):
    a = base(w, h, rng, [(0, (90, 150, 220)), (0.35, (180, 210, 235)), (0.42, (190, 190, 185)), (1, (150, 145, 140))])

    def draw(d):
        building(d, rng, w * 0.05, h * 0.10, w * 0.55, h * 0.42, (225, 220, 210), (110, 140, 170))
        building(d, rng, w * 0.6, h * 0.18, w * 0.98, h * 0.42, (200, 195, 190), (100, 130, 160))
        colours = [(200, 40, 40), (30, 100, 190), (240, 160, 30), (40, 150, 90), (140, 60, 160)]
        for i in range(7):
            x = w * (i + 0.1) / 7
            c = colours[i % len(colours)]
            d.polygon([(x, h * 0.45), (x + w * 0.065, h * 0.36), (x + w * 0.13, h * 0.45)], fill=c)
            d.rectangle([x + 10, h * 0.45, x + w * 0.13 - 10, h * 0.47], fill=shade(c, 0.85))
            d.rectangle([x + 10, h * 0.47, x + 22, h * 0.58], fill=(200, 200, 200))
            d.rectangle([x + w * 0.13 - 22, h * 0.47, x + w * 0.13 - 10, h * 0.58], fill=(200, 200, 200))
            d.rectangle([x + 30, h * 0.52, x + w * 0.13 - 30, h * 0.58], fill=(240, 240, 240))
            d.rectangle([x + w * 0.03, h * 0.48, x + w * 0.10, h * 0.51], fill=shade(c, 1.2))
        crowd(d, rng, 60, w, h * 0.56, h * 1.0, h * 0.16, h * 0.50, CASUAL, TROUSERS)
    return on(a, draw)


def _stage(rng, w, h, screen, backdrop, audience=40):
    a = base(w, h, rng, [(0, (25, 25, 35)), (0.5, (45, 40, 50)), (0.55, (60, 50, 45)), (1, (35, 30, 30))])

    def draw(d):
        d.rectangle([0, h * 0.05, w, h * 0.48], fill=backdrop)
        d.rectangle([w * 0.2, h * 0.08, w * 0.8, h * 0.42], fill=screen)
        for k in range(4):
            y = h * (0.15 + k * 0.06)
            d.rectangle([w * 0.28, y, w * (0.55 + 0.05 * (k % 2)), y + h * 0.025], fill=shade(screen, 1.4))
        d.rectangle([0, h * 0.48, w, h * 0.55], fill=(110, 60, 50))
        person(d, rng, w * 0.35, h * 0.52, h * 0.30, (30, 30, 40), (25, 25, 30), arms_up=True)
        person(d, rng, w * 0.45, h * 0.52, h * 0.29, (230, 230, 235), (40, 40, 50))
        for x in (w * 0.05, w * 0.95):
            d.ellipse([x - 60, h * 0.0, x + 60, h * 0.06], fill=(255, 245, 220))
        crowd(d, rng, audience, w, h * 0.70, h * 1.05, h * 0.2, h * 0.45, [(40, 40, 50), (70, 70, 80), (120, 40, 40), (200, 200, 200)],
              TROUSERS, back=True, seated=True)
    return on(a, draw)


def scene_innovation_contest(rng, w, h):
    return _stage(rng, w, h, (20, 80, 170), (30, 50, 110))


def scene_industry_alliance(rng, w, h):
    a = base(w, h, rng, [(0, (235, 230, 220)), (0.45, (215, 205, 190)), (0.46, (150, 110, 80)), (1, (110, 80, 60))])

    def draw(d):
        d.rectangle([w * 0.08, h * 0.06, w * 0.92, h * 0.36], fill=(170, 25, 30))
        d.rectangle([w * 0.15, h * 0.14, w * 0.85, h * 0.20], fill=(240, 210, 120))
        d.rectangle([w * 0.05, h * 0.55, w * 0.95, h * 0.66], fill=(245, 245, 240))
        d.rectangle([w * 0.05, h * 0.52, w * 0.95, h * 0.55], fill=(60, 120, 80))
        for i in range(9):
            x = w * (0.12 + i * 0.095)
            person(d, rng, x, h * 0.68, h * 0.40, jitter(rng, (40, 40, 55), 10), (30, 30, 35), seated=True)
            d.rectangle([x - 50, h * 0.50, x + 50, h * 0.53], fill=(240, 240, 240))
            d.ellipse([x + 70, h * 0.49, x + 100, h * 0.53], fill=(250, 250, 255))
        for x in np.linspace(w * 0.05, w * 0.95, 10):
            d.ellipse([x - 50, h * 0.52, x + 50, h * 0.57], fill=(40, 140, 60))
        crowd(d, rng, 18, w, h * 0.82, h * 1.05, h * 0.3, h * 0.5, [(40, 40, 55), (60, 60, 70)], TROUSERS, back=True, seated=True)
    return on(a, draw)


def scene_lab_platform(rng, w, h):
    a = base(w, h, rng, [(0, (240, 243, 245)), (0.5, (220, 228, 232)), (0.51, (190, 195, 195)), (1, (150, 155, 158))])

    def draw(d):
        for x in np.linspace(0, w, 6):
            d.rectangle([x + 20, h * 0.10, x + w * 0.17, h * 0.40], fill=(200, 210, 215))
            for k in range(3):
                d.rectangle([x + 30, h * (0.15 + k * 0.08), x + w * 0.16, h * (0.16 + k * 0.08)], fill=(160, 165, 170))
                for j in range(5):
                    bx = x + 50 + j * w * 0.025
                    d.rectangle([bx, h * (0.10 + k * 0.08), bx + 40, h * (0.15 + k * 0.08)],
                                fill=jitter(rng, (120, 170, 200), 40))
        d.rectangle([0, h * 0.52, w, h * 0.58], fill=(40, 45, 50))
        d.rectangle([0, h * 0.58, w, h * 0.75], fill=(200, 200, 195))
        for i in range(6):
            x = w * (0.08 + i * 0.16)
            d.rectangle([x, h * 0.40, x + w * 0.07, h * 0.52], fill=jitter(rng, (225, 225, 230)))
            d.rectangle([x + 20, h * 0.42, x + w * 0.05, h * 0.47], fill=(30, 60, 90))
        crowd(d, rng, 7, w, h * 0.70, h * 0.95, h * 0.45, h * 0.6, WHITE, [(40, 45, 60)])
    return on(a, draw)


def scene_rural_service(rng, w, h):
    a = base(w, h, rng, [(0, (110, 165, 225)), (0.35, (200, 220, 235)), (0.40, (120, 150, 110)), (0.5, (95, 150, 70)),
                          (1, (70, 120, 50))], texture=0.08)

    def draw(d):
        for k, col in enumerate([(120, 150, 140), (95, 135, 105)]):
            pts = [(0, h * 0.40)]
            for x in np.linspace(0, w, 12):
                pts.append((x, h * (0.30 + 0.06 * k) + rng.uniform(-60, 40)))
            pts.append((w, h * 0.42))
            d.polygon(pts, fill=col)
        for i in range(7):
            x = w * (0.45 + i * 0.07)
            d.rectangle([x, h * 0.36, x + w * 0.055, h * 0.43], fill=(235, 232, 225))
            d.polygon([(x - 20, h * 0.36), (x + w * 0.0275, h * 0.32), (x + w * 0.055 + 20, h * 0.36)], fill=(70, 70, 80))
        for k in range(9):
            y = h * (0.48 + k * 0.055)
            d.line([0, y, w, y + rng.uniform(-30, 30)], fill=(80, 135, 55), width=int(8 + k * 3))
        for x in np.linspace(w * 0.02, w * 0.4, 4):
            tree(d, rng, x, h * 0.44, h * 0.2)
        crowd(d, rng, 10, w, h * 0.55, h * 0.95, h * 0.25, h * 0.50, [(200, 40, 40), (230, 60, 50), (60, 110, 180)],
              TROUSERS)
    return on(a, draw)


def scene_intangible_heritage(rng, w, h):
    a = base(w, h, rng, [(0, (120, 85, 55)), (0.5, (170, 125, 85)), (0.52, (95, 65, 45)), (1, (70, 48, 32))], texture=0.08)

    def draw(d):
        for x in np.linspace(w * 0.05, w * 0.95, 4):
            d.ellipse([x - 120, h * 0.06, x + 120, h * 0.12], fill=(200, 40, 30))
        d.rectangle([w * 0.1, h * 0.15, w * 0.9, h * 0.40], fill=(150, 105, 70))
        for i in range(40):
            d.line([w * 0.1, h * (0.15 + i * 0.00625), w * 0.9, h * (0.15 + i * 0.00625)], fill=(185, 145, 95), width=6)
        d.rectangle([0, h * 0.55, w, h * 0.70], fill=(110, 75, 45))
        for i in range(6):
            cx, cy, r = w * (0.1 + i * 0.16), h * 0.56, w * 0.05
            d.ellipse([cx - r, cy - r * 0.5, cx + r, cy + r * 0.5], fill=jitter(rng, (205, 170, 110), 15))
            for k in range(8):
                d.arc([cx - r, cy - r * 0.5, cx + r, cy + r * 0.5], k * 45, k * 45 + 30, fill=(150, 110, 60), width=8)
        crowd(d, rng, 6, w, h * 0.68, h * 0.95, h * 0.40, h * 0.55, [(150, 30, 30), (230, 225, 210), (40, 40, 45)],
              [(30, 30, 35)], seated=True)
    return on(a, draw)


def scene_international_students(rng, w, h):
    a = base(w, h, rng, [(0, (80, 140, 215)), (0.45, (190, 215, 235)), (0.55, (190, 180, 165)), (1, (160, 150, 135))])

    def draw(d):
        building(d, rng, w * 0.05, h * 0.12, w * 0.95, h * 0.55, (230, 225, 215), (100, 140, 180), rows=5)
        d.rectangle([w * 0.4, h * 0.38, w * 0.6, h * 0.55], fill=(90, 70, 60))
        for x in (w * 0.03, w * 0.97):
            tree(d, rng, x, h * 0.58, h * 0.45)
        for row in range(3):
            n = 10 - row
            for c in range(n):
                x = w * (0.12 + (c + 0.5) * 0.76 / n)
                person(d, rng, x, h * (0.80 + row * 0.08), h * (0.36 + row * 0.06),
                       jitter(rng, CASUAL[rng.integers(len(CASUAL))]), jitter(rng, TROUSERS[rng.integers(len(TROUSERS))], 8))
    return on(a, draw)


def scene_smart_campus(rng, w, h):
    a = base(w, h, rng, [(0, (40, 60, 120)), (0.35, (210, 130, 90)), (0.5, (240, 190, 140)), (0.56, (80, 85, 90)), (1, (60, 62, 66))])

    def draw(d):
        heights = rng.uniform(0.12, 0.40, 6)
        for i, hh in enumerate(heights):
            x = w * (i / 6)
            building(d, rng, x + 10, h * (0.56 - hh), x + w / 6 - 10, h * 0.56, jitter(rng, (70, 95, 130), 12),
                     (250, 220, 150), rows=int(hh * 40), cols=6)
        for x in np.linspace(w * 0.05, w * 0.95, 8):
            d.rectangle([x - 6, h * 0.50, x + 6, h * 0.72], fill=(40, 40, 45))
            d.ellipse([x - 40, h * 0.49, x + 40, h * 0.52], fill=(255, 240, 200))
        d.polygon([(w * 0.35, h), (w * 0.47, h * 0.58), (w * 0.53, h * 0.58), (w * 0.65, h)], fill=(95, 95, 100))
        crowd(d, rng, 16, w, h * 0.62, h * 1.0, h * 0.1, h * 0.35, CASUAL, TROUSERS)
    return on(a, draw)


# name, scene, (width, height) of the upright picture, EXIF orientation to store (1 = none)
PHOTOS = [
    ("ceremony-flag.jpg", scene_ceremony_flag, (3000, 2000), 1),
    ("classroom-ideology.jpg", scene_classroom_ideology, (3000, 2000), 1),
    ("training-robot.jpg", scene_training_robot, (3000, 2000), 6),
    ("nursing-skills.jpg", scene_nursing_skills, (3000, 2000), 1),
    ("job-fair.jpg", scene_job_fair, (3000, 2000), 1),
    ("innovation-contest.jpg", scene_innovation_contest, (3000, 2000), 8),
    ("skills-contest.jpg", scene_skills_contest, (3000, 2000), 1),
    ("lab-platform.jpg", scene_lab_platform, (3000, 2000), 1),
    ("rural-service.jpg", scene_rural_service, (2000, 3000), 6),
    ("intangible-heritage.jpg", scene_intangible_heritage, (2000, 3000), 1),
    ("international-students.jpg", scene_international_students, (3000, 2000), 1),
    ("overseas-workshop.jpg", scene_overseas_workshop, (3000, 2000), 1),
    ("industry-alliance.jpg", scene_industry_alliance, (3000, 2000), 1),
    ("teacher-training.jpg", scene_teacher_training, (3000, 2000), 1),
    ("smart-campus.jpg", scene_smart_campus, (2000, 3000), 1),
]


def save_photo(img: Image.Image, path: Path, orientation: int) -> None:
    """Save as JPEG. For orientation 6/8 the pixels are stored rotated and the tag undoes it."""
    exif = Image.Exif()
    exif[0x010F] = "Demo Camera"         # Make
    exif[0x0110] = "reportgen demo"      # Model
    if orientation == 6:                 # viewer rotates 90° clockwise to display
        img = img.transpose(Image.Transpose.ROTATE_90)     # store rotated 90° counter-clockwise
    elif orientation == 8:               # viewer rotates 90° counter-clockwise to display
        img = img.transpose(Image.Transpose.ROTATE_270)    # store rotated 90° clockwise
    exif[ORIENTATION] = orientation
    img.save(path, "JPEG", quality=85, subsampling=2, exif=exif.tobytes())


def make_photos(out: Path) -> None:
    for i, (name, scene, (w, h), orient) in enumerate(PHOTOS):
        rng = np.random.default_rng(2024 + i)
        arr = scene(rng, w, h)
        img = finish(arr, rng)
        save_photo(img, out / name, orient)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=DEMO / "images", help="output folder (default: the demo's images/)")
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    make_photos(args.out)
    total = 0
    for f in sorted(args.out.iterdir()):
        total += f.stat().st_size
        print(f"{f.name:30s} {f.stat().st_size / 1e6:6.2f} MB")
    print(f"{'total':30s} {total / 1e6:6.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
