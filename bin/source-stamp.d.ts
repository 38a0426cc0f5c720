/** Types of source-stamp.js, for the tests that use it. */
export declare const STAMP_FILE: string;
export declare function sourceFingerprint(root: string): string;
export declare function builtFingerprint(root: string): string | undefined;
