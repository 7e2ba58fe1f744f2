// `sluice flow run` and `flow validate` exit codes (contract): 0 SUCCESS or WARNING (valid), 1 any
// other terminal state, 2 invalid input.
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_INVALID = 2;
