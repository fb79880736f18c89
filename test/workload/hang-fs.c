/*
 * hang-fs: a FUSE file system of regular files whose reads the test can hold up, as a hung
 * FUSE or NFS mount holds them: a read(2) (or open) of one then waits in the kernel until the
 * file system answers. Held requests are never taken from /dev/fuse, so they wait as a stuck
 * NFS call or a lock does: killably (SIGKILL and _exit end the waiting process; SIGTERM and
 * SIGINT do not, where the process catches them). Needs root (mount(2), /dev/fuse).
 *
 *   hang-fs MOUNTPOINT NAME[=TEXT]...
 *
 * Mounts itself on MOUNTPOINT with one file per NAME, holding TEXT, or "NAME\0" (a one-word
 * command line). Reads bypass the page cache (FOPEN_DIRECT_IO): each one reaches this process.
 * Prints `ready` once mounted. Commands, one a line on stdin:
 *
 *   hold     stop answering: requests wait in the kernel; prints `pending` when one comes
 *   serve    answer every request again, those waiting first
 *
 * Exits on EOF or when unmounted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_FILES 16
#define ROOT_ID 1

static int fuse_fd;
static int file_count;
static char *names[MAX_FILES];
static char contents[MAX_FILES][4096];
static size_t sizes[MAX_FILES];
static int holding;

static int pending_reported;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void reply(uint64_t unique, int error, const void *data, size_t size)
{
	struct fuse_out_header out = { .len = sizeof out + (error ? 0 : size), .error = error, .unique = unique };
	struct iovec iov[2] = { { &out, sizeof out }, { (void *)data, error ? 0 : size } };
	if (writev(fuse_fd, iov, 2) < 0 && errno != ENOENT)
		perror("writev");
}

static void fill_attr(struct fuse_attr *attr, uint64_t nodeid)
{
	memset(attr, 0, sizeof *attr);
	attr->ino = nodeid;
	attr->nlink = 1;
	if (nodeid == ROOT_ID) {
		attr->mode = S_IFDIR | 0755;
		attr->nlink = 2;
	} else {
		attr->mode = S_IFREG | 0444;
		attr->size = sizes[nodeid - 2];
	}
}

static void answer_read(uint64_t unique, uint64_t nodeid, uint64_t offset, uint32_t size)
{
	int file = (int)nodeid - 2;
	if (file < 0 || file >= file_count) {
		reply(unique, -EIO, NULL, 0);
		return;
	}
	size_t from = offset < sizes[file] ? offset : sizes[file];
	size_t n = sizes[file] - from;
	if (n > size)
		n = size;
	reply(unique, 0, contents[file] + from, n);
}

static void request(const char *buffer)
{
	const struct fuse_in_header *in = (const void *)buffer;
	const char *arg = buffer + sizeof *in;
	switch (in->opcode) {
	case FUSE_INIT: {
		const struct fuse_init_in *init = (const void *)arg;
		struct fuse_init_out out = { 0 };
		out.major = FUSE_KERNEL_VERSION;
		out.minor = init->minor < FUSE_KERNEL_MINOR_VERSION ? init->minor : FUSE_KERNEL_MINOR_VERSION;
		out.max_readahead = init->max_readahead;
		out.max_background = 16;
		out.congestion_threshold = 12;
		out.max_write = 65536;
		out.time_gran = 1;
		reply(in->unique, 0, &out, sizeof out);
		return;
	}
	case FUSE_LOOKUP:
		for (int i = 0; i < file_count; i++) {
			if (in->nodeid == ROOT_ID && strcmp(arg, names[i]) == 0) {
				struct fuse_entry_out out = { .nodeid = i + 2, .entry_valid = 3600, .attr_valid = 3600 };
				fill_attr(&out.attr, i + 2);
				reply(in->unique, 0, &out, sizeof out);
				return;
			}
		}
		reply(in->unique, -ENOENT, NULL, 0);
		return;
	case FUSE_GETATTR: {
		struct fuse_attr_out out = { .attr_valid = 3600 };
		fill_attr(&out.attr, in->nodeid);
		reply(in->unique, 0, &out, sizeof out);
		return;
	}
	case FUSE_OPEN: {
		struct fuse_open_out out = { .open_flags = FOPEN_DIRECT_IO };
		reply(in->unique, 0, &out, sizeof out);
		return;
	}
	case FUSE_READ: {
		const struct fuse_read_in *read_in = (const void *)arg;
		answer_read(in->unique, in->nodeid, read_in->offset, read_in->size);
		return;
	}
	case FUSE_FLUSH:
	case FUSE_RELEASE:
		reply(in->unique, 0, NULL, 0);
		return;
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
	case FUSE_INTERRUPT:
		return;
	case FUSE_DESTROY:
		exit(0);
	default:
		reply(in->unique, -ENOSYS, NULL, 0);
	}
}

static void command(const char *line)
{
	if (strncmp(line, "hold", 4) == 0) {
		holding = 1;
		pending_reported = 0;
	} else if (strncmp(line, "serve", 5) == 0) {
		holding = 0;
	}
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc - 2 > MAX_FILES) {
		fprintf(stderr, "usage: hang-fs MOUNTPOINT NAME...\n");
		return 2;
	}
	file_count = argc - 2;
	for (int i = 0; i < file_count; i++) {
		names[i] = argv[i + 2];
		char *text = strchr(names[i], '=');
		if (text) {
			*text++ = '\0';
			sizes[i] = (size_t)snprintf(contents[i], sizeof contents[i], "%s", text);
		} else {
			sizes[i] = (size_t)snprintf(contents[i], sizeof contents[i], "%s", names[i]) + 1;
		}
		if (sizes[i] >= sizeof contents[i])
			sizes[i] = sizeof contents[i] - 1;
	}
	fuse_fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fuse_fd < 0)
		die("/dev/fuse");
	char options[128];
	snprintf(options, sizeof options, "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other", fuse_fd);
	if (mount("hang-fs", argv[1], "fuse.hang-fs", MS_NOSUID | MS_NODEV, options))
		die("mount");
	printf("ready\n");
	fflush(stdout);
	static char buffer[FUSE_MIN_READ_BUFFER + 65536 + 4096];
	char line[64];
	size_t line_at = 0;
	struct pollfd fds[2] = { { fuse_fd, POLLIN, 0 }, { 0, POLLIN, 0 } };
	for (;;) {
		/* While holding, /dev/fuse is only watched (once) to tell that a request waits. */
		fds[0].events = holding && pending_reported ? 0 : POLLIN;
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (fds[0].revents & (POLLERR | POLLHUP))
			return 0;
		if ((fds[0].revents & POLLIN) && holding) {
			printf("pending\n");
			fflush(stdout);
			pending_reported = 1;
		} else if (fds[0].revents & POLLIN) {
			ssize_t n = read(fuse_fd, buffer, sizeof buffer);
			if (n < 0 && errno == ENODEV)
				return 0; /* unmounted */
			if (n >= (ssize_t)sizeof(struct fuse_in_header))
				request(buffer);
		}
		if (fds[1].revents) {
			char c;
			if (read(0, &c, 1) <= 0)
				return 0;
			if (c == '\n' || line_at == sizeof line - 1) {
				line[line_at] = '\0';
				command(line);
				line_at = 0;
			} else {
				line[line_at++] = c;
			}
		}
	}
}
