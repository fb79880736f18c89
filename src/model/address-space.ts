/**
 * The end of user space: no mapping of a process's own ends above it. The kernel's TASK_SIZE
 * is 2^47 − 4096 on x86-64 with 4-level paging and 2^56 − 4096 with 5-level paging (la57);
 * arm64 (at most 52 bits) and riscv (sv57: 2^56) stay below it too. Above it maps lists only
 * the kernel's gate area ([vsyscall] at 0xffffffffff600000, one page), which is not memory and
 * which pagemap does not cover (reads past TASK_SIZE return no bytes).
 */
export const USER_SPACE_END = 2 ** 56;
