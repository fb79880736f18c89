/*
 * workload.c - a quiescent, line-driven memory workload for memtop's live-kernel tests.
 * One command per stdin line, one "ok ..." or "err <message>" line back; in between it only
 * blocks in read(2) (stack and bss are prefaulted), so its page counts stay put.  Each region
 * sits between two PROT_NONE guard pages so the kernel never merges it with a neighbour VMA.
 * Children created by "fork" run the same loop on pipes dup'ed to fd 0/1.  Protocol, notes
 * and build: test/helpers/workload.ts (gcc -O1 -Wall -Wextra [-static]).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096UL
#define MAX_PAGES (1UL << 30)  /* 4 TiB: far beyond any test, small enough to never overflow */
#define MAX_LAZY_PAGES (1UL << 36) /* 256 TiB of address space: lazy regions cost nothing */
#define MAX_CHILDREN 256
#define LINE_LEN 4096
#define STACK_PREFAULT (64 * 1024)
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102 /* Linux 6.13+ */
#endif

static struct child {
	pid_t pid; /* 0 once killed */
	int cmd_fd, reply_fd;
} children[MAX_CHILDREN];
static int nchildren;
static uint64_t seq;           /* bumped per access, so written data differs per call */
static volatile uint64_t sink; /* keeps reads from being optimised away */
static sigjmp_buf fault_env;
static volatile sig_atomic_t fault_armed;
static char line[LINE_LEN];
static char out[LINE_LEN + 64];

/* No EINTR handling needed here or in read_line(): only SIGSEGV/SIGBUS are caught. */
static void write_all(int fd, const char *buf, size_t len)
{
	for (ssize_t n; len > 0; buf += n, len -= (size_t)n)
		if ((n = write(fd, buf, len)) <= 0)
			return; /* reader is gone; the next read() will see EOF */
}

__attribute__((format(printf, 1, 2))) static void reply(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out, sizeof(out) - 1, fmt, ap);
	va_end(ap);
	size_t len = n < 0 ? 0 : (size_t)n < sizeof(out) - 1 ? (size_t)n : sizeof(out) - 2;
	out[len] = '\n';
	write_all(1, out, len + 1);
}

static void ok_or_errno(int rc, const char *what)
{
	rc < 0 ? reply("err %s: %s", what, strerror(errno)) : reply("ok");
}

/* Reads one line byte by byte (no read-ahead, so nothing is buffered between commands).
 * Returns its length, -1 on EOF/error, -2 if it did not fit (the rest is discarded). */
static ssize_t read_line(int fd, char *buf, size_t size)
{
	size_t len = 0;
	int overflow = 0;
	for (;;) {
		char c;
		if (read(fd, &c, 1) != 1)
			return -1;
		if (c == '\n')
			break;
		if (len + 1 < size)
			buf[len++] = c;
		else
			overflow = 1;
	}
	buf[len] = '\0';
	return overflow ? -2 : (ssize_t)len;
}

static int num(const char *s, unsigned long *v)
{
	char *end;
	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 0);
	return (errno || *end) ? -1 : 0;
}

static int pages(const char *s, unsigned long *v) /* a region size: 1..MAX_PAGES */
{
	return (num(s, v) || *v == 0 || *v > MAX_PAGES) ? -1 : 0;
}

static void on_fault(int sig)
{
	if (fault_armed)
		siglongjmp(fault_env, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

static __attribute__((noinline)) void populate(unsigned char *base, unsigned long first,
						unsigned long count, int wr)
{
	seq++;
	for (unsigned long i = first; i < first + count; i++) {
		volatile unsigned char *p = base + i * PAGE;
		if (wr)
			*(volatile uint64_t *)p = (seq << 32) | (i + 1); /* unique, never zero */
		else
			sink += *p;
	}
}

/* Reads (or writes) pages first..first+count-1 of base.  Returns 0, or the signal number if
 * a page faulted (bad address, read-only page, SIGBUS past the end of a file). */
static int access_pages(unsigned char *base, unsigned long first, unsigned long count, int wr)
{
	int sig = sigsetjmp(fault_env, 1);
	if (!sig) {
		fault_armed = 1;
		populate(base, first, count, wr);
	}
	fault_armed = 0;
	return sig;
}

/* Maps len bytes with a PROT_NONE guard page on either side; replies err and returns NULL
 * on failure. */
static unsigned char *map_guarded(size_t len, int prot, int flags, int fd)
{
	unsigned char *g = mmap(NULL, len + 2 * PAGE, PROT_NONE, ANON, -1, 0);
	if (g == MAP_FAILED || mmap(g + PAGE, len, prot, flags | MAP_FIXED, fd, 0) == MAP_FAILED) {
		int e = errno;
		if (g != MAP_FAILED)
			munmap(g, len + 2 * PAGE);
		reply("err mmap: %s", strerror(e));
		return NULL;
	}
	return g + PAGE;
}

static void region_done(unsigned char *base, unsigned long n, int wr)
{
	if (access_pages(base, 0, n, wr))
		reply("err fault while populating 0x%lx", (unsigned long)base);
	else
		reply("ok 0x%lx", (unsigned long)base);
}

/* Maps a guarded region of n pages, reads or writes every page of it, and replies. */
static void region(unsigned long n, int prot, int flags, int fd, int wr)
{
	unsigned char *base = map_guarded(n * PAGE, prot, flags, fd);
	if (base)
		region_done(base, n, wr);
}

static void cmd_file(const char *path, unsigned long n, int private)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		reply("err open %s: %s", path, strerror(errno));
		return;
	}
	if (fstat(fd, &st) < 0 || st.st_size <= (off_t)((n - 1) * PAGE)) {
		reply("err %s: too short for %lu pages (or fstat failed)", path, n);
		close(fd);
		return;
	}
	region(n, private ? RW : PROT_READ, private ? MAP_PRIVATE : MAP_SHARED, fd, 0);
	close(fd);
}

/* n one-page RW VMAs at first + i*2*PAGE with one-page holes between them (too small for any
 * other region: those need 3+ pages), punched as we go so there are never more than n+3 VMAs. */
static void cmd_many(unsigned long n)
{
	unsigned char *g = mmap(NULL, (2 * n + 1) * PAGE, PROT_NONE, ANON, -1, 0);
	if (g == MAP_FAILED) {
		ok_or_errno(-1, "mmap");
		return;
	}
	for (unsigned long i = 0; i < n; i++) {
		unsigned char *p = g + (2 * i + 1) * PAGE;
		if (mmap(p, PAGE, RW, ANON | MAP_FIXED, -1, 0) == MAP_FAILED ||
		    (i + 1 < n && munmap(p + PAGE, PAGE) < 0)) {
			int e = errno;
			munmap(g, (2 * n + 1) * PAGE);
			reply("err many: mapping %lu: %s", i, strerror(e));
			return;
		}
		*(volatile uint64_t *)p = (++seq << 32) | (i + 1);
	}
	reply("ok 0x%lx %lu %lu 0", (unsigned long)(g + PAGE), 2 * PAGE, n);
}

static void cmd_reserve(unsigned long gib, unsigned long mib)
{
	size_t len = gib << 30, rw = mib << 20;
	if (gib == 0 || gib > (1UL << 16) || rw > len) {
		reply("err reserve: bad sizes");
		return;
	}
	unsigned char *base = map_guarded(len, PROT_NONE, ANON | MAP_NORESERVE, -1);
	if (!base)
		return;
	if (rw && mprotect(base, rw, RW) < 0) {
		ok_or_errno(-1, "mprotect");
		munmap(base - PAGE, len + 2 * PAGE);
	} else {
		region_done(base, rw / PAGE, 1);
	}
}

/* n private anonymous pages whose contents depend on the page index alone (page i of every
 * such region, in any process, is the same), then MADV_MERGEABLE: KSM may merge them. */
static void cmd_mergeable(unsigned long n)
{
	unsigned char *base = map_guarded(n * PAGE, RW, ANON, -1);
	if (!base)
		return;
	for (unsigned long i = 0; i < n; i++)
		*(volatile uint64_t *)(base + i * PAGE) = 0x6b736d0000000000UL | (i + 1);
	if (madvise(base, n * PAGE, MADV_MERGEABLE) < 0)
		ok_or_errno(-1, "madvise(MADV_MERGEABLE)");
	else
		reply("ok 0x%lx", (unsigned long)base);
}

/* Asks child c to exit, then reaps it; the child reaps its own children first. */
static void stop_child(struct child *c)
{
	char tmp[64];
	write_all(c->cmd_fd, "exit\n", 5);
	read_line(c->reply_fd, tmp, sizeof(tmp));
	close(c->cmd_fd);
	close(c->reply_fd);
	waitpid(c->pid, NULL, 0);
	c->pid = 0;
}

static void stop_children(void)
{
	for (int i = 0; i < nchildren; i++)
		if (children[i].pid > 0)
			stop_child(&children[i]);
}

/* In a new child this returns without replying: the child goes on with the command loop. */
static void cmd_fork(unsigned long k)
{
	char pids[MAX_CHILDREN * 12 + 4] = "ok";
	size_t len = 2;
	if (k == 0 || k > (unsigned long)(MAX_CHILDREN - nchildren)) {
		reply("err fork: can have at most %d children", MAX_CHILDREN);
		return;
	}
	for (unsigned long i = 0; i < k; i++) {
		int cmd[2], rep[2];
		pid_t parent = getpid();
		pid_t pid = -1;
		if (pipe(cmd) < 0 || pipe(rep) < 0 || (pid = fork()) < 0) {
			reply("err fork: %s", strerror(errno));
			return;
		}
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
			if (getppid() != parent)
				_exit(1);
			dup2(cmd[0], 0);
			dup2(rep[1], 1);
			close_range(3, ~0U, 0); /* siblings' pipes, our spare ends */
			nchildren = 0;
			return;
		}
		close(cmd[0]);
		close(rep[1]);
		children[nchildren++] = (struct child){ pid, cmd[1], rep[0] };
		len += (size_t)snprintf(pids + len, sizeof(pids) - len, " %d", (int)pid);
	}
	reply("%s", pids);
}

static void cmd_child(char *rest)
{
	unsigned long i;
	char *sp = strchr(rest, ' ');
	if (!sp || (*sp = '\0', num(rest, &i)) || i >= (unsigned long)nchildren || !children[i].pid) {
		reply("err child: no such child");
		return;
	}
	struct child *c = &children[i];
	size_t len = strlen(sp + 1);
	sp[1 + len] = '\n';
	write_all(c->cmd_fd, sp + 1, len + 1);
	ssize_t n = read_line(c->reply_fd, out, LINE_LEN);
	if (n < 0) {
		reply("err child %lu: no reply (exited?)", i);
	} else {
		out[n] = '\n';
		write_all(1, out, (size_t)n + 1);
	}
}

static void handle(char *cmd)
{
	char *argv[5] = { 0 }, *save = NULL;
	unsigned long a = 0, b = 0, c = 0;
	int argc = 0;

	if (strncmp(cmd, "child ", 6) == 0) {
		cmd_child(cmd + 6);
		return;
	}
	for (char *t = strtok_r(cmd, " \t", &save); t && argc < 5; t = strtok_r(NULL, " \t", &save))
		argv[argc++] = t;
	const char *op = argv[0] ? argv[0] : "";
#define IS(name, n) (strcmp(op, name) == 0 && argc == (n) + 1)

	if (IS("anon", 1) && !pages(argv[1], &a)) {
		region(a, RW, ANON, -1, 1);
	} else if (IS("shared", 1) && !pages(argv[1], &a)) {
		region(a, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 1);
	} else if (IS("zero", 1) && !pages(argv[1], &a)) {
		region(a, RW, ANON, -1, 0);
	} else if (IS("lazy", 2) && (!strcmp(argv[1], "anon") || !strcmp(argv[1], "shared")) &&
		   !num(argv[2], &a) && a > 0 && a <= MAX_LAZY_PAGES) {
		unsigned char *base = map_guarded(a * PAGE, RW,
						  MAP_NORESERVE | MAP_ANONYMOUS |
							  (argv[1][0] == 's' ? MAP_SHARED : MAP_PRIVATE),
						  -1);
		if (base)
			reply("ok 0x%lx", (unsigned long)base);
	} else if (IS("guard", 3) && !num(argv[1], &a) && !num(argv[2], &b) && !pages(argv[3], &c)) {
		ok_or_errno(madvise((void *)(a + b * PAGE), c * PAGE, MADV_GUARD_INSTALL),
			    "madvise(MADV_GUARD_INSTALL)");
	} else if ((IS("file", 2) || IS("filepriv", 2)) && !pages(argv[2], &a)) {
		cmd_file(argv[1], a, op[4] == 'p');
	} else if ((IS("touch", 3) || IS("write", 3)) && !num(argv[1], &a) && !num(argv[2], &b) &&
		   !num(argv[3], &c) && c <= MAX_PAGES && b <= MAX_PAGES) {
		int sig = access_pages((unsigned char *)a, b, c, op[0] == 'w');
		if (sig)
			reply("err signal %d accessing pages %lu..%lu of 0x%lx", sig, b, b + c - 1, a);
		else
			reply("ok");
	} else if (IS("reserve", 2) && !num(argv[1], &a) && !num(argv[2], &b)) {
		cmd_reserve(a, b);
	} else if (IS("mergeable", 1) && !pages(argv[1], &a)) {
		cmd_mergeable(a);
	} else if (IS("many", 1) && !pages(argv[1], &a)) {
		cmd_many(a);
	} else if (IS("unmap", 2) && !num(argv[1], &a) && !pages(argv[2], &b)) {
		ok_or_errno(munmap((void *)a, b * PAGE), "munmap");
	} else if (IS("thp", 1) && (!strcmp(argv[1], "on") || !strcmp(argv[1], "off"))) {
		ok_or_errno(prctl(PR_SET_THP_DISABLE, argv[1][1] == 'f', 0, 0, 0), "prctl");
	} else if (IS("fork", 1) && !num(argv[1], &a)) {
		cmd_fork(a);
	} else if (IS("kill", 1) && !num(argv[1], &a)) {
		if (a >= (unsigned long)nchildren || !children[a].pid) {
			reply("err kill: no such child");
		} else {
			stop_child(&children[a]);
			reply("ok");
		}
	} else if (IS("pid", 0)) {
		reply("ok %d", (int)getpid());
	} else if (IS("exit", 0)) {
		stop_children();
		reply("ok");
		_exit(0);
	} else {
		reply("err bad command or arguments: %s", op);
	}
}

extern char __data_start, _end; /* the executable's .data + .bss (GNU ld) */

/* Faults in (and dirties) the stack and the data/bss pages any command could ever use, so
 * that later commands change this process's page counts only through their own regions. */
static __attribute__((noinline)) void prefault(void)
{
	volatile char stack[STACK_PREFAULT];
	for (size_t i = 0; i < sizeof(stack); i += PAGE)
		stack[i] = 0;
	for (uintptr_t a = (uintptr_t)&__data_start; a < (uintptr_t)&_end; a = (a | (PAGE - 1)) + 1)
		*(volatile char *)a = *(volatile char *)a;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fault;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) < 0)
		perror("workload: prctl(PR_SET_THP_DISABLE)");
	prefault();
	if (mlockall(MCL_CURRENT) == 0) /* faults in every mapping: text, libraries, data, stack */
		munlockall();           /* ...and leaves the pages resident, unlocked */

	for (;;) {
		ssize_t n = read_line(0, line, sizeof(line));
		if (n == -1)
			break;
		if (n == -2)
			reply("err line too long");
		else
			handle(line);
	}
	stop_children();
	return 0;
}
