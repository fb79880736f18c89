/*
 * Process churn for test/live/churn.test.ts: forks RATE short-lived children a second for
 * SECONDS seconds, then reaps everything and reports what it did.
 *
 *   churn SECONDS RATE
 *
 * Children, in turn: exit at once; map and write fresh anonymous memory, then exit (some
 * after 2 ms, one in 16 after 100 ms, one in 64 after a second); write to pages they share with this process (copy-on-write breaks), then exit
 * after 1 ms; fork a grandchild that writes memory and outlives its parent by 1 ms. Orphaned
 * grandchildren come back to this process (a child subreaper), which reaps them too.
 *
 * stdout: "progress SPAWNED SECONDS" each second, then "done SPAWNED SECONDS FAILED", where
 * SPAWNED counts this process's forks (grandchildren not included) and FAILED the forks that
 * failed. It dies with its parent (PR_SET_PDEATHSIG) and within SECONDS + 10 s (alarm).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define SHARED_PAGES 64
/** Children alive at once, at most: a slow host waits for them rather than piling them up. */
#define MAX_LIVE 512

/* Written by this process before forking: children share these pages until they write. */
static char shared_with_children[SHARED_PAGES * PAGE];

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void write_fresh_memory_and_exit(int pages, int linger_us) {
  char *p = mmap(NULL, (size_t)pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                 -1, 0);
  if (p != MAP_FAILED)
    for (int i = 0; i < pages; i++) p[(size_t)i * PAGE] = (char)(i | 1);
  if (linger_us > 0) usleep((useconds_t)linger_us);
  _exit(0);
}

static void run_child(unsigned long n) {
  switch (n % 4) {
    case 0:
      _exit(0);
    case 1:
      // One child in 64 stays a second, long enough for a whole sample to read it.
      write_fresh_memory_and_exit(16 + (int)(n % 64), n % 64 == 5    ? 1000000
                                                      : n % 16 == 5 ? 100000
                                                      : n % 3 == 0  ? 2000
                                                                    : 0);
      break;
    case 2:
      for (unsigned long i = 0; i < 16; i++) shared_with_children[((n + i) % SHARED_PAGES) * PAGE]++;
      usleep(1000);
      _exit(0);
    default: {
      pid_t grandchild = fork();
      if (grandchild == 0) write_fresh_memory_and_exit(8, 1000);
      _exit(0);
    }
  }
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: churn SECONDS RATE\n");
    return 2;
  }
  double seconds = atof(argv[1]);
  double rate = atof(argv[2]);
  if (seconds <= 0 || rate <= 0) {
    fprintf(stderr, "churn: SECONDS and RATE must be positive\n");
    return 2;
  }
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  alarm((unsigned)seconds + 10);
  memset(shared_with_children, 1, sizeof shared_with_children);

  double start = now();
  double next_report = start + 1;
  unsigned long spawned = 0, failed = 0;
  long live = 0;
  for (double t = start; t < start + seconds; t = now()) {
    while (waitpid(-1, NULL, WNOHANG) > 0) live = live > 0 ? live - 1 : 0;
    if (t >= next_report) {
      printf("progress %lu %.3f\n", spawned, t - start);
      fflush(stdout);
      next_report += 1;
    }
    if ((double)spawned >= rate * (t - start)) {
      usleep(200);
      continue;
    }
    if (live >= MAX_LIVE) {
      if (waitpid(-1, NULL, 0) > 0) live--;
      continue;
    }
    pid_t pid = fork();
    if (pid == 0) run_child(spawned);
    if (pid < 0) {
      failed++;
      continue;
    }
    spawned++;
    live++;
  }
  double elapsed = now() - start;
  while (waitpid(-1, NULL, 0) > 0) {
  }
  printf("done %lu %.3f %lu\n", spawned, elapsed, failed);
  return 0;
}
