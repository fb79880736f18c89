/*
 * timer.c - runs a command N times and prints, per run, its wall time and peak RSS:
 *   timer N command [args...]   →   one line per run: "<wall ns> <ru_maxrss kB> <exit status>"
 * The command's stdout and stderr go to /dev/null. fork + execvp + wait4: no shell, no
 * interpreter between the clock and the command.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: timer N command [args...]\n");
		return 2;
	}
	int runs = atoi(argv[1]);
	for (int i = 0; i < runs; i++) {
		long long t0 = now_ns();
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY);
			dup2(null, 1);
			dup2(null, 2);
			execvp(argv[2], argv + 2);
			_exit(127);
		}
		int status;
		struct rusage ru;
		if (wait4(pid, &status, 0, &ru) < 0) {
			perror("wait4");
			return 1;
		}
		long long t1 = now_ns();
		printf("%lld %ld %d\n", t1 - t0, ru.ru_maxrss,
		       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		fflush(stdout);
	}
	return 0;
}
