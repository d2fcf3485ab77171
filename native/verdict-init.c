/*
 * verdict-init: the first program run inside every sandbox.
 *
 * Why it exists: bubblewrap reports a payload killed by signal N as exit code 128+N, so a
 * program that calls exit(137) looks exactly like one killed by SIGKILL. This helper forks the
 * payload, waits for it, and writes the exact outcome ("exit N" or "signal N") to a status fd
 * that only it holds. It also applies the per-process rlimits, which Node cannot set on a child.
 *
 * It also passes on signals for the program: the service writes each signal number (a native
 * int32) to CONTROL_FD while the run goes on, and closes it when it will send none.
 *
 * Usage: verdict-init STATUS_FD CONTROL_FD CPU_SECONDS FSIZE_BYTES STACK_BYTES NOFILE -- PROGRAM ARGS...
 * PROGRAM is an absolute path: nothing is resolved through a shell or PATH.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

static int parse_u64(const char *s, unsigned long long *out) {
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0') return -1;
  *out = v;
  return 0;
}

static void set_limit(int resource, rlim_t soft, rlim_t hard) {
  struct rlimit rl = {soft, hard};
  if (setrlimit(resource, &rl) != 0) {
    perror("verdict-init: setrlimit");
    _exit(126);
  }
}

static void report(int fd, const char *kind, int value) {
  char line[64];
  int n = snprintf(line, sizeof line, "%s %d\n", kind, value);
  if (n > 0) (void)write(fd, line, (size_t)n);
}

/* Reaps every process that ends (we are pid 1: orphans come to us) until the program does, and
 * meanwhile passes the signals read from `ctl` to the program. A signal is read before the reaps
 * of the same wakeup, so it only ever reaches the program's own pid. Returns its wait status. */
static int wait_program(pid_t child, int chld_fd, int ctl) {
  struct pollfd p[2] = {{chld_fd, POLLIN, 0}, {ctl, POLLIN, 0}};
  for (;;) {
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      perror("verdict-init: poll");
      exit(126);
    }
    if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      int32_t signo;
      ssize_t r = read(ctl, &signo, sizeof signo);
      if (r == (ssize_t)sizeof signo) {
        if (signo > 0 && signo < NSIG) kill(child, signo);
      } else if (!(r < 0 && errno == EINTR)) {
        p[1].fd = -1; /* closed: no more signals will come */
      }
    }
    if (p[0].revents & POLLIN) {
      struct signalfd_siginfo si;
      (void)!read(chld_fd, &si, sizeof si);
      int st;
      pid_t w;
      while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
        if (w == child) return st;
      }
      if (w < 0 && errno != ECHILD) {
        perror("verdict-init: waitpid");
        exit(126);
      }
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 9 || strcmp(argv[7], "--") != 0) {
    fprintf(stderr, "verdict-init: usage: STATUS_FD CONTROL_FD CPU_S FSIZE STACK NOFILE -- PROGRAM ARGS...\n");
    return 126;
  }
  unsigned long long status_fd, control_fd, cpu_s, fsize, stack, nofile;
  if (parse_u64(argv[1], &status_fd) || parse_u64(argv[2], &control_fd) || parse_u64(argv[3], &cpu_s) ||
      parse_u64(argv[4], &fsize) || parse_u64(argv[5], &stack) || parse_u64(argv[6], &nofile)) {
    fprintf(stderr, "verdict-init: bad numeric argument\n");
    return 126;
  }
  int sfd = (int)status_fd;
  int ctl = (int)control_fd;

  /* Not dumpable: the payload runs as the same uid and could otherwise open our status fd
   * through /proc/<ppid>/fd and forge its own outcome. */
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

  set_limit(RLIMIT_CORE, 0, 0);
  /* RLIMIT_CPU is a backstop only: the service enforces the real CPU limit from the cgroup,
   * which also counts children. SIGXCPU at the soft limit, SIGKILL one second later. */
  set_limit(RLIMIT_CPU, (rlim_t)cpu_s, (rlim_t)cpu_s + 1);
  set_limit(RLIMIT_FSIZE, (rlim_t)fsize, (rlim_t)fsize);
  set_limit(RLIMIT_STACK, (rlim_t)stack, (rlim_t)stack);
  set_limit(RLIMIT_NOFILE, (rlim_t)nofile, (rlim_t)nofile);

  /* SIGCHLD goes through a signalfd so one poll() waits for it and for the control fd. */
  sigset_t chld, none;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigemptyset(&none);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int chld_fd = signalfd(-1, &chld, SFD_CLOEXEC);
  if (chld_fd < 0) {
    perror("verdict-init: signalfd");
    return 126;
  }

  pid_t child = fork();
  if (child < 0) {
    perror("verdict-init: fork");
    return 126;
  }
  if (child == 0) {
    /* A blocked mask survives execve: the program starts with nothing blocked. */
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* Only stdin, stdout and stderr reach the program: bwrap's status and block fds and our
     * status and control fds stay out of its reach. */
    if (close_range(3, ~0U, 0) != 0) {
      for (int fd = 3; fd < 1024; fd++) close(fd);
    }
    execv(argv[8], &argv[8]);
    fprintf(stderr, "verdict-init: cannot execute %s: %s\n", argv[8], strerror(errno));
    _exit(127);
  }

  /* The payload's signals to its own process group or to -1 may reach us; we must survive
   * long enough to report, so ignore the catchable ones. SIGKILL from the service ends all. */
  signal(SIGTERM, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGUSR1, SIG_IGN);
  signal(SIGUSR2, SIG_IGN);
  signal(SIGXCPU, SIG_IGN);
  signal(SIGXFSZ, SIG_IGN);

  int wstatus = wait_program(child, chld_fd, ctl);
  if (WIFSIGNALED(wstatus)) {
    report(sfd, "signal", WTERMSIG(wstatus));
    return 128 + WTERMSIG(wstatus);
  }
  report(sfd, "exit", WEXITSTATUS(wstatus));
  return WEXITSTATUS(wstatus);
}
