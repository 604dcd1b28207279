export declare const growByte: (i: number) => number;
