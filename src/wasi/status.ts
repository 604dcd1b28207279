// Exit statuses as a shell reports them for what a guest can end with.

/** 128 + SIGABRT: what a shell reports for a native program that aborts (wasi-libc's abort() traps). */
export const TRAP_STATUS = 134;
