// Kernel twins of splicekit's benchmark scenarios: the same loops through
// the real Linux pipe, splice, tee, vmsplice and sendfile.
//
// Built by bench/native.ts with `gcc -O2`; prints one machine-readable line
// per scenario:
//
//   RESULT <name> <unit> <run1> <run2> ...     (unit: GiB/s or ns/call)
//   SKIP <name> <reason>
//
// Each scenario is calibrated to about TARGET_MS per run, then run RUNS
// times; the TypeScript side takes the median, min and max. Every loop runs
// in one thread, producer step then consumer step, as the emulator's do.
//
// usage: bench [runs] [target_ms] [filter-substring]

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096L
#define MIB (1024L * 1024L)
#define GIB (1024.0 * 1024.0 * 1024.0)

static int RUNS = 7;
static double TARGET_MS = 40;
static const char *FILTER = NULL;

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* A failed call: report the scenario as skipped and leave it. */
#define CHECK(cond, what)                                              \
  do {                                                                 \
    if (!(cond)) {                                                     \
      printf("SKIP %s %s:%s\n", cur_name, what, strerror(errno));      \
      fflush(stdout);                                                  \
      return -1;                                                       \
    }                                                                  \
  } while (0)

static const char *cur_name = "";
static int null_fd = -1;

static int make_pipe(int fds[2], long size) {
  if (pipe(fds) < 0) return -1;
  if (size > 0 && fcntl(fds[1], F_SETPIPE_SZ, (int)size) < 0) return -1;
  return 0;
}

static void close_pipe(int fds[2]) {
  close(fds[0]);
  close(fds[1]);
}

/* Page-aligned memory that has been written (so it maps real pages). */
static char *user_buf(long len) {
  char *p = aligned_alloc(PAGE, len);
  if (p) memset(p, 0x5a, len);
  return p;
}

/* Splices exactly len bytes from a pipe to /dev/null. */
static int drain_null(int rfd, long len) {
  while (len > 0) {
    ssize_t n = splice(rfd, NULL, null_fd, NULL, len, 0);
    if (n <= 0) return -1;
    len -= n;
  }
  return 0;
}

// ---- scenarios: each returns the measured nanoseconds for `iters` iterations, -1 on failure

/* One page bounced between two pipes: 2 splice calls per iteration. */
static int pages_n = 1;
static double s_splice_pages(long iters) {
  int a[2], b[2];
  CHECK(make_pipe(a, MIB) == 0 && make_pipe(b, MIB) == 0, "pipe");
  char *buf = user_buf(pages_n * PAGE);
  CHECK(write(a[1], buf, pages_n * PAGE) == pages_n * PAGE, "write");
  long len = pages_n * PAGE;
  double t0 = now_ns();
  for (long i = 0; i < iters; i++) {
    CHECK(splice(a[0], NULL, b[1], NULL, len, 0) == len, "splice a->b");
    CHECK(splice(b[0], NULL, a[1], NULL, len, 0) == len, "splice b->a");
  }
  double t = now_ns() - t0;
  close_pipe(a);
  close_pipe(b);
  free(buf);
  return t;
}

/* tee of one page into a 1 MiB pipe, 256 calls per iteration; the drain is not timed. */
static double s_tee_page(long iters) {
  int a[2], b[2];
  CHECK(make_pipe(a, PAGE * 16) == 0 && make_pipe(b, MIB) == 0, "pipe");
  char *buf = user_buf(PAGE);
  CHECK(write(a[1], buf, PAGE) == PAGE, "write");
  double t = 0;
  for (long i = 0; i < iters; i++) {
    double t0 = now_ns();
    for (int j = 0; j < 256; j++) CHECK(tee(a[0], b[1], PAGE, 0) == PAGE, "tee");
    t += now_ns() - t0;
    CHECK(drain_null(b[0], 256 * PAGE) == 0, "drain");
  }
  close_pipe(a);
  close_pipe(b);
  free(buf);
  return t;
}

/* vmsplice of one page into a 1 MiB pipe, 256 calls per iteration; the drain is not timed. */
static double s_vmsplice_page(long iters) {
  int b[2];
  CHECK(make_pipe(b, MIB) == 0, "pipe");
  char *buf = user_buf(PAGE);
  struct iovec iov = {buf, PAGE};
  double t = 0;
  for (long i = 0; i < iters; i++) {
    double t0 = now_ns();
    for (int j = 0; j < 256; j++) CHECK(vmsplice(b[1], &iov, 1, 0) == PAGE, "vmsplice");
    t += now_ns() - t0;
    CHECK(drain_null(b[0], 256 * PAGE) == 0, "drain");
  }
  close_pipe(b);
  free(buf);
  return t;
}

/*
 * The 2006 article's double buffering: a 2 MiB buffer, a 1 MiB pipe;
 * vmsplice one half (it fills the pipe), splice it to /dev/null, next half.
 * 1 MiB per iteration.
 */
static double s_vmsplice_splice_null(long iters) {
  int a[2];
  CHECK(make_pipe(a, MIB) == 0, "pipe");
  char *buf = user_buf(2 * MIB);
  double t0 = now_ns();
  for (long i = 0; i < iters; i++) {
    struct iovec iov = {buf + (i & 1) * MIB, MIB};
    CHECK(vmsplice(a[1], &iov, 1, 0) == MIB, "vmsplice");
    CHECK(splice(a[0], NULL, null_fd, NULL, MIB, 0) == MIB, "splice");
  }
  double t = now_ns() - t0;
  close_pipe(a);
  free(buf);
  return t;
}

/* 1 MiB of pages bounced between two 1 MiB pipes: 2 MiB moved per iteration. */
static double s_splice_pipe_pipe(long iters) {
  pages_n = 256;
  return s_splice_pages(iters);
}

/* vmsplice 1 MiB into A, tee A -> B, splice A and B to /dev/null: 1 MiB per iteration. */
static double s_tee_two_drains(long iters) {
  int a[2], b[2];
  CHECK(make_pipe(a, MIB) == 0 && make_pipe(b, MIB) == 0, "pipe");
  char *buf = user_buf(2 * MIB);
  double t0 = now_ns();
  for (long i = 0; i < iters; i++) {
    struct iovec iov = {buf + (i & 1) * MIB, MIB};
    CHECK(vmsplice(a[1], &iov, 1, 0) == MIB, "vmsplice");
    CHECK(tee(a[0], b[1], MIB, 0) == MIB, "tee");
    CHECK(splice(a[0], NULL, null_fd, NULL, MIB, 0) == MIB, "splice a");
    CHECK(splice(b[0], NULL, null_fd, NULL, MIB, 0) == MIB, "splice b");
  }
  double t = now_ns() - t0;
  close_pipe(a);
  close_pipe(b);
  free(buf);
  return t;
}

#define FILE_BYTES (16 * MIB)

/* A 16 MiB in-memory file (memfd: shmem page cache, like the emulator's memfs). */
static int make_file(const char *name, int fill) {
  int fd = memfd_create(name, 0);
  if (fd < 0) return -1;
  if (fill) {
    char *buf = user_buf(MIB);
    for (int i = 0; i < FILE_BYTES / MIB; i++)
      if (write(fd, buf, MIB) != MIB) return -1;
    free(buf);
  }
  return fd;
}

/* splice file -> pipe -> file, 1 MiB at a time: 16 MiB per iteration. */
static double s_splice_file_file(long iters) {
  int a[2];
  CHECK(make_pipe(a, MIB) == 0, "pipe");
  int src = make_file("src", 1), dst = make_file("dst", 0);
  CHECK(src >= 0 && dst >= 0, "memfd");
  double t0 = now_ns();
  for (long i = 0; i < iters; i++) {
    loff_t in = 0, out = 0;
    while (in < FILE_BYTES) {
      ssize_t n = splice(src, &in, a[1], NULL, MIB, 0);
      CHECK(n > 0, "splice file->pipe");
      while (n > 0) {
        ssize_t m = splice(a[0], NULL, dst, &out, n, 0);
        CHECK(m > 0, "splice pipe->file");
        n -= m;
      }
    }
  }
  double t = now_ns() - t0;
  close_pipe(a);
  close(src);
  close(dst);
  return t;
}

/* sendfile of a 16 MiB file to /dev/null: 16 MiB per iteration. */
static double s_sendfile(long iters) {
  int src = make_file("src", 1);
  CHECK(src >= 0, "memfd");
  double t0 = now_ns();
  for (long i = 0; i < iters; i++) {
    off_t off = 0;
    while (off < FILE_BYTES) CHECK(sendfile(null_fd, src, &off, FILE_BYTES - off) > 0, "sendfile");
  }
  double t = now_ns() - t0;
  close(src);
  return t;
}

/* write 64 KiB into a default (64 KiB) pipe, read it back: 64 KiB per iteration. */
static double s_write_read(long iters) {
  int a[2];
  CHECK(make_pipe(a, 0) == 0, "pipe");
  long chunk = 64 * 1024;
  char *src = user_buf(chunk), *dst = user_buf(chunk);
  double t0 = now_ns();
  for (long i = 0; i < iters; i++) {
    CHECK(write(a[1], src, chunk) == chunk, "write");
    CHECK(read(a[0], dst, chunk) == chunk, "read");
  }
  double t = now_ns() - t0;
  close_pipe(a);
  free(src);
  free(dst);
  return t;
}

/* vmsplice 1 MiB into a pipe (mapped), vmsplice it out into a buffer (copied). */
static double s_vmsplice_read(long iters) {
  int a[2];
  CHECK(make_pipe(a, MIB) == 0, "pipe");
  char *src = user_buf(2 * MIB), *dst = user_buf(MIB);
  double t0 = now_ns();
  for (long i = 0; i < iters; i++) {
    struct iovec in = {src + (i & 1) * MIB, MIB};
    struct iovec out = {dst, MIB};
    CHECK(vmsplice(a[1], &in, 1, 0) == MIB, "vmsplice in");
    CHECK(vmsplice(a[0], &out, 1, 0) == MIB, "vmsplice out");
  }
  double t = now_ns() - t0;
  close_pipe(a);
  free(src);
  free(dst);
  return t;
}

// ---- driver

/*
 * Calibrates `iters` so one run takes about TARGET_MS, then prints RUNS
 * values. `per_iter` is bytes per iteration (GiB/s) or calls per iteration
 * (ns/call).
 */
static void scenario(const char *name, const char *unit, double per_iter, double (*fn)(long), int pages) {
  if (FILTER && !strstr(name, FILTER)) return;
  cur_name = name;
  pages_n = pages;
  long iters = 1;
  double t;
  for (;;) {
    t = fn(iters);
    if (t < 0) return;
    if (t >= TARGET_MS * 1e6 / 4 || iters > (1L << 40)) break;
    iters *= 4;
  }
  iters = (long)(iters * (TARGET_MS * 1e6 / t)) + 1;
  double vals[64];
  int runs = RUNS > 64 ? 64 : RUNS;
  for (int r = 0; r < runs; r++) {
    pages_n = pages;
    t = fn(iters);
    if (t < 0) return;
    if (strcmp(unit, "GiB/s") == 0) vals[r] = per_iter * iters / GIB / (t / 1e9);
    else vals[r] = t / (iters * per_iter);
  }
  printf("RESULT %s %s", name, unit);
  for (int r = 0; r < runs; r++) printf(" %.6g", vals[r]);
  printf("\n");
  fflush(stdout);
}

int main(int argc, char **argv) {
  if (argc > 1) RUNS = atoi(argv[1]);
  if (argc > 2) TARGET_MS = atof(argv[2]);
  if (argc > 3) FILTER = argv[3];
  null_fd = open("/dev/null", O_WRONLY);
  if (null_fd < 0) {
    perror("/dev/null");
    return 1;
  }
  scenario("native-splice-page", "ns/call", 2, s_splice_pages, 1);
  scenario("native-splice-pages-1", "ns/call", 2, s_splice_pages, 1);
  scenario("native-splice-pages-16", "ns/call", 2, s_splice_pages, 16);
  scenario("native-splice-pages-64", "ns/call", 2, s_splice_pages, 64);
  scenario("native-splice-pages-256", "ns/call", 2, s_splice_pages, 256);
  scenario("native-tee-page", "ns/call", 256, s_tee_page, 1);
  scenario("native-vmsplice-page", "ns/call", 256, s_vmsplice_page, 1);
  scenario("native-vmsplice-splice-null", "GiB/s", MIB, s_vmsplice_splice_null, 0);
  scenario("native-splice-pipe-pipe", "GiB/s", 2 * MIB, s_splice_pipe_pipe, 256);
  scenario("native-tee-two-drains", "GiB/s", MIB, s_tee_two_drains, 0);
  scenario("native-splice-file-file", "GiB/s", FILE_BYTES, s_splice_file_file, 0);
  scenario("native-sendfile", "GiB/s", FILE_BYTES, s_sendfile, 0);
  scenario("native-write-read", "GiB/s", 64 * 1024, s_write_read, 0);
  scenario("native-vmsplice-read", "GiB/s", MIB, s_vmsplice_read, 0);
  return 0;
}
