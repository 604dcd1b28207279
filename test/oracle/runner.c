/*
 * splicekit-oracle: runs syscall traces (docs/trace-format.md, version 1)
 * on the real Linux kernel and prints one result line per operation.
 *
 *   splicekit-oracle FILE...
 *   splicekit-oracle --probe zero-page
 *
 * All files are parsed first; if any is malformed, every error found is
 * reported on stderr as "FILE:LINE: message" (the first per file) and the exit
 * status is 2, with nothing run.  Otherwise each file runs in a forked child
 * (fresh fd table and memory) inside a fresh directory under /tmp, after
 * dropping root to nobody.  With several files, "== FILE" precedes each
 * file's lines.  Exit status: 0, or 1 if a child died or setup failed.
 *
 * Output is compared byte for byte with the emulator, so every printf here is
 * part of the contract.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* Constants                                                                 */

#define MAX_NUMBER ((UINT64_C(1) << 53) - 1) /* largest N the format allows */
#define MAX_RW_COUNT 0x7ffff000UL /* the kernel clamps read/write to this */
#define PAGE 4096UL
#define NOT_OPEN_FD 900000       /* fd for closed/unbound names: never open */
#define BLOCK_TIMEOUT_US 20000   /* how long a call may wait before "blocks" */
#define RENDER_LIMIT 64          /* above this, bytes render as a hash */
#define NOBODY 65534

/* ------------------------------------------------------------------------ */
/* Small utilities                                                           */

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("splicekit-oracle: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d)
        die("out of memory");
    return d;
}

/* Anonymous, lazily backed memory: the kernel only materialises touched
 * pages, so big buffers cost nothing until used. */
static void *map_anon(uint64_t len)
{
    uint64_t size = (len + PAGE - 1) / PAGE * PAGE;
    if (size == 0)
        size = PAGE;
    if (size < len || size > SIZE_MAX) /* overflow: cannot exist */
        return MAP_FAILED;
    return mmap(NULL, size, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
}

static void unmap_anon(void *p, uint64_t len)
{
    uint64_t size = (len + PAGE - 1) / PAGE * PAGE;
    munmap(p, size ? size : PAGE);
}

/* ------------------------------------------------------------------------ */
/* Trace representation                                                      */

enum op_kind {
    OP_PIPE, OP_OPEN, OP_SOCKETPAIR, OP_DUP, OP_CLOSE, OP_WRITE, OP_READ,
    OP_BUF, OP_FILL, OP_SHOW, OP_VMSPLICE, OP_SPLICE, OP_TEE, OP_SENDFILE,
    OP_LSEEK, OP_FCNTL, OP_FIONREAD, OP_POLL, OP_DUP2, OP_DUP3, OP_DUPFD,
    OP_FDNUM,
};

enum fcntl_cmd { FC_GETPIPE_SZ, FC_SETPIPE_SZ, FC_GETFL, FC_SETFL, FC_GETFD, FC_SETFD };

/* DATA operand: literal bytes, a pattern, or zeros (generated on demand so
 * that pat:1000000000 does not have to exist at parse time). */
struct data {
    enum { D_BYTES, D_PAT, D_ZERO } kind;
    unsigned char *bytes; /* D_BYTES only */
    uint64_t len;
    uint64_t seed; /* D_PAT only */
};

/* B:OFFSET:LEN; buf is a buffer slot (see struct trace). */
struct iov_spec {
    int buf;
    uint64_t off, len;
};

/* An optional offset: "-" (NULL pointer) or a number. */
struct offset {
    bool present;
    uint64_t value;
};

struct op {
    int line;
    enum op_kind kind;
    int fd[2];          /* fd-name ids of FD operands (in call order) */
    int bind[2];        /* fd-name ids bound on success (pipe/socketpair: 2) */
    int buf;            /* buffer slot for buf/fill/show */
    uint64_t num;       /* COUNT, LEN, OFFSET, N ... (meaning per kind) */
    uint64_t num2;      /* second number (show LEN, fill OFFSET ...) */
    struct offset off[2]; /* splice off_in/off_out; sendfile uses off[0] */
    int flags;          /* already translated to kernel flag bits */
    int cmd;            /* fcntl command / lseek whence / socket type */
    struct data data;
    char *path;
    struct iov_spec *iov;
    int niov;
};

/* A parsed trace.  fd names ("p.r", "f") are interned to small ids; buffers
 * are bound statically, so each `buf` line gets its own slot and later
 * fill/show/vmsplice refer to the slot that was current at their line. */
struct trace {
    const char *file;
    struct op *ops;
    int nops;
    char **names;
    int nnames;
    uint64_t *buf_len; /* per slot */
    int nbufs;
};

/* ------------------------------------------------------------------------ */
/* Lexer                                                                     */

struct token {
    char *text;  /* bare: NUL-terminated; quoted: decoded bytes (+ NUL) */
    size_t len;
    bool quoted;
};

struct parser {
    const char *file;
    int line;
    char err[512];
    bool failed;
    struct trace *t;
    /* static buffer bindings: name -> current slot */
    char **buf_names;
    int *buf_slots;
    int nbuf_names;
};

static bool fail(struct parser *p, const char *fmt, ...)
{
    if (p->failed)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err, sizeof p->err, fmt, ap);
    va_end(ap);
    p->failed = true;
    return false;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Validate UTF-8 strictly (no overlongs, surrogates or > U+10FFFF): the
 * emulator reads traces as text, so bytes that are not UTF-8 would not
 * round-trip to the same bytes there. */
static bool valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t extra;
        uint32_t cp, min;
        if (c < 0x80) { i++; continue; }
        else if ((c & 0xe0) == 0xc0) { extra = 1; cp = c & 0x1f; min = 0x80; }
        else if ((c & 0xf0) == 0xe0) { extra = 2; cp = c & 0x0f; min = 0x800; }
        else if ((c & 0xf8) == 0xf0) { extra = 3; cp = c & 0x07; min = 0x10000; }
        else return false;
        if (extra >= n - i) /* truncated sequence */
            return false;
        for (size_t k = 1; k <= extra; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += extra + 1;
    }
    return true;
}

/* Decode a quoted string starting at line[*pos] == '"'. */
static bool lex_quoted(struct parser *p, const char *line, size_t len,
                       size_t *pos, struct token *tok)
{
    size_t i = *pos + 1, n = 0;
    char *out = xrealloc(NULL, len + 1);
    for (;;) {
        if (i >= len) {
            free(out);
            return fail(p, "unterminated string");
        }
        unsigned char c = (unsigned char)line[i++];
        if (c == '"')
            break;
        if (c != '\\') {
            out[n++] = (char)c;
            continue;
        }
        if (i >= len) {
            free(out);
            return fail(p, "unterminated string");
        }
        c = (unsigned char)line[i++];
        switch (c) {
        case '\\': out[n++] = '\\'; break;
        case '"':  out[n++] = '"'; break;
        case 'n':  out[n++] = '\n'; break;
        case 't':  out[n++] = '\t'; break;
        case 'r':  out[n++] = '\r'; break;
        case '0':  out[n++] = '\0'; break;
        case 'x': {
            int hi = i < len ? hexval((unsigned char)line[i]) : -1;
            int lo = i + 1 < len ? hexval((unsigned char)line[i + 1]) : -1;
            if (hi < 0 || lo < 0) {
                free(out);
                return fail(p, "bad \\x escape (need two hex digits)");
            }
            out[n++] = (char)(hi * 16 + lo);
            i += 2;
            break;
        }
        default:
            free(out);
            if (c > 0x20 && c < 0x7f)
                return fail(p, "unknown escape \\%c in string", c);
            return fail(p, "unknown escape: byte 0x%02x after backslash", c);
        }
    }
    /* The closing quote must end the token. */
    if (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '#') {
        free(out);
        return fail(p, "unexpected character after closing quote");
    }
    out[n] = '\0';
    tok->text = out;
    tok->len = n;
    tok->quoted = true;
    *pos = i;
    return true;
}

/* Split one line (without its newline) into tokens. */
static bool lex_line(struct parser *p, const char *line, size_t len,
                     struct token **toks, int *ntoks)
{
    size_t i = 0;
    *toks = NULL;
    *ntoks = 0;
    while (i < len) {
        char c = line[i];
        if (c == ' ' || c == '\t') { i++; continue; }
        if (c == '#')
            break;
        struct token tok;
        if (c == '"') {
            if (!lex_quoted(p, line, len, &i, &tok))
                return false;
        } else {
            size_t start = i;
            while (i < len && line[i] != ' ' && line[i] != '\t' &&
                   line[i] != '#' && line[i] != '"')
                i++;
            if (i < len && line[i] == '"')
                return fail(p, "unexpected quote inside token \"%.*s\"",
                            (int)(i - start), line + start);
            /* Control bytes (a stray NUL, CR) would confuse the C string
             * handling below, and no bare token may contain them. */
            for (size_t k = start; k < i; k++)
                if ((unsigned char)line[k] < 0x20 || line[k] == 0x7f)
                    return fail(p, "unexpected control character 0x%02x",
                                (unsigned char)line[k]);
            tok.len = i - start;
            tok.text = xrealloc(NULL, tok.len + 1);
            memcpy(tok.text, line + start, tok.len);
            tok.text[tok.len] = '\0';
            tok.quoted = false;
        }
        *toks = xrealloc(*toks, (*ntoks + 1) * sizeof **toks);
        (*toks)[(*ntoks)++] = tok;
    }
    return true;
}

/* ------------------------------------------------------------------------ */
/* Operand parsers                                                           */

/* Bare token expected: quoted strings are only valid for DATA and PATH. */
static bool want_bare(struct parser *p, const struct token *t, const char *what)
{
    if (t->quoted)
        return fail(p, "%s: unexpected quoted string", what);
    return true;
}

/* Parse a decimal number in 0..2^53-1 from s[0..n). */
static bool parse_digits(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > MAX_NUMBER)
            return false;
    }
    *out = v;
    return true;
}

static bool parse_num(struct parser *p, const struct token *t,
                      const char *what, uint64_t *out)
{
    if (!want_bare(p, t, what))
        return false;
    if (!parse_digits(t->text, t->len, out))
        return fail(p, "%s: expected a decimal number 0..2^53-1, got \"%s\"",
                    what, t->text);
    return true;
}

static bool is_name(const char *s, size_t n)
{
    if (n == 0 || !(s[0] >= 'a' && s[0] <= 'z'))
        return false;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

static bool parse_name(struct parser *p, const struct token *t,
                       const char *what)
{
    if (!want_bare(p, t, what))
        return false;
    if (!is_name(t->text, t->len))
        return fail(p, "%s: bad name \"%s\" (want [a-z][a-z0-9_]*)", what,
                    t->text);
    return true;
}

static int intern_fd_name(struct trace *t, const char *name)
{
    for (int i = 0; i < t->nnames; i++)
        if (strcmp(t->names[i], name) == 0)
            return i;
    t->names = xrealloc(t->names, (t->nnames + 1) * sizeof *t->names);
    t->names[t->nnames] = xstrdup(name);
    return t->nnames++;
}

/* Intern NAME + suffix ("" or ".r" ...). */
static int intern_suffixed(struct trace *t, const char *name, const char *sfx)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s%s", name, sfx);
    return intern_fd_name(t, buf);
}

/* FD operand: NAME or NAME.r / .w / .a / .b.  Whether it is bound is a
 * runtime matter (unbound names give EBADF), so any well-formed name goes. */
static bool parse_fd(struct parser *p, const struct token *t, const char *what,
                     int *id)
{
    if (!want_bare(p, t, what))
        return false;
    const char *dot = strchr(t->text, '.');
    size_t base = dot ? (size_t)(dot - t->text) : t->len;
    bool ok = is_name(t->text, base);
    if (ok && dot)
        ok = t->len == base + 2 && strchr("rwab", dot[1]) != NULL;
    if (!ok)
        return fail(p, "%s: bad fd name \"%s\" (want NAME, NAME.r, NAME.w, "
                    "NAME.a or NAME.b)", what, t->text);
    *id = intern_fd_name(p->t, t->text);
    return true;
}

struct flagdef {
    const char *name;
    int value;
};

/* FLAGS: "0" or NAME|NAME... from defs. */
static bool parse_flags(struct parser *p, const struct token *t,
                        const char *what, const struct flagdef *defs, int *out)
{
    if (!want_bare(p, t, what))
        return false;
    *out = 0;
    if (strcmp(t->text, "0") == 0)
        return true;
    const char *s = t->text;
    for (;;) {
        const char *bar = strchr(s, '|');
        size_t n = bar ? (size_t)(bar - s) : strlen(s);
        const struct flagdef *d;
        for (d = defs; d->name; d++)
            if (strlen(d->name) == n && memcmp(d->name, s, n) == 0)
                break;
        if (!d->name)
            return fail(p, "%s: unknown flag \"%.*s\" in \"%s\"", what, (int)n,
                        s, t->text);
        *out |= d->value;
        if (!bar)
            return true;
        s = bar + 1;
    }
}

static const struct flagdef pipe_flags[] = {
    {"NONBLOCK", O_NONBLOCK}, {"DIRECT", O_DIRECT}, {"CLOEXEC", O_CLOEXEC},
    {NULL, 0}};
static const struct flagdef fd_flags[] = {{"CLOEXEC", FD_CLOEXEC}, {NULL, 0}};
static const struct flagdef dup3_flags[] = {{"CLOEXEC", O_CLOEXEC}, {"NONBLOCK", O_NONBLOCK}, {NULL, 0}};
static const struct flagdef splice_flags[] = {
    {"MOVE", SPLICE_F_MOVE}, {"NONBLOCK", SPLICE_F_NONBLOCK},
    {"MORE", SPLICE_F_MORE}, {"GIFT", SPLICE_F_GIFT}, {NULL, 0}};
/* Also the order fcntl GETFL prints them in (docs/trace-format.md). */
static const struct flagdef setfl_flags[] = {
    {"NONBLOCK", O_NONBLOCK}, {"APPEND", O_APPEND}, {"DIRECT", O_DIRECT}, {"ASYNC", O_ASYNC}, {NULL, 0}};
/* Access modes get a marker bit so that "exactly one" can be checked. */
#define ACC_SEEN 0x40000000
static const struct flagdef open_flags[] = {
    {"RDONLY", O_RDONLY | ACC_SEEN}, {"WRONLY", O_WRONLY | ACC_SEEN},
    {"RDWR", O_RDWR | ACC_SEEN}, {"CREAT", O_CREAT}, {"TRUNC", O_TRUNC},
    {"APPEND", O_APPEND}, {"NONBLOCK", O_NONBLOCK}, {"CLOEXEC", O_CLOEXEC},
    {NULL, 0}};

static bool parse_oflags(struct parser *p, const struct token *t, int *out)
{
    if (!parse_flags(p, t, "OFLAGS", open_flags, out))
        return false;
    /* Count access-mode words: OR-ing loses the count, so recount. */
    int modes = 0;
    const char *s = t->text;
    while (*s) {
        size_t n = strcspn(s, "|");
        if ((n == 6 && !memcmp(s, "RDONLY", 6)) ||
            (n == 6 && !memcmp(s, "WRONLY", 6)) ||
            (n == 4 && !memcmp(s, "RDWR", 4)))
            modes++;
        s += n + (s[n] == '|');
    }
    if (modes != 1)
        return fail(p, "OFLAGS: need exactly one of RDONLY, WRONLY, RDWR in "
                    "\"%s\"", t->text);
    *out &= ~ACC_SEEN;
    return true;
}

/* TYPE of socketpair (an extension of version 1): SOCK_STREAM by default. */
static bool parse_socket_type(struct parser *p, const struct token *t, int *out)
{
    if (!want_bare(p, t, "TYPE"))
        return false;
    if (strcmp(t->text, "STREAM") == 0) *out = SOCK_STREAM;
    else if (strcmp(t->text, "DGRAM") == 0) *out = SOCK_DGRAM;
    else if (strcmp(t->text, "SEQPACKET") == 0) *out = SOCK_SEQPACKET;
    else
        return fail(p, "TYPE: expected STREAM, DGRAM or SEQPACKET, got \"%s\"",
                    t->text);
    return true;
}

static bool parse_offset(struct parser *p, const struct token *t,
                         const char *what, struct offset *o)
{
    if (!t->quoted && strcmp(t->text, "-") == 0) {
        o->present = false;
        return true;
    }
    o->present = true;
    return parse_num(p, t, what, &o->value);
}

/* DATA: "text", pat:N, pat:N:SEED or zero:N. */
static bool parse_data(struct parser *p, struct token *t, struct data *d)
{
    memset(d, 0, sizeof *d);
    if (t->quoted) {
        d->kind = D_BYTES;
        d->bytes = (unsigned char *)t->text;
        d->len = t->len;
        t->text = NULL; /* ownership moves to the op */
        return true;
    }
    const char *s = t->text;
    if (strncmp(s, "zero:", 5) == 0) {
        d->kind = D_ZERO;
        if (!parse_digits(s + 5, strlen(s + 5), &d->len))
            return fail(p, "DATA: bad length in \"%s\"", s);
        return true;
    }
    if (strncmp(s, "pat:", 4) == 0) {
        d->kind = D_PAT;
        const char *colon = strchr(s + 4, ':');
        size_t n = colon ? (size_t)(colon - (s + 4)) : strlen(s + 4);
        if (!parse_digits(s + 4, n, &d->len))
            return fail(p, "DATA: bad length in \"%s\"", s);
        if (colon && !parse_digits(colon + 1, strlen(colon + 1), &d->seed))
            return fail(p, "DATA: bad seed in \"%s\"", s);
        return true;
    }
    return fail(p, "DATA: expected \"text\", pat:N[:SEED] or zero:N, got "
                "\"%s\"", s);
}

/* Fill dst with the data's bytes [0, len). */
static void gen_data(const struct data *d, unsigned char *dst, uint64_t len)
{
    switch (d->kind) {
    case D_BYTES:
        memcpy(dst, d->bytes, len);
        break;
    case D_ZERO:
        memset(dst, 0, len);
        break;
    case D_PAT: {
        unsigned v = (unsigned)(d->seed % 251);
        for (uint64_t i = 0; i < len; i++) {
            dst[i] = (unsigned char)v;
            if (++v == 251)
                v = 0;
        }
        break;
    }
    }
}

/* Buffer names resolve statically to the slot bound by the latest `buf`. */
static int lookup_buf(struct parser *p, const char *name)
{
    for (int i = 0; i < p->nbuf_names; i++)
        if (strcmp(p->buf_names[i], name) == 0)
            return p->buf_slots[i];
    return -1;
}

static void bind_buf(struct parser *p, const char *name, uint64_t len)
{
    struct trace *t = p->t;
    int slot = t->nbufs++;
    t->buf_len = xrealloc(t->buf_len, t->nbufs * sizeof *t->buf_len);
    t->buf_len[slot] = len;
    for (int i = 0; i < p->nbuf_names; i++)
        if (strcmp(p->buf_names[i], name) == 0) {
            p->buf_slots[i] = slot;
            return;
        }
    p->buf_names = xrealloc(p->buf_names,
                            (p->nbuf_names + 1) * sizeof *p->buf_names);
    p->buf_slots = xrealloc(p->buf_slots,
                            (p->nbuf_names + 1) * sizeof *p->buf_slots);
    p->buf_names[p->nbuf_names] = xstrdup(name);
    p->buf_slots[p->nbuf_names++] = slot;
}

/* A buffer operand plus a range that must lie inside it. */
static bool check_range(struct parser *p, const char *bname, uint64_t off,
                        uint64_t len, const char *what, int *slot)
{
    *slot = lookup_buf(p, bname);
    if (*slot < 0)
        return fail(p, "%s: buffer \"%s\" is not bound by an earlier buf",
                    what, bname);
    uint64_t size = p->t->buf_len[*slot];
    if (off > size || len > size - off)
        return fail(p, "%s: range %" PRIu64 "+%" PRIu64 " is outside buffer "
                    "\"%s\" of %" PRIu64 " bytes", what, off, len, bname, size);
    return true;
}

/* IOV: B:OFFSET:LEN */
static bool parse_iov(struct parser *p, const struct token *t,
                      struct iov_spec *iov)
{
    if (!want_bare(p, t, "IOV"))
        return false;
    const char *s = t->text;
    const char *c1 = strchr(s, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c1 || !c2 || !is_name(s, (size_t)(c1 - s)) ||
        !parse_digits(c1 + 1, (size_t)(c2 - c1 - 1), &iov->off) ||
        !parse_digits(c2 + 1, strlen(c2 + 1), &iov->len))
        return fail(p, "IOV: expected B:OFFSET:LEN, got \"%s\"", s);
    char name[PATH_MAX];
    snprintf(name, sizeof name, "%.*s", (int)(c1 - s), s);
    return check_range(p, name, iov->off, iov->len, "IOV", &iov->buf);
}

/* ------------------------------------------------------------------------ */
/* Operation parser                                                          */

struct opdef {
    const char *name;
    enum op_kind kind;
    int min_args, max_args; /* max -1: unbounded */
    const char *usage;
};

static const struct opdef opdefs[] = {
    {"pipe", OP_PIPE, 1, 2, "pipe P [FLAGS]"},
    {"open", OP_OPEN, 3, 3, "open F \"PATH\" OFLAGS"},
    {"socketpair", OP_SOCKETPAIR, 1, 2, "socketpair S [STREAM|DGRAM|SEQPACKET]"},
    {"dup", OP_DUP, 2, 2, "dup F FD"},
    {"close", OP_CLOSE, 1, 1, "close FD"},
    {"write", OP_WRITE, 2, 2, "write FD DATA"},
    {"read", OP_READ, 2, 2, "read FD COUNT"},
    {"buf", OP_BUF, 2, 2, "buf B LEN"},
    {"fill", OP_FILL, 3, 3, "fill B OFFSET DATA"},
    {"show", OP_SHOW, 3, 3, "show B OFFSET LEN"},
    {"vmsplice", OP_VMSPLICE, 3, -1, "vmsplice FD FLAGS B:OFFSET:LEN..."},
    {"splice", OP_SPLICE, 6, 6, "splice FDIN OFFIN FDOUT OFFOUT LEN FLAGS"},
    {"tee", OP_TEE, 4, 4, "tee FDIN FDOUT LEN FLAGS"},
    {"sendfile", OP_SENDFILE, 4, 4, "sendfile FDOUT FDIN OFF COUNT"},
    {"lseek", OP_LSEEK, 3, 3, "lseek FD OFFSET SET|CUR|END"},
    {"fcntl", OP_FCNTL, 2, 3, "fcntl FD GETPIPE_SZ|SETPIPE_SZ N|GETFL|SETFL FLAGS|GETFD|SETFD FLAGS"},
    {"fionread", OP_FIONREAD, 1, 1, "fionread FD"},
    {"poll", OP_POLL, 1, 1, "poll FD"},
    {"dup2", OP_DUP2, 3, 3, "dup2 F FD TO"},
    {"dup3", OP_DUP3, 4, 4, "dup3 F FD TO FLAGS"},
    {"dupfd", OP_DUPFD, 3, 4, "dupfd F FD MIN [CLOEXEC]"},
    {"fdnum", OP_FDNUM, 1, 1, "fdnum FD"},
    {NULL, 0, 0, 0, NULL},
};

static bool parse_fcntl(struct parser *p, struct op *op, struct token *a,
                        int n)
{
    if (!parse_fd(p, &a[0], "FD", &op->fd[0]) ||
        !want_bare(p, &a[1], "CMD"))
        return false;
    const char *c = a[1].text;
    if (strcmp(c, "GETFD") == 0) {
        op->cmd = FC_GETFD;
        if (n != 2)
            return fail(p, "fcntl GETFD takes no argument");
        return true;
    }
    if (strcmp(c, "SETFD") == 0) {
        op->cmd = FC_SETFD;
        if (n != 3)
            return fail(p, "usage: fcntl FD SETFD FLAGS");
        return parse_flags(p, &a[2], "SETFD FLAGS", fd_flags, &op->flags);
    }
    if (strcmp(c, "GETPIPE_SZ") == 0 || strcmp(c, "GETFL") == 0) {
        op->cmd = c[3] == 'P' ? FC_GETPIPE_SZ : FC_GETFL;
        if (n != 2)
            return fail(p, "fcntl %s takes no argument", c);
        return true;
    }
    if (strcmp(c, "SETPIPE_SZ") == 0) {
        op->cmd = FC_SETPIPE_SZ;
        if (n != 3)
            return fail(p, "usage: fcntl FD SETPIPE_SZ N");
        return parse_num(p, &a[2], "N", &op->num);
    }
    if (strcmp(c, "SETFL") == 0) {
        op->cmd = FC_SETFL;
        if (n != 3)
            return fail(p, "usage: fcntl FD SETFL FLAGS");
        return parse_flags(p, &a[2], "SETFL FLAGS", setfl_flags, &op->flags);
    }
    return fail(p, "fcntl: unknown command \"%s\" (want GETPIPE_SZ, "
                "SETPIPE_SZ, GETFL, SETFL, GETFD or SETFD)", c);
}

/* TO of dup2/dup3: a bound fd name (fd[1]) or a decimal fd number below
 * 2^31 (fd[1] = -1, the number in num). */
static bool parse_target(struct parser *p, const struct token *t,
                         struct op *op)
{
    if (!t->quoted && t->len > 0 && t->text[0] >= '0' && t->text[0] <= '9') {
        op->fd[1] = -1;
        if (!parse_num(p, t, "TO", &op->num))
            return false;
        if (op->num > INT_MAX)
            return fail(p, "TO: fd number %" PRIu64 " is past 2^31-1", op->num);
        return true;
    }
    return parse_fd(p, t, "TO", &op->fd[1]);
}

/* Parse the arguments a[0..n) of an operation whose kind is known. */
static bool parse_args(struct parser *p, struct op *op, struct token *a, int n)
{
    struct trace *t = p->t;
    switch (op->kind) {
    case OP_PIPE:
        if (!parse_name(p, &a[0], "P"))
            return false;
        if (n == 2 && !parse_flags(p, &a[1], "pipe FLAGS", pipe_flags,
                                   &op->flags))
            return false;
        op->bind[0] = intern_suffixed(t, a[0].text, ".r");
        op->bind[1] = intern_suffixed(t, a[0].text, ".w");
        return true;
    case OP_SOCKETPAIR:
        if (!parse_name(p, &a[0], "S"))
            return false;
        op->cmd = SOCK_STREAM;
        if (n == 2 && !parse_socket_type(p, &a[1], &op->cmd))
            return false;
        op->bind[0] = intern_suffixed(t, a[0].text, ".a");
        op->bind[1] = intern_suffixed(t, a[0].text, ".b");
        return true;
    case OP_OPEN:
        if (!parse_name(p, &a[0], "F"))
            return false;
        if (!a[1].quoted)
            return fail(p, "PATH: expected a quoted string, got \"%s\"",
                        a[1].text);
        op->path = a[1].text; /* embedded NULs end the path, as in C */
        a[1].text = NULL;
        op->bind[0] = intern_fd_name(t, a[0].text);
        return parse_oflags(p, &a[2], &op->flags);
    case OP_DUP:
        if (!parse_name(p, &a[0], "F"))
            return false;
        op->bind[0] = intern_fd_name(t, a[0].text);
        return parse_fd(p, &a[1], "FD", &op->fd[0]);
    case OP_CLOSE:
    case OP_FIONREAD:
    case OP_POLL:
        return parse_fd(p, &a[0], "FD", &op->fd[0]);
    case OP_WRITE:
        return parse_fd(p, &a[0], "FD", &op->fd[0]) &&
               parse_data(p, &a[1], &op->data);
    case OP_READ:
        return parse_fd(p, &a[0], "FD", &op->fd[0]) &&
               parse_num(p, &a[1], "COUNT", &op->num);
    case OP_BUF:
        if (!parse_name(p, &a[0], "B") || !parse_num(p, &a[1], "LEN", &op->num))
            return false;
        bind_buf(p, a[0].text, op->num);
        op->buf = t->nbufs - 1;
        return true;
    case OP_FILL:
        return parse_name(p, &a[0], "B") &&
               parse_num(p, &a[1], "OFFSET", &op->num) &&
               parse_data(p, &a[2], &op->data) &&
               check_range(p, a[0].text, op->num, op->data.len, "fill",
                           &op->buf);
    case OP_SHOW:
        return parse_name(p, &a[0], "B") &&
               parse_num(p, &a[1], "OFFSET", &op->num) &&
               parse_num(p, &a[2], "LEN", &op->num2) &&
               check_range(p, a[0].text, op->num, op->num2, "show", &op->buf);
    case OP_VMSPLICE:
        if (!parse_fd(p, &a[0], "FD", &op->fd[0]) ||
            !parse_flags(p, &a[1], "splice FLAGS", splice_flags, &op->flags))
            return false;
        op->niov = n - 2;
        op->iov = xrealloc(NULL, op->niov * sizeof *op->iov);
        for (int i = 0; i < op->niov; i++)
            if (!parse_iov(p, &a[2 + i], &op->iov[i]))
                return false;
        return true;
    case OP_SPLICE:
        return parse_fd(p, &a[0], "FDIN", &op->fd[0]) &&
               parse_offset(p, &a[1], "OFFIN", &op->off[0]) &&
               parse_fd(p, &a[2], "FDOUT", &op->fd[1]) &&
               parse_offset(p, &a[3], "OFFOUT", &op->off[1]) &&
               parse_num(p, &a[4], "LEN", &op->num) &&
               parse_flags(p, &a[5], "splice FLAGS", splice_flags, &op->flags);
    case OP_TEE:
        return parse_fd(p, &a[0], "FDIN", &op->fd[0]) &&
               parse_fd(p, &a[1], "FDOUT", &op->fd[1]) &&
               parse_num(p, &a[2], "LEN", &op->num) &&
               parse_flags(p, &a[3], "splice FLAGS", splice_flags, &op->flags);
    case OP_SENDFILE:
        return parse_fd(p, &a[0], "FDOUT", &op->fd[0]) &&
               parse_fd(p, &a[1], "FDIN", &op->fd[1]) &&
               parse_offset(p, &a[2], "OFF", &op->off[0]) &&
               parse_num(p, &a[3], "COUNT", &op->num);
    case OP_LSEEK:
        if (!parse_fd(p, &a[0], "FD", &op->fd[0]) ||
            !parse_num(p, &a[1], "OFFSET", &op->num) ||
            !want_bare(p, &a[2], "WHENCE"))
            return false;
        if (strcmp(a[2].text, "SET") == 0) op->cmd = SEEK_SET;
        else if (strcmp(a[2].text, "CUR") == 0) op->cmd = SEEK_CUR;
        else if (strcmp(a[2].text, "END") == 0) op->cmd = SEEK_END;
        else
            return fail(p, "WHENCE: expected SET, CUR or END, got \"%s\"",
                        a[2].text);
        return true;
    case OP_FCNTL:
        return parse_fcntl(p, op, a, n);
    case OP_DUP2:
    case OP_DUP3:
        if (!parse_name(p, &a[0], "F"))
            return false;
        op->bind[0] = intern_fd_name(t, a[0].text);
        if (!parse_fd(p, &a[1], "FD", &op->fd[0]) || !parse_target(p, &a[2], op))
            return false;
        return op->kind == OP_DUP2 ||
               parse_flags(p, &a[3], "dup3 FLAGS", dup3_flags, &op->flags);
    case OP_DUPFD:
        if (!parse_name(p, &a[0], "F"))
            return false;
        op->bind[0] = intern_fd_name(t, a[0].text);
        if (!parse_fd(p, &a[1], "FD", &op->fd[0]) ||
            !parse_num(p, &a[2], "MIN", &op->num))
            return false;
        if (n == 4) {
            if (!want_bare(p, &a[3], "CLOEXEC"))
                return false;
            if (strcmp(a[3].text, "CLOEXEC") != 0)
                return fail(p, "dupfd: expected CLOEXEC, got \"%s\"", a[3].text);
            op->flags = 1;
        }
        return true;
    case OP_FDNUM:
        return parse_fd(p, &a[0], "FD", &op->fd[0]);
    }
    return fail(p, "internal error: unhandled operation");
}

static void free_tokens(struct token *toks, int n)
{
    for (int i = 0; i < n; i++)
        free(toks[i].text);
    free(toks);
}

/* Parse one line; blank/comment lines add nothing. */
static bool parse_line(struct parser *p, const char *line, size_t len)
{
    if (len > 0 && line[len - 1] == '\r')
        len--; /* CRLF */
    if (!valid_utf8((const unsigned char *)line, len))
        return fail(p, "line is not valid UTF-8");
    struct token *toks;
    int n;
    if (!lex_line(p, line, len, &toks, &n)) {
        free_tokens(toks, n);
        return false;
    }
    if (n == 0) {
        free(toks);
        return true;
    }
    bool ok = false;
    const struct opdef *d;
    for (d = opdefs; d->name; d++)
        if (!toks[0].quoted && strcmp(d->name, toks[0].text) == 0)
            break;
    int nargs = n - 1;
    if (!d->name) {
        fail(p, "unknown operation \"%s\"", toks[0].quoted ? "\"...\"" :
             toks[0].text);
    } else if (nargs < d->min_args ||
               (d->max_args >= 0 && nargs > d->max_args)) {
        fail(p, "%s: wrong number of arguments (usage: %s)", d->name,
             d->usage);
    } else {
        struct trace *t = p->t;
        t->ops = xrealloc(t->ops, (t->nops + 1) * sizeof *t->ops);
        struct op *op = &t->ops[t->nops];
        memset(op, 0, sizeof *op);
        op->line = p->line;
        op->kind = d->kind;
        op->fd[0] = op->fd[1] = op->bind[0] = op->bind[1] = op->buf = -1;
        ok = parse_args(p, op, toks + 1, nargs);
        if (ok)
            t->nops++;
    }
    free_tokens(toks, n);
    return ok;
}

/* Parse a whole file.  On the first error returns false with its line
 * number (0 if the file could not be read) and message. */
static bool parse_file(const char *file, struct trace *t, int *err_line,
                       char *err, size_t errsz)
{
    memset(t, 0, sizeof *t);
    t->file = file;
    FILE *f = fopen(file, "rb");
    if (!f) {
        *err_line = 0;
        snprintf(err, errsz, "cannot open: %s", strerror(errno));
        return false;
    }
    struct parser p = {.file = file, .t = t};
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    bool ok = true;
    while (ok && (n = getline(&line, &cap, f)) >= 0) {
        p.line++;
        if (n > 0 && line[n - 1] == '\n')
            n--;
        ok = parse_line(&p, line, (size_t)n);
    }
    if (ok && ferror(f)) {
        ok = false;
        snprintf(p.err, sizeof p.err, "read error: %s", strerror(errno));
    }
    free(line);
    fclose(f);
    for (int i = 0; i < p.nbuf_names; i++)
        free(p.buf_names[i]);
    free(p.buf_names);
    free(p.buf_slots);
    if (!ok) {
        *err_line = p.line;
        snprintf(err, errsz, "%s", p.err);
    }
    return ok;
}

/* ------------------------------------------------------------------------ */
/* Output rendering                                                          */

static const char *const errno_names[] = {
#define X(e) [e] = #e,
    X(EPERM) X(ENOENT) X(ESRCH) X(EINTR) X(EIO) X(ENXIO)
    X(E2BIG) X(ENOEXEC) X(EBADF) X(ECHILD) X(EAGAIN) X(ENOMEM)
    X(EACCES) X(EFAULT) X(ENOTBLK) X(EBUSY) X(EEXIST) X(EXDEV)
    X(ENODEV) X(ENOTDIR) X(EISDIR) X(EINVAL) X(ENFILE) X(EMFILE)
    X(ENOTTY) X(ETXTBSY) X(EFBIG) X(ENOSPC) X(ESPIPE) X(EROFS)
    X(EMLINK) X(EPIPE) X(EDOM) X(ERANGE) X(EDEADLK) X(ENAMETOOLONG)
    X(ENOLCK) X(ENOSYS) X(ENOTEMPTY) X(ELOOP) X(ENOMSG) X(EIDRM)
    X(ECHRNG) X(EL2NSYNC) X(EL3HLT) X(EL3RST) X(ELNRNG) X(EUNATCH)
    X(ENOCSI) X(EL2HLT) X(EBADE) X(EBADR) X(EXFULL) X(ENOANO)
    X(EBADRQC) X(EBADSLT) X(EBFONT) X(ENOSTR) X(ENODATA) X(ETIME)
    X(ENOSR) X(ENONET) X(ENOPKG) X(EREMOTE) X(ENOLINK) X(EADV)
    X(ESRMNT) X(ECOMM) X(EPROTO) X(EMULTIHOP) X(EDOTDOT) X(EBADMSG)
    X(EOVERFLOW) X(ENOTUNIQ) X(EBADFD) X(EREMCHG) X(ELIBACC) X(ELIBBAD)
    X(ELIBSCN) X(ELIBMAX) X(ELIBEXEC) X(EILSEQ) X(ERESTART) X(ESTRPIPE)
    X(EUSERS) X(ENOTSOCK) X(EDESTADDRREQ) X(EMSGSIZE) X(EPROTOTYPE)
    X(ENOPROTOOPT) X(EPROTONOSUPPORT) X(ESOCKTNOSUPPORT) X(EOPNOTSUPP)
    X(EPFNOSUPPORT) X(EAFNOSUPPORT) X(EADDRINUSE) X(EADDRNOTAVAIL)
    X(ENETDOWN) X(ENETUNREACH) X(ENETRESET) X(ECONNABORTED) X(ECONNRESET)
    X(ENOBUFS) X(EISCONN) X(ENOTCONN) X(ESHUTDOWN) X(ETOOMANYREFS)
    X(ETIMEDOUT) X(ECONNREFUSED) X(EHOSTDOWN) X(EHOSTUNREACH) X(EALREADY)
    X(EINPROGRESS) X(ESTALE) X(EUCLEAN) X(ENOTNAM) X(ENAVAIL) X(EISNAM)
    X(EREMOTEIO) X(EDQUOT) X(ENOMEDIUM) X(EMEDIUMTYPE) X(ECANCELED)
    X(ENOKEY) X(EKEYEXPIRED) X(EKEYREVOKED) X(EKEYREJECTED) X(EOWNERDEAD)
    X(ENOTRECOVERABLE) X(ERFKILL) X(EHWPOISON)
#undef X
};

/* "-ENAME" (aliases EWOULDBLOCK/ENOTSUP/EDEADLOCK share a number and print
 * as EAGAIN/EOPNOTSUPP/EDEADLK). */
static void put_errno(int e)
{
    if (e > 0 && e < (int)(sizeof errno_names / sizeof *errno_names) &&
        errno_names[e])
        printf("-%s", errno_names[e]);
    else
        printf("-E%d", e);
}

/* The result of a call that may have waited: EINTR means the watchdog cut a
 * wait short, i.e. the call would have blocked forever.  A partial count
 * (Linux returns what moved before the signal) is a normal success. */
static bool put_result(long long r, int e)
{
    if (r >= 0) {
        printf("%lld", r);
        return true;
    }
    if (e == EINTR)
        fputs("blocks", stdout);
    else
        put_errno(e);
    return false;
}

/* Render `count` bytes gathered from iovecs in order. */
static void put_bytes_iov(const struct iovec *iov, int niov, uint64_t count)
{
    if (count > RENDER_LIMIT) {
        uint32_t h = 0x811c9dc5u;
        uint64_t left = count;
        for (int i = 0; i < niov && left; i++) {
            const unsigned char *b = iov[i].iov_base;
            uint64_t n = iov[i].iov_len < left ? iov[i].iov_len : left;
            for (uint64_t k = 0; k < n; k++) {
                h ^= b[k];
                h *= 0x01000193u;
            }
            left -= n;
        }
        printf("<%" PRIu64 " bytes fnv1a32=%08" PRIx32 ">", count, h);
        return;
    }
    putchar('"');
    uint64_t left = count;
    for (int i = 0; i < niov && left; i++) {
        const unsigned char *b = iov[i].iov_base;
        uint64_t n = iov[i].iov_len < left ? iov[i].iov_len : left;
        for (uint64_t k = 0; k < n; k++) {
            unsigned c = b[k];
            if (c == '\\' || c == '"')
                printf("\\%c", c);
            else if (c == '\n')
                fputs("\\n", stdout);
            else if (c == '\t')
                fputs("\\t", stdout);
            else if (c == '\r')
                fputs("\\r", stdout);
            else if (c >= 0x20 && c <= 0x7e)
                putchar((int)c);
            else
                printf("\\x%02x", c);
        }
        left -= n;
    }
    putchar('"');
}

static void put_bytes(const void *buf, uint64_t count)
{
    struct iovec iov = {.iov_base = (void *)buf, .iov_len = count};
    put_bytes_iov(&iov, 1, count);
}

/* ------------------------------------------------------------------------ */
/* Blocking detection
 *
 * A call that would wait forever is cut short with SIGALRM, whose handler is
 * installed without SA_RESTART, so the call fails with EINTR ("blocks") or
 * returns the partial count it had moved.  A plain interval timer is not good
 * enough: some calls poll signal_pending() while busy (a 100 MB read of
 * /dev/zero, sendfile from it), so a timer firing mid-copy would turn them
 * into timing-dependent partial counts.  Instead the parent acts as a
 * watchdog: the child publishes in shared memory when it is inside a guarded
 * call, and the parent sends SIGALRM only once that call has lasted
 * BLOCK_TIMEOUT_US and the child has been asleep (state S in /proc) for
 * SLEEP_CONFIRM_US of it, i.e. it is really waiting, not copying.  A call
 * that is running (R) or in uninterruptible sleep (D) is never signalled: it
 * is making progress, or a signal could not stop it anyway.
 *
 * The child keeps SIGALRM blocked outside guarded calls, so a signal that
 * races with the end of a call stays pending and is consumed by the no-op
 * handler when the next guarded call unblocks it, before that call starts:
 * it can never interrupt anything but the call it was meant for.
 */

#define SLEEP_CONFIRM_US 10000   /* child must sleep this long, continuously */
#define WATCH_POLL_US 2000       /* watchdog sampling period */
#define RESEND_US 200000         /* re-send if a call is still asleep */

struct guard {
    uint64_t seq;      /* odd while the child is inside a guarded call */
    int64_t start_us;  /* when the current guarded call began */
};

static struct guard *guard; /* MAP_SHARED, created before fork */
static sigset_t alarm_set;

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void on_alarm(int sig)
{
    (void)sig; /* only here to interrupt a waiting syscall with EINTR */
}

/* Child side: handler without SA_RESTART, SIGALRM blocked until a guarded
 * call; SIGPIPE ignored so writes without readers give EPIPE. */
static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    if (sigaction(SIGALRM, &sa, NULL) < 0)
        die("sigaction: %s", strerror(errno));
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&alarm_set);
    sigaddset(&alarm_set, SIGALRM);
    sigprocmask(SIG_BLOCK, &alarm_set, NULL);
}

static uint64_t guarded_calls; /* child: calls guarded so far */

/* Call right before a syscall that may wait. */
static void guard_begin(void)
{
    __atomic_store_n(&guard->start_us, now_us(), __ATOMIC_RELAXED);
    __atomic_store_n(&guard->seq, 2 * guarded_calls + 1, __ATOMIC_RELEASE);
    sigprocmask(SIG_UNBLOCK, &alarm_set, NULL);
}

/* Call right after it; returns the call's errno. */
static int guard_end(void)
{
    int e = errno;
    sigprocmask(SIG_BLOCK, &alarm_set, NULL);
    guarded_calls++;
    __atomic_store_n(&guard->seq, 2 * guarded_calls, __ATOMIC_RELEASE);
    return e;
}

/* The scheduler state letter of a process ('R', 'S', 'D' ...), or 'S' if
 * /proc cannot tell (then we degrade to a plain timeout). */
static char proc_state(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 'S';
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 'S';
    buf[n] = '\0';
    char *paren = strrchr(buf, ')'); /* the command name may contain ')' */
    return paren && paren[1] == ' ' && paren[2] ? paren[2] : 'S';
}

/* Watchdog state kept by the parent for the current guarded call. */
struct watch {
    uint64_t seq;         /* the call being watched (odd), or 0 */
    int64_t asleep_since; /* first of the consecutive sleeping samples, or 0 */
    int64_t last_kill;    /* when we last signalled this call, or 0 */
};

/* One watchdog sample: signal the child if its guarded call is waiting. */
static void watch_step(struct watch *w, pid_t pid)
{
    uint64_t seq = __atomic_load_n(&guard->seq, __ATOMIC_ACQUIRE);
    if (!(seq & 1))
        return; /* not in a guarded call */
    int64_t start = __atomic_load_n(&guard->start_us, __ATOMIC_RELAXED);
    if (seq != w->seq)
        *w = (struct watch){.seq = seq};
    int64_t now = now_us();
    if (proc_state(pid) == 'S') {
        if (!w->asleep_since)
            w->asleep_since = now;
    } else {
        w->asleep_since = 0;
    }
    bool waiting = now - start >= BLOCK_TIMEOUT_US && w->asleep_since &&
                   now - w->asleep_since >= SLEEP_CONFIRM_US;
    if (!waiting || (w->last_kill && now - w->last_kill < RESEND_US))
        return;
    /* Still the same call?  If it ended meanwhile, the signal stays pending
     * (blocked) and is harmless, see above. */
    if (__atomic_load_n(&guard->seq, __ATOMIC_ACQUIRE) != seq)
        return;
    kill(pid, SIGALRM);
    w->last_kill = now;
}

/* Parent: wait for the child, interrupting its calls that wait forever. */
static int watch_child(pid_t pid)
{
    struct watch w = {0};
    struct timespec tick = {.tv_sec = 0, .tv_nsec = WATCH_POLL_US * 1000L};
    for (;;) {
        int status;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return status;
        if (r < 0 && errno != EINTR)
            die("waitpid: %s", strerror(errno));
        watch_step(&w, pid);
        nanosleep(&tick, NULL);
    }
}

/* ------------------------------------------------------------------------ */
/* Execution                                                                 */

struct runtime {
    const struct trace *t;
    int *fds;              /* per fd-name id: fd, or -1 if unbound/closed */
    unsigned char **bufs;  /* per buffer slot: memory, or NULL */
};

static int fd_of(const struct runtime *rt, int id)
{
    return rt->fds[id] >= 0 ? rt->fds[id] : NOT_OPEN_FD;
}

static void exec_pipe(struct runtime *rt, const struct op *op)
{
    int fds[2];
    if (pipe2(fds, op->flags) < 0) {
        put_errno(errno);
        return;
    }
    rt->fds[op->bind[0]] = fds[0];
    rt->fds[op->bind[1]] = fds[1];
    fputs("0", stdout);
}

static void exec_socketpair(struct runtime *rt, const struct op *op)
{
    int fds[2];
    if (socketpair(AF_UNIX, op->cmd, 0, fds) < 0) {
        put_errno(errno);
        return;
    }
    rt->fds[op->bind[0]] = fds[0];
    rt->fds[op->bind[1]] = fds[1];
    fputs("0", stdout);
}

static void exec_open(struct runtime *rt, const struct op *op)
{
    guard_begin(); /* cheap insurance: opens of special files can wait */
    int fd = open(op->path, op->flags, 0644);
    int e = guard_end();
    if (fd < 0) {
        put_result(-1, e);
        return;
    }
    rt->fds[op->bind[0]] = fd;
    fputs("0", stdout);
}

static void exec_dup(struct runtime *rt, const struct op *op)
{
    int fd = dup(fd_of(rt, op->fd[0]));
    if (fd < 0) {
        put_errno(errno);
        return;
    }
    rt->fds[op->bind[0]] = fd;
    fputs("0", stdout);
}

/* dup2/dup3 onto TO (a name's fd, or a number); binds F to the new fd. */
static void exec_dup23(struct runtime *rt, const struct op *op)
{
    int to = op->fd[1] >= 0 ? fd_of(rt, op->fd[1]) : (int)op->num;
    int fd = op->kind == OP_DUP2 ? dup2(fd_of(rt, op->fd[0]), to)
                                 : dup3(fd_of(rt, op->fd[0]), to, op->flags);
    if (fd < 0) {
        put_errno(errno);
        return;
    }
    /* A name bound to the fd that was replaced now names the new file,
     * as the fd number does. */
    rt->fds[op->bind[0]] = fd;
    fputs("0", stdout);
}

/* fcntl(F_DUPFD or F_DUPFD_CLOEXEC, MIN); binds F. MIN is an unsigned long. */
static void exec_dupfd(struct runtime *rt, const struct op *op)
{
    int fd = fcntl(fd_of(rt, op->fd[0]), op->flags ? F_DUPFD_CLOEXEC : F_DUPFD,
                   (unsigned long)op->num);
    if (fd < 0) {
        put_errno(errno);
        return;
    }
    rt->fds[op->bind[0]] = fd;
    fputs("0", stdout);
}

/* The fd number a name stands for, if it is open. */
static void exec_fdnum(struct runtime *rt, const struct op *op)
{
    int fd = fd_of(rt, op->fd[0]);
    if (fcntl(fd, F_GETFD) < 0) {
        put_errno(errno);
        return;
    }
    printf("%d", fd);
}

static void exec_close(struct runtime *rt, const struct op *op)
{
    int r = close(fd_of(rt, op->fd[0]));
    int e = errno;
    /* The name is closed whatever close returned (Linux frees the fd even
     * when close reports an error). */
    rt->fds[op->fd[0]] = -1;
    put_result(r, e);
}

static void exec_write(struct runtime *rt, const struct op *op)
{
    /* The kernel moves at most MAX_RW_COUNT bytes per call, so only that
     * many need to exist. */
    uint64_t len = op->data.len < MAX_RW_COUNT ? op->data.len : MAX_RW_COUNT;
    unsigned char *buf = map_anon(len);
    if (buf == MAP_FAILED)
        die("mmap %" PRIu64 " bytes: %s", len, strerror(errno));
    if (op->data.kind != D_ZERO) /* fresh anonymous memory is zero */
        gen_data(&op->data, buf, len);
    guard_begin();
    ssize_t r = write(fd_of(rt, op->fd[0]), buf, len);
    int e = guard_end();
    put_result(r, e);
    unmap_anon(buf, len);
}

static void exec_read(struct runtime *rt, const struct op *op)
{
    /* Clamped like the kernel clamps; the buffer is lazily backed. */
    uint64_t len = op->num < MAX_RW_COUNT ? op->num : MAX_RW_COUNT;
    unsigned char *buf = map_anon(len);
    if (buf == MAP_FAILED)
        die("mmap %" PRIu64 " bytes: %s", len, strerror(errno));
    guard_begin();
    ssize_t r = read(fd_of(rt, op->fd[0]), buf, len);
    int e = guard_end();
    if (put_result(r, e)) {
        putchar(' ');
        put_bytes(buf, (uint64_t)r);
    }
    unmap_anon(buf, len);
}

static void exec_buf(struct runtime *rt, const struct op *op)
{
    void *m = map_anon(op->num);
    if (m == MAP_FAILED) {
        put_errno(errno);
        return;
    }
    rt->bufs[op->buf] = m; /* an earlier binding stays mapped, like an fd */
    fputs("0", stdout);
}

static void exec_fill(struct runtime *rt, const struct op *op)
{
    unsigned char *m = rt->bufs[op->buf];
    if (!m) { /* its `buf` line failed to allocate */
        put_errno(EFAULT);
        return;
    }
    gen_data(&op->data, m + op->num, op->data.len);
    fputs("0", stdout);
}

static void exec_show(struct runtime *rt, const struct op *op)
{
    unsigned char *m = rt->bufs[op->buf];
    if (!m) {
        put_errno(EFAULT);
        return;
    }
    put_bytes(m + op->num, op->num2);
}

/* "vmsplice on a pipe's read end" prints the bytes read.  The kernel picks
 * the direction from the file mode (writable -> user to pipe, else readable
 * -> pipe to user), so the read direction is taken exactly when the fd is
 * a pipe opened read-only.  We decide by the fd (fstat + F_GETFL), not by
 * the name, so a dup of P.r counts too; non-pipes never print bytes. */
static bool is_pipe_read_end(int fd)
{
    struct stat st;
    int fl = fcntl(fd, F_GETFL);
    return fl >= 0 && (fl & O_ACCMODE) == O_RDONLY && fstat(fd, &st) == 0 &&
           S_ISFIFO(st.st_mode);
}

static void exec_vmsplice(struct runtime *rt, const struct op *op)
{
    struct iovec *iov = xrealloc(NULL, op->niov * sizeof *iov);
    for (int i = 0; i < op->niov; i++) {
        unsigned char *m = rt->bufs[op->iov[i].buf];
        /* an unallocated buffer becomes a bad address: EFAULT */
        iov[i].iov_base = m ? m + op->iov[i].off : NULL;
        iov[i].iov_len = op->iov[i].len;
    }
    int fd = fd_of(rt, op->fd[0]);
    bool to_user = is_pipe_read_end(fd);
    guard_begin();
    ssize_t r = vmsplice(fd, iov, (unsigned long)op->niov,
                         (unsigned)op->flags);
    int e = guard_end();
    if (put_result(r, e) && to_user) {
        putchar(' ');
        put_bytes_iov(iov, op->niov, (uint64_t)r);
    }
    free(iov);
}

static void exec_splice(struct runtime *rt, const struct op *op)
{
    loff_t off[2] = {(loff_t)op->off[0].value, (loff_t)op->off[1].value};
    guard_begin();
    ssize_t r = splice(fd_of(rt, op->fd[0]), op->off[0].present ? &off[0] : NULL,
                       fd_of(rt, op->fd[1]), op->off[1].present ? &off[1] : NULL,
                       (size_t)op->num, (unsigned)op->flags);
    int e = guard_end();
    if (!put_result(r, e))
        return;
    if (op->off[0].present)
        printf(" off_in=%lld", (long long)off[0]);
    if (op->off[1].present)
        printf(" off_out=%lld", (long long)off[1]);
}

static void exec_tee(struct runtime *rt, const struct op *op)
{
    guard_begin();
    ssize_t r = tee(fd_of(rt, op->fd[0]), fd_of(rt, op->fd[1]),
                    (size_t)op->num, (unsigned)op->flags);
    int e = guard_end();
    put_result(r, e);
}

static void exec_sendfile(struct runtime *rt, const struct op *op)
{
    off_t off = (off_t)op->off[0].value;
    guard_begin();
    ssize_t r = sendfile(fd_of(rt, op->fd[0]), fd_of(rt, op->fd[1]),
                         op->off[0].present ? &off : NULL, (size_t)op->num);
    int e = guard_end();
    if (put_result(r, e) && op->off[0].present)
        printf(" off=%lld", (long long)off);
}

static void exec_lseek(struct runtime *rt, const struct op *op)
{
    off_t r = lseek(fd_of(rt, op->fd[0]), (off_t)op->num, op->cmd);
    put_result(r, errno);
}

static void exec_fcntl(struct runtime *rt, const struct op *op)
{
    int fd = fd_of(rt, op->fd[0]);
    long r;
    switch (op->cmd) {
    case FC_GETPIPE_SZ:
        r = fcntl(fd, F_GETPIPE_SZ);
        put_result(r, errno);
        return;
    case FC_SETPIPE_SZ:
        /* Passed as the full unsigned long; what the kernel makes of values
         * past 32 bits is the kernel's answer. */
        r = fcntl(fd, F_SETPIPE_SZ, (unsigned long)op->num);
        put_result(r, errno);
        return;
    case FC_SETFL:
        r = fcntl(fd, F_SETFL, op->flags);
        put_result(r, errno);
        return;
    case FC_SETFD:
        r = fcntl(fd, F_SETFD, op->flags);
        put_result(r, errno);
        return;
    case FC_GETFD:
        r = fcntl(fd, F_GETFD);
        if (r < 0)
            put_errno(errno);
        else
            fputs(r & FD_CLOEXEC ? "CLOEXEC" : "0", stdout);
        return;
    case FC_GETFL:
        r = fcntl(fd, F_GETFL);
        if (r < 0) {
            put_errno(errno);
            return;
        }
        switch (r & O_ACCMODE) {
        case O_RDONLY: fputs("RDONLY", stdout); break;
        case O_WRONLY: fputs("WRONLY", stdout); break;
        case O_RDWR: fputs("RDWR", stdout); break;
        default: printf("ACCMODE%ld", r & O_ACCMODE); break;
        }
        for (const struct flagdef *f = setfl_flags; f->name; f++)
            if (r & f->value)
                printf("|%s", f->name);
        return;
    }
}

static void exec_fionread(struct runtime *rt, const struct op *op)
{
    int n = 0;
    if (ioctl(fd_of(rt, op->fd[0]), FIONREAD, &n) < 0)
        put_errno(errno);
    else
        printf("%d", n);
}

static void exec_poll(struct runtime *rt, const struct op *op)
{
    struct pollfd pfd = {.fd = fd_of(rt, op->fd[0]),
                         .events = POLLIN | POLLOUT};
    if (poll(&pfd, 1, 0) < 0) {
        put_errno(errno);
        return;
    }
    static const struct { short bit; const char *name; } ev[] = {
        {POLLIN, "IN"}, {POLLOUT, "OUT"}, {POLLHUP, "HUP"},
        {POLLERR, "ERR"}, {POLLNVAL, "NVAL"}};
    bool any = false;
    for (size_t i = 0; i < sizeof ev / sizeof *ev; i++)
        if (pfd.revents & ev[i].bit) {
            printf("%s%s", any ? "|" : "", ev[i].name);
            any = true;
        }
    if (!any)
        putchar('0');
}

static void exec_op(struct runtime *rt, const struct op *op)
{
    printf("%d: ", op->line);
    switch (op->kind) {
    case OP_PIPE: exec_pipe(rt, op); break;
    case OP_OPEN: exec_open(rt, op); break;
    case OP_SOCKETPAIR: exec_socketpair(rt, op); break;
    case OP_DUP: exec_dup(rt, op); break;
    case OP_CLOSE: exec_close(rt, op); break;
    case OP_WRITE: exec_write(rt, op); break;
    case OP_READ: exec_read(rt, op); break;
    case OP_BUF: exec_buf(rt, op); break;
    case OP_FILL: exec_fill(rt, op); break;
    case OP_SHOW: exec_show(rt, op); break;
    case OP_VMSPLICE: exec_vmsplice(rt, op); break;
    case OP_SPLICE: exec_splice(rt, op); break;
    case OP_TEE: exec_tee(rt, op); break;
    case OP_SENDFILE: exec_sendfile(rt, op); break;
    case OP_LSEEK: exec_lseek(rt, op); break;
    case OP_FCNTL: exec_fcntl(rt, op); break;
    case OP_FIONREAD: exec_fionread(rt, op); break;
    case OP_POLL: exec_poll(rt, op); break;
    case OP_DUP2:
    case OP_DUP3: exec_dup23(rt, op); break;
    case OP_DUPFD: exec_dupfd(rt, op); break;
    case OP_FDNUM: exec_fdnum(rt, op); break;
    }
    putchar('\n');
}

/* The trace's fd model: 0, 1 and 2 open (on /dev/null if they were not),
 * nothing else, and RLIMIT_NOFILE at its default soft limit, 1024. */
static void set_fd_model(void)
{
    for (int fd = 0; fd < 3; fd++) {
        if (fcntl(fd, F_GETFD) >= 0)
            continue;
        int nul = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (nul != fd)
            die("cannot open /dev/null as fd %d", fd);
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        die("getrlimit: %s", strerror(errno));
    if (close_range(3, ~0U, 0) < 0)
        for (rlim_t fd = 3; fd < rl.rlim_cur && fd < 65536; fd++)
            close((int)fd);
    rl.rlim_cur = rl.rlim_max < 1024 ? rl.rlim_max : 1024;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        die("setrlimit: %s", strerror(errno));
}

/* Runs in the child: fresh process state, cwd = the trace's directory. */
static void run_trace(const struct trace *t)
{
    struct runtime rt = {.t = t};
    rt.fds = xrealloc(NULL, (t->nnames ? t->nnames : 1) * sizeof *rt.fds);
    for (int i = 0; i < t->nnames; i++)
        rt.fds[i] = -1;
    rt.bufs = calloc(t->nbufs ? t->nbufs : 1, sizeof *rt.bufs);
    if (!rt.bufs)
        die("out of memory");
    install_signals();
    umask(022);
    set_fd_model();
    for (int i = 0; i < t->nops; i++)
        exec_op(&rt, &t->ops[i]);
}

/* ------------------------------------------------------------------------ */
/* Process and directory management                                          */

/* Root could raise pipe sizes past pipe-max-size; run as nobody instead. */
static void drop_privileges(void)
{
    if (geteuid() != 0)
        return;
    if (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
        die("cannot drop root privileges: %s", strerror(errno));
    if (geteuid() == 0 || getegid() == 0)
        die("still privileged after dropping root");
}

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    remove(path);
    return 0;
}

static void remove_tree(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Run one trace in a forked child inside a fresh temp directory. */
static bool run_isolated(const struct trace *t)
{
    char dir[] = "/tmp/splicekit-oracle.XXXXXX";
    if (!mkdtemp(dir))
        die("mkdtemp: %s", strerror(errno));
    fflush(stdout); /* nothing buffered may be duplicated into the child */
    guard->seq = 0; /* a child that died inside a call left it odd */
    pid_t pid = fork();
    if (pid < 0)
        die("fork: %s", strerror(errno));
    if (pid == 0) {
        if (chdir(dir) < 0)
            die("chdir %s: %s", dir, strerror(errno));
        run_trace(t);
        fflush(stdout);
        _exit(ferror(stdout) ? 1 : 0);
    }
    int status = watch_child(pid);
    remove_tree(dir);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return true;
    if (WIFSIGNALED(status))
        fprintf(stderr, "splicekit-oracle: %s: runner killed by signal %d\n",
                t->file, WTERMSIG(status));
    else
        fprintf(stderr, "splicekit-oracle: %s: runner exited with status %d\n",
                t->file, WEXITSTATUS(status));
    return false;
}

/* Whether this kernel maps the shared zero page on a read fault of anonymous
 * memory (most do; some builds never do, and then vmsplice of never-written
 * memory references a real page). Read-faulting 256 pages that map the zero
 * page leaves the resident set as it was. */
static int probe_zero_page(void)
{
    enum { N = 256 };
    volatile unsigned char *p = mmap(NULL, N * PAGE, PROT_READ | PROT_WRITE,
                                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        die("mmap: %s", strerror(errno));
    long before = 0, after = 0, size;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%ld %ld", &size, &before) != 2)
        die("cannot read /proc/self/statm");
    unsigned sum = 0;
    for (int i = 0; i < N; i++)
        sum += p[i * PAGE];
    rewind(f);
    if (fscanf(f, "%ld %ld", &size, &after) != 2)
        die("cannot read /proc/self/statm");
    fclose(f);
    printf("zero-page: %s\n", after - before < N / 2 && sum == 0 ? "yes" : "no");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--probe") == 0 && strcmp(argv[2], "zero-page") == 0)
        return probe_zero_page();
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE...\n", argv[0]);
        return 2;
    }
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);

    /* Parse everything first: a malformed file means nothing runs. */
    int nfiles = argc - 1;
    struct trace *traces = xrealloc(NULL, nfiles * sizeof *traces);
    bool malformed = false;
    for (int i = 0; i < nfiles; i++) {
        int line;
        char err[600];
        if (!parse_file(argv[i + 1], &traces[i], &line, err, sizeof err)) {
            if (line > 0)
                fprintf(stderr, "%s:%d: %s\n", argv[i + 1], line, err);
            else
                fprintf(stderr, "%s: %s\n", argv[i + 1], err);
            malformed = true;
        }
    }
    if (malformed)
        return 2;

    drop_privileges();
    /* A closed stdout must not kill us before the temp dir is removed (the
     * child ignores SIGPIPE anyway, for the traces' sake). */
    signal(SIGPIPE, SIG_IGN);
    guard = mmap(NULL, sizeof *guard, PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (guard == MAP_FAILED)
        die("mmap: %s", strerror(errno));
    int status = 0;
    for (int i = 0; i < nfiles; i++) {
        if (nfiles > 1)
            printf("== %s\n", argv[i + 1]);
        if (!run_isolated(&traces[i]))
            status = 1;
        if (fflush(stdout) != 0)
            return 1; /* nobody is listening any more */
    }
    if (fflush(stdout) != 0)
        status = 1;
    return status;
}
