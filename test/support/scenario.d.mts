// Types of scenario.mjs (a plain module, so every runtime's harness can load it).

/** What the harness loaded of splicekit: the scenarios take the API as given. */
type Api = Record<string, any>;

export function coreScenario(api: Api, kernelOptions?: object): Record<string, unknown>;
export const CORE_EXPECTED: Record<string, unknown>;
export function pipeRole(end: any, opts: { role: 'producer' | 'consumer'; total: number; chunk: number }): Record<string, number>;
export function guestScenario(api: Api, module: WebAssembly.Module, input: string, kernelOptions?: object): { stdout: string; status: number; leaked: number };
/** Bytes of one record of pipeRecords: at most PIPE_BUF, so each write is atomic. */
export const RECORD: number;
export function pipeRecords(end: any, opts: { role: 'writer' | 'records'; id?: number; records?: number; writers?: number }): Record<string, unknown>;
