/**
 * Syscall numbers per architecture, only for the calls the policy names. x86_64 from
 * asm/unistd_64.h; arm64 uses the generic table (asm-generic/unistd.h). The numbers differ, so a
 * filter is always built for one architecture and checks it first.
 */
export type Arch = 'x64' | 'arm64';

export const AUDIT_ARCH: Record<Arch, number> = {
  x64: 0xc000003e,
  arm64: 0xc00000b7,
};

export const SYSCALLS: Record<Arch, Record<string, number>> = {
  x64: {
    ptrace: 101, process_vm_readv: 310, process_vm_writev: 311, pidfd_getfd: 438,
    mount: 165, umount2: 166, pivot_root: 155, chroot: 161, unshare: 272, setns: 308,
    keyctl: 250, add_key: 248, request_key: 249, bpf: 321, perf_event_open: 298, userfaultfd: 323,
    kexec_load: 246, kexec_file_load: 320, init_module: 175, finit_module: 313, delete_module: 176,
    reboot: 169, swapon: 167, swapoff: 168, acct: 163, quotactl: 179,
    open_by_handle_at: 304, name_to_handle_at: 303, fanotify_init: 300, syslog: 103,
    settimeofday: 164, clock_settime: 227, clock_adjtime: 305, adjtimex: 159,
    clone3: 435, io_uring_setup: 425, io_uring_enter: 426, io_uring_register: 427,
    open_tree: 428, move_mount: 429, fsopen: 430, fsconfig: 431, fsmount: 432, fspick: 433, mount_setattr: 442,
    clone: 56, socket: 41, ioctl: 16,
  },
  arm64: {
    ptrace: 117, process_vm_readv: 270, process_vm_writev: 271, pidfd_getfd: 438,
    mount: 40, umount2: 39, pivot_root: 41, chroot: 51, unshare: 97, setns: 268,
    keyctl: 219, add_key: 217, request_key: 218, bpf: 280, perf_event_open: 241, userfaultfd: 282,
    kexec_load: 104, kexec_file_load: 294, init_module: 105, finit_module: 273, delete_module: 106,
    reboot: 142, swapon: 224, swapoff: 225, acct: 89, quotactl: 60,
    open_by_handle_at: 265, name_to_handle_at: 264, fanotify_init: 262, syslog: 116,
    settimeofday: 170, clock_settime: 112, clock_adjtime: 266, adjtimex: 171,
    clone3: 435, io_uring_setup: 425, io_uring_enter: 426, io_uring_register: 427,
    open_tree: 428, move_mount: 429, fsopen: 430, fsconfig: 431, fsmount: 432, fspick: 433, mount_setattr: 442,
    clone: 220, socket: 198, ioctl: 29,
  },
};
