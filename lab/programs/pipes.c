/* pipes.c: one page of this program's memory travels through three pipes
 * without being copied. vmsplice maps the page into pipe a, tee clones the
 * reference into pipe b, splice moves it on to pipe c; write copies bytes
 * into a fresh page of pipe b. Press Run: the drawing shows the kernel as
 * the program exits, before its fds are closed (it leaves the pipes open on
 * purpose), so you see which pipe still holds which page. */
#include "splicekit.h" /* first: pipe, splice, tee, vmsplice for wasm32-wasi */

#include <stdio.h>
#include <string.h>

/* Page-aligned, so vmsplice maps this very page (no copy). */
static char page[4096] __attribute__((aligned(4096)));

int main(void) {
  int a[2], b[2], c[2];
  if (pipe(a) < 0 || pipe(b) < 0 || pipe(c) < 0) {
    perror("pipe");
    return 1;
  }

  strcpy(page, "hello from my own page\n");
  struct iovec iov = {.iov_base = page, .iov_len = strlen(page)};
  ssize_t n = vmsplice(a[1], &iov, 1, 0); /* pipe a references the page */
  printf("vmsplice: %zd bytes of my page into pipe a\n", n);

  n = tee(a[0], b[1], n, SPLICE_F_NONBLOCK); /* pipe b: a second reference */
  printf("tee:      %zd bytes, pipes a and b share the page\n", n);

  n = splice(b[0], NULL, c[1], NULL, n, SPLICE_F_NONBLOCK); /* b's reference moves to c */
  printf("splice:   %zd bytes moved from pipe b to pipe c\n", n);

  n = write(b[1], "copied\n", 7); /* bytes copied into a new page */
  printf("write:    %zd bytes copied into pipe b\n", n);

  int queued = 0;
  ioctl(c[0], FIONREAD, &queued);
  printf("pipe c holds %d bytes: ", queued);
  char text[64] = {0};
  n = read(c[0], text, sizeof text - 1); /* read copies out and drops c's reference */
  printf("%s", text);
  return 0; /* pipe a still references the page; pipe b holds the copied bytes */
}
