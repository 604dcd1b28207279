/* Prints the outcome of splice-family calls through include/splicekit.h:
 * run natively and under splicekit, the two outputs must be identical.
 * Errnos are printed by name (strerror texts differ between libcs), fd
 * numbers never (fd 3 is the preopen under WASI). */
#include "splicekit.h"
#include "show.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>


int main(void) {
  int p[2], q[2], s[2];
  char buf[64];

  /* Pipe sizes, FIONREAD, O_NONBLOCK set both ways. */
  show("pipe2 O_NONBLOCK", pipe2(p, O_NONBLOCK));
  show("F_GETPIPE_SZ", fcntl(p[0], F_GETPIPE_SZ));
  show("F_SETPIPE_SZ 100000", fcntl(p[1], F_SETPIPE_SZ, 100000));
  show("F_GETPIPE_SZ other end", fcntl(p[0], F_GETPIPE_SZ));
  show("F_GETFL has O_NONBLOCK", (fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
  show("read empty", read(p[0], buf, sizeof buf));
  show("write", write(p[1], "hello", 5));
  int n = -1;
  show("ioctl FIONREAD", ioctl(p[0], FIONREAD, &n));
  show("FIONREAD", n);
  show("F_SETFL clear", fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) & ~O_NONBLOCK));
  show("F_GETFL has O_NONBLOCK", (fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
  show("F_GETPIPE_SZ on a file", fcntl(open("f", O_RDWR | O_CREAT | O_TRUNC, 0644), F_GETPIPE_SZ));

  /* tee duplicates, splice moves, both between pipes. */
  show("pipe", pipe(q));
  show("tee", tee(p[0], q[1], 100, 0));
  show("tee same pipe", tee(p[0], p[1], 100, 0));
  show("splice pipe->pipe", splice(p[0], NULL, q[1], NULL, 3, 0));
  show("splice offset on a pipe", splice(p[0], &(loff_t){0}, q[1], NULL, 3, 0));
  show("read q", read(q[0], buf, sizeof buf));
  printf("q held: %.8s\n", buf);
  show("tee SPLICE_F_NONBLOCK", tee(p[0], q[1], 10, SPLICE_F_NONBLOCK));
  show("read p", read(p[0], buf, sizeof buf));
  show("tee SPLICE_F_NONBLOCK on empty", tee(p[0], q[1], 10, SPLICE_F_NONBLOCK));
  show("splice SPLICE_F_NONBLOCK on empty", splice(p[0], NULL, q[1], NULL, 10, SPLICE_F_NONBLOCK));

  /* Files: splice at an offset, sendfile with and without one. */
  int f = open("data", O_RDWR | O_CREAT | O_EXCL, 0644);
  show("open O_EXCL", f >= 0);
  show("open O_EXCL again", open("data", O_RDWR | O_CREAT | O_EXCL, 0644));
  show("write file", write(f, "0123456789", 10));
  loff_t off = 4;
  show("splice file->pipe at 4", splice(f, &off, p[1], NULL, 3, 0));
  show("offset now", (long)off);
  show("file position", lseek(f, 0, SEEK_CUR));
  off_t soff = 1;
  show("sendfile at 1", sendfile(p[1], f, &soff, 2));
  show("sendfile offset now", (long)soff);
  lseek(f, 8, SEEK_SET);
  show("sendfile from position 8", sendfile(p[1], f, NULL, 100));
  show("read p", read(p[0], buf, sizeof buf));
  printf("p held: %.7s\n", buf);
  show("splice file->file", splice(f, NULL, f, NULL, 3, 0));
  struct stat st;
  show("fstat size", fstat(f, &st) == 0 ? (long)st.st_size : -1);
  show("splice pipe->file", (write(p[1], "XY", 2), splice(p[0], NULL, f, NULL, 10, 0)));
  show("file size", lseek(f, 0, SEEK_END));

  /* vmsplice both ways. */
  static char page[8192] __attribute__((aligned(4096)));
  memcpy(page + 4090, "vmsplice!", 9);
  struct iovec iov = {page + 4090, 9};
  show("vmsplice in", vmsplice(p[1], &iov, 1, 0));
  struct iovec out[2] = {{buf, 4}, {buf + 10, 10}};
  show("vmsplice out", vmsplice(p[0], out, 2, 0));
  printf("got: %.4s|%.5s\n", buf, buf + 10);
  show("vmsplice to a file", vmsplice(f, &iov, 1, 0));
  show("vmsplice bad flags", vmsplice(p[1], &iov, 1, 0x10));

  /* O_DIRECT: a packet pipe. */
  int d[2];
  show("pipe2 O_DIRECT", pipe2(d, O_DIRECT));
  write(d[1], "abc", 3);
  write(d[1], "de", 2);
  show("packet 1", read(d[0], buf, sizeof buf));
  show("packet 2", read(d[0], buf, sizeof buf));

  /* dup and dup2. */
  int e = dup(d[1]);
  show("dup", e >= 0);
  show("dup2", dup2(e, 20));
  show("write via dup2", write(20, "zz", 2));
  show("read", read(d[0], buf, sizeof buf));
  show("dup2 bad", dup2(99, 21));

  /* socketpair. */
  show("socketpair AF_INET", socketpair(AF_INET, SOCK_STREAM, 0, s));
  show("socketpair AF_UNIX SOCK_STREAM 6", socketpair(AF_UNIX, SOCK_STREAM, 6, s));
  show("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, s));
  show("send", write(s[0], "sock", 4));
  show("splice socket->pipe", splice(s[1], NULL, p[1], NULL, 100, 0));
  show("read p", read(p[0], buf, sizeof buf));

  /* Datagram and seqpacket pairs: a write is one message, a short read drops the rest. */
  static char big[212961];
  int dg[2], sq[2];
  show("socketpair SOCK_DGRAM", socketpair(AF_UNIX, SOCK_DGRAM, 0, dg));
  show("send hello", write(dg[0], "hello", 5));
  show("send nothing", write(dg[0], "", 0));
  show("send world", write(dg[0], "world", 5));
  show("send 212961 bytes", write(dg[0], big, sizeof big));
  show("ioctl FIONREAD datagram", ioctl(dg[1], FIONREAD, &n));
  show("FIONREAD datagram", n);
  show("read 2 of hello", read(dg[1], buf, 2));
  show("read the empty message", read(dg[1], buf, sizeof buf));
  show("splice 3 of world->pipe", splice(dg[1], NULL, p[1], NULL, 3, 0));
  show("read p", read(p[0], buf, sizeof buf));
  close(dg[1]);
  show("send to a closed peer", write(dg[0], "x", 1));
  show("send again", write(dg[0], "x", 1));
  show("socketpair SOCK_SEQPACKET|SOCK_NONBLOCK", socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sq));
  show("read with nothing queued", read(sq[1], buf, sizeof buf));
  show("send abc", write(sq[0], "abc", 3));
  show("send de", write(sq[0], "de", 2));
  show("ioctl FIONREAD seqpacket", ioctl(sq[1], FIONREAD, &n));
  show("FIONREAD seqpacket", n);
  close(sq[0]);
  show("read abc", read(sq[1], buf, sizeof buf));
  show("read de", read(sq[1], buf, sizeof buf));
  show("read at EOF", read(sq[1], buf, sizeof buf));

  /* poll. */
  struct pollfd pf = {p[0], POLLIN, 0};
  show("poll empty", poll(&pf, 1, 0));
  write(p[1], "!", 1);
  show("poll ready", poll(&pf, 1, 0));
  show("POLLIN", (pf.revents & POLLIN) != 0);
  read(p[0], buf, 1);
  close(p[1]);
  show("poll after close", poll(&pf, 1, 0));
  show("POLLHUP", (pf.revents & POLLHUP) != 0);
  show("read at EOF", read(p[0], buf, sizeof buf));

  /* Files by name. */
  show("unlink", unlink("data"));
  show("open missing", open("data", O_RDONLY));
  show("open . for writing", open(".", O_WRONLY));
  return 0;
}
