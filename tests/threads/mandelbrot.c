// A Mandelbrot set computed by N threads (argument 1, default 4) taking rows
// from a shared counter; the output (iteration total, a checksum of every
// pixel in row order, a thumbnail) is the same for any N.
//   mandelbrot.wasm [THREADS] [WIDTH] [HEIGHT] [MAX_ITERATIONS] [time]
// With "time", a last line gives the computation's time (bench/threads.sh).
#include "tlib.h"

static int width = 480, height = 320, max_iterations = 400;
static uint16_t* pixels;
static _Atomic int32_t next_row;

static int iterations(double cr, double ci) {
  double zr = 0, zi = 0;
  int n = 0;
  while (n < max_iterations && zr * zr + zi * zi <= 4.0) {
    double t = zr * zr - zi * zi + cr;
    zi = 2 * zr * zi + ci;
    zr = t;
    ++n;
  }
  return n;
}

static void* worker(void* unused) {
  (void)unused;
  for (int y; (y = tl_add(&next_row, 1)) < height;)
    for (int x = 0; x < width; ++x)
      pixels[y * width + x] = (uint16_t)iterations(-2.2 + 3.2 * x / width, -1.2 + 2.4 * y / height);
  return 0;
}

int tl_main(int argc, char** argv) {
  int threads = argc > 1 ? (int)tl_parse_u64(argv[1]) : 4;
  if (argc > 2) width = (int)tl_parse_u64(argv[2]);
  if (argc > 3) height = (int)tl_parse_u64(argv[3]);
  if (argc > 4) max_iterations = (int)tl_parse_u64(argv[4]);
  if (threads < 1 || threads > 64 || width < 1 || height < 1) return 2;
  pixels = tl_alloc((size_t)width * height * sizeof *pixels);
  uint64_t started = tl_now_ns();
  tl_thread* spawned[64];
  // The main thread works too: THREADS threads in all.
  for (int i = 1; i < threads; ++i)
    if (tl_thread_create(&spawned[i], worker, 0) != 0) return 3;
  worker(0);
  for (int i = 1; i < threads; ++i) tl_thread_join(spawned[i]);
  uint64_t elapsed = tl_now_ns() - started;
  uint64_t total = 0, checksum = 14695981039346656037ull;
  for (int i = 0; i < width * height; ++i) {
    total += pixels[i];
    checksum = (checksum ^ pixels[i]) * 1099511628211ull;
  }
  tl_put("mandelbrot ");
  tl_put_u64(width);
  tl_put("x");
  tl_put_u64(height);
  tl_put(" iterations=");
  tl_put_u64(total);
  tl_put(" checksum=");
  tl_put_u64(checksum);
  tl_line_end();
  for (int y = 0; y < height; y += height / 16 ? height / 16 : 1) {
    for (int x = 0; x < width; x += width / 48 ? width / 48 : 1)
      tl_put(pixels[y * width + x] >= max_iterations ? "#" : pixels[y * width + x] > 8 ? "+" : ".");
    tl_line_end();
  }
  if (argc > 5) {
    tl_put("elapsed_us=");
    tl_put_u64(elapsed / 1000);
    tl_line_end();
  }
  return 0;
}
