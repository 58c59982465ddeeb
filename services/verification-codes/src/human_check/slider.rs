//! Slider puzzles: a procedural background (gradient, waves, random shapes
//! and noise, all from a CSPRNG) with a puzzle-piece-shaped gap, and the piece
//! to drag into it. No two images share a background, so answers cannot be
//! looked up; the noise and the shapes crossing the gap make the gap's edge
//! less trivial to find by thresholding. It is a speed bump, not a wall:
//! deployments facing determined bots use the vendor adapter.

use std::f32::consts::TAU;

use rand::Rng;

pub const WIDTH: u32 = 320;
pub const HEIGHT: u32 = 160;
/// The piece's bounding box.
pub const PIECE_WIDTH: u32 = 54;
pub const PIECE_HEIGHT: u32 = 56;

/// The piece: a square body with a knob on top and on the right and a notch
/// on the left, in piece coordinates.
const BODY_LEFT: f32 = 0.0;
const BODY_TOP: f32 = 10.0;
const BODY_SIDE: f32 = 44.0;
const KNOB_RADIUS: f32 = 8.0;
const NOTCH_RADIUS: f32 = 6.0;

/// A generated challenge: what the browser shows, and where the piece fits.
#[derive(Debug, Clone)]
pub struct Puzzle {
    pub background_png: Vec<u8>,
    pub piece_png: Vec<u8>,
    /// The gap's left edge: the answer, which never leaves the service.
    pub answer_x: u32,
    pub piece_y: u32,
}

type Rgb = [f32; 3];

/// Makes a new puzzle. CPU-bound (a few milliseconds): call it off the async workers.
pub fn generate(rng: &mut impl Rng) -> Result<Puzzle, png::EncodingError> {
    let answer_x = rng.random_range(PIECE_WIDTH + 12..=WIDTH - PIECE_WIDTH - 4);
    let piece_y = rng.random_range(4..=HEIGHT - PIECE_HEIGHT - 4);
    let mut background = paint_background(rng);
    let mask = piece_mask();
    let mut piece = vec![0u8; (PIECE_WIDTH * PIECE_HEIGHT * 4) as usize];
    for py in 0..PIECE_HEIGHT {
        for px in 0..PIECE_WIDTH {
            let cell = mask[(py * PIECE_WIDTH + px) as usize];
            if cell == Cell::Outside {
                continue;
            }
            let index = ((piece_y + py) * WIDTH + answer_x + px) as usize;
            let original = background[index];
            let (shown, gap) = match cell {
                Cell::Edge => (mix(original, [255.0; 3], 0.6), mix(original, [255.0; 3], 0.55)),
                _ => (original, original.map(|c| c * 0.42 + 18.0)),
            };
            background[index] = gap;
            let out = ((py * PIECE_WIDTH + px) * 4) as usize;
            piece[out..out + 3].copy_from_slice(&to_bytes(shown));
            piece[out + 3] = 255;
        }
    }
    // A second, lighter noise after cutting: the gap is not an exact multiple of its surroundings.
    add_noise(rng, &mut background, 6.0);
    let background: Vec<u8> = background.iter().flat_map(|p| to_bytes(*p)).collect();
    Ok(Puzzle {
        background_png: encode(WIDTH, HEIGHT, png::ColorType::Rgb, &background)?,
        piece_png: encode(PIECE_WIDTH, PIECE_HEIGHT, png::ColorType::Rgba, &piece)?,
        answer_x,
        piece_y,
    })
}

fn paint_background(rng: &mut impl Rng) -> Vec<Rgb> {
    let (from, to) = (random_colour(rng), random_colour(rng));
    let angle = rng.random_range(0.0..TAU);
    let (dx, dy) = (angle.cos(), angle.sin());
    let span = (WIDTH as f32 * dx.abs() + HEIGHT as f32 * dy.abs()).max(1.0);
    let offset = (WIDTH as f32 * dx).min(0.0) + (HEIGHT as f32 * dy).min(0.0);
    let wave = (rng.random_range(0.02..0.09), rng.random_range(0.02..0.09), rng.random_range(0.0..TAU));
    let wave_amplitude = rng.random_range(6.0..18.0);
    let mut pixels = Vec::with_capacity((WIDTH * HEIGHT) as usize);
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            let (fx, fy) = (x as f32, y as f32);
            let t = ((fx * dx + fy * dy - offset) / span).clamp(0.0, 1.0);
            let ripple = wave_amplitude * (fx * wave.0 + fy * wave.1 + wave.2).sin();
            pixels.push(mix(from, to, t).map(|c| c + ripple));
        }
    }
    for _ in 0..rng.random_range(14..24) {
        let shape = random_shape(rng);
        let colour = random_colour(rng);
        let alpha = rng.random_range(0.2..0.6);
        let (x0, y0, x1, y1) = shape.bounds();
        for y in y0..y1 {
            for x in x0..x1 {
                if shape.covers(x as f32 + 0.5, y as f32 + 0.5) {
                    let index = (y * WIDTH + x) as usize;
                    pixels[index] = mix(pixels[index], colour, alpha);
                }
            }
        }
    }
    add_noise(rng, &mut pixels, 14.0);
    pixels
}

fn random_colour(rng: &mut impl Rng) -> Rgb {
    [rng.random_range(30.0..225.0), rng.random_range(30.0..225.0), rng.random_range(30.0..225.0)]
}

/// Adds uniform noise in ±`amplitude` to every channel (random bytes drawn in
/// bulk: a draw per channel is slow in unoptimised builds).
fn add_noise(rng: &mut impl Rng, pixels: &mut [Rgb], amplitude: f32) {
    let mut bytes = vec![0u8; pixels.len() * 3];
    rng.fill_bytes(&mut bytes);
    for (pixel, noise) in pixels.iter_mut().zip(bytes.chunks_exact(3)) {
        for (channel, byte) in pixel.iter_mut().zip(noise) {
            *channel += (f32::from(*byte) / 127.5 - 1.0) * amplitude;
        }
    }
}

enum Shape {
    Circle { cx: f32, cy: f32, r: f32 },
    Rect { x: f32, y: f32, w: f32, h: f32 },
    Line { ax: f32, ay: f32, bx: f32, by: f32, half_width: f32 },
}

fn random_shape(rng: &mut impl Rng) -> Shape {
    let (w, h) = (WIDTH as f32, HEIGHT as f32);
    match rng.random_range(0..3) {
        0 => Shape::Circle {
            cx: rng.random_range(0.0..w),
            cy: rng.random_range(0.0..h),
            r: rng.random_range(6.0..40.0),
        },
        1 => Shape::Rect {
            x: rng.random_range(-20.0..w),
            y: rng.random_range(-20.0..h),
            w: rng.random_range(10.0..90.0),
            h: rng.random_range(8.0..60.0),
        },
        _ => Shape::Line {
            ax: rng.random_range(0.0..w),
            ay: rng.random_range(0.0..h),
            bx: rng.random_range(0.0..w),
            by: rng.random_range(0.0..h),
            half_width: rng.random_range(1.0..3.0),
        },
    }
}

impl Shape {
    /// Pixel rectangle (x0, y0, x1, y1), exclusive ends, clipped to the image.
    fn bounds(&self) -> (u32, u32, u32, u32) {
        let (left, top, right, bottom) = match *self {
            Self::Circle { cx, cy, r } => (cx - r, cy - r, cx + r, cy + r),
            Self::Rect { x, y, w, h } => (x, y, x + w, y + h),
            Self::Line { ax, ay, bx, by, half_width } => (
                ax.min(bx) - half_width,
                ay.min(by) - half_width,
                ax.max(bx) + half_width,
                ay.max(by) + half_width,
            ),
        };
        let clip = |v: f32, max: u32| v.clamp(0.0, max as f32) as u32;
        (
            clip(left.floor(), WIDTH),
            clip(top.floor(), HEIGHT),
            clip(right.ceil(), WIDTH),
            clip(bottom.ceil(), HEIGHT),
        )
    }

    fn covers(&self, x: f32, y: f32) -> bool {
        match *self {
            Self::Circle { cx, cy, r } => distance(x, y, cx, cy) < r,
            Self::Rect { x: rx, y: ry, w, h } => x >= rx && x < rx + w && y >= ry && y < ry + h,
            Self::Line { ax, ay, bx, by, half_width } => {
                let (vx, vy) = (bx - ax, by - ay);
                let length2 = (vx * vx + vy * vy).max(f32::EPSILON);
                let t = (((x - ax) * vx + (y - ay) * vy) / length2).clamp(0.0, 1.0);
                distance(x, y, ax + t * vx, ay + t * vy) < half_width
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    Outside,
    Inside,
    /// Inside, next to the outside: drawn as the piece's light outline.
    Edge,
}

/// The piece's cells over its bounding box, row by row.
fn piece_mask() -> Vec<Cell> {
    let inside = |x: i64, y: i64| {
        if x < 0 || y < 0 || x >= i64::from(PIECE_WIDTH) || y >= i64::from(PIECE_HEIGHT) {
            return false;
        }
        in_piece(x as f32 + 0.5, y as f32 + 0.5)
    };
    let mut cells = Vec::with_capacity((PIECE_WIDTH * PIECE_HEIGHT) as usize);
    for y in 0..i64::from(PIECE_HEIGHT) {
        for x in 0..i64::from(PIECE_WIDTH) {
            cells.push(if !inside(x, y) {
                Cell::Outside
            } else if [(1, 0), (-1, 0), (0, 1), (0, -1)].iter().any(|(dx, dy)| !inside(x + dx, y + dy)) {
                Cell::Edge
            } else {
                Cell::Inside
            });
        }
    }
    cells
}

fn in_piece(x: f32, y: f32) -> bool {
    let body =
        (BODY_LEFT..BODY_LEFT + BODY_SIDE).contains(&x) && (BODY_TOP..BODY_TOP + BODY_SIDE).contains(&y);
    let middle_x = BODY_LEFT + BODY_SIDE / 2.0;
    let middle_y = BODY_TOP + BODY_SIDE / 2.0;
    let top_knob = distance(x, y, middle_x, BODY_TOP) < KNOB_RADIUS;
    let right_knob = distance(x, y, BODY_LEFT + BODY_SIDE, middle_y) < KNOB_RADIUS;
    let notch = distance(x, y, BODY_LEFT, middle_y) < NOTCH_RADIUS;
    (body || top_knob || right_knob) && !notch
}

fn distance(x: f32, y: f32, cx: f32, cy: f32) -> f32 {
    ((x - cx).powi(2) + (y - cy).powi(2)).sqrt()
}

fn mix(a: Rgb, b: Rgb, t: f32) -> Rgb {
    [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t]
}

fn to_bytes(pixel: Rgb) -> [u8; 3] {
    pixel.map(|c| c.round().clamp(0.0, 255.0) as u8)
}

fn encode(
    width: u32,
    height: u32,
    colour: png::ColorType,
    data: &[u8],
) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(colour);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(data)?;
    writer.finish()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

    fn dimensions(png: &[u8]) -> (u32, u32) {
        let word = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
        (word(16), word(20))
    }

    #[test]
    fn puzzles_are_pngs_of_the_promised_sizes_with_the_gap_inside() {
        let mut rng = rand::rng();
        for _ in 0..20 {
            let puzzle = generate(&mut rng).expect("encodes");
            assert_eq!(puzzle.background_png[..8], PNG_SIGNATURE);
            assert_eq!(puzzle.piece_png[..8], PNG_SIGNATURE);
            assert_eq!(dimensions(&puzzle.background_png), (WIDTH, HEIGHT));
            assert_eq!(dimensions(&puzzle.piece_png), (PIECE_WIDTH, PIECE_HEIGHT));
            assert!(puzzle.answer_x > PIECE_WIDTH && puzzle.answer_x + PIECE_WIDTH <= WIDTH);
            assert!(puzzle.piece_y + PIECE_HEIGHT <= HEIGHT);
        }
    }

    #[test]
    fn backgrounds_differ_every_time() {
        let mut rng = rand::rng();
        let a = generate(&mut rng).expect("encodes");
        let b = generate(&mut rng).expect("encodes");
        assert_ne!(a.background_png, b.background_png);
    }

    #[test]
    fn the_piece_has_knobs_and_a_notch() {
        let mask = piece_mask();
        let at = |x: u32, y: u32| mask[(y * PIECE_WIDTH + x) as usize];
        assert_eq!(at(22, 32), Cell::Inside);
        assert_ne!(at(22, 4), Cell::Outside, "top knob");
        assert_ne!(at(50, 32), Cell::Outside, "right knob");
        assert_eq!(at(1, 32), Cell::Outside, "left notch");
        assert_eq!(at(2, 2), Cell::Outside);
        assert_eq!(at(0, 10), Cell::Edge);
    }
}
