export const ROOT: string;
export const STAMP: string;
export function inputsHash(): string;
export function buildIsCurrent(hash?: string): boolean;
