/*
 * verdict-zygote: one per slot, long-lived, started by the service inside bubblewrap (user,
 * network, ipc, uts and cgroup namespaces; read-only system; capabilities kept only inside its
 * own user namespace). For each run it clones a fresh "run init" in new pid, mount and ipc
 * namespaces, so a run costs a clone and a few mounts instead of a whole new bwrap.
 *
 * Why: building every namespace and mount from scratch for each run costs ~5 ms of CPU on the
 * machines we measured, more than a whole Python "print" program. The slot's network namespace
 * (no interfaces but a down loopback) is shared by its runs: one run at a time per slot, and
 * every process of a run is dead before the next starts.
 *
 * A run init is cloned ahead of time (the "spare"), with its namespaces and its fresh /proc,
 * /tmp and /dev/shm already made. Once that is done it announces itself (`spare RUN
 * HOSTPID`); the service moves it into the cgroup of the run it will carry, ahead of the request,
 * so a request only binds the box, connects stdio and runs. The run's id is the spare's.
 *
 * Usage: verdict-zygote TMP_BYTES (the size of each run's /tmp and /dev/shm).
 * Protocol. Commands on fd 0: u32 little-endian length, then NUL-terminated fields:
 *   run RUN BOX CPU_S FSIZE STACK NOFILE STDIN ARGC ARGV... ENVC ENV... MOUNTC (SRC DST RW)...
 *     (RUN must be the announced spare, already in its cgroup; STDIN is "" for a live stdin
 *     connection, "-" for /dev/null, else a file the service wrote in the slot's boxes dir)
 *   spare   (make a spare if there is none, after one died)
 *   signal RUN SIGNO   (deliver a signal to the run's program, if it is still running)
 * Events on fd 1, one line each:
 *   spare RUN HOSTPID | status RUN exit|signal N alone|others | error RUN MESSAGE | reaped RUN
 * A spare that dies unused is reaped like a run.
 * fd 3 holds the seccomp filter (read once at start). Inside, /.verdict holds the boxes, the
 * per-slot caches and the socket a run connects its stdio to; each run covers it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_FIELDS 4096
#define MAX_RUNS 16
#define IO_SOCKET "/.verdict/io/io.sock"

struct run {
  char id[32];
  pid_t pid;
  int used;
  /* Write end of the pipe the run's request came on, kept as its control channel: signal
   * numbers for its program. -1 once closed. */
  int ctl;
};

struct request {
  const char *id, *box, *stdin_file;
  unsigned long cpu_s, fsize, stack, nofile;
  char **argv, **envp;
  int nmounts;
  char **msrc, **mdst;
  int *mrw;
};

/* What a pre-started run init starts from: its id, and the pipe its request comes on (first
 * its own host pid, written by the zygote right after the clone, then the request). */
struct init_args {
  char id[32];
  int req_rd;
};

/* The run init cloned ahead of time, with its namespaces and generic mounts already made. */
static struct {
  pid_t pid;
  int req_wr;
  int ready;
  char id[32];
} spare;
static unsigned long spare_seq;

static unsigned long tmp_bytes;

static struct run runs[MAX_RUNS];
static struct sock_filter filter[4096];
static unsigned short filter_len;
static int events_fd = 1;
static char clone_stack[256 * 1024] __attribute__((aligned(16)));

static void event(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void event(int fd, const char *fmt, ...) {
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (n > (int)sizeof line - 2) n = sizeof line - 2;
  line[n++] = '\n';
  /* One write of < PIPE_BUF bytes: lines from the zygote and its run inits never interleave. */
  (void)!write(fd, line, (size_t)n);
}

static int read_full(int fd, void *buf, size_t len) {
  size_t got = 0;
  while (got < len) {
    ssize_t r = read(fd, (char *)buf + got, len - got);
    if (r == 0) return -1;
    if (r < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    got += (size_t)r;
  }
  return 0;
}

/* ---- run init: pid 1 of the run's pid namespace ------------------------------------------ */

static void fail(int evfd, const char *id, const char *what) {
  event(evfd, "error %s %s: %s", id, what, strerror(errno));
  _exit(120);
}

/* A bind remount must repeat the flags the mount already has: those inherited from a more
 * privileged namespace are locked, and leaving one out is refused with EPERM. */
static int remount_readonly(const char *path) {
  struct statvfs st;
  if (statvfs(path, &st) != 0) return -1;
  unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY;
  if (st.f_flag & ST_NOSUID) flags |= MS_NOSUID;
  if (st.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (st.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (st.f_flag & ST_NOATIME) flags |= MS_NOATIME;
  if (st.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (st.f_flag & ST_RELATIME) flags |= MS_RELATIME;
  return mount(NULL, path, NULL, flags, NULL);
}

/* mkdir -p: mount points of extra mounts (e.g. /cache/go-build) live in the run's own root. */
static void make_dirs(const char *path) {
  char buf[512];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    mkdir(buf, 0755);
    *p = '/';
  }
  mkdir(buf, 0755);
}

static int connect_stream(const char *id, char stream) {
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return -1;
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strncpy(addr.sun_path, IO_SOCKET, sizeof addr.sun_path - 1);
  if (connect(s, (struct sockaddr *)&addr, sizeof addr) != 0) return -1;
  char header[64];
  int n = snprintf(header, sizeof header, "%s %c\n", id, stream);
  if (write(s, header, (size_t)n) != n) return -1;
  return s;
}

static void set_limit(int evfd, const char *id, int resource, rlim_t soft, rlim_t hard) {
  struct rlimit rl = {soft, hard};
  if (setrlimit(resource, &rl) != 0) fail(evfd, id, "setrlimit");
}

static int read_full(int fd, void *buf, size_t len);
static int parse_request(char **f, int n, struct request *q);

/* Reaps every process that ends (orphans of the run are re-parented to us) until the program
 * does, and meanwhile passes the signals the zygote sends on `ctl` to the program. A signal is
 * read before the reaps of the same wakeup, so it only ever reaches the program's own pid, never
 * one the kernel has handed to someone else. Returns the program's wait status. */
static int wait_program(int evfd, const char *id, pid_t child, int sfd, int ctl) {
  struct pollfd p[2] = {{sfd, POLLIN, 0}, {ctl, POLLIN, 0}};
  for (;;) {
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      fail(evfd, id, "poll");
    }
    if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      int32_t signo;
      if (read_full(ctl, &signo, 4) != 0) p[1].fd = -1;
      else if (signo > 0 && signo < NSIG) kill(child, signo);
    }
    if (p[0].revents & POLLIN) {
      struct signalfd_siginfo si;
      (void)!read(sfd, &si, sizeof si);
      int status;
      pid_t w;
      while ((w = waitpid(-1, &status, WNOHANG)) > 0) {
        if (w == child) return status;
      }
      if (w < 0 && errno != ECHILD) fail(evfd, id, "waitpid");
    }
  }
}

static int run_init(void *arg) {
  struct init_args *p = arg;
  int evfd = fcntl(events_fd, F_DUPFD_CLOEXEC, 10);
  /* Dies with the zygote, so a dead service leaves no run behind. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);

  /* Everything that does not depend on the request is done before it arrives, off the path of
   * the run that will use it: a fresh /proc, /tmp and /dev/shm, /dev read-only. */
  const char *me = p->id;
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) fail(evfd, me, "make mounts private");
  if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) fail(evfd, me, "mount /proc");
  char opts[64];
  snprintf(opts, sizeof opts, "size=%lu,nr_inodes=16384,mode=1777", tmp_bytes);
  if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, opts) != 0) fail(evfd, me, "mount /tmp");
  if (mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, opts) != 0) fail(evfd, me, "mount /dev/shm");
  /* /dev is one tmpfs shared by every run of the slot: read-only in this run's namespace, so
   * nothing can be left there for the next run. (The zygote's root is read-only already.) */
  if (remount_readonly("/dev") != 0) fail(evfd, me, "remount /dev read-only");

  /* Ready: the service may now move us into the run's cgroup. Everything from here on (the
   * request, the program and all it forks) is charged to the run; nothing before is. */
  int32_t host_pid;
  if (read_full(p->req_rd, &host_pid, 4) != 0) _exit(121);
  event(evfd, "spare %s %d", me, (int)host_pid);

  uint32_t len;
  static char buf[1 << 20];
  static char *fields[MAX_FIELDS];
  if (read_full(p->req_rd, &len, 4) != 0 || len == 0 || len >= sizeof buf || read_full(p->req_rd, buf, len) != 0) _exit(121);
  /* The request pipe stays open: the zygote writes signals for the program on it. */
  int ctl = p->req_rd;
  buf[len] = '\0';
  int n = 0;
  for (char *c = buf; c < buf + len && n < MAX_FIELDS; c += strlen(c) + 1) fields[n++] = c;
  struct request request;
  struct request *q = &request;
  if (parse_request(fields, n, q) != 0 || strcmp(q->id, me) != 0) {
    event(evfd, "error %s malformed run request", me);
    _exit(122);
  }

  char box[512];
  snprintf(box, sizeof box, "/.verdict/boxes/%s", q->box);
  if (mount(box, "/box", NULL, MS_BIND, NULL) != 0) fail(evfd, q->id, "bind /box");
  if (mount(NULL, "/box", NULL, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV, NULL) != 0) fail(evfd, q->id, "remount /box");
  /* Extra mounts (compiler caches) live under a fresh /cache of this run's own; without any,
   * /cache stays the zygote's empty read-only directory. */
  if (q->nmounts > 0 && mount("tmpfs", "/cache", "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755") != 0) fail(evfd, q->id, "mount /cache");
  for (int i = 0; i < q->nmounts; i++) {
    make_dirs(q->mdst[i]);
    if (mount(q->msrc[i], q->mdst[i], NULL, MS_BIND, NULL) != 0) fail(evfd, q->id, "bind mount");
    unsigned long flags = MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | (q->mrw[i] ? 0 : MS_RDONLY);
    if (mount(NULL, q->mdst[i], NULL, flags, NULL) != 0) fail(evfd, q->id, "remount bind");
  }
  /* Three connections, not one for stdin and stdout: the service's write of stdin may fail
   * (the program already exited), and a failed write must not discard unread output. A batch
   * run's stdin is known in full beforehand, so it comes from a file (or /dev/null) instead: one
   * connection fewer for every run, and what a program sees is a plain file, as on most judges. */
  int in;
  if (q->stdin_file[0] == '\0') {
    in = connect_stream(q->id, 'i');
  } else if (strcmp(q->stdin_file, "-") == 0) {
    in = open("/dev/null", O_RDONLY | O_CLOEXEC);
  } else {
    char file[512];
    snprintf(file, sizeof file, "/.verdict/boxes/%s", q->stdin_file);
    in = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  }
  int out = connect_stream(q->id, 'o');
  int err = connect_stream(q->id, 'e');
  if (in < 0 || out < 0 || err < 0) fail(evfd, q->id, "connect stdio");
  /* The boxes of other runs, the caches and the service's socket vanish from this namespace.
   * They cannot be unmounted (bwrap's nested user namespace locks inherited mounts), so an
   * empty read-only tmpfs covers them; the program has no capability to remove it. */
  if (mount("tmpfs", "/.verdict", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=000") != 0)
    fail(evfd, q->id, "cover /.verdict");
  if (chdir("/box") != 0) fail(evfd, q->id, "chdir /box");

  set_limit(evfd, q->id, RLIMIT_CORE, 0, 0);
  set_limit(evfd, q->id, RLIMIT_CPU, q->cpu_s, q->cpu_s + 1);
  set_limit(evfd, q->id, RLIMIT_FSIZE, q->fsize, q->fsize);
  set_limit(evfd, q->id, RLIMIT_STACK, q->stack, q->stack);
  set_limit(evfd, q->id, RLIMIT_NOFILE, q->nofile, q->nofile);

  /* The service sent the request only once we were in the run's cgroup: the program forked
   * below is charged to the run from its first page (charges never follow a move). */
  /* No way back to privilege: no_new_privs, no capabilities, and an empty bounding set (emptied
   * once in the zygote, inherited by every run init). */
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(evfd, q->id, "no_new_privs");
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  if (syscall(SYS_capset, &hdr, data) != 0) fail(evfd, q->id, "drop capabilities");
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

  /* SIGCHLD arrives blocked from the zygote; a signalfd turns it into something poll() can wait
   * on together with the control pipe. */
  sigset_t chld, none;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigemptyset(&none);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC);
  if (sfd < 0) fail(evfd, q->id, "signalfd");

  /* vfork: the child shares our memory until it executes, so no copy of our page tables is made
   * only to be thrown away by the exec. It only sets up its fds, signals and seccomp, then
   * executes. */
  pid_t child = vfork();
  if (child < 0) fail(evfd, q->id, "fork");
  if (child == 0) {
    /* A blocked mask and ignored dispositions survive execve: the program starts as it would
     * from a shell, with nothing blocked and SIGPIPE at its default (the zygote ignores it). */
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(126);
    struct sock_fprog prog = {filter_len, filter};
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0) _exit(126);
    syscall(SYS_close_range, 3, ~0U, 0);
    execve(q->argv[0], q->argv, q->envp);
    dprintf(2, "verdict: cannot execute %s: %s\n", q->argv[0], strerror(errno));
    _exit(127);
  }
  close(in);
  close(out);
  close(err);
  close(0);
  close(1);
  close(2);
  /* As pid 1 of the namespace, only signals we handle are delivered from inside; ignore them. */
  for (int s = 1; s < 32; s++) if (s != SIGKILL && s != SIGSTOP && s != SIGCHLD) signal(s, SIG_IGN);
  int status = wait_program(evfd, q->id, child, sfd, ctl);
  /* Every process of the namespace descends from us, and an orphan is re-parented to us or to a
   * live ancestor that is our descendant: with no child left, nothing of the run is left but us.
   * The service may then take the result without waiting for our exit to be reaped. */
  const char *alone = waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD ? "alone" : "others";
  if (WIFSIGNALED(status)) event(evfd, "status %s signal %d %s", q->id, WTERMSIG(status), alone);
  else event(evfd, "status %s exit %d %s", q->id, WEXITSTATUS(status), alone);
  /* Our exit makes the kernel kill whatever the program left running in the namespace. */
  _exit(0);
}

/* ---- the zygote --------------------------------------------------------------------------- */

static unsigned long num(const char *s) { return strtoul(s, NULL, 10); }

/* run RUN BOX CPU FSIZE STACK NOFILE ARGC ARGV... ENVC ENV... MOUNTC (SRC DST RW)... */
static int parse_request(char **f, int n, struct request *q) {
  if (n < 10) return -1;
  memset(q, 0, sizeof *q);
  q->id = f[1];
  q->box = f[2];
  q->cpu_s = num(f[3]);
  q->fsize = num(f[4]);
  q->stack = num(f[5]);
  q->nofile = num(f[6]);
  q->stdin_file = f[7];
  /* A plain name in the slot's boxes dir, never a path out of it. */
  if (strchr(q->stdin_file, '/') != NULL || strcmp(q->stdin_file, "..") == 0 || strcmp(q->stdin_file, ".") == 0) return -1;
  int at = 8;
  int argc = (int)num(f[at++]);
  if (argc < 1 || at + argc >= n) return -1;
  q->argv = calloc((size_t)argc + 1, sizeof(char *));
  for (int i = 0; i < argc; i++) q->argv[i] = f[at++];
  int envc = (int)num(f[at++]);
  if (at + envc >= n) return -1;
  q->envp = calloc((size_t)envc + 1, sizeof(char *));
  for (int i = 0; i < envc; i++) q->envp[i] = f[at++];
  q->nmounts = (int)num(f[at++]);
  if (q->nmounts < 0 || at + 3 * q->nmounts > n) return -1;
  q->msrc = calloc((size_t)q->nmounts + 1, sizeof(char *));
  q->mdst = calloc((size_t)q->nmounts + 1, sizeof(char *));
  q->mrw = calloc((size_t)q->nmounts + 1, sizeof(int));
  for (int i = 0; i < q->nmounts; i++) {
    q->msrc[i] = f[at++];
    q->mdst[i] = f[at++];
    q->mrw[i] = f[at++][0] == '1';
  }
  return 0;
}

/* Clones the next run init ahead of time, in new pid, mount and ipc namespaces. */
static void make_spare(void) {
  int req[2];
  if (pipe2(req, O_CLOEXEC) != 0) return;
  struct run *slot = NULL;
  for (int i = 0; i < MAX_RUNS && !slot; i++) if (!runs[i].used) slot = &runs[i];
  if (!slot) {
    close(req[0]);
    close(req[1]);
    event(events_fd, "error - cannot make a spare: no room for another run");
    return;
  }
  struct init_args args = {.req_rd = req[0]};
  snprintf(args.id, sizeof args.id, "%lu", ++spare_seq);
  pid_t pid = clone(run_init, clone_stack + sizeof clone_stack, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | SIGCHLD, &args);
  close(req[0]);
  if (pid < 0) {
    close(req[1]);
    event(events_fd, "error - cannot make a spare: clone: %s", strerror(errno));
    return;
  }
  int32_t host_pid = pid;
  /* Four bytes into an empty pipe: never blocks, and the spare reads them once it is set up. */
  (void)!write(req[1], &host_pid, 4);
  spare.pid = pid;
  spare.req_wr = req[1];
  snprintf(spare.id, sizeof spare.id, "%s", args.id);
  spare.ready = 1;
  snprintf(slot->id, sizeof slot->id, "%s", args.id);
  slot->pid = pid;
  slot->used = 1;
  slot->ctl = -1;
}

static int write_full(int fd, const void *data, size_t len) {
  size_t done = 0;
  while (done < len) {
    ssize_t w = write(fd, (const char *)data + done, len - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    done += (size_t)w;
  }
  return 0;
}

static struct run *find_run(const char *id) {
  for (int i = 0; i < MAX_RUNS; i++) if (runs[i].used && strcmp(runs[i].id, id) == 0) return &runs[i];
  return NULL;
}

/* Four bytes into a pipe the run init reads: never split, and never blocks the zygote. */
static void signal_run(const char *id, int signo) {
  struct run *r = find_run(id);
  if (!r || r->ctl < 0 || signo <= 0 || signo >= NSIG) return;
  int32_t v = signo;
  (void)!write(r->ctl, &v, 4);
}

/* Hands a run request to the spare it names (already in the run's cgroup), then prepares the
 * next spare. */
static void start_run(const char *id, const char *raw, uint32_t len) {
  if (!spare.ready || strcmp(spare.id, id) != 0) {
    event(events_fd, "error %s no such spare", id);
    return;
  }
  spare.ready = 0;
  int ok = write_full(spare.req_wr, &len, 4) == 0 && write_full(spare.req_wr, raw, len) == 0;
  struct run *r = find_run(id);
  if (ok && r) {
    /* Signals for a run that stopped reading are dropped rather than block every other run. */
    fcntl(spare.req_wr, F_SETFL, O_NONBLOCK);
    r->ctl = spare.req_wr;
  } else {
    close(spare.req_wr);
  }
  if (!ok) {
    kill(spare.pid, SIGKILL);
    event(events_fd, "error %s the run init died before its request", id);
  }
  make_spare();
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    if (spare.ready && pid == spare.pid) {
      /* A spare that died while waiting (its setup failed): the service asks for another. */
      close(spare.req_wr);
      spare.ready = 0;
    }
    for (int i = 0; i < MAX_RUNS; i++) {
      if (runs[i].used && runs[i].pid == pid) {
        event(events_fd, "reaped %s", runs[i].id);
        if (runs[i].ctl >= 0) close(runs[i].ctl);
        runs[i].ctl = -1;
        runs[i].used = 0;
      }
    }
  }
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "verdict-zygote: usage: verdict-zygote TMP_BYTES\n");
    return 2;
  }
  tmp_bytes = num(argv[1]);
  /* The seccomp program arrives once on fd 3. */
  ssize_t got = 0, r;
  while ((r = read(3, (char *)filter + got, sizeof filter - (size_t)got)) > 0) got += r;
  close(3);
  if (got <= 0 || got % (ssize_t)sizeof(struct sock_filter) != 0) {
    fprintf(stderr, "verdict-zygote: no valid seccomp filter on fd 3\n");
    return 2;
  }
  filter_len = (unsigned short)(got / (ssize_t)sizeof(struct sock_filter));
  /* Empty the bounding set once, here: every run init inherits it, and the program can never
   * gain a capability by executing something. We keep our own capabilities (the bounding set
   * only limits what an exec can grant). */
  for (int cap = 0; cap <= 63; cap++) prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
  signal(SIGPIPE, SIG_IGN);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
  static char buf[1 << 20];
  static char *fields[MAX_FIELDS];
  make_spare();
  event(events_fd, "ready - %d", getpid());
  for (;;) {
    struct pollfd p[2] = {{0, POLLIN, 0}, {sfd, POLLIN, 0}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (p[1].revents & POLLIN) {
      struct signalfd_siginfo si;
      (void)!read(sfd, &si, sizeof si);
      reap();
    }
    if (p[0].revents & (POLLIN | POLLHUP)) {
      uint32_t len;
      if (read_full(0, &len, 4) != 0) break; /* the service is gone */
      if (len == 0 || len >= sizeof buf || read_full(0, buf, len) != 0) break;
      buf[len] = '\0';
      int n = 0;
      for (char *c = buf; c < buf + len && n < MAX_FIELDS; c += strlen(c) + 1) fields[n++] = c;
      if (n >= 2 && strcmp(fields[0], "run") == 0) start_run(fields[1], buf, len);
      else if (n >= 1 && strcmp(fields[0], "spare") == 0) {
        if (!spare.ready) make_spare();
      } else if (n >= 3 && strcmp(fields[0], "signal") == 0) {
        signal_run(fields[1], (int)num(fields[2]));
      }
    }
  }
  for (int i = 0; i < MAX_RUNS; i++) if (runs[i].used) kill(runs[i].pid, SIGKILL);
  if (spare.ready) kill(spare.pid, SIGKILL);
  return 0;
}
